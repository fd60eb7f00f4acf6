//! The bodies' responses to recommendations, per asking audit, and those still missing.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::recommendation::*;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::audits::model::{FollowUpResult, ResponseInput, Status};
use crate::db::MunicipalityId;
use crate::error::{AppResult, field_error};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BodyResponse {
    /// The audit whose request for answers this answers.
    pub audit_id: Uuid,
    pub body_id: Uuid,
    pub body_name: String,
    pub text: String,
    pub planned_by: Option<NaiveDate>,
    pub decision_reference: String,
    pub decision_date: Option<NaiveDate>,
}

pub async fn responses(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    recommendation_id: Uuid,
) -> AppResult<Vec<BodyResponse>> {
    Ok(sqlx::query_as!(
        BodyResponse,
        "SELECT r.audit_id, r.body_id, b.name AS body_name, r.text, r.planned_by, r.decision_reference, r.decision_date
           FROM recommendation_responses r JOIN bodies b ON b.id = r.body_id
          WHERE r.municipality_id = $1 AND r.recommendation_id = $2 ORDER BY body_rank(b.kind), b.name",
        m.uuid(),
        recommendation_id
    )
    .fetch_all(db)
    .await?)
}

/// An audit that asks the addressed bodies to answer on a recommendation: the audit that
/// made it, and every follow-up that found it not (fully) met and so carries it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Request {
    pub audit_id: Uuid,
    pub title: String,
    pub report_date: Option<NaiveDate>,
    pub response_deadline: Option<NaiveDate>,
}

/// The requests for answers on a recommendation, oldest first.
pub async fn requests(db: impl PgExecutor<'_>, m: MunicipalityId, recommendation_id: Uuid) -> AppResult<Vec<Request>> {
    Ok(sqlx::query_as!(
        Request,
        r#"SELECT a.id AS "audit_id!", a.title AS "title!", a.report_date, a.response_deadline
             FROM audits a
            WHERE a.municipality_id = $1
              AND (a.id = (SELECT audit_id FROM recommendations WHERE municipality_id = $1 AND id = $2)
                   OR a.id IN (SELECT fa.audit_id FROM follow_up_assessments fa
                                WHERE fa.municipality_id = $1 AND fa.recommendation_id = $2
                                  AND fa.result = ANY($3)))
            ORDER BY a.report_date NULLS FIRST, a.created_at"#,
        m.uuid(),
        recommendation_id,
        &FollowUpResult::codes(&FollowUpResult::REMAINS)
    )
    .fetch_all(db)
    .await?)
}

/// Records (or replaces) one addressed body's answer to one request: the audit named, or
/// else the latest audit that asks about the recommendation.
pub async fn set_response(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    recommendation_id: Uuid,
    input: &ResponseInput,
) -> AppResult<()> {
    let recommendation = get_recommendation(&mut *tx, m, recommendation_id).await?;
    let Some(body) = recommendation.bodies.iter().find(|b| b.id == input.body_id) else {
        return Err(field_error("body_id", "Välj ett av de organ som rekommendationen riktas till."));
    };
    let requests = requests(&mut *tx, m, recommendation_id).await?;
    let request = match input.audit_id {
        Some(id) => requests.iter().find(|r| r.audit_id == id),
        None => requests.last(),
    };
    let Some(request) = request else {
        return Err(field_error("audit_id", "Välj en granskning som begär svar på rekommendationen."));
    };
    // What an overwritten answer said, so the change log shows what it replaced.
    let before = sqlx::query!(
        "SELECT text, planned_by, decision_reference, decision_date FROM recommendation_responses
          WHERE municipality_id = $1 AND audit_id = $2 AND recommendation_id = $3 AND body_id = $4 FOR UPDATE",
        m.uuid(),
        request.audit_id,
        recommendation_id,
        input.body_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|was| {
        json!({"Yttrande från": body.name, "Svar till": request.title, "Åtgärd": was.text,
               "Klart": was.planned_by, "Beslut": was.decision_reference, "Beslutsdatum": was.decision_date})
    })
    .unwrap_or_else(|| json!({}));
    sqlx::query!(
        "INSERT INTO recommendation_responses (id, municipality_id, audit_id, recommendation_id, body_id, text, planned_by,
                                              decision_reference, decision_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (audit_id, recommendation_id, body_id)
         DO UPDATE SET text = $6, planned_by = $7, decision_reference = $8, decision_date = $9, updated_at = now()",
        Uuid::new_v4(),
        m.uuid(),
        request.audit_id,
        recommendation_id,
        input.body_id,
        input.text,
        input.planned_by,
        input.decision_reference,
        input.decision_date
    )
    .execute(&mut *tx)
    .await?;
    let after = json!({"Yttrande från": body.name, "Svar till": request.title, "Åtgärd": input.text,
                       "Klart": input.planned_by, "Beslut": input.decision_reference, "Beslutsdatum": input.decision_date});
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Recommendation, recommendation_id, before, after))
        .await
}

/// A body's missing response to an audit with a response deadline.
pub struct MissingResponse {
    pub audit_id: Uuid,
    pub audit_title: String,
    pub deadline: NaiveDate,
    pub body_name: String,
    pub recommendations: i64,
}

/// Per audit with a response deadline and addressed body: the recommendations the audit asks
/// about (its own, and those it carries from earlier audits) that are not verified and that
/// the body has not answered for this audit.
pub async fn missing_responses(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<MissingResponse>> {
    Ok(sqlx::query_as!(
        MissingResponse,
        r#"WITH asked AS (
               SELECT r.audit_id, r.id AS recommendation_id FROM recommendations r WHERE r.municipality_id = $1
               UNION
               SELECT fa.audit_id, fa.recommendation_id FROM follow_up_assessments fa
                WHERE fa.municipality_id = $1 AND fa.result = ANY($2))
           SELECT a.id AS audit_id, a.title AS audit_title, a.response_deadline AS "deadline!", b.name AS body_name,
                  count(*) AS "recommendations!"
             FROM asked x
             JOIN audits a ON a.id = x.audit_id
             JOIN recommendations r ON r.id = x.recommendation_id
             JOIN recommendation_bodies rb ON rb.recommendation_id = r.id
             JOIN bodies b ON b.id = rb.body_id
            WHERE a.municipality_id = $1 AND a.response_deadline IS NOT NULL AND r.status <> $3
              AND NOT EXISTS (SELECT 1 FROM recommendation_responses y
                               WHERE y.audit_id = a.id AND y.recommendation_id = r.id AND y.body_id = rb.body_id)
            GROUP BY a.id, a.title, a.response_deadline, b.kind, b.name
            ORDER BY a.response_deadline, a.title, body_rank(b.kind), b.name"#,
        m.uuid(),
        &FollowUpResult::codes(&FollowUpResult::REMAINS),
        Status::Verifierad.code()
    )
    .fetch_all(db)
    .await?)
}
