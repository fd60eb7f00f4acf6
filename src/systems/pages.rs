//! Pages for the system inventory, one system with its information and dependencies,
//! the CSV import with preview, and the coverage page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use uuid::Uuid;

use super::model::{Flag, Hosting, IMPORT_COLUMNS, ImportRow, Lifecycle, SystemForm};
use super::store::{self, AssetForm, Coverage, CoverageRow, Dependency, Filter, System};
use super::{may_create, may_edit, readable};
use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::auth::Principal;
use crate::classification::store::Classification;
use crate::error::{AppResult, FieldErrors};
use crate::web::form::{PageForm, PastedText};
use crate::web::pagination::{Asked, Pager};
use crate::web::version::Version;
use crate::web::{
    Choice, Chrome, SelectOption, choices, flash, options, refused_form, split_validation, unprocessable,
};

fn today() -> NaiveDate {
    crate::web::format::today()
}

// ---------------------------------------------------------------- list

#[derive(Template, WebTemplate)]
#[template(path = "systems/list.html")]
struct ListPage {
    chrome: Chrome,
    systems: Vec<System>,
    pager: Pager,
    filter: Filter,
    query: String,
    query_without_page: String,
    bodies: Vec<SelectOption>,
    owners: Vec<SelectOption>,
    flags: Vec<SelectOption>,
    coverages: Vec<SelectOption>,
    may_create: bool,
    today: NaiveDate,
    no_errors: FieldErrors,
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    let asked = Asked::page(filter.page.as_deref());
    let mut db = state.pool.acquire().await?;
    let (systems, pager) = super::page(&mut db, &principal, &filter, asked).await?;
    let bodies = crate::org::store::list_bodies(&mut *db, m).await?.into_iter().map(|b| (b.id, b.name));
    let owners = crate::org::store::person_choices(&mut *db, m).await?;
    Ok(ListPage {
        bodies: options(bodies, &filter.body_id),
        owners: options(owners, &filter.owner_person_id),
        flags: Flag::options(&filter.flag),
        coverages: Coverage::options(&filter.classification),
        query: crate::web::pagination::filter_query(&filter),
        query_without_page: crate::web::pagination::filter_query(&filter),
        may_create: may_create(&principal),
        today: today(),
        no_errors: FieldErrors::new(),
        chrome,
        systems,
        pager,
        filter,
    }
    .into_response())
}

pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let today = today();
    let m = principal.tenant()?;
    let registered_by = filter.registered_by;
    let ids = super::matching_ids(&state, &principal, &filter).await?;
    let yes_no = |b: bool| if b { "ja" } else { "nej" }.to_string();
    let mut headings: Vec<&str> = IMPORT_COLUMNS.to_vec();
    headings.extend(["Systemförvaltare", "Skyddsnivå K-R-T-S", "Klassning", "Nästa översyn", "Översyn försenad"]);
    crate::web::csv::stream(
        state.pool.clone(),
        "system.csv",
        &headings,
        ids,
        Box::new(move |db, ids| Box::pin(store::by_ids(db, m, ids, registered_by))),
        move |s: &store::System| {
            let mut row = vec![
                s.name.clone(),
                s.purpose.clone(),
                s.body_name.clone().unwrap_or_default(),
                s.owner_name.clone().unwrap_or_default(),
                s.supplier_name.clone(),
                s.operator_name.clone(),
                s.hosting_label().to_string(),
                s.users_count.map(|n| n.to_string()).unwrap_or_default(),
                s.lifecycle_label().to_string(),
            ];
            row.extend(Flag::ALL.map(|flag| yes_no(s.has(flag))));
            row.extend([
                s.administrators_text(),
                s.protection_level().map(|l| l.triple()).unwrap_or_default(),
                s.coverage().label().to_string(),
                s.next_review().map(crate::web::format::date).unwrap_or_default(),
                yes_no(s.is_review_overdue(today)),
            ]);
            row
        },
    )
}

// ---------------------------------------------------------------- one system

/// An information asset with its current classification.
pub struct AssetRow {
    pub asset: store::Asset,
    pub current: Option<Classification>,
}

#[derive(Template, WebTemplate)]
#[template(path = "systems/show.html")]
struct ShowPage {
    chrome: Chrome,
    system: System,
    assets: Vec<AssetRow>,
    depends_on: Vec<Dependency>,
    needed_by: Vec<Dependency>,
    other_systems: Vec<SelectOption>,
    people: Vec<SelectOption>,
    analyses: Vec<crate::risks::store::Analysis>,
    actions: Vec<crate::actions::store::Action>,
    access_reviews: Vec<crate::access_reviews::store::Review>,
    contracts: Vec<crate::suppliers::store::Contract>,
    history: Vec<Entry>,
    may_edit: bool,
    may_delete: bool,
    today: NaiveDate,
    asset_form: AssetForm,
    errors: FieldErrors,
}

impl ShowPage {
    /// The first information without a classification: where "Klassa informationen" leads.
    fn first_unclassified(&self) -> Option<uuid::Uuid> {
        self.assets.iter().find(|row| row.current.is_none()).map(|row| row.asset.id)
    }
}

async fn show_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    asset_form: AssetForm,
    errors: FieldErrors,
) -> AppResult<ShowPage> {
    let system = readable(state, principal, id).await?;
    let m = principal.tenant()?;
    let versions = crate::classification::store::versions(&state.pool, m, Some(id), None).await?;
    let current = crate::classification::store::current(&versions);
    let assets = store::assets(&state.pool, m, id)
        .await?
        .into_iter()
        .map(|asset| AssetRow { current: current.iter().find(|c| c.asset_id == asset.id).map(|c| (*c).clone()), asset })
        .collect();
    let (depends_on, needed_by) = store::dependencies(&state.pool, m, id).await?;
    let others = store::names(&state.pool, m).await?.into_iter().filter(|(other, _)| *other != id);
    let analyses =
        crate::risks::store::analyses(&state.pool, m).await?.into_iter().filter(|a| a.system_id == Some(id)).collect();
    let actions = crate::actions::store::for_system(&mut *state.pool.acquire().await?, m, id).await?;
    let contracts = crate::suppliers::store::for_system(&mut *state.pool.acquire().await?, m, id).await?;
    Ok(ShowPage {
        may_edit: may_edit(principal, &system),
        may_delete: may_create(principal),
        other_systems: options(others, ""),
        people: options(crate::org::store::person_choices(&state.pool, m).await?, &asset_form.owner_person_id),
        actions,
        access_reviews: crate::access_reviews::store::for_system(&state.pool, m, id).await?,
        contracts,
        history: audit_log::history(&state.pool, m, EntityType::System, id).await?,
        today: today(),
        chrome,
        system,
        assets,
        depends_on,
        needed_by,
        analyses,
        asset_form,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(show_page(&state, &principal, chrome, id, AssetForm::default(), FieldErrors::new()).await?.into_response())
}

pub async fn add_asset(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<AssetForm>,
) -> AppResult<Response> {
    match split_validation(super::add_asset(&state, &principal, id, &form).await)? {
        Ok(asset) => Ok(flash::see_other_with(
            &state,
            &format!("/assets/{}", asset.id),
            "Informationsmängden är tillagd. Klassa den nu.",
        )),
        Err(errors) => Ok(unprocessable(show_page(&state, &principal, chrome, id, form, errors).await?)),
    }
}

pub async fn update_asset(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<AssetForm>,
) -> AppResult<Response> {
    let message = match split_validation(super::update_asset(&state, &principal, id, &form).await)? {
        Ok(_) => "Informationsmängden är ändrad.".to_string(),
        Err(errors) => format!("Ändringen sparades inte: {}", errors.into_values().collect::<Vec<_>>().join(" ")),
    };
    Ok(flash::see_other_with(&state, &format!("/assets/{id}"), &message))
}

/// A dependency as the system page sends it: another system of the municipality, or an outside party.
#[derive(serde::Deserialize)]
pub struct DependencyForm {
    #[serde(default)]
    depends_on_system_id: String,
    #[serde(default)]
    external_party: String,
    #[serde(default)]
    description: String,
}

pub async fn add_dependency(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<DependencyForm>,
) -> AppResult<Response> {
    let target = Uuid::parse_str(form.depends_on_system_id.trim()).map_err(|_| form.external_party.trim().to_string());
    let message =
        match split_validation(super::add_dependency(&state, &principal, id, target, form.description.trim()).await)? {
            Ok(()) => "Beroendet är sparat.".to_string(),
            Err(errors) => format!("Beroendet sparades inte: {}", errors.into_values().collect::<Vec<_>>().join(" ")),
        };
    Ok(flash::see_other_with(&state, &format!("/systems/{id}"), &message))
}

pub async fn remove_dependency(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, dependency_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    super::remove_dependency(&state, &principal, id, dependency_id).await?;
    Ok(flash::see_other_with(&state, &format!("/systems/{id}"), "Beroendet är borttaget."))
}

pub async fn major_change(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    super::record_major_change(&state, &principal, id).await?;
    Ok(flash::see_other_with(
        &state,
        &format!("/systems/{id}"),
        "Den väsentliga förändringen är registrerad: klassningen ska ses över.",
    ))
}

// ---------------------------------------------------------------- form

#[derive(Template, WebTemplate)]
#[template(path = "systems/form.html")]
struct FormPage {
    chrome: Chrome,
    id: Option<Uuid>,
    form: SystemForm,
    errors: FieldErrors,
    bodies: Vec<SelectOption>,
    people: Vec<SelectOption>,
    units: Vec<SelectOption>,
    administrators: Vec<Choice>,
    hostings: Vec<SelectOption>,
    lifecycles: Vec<SelectOption>,
    flags: Vec<Choice>,
}

async fn form_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Option<Uuid>,
    form: SystemForm,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    let m = principal.tenant()?;
    let bodies = crate::org::store::list_bodies(&state.pool, m).await?.into_iter().map(|b| (b.id, b.name));
    let units = crate::org::store::list_units(&state.pool, m).await?.into_iter().map(|u| (u.id, u.name));
    let people = crate::org::store::person_choices(&state.pool, m).await?;
    let flags = Flag::ALL
        .map(|flag| Choice {
            value: flag.code().to_string(),
            label: flag.label().to_string(),
            checked: form.flag(flag),
        })
        .into();
    Ok(FormPage {
        bodies: options(bodies, &form.body_id),
        units: options(units, &form.unit_id),
        administrators: choices(people.clone(), &form.administrator_ids),
        people: options(people, &form.owner_person_id),
        hostings: Hosting::options(&form.hosting),
        lifecycles: Lifecycle::options(&form.lifecycle),
        flags,
        chrome,
        id,
        form,
        errors,
    })
}

pub async fn new(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let form = super::new_system_form(&principal)?;
    Ok(form_page(&state, &principal, chrome, None, form, FieldErrors::new()).await?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<SystemForm>,
) -> AppResult<Response> {
    match split_validation(super::create(&state, &principal, &form).await)? {
        Ok(system) => Ok(flash::see_other_with(&state, &format!("/systems/{}", system.id), "Systemet är sparat.")),
        Err(errors) => Ok(unprocessable(form_page(&state, &principal, chrome, None, form, errors).await?)),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let s = super::editable(&state, &principal, id).await?;
    let mut form = SystemForm {
        name: s.name.clone(),
        purpose: s.purpose.clone(),
        body_id: s.body_id.map(|i| i.to_string()).unwrap_or_default(),
        owner_person_id: s.owner_person_id.map(|i| i.to_string()).unwrap_or_default(),
        unit_id: s.unit_id.map(|i| i.to_string()).unwrap_or_default(),
        administrator_ids: s.administrators.iter().map(|p| p.id.to_string()).collect(),
        supplier_name: s.supplier_name.clone(),
        operator_name: s.operator_name.clone(),
        hosting: s.hosting.code().to_string(),
        users_count: s.users_count.map(|n| n.to_string()).unwrap_or_default(),
        lifecycle: s.lifecycle.code().to_string(),
        review_interval_months: s.review_interval_months.to_string(),
        version: Version::of(s.updated_at).to_string(),
        ..SystemForm::default()
    };
    for flag in Flag::ALL {
        form.set_flag(flag, s.has(flag));
    }
    Ok(form_page(&state, &principal, chrome, Some(id), form, FieldErrors::new()).await?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<SystemForm>,
) -> AppResult<Response> {
    let expected = Version::parse(&form.version);
    match split_validation(super::update(&state, &principal, id, &form, expected).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/systems/{id}"), "Ändringarna är sparade.")),
        Err(errors) => {
            let page = form_page(&state, &principal, chrome, Some(id), form, errors.clone()).await?;
            Ok(refused_form(&errors, page))
        }
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let system = super::deletable(&state, &principal, id).await?;
    let what = format!("systemet {} med dess informationsmängder, klassningar och självskattningar", system.name);
    Ok(crate::web::confirm_delete(chrome, &what, &format!("/systems/{id}/delete"), &format!("/systems/{id}")))
}

pub async fn delete(State(state): State<AppState>, principal: Principal, Path(id): Path<Uuid>) -> AppResult<Response> {
    super::delete(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, "/systems", "Systemet är borttaget."))
}

// ---------------------------------------------------------------- import

#[derive(Template, WebTemplate)]
#[template(path = "systems/import.html")]
struct ImportPage {
    chrome: Chrome,
    text: String,
    error: Option<String>,
    rows: Vec<ImportRow>,
    columns: String,
}

impl ImportPage {
    fn valid(&self) -> usize {
        self.rows.iter().filter(|r| r.errors.is_empty()).count()
    }
}

fn import_page(chrome: Chrome, text: String, error: Option<String>, rows: Vec<ImportRow>) -> ImportPage {
    ImportPage { chrome, text, error, rows, columns: IMPORT_COLUMNS.join(";") }
}

pub async fn import_form(principal: Principal, chrome: Chrome) -> AppResult<Response> {
    super::new_system_form(&principal)?;
    Ok(import_page(chrome, String::new(), None, Vec::new()).into_response())
}

pub async fn import_preview(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(PastedText { text }): PageForm<PastedText>,
) -> AppResult<Response> {
    match super::preview_import(&state, &principal, &text).await {
        Ok(rows) => Ok(import_page(chrome, text, None, rows).into_response()),
        Err(crate::error::AppError::BadRequest(message)) => {
            Ok(unprocessable(import_page(chrome, text, Some(message), Vec::new())))
        }
        Err(other) => Err(other),
    }
}

pub async fn import_confirm(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(PastedText { text }): PageForm<PastedText>,
) -> AppResult<Response> {
    match super::confirm_import(&state, &principal, &text).await {
        Ok((saved, skipped)) => {
            let message = if skipped == 0 {
                format!("{saved} system är inlästa.")
            } else {
                format!("{saved} system är inlästa. {skipped} rader med fel lästes inte in.")
            };
            Ok(flash::see_other_with(&state, "/systems", &message))
        }
        Err(crate::error::AppError::BadRequest(message)) => {
            Ok(unprocessable(import_page(chrome, text, Some(message), Vec::new())))
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------- coverage

#[derive(Template, WebTemplate)]
#[template(path = "systems/coverage.html")]
struct CoveragePage {
    chrome: Chrome,
    rows: Vec<CoverageRow>,
    total: CoverageRow,
    /// The coordinator may bring in classifications made in KLASSA.
    may_import: bool,
}

pub async fn coverage(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let (rows, total) = super::coverage(&state, &principal).await?;
    let may_import = crate::classification::import::may_import(&principal);
    Ok(CoveragePage { chrome, rows, total, may_import }.into_response())
}
