//! The yearly summary for the annual report: counts by category, severity and system,
//! and whether the legal reports were made in time.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::clocks::ClockState;
use super::store::Incident;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Count {
    pub label: String,
    pub count: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub total: usize,
    pub personal_data: usize,
    pub significant: usize,
    pub open: usize,
    pub by_category: Vec<Count>,
    pub by_severity: Vec<Count>,
    pub by_system: Vec<Count>,
    /// Legal reports due: made in time, made late, not made and overdue, still running.
    pub reports_in_time: usize,
    pub reports_late: usize,
    pub reports_overdue: usize,
    pub reports_running: usize,
}

fn bump(counts: &mut Vec<Count>, label: &str) {
    match counts.iter_mut().find(|c| c.label == label) {
        Some(c) => c.count += 1,
        None => counts.push(Count { label: label.to_string(), count: 1 }),
    }
}

pub fn summarise(incidents: &[Incident], now: DateTime<Utc>) -> Summary {
    let mut summary = Summary { total: incidents.len(), ..Summary::default() };
    for incident in incidents {
        summary.personal_data += usize::from(incident.personal_data);
        summary.significant += usize::from(incident.significant);
        summary.open += usize::from(incident.status != super::model::Status::Stangd);
        bump(&mut summary.by_category, incident.category_label());
        bump(&mut summary.by_severity, incident.severity_label());
        for system in incident.systems.iter() {
            bump(&mut summary.by_system, &system.name);
        }
        for clock in incident.clocks(now) {
            match clock.state {
                ClockState::Met => summary.reports_in_time += 1,
                ClockState::Late => summary.reports_late += 1,
                ClockState::Overdue => summary.reports_overdue += 1,
                ClockState::Running => summary.reports_running += 1,
            }
        }
    }
    for counts in [&mut summary.by_category, &mut summary.by_severity, &mut summary.by_system] {
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    }
    summary
}
