//! JSON API for suppliers, contracts and compliance checks.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use uuid::Uuid;

use super::model::{CheckForm, ContractForm, SupplierForm};
use super::store::{self, Check, ContractFilter, ContractStanding, Supplier};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppError, AppResult, Problem};
use crate::web::pagination::{ApiPage, Paged, Search};
use crate::web::version::{self, IfMatch, Version};

const TAG: &str = "Leverantörer";

/// The municipality's suppliers; a shared one says how many other municipalities share it, nothing more.
#[utoipa::path(get, path = "/suppliers", tag = TAG, params(Search, ApiPage),
    responses((status = 200, body = Vec<Supplier>, headers(("X-Total-Count" = i64), ("Link" = String))),
              (status = 403, body = Problem)))]
pub async fn suppliers(
    State(state): State<AppState>,
    principal: Principal,
    uri: OriginalUri,
    Query(search): Query<Search>,
    Query(paging): Query<ApiPage>,
) -> AppResult<Paged<Supplier>> {
    let (items, pager) = super::supplier_page(&state, &principal, search.q.trim(), paging.asked()).await?;
    Ok(Paged { items, pager, uri: uri.0 })
}

/// Adds a supplier (coordinator).
#[utoipa::path(post, path = "/suppliers", tag = TAG, request_body = SupplierForm,
    responses((status = 201, body = Supplier), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_supplier(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<SupplierForm>,
) -> AppResult<(StatusCode, Json<Supplier>)> {
    Ok((StatusCode::CREATED, Json(super::create_supplier(&state, &principal, &form).await?)))
}

#[utoipa::path(get, path = "/suppliers/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Supplier), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn supplier(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<impl IntoResponse> {
    let supplier = super::readable_supplier(&state, &principal, id).await?;
    Ok(([(header::ETAG, Version::of(supplier.updated_at).etag())], Json(supplier)))
}

/// Changes a supplier (coordinator). Send the ETag from GET as If-Match: a change made from an
/// older version is refused with 412.
#[utoipa::path(put, path = "/suppliers/{id}", tag = TAG, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = SupplierForm,
    responses((status = 200, body = Supplier), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_supplier(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(form): Json<SupplierForm>,
) -> AppResult<impl IntoResponse> {
    let (expected, sent_if_match) = if_match.or(&form.version);
    let supplier = super::update_supplier(&state, &principal, id, &form, expected)
        .await
        .map_err(|err| version::precondition(err, sent_if_match))?;
    Ok(([(header::ETAG, Version::of(supplier.updated_at).etag())], Json(supplier)))
}

/// Contracts with their requirements, checks due, missing requirements and notice period.
#[utoipa::path(get, path = "/contracts", tag = TAG, params(ContractFilter, ApiPage),
    responses((status = 200, body = Vec<ContractStanding>, headers(("X-Total-Count" = i64), ("Link" = String))),
              (status = 403, body = Problem)))]
pub async fn contracts(
    State(state): State<AppState>,
    principal: Principal,
    uri: OriginalUri,
    Query(filter): Query<ContractFilter>,
    Query(paging): Query<ApiPage>,
) -> AppResult<Paged<ContractStanding>> {
    let owned_by = super::listed_for(&state, &principal).await?;
    let mut conn = state.pool.acquire().await?;
    let today = crate::web::format::today();
    let (items, pager) =
        store::contract_page(&mut conn, principal.tenant()?, &filter, owned_by, today, paging.asked()).await?;
    Ok(Paged { items, pager, uri: uri.0 })
}

async fn standing(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<ContractStanding> {
    let mut conn = state.pool.acquire().await?;
    let today = crate::web::format::today();
    store::standings(&mut conn, principal.tenant()?, Some(&[id]), today).await?.pop().ok_or(AppError::NotFound)
}

/// Adds a contract (coordinator).
#[utoipa::path(post, path = "/contracts", tag = TAG, request_body = ContractForm,
    responses((status = 201, body = ContractStanding), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_contract(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<ContractForm>,
) -> AppResult<(StatusCode, Json<ContractStanding>)> {
    let contract = super::create_contract(&state, &principal, &form).await?;
    Ok((StatusCode::CREATED, Json(standing(&state, &principal, contract.id).await?)))
}

#[utoipa::path(get, path = "/contracts/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = ContractStanding), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn contract(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<impl IntoResponse> {
    let contract = super::readable_contract(&state, &principal, id).await?;
    let etag = Version::of(contract.updated_at).etag();
    Ok(([(header::ETAG, etag)], Json(standing(&state, &principal, id).await?)))
}

/// Changes a contract (coordinator or the contract's owner). Send the ETag from GET as
/// If-Match: a change made from an older version is refused with 412.
#[utoipa::path(put, path = "/contracts/{id}", tag = TAG, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = ContractForm,
    responses((status = 200, body = ContractStanding), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_contract(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(form): Json<ContractForm>,
) -> AppResult<impl IntoResponse> {
    let (expected, sent_if_match) = if_match.or(&form.version);
    let contract = super::update_contract(&state, &principal, id, &form, expected)
        .await
        .map_err(|err| version::precondition(err, sent_if_match))?;
    let etag = Version::of(contract.updated_at).etag();
    Ok(([(header::ETAG, etag)], Json(standing(&state, &principal, id).await?)))
}

/// Records a compliance check of one requirement; one not met proposes a follow-up action.
#[utoipa::path(post, path = "/contracts/{id}/checks", tag = TAG, params(("id" = Uuid, Path)), request_body = CheckForm,
    responses((status = 201, body = Check), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_check(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<CheckForm>,
) -> AppResult<(StatusCode, Json<Check>)> {
    Ok((StatusCode::CREATED, Json(super::record_check(&state, &principal, id, &form).await?)))
}
