//! Risk analyses and their risks on the municipality's scale, the heat map, the register
//! across analyses, and acceptance of residual risk by the owner.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::audit_log::Actor;
use crate::auth::{Principal, Role};
use crate::error::{AppError, AppResult};
use crate::web::version::{self, Version, Versioned};
use model::{AnalysisForm, RiskForm, Scale};
use store::{Analysis, Risk};

/// Who reads threats and vulnerabilities: coordinators, auditors and system owners.
/// Board members see levels and the heat map, not what the risks are.
pub fn may_read_details(principal: &Principal) -> bool {
    principal.is_coordinator() || principal.is_auditor() || principal.has_role(Role::Systemagare)
}

/// Who sees the overview (counts and the heat map).
pub fn may_read_overview(principal: &Principal) -> bool {
    may_read_details(principal) || principal.has_role(Role::Fortroendevald)
}

/// The coordinator, the analysis owner, and the owner and administrators of the analysed system.
async fn may_edit(state: &AppState, principal: &Principal, analysis: &Analysis) -> AppResult<bool> {
    if principal.is_coordinator() || analysis.owner_user_id == Some(principal.user_id) {
        return Ok(true);
    }
    Ok(match analysis.system_id {
        Some(system_id) => {
            crate::systems::store::get(&state.pool, principal.tenant()?, system_id).await?.is_kept_by(principal.user_id)
        }
        None => false,
    })
}

/// An analysis the principal may read, and whether they may change it.
pub async fn readable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<(Analysis, bool)> {
    let analysis = store::analysis(&state.pool, principal.tenant()?, id).await?;
    let editable = may_edit(state, principal, &analysis).await?;
    principal.require(may_read_details(principal) || editable)?;
    Ok((analysis, editable))
}

/// A risk the principal may read, its analysis, and whether they may change it.
pub async fn readable_risk(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<(Risk, Analysis, bool)> {
    let risk = store::risk(&state.pool, principal.tenant()?, id).await?;
    let (analysis, editable) = readable(state, principal, risk.analysis_id).await?;
    Ok((risk, analysis, editable))
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
    let (before, editable) = readable(state, principal, id).await?;
    principal.require(editable)?;
    let input = form.validate().map_err(AppError::Validation)?;
    check_owner(principal, before.owner_person_id, input.owner_person_id)?;
    let mut tx = state.pool.begin().await?;
    version::lock_current(&mut tx, Versioned::RiskAnalysis, principal.tenant()?, id, expected).await?;
    let analysis = store::update_analysis(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(analysis)
}

pub async fn add_risk(state: &AppState, principal: &Principal, analysis_id: Uuid, form: &RiskForm) -> AppResult<Risk> {
    let (_, editable) = readable(state, principal, analysis_id).await?;
    principal.require(editable)?;
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
    let (_, _, editable) = readable_risk(state, principal, id).await?;
    principal.require(editable)?;
    let m = principal.tenant()?;
    let input = form.validate(&store::scale(&state.pool, m).await?).map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    version::lock_current(&mut tx, Versioned::Risk, m, id, expected).await?;
    let risk = store::update_risk(&mut tx, &Actor::from(principal), m, id, &input).await?;
    tx.commit().await?;
    Ok(risk)
}

/// Only the owner of the analysis accepts a risk.
pub async fn accept(state: &AppState, principal: &Principal, id: Uuid, comment: &str) -> AppResult<Risk> {
    let (_, analysis, _) = readable_risk(state, principal, id).await?;
    principal.require(analysis.owner_user_id == Some(principal.user_id))?;
    let mut tx = state.pool.begin().await?;
    let risk = store::accept(&mut tx, &Actor::from(principal), principal.tenant()?, id, comment).await?;
    tx.commit().await?;
    Ok(risk)
}

pub async fn delete_risk(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Uuid> {
    let (_, _, editable) = readable_risk(state, principal, id).await?;
    principal.require(editable)?;
    let mut tx = state.pool.begin().await?;
    let analysis_id = store::delete_risk(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(analysis_id)
}

pub async fn set_scale(state: &AppState, principal: &Principal, scale: &Scale) -> AppResult<()> {
    principal.require(principal.is_coordinator())?;
    let mut tx = state.pool.begin().await?;
    store::set_scale(&mut tx, &Actor::from(principal), principal.tenant()?, scale).await?;
    tx.commit().await?;
    Ok(())
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
        .routes(routes!(api::matrix))
}
