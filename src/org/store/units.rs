//! Units.

use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::*;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error, unique_as};
use crate::org::model::{UnitInput, UnitKind};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: Uuid,
    pub body_id: Uuid,
    pub body_name: String,
    pub kind: UnitKind,
    pub name: String,
}

impl Unit {
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
