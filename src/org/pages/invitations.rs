//! The signed-in user's own invitations to other municipalities.

use crate::web::form::PageForm;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::super::service;
use super::super::store::{self};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::web::{Chrome, flash};

#[derive(Template, WebTemplate)]
#[template(path = "org/invitations.html")]
struct InvitationsPage {
    chrome: Chrome,
    invitations: Vec<store::Invitation>,
}

/// The roles others have offered the signed-in user, to accept or decline.
pub async fn my_invitations(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
) -> AppResult<Response> {
    let invitations = store::invitations_for(&state.pool, principal.user_id).await?;
    Ok(InvitationsPage { chrome, invitations }.into_response())
}

#[derive(serde::Deserialize)]
pub struct Answer {
    #[serde(default)]
    answer: String,
}

/// Accepting starts work in that municipality; declining removes the invitation.
pub async fn answer_invitation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<Answer>,
) -> AppResult<Response> {
    let accept = form.answer == "ja";
    let m = service::answer_invitation(&state, &principal, id, accept).await?;
    if !accept {
        return Ok(flash::see_other_with(&state, "/invitations", "Inbjudan är avböjd."));
    }
    crate::auth::store::set_last_municipality(&state.pool, principal.user_id, m).await?;
    let mut response = flash::see_other_with(&state, "/", "Du har tackat ja och arbetar nu i kommunen.");
    let cookie = crate::web::cookies::set(
        crate::auth::session::MUNICIPALITY_COOKIE,
        &m.to_string(),
        state.config.secure_cookies,
    );
    response.headers_mut().append(axum::http::header::SET_COOKIE, cookie);
    Ok(response)
}
