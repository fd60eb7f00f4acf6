//! Information assets.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::*;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, unique_as};

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AssetForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The information owner (a person).
    #[serde(default)]
    pub owner_person_id: String,
}

pub struct AssetInput {
    pub name: String,
    pub description: String,
    pub owner_person_id: Option<Uuid>,
}

impl AssetForm {
    pub fn validate(&self) -> Result<AssetInput, crate::error::FieldErrors> {
        let mut errors = crate::error::FieldErrors::new();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.insert("name".into(), "Ange vilken information det gäller.".into());
        }
        let owner_person_id = crate::web::form::optional_id(
            &mut errors,
            "owner_person_id",
            &self.owner_person_id,
            "Välj en person i listan.",
        );
        if errors.is_empty() {
            Ok(AssetInput { name, description: self.description.trim().to_string(), owner_person_id })
        } else {
            Err(errors)
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Asset {
    pub id: Uuid,
    pub system_id: Uuid,
    pub name: String,
    pub description: String,
    pub owner_person_id: Option<Uuid>,
    pub owner_name: Option<String>,
    #[serde(skip)]
    pub owner_user_id: Option<Uuid>,
}

impl Asset {
    fn snapshot(&self) -> Value {
        json!({"Information": self.name, "Beskrivning": self.description, "Informationsägare": self.owner_name})
    }
}

async fn select_assets(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    system_id: Option<Uuid>,
    id: Option<Uuid>,
) -> AppResult<Vec<Asset>> {
    Ok(sqlx::query_as!(
        Asset,
        r#"SELECT a.id, a.system_id, a.name, a.description, a.owner_person_id, p.name AS "owner_name?", p.user_id AS owner_user_id
             FROM information_assets a LEFT JOIN people p ON p.id = a.owner_person_id
            WHERE a.municipality_id = $1 AND ($2::uuid IS NULL OR a.system_id = $2) AND ($3::uuid IS NULL OR a.id = $3)
            ORDER BY a.name"#,
        m.uuid(),
        system_id,
        id
    )
    .fetch_all(db)
    .await?)
}

pub async fn assets(db: impl PgExecutor<'_>, m: MunicipalityId, system_id: Uuid) -> AppResult<Vec<Asset>> {
    select_assets(db, m, Some(system_id), None).await
}

pub async fn asset(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Asset> {
    select_assets(db, m, None, Some(id)).await?.pop().ok_or(AppError::NotFound)
}

const DUPLICATE_ASSET: &str = "Systemet har redan en informationsmängd med det namnet.";

pub async fn add_asset(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    system_id: Uuid,
    input: &AssetInput,
) -> AppResult<Asset> {
    get(&mut *tx, m, system_id).await?;
    crate::org::store::check_person(tx, m, input.owner_person_id, "owner_person_id").await?;
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO information_assets (id, municipality_id, system_id, name, description, owner_person_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        m.uuid(),
        system_id,
        input.name,
        input.description,
        input.owner_person_id
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("information_assets_system_id_name_key", "name", DUPLICATE_ASSET))?;
    let asset = asset(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::InformationAsset, id, asset.snapshot())).await?;
    Ok(asset)
}

pub async fn update_asset(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &AssetInput,
) -> AppResult<Asset> {
    let before = asset(&mut *tx, m, id).await?;
    crate::org::store::check_person(tx, m, input.owner_person_id, "owner_person_id").await?;
    sqlx::query!(
        "UPDATE information_assets SET name = $3, description = $4, owner_person_id = $5, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.name,
        input.description,
        input.owner_person_id
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("information_assets_system_id_name_key", "name", DUPLICATE_ASSET))?;
    let after = asset(&mut *tx, m, id).await?;
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::InformationAsset, id, before.snapshot(), after.snapshot()),
    )
    .await?;
    Ok(after)
}
