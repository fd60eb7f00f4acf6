//! Lost updates, the database's half: a save locks its record and is refused when the version
//! it was made from (`web::version::Version`) is not the current one, naming who saved since
//! from the change log.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::EntityType;
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult};
use crate::web::version::Version;

/// The records that carry a version, and their tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versioned {
    System,
    Recommendation,
    Action,
    Incident,
    Document,
    Audit,
    Contract,
    Supplier,
    RiskAnalysis,
    Risk,
    AnnualReport,
    ContinuityPlan,
    ControlPoint,
}

impl Versioned {
    fn table(self) -> &'static str {
        match self {
            Versioned::System => "systems",
            Versioned::Recommendation => "recommendations",
            Versioned::Action => "actions",
            Versioned::Incident => "incidents",
            Versioned::Document => "documents",
            Versioned::Audit => "audits",
            Versioned::Contract => "contracts",
            Versioned::Supplier => "suppliers",
            Versioned::RiskAnalysis => "risk_analyses",
            Versioned::Risk => "risks",
            Versioned::AnnualReport => "annual_reports",
            Versioned::ContinuityPlan => "continuity_plans",
            Versioned::ControlPoint => "control_points",
        }
    }

    /// The entity type its change-log entries carry.
    fn entity(self) -> EntityType {
        match self {
            Versioned::System => EntityType::System,
            Versioned::Recommendation => EntityType::Recommendation,
            Versioned::Action => EntityType::Action,
            Versioned::Incident => EntityType::Incident,
            Versioned::Document => EntityType::Document,
            Versioned::Audit => EntityType::Audit,
            Versioned::Contract => EntityType::Contract,
            Versioned::Supplier => EntityType::Supplier,
            Versioned::RiskAnalysis => EntityType::RiskAnalysis,
            Versioned::Risk => EntityType::Risk,
            Versioned::AnnualReport => EntityType::AnnualReport,
            Versioned::ContinuityPlan => EntityType::ContinuityPlan,
            Versioned::ControlPoint => EntityType::ControlPoint,
        }
    }
}

/// Locks the record for the rest of the transaction and refuses the save when the version it
/// was made from is not the current one; no version (an API client without If-Match) saves.
pub async fn lock_current(
    tx: &mut PgConnection,
    kind: Versioned,
    m: MunicipalityId,
    id: Uuid,
    expected: Option<Version>,
) -> AppResult<()> {
    // The table name is one of the constants above, never input.
    let sql = format!("SELECT updated_at FROM {} WHERE municipality_id = $1 AND id = $2 FOR UPDATE", kind.table());
    let current: DateTime<Utc> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(m)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = Version::of(current);
    match expected {
        Some(expected) if expected != current => {
            let saved = super::latest_after(&mut *tx, m, kind.entity(), id).await?;
            Err(AppError::Stale { saved, current: current.to_string() })
        }
        _ => Ok(()),
    }
}
