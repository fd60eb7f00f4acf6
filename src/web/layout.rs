//! What the base layout needs on every page: the signed-in user, the municipality
//! switcher, navigation for the user's roles, the CSRF token and a one-time message. The
//! layout only renders what it is given: each area declares its own menu entries with the rule
//! that shows them, and the crate root gathers them into a [`Viewer`] for each signed-in page.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::db::MunicipalityRef;
use crate::error::AppError;

#[derive(Clone, Copy, Debug)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The tasks of the menu, in the order it shows them: at most seven entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Task {
    Overview,
    Governance,
    Systems,
    Risks,
    Incidents,
    Suppliers,
    Administration,
}

impl Task {
    const ALL: [Task; 7] = [
        Task::Overview,
        Task::Governance,
        Task::Systems,
        Task::Risks,
        Task::Incidents,
        Task::Suppliers,
        Task::Administration,
    ];

    fn label(self) -> &'static str {
        match self {
            Task::Overview => "Översikt",
            Task::Governance => "Styrning",
            Task::Systems => "System",
            Task::Risks => "Risker",
            Task::Incidents => "Incidenter",
            Task::Suppliers => "Leverantörer",
            Task::Administration => "Administration",
        }
    }

    /// The name of its icon in `/static/icons.svg`.
    fn icon(self) -> &'static str {
        match self {
            Task::Overview => "home",
            Task::Governance => "landmark",
            Task::Systems => "server",
            Task::Risks => "shield",
            Task::Incidents => "alert",
            Task::Suppliers => "truck",
            Task::Administration => "settings",
        }
    }
}

/// A page an area offers this viewer in the menu: the area decides by the rule its page checks,
/// so the menu and the page cannot disagree (a test holds them together).
#[derive(Clone, Copy, Debug)]
pub struct MenuEntry {
    pub task: Task,
    pub href: &'static str,
    pub label: &'static str,
}

impl MenuEntry {
    /// The entry when `shown`, else nothing.
    pub fn when(shown: bool, task: Task, href: &'static str, label: &'static str) -> Option<MenuEntry> {
        shown.then_some(MenuEntry { task, href, label })
    }
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

#[derive(Clone)]
pub struct ChromeUser {
    pub name: String,
    pub role_label: &'static str,
    pub municipality: Option<MunicipalityRef>,
    pub municipalities: Vec<MunicipalityRef>,
}

/// Who is signed in, as the layout shows them, with the menu every area offers them; made for
/// each signed-in page request (and left on its error response) by the crate root's navigation.
#[derive(Clone)]
pub struct Viewer {
    pub user: ChromeUser,
    pub csrf_token: String,
    /// The areas' entries, in the order the areas were asked.
    pub menu: Vec<MenuEntry>,
    /// The user's own pages, beside the municipality switch.
    pub account: Vec<NavLink>,
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

    pub fn for_viewer(viewer: &Viewer, path: &str, flash: Option<String>) -> Self {
        let mut account = viewer.account.clone();
        mark_current(&mut account, path);
        Chrome {
            user: Some(viewer.user.clone()),
            csrf_token: viewer.csrf_token.clone(),
            flash,
            nav: navigation(&viewer.menu, path),
            account,
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

fn link_of(entry: &MenuEntry) -> NavLink {
    NavLink { href: entry.href, label: entry.label, current: false }
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

/// The main menu, by task: the start page, then each task with the entries the areas offered.
/// A page that belongs to no entry (a record's own page) is marked by the area its address
/// lies under.
fn navigation(menu: &[MenuEntry], path: &str) -> Vec<NavGroup> {
    let start = MenuEntry { task: Task::Overview, href: "/", label: "Översikt" };
    let entries: Vec<MenuEntry> = std::iter::once(start).chain(menu.iter().copied()).collect();
    let mut all: Vec<NavLink> = entries.iter().map(link_of).collect();
    mark_current(&mut all, path);
    let mut nav: Vec<NavGroup> = Task::ALL
        .into_iter()
        .map(|task| NavGroup {
            label: task.label(),
            icon: task.icon(),
            links: entries.iter().zip(&all).filter(|(e, _)| e.task == task).map(|(_, l)| *l).collect(),
        })
        .filter(|g| !g.links.is_empty())
        .collect();
    // A lone "Rapportera incident" is the entry itself, as employees know it.
    for group in nav.iter_mut().filter(|g| g.links.len() == 1) {
        group.label = group.links[0].label;
    }
    nav
}

impl<S: Send + Sync> FromRequestParts<S> for Chrome {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let viewer = parts.extensions.get::<Viewer>().ok_or(AppError::Unauthenticated)?;
        Ok(Chrome::for_viewer(viewer, parts.uri.path(), super::flash::read(&parts.headers)))
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
