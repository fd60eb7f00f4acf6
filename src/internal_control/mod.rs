//! Information security in each body's internal control plan (internkontrollplan, KL 6 kap.
//! 6 §): control points per body and year, their results with traffic lights, deviations that
//! propose actions, and Lisa's own figures as evidence where it knows the answer.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod policy;
pub mod store;

pub use policy::*;
use std::collections::HashMap;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::actions::store::{ActionLinks, Source};
use crate::audit_log::Actor;
use crate::audit_log::lost_updates::{self, Versioned};
use crate::auth::Principal;
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult};
use crate::web::layout::{MenuEntry, Task};
use crate::web::version::Version;
use model::{Outcome, PointForm, ResultForm};
use store::{Point, Selection};

/// Whether the principal may open the form for a new point (saving checks the body).
pub fn open_new_form(principal: &Principal) -> AppResult<()> {
    principal.require(may_read(principal))
}

/// A point the principal may change or delete: whoever keeps its body's plan.
pub async fn editable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Point> {
    let point = readable(state, principal, id).await?;
    principal.require(may_edit(principal, point.body_id))?;
    Ok(point)
}

/// A point the principal may read (404 outside the municipality, 403 outside their bodies).
pub async fn readable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Point> {
    let point = store::point(&state.pool, principal.tenant()?, id).await?;
    let allowed = readable_bodies(principal).is_none_or(|bodies| bodies.contains(&point.body_id))
        || point.responsible_user_id == Some(principal.user_id);
    principal.require(allowed)?;
    Ok(point)
}

/// Filters for the list of control points.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct Filter {
    #[serde(default)]
    pub body_id: String,
    #[serde(default)]
    pub year: String,
}

pub async fn list(state: &AppState, principal: &Principal, filter: &Filter) -> AppResult<Vec<Point>> {
    principal.require(may_read(principal))?;
    let within = readable_bodies(principal);
    let selection = Selection {
        body_id: Uuid::parse_str(filter.body_id.trim()).ok(),
        year: filter.year.trim().parse().ok(),
        id: None,
        within: within.as_deref(),
    };
    store::points(&state.pool, principal.tenant()?, selection).await
}

pub async fn create(state: &AppState, principal: &Principal, form: &PointForm) -> AppResult<Point> {
    principal.require(may_read(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    principal.require(may_edit(principal, input.body_id))?;
    let mut tx = state.pool.begin().await?;
    let point = store::create_point(&mut tx, &Actor::from(principal), principal.tenant()?, &input, None).await?;
    tx.commit().await?;
    Ok(point)
}

pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    form: &PointForm,
    expected: Option<Version>,
) -> AppResult<Point> {
    let point = readable(state, principal, id).await?;
    principal.require(may_edit(principal, point.body_id))?;
    let input = form.validate().map_err(AppError::Validation)?;
    principal.require(may_edit(principal, input.body_id))?;
    let m = principal.tenant()?;
    let mut tx = state.pool.begin().await?;
    lost_updates::lock_current(&mut tx, Versioned::ControlPoint, m, id, expected).await?;
    let point = store::update_point(&mut tx, &Actor::from(principal), m, id, &input).await?;
    tx.commit().await?;
    Ok(point)
}

pub async fn delete(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    let point = readable(state, principal, id).await?;
    principal.require(may_edit(principal, point.body_id))?;
    let mut tx = state.pool.begin().await?;
    store::delete_point(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Copies starter points into a body's plan for a year (each at most once).
pub async fn copy_starters(
    state: &AppState,
    principal: &Principal,
    body_id: Uuid,
    year: i16,
    codes: &[String],
) -> AppResult<usize> {
    principal.require(may_edit(principal, body_id))?;
    let m = principal.tenant()?;
    let existing =
        store::points(&state.pool, m, Selection { body_id: Some(body_id), year: Some(year), ..Default::default() })
            .await?;
    let actor = Actor::from(principal);
    let mut tx = state.pool.begin().await?;
    let mut copied = 0;
    for starter in model::STARTERS.iter().filter(|s| codes.iter().any(|c| c == s.code)) {
        if existing.iter().any(|p| p.starter.as_deref() == Some(starter.code)) {
            continue;
        }
        let input = model::PointInput {
            body_id,
            year,
            area: starter.area.into(),
            risk: starter.risk.into(),
            risk_id: None,
            recommendation_id: None,
            system_id: None,
            measure_id: None,
            control: starter.control.into(),
            method: starter.method,
            sample: String::new(),
            frequency: starter.frequency,
            responsible_person_id: None,
            reported_at: starter.reported_at,
        };
        store::create_point(&mut tx, &actor, m, &input, Some(starter.code)).await?;
        copied += 1;
    }
    tx.commit().await?;
    Ok(copied)
}

/// Records a performed control; a deviation proposes an action (source "internkontroll").
pub async fn record_result(
    state: &AppState,
    principal: &Principal,
    point_id: Uuid,
    form: &ResultForm,
) -> AppResult<Point> {
    let point = readable(state, principal, point_id).await?;
    principal.require(may_record(principal, &point))?;
    let input = form.validate(point.year, crate::web::format::today()).map_err(AppError::Validation)?;
    let m = principal.tenant()?;
    let actor = Actor::from(principal);
    let mut tx = state.pool.begin().await?;
    let action_id = if input.outcome == Outcome::Deviation {
        let action = crate::actions::model::ActionInput {
            title: format!("Avvikelse i internkontrollen: {}", point.control).chars().take(200).collect(),
            description: format!("{} ({}, {}): {}", point.control, point.body_name, input.performed_on, input.comment),
            owner_person_id: point.responsible_person_id,
            due_date: None,
            priority: None,
            effort: String::new(),
        };
        let links = ActionLinks { source: Source::InternalControl, system_id: point.system_id, ..Default::default() };
        let proposed = crate::actions::model::Status::Foreslagen;
        Some(crate::actions::store::create(&mut tx, &actor, m, &links, proposed, &action).await?.id)
    } else {
        None
    };
    store::record_result(&mut tx, &actor, m, point_id, &input, action_id).await?;
    tx.commit().await?;
    store::point(&state.pool, m, point_id).await
}

/// Attaches the evidence file to a result, by whoever may record it.
pub async fn attach_file(
    state: &AppState,
    principal: &Principal,
    point_id: Uuid,
    result_id: Uuid,
    upload: (String, String, Vec<u8>),
) -> AppResult<()> {
    let point = readable(state, principal, point_id).await?;
    principal.require(may_record(principal, &point))?;
    let (file_name, content_type, content) = upload;
    let (name, content_type) = crate::web::files::accept_upload(&file_name, &content_type, &content, "underlag")?;
    let mut tx = state.pool.begin().await?;
    let actor = Actor::from(principal);
    store::attach_file(&mut tx, &actor, principal.tenant()?, point_id, result_id, &name, &content_type, &content)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn download_file(
    axum::extract::State(state): axum::extract::State<AppState>,
    principal: Principal,
    axum::extract::Path((id, file_id)): axum::extract::Path<(Uuid, Uuid)>,
) -> AppResult<axum::response::Response> {
    readable(&state, &principal, id).await?;
    let file = store::file(&state.pool, principal.tenant()?, id, file_id).await?;
    Ok(crate::web::files::download(&file.file_name, &file.content_type, file.content))
}

/// What Lisa itself knows for a starter point's body, as evidence beside the result form;
/// None where Lisa holds no figure for it.
pub async fn evidence(state: &AppState, principal: &Principal, point: &Point) -> AppResult<Option<String>> {
    let m = principal.tenant()?;
    let today = crate::web::format::today();
    let mut conn = state.pool.acquire().await?;
    let body_of = crate::systems::store::bodies_of(&mut *conn, m).await?;
    let in_body = |system: &Uuid| body_of.get(system).copied().flatten() == Some(point.body_id);
    let text = match point.starter.as_deref() {
        Some("behorighet") => {
            let standings: Vec<_> = crate::access_reviews::store::standings(&mut *conn, m)
                .await?
                .into_iter()
                .filter(|s| in_body(&s.system_id))
                .collect();
            let current = standings
                .iter()
                .filter(|s| s.standing(today) == crate::access_reviews::model::Standing::Current)
                .count();
            format!("{current} av {} system har en aktuell behörighetsgranskning i Lisa.", standings.len())
        }
        Some("ovning") => {
            let critical: Vec<_> = crate::continuity::standings(&mut conn, m, today, None)
                .await?
                .into_iter()
                .filter(|s| s.is_critical && in_body(&s.system_id))
                .collect();
            let exercised = critical.iter().filter(|s| s.is_exercised()).count();
            format!(
                "{exercised} av {} verksamhetskritiska system är övade inom intervallet enligt Lisa.",
                critical.len()
            )
        }
        Some("klassning") => {
            let systems = crate::systems::store::list(&mut conn, m, &Default::default(), today).await?;
            let critical: Vec<_> = systems.iter().filter(|s| s.is_critical && in_body(&s.id)).collect();
            let current = critical
                .iter()
                .filter(|s| s.assets_count > 0 && s.classified_assets == s.assets_count)
                .filter(|s| s.next_review().is_none_or(|due| due >= today))
                .count();
            format!(
                "{current} av {} verksamhetskritiska system är klassade och inte försenade för översyn enligt Lisa.",
                critical.len()
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(text))
}

/// A body's internal control in the annual report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ControlFigures {
    /// Control points in the body's plan for the year.
    pub planned: usize,
    /// Points performed at least once by the report's day.
    pub performed: usize,
    /// Results that found a deviation.
    pub deviations: usize,
    /// Actions proposed by deviations that are not done.
    pub open_actions: usize,
}

/// Each body's internal control for a year as of a day: points registered by `by`, results by
/// their date, actions by their status now.
pub async fn figures(
    db: &mut sqlx::PgConnection,
    m: MunicipalityId,
    year: i32,
    as_of: NaiveDate,
    by: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, ControlFigures>> {
    let selection = Selection { year: i16::try_from(year).ok(), ..Default::default() };
    let points = store::points(&mut *db, m, selection).await?;
    let open = crate::actions::store::open_ids_from(&mut *db, m, Source::InternalControl.code()).await?;
    let mut per_body: HashMap<Uuid, ControlFigures> = HashMap::new();
    for point in points.iter().filter(|p| p.created_at <= by) {
        let row = per_body.entry(point.body_id).or_default();
        let results: Vec<_> = point.results.iter().filter(|r| r.performed_on <= as_of).collect();
        row.planned += 1;
        row.performed += usize::from(!results.is_empty());
        row.deviations += results.iter().filter(|r| r.outcome == Outcome::Deviation).count();
        row.open_actions += results.iter().filter(|r| r.action_id.is_some_and(|a| open.contains(&a))).count();
    }
    Ok(per_body)
}

/// The area's pages in the menu.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    let shown = principal.in_municipality() && may_read(principal);
    MenuEntry::when(shown, Task::Risks, "/internal-control", "Internkontroll").into_iter().collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/internal-control", get(pages::list).post(pages::create))
        .route("/internal-control.csv", get(pages::export))
        .route("/internal-control/new", get(pages::new))
        .route("/internal-control/starters", post(pages::copy_starters))
        .route("/internal-control/{id}", get(pages::show).post(pages::update))
        .route("/internal-control/{id}/delete", get(pages::confirm_delete).post(pages::delete))
        .route("/internal-control/{id}/results", post(pages::record_result))
        .route(
            "/internal-control/{id}/results/{result_id}/file",
            post(pages::attach_file).layer(crate::web::files::upload_limit()),
        )
        .route("/internal-control/{id}/files/{file_id}", get(download_file))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::update, api::delete))
        .routes(routes!(api::record_result))
}
