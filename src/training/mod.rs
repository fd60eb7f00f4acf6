//! Training (utbildning): campaigns, target groups with how many completed (typed in or
//! imported from the learning platform's export), participation per group and year, and the
//! trend — with the lowest group, often the elected officials, made visible.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod policy;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
pub use policy::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::audit_log::Actor;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::web::layout::{MenuEntry, Task};
use model::{CampaignForm, GroupCount, ImportSummary, YearRow};
use store::Campaign;

/// Whether the principal may add a campaign: the form is shown only then.
pub fn open_new_form(principal: &Principal) -> AppResult<()> {
    principal.require(may_manage(principal))
}

/// A campaign the principal may change, import into or delete (whoever keeps training).
pub async fn kept(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Campaign> {
    let campaign = readable(state, principal, id).await?;
    principal.require(may_manage(principal))?;
    Ok(campaign)
}

pub async fn readable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Campaign> {
    let campaign = store::campaign(&state.pool, principal.tenant()?, id).await?;
    principal.require(may_read(principal))?;
    Ok(campaign)
}

/// Campaigns, newest first, and the yearly trend over them.
pub async fn overview(state: &AppState, principal: &Principal) -> AppResult<(Vec<Campaign>, Vec<YearRow>)> {
    principal.require(may_read(principal))?;
    let campaigns = store::campaigns(&state.pool, principal.tenant()?).await?;
    let per_year: Vec<(i16, &[GroupCount])> = campaigns.iter().map(|c| (c.year, c.groups.as_slice())).collect();
    let trend = model::trend(&per_year);
    Ok((campaigns, trend))
}

pub async fn create(state: &AppState, principal: &Principal, form: &CampaignForm) -> AppResult<Campaign> {
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let campaign = store::create(&mut tx, &Actor::from(principal), principal.tenant()?, &input).await?;
    tx.commit().await?;
    Ok(campaign)
}

pub async fn update(state: &AppState, principal: &Principal, id: Uuid, form: &CampaignForm) -> AppResult<Campaign> {
    readable(state, principal, id).await?;
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let campaign = store::update(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(campaign)
}

pub async fn delete(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    readable(state, principal, id).await?;
    principal.require(may_manage(principal))?;
    let mut tx = state.pool.begin().await?;
    store::delete(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the campaign's figures with those typed in (groups left empty are removed).
pub async fn set_participation(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    typed: &[(String, String, String)],
) -> AppResult<Campaign> {
    readable(state, principal, id).await?;
    principal.require(may_manage(principal))?;
    let counts = model::validate_counts(typed).map_err(AppError::Validation)?;
    save_counts(state, principal, id, &counts, true).await
}

async fn save_counts(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    counts: &[GroupCount],
    replace_all: bool,
) -> AppResult<Campaign> {
    let mut tx = state.pool.begin().await?;
    let m = principal.tenant()?;
    let campaign = store::set_participation(&mut tx, &Actor::from(principal), m, id, counts, replace_all).await?;
    tx.commit().await?;
    Ok(campaign)
}

/// What a pasted export adds up to; nothing is saved.
pub async fn preview_import(state: &AppState, principal: &Principal, id: Uuid, text: &str) -> AppResult<ImportSummary> {
    readable(state, principal, id).await?;
    principal.require(may_manage(principal))?;
    model::parse_export(text).map_err(AppError::BadRequest)
}

/// Saves the counts of the groups found in the export; other groups keep their figures.
pub async fn confirm_import(state: &AppState, principal: &Principal, id: Uuid, text: &str) -> AppResult<ImportSummary> {
    let summary = preview_import(state, principal, id, text).await?;
    if summary.counts.is_empty() {
        return Err(AppError::BadRequest("Exporten innehöll inga rader som kunde läsas.".into()));
    }
    save_counts(state, principal, id, &summary.counts, false).await?;
    Ok(summary)
}

/// The area's pages in the menu.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    MenuEntry::when(principal.in_municipality() && may_read(principal), Task::Governance, "/training", "Utbildning")
        .into_iter()
        .collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/training", get(pages::overview).post(pages::create))
        .route("/training.csv", get(pages::export))
        .route("/training/new", get(pages::new))
        .route("/training/{id}", get(pages::show).post(pages::update))
        .route("/training/{id}/participation", post(pages::set_participation))
        .route("/training/{id}/import", get(pages::import_form).post(pages::import_preview))
        .route("/training/{id}/import/confirm", post(pages::import_confirm))
        .route("/training/{id}/delete", get(pages::confirm_delete).post(pages::delete))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::campaigns, api::create))
        .routes(routes!(api::campaign))
        .routes(routes!(api::set_participation))
        .routes(routes!(api::trend))
}
