//! Pages: the register of governing documents with overdue reviews and conflicts, one
//! document, its form, file upload and download.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use uuid::Uuid;

use super::model::{DocumentForm, Kind, Status, audiences};
use super::store::{self, Document, Filter};
use super::{may_edit, may_manage, readable};
use crate::AppState;
use crate::audit_log::Entry;
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::form::PageForm;
use crate::web::pagination::{Asked, Pager};
use crate::web::version::Version;
use crate::web::{Chrome, SelectOption, flash, options, refused_form, split_validation, unprocessable};

fn today() -> NaiveDate {
    crate::web::format::today()
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/list.html")]
struct ListPage {
    chrome: Chrome,
    documents: Vec<Document>,
    conflicts: Vec<(String, Vec<String>)>,
    overdue: i64,
    pager: Pager,
    filter: Filter,
    filter_is_empty: bool,
    query: String,
    query_without_page: String,
    kinds: Vec<SelectOption>,
    statuses: Vec<SelectOption>,
    attentions: Vec<SelectOption>,
    may_manage: bool,
    today: NaiveDate,
    no_errors: FieldErrors,
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let today = today();
    let reader = super::reader(&principal)?;
    let m = principal.tenant()?;
    let asked = Asked::page(filter.page.as_deref());
    let (documents, pager, overdue) =
        store::page(&mut *state.pool.acquire().await?, m, &filter, reader, today, asked).await?;
    let conflicts = super::current_conflicts(&state, m).await?;
    Ok(ListPage {
        documents,
        kinds: Kind::options(&filter.kind),
        statuses: Status::options(&filter.status),
        attentions: options(
            [("forsenad", "Översyn försenad"), ("motstridig", "Flaggad som motstridig")],
            &filter.attention,
        ),
        query: filter.query(),
        query_without_page: filter.query(),
        filter_is_empty: filter.is_empty(),
        may_manage: may_manage(&principal),
        no_errors: FieldErrors::new(),
        chrome,
        conflicts,
        overdue,
        pager,
        filter,
        today,
    }
    .into_response())
}

pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let today = today();
    let date = |d: Option<NaiveDate>| d.map(crate::web::format::date).unwrap_or_default();
    let reader = super::reader(&principal)?;
    let mut conn = state.pool.acquire().await?;
    let rows: Vec<Vec<String>> = store::all_matching(&mut conn, principal.tenant()?, &filter, reader, today)
        .await?
        .into_iter()
        .map(|d| {
            vec![
                d.title.clone(),
                d.kind_label().into(),
                d.status_label().into(),
                d.decided_by_name.clone().unwrap_or_default(),
                date(d.decided_on),
                d.decision_reference.clone(),
                d.owner_name.clone().unwrap_or_default(),
                d.responsible_body_name.clone().unwrap_or_default(),
                d.review_interval_months.to_string(),
                date(d.last_reviewed_on),
                date(d.next_review()),
                if d.is_review_overdue(today) { "ja" } else { "nej" }.into(),
                d.audience_text(),
                d.conflict_note.clone(),
                d.link_url.clone(),
            ]
        })
        .collect();
    crate::web::csv::response(
        "styrdokument.csv",
        &[
            "Titel",
            "Slag",
            "Status",
            "Beslutat av",
            "Beslutsdatum",
            "Beslut",
            "Dokumentägare",
            "Ytterst ansvarig enligt dokumentet",
            "Översyn (månader)",
            "Senast översett",
            "Nästa översyn",
            "Översyn försenad",
            "Ska kännas till av",
            "Motstridighet",
            "Länk",
        ],
        &rows,
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/show.html")]
struct ShowPage {
    chrome: Chrome,
    document: Document,
    history: Vec<Entry>,
    may_edit: bool,
    may_manage: bool,
    today: NaiveDate,
}

pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let document = readable(&state, &principal, id).await?;
    Ok(ShowPage {
        history: super::history(&state, &principal, &document).await?,
        may_edit: may_edit(&principal, &document),
        may_manage: may_manage(&principal),
        today: today(),
        chrome,
        document,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/form.html")]
struct FormPage {
    chrome: Chrome,
    id: Option<Uuid>,
    form: DocumentForm,
    kinds: Vec<SelectOption>,
    statuses: Vec<SelectOption>,
    bodies: Vec<SelectOption>,
    responsible_bodies: Vec<SelectOption>,
    people: Vec<SelectOption>,
    audience: Vec<crate::web::Choice>,
    errors: FieldErrors,
}

async fn form_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Option<Uuid>,
    form: DocumentForm,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    let m = principal.tenant()?;
    let bodies: Vec<(Uuid, String)> =
        crate::org::store::list_bodies(&state.pool, m).await?.into_iter().map(|b| (b.id, b.name)).collect();
    let audience = audiences()
        .into_iter()
        .map(|(code, label)| crate::web::Choice {
            checked: form.audience.iter().any(|a| a == code),
            value: code.into(),
            label: label.into(),
        })
        .collect();
    Ok(FormPage {
        kinds: Kind::options(&form.kind),
        statuses: Status::options(&form.status),
        bodies: options(bodies.clone(), &form.decided_by_body_id),
        responsible_bodies: options(bodies, &form.responsible_body_id),
        people: options(crate::org::store::person_choices(&state.pool, m).await?, &form.owner_person_id),
        audience,
        chrome,
        id,
        form,
        errors,
    })
}

pub async fn new(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let form = super::new_document_form(&principal)?;
    Ok(form_page(&state, &principal, chrome, None, form, FieldErrors::new()).await?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<DocumentForm>,
) -> AppResult<Response> {
    match split_validation(super::create(&state, &principal, &form).await)? {
        Ok(d) => Ok(flash::see_other_with(&state, &format!("/documents/{}", d.id), "Styrdokumentet är tillagt.")),
        Err(errors) => Ok(unprocessable(form_page(&state, &principal, chrome, None, form, errors).await?)),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let d = super::editable(&state, &principal, id).await?;
    let date = |d: Option<NaiveDate>| d.map(crate::web::format::date).unwrap_or_default();
    let id_text = |id: Option<Uuid>| id.map(|i| i.to_string()).unwrap_or_default();
    let form = DocumentForm {
        title: d.title,
        kind: d.kind.code().into(),
        decided_by_body_id: id_text(d.decided_by_body_id),
        decided_on: date(d.decided_on),
        decision_reference: d.decision_reference,
        owner_person_id: id_text(d.owner_person_id),
        responsible_body_id: id_text(d.responsible_body_id),
        review_interval_months: d.review_interval_months.to_string(),
        last_reviewed_on: date(d.last_reviewed_on),
        status: d.status.code().to_string(),
        link_url: d.link_url,
        audience: d.audience,
        version: Version::of(d.updated_at).to_string(),
    };
    Ok(form_page(&state, &principal, chrome, Some(id), form, FieldErrors::new()).await?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<DocumentForm>,
) -> AppResult<Response> {
    let expected = Version::parse(&form.version);
    match split_validation(super::update(&state, &principal, id, &form, expected).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/documents/{id}"), "Styrdokumentet är sparat.")),
        Err(errors) => {
            let page = form_page(&state, &principal, chrome, Some(id), form, errors.clone()).await?;
            Ok(refused_form(&errors, page))
        }
    }
}

pub async fn mark_reviewed(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let d = super::mark_reviewed(&state, &principal, id).await?;
    let next = d.next_review().map(crate::web::format::date).unwrap_or_default();
    Ok(flash::see_other_with(
        &state,
        &format!("/documents/{id}"),
        &format!("Översynen är registrerad. Nästa översyn {next}."),
    ))
}

/// The coordinator's note that a document contradicts another; empty removes the flag.
#[derive(serde::Deserialize)]
pub struct ConflictForm {
    #[serde(default)]
    conflict_note: String,
}

pub async fn set_conflict(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<ConflictForm>,
) -> AppResult<Response> {
    let d = super::set_conflict(&state, &principal, id, &form.conflict_note).await?;
    let message =
        if d.conflict_note.is_empty() { "Flaggan är borttagen." } else { "Dokumentet är flaggat som motstridigt." };
    Ok(flash::see_other_with(&state, &format!("/documents/{id}"), message))
}

/// The upload form (multipart; the CSRF token travels in the address).
pub async fn attach_file(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let upload = crate::web::files::read_upload(multipart).await?;
    let message = match split_validation(super::attach_file(&state, &principal, id, upload).await)? {
        Ok(_) => "Filen är uppladdad.".to_string(),
        Err(errors) => format!("Filen laddades inte upp: {}", errors.into_values().collect::<Vec<_>>().join(" ")),
    };
    Ok(flash::see_other_with(&state, &format!("/documents/{id}"), &message))
}

pub async fn download(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    readable(&state, &principal, id).await?;
    let (name, content_type, content) = super::store::file(&state.pool, principal.tenant()?, id).await?;
    Ok(crate::web::files::download(&name, &content_type, content))
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let d = super::deletable(&state, &principal, id).await?;
    let back = format!("/documents/{id}");
    Ok(crate::web::confirm_delete(chrome, &format!("styrdokumentet {}", d.title), &format!("{back}/delete"), &back))
}

pub async fn delete(State(state): State<AppState>, principal: Principal, Path(id): Path<Uuid>) -> AppResult<Response> {
    super::delete(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, "/documents", "Styrdokumentet är borttaget."))
}
