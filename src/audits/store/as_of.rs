//! Recommendations, answers owed and follow-ups as they stood at the end of a day, by the
//! domain's own dates.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use sqlx::types::Json;
use uuid::Uuid;

use super::audit::BodyName;
use crate::audits::model::{FollowUpResult, Status};
use crate::db::MunicipalityId;
use crate::error::AppResult;

/// A recommendation as it stood at the end of a day, by the domain's own dates: it exists from
/// its audit's report date and a verdict applies from its follow-up's report date, however
/// much later either was typed in; a status change (which states no date) from when it was
/// registered.
#[derive(Clone, Debug)]
pub struct RecommendationThen {
    pub id: Uuid,
    pub text: String,
    pub audit_title: String,
    pub first_reported: Option<NaiveDate>,
    pub bodies: Json<Vec<BodyName>>,
    pub status: Status,
    /// When it was verified, if it was by then.
    pub verified_at: Option<DateTime<Utc>>,
    pub latest_verdict: Option<FollowUpResult>,
    pub latest_follow_up_on: Option<NaiveDate>,
    pub responsible_name: Option<String>,
}

impl RecommendationThen {
    pub fn status(&self) -> Status {
        self.status
    }

    /// Still awaiting the municipality, by the one rule in `model::remains_open`.
    pub fn remains_open(&self) -> bool {
        crate::audits::model::remains_open(self.status(), self.latest_verdict)
    }
}

/// The recommendations whose report is dated on or before `on`, with the verdicts of
/// follow-ups reported by then and the statuses registered by `by` (the end of that day).
pub async fn as_of(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    on: NaiveDate,
    by: DateTime<Utc>,
) -> AppResult<Vec<RecommendationThen>> {
    Ok(sqlx::query_as!(
        RecommendationThen,
        r#"SELECT r.id, r.text, a.title AS audit_title, a.report_date AS first_reported,
                  COALESCE((SELECT json_agg(json_build_object('id', b.id, 'name', b.name) ORDER BY body_rank(b.kind), b.name)
                              FROM recommendation_bodies rb JOIN bodies b ON b.id = rb.body_id WHERE rb.recommendation_id = r.id), '[]')
                      AS "bodies!: Json<Vec<BodyName>>",
                  COALESCE((SELECT sc.status FROM recommendation_status_changes sc
                             WHERE sc.recommendation_id = r.id AND sc.changed_at <= $3
                             ORDER BY sc.changed_at DESC LIMIT 1), 'oppen') AS "status!: Status",
                  (SELECT max(sc.changed_at) FROM recommendation_status_changes sc
                    WHERE sc.recommendation_id = r.id AND sc.status = $4 AND sc.changed_at <= $3) AS verified_at,
                  v.result AS "latest_verdict?: FollowUpResult", v.report_date AS "latest_follow_up_on?",
                  p.name AS "responsible_name?"
             FROM recommendations r
             JOIN audits a ON a.id = r.audit_id
             LEFT JOIN people p ON p.id = r.responsible_person_id
             LEFT JOIN LATERAL (
                   SELECT fa.result, f.report_date
                     FROM follow_up_assessments fa JOIN audits f ON f.id = fa.audit_id
                    WHERE fa.recommendation_id = r.id AND f.report_date <= $2
                    ORDER BY f.report_date DESC, fa.assessed_at DESC LIMIT 1) v ON true
            WHERE r.municipality_id = $1 AND a.report_date <= $2
            ORDER BY a.report_date, r.position"#,
        m.uuid(),
        on,
        by,
        Status::Verifierad.code()
    )
    .fetch_all(db)
    .await?)
}

/// What the coordinator must complete in the audit register: open recommendations without a
/// responsible person or a target date, and audits saved before a report date was required.
pub struct Gaps {
    pub audits: i64,
    pub without_responsible: i64,
    pub without_target: i64,
    pub audits_without_date: i64,
}

pub async fn gaps(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Gaps> {
    Ok(sqlx::query_as!(
        Gaps,
        r#"SELECT (SELECT count(*) FROM audits WHERE municipality_id = $1) AS "audits!",
                  (SELECT count(*) FROM recommendations WHERE municipality_id = $1 AND status = ANY($2)
                      AND responsible_person_id IS NULL) AS "without_responsible!",
                  (SELECT count(*) FROM recommendations WHERE municipality_id = $1 AND status = ANY($2)
                      AND target_date IS NULL) AS "without_target!",
                  (SELECT count(*) FROM audits WHERE municipality_id = $1 AND report_date IS NULL) AS "audits_without_date!""#,
        m.uuid(),
        &Status::codes(&Status::OPEN)
    )
    .fetch_one(db)
    .await?)
}

/// What one body owed the auditors at the end of a day under one deadline: recommendations an
/// audit reported by then asked it to answer (its own, and those a follow-up carries), not
/// verified and not answered by then (a response counts from its decision date, or else from
/// when it was registered).
#[derive(Clone, Debug)]
pub struct OwedThen {
    pub body_id: Uuid,
    pub deadline: NaiveDate,
    pub recommendations: i64,
}

pub async fn owed_as_of(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    on: NaiveDate,
    by: DateTime<Utc>,
) -> AppResult<Vec<OwedThen>> {
    Ok(sqlx::query_as!(
        OwedThen,
        r#"WITH asked AS (
               SELECT r.audit_id, r.id AS recommendation_id FROM recommendations r WHERE r.municipality_id = $1
               UNION
               SELECT fa.audit_id, fa.recommendation_id FROM follow_up_assessments fa
                WHERE fa.municipality_id = $1 AND fa.result = ANY($2))
           SELECT rb.body_id, a.response_deadline AS "deadline!", count(*) AS "recommendations!"
             FROM asked x
             JOIN audits a ON a.id = x.audit_id
             JOIN recommendation_bodies rb ON rb.recommendation_id = x.recommendation_id
            WHERE a.municipality_id = $1 AND a.response_deadline IS NOT NULL AND a.report_date <= $3
              AND COALESCE((SELECT sc.status FROM recommendation_status_changes sc
                             WHERE sc.recommendation_id = x.recommendation_id AND sc.changed_at <= $4
                             ORDER BY sc.changed_at DESC LIMIT 1), 'oppen') <> $5
              AND NOT EXISTS (SELECT 1 FROM recommendation_responses y
                               WHERE y.audit_id = a.id AND y.recommendation_id = x.recommendation_id AND y.body_id = rb.body_id
                                 AND COALESCE(y.decision_date, (y.created_at AT TIME ZONE 'Europe/Stockholm')::date) <= $3)
            GROUP BY rb.body_id, a.response_deadline
            ORDER BY a.response_deadline"#,
        m.uuid(),
        &FollowUpResult::codes(&FollowUpResult::REMAINS),
        on,
        by,
        Status::Verifierad.code()
    )
    .fetch_all(db)
    .await?)
}

/// A follow-up audit reported by a day: how it judged what it followed up, and the auditors'
/// overall assessment as written on it.
#[derive(Clone, Debug)]
pub struct FollowUpThen {
    pub audit_id: Uuid,
    pub title: String,
    pub report_date: NaiveDate,
    pub overall_assessment: String,
    /// Verdicts per `FollowUpResult` code.
    pub verdicts: Json<std::collections::BTreeMap<String, i64>>,
    /// What it follows up: the followed audits' recommendations, and those they carried.
    pub followed: i64,
}

pub async fn follow_ups_as_of(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    on: NaiveDate,
) -> AppResult<Vec<FollowUpThen>> {
    Ok(sqlx::query_as!(
        FollowUpThen,
        r#"SELECT a.id AS audit_id, a.title, a.report_date AS "report_date!", a.overall_assessment,
                  COALESCE((SELECT json_object_agg(v.result, v.n)
                              FROM (SELECT fa.result, count(*) AS n FROM follow_up_assessments fa
                                     WHERE fa.audit_id = a.id GROUP BY fa.result) v), '{}')
                      AS "verdicts!: Json<std::collections::BTreeMap<String, i64>>",
                  (SELECT count(*) FROM (
                       SELECT r.id FROM recommendations r JOIN audit_follow_ups u ON u.followed_audit_id = r.audit_id
                        WHERE u.audit_id = a.id
                       UNION
                       SELECT fa.recommendation_id FROM follow_up_assessments fa JOIN audit_follow_ups u ON u.followed_audit_id = fa.audit_id
                        WHERE u.audit_id = a.id AND fa.result = ANY($3)
                       UNION
                       SELECT fa.recommendation_id FROM follow_up_assessments fa WHERE fa.audit_id = a.id) f) AS "followed!"
             FROM audits a
            WHERE a.municipality_id = $1 AND a.report_date <= $2
              AND (a.kind = 'uppfoljande' OR EXISTS (SELECT 1 FROM audit_follow_ups u WHERE u.audit_id = a.id))
            ORDER BY a.report_date DESC, a.title"#,
        m.uuid(),
        on,
        &FollowUpResult::codes(&FollowUpResult::REMAINS),
    )
    .fetch_all(db)
    .await?)
}
