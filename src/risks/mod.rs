//! Risk analyses and their risks on the municipality's scale, the heat map, the register
//! across analyses, and acceptance of residual risk by the owner.

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
use model::{AnalysisForm, RiskForm, Scale};
use store::{Analysis, Risk};

/// The heat map of every analysed risk, on the municipality's scale (board members too: counts,
/// no risk details).
pub async fn heat_map(state: &AppState, principal: &Principal) -> AppResult<(Scale, model::Matrix)> {
    principal.require(may_read_overview(principal))?;
    let m = principal.tenant()?;
    let scale = store::scale(&state.pool, m).await?;
    let matrix = model::Matrix::new(&scale, store::all_cells(&state.pool, m).await?);
    Ok((scale, matrix))
}

/// Every analysis, for those who read risks in detail.
pub async fn analyses(state: &AppState, principal: &Principal) -> AppResult<Vec<Analysis>> {
    principal.require(may_read_details(principal))?;
    store::analyses(&state.pool, principal.tenant()?).await
}

/// A page of the risk register and the scale it is read on (page and API alike).
pub async fn register_page(
    state: &AppState,
    principal: &Principal,
    filter: &store::Filter,
    asked: crate::web::pagination::Asked,
) -> AppResult<(Vec<Risk>, crate::web::pagination::Pager, Scale)> {
    principal.require(may_read_details(principal))?;
    let m = principal.tenant()?;
    let scale = store::scale(&state.pool, m).await?;
    let (risks, pager) = store::register_page(&mut *state.pool.acquire().await?, m, filter, &scale, asked).await?;
    Ok((risks, pager, scale))
}

/// The ids of every risk a filter matches and the scale, for the CSV export.
pub async fn matching_ids(
    state: &AppState,
    principal: &Principal,
    filter: &store::Filter,
) -> AppResult<(Vec<Uuid>, Scale)> {
    principal.require(may_read_details(principal))?;
    let m = principal.tenant()?;
    let scale = store::scale(&state.pool, m).await?;
    let ids = store::ids(&mut *state.pool.acquire().await?, m, filter, &scale).await?;
    Ok((ids, scale))
}

/// The municipality's scale as a form, for whoever sets it.
pub async fn scale_form(state: &AppState, principal: &Principal) -> AppResult<model::ScaleForm> {
    principal.require(may_set_scale(principal))?;
    Ok(model::ScaleForm::of(&store::scale(&state.pool, principal.tenant()?).await?))
}

/// An empty analysis form (a system's, dated today), for whoever may start analyses.
pub fn new_analysis_form(principal: &Principal, system_id: String) -> AppResult<AnalysisForm> {
    principal.require(may_start(principal))?;
    Ok(AnalysisForm {
        object_kind: "system".into(),
        system_id,
        analysed_on: crate::web::format::date(crate::web::format::today()),
        ..AnalysisForm::default()
    })
}

/// An analysis the principal may change.
pub async fn editable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Analysis> {
    let (analysis, access) = readable(state, principal, id).await?;
    principal.require(access.edit)?;
    Ok(analysis)
}

/// A risk the principal may change or remove.
pub async fn editable_risk(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Risk> {
    let (risk, _, access) = readable_risk(state, principal, id).await?;
    principal.require(access.edit)?;
    Ok(risk)
}

/// An analysis the principal may read, and what they may do with it.
pub async fn readable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<(Analysis, Access)> {
    let m = principal.tenant()?;
    let analysis = store::analysis(&state.pool, m, id).await?;
    let keeps_system = match analysis.system_id {
        Some(system_id) => crate::systems::store::get(&state.pool, m, system_id).await?.is_kept_by(principal.user_id),
        None => false,
    };
    let owns_analysis = analysis.owner_user_id == Some(principal.user_id);
    let access = Access::of(principal, owns_analysis, keeps_system).ok_or(AppError::Forbidden)?;
    Ok((analysis, access))
}

/// A risk the principal may read, its analysis, and what they may do with them.
pub async fn readable_risk(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<(Risk, Analysis, Access)> {
    let risk = store::risk(&state.pool, principal.tenant()?, id).await?;
    let (analysis, access) = readable(state, principal, risk.analysis_id).await?;
    Ok((risk, analysis, access))
}

/// The coordinator, and system owners for the systems they keep, start analyses.
async fn may_create(state: &AppState, principal: &Principal, form: &AnalysisForm) -> AppResult<bool> {
    if principal.is_coordinator() {
        return Ok(true);
    }
    let Ok(system_id) = Uuid::parse_str(form.system_id.trim()) else { return Ok(false) };
    match crate::systems::store::get(&state.pool, principal.tenant()?, system_id).await {
        Ok(system) => Ok(system.is_kept_by(principal.user_id)),
        Err(AppError::NotFound) => Ok(false),
        Err(other) => Err(other),
    }
}

/// The analysis' owner accepts its risks, so naming one is the coordinator's.
fn check_owner(principal: &Principal, before: Option<Uuid>, after: Option<Uuid>) -> AppResult<()> {
    if crate::auth::model::may_name_approver(principal, before, after) {
        Ok(())
    } else {
        Err(crate::error::field_error(
            "owner_person_id",
            "Bara samordnaren kan utse eller byta ansvarig för riskanalysen.",
        ))
    }
}

pub async fn create_analysis(state: &AppState, principal: &Principal, form: &AnalysisForm) -> AppResult<Analysis> {
    principal.require(may_create(state, principal, form).await?)?;
    let input = form.validate().map_err(AppError::Validation)?;
    check_owner(principal, None, input.owner_person_id)?;
    let mut tx = state.pool.begin().await?;
    let analysis = store::create_analysis(&mut tx, &Actor::from(principal), principal.tenant()?, &input).await?;
    tx.commit().await?;
    Ok(analysis)
}

/// Changes an analysis; `expected` is the version the change was made from (none: no check).
pub async fn update_analysis(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    form: &AnalysisForm,
    expected: Option<Version>,
) -> AppResult<Analysis> {
    let (before, access) = readable(state, principal, id).await?;
    principal.require(access.edit)?;
    let input = form.validate().map_err(AppError::Validation)?;
    check_owner(principal, before.owner_person_id, input.owner_person_id)?;
    let mut tx = state.pool.begin().await?;
    lost_updates::lock_current(&mut tx, Versioned::RiskAnalysis, principal.tenant()?, id, expected).await?;
    let analysis = store::update_analysis(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(analysis)
}

pub async fn add_risk(state: &AppState, principal: &Principal, analysis_id: Uuid, form: &RiskForm) -> AppResult<Risk> {
    let (_, access) = readable(state, principal, analysis_id).await?;
    principal.require(access.edit)?;
    let m = principal.tenant()?;
    let input = form.validate(&store::scale(&state.pool, m).await?).map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let risk = store::add_risk(&mut tx, &Actor::from(principal), m, analysis_id, &input).await?;
    tx.commit().await?;
    Ok(risk)
}

/// Changes a risk's assessment; `expected` is the version the change was made from (none: no
/// check), so an acceptance given meanwhile is not silently undone.
pub async fn update_risk(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    form: &RiskForm,
    expected: Option<Version>,
) -> AppResult<Risk> {
    let (_, _, access) = readable_risk(state, principal, id).await?;
    principal.require(access.edit)?;
    let m = principal.tenant()?;
    let input = form.validate(&store::scale(&state.pool, m).await?).map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    lost_updates::lock_current(&mut tx, Versioned::Risk, m, id, expected).await?;
    let risk = store::update_risk(&mut tx, &Actor::from(principal), m, id, &input).await?;
    tx.commit().await?;
    Ok(risk)
}

/// "Be om riskacceptans": whoever edits the analysis and may not accept its risks asks its
/// owner to decide on the untreated ones (model::acceptance_request_refused); the owner's name.
pub async fn request_acceptance(state: &AppState, principal: &Principal, analysis_id: Uuid) -> AppResult<String> {
    let (analysis, access) = readable(state, principal, analysis_id).await?;
    principal.require(access.edit)?;
    let m = principal.tenant()?;
    let mut tx = state.pool.begin().await?;
    let untreated = store::risks(&mut tx, m, analysis_id).await?.iter().filter(|r| r.is_untreated()).count();
    if let Some(reason) = model::acceptance_request_refused(access.accept, analysis.owner_user_id, untreated) {
        return Err(AppError::Conflict(reason.into()));
    }
    let today = crate::web::format::today();
    let last = store::acceptance_request(&mut *tx, m, analysis_id).await?;
    let asked_name = analysis.owner_name.clone().unwrap_or_default();
    if model::asked_recently(last.map(|(at, _)| crate::web::format::stockholm_date(at)), today) {
        return Err(AppError::Conflict(format!("{asked_name} är redan ombedd att ta ställning till riskerna.")));
    }
    store::request_acceptance(&mut tx, &Actor::from(principal), m, &analysis, today).await?;
    tx.commit().await?;
    Ok(asked_name)
}

/// Only the owner of the analysis accepts a risk.
pub async fn accept(state: &AppState, principal: &Principal, id: Uuid, comment: &str) -> AppResult<Risk> {
    let (_, _, access) = readable_risk(state, principal, id).await?;
    principal.require(access.accept)?;
    let mut tx = state.pool.begin().await?;
    let risk = store::accept(&mut tx, &Actor::from(principal), principal.tenant()?, id, comment).await?;
    tx.commit().await?;
    Ok(risk)
}

pub async fn delete_risk(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Uuid> {
    let (_, _, access) = readable_risk(state, principal, id).await?;
    principal.require(access.edit)?;
    let mut tx = state.pool.begin().await?;
    let analysis_id = store::delete_risk(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(analysis_id)
}

/// The settings page's form: its numbers and lists as typed, checked into a `Scale` after the
/// permission, so a stranger is refused before any message about their input.
pub async fn set_scale_from_form(state: &AppState, principal: &Principal, form: &model::ScaleForm) -> AppResult<()> {
    principal.require(may_set_scale(principal))?;
    set_scale(state, principal, &form.scale().map_err(AppError::Validation)?).await
}

pub async fn set_scale(state: &AppState, principal: &Principal, scale: &Scale) -> AppResult<()> {
    principal.require(may_set_scale(principal))?;
    let mut tx = state.pool.begin().await?;
    store::set_scale(&mut tx, &Actor::from(principal), principal.tenant()?, scale).await?;
    tx.commit().await?;
    Ok(())
}

/// The area's pages in the menu.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    let shown = principal.in_municipality() && may_read_overview(principal);
    MenuEntry::when(shown, Task::Risks, "/risk-analyses", "Riskanalyser").into_iter().collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/risk-analyses", get(pages::analyses).post(pages::create_analysis))
        .route("/risk-analyses/new", get(pages::new_analysis))
        .route("/risk-analyses/{id}", get(pages::analysis).post(pages::update_analysis))
        .route("/risk-analyses/{id}/edit", get(pages::edit_analysis))
        .route("/risk-analyses/{id}/risks", post(pages::add_risk))
        .route("/risks", get(pages::register))
        .route("/risks.csv", get(pages::register_csv))
        .route("/risks/{id}", get(pages::risk).post(pages::update_risk))
        .route("/risks/{id}/accept", post(pages::accept))
        .route("/risk-analyses/{id}/acceptance-request", post(pages::request_acceptance))
        .route("/risks/{id}/delete", get(pages::confirm_delete_risk).post(pages::delete_risk))
        .route("/risk-settings", get(pages::settings).post(pages::save_settings))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::analyses, api::create_analysis))
        .routes(routes!(api::analysis))
        .routes(routes!(api::add_risk))
        .routes(routes!(api::register))
        .routes(routes!(api::update_risk))
        .routes(routes!(api::accept))
        .routes(routes!(api::request_acceptance))
        .routes(routes!(api::matrix))
}
