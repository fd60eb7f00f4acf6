//! Incidents: reported by anyone on a short form, handled by the coordinator and the named
//! receivers, with the legal clocks (IMY, the CSIRT at MCF) computed from the reports made.

pub mod api;
pub mod clocks;
pub mod demo;
pub mod model;
pub mod notice_store;
pub mod notices;
pub mod notifications;
pub mod notifications_api;
pub mod notifications_pages;
pub mod pages;
pub mod policy;
pub mod store;
pub mod summary;
mod view;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Datelike, Utc};
pub use policy::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::audit_log::Actor;
use crate::audit_log::lost_updates::{self, Versioned};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::web::layout::{MenuEntry, Task};
use crate::web::version::Version;
use model::{EventForm, HandlingForm, ReportForm, SentReportForm};
use store::Incident;

/// The summary of a year's incidents (for pages and the API).
pub async fn summary_of(
    state: &AppState,
    principal: &Principal,
    year: Option<i32>,
) -> AppResult<(i32, summary::Summary)> {
    principal.require(may_read_summary(principal))?;
    let year = year.unwrap_or_else(|| crate::web::format::today().year());
    let filter = store::Filter { year: year.to_string(), ..store::Filter::default() };
    let incidents = store::list(&mut *state.pool.acquire().await?, principal.tenant()?, &filter).await?;
    Ok((year, summary::summarise(&incidents, Utc::now())))
}

/// The incidents the principal reported.
pub async fn mine(state: &AppState, principal: &Principal) -> AppResult<Vec<Incident>> {
    principal.require(may_report(principal))?;
    let filter = store::Filter { reporter: Some(principal.user_id), ..store::Filter::default() };
    store::list(&mut *state.pool.acquire().await?, principal.tenant()?, &filter).await
}

/// A page of the register, for those who handle incidents (page and API alike).
pub async fn page(
    state: &AppState,
    principal: &Principal,
    filter: &store::Filter,
    asked: crate::web::pagination::Asked,
) -> AppResult<(Vec<Incident>, crate::web::pagination::Pager)> {
    principal.require(is_handler(principal))?;
    store::page(&mut *state.pool.acquire().await?, principal.tenant()?, filter, asked).await
}

/// The ids of every incident a filter matches, for the CSV export.
pub async fn matching_ids(state: &AppState, principal: &Principal, filter: &store::Filter) -> AppResult<Vec<Uuid>> {
    principal.require(is_handler(principal))?;
    store::ids(&mut *state.pool.acquire().await?, principal.tenant()?, filter).await
}

/// The people named as receivers, for whoever names them.
pub async fn receivers(state: &AppState, principal: &Principal) -> AppResult<Vec<store::SystemRef>> {
    principal.require(may_name_receivers(principal))?;
    store::receivers(&state.pool, principal.tenant()?).await
}

/// Whether the principal may report: the form is shown only then.
pub fn open_report_form(principal: &Principal) -> AppResult<()> {
    principal.require(may_report(principal))
}

/// How the principal may see one incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// The coordinator, a receiver, or the åtgärdsansvarig: everything, and may change it.
    Handle,
    /// The reporter: what they reported and how it is going.
    Reporter,
}

/// The incident as the principal may see it: the page and the API both show this projection.
pub async fn readable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<(Incident, Access)> {
    let incident = store::get(&state.pool, principal.tenant()?, id).await?;
    let access = if is_handler(principal) || incident.responsible_user_id == Some(principal.user_id) {
        Access::Handle
    } else if incident.reporter_user_id == Some(principal.user_id) {
        Access::Reporter
    } else {
        return Err(AppError::Forbidden);
    };
    Ok((incident.for_access(access), access))
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

pub async fn report(state: &AppState, principal: &Principal, form: &ReportForm) -> AppResult<Incident> {
    principal.require(may_report(principal))?;
    let now = now();
    let input = form.validate(now).map_err(AppError::Validation)?;
    let year = now.with_timezone(&chrono_tz::Europe::Stockholm).year();
    let mut tx = state.pool.begin().await?;
    let incident = store::report(&mut tx, &Actor::from(principal), principal.tenant()?, &input, year).await?;
    tx.commit().await?;
    Ok(incident)
}

pub(crate) async fn require_handle(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Incident> {
    let (incident, access) = readable(state, principal, id).await?;
    principal.require(access == Access::Handle)?;
    Ok(incident)
}

/// Records the handling; `expected` is the version the change was made from (none: no check).
pub async fn handle(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    form: &HandlingForm,
    expected: Option<Version>,
) -> AppResult<Incident> {
    require_handle(state, principal, id).await?;
    let input = form.validate(now()).map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    lost_updates::lock_current(&mut tx, Versioned::Incident, principal.tenant()?, id, expected).await?;
    let incident = store::handle(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(incident)
}

pub async fn add_event(state: &AppState, principal: &Principal, id: Uuid, form: &EventForm) -> AppResult<Incident> {
    require_handle(state, principal, id).await?;
    let (at, text) = form.validate(now()).map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let incident = store::add_event(&mut tx, &Actor::from(principal), principal.tenant()?, id, at, &text).await?;
    tx.commit().await?;
    Ok(incident)
}

/// Records a report made to IMY or MCF; one made after its deadline needs reasons.
pub async fn add_report(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    form: &SentReportForm,
) -> AppResult<Incident> {
    let incident = require_handle(state, principal, id).await?;
    let now = now();
    let clocks = incident.clocks(now);
    let (kind, sent_at) =
        form.validate(now, |kind, at| clocks::needs_late_reason(&clocks, kind, at)).map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let incident = store::add_report(
        &mut tx,
        &Actor::from(principal),
        principal.tenant()?,
        id,
        (kind, sent_at),
        (&form.reference, &form.late_reason),
        &form.text,
    )
    .await?;
    tx.commit().await?;
    Ok(incident)
}

pub async fn set_receivers(state: &AppState, principal: &Principal, people: &[Uuid]) -> AppResult<()> {
    principal.require(may_name_receivers(principal))?;
    let mut tx = state.pool.begin().await?;
    store::set_receivers(&mut tx, &Actor::from(principal), principal.tenant()?, people).await?;
    tx.commit().await?;
    Ok(())
}

/// The area's pages in the menu: the register for those who handle incidents, reporting for everyone.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    [
        MenuEntry::when(
            principal.in_municipality() && is_handler(principal),
            Task::Incidents,
            "/incidents",
            "Incidenter",
        ),
        MenuEntry::when(may_report(principal), Task::Incidents, "/incidents/report", "Rapportera incident"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(pages::list))
        .route("/incidents.csv", get(pages::export))
        .route("/incidents/report", get(pages::report_form).post(pages::report))
        .route("/incidents/mine", get(pages::mine))
        .route("/incidents/summary", get(pages::summary))
        .route("/incidents/receivers", get(pages::receivers).post(pages::set_receivers))
        .route("/incidents/{id}", get(pages::show).post(pages::handle))
        .route("/incidents/{id}/events", post(pages::add_event))
        .route("/incidents/{id}/reports", post(pages::add_report))
        .route("/incidents/{id}/notifications", get(notifications_pages::list).post(notifications_pages::save_facts))
        .route("/incidents/{id}/notifications/{kind}", get(notifications_pages::writer))
        .route("/incidents/{id}/notifications/{kind}/sent", post(notifications_pages::sent))
        .route("/incidents/{id}/notifications/{kind}/pdf", get(notifications_pages::pdf))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::report))
        .routes(routes!(api::get, api::handle))
        .routes(routes!(api::add_event))
        .routes(routes!(api::add_report))
        .routes(routes!(api::summary))
        .routes(routes!(notifications_api::notifications))
        .routes(routes!(notifications_api::notification_text))
        .routes(routes!(notifications_api::notification_sent))
        .routes(routes!(notifications_api::notice_facts, notifications_api::save_notice_facts))
}
