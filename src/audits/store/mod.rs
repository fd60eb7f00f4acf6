//! Queries for audits and recommendations, scoped by municipality; every change writes
//! the audit log in the caller's transaction.

mod as_of;
mod audit;
mod follow_up;
mod questions;
mod recommendation;
mod responses;

pub use as_of::*;
pub use audit::*;
pub use follow_up::*;
pub use questions::*;
pub use recommendation::*;
pub use responses::*;
