//! Pages: each body's internal control plan with its lights, a control point with its results
//! and Lisa's own evidence, the forms, and the starter list.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use uuid::Uuid;

use super::model::{Frequency, Method, Outcome, PointForm, ReportedAt, ResultForm, STARTERS, Starter};
use super::store::Point;
use super::{Filter, may_edit, may_record};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::form::PageForm;
use crate::web::version::Version;
use crate::web::{Chrome, SelectOption, flash, options, refused_form, split_validation, unprocessable};

fn this_year() -> i32 {
    crate::web::format::today().year()
}

/// One body's plan on the list page.
pub struct BodyPlan {
    pub body_id: Uuid,
    pub body_name: String,
    pub points: Vec<Point>,
    pub may_edit: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "internal_control/list.html")]
struct ListPage {
    chrome: Chrome,
    plans: Vec<BodyPlan>,
    bodies: Vec<SelectOption>,
    editable_bodies: Vec<SelectOption>,
    year: String,
    query: String,
    starters: &'static [Starter],
    today: NaiveDate,
    no_errors: FieldErrors,
}

fn with_year(mut filter: Filter) -> Filter {
    if filter.year.trim().is_empty() {
        filter.year = this_year().to_string();
    }
    filter
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let filter = with_year(filter);
    let points = super::list(&state, &principal, &filter).await?;
    let all_bodies = crate::org::store::list_bodies(&state.pool, principal.tenant()?).await?;
    let mut plans: Vec<BodyPlan> = Vec::new();
    for point in points {
        match plans.iter_mut().find(|p| p.body_id == point.body_id) {
            Some(plan) => plan.points.push(point),
            None => plans.push(BodyPlan {
                body_id: point.body_id,
                body_name: point.body_name.clone(),
                may_edit: may_edit(&principal, point.body_id),
                points: vec![point],
            }),
        }
    }
    let editable: Vec<(Uuid, String)> =
        all_bodies.iter().filter(|b| may_edit(&principal, b.id)).map(|b| (b.id, b.name.clone())).collect();
    Ok(ListPage {
        bodies: options(all_bodies.iter().map(|b| (b.id, b.name.clone())), &filter.body_id),
        editable_bodies: options(editable, &filter.body_id),
        query: crate::web::pagination::filter_query(&filter),
        year: filter.year,
        starters: &STARTERS,
        today: crate::web::format::today(),
        no_errors: FieldErrors::new(),
        chrome,
        plans,
    }
    .into_response())
}

pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let today = crate::web::format::today();
    let rows: Vec<Vec<String>> = super::list(&state, &principal, &with_year(filter))
        .await?
        .into_iter()
        .map(|p| {
            let latest = p.results.first();
            vec![
                p.body_name.clone(),
                p.year.to_string(),
                p.area.clone(),
                p.risk.clone(),
                p.control.clone(),
                p.method.label().into(),
                p.sample.clone(),
                p.frequency.label().into(),
                p.responsible_name.clone().unwrap_or_default(),
                p.reported_at.label().into(),
                latest.map(|r| crate::web::format::date(r.performed_on)).unwrap_or_default(),
                latest.map(|r| r.outcome.label().to_string()).unwrap_or_default(),
                p.light(today).label().into(),
            ]
        })
        .collect();
    crate::web::csv::response(
        "internkontroll.csv",
        &[
            "Nämnd eller bolag",
            "År",
            "Område",
            "Risk",
            "Kontrollmoment",
            "Metod",
            "Urval",
            "Frekvens",
            "Ansvarig",
            "Rapporteras",
            "Senast genomförd",
            "Resultat",
            "Läge",
        ],
        &rows,
    )
}

/// The control point's fields, on the new-point page and the point's own page.
pub struct PointFields {
    form: PointForm,
    errors: FieldErrors,
    bodies: Vec<SelectOption>,
    methods: Vec<SelectOption>,
    frequencies: Vec<SelectOption>,
    reported: Vec<SelectOption>,
    people: Vec<SelectOption>,
    systems: Vec<SelectOption>,
}

async fn fields(
    state: &AppState,
    principal: &Principal,
    form: PointForm,
    errors: FieldErrors,
) -> AppResult<PointFields> {
    let m = principal.tenant()?;
    let bodies = crate::org::store::list_bodies(&state.pool, m).await?;
    let editable = bodies.into_iter().filter(|b| may_edit(principal, b.id)).map(|b| (b.id, b.name));
    Ok(PointFields {
        bodies: options(editable, &form.body_id),
        methods: Method::options(&form.method),
        frequencies: Frequency::options(&form.frequency),
        reported: ReportedAt::options(&form.reported_at),
        people: options(crate::org::store::person_choices(&state.pool, m).await?, &form.responsible_person_id),
        systems: options(crate::systems::store::names(&state.pool, m).await?, &form.system_id),
        form,
        errors,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "internal_control/form.html")]
struct FormPage {
    chrome: Chrome,
    f: PointFields,
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    body_id: String,
    #[serde(default)]
    year: String,
}

pub async fn new(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    super::open_new_form(&principal)?;
    let form = PointForm {
        body_id: query.body_id,
        year: if query.year.is_empty() { this_year().to_string() } else { query.year },
        ..PointForm::default()
    };
    Ok(FormPage { chrome, f: fields(&state, &principal, form, FieldErrors::new()).await? }.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<PointForm>,
) -> AppResult<Response> {
    match split_validation(super::create(&state, &principal, &form).await)? {
        Ok(p) => {
            Ok(flash::see_other_with(&state, &format!("/internal-control/{}", p.id), "Kontrollmomentet är tillagt."))
        }
        Err(errors) => Ok(unprocessable(FormPage { chrome, f: fields(&state, &principal, form, errors).await? })),
    }
}

fn form_of(p: &Point) -> PointForm {
    let id = |v: Option<Uuid>| v.map(|v| v.to_string()).unwrap_or_default();
    PointForm {
        body_id: p.body_id.to_string(),
        year: p.year.to_string(),
        area: p.area.clone(),
        risk: p.risk.clone(),
        risk_id: id(p.risk_id),
        recommendation_id: id(p.recommendation_id),
        system_id: id(p.system_id),
        measure_id: id(p.measure_id),
        control: p.control.clone(),
        method: p.method.code().into(),
        sample: p.sample.clone(),
        frequency: p.frequency.code().into(),
        responsible_person_id: id(p.responsible_person_id),
        reported_at: p.reported_at.code().into(),
        version: Version::of(p.updated_at).to_string(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "internal_control/show.html")]
struct ShowPage {
    chrome: Chrome,
    point: Point,
    /// The edit form, shown to those who keep the plan.
    f: PointFields,
    may_edit: bool,
    may_record: bool,
    result: ResultForm,
    result_errors: FieldErrors,
    outcomes: Vec<SelectOption>,
    evidence: Option<String>,
    today: NaiveDate,
}

async fn show_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    edited: Option<(PointForm, FieldErrors)>,
    result: Option<(ResultForm, FieldErrors)>,
) -> AppResult<ShowPage> {
    let point = super::readable(state, principal, id).await?;
    let (form, errors) = edited.unwrap_or_else(|| (form_of(&point), FieldErrors::new()));
    let (result, result_errors) = result.unwrap_or_else(|| {
        let today = crate::web::format::date(crate::web::format::today());
        (ResultForm { performed_on: today, ..ResultForm::default() }, FieldErrors::new())
    });
    Ok(ShowPage {
        may_record: may_record(principal, &point),
        may_edit: may_edit(principal, point.body_id),
        f: fields(state, principal, form, errors).await?,
        evidence: super::evidence(state, principal, &point).await?,
        outcomes: Outcome::options(&result.outcome),
        today: crate::web::format::today(),
        chrome,
        point,
        result,
        result_errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(show_page(&state, &principal, chrome, id, None, None).await?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<PointForm>,
) -> AppResult<Response> {
    let expected = Version::parse(&form.version);
    match split_validation(super::update(&state, &principal, id, &form, expected).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/internal-control/{id}"), "Kontrollmomentet är sparat.")),
        Err(errors) => {
            let page = show_page(&state, &principal, chrome, id, Some((form, errors.clone())), None).await?;
            Ok(refused_form(&errors, page))
        }
    }
}

pub async fn record_result(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<ResultForm>,
) -> AppResult<Response> {
    match split_validation(super::record_result(&state, &principal, id, &form).await)? {
        Ok(point) => {
            let message = match point.results.first() {
                Some(r) if r.action_id.is_some() => "Resultatet är registrerat. Avvikelsen är föreslagen som åtgärd.",
                _ => "Resultatet är registrerat.",
            };
            Ok(flash::see_other_with(&state, &format!("/internal-control/{id}"), message))
        }
        Err(errors) => Ok(unprocessable(show_page(&state, &principal, chrome, id, None, Some((form, errors))).await?)),
    }
}

/// The evidence upload on a result (multipart; the CSRF token travels in the form).
pub async fn attach_file(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, result_id)): Path<(Uuid, Uuid)>,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let upload = crate::web::files::read_upload(multipart).await?;
    let attached = super::attach_file(&state, &principal, id, result_id, upload).await;
    let message = crate::web::files::attached_message(attached, "Underlaget är bifogat.", "Underlaget bifogades inte")?;
    Ok(flash::see_other_with(&state, &format!("/internal-control/{id}"), &message))
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let point = super::editable(&state, &principal, id).await?;
    let back = format!("/internal-control/{id}");
    let what = format!("kontrollmomentet ”{}” med dess resultat", point.control);
    Ok(crate::web::confirm_delete(chrome, &what, &format!("{back}/delete"), &back))
}

pub async fn delete(State(state): State<AppState>, principal: Principal, Path(id): Path<Uuid>) -> AppResult<Response> {
    super::delete(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, "/internal-control", "Kontrollmomentet är borttaget."))
}

/// The starter points chosen for a body's plan.
#[derive(Deserialize)]
pub struct StarterForm {
    #[serde(default)]
    body_id: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    codes: Vec<String>,
}

pub async fn copy_starters(
    State(state): State<AppState>,
    principal: Principal,
    PageForm(form): PageForm<StarterForm>,
) -> AppResult<Response> {
    let year: i16 = form.year.trim().parse().unwrap_or(this_year() as i16);
    let back = format!("/internal-control?year={year}");
    let Ok(body_id) = Uuid::parse_str(form.body_id.trim()) else {
        return Ok(flash::see_other_with(&state, &back, "Välj nämnd eller bolag att kopiera kontrollmomenten till."));
    };
    crate::org::store::get_body(&state.pool, principal.tenant()?, body_id).await?;
    let copied = super::copy_starters(&state, &principal, body_id, year, &form.codes).await?;
    let message = match copied {
        0 => "Inga nya kontrollmoment: de valda fanns redan i planen, eller inget var valt.".to_string(),
        1 => "Ett kontrollmoment är kopierat till planen. Ange ansvarig och urval.".to_string(),
        n => format!("{n} kontrollmoment är kopierade till planen. Ange ansvarig och urval."),
    };
    Ok(flash::see_other_with(&state, &format!("/internal-control?year={year}&body_id={body_id}"), &message))
}
