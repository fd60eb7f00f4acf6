//! The staff directory: people with titles, email and unit.

use crate::web::form::PageForm;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::super::model::PersonForm;
use super::super::store::{self, Person};
use super::super::{may_manage, service};
use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::auth::Principal;
use crate::db::MunicipalityId;
use crate::error::{AppResult, FieldErrors};
use crate::web::pagination::{ListQuery, Pager};
use crate::web::{Chrome, SelectOption, confirm_delete, flash, options, split_validation, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "org/people.html")]
struct PeoplePage {
    chrome: Chrome,
    people: Vec<Person>,
    pager: Pager,
    q: String,
    query_without_page: String,
    may_manage: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/person.html")]
struct PersonPage {
    chrome: Chrome,
    person: Person,
    history: Vec<Entry>,
    may_manage: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/person_form.html")]
struct PersonFormPage {
    chrome: Chrome,
    form: PersonForm,
    errors: FieldErrors,
    id: Option<Uuid>,
    units: Vec<SelectOption>,
}

async fn person_form(
    state: &AppState,
    m: MunicipalityId,
    chrome: Chrome,
    form: PersonForm,
    errors: FieldErrors,
    id: Option<Uuid>,
) -> AppResult<PersonFormPage> {
    let units = store::list_units(&state.pool, m).await?;
    let units = options(units.into_iter().map(|u| (u.id, format!("{} ({})", u.name, u.body_name))), &form.unit_id);
    Ok(PersonFormPage { chrome, form, errors, id, units })
}

pub async fn people(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let (people, pager) = service::people(&mut conn, &principal, query.search(), Some(query.page())).await?;
    let q = query.search().to_string();
    let query_without_page = serde_urlencoded::to_string([("q", &q)]).unwrap_or_default();
    Ok(PeoplePage { chrome, people, pager, q, query_without_page, may_manage: may_manage(&principal) }.into_response())
}

pub async fn people_csv(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let (people, _) = service::people(&mut conn, &principal, query.search(), None).await?;
    let rows: Vec<Vec<String>> = people
        .into_iter()
        .map(|p| {
            vec![
                p.name,
                p.title,
                p.email,
                p.unit_name.unwrap_or_default(),
                if p.user_id.is_some() { "Ja" } else { "Nej" }.into(),
            ]
        })
        .collect();
    crate::web::csv::response("personer.csv", &["Namn", "Titel", "E-post", "Enhet", "Har konto"], &rows)
}

pub async fn show_person(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let person = service::person(&state, &principal, id).await?;
    let m = principal.tenant()?;
    let history = audit_log::history(&state.pool, m, EntityType::Person, id).await?;
    Ok(PersonPage { chrome, person, history, may_manage: may_manage(&principal) }.into_response())
}

pub async fn new_person(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    service::open_form(&principal)?;
    Ok(person_form(&state, principal.tenant()?, chrome, PersonForm::default(), FieldErrors::new(), None)
        .await?
        .into_response())
}

pub async fn create_person(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<PersonForm>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    match split_validation(service::create_person(&state, &principal, &form).await)? {
        Ok(person) => Ok(flash::see_other_with(
            &state,
            &format!("/org/people/{}", person.id),
            &format!("{} har lagts till.", person.name),
        )),
        Err(errors) => Ok(unprocessable(person_form(&state, m, chrome, form, errors, None).await?)),
    }
}

pub async fn edit_person(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let p = service::kept_person(&state, &principal, id).await?;
    let m = principal.tenant()?;
    let form = PersonForm {
        name: p.name,
        title: p.title,
        email: p.email,
        unit_id: p.unit_id.map(|u| u.to_string()).unwrap_or_default(),
    };
    Ok(person_form(&state, m, chrome, form, FieldErrors::new(), Some(id)).await?.into_response())
}

pub async fn update_person(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<PersonForm>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    match split_validation(service::update_person(&state, &principal, id, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/org/people/{id}"), "Ändringarna är sparade.")),
        Err(errors) => Ok(unprocessable(person_form(&state, m, chrome, form, errors, Some(id)).await?)),
    }
}

pub async fn confirm_delete_person(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let person = service::kept_person(&state, &principal, id).await?;
    Ok(confirm_delete(chrome, &person.name, &format!("/org/people/{id}/delete"), &format!("/org/people/{id}")))
}

pub async fn delete_person(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    service::delete_person(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, "/org/people", "Personen är borttagen."))
}
