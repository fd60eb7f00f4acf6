//! The recommendation register with its filters and CSV, and the auditors' review list.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;

use crate::AppState;
use crate::audits::model::{self, Area, Priority, Status};
use crate::audits::store::{self, Filter, Recommendation, RegisterFigures};
use crate::audits::today;
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::org::store::list_bodies;
use crate::web::pagination::{Asked, Pager};
use crate::web::{Chrome, SelectOption, options};

/// The figures at the top of the register.
pub struct Counts {
    pub open: usize,
    pub claimed: usize,
    pub verified: usize,
    pub overdue: usize,
    /// The median age of the open ones, in years and months.
    pub median_age: Option<String>,
}

fn counts(figures: RegisterFigures, today: NaiveDate) -> Counts {
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    Counts {
        open: count(figures.open),
        claimed: count(figures.claimed),
        verified: count(figures.verified),
        overdue: count(figures.overdue),
        median_age: figures
            .median_first_reported
            .map(|d| crate::web::format::years_months(crate::web::format::months_between(d, today))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/register.html")]
struct RegisterPage {
    chrome: Chrome,
    recommendations: Vec<Recommendation>,
    pager: Pager,
    counts: Counts,
    filter: Filter,
    bodies: Vec<SelectOption>,
    statuses: Vec<SelectOption>,
    priorities: Vec<SelectOption>,
    audits: Vec<SelectOption>,
    areas: Vec<SelectOption>,
    ages: Vec<SelectOption>,
    verdicts: Vec<SelectOption>,
    missing: Vec<SelectOption>,
    sorts: Vec<SelectOption>,
    query: String,
    query_without_page: String,
    today: NaiveDate,
    no_errors: FieldErrors,
    /// When filtered to one body: its name, for the heading (the per-body view).
    body_name: Option<String>,
}

pub async fn register(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    let today = today();
    let asked = Asked::page(filter.page.as_deref());
    let (recommendations, pager, figures) =
        crate::audits::register_page(&state, &principal, filter.clone(), asked).await?;
    let all_bodies = list_bodies(&state.pool, m).await?;
    let body_name = all_bodies.iter().find(|b| b.id.to_string() == filter.body_id.trim()).map(|b| b.name.clone());
    let bodies = options(all_bodies.into_iter().map(|b| (b.id, b.name)), &filter.body_id);
    let audits = options(
        store::list_audits(&state.pool, m, filter.within_bodies.as_deref()).await?.into_iter().map(|a| (a.id, a.title)),
        &filter.audit_id,
    );
    Ok(RegisterPage {
        counts: counts(figures, today),
        statuses: Status::options(&filter.status),
        priorities: Priority::options(&filter.priority),
        areas: Area::options(&filter.area),
        ages: options(
            [("365", "Äldre än ett år"), ("730", "Äldre än två år"), ("1095", "Äldre än tre år")],
            &filter.min_age_days,
        ),
        verdicts: verdict_options(&filter.verdict),
        missing: options([("ansvarig", "Saknar ansvarig"), ("maldatum", "Saknar måldatum")], &filter.missing),
        sorts: options([("age", "Äldst först"), ("target", "Måldatum"), ("status", "Status")], &filter.sort),
        query: crate::web::pagination::filter_query(&filter),
        query_without_page: crate::web::pagination::filter_query(&filter),
        chrome,
        recommendations,
        pager,
        filter,
        bodies,
        audits,
        today,
        no_errors: FieldErrors::new(),
        body_name,
    }
    .into_response())
}

/// The follow-up verdicts to filter by, and "not assessed".
fn verdict_options(selected: &str) -> Vec<SelectOption> {
    let verdicts = model::FollowUpResult::ALL.map(|v| (v.code(), v.label()));
    options(verdicts.into_iter().chain([("ingen", "Ej bedömd i uppföljning")]), selected)
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/review.html")]
struct ReviewPage {
    chrome: Chrome,
    sections: Vec<(&'static str, &'static str, Vec<Recommendation>)>,
    today: NaiveDate,
}

/// The auditors' view: what awaits verification, what is overdue, what was carried over.
pub async fn review(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let today = today();
    let list = |filter: Filter| crate::audits::list_recommendations(&state, &principal, filter);
    let awaiting = list(Filter { status: Status::Atgardad.code().into(), ..Filter::default() }).await?;
    let overdue = list(Filter { overdue: "1".into(), ..Filter::default() }).await?;
    let carried = list(Filter { carried: "1".into(), ..Filter::default() }).await?;
    let carried = carried.into_iter().filter(|r| r.status() != Status::Verifierad).collect();
    let sections = vec![
        (
            "Väntar på verifiering",
            "Anmälda som åtgärdade av den ansvarige. Granska underlaget och verifiera eller återöppna.",
            awaiting,
        ),
        ("Försenade", "Öppna rekommendationer vars måldatum har passerat.", overdue),
        (
            "Kvarstår från tidigare granskningar",
            "Bedömda som delvis eller inte åtgärdade i en uppföljande granskning. Åldern räknas från den första rapporten.",
            carried,
        ),
    ];
    Ok(ReviewPage { chrome, sections, today }.into_response())
}

pub async fn register_csv(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let today = today();
    let recommendations = crate::audits::list_recommendations(&state, &principal, filter).await?;
    let rows: Vec<Vec<String>> = recommendations
        .iter()
        .map(|r| {
            vec![
                r.audit_title.clone(),
                r.position.to_string(),
                r.text.clone(),
                r.bodies_text(),
                r.priority_label().to_string(),
                r.status_label().to_string(),
                r.target_date.map(crate::web::format::date).unwrap_or_default(),
                r.first_reported.map(crate::web::format::date).unwrap_or_default(),
                r.age_text(today),
                r.age_months(today).map(|m| m.to_string()).unwrap_or_default(),
                if r.is_overdue(today) { "Ja" } else { "Nej" }.to_string(),
                r.verdict_label().to_string(),
                r.latest_follow_up_title.clone().unwrap_or_default(),
                r.latest_follow_up_on.map(crate::web::format::date).unwrap_or_default(),
                r.responsible_name.clone().unwrap_or_default(),
                r.carried_into.iter().map(|a| a.title.as_str()).collect::<Vec<_>>().join(", "),
            ]
        })
        .collect();
    crate::web::csv::response(
        "rekommendationer.csv",
        &[
            "Granskning",
            "Nr",
            "Rekommendation",
            "Organ",
            "Prioritet",
            "Status",
            "Måldatum",
            "Först lämnad",
            "Ålder",
            "Ålder (månader)",
            "Försenad",
            "Senaste bedömning i uppföljning",
            "Uppföljning",
            "Uppföljningens datum",
            "Ansvarig",
            "Kvarstår i",
        ],
        &rows,
    )
}
