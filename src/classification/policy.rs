//! Who classifies information and keeps the requirement catalogue.

use crate::auth::Principal;
use crate::systems::store::{Asset, System};

/// The coordinator, the system's owner and administrators, and the information owner classify.
pub fn may_classify(principal: &Principal, system: &System, asset: &Asset) -> bool {
    crate::systems::policy::may_edit(principal, system) || is_information_owner(principal, asset)
}

/// The coordinator keeps the municipality's catalogue of measures.
pub fn may_keep_catalogue(principal: &Principal) -> bool {
    principal.is_coordinator()
}

/// Only the information owner approves the classification of their information.
pub fn is_information_owner(principal: &Principal, asset: &Asset) -> bool {
    asset.owner_user_id == Some(principal.user_id)
}
