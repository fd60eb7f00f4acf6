//! Users and role grants.

use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::*;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::auth::Role;
use crate::db::MunicipalityId;
use crate::error::{AppResult, unique_as};
use crate::org::model::GrantInput;
use crate::web::pagination::{Asked, Pager};

#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct GrantView {
    pub id: Uuid,
    pub role: Role,
    pub body_id: Option<Uuid>,
    pub body_name: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub disabled: bool,
    /// The user's roles in this municipality.
    pub grants: Vec<GrantView>,
}

struct UserRow {
    id: Uuid,
    email: String,
    display_name: String,
    disabled: bool,
    grants: sqlx::types::Json<Vec<GrantView>>,
}

impl From<UserRow> for UserView {
    fn from(r: UserRow) -> Self {
        UserView { id: r.id, email: r.email, display_name: r.display_name, disabled: r.disabled, grants: r.grants.0 }
    }
}

/// The users with these ids that hold a role in the municipality, with those roles, in the order of `ids`.
async fn users_by_ids(db: impl PgExecutor<'_>, m: MunicipalityId, ids: &[Uuid]) -> AppResult<Vec<UserView>> {
    let rows = sqlx::query_as!(
        UserRow,
        r#"SELECT u.id, u.email, u.display_name, u.disabled,
                  json_agg(json_build_object('id', g.id, 'role', g.role, 'body_id', g.body_id, 'body_name', b.name)
                           ORDER BY g.role, body_rank(b.kind), b.name) AS "grants!: sqlx::types::Json<Vec<GrantView>>"
             FROM users u JOIN role_grants g ON g.user_id = u.id AND g.municipality_id = $1
             LEFT JOIN bodies b ON b.id = g.body_id
            WHERE u.id = ANY($2)
            GROUP BY u.id ORDER BY array_position($2, u.id)"#,
        m.uuid(),
        ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(UserView::from).collect())
}

/// One page of the users holding a role in the municipality whose name or email contains
/// `search`, by name, with where it sits in the whole list. Not materialized, so the page walks
/// `users_display_name` in order and stops after it rather than sorting every match.
pub async fn search_users(
    db: &mut PgConnection,
    m: MunicipalityId,
    search: &str,
    asked: Asked,
) -> AppResult<(Vec<UserView>, Pager)> {
    let found = sqlx::query!(
        r#"WITH matching AS NOT MATERIALIZED (
             SELECT u.id, u.display_name FROM users u
              WHERE u.id IN (SELECT g.user_id FROM role_grants g WHERE g.municipality_id = $1)
                AND ($2 = '' OR u.display_name ILIKE '%' || $2 || '%' OR u.email ILIKE '%' || $2 || '%')),
           total AS (SELECT count(*) AS n FROM (SELECT 1 FROM matching LIMIT $5) counted)
           SELECT (SELECT n FROM total) AS "total!",
                  ARRAY(SELECT id FROM matching ORDER BY display_name, id LIMIT $3
                        OFFSET LEAST($4, GREATEST((SELECT n FROM total) - 1, 0) / $3 * $3)) AS "ids!""#,
        m.uuid(),
        crate::web::search::contains(search),
        asked.per_page,
        asked.offset(),
        asked.count_limit(),
    )
    .fetch_one(&mut *db)
    .await?;
    Ok((users_by_ids(db, m, &found.ids).await?, asked.among(found.total)))
}

/// A user as seen from this municipality: only users with a role here are visible.
pub async fn get_user(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<UserView> {
    let row = sqlx::query_as!(
        UserRow,
        r#"SELECT u.id, u.email, u.display_name, u.disabled,
                  json_agg(json_build_object('id', g.id, 'role', g.role, 'body_id', g.body_id, 'body_name', b.name)
                           ORDER BY g.role, body_rank(b.kind), b.name) AS "grants!: sqlx::types::Json<Vec<GrantView>>"
             FROM users u JOIN role_grants g ON g.user_id = u.id AND g.municipality_id = $1
             LEFT JOIN bodies b ON b.id = g.body_id
            WHERE u.id = $2
            GROUP BY u.id"#,
        m.uuid(),
        id
    )
    .fetch_one(db)
    .await?;
    Ok(row.into())
}

pub async fn find_user_id_by_email(db: impl PgExecutor<'_>, email: &str) -> AppResult<Option<Uuid>> {
    Ok(sqlx::query_scalar!("SELECT id FROM users WHERE lower(email) = lower($1)", email).fetch_optional(db).await?)
}

/// The account's password was chosen by someone else: its next password session reaches only
/// the password page until the person has chosen their own (`auth::session`).
pub async fn require_new_password(tx: &mut PgConnection, user: Uuid) -> AppResult<()> {
    sqlx::query!("UPDATE users SET must_change_password = true WHERE id = $1", user).execute(&mut *tx).await?;
    Ok(())
}

/// Creates a login account (not tied to a municipality until it is granted a role).
pub async fn create_account(
    tx: &mut PgConnection,
    actor: &Actor,
    email: &str,
    display_name: &str,
    password_hash: &str,
    is_admin: bool,
) -> AppResult<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO users (id, email, display_name, password_hash, is_admin) VALUES ($1, $2, $3, $4, $5)",
        id,
        email,
        display_name,
        password_hash,
        is_admin
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("users_email_key", "email", "Det finns redan ett konto med den e-postadressen."))?;
    let after = json!({"E-post": email, "Namn": display_name, "Systemadministratör": is_admin});
    audit_log::record(tx, actor, Change::created(None, EntityType::User, id, after)).await?;
    Ok(id)
}

pub async fn add_grant(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    user_id: Uuid,
    input: &GrantInput,
) -> AppResult<Uuid> {
    if let Some(body_id) = input.body_id {
        check_body(tx, m, Some(body_id), "body_id").await?;
    }
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO role_grants (id, user_id, municipality_id, role, body_id) VALUES ($1, $2, $3, $4, $5)",
        id,
        user_id,
        m.uuid(),
        input.role.code(),
        input.body_id
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as(
        "role_grants_user_id_municipality_id_role_body_id_key",
        "role",
        "Användaren har redan den rollen.",
    ))?;
    // The municipality's own directory entries with the account's address now point at it;
    // an account with no role here is never linked (nor shown) to this municipality.
    sqlx::query!(
        "UPDATE people SET user_id = $2
          WHERE municipality_id = $1 AND user_id IS NULL
            AND lower(email) = (SELECT lower(email) FROM users WHERE id = $2)",
        m.uuid(),
        user_id
    )
    .execute(&mut *tx)
    .await?;
    let grant = get_grant(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::RoleGrant, id, grant_snapshot(&grant))).await?;
    Ok(id)
}

struct GrantRow {
    user_email: String,
    role: String,
    body_name: Option<String>,
    user_id: Uuid,
}

async fn get_grant(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<GrantRow> {
    Ok(sqlx::query_as!(
        GrantRow,
        r#"SELECT u.email AS user_email, g.role, b.name AS "body_name?", g.user_id
             FROM role_grants g JOIN users u ON u.id = g.user_id LEFT JOIN bodies b ON b.id = g.body_id
            WHERE g.municipality_id = $1 AND g.id = $2"#,
        m.uuid(),
        id
    )
    .fetch_one(db)
    .await?)
}

fn grant_snapshot(grant: &GrantRow) -> Value {
    let role = Role::parse(&grant.role).map(Role::label).unwrap_or("");
    json!({"Användare": grant.user_email, "Roll": role, "Organ": grant.body_name})
}

/// Removes a role; returns the user it belonged to.
pub async fn remove_grant(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<Uuid> {
    let grant = get_grant(&mut *tx, m, id).await?;
    sqlx::query!("DELETE FROM role_grants WHERE municipality_id = $1 AND id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await?;
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::RoleGrant, id, grant_snapshot(&grant))).await?;
    Ok(grant.user_id)
}

/// Overview counts for the start page.
#[derive(Clone, Debug)]
pub struct Counts {
    pub bodies: i64,
    pub units: i64,
    pub people: i64,
    pub users: i64,
}

pub async fn counts(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Counts> {
    Ok(sqlx::query_as!(
        Counts,
        r#"SELECT (SELECT count(*) FROM bodies WHERE municipality_id = $1) AS "bodies!",
                  (SELECT count(*) FROM units WHERE municipality_id = $1) AS "units!",
                  (SELECT count(*) FROM people WHERE municipality_id = $1) AS "people!",
                  (SELECT count(DISTINCT user_id) FROM role_grants WHERE municipality_id = $1) AS "users!""#,
        m.uuid()
    )
    .fetch_one(db)
    .await?)
}

/// (id, name) of every person, for pick lists.
/// People as a picker offers them: "Sara Lind (Informationssäkerhetssamordnare,
/// Kommunledningsförvaltningen)", so that two of the same name can be told apart.
pub async fn person_choices(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<(Uuid, String)>> {
    Ok(sqlx::query!(
        r#"SELECT p.id, p.name || COALESCE(' (' || NULLIF(concat_ws(', ', NULLIF(p.title, ''), u.name), '') || ')', '') AS "label!"
             FROM people p LEFT JOIN units u ON u.id = p.unit_id
            WHERE p.municipality_id = $1 ORDER BY p.name, p.id"#,
        m.uuid()
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|p| (p.id, p.label))
    .collect())
}

pub async fn person_names(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<(Uuid, String)>> {
    Ok(sqlx::query!("SELECT id, name FROM people WHERE municipality_id = $1 ORDER BY name, id", m.uuid())
        .fetch_all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}
