//! How the area's rows read on its pages and in its CSV exports: labels and texts made
//! from the stored values, kept apart from the queries that read them.

use super::model::Priority;
use super::store::Action;

impl Action {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }

    pub fn source_label(&self) -> &'static str {
        self.source.label()
    }

    pub fn priority_label(&self) -> &'static str {
        self.priority.map_or("Ej satt", Priority::label)
    }
}
