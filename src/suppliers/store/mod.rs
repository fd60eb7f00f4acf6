//! Queries for suppliers, contracts and compliance checks, scoped by municipality and audited.

mod checks;
mod contracts;
mod suppliers;

pub use checks::*;
pub use contracts::*;
pub use suppliers::*;
