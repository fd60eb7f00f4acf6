//! JSON API for training campaigns, their participation and the trend.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use uuid::Uuid;

use super::model::{CampaignForm, GroupCountForm, YearRow};
use super::store::Campaign;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};

const TAG: &str = "Utbildning";

/// Campaigns with their counts per target group, newest first.
#[utoipa::path(get, path = "/training/campaigns", tag = TAG, responses((status = 200, body = Vec<Campaign>), (status = 403, body = Problem)))]
pub async fn campaigns(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Vec<Campaign>>> {
    Ok(Json(super::overview(&state, &principal).await?.0))
}

/// Adds a campaign (coordinator).
#[utoipa::path(post, path = "/training/campaigns", tag = TAG, request_body = CampaignForm,
    responses((status = 201, body = Campaign), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<CampaignForm>,
) -> AppResult<(StatusCode, Json<Campaign>)> {
    Ok((StatusCode::CREATED, Json(super::create(&state, &principal, &form).await?)))
}

/// One campaign with its counts per target group.
#[utoipa::path(get, path = "/training/campaigns/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Campaign), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn campaign(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Campaign>> {
    Ok(Json(super::readable(&state, &principal, id).await?))
}

/// Replaces a campaign's counts (coordinator); groups not sent are removed.
#[utoipa::path(put, path = "/training/campaigns/{id}/participation", tag = TAG, params(("id" = Uuid, Path)),
    request_body = Vec<GroupCountForm>,
    responses((status = 200, body = Campaign), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_participation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(counts): Json<Vec<GroupCountForm>>,
) -> AppResult<Json<Campaign>> {
    let typed: Vec<(String, String, String)> =
        counts.into_iter().map(|c| (c.target_group, c.in_group.to_string(), c.completed.to_string())).collect();
    Ok(Json(super::set_participation(&state, &principal, id, &typed).await?))
}

/// Participation per year and target group over all campaigns, newest year first.
#[utoipa::path(get, path = "/training/trend", tag = TAG, responses((status = 200, body = Vec<YearRow>), (status = 403, body = Problem)))]
pub async fn trend(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Vec<YearRow>>> {
    Ok(Json(super::overview(&state, &principal).await?.1))
}
