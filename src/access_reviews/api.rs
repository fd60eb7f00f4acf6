//! JSON API for access reviews.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use uuid::Uuid;

use super::model::ReviewForm;
use super::store::{self, Review, SystemStanding};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};

const TAG: &str = "Behörighetsgranskning";

#[derive(Serialize, utoipa::ToSchema)]
pub struct StandingView {
    #[serde(flatten)]
    pub system: SystemStanding,
    /// saknas, forsenad or aktuell.
    pub standing: &'static str,
}

/// Each system's latest review and whether one is missing or overdue.
#[utoipa::path(get, path = "/access-reviews", tag = TAG, responses((status = 200, body = Vec<StandingView>), (status = 403, body = Problem)))]
pub async fn standings(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Vec<StandingView>>> {
    principal.require(crate::systems::may_read(&principal))?;
    let today = crate::web::format::today();
    let all = store::standings(&state.pool, principal.tenant()?).await?;
    Ok(Json(all.into_iter().map(|system| StandingView { standing: system.standing(today).code(), system }).collect()))
}

/// Records an access review (coordinator, or the system's owner or administrator).
#[utoipa::path(post, path = "/access-reviews", tag = TAG, request_body = ReviewForm,
    responses((status = 201, body = Review), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<ReviewForm>,
) -> AppResult<(StatusCode, Json<Review>)> {
    Ok((StatusCode::CREATED, Json(super::record(&state, &principal, &form).await?)))
}

/// A system's access reviews, newest first.
#[utoipa::path(get, path = "/systems/{id}/access-reviews", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Review>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn for_system(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<Review>>> {
    crate::systems::readable(&state, &principal, id).await?;
    Ok(Json(store::for_system(&state.pool, principal.tenant()?, id).await?))
}
