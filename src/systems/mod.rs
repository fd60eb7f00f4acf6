//! Information systems: the inventory, who owns and keeps each system, what it depends
//! on, the information assets it handles, the CSV import and the coverage page.

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
use model::SystemForm;
use store::{Asset, AssetForm, System};

/// A system the principal may read (404 for another municipality's, 403 without the right).
pub async fn readable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<System> {
    let system = store::get(&state.pool, principal.tenant()?, id).await?;
    principal.require(may_read(principal) || system.is_kept_by(principal.user_id))?;
    Ok(system)
}

/// A page of the systems a filter matches, on the caller's connection (page and API alike).
pub async fn page(
    db: &mut sqlx::PgConnection,
    principal: &Principal,
    filter: &store::Filter,
    asked: crate::web::pagination::Asked,
) -> AppResult<(Vec<System>, crate::web::pagination::Pager)> {
    principal.require(may_read(principal))?;
    store::page(db, principal.tenant()?, filter, crate::web::format::today(), asked).await
}

/// The ids of every system a filter matches, for the CSV export.
pub async fn matching_ids(state: &AppState, principal: &Principal, filter: &store::Filter) -> AppResult<Vec<Uuid>> {
    principal.require(may_read(principal))?;
    store::ids(&mut *state.pool.acquire().await?, principal.tenant()?, filter, crate::web::format::today()).await
}

/// Coverage per body and in total (page and API alike).
pub async fn coverage(
    state: &AppState,
    principal: &Principal,
) -> AppResult<(Vec<store::CoverageRow>, store::CoverageRow)> {
    principal.require(may_read(principal))?;
    let today = crate::web::format::today();
    let systems =
        store::list(&mut *state.pool.acquire().await?, principal.tenant()?, &store::Filter::default(), today).await?;
    Ok(store::coverage(&systems, today))
}

/// A system the principal may change.
pub async fn editable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<System> {
    let system = readable(state, principal, id).await?;
    principal.require(may_edit(principal, &system))?;
    Ok(system)
}

/// A system the principal may delete (whoever registers systems).
pub async fn deletable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<System> {
    let system = readable(state, principal, id).await?;
    principal.require(may_create(principal))?;
    Ok(system)
}

/// An empty system form (reviewed yearly), or the import form, for whoever registers systems.
pub fn new_system_form(principal: &Principal) -> AppResult<SystemForm> {
    principal.require(may_create(principal))?;
    Ok(SystemForm { review_interval_months: "12".into(), ..SystemForm::default() })
}

pub async fn create(state: &AppState, principal: &Principal, form: &SystemForm) -> AppResult<System> {
    principal.require(may_create(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let system = store::create(&mut tx, &Actor::from(principal), principal.tenant()?, &input).await?;
    tx.commit().await?;
    Ok(system)
}

/// Changes a system; `expected` is the version the change was made from (none: no check).
pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    form: &SystemForm,
    expected: Option<Version>,
) -> AppResult<System> {
    let system = readable(state, principal, id).await?;
    principal.require(may_edit(principal, &system))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    lost_updates::lock_current(&mut tx, Versioned::System, principal.tenant()?, id, expected).await?;
    let system = store::update(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(system)
}

pub async fn delete(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    readable(state, principal, id).await?;
    principal.require(may_create(principal))?;
    let mut tx = state.pool.begin().await?;
    store::delete(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn record_major_change(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<System> {
    let system = readable(state, principal, id).await?;
    principal.require(may_edit(principal, &system))?;
    let mut tx = state.pool.begin().await?;
    let today = crate::web::format::today();
    let system = store::record_major_change(&mut tx, &Actor::from(principal), principal.tenant()?, id, today).await?;
    tx.commit().await?;
    Ok(system)
}

/// `target` is another system's id, or the name of an external party.
pub async fn add_dependency(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    target: Result<Uuid, String>,
    description: &str,
) -> AppResult<()> {
    let system = readable(state, principal, id).await?;
    principal.require(may_edit(principal, &system))?;
    let mut tx = state.pool.begin().await?;
    store::add_dependency(&mut tx, &Actor::from(principal), principal.tenant()?, id, target, description).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_dependency(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    dependency_id: Uuid,
) -> AppResult<()> {
    let system = readable(state, principal, id).await?;
    principal.require(may_edit(principal, &system))?;
    let mut tx = state.pool.begin().await?;
    store::remove_dependency(&mut tx, &Actor::from(principal), principal.tenant()?, id, dependency_id).await?;
    tx.commit().await?;
    Ok(())
}

/// The information owner approves the classification, so naming one is the coordinator's.
fn check_information_owner(principal: &Principal, before: Option<Uuid>, after: Option<Uuid>) -> AppResult<()> {
    if crate::auth::model::may_name_approver(principal, before, after) {
        Ok(())
    } else {
        Err(crate::error::field_error("owner_person_id", "Bara samordnaren kan utse eller byta informationsägare."))
    }
}

pub async fn add_asset(state: &AppState, principal: &Principal, system_id: Uuid, form: &AssetForm) -> AppResult<Asset> {
    let system = readable(state, principal, system_id).await?;
    principal.require(may_edit(principal, &system))?;
    let input = form.validate().map_err(AppError::Validation)?;
    check_information_owner(principal, None, input.owner_person_id)?;
    let mut tx = state.pool.begin().await?;
    let asset = store::add_asset(&mut tx, &Actor::from(principal), principal.tenant()?, system_id, &input).await?;
    tx.commit().await?;
    Ok(asset)
}

pub async fn update_asset(state: &AppState, principal: &Principal, id: Uuid, form: &AssetForm) -> AppResult<Asset> {
    let asset = store::asset(&state.pool, principal.tenant()?, id).await?;
    let system = readable(state, principal, asset.system_id).await?;
    principal.require(may_edit(principal, &system))?;
    let input = form.validate().map_err(AppError::Validation)?;
    check_information_owner(principal, asset.owner_person_id, input.owner_person_id)?;
    let mut tx = state.pool.begin().await?;
    let asset = store::update_asset(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(asset)
}

/// Parses an inventory file against the municipality's organisation and systems.
pub async fn preview_import(state: &AppState, principal: &Principal, text: &str) -> AppResult<Vec<model::ImportRow>> {
    principal.require(may_create(principal))?;
    let m = principal.tenant()?;
    let bodies: Vec<(Uuid, String)> =
        crate::org::store::list_bodies(&state.pool, m).await?.into_iter().map(|b| (b.id, b.name)).collect();
    let mut conn = state.pool.acquire().await?;
    let (people, _) = crate::org::store::search_people(&mut conn, m, "", None).await?;
    let people: Vec<(Uuid, String)> = people.into_iter().map(|p| (p.id, p.name)).collect();
    let existing: Vec<String> = store::names(&mut *conn, m).await?.into_iter().map(|(_, n)| n).collect();
    drop(conn);
    let text = text.to_string();
    crate::web::heavy::run(move || model::parse_import(&text, &bodies, &people, &existing))
        .await?
        .map_err(AppError::BadRequest)
}

/// Saves the rows without errors, all in one transaction; returns how many were saved
/// and how many were left out.
pub async fn confirm_import(state: &AppState, principal: &Principal, text: &str) -> AppResult<(usize, usize)> {
    let rows = preview_import(state, principal, text).await?;
    let m = principal.tenant()?;
    let actor = Actor::from(principal);
    let mut tx = state.pool.begin().await?;
    let mut saved = 0;
    for row in rows.iter().filter(|r| r.errors.is_empty()) {
        let input = row.form.validate().map_err(AppError::Validation)?;
        store::create(&mut tx, &actor, m, &input).await?;
        saved += 1;
    }
    tx.commit().await?;
    Ok((saved, rows.len() - saved))
}

/// The area's pages in the menu.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    let shown = principal.in_municipality() && may_read(principal);
    [
        MenuEntry::when(shown, Task::Systems, "/systems", "System"),
        MenuEntry::when(shown, Task::Systems, "/coverage", "Klassning"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/systems", get(pages::list).post(pages::create))
        .route("/systems.csv", get(pages::export))
        .route("/systems/new", get(pages::new))
        .route("/systems/import", get(pages::import_form).post(pages::import_preview))
        .route("/systems/import/confirm", post(pages::import_confirm))
        .route("/systems/{id}", get(pages::show).post(pages::update))
        .route("/systems/{id}/edit", get(pages::edit))
        .route("/systems/{id}/delete", get(pages::confirm_delete).post(pages::delete))
        .route("/systems/{id}/major-change", post(pages::major_change))
        .route("/systems/{id}/dependencies", post(pages::add_dependency))
        .route("/systems/{id}/dependencies/{dependency_id}/delete", post(pages::remove_dependency))
        .route("/systems/{id}/assets", post(pages::add_asset))
        .route("/assets/{id}/edit", post(pages::update_asset))
        .route("/coverage", get(pages::coverage))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get, api::update))
        .routes(routes!(api::add_asset))
        .routes(routes!(api::update_asset))
        .routes(routes!(api::coverage))
}
