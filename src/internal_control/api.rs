//! JSON API for internal control.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use uuid::Uuid;

use super::Filter;
use super::model::{PointForm, ResultForm};
use super::store::Point;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::web::version::{self, IfMatch, Version};

const TAG: &str = "Internkontroll";

/// Control points with their results, by body and year.
#[utoipa::path(get, path = "/internal-control/points", tag = TAG, params(Filter),
    responses((status = 200, body = Vec<Point>), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Json<Vec<Point>>> {
    Ok(Json(super::list(&state, &principal, &filter).await?))
}

/// Adds a control point to a body's plan (coordinator, or those appointed for the body).
#[utoipa::path(post, path = "/internal-control/points", tag = TAG, request_body = PointForm,
    responses((status = 201, body = Point), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<PointForm>,
) -> AppResult<impl IntoResponse> {
    let point = super::create(&state, &principal, &form).await?;
    let etag = Version::of(point.updated_at).etag();
    Ok((StatusCode::CREATED, [(header::ETAG, etag)], Json(point)))
}

/// Changes a control point; If-Match refuses a change made from an older version with 412.
#[utoipa::path(put, path = "/internal-control/points/{id}", tag = TAG, params(("id" = Uuid, Path)), request_body = PointForm,
    responses((status = 200, body = Point), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(form): Json<PointForm>,
) -> AppResult<impl IntoResponse> {
    let (expected, sent_if_match) = if_match.or(&form.version);
    let point = super::update(&state, &principal, id, &form, expected)
        .await
        .map_err(|err| version::precondition(err, sent_if_match))?;
    let etag = Version::of(point.updated_at).etag();
    Ok(([(header::ETAG, etag)], Json(point)))
}

/// Removes a control point with its results.
#[utoipa::path(delete, path = "/internal-control/points/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    super::delete(&state, &principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records a performed control; `avvikelse` proposes an action (source "internkontroll").
#[utoipa::path(post, path = "/internal-control/points/{id}/results", tag = TAG, params(("id" = Uuid, Path)),
    request_body = ResultForm,
    responses((status = 201, body = Point), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn record_result(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<ResultForm>,
) -> AppResult<(StatusCode, Json<Point>)> {
    Ok((StatusCode::CREATED, Json(super::record_result(&state, &principal, id, &form).await?)))
}
