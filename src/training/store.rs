//! Queries for training campaigns and their participation, scoped by municipality and audited.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{CampaignInput, Group, GroupCount};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, unique_as};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Campaign {
    pub id: Uuid,
    pub name: String,
    pub year: i16,
    pub description: String,
    /// Per target group, in the order groups are shown.
    #[schema(value_type = Vec<GroupCount>)]
    pub groups: Json<Vec<GroupCount>>,
    pub created_at: DateTime<Utc>,
}

impl Campaign {
    /// All groups together: how many were in them.
    pub fn total_in_groups(&self) -> i32 {
        self.groups.iter().map(|g| g.in_group).sum()
    }

    /// All groups together: how many completed.
    pub fn total_completed(&self) -> i32 {
        self.groups.iter().map(|g| g.completed).sum()
    }

    fn snapshot(&self) -> Value {
        json!({"Utbildning": self.name, "År": self.year, "Beskrivning": self.description})
    }

    fn participation_snapshot(&self) -> Value {
        let groups: serde_json::Map<String, Value> = self
            .groups
            .iter()
            .map(|g| (g.label().to_string(), json!(format!("{} av {}", g.completed, g.in_group))))
            .collect();
        Value::Object(groups)
    }
}

async fn select(db: impl PgExecutor<'_>, m: MunicipalityId, id: Option<Uuid>) -> AppResult<Vec<Campaign>> {
    Ok(sqlx::query_as!(
        Campaign,
        r#"SELECT c.id, c.name, c.year, c.description, c.created_at,
                  COALESCE((SELECT json_agg(json_build_object('target_group', p.target_group, 'in_group', p.in_group,
                                                              'completed', p.completed)
                                            ORDER BY array_position($3::text[], p.target_group))
                              FROM training_participation p WHERE p.campaign_id = c.id), '[]') AS "groups!: Json<Vec<GroupCount>>"
             FROM training_campaigns c
            WHERE c.municipality_id = $1 AND ($2::uuid IS NULL OR c.id = $2)
            ORDER BY c.year DESC, c.name"#,
        m.uuid(),
        id,
        &Group::codes(&Group::ALL)
    )
    .fetch_all(db)
    .await?)
}

pub async fn campaigns(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<Campaign>> {
    select(db, m, None).await
}

pub async fn campaign(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Campaign> {
    select(db, m, Some(id)).await?.pop().ok_or(AppError::NotFound)
}

const NAME_TAKEN: &str = "Det finns redan en utbildning med det namnet det året.";

pub async fn create(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &CampaignInput,
) -> AppResult<Campaign> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO training_campaigns (id, municipality_id, name, year, description) VALUES ($1, $2, $3, $4, $5)",
        id,
        m.uuid(),
        input.name,
        input.year,
        input.description
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("training_campaigns_municipality_id_name_year_key", "name", NAME_TAKEN))?;
    let campaign = campaign(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::TrainingCampaign, id, campaign.snapshot()))
        .await?;
    Ok(campaign)
}

pub async fn update(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &CampaignInput,
) -> AppResult<Campaign> {
    let before = campaign(&mut *tx, m, id).await?;
    sqlx::query!(
        "UPDATE training_campaigns SET name = $3, year = $4, description = $5 WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.name,
        input.year,
        input.description
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("training_campaigns_municipality_id_name_year_key", "name", NAME_TAKEN))?;
    let after = campaign(&mut *tx, m, id).await?;
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::TrainingCampaign, id, before.snapshot(), after.snapshot()),
    )
    .await?;
    Ok(after)
}

pub async fn delete(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<()> {
    let before = campaign(&mut *tx, m, id).await?;
    sqlx::query!("DELETE FROM training_campaigns WHERE municipality_id = $1 AND id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await?;
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::TrainingCampaign, id, before.snapshot())).await?;
    Ok(())
}

/// Sets the counts of the given groups. With `replace_all` (the hand-filled form), groups not
/// given are removed; otherwise (an import) they are kept.
pub async fn set_participation(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    counts: &[GroupCount],
    replace_all: bool,
) -> AppResult<Campaign> {
    let before = campaign(&mut *tx, m, id).await?;
    let groups: Vec<String> = counts.iter().map(|c| c.target_group.code().to_string()).collect();
    if replace_all {
        sqlx::query!(
            "DELETE FROM training_participation WHERE municipality_id = $1 AND campaign_id = $2
                AND NOT (target_group = ANY($3))",
            m.uuid(),
            id,
            &groups
        )
        .execute(&mut *tx)
        .await?;
    }
    for count in counts {
        sqlx::query!(
            "INSERT INTO training_participation (municipality_id, campaign_id, target_group, in_group, completed)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (campaign_id, target_group)
             DO UPDATE SET in_group = EXCLUDED.in_group, completed = EXCLUDED.completed, updated_at = now()",
            m.uuid(),
            id,
            count.target_group.code(),
            count.in_group,
            count.completed
        )
        .execute(&mut *tx)
        .await?;
    }
    let after = campaign(&mut *tx, m, id).await?;
    let change = Change::updated(
        Some(m),
        EntityType::TrainingCampaign,
        id,
        before.participation_snapshot(),
        after.participation_snapshot(),
    );
    audit_log::record(tx, actor, change).await?;
    Ok(after)
}
