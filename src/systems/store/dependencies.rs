//! Dependencies.

use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::*;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error, unique_as};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Dependency {
    pub id: Uuid,
    pub system_id: Uuid,
    pub system_name: String,
    pub depends_on_system_id: Option<Uuid>,
    pub depends_on_name: Option<String>,
    pub external_party: Option<String>,
    pub description: String,
}

impl Dependency {
    pub fn target(&self) -> &str {
        self.depends_on_name.as_deref().or(self.external_party.as_deref()).unwrap_or("")
    }
}

/// What the system depends on, and what depends on it.
pub async fn dependencies(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    id: Uuid,
) -> AppResult<(Vec<Dependency>, Vec<Dependency>)> {
    let all = sqlx::query_as!(
        Dependency,
        r#"SELECT d.id, d.system_id, s.name AS system_name, d.depends_on_system_id, t.name AS "depends_on_name?",
                  d.external_party, d.description
             FROM system_dependencies d JOIN systems s ON s.id = d.system_id
             LEFT JOIN systems t ON t.id = d.depends_on_system_id
            WHERE d.municipality_id = $1 AND (d.system_id = $2 OR d.depends_on_system_id = $2)
            ORDER BY s.name, t.name NULLS LAST, d.external_party"#,
        m.uuid(),
        id
    )
    .fetch_all(db)
    .await?;
    Ok(all.into_iter().partition(|d| d.system_id == id))
}

pub async fn add_dependency(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    target: Result<Uuid, String>,
    description: &str,
) -> AppResult<()> {
    let system = get(&mut *tx, m, id).await?;
    let (target_id, external) = match target {
        Ok(target_id) => {
            if target_id == id {
                return Err(field_error("depends_on_system_id", "Ett system kan inte bero av sig självt."));
            }
            if let Err(AppError::NotFound) = get(&mut *tx, m, target_id).await {
                return Err(field_error("depends_on_system_id", "Välj ett system i listan."));
            }
            (Some(target_id), None)
        }
        Err(party) if party.trim().is_empty() => {
            return Err(field_error("depends_on_system_id", "Välj ett system eller skriv namnet på en extern part."));
        }
        Err(party) => (None, Some(party.trim().to_string())),
    };
    let dependency_id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO system_dependencies (id, municipality_id, system_id, depends_on_system_id, external_party, description)
         VALUES ($1, $2, $3, $4, $5, $6)",
        dependency_id,
        m.uuid(),
        id,
        target_id,
        external,
        description.trim()
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("system_dependencies_system_id_depends_on_system_id_external_key", "depends_on_system_id", "Beroendet finns redan."))?;
    let (mine, _) = dependencies(&mut *tx, m, id).await?;
    let added = mine.iter().find(|d| d.id == dependency_id).map(|d| d.target().to_string()).unwrap_or_default();
    audit_log::record(
        tx,
        actor,
        Change::created(
            Some(m),
            EntityType::SystemDependency,
            dependency_id,
            json!({"System": system.name, "Beror av": added, "Beskrivning": description.trim()}),
        ),
    )
    .await
}

pub async fn remove_dependency(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    dependency_id: Uuid,
) -> AppResult<()> {
    let (mine, _) = dependencies(&mut *tx, m, id).await?;
    let dependency = mine.into_iter().find(|d| d.id == dependency_id).ok_or(AppError::NotFound)?;
    sqlx::query!("DELETE FROM system_dependencies WHERE municipality_id = $1 AND id = $2", m.uuid(), dependency_id)
        .execute(&mut *tx)
        .await?;
    audit_log::record(
        tx,
        actor,
        Change::deleted(Some(m), EntityType::SystemDependency, dependency_id,
            json!({"System": dependency.system_name, "Beror av": dependency.target(), "Beskrivning": dependency.description})),
    )
    .await
}
