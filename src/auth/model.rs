//! Roles, the signed-in principal, and the pure rules of authentication.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// A role held in one municipality (optionally for one body). The global system
/// administrator is not a role grant but a flag on the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Samordnare,
    Systemagare,
    Revisor,
    Fortroendevald,
    Medarbetare,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::Samordnare, Role::Systemagare, Role::Revisor, Role::Fortroendevald, Role::Medarbetare];

    pub fn code(self) -> &'static str {
        match self {
            Role::Samordnare => "samordnare",
            Role::Systemagare => "systemagare",
            Role::Revisor => "revisor",
            Role::Fortroendevald => "fortroendevald",
            Role::Medarbetare => "medarbetare",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Samordnare => "Informationssäkerhetssamordnare",
            Role::Systemagare => "Systemägare",
            Role::Revisor => "Revisor",
            Role::Fortroendevald => "Förtroendevald",
            Role::Medarbetare => "Medarbetare",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct MunicipalityRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub body_id: Option<Uuid>,
}

/// How the request was authenticated.
#[derive(Clone, Debug)]
pub enum Credential {
    /// A browser session: carries the CSRF token its forms must echo.
    Session { token_hash: Vec<u8>, csrf_token: String },
    /// A personal API token (`Authorization: Bearer`).
    ApiToken,
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
}

impl Principal {
    /// The current municipality: every tenant query is scoped by it.
    pub fn tenant(&self) -> AppResult<Uuid> {
        self.municipality.as_ref().map(|m| m.id).ok_or(AppError::NoMunicipality)
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

    pub fn is_auditor(&self) -> bool {
        self.has_role(Role::Revisor)
    }

    pub fn csrf_token(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf_token, .. } => csrf_token,
            Credential::ApiToken => "",
        }
    }

    /// Fails with 403 unless `allowed`.
    pub fn require(&self, allowed: bool) -> AppResult<()> {
        if allowed { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// The role a user mainly acts in, for the start page and the header.
    pub fn main_role_label(&self) -> &'static str {
        if self.is_admin {
            return "Systemadministratör";
        }
        Role::ALL.into_iter().find(|r| self.has_role(*r)).map(Role::label).unwrap_or("Ingen roll")
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

/// What to do with a login attempt, given recent failures for the account and the address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThrottleVerdict {
    Allow,
    Delay(Duration),
    Refuse,
}

/// Failures count within this window.
pub const THROTTLE_WINDOW_MINUTES: i32 = 15;
const ACCOUNT_DELAY_AFTER: i64 = 3;
const ACCOUNT_REFUSE_AFTER: i64 = 10;
const ADDRESS_DELAY_AFTER: i64 = 20;
const ADDRESS_REFUSE_AFTER: i64 = 50;

/// Repeated failures slow logins down, then refuse them for the rest of the window. The
/// account key is the typed email, whether or not such an account exists, so the answer
/// never reveals which accounts exist.
pub fn throttle_verdict(account_failures: i64, address_failures: i64) -> ThrottleVerdict {
    if account_failures >= ACCOUNT_REFUSE_AFTER || address_failures >= ADDRESS_REFUSE_AFTER {
        return ThrottleVerdict::Refuse;
    }
    let excess = (account_failures - ACCOUNT_DELAY_AFTER + 1).max(address_failures - ADDRESS_DELAY_AFTER + 1);
    if excess > 0 {
        ThrottleVerdict::Delay(Duration::from_millis((excess as u64 * 500).min(4000)))
    } else {
        ThrottleVerdict::Allow
    }
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

/// A redirect target after login: only paths on this site.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => path,
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn throttling_allows_then_delays_then_refuses() {
        assert_eq!(throttle_verdict(0, 0), ThrottleVerdict::Allow);
        assert_eq!(throttle_verdict(2, 0), ThrottleVerdict::Allow);
        assert_eq!(throttle_verdict(3, 0), ThrottleVerdict::Delay(Duration::from_millis(500)));
        assert_eq!(throttle_verdict(9, 0), ThrottleVerdict::Delay(Duration::from_millis(3500)));
        assert_eq!(throttle_verdict(10, 0), ThrottleVerdict::Refuse);
        assert_eq!(throttle_verdict(0, 20), ThrottleVerdict::Delay(Duration::from_millis(500)));
        assert_eq!(throttle_verdict(0, 50), ThrottleVerdict::Refuse);
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
    fn new_passwords_are_checked() {
        assert!(check_new_password("kort", "kort").is_err());
        assert!(check_new_password("tillräckligt-långt", "annat-lösenord!").is_err());
        assert!(check_new_password("tillräckligt-långt", "tillräckligt-långt").is_ok());
    }

    #[test]
    fn next_only_stays_on_site() {
        assert_eq!(safe_next(Some("/org/bodies")), "/org/bodies");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
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
