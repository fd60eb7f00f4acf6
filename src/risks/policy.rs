//! Who reads risk analyses and what each may do with one: the rules every page, API route and use case asks.

use crate::auth::{Principal, Role};

/// Who reads threats and vulnerabilities: coordinators, auditors and system owners.
/// Board members see levels and the heat map, not what the risks are.
pub fn may_read_details(principal: &Principal) -> bool {
    principal.is_coordinator() || principal.is_auditor() || principal.has_role(Role::Systemagare)
}

/// Who sees the overview (counts and the heat map).
pub fn may_read_overview(principal: &Principal) -> bool {
    may_read_details(principal) || principal.has_role(Role::Fortroendevald)
}

/// What a principal may do with one risk analysis and its risks: decided here, read by the
/// pages' controls, the API and every use case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// Change the analysis and add, assess and remove its risks: the coordinator, the
    /// analysis' owner, and the owner and administrators of the analysed system.
    pub edit: bool,
    /// Accept a risk's residual level: the analysis' owner only.
    pub accept: bool,
    /// Plan an action that treats a risk: whoever edits, and the coordinator.
    pub plan: bool,
}

impl Access {
    /// `owns_analysis`: the principal is the analysis' owner; `keeps_system`: they own or
    /// administer the analysed system. `None`: no access (board members see the heat map, never
    /// the risks).
    pub fn of(principal: &Principal, owns_analysis: bool, keeps_system: bool) -> Option<Access> {
        let edit = principal.is_coordinator() || owns_analysis || keeps_system;
        (may_read_details(principal) || edit).then(|| Access {
            edit,
            accept: owns_analysis,
            plan: edit || crate::actions::policy::may_create(principal),
        })
    }
}

/// Who may start an analysis at all (for which system is checked on creation).
pub fn may_start(principal: &Principal) -> bool {
    principal.is_coordinator() || principal.has_role(Role::Systemagare)
}

/// The coordinator sets the municipality's risk scale (its steps and their names).
pub fn may_set_scale(principal: &Principal) -> bool {
    principal.is_coordinator()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_edits_accepts_and_plans_an_analysis() {
        let cases = [
            // role, owns the analysis, keeps the system → (edit, accept, plan), or no access
            (Role::Samordnare, false, false, Some((true, false, true))),
            (Role::Samordnare, true, false, Some((true, true, true))),
            (Role::Systemagare, false, false, Some((false, false, false))),
            (Role::Systemagare, false, true, Some((true, false, true))),
            (Role::Revisor, false, false, Some((false, false, false))),
            (Role::Medarbetare, true, false, Some((true, true, true))),
            (Role::Medarbetare, false, false, None),
            (Role::Fortroendevald, false, false, None),
        ];
        for (role, owns, keeps, expected) in cases {
            let got = Access::of(&Principal::holding(role), owns, keeps).map(|a| (a.edit, a.accept, a.plan));
            assert_eq!(got, expected, "{role:?} owns={owns} keeps={keeps}");
        }
    }
}
