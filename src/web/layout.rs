//! What the base layout needs on every page: the signed-in user, the municipality
//! switcher, navigation for the user's roles, the CSRF token and a one-time message.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::{MunicipalityRef, Principal};
use crate::error::AppError;

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct ChromeUser {
    pub name: String,
    pub role_label: &'static str,
    pub municipality: Option<MunicipalityRef>,
    pub municipalities: Vec<MunicipalityRef>,
}

pub struct Chrome {
    pub user: Option<ChromeUser>,
    pub csrf_token: String,
    pub flash: Option<String>,
    pub nav: Vec<NavLink>,
    /// The page's path, so that switching municipality can return to the same area.
    pub path: String,
}

impl Chrome {
    /// For pages shown before login and for error pages.
    pub fn anonymous(csrf_token: &str) -> Self {
        Chrome { user: None, csrf_token: csrf_token.to_string(), flash: None, nav: Vec::new(), path: String::new() }
    }

    pub fn for_principal(principal: &Principal, path: &str, flash: Option<String>) -> Self {
        Chrome {
            user: Some(ChromeUser {
                name: principal.display_name.clone(),
                role_label: principal.main_role_label(),
                municipality: principal.municipality.clone(),
                municipalities: principal.municipalities.clone(),
            }),
            csrf_token: principal.csrf_token().to_string(),
            flash,
            nav: navigation(principal, path),
            path: path.to_string(),
        }
    }

    pub fn is_current_municipality(&self, id: &uuid::Uuid) -> bool {
        self.user.as_ref().and_then(|u| u.municipality.as_ref()).is_some_and(|m| &m.id == id)
    }
}

/// The main menu: one entry per area the user may open.
fn navigation(principal: &Principal, path: &str) -> Vec<NavLink> {
    let has_municipality = principal.municipality.is_some();
    let reads_audits = has_municipality && crate::audits::may_read(principal);
    let reads_systems = has_municipality && crate::systems::may_read(principal);
    let entries: [(&'static str, &'static str, bool); 19] = [
        ("/", "Översikt", true),
        ("/incidents", "Incidenter", has_municipality && principal.is_coordinator()),
        ("/incidents/report", "Rapportera incident", crate::incidents::may_report(principal)),
        ("/systems", "System", reads_systems),
        ("/risk-analyses", "Risker", has_municipality && crate::risks::may_read_overview(principal)),
        ("/actions", "Åtgärder", has_municipality && crate::actions::may_read_all(principal)),
        ("/catalogue", "Åtgärdskatalog", reads_systems),
        ("/access-reviews", "Behörigheter", reads_systems),
        ("/suppliers", "Leverantörer", has_municipality && crate::suppliers::may_read(principal)),
        ("/documents", "Styrdokument", crate::documents::may_read(principal)),
        ("/training", "Utbildning", has_municipality && crate::training::may_read(principal)),
        ("/reports", "Årsrapport", has_municipality && crate::reports::may_read(principal)),
        ("/audits", "Granskningar", reads_audits),
        ("/recommendations", "Rekommendationer", reads_audits),
        ("/org", "Organisation", has_municipality),
        ("/reminders", "Påminnelser", principal.is_member()),
        ("/org/users", "Användare", has_municipality && principal.is_coordinator()),
        ("/audit-log", "Ändringslogg", has_municipality && (principal.is_coordinator() || principal.is_auditor())),
        ("/admin/municipalities", "Kommuner", principal.is_admin),
    ];
    // The deepest entry whose path the page is under is the current one.
    let under =
        |href: &str| path == href || (href != "/" && path.strip_prefix(href).is_some_and(|r| r.starts_with('/')));
    let shown: Vec<_> = entries.into_iter().filter(|(_, _, shown)| *shown).collect();
    let deepest = shown.iter().filter(|(href, _, _)| under(href)).map(|(href, _, _)| href.len()).max();
    shown
        .into_iter()
        .map(|(href, label, _)| NavLink { href, label, current: under(href) && Some(href.len()) == deepest })
        .collect()
}

impl<S: Send + Sync> FromRequestParts<S> for Chrome {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let principal = parts.extensions.get::<Principal>().ok_or(AppError::Unauthenticated)?;
        Ok(Chrome::for_principal(principal, parts.uri.path(), super::flash::read(&parts.headers)))
    }
}
