//! JSON API for incidents, their clocks, timeline, reports and the yearly summary.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

use super::clocks::Clock;
use super::model::{EventForm, HandlingForm, ReportForm, SentReportForm};
use super::pages::YearQuery;
use super::store::{Filter, Incident};
use super::summary::Summary;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::web::pagination::{ApiPage, Paged};
use crate::web::version::{self, IfMatch, Version};

const TAG: &str = "Incidenter";

/// An incident with its number and, for those who handle it, its legal clocks as of now. A
/// reporter gets the same projection as the page shows them: the handling fields are empty.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IncidentView {
    /// INC-2026-0042.
    pub reference: String,
    /// handle (everything) or reporter (what was reported and its status).
    pub access: super::Access,
    #[serde(flatten)]
    pub incident: Incident,
    pub clocks: Vec<Clock>,
}

impl IncidentView {
    fn for_access(incident: Incident, access: super::Access) -> Self {
        let incident = incident.for_access(access);
        let clocks = if access == super::Access::Handle { incident.clocks(Utc::now()) } else { Vec::new() };
        IncidentView { reference: incident.reference(), access, incident, clocks }
    }

    pub fn handled(incident: Incident) -> Self {
        IncidentView::for_access(incident, super::Access::Handle)
    }
}

/// The incidents (coordinator and receivers), newest first, a page at a time.
#[utoipa::path(get, path = "/incidents", tag = TAG, params(Filter, ApiPage),
    responses((status = 200, body = Vec<IncidentView>, headers(("X-Total-Count" = i64), ("Link" = String))), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    uri: OriginalUri,
    Query(filter): Query<Filter>,
    Query(paging): Query<ApiPage>,
) -> AppResult<Paged<IncidentView>> {
    let (incidents, pager) = super::page(&state, &principal, &filter, paging.asked()).await?;
    Ok(Paged { items: incidents.into_iter().map(IncidentView::handled).collect(), pager, uri: uri.0 })
}

/// Reports an incident (anyone with a role in the municipality).
#[utoipa::path(post, path = "/incidents", tag = TAG, request_body = ReportForm,
    responses((status = 201, body = IncidentView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn report(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<ReportForm>,
) -> AppResult<(StatusCode, Json<IncidentView>)> {
    let reported = super::report(&state, &principal, &form).await?;
    let (incident, access) = super::readable(&state, &principal, reported.id).await?;
    Ok((StatusCode::CREATED, Json(IncidentView::for_access(incident, access))))
}

/// One incident: handlers see everything, the reporter their own report.
#[utoipa::path(get, path = "/incidents/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = IncidentView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<impl IntoResponse> {
    let (incident, access) = super::readable(&state, &principal, id).await?;
    // Only handlers change it, so only they get its version.
    let etag = (access == super::Access::Handle).then(|| [(header::ETAG, Version::of(incident.updated_at).etag())]);
    Ok((etag, Json(IncidentView::for_access(incident, access))))
}

/// Records the handling: category, severity, impact, legal assessment, escalation, analysis, status.
/// Send the ETag from GET as If-Match: a change made from an older version is refused with 412.
#[utoipa::path(put, path = "/incidents/{id}", tag = TAG, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = HandlingForm,
    responses((status = 200, body = IncidentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn handle(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(form): Json<HandlingForm>,
) -> AppResult<impl IntoResponse> {
    let (expected, sent_if_match) = if_match.or(&form.version);
    let incident = super::handle(&state, &principal, id, &form, expected)
        .await
        .map_err(|err| version::precondition(err, sent_if_match))?;
    let etag = Version::of(incident.updated_at).etag();
    Ok(([(header::ETAG, etag)], Json(IncidentView::handled(incident))))
}

#[utoipa::path(post, path = "/incidents/{id}/events", tag = TAG, params(("id" = Uuid, Path)), request_body = EventForm,
    responses((status = 200, body = IncidentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_event(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<EventForm>,
) -> AppResult<Json<IncidentView>> {
    Ok(Json(super::add_event(&state, &principal, id, &form).await.map(IncidentView::handled)?))
}

/// Records a report sent to IMY or MCF; a late one needs reasons.
#[utoipa::path(post, path = "/incidents/{id}/reports", tag = TAG, params(("id" = Uuid, Path)), request_body = SentReportForm,
    responses((status = 200, body = IncidentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_report(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<SentReportForm>,
) -> AppResult<Json<IncidentView>> {
    Ok(Json(super::add_report(&state, &principal, id, &form).await.map(IncidentView::handled)?))
}

/// The year's summary by category, severity and system, and reporting compliance.
#[utoipa::path(get, path = "/incidents/summary", tag = TAG, params(YearQuery), responses((status = 200, body = Summary), (status = 403, body = Problem)))]
pub async fn summary(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<YearQuery>,
) -> AppResult<Json<Summary>> {
    Ok(Json(super::summary_of(&state, &principal, query.year).await?.1))
}
