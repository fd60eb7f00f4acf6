//! Login, logout, password change, switching municipality, and one's API tokens.

use std::net::SocketAddr;

use crate::web::form::PageForm;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::model::{Credential, Principal, TOKEN_DEFAULT_DAYS, ThrottleVerdict, safe_next, throttle_verdict};
use super::tokens::{self, Token, TokenForm};
use super::{accounts, password, session, sso, store, two_factor};
use crate::AppState;
use crate::db::MunicipalityId;
use crate::db::tenant;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::{Chrome, Confirmation, confirm, cookies, flash, see_other, split_validation, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    error: Option<String>,
    /// The municipalities' own sign-ins, offered first.
    providers: Vec<sso::Offered>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login form. It sets the anonymous CSRF cookie that its post must echo.
pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> AppResult<Response> {
    let flash = flash::read(&headers);
    login_page_with_csrf(&state, &headers, StatusCode::OK, |csrf, providers| LoginPage {
        chrome: Chrome::anonymous(csrf).with_flash(flash),
        email: String::new(),
        next: safe_next(query.next.as_deref()).to_string(),
        error: None,
        providers,
    })
    .await
}

/// The login page with the anonymous CSRF cookie its form must echo (set if missing).
async fn login_page_with_csrf(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    page: impl FnOnce(&str, Vec<sso::Offered>) -> LoginPage,
) -> AppResult<Response> {
    let providers = sso::offered(&state.pool).await?;
    Ok(session::with_anonymous_csrf(state, headers, |csrf| (status, page(csrf, providers)).into_response()))
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
    PageForm(form): PageForm<LoginForm>,
) -> AppResult<Response> {
    let email = form.email.trim().to_lowercase();
    let keys = store::ThrottleKeys::new(&email, &client_address(&state, peer, &headers));
    let csrf = cookies::get(&headers, session::ANON_CSRF_COOKIE).unwrap_or_default();
    let providers = sso::offered(&state.pool).await?;
    let page = |error: &str| LoginPage {
        chrome: Chrome::anonymous(&csrf),
        email: form.email.trim().to_string(),
        next: safe_next(Some(&form.next)).to_string(),
        error: Some(error.to_string()),
        providers,
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
    store::clear_failures(&state.pool, &keys).await?;
    // The account's own grants, in every municipality, are its to see (row-level security).
    let own = tenant::Context { municipality: None, user: Some(account.id) };
    if let Some(idp) = tenant::within(own, sso::required_for(&state.pool, account.id)).await? {
        let message = format!("Din kommun kräver att du loggar in med {idp}. Använd knappen ovan.");
        return Ok((StatusCode::FORBIDDEN, page(&message)).into_response());
    }
    let next = safe_next(Some(&form.next));
    if account.has_two_factor {
        let challenge = two_factor::begin_challenge(&state, account.id, next).await?;
        let mut response = see_other("/login/code");
        let cookie = cookies::set(CHALLENGE_COOKIE, &challenge, state.config.secure_cookies);
        response.headers_mut().append(header::SET_COOKIE, cookie);
        return Ok(response);
    }
    signed_in(&state, account.id, next, SignedInWith::Password).await
}

/// How a sign-in was made: with a password (and maybe a code), or through a municipality's IdP,
/// whose session starts in that municipality.
enum SignedInWith {
    Password,
    Idp { municipality: Uuid, id_token: String },
}

/// The cookie that carries a login between its password and its code.
const CHALLENGE_COOKIE: &str = "lisa_challenge";

/// Starts the session of a completed sign-in: open invitations come first; then the page asked
/// for, in the municipality last worked in.
async fn signed_in(state: &AppState, user_id: Uuid, next: &str, with: SignedInWith) -> AppResult<Response> {
    let (method, idp) = match &with {
        SignedInWith::Password => ("losenord", None),
        SignedInWith::Idp { municipality, id_token } => ("sso", Some((*municipality, id_token.as_str()))),
    };
    let idp_municipality = idp.map(|(m, _)| m);
    let last_municipality = store::record_sign_in(&state.pool, user_id, method)
        .await?
        .filter(|_| idp_municipality.is_none())
        .or(idp_municipality);
    let token = session::create(&state.pool, user_id, idp).await?;
    let own = tenant::Context { municipality: None, user: Some(user_id) };
    let open_invitations = tenant::within(own, store::open_invitations(&state.pool, user_id)).await?;
    let next = if open_invitations > 0 { "/invitations" } else { next };
    let mut response = see_other(next);
    let secure = state.config.secure_cookies;
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, cookies::set(session::SESSION_COOKIE, &token, secure));
    headers.append(header::SET_COOKIE, cookies::clear(session::ANON_CSRF_COOKIE, secure));
    headers.append(header::SET_COOKIE, cookies::clear(CHALLENGE_COOKIE, secure));
    headers.append(header::SET_COOKIE, cookies::clear(SSO_STATE_COOKIE, secure));
    match last_municipality {
        Some(m) => {
            headers.append(header::SET_COOKIE, cookies::set(session::MUNICIPALITY_COOKIE, &m.to_string(), secure))
        }
        None => headers.append(header::SET_COOKIE, cookies::clear(session::MUNICIPALITY_COOKIE, secure)),
    };
    Ok(response)
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/code.html")]
struct CodePage {
    chrome: Chrome,
    error: Option<String>,
}

/// The login's second step: a code from the app or a recovery code.
pub async fn code_form(headers: HeaderMap) -> Response {
    let csrf = cookies::get(&headers, session::ANON_CSRF_COOKIE).unwrap_or_default();
    match cookies::get(&headers, CHALLENGE_COOKIE) {
        Some(_) => CodePage { chrome: Chrome::anonymous(&csrf), error: None }.into_response(),
        None => see_other("/login"),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn answer_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<CodeForm>,
) -> AppResult<Response> {
    let csrf = cookies::get(&headers, session::ANON_CSRF_COOKIE).unwrap_or_default();
    let challenge = cookies::get(&headers, CHALLENGE_COOKIE).unwrap_or_default();
    match two_factor::answer(&state, &challenge, &form.code).await? {
        two_factor::Answer::SignedIn { user_id, next } => {
            signed_in(&state, user_id, &next, SignedInWith::Password).await
        }
        two_factor::Answer::Wrong => {
            let page = CodePage {
                chrome: Chrome::anonymous(&csrf),
                error: Some("Koden stämmer inte. Försök igen.".into()),
            };
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
        two_factor::Answer::Wait(until) => {
            let page = CodePage { chrome: Chrome::anonymous(&csrf), error: Some(two_factor::waiting(until)) };
            Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response())
        }
        two_factor::Answer::Expired => Ok(flash::see_other_with(
            &state,
            "/login",
            "Inloggningen tog för lång tid eller fick för många felaktiga koder. Logga in igen.",
        )),
    }
}

pub async fn logout(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    let mut at_idp = None;
    if let Credential::Session { token_hash, .. } = &principal.credential {
        at_idp = sso::end_session_url(&state, token_hash).await;
        session::delete(&state, token_hash).await?;
    }
    // A session begun at the municipality's IdP ends there too, which then sends the person back.
    let mut response = see_other(at_idp.as_deref().unwrap_or("/login"));
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
    /// Someone else chose the password: say why this page comes first.
    first: bool,
}

pub async fn password_form(principal: Principal, chrome: Chrome) -> Response {
    PasswordPage { chrome, errors: FieldErrors::new(), first: principal.must_change_password }.into_response()
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
    PageForm(form): PageForm<PasswordForm>,
) -> AppResult<Response> {
    let changed = accounts::change_own_password(&state, &principal, &form.current, &form.new, &form.repeat).await;
    let revoked = match split_validation(changed)? {
        Ok(revoked) => revoked,
        Err(errors) => {
            let first = principal.must_change_password;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, PasswordPage { chrome, errors, first }).into_response());
        }
    };
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
    PageForm(form): PageForm<SwitchForm>,
) -> AppResult<Response> {
    let allowed = principal.municipalities.iter().find(|m| m.id == form.municipality_id);
    let m = allowed.map(|m| MunicipalityId::chosen(m.id)).ok_or(AppError::Forbidden)?;
    store::set_last_municipality(&state.pool, principal.user_id, m).await?;
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
    PageForm(form): PageForm<TokenForm>,
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

fn reset_page(csrf: &str, secret: String, valid: bool, errors: FieldErrors) -> ResetPage {
    ResetPage { chrome: Chrome::anonymous(csrf), secret, valid, errors }
}

/// The form behind a link to a new password (no login: the link is the proof).
pub async fn reset_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> AppResult<Response> {
    let valid = accounts::reset_is_valid(&state, &secret).await?;
    let status = if valid { StatusCode::OK } else { StatusCode::NOT_FOUND };
    Ok(session::with_anonymous_csrf(&state, &headers, |csrf| {
        (status, reset_page(csrf, secret, valid, FieldErrors::new())).into_response()
    }))
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
    PageForm(form): PageForm<ResetForm>,
) -> AppResult<Response> {
    match accounts::use_reset(&state, &secret, &form.new, &form.repeat).await {
        Ok(()) => Ok(flash::see_other_with(&state, "/login", "Ditt nya lösenord är sparat. Logga in med det.")),
        Err(AppError::Validation(errors)) => Ok(session::with_anonymous_csrf(&state, &headers, |csrf| {
            unprocessable(reset_page(csrf, secret, true, errors))
        })),
        Err(AppError::NotFound) => Ok(session::with_anonymous_csrf(&state, &headers, |csrf| {
            (StatusCode::NOT_FOUND, reset_page(csrf, secret, false, FieldErrors::new())).into_response()
        })),
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------- two-factor sign-in

#[derive(Template, WebTemplate)]
#[template(path = "auth/two_factor.html")]
struct TwoFactorPage {
    chrome: Chrome,
    status: two_factor::Status,
    /// The secret offered to enrol, while two-factor is off.
    offer: Option<two_factor::Offer>,
    /// Recovery codes just made: shown this once.
    recovery_codes: Vec<String>,
    errors: FieldErrors,
}

async fn two_factor_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    recovery_codes: Vec<String>,
    errors: FieldErrors,
) -> AppResult<TwoFactorPage> {
    let status = two_factor::status(state, principal).await?;
    let offer = match status.enabled_at {
        Some(_) => None,
        None => Some(two_factor::offer(state, principal).await?),
    };
    Ok(TwoFactorPage { chrome, status, offer, recovery_codes, errors })
}

pub async fn two_factor_settings(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
) -> AppResult<Response> {
    Ok(two_factor_page(&state, &principal, chrome, Vec::new(), FieldErrors::new()).await?.into_response())
}

/// Shows the recovery codes a change made, or the form again with what was wrong.
async fn after_two_factor_change(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    result: AppResult<Vec<String>>,
) -> AppResult<Response> {
    match result {
        Ok(codes) => {
            // The page is drawn for the principal as they are now, with two-factor on.
            let principal = Principal { two_factor_enabled: true, ..principal.clone() };
            Ok(two_factor_page(state, &principal, chrome, codes, FieldErrors::new()).await?.into_response())
        }
        Err(AppError::Validation(errors)) => {
            Ok(unprocessable(two_factor_page(state, principal, chrome, Vec::new(), errors).await?))
        }
        Err(other) => Err(other),
    }
}

pub async fn enable_two_factor(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<CodeForm>,
) -> AppResult<Response> {
    let result = two_factor::confirm(&state, &principal, &form.code).await;
    after_two_factor_change(&state, &principal, chrome, result).await
}

pub async fn renew_recovery_codes(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<CodeForm>,
) -> AppResult<Response> {
    let result = two_factor::renew_recovery_codes(&state, &principal, &form.code).await;
    after_two_factor_change(&state, &principal, chrome, result).await
}

pub async fn disable_two_factor(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<CodeForm>,
) -> AppResult<Response> {
    match two_factor::turn_off(&state, &principal, &form.code).await {
        Ok(()) => Ok(flash::see_other_with(&state, "/account/two-factor", "Tvåstegsverifiering är avstängd.")),
        Err(AppError::Validation(errors)) => {
            Ok(unprocessable(two_factor_page(&state, &principal, chrome, Vec::new(), errors).await?))
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------- sign-in through the municipality's IdP

/// The login page again with why a sign-in through the IdP was refused.
pub async fn refused_sso(state: &AppState, headers: &HeaderMap, refused: sso::Refused) -> AppResult<Response> {
    login_page_with_csrf(state, headers, StatusCode::UNAUTHORIZED, |csrf, providers| LoginPage {
        chrome: Chrome::anonymous(csrf),
        email: String::new(),
        next: "/".into(),
        error: Some(refused.0),
        providers,
    })
    .await
}

/// Sends the person to their municipality's IdP.
pub async fn start_sso(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(municipality): Path<Uuid>,
    Query(query): Query<NextQuery>,
) -> AppResult<Response> {
    // Before sign-in the person names their municipality; only its IdP settings are read.
    match sso::start(&state, MunicipalityId::chosen(municipality), safe_next(query.next.as_deref())).await {
        Ok(started) => {
            let mut response = see_other(&started.url);
            let cookie = cookies::set(SSO_STATE_COOKIE, &started.state, state.config.secure_cookies);
            response.headers_mut().append(header::SET_COOKIE, cookie);
            Ok(response)
        }
        Err(refused) => refused_sso(&state, &headers, refused).await,
    }
}

/// The browser's copy of the state of its sign-in through an IdP.
const SSO_STATE_COOKIE: &str = "lisa_sso_state";

#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    error: Option<String>,
    error_description: Option<String>,
}

/// What the IdP vouched for, when its answer came back to the browser that started the sign-in;
/// else the login page with why not.
pub async fn vouched(
    state: &AppState,
    headers: &HeaderMap,
    query: CallbackQuery,
) -> AppResult<Result<sso::Vouched, Response>> {
    if let Some(error) = query.error {
        let why = query.error_description.unwrap_or(error);
        let refused = sso::Refused(format!("Kommunens inloggning avbröts: {why}"));
        return Ok(Err(refused_sso(state, headers, refused).await?));
    }
    let kept = cookies::get(headers, SSO_STATE_COOKIE).unwrap_or_default();
    if kept.is_empty() || !session::same_secret(&kept, &query.state) {
        let refused = sso::Refused("Inloggningen kunde inte kontrolleras: svaret hör inte till en inloggning som började i den här webbläsaren. Börja om.".into());
        return Ok(Err(refused_sso(state, headers, refused).await?));
    }
    match sso::finish(state, &query.state, &query.code).await {
        Ok(vouched) => Ok(Ok(vouched)),
        Err(refused) => Ok(Err(refused_sso(state, headers, refused).await?)),
    }
}

/// Starts the session of a sign-in through the municipality's IdP, in that municipality.
pub async fn signed_in_at_idp(state: &AppState, user_id: Uuid, vouched: sso::Vouched) -> AppResult<Response> {
    let with = SignedInWith::Idp { municipality: vouched.municipality.uuid(), id_token: vouched.id_token };
    signed_in(state, user_id, &vouched.next, with).await
}
