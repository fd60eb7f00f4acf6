//! How the area's rows read on its pages and in its CSV exports: labels and texts made
//! from the stored values, kept apart from the queries that read them.

use super::store::System;

impl System {
    pub fn hosting_label(&self) -> &'static str {
        self.hosting.label()
    }

    pub fn lifecycle_label(&self) -> &'static str {
        self.lifecycle.label()
    }

    pub fn administrators_text(&self) -> String {
        self.administrators.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}
