//! JSON API for continuity.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::Standing;
use super::model::{ExerciseForm, Missing, PlanForm, RtoSource, SetBy, Target, TargetsForm};
use super::store::{Exercise, Targets};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::systems::store::PersonRef;
use crate::web::version::{self, IfMatch, Version};

const TAG: &str = "Kontinuitet";

/// A system's continuity record with where it stands; the record's fields are null while the
/// system has no plan.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RecordView {
    pub system_id: Uuid,
    pub system_name: String,
    pub is_critical: bool,
    pub t_level: Option<i16>,
    pub has_plan: bool,
    pub mtpd_hours: Option<i32>,
    pub rpo_hours: Option<i32>,
    /// verksamheten or it.
    pub targets_set_by: Option<SetBy>,
    pub targets_decided_by: Option<String>,
    pub targets_decided_on: Option<NaiveDate>,
    pub rto_hours: Option<i32>,
    /// avtal, test or bedomning.
    pub rto_source: Option<RtoSource>,
    pub restore_priority: Option<i32>,
    pub reserve_routine: Option<String>,
    pub reserve_routine_owner: Option<PersonRef>,
    pub reserve_routine_location: Option<String>,
    pub backup_frequency: Option<String>,
    pub other_dependencies: Option<String>,
    pub plan_owner: Option<PersonRef>,
    pub review_on: Option<NaiveDate>,
    /// The municipality's target for the system's T level.
    pub target: Option<Target>,
    pub last_exercised_on: Option<NaiveDate>,
    pub exercise_due: Option<NaiveDate>,
    /// plan, reservrutin, mal, ovning.
    pub missing: Vec<Missing>,
    pub gap: bool,
    /// What the gap is, in words.
    pub gaps: Vec<String>,
}

impl From<Standing> for RecordView {
    fn from(s: Standing) -> RecordView {
        let plan = s.plan;
        let field = |f: fn(&super::store::Plan) -> String| plan.as_ref().map(f);
        RecordView {
            system_id: s.system_id,
            system_name: s.system_name,
            is_critical: s.is_critical,
            t_level: s.t_level,
            has_plan: plan.is_some(),
            mtpd_hours: plan.as_ref().and_then(|p| p.mtpd_hours),
            rpo_hours: plan.as_ref().and_then(|p| p.rpo_hours),
            targets_set_by: plan.as_ref().and_then(|p| p.targets_set_by),
            targets_decided_by: field(|p| p.targets_decided_by.clone()),
            targets_decided_on: plan.as_ref().and_then(|p| p.targets_decided_on),
            rto_hours: plan.as_ref().and_then(|p| p.rto_hours),
            rto_source: plan.as_ref().and_then(|p| p.rto_source),
            restore_priority: plan.as_ref().and_then(|p| p.restore_priority),
            reserve_routine: field(|p| p.reserve_routine.clone()),
            reserve_routine_owner: plan.as_ref().and_then(|p| p.reserve_routine_owner.clone()),
            reserve_routine_location: field(|p| p.reserve_routine_location.clone()),
            backup_frequency: field(|p| p.backup_frequency.clone()),
            other_dependencies: field(|p| p.other_dependencies.clone()),
            plan_owner: plan.as_ref().and_then(|p| p.plan_owner.clone()),
            review_on: plan.as_ref().and_then(|p| p.review_on),
            target: s.target,
            last_exercised_on: s.last_exercised_on,
            exercise_due: s.exercise_due,
            missing: s.missing,
            gap: s.gap,
            gaps: s.gaps,
        }
    }
}

fn with_version(standing: Standing) -> impl IntoResponse {
    let etag = standing.plan.as_ref().map(|p| [(header::ETAG, Version::of(p.updated_at).etag())]);
    (etag, Json(RecordView::from(standing)))
}

/// Each critical system with what its continuity lacks and whether it has a gap.
#[utoipa::path(get, path = "/continuity", tag = TAG,
    responses((status = 200, body = Vec<RecordView>), (status = 403, body = Problem)))]
pub async fn overview(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Vec<RecordView>>> {
    Ok(Json(super::critical(&state, &principal).await?.into_iter().map(RecordView::from).collect()))
}

/// A system's continuity record (ETag: its version, once it has a plan).
#[utoipa::path(get, path = "/systems/{id}/continuity", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = RecordView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn record(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<impl IntoResponse> {
    Ok(with_version(super::of_system(&state, &principal, id).await?))
}

/// Makes or changes a system's continuity record (coordinator, or the system's owner or
/// administrator); If-Match refuses a change made from an older version with 412.
#[utoipa::path(put, path = "/systems/{id}/continuity", tag = TAG, params(("id" = Uuid, Path)), request_body = PlanForm,
    responses((status = 200, body = RecordView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn save(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(form): Json<PlanForm>,
) -> AppResult<impl IntoResponse> {
    let (expected, sent_if_match) = if_match.or(&form.version);
    super::save_plan(&state, &principal, id, &form, expected)
        .await
        .map_err(|err| version::precondition(err, sent_if_match))?;
    Ok(with_version(super::of_system(&state, &principal, id).await?))
}

/// Exercises and restore tests, newest first.
#[utoipa::path(get, path = "/continuity/exercises", tag = TAG,
    responses((status = 200, body = Vec<Exercise>), (status = 403, body = Problem)))]
pub async fn exercises(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Vec<Exercise>>> {
    Ok(Json(super::exercises(&state, &principal).await?))
}

/// Records an exercise; with `findings_to_actions` each line of `findings` becomes a proposed
/// action (source "ovning").
#[utoipa::path(post, path = "/continuity/exercises", tag = TAG, request_body = ExerciseForm,
    responses((status = 201, body = Exercise), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn record_exercise(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<ExerciseForm>,
) -> AppResult<(StatusCode, Json<Exercise>)> {
    Ok((StatusCode::CREATED, Json(super::record_exercise(&state, &principal, &form).await?)))
}

/// The targets per T level (`changed_by` absent: Lisa's own defaults).
#[utoipa::path(get, path = "/continuity/targets", tag = TAG,
    responses((status = 200, body = Targets), (status = 403, body = Problem)))]
pub async fn targets(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Targets>> {
    Ok(Json(super::targets(&state, &principal).await?))
}

/// Sets the targets for every T level 0–4 (coordinator).
#[utoipa::path(put, path = "/continuity/targets", tag = TAG, request_body = TargetsForm,
    responses((status = 200, body = Targets), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_targets(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<TargetsForm>,
) -> AppResult<Json<Targets>> {
    Ok(Json(super::set_targets(&state, &principal, &form).await?))
}
