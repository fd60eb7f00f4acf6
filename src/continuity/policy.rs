//! Who reads and keeps continuity plans, exercises and targets.

use crate::auth::Principal;

/// Those who read the inventory read its continuity.
pub fn may_read(principal: &Principal) -> bool {
    crate::systems::policy::may_read(principal)
}

/// The coordinator, and the system's owner and administrators, keep its plan.
pub fn may_edit(principal: &Principal, system: &crate::systems::store::System) -> bool {
    crate::systems::policy::may_edit(principal, system)
}

/// The coordinator sets the municipality's targets per T level.
pub fn may_set_targets(principal: &Principal) -> bool {
    principal.is_coordinator()
}
