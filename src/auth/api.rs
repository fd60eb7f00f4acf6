//! JSON API for one's own API tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use uuid::Uuid;

use super::tokens::{self, Token, TokenForm};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};

const TAG: &str = "API-nycklar";

/// A token just made: `token` is shown this once and never again.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MadeToken {
    pub token: String,
    #[serde(flatten)]
    pub details: Token,
}

/// One's own tokens in every municipality, newest first (never the tokens themselves).
#[utoipa::path(get, path = "/tokens", tag = TAG, responses((status = 200, body = Vec<Token>)))]
pub async fn list(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Vec<Token>>> {
    Ok(Json(tokens::mine(&state, &principal).await?))
}

/// Makes a token for the municipality the calling token works in.
#[utoipa::path(post, path = "/tokens", tag = TAG, request_body = TokenForm,
    responses((status = 201, body = MadeToken), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<TokenForm>,
) -> AppResult<(StatusCode, Json<MadeToken>)> {
    let (details, token) = tokens::create(&state, &principal, &form).await?;
    Ok((StatusCode::CREATED, Json(MadeToken { token, details })))
}

/// Revokes a token: one's own, or (coordinator) any in the municipality.
#[utoipa::path(delete, path = "/tokens/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Token), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Token>> {
    Ok(Json(tokens::revoke(&state, &principal, id).await?))
}
