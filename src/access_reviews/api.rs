//! JSON API for access reviews.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use serde::Serialize;
use uuid::Uuid;

use super::model::ReviewForm;
use super::store::{self, Filter, Review, SystemStanding};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::web::pagination::{ApiPage, Paged};

const TAG: &str = "Behörighetsgranskning";

#[derive(Serialize, utoipa::ToSchema)]
pub struct StandingView {
    #[serde(flatten)]
    pub system: SystemStanding,
    /// saknas, forsenad or aktuell.
    pub standing: &'static str,
}

/// Each system's latest review and whether one is missing or overdue.
#[utoipa::path(get, path = "/access-reviews", tag = TAG, params(Filter, ApiPage),
    responses((status = 200, body = Vec<StandingView>, headers(("X-Total-Count" = i64), ("Link" = String))),
              (status = 403, body = Problem)))]
pub async fn standings(
    State(state): State<AppState>,
    principal: Principal,
    uri: OriginalUri,
    Query(filter): Query<Filter>,
    Query(paging): Query<ApiPage>,
) -> AppResult<Paged<StandingView>> {
    let today = crate::web::format::today();
    let (standings, pager) = super::page(&state, &principal, &filter, paging.asked()).await?;
    let items = standings.into_iter().map(|system| StandingView { standing: system.standing(today).code(), system });
    Ok(Paged { items: items.collect(), pager, uri: uri.0 })
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
