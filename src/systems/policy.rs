//! Who reads, registers and keeps systems.

use super::store::System;
use crate::auth::{Principal, Role};

/// Who reads the inventory and the levels: coordinators, auditors, board members and system owners.
pub fn may_read(principal: &Principal) -> bool {
    principal.is_coordinator()
        || principal.is_auditor()
        || principal.has_role(Role::Fortroendevald)
        || principal.has_role(Role::Systemagare)
}

/// The coordinator adds systems and imports the inventory.
pub fn may_create(principal: &Principal) -> bool {
    principal.is_coordinator()
}

/// The coordinator, and the system's owner and administrators, edit a system.
pub fn may_edit(principal: &Principal, system: &System) -> bool {
    principal.is_coordinator() || system.is_kept_by(principal.user_id)
}
