//! Queries for reminders and the email preference.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::AppResult;
use crate::web::pagination::Pager;

/// Active users with the coordinator's role in the municipality.
pub async fn coordinators(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        "SELECT DISTINCT g.user_id FROM role_grants g JOIN users u ON u.id = g.user_id
          WHERE g.municipality_id = $1 AND g.role = 'samordnare' AND NOT u.disabled",
        m.uuid()
    )
    .fetch_all(db)
    .await?)
}

/// Active users with some role in the municipality: the only ones reminded there.
pub async fn members(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        "SELECT DISTINCT g.user_id FROM role_grants g JOIN users u ON u.id = g.user_id
          WHERE g.municipality_id = $1 AND NOT u.disabled",
        m.uuid()
    )
    .fetch_all(db)
    .await?)
}

/// A reminder to be made.
pub struct NewReminder {
    pub user_id: Uuid,
    pub area: String,
    pub title: String,
    pub link: String,
    pub due: NaiveDate,
    /// See `model::occasion`.
    pub occasion: NaiveDate,
}

/// Makes the reminders not made before (one per user, item, due date and occasion);
/// returns how many are new.
pub async fn add(db: impl PgExecutor<'_>, m: MunicipalityId, reminders: &[NewReminder]) -> AppResult<u64> {
    let ids: Vec<Uuid> = reminders.iter().map(|_| Uuid::new_v4()).collect();
    let users: Vec<Uuid> = reminders.iter().map(|r| r.user_id).collect();
    let areas: Vec<String> = reminders.iter().map(|r| r.area.clone()).collect();
    let titles: Vec<String> = reminders.iter().map(|r| r.title.clone()).collect();
    let links: Vec<String> = reminders.iter().map(|r| r.link.clone()).collect();
    let dues: Vec<NaiveDate> = reminders.iter().map(|r| r.due).collect();
    let occasions: Vec<NaiveDate> = reminders.iter().map(|r| r.occasion).collect();
    let result = sqlx::query!(
        "INSERT INTO reminders (id, municipality_id, user_id, area, title, link, due, occasion)
         SELECT id, $1, user_id, area, title, link, due, occasion
           FROM UNNEST($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::date[], $8::date[])
                AS t(id, user_id, area, title, link, due, occasion)
         ON CONFLICT (municipality_id, user_id, link, title, due, occasion) DO NOTHING",
        m.uuid(),
        &ids,
        &users,
        &areas,
        &titles,
        &links,
        &dues,
        &occasions
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// A reminder waiting for its email.
pub struct Unsent {
    pub id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub municipality_name: String,
    pub area: String,
    pub title: String,
    pub link: String,
    pub due: NaiveDate,
}

/// Reminders made since `since` and not yet emailed, for users who want email.
/// The municipality's reminders not yet emailed, a user's together.
pub async fn unsent(db: impl PgExecutor<'_>, m: MunicipalityId, since: DateTime<Utc>) -> AppResult<Vec<Unsent>> {
    Ok(sqlx::query_as!(
        Unsent,
        "SELECT r.id, r.user_id, u.email, u.display_name, m.name AS municipality_name, r.area, r.title, r.link, r.due
           FROM reminders r JOIN users u ON u.id = r.user_id JOIN municipalities m ON m.id = r.municipality_id
          WHERE r.municipality_id = $1 AND r.emailed_at IS NULL AND r.created_at >= $2 AND u.reminder_email
            AND NOT u.disabled
          ORDER BY u.email, r.due, r.title",
        m.uuid(),
        since
    )
    .fetch_all(db)
    .await?)
}

pub async fn mark_emailed(db: impl PgExecutor<'_>, m: MunicipalityId, ids: &[Uuid]) -> AppResult<()> {
    sqlx::query!("UPDATE reminders SET emailed_at = now() WHERE municipality_id = $1 AND id = ANY($2)", m.uuid(), ids)
        .execute(db)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Reminder {
    pub id: Uuid,
    pub area: String,
    pub title: String,
    pub link: String,
    pub due: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub emailed_at: Option<DateTime<Utc>>,
}

/// The user's reminders in the municipality, newest first, one page.
pub async fn for_user(
    db: &mut PgConnection,
    m: MunicipalityId,
    user: Uuid,
    page: i64,
) -> AppResult<(Vec<Reminder>, Pager)> {
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM reminders WHERE municipality_id = $1 AND user_id = $2"#,
        m.uuid(),
        user
    )
    .fetch_one(&mut *db)
    .await?;
    let pager = Pager::new(page, total);
    let rows = sqlx::query_as!(
        Reminder,
        "SELECT id, area, title, link, due, created_at, emailed_at FROM reminders
          WHERE municipality_id = $1 AND user_id = $2
          ORDER BY created_at DESC, due, title LIMIT $3 OFFSET $4",
        m.uuid(),
        user,
        pager.limit(),
        pager.offset()
    )
    .fetch_all(&mut *db)
    .await?;
    Ok((rows, pager))
}

pub async fn email_enabled(db: impl PgExecutor<'_>, user: Uuid) -> AppResult<bool> {
    Ok(sqlx::query_scalar!("SELECT reminder_email FROM users WHERE id = $1", user).fetch_one(db).await?)
}

/// Turns reminder emails on or off for the user, in the audit log.
pub async fn set_email(tx: &mut PgConnection, actor: &Actor, user: Uuid, enabled: bool) -> AppResult<()> {
    let before = email_enabled(&mut *tx, user).await?;
    sqlx::query!("UPDATE users SET reminder_email = $2, updated_at = now() WHERE id = $1", user, enabled)
        .execute(&mut *tx)
        .await?;
    let text = |on: bool| json!({"Påminnelser via e-post": if on { "Ja" } else { "Nej" }});
    audit_log::record(tx, actor, Change::updated(None, EntityType::User, user, text(before), text(enabled))).await
}
