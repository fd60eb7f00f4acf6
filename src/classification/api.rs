//! JSON API for classifications, the requirement catalogue and self-assessments.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use uuid::Uuid;

use super::model::{AssessmentForm, ClassificationForm, MeasureForm};
use super::store::{self, Classification, Measure, RequiredMeasure};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};

const TAG: &str = "Klassning";

/// Every classification of an information asset, newest (current) first.
#[utoipa::path(get, path = "/assets/{id}/classifications", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Classification>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn classifications(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<Classification>>> {
    super::readable_asset(&state, &principal, id).await?;
    Ok(Json(store::versions(&state.pool, principal.tenant()?, None, Some(id)).await?))
}

/// Classifies an information asset (a new version); the system's protection level follows.
#[utoipa::path(post, path = "/assets/{id}/classifications", tag = TAG, params(("id" = Uuid, Path)), request_body = ClassificationForm,
    responses((status = 201, body = Classification), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn classify(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<ClassificationForm>,
) -> AppResult<(StatusCode, Json<Classification>)> {
    Ok((StatusCode::CREATED, Json(super::classify(&state, &principal, id, &form).await?)))
}

/// Reads classifications from a KLASSA sheet (tab-, `;`- or `,`-separated text with headings).
/// Without `commit` it only previews: each row matched to a system and an information asset,
/// its levels, errors and warnings, and `action` (create, update or unchanged). With `"commit":
/// true` every row without errors is saved in one transaction, as a new classification version
/// per asset (creating missing systems and assets), and the columns are remembered.
#[utoipa::path(post, path = "/classifications/import", tag = TAG, request_body = super::import::ImportRequest,
    responses((status = 200, body = super::import::ImportResult), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn import_classifications(
    State(state): State<AppState>,
    principal: Principal,
    Json(request): Json<super::import::ImportRequest>,
) -> AppResult<Json<super::import::ImportResult>> {
    Ok(Json(super::import::import(&state, &principal, &request).await?))
}

/// Reads a KLASSA handlingsplan (System, Krav-id, Status, Hur; as text with headings) onto the
/// systems' self-assessments of the catalogue's measures: `action` per row as for
/// classifications; with `"commit": true` the rows without errors are saved in one transaction.
#[utoipa::path(post, path = "/classifications/plan-import", tag = TAG, request_body = super::import::ImportRequest,
    responses((status = 200, body = super::import::PlanImportResult), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn import_plan(
    State(state): State<AppState>,
    principal: Principal,
    Json(request): Json<super::import::ImportRequest>,
) -> AppResult<Json<super::import::PlanImportResult>> {
    Ok(Json(super::import::import_plan(&state, &principal, &request).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct FileImport {
    /// Save the rows without errors (otherwise only a preview).
    #[serde(default)]
    pub commit: bool,
}

/// The same as `/classifications/import` for a file: the body is an .xlsx workbook (its first
/// worksheet is read) or a CSV file in UTF-8. The columns are the remembered or guessed ones.
#[utoipa::path(post, path = "/classifications/import/file", tag = TAG, params(FileImport),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = super::import::ImportResult), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn import_classification_file(
    State(state): State<AppState>,
    principal: Principal,
    axum::extract::Query(query): axum::extract::Query<FileImport>,
    body: axum::body::Bytes,
) -> AppResult<Json<super::import::ImportResult>> {
    let text = super::import::sheet_text(&principal, body.to_vec()).await?;
    let request = super::import::ImportRequest { text, commit: query.commit, ..Default::default() };
    Ok(Json(super::import::import(&state, &principal, &request).await?))
}

/// The information owner approves the current classification.
#[utoipa::path(post, path = "/assets/{id}/approval", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Classification), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Classification>> {
    Ok(Json(super::approve(&state, &principal, id).await?))
}

/// "Be om godkännande": whoever may classify asks the information owner to approve the current
/// version; the owner gets a reminder and a work item. 409 when there is nothing to ask (no
/// classification, already approved or asked, no owner with an account, or the asker is the owner).
#[utoipa::path(post, path = "/assets/{id}/approval-request", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 201, body = crate::web::Asked), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn request_approval(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<(StatusCode, Json<crate::web::Asked>)> {
    let asked = super::request_approval(&state, &principal, id).await?;
    Ok((StatusCode::CREATED, Json(crate::web::Asked { asked })))
}

/// The municipality's requirement catalogue.
#[utoipa::path(get, path = "/catalogue", tag = TAG, responses((status = 200, body = Vec<Measure>), (status = 403, body = Problem)))]
pub async fn catalogue(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Vec<Measure>>> {
    Ok(Json(super::catalogue(&state, &principal).await?))
}

/// Adds a measure to the catalogue (coordinator).
#[utoipa::path(post, path = "/catalogue", tag = TAG, request_body = MeasureForm,
    responses((status = 201, body = Measure), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_measure(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<MeasureForm>,
) -> AppResult<(StatusCode, Json<Measure>)> {
    Ok((StatusCode::CREATED, Json(super::save_measure(&state, &principal, None, &form).await?)))
}

/// The measures a system's protection level requires, with their self-assessments.
#[utoipa::path(get, path = "/systems/{id}/measures", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<RequiredMeasure>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn required_measures(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<RequiredMeasure>>> {
    crate::systems::readable(&state, &principal, id).await?;
    let mut conn = state.pool.acquire().await?;
    Ok(Json(store::required_measures(&mut conn, principal.tenant()?, id).await?))
}

/// Self-assesses a required measure; an unmet one becomes a proposed action.
#[utoipa::path(put, path = "/systems/{id}/measures/{measure_id}", tag = TAG,
    params(("id" = Uuid, Path), ("measure_id" = Uuid, Path)), request_body = AssessmentForm,
    responses((status = 200, body = RequiredMeasure), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn assess(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, measure_id)): Path<(Uuid, Uuid)>,
    Json(form): Json<AssessmentForm>,
) -> AppResult<Json<RequiredMeasure>> {
    Ok(Json(super::assess(&state, &principal, id, measure_id, &form).await?))
}
