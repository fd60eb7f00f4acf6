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
/// by the same follow-up). Verdicts that are not "met" carry the recommendation into the
/// follow-up. False when the verdict and comment were already so.
pub async fn assess_follow_up(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    audit_id: Uuid,
    recommendation_id: Uuid,
    result: FollowUpResult,
    comment: &str,
) -> AppResult<bool> {
    let audit = get_audit(&mut *tx, m, audit_id).await?;
    if audit.kind != crate::audits::model::AuditKind::FollowUp {
        return Err(field_error("audit_id", "Bara en uppföljande granskning bedömer tidigare rekommendationer."));
    }
    let recommendation = get_recommendation(&mut *tx, m, recommendation_id).await?;
    if recommendation.audit_id == audit_id {
        return Err(field_error("recommendation_id", "En granskning kan inte följa upp sina egna rekommendationer."));
    }
    // Nothing is written, nor logged, when the verdict stands as it was.
    let changed = sqlx::query!(
        "INSERT INTO follow_up_assessments (municipality_id, audit_id, recommendation_id, result, comment)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (audit_id, recommendation_id) DO UPDATE SET result = $4, comment = $5, assessed_at = now()
          WHERE follow_up_assessments.result IS DISTINCT FROM $4 OR follow_up_assessments.comment IS DISTINCT FROM $5",
        m.uuid(),
        audit_id,
        recommendation_id,
        result.code(),
        comment.trim()
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    if !changed {
        return Ok(false);
    }
    let after = json!({"Uppföljning": audit.title, "Bedömning": result.label(), "Kommentar": comment.trim()});
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::Recommendation, recommendation_id, json!({}), after),
    )
    .await?;
    Ok(true)
}

/// Withdraws a follow-up's verdict on a recommendation: the recommendation's latest verdict is
/// then the previous follow-up's, or none, and it is no longer carried into this one. False
/// when there was none.
pub async fn withdraw_follow_up(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    audit_id: Uuid,
    recommendation_id: Uuid,
) -> AppResult<bool> {
    let audit = get_audit(&mut *tx, m, audit_id).await?;
    let removed = sqlx::query!(
        "DELETE FROM follow_up_assessments WHERE municipality_id = $1 AND audit_id = $2 AND recommendation_id = $3
         RETURNING result, comment",
        m.uuid(),
        audit_id,
        recommendation_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(removed) = removed else { return Ok(false) };
    let label = FollowUpResult::parse(&removed.result).map_or(removed.result.clone(), |r| r.label().to_string());
    let before = json!({"Uppföljning": audit.title, "Bedömning": label, "Kommentar": removed.comment});
    let after = json!({"Uppföljning": audit.title, "Bedömning": "Ej bedömd", "Kommentar": ""});
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::Recommendation, recommendation_id, before, after),
    )
    .await?;
    Ok(true)
}

/// After a follow-up stops following an audit up: its verdicts on recommendations it no longer
/// follows up (neither the followed audits' own nor those they carry) are withdrawn.
pub async fn withdraw_unfollowed(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    audit_id: Uuid,
) -> AppResult<()> {
    let stray = sqlx::query_scalar!(
        "SELECT fa.recommendation_id FROM follow_up_assessments fa
          WHERE fa.municipality_id = $1 AND fa.audit_id = $2
            AND NOT EXISTS (SELECT 1 FROM recommendations r JOIN audit_follow_ups u ON u.followed_audit_id = r.audit_id
                             WHERE u.audit_id = $2 AND r.id = fa.recommendation_id)
            AND NOT EXISTS (SELECT 1 FROM follow_up_assessments carried JOIN audit_follow_ups u ON u.followed_audit_id = carried.audit_id
                             WHERE u.audit_id = $2 AND carried.recommendation_id = fa.recommendation_id)",
        m.uuid(),
        audit_id
    )
    .fetch_all(&mut *tx)
    .await?;
    for recommendation_id in stray {
        withdraw_follow_up(tx, actor, m, audit_id, recommendation_id).await?;
    }
    Ok(())
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
