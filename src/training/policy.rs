//! Who reads and keeps training campaigns.

use crate::auth::Principal;

/// Coordinators, auditors, board members and system owners follow participation.
pub fn may_read(principal: &Principal) -> bool {
    crate::systems::policy::may_read(principal)
}

/// The coordinator records campaigns and their figures.
pub fn may_manage(principal: &Principal) -> bool {
    principal.is_coordinator()
}
