//! Lost updates: every editable record's version is the time it was last changed. A page form
//! carries it in a hidden field and the API in `ETag` / `If-Match`; a save made from an older
//! version is refused (409 on pages, with the form kept and the saved version beside it; 412
//! in the API when `If-Match` was sent), and saving again overwrites knowingly.

use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::{HeaderValue, header, request::Parts};
use chrono::{DateTime, Utc};

/// A record's version: its `updated_at`, in microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version(i64);

impl Version {
    pub fn of(updated_at: DateTime<Utc>) -> Version {
        Version(updated_at.timestamp_micros())
    }

    /// As a form sends it back; empty or garbled means "not known" (no check).
    pub fn parse(text: &str) -> Option<Version> {
        text.trim().trim_start_matches("W/").trim_matches('"').parse().ok().map(Version)
    }

    pub fn etag(self) -> HeaderValue {
        HeaderValue::from_str(&format!("\"{}\"", self.0)).unwrap_or(HeaderValue::from_static("\"0\""))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The `If-Match` header of an API request, when sent.
pub struct IfMatch(pub Option<Version>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get(header::IF_MATCH).map(|v| v.to_str().ok().and_then(Version::parse)) {
            None => Ok(IfMatch(None)),
            Some(Some(version)) => Ok(IfMatch(Some(version))),
            Some(None) => Err(AppError::BadRequest("If-Match ska vara en ETag som Lisa har skickat.".into())),
        }
    }
}

impl IfMatch {
    /// The version to check: the header's, else the body's.
    pub fn or(self, from_body: &str) -> (Option<Version>, bool) {
        match self.0 {
            Some(version) => (Some(version), true),
            None => (Version::parse(from_body), false),
        }
    }
}

/// A stale save answered through the API: 412 when the client sent If-Match, else 409.
pub fn precondition(result: AppError, sent_if_match: bool) -> AppError {
    match result {
        AppError::Stale { .. } if sent_if_match => AppError::PreconditionFailed,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_read_back_from_forms_and_headers() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T10:00:00.123456Z").unwrap().with_timezone(&Utc);
        let version = Version::of(at);
        assert_eq!(Version::parse(&version.to_string()), Some(version));
        assert_eq!(Version::parse(version.etag().to_str().unwrap()), Some(version));
        assert_eq!(Version::parse(&format!("W/{}", version.etag().to_str().unwrap())), Some(version));
        assert_eq!(Version::parse(""), None);
        assert_eq!(Version::parse("gammal"), None);
    }
}
