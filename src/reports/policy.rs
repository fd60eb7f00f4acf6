//! Who reads and prepares the annual report.

use crate::auth::{Principal, Role};

/// Board members and auditors read published reports; the coordinator prepares them.
pub fn may_read(principal: &Principal) -> bool {
    may_prepare(principal) || principal.is_auditor() || principal.has_role(Role::Fortroendevald)
}

pub fn may_prepare(principal: &Principal) -> bool {
    principal.is_coordinator()
}
