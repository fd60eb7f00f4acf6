//! Roles, the signed-in principal, and the pure rules of authentication.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult};

crate::codes! {
    /// A role held in one municipality (optionally for one body). The global system
    /// administrator is not a role grant but a flag on the user.
    pub enum Role {
        Samordnare = "samordnare" => "Informationssäkerhetssamordnare",
        Systemagare = "systemagare" => "Systemägare",
        Revisor = "revisor" => "Revisor",
        Fortroendevald = "fortroendevald" => "Förtroendevald",
        Medarbetare = "medarbetare" => "Medarbetare",
    }
}

pub use crate::db::MunicipalityRef;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct Grant {
    pub role: Role,
    pub body_id: Option<Uuid>,
}

/// How the request was authenticated.
#[derive(Clone, Debug)]
pub enum Credential {
    /// A browser session: carries the CSRF token its forms must echo.
    /// `via_idp`: begun at the municipality's IdP, which asks for its own second factor.
    Session { token_hash: Vec<u8>, csrf_token: String, via_idp: bool },
    /// A personal API token (`Authorization: Bearer`); a read-only one may only GET.
    ApiToken { read_only: bool },
}

/// The signed-in user, as seen by one request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    /// The municipality the user works in right now.
    pub municipality: Option<MunicipalityRef>,
    /// Grants in the current municipality.
    pub grants: Vec<Grant>,
    /// Municipalities the user may switch to.
    pub municipalities: Vec<MunicipalityRef>,
    pub credential: Credential,
    pub request_id: Option<String>,
    /// Two-factor sign-in is on for the account.
    pub two_factor_enabled: bool,
    /// The account must use two-factor: an administrator, or a role in a municipality that requires it.
    pub two_factor_required: bool,
    /// The password was set by someone else (`lisa user add`) and must be changed first.
    pub must_change_password: bool,
    /// Named as an incident receiver (incidentmottagare) in the current municipality.
    pub receives_incidents: bool,
}

impl Principal {
    /// The current municipality: every tenant query is scoped by it.
    pub fn tenant(&self) -> AppResult<MunicipalityId> {
        self.municipality.as_ref().map(|m| MunicipalityId::chosen(m.id)).ok_or(AppError::NoMunicipality)
    }

    /// Acts in a municipality (one has been chosen).
    pub fn in_municipality(&self) -> bool {
        self.municipality.is_some()
    }

    /// Has some role in the current municipality (or administers Lisa).
    pub fn is_member(&self) -> bool {
        self.municipality.is_some() && (self.is_admin || !self.grants.is_empty())
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// The coordinator runs the work in a municipality; a system administrator may act as one anywhere.
    pub fn is_coordinator(&self) -> bool {
        self.is_admin || self.has_role(Role::Samordnare)
    }

    /// The municipality's auditors (revisorer): the auditor role for the whole municipality.
    pub fn is_auditor(&self) -> bool {
        self.grants.iter().any(|g| g.role == Role::Revisor && g.body_id.is_none())
    }

    /// The bodies whose audits a lay auditor (lekmannarevisor) reads and assesses: the auditor
    /// role limited to one body, typically a company's board. It reaches nothing else.
    pub fn lay_audited_bodies(&self) -> Vec<Uuid> {
        self.grants.iter().filter(|g| g.role == Role::Revisor).filter_map(|g| g.body_id).collect()
    }

    pub fn csrf_token(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf_token, .. } => csrf_token,
            Credential::ApiToken { .. } => "",
        }
    }

    /// Signed in with an API token that may only read.
    pub fn reads_only(&self) -> bool {
        matches!(self.credential, Credential::ApiToken { read_only: true })
    }

    /// Signed in with an API token rather than a browser session.
    pub fn via_token(&self) -> bool {
        matches!(self.credential, Credential::ApiToken { .. })
    }

    /// A session begun at a municipality's IdP: it acts only in that municipality.
    pub fn via_idp(&self) -> bool {
        matches!(self.credential, Credential::Session { via_idp: true, .. })
    }

    /// Fails with 403 unless `allowed`.
    pub fn require(&self, allowed: bool) -> AppResult<()> {
        if allowed { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// Someone holding one role in a municipality, for the rules' tests.
    #[cfg(test)]
    pub fn holding(role: Role) -> Principal {
        Principal {
            user_id: Uuid::new_v4(),
            email: "test@example.se".into(),
            display_name: "Test".into(),
            is_admin: false,
            municipality: Some(MunicipalityRef { id: Uuid::new_v4(), name: "Testby".into() }),
            grants: vec![Grant { role, body_id: None }],
            municipalities: Vec::new(),
            credential: Credential::ApiToken { read_only: false },
            request_id: None,
            two_factor_enabled: false,
            two_factor_required: false,
            must_change_password: false,
            receives_incidents: false,
        }
    }

    /// The role a user mainly acts in, for the start page and the header.
    pub fn main_role_label(&self) -> &'static str {
        if self.is_admin {
            return "Systemadministratör";
        }
        match Role::ALL.into_iter().find(|r| self.has_role(*r)) {
            Some(Role::Revisor) if !self.is_auditor() => "Lekmannarevisor",
            Some(role) => role.label(),
            None => "Ingen roll",
        }
    }
}

impl From<&Principal> for crate::audit_log::Actor {
    fn from(p: &Principal) -> Self {
        crate::audit_log::Actor {
            user_id: Some(p.user_id),
            // The name alone: histories are read by auditors, board members and reporters, who
            // are not to learn staff email addresses from them.
            name: p.display_name.clone(),
            request_id: p.request_id.clone(),
        }
    }
}

/// Whether a session is still valid at `now`.
pub fn session_is_live(
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    now: DateTime<Utc>,
    idle: Duration,
    absolute: Duration,
) -> bool {
    let within =
        |since: DateTime<Utc>, limit: Duration| (now - since).to_std().map(|elapsed| elapsed < limit).unwrap_or(true);
    within(last_seen_at, idle) && within(created_at, absolute)
}

/// What to do with a login attempt, given recent failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThrottleVerdict {
    Allow,
    Delay(Duration),
    Refuse,
}

/// Failures count within this window.
pub const THROTTLE_WINDOW_MINUTES: i32 = 15;
const PAIR_DELAY_AFTER: i64 = 3;
const PAIR_REFUSE_AFTER: i64 = 10;
const ADDRESS_DELAY_AFTER: i64 = 20;
const ADDRESS_REFUSE_AFTER: i64 = 50;
const ACCOUNT_SLOW_AFTER: i64 = 10;
const ACCOUNT_WAIT: Duration = Duration::from_secs(2);

/// Recent login failures that bear on one attempt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    /// For this account from this address.
    pub pair: i64,
    /// From this address, for any account.
    pub address: i64,
    /// For this account from any address, since its last successful login.
    pub account: i64,
}

/// Repeated failures from one address slow its attempts down and then refuse them, for one
/// account or for all. Failures against an account from everywhere only slow it down: the
/// right password from another address still gets in after a short wait, so nobody can keep
/// a coordinator out by typing wrong passwords. Keys are the typed email, whether or not such
/// an account exists, so the answer never reveals which accounts exist.
pub fn throttle_verdict(failures: Failures) -> ThrottleVerdict {
    if failures.pair >= PAIR_REFUSE_AFTER || failures.address >= ADDRESS_REFUSE_AFTER {
        return ThrottleVerdict::Refuse;
    }
    let growing = |count: i64, after: i64| {
        let excess = count - after + 1;
        (excess > 0).then(|| Duration::from_millis((excess as u64 * 500).min(4000)))
    };
    let account = (failures.account >= ACCOUNT_SLOW_AFTER).then_some(ACCOUNT_WAIT);
    [growing(failures.pair, PAIR_DELAY_AFTER), growing(failures.address, ADDRESS_DELAY_AFTER), account]
        .into_iter()
        .flatten()
        .max()
        .map_or(ThrottleVerdict::Allow, ThrottleVerdict::Delay)
}

/// Naming the one who approves or accepts (an information owner, a risk analysis' owner) is
/// the coordinator's: otherwise anyone could make themselves the approver of their own work.
pub fn may_name_approver(principal: &Principal, before: Option<Uuid>, after: Option<Uuid>) -> bool {
    before == after || principal.is_coordinator()
}

/// How long a new API token lives unless asked otherwise, and at most, in days.
pub const TOKEN_DEFAULT_DAYS: i64 = 90;
pub const TOKEN_MAX_DAYS: i64 = 365;

/// A token's lifetime as typed: "90", "90d", or nothing for the default.
pub fn token_lifetime(text: &str) -> Result<i64, &'static str> {
    let days = text.trim().trim_end_matches(['d', 'D']).trim();
    if days.is_empty() {
        return Ok(TOKEN_DEFAULT_DAYS);
    }
    match days.parse::<i64>() {
        Ok(days) if (1..=TOKEN_MAX_DAYS).contains(&days) => Ok(days),
        _ => Err("Ange giltighetstiden i dagar, från 1 till 365."),
    }
}

crate::codes! {
    /// Whether an API token still opens Lisa.
    pub enum TokenState {
        Valid = "giltig" => "Giltig",
        Expired = "utgangen" => "Utgången",
        Revoked = "aterkallad" => "Återkallad",
    }
}

pub fn token_state(expires_at: DateTime<Utc>, revoked_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> TokenState {
    match revoked_at {
        Some(_) => TokenState::Revoked,
        None if expires_at <= now => TokenState::Expired,
        None => TokenState::Valid,
    }
}

/// A token is revoked by its owner, by a coordinator of the municipality it works in, or by a
/// system administrator.
pub fn may_revoke_token(principal: &Principal, owner: Uuid, municipality: Uuid) -> bool {
    owner == principal.user_id
        || principal.is_admin
        || (principal.is_coordinator() && principal.tenant().ok().map(MunicipalityId::uuid) == Some(municipality))
}

/// Who may take an account's access away, give it back, end its sessions and make a link to
/// a new password: a system administrator any account but their own; a coordinator an account
/// that works only in the coordinator's municipality. An account that also works elsewhere, and
/// an administrator's, are the system administrator's: one municipality must not lock a person
/// out of another.
/// `works_only_here`: the account has roles in the principal's municipality and no other.
pub fn may_manage_account(principal: &Principal, target: Uuid, target_is_admin: bool, works_only_here: bool) -> bool {
    if target == principal.user_id {
        return false;
    }
    principal.is_admin || (principal.has_role(Role::Samordnare) && !target_is_admin && works_only_here)
}

/// Rules for a new password. Returns a Swedish message when it is not acceptable.
pub fn check_new_password(password: &str, repeated: &str) -> Result<(), &'static str> {
    if password.chars().count() < 12 {
        return Err("Lösenordet måste ha minst 12 tecken.");
    }
    if password.chars().count() > 200 {
        return Err("Lösenordet får ha högst 200 tecken.");
    }
    if password != repeated {
        return Err("Lösenorden stämmer inte överens.");
    }
    Ok(())
}

/// A redirect target after login: only a path on this site, exactly as given. Browsers drop
/// tabs and line breaks from addresses, so "/\t/evil.example" would lead away: anything with
/// a character outside printable ASCII, a backslash, or a second slash at the start goes to "/".
pub fn safe_next(next: Option<&str>) -> &str {
    let Some(path) = next else { return "/" };
    let printable = path.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'\\');
    let local = path.starts_with('/') && !path.starts_with("//");
    if printable && local && path.parse::<axum::http::uri::PathAndQuery>().is_ok() { path } else { "/" }
}

/// Wrong second-step codes an account may give, across login challenges and the settings that
/// ask for a code, before its second step waits.
pub const SECOND_STEP_FREE_TRIES: i32 = 5;

/// How long the second step waits after `failures` wrong codes in a row: not at all for the
/// first few, then 30 s, doubling with each further wrong code, at most an hour. A guesser
/// then gets about one try an hour, while the person who mistyped waits half a minute.
pub fn second_step_wait(failures: i32) -> Option<chrono::Duration> {
    if failures < SECOND_STEP_FREE_TRIES {
        return None;
    }
    let doublings = (failures - SECOND_STEP_FREE_TRIES).min(7) as u32;
    Some(chrono::Duration::seconds((30_i64 << doublings).min(3600)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_second_step_waits_longer_with_each_wrong_code_after_a_few() {
        for failures in 0..SECOND_STEP_FREE_TRIES {
            assert_eq!(second_step_wait(failures), None, "{failures}");
        }
        let seconds = |n| second_step_wait(n).unwrap().num_seconds();
        assert_eq!([seconds(5), seconds(6), seconds(7), seconds(8)], [30, 60, 120, 240]);
        assert_eq!(seconds(12), 3600);
        assert_eq!(seconds(1000), 3600, "never more than an hour");
    }
    use chrono::TimeZone;

    #[test]
    fn throttling_allows_then_delays_then_refuses_an_address_but_only_slows_an_account() {
        let verdict = |pair, address, account| throttle_verdict(Failures { pair, address, account });
        assert_eq!(verdict(0, 0, 0), ThrottleVerdict::Allow);
        assert_eq!(verdict(2, 2, 2), ThrottleVerdict::Allow);
        assert_eq!(verdict(3, 3, 3), ThrottleVerdict::Delay(Duration::from_millis(500)));
        assert_eq!(verdict(9, 9, 9), ThrottleVerdict::Delay(Duration::from_millis(3500)));
        assert_eq!(verdict(10, 10, 10), ThrottleVerdict::Refuse, "this account from this address");
        assert_eq!(verdict(0, 20, 0), ThrottleVerdict::Delay(Duration::from_millis(500)));
        assert_eq!(verdict(0, 50, 0), ThrottleVerdict::Refuse, "any account from this address");
        assert_eq!(verdict(0, 0, 10), ThrottleVerdict::Delay(Duration::from_secs(2)), "a new address waits");
        assert_eq!(verdict(0, 0, 10_000), ThrottleVerdict::Delay(Duration::from_secs(2)), "but is never locked out");
    }

    #[test]
    fn sessions_expire_when_idle_or_too_old() {
        let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let hour = Duration::from_secs(3600);
        let at = |h: i64| t0 + chrono::Duration::hours(h);
        assert!(session_is_live(t0, t0, at(1) - chrono::Duration::seconds(1), 2 * hour, 12 * hour));
        assert!(!session_is_live(t0, t0, at(2), 2 * hour, 12 * hour));
        assert!(session_is_live(t0, at(11), at(12) - chrono::Duration::seconds(1), 2 * hour, 12 * hour));
        assert!(!session_is_live(t0, at(11), at(12), 2 * hour, 12 * hour));
    }

    #[test]
    fn a_token_lives_ninety_days_unless_asked_and_at_most_a_year() {
        assert_eq!(token_lifetime(""), Ok(90));
        assert_eq!(token_lifetime("30"), Ok(30));
        assert_eq!(token_lifetime(" 365d "), Ok(365));
        for wrong in ["0", "366", "-1", "ett år", "1.5"] {
            assert!(token_lifetime(wrong).is_err(), "{wrong}");
        }
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let later = now + chrono::Duration::days(1);
        assert_eq!(token_state(later, None, now), TokenState::Valid);
        assert_eq!(token_state(now, None, now), TokenState::Expired);
        assert_eq!(token_state(later, Some(now), now), TokenState::Revoked);
    }

    #[test]
    fn accounts_that_work_elsewhere_are_the_system_administrators() {
        let coordinator = Principal::holding(Role::Samordnare);
        let someone = Uuid::new_v4();
        assert!(may_manage_account(&coordinator, someone, false, true));
        assert!(!may_manage_account(&coordinator, someone, false, false), "works elsewhere too, or not here");
        assert!(!may_manage_account(&coordinator, someone, true, true), "an administrator");
        assert!(!may_manage_account(&coordinator, coordinator.user_id, false, true), "oneself");
        assert!(!may_manage_account(&Principal::holding(Role::Revisor), someone, false, true));
        let admin = Principal { is_admin: true, ..Principal::holding(Role::Medarbetare) };
        assert!(may_manage_account(&admin, someone, true, false));
        assert!(!may_manage_account(&admin, admin.user_id, true, false), "not even oneself as administrator");
        let here = coordinator.tenant().unwrap().uuid();
        let elsewhere = Uuid::new_v4();
        assert!(may_revoke_token(&coordinator, someone, here));
        assert!(!may_revoke_token(&coordinator, someone, elsewhere));
        assert!(!may_revoke_token(&Principal::holding(Role::Medarbetare), someone, elsewhere));
        let owner = Principal::holding(Role::Medarbetare);
        assert!(may_revoke_token(&owner, owner.user_id, elsewhere));
    }

    #[test]
    fn new_passwords_are_checked() {
        assert!(check_new_password("kort", "kort").is_err());
        assert!(check_new_password("tillräckligt-långt", "annat-lösenord!").is_err());
        assert!(check_new_password("tillräckligt-långt", "tillräckligt-långt").is_ok());
    }

    #[test]
    fn next_only_stays_on_site() {
        assert_eq!(safe_next(Some("/org/bodies")), "/org/bodies");
        assert_eq!(safe_next(Some("/recommendations?body_id=1&q=a%20b")), "/recommendations?body_id=1&q=a%20b");
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/ /evil.example",
            "\t//evil.example",
            "/\u{0}/x",
            "/å",
            "",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
