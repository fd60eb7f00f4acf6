//! Who reads, keeps and changes the governing documents.

use super::model;
use super::store::Document;
use crate::auth::Principal;

/// Everyone in the municipality reads the documents in force: they are meant to be known.
pub fn may_read(principal: &Principal) -> bool {
    principal.is_member()
}

/// The coordinator keeps the register, flags conflicts and removes drafts.
pub fn may_manage(principal: &Principal) -> bool {
    principal.is_coordinator()
}

/// The coordinator and the document's owner change it and record reviews.
pub fn may_edit(principal: &Principal, document: &Document) -> bool {
    may_manage(principal) || document.is_owned_by(principal.user_id)
}

/// Drafts are seen only by those who may change them.
pub fn may_see(principal: &Principal, document: &Document) -> bool {
    may_read(principal) && (document.status != model::Status::Utkast || may_edit(principal, document))
}
