//! Login, logout, password change, switching municipality, and one's API tokens.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::model::{
    Credential, Principal, TOKEN_DEFAULT_DAYS, ThrottleVerdict, check_new_password, safe_next, throttle_verdict,
};
use super::tokens::{self, Token, TokenForm};
use super::{accounts, password, session, store};
use crate::AppState;
use crate::db::tenant;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::{Chrome, Confirmation, confirm, cookies, flash, see_other, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login form. It sets the anonymous CSRF cookie that its post must echo.
pub async fn login_form(State(state): State<AppState>, headers: HeaderMap, Query(query): Query<NextQuery>) -> Response {
    let csrf = cookies::get(&headers, session::ANON_CSRF_COOKIE).unwrap_or_else(session::random_token);
    let page = LoginPage {
        chrome: Chrome::anonymous(&csrf),
        email: String::new(),
        next: safe_next(query.next.as_deref()).to_string(),
        error: None,
    };
    let mut response = page.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookies::set(session::ANON_CSRF_COOKIE, &csrf, state.config.secure_cookies));
    response
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The client's address: the peer, or the last `X-Forwarded-For` hop behind a trusted proxy.
fn client_address(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> String {
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().to_string());
    match forwarded {
        Some(address) if state.config.trust_forwarded_for && !address.is_empty() => address,
        _ => peer.ip().to_string(),
    }
}

/// From this many failures against one account (from anywhere), the log warns and the
/// coordinator's user list shows them.
pub const ACCOUNT_FAILURES_WORTH_A_WARNING: i64 = 5;

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let email = form.email.trim().to_lowercase();
    let keys = store::ThrottleKeys::new(&email, &client_address(&state, peer, &headers));
    let csrf = cookies::get(&headers, session::ANON_CSRF_COOKIE).unwrap_or_default();
    let page = |error: &'static str| LoginPage {
        chrome: Chrome::anonymous(&csrf),
        email: form.email.trim().to_string(),
        next: safe_next(Some(&form.next)).to_string(),
        error: Some(error),
    };

    let failures = store::recent_failures(&state.pool, &keys, &email).await?;
    if failures.account == ACCOUNT_FAILURES_WORTH_A_WARNING {
        tracing::warn!(account = %keys.account, "repeated failed logins against one account");
    }
    match throttle_verdict(failures) {
        ThrottleVerdict::Refuse => {
            let page = page("För många misslyckade inloggningar. Vänta en kvart och försök igen.");
            return Ok((StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "900")], page).into_response());
        }
        ThrottleVerdict::Delay(delay) => tokio::time::sleep(delay).await,
        ThrottleVerdict::Allow => {}
    }

    let account = store::find_credentials(&state.pool, &email).await?;
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let verified = password::verify(form.password.clone(), stored).await;
    let Some(account) = account.filter(|_| verified) else {
        store::record_failure(&state.pool, &keys).await?;
        tracing::info!(address = %keys.address, "failed login");
        return Ok((StatusCode::UNAUTHORIZED, page("Fel e-postadress eller lösenord.")).into_response());
    };
    store::record_login(&state.pool, &keys, account.id).await?;
    let token = session::create(&state.pool, account.id).await?;
    // Open invitations come first; then the page asked for, in the municipality last worked in.
    let own = tenant::Context { municipality: None, user: Some(account.id) };
    let open_invitations = tenant::within(own, store::open_invitations(&state.pool, account.id)).await?;
    let next = if open_invitations > 0 { "/invitations" } else { safe_next(Some(&form.next)) };
    let mut response = see_other(next);
    let secure = state.config.secure_cookies;
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, cookies::set(session::SESSION_COOKIE, &token, secure));
    headers.append(header::SET_COOKIE, cookies::clear(session::ANON_CSRF_COOKIE, secure));
    match account.last_municipality_id {
        Some(m) => {
            headers.append(header::SET_COOKIE, cookies::set(session::MUNICIPALITY_COOKIE, &m.to_string(), secure))
        }
        None => headers.append(header::SET_COOKIE, cookies::clear(session::MUNICIPALITY_COOKIE, secure)),
    };
    Ok(response)
}

pub async fn logout(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    if let Credential::Session { token_hash, .. } = &principal.credential {
        session::delete(&state, token_hash).await?;
    }
    let mut response = see_other("/login");
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookies::clear(session::SESSION_COOKIE, state.config.secure_cookies));
    Ok(response)
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    chrome: Chrome,
    errors: FieldErrors,
}

pub async fn password_form(chrome: Chrome) -> Response {
    PasswordPage { chrome, errors: FieldErrors::new() }.into_response()
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let Credential::Session { token_hash, .. } = &principal.credential else { return Err(AppError::Forbidden) };
    let mut errors = FieldErrors::new();
    let stored = store::password_hash(&state.pool, principal.user_id).await?;
    if !password::verify(form.current, Some(stored)).await {
        errors.insert("current".into(), "Det nuvarande lösenordet stämmer inte.".into());
    }
    if let Err(message) = check_new_password(&form.new, &form.repeat) {
        errors.insert("new".into(), message.into());
    }
    if !errors.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, PasswordPage { chrome, errors }).into_response());
    }
    let hash = password::hash(form.new, state.config.password_cost).await?;
    store::set_password_hash(&state.pool, principal.user_id, &hash).await?;
    session::delete_others(&state, principal.user_id, token_hash).await?;
    let mut tx = state.pool.begin().await?;
    let revoked = tokens::revoke_all_of(
        &mut tx,
        &crate::audit_log::Actor::from(&principal),
        principal.user_id,
        "Lösenordet byttes",
    )
    .await?;
    tx.commit().await?;
    let message = match revoked {
        0 => "Ditt lösenord är bytt. Dina andra inloggningar har loggats ut.".to_string(),
        n => format!("Ditt lösenord är bytt. Dina andra inloggningar har loggats ut och {n} API-nycklar återkallats."),
    };
    Ok(flash::see_other_with(&state, "/", &message))
}

#[derive(Deserialize)]
pub struct SwitchForm {
    municipality_id: Uuid,
}

/// Switching municipality is a cookie, checked against the user's grants on every request.
pub async fn switch_municipality(
    State(state): State<AppState>,
    principal: Principal,
    Form(form): Form<SwitchForm>,
) -> AppResult<Response> {
    principal.require(principal.municipalities.iter().any(|m| m.id == form.municipality_id))?;
    store::set_last_municipality(&state.pool, principal.user_id, form.municipality_id).await?;
    // The page the switch was made on belongs to the old municipality: start afresh on the start page.
    let mut response = see_other("/");
    let cookie =
        cookies::set(session::MUNICIPALITY_COOKIE, &form.municipality_id.to_string(), state.config.secure_cookies);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

// ---------------------------------------------------------------- API tokens

#[derive(Template, WebTemplate)]
#[template(path = "auth/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    tokens: Vec<Token>,
    /// A token just made: shown this once.
    made: Option<String>,
    form: TokenForm,
    errors: FieldErrors,
}

async fn tokens_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    made: Option<String>,
    form: TokenForm,
    errors: FieldErrors,
) -> AppResult<TokensPage> {
    Ok(TokensPage { tokens: tokens::mine(state, principal).await?, chrome, made, form, errors })
}

/// Mina API-nycklar: one's tokens in every municipality, and a form for a new one.
pub async fn my_tokens(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let form = TokenForm { expires_in_days: TOKEN_DEFAULT_DAYS.to_string(), ..TokenForm::default() };
    Ok(tokens_page(&state, &principal, chrome, None, form, FieldErrors::new()).await?.into_response())
}

/// Makes a token and shows it once, on the page itself: a redirect would have to carry it.
pub async fn create_token(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Form(form): Form<TokenForm>,
) -> AppResult<Response> {
    match tokens::create(&state, &principal, &form).await {
        Ok((_, secret)) => {
            let fresh = TokenForm { expires_in_days: TOKEN_DEFAULT_DAYS.to_string(), ..TokenForm::default() };
            Ok(tokens_page(&state, &principal, chrome, Some(secret), fresh, FieldErrors::new()).await?.into_response())
        }
        Err(AppError::Validation(errors)) => {
            Ok(unprocessable(tokens_page(&state, &principal, chrome, None, form, errors).await?))
        }
        Err(other) => Err(other),
    }
}

/// Where revoking a token leads back to: one's own list, or the account's page for a coordinator.
fn after_revoking(principal: &Principal, token: &Token) -> String {
    if token.user_id == principal.user_id { "/account/tokens".into() } else { format!("/org/users/{}", token.user_id) }
}

pub async fn confirm_revoke_token(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let token = tokens::revocable(&state, &principal, id).await?;
    let question = format!("Återkalla API-nyckeln ”{}” ({})?", token.name, token.user_name);
    let asked = Confirmation {
        question: &question,
        consequence: "Program som använder nyckeln kommer inte längre åt Lisa. Det går inte att ångra; skapa en ny nyckel om den behövs igen.",
        button: "Ja, återkalla",
    };
    Ok(confirm(chrome, asked, &format!("/account/tokens/{id}/revoke"), &after_revoking(&principal, &token)))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let token = tokens::revoke(&state, &principal, id).await?;
    let message = format!("API-nyckeln ”{}” är återkallad.", token.name);
    Ok(flash::see_other_with(&state, &after_revoking(&principal, &token), &message))
}

// ---------------------------------------------------------------- a link to a new password

#[derive(Template, WebTemplate)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    chrome: Chrome,
    secret: String,
    valid: bool,
    errors: FieldErrors,
}

fn reset_page(headers: &HeaderMap, secret: String, valid: bool, errors: FieldErrors) -> (Option<String>, ResetPage) {
    let existing = cookies::get(headers, session::ANON_CSRF_COOKIE);
    let csrf = existing.clone().unwrap_or_else(session::random_token);
    let fresh = existing.is_none().then(|| csrf.clone());
    (fresh, ResetPage { chrome: Chrome::anonymous(&csrf), secret, valid, errors })
}

/// The form behind a link to a new password (no login: the link is the proof).
pub async fn reset_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> AppResult<Response> {
    let valid = accounts::reset_is_valid(&state, &secret).await?;
    let (fresh, page) = reset_page(&headers, secret, valid, FieldErrors::new());
    let status = if valid { StatusCode::OK } else { StatusCode::NOT_FOUND };
    let mut response = (status, page).into_response();
    if let Some(csrf) = fresh {
        let cookie = cookies::set(session::ANON_CSRF_COOKIE, &csrf, state.config.secure_cookies);
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    match accounts::use_reset(&state, &secret, &form.new, &form.repeat).await {
        Ok(()) => Ok(flash::see_other_with(&state, "/login", "Ditt nya lösenord är sparat. Logga in med det.")),
        Err(AppError::Validation(errors)) => {
            let (_, page) = reset_page(&headers, secret, true, errors);
            Ok(unprocessable(page))
        }
        Err(AppError::NotFound) => {
            let (_, page) = reset_page(&headers, secret, false, FieldErrors::new());
            Ok((StatusCode::NOT_FOUND, page).into_response())
        }
        Err(other) => Err(other),
    }
}
