//! How the area's rows read on its pages and in its CSV exports: labels and texts made
//! from the stored values, kept apart from the queries that read them.

use super::store::Reminder;

impl Reminder {
    pub fn created_text(&self) -> String {
        crate::web::format::datetime(self.created_at)
    }
}
