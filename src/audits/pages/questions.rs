//! Audit questions and their assessments.

use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

use crate::AppState;
use crate::audits::store::{self};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::web::form::{FormPairs, PageForm};
use crate::web::{flash, split_validation};

pub async fn add_question(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<crate::audits::api::NewQuestion>,
) -> AppResult<Response> {
    let added = split_validation(crate::audits::add_question(&state, &principal, id, &form.text).await)?;
    let message = if added.is_ok() {
        "Revisionsfrågan är tillagd."
    } else {
        "Skriv revisionsfrågan innan du lägger till den."
    };
    Ok(flash::see_other_with(&state, &format!("/audits/{id}"), message))
}

/// Saves the assessments of every audited body on one question.
pub async fn assess(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    let audit_id = Uuid::parse_str(&pairs.get("audit_id"))
        .map_err(|_| AppError::BadRequest("Granskningen saknas i formuläret.".into()))?;
    let assessments: Vec<store::Assessment> = pairs
        .0
        .iter()
        .filter(|(k, v)| k.starts_with("assessment_") && !v.trim().is_empty())
        .filter_map(|(key, value)| {
            let body_id = Uuid::parse_str(&key["assessment_".len()..]).ok()?;
            let comment = pairs.get(&format!("comment_{body_id}"));
            Some(store::Assessment { body_id, assessment: value.trim().to_string(), comment })
        })
        .collect();
    crate::audits::assess(&state, &principal, id, &assessments).await?;
    Ok(flash::see_other_with(&state, &format!("/audits/{audit_id}"), "Bedömningarna är sparade."))
}
