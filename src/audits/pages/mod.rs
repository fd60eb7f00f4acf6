//! Pages for audits, the recommendation register, a recommendation's way to closure, and
//! the paste import with its editable preview.

mod audit;
mod follow_up;
mod import;
mod questions;
mod recommendation;
mod register;

pub use audit::*;
pub use follow_up::*;
pub use import::*;
pub use questions::*;
pub use recommendation::*;
pub use register::*;
