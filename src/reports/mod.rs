//! The start page and the board's annual report (ledningens genomgång): key figures from every
//! area with the previous year beside them, per body, SVG charts, the coordinator's judgement
//! and proposals, the board's decisions; frozen when published; as HTML and as PDF.

pub mod api;
pub mod board;
pub mod briefing;
pub mod charts;
pub mod dashboards;
pub mod demo;
pub mod figures;
pub mod pages;
pub mod pdf;
pub mod policy;
pub mod store;
mod view;
pub mod worklist;

use axum::Router;
use axum::routing::{get, post};
pub use policy::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::audit_log::Actor;
use crate::audit_log::lost_updates::{self, Versioned};
use crate::auth::{Principal, Role};
use crate::error::{AppError, AppResult};
use crate::web::layout::{MenuEntry, Task};
use crate::web::version::Version;
use figures::Figures;
use store::{Report, ReportText};

/// A report the principal prepares (drafts, publishing).
pub async fn preparable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Report> {
    let report = readable(state, principal, id).await?;
    principal.require(may_prepare(principal))?;
    Ok(report)
}

/// A report the principal may read: drafts only for the coordinator.
pub async fn readable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Report> {
    let report = store::get(&state.pool, principal.tenant()?, id).await?;
    principal.require(may_read(principal) && (report.is_published() || may_prepare(principal)))?;
    Ok(report)
}

/// The reports the principal may read, newest year first.
pub async fn visible(state: &AppState, principal: &Principal) -> AppResult<Vec<Report>> {
    principal.require(may_read(principal))?;
    let all = store::list(&state.pool, principal.tenant()?).await?;
    Ok(all.into_iter().filter(|r| r.is_published() || may_prepare(principal)).collect())
}

/// A published report's frozen figures; a draft's computed now, as of its date.
pub async fn figures_of(state: &AppState, principal: &Principal, report: &Report) -> AppResult<Figures> {
    if let Some(snapshot) = &report.snapshot {
        return Ok(snapshot.0.clone());
    }
    let mut conn = state.pool.acquire().await?;
    figures::compute(&mut conn, principal.tenant()?, i32::from(report.year), report.as_of_date()).await
}

/// What the report shows: its figures, the previous year's published ones, and the key rows.
pub struct Contents {
    pub figures: Figures,
    pub previous: Option<Figures>,
    pub key_rows: Vec<figures::KeyRow>,
}

pub async fn contents(state: &AppState, principal: &Principal, report: &Report) -> AppResult<Contents> {
    let figures = figures_of(state, principal, report).await?;
    let previous = store::published_figures(&state.pool, principal.tenant()?, i32::from(report.year) - 1).await?;
    let key_rows = figures::key_rows(&figures, previous.as_ref());
    Ok(Contents { figures, previous, key_rows })
}

pub async fn create(state: &AppState, principal: &Principal, year: &str) -> AppResult<Report> {
    principal.require(may_prepare(principal))?;
    let year = match year.trim().parse::<i16>() {
        Ok(year) if (2000..=2100).contains(&year) => year,
        _ => return Err(crate::error::field_error("year", "Ange ett år, t.ex. 2026.")),
    };
    let mut tx = state.pool.begin().await?;
    let report = store::create(&mut tx, &Actor::from(principal), principal.tenant()?, year).await?;
    tx.commit().await?;
    Ok(report)
}

/// Saves the texts; `expected` is the version the change was made from (none: no check).
pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    text: &ReportText,
    expected: Option<Version>,
) -> AppResult<Report> {
    readable(state, principal, id).await?;
    principal.require(may_prepare(principal))?;
    let mut tx = state.pool.begin().await?;
    lost_updates::lock_current(&mut tx, Versioned::AnnualReport, principal.tenant()?, id, expected).await?;
    let report = store::update(&mut tx, &Actor::from(principal), principal.tenant()?, id, text).await?;
    tx.commit().await?;
    Ok(report)
}

/// Freezes the figures as they are now.
pub async fn publish(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Report> {
    let report = readable(state, principal, id).await?;
    principal.require(may_prepare(principal))?;
    if report.is_published() {
        return Err(AppError::Conflict("Rapporten är redan publicerad.".into()));
    }
    let figures = figures_of(state, principal, &report).await?;
    let role = if principal.has_role(Role::Samordnare) { Role::Samordnare.label() } else { "Systemadministratör" };
    let by = store::Publisher { name: &principal.display_name, role };
    let mut tx = state.pool.begin().await?;
    let report = store::publish(&mut tx, &Actor::from(principal), principal.tenant()?, id, &figures, &by).await?;
    tx.commit().await?;
    Ok(report)
}

/// Turns the board's decisions into proposed actions for the next year's handlingsplan.
pub async fn propose_actions(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<usize> {
    readable(state, principal, id).await?;
    principal.require(may_prepare(principal))?;
    let mut tx = state.pool.begin().await?;
    let count = store::propose_actions(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(count)
}

/// The report as PDF.
pub async fn pdf(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<(Report, Vec<u8>)> {
    let report = readable(state, principal, id).await?;
    let contents = contents(state, principal, &report).await?;
    let municipality = principal.municipality.as_ref().map(|m| m.name.clone()).unwrap_or_default();
    let charts = charts::all(&contents.figures);
    let briefing = briefing::briefing(&contents.figures, contents.previous.as_ref());
    let source = pdf::source(&municipality, &report, &contents.figures, &contents.key_rows, &briefing, &charts);
    // Typesetting is CPU work: keep it off the threads that serve requests.
    let bytes = tokio::task::spawn_blocking(move || crate::web::typst::render(source))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    Ok((report, bytes))
}

/// The area's pages in the menu.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    MenuEntry::when(principal.in_municipality() && may_read(principal), Task::Governance, "/reports", "Årsrapport")
        .into_iter()
        .collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::start))
        .route("/dashboard/{code}", get(pages::dashboard))
        .route("/reports", get(pages::list).post(pages::create))
        .route("/reports/{id}", get(pages::show).post(pages::update))
        .route("/reports/{id}/publish", post(pages::publish))
        .route("/reports/{id}/actions", post(pages::propose_actions))
        .route("/reports/{id}/pdf", get(pages::pdf))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get, api::update))
        .routes(routes!(api::pdf))
        .routes(routes!(api::publish))
}
