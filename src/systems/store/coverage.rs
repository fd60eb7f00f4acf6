//! Coverage.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgExecutor;
use uuid::Uuid;

use super::*;
use crate::db::MunicipalityId;
use crate::error::AppResult;
use crate::systems::model::Lifecycle;

/// The questions the board and the auditors ask first, for one body (or all).
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct CoverageRow {
    pub body_id: Option<Uuid>,
    pub body_name: String,
    pub systems: usize,
    pub critical: usize,
    pub classified: usize,
    pub current_risk_analysis: usize,
    pub named_owner: usize,
    pub overdue_reviews: usize,
}

impl CoverageRow {
    fn add(&mut self, system: &System, today: NaiveDate) {
        self.systems += 1;
        self.critical += usize::from(system.is_critical);
        self.classified += usize::from(system.coverage() == Coverage::Classified);
        self.current_risk_analysis += usize::from(system.has_current_risk_analysis(today));
        self.named_owner += usize::from(system.owner_person_id.is_some());
        self.overdue_reviews += usize::from(system.is_review_overdue(today));
    }

    /// The body's id for a filter link (empty for systems without a body).
    pub fn body_query(&self) -> String {
        self.body_id.map(|b| b.to_string()).unwrap_or_default()
    }

    pub fn share(&self, part: &usize) -> String {
        if self.systems == 0 { "–".into() } else { format!("{} %", crate::web::format::percent(*part, self.systems)) }
    }
}

/// Coverage per responsible body and in total, over systems that are not retired.
pub fn coverage(systems: &[System], today: NaiveDate) -> (Vec<CoverageRow>, CoverageRow) {
    let mut rows: Vec<CoverageRow> = Vec::new();
    let mut total = CoverageRow { body_name: "Hela kommunen".into(), ..CoverageRow::default() };
    for system in systems.iter().filter(|s| s.lifecycle != Lifecycle::Retired) {
        let index = match rows.iter().position(|r| r.body_id == system.body_id) {
            Some(index) => index,
            None => {
                rows.push(CoverageRow {
                    body_id: system.body_id,
                    body_name: system.body_name.clone().unwrap_or_else(|| "Inget ansvarigt organ".into()),
                    ..CoverageRow::default()
                });
                rows.len() - 1
            }
        };
        rows[index].add(system, today);
        total.add(system, today);
    }
    rows.sort_by(|a, b| (a.body_id.is_none(), &a.body_name).cmp(&(b.body_id.is_none(), &b.body_name)));
    (rows, total)
}

/// The body each of the municipality's systems belongs to, however recently registered: a
/// risk analysis dated in a past year belongs to its system's body in that year's report.
pub async fn bodies_of(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
) -> AppResult<std::collections::HashMap<Uuid, Option<Uuid>>> {
    Ok(sqlx::query!("SELECT id, body_id FROM systems WHERE municipality_id = $1", m.uuid())
        .fetch_all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.body_id))
        .collect())
}
