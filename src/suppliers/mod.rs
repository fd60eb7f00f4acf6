//! Suppliers and contracts: the security requirements written into each contract (from the
//! requirement catalogue), those the covered systems need but the contract lacks, compliance
//! checks against them with a check interval, and contracts that have reached their notice period.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod policy;
pub mod store;
mod view;

use axum::Router;
use axum::routing::{get, post};
pub use policy::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::audit_log::Actor;
use crate::audit_log::lost_updates::{self, Versioned};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::web::layout::{MenuEntry, Task};
use crate::web::version::Version;
use model::{CheckForm, ContractForm, SupplierForm};
use store::{Check, Contract, Supplier};

pub async fn readable_supplier(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Supplier> {
    let supplier = store::supplier(&state.pool, principal.tenant()?, id).await?;
    principal.require(may_read(principal))?;
    Ok(supplier)
}

/// A contract the principal may read (404 for another municipality's, 403 without the right).
pub async fn readable_contract(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Contract> {
    let contract = store::contract(&state.pool, principal.tenant()?, id).await?;
    principal.require(may_read(principal) || contract.is_owned_by(principal.user_id))?;
    Ok(contract)
}

/// A page of the suppliers matching `search` (page and API alike).
pub async fn supplier_page(
    state: &AppState,
    principal: &Principal,
    search: &str,
    asked: crate::web::pagination::Asked,
) -> AppResult<(Vec<Supplier>, crate::web::pagination::Pager)> {
    principal.require(may_read(principal))?;
    let mut db = state.pool.acquire().await?;
    store::supplier_page(&mut db, principal.tenant()?, search, asked).await
}

/// Every supplier matching `search`, for the CSV export.
pub async fn search_suppliers(state: &AppState, principal: &Principal, search: &str) -> AppResult<Vec<Supplier>> {
    principal.require(may_read(principal))?;
    let mut db = state.pool.acquire().await?;
    store::search_suppliers(&mut db, principal.tenant()?, search).await
}

/// Every contract's checks, for the CSV export.
pub async fn every_check(state: &AppState, principal: &Principal) -> AppResult<Vec<store::Check>> {
    principal.require(may_read(principal))?;
    let m = principal.tenant()?;
    let mut conn = state.pool.acquire().await?;
    let contracts = store::every_contract(&mut *conn, m).await?;
    store::checks(&mut *conn, m, &contracts).await
}

/// A supplier the principal may change or delete.
pub async fn editable_supplier(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Supplier> {
    let supplier = readable_supplier(state, principal, id).await?;
    principal.require(may_manage(principal))?;
    Ok(supplier)
}

/// A contract the principal may change.
pub async fn editable_contract(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Contract> {
    let contract = readable_contract(state, principal, id).await?;
    principal.require(may_edit(principal, &contract))?;
    Ok(contract)
}

/// An empty supplier form, for whoever may add suppliers.
pub fn new_supplier_form(principal: &Principal) -> AppResult<SupplierForm> {
    principal.require(may_manage(principal))?;
    Ok(SupplierForm::default())
}

/// An empty contract form (with the supplier chosen, if given), for whoever may add contracts.
pub fn new_contract_form(principal: &Principal, supplier_id: String) -> AppResult<ContractForm> {
    principal.require(may_manage(principal))?;
    Ok(ContractForm { supplier_id, check_interval_months: "12".into(), ..Default::default() })
}

/// Whose contracts the principal may list: everyone's for readers (None), their own for
/// contract owners; refused to others.
pub async fn listed_for(state: &AppState, principal: &Principal) -> AppResult<Option<Uuid>> {
    if may_read(principal) {
        return Ok(None);
    }
    principal.require(store::owns_a_contract(&state.pool, principal.tenant()?, principal.user_id).await?)?;
    Ok(Some(principal.user_id))
}

pub async fn create_supplier(state: &AppState, principal: &Principal, form: &SupplierForm) -> AppResult<Supplier> {
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let supplier = store::create_supplier(&mut tx, &Actor::from(principal), principal.tenant()?, &input).await?;
    tx.commit().await?;
    Ok(supplier)
}

/// Changes a supplier; `expected` is the version the change was made from (none: no check).
pub async fn update_supplier(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    form: &SupplierForm,
    expected: Option<Version>,
) -> AppResult<Supplier> {
    readable_supplier(state, principal, id).await?;
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    lost_updates::lock_current(&mut tx, Versioned::Supplier, principal.tenant()?, id, expected).await?;
    let supplier = store::update_supplier(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(supplier)
}

pub async fn delete_supplier(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    readable_supplier(state, principal, id).await?;
    principal.require(may_manage(principal))?;
    let mut tx = state.pool.begin().await?;
    store::delete_supplier(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_contract(state: &AppState, principal: &Principal, form: &ContractForm) -> AppResult<Contract> {
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let contract = store::create_contract(&mut tx, &Actor::from(principal), principal.tenant()?, &input).await?;
    tx.commit().await?;
    Ok(contract)
}

/// Changes a contract; `expected` is the version the change was made from (none: no check).
pub async fn update_contract(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    form: &ContractForm,
    expected: Option<Version>,
) -> AppResult<Contract> {
    let contract = readable_contract(state, principal, id).await?;
    principal.require(may_edit(principal, &contract))?;
    let input = form.validate().map_err(AppError::Validation)?;
    // Only the coordinator moves a contract to another supplier.
    if input.supplier_id != contract.supplier_id {
        principal.require(may_manage(principal))?;
    }
    let mut tx = state.pool.begin().await?;
    lost_updates::lock_current(&mut tx, Versioned::Contract, principal.tenant()?, id, expected).await?;
    let contract = store::update_contract(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(contract)
}

pub async fn record_check(
    state: &AppState,
    principal: &Principal,
    contract_id: Uuid,
    form: &CheckForm,
) -> AppResult<Check> {
    let contract = readable_contract(state, principal, contract_id).await?;
    principal.require(may_edit(principal, &contract))?;
    let input = form.validate(&contract.measure_ids, crate::web::format::today()).map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let check = store::record_check(&mut tx, &Actor::from(principal), principal.tenant()?, &contract, &input).await?;
    tx.commit().await?;
    Ok(check)
}

/// The area's pages in the menu.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    let shown = principal.in_municipality() && may_read(principal);
    [
        MenuEntry::when(shown, Task::Suppliers, "/suppliers", "Leverantörer"),
        MenuEntry::when(shown, Task::Suppliers, "/contracts", "Avtal"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/suppliers", get(pages::suppliers).post(pages::create_supplier))
        .route("/suppliers.csv", get(pages::export_suppliers))
        .route("/suppliers/new", get(pages::new_supplier))
        .route("/suppliers/{id}", get(pages::supplier).post(pages::update_supplier))
        .route("/suppliers/{id}/edit", get(pages::edit_supplier))
        .route("/suppliers/{id}/delete", get(pages::confirm_delete_supplier).post(pages::delete_supplier))
        .route("/contracts", get(pages::contracts).post(pages::create_contract))
        .route("/contracts.csv", get(pages::export_contracts))
        .route("/contracts/new", get(pages::new_contract))
        .route("/contracts/{id}", get(pages::contract).post(pages::update_contract))
        .route("/contracts/{id}/edit", get(pages::edit_contract))
        .route("/contracts/{id}/checks", post(pages::record_check))
        .route("/compliance-checks.csv", get(pages::export_checks))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::suppliers, api::create_supplier))
        .routes(routes!(api::supplier, api::update_supplier))
        .routes(routes!(api::contracts, api::create_contract))
        .routes(routes!(api::contract, api::update_contract))
        .routes(routes!(api::record_check))
}
