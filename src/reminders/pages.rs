//! The user's own reminders and the email preference.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use super::store::{self, Reminder};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::web::form::{PageForm, checkbox};
use crate::web::pagination::{ListQuery, Pager};
use crate::web::{Chrome, flash};

#[derive(Template, WebTemplate)]
#[template(path = "reminders/list.html")]
struct ListPage {
    chrome: Chrome,
    reminders: Vec<Reminder>,
    pager: Pager,
    email_enabled: bool,
    email_configured: bool,
    today: chrono::NaiveDate,
    query_without_page: String,
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let (reminders, pager) = super::mine(&state, &principal, query.page()).await?;
    Ok(ListPage {
        chrome,
        reminders,
        pager,
        email_enabled: store::email_enabled(&state.pool, principal.user_id).await?,
        email_configured: state.config.smtp_url.is_some(),
        today: crate::web::format::today(),
        query_without_page: String::new(),
    }
    .into_response())
}

#[derive(serde::Deserialize)]
pub struct EmailPreference {
    #[serde(default, deserialize_with = "checkbox")]
    email: bool,
}

pub async fn settings(
    State(state): State<AppState>,
    principal: Principal,
    PageForm(form): PageForm<EmailPreference>,
) -> AppResult<Response> {
    let enabled = form.email;
    super::set_email(&state, &principal, enabled).await?;
    let message =
        if enabled { "Du får påminnelser via e-post." } else { "Du får inte längre påminnelser via e-post." };
    Ok(flash::see_other_with(&state, "/reminders", message))
}
