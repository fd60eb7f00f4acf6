//! What the base layout needs on every page: the signed-in user, the municipality
//! switcher, navigation for the user's roles, the CSRF token and a one-time message.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::{MunicipalityRef, Principal};
use crate::error::AppError;

#[derive(Clone, Copy)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// A top-level entry of the menu: one task, with the pages that serve it.
pub struct NavGroup {
    pub label: &'static str,
    /// The name of its icon in `/static/icons.svg`.
    pub icon: &'static str,
    pub links: Vec<NavLink>,
}

impl NavGroup {
    /// Where the entry leads: its first page.
    pub fn href(&self) -> &'static str {
        self.links.first().map(|l| l.href).unwrap_or("/")
    }

    pub fn is_current(&self) -> bool {
        self.links.iter().any(|l| l.current)
    }
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
    /// The menu: at most seven tasks, each with only the pages the user can use.
    pub nav: Vec<NavGroup>,
    /// The user's own pages, beside the municipality switch.
    pub account: Vec<NavLink>,
}

impl Chrome {
    /// For pages shown before login and for error pages.
    pub fn anonymous(csrf_token: &str) -> Self {
        Chrome { user: None, csrf_token: csrf_token.to_string(), flash: None, nav: Vec::new(), account: Vec::new() }
    }

    /// The page before login shows a message left for it ("Ditt nya lösenord är sparat").
    pub fn with_flash(self, flash: Option<String>) -> Self {
        Chrome { flash, ..self }
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
            account: account_links(principal, path),
        }
    }

    /// The group the page belongs to, for the row of its pages under the menu.
    pub fn current_group(&self) -> Option<&NavGroup> {
        self.nav.iter().find(|g| g.is_current() && g.links.len() > 1)
    }

    pub fn is_current_municipality(&self, id: &uuid::Uuid) -> bool {
        self.user.as_ref().and_then(|u| u.municipality.as_ref()).is_some_and(|m| &m.id == id)
    }
}

/// Whether the page at `path` lies under `href` (the start page only at "/").
fn is_under(path: &str, href: &str) -> bool {
    path == href || (href != "/" && path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/')))
}

/// Marks the deepest link the page lies under as the current one.
fn mark_current(links: &mut [NavLink], path: &str) {
    let deepest = links.iter().filter(|l| is_under(path, l.href)).map(|l| l.href.len()).max();
    for link in links.iter_mut() {
        link.current = is_under(path, link.href) && Some(link.href.len()) == deepest;
    }
}

/// The main menu, by task: each role sees the pages it can use, grouped so that there are at
/// most seven entries. A page that belongs to no entry (a record's own page) is marked by the
/// area its address lies under. Each entry is shown by its area's own rule, the one its page
/// checks, so the menu and the page cannot disagree (a test holds them together).
fn navigation(principal: &Principal, path: &str) -> Vec<NavGroup> {
    let in_municipality = principal.municipality.is_some();
    let coordinator = in_municipality && principal.is_coordinator();
    let reads_audits = in_municipality && crate::audits::read_reach(principal).any();
    let link =
        |href: &'static str, label: &'static str, shown: bool| shown.then_some(NavLink { href, label, current: false });
    let groups: [(&'static str, &'static str, Vec<Option<NavLink>>); 7] = [
        ("Översikt", "home", vec![link("/", "Översikt", true)]),
        (
            "Styrning",
            "landmark",
            vec![
                link("/recommendations", "Rekommendationer", reads_audits),
                link("/audits", "Granskningar", reads_audits),
                link("/reports", "Årsrapport", in_municipality && crate::reports::may_read(principal)),
                link("/documents", "Styrdokument", in_municipality && crate::documents::may_read(principal)),
                link("/training", "Utbildning", in_municipality && crate::training::may_read(principal)),
            ],
        ),
        (
            "System",
            "server",
            vec![
                link("/systems", "System", in_municipality && crate::systems::may_read(principal)),
                link("/coverage", "Klassning", in_municipality && crate::systems::may_read(principal)),
                link("/catalogue", "Åtgärdskatalog", in_municipality && crate::systems::may_read(principal)),
                link("/access-reviews", "Behörigheter", in_municipality && crate::systems::may_read(principal)),
                link("/continuity", "Kontinuitet", in_municipality && crate::continuity::may_read(principal)),
            ],
        ),
        (
            "Risker",
            "shield",
            vec![
                link("/risk-analyses", "Riskanalyser", in_municipality && crate::risks::may_read_overview(principal)),
                link("/actions", "Åtgärder", in_municipality && crate::actions::may_read_all(principal)),
                link(
                    "/internal-control",
                    "Internkontroll",
                    in_municipality && crate::internal_control::may_read(principal),
                ),
            ],
        ),
        (
            "Incidenter",
            "alert",
            vec![
                link("/incidents", "Incidenter", coordinator),
                link("/incidents/report", "Rapportera incident", crate::incidents::may_report(principal)),
            ],
        ),
        (
            "Leverantörer",
            "truck",
            vec![
                link("/suppliers", "Leverantörer", in_municipality && crate::suppliers::may_read(principal)),
                link("/contracts", "Avtal", in_municipality && crate::suppliers::may_read(principal)),
            ],
        ),
        (
            "Administration",
            "settings",
            vec![
                // Everyone reads the organisation from the start page; here is where it is kept.
                link("/org", "Organisation", in_municipality && crate::org::may_manage(principal)),
                link("/org/users", "Användare", in_municipality && crate::org::may_manage(principal)),
                link("/audit-log", "Ändringslogg", in_municipality && crate::audit_log::pages::may_read(principal)),
                link("/admin/municipalities", "Kommuner", principal.is_admin),
            ],
        ),
    ];
    let mut nav: Vec<NavGroup> = groups
        .into_iter()
        .map(|(label, icon, links)| NavGroup { label, icon, links: links.into_iter().flatten().collect() })
        .filter(|g| !g.links.is_empty())
        .collect();
    let mut all: Vec<NavLink> =
        nav.iter().flat_map(|g| g.links.iter()).map(|l| NavLink { current: false, ..*l }).collect();
    mark_current(&mut all, path);
    for link in nav.iter_mut().flat_map(|g| g.links.iter_mut()) {
        link.current = all.iter().any(|a| a.current && a.href == link.href);
    }
    // A lone "Rapportera incident" is the entry itself, as employees know it.
    for group in nav.iter_mut().filter(|g| g.links.len() == 1) {
        group.label = group.links[0].label;
    }
    nav
}

/// The user's own pages: reminders, password and API tokens.
fn account_links(principal: &Principal, path: &str) -> Vec<NavLink> {
    let mut links = vec![
        NavLink { href: "/account/password", label: "Byt lösenord", current: false },
        NavLink { href: "/account/two-factor", label: "Tvåstegsverifiering", current: false },
        NavLink { href: "/account/tokens", label: "Mina API-nycklar", current: false },
    ];
    if principal.is_member() {
        links.insert(0, NavLink { href: "/reminders", label: "Påminnelser", current: false });
    }
    mark_current(&mut links, path);
    links
}

impl<S: Send + Sync> FromRequestParts<S> for Chrome {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let principal = parts.extensions.get::<Principal>().ok_or(AppError::Unauthenticated)?;
        Ok(Chrome::for_principal(principal, parts.uri.path(), super::flash::read(&parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deepest_entry_a_page_lies_under_is_current() {
        let mut links = vec![
            NavLink { href: "/", label: "Översikt", current: false },
            NavLink { href: "/incidents", label: "Incidenter", current: false },
            NavLink { href: "/incidents/report", label: "Rapportera", current: false },
        ];
        mark_current(&mut links, "/incidents/report");
        assert_eq!(links.iter().map(|l| l.current).collect::<Vec<_>>(), [false, false, true]);
        mark_current(&mut links, "/incidents/3f2a");
        assert_eq!(links.iter().map(|l| l.current).collect::<Vec<_>>(), [false, true, false]);
        mark_current(&mut links, "/incidentsx");
        assert!(links.iter().all(|l| !l.current));
        mark_current(&mut links, "/");
        assert!(links[0].current);
    }
}
