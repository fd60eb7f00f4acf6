//! The menu of every signed-in page, gathered from the areas: each area offers its own entries
//! by its own rules (`menu` in the area), and the layout only renders what it is given. This is
//! composition, like the router: it sits above the areas and no area imports it.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::Principal;
use crate::web::layout::{ChromeUser, MenuEntry, Viewer};

/// Every area's menu, in the order the entries are shown within their task.
const AREAS: [fn(&Principal) -> Vec<MenuEntry>; 15] = [
    crate::audits::menu,
    crate::reports::menu,
    crate::documents::menu,
    crate::training::menu,
    crate::systems::menu,
    crate::classification::menu,
    crate::access_reviews::menu,
    crate::continuity::menu,
    crate::risks::menu,
    crate::actions::menu,
    crate::internal_control::menu,
    crate::incidents::menu,
    crate::suppliers::menu,
    crate::org::menu,
    crate::change_log::menu,
];

/// Who the layout shows and what their menu offers.
pub fn viewer(principal: &Principal) -> Viewer {
    Viewer {
        user: ChromeUser {
            name: principal.display_name.clone(),
            role_label: principal.main_role_label(),
            municipality: principal.municipality.clone(),
            municipalities: principal.municipalities.clone(),
        },
        csrf_token: principal.csrf_token().to_string(),
        menu: AREAS.iter().flat_map(|menu| menu(principal)).collect(),
        account: crate::reminders::menu(principal).into_iter().chain(crate::auth::menu()).collect(),
    }
}

/// Middleware inside the session's: a signed-in page request carries its [`Viewer`] for the
/// layout, and a page's refusal (403, 404, 409 …) keeps it, so the error page keeps the menu
/// (web/errors.rs). API requests and tokens get none.
pub async fn attach(mut request: Request, next: Next) -> Response {
    let viewer = request
        .extensions()
        .get::<Principal>()
        .filter(|p| !p.via_token() && !request.uri().path().starts_with("/api/"))
        .map(viewer);
    if let Some(viewer) = &viewer {
        request.extensions_mut().insert(viewer.clone());
    }
    let mut response = next.run(request).await;
    if let Some(viewer) = viewer.filter(|_| response.status().is_client_error() || response.status().is_server_error())
    {
        response.extensions_mut().insert(viewer);
    }
    response
}
