//! Pages: the report form anyone uses, "my reports", the handlers' list and incident page
//! with its clocks, the yearly summary and the receivers.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Utc};
use uuid::Uuid;

use super::clocks::{Clock, ClockState, ReportKind};
use super::model::{Category, EventForm, HandlingForm, ReportForm, SentReportForm, Severity, Status, local_input};
use super::store::{self, Filter, Incident};
use super::summary::Summary;
use super::{Access, readable};
use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::form::PageForm;
use crate::web::pagination::{Asked, Pager};
use crate::web::version::Version;
use crate::web::{
    Choice, Chrome, SelectOption, choices, flash, options, refused_form, split_validation, unprocessable,
};

async fn system_names(state: &AppState, principal: &Principal) -> AppResult<Vec<(Uuid, String)>> {
    crate::systems::store::names(&state.pool, principal.tenant()?).await
}

// ---------------------------------------------------------------- reporting

#[derive(Template, WebTemplate)]
#[template(path = "incidents/report.html")]
struct ReportPage {
    chrome: Chrome,
    form: ReportForm,
    errors: FieldErrors,
    systems: Vec<Choice>,
}

async fn report_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    form: ReportForm,
    errors: FieldErrors,
) -> AppResult<ReportPage> {
    super::open_report_form(principal)?;
    Ok(ReportPage { systems: choices(system_names(state, principal).await?, &form.system_ids), chrome, form, errors })
}

pub async fn report_form(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let form = ReportForm { discovered_at: local_input(Utc::now()), ..ReportForm::default() };
    Ok(report_page(&state, &principal, chrome, form, FieldErrors::new()).await?.into_response())
}

pub async fn report(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<ReportForm>,
) -> AppResult<Response> {
    match split_validation(super::report(&state, &principal, &form).await)? {
        Ok(incident) => Ok(flash::see_other_with(
            &state,
            &format!("/incidents/{}", incident.id),
            &format!("Tack! Din rapport har nummer {}. Incidentmottagaren tar hand om den.", incident.reference()),
        )),
        Err(errors) => Ok(unprocessable(report_page(&state, &principal, chrome, form, errors).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/mine.html")]
struct MinePage {
    chrome: Chrome,
    incidents: Vec<Incident>,
}

pub async fn mine(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let incidents = super::mine(&state, &principal).await?;
    Ok(MinePage { chrome, incidents }.into_response())
}

// ---------------------------------------------------------------- the handlers' list

#[derive(Template, WebTemplate)]
#[template(path = "incidents/list.html")]
struct ListPage {
    chrome: Chrome,
    incidents: Vec<Incident>,
    pager: Pager,
    filter: Filter,
    query: String,
    query_without_page: String,
    statuses: Vec<SelectOption>,
    categories: Vec<SelectOption>,
    severities: Vec<SelectOption>,
    now: DateTime<Utc>,
    may_name_receivers: bool,
    no_errors: FieldErrors,
}

impl ListPage {
    /// The most pressing clock of an incident: overdue first, then the nearest running one.
    fn next_clock(&self, incident: &Incident) -> Option<Clock> {
        let clocks = incident.clocks(self.now);
        clocks
            .iter()
            .find(|c| c.state == ClockState::Overdue)
            .or_else(|| clocks.iter().find(|c| c.state == ClockState::Running))
            .cloned()
    }
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let asked = Asked::page(filter.page.as_deref());
    let (incidents, pager) = super::page(&state, &principal, &filter, asked).await?;
    Ok(ListPage {
        statuses: Status::options(&filter.status),
        categories: Category::options(&filter.category),
        severities: Severity::options(&filter.severity),
        query: crate::web::pagination::filter_query(&filter),
        query_without_page: crate::web::pagination::filter_query(&filter),
        now: Utc::now(),
        may_name_receivers: super::may_name_receivers(&principal),
        no_errors: FieldErrors::new(),
        chrome,
        incidents,
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
    let ids = super::matching_ids(&state, &principal, &filter).await?;
    let m = principal.tenant()?;
    let now = Utc::now();
    crate::web::csv::stream(
        state.pool.clone(),
        "incidenter.csv",
        &[
            "Nummer",
            "Rubrik",
            "Upptäckt",
            "Status",
            "Kategori",
            "Allvarlighet",
            "System",
            "Personuppgifter",
            "Betydande",
            "Rapporter",
        ],
        ids,
        Box::new(move |db, ids| Box::pin(store::by_ids(db, m, ids))),
        move |i: &Incident| {
            let clocks = i.clocks(now);
            vec![
                i.reference(),
                i.title.clone(),
                i.discovered_text(),
                i.status_label().to_string(),
                i.category_label().to_string(),
                i.severity_label().to_string(),
                i.systems_text(),
                if i.personal_data { "ja" } else { "nej" }.to_string(),
                if i.significant { "ja" } else { "nej" }.to_string(),
                clocks.iter().map(|c| format!("{}: {}", c.kind.code(), c.state.label())).collect::<Vec<_>>().join(", "),
            ]
        },
    )
}

// ---------------------------------------------------------------- one incident

#[derive(Template, WebTemplate)]
#[template(path = "incidents/show.html")]
struct ShowPage {
    chrome: Chrome,
    incident: Incident,
    clocks: Vec<Clock>,
    now: DateTime<Utc>,
    handles: bool,
    form: HandlingForm,
    errors: FieldErrors,
    statuses: Vec<SelectOption>,
    categories: Vec<SelectOption>,
    severities: Vec<SelectOption>,
    people: Vec<SelectOption>,
    systems: Vec<Choice>,
    report_kinds: Vec<SelectOption>,
    now_input: String,
    history: Vec<Entry>,
}

fn handling_form(incident: &Incident) -> HandlingForm {
    HandlingForm {
        status: incident.status.code().to_string(),
        category: incident.category.map(|c| c.code().to_string()).unwrap_or_default(),
        severity: incident.severity.map(|c| c.code().to_string()).unwrap_or_default(),
        impact_k: incident.impact_k,
        impact_r: incident.impact_r,
        impact_t: incident.impact_t,
        personal_data: incident.personal_data,
        significant: incident.significant,
        imy_exempt_reason: incident.imy_exempt_reason.clone(),
        responsible_person_id: incident.responsible_person_id.map(|p| p.to_string()).unwrap_or_default(),
        system_ids: incident.systems.iter().map(|s| s.id.to_string()).collect(),
        supplier_name: incident.supplier_name.clone(),
        escalated_at: incident.escalated_at.map(local_input).unwrap_or_default(),
        significant_from: incident.significant_from.map(local_input).unwrap_or_default(),
        supplier_reference: incident.supplier_reference.clone(),
        measures: incident.measures.clone(),
        cause: incident.cause.clone(),
        lessons: incident.lessons.clone(),
        handled_at: incident.handled_at.map(local_input).unwrap_or_default(),
        version: Version::of(incident.updated_at).to_string(),
    }
}

async fn show_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    form: Option<HandlingForm>,
    errors: FieldErrors,
) -> AppResult<ShowPage> {
    let (incident, access) = readable(state, principal, id).await?;
    let m = principal.tenant()?;
    let now = Utc::now();
    let handles = access == Access::Handle;
    let form = form.unwrap_or_else(|| handling_form(&incident));
    let (people, systems, history) = if handles {
        (
            crate::org::store::person_choices(&state.pool, m).await?,
            system_names(state, principal).await?,
            audit_log::history(&state.pool, m, EntityType::Incident, id).await?,
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    Ok(ShowPage {
        clocks: incident.clocks(now),
        statuses: Status::options(&form.status),
        categories: Category::options(&form.category),
        severities: Severity::options(&form.severity),
        people: options(people, &form.responsible_person_id),
        systems: choices(systems, &form.system_ids),
        report_kinds: options(ReportKind::ALL.map(|k| (k.code(), k.label())), ""),
        now_input: local_input(now),
        chrome,
        incident,
        now,
        handles,
        form,
        errors,
        history,
    })
}

pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(show_page(&state, &principal, chrome, id, None, FieldErrors::new()).await?.into_response())
}

pub async fn handle(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<HandlingForm>,
) -> AppResult<Response> {
    let expected = Version::parse(&form.version);
    match split_validation(super::handle(&state, &principal, id, &form, expected).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/incidents/{id}"), "Incidenten är uppdaterad.")),
        Err(errors) => {
            let page = show_page(&state, &principal, chrome, id, Some(form), errors.clone()).await?;
            Ok(refused_form(&errors, page))
        }
    }
}

pub async fn add_event(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<EventForm>,
) -> AppResult<Response> {
    match split_validation(super::add_event(&state, &principal, id, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/incidents/{id}"), "Händelsen är sparad i tidslinjen.")),
        Err(errors) => Ok(unprocessable(show_page(&state, &principal, chrome, id, None, errors).await?)),
    }
}

pub async fn add_report(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<SentReportForm>,
) -> AppResult<Response> {
    match split_validation(super::add_report(&state, &principal, id, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/incidents/{id}"), "Rapporten är registrerad.")),
        Err(errors) => Ok(unprocessable(show_page(&state, &principal, chrome, id, None, errors).await?)),
    }
}

// ---------------------------------------------------------------- summary and receivers

#[derive(Template, WebTemplate)]
#[template(path = "incidents/summary.html")]
struct SummaryPage {
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    summary: Summary,
}

impl SummaryPage {
    fn sections(&self) -> [(&'static str, &Vec<super::summary::Count>); 3] {
        [
            ("Per kategori", &self.summary.by_category),
            ("Per allvarlighet", &self.summary.by_severity),
            ("Per system", &self.summary.by_system),
        ]
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct YearQuery {
    /// The year of discovery; this year when absent.
    pub year: Option<i32>,
}

pub async fn summary(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(query): Query<YearQuery>,
) -> AppResult<Response> {
    let (year, summary) = super::summary_of(&state, &principal, query.year).await?;
    let this_year = crate::web::format::today().year();
    Ok(SummaryPage { chrome, year, years: (this_year - 4..=this_year).rev().collect(), summary }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/receivers.html")]
struct ReceiversPage {
    chrome: Chrome,
    people: Vec<Choice>,
    no_errors: FieldErrors,
}

pub async fn receivers(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let m = principal.tenant()?;
    let chosen: Vec<String> =
        super::receivers(&state, &principal).await?.into_iter().map(|p| p.id.to_string()).collect();
    let people = choices(crate::org::store::person_choices(&state.pool, m).await?, &chosen);
    Ok(ReceiversPage { chrome, people, no_errors: FieldErrors::new() }.into_response())
}

/// The people ticked as incident receivers.
#[derive(serde::Deserialize)]
pub struct ReceiversForm {
    #[serde(default)]
    person_ids: Vec<String>,
}

pub async fn set_receivers(
    State(state): State<AppState>,
    principal: Principal,
    PageForm(form): PageForm<ReceiversForm>,
) -> AppResult<Response> {
    let people: Vec<Uuid> = form.person_ids.iter().filter_map(|p| Uuid::parse_str(p.trim()).ok()).collect();
    super::set_receivers(&state, &principal, &people).await?;
    Ok(flash::see_other_with(&state, "/incidents/receivers", "Incidentmottagarna är sparade."))
}
