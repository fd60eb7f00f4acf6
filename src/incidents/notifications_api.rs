//! JSON API for the reports to the authorities: which ones an incident needs, each one's text
//! and what it lacks, the facts that fill them in, and marking one sent.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::api::IncidentView;
use super::clocks::ReportKind;
use super::model::SentReportForm;
use super::notices::{Field, NoticeFactsForm};
use super::notifications::{self, Notification};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};

const TAG: &str = "Incidenter";

/// Each report the incident needs (IMY; the CSIRT's early warning, incident notification,
/// status report, final report) with its deadline, when it was sent and the fields it lacks.
#[utoipa::path(get, path = "/incidents/{id}/notifications", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Notification>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn notifications(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<Notification>>> {
    Ok(Json(notifications::list(&state, &principal, id).await?.1))
}

/// One report's ready-to-send text, with "[uppgift saknas]" where a field is missing.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NotificationText {
    pub kind: ReportKind,
    pub text: String,
    pub missing: Vec<Field>,
    pub due_at: DateTime<Utc>,
}

#[utoipa::path(get, path = "/incidents/{id}/notifications/{kind}", tag = TAG,
    params(("id" = Uuid, Path), ("kind" = String, Path, description = "imy, csirt, incidentanmalan, lagesrapport or slutrapport")),
    responses((status = 200, body = NotificationText), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn notification_text(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, kind)): Path<(Uuid, String)>,
) -> AppResult<Json<NotificationText>> {
    let (_, n) = notifications::one(&state, &principal, id, &kind).await?;
    Ok(Json(NotificationText { kind: n.kind, text: n.text, missing: n.missing, due_at: n.due_at }))
}

/// Records the report as sent now (or at `sent_at`) with the text as sent (Lisa's text when
/// `text` is empty); the clock stops. A late one needs `late_reason`.
#[utoipa::path(post, path = "/incidents/{id}/notifications/{kind}/sent", tag = TAG,
    params(("id" = Uuid, Path), ("kind" = String, Path)), request_body = SentReportForm,
    responses((status = 201, body = IncidentView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn notification_sent(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, kind)): Path<(Uuid, String)>,
    Json(form): Json<SentReportForm>,
) -> AppResult<(StatusCode, Json<IncidentView>)> {
    let incident = notifications::mark_sent(&state, &principal, id, &kind, &form).await?;
    Ok((StatusCode::CREATED, Json(IncidentView::handled(incident))))
}

/// What the reports need beyond the handling (only the incident's handlers).
#[utoipa::path(get, path = "/incidents/{id}/notice-facts", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = NoticeFactsForm), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn notice_facts(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<NoticeFactsForm>> {
    let (_, facts, address) = notifications::handled(&state, &principal, id).await?;
    Ok(Json(NoticeFactsForm::of(&facts, &address)))
}

#[utoipa::path(put, path = "/incidents/{id}/notice-facts", tag = TAG, params(("id" = Uuid, Path)), request_body = NoticeFactsForm,
    responses((status = 200, body = NoticeFactsForm), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn save_notice_facts(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<NoticeFactsForm>,
) -> AppResult<Json<NoticeFactsForm>> {
    notifications::save_facts(&state, &principal, id, &form).await?;
    let (_, facts, address) = notifications::handled(&state, &principal, id).await?;
    Ok(Json(NoticeFactsForm::of(&facts, &address)))
}
