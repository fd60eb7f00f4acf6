//! How the area's rows read on its pages and in its CSV exports: labels and texts made
//! from the stored values, kept apart from the queries that read them.

use chrono::NaiveDate;

use super::model::FollowUpResult;
use super::store::{Audit, AuditSummary, BodyName, Recommendation};

/// Bodies' names in a line: "Kommunstyrelsen, Bildningsnämnden".
fn names(bodies: &[BodyName]) -> String {
    bodies.iter().map(|b| b.name.as_str()).collect::<Vec<_>>().join(", ")
}

impl Audit {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }

    pub fn bodies_text(&self) -> String {
        names(&self.bodies)
    }
}

impl AuditSummary {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }

    /// "1 egen + 8 överförda", or just the own count when nothing is carried.
    pub fn recommendations_text(&self) -> String {
        match self.carried {
            0 => self.recommendations.to_string(),
            carried => format!(
                "{} egen{} + {} överförd{}",
                self.recommendations,
                if self.recommendations == 1 { "" } else { "a" },
                carried,
                if carried == 1 { "" } else { "a" }
            ),
        }
    }
}

impl Recommendation {
    pub fn status_label(&self) -> &'static str {
        self.status().label()
    }

    pub fn bodies_text(&self) -> String {
        names(&self.bodies)
    }

    pub fn priority_label(&self) -> &'static str {
        self.priority.map_or("Ej angiven", crate::audits::model::Priority::label)
    }

    /// Its age today in years and months, "–" without a report date.
    pub fn age_text(&self, today: NaiveDate) -> String {
        self.age_months(today).map(crate::web::format::years_months).unwrap_or_else(|| "–".into())
    }

    /// "Ej åtgärdad", or empty when no follow-up has assessed it.
    pub fn verdict_label(&self) -> &'static str {
        self.latest_verdict.map(FollowUpResult::label).unwrap_or("")
    }
}
