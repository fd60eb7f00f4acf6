//! How the area's rows read on its pages and in its CSV exports: labels and texts made
//! from the stored values, kept apart from the queries that read them.

use super::store::Exercise;

impl Exercise {
    pub fn systems_text(&self) -> String {
        self.systems.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
    }

    pub fn suppliers_text(&self) -> String {
        self.suppliers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}
