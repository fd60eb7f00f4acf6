//! Bodies.

use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error, unique_as};
use crate::org::model::{BodyInput, BodyKind};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Body {
    pub id: Uuid,
    pub kind: BodyKind,
    pub name: String,
    pub company_name: Option<String>,
}

impl Body {
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
