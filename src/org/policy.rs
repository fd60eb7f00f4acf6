//! Who keeps and reads the organisation and its accounts.

use crate::auth::Principal;

/// The coordinator (or a system administrator) changes the organisation; everyone with a role reads it.
pub fn may_manage(principal: &Principal) -> bool {
    principal.is_coordinator()
}

/// Everyone with a role in the municipality reads its bodies and units.
pub fn may_read(principal: &Principal) -> bool {
    principal.is_member()
}

/// The staff directory (names with email addresses, titles and accounts) is read by the
/// coordinator, who keeps it; others see people's names where they are responsible for something.
pub fn may_read_directory(principal: &Principal) -> bool {
    principal.is_coordinator()
}

/// A system administrator keeps the municipalities themselves and their IdPs.
pub fn may_administer(principal: &Principal) -> bool {
    principal.is_admin
}
