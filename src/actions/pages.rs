//! The action page, and the forms that plan actions and record progress.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::model::{ActionForm, NoteForm, STATUSES};
use super::store::{self, Action};
use crate::AppState;
use crate::audit_log::{self, Entry};
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::form::FormPairs;
use crate::web::{Chrome, SelectOption, flash, options, split_validation, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "actions/show.html")]
struct ShowPage {
    chrome: Chrome,
    action: Action,
    history: Vec<Entry>,
    may_update: bool,
    may_plan: bool,
    statuses: Vec<SelectOption>,
    people: Vec<SelectOption>,
    form: ActionForm,
    errors: FieldErrors,
}

/// The action page; `form` keeps what was typed into the edit form when it had errors.
async fn show_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    form: Option<ActionForm>,
    errors: FieldErrors,
) -> AppResult<ShowPage> {
    let m = principal.tenant()?;
    let action = store::get(&state.pool, m, id).await?;
    let owner = super::require_read(state, principal, id).await?;
    let history = audit_log::history(&state.pool, m, "action", id).await?;
    let form = form.unwrap_or_else(|| ActionForm {
        title: action.title.clone(),
        description: action.description.clone(),
        owner_person_id: action.owner_person_id.map(|p| p.to_string()).unwrap_or_default(),
        due_date: action.due_date.map(crate::web::format::date).unwrap_or_default(),
    });
    let mut conn = state.pool.acquire().await?;
    let (people, _) = crate::org::store::search_people(&mut conn, m, "", None).await?;
    Ok(ShowPage {
        people: options(people.into_iter().map(|p| (p.id, p.name)), &form.owner_person_id),
        statuses: options(STATUSES, &action.status),
        may_update: owner || principal.is_coordinator(),
        may_plan: super::may_create(principal),
        chrome,
        action,
        history,
        form,
        errors,
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

/// Plans an action from the recommendation page; errors are shown there.
pub async fn create(State(state): State<AppState>, principal: Principal, pairs: FormPairs) -> AppResult<Response> {
    let recommendation_id = uuid::Uuid::parse_str(&pairs.get("recommendation_id")).ok();
    let form = ActionForm {
        title: pairs.get("title"),
        description: pairs.get("description"),
        owner_person_id: pairs.get("owner_person_id"),
        due_date: pairs.get("due_date"),
    };
    let back = recommendation_id.map(|id| format!("/recommendations/{id}")).unwrap_or_else(|| "/".into());
    match split_validation(super::create(&state, &principal, recommendation_id, &form).await)? {
        Ok(action) => Ok(flash::see_other_with(&state, &format!("/actions/{}", action.id), "Åtgärden är planerad.")),
        Err(errors) => {
            let message = errors.into_values().collect::<Vec<_>>().join(" ");
            Ok(flash::see_other_with(&state, &back, &format!("Åtgärden sparades inte: {message}")))
        }
    }
}

pub async fn add_note(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    let form =
        NoteForm { note: pairs.get("note"), status: pairs.get("status"), is_evidence: pairs.get("is_evidence") == "1" };
    match split_validation(super::add_note(&state, &principal, id, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/actions/{id}"), "Anteckningen är sparad.")),
        Err(errors) => Ok(unprocessable(show_page(&state, &principal, chrome, id, None, errors).await?)),
    }
}

/// The upload form on the action page (multipart; the CSRF token travels in the address).
pub async fn attach_file(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    mut multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let unreadable = || crate::error::AppError::BadRequest("Filen är för stor eller kunde inte läsas.".into());
    let mut upload = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let content_type = field.content_type().unwrap_or("").to_string();
            upload = Some((name, content_type, field.bytes().await.map_err(|_| unreadable())?));
        }
    }
    let (name, content_type, bytes) = upload.unwrap_or_default();
    let message =
        match split_validation(super::attach_file(&state, &principal, id, &name, &content_type, &bytes).await)? {
            Ok(()) => "Filen är bifogad.".to_string(),
            Err(errors) => format!("Filen bifogades inte: {}", errors.into_values().collect::<Vec<_>>().join(" ")),
        };
    Ok(flash::see_other_with(&state, &format!("/actions/{id}"), &message))
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    let form = ActionForm {
        title: pairs.get("title"),
        description: pairs.get("description"),
        owner_person_id: pairs.get("owner_person_id"),
        due_date: pairs.get("due_date"),
    };
    match split_validation(super::update(&state, &principal, id, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/actions/{id}"), "Ändringarna är sparade.")),
        Err(errors) => Ok(unprocessable(show_page(&state, &principal, chrome, id, Some(form), errors).await?)),
    }
}
