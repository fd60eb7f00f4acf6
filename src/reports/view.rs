//! How the area's rows read on its pages and in its CSV exports: labels and texts made
//! from the stored values, kept apart from the queries that read them.

use super::store::Report;

impl Report {
    /// When it was published, in Stockholm time; empty for a draft.
    pub fn published_text(&self) -> String {
        self.published_at.map(crate::web::format::datetime).unwrap_or_default()
    }

    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
}
