//! How the area's rows read on its pages and in its CSV exports: labels and texts made
//! from the stored values, kept apart from the queries that read them.

use super::store::Document;

impl Document {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }

    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }

    /// "KS 2021-05-26 § 177" when given, else the body and date.
    pub fn decision_text(&self) -> String {
        if !self.decision_reference.is_empty() {
            return self.decision_reference.clone();
        }
        let date = self.decided_on.map(crate::web::format::date).unwrap_or_default();
        format!("{} {}", self.decided_by_name.as_deref().unwrap_or(""), date).trim().to_string()
    }

    pub fn audience_text(&self) -> String {
        self.audience
            .iter()
            .filter_map(|code| crate::auth::Role::parse(code).map(|r| r.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
