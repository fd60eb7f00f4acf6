//! Who may do what with actions: the rules every page, API route and use case asks.

use crate::auth::{Principal, Role};

/// The coordinator plans actions.
pub fn may_create(principal: &Principal) -> bool {
    principal.is_coordinator()
}

/// What a principal may do with one action: decided here, read by the page's controls, the
/// API and every use case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// Add notes, evidence and files, and move the status on: the owner and the coordinator.
    pub report: bool,
    /// Change what the action is, who owns it and when it is due: the coordinator.
    pub plan: bool,
    /// Download attached evidence.
    pub download: bool,
}

impl Access {
    /// Those who read audits or systems read every action, the owner their own; `None`: no access.
    pub fn of(principal: &Principal, owner: bool) -> Option<Access> {
        (owner || may_read_all(principal)).then(|| Access {
            report: owner || principal.is_coordinator(),
            plan: may_create(principal),
            download: may_download_evidence(principal, owner),
        })
    }
}

/// Who reads the action list and the plans: those who read audits or systems.
pub fn may_read_all(principal: &Principal) -> bool {
    crate::audits::policy::may_read(principal) || crate::systems::policy::may_read(principal)
}

/// Evidence is for those who act on it or verify it: the action's owner, the coordinator, the
/// auditors and system owners; board members read the reports, not the evidence behind them.
fn may_download_evidence(principal: &Principal, owner: bool) -> bool {
    owner || principal.is_coordinator() || principal.is_auditor() || principal.has_role(Role::Systemagare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_reports_on_plans_and_downloads_evidence_of_an_action() {
        let cases = [
            // role, owns the action → (report, plan, download), or no access
            (Role::Samordnare, false, Some((true, true, true))),
            (Role::Revisor, false, Some((false, false, true))),
            (Role::Systemagare, false, Some((false, false, true))),
            (Role::Systemagare, true, Some((true, false, true))),
            (Role::Fortroendevald, false, Some((false, false, false))),
            (Role::Medarbetare, true, Some((true, false, true))),
            (Role::Medarbetare, false, None),
        ];
        for (role, owner, expected) in cases {
            let got = Access::of(&Principal::holding(role), owner).map(|a| (a.report, a.plan, a.download));
            assert_eq!(got, expected, "{role:?} owner={owner}");
        }
    }
}
