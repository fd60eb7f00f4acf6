//! How the area's rows read on its pages and in its CSV exports: labels and texts made
//! from the stored values, kept apart from the queries that read them.

use super::model::{Category, Severity, label_or_unassessed};
use super::store::{Event, Incident, SentReport};

impl Event {
    pub fn occurred_text(&self) -> String {
        crate::web::format::datetime(self.occurred_at)
    }
}

impl SentReport {
    pub fn sent_text(&self) -> String {
        crate::web::format::datetime(self.sent_at)
    }

    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }
}

impl Incident {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }

    pub fn category_label(&self) -> &'static str {
        label_or_unassessed(self.category.map(Category::label))
    }

    pub fn severity_label(&self) -> &'static str {
        label_or_unassessed(self.severity.map(Severity::label))
    }

    pub fn systems_text(&self) -> String {
        self.systems.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
    }

    pub fn discovered_text(&self) -> String {
        crate::web::format::datetime(self.discovered_at)
    }

    pub fn reported_text(&self) -> String {
        crate::web::format::datetime(self.reported_at)
    }

    pub fn impact_text(&self) -> String {
        let parts: Vec<&str> =
            [(self.impact_k, "konfidentialitet"), (self.impact_r, "riktighet"), (self.impact_t, "tillgänglighet")]
                .into_iter()
                .filter(|(set, _)| *set)
                .map(|(_, l)| l)
                .collect();
        if parts.is_empty() { "Ej bedömd".into() } else { parts.join(", ") }
    }
}
