//! KLASSA classification of information assets (versioned, approved by the information
//! owner), the systems' derived protection levels, the requirement catalogue, and the
//! system owners' self-assessment of the measures their level requires.

pub mod api;
pub mod import;
pub mod import_pages;
pub mod klassa;
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
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::systems::store::{Asset, System};
use crate::web::layout::{MenuEntry, Task};
use model::{AssessmentForm, ClassificationForm, MeasureForm};
use store::{Classification, Measure, RequiredMeasure};

/// An asset and its system, if the principal may read them.
pub async fn readable_asset(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<(Asset, System)> {
    let asset = crate::systems::store::asset(&state.pool, principal.tenant()?, id).await?;
    let system = crate::systems::store::get(&state.pool, principal.tenant()?, asset.system_id).await?;
    principal.require(
        crate::systems::policy::may_read(principal)
            || system.is_kept_by(principal.user_id)
            || is_information_owner(principal, &asset),
    )?;
    Ok((asset, system))
}

pub async fn classify(
    state: &AppState,
    principal: &Principal,
    asset_id: Uuid,
    form: &ClassificationForm,
) -> AppResult<Classification> {
    let (asset, system) = readable_asset(state, principal, asset_id).await?;
    principal.require(may_classify(principal, &system, &asset))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let today = crate::web::format::today();
    let classification =
        store::classify(&mut tx, &Actor::from(principal), principal.tenant()?, asset_id, &input, today).await?;
    tx.commit().await?;
    Ok(classification)
}

/// "Be om godkännande": whoever may classify asks the information owner to approve; the name
/// of the one asked.
pub async fn request_approval(state: &AppState, principal: &Principal, asset_id: Uuid) -> AppResult<String> {
    let (asset, system) = readable_asset(state, principal, asset_id).await?;
    principal.require(may_classify(principal, &system, &asset))?;
    let mut tx = state.pool.begin().await?;
    let today = crate::web::format::today();
    let asked = store::request_approval(&mut tx, &Actor::from(principal), principal.tenant()?, asset_id, today).await?;
    tx.commit().await?;
    Ok(asked)
}

pub async fn approve(state: &AppState, principal: &Principal, asset_id: Uuid) -> AppResult<Classification> {
    let (asset, _) = readable_asset(state, principal, asset_id).await?;
    principal.require(is_information_owner(principal, &asset))?;
    let mut tx = state.pool.begin().await?;
    let classification = store::approve(&mut tx, &Actor::from(principal), principal.tenant()?, asset_id).await?;
    tx.commit().await?;
    Ok(classification)
}

/// Adds the measures of Lisa's starter catalogue the municipality lacks; how many were added.
pub async fn add_starter_catalogue(state: &AppState, principal: &Principal) -> AppResult<usize> {
    principal.require(may_keep_catalogue(principal))?;
    let mut tx = state.pool.begin().await?;
    let added = store::add_starter_catalogue(&mut tx, &Actor::from(principal), principal.tenant()?).await?;
    tx.commit().await?;
    Ok(added)
}

pub async fn delete_measure(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    principal.require(may_keep_catalogue(principal))?;
    let mut tx = state.pool.begin().await?;
    store::delete_measure(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn save_measure(
    state: &AppState,
    principal: &Principal,
    id: Option<Uuid>,
    form: &MeasureForm,
) -> AppResult<Measure> {
    principal.require(may_keep_catalogue(principal))?;
    let m = principal.tenant()?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let actor = Actor::from(principal);
    let measure = match id {
        Some(id) => store::update_measure(&mut tx, &actor, m, id, &input).await?,
        None => store::add_measure(&mut tx, &actor, m, &input).await?,
    };
    tx.commit().await?;
    Ok(measure)
}

pub async fn assess(
    state: &AppState,
    principal: &Principal,
    system_id: Uuid,
    measure_id: Uuid,
    form: &AssessmentForm,
) -> AppResult<RequiredMeasure> {
    let system = crate::systems::readable(state, principal, system_id).await?;
    principal.require(crate::systems::policy::may_edit(principal, &system))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let assessed =
        store::assess(&mut tx, &Actor::from(principal), principal.tenant()?, system_id, measure_id, &input).await?;
    tx.commit().await?;
    Ok(assessed)
}

/// Reads a catalogue from CSV (code; title; category; aspect; min level; applies to) and
/// adds or updates each measure by its code, all or nothing.
pub async fn import_catalogue(state: &AppState, principal: &Principal, text: &str) -> AppResult<usize> {
    principal.require(may_keep_catalogue(principal))?;
    let forms = model::parse_catalogue(text).map_err(AppError::BadRequest)?;
    let m = principal.tenant()?;
    let actor = Actor::from(principal);
    let mut tx = state.pool.begin().await?;
    let existing = store::catalogue(&mut *tx, m).await?;
    for form in &forms {
        let input = form.validate().map_err(AppError::Validation)?;
        match existing.iter().find(|e| e.code == input.code) {
            Some(found) => store::update_measure(&mut tx, &actor, m, found.id, &input).await?,
            None => store::add_measure(&mut tx, &actor, m, &input).await?,
        };
    }
    tx.commit().await?;
    Ok(forms.len())
}

/// The municipality's requirement catalogue, read by whoever reads the systems.
pub async fn catalogue(state: &AppState, principal: &Principal) -> AppResult<Vec<Measure>> {
    principal.require(crate::systems::policy::may_read(principal))?;
    store::catalogue(&state.pool, principal.tenant()?).await
}

/// A catalogue measure, for whoever keeps the catalogue (to change or delete it).
pub async fn kept_measure(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Measure> {
    principal.require(may_keep_catalogue(principal))?;
    store::measure(&state.pool, principal.tenant()?, id).await
}

/// The area's pages in the menu: the catalogue, read by whoever reads the systems.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    let shown = principal.in_municipality() && crate::systems::policy::may_read(principal);
    MenuEntry::when(shown, Task::Systems, "/catalogue", "Åtgärdskatalog").into_iter().collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/{id}", get(pages::asset))
        .route("/assets/{id}/classifications", post(pages::classify))
        .route("/assets/{id}/approve", post(pages::approve))
        .route("/assets/{id}/approval-request", post(pages::request_approval))
        .route("/systems/{id}/measures", get(pages::measures))
        .route("/systems/{id}/measures/{measure_id}", post(pages::assess))
        .route("/catalogue", get(pages::catalogue).post(pages::add_measure))
        .route("/catalogue.csv", get(pages::catalogue_csv))
        .route("/catalogue/starter", post(pages::add_starter))
        .route("/catalogue/import", post(pages::import))
        .route("/classifications/import", get(import_pages::form).post(import_pages::save))
        .route("/classifications/import/preview", post(import_pages::preview))
        .route("/classifications/plan-import", get(import_pages::plan_form).post(import_pages::plan_save))
        .route("/classifications/plan-import/preview", post(import_pages::plan_preview))
        .route(
            "/classifications/import/file",
            post(import_pages::preview_file).layer(crate::web::files::upload_limit()),
        )
        .route("/catalogue/{id}", get(pages::measure).post(pages::update_measure))
        .route("/catalogue/{id}/delete", get(pages::confirm_delete_measure).post(pages::delete_measure))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::classifications, api::classify))
        .routes(routes!(api::approve))
        .routes(routes!(api::request_approval))
        .routes(routes!(api::import_classifications))
        .routes(routes!(api::import_plan))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(api::import_classification_file))
                .layer(crate::web::files::upload_limit()),
        )
        .routes(routes!(api::catalogue, api::add_measure))
        .routes(routes!(api::required_measures))
        .routes(routes!(api::assess))
}
