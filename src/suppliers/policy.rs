//! Who reads and keeps suppliers and contracts.

use super::store::Contract;
use crate::auth::Principal;

/// Coordinators, auditors, board members and system owners read suppliers and contracts.
pub fn may_read(principal: &Principal) -> bool {
    crate::systems::policy::may_read(principal)
}

/// The coordinator keeps the supplier register and adds contracts.
pub fn may_manage(principal: &Principal) -> bool {
    principal.is_coordinator()
}

/// The coordinator and the contract's owner (beställaransvarig) change it and record checks.
pub fn may_edit(principal: &Principal, contract: &Contract) -> bool {
    may_manage(principal) || contract.is_owned_by(principal.user_id)
}
