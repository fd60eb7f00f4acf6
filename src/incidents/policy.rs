//! Who reports, handles and reads incidents, and names their receivers.

use crate::auth::{Principal, Role};

/// Anyone with a role in the municipality may report: reporting must never be hard.
pub fn may_report(principal: &Principal) -> bool {
    principal.is_member()
}

/// The coordinator names who receives and handles incidents.
pub fn may_name_receivers(principal: &Principal) -> bool {
    principal.is_coordinator()
}

/// The coordinator and the named receivers handle every incident.
pub fn is_handler(principal: &Principal) -> bool {
    principal.is_coordinator() || principal.receives_incidents
}

/// Who reads the yearly summary: handlers, auditors and board members.
pub fn may_read_summary(principal: &Principal) -> bool {
    is_handler(principal) || principal.is_auditor() || principal.has_role(Role::Fortroendevald)
}
