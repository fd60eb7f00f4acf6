//! People.

use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::*;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error};
use crate::org::model::PersonInput;
use crate::web::pagination::Pager;

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
