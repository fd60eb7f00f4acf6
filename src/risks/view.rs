//! How the area's rows read on its pages and in its CSV exports: labels and texts made
//! from the stored values, kept apart from the queries that read them.

use super::store::Analysis;

impl Analysis {
    pub fn object_kind_label(&self) -> &'static str {
        self.object_kind.label()
    }
}
