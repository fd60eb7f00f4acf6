//! Actions (åtgärder): one table for everything that needs doing, linked to where it
//! comes from (so far: audit recommendations; later also risks and security measures).

pub mod api;
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
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use model::{ActionForm, NoteForm};
use store::Action;

/// The coordinator plans actions.
pub fn may_create(principal: &Principal) -> bool {
    principal.is_coordinator()
}

/// Who may read an action: those who read audits, and the action's owner.
async fn require_read(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<bool> {
    let owner = store::is_owner(&state.pool, principal.tenant()?, id, principal.user_id).await?;
    principal.require(owner || crate::audits::may_read(principal))?;
    Ok(owner)
}

/// Creates an action from a form, for a recommendation when one is given.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    recommendation_id: Option<Uuid>,
    form: &ActionForm,
) -> AppResult<Action> {
    principal.require(may_create(principal))?;
    let m = principal.tenant()?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    if let Some(id) = recommendation_id {
        crate::audits::store::get_recommendation(&mut *tx, m, id).await?;
    }
    let action = store::create(&mut tx, &Actor::from(principal), m, recommendation_id, &input).await?;
    tx.commit().await?;
    Ok(action)
}

/// Changes an action's details (the coordinator plans; owners report through notes).
pub async fn update(state: &AppState, principal: &Principal, id: Uuid, form: &ActionForm) -> AppResult<Action> {
    principal.require(may_create(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let action = store::update(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(action)
}

/// A progress note or evidence, by the action's owner or the coordinator.
pub async fn add_note(state: &AppState, principal: &Principal, id: Uuid, form: &NoteForm) -> AppResult<Action> {
    let m = principal.tenant()?;
    store::get(&state.pool, m, id).await?;
    let owner = require_read(state, principal, id).await?;
    principal.require(owner || principal.is_coordinator())?;
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
    store::get(&state.pool, m, id).await?;
    let owner = require_read(state, principal, id).await?;
    principal.require(owner || principal.is_coordinator())?;
    let refuse = |message: &str| {
        AppError::Validation(crate::error::FieldErrors::from([("file".to_string(), message.to_string())]))
    };
    if content.is_empty() {
        return Err(refuse("Välj en fil att bifoga."));
    }
    if content.len() > crate::web::files::MAX_FILE_BYTES {
        return Err(refuse("Filen får vara högst 20 MB."));
    }
    let name = crate::web::files::safe_name(file_name, "underlag");
    let content_type = if content_type.trim().is_empty() { "application/octet-stream" } else { content_type.trim() };
    let mut tx = state.pool.begin().await?;
    store::attach_file(&mut tx, &Actor::from(principal), m, id, &name, content_type, content).await?;
    tx.commit().await?;
    Ok(())
}

/// An attached file as a download (always an attachment, whatever its type).
pub async fn download_file(
    axum::extract::State(state): axum::extract::State<AppState>,
    principal: Principal,
    axum::extract::Path((id, file_id)): axum::extract::Path<(Uuid, Uuid)>,
) -> AppResult<axum::response::Response> {
    let file = store::file(&state.pool, principal.tenant()?, id, file_id).await?;
    require_read(&state, &principal, id).await?;
    Ok(crate::web::files::download(&file.file_name, &file.content_type, file.content))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/actions", post(pages::create))
        .route("/actions/{id}", get(pages::show).post(pages::update))
        .route("/actions/{id}/notes", post(pages::add_note))
        .route(
            "/actions/{id}/files",
            post(pages::attach_file)
                .layer(axum::extract::DefaultBodyLimit::max(crate::web::files::MAX_FILE_BYTES + 64 * 1024)),
        )
        .route("/actions/{id}/files/{file_id}", get(download_file))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::create))
        .routes(routes!(api::get, api::update))
        .routes(routes!(api::add_note))
        .routes(routes!(api::attach_file))
}
