//! JSON API for risk analyses, risks, the register and the heat map.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::{AnalysisForm, RiskForm, Scale};
use super::store::{self, Analysis, Filter, Risk};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::web::pagination::{ApiPage, Paged};
use crate::web::version::{self, IfMatch, Version};

const TAG: &str = "Risker";

/// A risk with its value and level on the municipality's scale.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RiskView {
    #[serde(flatten)]
    pub risk: Risk,
    pub value: i16,
    /// lag, medel or hog.
    pub level: &'static str,
    pub residual_level: Option<&'static str>,
}

fn view(risk: Risk, scale: &Scale) -> RiskView {
    RiskView {
        value: risk.value(scale),
        level: risk.level(scale).code(),
        residual_level: risk.residual_level(scale).map(|l| l.code()),
        risk,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AnalysisDetail {
    #[serde(flatten)]
    pub analysis: Analysis,
    pub risks: Vec<RiskView>,
}

#[utoipa::path(get, path = "/risk-analyses", tag = TAG, responses((status = 200, body = Vec<Analysis>), (status = 403, body = Problem)))]
pub async fn analyses(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Vec<Analysis>>> {
    Ok(Json(super::analyses(&state, &principal).await?))
}

/// Starts a risk analysis (coordinator, or a system owner for their system).
#[utoipa::path(post, path = "/risk-analyses", tag = TAG, request_body = AnalysisForm,
    responses((status = 201, body = Analysis), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_analysis(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<AnalysisForm>,
) -> AppResult<(StatusCode, Json<Analysis>)> {
    Ok((StatusCode::CREATED, Json(super::create_analysis(&state, &principal, &form).await?)))
}

#[utoipa::path(get, path = "/risk-analyses/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = AnalysisDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn analysis(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<impl IntoResponse> {
    let (analysis, _) = super::readable(&state, &principal, id).await?;
    let m = principal.tenant()?;
    let scale = store::scale(&state.pool, m).await?;
    let risks =
        store::risks(&mut *state.pool.acquire().await?, m, id).await?.into_iter().map(|r| view(r, &scale)).collect();
    let etag = Version::of(analysis.updated_at).etag();
    Ok(([(header::ETAG, etag)], Json(AnalysisDetail { analysis, risks })))
}

#[utoipa::path(post, path = "/risk-analyses/{id}/risks", tag = TAG, params(("id" = Uuid, Path)), request_body = RiskForm,
    responses((status = 201, body = RiskView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_risk(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<RiskForm>,
) -> AppResult<(StatusCode, Json<RiskView>)> {
    let risk = super::add_risk(&state, &principal, id, &form).await?;
    let scale = store::scale(&state.pool, principal.tenant()?).await?;
    Ok((StatusCode::CREATED, Json(view(risk, &scale))))
}

/// The risk register across analyses, gravest first, a page at a time.
#[utoipa::path(get, path = "/risks", tag = TAG, params(Filter, ApiPage),
    responses((status = 200, body = Vec<RiskView>, headers(("X-Total-Count" = i64), ("Link" = String))), (status = 403, body = Problem)))]
pub async fn register(
    State(state): State<AppState>,
    principal: Principal,
    uri: OriginalUri,
    Query(filter): Query<Filter>,
    Query(paging): Query<ApiPage>,
) -> AppResult<Paged<RiskView>> {
    let (risks, pager, scale) = super::register_page(&state, &principal, &filter, paging.asked()).await?;
    Ok(Paged { items: risks.into_iter().map(|r| view(r, &scale)).collect(), pager, uri: uri.0 })
}

/// Changes a risk's assessment. Send its version (`updated_at` as listed, or the ETag of the
/// last change) as If-Match: a change made from an older version is refused with 412.
#[utoipa::path(put, path = "/risks/{id}", tag = TAG, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = RiskForm,
    responses((status = 200, body = RiskView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_risk(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(form): Json<RiskForm>,
) -> AppResult<impl IntoResponse> {
    let (expected, sent_if_match) = if_match.or(&form.version);
    let risk = super::update_risk(&state, &principal, id, &form, expected)
        .await
        .map_err(|err| version::precondition(err, sent_if_match))?;
    let scale = store::scale(&state.pool, principal.tenant()?).await?;
    let etag = Version::of(risk.updated_at).etag();
    Ok(([(header::ETAG, etag)], Json(view(risk, &scale))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Acceptance {
    #[serde(default)]
    pub comment: String,
}

/// "Be om riskacceptans": whoever edits the analysis but may not accept its risks asks its owner
/// to decide on the untreated ones; the owner gets a reminder and a work item. 409 when there is
/// nothing to ask or the owner was asked within 14 days.
#[utoipa::path(post, path = "/risk-analyses/{id}/acceptance-request", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 201, body = crate::web::Asked), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn request_acceptance(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<(axum::http::StatusCode, Json<crate::web::Asked>)> {
    let asked = super::request_acceptance(&state, &principal, id).await?;
    Ok((axum::http::StatusCode::CREATED, Json(crate::web::Asked { asked })))
}

/// The owner of the analysis accepts the risk.
#[utoipa::path(post, path = "/risks/{id}/acceptance", tag = TAG, params(("id" = Uuid, Path)), request_body = Acceptance,
    responses((status = 200, body = RiskView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(acceptance): Json<Acceptance>,
) -> AppResult<Json<RiskView>> {
    let risk = super::accept(&state, &principal, id, &acceptance.comment).await?;
    let scale = store::scale(&state.pool, principal.tenant()?).await?;
    Ok(Json(view(risk, &scale)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MatrixView {
    pub scale: Scale,
    /// counts[c-1][l-1]: risks with consequence c and likelihood l.
    pub counts: Vec<Vec<usize>>,
    pub total: usize,
}

/// The municipality's heat map as counts (board members too: no risk details).
#[utoipa::path(get, path = "/risk-matrix", tag = TAG, responses((status = 200, body = MatrixView), (status = 403, body = Problem)))]
pub async fn matrix(State(state): State<AppState>, principal: Principal) -> AppResult<Json<MatrixView>> {
    let (scale, matrix) = super::heat_map(&state, &principal).await?;
    let counts = matrix.rows.iter().rev().map(|row| row.iter().map(|c| c.count).collect()).collect();
    Ok(Json(MatrixView { scale, counts, total: matrix.total }))
}
