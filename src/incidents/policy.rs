//! Who reports incidents and names their receivers (handling is decided with the receivers' list, in `is_handler`).

use crate::auth::Principal;

/// Anyone with a role in the municipality may report: reporting must never be hard.
pub fn may_report(principal: &Principal) -> bool {
    principal.is_member()
}

/// The coordinator names who receives and handles incidents.
pub fn may_name_receivers(principal: &Principal) -> bool {
    principal.is_coordinator()
}
