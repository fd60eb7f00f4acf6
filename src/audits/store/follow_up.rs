//! A follow-up audit's verdicts on earlier recommendations.

use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::audit::get_audit;
use super::recommendation::get_recommendation;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::audits::model::FollowUpResult;
use crate::db::MunicipalityId;
use crate::error::{AppResult, field_error};

/// A follow-up audit's verdict on an earlier recommendation (replacing an earlier verdict
/// by the same follow-up). Verdicts that are not "met" carry the recommendation into the follow-up.
pub async fn assess_follow_up(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    audit_id: Uuid,
    recommendation_id: Uuid,
    result: FollowUpResult,
    comment: &str,
) -> AppResult<()> {
    let audit = get_audit(&mut *tx, m, audit_id).await?;
    if audit.kind != crate::audits::model::AuditKind::FollowUp {
        return Err(field_error("audit_id", "Bara en uppföljande granskning bedömer tidigare rekommendationer."));
    }
    let recommendation = get_recommendation(&mut *tx, m, recommendation_id).await?;
    if recommendation.audit_id == audit_id {
        return Err(field_error("recommendation_id", "En granskning kan inte följa upp sina egna rekommendationer."));
    }
    sqlx::query!(
        "INSERT INTO follow_up_assessments (municipality_id, audit_id, recommendation_id, result, comment)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (audit_id, recommendation_id) DO UPDATE SET result = $4, comment = $5, assessed_at = now()",
        m.uuid(),
        audit_id,
        recommendation_id,
        result.code(),
        comment.trim()
    )
    .execute(&mut *tx)
    .await?;
    let after = json!({"Uppföljning": audit.title, "Bedömning": result.label(), "Kommentar": comment.trim()});
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::Recommendation, recommendation_id, json!({}), after),
    )
    .await
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FollowUpVerdict {
    pub recommendation_id: Uuid,
    pub result: String,
    pub comment: String,
}

/// The verdicts a follow-up audit has given so far.
pub async fn follow_up_verdicts(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    audit_id: Uuid,
) -> AppResult<Vec<FollowUpVerdict>> {
    Ok(sqlx::query_as!(
        FollowUpVerdict,
        "SELECT recommendation_id, result, comment FROM follow_up_assessments WHERE municipality_id = $1 AND audit_id = $2",
        m.uuid(),
        audit_id
    )
    .fetch_all(db)
    .await?)
}
