//! Governing documents (styrdokument): policies, guidelines, routines and instructions with
//! their decision, owner, review interval and audience; overdue reviews, and documents that
//! contradict each other on who is ultimately responsible.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod policy;
pub mod store;
mod view;

use axum::Router;
use axum::routing::{get, post};
pub use policy::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::audit_log::lost_updates::{self, Versioned};
use crate::audit_log::{self, Actor, EntityType};
use crate::auth::Principal;
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult};
use crate::web::layout::{MenuEntry, Task};
use crate::web::version::Version;
use model::DocumentForm;
use store::Document;

/// Documents in force that name different bodies as ultimately responsible, as (body, titles).
pub fn conflicts(documents: &[Document]) -> Vec<(String, Vec<String>)> {
    let named: Vec<(&str, &str)> = documents
        .iter()
        .filter(|d| d.status == model::Status::Gallande)
        .filter_map(|d| Some((d.title.as_str(), d.responsible_body_name.as_deref()?)))
        .collect();
    named_conflicts(&named)
}

/// The municipality's conflicts now, from the titles and bodies alone.
pub async fn current_conflicts(state: &AppState, m: MunicipalityId) -> AppResult<Vec<(String, Vec<String>)>> {
    let named = store::responsibilities(&state.pool, m).await?;
    Ok(named_conflicts(&named.iter().map(|(title, body)| (title.as_str(), body.as_str())).collect::<Vec<_>>()))
}

fn named_conflicts(named: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
    model::responsibility_conflict(named)
        .into_iter()
        .map(|(body, titles)| (body.to_string(), titles.into_iter().map(String::from).collect()))
        .collect()
}

/// An empty document form (in force, reviewed at the usual interval), for whoever keeps documents.
pub fn new_document_form(principal: &Principal) -> AppResult<DocumentForm> {
    principal.require(may_manage(principal))?;
    Ok(DocumentForm {
        status: "gallande".into(),
        review_interval_months: model::DEFAULT_REVIEW_MONTHS.to_string(),
        ..Default::default()
    })
}

/// A document the principal may change.
pub async fn editable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Document> {
    let document = readable(state, principal, id).await?;
    principal.require(may_edit(principal, &document))?;
    Ok(document)
}

/// A document the principal may delete (whoever keeps documents).
pub async fn deletable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Document> {
    let document = readable(state, principal, id).await?;
    principal.require(may_manage(principal))?;
    Ok(document)
}

pub async fn readable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Document> {
    let document = store::get(&state.pool, principal.tenant()?, id).await?;
    principal.require(may_see(principal, &document))?;
    Ok(document)
}

/// The document's history as `principal` may read it. What was written while it was a draft
/// (its title, reference and link as drafted) is for those who may read its drafts: others
/// see the history from the change that brought it out of draft, with nothing of the draft in it.
pub async fn history(state: &AppState, principal: &Principal, document: &Document) -> AppResult<Vec<audit_log::Entry>> {
    let entries = audit_log::history(&state.pool, principal.tenant()?, EntityType::Document, document.id).await?;
    Ok(if may_edit(principal, document) { entries } else { without_draft_era(entries) })
}

/// Drops the entries made while the document was a draft, and the drafted values from the one
/// that ended it. `entries` are newest first, as the change log gives them.
fn without_draft_era(entries: Vec<audit_log::Entry>) -> Vec<audit_log::Entry> {
    let draft = model::Status::Utkast.label();
    let mut status = String::new();
    let mut kept = Vec::new();
    for mut entry in entries.into_iter().rev() {
        let was_draft = status == draft;
        if let Some(change) = entry.changes.iter().find(|c| c.field == "Status") {
            status = change.after.clone();
        }
        if status == draft {
            continue;
        }
        if was_draft {
            for change in &mut entry.changes {
                change.before = "–".into();
            }
        }
        kept.push(entry);
    }
    kept.reverse();
    kept
}

/// Who is reading, for which drafts they see (refused to those who may not read documents).
pub fn reader(principal: &Principal) -> AppResult<store::Reader> {
    principal.require(may_read(principal))?;
    Ok(store::Reader { user_id: principal.user_id, sees_every_draft: may_manage(principal) })
}

pub async fn create(state: &AppState, principal: &Principal, form: &DocumentForm) -> AppResult<Document> {
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let document = store::create(&mut tx, &Actor::from(principal), principal.tenant()?, &input).await?;
    tx.commit().await?;
    Ok(document)
}

/// Changes a document; `expected` is the version the change was made from (none: no check).
pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    form: &DocumentForm,
    expected: Option<Version>,
) -> AppResult<Document> {
    let document = readable(state, principal, id).await?;
    principal.require(may_edit(principal, &document))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    lost_updates::lock_current(&mut tx, Versioned::Document, principal.tenant()?, id, expected).await?;
    let document = store::update(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(document)
}

pub async fn mark_reviewed(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Document> {
    let document = readable(state, principal, id).await?;
    principal.require(may_edit(principal, &document))?;
    let mut tx = state.pool.begin().await?;
    let today = crate::web::format::today();
    let document = store::mark_reviewed(&mut tx, &Actor::from(principal), principal.tenant()?, id, today).await?;
    tx.commit().await?;
    Ok(document)
}

pub async fn set_conflict(state: &AppState, principal: &Principal, id: Uuid, note: &str) -> AppResult<Document> {
    readable(state, principal, id).await?;
    principal.require(may_manage(principal))?;
    let mut tx = state.pool.begin().await?;
    let document = store::set_conflict(&mut tx, &Actor::from(principal), principal.tenant()?, id, note).await?;
    tx.commit().await?;
    Ok(document)
}

pub async fn attach_file(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    upload: (String, String, Vec<u8>),
) -> AppResult<Document> {
    let document = readable(state, principal, id).await?;
    principal.require(may_edit(principal, &document))?;
    let (file_name, content_type, content) = upload;
    let (name, content_type) = crate::web::files::accept_upload(&file_name, &content_type, &content, "styrdokument")?;
    let mut tx = state.pool.begin().await?;
    let m = principal.tenant()?;
    let document = store::attach_file(&mut tx, &Actor::from(principal), m, id, &name, &content_type, &content).await?;
    tx.commit().await?;
    Ok(document)
}

pub async fn delete(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    readable(state, principal, id).await?;
    principal.require(may_manage(principal))?;
    let mut tx = state.pool.begin().await?;
    store::delete(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(())
}

/// The area's pages in the menu.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    MenuEntry::when(principal.in_municipality() && may_read(principal), Task::Governance, "/documents", "Styrdokument")
        .into_iter()
        .collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/documents", get(pages::list).post(pages::create))
        .route("/documents.csv", get(pages::export))
        .route("/documents/new", get(pages::new))
        .route("/documents/{id}", get(pages::show).post(pages::update))
        .route("/documents/{id}/edit", get(pages::edit))
        .route("/documents/{id}/reviewed", post(pages::mark_reviewed))
        .route("/documents/{id}/conflict", post(pages::set_conflict))
        .route(
            "/documents/{id}/file",
            get(pages::download).post(pages::attach_file).layer(crate::web::files::upload_limit()),
        )
        .route("/documents/{id}/delete", get(pages::confirm_delete).post(pages::delete))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::list, api::create)).routes(routes!(api::get, api::update))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(changes: &[(&str, &str, &str)]) -> audit_log::Entry {
        audit_log::Entry {
            id: 0,
            occurred_at: chrono::Utc::now(),
            occurred_at_local: String::new(),
            actor_name: "Sara Lind".into(),
            entity_type: "document".into(),
            entity_id: None,
            action: "update".into(),
            action_label: "Ändrad",
            changes: changes
                .iter()
                .map(|(field, before, after)| audit_log::FieldChange {
                    field: field.to_string(),
                    before: before.to_string(),
                    after: after.to_string(),
                })
                .collect(),
            request_id: None,
        }
    }

    #[test]
    fn readers_of_the_document_in_force_see_nothing_of_its_draft() {
        // Newest first, as the change log gives them.
        let entries = vec![
            entry(&[("Titel", "Policy för informationssäkerhet", "Informationssäkerhetspolicy")]),
            entry(&[
                ("Status", "Utkast", "Gällande"),
                ("Titel", "Hemligt arbetsnamn", "Policy för informationssäkerhet"),
            ]),
            entry(&[("Länk", "–", "https://intranät/utkast")]),
            entry(&[("Status", "–", "Utkast"), ("Titel", "–", "Hemligt arbetsnamn")]),
        ];
        let kept = without_draft_era(entries);
        assert_eq!(kept.len(), 2);
        let shown = format!("{:?}", kept.iter().map(|e| &e.changes).collect::<Vec<_>>());
        assert!(!shown.contains("Hemligt") && !shown.contains("intranät/utkast"), "{shown}");
        assert!(shown.contains("Informationssäkerhetspolicy"));
    }
}
