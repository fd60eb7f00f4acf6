//! Access reviews (behörighetsgranskning): per system, at least yearly, from a
//! system-generated extract covering accounts and roles; overdue and missing ones listed.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod store;

use axum::Router;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::audit_log::Actor;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::web::layout::{MenuEntry, Task};
use model::ReviewForm;
use store::Review;

/// The coordinator, and the system's owner and administrators, record reviews.
pub async fn record(state: &AppState, principal: &Principal, form: &ReviewForm) -> AppResult<Review> {
    let today = crate::web::format::today();
    let input = form.validate(today).map_err(AppError::Validation)?;
    let system = crate::systems::readable(state, principal, input.system_id).await?;
    principal.require(crate::systems::policy::may_edit(principal, &system))?;
    let mut tx = state.pool.begin().await?;
    let review = store::record(&mut tx, &Actor::from(principal), principal.tenant()?, &input).await?;
    tx.commit().await?;
    Ok(review)
}

/// A page of the systems' review standings, read by whoever reads the systems (page and API).
pub async fn page(
    state: &AppState,
    principal: &Principal,
    filter: &store::Filter,
    asked: crate::web::pagination::Asked,
) -> AppResult<(Vec<store::SystemStanding>, crate::web::pagination::Pager)> {
    principal.require(crate::systems::policy::may_read(principal))?;
    store::page(&state.pool, principal.tenant()?, filter, crate::web::format::today(), asked).await
}

/// Every standing the filter matches, for the CSV export.
pub async fn all_matching(
    state: &AppState,
    principal: &Principal,
    filter: &store::Filter,
) -> AppResult<Vec<store::SystemStanding>> {
    principal.require(crate::systems::policy::may_read(principal))?;
    store::all_matching(&state.pool, principal.tenant()?, filter, crate::web::format::today()).await
}

/// Whether the principal may open the review form (recording checks who reviews which system).
pub fn open_form(principal: &Principal) -> AppResult<()> {
    principal.require(crate::systems::policy::may_read(principal))
}

/// The area's pages in the menu: read by whoever reads the systems.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    let shown = principal.in_municipality() && crate::systems::policy::may_read(principal);
    MenuEntry::when(shown, Task::Systems, "/access-reviews", "Behörigheter").into_iter().collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/access-reviews", get(pages::list).post(pages::record))
        .route("/access-reviews.csv", get(pages::export))
        .route("/access-reviews/new", get(pages::new))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::standings, api::record)).routes(routes!(api::for_system))
}
