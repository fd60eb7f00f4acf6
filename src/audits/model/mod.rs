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

use crate::web::form::id_list as ids;
