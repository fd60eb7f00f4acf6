//! JSON API for actions.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::{ActionForm, NoteForm};
use super::store::{self, Action, Filter, Plan};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::web::pagination::{ApiPage, Paged};
use crate::web::version::{self, IfMatch, Version};

const TAG: &str = "Åtgärder";

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewAction {
    /// Where the action comes from (all optional).
    #[serde(flatten)]
    pub origin: super::Origin,
    #[serde(flatten)]
    pub action: ActionForm,
}

/// The actions, filtered, in priority and date order, a page at a time.
#[utoipa::path(get, path = "/actions", tag = TAG, params(Filter, ApiPage),
    responses((status = 200, body = Vec<Action>, headers(("X-Total-Count" = i64), ("Link" = String))), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    uri: OriginalUri,
    Query(filter): Query<Filter>,
    Query(paging): Query<ApiPage>,
) -> AppResult<Paged<Action>> {
    let (items, pager) = super::page(&state, &principal, &filter, paging.asked()).await?;
    Ok(Paged { items, pager, uri: uri.0 })
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanDetail {
    #[serde(flatten)]
    pub plan: Plan,
    pub actions: Vec<Action>,
    /// Share of the plan's actions that are done, in percent.
    pub progress_percent: usize,
}

/// A year's handlingsplan with its actions and progress.
#[utoipa::path(get, path = "/plans/{year}", tag = TAG, params(("year" = i32, Path)),
    responses((status = 200, body = PlanDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn plan(
    State(state): State<AppState>,
    principal: Principal,
    Path(year): Path<i32>,
) -> AppResult<Json<PlanDetail>> {
    let (plan, actions) = super::plan(&state, &principal, year).await?;
    let done = actions.iter().filter(|a| a.status == super::model::Status::Klar).count();
    Ok(Json(PlanDetail { progress_percent: crate::web::format::percent(done, actions.len()), plan, actions }))
}

/// Plans an action: the coordinator any; owners of a risk analysis or system for their own.
#[utoipa::path(post, path = "/actions", tag = TAG, request_body = NewAction,
    responses((status = 201, body = Action), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(request): Json<NewAction>,
) -> AppResult<(StatusCode, Json<Action>)> {
    let action = super::create(&state, &principal, &request.origin, &request.action).await?;
    Ok((StatusCode::CREATED, Json(action)))
}

#[utoipa::path(get, path = "/actions/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Action), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<impl IntoResponse> {
    let (action, _) = super::readable(&state, &principal, id).await?;
    Ok(([(header::ETAG, Version::of(action.updated_at).etag())], Json(action)))
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

/// Changes an action's title, description, owner, due date, priority and effort (coordinator).
/// Send the ETag from GET as If-Match: a change made from an older version is refused with 412.
#[utoipa::path(put, path = "/actions/{id}", tag = TAG, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = ActionForm,
    responses((status = 200, body = Action), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(form): Json<ActionForm>,
) -> AppResult<impl IntoResponse> {
    let (expected, sent_if_match) = if_match.or(&form.version);
    let action = super::update(&state, &principal, id, &form, expected)
        .await
        .map_err(|err| version::precondition(err, sent_if_match))?;
    Ok(([(header::ETAG, Version::of(action.updated_at).etag())], Json(action)))
}
