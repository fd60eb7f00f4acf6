//! Municipalities.

use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppResult, unique_as};
use crate::org::model::MunicipalityInput;

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
