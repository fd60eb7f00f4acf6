//! Queries for actions, their notes and the yearly handlingsplan, scoped by municipality and audited.

mod actions;
mod plans;

pub use super::model::Source;
pub use actions::*;
pub use plans::*;
