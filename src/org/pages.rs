//! Pages for the organisation: bodies, units, people, users with their roles, and (for
//! system administrators) municipalities. Anyone with a role in the municipality reads;
//! the coordinator changes.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::model::{BodyForm, BodyKind, GrantForm, MunicipalityForm, PersonForm, UnitForm, UnitKind, UserForm};
use super::store::{self, Body, Municipality, Person, Unit, UserView};
use super::{Added, add_user, may_manage};
use crate::AppState;
use crate::audit_log::{self, Actor, Entry};
use crate::auth::{Principal, Role, session};
use crate::error::{AppResult, FieldErrors};
use crate::web::pagination::{ListQuery, Pager};
use crate::web::{Chrome, SelectOption, confirm_delete, flash, options, split_validation, unprocessable};

// ---------------------------------------------------------------- overview

#[derive(Template, WebTemplate)]
#[template(path = "org/overview.html")]
struct Overview {
    chrome: Chrome,
    bodies: Vec<(Body, Vec<Unit>)>,
    may_manage: bool,
}

pub async fn overview(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let m = principal.tenant()?;
    let bodies = store::list_bodies(&state.pool, m).await?;
    let units = store::list_units(&state.pool, m).await?;
    let bodies = bodies
        .into_iter()
        .map(|body| {
            let mine = units.iter().filter(|u| u.body_id == body.id).cloned().collect();
            (body, mine)
        })
        .collect();
    Ok(Overview { chrome, bodies, may_manage: may_manage(&principal) }.into_response())
}

// ---------------------------------------------------------------- bodies

#[derive(Template, WebTemplate)]
#[template(path = "org/body.html")]
struct BodyPage {
    chrome: Chrome,
    body: Body,
    units: Vec<Unit>,
    history: Vec<Entry>,
    may_manage: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/body_form.html")]
struct BodyFormPage {
    chrome: Chrome,
    form: BodyForm,
    errors: FieldErrors,
    /// None for a new body.
    id: Option<Uuid>,
    kinds: Vec<SelectOption>,
}

fn body_form(chrome: Chrome, form: BodyForm, errors: FieldErrors, id: Option<Uuid>) -> BodyFormPage {
    let kinds = options(BodyKind::ALL.map(|k| (k.code(), k.label())), &form.kind);
    BodyFormPage { chrome, form, errors, id, kinds }
}

pub async fn show_body(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    let body = store::get_body(&state.pool, m, id).await?;
    let units = store::list_units(&state.pool, m).await?.into_iter().filter(|u| u.body_id == id).collect();
    let history = audit_log::history(&state.pool, m, "body", id).await?;
    Ok(BodyPage { chrome, body, units, history, may_manage: may_manage(&principal) }.into_response())
}

pub async fn new_body(principal: Principal, chrome: Chrome) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    Ok(body_form(chrome, BodyForm::default(), FieldErrors::new(), None).into_response())
}

pub async fn create_body(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Form(form): Form<BodyForm>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let saved = match form.validate() {
        Err(errors) => Err(errors),
        Ok(input) => {
            let mut tx = state.pool.begin().await?;
            let saved = split_validation(store::create_body(&mut tx, &Actor::from(&principal), m, &input).await)?;
            tx.commit().await?;
            saved
        }
    };
    match saved {
        Ok(body) => Ok(flash::see_other_with(&state, "/org", &format!("{} har lagts till.", body.name))),
        Err(errors) => Ok(unprocessable(body_form(chrome, form, errors, None))),
    }
}

pub async fn edit_body(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let body = store::get_body(&state.pool, principal.tenant()?, id).await?;
    let form = BodyForm { kind: body.kind, name: body.name, company_name: body.company_name.unwrap_or_default() };
    Ok(body_form(chrome, form, FieldErrors::new(), Some(id)).into_response())
}

pub async fn update_body(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    Form(form): Form<BodyForm>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let saved = match form.validate() {
        Err(errors) => Err(errors),
        Ok(input) => {
            let mut tx = state.pool.begin().await?;
            let saved = split_validation(store::update_body(&mut tx, &Actor::from(&principal), m, id, &input).await)?;
            tx.commit().await?;
            saved
        }
    };
    match saved {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/org/bodies/{id}"), "Ändringarna är sparade.")),
        Err(errors) => Ok(unprocessable(body_form(chrome, form, errors, Some(id)))),
    }
}

pub async fn confirm_delete_body(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let body = store::get_body(&state.pool, principal.tenant()?, id).await?;
    Ok(confirm_delete(chrome, &body.name, &format!("/org/bodies/{id}/delete"), &format!("/org/bodies/{id}")))
}

pub async fn delete_body(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let mut tx = state.pool.begin().await?;
    store::delete_body(&mut tx, &Actor::from(&principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(flash::see_other_with(&state, "/org", "Organet är borttaget."))
}

// ---------------------------------------------------------------- units

#[derive(Template, WebTemplate)]
#[template(path = "org/unit.html")]
struct UnitPage {
    chrome: Chrome,
    unit: Unit,
    history: Vec<Entry>,
    may_manage: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/unit_form.html")]
struct UnitFormPage {
    chrome: Chrome,
    form: UnitForm,
    errors: FieldErrors,
    id: Option<Uuid>,
    bodies: Vec<SelectOption>,
    kinds: Vec<SelectOption>,
}

fn body_options(bodies: Vec<Body>, selected: &str) -> Vec<SelectOption> {
    options(bodies.into_iter().map(|b| (b.id, b.name)), selected)
}

async fn unit_form(
    state: &AppState,
    m: Uuid,
    chrome: Chrome,
    form: UnitForm,
    errors: FieldErrors,
    id: Option<Uuid>,
) -> AppResult<UnitFormPage> {
    let bodies = body_options(store::list_bodies(&state.pool, m).await?, &form.body_id);
    let kinds = options(UnitKind::ALL.map(|k| (k.code(), k.label())), &form.kind);
    Ok(UnitFormPage { chrome, form, errors, id, bodies, kinds })
}

#[derive(serde::Deserialize)]
pub struct NewUnitQuery {
    #[serde(default)]
    body_id: String,
}

pub async fn show_unit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    let unit = store::get_unit(&state.pool, m, id).await?;
    let history = audit_log::history(&state.pool, m, "unit", id).await?;
    Ok(UnitPage { chrome, unit, history, may_manage: may_manage(&principal) }.into_response())
}

pub async fn new_unit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(query): Query<NewUnitQuery>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let form = UnitForm { body_id: query.body_id, kind: "forvaltning".into(), name: String::new() };
    Ok(unit_form(&state, principal.tenant()?, chrome, form, FieldErrors::new(), None).await?.into_response())
}

pub async fn create_unit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let saved = match form.validate() {
        Err(errors) => Err(errors),
        Ok(input) => {
            let mut tx = state.pool.begin().await?;
            let saved = split_validation(store::create_unit(&mut tx, &Actor::from(&principal), m, &input).await)?;
            tx.commit().await?;
            saved
        }
    };
    match saved {
        Ok(unit) => Ok(flash::see_other_with(
            &state,
            &format!("/org/bodies/{}", unit.body_id),
            &format!("{} har lagts till.", unit.name),
        )),
        Err(errors) => Ok(unprocessable(unit_form(&state, m, chrome, form, errors, None).await?)),
    }
}

pub async fn edit_unit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let unit = store::get_unit(&state.pool, m, id).await?;
    let form = UnitForm { body_id: unit.body_id.to_string(), kind: unit.kind, name: unit.name };
    Ok(unit_form(&state, m, chrome, form, FieldErrors::new(), Some(id)).await?.into_response())
}

pub async fn update_unit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let saved = match form.validate() {
        Err(errors) => Err(errors),
        Ok(input) => {
            let mut tx = state.pool.begin().await?;
            let saved = split_validation(store::update_unit(&mut tx, &Actor::from(&principal), m, id, &input).await)?;
            tx.commit().await?;
            saved
        }
    };
    match saved {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/org/units/{id}"), "Ändringarna är sparade.")),
        Err(errors) => Ok(unprocessable(unit_form(&state, m, chrome, form, errors, Some(id)).await?)),
    }
}

pub async fn confirm_delete_unit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let unit = store::get_unit(&state.pool, principal.tenant()?, id).await?;
    Ok(confirm_delete(chrome, &unit.name, &format!("/org/units/{id}/delete"), &format!("/org/units/{id}")))
}

pub async fn delete_unit(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let mut tx = state.pool.begin().await?;
    let body_id = store::get_unit(&mut *tx, m, id).await?.body_id;
    store::delete_unit(&mut tx, &Actor::from(&principal), m, id).await?;
    tx.commit().await?;
    Ok(flash::see_other_with(&state, &format!("/org/bodies/{body_id}"), "Enheten är borttagen."))
}

// ---------------------------------------------------------------- people

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
    m: Uuid,
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
    principal.require(super::may_read_directory(&principal))?;
    let m = principal.tenant()?;
    let mut conn = state.pool.acquire().await?;
    let (people, pager) = store::search_people(&mut conn, m, query.search(), Some(query.page())).await?;
    let q = query.search().to_string();
    let query_without_page = serde_urlencoded::to_string([("q", &q)]).unwrap_or_default();
    Ok(PeoplePage { chrome, people, pager, q, query_without_page, may_manage: may_manage(&principal) }.into_response())
}

pub async fn people_csv(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    principal.require(super::may_read_directory(&principal))?;
    let m = principal.tenant()?;
    let mut conn = state.pool.acquire().await?;
    let (people, _) = store::search_people(&mut conn, m, query.search(), None).await?;
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
    principal.require(super::may_read_directory(&principal))?;
    let m = principal.tenant()?;
    let person = store::get_person(&state.pool, m, id).await?;
    let history = audit_log::history(&state.pool, m, "person", id).await?;
    Ok(PersonPage { chrome, person, history, may_manage: may_manage(&principal) }.into_response())
}

pub async fn new_person(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    Ok(person_form(&state, principal.tenant()?, chrome, PersonForm::default(), FieldErrors::new(), None)
        .await?
        .into_response())
}

pub async fn create_person(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let saved = match form.validate() {
        Err(errors) => Err(errors),
        Ok(input) => {
            let mut tx = state.pool.begin().await?;
            let saved = split_validation(store::create_person(&mut tx, &Actor::from(&principal), m, &input).await)?;
            tx.commit().await?;
            saved
        }
    };
    match saved {
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
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let p = store::get_person(&state.pool, m, id).await?;
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
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let saved = match form.validate() {
        Err(errors) => Err(errors),
        Ok(input) => {
            let mut tx = state.pool.begin().await?;
            let saved = split_validation(store::update_person(&mut tx, &Actor::from(&principal), m, id, &input).await)?;
            tx.commit().await?;
            saved
        }
    };
    match saved {
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
    principal.require(may_manage(&principal))?;
    let person = store::get_person(&state.pool, principal.tenant()?, id).await?;
    Ok(confirm_delete(chrome, &person.name, &format!("/org/people/{id}/delete"), &format!("/org/people/{id}")))
}

pub async fn delete_person(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let mut tx = state.pool.begin().await?;
    store::delete_person(&mut tx, &Actor::from(&principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(flash::see_other_with(&state, "/org/people", "Personen är borttagen."))
}

// ---------------------------------------------------------------- users and roles

#[derive(Template, WebTemplate)]
#[template(path = "org/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserView>,
    invitations: Vec<store::SentInvitation>,
    /// Accounts here with repeated failed logins in the last day.
    failures: Vec<crate::auth::store::RepeatedFailures>,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/user.html")]
struct UserPage {
    chrome: Chrome,
    user: UserView,
    errors: FieldErrors,
    bodies: Vec<SelectOption>,
    roles: Vec<SelectOption>,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/user_form.html")]
struct UserFormPage {
    chrome: Chrome,
    form: UserForm,
    errors: FieldErrors,
    bodies: Vec<SelectOption>,
    roles: Vec<SelectOption>,
}

fn role_options(selected: &str) -> Vec<SelectOption> {
    options(Role::ALL.map(|r| (r.code(), r.label())), selected)
}

async fn user_page(
    state: &AppState,
    m: Uuid,
    chrome: Chrome,
    user: UserView,
    form: GrantForm,
    errors: FieldErrors,
) -> AppResult<UserPage> {
    let bodies = body_options(store::list_bodies(&state.pool, m).await?, &form.body_id);
    let roles = role_options(&form.role);
    Ok(UserPage { chrome, user, errors, bodies, roles })
}

async fn user_form(
    state: &AppState,
    m: Uuid,
    chrome: Chrome,
    form: UserForm,
    errors: FieldErrors,
) -> AppResult<UserFormPage> {
    let bodies = body_options(store::list_bodies(&state.pool, m).await?, &form.body_id);
    let roles = role_options(&form.role);
    Ok(UserFormPage { chrome, form, errors, bodies, roles })
}

pub async fn users(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let users = store::list_users(&state.pool, m).await?;
    let invitations = store::sent_invitations(&state.pool, m).await?;
    let at_least = crate::auth::pages::ACCOUNT_FAILURES_WORTH_A_WARNING;
    let failures = crate::auth::store::repeated_failures(&state.pool, m, at_least).await?;
    Ok(UsersPage { chrome, users, invitations, failures }.into_response())
}

pub async fn show_user(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let user = store::get_user(&state.pool, m, id).await?;
    Ok(user_page(&state, m, chrome, user, GrantForm::default(), FieldErrors::new()).await?.into_response())
}

pub async fn new_user(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let form = UserForm { role: Role::Medarbetare.code().into(), ..UserForm::default() };
    Ok(user_form(&state, principal.tenant()?, chrome, form, FieldErrors::new()).await?.into_response())
}

pub async fn create_user(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    match split_validation(add_user(&state, &principal, m, &form).await)? {
        Ok(Added::Granted(user_id)) => {
            Ok(flash::see_other_with(&state, &format!("/org/users/{user_id}"), "Användaren har fått sin roll."))
        }
        Ok(Added::Invited) => Ok(flash::see_other_with(
            &state,
            "/org/users",
            &format!(
                "{} är inbjuden. Rollen gäller när personen har loggat in och tackat ja.",
                form.email.trim().to_lowercase()
            ),
        )),
        Err(errors) => Ok(unprocessable(user_form(&state, m, chrome, form, errors).await?)),
    }
}

/// Takes back an invitation that has not been answered.
pub async fn withdraw_invitation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let mut tx = state.pool.begin().await?;
    store::withdraw_invitation(&mut tx, &Actor::from(&principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(flash::see_other_with(&state, "/org/users", "Inbjudan är återtagen."))
}

pub async fn add_grant(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    Form(form): Form<GrantForm>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let user = store::get_user(&state.pool, m, id).await?;
    let saved = match form.validate() {
        Err(errors) => Err(errors),
        Ok(input) => {
            let mut tx = state.pool.begin().await?;
            let saved = split_validation(store::add_grant(&mut tx, &Actor::from(&principal), m, id, &input).await)?;
            tx.commit().await?;
            session::forget_user(&state, id);
            saved
        }
    };
    match saved {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/org/users/{id}"), "Rollen är tillagd.")),
        Err(errors) => Ok(unprocessable(user_page(&state, m, chrome, user, form, errors).await?)),
    }
}

pub async fn remove_grant(
    State(state): State<AppState>,
    principal: Principal,
    Path((user_id, grant_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let mut tx = state.pool.begin().await?;
    store::remove_grant(&mut tx, &Actor::from(&principal), m, grant_id).await?;
    tx.commit().await?;
    session::forget_user(&state, user_id);
    // With its last role gone the user is no longer visible here.
    let still_here = store::get_user(&state.pool, m, user_id).await.is_ok();
    let back = if still_here { format!("/org/users/{user_id}") } else { "/org/users".into() };
    Ok(flash::see_other_with(&state, &back, "Rollen är borttagen."))
}

// ---------------------------------------------------------------- municipalities (system administrators)

#[derive(Template, WebTemplate)]
#[template(path = "org/municipalities.html")]
struct MunicipalitiesPage {
    chrome: Chrome,
    municipalities: Vec<Municipality>,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/municipality_form.html")]
struct MunicipalityFormPage {
    chrome: Chrome,
    form: MunicipalityForm,
    errors: FieldErrors,
    id: Option<Uuid>,
}

pub async fn municipalities(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
) -> AppResult<Response> {
    principal.require(principal.is_admin)?;
    let municipalities = store::list_municipalities(&state.pool).await?;
    Ok(MunicipalitiesPage { chrome, municipalities }.into_response())
}

pub async fn new_municipality(principal: Principal, chrome: Chrome) -> AppResult<Response> {
    principal.require(principal.is_admin)?;
    Ok(MunicipalityFormPage { chrome, form: MunicipalityForm::default(), errors: FieldErrors::new(), id: None }
        .into_response())
}

pub async fn edit_municipality(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(principal.is_admin)?;
    let m = store::get_municipality(&state.pool, id).await?;
    let form = MunicipalityForm { name: m.name, org_number: m.org_number, county: m.county };
    Ok(MunicipalityFormPage { chrome, form, errors: FieldErrors::new(), id: Some(id) }.into_response())
}

/// Creates (no id) or updates a municipality.
pub async fn save_municipality(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    id: Option<Path<Uuid>>,
    Form(form): Form<MunicipalityForm>,
) -> AppResult<Response> {
    principal.require(principal.is_admin)?;
    let id = id.map(|Path(id)| id);
    let saved = match form.validate() {
        Err(errors) => Err(errors),
        Ok(input) => {
            let actor = Actor::from(&principal);
            let mut tx = state.pool.begin().await?;
            let saved = split_validation(match id {
                Some(id) => store::update_municipality(&mut tx, &actor, id, &input).await,
                None => store::create_municipality(&mut tx, &actor, &input).await,
            })?;
            tx.commit().await?;
            session::forget_everyone(&state);
            saved
        }
    };
    match saved {
        Ok(m) => Ok(flash::see_other_with(&state, "/admin/municipalities", &format!("{} är sparad.", m.name))),
        Err(errors) => Ok(unprocessable(MunicipalityFormPage { chrome, form, errors, id })),
    }
}

// ---------------------------------------------------------------- the user's own invitations

#[derive(Template, WebTemplate)]
#[template(path = "org/invitations.html")]
struct InvitationsPage {
    chrome: Chrome,
    invitations: Vec<store::Invitation>,
}

/// The roles others have offered the signed-in user, to accept or decline.
pub async fn my_invitations(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
) -> AppResult<Response> {
    let invitations = store::invitations_for(&state.pool, principal.user_id).await?;
    Ok(InvitationsPage { chrome, invitations }.into_response())
}

#[derive(serde::Deserialize)]
pub struct Answer {
    #[serde(default)]
    answer: String,
}

/// Accepting starts work in that municipality; declining removes the invitation.
pub async fn answer_invitation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Form(form): Form<Answer>,
) -> AppResult<Response> {
    let accept = form.answer == "ja";
    let m = super::answer_invitation(&state, &principal, id, accept).await?;
    if !accept {
        return Ok(flash::see_other_with(&state, "/invitations", "Inbjudan är avböjd."));
    }
    crate::auth::store::set_last_municipality(&state.pool, principal.user_id, m).await?;
    let mut response = flash::see_other_with(&state, "/", "Du har tackat ja och arbetar nu i kommunen.");
    let cookie = crate::web::cookies::set(
        crate::auth::session::MUNICIPALITY_COOKIE,
        &m.to_string(),
        state.config.secure_cookies,
    );
    response.headers_mut().append(axum::http::header::SET_COOKIE, cookie);
    Ok(response)
}
