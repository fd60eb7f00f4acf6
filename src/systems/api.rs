//! JSON API for systems, their information assets and coverage.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use uuid::Uuid;

use super::model::SystemForm;
use super::store::{self, Asset, AssetForm, CoverageRow, Filter, System};
use crate::AppState;
use crate::auth::Principal;
use crate::classification::model::ProtectionLevel;
use crate::classification::store::Classification;
use crate::error::{AppResult, Problem};
use crate::web::pagination::{ApiPage, Paged};
use crate::web::version::{self, IfMatch, Version};

const TAG: &str = "System";

/// An information asset with its current classification (null when not classified).
#[derive(Serialize, utoipa::ToSchema)]
pub struct AssetView {
    #[serde(flatten)]
    pub asset: Asset,
    pub classification: Option<Classification>,
}

/// A system with its derived protection level.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SystemView {
    #[serde(flatten)]
    pub system: System,
    /// The maximum per aspect over the assets' current classifications; null when none is classified.
    pub protection_level: Option<ProtectionLevel>,
    /// Some aspect is at level 4: a separate protection analysis is required.
    pub level_4_flag: bool,
    /// klassad, delvis or ej_klassad.
    pub classification_status: &'static str,
    pub next_review: Option<chrono::NaiveDate>,
    pub review_overdue: bool,
}

impl From<System> for SystemView {
    fn from(system: System) -> Self {
        let today = crate::web::format::today();
        SystemView {
            protection_level: system.protection_level(),
            level_4_flag: system.has_level_4(),
            classification_status: system.coverage().code(),
            next_review: system.next_review(),
            review_overdue: system.is_review_overdue(today),
            system,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SystemDetail {
    #[serde(flatten)]
    pub system: SystemView,
    pub assets: Vec<AssetView>,
}

/// The municipality's systems, filtered as on the list page, by name, a page at a time.
#[utoipa::path(get, path = "/systems", tag = TAG, params(Filter, ApiPage),
    responses((status = 200, body = Vec<SystemView>, headers(("X-Total-Count" = i64), ("Link" = String))), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    uri: OriginalUri,
    Query(filter): Query<Filter>,
    Query(paging): Query<ApiPage>,
) -> AppResult<Paged<SystemView>> {
    let mut db = state.pool.acquire().await?;
    let (systems, pager) = super::page(&mut db, &principal, &filter, paging.asked()).await?;
    Ok(Paged { items: systems.into_iter().map(SystemView::from).collect(), pager, uri: uri.0 })
}

/// Adds a system (coordinator).
#[utoipa::path(post, path = "/systems", tag = TAG, request_body = SystemForm,
    responses((status = 201, body = SystemView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<SystemForm>,
) -> AppResult<(StatusCode, Json<SystemView>)> {
    Ok((StatusCode::CREATED, Json(super::create(&state, &principal, &form).await?.into())))
}

async fn detail(state: &AppState, principal: &Principal, system: System) -> AppResult<SystemDetail> {
    let m = principal.tenant()?;
    let versions = crate::classification::store::versions(&state.pool, m, Some(system.id), None).await?;
    let current = crate::classification::store::current(&versions);
    let assets = store::assets(&state.pool, m, system.id)
        .await?
        .into_iter()
        .map(|asset| AssetView {
            classification: current.iter().find(|c| c.asset_id == asset.id).map(|c| (*c).clone()),
            asset,
        })
        .collect();
    Ok(SystemDetail { system: system.into(), assets })
}

/// One system with its protection level and information assets.
#[utoipa::path(get, path = "/systems/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = SystemDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<impl IntoResponse> {
    let system = super::readable(&state, &principal, id).await?;
    let etag = Version::of(system.updated_at).etag();
    Ok(([(header::ETAG, etag)], Json(detail(&state, &principal, system).await?)))
}

/// Changes a system (coordinator, system owner or administrator). Send the ETag from GET as
/// If-Match: a change made from an older version is refused with 412.
#[utoipa::path(put, path = "/systems/{id}", tag = TAG, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = SystemForm,
    responses((status = 200, body = SystemDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(form): Json<SystemForm>,
) -> AppResult<impl IntoResponse> {
    let (expected, sent_if_match) = if_match.or(&form.version);
    let system = super::update(&state, &principal, id, &form, expected)
        .await
        .map_err(|err| version::precondition(err, sent_if_match))?;
    let etag = Version::of(system.updated_at).etag();
    Ok(([(header::ETAG, etag)], Json(detail(&state, &principal, system).await?)))
}

/// Adds an information asset to a system.
#[utoipa::path(post, path = "/systems/{id}/assets", tag = TAG, params(("id" = Uuid, Path)), request_body = AssetForm,
    responses((status = 201, body = Asset), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_asset(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<AssetForm>,
) -> AppResult<(StatusCode, Json<Asset>)> {
    Ok((StatusCode::CREATED, Json(super::add_asset(&state, &principal, id, &form).await?)))
}

/// Changes an information asset: its name, description and (for the coordinator) its information owner.
#[utoipa::path(put, path = "/assets/{id}", tag = TAG, params(("id" = Uuid, Path)), request_body = AssetForm,
    responses((status = 200, body = Asset), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_asset(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<AssetForm>,
) -> AppResult<Json<Asset>> {
    Ok(Json(super::update_asset(&state, &principal, id, &form).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub per_body: Vec<CoverageRow>,
    pub total: CoverageRow,
}

/// Coverage per body: systems, critical ones, classified, current risk analysis, named owner, overdue reviews.
#[utoipa::path(get, path = "/coverage", tag = TAG, responses((status = 200, body = Coverage), (status = 403, body = Problem)))]
pub async fn coverage(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Coverage>> {
    let (per_body, total) = super::coverage(&state, &principal).await?;
    Ok(Json(Coverage { per_body, total }))
}
