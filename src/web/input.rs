//! Hostile input is normal input. One middleware looks at every query string, form and JSON
//! body before any handler does: a NUL byte or another control character (tab and line breaks
//! aside) is refused with 422 and a Swedish message, and so is text longer than a field can
//! hold, so no such value ever reaches PostgreSQL or an extractor.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::format::thousands;
use crate::error::{AppError, FieldErrors};

/// The longest text a title or a name may have.
pub const MAX_TITLE_CHARS: usize = 500;
/// The longest text any other field may have.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Pasted report text and inventories read as a whole (on import and parse routes) are longer.
pub const MAX_PASTED_CHARS: usize = 1_000_000;
/// Forms and JSON larger than this are refused before they are read (uploads have their own limits).
const MAX_CHECKED_BYTES: usize = 4 * 1024 * 1024;

/// Fields that hold a title or a name.
const TITLE_FIELDS: [&str; 6] = ["title", "name", "display_name", "email", "reference", "decision_reference"];

/// Where a field sits: on an import or parse route, "text" is a whole pasted report or file.
#[derive(Clone, Copy)]
struct Route {
    pastes: bool,
}

impl Route {
    fn of(path: &str) -> Route {
        Route { pastes: path.contains("/import") || path.ends_with("/parse") }
    }

    fn limit(self, field: &str) -> usize {
        if TITLE_FIELDS.contains(&field) {
            MAX_TITLE_CHARS
        } else if self.pastes && field == "text" {
            MAX_PASTED_CHARS
        } else {
            MAX_TEXT_CHARS
        }
    }
}

/// The longest text a field may hold (outside import and parse routes).
pub fn max_chars(field: &str) -> usize {
    Route { pastes: false }.limit(field)
}

/// What is wrong with one value, in Swedish, or None.
pub fn problem(field: &str, value: &str) -> Option<String> {
    problem_on(Route { pastes: false }, field, value)
}

fn problem_on(route: Route, field: &str, value: &str) -> Option<String> {
    if value.chars().any(|c| c == '\0' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))) {
        return Some(
            "Texten innehåller tecken som inte kan sparas (till exempel ett nolltecken). Ta bort dem och försök igen."
                .into(),
        );
    }
    let limit = route.limit(field);
    let length = value.chars().count();
    (length > limit)
        .then(|| format!("Texten får vara högst {} tecken (den är {}).", thousands(limit), thousands(length)))
}

fn check_pairs(route: Route, bytes: &[u8], errors: &mut FieldErrors) {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).unwrap_or_default();
    for (field, value) in pairs {
        if let Some(message) = problem_on(route, &field, &value).or_else(|| problem("name", &field)) {
            errors.entry(field).or_insert(message);
        }
    }
}

fn check_json(route: Route, value: &serde_json::Value, field: &str, errors: &mut FieldErrors) {
    match value {
        serde_json::Value::String(text) => {
            if let Some(message) = problem_on(route, field, text) {
                errors.entry(field.to_string()).or_insert(message);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| check_json(route, item, field, errors)),
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                if let Some(message) = problem("name", key) {
                    errors.entry(key.clone()).or_insert(message);
                }
                check_json(route, item, key, errors);
            }
        }
        _ => {}
    }
}

/// What a request body is, by its Content-Type. Every kind an extractor parses is checked
/// here (JSON as axum's `Json` reads it: `application/json` and any `application/…+json`);
/// a multipart upload's text parts are never read, only its file (with a safe name); any
/// other declared kind is refused, so that nothing reaches a handler unchecked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyKind {
    None,
    Form,
    Json,
    Multipart,
    Other,
}

impl BodyKind {
    fn of(content_type: &str) -> BodyKind {
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match essence.as_str() {
            "" => BodyKind::None,
            "application/x-www-form-urlencoded" => BodyKind::Form,
            "application/json" => BodyKind::Json,
            "multipart/form-data" => BodyKind::Multipart,
            other if other.starts_with("application/") && other.ends_with("+json") => BodyKind::Json,
            _ => BodyKind::Other,
        }
    }
}

/// The API routes whose body is a file itself, of any type (evidence, an audit's report):
/// stored as bytes and never read as text.
fn takes_a_file(path: &str) -> bool {
    path.starts_with("/api/") && (path.ends_with("/files") || path.ends_with("/report"))
}

fn content_type(request: &Request) -> &str {
    request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Middleware: refuses control characters and over-long text in the query string and in form
/// and JSON bodies; everything else passes untouched.
pub async fn refuse_hostile_text(request: Request, next: Next) -> Response {
    let mut errors = FieldErrors::new();
    let route = Route::of(request.uri().path());
    if let Some(query) = request.uri().query() {
        check_pairs(route, query.as_bytes(), &mut errors);
    }
    let kind = BodyKind::of(content_type(&request));
    if kind == BodyKind::Other && !takes_a_file(request.uri().path()) {
        return AppError::UnsupportedMediaType.into_response();
    }
    let form = kind == BodyKind::Form;
    let json = kind == BodyKind::Json;
    let request = if form || json {
        let (parts, body) = request.into_parts();
        let bytes: Bytes = match axum::body::to_bytes(body, MAX_CHECKED_BYTES).await {
            Ok(bytes) => bytes,
            Err(_) => return AppError::BadRequest("Det som skickades är för stort.".into()).into_response(),
        };
        if form {
            check_pairs(route, &bytes, &mut errors);
        } else if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            check_json(route, &value, "", &mut errors);
        }
        Request::from_parts(parts, Body::from(bytes))
    } else {
        request
    };
    if errors.is_empty() { next.run(request).await } else { AppError::Validation(errors).into_response() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_but_tabs_and_line_breaks_kept() {
        assert!(problem("description", "rad ett\nrad två\r\n\tindrag").is_none());
        for hostile in ["a\0b", "a\u{1}b", "a\u{1b}[31m", "a\u{7f}", "a\u{85}b"] {
            assert!(problem("description", hostile).is_some(), "{hostile:?}");
        }
    }

    #[test]
    fn text_has_a_length_by_kind_of_field() {
        assert!(problem("title", &"x".repeat(500)).is_none());
        assert_eq!(problem("title", &"x".repeat(501)).unwrap(), "Texten får vara högst 500 tecken (den är 501).");
        assert!(problem("description", &"å".repeat(20_000)).is_none());
        assert_eq!(
            problem("description", &"å".repeat(20_001)).unwrap(),
            "Texten får vara högst 20\u{a0}000 tecken (den är 20\u{a0}001)."
        );
        assert!(problem("text", &"x".repeat(20_001)).is_some(), "a recommendation's text is text");
        let import = Route::of("/audits/1/import/preview");
        assert!(problem_on(import, "text", &"x".repeat(200_000)).is_none(), "pasted text is long");
        assert!(Route::of("/api/v1/recommendations/parse").pastes && !Route::of("/systems").pastes);
    }

    #[test]
    fn every_kind_of_body_an_extractor_reads_is_checked_and_others_refused() {
        assert_eq!(BodyKind::of("application/json; charset=utf-8"), BodyKind::Json);
        assert_eq!(BodyKind::of("Application/Vnd.X+JSON"), BodyKind::Json, "as axum's Json reads it");
        assert_eq!(BodyKind::of("application/problem+json"), BodyKind::Json);
        assert_eq!(BodyKind::of("application/x-www-form-urlencoded"), BodyKind::Form);
        assert_eq!(BodyKind::of("multipart/form-data; boundary=x"), BodyKind::Multipart);
        assert_eq!(BodyKind::of(""), BodyKind::None);
        for other in ["text/plain", "application/xml", "application/jsonx", "text/json"] {
            assert_eq!(BodyKind::of(other), BodyKind::Other, "{other}");
        }
        assert!(takes_a_file("/api/v1/actions/1/files") && takes_a_file("/api/v1/audits/1/report"));
        assert!(!takes_a_file("/api/v1/systems") && !takes_a_file("/actions/1/files"));
    }

    #[test]
    fn forms_and_json_are_read_field_by_field() {
        let route = Route::of("/systems");
        let mut errors = FieldErrors::new();
        check_pairs(route, b"title=ok&description=a%00b&q=fine", &mut errors);
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["description"]);
        let mut errors = FieldErrors::new();
        let json = serde_json::json!({"items": [{"text": "ok"}, {"text": "a\u{0}b"}], "name": "x".repeat(600)});
        check_json(route, &json, "", &mut errors);
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["name", "text"]);
    }
}
