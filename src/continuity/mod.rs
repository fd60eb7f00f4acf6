//! Continuity (kontinuitet) for critical systems: the outage and data loss the business
//! tolerates, decided from the classification's T level; what IT can deliver; the reserve
//! routine while a system is down; exercises and restore tests; and the gaps between them.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod policy;
pub mod store;
mod view;

use axum::Router;
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
pub use policy::*;
use serde::Serialize;
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
use crate::systems::model::Lifecycle;
use crate::web::layout::{MenuEntry, Task};
use crate::web::version::Version;
use model::{ExerciseForm, Missing, PlanForm, Target, TargetsForm};
use store::{Exercise, Plan, Targets};

/// Where one system's continuity stands.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Standing {
    pub system_id: Uuid,
    pub system_name: String,
    pub body_name: Option<String>,
    pub is_critical: bool,
    /// The system's availability level from its classification.
    pub t_level: Option<i16>,
    #[serde(skip)]
    pub owner_user_id: Option<Uuid>,
    pub plan: Option<Plan>,
    /// The municipality's target for the system's T level.
    pub target: Option<Target>,
    pub last_exercised_on: Option<NaiveDate>,
    pub exercise_due: Option<NaiveDate>,
    /// plan, reservrutin, mal, ovning.
    pub missing: Vec<Missing>,
    /// IT cannot restore within the tolerable outage, or IT set the targets alone.
    pub gap: bool,
    /// What the gap is, in words.
    pub gaps: Vec<String>,
}

impl Standing {
    pub fn is_complete(&self) -> bool {
        !self.missing.iter().any(|m| matches!(m, Missing::Plan | Missing::ReserveRoutine | Missing::BusinessTargets))
    }

    pub fn is_exercised(&self) -> bool {
        !self.missing.contains(&Missing::Exercise)
    }

    pub fn is_exercise_overdue(&self, today: NaiveDate) -> bool {
        self.exercise_due.is_some_and(|due| due < today)
    }

    pub fn t_text(&self) -> String {
        self.t_level.map_or("–".into(), |t| format!("T{t}"))
    }

    /// The tolerable outage: the business's own, else the level's default (marked).
    pub fn mtpd_text(&self) -> String {
        self.with_default(self.plan.as_ref().and_then(|p| p.mtpd_hours), self.target.and_then(|t| t.mtpd_hours))
    }

    pub fn rpo_text(&self) -> String {
        self.with_default(self.plan.as_ref().and_then(|p| p.rpo_hours), self.target.and_then(|t| t.rpo_hours))
    }

    pub fn rto_text(&self) -> String {
        model::hours_text(self.plan.as_ref().and_then(|p| p.rto_hours))
    }

    fn with_default(&self, own: Option<i32>, default: Option<i32>) -> String {
        match (own, default) {
            (Some(own), _) => model::hours_text(Some(own)),
            (None, Some(default)) => format!("{} (standard)", model::hours_text(Some(default))),
            (None, None) => "–".into(),
        }
    }

    pub fn missing_text(&self) -> String {
        self.missing.iter().map(|m| m.label()).collect::<Vec<_>>().join(", ")
    }
}

/// Every system in use (registered by `by`) with its continuity as of `on`, in restore order.
pub async fn standings(
    db: &mut sqlx::PgConnection,
    m: MunicipalityId,
    on: NaiveDate,
    by: Option<DateTime<Utc>>,
) -> AppResult<Vec<Standing>> {
    let filter = crate::systems::store::Filter { registered_by: by, ..Default::default() };
    let systems = crate::systems::store::list(&mut *db, m, &filter, on).await?;
    standings_of(db, m, systems, on, by).await
}

/// The same for systems already read (registered by `by`), so a caller that holds the list
/// does not read it twice.
pub async fn standings_of(
    db: &mut sqlx::PgConnection,
    m: MunicipalityId,
    systems: Vec<crate::systems::store::System>,
    on: NaiveDate,
    by: Option<DateTime<Utc>>,
) -> AppResult<Vec<Standing>> {
    let mut plans: std::collections::HashMap<Uuid, Plan> =
        store::plans(&mut *db, m, by).await?.into_iter().map(|p| (p.system_id, p)).collect();
    let last = store::last_exercised(&mut *db, m, on).await?;
    let targets = store::targets(&mut *db, m).await?.targets;
    let mut standings: Vec<Standing> = systems
        .into_iter()
        .filter(|s| s.lifecycle != Lifecycle::Retired)
        .map(|system| {
            let plan = plans.remove(&system.id);
            let target = model::target_for(&targets, system.level_t);
            let interval = target.and_then(|t| t.exercise_months);
            let last_exercised_on = last.get(&system.id).copied();
            let exercised = model::exercised_in_interval(last_exercised_on, interval, on);
            let facts = plan.as_ref().map(Plan::facts);
            let gaps = facts.map(|f| model::gaps(&f, target)).unwrap_or_default();
            Standing {
                exercise_due: plan.as_ref().and_then(|p| {
                    model::exercise_due(last_exercised_on, crate::web::format::stockholm_date(p.created_at), interval)
                }),
                missing: model::missing(facts.as_ref(), exercised),
                gap: !gaps.is_empty(),
                gaps,
                system_id: system.id,
                system_name: system.name,
                body_name: system.body_name,
                is_critical: system.is_critical,
                t_level: system.level_t,
                owner_user_id: system.owner_user_id,
                plan,
                target,
                last_exercised_on,
            }
        })
        .collect();
    standings.sort_by(|a, b| {
        let priority = |s: &Standing| s.plan.as_ref().and_then(|p| p.restore_priority).unwrap_or(i32::MAX);
        (priority(a), !a.is_critical, &a.system_name).cmp(&(priority(b), !b.is_critical, &b.system_name))
    });
    Ok(standings)
}

/// The critical systems' standings, for the coordinator's list and the API.
pub async fn critical(state: &AppState, principal: &Principal) -> AppResult<Vec<Standing>> {
    principal.require(may_read(principal))?;
    let mut conn = state.pool.acquire().await?;
    let mut all = standings(&mut conn, principal.tenant()?, crate::web::format::today(), None).await?;
    all.retain(|s| s.is_critical);
    Ok(all)
}

/// One system's continuity (404 for another municipality's system).
pub async fn of_system(state: &AppState, principal: &Principal, system_id: Uuid) -> AppResult<Standing> {
    let system = crate::systems::readable(state, principal, system_id).await?;
    principal.require(may_read(principal) || may_edit(principal, &system))?;
    let mut conn = state.pool.acquire().await?;
    standings(&mut conn, principal.tenant()?, crate::web::format::today(), None)
        .await?
        .into_iter()
        .find(|s| s.system_id == system_id)
        .ok_or(AppError::NotFound)
}

/// Makes or changes a system's plan; `expected` is the version it was made from (none: no check).
pub async fn save_plan(
    state: &AppState,
    principal: &Principal,
    system_id: Uuid,
    form: &PlanForm,
    expected: Option<Version>,
) -> AppResult<Plan> {
    let system = crate::systems::readable(state, principal, system_id).await?;
    principal.require(may_edit(principal, &system))?;
    let input = form.validate(crate::web::format::today()).map_err(AppError::Validation)?;
    let m = principal.tenant()?;
    let mut tx = state.pool.begin().await?;
    if let Some(plan) = store::plan(&mut *tx, m, system_id).await? {
        lost_updates::lock_current(&mut tx, Versioned::ContinuityPlan, m, plan.id, expected).await?;
    }
    let plan = store::save_plan(&mut tx, &Actor::from(principal), m, system_id, &input).await?;
    tx.commit().await?;
    Ok(plan)
}

pub async fn exercises(state: &AppState, principal: &Principal) -> AppResult<Vec<Exercise>> {
    principal.require(may_read(principal))?;
    store::exercises(&state.pool, principal.tenant()?, None, None).await
}

/// Records an exercise (the coordinator, or whoever keeps every system it covered); each
/// finding becomes a proposed action when asked.
pub async fn record_exercise(state: &AppState, principal: &Principal, form: &ExerciseForm) -> AppResult<Exercise> {
    let input = form.validate(crate::web::format::today()).map_err(AppError::Validation)?;
    let m = principal.tenant()?;
    if !principal.is_coordinator() {
        for id in &input.system_ids {
            let system = crate::systems::readable(state, principal, *id).await?;
            principal.require(may_edit(principal, &system))?;
        }
    }
    let actor = Actor::from(principal);
    let mut tx = state.pool.begin().await?;
    let exercise = store::record_exercise(&mut tx, &actor, m, &input).await?;
    if input.findings_to_actions {
        let links = ActionLinks {
            source: Source::Exercise,
            system_id: (exercise.system_ids.len() == 1).then(|| exercise.system_ids[0]),
            ..Default::default()
        };
        for finding in &input.findings {
            let action = crate::actions::model::ActionInput {
                title: finding.chars().take(200).collect(),
                description: format!(
                    "Iakttagelse från {} {} ({}): {finding}",
                    exercise.kind.label().to_lowercase(),
                    exercise.performed_on,
                    exercise.title
                ),
                owner_person_id: None,
                due_date: None,
                priority: None,
                effort: String::new(),
            };
            let proposed = crate::actions::model::Status::Foreslagen;
            crate::actions::store::create(&mut tx, &actor, m, &links, proposed, &action).await?;
        }
    }
    tx.commit().await?;
    Ok(exercise)
}

pub async fn targets(state: &AppState, principal: &Principal) -> AppResult<Targets> {
    principal.require(may_read(principal))?;
    store::targets(&state.pool, principal.tenant()?).await
}

pub async fn set_targets(state: &AppState, principal: &Principal, form: &TargetsForm) -> AppResult<Targets> {
    principal.require(may_set_targets(principal))?;
    let targets = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let saved = store::save_targets(&mut tx, &Actor::from(principal), principal.tenant()?, &targets).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Every system with a plan, in restore order: what the municipality-wide plan prints.
pub async fn planned(state: &AppState, principal: &Principal) -> AppResult<Vec<Standing>> {
    principal.require(may_read(principal))?;
    let mut conn = state.pool.acquire().await?;
    let mut all = standings(&mut conn, principal.tenant()?, crate::web::format::today(), None).await?;
    all.retain(|s| s.plan.is_some());
    Ok(all)
}

/// Whether the principal may open the exercise form (recording checks who records).
pub fn open_exercise_form(principal: &Principal) -> AppResult<()> {
    principal.require(may_read(principal))
}

/// The area's pages in the menu.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    MenuEntry::when(principal.in_municipality() && may_read(principal), Task::Systems, "/continuity", "Kontinuitet")
        .into_iter()
        .collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/continuity", get(pages::overview))
        .route("/continuity.csv", get(pages::overview_csv))
        .route("/continuity/plan", get(pages::plan))
        .route("/continuity/plan.csv", get(pages::plan_csv))
        .route("/continuity/exercises", get(pages::exercises).post(pages::record_exercise))
        .route("/continuity/exercises/new", get(pages::new_exercise))
        .route("/continuity/targets", get(pages::targets).post(pages::set_targets))
        .route("/continuity/systems/{id}", get(pages::edit).post(pages::save))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::overview))
        .routes(routes!(api::record, api::save))
        .routes(routes!(api::exercises, api::record_exercise))
        .routes(routes!(api::targets, api::set_targets))
}
