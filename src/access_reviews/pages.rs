//! Pages: which systems lack a current access review, and the form to record one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::ReviewForm;
use super::store::{Filter, SystemStanding};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::form::PageForm;
use crate::web::pagination::{Asked, Pager};
use crate::web::{Chrome, SelectOption, flash, options, split_validation, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "access_reviews/list.html")]
struct ListPage {
    chrome: Chrome,
    systems: Vec<SystemStanding>,
    pager: Pager,
    filter: Filter,
    standings: Vec<SelectOption>,
    query_without_page: String,
    today: NaiveDate,
    no_errors: FieldErrors,
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let today = crate::web::format::today();
    let asked = Asked::page(filter.page.as_deref());
    let (systems, pager) = super::page(&state, &principal, &filter, asked).await?;
    let query_without_page = crate::web::pagination::filter_query(&filter);
    Ok(ListPage {
        standings: options(
            [("saknas", "Aldrig granskad"), ("forsenad", "Försenad"), ("aktuell", "Aktuell")],
            &filter.standing,
        ),
        no_errors: FieldErrors::new(),
        chrome,
        systems,
        pager,
        filter,
        query_without_page,
        today,
    }
    .into_response())
}

pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let today = crate::web::format::today();
    let date = |d: Option<NaiveDate>| d.map(crate::web::format::date).unwrap_or_default();
    let rows: Vec<Vec<String>> = super::all_matching(&state, &principal, &filter)
        .await?
        .into_iter()
        .map(|s| {
            vec![
                s.system_name.clone(),
                if s.is_critical { "ja" } else { "nej" }.into(),
                date(s.last_reviewed_on),
                match s.last_complete {
                    Some(true) => "ja".into(),
                    Some(false) => "nej".into(),
                    None => String::new(),
                },
                date(s.next_due),
                s.standing(today).label().into(),
            ]
        })
        .collect();
    crate::web::csv::response(
        "behorighetsgranskningar.csv",
        &["System", "Verksamhetskritiskt", "Senast granskad", "Fullständig", "Nästa granskning", "Läge"],
        &rows,
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "access_reviews/form.html")]
struct FormPage {
    chrome: Chrome,
    form: ReviewForm,
    errors: FieldErrors,
    systems: Vec<SelectOption>,
    people: Vec<SelectOption>,
}

async fn form_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    form: ReviewForm,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    super::open_form(principal)?;
    let m = principal.tenant()?;
    Ok(FormPage {
        systems: options(crate::systems::store::names(&state.pool, m).await?, &form.system_id),
        people: options(crate::org::store::person_choices(&state.pool, m).await?, &form.reviewer_person_id),
        chrome,
        form,
        errors,
    })
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    system_id: String,
}

pub async fn new(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    let form = ReviewForm {
        system_id: query.system_id,
        reviewed_on: crate::web::format::date(crate::web::format::today()),
        ..ReviewForm::default()
    };
    Ok(form_page(&state, &principal, chrome, form, FieldErrors::new()).await?.into_response())
}

pub async fn record(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<ReviewForm>,
) -> AppResult<Response> {
    match split_validation(super::record(&state, &principal, &form).await)? {
        Ok(review) => Ok(flash::see_other_with(
            &state,
            &format!("/systems/{}", review.system_id),
            &format!("Behörighetsgranskningen är registrerad. Nästa granskning senast {}.", review.next_due),
        )),
        Err(errors) => Ok(unprocessable(form_page(&state, &principal, chrome, form, errors).await?)),
    }
}
