//! JSON API for audits and recommendations, under `/api/v1`.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::{AuditForm, NewRecommendation, Transition};
use super::store::{self, Audit, AuditSummary, Filter, Recommendation};
use super::{change_status, parse_for, require_reach};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::web::pagination::{ApiPage, Paged};
use crate::web::version::{self, IfMatch, Version};

const TAG: &str = "Granskningar";

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ParseRequest {
    /// The recommendations section of a report, as pasted from the PDF.
    pub text: String,
    /// The audit the text comes from: for a follow-up, each item says which carried
    /// recommendation it repeats.
    #[serde(default)]
    pub audit_id: Option<Uuid>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ParsedItem {
    pub text: String,
    /// The addressee as written in the heading above the item, e.g. "kommunstyrelsen".
    pub addressed_to: Option<String>,
    /// The municipality's bodies that the addressee names.
    pub body_ids: Vec<Uuid>,
    /// Lines removed from inside the item as page furniture (running headers, footers).
    pub removed: Vec<String>,
    /// The item as pasted, removed lines included.
    pub original: String,
    /// The recommendation the follow-up carries that this item repeats (same or nearly the
    /// same text), or null: it exists already and is not to be saved again.
    pub repeats: Option<Uuid>,
    /// Where the repeated recommendation was first made, for the page.
    #[serde(skip)]
    pub repeats_from: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ParseResult {
    pub items: Vec<ParsedItem>,
    /// Every line dropped as page furniture or headings, or as text outside the lists.
    pub ignored: Vec<String>,
}

/// Splits pasted report text into recommendations with their addressees. Saves nothing.
#[utoipa::path(post, path = "/recommendations/parse", tag = TAG, request_body = ParseRequest,
    responses((status = 200, body = ParseResult), (status = 403, body = Problem)))]
pub async fn parse(
    State(state): State<AppState>,
    principal: Principal,
    Json(request): Json<ParseRequest>,
) -> AppResult<Json<ParseResult>> {
    let audit = super::audit_to_paste_into(&state, &principal, request.audit_id).await?;
    let headers = audit.iter().flat_map(|a| [a.title.clone(), a.audit_firm.clone()]).collect::<Vec<_>>();
    Ok(Json(parse_for(&state, &principal, &request.text, &headers, audit.as_ref()).await?))
}

#[utoipa::path(get, path = "/audits", tag = TAG, responses((status = 200, body = Vec<AuditSummary>), (status = 403, body = Problem)))]
pub async fn list_audits(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Vec<AuditSummary>>> {
    Ok(Json(super::list_audits(&state, &principal).await?))
}

#[utoipa::path(get, path = "/audits/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Audit), (status = 404, body = Problem)))]
pub async fn get_audit(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<impl IntoResponse> {
    require_reach(&state.pool, &principal, store::Record::Audit(id), false).await?;
    let audit = store::get_audit(&state.pool, principal.tenant()?, id).await?;
    Ok(([(header::ETAG, Version::of(audit.updated_at).etag())], Json(audit)))
}

#[utoipa::path(post, path = "/audits", tag = TAG, request_body = AuditForm,
    responses((status = 201, body = Audit), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_audit(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<AuditForm>,
) -> AppResult<(StatusCode, Json<Audit>)> {
    Ok((StatusCode::CREATED, Json(super::save_audit(&state, &principal, None, &form, None).await?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewRecommendations {
    pub items: Vec<NewRecommendation>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub ids: Vec<Uuid>,
}

/// Adds recommendations to an audit (e.g. the items from `/recommendations/parse`).
#[utoipa::path(post, path = "/audits/{id}/recommendations", tag = TAG, params(("id" = Uuid, Path)), request_body = NewRecommendations,
    responses((status = 201, body = Created), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_recommendations(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(request): Json<NewRecommendations>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let ids = super::add_recommendations(&state, &principal, id, &request.items).await?;
    Ok((StatusCode::CREATED, Json(Created { ids })))
}

/// The recommendation register, with filters, a page at a time.
#[utoipa::path(get, path = "/recommendations", tag = TAG, params(Filter, ApiPage),
    responses((status = 200, body = Vec<Recommendation>, headers(("X-Total-Count" = i64), ("Link" = String))), (status = 403, body = Problem)))]
pub async fn list_recommendations(
    State(state): State<AppState>,
    principal: Principal,
    uri: OriginalUri,
    Query(filter): Query<Filter>,
    Query(paging): Query<ApiPage>,
) -> AppResult<Paged<Recommendation>> {
    let (items, pager, _) = super::register_page(&state, &principal, filter, paging.asked()).await?;
    Ok(Paged { items, pager, uri: uri.0 })
}

#[utoipa::path(get, path = "/recommendations/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Recommendation), (status = 404, body = Problem)))]
pub async fn get_recommendation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<impl IntoResponse> {
    let m = principal.tenant()?;
    let mut conn = state.pool.acquire().await?;
    let recommendation = store::get_recommendation(&mut *conn, m, id).await?;
    if !store::is_responsible(&mut *conn, m, id, principal.user_id).await? {
        require_reach(&mut *conn, &principal, store::Record::Recommendation(id), false).await?;
    }
    Ok(([(header::ETAG, Version::of(recommendation.updated_at).etag())], Json(recommendation)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StatusRequest {
    pub transition: Transition,
    /// Required to verify or reopen.
    #[serde(default)]
    pub comment: String,
    /// What was done: required to claim the recommendation done.
    #[serde(default)]
    pub evidence: String,
}

/// Claims a recommendation done, verifies it, or reopens it. Illegal changes get 422 with the reason.
#[utoipa::path(post, path = "/recommendations/{id}/status", tag = TAG, params(("id" = Uuid, Path)), request_body = StatusRequest,
    responses((status = 200, body = Recommendation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_status(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(request): Json<StatusRequest>,
) -> AppResult<Json<Recommendation>> {
    let changed =
        change_status(&state, &principal, id, request.transition, &request.comment, &request.evidence).await?;
    Ok(Json(changed))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct FollowUpRequest {
    pub recommendation_id: Uuid,
    pub result: super::model::FollowUpResult,
    #[serde(default)]
    pub comment: String,
}

/// In a follow-up audit: the verdict on an earlier recommendation. Partly met and not met
/// carry it into the follow-up (kvarstår).
#[utoipa::path(post, path = "/audits/{id}/follow-up-assessments", tag = TAG, params(("id" = Uuid, Path)), request_body = FollowUpRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn assess_follow_up(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(request): Json<FollowUpRequest>,
) -> AppResult<StatusCode> {
    let verdict = super::Verdict {
        recommendation_id: request.recommendation_id,
        result: Some(request.result),
        comment: request.comment,
    };
    super::assess_follow_ups(&state, &principal, id, &[verdict]).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws a follow-up's verdict on a recommendation (one registered by mistake): its latest
/// verdict becomes the previous follow-up's, or none, and it is no longer carried into this one.
#[utoipa::path(delete, path = "/audits/{id}/follow-up-assessments/{recommendation_id}", tag = TAG,
    params(("id" = Uuid, Path), ("recommendation_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn withdraw_follow_up(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, recommendation_id)): Path<(Uuid, Uuid)>,
) -> AppResult<StatusCode> {
    super::withdraw_verdict(&state, &principal, id, recommendation_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes a recommendation's text, priority, areas, responsible person and target date. Send
/// the ETag from GET as If-Match: a change made from an older version is refused with 412.
#[utoipa::path(put, path = "/recommendations/{id}", tag = TAG, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = super::model::RecommendationForm,
    responses((status = 200, body = Recommendation), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_recommendation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(form): Json<super::model::RecommendationForm>,
) -> AppResult<impl IntoResponse> {
    let (expected, sent_if_match) = if_match.or(&form.version);
    let changed = super::edit(&state, &principal, id, &form, expected)
        .await
        .map_err(|err| version::precondition(err, sent_if_match))?;
    Ok(([(header::ETAG, Version::of(changed.updated_at).etag())], Json(changed)))
}

/// Records an addressed body's answer (yttrande): what will be done, by when, and the decision.
#[utoipa::path(put, path = "/recommendations/{id}/responses", tag = TAG, params(("id" = Uuid, Path)), request_body = super::model::ResponseForm,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_response(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<super::model::ResponseForm>,
) -> AppResult<StatusCode> {
    super::respond(&state, &principal, id, &form).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewQuestion {
    #[serde(default)]
    pub text: String,
}

#[utoipa::path(get, path = "/audits/{id}/questions", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<store::Question>), (status = 404, body = Problem)))]
pub async fn list_questions(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<store::Question>>> {
    require_reach(&state.pool, &principal, store::Record::Audit(id), false).await?;
    let m = principal.tenant()?;
    store::get_audit(&state.pool, m, id).await?;
    Ok(Json(store::questions(&state.pool, m, id).await?))
}

/// Adds an audit question (revisionsfråga).
#[utoipa::path(post, path = "/audits/{id}/questions", tag = TAG, params(("id" = Uuid, Path)), request_body = NewQuestion,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_question(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(request): Json<NewQuestion>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let question = super::add_question(&state, &principal, id, &request.text).await?;
    Ok((StatusCode::CREATED, Json(Created { ids: vec![question] })))
}

/// Records the assessment of one audited body on a question, on the municipality's scale.
#[utoipa::path(put, path = "/questions/{id}/assessments", tag = TAG, params(("id" = Uuid, Path)), request_body = store::Assessment,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn assess(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(assessment): Json<store::Assessment>,
) -> AppResult<StatusCode> {
    super::assess(&state, &principal, id, &[assessment]).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scale {
    /// The steps, best first, e.g. ["Ja", "I allt väsentligt", "Delvis", "Nej", "Ej bedömd"].
    pub assessment_scale: Vec<String>,
}

#[utoipa::path(get, path = "/audit-settings", tag = TAG, responses((status = 200, body = Scale)))]
pub async fn get_settings(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Scale>> {
    Ok(Json(Scale { assessment_scale: super::scale(&state, &principal).await? }))
}

/// Sets the municipality's assessment scale (coordinator).
#[utoipa::path(put, path = "/audit-settings", tag = TAG, request_body = Scale,
    responses((status = 200, body = Scale), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_settings(
    State(state): State<AppState>,
    principal: Principal,
    Json(request): Json<Scale>,
) -> AppResult<Json<Scale>> {
    Ok(Json(Scale { assessment_scale: super::set_scale(&state, &principal, &request.assessment_scale).await? }))
}

/// Uploads the report (the request body is the PDF itself; at most 20 MB).
#[utoipa::path(put, path = "/audits/{id}/report", tag = TAG, params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_report(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> AppResult<StatusCode> {
    super::upload_report(&state, &principal, id, "rapport.pdf", &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Downloads the report.
#[utoipa::path(get, path = "/audits/{id}/report", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/pdf"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_report(
    state: State<AppState>,
    principal: Principal,
    id: Path<Uuid>,
) -> AppResult<axum::response::Response> {
    super::download_report(state, principal, id).await
}

/// Changes an audit. Send the ETag from GET as If-Match: a change made from an older version is
/// refused with 412.
#[utoipa::path(put, path = "/audits/{id}", tag = TAG, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = AuditForm,
    responses((status = 200, body = Audit), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_audit(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(form): Json<AuditForm>,
) -> AppResult<impl IntoResponse> {
    let (expected, sent_if_match) = if_match.or(&form.version);
    let audit = super::save_audit(&state, &principal, Some(id), &form, expected)
        .await
        .map_err(|err| version::precondition(err, sent_if_match))?;
    Ok(([(header::ETAG, Version::of(audit.updated_at).etag())], Json(audit)))
}

/// Removes a recommendation entered by mistake (409 once actions, answers, follow-ups or status changes hang on it).
#[utoipa::path(delete, path = "/recommendations/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_recommendation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    super::delete_recommendation(&state, &principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes an audit entered by mistake, with its own recommendations; 409, saying what holds
/// it, once anything else is recorded on it (verdicts, answers, actions, status changes, a
/// follow-up of it).
#[utoipa::path(delete, path = "/audits/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_audit(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    super::delete_audit(&state, &principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
