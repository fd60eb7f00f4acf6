//! Audit questions, their assessments per body and the municipality's scale.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::audit::get_audit;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::audits::model::FollowUpResult;
use crate::db::MunicipalityId;
use crate::error::{AppResult, field_error};

/// The municipality's assessment scale, best first.
pub async fn scale(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<String>> {
    let custom =
        sqlx::query_scalar!("SELECT assessment_scale FROM audit_settings WHERE municipality_id = $1", m.uuid())
            .fetch_optional(db)
            .await?;
    Ok(custom.unwrap_or_else(|| crate::audits::model::DEFAULT_SCALE.iter().map(|s| s.to_string()).collect()))
}

pub async fn set_scale(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, steps: &[String]) -> AppResult<()> {
    let before = scale(&mut *tx, m).await?;
    sqlx::query!(
        "INSERT INTO audit_settings (municipality_id, assessment_scale) VALUES ($1, $2)
         ON CONFLICT (municipality_id) DO UPDATE SET assessment_scale = $2",
        m.uuid(),
        steps
    )
    .execute(&mut *tx)
    .await?;
    let change = Change::updated(
        Some(m),
        EntityType::Municipality,
        m.uuid(),
        json!({"Bedömningsskala": before.join(" / ")}),
        json!({"Bedömningsskala": steps.join(" / ")}),
    );
    audit_log::record(tx, actor, change).await
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assessment {
    pub body_id: Uuid,
    pub assessment: String,
    pub comment: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Question {
    pub id: Uuid,
    pub position: i32,
    pub text: String,
    #[schema(value_type = Vec<Assessment>)]
    pub assessments: Json<Vec<Assessment>>,
}

impl Question {
    pub fn assessment_for(&self, body_id: &Uuid) -> Option<&Assessment> {
        self.assessments.iter().find(|a| &a.body_id == body_id)
    }
}

pub async fn questions(db: impl PgExecutor<'_>, m: MunicipalityId, audit_id: Uuid) -> AppResult<Vec<Question>> {
    Ok(sqlx::query_as!(
        Question,
        r#"SELECT q.id, q.position, q.text,
                  COALESCE((SELECT json_agg(json_build_object('body_id', qa.body_id, 'assessment', qa.assessment, 'comment', qa.comment))
                              FROM question_assessments qa WHERE qa.question_id = q.id), '[]') AS "assessments!: Json<Vec<Assessment>>"
             FROM audit_questions q WHERE q.municipality_id = $1 AND q.audit_id = $2 ORDER BY q.position"#,
        m.uuid(),
        audit_id
    )
    .fetch_all(db)
    .await?)
}

pub async fn add_question(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    audit_id: Uuid,
    text: &str,
) -> AppResult<Uuid> {
    get_audit(&mut *tx, m, audit_id).await?;
    let text = text.trim();
    if text.is_empty() {
        return Err(field_error("text", "Skriv revisionsfrågan."));
    }
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO audit_questions (id, municipality_id, audit_id, position, text)
         VALUES ($1, $2, $3, (SELECT COALESCE(max(position), 0) + 1 FROM audit_questions WHERE audit_id = $3), $4)",
        id,
        m.uuid(),
        audit_id,
        text
    )
    .execute(&mut *tx)
    .await?;
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::Audit, audit_id, json!({}), json!({"Ny revisionsfråga": text})),
    )
    .await?;
    Ok(id)
}

/// Records how an audited body was assessed on a question, on the municipality's scale.
pub async fn assess(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    question_id: Uuid,
    assessment: &Assessment,
) -> AppResult<()> {
    let question = sqlx::query!(
        "SELECT q.audit_id, q.text FROM audit_questions q WHERE q.municipality_id = $1 AND q.id = $2",
        m.uuid(),
        question_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let audit = get_audit(&mut *tx, m, question.audit_id).await?;
    let Some(body) = audit.bodies.iter().find(|b| b.id == assessment.body_id) else {
        return Err(field_error("body_id", "Välj ett av de granskade organen."));
    };
    if !scale(&mut *tx, m).await?.contains(&assessment.assessment) {
        return Err(field_error("assessment", "Välj en bedömning på kommunens skala."));
    }
    sqlx::query!(
        "INSERT INTO question_assessments (municipality_id, question_id, body_id, assessment, comment) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (question_id, body_id) DO UPDATE SET assessment = $4, comment = $5",
        m.uuid(),
        question_id,
        assessment.body_id,
        assessment.assessment,
        assessment.comment.trim()
    )
    .execute(&mut *tx)
    .await?;
    let after = json!({"Revisionsfråga": question.text, "Organ": body.name, "Bedömning": assessment.assessment, "Kommentar": assessment.comment.trim()});
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Audit, audit.id, json!({}), after)).await
}

/// Per addressed body: how many of the recommendations the audit asks about (its own and
/// those it carries) it has answered.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AnswerCount {
    pub body_id: Uuid,
    pub body_name: String,
    pub addressed: i64,
    pub answered: i64,
}

pub async fn answer_counts(db: impl PgExecutor<'_>, m: MunicipalityId, audit_id: Uuid) -> AppResult<Vec<AnswerCount>> {
    Ok(sqlx::query_as!(
        AnswerCount,
        r#"SELECT b.id AS body_id, b.name AS body_name, count(*) AS "addressed!", count(rr.id) AS "answered!"
             FROM recommendations r
             JOIN recommendation_bodies rb ON rb.recommendation_id = r.id
             JOIN bodies b ON b.id = rb.body_id
             LEFT JOIN recommendation_responses rr
                    ON rr.audit_id = $2 AND rr.recommendation_id = r.id AND rr.body_id = rb.body_id
            WHERE r.municipality_id = $1
              AND (r.audit_id = $2
                   OR EXISTS (SELECT 1 FROM follow_up_assessments fa WHERE fa.audit_id = $2 AND fa.recommendation_id = r.id
                                 AND fa.result = ANY($3)))
            GROUP BY b.id, b.name ORDER BY body_rank(b.kind), b.name"#,
        m.uuid(),
        audit_id,
        &FollowUpResult::codes(&FollowUpResult::REMAINS)
    )
    .fetch_all(db)
    .await?)
}

/// The auditors' answers to an audit's questions for one body, counted per step of the scale:
/// a row of the auditors' overview.
pub struct AnswerTally {
    pub audit_id: Uuid,
    pub audit_title: String,
    pub body_name: String,
    /// "Ja 2 · Delvis 1", in the scale's order.
    pub answers: String,
}

/// Every audit's answers per body, newest audit first, bodies in Swedish order.
pub async fn answer_tallies(db: &mut PgConnection, m: MunicipalityId) -> AppResult<Vec<AnswerTally>> {
    let steps = scale(&mut *db, m).await?;
    let rows = sqlx::query!(
        r#"SELECT a.id AS audit_id, a.title, b.name AS body_name, qa.assessment, count(*) AS "n!"
             FROM question_assessments qa
             JOIN audit_questions q ON q.id = qa.question_id
             JOIN audits a ON a.id = q.audit_id
             JOIN bodies b ON b.id = qa.body_id
            WHERE qa.municipality_id = $1
            GROUP BY a.id, a.title, a.report_date, b.id, b.kind, b.name, qa.assessment
            ORDER BY a.report_date DESC, a.title, a.id, body_rank(b.kind), b.name"#,
        m.uuid()
    )
    .fetch_all(&mut *db)
    .await?;
    let mut tallies: Vec<(AnswerTally, Vec<(usize, String)>)> = Vec::new();
    for row in rows {
        let step = steps.iter().position(|s| *s == row.assessment).unwrap_or(steps.len());
        let count = (step, format!("{} {}", row.assessment, row.n));
        match tallies.last_mut() {
            Some((t, counts)) if t.audit_id == row.audit_id && t.body_name == row.body_name => counts.push(count),
            _ => tallies.push((
                AnswerTally {
                    audit_id: row.audit_id,
                    audit_title: row.title,
                    body_name: row.body_name,
                    answers: String::new(),
                },
                vec![count],
            )),
        }
    }
    Ok(tallies
        .into_iter()
        .map(|(mut tally, mut counts)| {
            counts.sort();
            tally.answers = counts.into_iter().map(|(_, text)| text).collect::<Vec<_>>().join(" · ");
            tally
        })
        .collect())
}
