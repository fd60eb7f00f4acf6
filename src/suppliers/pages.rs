//! Pages: the supplier register, one supplier, the contract list with what needs attention,
//! one contract with its requirements and compliance checks, and their forms.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::model::{CheckForm, CheckResult, ContractForm, Kind, SupplierForm};
use super::store::{self, Attention, Check, ContractFilter, ContractStanding, Supplier};
use super::{may_edit, may_manage, readable_contract, readable_supplier};
use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::form::PageForm;
use crate::web::pagination::{Asked, ListQuery, Pager};
use crate::web::version::Version;
use crate::web::{
    Choice, Chrome, SelectOption, choices, flash, options, refused_form, split_validation, unprocessable,
};

fn today() -> NaiveDate {
    crate::web::format::today()
}

fn yes_no(value: bool) -> String {
    if value { "ja" } else { "nej" }.into()
}

// ---------------------------------------------------------------- suppliers

#[derive(Template, WebTemplate)]
#[template(path = "suppliers/list.html")]
struct SuppliersPage {
    chrome: Chrome,
    suppliers: Vec<Supplier>,
    pager: Pager,
    q: String,
    query_without_page: String,
    may_manage: bool,
}

pub async fn suppliers(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let asked = Asked::page(query.page.as_deref());
    let (suppliers, pager) = super::supplier_page(&state, &principal, query.search(), asked).await?;
    Ok(SuppliersPage {
        suppliers,
        pager,
        query_without_page: serde_urlencoded::to_string([("q", query.search())]).unwrap_or_default(),
        q: query.search().into(),
        may_manage: may_manage(&principal),
        chrome,
    }
    .into_response())
}

pub async fn export_suppliers(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let rows: Vec<Vec<String>> = super::search_suppliers(&state, &principal, query.search())
        .await?
        .into_iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.org_number.clone(),
                s.kind_label().into(),
                s.contact.clone(),
                s.incident_contact.clone(),
                s.escalation_path.clone(),
                yes_no(s.is_shared),
                s.contract_count.to_string(),
            ]
        })
        .collect();
    crate::web::csv::response(
        "leverantorer.csv",
        &[
            "Leverantör",
            "Organisationsnummer",
            "Slag",
            "Kontakt",
            "Kontakt vid incident",
            "Eskaleringsväg",
            "Delad",
            "Avtal",
        ],
        &rows,
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "suppliers/supplier.html")]
struct SupplierPage {
    chrome: Chrome,
    supplier: Supplier,
    contracts: Vec<ContractStanding>,
    history: Vec<Entry>,
    may_manage: bool,
}

pub async fn supplier(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let supplier = readable_supplier(&state, &principal, id).await?;
    let m = principal.tenant()?;
    let owned_by = super::listed_for(&state, &principal).await?;
    let mut conn = state.pool.acquire().await?;
    let of_supplier = ContractFilter { supplier_id: id.to_string(), ..ContractFilter::default() };
    let contracts = store::all_matching_contracts(&mut conn, m, &of_supplier, owned_by, today()).await?;
    Ok(SupplierPage {
        contracts,
        history: audit_log::history(&mut *conn, m, EntityType::Supplier, id).await?,
        may_manage: may_manage(&principal),
        chrome,
        supplier,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "suppliers/supplier_form.html")]
struct SupplierFormPage {
    chrome: Chrome,
    id: Option<Uuid>,
    form: SupplierForm,
    kinds: Vec<SelectOption>,
    errors: FieldErrors,
}

fn supplier_form_page(chrome: Chrome, id: Option<Uuid>, form: SupplierForm, errors: FieldErrors) -> SupplierFormPage {
    SupplierFormPage { kinds: Kind::options(&form.kind), chrome, id, form, errors }
}

pub async fn new_supplier(principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let form = super::new_supplier_form(&principal)?;
    Ok(supplier_form_page(chrome, None, form, FieldErrors::new()).into_response())
}

pub async fn create_supplier(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<SupplierForm>,
) -> AppResult<Response> {
    match split_validation(super::create_supplier(&state, &principal, &form).await)? {
        Ok(s) => Ok(flash::see_other_with(&state, &format!("/suppliers/{}", s.id), "Leverantören är tillagd.")),
        Err(errors) => Ok(unprocessable(supplier_form_page(chrome, None, form, errors))),
    }
}

pub async fn edit_supplier(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let s = super::editable_supplier(&state, &principal, id).await?;
    let form = SupplierForm {
        name: s.name,
        org_number: s.org_number,
        kind: s.kind.code().into(),
        contact: s.contact,
        incident_contact: s.incident_contact,
        escalation_path: s.escalation_path,
        is_shared: s.is_shared,
        version: Version::of(s.updated_at).to_string(),
    };
    Ok(supplier_form_page(chrome, Some(id), form, FieldErrors::new()).into_response())
}

pub async fn update_supplier(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<SupplierForm>,
) -> AppResult<Response> {
    let expected = Version::parse(&form.version);
    match split_validation(super::update_supplier(&state, &principal, id, &form, expected).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/suppliers/{id}"), "Leverantören är sparad.")),
        Err(errors) => Ok(refused_form(&errors.clone(), supplier_form_page(chrome, Some(id), form, errors))),
    }
}

pub async fn confirm_delete_supplier(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let s = super::editable_supplier(&state, &principal, id).await?;
    let back = format!("/suppliers/{id}");
    Ok(crate::web::confirm_delete(chrome, &format!("leverantören {}", s.name), &format!("{back}/delete"), &back))
}

pub async fn delete_supplier(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    super::delete_supplier(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, "/suppliers", "Leverantören är borttagen."))
}

// ---------------------------------------------------------------- contracts

/// How many contracts in their notice period the list shows above the filter.
const IN_NOTICE_SHOWN: i64 = 10;

#[derive(Template, WebTemplate)]
#[template(path = "suppliers/contracts.html")]
struct ContractsPage {
    chrome: Chrome,
    contracts: Vec<ContractStanding>,
    in_notice: Vec<store::InNotice>,
    in_notice_pager: Pager,
    pager: Pager,
    filter: ContractFilter,
    query: String,
    query_without_page: String,
    supplier_options: Vec<SelectOption>,
    attentions: Vec<SelectOption>,
    may_manage: bool,
    no_errors: FieldErrors,
}

pub async fn contracts(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(filter): Query<ContractFilter>,
) -> AppResult<Response> {
    let owned_by = super::listed_for(&state, &principal).await?;
    let m = principal.tenant()?;
    let mut conn = state.pool.acquire().await?;
    let asked = Asked::page(filter.page.as_deref());
    let (contracts, pager) = store::contract_page(&mut conn, m, &filter, owned_by, today(), asked).await?;
    // The first few, with a link to all of them: a large municipality has dozens at a time.
    let (in_notice, in_notice_pager) = store::in_notice(&mut conn, m, owned_by, today(), IN_NOTICE_SHOWN).await?;
    let suppliers = store::supplier_names(&mut *conn, m).await?;
    Ok(ContractsPage {
        contracts,
        in_notice,
        in_notice_pager,
        pager,
        query: filter.query(),
        query_without_page: filter.query(),
        supplier_options: options(suppliers, &filter.supplier_id),
        attentions: Attention::options(&filter.attention),
        may_manage: may_manage(&principal),
        no_errors: FieldErrors::new(),
        chrome,
        filter,
    }
    .into_response())
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(crate::web::format::date).unwrap_or_default()
}

pub async fn export_contracts(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<ContractFilter>,
) -> AppResult<Response> {
    let owned_by = super::listed_for(&state, &principal).await?;
    let mut conn = state.pool.acquire().await?;
    let rows: Vec<Vec<String>> =
        store::all_matching_contracts(&mut conn, principal.tenant()?, &filter, owned_by, today())
            .await?
            .iter()
            .map(|s| {
                let c = &s.contract;
                vec![
                    c.title.clone(),
                    c.supplier_name.clone(),
                    c.reference.clone(),
                    date(c.starts_on),
                    date(c.ends_on),
                    c.notice_months.to_string(),
                    date(s.notice_deadline),
                    yes_no(s.in_notice_period),
                    c.owner_name.clone().unwrap_or_default(),
                    yes_no(c.has_dpa),
                    c.systems_text(),
                    s.requirements.len().to_string(),
                    s.missing_requirements.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().join(", "),
                    s.overdue_checks().to_string(),
                    s.unmet().to_string(),
                ]
            })
            .collect();
    crate::web::csv::response(
        "avtal.csv",
        &[
            "Avtal",
            "Leverantör",
            "Avtalsnummer",
            "Gäller från",
            "Gäller till",
            "Uppsägningstid (månader)",
            "Senast uppsägning",
            "Uppsägningstiden har börjat",
            "Beställaransvarig",
            "Personuppgiftsbiträdesavtal",
            "System",
            "Säkerhetskrav i avtalet",
            "Krav som saknas",
            "Kontroller försenade",
            "Krav som inte uppfylls",
        ],
        &rows,
    )
}

pub async fn export_checks(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    let rows: Vec<Vec<String>> = super::every_check(&state, &principal)
        .await?
        .into_iter()
        .map(|c| {
            vec![
                crate::web::format::date(c.checked_on),
                c.supplier_name.clone(),
                c.contract_title.clone(),
                format!("{} {}", c.measure_code, c.measure_title),
                c.method.clone(),
                c.result_label().into(),
                c.evidence.clone(),
                c.checked_by.clone(),
            ]
        })
        .collect();
    crate::web::csv::response(
        "efterlevnadskontroller.csv",
        &["Kontrollerat", "Leverantör", "Avtal", "Krav", "Metod", "Resultat", "Underlag", "Registrerat av"],
        &rows,
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "suppliers/contract.html")]
struct ContractPage {
    chrome: Chrome,
    standing: ContractStanding,
    checks: Vec<Check>,
    history: Vec<Entry>,
    may_edit: bool,
    check_form: CheckForm,
    requirement_options: Vec<SelectOption>,
    results: Vec<SelectOption>,
    errors: FieldErrors,
}

async fn contract_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    check_form: CheckForm,
    errors: FieldErrors,
) -> AppResult<ContractPage> {
    let contract = readable_contract(state, principal, id).await?;
    let m = principal.tenant()?;
    let mut conn = state.pool.acquire().await?;
    let standing =
        store::standings(&mut conn, m, Some(&[id]), today()).await?.pop().ok_or(crate::error::AppError::NotFound)?;
    let requirements = standing.requirements.iter().map(|r| (r.measure_id, format!("{} {}", r.code, r.title)));
    Ok(ContractPage {
        requirement_options: options(requirements, &check_form.measure_id),
        results: CheckResult::options(&check_form.result),
        checks: store::checks(&mut *conn, m, &[id]).await?,
        history: audit_log::history(&mut *conn, m, EntityType::Contract, id).await?,
        may_edit: may_edit(principal, &contract),
        chrome,
        standing,
        check_form,
        errors,
    })
}

pub async fn contract(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let form = CheckForm { checked_on: crate::web::format::date(today()), ..CheckForm::default() };
    Ok(contract_page(&state, &principal, chrome, id, form, FieldErrors::new()).await?.into_response())
}

pub async fn record_check(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<CheckForm>,
) -> AppResult<Response> {
    match split_validation(super::record_check(&state, &principal, id, &form).await)? {
        Ok(check) => {
            let message = if check.action_id.is_some() {
                "Kontrollen är registrerad. Kravet uppfylls inte fullt ut – en uppföljande åtgärd är föreslagen."
            } else {
                "Kontrollen är registrerad."
            };
            Ok(flash::see_other_with(&state, &format!("/contracts/{id}"), message))
        }
        Err(errors) => Ok(unprocessable(contract_page(&state, &principal, chrome, id, form, errors).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "suppliers/contract_form.html")]
struct ContractFormPage {
    chrome: Chrome,
    id: Option<Uuid>,
    form: ContractForm,
    supplier_options: Vec<SelectOption>,
    people: Vec<SelectOption>,
    systems: Vec<Choice>,
    supplier_measures: Vec<Choice>,
    own_measures: Vec<Choice>,
    errors: FieldErrors,
}

async fn contract_form_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Option<Uuid>,
    form: ContractForm,
    errors: FieldErrors,
) -> AppResult<ContractFormPage> {
    let m = principal.tenant()?;
    let suppliers = store::supplier_names(&state.pool, m).await?;
    let catalogue = crate::classification::store::catalogue(&state.pool, m).await?;
    let measures = |supplier: bool| {
        let picked = catalogue
            .iter()
            .filter(|me| (me.applies_to == crate::classification::model::AppliesTo::Leverantor) == supplier)
            .map(|me| {
                (me.id, format!("{} {} (från nivå {} på {})", me.code, me.title, me.min_level, me.aspect_label()))
            });
        choices(picked, &form.measure_ids)
    };
    Ok(ContractFormPage {
        supplier_options: options(suppliers, &form.supplier_id),
        people: options(crate::org::store::person_choices(&state.pool, m).await?, &form.owner_person_id),
        systems: choices(crate::systems::store::names(&state.pool, m).await?, &form.system_ids),
        supplier_measures: measures(true),
        own_measures: measures(false),
        chrome,
        id,
        form,
        errors,
    })
}

#[derive(Deserialize)]
pub struct NewContractQuery {
    #[serde(default)]
    supplier_id: String,
}

pub async fn new_contract(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(query): Query<NewContractQuery>,
) -> AppResult<Response> {
    let form = super::new_contract_form(&principal, query.supplier_id)?;
    Ok(contract_form_page(&state, &principal, chrome, None, form, FieldErrors::new()).await?.into_response())
}

pub async fn create_contract(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<ContractForm>,
) -> AppResult<Response> {
    match split_validation(super::create_contract(&state, &principal, &form).await)? {
        Ok(c) => Ok(flash::see_other_with(&state, &format!("/contracts/{}", c.id), "Avtalet är tillagt.")),
        Err(errors) => Ok(unprocessable(contract_form_page(&state, &principal, chrome, None, form, errors).await?)),
    }
}

pub async fn edit_contract(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let c = super::editable_contract(&state, &principal, id).await?;
    let form = ContractForm {
        supplier_id: c.supplier_id.to_string(),
        title: c.title,
        reference: c.reference,
        starts_on: date(c.starts_on),
        ends_on: date(c.ends_on),
        notice_months: c.notice_months.to_string(),
        owner_person_id: c.owner_person_id.map(|p| p.to_string()).unwrap_or_default(),
        sla_summary: c.sla_summary,
        has_dpa: c.has_dpa,
        check_interval_months: c.check_interval_months.to_string(),
        system_ids: c.system_ids.iter().map(Uuid::to_string).collect(),
        measure_ids: c.measure_ids.iter().map(Uuid::to_string).collect(),
        version: Version::of(c.updated_at).to_string(),
    };
    Ok(contract_form_page(&state, &principal, chrome, Some(id), form, FieldErrors::new()).await?.into_response())
}

pub async fn update_contract(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<ContractForm>,
) -> AppResult<Response> {
    let expected = Version::parse(&form.version);
    match split_validation(super::update_contract(&state, &principal, id, &form, expected).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/contracts/{id}"), "Avtalet är sparat.")),
        Err(errors) => {
            let page = contract_form_page(&state, &principal, chrome, Some(id), form, errors.clone()).await?;
            Ok(refused_form(&errors, page))
        }
    }
}
