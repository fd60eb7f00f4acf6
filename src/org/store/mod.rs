//! Queries for the organisation. Every query is scoped by municipality, and every
//! mutation writes the audit log in the caller's transaction.

mod bodies;
mod invitations;
mod municipalities;
mod people;
mod units;
mod users;

pub use bodies::*;
pub use invitations::*;
pub use municipalities::*;
pub use people::*;
pub use units::*;
pub use users::*;
