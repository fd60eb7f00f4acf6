//! Who may do what with audits and recommendations, and how far their work reaches: the rules every page, API route and use case asks.

use crate::auth::{Principal, Role};
use uuid::Uuid;

/// Auditors and the coordinator record audits and recommendations.
pub fn may_edit(principal: &Principal) -> bool {
    principal.is_coordinator() || principal.is_auditor()
}

/// Who reads the audits: also board members and system owners (often the responsible ones).
/// Employees see only recommendations they are responsible for.
pub fn may_read(principal: &Principal) -> bool {
    may_edit(principal) || principal.has_role(Role::Fortroendevald) || principal.has_role(Role::Systemagare)
}

/// How far a principal's work with audits reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Every audit of the municipality.
    Municipality,
    /// Only the audits of these bodies: a company's lay auditors (lekmannarevisorer), who hold
    /// the auditor role for its board, as the municipality's auditors do for the whole.
    Bodies(Vec<Uuid>),
    Nothing,
}

impl Reach {
    pub fn any(&self) -> bool {
        *self != Reach::Nothing
    }

    /// The bodies a list of audits or recommendations is limited to (none: not limited).
    pub fn within(&self) -> Option<Vec<Uuid>> {
        match self {
            Reach::Municipality => None,
            Reach::Bodies(bodies) => Some(bodies.clone()),
            Reach::Nothing => Some(Vec::new()),
        }
    }

    /// Whether it reaches an audit of `audited` bodies.
    pub fn covers(&self, audited: &[Uuid]) -> bool {
        match self {
            Reach::Municipality => true,
            Reach::Bodies(bodies) => audited.iter().any(|b| bodies.contains(b)),
            Reach::Nothing => false,
        }
    }
}

pub(super) fn lay_reach(principal: &Principal) -> Reach {
    let bodies = principal.lay_audited_bodies();
    if bodies.is_empty() { Reach::Nothing } else { Reach::Bodies(bodies) }
}

/// The audits (and their recommendations) a principal reads.
pub fn read_reach(principal: &Principal) -> Reach {
    if may_read(principal) { Reach::Municipality } else { lay_reach(principal) }
}

/// The audits a principal records and assesses as an auditor.
pub fn edit_reach(principal: &Principal) -> Reach {
    if may_edit(principal) { Reach::Municipality } else { lay_reach(principal) }
}

/// The coordinator records the boards' responses and sets the assessment scale.
pub fn may_record_responses(principal: &Principal) -> bool {
    principal.is_coordinator()
}
