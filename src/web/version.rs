//! Lost updates: every editable record's version is the time it was last changed. A page form
//! carries it in a hidden field and the API in `ETag` / `If-Match`; a save made from an older
//! version is refused (409 on pages, with the form kept and the saved version beside it; 412
//! in the API when `If-Match` was sent), and saving again overwrites knowingly.

use axum::extract::FromRequestParts;
use axum::http::{HeaderValue, header, request::Parts};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit_log::EntityType;
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult};

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

/// The records that carry a version, and their tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versioned {
    System,
    Recommendation,
    Action,
    Incident,
    Document,
    Audit,
    Contract,
    Supplier,
    RiskAnalysis,
    Risk,
    AnnualReport,
    ContinuityPlan,
    ControlPoint,
}

impl Versioned {
    fn table(self) -> &'static str {
        match self {
            Versioned::System => "systems",
            Versioned::Recommendation => "recommendations",
            Versioned::Action => "actions",
            Versioned::Incident => "incidents",
            Versioned::Document => "documents",
            Versioned::Audit => "audits",
            Versioned::Contract => "contracts",
            Versioned::Supplier => "suppliers",
            Versioned::RiskAnalysis => "risk_analyses",
            Versioned::Risk => "risks",
            Versioned::AnnualReport => "annual_reports",
            Versioned::ContinuityPlan => "continuity_plans",
            Versioned::ControlPoint => "control_points",
        }
    }

    /// The entity type its change-log entries carry.
    fn entity(self) -> EntityType {
        match self {
            Versioned::System => EntityType::System,
            Versioned::Recommendation => EntityType::Recommendation,
            Versioned::Action => EntityType::Action,
            Versioned::Incident => EntityType::Incident,
            Versioned::Document => EntityType::Document,
            Versioned::Audit => EntityType::Audit,
            Versioned::Contract => EntityType::Contract,
            Versioned::Supplier => EntityType::Supplier,
            Versioned::RiskAnalysis => EntityType::RiskAnalysis,
            Versioned::Risk => EntityType::Risk,
            Versioned::AnnualReport => EntityType::AnnualReport,
            Versioned::ContinuityPlan => EntityType::ContinuityPlan,
            Versioned::ControlPoint => EntityType::ControlPoint,
        }
    }
}

/// Locks the record for the rest of the transaction and refuses the save when the version it
/// was made from is not the current one; no version (an API client without If-Match) saves.
pub async fn lock_current(
    tx: &mut PgConnection,
    kind: Versioned,
    m: MunicipalityId,
    id: Uuid,
    expected: Option<Version>,
) -> AppResult<()> {
    // The table name is one of the constants above, never input.
    let sql = format!("SELECT updated_at FROM {} WHERE municipality_id = $1 AND id = $2 FOR UPDATE", kind.table());
    let current: DateTime<Utc> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(m)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = Version::of(current);
    match expected {
        Some(expected) if expected != current => {
            let saved = crate::audit_log::latest_after(&mut *tx, m, kind.entity(), id).await?;
            Err(AppError::Stale { saved, current: current.to_string() })
        }
        _ => Ok(()),
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
