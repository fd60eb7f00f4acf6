//! JSON API for annual reports.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::figures::{Figures, KeyRow};
use super::store::{Report, ReportText};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::web::version::{self, IfMatch, Version};

const TAG: &str = "Årsrapport";

/// The reports the caller may read (drafts only for the coordinator), newest year first.
#[utoipa::path(get, path = "/reports", tag = TAG, responses((status = 200, body = Vec<Report>), (status = 403, body = Problem)))]
pub async fn list(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Vec<Report>>> {
    Ok(Json(super::visible(&state, &principal).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewReport {
    /// The year the report covers, e.g. "2026".
    pub year: String,
}

/// Starts a draft for a year (coordinator).
#[utoipa::path(post, path = "/reports", tag = TAG, request_body = NewReport,
    responses((status = 201, body = Report), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(new): Json<NewReport>,
) -> AppResult<(StatusCode, Json<Report>)> {
    Ok((StatusCode::CREATED, Json(super::create(&state, &principal, &new.year).await?)))
}

/// A report with its figures (frozen once published) and key rows beside the previous year.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub report: Report,
    pub figures: Figures,
    pub key_rows: Vec<KeyRow>,
}

#[utoipa::path(get, path = "/reports/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = ReportDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<impl IntoResponse> {
    let report = super::readable(&state, &principal, id).await?;
    let contents = super::contents(&state, &principal, &report).await?;
    let etag = Version::of(report.updated_at).etag();
    Ok(([(header::ETAG, etag)], Json(ReportDetail { report, figures: contents.figures, key_rows: contents.key_rows })))
}

/// The report as PDF.
#[utoipa::path(get, path = "/reports/{id}/pdf", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn pdf(State(state): State<AppState>, principal: Principal, Path(id): Path<Uuid>) -> AppResult<Response> {
    let (report, bytes) = super::pdf(&state, &principal, id).await?;
    Ok(crate::web::files::download(&format!("ledningens-genomgang-{}.pdf", report.year), "application/pdf", bytes))
}

/// Freezes the figures and makes the report readable by board members and auditors (coordinator).
#[utoipa::path(post, path = "/reports/{id}/publish", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Report>> {
    Ok(Json(super::publish(&state, &principal, id).await?))
}

/// Writes the coordinator's texts; once published, only the board's decisions and their reference change.
/// Saves the texts. Send the ETag from GET as If-Match: a change made from an older version is
/// refused with 412.
#[utoipa::path(put, path = "/reports/{id}", tag = TAG, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = ReportText,
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(text): Json<ReportText>,
) -> AppResult<impl IntoResponse> {
    let (expected, sent_if_match) = if_match.or(&text.version);
    let report = super::update(&state, &principal, id, &text, expected)
        .await
        .map_err(|err| version::precondition(err, sent_if_match))?;
    Ok(([(header::ETAG, Version::of(report.updated_at).etag())], Json(report)))
}
