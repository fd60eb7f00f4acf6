//! One error type for every handler. It renders as a Swedish HTML page or as a JSON
//! problem body: the response carries a [`Problem`], and `web::errors` picks the format
//! from the request.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Field name → Swedish message.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("not logged in")]
    Unauthenticated,
    #[error("invalid CSRF token")]
    Csrf,
    #[error("no municipality chosen")]
    NoMunicipality,
    /// A change asked for with an API token that may only read.
    #[error("read-only token")]
    ReadOnlyToken,
    /// Forbidden, with the reason and what to do, in Swedish.
    #[error("refused: {0}")]
    Refused(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A body of a kind no route reads (415).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A save made from an older version of the record: `saved` says what is saved now, and
    /// `current` is the version to save over it knowingly.
    #[error("stale save")]
    Stale { saved: String, current: String },
    /// An API save whose If-Match is no longer the record's version.
    #[error("precondition failed")]
    PreconditionFailed,
    #[error(transparent)]
    Database(sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => AppError::NotFound,
            // Something else in Lisa still refers to what was to be removed or linked.
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => AppError::Conflict(
                "Det går inte eftersom annat i Lisa hänger på uppgiften. Flytta eller ta bort det först.".into(),
            ),
            other => AppError::Database(other),
        }
    }
}

/// The problem document (RFC 9457) sent to API clients; the HTML error page shows the same text.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub status: u16,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: FieldErrors,
}

impl Problem {
    pub fn new(status: StatusCode, detail: Option<String>) -> Self {
        Problem { status: status.as_u16(), title: title_for(status).to_string(), detail, errors: FieldErrors::new() }
    }
}

pub fn title_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Felaktig begäran",
        401 => "Du behöver logga in",
        403 => "Åtkomst nekad",
        404 => "Sidan finns inte",
        405 => "Metoden stöds inte",
        409 => "Konflikt",
        412 => "Uppgifterna har ändrats",
        413 => "För stor begäran",
        415 => "Formatet stöds inte",
        422 => "Uppgifterna kunde inte sparas",
        429 => "För många försök",
        503 => "Lisa är tillfälligt otillgänglig",
        _ if status.is_server_error() => "Ett fel uppstod",
        _ => "Något gick fel",
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, detail, errors) = match self {
            AppError::NotFound => (StatusCode::NOT_FOUND, None, FieldErrors::new()),
            AppError::Forbidden => {
                (StatusCode::FORBIDDEN, Some("Du har inte behörighet till det här.".to_string()), FieldErrors::new())
            }
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, None, FieldErrors::new()),
            AppError::Csrf => (
                StatusCode::FORBIDDEN,
                Some("Formuläret hade gått ut eller kom inte från Lisa. Ladda om sidan och försök igen.".into()),
                FieldErrors::new(),
            ),
            AppError::ReadOnlyToken => (
                StatusCode::FORBIDDEN,
                Some("API-nyckeln får bara läsa. Skapa en nyckel som får ändra under Mina API-nycklar.".into()),
                FieldErrors::new(),
            ),
            AppError::NoMunicipality => {
                (StatusCode::FORBIDDEN, Some("Välj en kommun i sidhuvudet först.".into()), FieldErrors::new())
            }
            AppError::Refused(msg) => (StatusCode::FORBIDDEN, Some(msg), FieldErrors::new()),
            AppError::BadRequest(msg) => (StatusCode::BAD_REQUEST, Some(msg), FieldErrors::new()),
            AppError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Some("Lisa tar emot formulär, JSON och filuppladdningar (multipart/form-data), inget annat.".into()),
                FieldErrors::new(),
            ),
            AppError::Validation(errors) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Some("Rätta de markerade fälten.".into()), errors)
            }
            AppError::Conflict(msg) => (StatusCode::CONFLICT, Some(msg), FieldErrors::new()),
            AppError::Stale { saved, current } => {
                let detail = format!("{STALE} {saved} Hämta uppgifterna igen och gör om ändringen.");
                (StatusCode::CONFLICT, Some(detail), stale_errors(saved, current))
            }
            AppError::PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                Some("Någon annan har ändrat uppgifterna sedan du hämtade dem. Hämta dem igen (ny ETag) och försök på nytt.".into()),
                FieldErrors::new(),
            ),
            AppError::Database(err) if is_unavailable(&err) => {
                tracing::warn!(error = %err, "the database is unavailable");
                let detail =
                    "Databasen svarar inte just nu. Försök igen om en stund; inget av det du skickade är sparat.";
                (StatusCode::SERVICE_UNAVAILABLE, Some(detail.into()), FieldErrors::new())
            }
            AppError::Database(err) if is_too_slow(&err) => {
                tracing::warn!(error = %err, "a statement ran past its time limit");
                let detail = "Frågan tog för lång tid och avbröts. Försök igen, eller gör sökningen snävare; \
                              inget av det du skickade är sparat.";
                (StatusCode::SERVICE_UNAVAILABLE, Some(detail.into()), FieldErrors::new())
            }
            AppError::Database(err) => {
                tracing::error!(error = %err, "database error");
                (StatusCode::INTERNAL_SERVER_ERROR, None, FieldErrors::new())
            }
            AppError::Internal(err) => {
                tracing::error!(error = ?err, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, None, FieldErrors::new())
            }
        };
        let problem = Problem { errors, ..Problem::new(status, detail) };
        let mut response = (status, Json(problem.clone())).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
        }
        response.extensions_mut().insert(problem);
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// The error key under which a stale save carries the current version, for the form to save
/// over it knowingly, and the one carrying what is saved now; keys starting with `_` are never
/// listed as messages.
pub const CURRENT_VERSION: &str = "_version";
pub const SAVED_NOW: &str = "_saved";

const STALE: &str =
    "Någon annan har sparat ändringar medan du arbetade med det här, så dina ändringar är inte sparade.";

/// A stale save as form errors: the message, what is saved now, and the version to save over.
pub fn stale_errors(saved: String, current: String) -> FieldErrors {
    FieldErrors::from([
        ("version".to_string(), STALE.to_string()),
        (SAVED_NOW.to_string(), saved),
        (CURRENT_VERSION.to_string(), current),
    ])
}

/// True when the database cannot be reached (restarting, down, or every connection busy): the
/// request may be tried again, so it answers 503 rather than 500.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        // Connection exceptions (08…) and the server shutting down or starting (57P01–57P03).
        sqlx::Error::Database(db) => db.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P0")),
        _ => false,
    }
}

/// True when PostgreSQL cancelled a statement at its time limit (57014) or gave up waiting for
/// a lock (55P03): see `db::REQUEST_LIMITS`.
pub fn is_too_slow(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("57014" | "55P03")))
}

/// A validation error on one field.
pub fn field_error(field: &str, message: &str) -> AppError {
    AppError::Validation(FieldErrors::from([(field.to_string(), message.to_string())]))
}

/// A violation of the named constraint becomes a message on the field it guards. Only that
/// constraint: any other stays an error, so a message never blames the wrong field.
pub fn unique_as(
    constraint: &'static str,
    field: &'static str,
    message: &'static str,
) -> impl FnOnce(sqlx::Error) -> AppError {
    move |err| match &err {
        sqlx::Error::Database(db) if db.constraint() == Some(constraint) => field_error(field, message),
        _ => err.into(),
    }
}
