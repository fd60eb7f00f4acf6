//! Units (förvaltningar, sektorer, enheter) under a body.

use crate::web::form::PageForm;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::super::model::{UnitForm, UnitKind};
use super::super::store::{self, Unit};
use super::super::{may_manage, service};
use super::body_options;
use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::auth::Principal;
use crate::db::MunicipalityId;
use crate::error::{AppResult, FieldErrors};
use crate::web::{Chrome, SelectOption, confirm_delete, flash, options, split_validation, unprocessable};

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

async fn unit_form(
    state: &AppState,
    m: MunicipalityId,
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
    let history = audit_log::history(&state.pool, m, EntityType::Unit, id).await?;
    Ok(UnitPage { chrome, unit, history, may_manage: may_manage(&principal) }.into_response())
}

pub async fn new_unit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(query): Query<NewUnitQuery>,
) -> AppResult<Response> {
    service::open_form(&principal)?;
    let form = UnitForm { body_id: query.body_id, kind: "forvaltning".into(), name: String::new() };
    Ok(unit_form(&state, principal.tenant()?, chrome, form, FieldErrors::new(), None).await?.into_response())
}

pub async fn create_unit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<UnitForm>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    match split_validation(service::create_unit(&state, &principal, &form).await)? {
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
    let unit = service::kept_unit(&state, &principal, id).await?;
    let m = principal.tenant()?;
    let form = UnitForm { body_id: unit.body_id.to_string(), kind: unit.kind.code().into(), name: unit.name };
    Ok(unit_form(&state, m, chrome, form, FieldErrors::new(), Some(id)).await?.into_response())
}

pub async fn update_unit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<UnitForm>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    match split_validation(service::update_unit(&state, &principal, id, &form).await)? {
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
    let unit = service::kept_unit(&state, &principal, id).await?;
    Ok(confirm_delete(chrome, &unit.name, &format!("/org/units/{id}/delete"), &format!("/org/units/{id}")))
}

pub async fn delete_unit(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let body_id = service::kept_unit(&state, &principal, id).await?.body_id;
    service::delete_unit(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, &format!("/org/bodies/{body_id}"), "Enheten är borttagen."))
}
