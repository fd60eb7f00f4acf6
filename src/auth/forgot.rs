//! "Glömt lösenord?": a person asks for a one-time link to a new password, mailed to the
//! account's own address. The answer is the same whether the address belongs to an account,
//! and the mail goes from a task of its own so the time taken does not tell either. At most
//! `LINKS_PER_HOUR` asked-for links per account, so no one floods another's mailbox. Without
//! mail, the page says to ask the coordinator.

use crate::web::form::PageForm;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::accounts::RESET_LINK_HOURS;
use super::session;
use crate::AppState;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::error::AppResult;
use crate::web::Chrome;

/// Links a person may ask for in an hour.
pub const LINKS_PER_HOUR: i64 = 3;

#[derive(Template, WebTemplate)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    /// Whether Lisa can send mail; without it the page says whom to ask.
    can_mail: bool,
    /// After the form: the answer, the same for every address.
    asked: bool,
}

fn page(state: &AppState, headers: &HeaderMap, asked: bool) -> Response {
    let can_mail = state.config.smtp_url.is_some();
    session::with_anonymous_csrf(state, headers, |csrf| {
        ForgotPage { chrome: Chrome::anonymous(csrf), can_mail, asked }.into_response()
    })
}

pub async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    page(&state, &headers, false)
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn ask(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<ForgotForm>,
) -> AppResult<Response> {
    let email = form.email.trim().to_string();
    if state.config.smtp_url.is_some() && email.contains('@') && email.len() <= 254 {
        let state = state.clone();
        // Looked up, stored and mailed apart from the answer: its timing says nothing.
        tokio::spawn(async move {
            if let Err(err) = mail_link(&state, &email).await {
                tracing::warn!(error = %err, "a password link asked for could not be made or sent");
            }
        });
    }
    Ok(page(&state, &headers, true))
}

/// Makes and mails a link to the enabled account with this address, unless it has had
/// `LINKS_PER_HOUR` asked-for links in the last hour.
async fn mail_link(state: &AppState, email: &str) -> anyhow::Result<()> {
    let Some(smtp_url) = &state.config.smtp_url else { return Ok(()) };
    let mut tx = state.pool.begin().await?;
    let Some(account) = sqlx::query!(
        "SELECT id, email, display_name FROM users WHERE lower(email) = lower($1) AND NOT disabled FOR UPDATE",
        email
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(());
    };
    // A link asked for (no maker) expires RESET_LINK_HOURS after it was made.
    let recent = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM password_resets
            WHERE user_id = $1 AND made_by IS NULL AND expires_at > now() + make_interval(hours => $2::int - 1)"#,
        account.id,
        RESET_LINK_HOURS as i32
    )
    .fetch_one(&mut *tx)
    .await?;
    if recent >= LINKS_PER_HOUR {
        return Ok(());
    }
    let secret = session::random_token();
    let expires_at = Utc::now() + chrono::Duration::hours(RESET_LINK_HOURS);
    sqlx::query!(
        "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        session::token_hash(&secret),
        account.id,
        expires_at
    )
    .execute(&mut *tx)
    .await?;
    let after = json!({"Länk för nytt lösenord": format!("begärd av personen, giltig till {}", crate::web::format::datetime(expires_at))});
    audit_log::record(
        &mut tx,
        &Actor::system("Glömt lösenord"),
        Change::updated(None, EntityType::User, account.id, json!({}), after),
    )
    .await?;
    tx.commit().await?;
    let link = format!("{}/password-reset/{secret}", state.config.public_url.trim_end_matches('/'));
    let text = format!(
        "Hej {}!\n\nNågon, troligen du, bad om ett nytt lösenord i Lisa. Välj ett nytt här:\n\n{link}\n\n\
         Länken fungerar en gång, i {RESET_LINK_HOURS} timmar. Bad du inte om det kan du bortse från mejlet: \
         ditt lösenord är oförändrat.\n",
        account.display_name
    );
    let mailer = crate::mail::Mailer::new(smtp_url, &state.config.mail_from)?;
    mailer.send(&account.email, &account.display_name, "Nytt lösenord i Lisa", text).await?;
    Ok(())
}
