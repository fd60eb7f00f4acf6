//! Queries for the organisation. Every query is scoped by municipality, and every
//! mutation writes the audit log in the caller's transaction.

use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{BodyInput, BodyKind, GrantInput, MunicipalityInput, PersonInput, UnitInput, UnitKind};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::auth::Role;
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error, unique_as};
use crate::web::pagination::{Asked, Pager};

// ---------------------------------------------------------------- municipalities

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Municipality {
    #[schema(value_type = Uuid)]
    pub id: MunicipalityId,
    pub name: String,
    pub org_number: String,
    pub county: String,
}

impl Municipality {
    fn snapshot(&self) -> Value {
        json!({"Namn": self.name, "Organisationsnummer": self.org_number, "Län": self.county})
    }
}

pub async fn list_municipalities(db: impl PgExecutor<'_>) -> AppResult<Vec<Municipality>> {
    Ok(sqlx::query_as!(
        Municipality,
        r#"SELECT id AS "id: MunicipalityId", name, org_number, county FROM municipalities ORDER BY name"#
    )
    .fetch_all(db)
    .await?)
}

pub async fn get_municipality(db: impl PgExecutor<'_>, id: MunicipalityId) -> AppResult<Municipality> {
    Ok(sqlx::query_as!(
        Municipality,
        r#"SELECT id AS "id: MunicipalityId", name, org_number, county FROM municipalities WHERE id = $1"#,
        id.uuid()
    )
    .fetch_one(db)
    .await?)
}

/// The municipality's postal address, for the reports to the authorities.
pub async fn postal_address(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<String> {
    Ok(sqlx::query_scalar!("SELECT postal_address FROM municipalities WHERE id = $1", m.uuid()).fetch_one(db).await?)
}

pub async fn set_postal_address(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    address: &str,
) -> AppResult<()> {
    let before = postal_address(&mut *tx, m).await?;
    if before == address {
        return Ok(());
    }
    sqlx::query!("UPDATE municipalities SET postal_address = $2, updated_at = now() WHERE id = $1", m.uuid(), address)
        .execute(&mut *tx)
        .await?;
    let change = Change::updated(
        Some(m),
        EntityType::Municipality,
        m.uuid(),
        serde_json::json!({"Postadress": before}),
        serde_json::json!({"Postadress": address}),
    );
    audit_log::record(tx, actor, change).await
}

pub async fn find_municipality_by_org_number(
    db: impl PgExecutor<'_>,
    org_number: &str,
) -> AppResult<Option<Municipality>> {
    Ok(sqlx::query_as!(
        Municipality,
        r#"SELECT id AS "id: MunicipalityId", name, org_number, county FROM municipalities WHERE org_number = $1"#,
        org_number
    )
    .fetch_optional(db)
    .await?)
}

/// The municipality's own row and log entry; `service::create_municipality` also gives it the
/// requirement catalogue.
pub async fn insert_municipality(
    tx: &mut PgConnection,
    actor: &Actor,
    input: &MunicipalityInput,
) -> AppResult<Municipality> {
    let id = MunicipalityId::chosen(Uuid::new_v4());
    // What follows is the new municipality's own (its log entry, then its catalogue).
    crate::db::tenant::act_for(tx, id).await?;
    sqlx::query!(
        "INSERT INTO municipalities (id, name, org_number, county) VALUES ($1, $2, $3, $4)",
        id.uuid(),
        input.name,
        input.org_number,
        input.county
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as(
        "municipalities_org_number_key",
        "org_number",
        "Det finns redan en kommun med det organisationsnumret.",
    ))?;
    let created = get_municipality(&mut *tx, id).await?;
    audit_log::record(tx, actor, Change::created(Some(id), EntityType::Municipality, id.uuid(), created.snapshot()))
        .await?;
    Ok(created)
}

pub async fn update_municipality(
    tx: &mut PgConnection,
    actor: &Actor,
    id: MunicipalityId,
    input: &MunicipalityInput,
) -> AppResult<Municipality> {
    crate::db::tenant::act_for(tx, id).await?;
    let before = get_municipality(&mut *tx, id).await?;
    sqlx::query!(
        "UPDATE municipalities SET name = $2, org_number = $3, county = $4, updated_at = now() WHERE id = $1",
        id.uuid(),
        input.name,
        input.org_number,
        input.county
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as(
        "municipalities_org_number_key",
        "org_number",
        "Det finns redan en kommun med det organisationsnumret.",
    ))?;
    let after = get_municipality(&mut *tx, id).await?;
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(id), EntityType::Municipality, id.uuid(), before.snapshot(), after.snapshot()),
    )
    .await?;
    Ok(after)
}

// ---------------------------------------------------------------- bodies

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Body {
    pub id: Uuid,
    pub kind: BodyKind,
    pub name: String,
    pub company_name: Option<String>,
}

impl Body {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }

    fn snapshot(&self) -> Value {
        json!({"Typ": self.kind_label(), "Namn": self.name, "Bolag": self.company_name})
    }
}

pub async fn list_bodies(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<Body>> {
    // In the order of Swedish committee documents: KF, KS, the nämnder, joint nämnder, then
    // the companies' boards; by name within each.
    Ok(sqlx::query_as!(
        Body,
        r#"SELECT id, kind AS "kind: BodyKind", name, company_name FROM bodies WHERE municipality_id = $1
          ORDER BY body_rank(kind), name"#,
        m.uuid()
    )
    .fetch_all(db)
    .await?)
}

pub async fn get_body(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Body> {
    Ok(sqlx::query_as!(
        Body,
        r#"SELECT id, kind AS "kind: BodyKind", name, company_name FROM bodies WHERE municipality_id = $1 AND id = $2"#,
        m.uuid(),
        id
    )
    .fetch_one(db)
    .await?)
}

fn body_conflict(err: sqlx::Error) -> AppError {
    match &err {
        sqlx::Error::Database(db) if db.constraint() == Some("bodies_one_kf_ks") => {
            field_error("kind", "Kommunen har redan ett organ av den sorten.")
        }
        _ => unique_as("bodies_municipality_id_name_key", "name", "Det finns redan ett organ med det namnet.")(err),
    }
}

pub async fn create_body(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &BodyInput,
) -> AppResult<Body> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO bodies (id, municipality_id, kind, name, company_name) VALUES ($1, $2, $3, $4, $5)",
        id,
        m.uuid(),
        input.kind.code(),
        input.name,
        input.company_name
    )
    .execute(&mut *tx)
    .await
    .map_err(body_conflict)?;
    let body = get_body(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::Body, id, body.snapshot())).await?;
    Ok(body)
}

pub async fn update_body(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &BodyInput,
) -> AppResult<Body> {
    let before = get_body(&mut *tx, m, id).await?;
    sqlx::query!(
        "UPDATE bodies SET kind = $3, name = $4, company_name = $5, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.kind.code(),
        input.name,
        input.company_name
    )
    .execute(&mut *tx)
    .await
    .map_err(body_conflict)?;
    let after = get_body(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Body, id, before.snapshot(), after.snapshot()))
        .await?;
    Ok(after)
}

pub async fn delete_body(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<()> {
    let before = get_body(&mut *tx, m, id).await?;
    sqlx::query!("DELETE FROM bodies WHERE municipality_id = $1 AND id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await
        .map_err(|err| match &err {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => AppError::Conflict(
                "Organet används (det har förvaltningar, enheter eller roller) och kan inte tas bort förrän de har flyttats."
                    .into(),
            ),
            _ => err.into(),
        })?;
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::Body, id, before.snapshot())).await
}

// ---------------------------------------------------------------- units

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: Uuid,
    pub body_id: Uuid,
    pub body_name: String,
    pub kind: UnitKind,
    pub name: String,
}

impl Unit {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }

    fn snapshot(&self) -> Value {
        json!({"Organ": self.body_name, "Typ": self.kind_label(), "Namn": self.name})
    }
}

pub async fn list_units(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<Unit>> {
    Ok(sqlx::query_as!(
        Unit,
        r#"SELECT u.id, u.body_id, b.name AS body_name, u.kind AS "kind: UnitKind", u.name
           FROM units u JOIN bodies b ON b.id = u.body_id
          WHERE u.municipality_id = $1 ORDER BY u.name"#,
        m.uuid()
    )
    .fetch_all(db)
    .await?)
}

pub async fn get_unit(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Unit> {
    Ok(sqlx::query_as!(
        Unit,
        r#"SELECT u.id, u.body_id, b.name AS body_name, u.kind AS "kind: UnitKind", u.name
           FROM units u JOIN bodies b ON b.id = u.body_id
          WHERE u.municipality_id = $1 AND u.id = $2"#,
        m.uuid(),
        id
    )
    .fetch_one(db)
    .await?)
}

/// A body id from a form must name a body of this municipality.
pub async fn check_body(tx: &mut PgConnection, m: MunicipalityId, body_id: Option<Uuid>, field: &str) -> AppResult<()> {
    let Some(body_id) = body_id else { return Ok(()) };
    match get_body(tx, m, body_id).await {
        Err(AppError::NotFound) => Err(field_error(field, "Välj ett organ i listan.")),
        other => other.map(|_| ()),
    }
}

pub async fn create_unit(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &UnitInput,
) -> AppResult<Unit> {
    check_body(tx, m, Some(input.body_id), "body_id").await?;
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO units (id, municipality_id, body_id, kind, name) VALUES ($1, $2, $3, $4, $5)",
        id,
        m.uuid(),
        input.body_id,
        input.kind.code(),
        input.name
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("units_municipality_id_name_key", "name", "Det finns redan en enhet med det namnet."))?;
    let unit = get_unit(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::Unit, id, unit.snapshot())).await?;
    Ok(unit)
}

pub async fn update_unit(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &UnitInput,
) -> AppResult<Unit> {
    let before = get_unit(&mut *tx, m, id).await?;
    check_body(tx, m, Some(input.body_id), "body_id").await?;
    sqlx::query!(
        "UPDATE units SET body_id = $3, kind = $4, name = $5, updated_at = now() WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.body_id,
        input.kind.code(),
        input.name
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("units_municipality_id_name_key", "name", "Det finns redan en enhet med det namnet."))?;
    let after = get_unit(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Unit, id, before.snapshot(), after.snapshot()))
        .await?;
    Ok(after)
}

pub async fn delete_unit(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<()> {
    let before = get_unit(&mut *tx, m, id).await?;
    sqlx::query!("DELETE FROM units WHERE municipality_id = $1 AND id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await
        .map_err(|err| match &err {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => AppError::Conflict(
                "Enheten har personer kopplade till sig och kan inte tas bort förrän de har flyttats.".into(),
            ),
            _ => err.into(),
        })?;
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::Unit, id, before.snapshot())).await
}

// ---------------------------------------------------------------- people

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub title: String,
    pub email: String,
    pub unit_id: Option<Uuid>,
    pub unit_name: Option<String>,
    pub user_id: Option<Uuid>,
}

impl Person {
    fn snapshot(&self) -> Value {
        json!({"Namn": self.name, "Titel": self.title, "E-post": self.email, "Enhet": self.unit_name})
    }
}

/// People whose name, title or email contains `search`: one page of them, or all when `page` is None.
pub async fn search_people(
    db: &mut PgConnection,
    m: MunicipalityId,
    search: &str,
    page: Option<i64>,
) -> AppResult<(Vec<Person>, Pager)> {
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM people p
            WHERE p.municipality_id = $1
              AND ($2 = '' OR p.name ILIKE '%' || $2 || '%' OR p.title ILIKE '%' || $2 || '%' OR p.email ILIKE '%' || $2 || '%')"#,
        m.uuid(),
        crate::web::search::contains(search)
    )
    .fetch_one(&mut *db)
    .await?;
    let pager = Pager::new(page.unwrap_or(1), total);
    let (offset, limit) = if page.is_some() { (pager.offset(), pager.limit()) } else { (0, i64::MAX) };
    let people = sqlx::query_as!(
        Person,
        r#"SELECT p.id, p.name, p.title, p.email, p.unit_id, u.name AS "unit_name?", p.user_id
             FROM people p LEFT JOIN units u ON u.id = p.unit_id
            WHERE p.municipality_id = $1
              AND ($2 = '' OR p.name ILIKE '%' || $2 || '%' OR p.title ILIKE '%' || $2 || '%' OR p.email ILIKE '%' || $2 || '%')
            ORDER BY p.name, p.id OFFSET $3 LIMIT $4"#,
        m.uuid(),
        crate::web::search::contains(search),
        offset,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok((people, pager))
}

pub async fn get_person(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Person> {
    Ok(sqlx::query_as!(
        Person,
        r#"SELECT p.id, p.name, p.title, p.email, p.unit_id, u.name AS "unit_name?", p.user_id
             FROM people p LEFT JOIN units u ON u.id = p.unit_id
            WHERE p.municipality_id = $1 AND p.id = $2"#,
        m.uuid(),
        id
    )
    .fetch_one(db)
    .await?)
}

/// A person id from a form must name a person of this municipality.
pub async fn check_person(
    tx: &mut PgConnection,
    m: MunicipalityId,
    person: Option<Uuid>,
    field: &str,
) -> AppResult<()> {
    let Some(person) = person else { return Ok(()) };
    match get_person(tx, m, person).await {
        Err(AppError::NotFound) => Err(field_error(field, "Välj en person i listan.")),
        other => other.map(|_| ()),
    }
}

/// A unit id from a form must name a unit of this municipality.
pub async fn check_unit(tx: &mut PgConnection, m: MunicipalityId, unit_id: Option<Uuid>) -> AppResult<()> {
    let Some(unit_id) = unit_id else { return Ok(()) };
    match get_unit(tx, m, unit_id).await {
        Err(AppError::NotFound) => Err(field_error("unit_id", "Välj en enhet i listan.")),
        other => other.map(|_| ()),
    }
}

pub async fn create_person(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &PersonInput,
) -> AppResult<Person> {
    check_unit(tx, m, input.unit_id).await?;
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO people (id, municipality_id, name, title, email, unit_id, user_id)
         VALUES ($1, $2, $3, $4, $5, $6, (SELECT u.id FROM users u WHERE $5 <> '' AND lower(u.email) = $5
                                             AND EXISTS (SELECT 1 FROM role_grants g
                                                          WHERE g.user_id = u.id AND g.municipality_id = $2)))",
        id,
        m.uuid(),
        input.name,
        input.title,
        input.email,
        input.unit_id
    )
    .execute(&mut *tx)
    .await?;
    let person = get_person(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::Person, id, person.snapshot())).await?;
    Ok(person)
}

pub async fn update_person(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &PersonInput,
) -> AppResult<Person> {
    let before = get_person(&mut *tx, m, id).await?;
    check_unit(tx, m, input.unit_id).await?;
    sqlx::query!(
        "UPDATE people SET name = $3, title = $4, email = $5, unit_id = $6, updated_at = now(),
                user_id = (SELECT u.id FROM users u WHERE $5 <> '' AND lower(u.email) = $5
                             AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.municipality_id = $1))
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.name,
        input.title,
        input.email,
        input.unit_id
    )
    .execute(&mut *tx)
    .await?;
    let after = get_person(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Person, id, before.snapshot(), after.snapshot()))
        .await?;
    Ok(after)
}

pub async fn delete_person(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<()> {
    let before = get_person(&mut *tx, m, id).await?;
    sqlx::query!("DELETE FROM people WHERE municipality_id = $1 AND id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await
        .map_err(|err| match &err {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => AppError::Conflict(
                "Personen är ansvarig för något i Lisa (system, åtgärder, rekommendationer, avtal eller dokument) och \
                 kan inte tas bort förrän ansvaret har lämnats över till någon annan."
                    .into(),
            ),
            _ => err.into(),
        })?;
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::Person, id, before.snapshot())).await
}

// ---------------------------------------------------------------- users and role grants

#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct GrantView {
    pub id: Uuid,
    pub role: Role,
    pub body_id: Option<Uuid>,
    pub body_name: Option<String>,
}

impl GrantView {
    pub fn role_label(&self) -> &'static str {
        self.role.label()
    }
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

impl UserView {
    pub fn roles_text(&self) -> String {
        self.grants
            .iter()
            .map(|g| match &g.body_name {
                Some(body) => format!("{} ({body})", g.role.label()),
                None => g.role.label().to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
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

// ---------------------------------------------------------------- invitations

/// Whether the account has any role in the municipality.
pub async fn has_role_in(db: impl PgExecutor<'_>, m: MunicipalityId, user_id: Uuid) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM role_grants WHERE municipality_id = $1 AND user_id = $2) AS "yes!""#,
        m.uuid(),
        user_id
    )
    .fetch_one(db)
    .await?)
}

/// Invites an account to a role; asking again for the same role changes nothing.
pub async fn invite(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    user_id: Uuid,
    input: &super::model::UserInput,
) -> AppResult<()> {
    check_body(tx, m, input.grant.body_id, "body_id").await?;
    let id = Uuid::new_v4();
    let created = sqlx::query!(
        "INSERT INTO invitations (id, municipality_id, user_id, role, body_id, body_name, email, display_name, invited_by)
         VALUES ($1, $2, $3, $4, $5, (SELECT name FROM bodies WHERE municipality_id = $2 AND id = $5), $6, $7, $8)
         ON CONFLICT DO NOTHING",
        id,
        m.uuid(),
        user_id,
        input.grant.role.code(),
        input.grant.body_id,
        input.email,
        input.display_name,
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    if created.rows_affected() == 1 {
        let snapshot = json!({"E-post": input.email, "Namn": input.display_name, "Roll": input.grant.role.label()});
        audit_log::record(tx, actor, Change::created(Some(m), EntityType::Invitation, id, snapshot)).await?;
    }
    Ok(())
}

/// An invitation as its invitee sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub municipality_name: String,
    #[schema(value_type = String)]
    pub role: Role,
    pub body_id: Option<Uuid>,
    pub body_name: Option<String>,
    pub invited_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl Invitation {
    pub fn role_label(&self) -> &'static str {
        self.role.label()
    }
}

/// The user's own open invitations, oldest first.
pub async fn invitations_for(db: impl PgExecutor<'_>, user_id: Uuid) -> AppResult<Vec<Invitation>> {
    Ok(sqlx::query_as!(
        Invitation,
        r#"SELECT i.id, i.municipality_id, m.name AS municipality_name, i.role AS "role: Role", i.body_id, i.body_name,
                  i.invited_by, i.created_at
             FROM invitations i JOIN municipalities m ON m.id = i.municipality_id
            WHERE i.user_id = $1 ORDER BY i.created_at"#,
        user_id
    )
    .fetch_all(db)
    .await?)
}

/// Removes one of the user's invitations and returns it (to be accepted or declined).
pub async fn take_invitation(tx: &mut PgConnection, user_id: Uuid, id: Uuid) -> AppResult<Invitation> {
    let invitation =
        invitations_for(&mut *tx, user_id).await?.into_iter().find(|i| i.id == id).ok_or(AppError::NotFound)?;
    sqlx::query!("DELETE FROM invitations WHERE id = $1 AND user_id = $2", id, user_id).execute(&mut *tx).await?;
    Ok(invitation)
}

/// Open invitations of the municipality, as the coordinator typed them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SentInvitation {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl SentInvitation {
    pub fn role_label(&self) -> &'static str {
        self.role.label()
    }
}

pub async fn sent_invitations(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<SentInvitation>> {
    Ok(sqlx::query_as!(
        SentInvitation,
        r#"SELECT id, email, display_name, role AS "role: Role", created_at FROM invitations WHERE municipality_id = $1 ORDER BY created_at"#,
        m.uuid()
    )
    .fetch_all(db)
    .await?)
}

/// Takes back an invitation the municipality sent.
pub async fn withdraw_invitation(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<()> {
    let row = sqlx::query!(
        r#"DELETE FROM invitations WHERE municipality_id = $1 AND id = $2 RETURNING email, role AS "role: Role""#,
        m.uuid(),
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let snapshot = json!({"E-post": row.email, "Roll": row.role.label()});
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::Invitation, id, snapshot)).await
}
