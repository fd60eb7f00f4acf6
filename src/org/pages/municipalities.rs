//! Municipalities, for system administrators.

use crate::web::form::PageForm;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::super::model::MunicipalityForm;
use super::super::service;
use super::super::store::Municipality;
use crate::AppState;
use crate::auth::Principal;
use crate::db::MunicipalityId;
use crate::error::{AppResult, FieldErrors};
use crate::web::{Chrome, flash, split_validation, unprocessable};

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
    let municipalities = service::municipalities(&state, &principal).await?;
    Ok(MunicipalitiesPage { chrome, municipalities }.into_response())
}

pub async fn new_municipality(principal: Principal, chrome: Chrome) -> AppResult<Response> {
    service::open_municipality_form(&principal)?;
    Ok(MunicipalityFormPage { chrome, form: MunicipalityForm::default(), errors: FieldErrors::new(), id: None }
        .into_response())
}

pub async fn edit_municipality(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let m = service::municipality(&state, &principal, MunicipalityId::chosen(id)).await?;
    let form = MunicipalityForm { name: m.name, org_number: m.org_number, county: m.county };
    Ok(MunicipalityFormPage { chrome, form, errors: FieldErrors::new(), id: Some(id) }.into_response())
}

/// Creates (no id) or updates a municipality.
pub async fn save_municipality(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    id: Option<Path<Uuid>>,
    PageForm(form): PageForm<MunicipalityForm>,
) -> AppResult<Response> {
    let id = id.map(|Path(id)| id);
    match split_validation(service::save_municipality(&state, &principal, id, &form).await)? {
        Ok(m) => Ok(flash::see_other_with(&state, "/admin/municipalities", &format!("{} är sparad.", m.name))),
        Err(errors) => Ok(unprocessable(MunicipalityFormPage { chrome, form, errors, id })),
    }
}
