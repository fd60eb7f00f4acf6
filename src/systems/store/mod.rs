//! Queries for systems, their administrators, dependencies and information assets,
//! scoped by municipality and audited.

mod assets;
mod coverage;
mod dependencies;
mod inventory;

pub use assets::*;
pub use coverage::*;
pub use dependencies::*;
pub use inventory::*;
