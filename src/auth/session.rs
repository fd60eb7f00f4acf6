//! Server-side sessions and API tokens, stored in PostgreSQL, and the middleware that
//! turns a request's cookie or bearer token into a [`Principal`] and refuses a
//! state-changing request without a valid CSRF token.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use sqlx::types::Json;
use uuid::Uuid;

use super::model::{Credential, Grant, MunicipalityRef, Principal, session_is_live};
use crate::AppState;
use crate::db::tenant;
use crate::error::{AppError, AppResult};
use crate::web::cookies;

pub const SESSION_COOKIE: &str = "lisa_session";
/// CSRF token for forms shown before login (the login form itself).
pub const ANON_CSRF_COOKIE: &str = "lisa_csrf";
/// The municipality a session works in, as chosen in the header.
pub const MUNICIPALITY_COOKIE: &str = "lisa_municipality";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest form body the CSRF check reads; uploads send the token in the query or header.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// 32 random bytes, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Two secrets compared in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    constant_time_eq(a.as_bytes(), b.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Creates a session and returns its token (the cookie value; only its hash is stored).
/// Starts a session; one begun through a municipality's IdP keeps which and the ID token, so
/// that logging out can end the sign-in there too.
pub async fn create(pool: &PgPool, user_id: Uuid, idp: Option<(Uuid, &str)>) -> AppResult<String> {
    let token = random_token();
    sqlx::query!(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, idp_municipality_id, id_token) VALUES ($1, $2, $3, $4, $5)",
        token_hash(&token),
        user_id,
        random_token(),
        idp.map(|(m, _)| m),
        idp.map(|(_, id_token)| id_token),
    )
    .execute(pool)
    .await?;
    Ok(token)
}

pub async fn delete(state: &AppState, hash: &[u8]) -> AppResult<()> {
    sqlx::query!("DELETE FROM sessions WHERE token_hash = $1", hash).execute(&state.pool).await?;
    state.changes.bump_identities();
    state.identities.remove(&hash.to_vec());
    Ok(())
}

/// Deletes expired sessions and old login failures; run periodically.
pub async fn purge_expired(pool: &PgPool, idle: std::time::Duration, absolute: std::time::Duration) -> AppResult<()> {
    let idle = chrono::Duration::from_std(idle).map_err(anyhow::Error::from)?;
    let absolute = chrono::Duration::from_std(absolute).map_err(anyhow::Error::from)?;
    let now = Utc::now();
    sqlx::query!("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2", now - idle, now - absolute)
        .execute(pool)
        .await?;
    sqlx::query!("DELETE FROM login_failures WHERE failed_at < now() - interval '1 day'").execute(pool).await?;
    // Sign-ins begun at an IdP and never finished, links and challenges past their time.
    sqlx::query!("DELETE FROM sso_logins WHERE created_at < now() - interval '1 hour'").execute(pool).await?;
    sqlx::query!("DELETE FROM password_resets WHERE expires_at < now() - interval '30 days'").execute(pool).await?;
    sqlx::query!("DELETE FROM login_challenges WHERE created_at < now() - interval '1 hour'").execute(pool).await?;
    Ok(())
}

enum Presented {
    Session(String),
    ApiToken(String),
}

fn presented_credential(headers: &HeaderMap) -> Option<Presented> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value.to_str().ok()?.strip_prefix("Bearer ")?.trim();
        return Some(Presented::ApiToken(token.to_string()));
    }
    cookies::get(headers, SESSION_COOKIE).map(Presented::Session)
}

/// Who a session or API token belongs to, with all their municipalities and grants.
#[derive(Clone, Debug)]
pub struct Identity {
    user_id: Uuid,
    email: String,
    display_name: String,
    is_admin: bool,
    disabled: bool,
    /// The session's CSRF token; None for API tokens.
    csrf_token: Option<String>,
    /// The municipality an API token works in.
    token_municipality: Option<Uuid>,
    /// An API token that only reads.
    read_only: bool,
    /// A session begun at a municipality's IdP.
    via_idp: bool,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    municipalities: Json<Vec<MunicipalityRef>>,
    grants: Json<Vec<(Uuid, Grant)>>,
    two_factor_enabled: bool,
    two_factor_required: bool,
    must_change_password: bool,
    /// The municipalities where the person is a named incident receiver.
    receives_incidents: Vec<Uuid>,
}

/// Who is behind a session or token: the account, its municipalities and grants, in one call
/// (`identity_behind`, migration 0026). Kept for a few seconds only while this instance hears
/// every change that decides who someone is (`caches::follow_changes` drops the
/// account's entries when PostgreSQL announces a change to it, from any instance or the CLI;
/// a change through this instance drops them all at once: `forget_identities`), so that a
/// revoked token, a disabled account or a removed role stops working at once. An expired
/// session is deleted; a live one is marked as used (at most once a minute; a token never used
/// before reads as used at the epoch, so its first use is marked at once).
async fn identity(state: &AppState, hash: &[u8], is_session: bool) -> AppResult<Option<Identity>> {
    let config = &state.config;
    let now = Utc::now();
    let live = |i: &Identity| {
        !is_session || session_is_live(i.created_at, i.last_seen_at, now, config.session_idle, config.session_absolute)
    };
    let key = hash.to_vec();
    if state.changes.is_live()
        && let Some(identity) = state.identities.get(&key).filter(|i| live(i))
    {
        return Ok(Some(identity));
    }
    let epoch = state.changes.identity_epoch();
    let Some(mut identity) = sqlx::query_as!(
        Identity,
        r#"SELECT user_id AS "user_id!", csrf_token, token_municipality, read_only AS "read_only!",
                  via_idp AS "via_idp!", created_at AS "created_at!", last_seen_at AS "last_seen_at!",
                  email AS "email!", display_name AS "display_name!", is_admin AS "is_admin!",
                  disabled AS "disabled!", two_factor_enabled AS "two_factor_enabled!",
                  two_factor_required AS "two_factor_required!",
                  municipalities AS "municipalities!: Json<Vec<MunicipalityRef>>",
                  grants AS "grants!: Json<Vec<(Uuid, Grant)>>",
                  must_change_password AS "must_change_password!",
                  receives_incidents AS "receives_incidents!"
             FROM identity_behind($1, $2, $3)"#,
        hash,
        is_session,
        config.admins_need_two_factor,
    )
    .fetch_optional(&state.pool)
    .await?
    else {
        return Ok(None);
    };
    if !live(&identity) {
        delete(state, hash).await?;
        return Ok(None);
    }
    if (now - identity.last_seen_at) > chrono::Duration::seconds(60) {
        if is_session {
            sqlx::query!("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1", hash, now)
                .execute(&state.pool)
                .await?;
        } else {
            sqlx::query!("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1", hash, now)
                .execute(&state.pool)
                .await?;
        }
        identity.last_seen_at = now;
    }
    if state.changes.is_live() && state.changes.identity_epoch() == epoch {
        state.identities.insert(key, identity.clone());
    }
    Ok(Some(identity))
}

/// Drops the identities this instance keeps, those of `user` or (None) everyone's.
pub fn forget_identities(state: &AppState, user: Option<Uuid>) {
    state.changes.bump_identities();
    match user {
        Some(user) => state.identities.remove_where(|identity| identity.user_id == user),
        None => state.identities.remove_where(|_| true),
    }
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> AppResult<Option<Principal>> {
    let Some(presented) = presented_credential(headers) else { return Ok(None) };
    let (token, is_session) = match &presented {
        Presented::Session(t) => (t.as_str(), true),
        Presented::ApiToken(t) => (t.as_str(), false),
    };
    let hash = token_hash(token);
    let Some(identity) = identity(state, &hash, is_session).await?.filter(|i| !i.disabled) else {
        // A wrong bearer token is an error; a stale cookie just means "not logged in".
        return if is_session { Ok(None) } else { Err(AppError::Unauthenticated) };
    };
    let config = &state.config;
    let now = Utc::now();
    if is_session
        && !session_is_live(
            identity.created_at,
            identity.last_seen_at,
            now,
            config.session_idle,
            config.session_absolute,
        )
    {
        delete(state, &hash).await?;
        return Ok(None);
    }
    // A session works in the municipality chosen in the header (a cookie, checked here
    // against the user's grants), else the first; a token in the one it was made for.
    let wanted = match is_session {
        true => cookies::get(headers, MUNICIPALITY_COOKIE).and_then(|v| Uuid::parse_str(&v).ok()),
        false => identity.token_municipality,
    };
    let municipalities = identity.municipalities.0;
    let current = wanted
        .and_then(|id| municipalities.iter().find(|m| m.id == id))
        .or(if is_session { municipalities.first() } else { None })
        .cloned();
    let current_id = current.as_ref().map(|m| m.id);
    let grants = identity.grants.0.into_iter().filter(|(m, _)| Some(*m) == current_id).map(|(_, g)| g).collect();
    let credential = match identity.csrf_token {
        Some(csrf_token) if is_session => {
            Credential::Session { token_hash: hash, csrf_token, via_idp: identity.via_idp }
        }
        _ => Credential::ApiToken { read_only: identity.read_only },
    };
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
    Ok(Some(Principal {
        user_id: identity.user_id,
        email: identity.email,
        display_name: identity.display_name,
        is_admin: identity.is_admin,
        municipality: current,
        grants,
        municipalities,
        credential,
        request_id,
        two_factor_enabled: identity.two_factor_enabled,
        two_factor_required: identity.two_factor_required,
        must_change_password: identity.must_change_password,
        receives_incidents: current_id.is_some_and(|m| identity.receives_incidents.contains(&m)),
    }))
}

/// Where an account enrols in two-factor sign-in.
pub const ENROLMENT_PAGE: &str = "/account/two-factor";

fn must_enrol(principal: &Principal) -> bool {
    // Two-factor is for password sign-ins; a session begun at the IdP had the IdP's own.
    matches!(principal.credential, Credential::Session { via_idp: false, .. })
        && principal.two_factor_required
        && !principal.two_factor_enabled
}

/// API tokens are for the API: pages (and their forms) are for browser sessions. And a token
/// does not act where its municipality requires two-factor sign-in of an account without it.
fn refuse_token_where_it_may_not_act(principal: &Principal, path: &str) -> AppResult<()> {
    if !matches!(principal.credential, Credential::ApiToken { .. }) {
        return Ok(());
    }
    if !path.starts_with("/api/") {
        return Err(AppError::Refused(
            "API-nycklar fungerar bara för API:t (/api/v1/…). Logga in i webbläsaren för att öppna sidorna.".into(),
        ));
    }
    if principal.two_factor_required && !principal.two_factor_enabled {
        return Err(AppError::Refused(TOKEN_NEEDS_TWO_FACTOR.into()));
    }
    Ok(())
}

/// Why a token may not be made or used by an account without two-factor sign-in.
pub const TOKEN_NEEDS_TWO_FACTOR: &str = "Kommunen kräver tvåstegsverifiering. Slå på den för ditt konto \
     (Mitt konto → Tvåstegsverifiering) innan du skapar eller använder API-nycklar.";

fn enrolment_path(path: &str) -> bool {
    path.starts_with(ENROLMENT_PAGE) || path == "/logout"
}

/// Where a password set by someone else is changed.
pub const PASSWORD_PAGE: &str = "/account/password";

/// A password session whose password someone else chose (`lisa user add`): it reaches only the
/// password page (and logout) until the person has chosen their own.
fn must_change_password(principal: &Principal, path: &str) -> bool {
    matches!(principal.credential, Credential::Session { via_idp: false, .. })
        && principal.must_change_password
        && path != PASSWORD_PAGE
        && path != "/logout"
}

/// Middleware: authenticates the request and enforces CSRF on every state-changing method.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Result<Response, AppError> {
    let principal = authenticate(&state, request.headers()).await?;
    if let Some(principal) = &principal {
        refuse_token_where_it_may_not_act(principal, request.uri().path())?;
    }
    let mut request = if request.method() == Method::GET || request.method() == Method::HEAD {
        request
    } else if principal.as_ref().is_some_and(Principal::reads_only) {
        return Err(AppError::ReadOnlyToken);
    } else {
        check_csrf(request, principal.as_ref()).await?
    };
    // A session of an account that must use two-factor and has not enrolled reaches only the
    // enrolment page (and logout) until it has.
    if principal.as_ref().is_some_and(|p| must_enrol(p) && !enrolment_path(request.uri().path())) {
        if request.uri().path().starts_with("/api/") {
            return Err(AppError::Forbidden);
        }
        return Ok(crate::web::see_other(ENROLMENT_PAGE));
    }
    if principal.as_ref().is_some_and(|p| must_change_password(p, request.uri().path())) {
        if request.uri().path().starts_with("/api/") {
            return Err(AppError::Forbidden);
        }
        return Ok(crate::web::see_other(PASSWORD_PAGE));
    }
    // What the database shows this request: its municipality's rows (row-level security).
    let context = tenant::Context {
        municipality: principal.as_ref().and_then(|p| p.municipality.as_ref().map(|m| m.id)),
        user: principal.as_ref().map(|p| p.user_id),
    };
    if let Some(principal) = principal {
        request.extensions_mut().insert(principal);
    }
    Ok(tenant::within(context, next.run(request)).await)
}

/// Compares the token sent with the request to the session's (or, before login, to the
/// anonymous CSRF cookie). API-token requests carry no cookies and need none.
async fn check_csrf(request: Request, principal: Option<&Principal>) -> AppResult<Request> {
    let expected = match principal.map(|p| &p.credential) {
        Some(Credential::ApiToken { .. }) => return Ok(request),
        Some(Credential::Session { csrf_token, .. }) => Some(csrf_token.clone()),
        None => cookies::get(request.headers(), ANON_CSRF_COOKIE),
    };
    let Some(expected) = expected.filter(|t| !t.is_empty()) else { return Err(AppError::Csrf) };

    // The token travels in a header or in the form itself, never in the address (where it
    // would end up in logs and Referer headers).
    let from_header = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (request, provided) = match from_header {
        Some(token) => (request, Some(token)),
        None if is_form(request.headers(), "application/x-www-form-urlencoded") => {
            let (parts, body) = request.into_parts();
            let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
                .await
                .map_err(|_| AppError::BadRequest("Formuläret är för stort.".into()))?;
            let token = form_value(&bytes, CSRF_FIELD);
            (Request::from_parts(parts, Body::from(bytes)), token)
        }
        // Only a signed-in session uploads files: an anonymous multipart body is refused
        // before it is read, so nobody can make Lisa hold 20 MB per request without an account.
        None if is_form(request.headers(), "multipart/form-data") && principal.is_none() => (request, None),
        None if is_form(request.headers(), "multipart/form-data") => {
            let (parts, body) = request.into_parts();
            let bytes = axum::body::to_bytes(body, crate::web::files::MAX_FILE_BYTES + 64 * 1024)
                .await
                .map_err(|_| AppError::BadRequest("Filen är för stor.".into()))?;
            let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
            let token = multipart_value(content_type, &bytes, CSRF_FIELD);
            (Request::from_parts(parts, Body::from(bytes)), token)
        }
        None => (request, None),
    };
    match provided {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => Ok(request),
        _ => Err(AppError::Csrf),
    }
}

fn is_form(headers: &HeaderMap, kind: &str) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with(kind))
}

/// A short text field of a multipart form, found without reading the files in it: the part
/// whose Content-Disposition names it, up to the next boundary.
fn multipart_value(content_type: &str, body: &[u8], name: &str) -> Option<String> {
    let boundary = content_type.split(';').map(str::trim).find_map(|p| p.strip_prefix("boundary="))?.trim_matches('"');
    let delimiter = format!("\r\n--{boundary}");
    let wanted = format!("name=\"{name}\"");
    // The body starts with "--boundary"; prefixing CRLF makes every delimiter look the same.
    let body = [b"\r\n".as_slice(), body].concat();
    let mut rest = body.as_slice();
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        let end = find(rest, delimiter.as_bytes()).unwrap_or(rest.len());
        let part = &rest[..end];
        let headers_end = find(part, b"\r\n\r\n")?;
        let headers = String::from_utf8_lossy(&part[..headers_end]);
        let disposition = headers.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        if disposition.split(';').any(|p| p.trim() == wanted) {
            return String::from_utf8(part[headers_end + 4..].to_vec()).ok();
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn form_value(encoded: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().ok_or(AppError::Unauthenticated)
    }
}

/// A page shown before login, with the anonymous CSRF token its form must echo: the cookie's
/// token, or a new one that is set on the response.
pub fn with_anonymous_csrf(state: &AppState, headers: &HeaderMap, page: impl FnOnce(&str) -> Response) -> Response {
    let existing = cookies::get(headers, ANON_CSRF_COOKIE);
    let csrf = existing.clone().unwrap_or_else(random_token);
    let mut response = page(&csrf);
    if existing.is_none() {
        let cookie = cookies::set(ANON_CSRF_COOKIE, &csrf, state.config.secure_cookies);
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_eq!(token_hash(&a).len(), 32);
    }

    #[test]
    fn csrf_field_is_read_from_forms() {
        assert_eq!(form_value(b"name=KS&csrf_token=abc%2B1", CSRF_FIELD).as_deref(), Some("abc+1"));
        assert_eq!(form_value(b"name=KS", CSRF_FIELD), None);
    }

    #[test]
    fn the_token_is_read_from_a_multipart_form_whatever_the_files_hold() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc+1\r\n\
                     --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\
                     Content-Type: application/pdf\r\n\r\n%PDF-1.4 name=\"csrf_token\"\r\n--XyZ--\r\n";
        assert_eq!(multipart_value("multipart/form-data; boundary=XyZ", body, CSRF_FIELD).as_deref(), Some("abc+1"));
        assert_eq!(
            multipart_value("multipart/form-data; boundary=\"XyZ\"", body, CSRF_FIELD).as_deref(),
            Some("abc+1")
        );
        let no_token = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\ncsrf_token\r\n--XyZ--\r\n";
        assert_eq!(multipart_value("multipart/form-data; boundary=XyZ", no_token, CSRF_FIELD), None);
        assert_eq!(multipart_value("multipart/form-data", body, CSRF_FIELD), None, "no boundary");
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
