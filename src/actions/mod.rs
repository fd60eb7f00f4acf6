//! Actions (åtgärder): one table for everything that needs doing, linked to where it
//! comes from (audit recommendations, risks, unmet measures, level-4 analyses, or by hand),
//! and the yearly handlingsplan the board decides.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod policy;
pub mod store;
mod view;

use axum::Router;
use axum::routing::{get, post};
pub use policy::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::audit_log::Actor;
use crate::audit_log::lost_updates::{self, Versioned};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::web::layout::{MenuEntry, Task};
use crate::web::version::Version;
use model::{ActionForm, NoteForm};
use store::Action;

/// An action the principal may read (404 for another municipality's, 403 without the right),
/// and what they may do with it.
pub async fn readable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<(Action, Access)> {
    let m = principal.tenant()?;
    let action = store::get(&state.pool, m, id).await?;
    let owner = store::is_owner(&state.pool, m, id, principal.user_id).await?;
    let access = Access::of(principal, owner).ok_or(AppError::Forbidden)?;
    Ok((action, access))
}

/// Where a new action comes from, as given by a form or the API.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct Origin {
    /// The recommendation the action answers.
    pub recommendation_id: Option<Uuid>,
    /// The risk it treats.
    pub risk_id: Option<Uuid>,
    /// The system it concerns.
    pub system_id: Option<Uuid>,
}

/// Creates an action from a form. The coordinator plans any action; whoever may change
/// a risk analysis plans treatments of its risks, and a system's owner actions for the system.
pub async fn create(state: &AppState, principal: &Principal, origin: &Origin, form: &ActionForm) -> AppResult<Action> {
    let m = principal.tenant()?;
    let mut links = store::ActionLinks::default();
    let mut allowed = may_create(principal);
    if let Some(id) = origin.recommendation_id {
        crate::audits::store::get_recommendation(&state.pool, m, id).await?;
        links = store::ActionLinks::recommendation(id);
    } else if let Some(id) = origin.risk_id {
        let (risk, _, access) = crate::risks::readable_risk(state, principal, id).await?;
        allowed |= access.plan;
        links = store::ActionLinks {
            source: store::Source::Risk,
            risk_id: Some(id),
            system_id: risk.system_id,
            ..Default::default()
        };
    } else if let Some(id) = origin.system_id {
        let system = crate::systems::readable(state, principal, id).await?;
        allowed |= crate::systems::policy::may_edit(principal, &system);
        links.system_id = Some(id);
    }
    principal.require(allowed)?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let action = store::create(&mut tx, &Actor::from(principal), m, &links, model::Status::Planerad, &input).await?;
    tx.commit().await?;
    Ok(action)
}

/// Sets a year's handlingsplan: its decision and resources (coordinator).
pub async fn save_plan(state: &AppState, principal: &Principal, form: &model::PlanForm) -> AppResult<store::Plan> {
    principal.require(may_create(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let plan = store::save_plan(&mut tx, &Actor::from(principal), principal.tenant()?, &input).await?;
    tx.commit().await?;
    Ok(plan)
}

/// Chooses the actions in a year's handlingsplan (coordinator).
pub async fn set_plan_actions(
    state: &AppState,
    principal: &Principal,
    year: i32,
    action_ids: &[Uuid],
) -> AppResult<()> {
    principal.require(may_create(principal))?;
    let mut tx = state.pool.begin().await?;
    store::set_plan_actions(&mut tx, &Actor::from(principal), principal.tenant()?, year, action_ids).await?;
    tx.commit().await?;
    Ok(())
}

/// A page of the actions a filter matches (page and API alike).
pub async fn page(
    state: &AppState,
    principal: &Principal,
    filter: &store::Filter,
    asked: crate::web::pagination::Asked,
) -> AppResult<(Vec<Action>, crate::web::pagination::Pager)> {
    principal.require(may_read_all(principal))?;
    let today = crate::web::format::today();
    store::page(&mut *state.pool.acquire().await?, principal.tenant()?, filter, today, asked).await
}

/// The ids of every action a filter matches, for the CSV export.
pub async fn matching_ids(state: &AppState, principal: &Principal, filter: &store::Filter) -> AppResult<Vec<Uuid>> {
    principal.require(may_read_all(principal))?;
    store::ids(&mut *state.pool.acquire().await?, principal.tenant()?, filter, crate::web::format::today()).await
}

/// Every year's handlingsplan.
pub async fn plans(state: &AppState, principal: &Principal) -> AppResult<Vec<store::Plan>> {
    principal.require(may_read_all(principal))?;
    store::plans(&state.pool, principal.tenant()?).await
}

/// A year's handlingsplan with its actions.
pub async fn plan(state: &AppState, principal: &Principal, year: i32) -> AppResult<(store::Plan, Vec<Action>)> {
    principal.require(may_read_all(principal))?;
    let m = principal.tenant()?;
    let plan = store::plan(&state.pool, m, year).await?;
    let actions = store::plan_actions(&mut *state.pool.acquire().await?, m, plan.id).await?;
    Ok((plan, actions))
}

/// Whether the principal may plan a new action: the form is shown only then.
pub fn open_new_form(principal: &Principal) -> AppResult<()> {
    principal.require(may_create(principal))
}

/// Changes an action's details (the coordinator plans; owners report through notes);
/// `expected` is the version the change was made from (none: no check).
pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    form: &ActionForm,
    expected: Option<Version>,
) -> AppResult<Action> {
    let (_, access) = readable(state, principal, id).await?;
    principal.require(access.plan)?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    lost_updates::lock_current(&mut tx, Versioned::Action, principal.tenant()?, id, expected).await?;
    let action = store::update(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(action)
}

/// A progress note or evidence, by the action's owner or the coordinator.
pub async fn add_note(state: &AppState, principal: &Principal, id: Uuid, form: &NoteForm) -> AppResult<Action> {
    let m = principal.tenant()?;
    let (_, access) = readable(state, principal, id).await?;
    principal.require(access.report)?;
    form.check().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let action = store::add_note(&mut tx, &Actor::from(principal), m, id, form, crate::web::format::today()).await?;
    tx.commit().await?;
    Ok(action)
}

/// Attaches an evidence file, by the action's owner or the coordinator.
pub async fn attach_file(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    file_name: &str,
    content_type: &str,
    content: &[u8],
) -> AppResult<()> {
    let m = principal.tenant()?;
    let (_, access) = readable(state, principal, id).await?;
    principal.require(access.report)?;
    let (name, content_type) = crate::web::files::accept_upload(file_name, content_type, content, "underlag")?;
    let mut tx = state.pool.begin().await?;
    store::attach_file(&mut tx, &Actor::from(principal), m, id, &name, &content_type, content).await?;
    tx.commit().await?;
    Ok(())
}

/// An attached file as a download (always an attachment, whatever its type).
pub async fn download_file(
    axum::extract::State(state): axum::extract::State<AppState>,
    principal: Principal,
    axum::extract::Path((id, file_id)): axum::extract::Path<(Uuid, Uuid)>,
) -> AppResult<axum::response::Response> {
    let (_, access) = readable(&state, &principal, id).await?;
    principal.require(access.download)?;
    let file = store::file(&state.pool, principal.tenant()?, id, file_id).await?;
    Ok(crate::web::files::download(&file.file_name, &file.content_type, file.content))
}

/// The area's pages in the menu.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    MenuEntry::when(principal.in_municipality() && may_read_all(principal), Task::Risks, "/actions", "Åtgärder")
        .into_iter()
        .collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/actions", get(pages::list).post(pages::create))
        .route("/actions.csv", get(pages::export))
        .route("/actions/new", get(pages::new))
        .route("/plans", get(pages::plans).post(pages::create_plan))
        .route("/plans/{year}", get(pages::plan).post(pages::update_plan))
        .route("/plans/{year}/actions", post(pages::set_plan_actions))
        .route("/actions/{id}", get(pages::show).post(pages::update))
        .route("/actions/{id}/notes", post(pages::add_note))
        .route("/actions/{id}/files", post(pages::attach_file).layer(crate::web::files::upload_limit()))
        .route("/actions/{id}/files/{file_id}", get(download_file))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::plan))
        .routes(routes!(api::get, api::update))
        .routes(routes!(api::add_note))
        .merge(OpenApiRouter::new().routes(routes!(api::attach_file)).layer(crate::web::files::upload_limit()))
}
