//! Queries for audits and recommendations, scoped by municipality; every change writes
//! the audit log in the caller's transaction.

mod audit;
mod follow_up;
mod questions;
mod recommendation;

pub use audit::*;
pub use follow_up::*;
pub use questions::*;
pub use recommendation::*;
