//! Pages: "Anmälningar" (each report the incident needs, and the facts that fill them in) and
//! "Skriv anmälan" (one report's text, what it lacks with its deadline, copy, print, mark sent).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::SentReportForm;
use super::notices::{Answer, DataKind, Informed, NoticeFactsForm};
use super::notifications::{self, Notification};
use super::store::Incident;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::form::PageForm;
use crate::web::{Choice, Chrome, SelectOption, flash, split_validation, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "incidents/notifications.html")]
struct ListPage {
    chrome: Chrome,
    incident: Incident,
    notifications: Vec<Notification>,
    form: NoticeFactsForm,
    errors: FieldErrors,
    answers_malicious: Vec<SelectOption>,
    answers_border: Vec<SelectOption>,
    informed: Vec<SelectOption>,
    data_kinds: Vec<Choice>,
    now: DateTime<Utc>,
}

async fn list_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    typed: Option<(NoticeFactsForm, FieldErrors)>,
) -> AppResult<ListPage> {
    let (incident, notifications) = notifications::list(state, principal, id).await?;
    let (form, errors) = match typed {
        Some(typed) => typed,
        None => {
            let (_, facts, address) = notifications::handled(state, principal, id).await?;
            (NoticeFactsForm::of(&facts, &address), FieldErrors::new())
        }
    };
    Ok(ListPage {
        answers_malicious: Answer::options(&form.suspected_malicious),
        answers_border: Answer::options(&form.cross_border),
        informed: Informed::options(&form.subjects_informed),
        data_kinds: DataKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: k.label().into(),
                checked: form.data_kinds.iter().any(|c| c == k.code()),
            })
            .collect(),
        now: Utc::now(),
        chrome,
        incident,
        notifications,
        form,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(list_page(&state, &principal, chrome, id, None).await?.into_response())
}

pub async fn save_facts(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<NoticeFactsForm>,
) -> AppResult<Response> {
    match split_validation(notifications::save_facts(&state, &principal, id, &form).await)? {
        Ok(()) => Ok(flash::see_other_with(
            &state,
            &format!("/incidents/{id}/notifications"),
            "Uppgifterna för anmälan är sparade.",
        )),
        Err(errors) => Ok(unprocessable(list_page(&state, &principal, chrome, id, Some((form, errors))).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/notification.html")]
struct WriterPage {
    chrome: Chrome,
    incident: Incident,
    notification: Notification,
    form: SentReportForm,
    errors: FieldErrors,
    now: DateTime<Utc>,
}

async fn writer_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    kind: &str,
    typed: Option<(SentReportForm, FieldErrors)>,
) -> AppResult<WriterPage> {
    let (incident, notification) = notifications::one(state, principal, id, kind).await?;
    let (form, errors) = typed.unwrap_or_else(|| {
        (SentReportForm { text: notification.text.clone(), ..SentReportForm::default() }, FieldErrors::new())
    });
    Ok(WriterPage { now: Utc::now(), chrome, incident, notification, form, errors })
}

pub async fn writer(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path((id, kind)): Path<(Uuid, String)>,
) -> AppResult<Response> {
    Ok(writer_page(&state, &principal, chrome, id, &kind, None).await?.into_response())
}

pub async fn pdf(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, kind)): Path<(Uuid, String)>,
) -> AppResult<Response> {
    let (name, bytes) = notifications::pdf(&state, &principal, id, &kind).await?;
    Ok(crate::web::files::download(&name, "application/pdf", bytes))
}

pub async fn sent(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path((id, kind)): Path<(Uuid, String)>,
    PageForm(form): PageForm<SentReportForm>,
) -> AppResult<Response> {
    match split_validation(notifications::mark_sent(&state, &principal, id, &kind, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(
            &state,
            &format!("/incidents/{id}/notifications"),
            "Anmälan är registrerad som skickad med texten.",
        )),
        Err(errors) => {
            Ok(unprocessable(writer_page(&state, &principal, chrome, id, &kind, Some((form, errors))).await?))
        }
    }
}
