//! Queries for access reviews, scoped by municipality and audited.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{ReviewInput, Standing, is_complete};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error};
use crate::web::pagination::{Asked, Pager};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub id: Uuid,
    pub system_id: Uuid,
    pub system_name: String,
    pub reviewed_on: NaiveDate,
    pub reviewer_person_id: Option<Uuid>,
    pub reviewer_name: Option<String>,
    pub from_system_extract: bool,
    pub accounts_checked: bool,
    pub roles_checked: bool,
    pub accounts_removed: i32,
    pub roles_changed: i32,
    pub findings: String,
    pub next_due: NaiveDate,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

impl Review {
    /// From a system-generated extract, accounts and roles both checked.
    pub fn is_complete(&self) -> bool {
        is_complete([self.from_system_extract, self.accounts_checked, self.roles_checked])
    }

    fn snapshot(&self) -> Value {
        json!({"System": self.system_name, "Granskad": self.reviewed_on, "Granskare": self.reviewer_name,
               "Systemgenererat underlag": self.from_system_extract, "Konton granskade": self.accounts_checked,
               "Roller granskade": self.roles_checked, "Borttagna konton": self.accounts_removed,
               "Ändrade roller": self.roles_changed, "Iakttagelser": self.findings, "Nästa granskning": self.next_due})
    }
}

async fn select(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    system_id: Option<Uuid>,
    id: Option<Uuid>,
) -> AppResult<Vec<Review>> {
    Ok(sqlx::query_as!(
        Review,
        r#"SELECT r.id, r.system_id, s.name AS system_name, r.reviewed_on, r.reviewer_person_id, p.name AS "reviewer_name?",
                  r.from_system_extract, r.accounts_checked, r.roles_checked, r.accounts_removed, r.roles_changed, r.findings,
                  r.next_due, r.recorded_by, r.created_at
             FROM access_reviews r JOIN systems s ON s.id = r.system_id LEFT JOIN people p ON p.id = r.reviewer_person_id
            WHERE r.municipality_id = $1 AND ($2::uuid IS NULL OR r.system_id = $2) AND ($3::uuid IS NULL OR r.id = $3)
            ORDER BY r.reviewed_on DESC, r.created_at DESC"#,
        m.uuid(),
        system_id,
        id
    )
    .fetch_all(db)
    .await?)
}

pub async fn for_system(db: impl PgExecutor<'_>, m: MunicipalityId, system_id: Uuid) -> AppResult<Vec<Review>> {
    select(db, m, Some(system_id), None).await
}

pub async fn record(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, input: &ReviewInput) -> AppResult<Review> {
    crate::org::store::check_person(tx, m, input.reviewer_person_id, "reviewer_person_id").await?;
    if let Err(AppError::NotFound) = crate::systems::store::get(&mut *tx, m, input.system_id).await {
        return Err(field_error("system_id", "Välj system."));
    }
    let id = Uuid::new_v4();
    let [extract, accounts, roles] = input.checks;
    sqlx::query!(
        "INSERT INTO access_reviews (id, municipality_id, system_id, reviewed_on, reviewer_person_id, from_system_extract,
                                     accounts_checked, roles_checked, accounts_removed, roles_changed, findings, next_due,
                                     recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        id,
        m.uuid(),
        input.system_id,
        input.reviewed_on,
        input.reviewer_person_id,
        extract,
        accounts,
        roles,
        input.accounts_removed,
        input.roles_changed,
        input.findings,
        input.next_due,
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    let review = select(&mut *tx, m, None, Some(id)).await?.pop().ok_or(AppError::NotFound)?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::AccessReview, id, review.snapshot())).await?;
    Ok(review)
}

/// Each system (not retired) with its latest review, if any.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SystemStanding {
    pub system_id: Uuid,
    pub system_name: String,
    pub is_critical: bool,
    pub last_reviewed_on: Option<NaiveDate>,
    pub next_due: Option<NaiveDate>,
    pub last_complete: Option<bool>,
}

impl SystemStanding {
    pub fn standing(&self, today: NaiveDate) -> Standing {
        Standing::of(self.next_due, today)
    }
}

pub async fn standings(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<SystemStanding>> {
    Ok(sqlx::query_as!(
        SystemStanding,
        r#"SELECT s.id AS system_id, s.name AS system_name, s.is_critical, r.reviewed_on AS "last_reviewed_on?",
                  r.next_due AS "next_due?", (r.from_system_extract AND r.accounts_checked AND r.roles_checked) AS last_complete
             FROM systems s
             LEFT JOIN LATERAL (SELECT * FROM access_reviews a WHERE a.system_id = s.id
                                 ORDER BY a.reviewed_on DESC, a.created_at DESC LIMIT 1) r ON true
            WHERE s.municipality_id = $1 AND s.lifecycle <> 'avvecklad'
            ORDER BY s.is_critical DESC, s.name"#,
        m.uuid()
    )
    .fetch_all(db)
    .await?)
}

/// Filters for the list of systems' review standings.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct Filter {
    /// saknas, forsenad or aktuell.
    #[serde(default)]
    pub standing: String,
    /// "1" for critical systems only.
    #[serde(default)]
    pub critical: String,
    /// The page of the list page; the API documents its own `page` with `limit`.
    #[param(ignore)]
    #[serde(skip_serializing)]
    pub page: Option<String>,
}

struct Found {
    system_id: Uuid,
    system_name: String,
    is_critical: bool,
    last_reviewed_on: Option<NaiveDate>,
    next_due: Option<NaiveDate>,
    last_complete: Option<bool>,
    total: i64,
}

/// The standings that pass the filter, critical systems first and then by name (`limit` of them
/// from `offset`, clamped to the last page), and how many pass in all. The standing filter is
/// [`Standing::of`] in SQL; a test holds the two to the same answers.
async fn matching(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    filter: &Filter,
    today: NaiveDate,
    asked: Asked,
) -> AppResult<(Vec<SystemStanding>, i64)> {
    let rows = sqlx::query_as!(
        Found,
        r#"WITH matching AS NOT MATERIALIZED (
             SELECT s.id, s.name, s.is_critical
               FROM systems s
               -- The latest review's due date, looked up only when the standing is asked for.
               CROSS JOIN LATERAL (SELECT CASE WHEN $2 <> '' THEN
                                     (SELECT a.next_due FROM access_reviews a WHERE a.system_id = s.id
                                       ORDER BY a.reviewed_on DESC, a.created_at DESC LIMIT 1) END AS next_due) latest
              WHERE s.municipality_id = $1 AND s.lifecycle <> 'avvecklad' AND ($4 <> '1' OR s.is_critical)
                AND ($2 = '' OR ($2 = 'saknas' AND latest.next_due IS NULL) OR ($2 = 'forsenad' AND latest.next_due < $3)
                     OR ($2 = 'aktuell' AND latest.next_due >= $3))),
           total AS (SELECT count(*) AS n FROM (SELECT 1 FROM matching LIMIT $7) counted),
           page AS (SELECT * FROM matching ORDER BY is_critical DESC, name, id
                     LIMIT $5 OFFSET LEAST($6, GREATEST((SELECT n FROM total) - 1, 0) / $5 * $5))
           SELECT p.id AS system_id, p.name AS system_name, p.is_critical AS "is_critical!",
                  r.reviewed_on AS "last_reviewed_on?", r.next_due AS "next_due?",
                  (r.from_system_extract AND r.accounts_checked AND r.roles_checked) AS last_complete,
                  (SELECT n FROM total) AS "total!"
             FROM page p
             LEFT JOIN LATERAL (SELECT * FROM access_reviews a WHERE a.system_id = p.id
                                 ORDER BY a.reviewed_on DESC, a.created_at DESC LIMIT 1) r ON true
            ORDER BY p.is_critical DESC, p.name, p.id"#,
        m.uuid(),
        filter.standing.trim(),
        today,
        filter.critical.trim(),
        asked.per_page,
        asked.offset(),
        asked.count_limit(),
    )
    .fetch_all(db)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let standings = rows
        .into_iter()
        .map(|r| SystemStanding {
            system_id: r.system_id,
            system_name: r.system_name,
            is_critical: r.is_critical,
            last_reviewed_on: r.last_reviewed_on,
            next_due: r.next_due,
            last_complete: r.last_complete,
        })
        .collect();
    Ok((standings, total))
}

/// Every standing that passes the filter (for the CSV export).
pub async fn all_matching(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    filter: &Filter,
    today: NaiveDate,
) -> AppResult<Vec<SystemStanding>> {
    Ok(matching(db, m, filter, today, Asked::ALL).await?.0)
}

/// One page of the standings that pass the filter, with where it sits in the whole list.
pub async fn page(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    filter: &Filter,
    today: NaiveDate,
    asked: Asked,
) -> AppResult<(Vec<SystemStanding>, Pager)> {
    let (standings, total) = matching(db, m, filter, today, asked).await?;
    Ok((standings, asked.among(total)))
}
