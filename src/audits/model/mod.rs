//! Audits and recommendations: pure rules, tested without a database.

mod audit;
mod follow_up;
mod questions;
mod recommendation;
pub mod repeats;

pub use audit::*;
pub use follow_up::*;
pub use questions::*;
pub use recommendation::*;

use uuid::Uuid;

/// Ids chosen in a form: each must parse; repeats dropped.
fn ids(errors: &mut crate::error::FieldErrors, field: &str, values: &[String]) -> Vec<Uuid> {
    let parsed: Vec<Option<Uuid>> =
        values.iter().filter(|v| !v.trim().is_empty()).map(|v| Uuid::parse_str(v.trim()).ok()).collect();
    if parsed.iter().any(Option::is_none) {
        errors.insert(field.into(), "Välj i listan.".into());
    }
    let mut ids: Vec<Uuid> = parsed.into_iter().flatten().collect();
    ids.dedup();
    ids
}
