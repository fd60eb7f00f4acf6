//! Bodies (KF, KS, nämnder, bolag): page, form, removal.

use crate::web::form::PageForm;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::super::model::{BodyForm, BodyKind};
use super::super::store::{self, Body, Unit};
use super::super::{may_manage, service};
use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::{Chrome, SelectOption, confirm_delete, flash, options, split_validation, unprocessable};

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
    let history = audit_log::history(&state.pool, m, EntityType::Body, id).await?;
    Ok(BodyPage { chrome, body, units, history, may_manage: may_manage(&principal) }.into_response())
}

pub async fn new_body(principal: Principal, chrome: Chrome) -> AppResult<Response> {
    service::open_form(&principal)?;
    Ok(body_form(chrome, BodyForm::default(), FieldErrors::new(), None).into_response())
}

pub async fn create_body(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<BodyForm>,
) -> AppResult<Response> {
    match split_validation(service::create_body(&state, &principal, &form).await)? {
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
    let body = service::kept_body(&state, &principal, id).await?;
    let form = BodyForm {
        kind: body.kind.code().into(),
        name: body.name,
        company_name: body.company_name.unwrap_or_default(),
    };
    Ok(body_form(chrome, form, FieldErrors::new(), Some(id)).into_response())
}

pub async fn update_body(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<BodyForm>,
) -> AppResult<Response> {
    match split_validation(service::update_body(&state, &principal, id, &form).await)? {
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
    let body = service::kept_body(&state, &principal, id).await?;
    Ok(confirm_delete(chrome, &body.name, &format!("/org/bodies/{id}/delete"), &format!("/org/bodies/{id}")))
}

pub async fn delete_body(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    service::delete_body(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, "/org", "Organet är borttaget."))
}
