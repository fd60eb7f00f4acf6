//! Who reads and keeps each body's internal-control plan, and records its results.

use super::store::Point;
use crate::auth::{Principal, Role};
use uuid::Uuid;

/// The bodies a principal was appointed for: a coordinator's or system owner's role given for one body.
pub(super) fn appointed_bodies(principal: &Principal) -> Vec<Uuid> {
    principal
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::Samordnare | Role::Systemagare))
        .filter_map(|g| g.body_id)
        .collect()
}

/// The municipality's coordinators and auditors, and board members, read every body's plan;
/// those appointed for a body and a lay auditor read that body's.
pub fn may_read_every_body(principal: &Principal) -> bool {
    principal.is_admin
        || principal.grants.iter().any(|g| g.role == Role::Samordnare && g.body_id.is_none())
        || principal.is_auditor()
        || principal.has_role(Role::Fortroendevald)
}

/// The bodies whose plans the principal reads: None for all.
pub(super) fn readable_bodies(principal: &Principal) -> Option<Vec<Uuid>> {
    if may_read_every_body(principal) {
        return None;
    }
    let mut bodies = appointed_bodies(principal);
    bodies.extend(principal.lay_audited_bodies());
    Some(bodies)
}

pub fn may_read(principal: &Principal) -> bool {
    readable_bodies(principal).is_none_or(|bodies| !bodies.is_empty())
}

/// The coordinator, and those appointed for the body, keep its plan.
pub fn may_edit(principal: &Principal, body_id: Uuid) -> bool {
    principal.is_admin
        || principal.grants.iter().any(|g| g.role == Role::Samordnare && g.body_id.is_none())
        || appointed_bodies(principal).contains(&body_id)
}

/// Whoever keeps the plan, and the point's responsible person, record its results.
pub fn may_record(principal: &Principal, point: &Point) -> bool {
    may_edit(principal, point.body_id) || point.responsible_user_id == Some(principal.user_id)
}
