//! JSON API for actions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use super::model::{ActionForm, NoteForm};
use super::store::{self, Action};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};

const TAG: &str = "Åtgärder";

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewAction {
    /// The recommendation the action comes from (optional).
    pub recommendation_id: Option<Uuid>,
    #[serde(flatten)]
    pub action: ActionForm,
}

/// Plans an action (coordinator).
#[utoipa::path(post, path = "/actions", tag = TAG, request_body = NewAction,
    responses((status = 201, body = Action), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(request): Json<NewAction>,
) -> AppResult<(StatusCode, Json<Action>)> {
    let action = super::create(&state, &principal, request.recommendation_id, &request.action).await?;
    Ok((StatusCode::CREATED, Json(action)))
}

#[utoipa::path(get, path = "/actions/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Action), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, principal: Principal, Path(id): Path<Uuid>) -> AppResult<Json<Action>> {
    let action = store::get(&state.pool, principal.tenant()?, id).await?;
    super::require_read(&state, &principal, id).await?;
    Ok(Json(action))
}

/// Adds a progress note or evidence, optionally changing the status (owner or coordinator).
#[utoipa::path(post, path = "/actions/{id}/notes", tag = TAG, params(("id" = Uuid, Path)), request_body = NoteForm,
    responses((status = 200, body = Action), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_note(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<NoteForm>,
) -> AppResult<Json<Action>> {
    Ok(Json(super::add_note(&state, &principal, id, &form).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct FileQuery {
    /// The file's name, e.g. "beslut.pdf".
    pub file_name: String,
}

/// Attaches a file as evidence (the request body is the file; at most 20 MB).
#[utoipa::path(post, path = "/actions/{id}/files", tag = TAG, params(("id" = Uuid, Path), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = Action), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn attach_file(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    axum::extract::Query(query): axum::extract::Query<FileQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<Json<Action>> {
    let content_type = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    super::attach_file(&state, &principal, id, &query.file_name, content_type, &body).await?;
    Ok(Json(store::get(&state.pool, principal.tenant()?, id).await?))
}

/// Changes an action's title, description, owner and due date (coordinator).
#[utoipa::path(put, path = "/actions/{id}", tag = TAG, params(("id" = Uuid, Path)), request_body = ActionForm,
    responses((status = 200, body = Action), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<ActionForm>,
) -> AppResult<Json<Action>> {
    Ok(Json(super::update(&state, &principal, id, &form).await?))
}
