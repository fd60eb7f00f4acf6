//! Recommendations: the register, status, edits, the bodies' responses, and how they stood on a given day.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::audit::{AuditRef, BodyName, check_bodies, get_audit, names};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::audits::model::{FollowUpResult, NewRecommendation, RecommendationEdit, ResponseInput, Status};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error};
use crate::web::pagination::{Asked, Pager};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Recommendation {
    pub id: Uuid,
    pub audit_id: Uuid,
    pub audit_title: String,
    /// The date of the report that first made the recommendation: its age counts from here.
    pub first_reported: Option<NaiveDate>,
    /// When the addressed bodies' answers were due (the audit's deadline).
    pub response_deadline: Option<NaiveDate>,
    pub position: i32,
    pub text: String,
    pub priority: Option<crate::audits::model::Priority>,
    pub areas: Vec<crate::audits::model::Area>,
    pub responsible_person_id: Option<Uuid>,
    pub responsible_name: Option<String>,
    pub target_date: Option<NaiveDate>,
    pub status: Status,
    pub status_comment: String,
    pub evidence: String,
    #[schema(value_type = Vec<BodyName>)]
    pub bodies: Json<Vec<BodyName>>,
    /// Follow-up audits that found it not (fully) met: it was carried into them.
    #[schema(value_type = Vec<AuditRef>)]
    pub carried_into: Json<Vec<AuditRef>>,
    /// The audit questions it answers.
    #[schema(value_type = Vec<QuestionRef>)]
    pub questions: Json<Vec<QuestionRef>>,
    /// The latest follow-up audit's verdict on it, if a follow-up has assessed it.
    pub latest_verdict: Option<FollowUpResult>,
    /// That follow-up audit's report date.
    pub latest_follow_up_on: Option<NaiveDate>,
    pub latest_follow_up_id: Option<Uuid>,
    pub latest_follow_up_title: Option<String>,
    /// When it last changed (its version, sent as ETag).
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuestionRef {
    pub id: Uuid,
    pub position: i32,
    pub text: String,
}

impl Recommendation {
    pub fn status(&self) -> Status {
        self.status
    }

    /// Where it was first made: "Granskning av informationssäkerhet (2021)".
    pub fn origin(&self) -> String {
        match self.first_reported {
            Some(on) => format!("{} ({})", self.audit_title, chrono::Datelike::year(&on)),
            None => self.audit_title.clone(),
        }
    }

    pub fn status_label(&self) -> &'static str {
        self.status().label()
    }

    pub fn bodies_text(&self) -> String {
        names(&self.bodies)
    }

    pub fn priority_label(&self) -> &'static str {
        self.priority.map_or("Ej angiven", crate::audits::model::Priority::label)
    }

    /// Whole months since its first report.
    pub fn age_months(&self, today: NaiveDate) -> Option<u32> {
        self.first_reported.map(|d| crate::web::format::months_between(d, today))
    }

    /// Its age today in years and months, "–" without a report date.
    pub fn age_text(&self, today: NaiveDate) -> String {
        self.age_months(today).map(crate::web::format::years_months).unwrap_or_else(|| "–".into())
    }

    /// "Ej åtgärdad", or empty when no follow-up has assessed it.
    pub fn verdict_label(&self) -> &'static str {
        self.latest_verdict.map(FollowUpResult::label).unwrap_or("")
    }

    /// Its age at the latest follow-up: "2 år 1 mån vid uppföljningen 2023-11-15".
    pub fn age_at_latest_follow_up(&self) -> Option<String> {
        Some(crate::audits::model::age_at_follow_up(self.first_reported?, self.latest_follow_up_on?))
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        crate::audits::model::is_overdue(self.status, self.target_date, today)
    }

    fn snapshot(&self) -> Value {
        json!({
            "Text": self.text, "Organ": self.bodies_text(), "Prioritet": self.priority_label(),
            "Områden": self.areas.iter().map(|a| a.label()).collect::<Vec<_>>().join(", "),
            "Ansvarig": self.responsible_name, "Måldatum": self.target_date, "Status": self.status_label(),
            "Kommentar": self.status_comment, "Underlag": self.evidence,
            "Revisionsfrågor": self.questions.iter().map(|q| q.position.to_string()).collect::<Vec<_>>().join(", "),
        })
    }
}

/// Filters for the recommendation register.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct Filter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub body_id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub audit_id: String,
    /// "1" for only overdue (open and past the target date).
    #[serde(default)]
    pub overdue: String,
    /// "1" for only those carried over from an earlier audit (found not met in a follow-up).
    #[serde(default)]
    pub carried: String,
    /// An area tag, e.g. "klassning".
    #[serde(default)]
    pub area: String,
    /// Only those first made at least this many days ago.
    #[serde(default)]
    pub min_age_days: String,
    /// The latest follow-up verdict (atgardad, delvis, ej_atgardad, inaktuell), or "ingen"
    /// for those no follow-up has assessed.
    #[serde(default)]
    pub verdict: String,
    /// "ansvarig" or "maldatum": open recommendations that lack a responsible person or a target date.
    #[serde(default)]
    pub missing: String,
    /// "age" (oldest first), "target" (earliest target date first), "status"; default: by audit.
    #[serde(default)]
    pub sort: String,
    /// The page of the register page; the API documents its own `page` with `limit`.
    #[param(ignore)]
    #[serde(skip_serializing)]
    pub page: Option<String>,
    /// Only those of audits of these bodies: a lay auditor's reach, set by the server (never
    /// read from an address).
    #[param(ignore)]
    #[serde(skip)]
    pub within_bodies: Option<Vec<Uuid>>,
}

/// The figures above the register, of the recommendations that pass its filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegisterFigures {
    pub total: i64,
    pub open: i64,
    pub claimed: i64,
    pub verified: i64,
    pub overdue: i64,
    /// The first report date of the open recommendation of median age (the younger of the two
    /// middle ones), from which the page tells the median age.
    pub median_first_reported: Option<NaiveDate>,
}

/// The ids of the recommendations that pass the register's filter, in its order (ending with
/// the id; `limit` of them from `offset`, clamped to the last page), and the register's figures
/// of all that pass: counted in PostgreSQL, so the page reads one page of rows whatever the
/// register holds. `is_overdue` is the overdue rule, and the verdict is read only when the
/// filter asks for one.
async fn matching(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    filter: &Filter,
    today: NaiveDate,
    asked: Asked,
) -> AppResult<(Vec<Uuid>, RegisterFigures)> {
    let body_id = Uuid::parse_str(filter.body_id.trim()).ok();
    let audit_id = Uuid::parse_str(filter.audit_id.trim()).ok();
    let found = sqlx::query!(
        r#"WITH matching AS MATERIALIZED (
             SELECT r.id, r.status, r.target_date, r.position, a.report_date
               FROM recommendations r
               JOIN audits a ON a.id = r.audit_id
              WHERE r.municipality_id = $1
                AND ($2 = '' OR r.text ILIKE '%' || $2 || '%')
                AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM recommendation_bodies rb WHERE rb.recommendation_id = r.id AND rb.body_id = $3))
                AND ($4 = '' OR r.status = $4)
                AND ($5 = '' OR r.priority = $5)
                AND ($6::uuid IS NULL OR r.audit_id = $6
                     OR EXISTS (SELECT 1 FROM follow_up_assessments fa
                                 WHERE fa.recommendation_id = r.id AND fa.audit_id = $6 AND fa.result = ANY($16)))
                AND ($7 = '' OR (r.status = ANY($15) AND r.target_date < $8))
                AND ($9 = '' OR EXISTS (SELECT 1 FROM follow_up_assessments fa
                                          WHERE fa.recommendation_id = r.id AND fa.result = ANY($16)))
                AND ($10 = '' OR $10 = ANY(r.areas))
                AND ($11::int IS NULL OR a.report_date <= $8::date - $11::int)
                -- The latest verdict, read only when asked for (OR stops early); 'ingen' is none.
                AND ($13 = '' OR $13 = COALESCE(
                       (SELECT fa.result FROM follow_up_assessments fa JOIN audits f ON f.id = fa.audit_id
                         WHERE fa.recommendation_id = r.id
                         ORDER BY f.report_date DESC NULLS LAST, fa.assessed_at DESC LIMIT 1), 'ingen'))
                AND ($14 = '' OR (r.status = ANY($15)
                                  AND (($14 = 'ansvarig' AND r.responsible_person_id IS NULL)
                                       OR ($14 = 'maldatum' AND r.target_date IS NULL))))
                AND ($21::uuid[] IS NULL OR EXISTS (SELECT 1 FROM audit_bodies ab WHERE ab.audit_id = r.audit_id AND ab.body_id = ANY($21)))),
           figures AS (
             SELECT count(*) AS total,
                    count(*) FILTER (WHERE status = ANY($15)) AS open,
                    count(*) FILTER (WHERE status = $19) AS claimed,
                    count(*) FILTER (WHERE status = $20) AS verified,
                    count(*) FILTER (WHERE status = ANY($15) AND target_date < $8) AS overdue,
                    percentile_disc(0.5) WITHIN GROUP (ORDER BY report_date DESC)
                      FILTER (WHERE status = ANY($15) AND report_date IS NOT NULL) AS median_first_reported
               FROM matching)
           SELECT f.total AS "total!", f.open AS "open!", f.claimed AS "claimed!", f.verified AS "verified!",
                  f.overdue AS "overdue!", f.median_first_reported,
                  ARRAY(SELECT id FROM matching
                         ORDER BY CASE WHEN $12 = 'age' THEN report_date END ASC NULLS LAST,
                                  CASE WHEN $12 = 'target' THEN target_date END ASC NULLS LAST,
                                  CASE WHEN $12 = 'status' THEN status END,
                                  report_date NULLS LAST, position, id
                         LIMIT $17 OFFSET LEAST($18, GREATEST(f.total - 1, 0) / $17 * $17)) AS "ids!"
             FROM figures f"#,
        m.uuid(),
        crate::web::search::contains(&filter.q),
        body_id,
        filter.status.trim(),
        filter.priority.trim(),
        audit_id,
        filter.overdue.trim(),
        today,
        filter.carried.trim(),
        filter.area.trim(),
        filter.min_age_days.trim().parse::<i32>().ok(),
        filter.sort.trim(),
        filter.verdict.trim(),
        filter.missing.trim(),
        &Status::codes(&Status::OPEN),
        &FollowUpResult::codes(&FollowUpResult::REMAINS),
        asked.per_page,
        asked.offset(),
        Status::Atgardad.code(),
        Status::Verifierad.code(),
        filter.within_bodies.as_deref() as Option<&[Uuid]>,
    )
    .fetch_one(db)
    .await?;
    let figures = RegisterFigures {
        total: found.total,
        open: found.open,
        claimed: found.claimed,
        verified: found.verified,
        overdue: found.overdue,
        median_first_reported: found.median_first_reported,
    };
    Ok((found.ids, figures))
}

/// Recommendations in full, in the order of `ids`.
async fn by_ids(db: impl PgExecutor<'_>, m: MunicipalityId, ids: &[Uuid]) -> AppResult<Vec<Recommendation>> {
    Ok(sqlx::query_as!(
        Recommendation,
        r#"SELECT r.id, r.audit_id, a.title AS audit_title, a.report_date AS first_reported, a.response_deadline, r.position, r.text,
                  r.priority AS "priority: crate::audits::model::Priority", r.areas AS "areas: Vec<crate::audits::model::Area>", r.responsible_person_id, p.name AS "responsible_name?", r.target_date,
                  r.status AS "status: Status", r.status_comment, r.evidence,
                  COALESCE((SELECT json_agg(json_build_object('id', b.id, 'name', b.name) ORDER BY body_rank(b.kind), b.name)
                              FROM recommendation_bodies rb JOIN bodies b ON b.id = rb.body_id WHERE rb.recommendation_id = r.id), '[]')
                      AS "bodies!: Json<Vec<BodyName>>",
                  COALESCE((SELECT json_agg(json_build_object('id', f.id, 'title', f.title) ORDER BY f.report_date)
                              FROM follow_up_assessments fa JOIN audits f ON f.id = fa.audit_id
                             WHERE fa.recommendation_id = r.id AND fa.result = ANY($3)), '[]')
                      AS "carried_into!: Json<Vec<AuditRef>>",
                  COALESCE((SELECT json_agg(json_build_object('id', q.id, 'position', q.position, 'text', q.text) ORDER BY q.position)
                              FROM recommendation_questions rq JOIN audit_questions q ON q.id = rq.question_id
                             WHERE rq.recommendation_id = r.id), '[]') AS "questions!: Json<Vec<QuestionRef>>",
                  v.result AS "latest_verdict?: FollowUpResult", v.report_date AS "latest_follow_up_on?",
                  v.audit_id AS "latest_follow_up_id?", v.title AS "latest_follow_up_title?", r.updated_at
             FROM recommendations r
             JOIN audits a ON a.id = r.audit_id
             LEFT JOIN people p ON p.id = r.responsible_person_id
             LEFT JOIN LATERAL (
                   SELECT fa.result, f.report_date, f.id AS audit_id, f.title
                     FROM follow_up_assessments fa JOIN audits f ON f.id = fa.audit_id
                    WHERE fa.recommendation_id = r.id
                    ORDER BY f.report_date DESC NULLS LAST, fa.assessed_at DESC LIMIT 1) v ON true
            WHERE r.municipality_id = $1 AND r.id = ANY($2)
            ORDER BY array_position($2, r.id)"#,
        m.uuid(),
        ids,
        &FollowUpResult::codes(&FollowUpResult::REMAINS),
    )
    .fetch_all(db)
    .await?)
}

/// Every recommendation that passes the filter, in the register's order.
pub async fn list_recommendations(
    db: &PgPool,
    m: MunicipalityId,
    filter: &Filter,
    today: NaiveDate,
) -> AppResult<Vec<Recommendation>> {
    let (ids, _) = matching(db, m, filter, today, Asked::ALL).await?;
    by_ids(db, m, &ids).await
}

/// One page of the register, where it sits, and the register's figures.
pub async fn register_page(
    db: &PgPool,
    m: MunicipalityId,
    filter: &Filter,
    today: NaiveDate,
    asked: Asked,
) -> AppResult<(Vec<Recommendation>, Pager, RegisterFigures)> {
    let (ids, figures) = matching(db, m, filter, today, asked).await?;
    let pager = Pager::sized(asked.page, asked.per_page, figures.total);
    Ok((by_ids(db, m, &ids).await?, pager, figures))
}

pub async fn get_recommendation(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Recommendation> {
    by_ids(db, m, &[id]).await?.pop().ok_or(AppError::NotFound)
}

/// Adds recommendations to an audit, numbered after those it has.
pub async fn add_recommendations(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    audit_id: Uuid,
    items: &[NewRecommendation],
) -> AppResult<Vec<Uuid>> {
    get_audit(&mut *tx, m, audit_id).await?;
    let all_bodies: Vec<Uuid> = items.iter().flat_map(|i| i.body_ids.iter().copied()).collect();
    check_bodies(tx, m, &all_bodies).await?;
    let mut position: i32 = sqlx::query_scalar!(
        r#"SELECT COALESCE(max(position), 0) AS "n!" FROM recommendations WHERE audit_id = $1"#,
        audit_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let mut ids = Vec::new();
    for item in items {
        position += 1;
        let id = Uuid::new_v4();
        sqlx::query!(
            "INSERT INTO recommendations (id, municipality_id, audit_id, position, text, priority, target_date)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            id,
            m.uuid(),
            audit_id,
            position,
            item.text,
            item.priority,
            item.target_date
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO recommendation_bodies (municipality_id, recommendation_id, body_id) SELECT $1, $2, unnest($3::uuid[])",
            m.uuid(),
            id,
            &item.body_ids
        )
        .execute(&mut *tx)
        .await?;
        let created = get_recommendation(&mut *tx, m, id).await?;
        audit_log::record(tx, actor, Change::created(Some(m), EntityType::Recommendation, id, created.snapshot()))
            .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Records a change of status with its comment (and, for a claim, the evidence).
pub async fn set_status(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    status: Status,
    comment: &str,
    evidence: Option<&str>,
) -> AppResult<Recommendation> {
    let before = get_recommendation(&mut *tx, m, id).await?;
    sqlx::query!(
        "UPDATE recommendations SET status = $3, status_comment = $4, evidence = COALESCE($5, evidence), updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        status.code(),
        comment.trim(),
        evidence.map(str::trim)
    )
    .execute(&mut *tx)
    .await?;
    let after = get_recommendation(&mut *tx, m, id).await?;
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::Recommendation, id, before.snapshot(), after.snapshot()),
    )
    .await?;
    Ok(after)
}

/// Whether the user is named responsible for the recommendation or one of its actions.
pub async fn is_responsible(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid, user_id: Uuid) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM people p
                WHERE p.municipality_id = $1 AND p.user_id = $3
                  AND (p.id = (SELECT responsible_person_id FROM recommendations WHERE id = $2)
                       OR p.id IN (SELECT owner_person_id FROM actions WHERE recommendation_id = $2))
           ) AS "yes!""#,
        m.uuid(),
        id,
        user_id
    )
    .fetch_one(db)
    .await?)
}

/// Changes a recommendation's text, priority, areas, responsible person and target date.
pub async fn update_recommendation(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    edit: &RecommendationEdit,
) -> AppResult<Recommendation> {
    let before = get_recommendation(&mut *tx, m, id).await?;
    crate::org::store::check_person(tx, m, edit.responsible_person_id, "responsible_person_id").await?;
    sqlx::query!(
        "UPDATE recommendations SET text = $3, priority = $4, areas = $5, responsible_person_id = $6, target_date = $7, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        edit.text,
        edit.priority.map(crate::audits::model::Priority::code),
        &crate::audits::model::Area::codes(&edit.areas),
        edit.responsible_person_id,
        edit.target_date
    )
    .execute(&mut *tx)
    .await?;
    let linkable: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audit_questions WHERE municipality_id = $1 AND audit_id = $2 AND id = ANY($3)"#,
        m.uuid(),
        before.audit_id,
        &edit.question_ids
    )
    .fetch_one(&mut *tx)
    .await?;
    if linkable as usize != edit.question_ids.len() {
        return Err(field_error("question_ids", "Välj bland granskningens egna revisionsfrågor."));
    }
    sqlx::query!(
        "DELETE FROM recommendation_questions WHERE municipality_id = $1 AND recommendation_id = $2",
        m.uuid(),
        id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO recommendation_questions (municipality_id, recommendation_id, question_id) SELECT $1, $2, unnest($3::uuid[])",
        m.uuid(),
        id,
        &edit.question_ids
    )
    .execute(&mut *tx)
    .await?;
    let after = get_recommendation(&mut *tx, m, id).await?;
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::Recommendation, id, before.snapshot(), after.snapshot()),
    )
    .await?;
    Ok(after)
}

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

/// What keeps a recommendation from being deleted, in words: empty when it may be.
pub async fn recommendation_holds(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Vec<String>> {
    let found = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM actions WHERE municipality_id = $1 AND recommendation_id = $2) AS "actions!",
                  (SELECT count(*) FROM recommendation_responses WHERE municipality_id = $1 AND recommendation_id = $2) AS "responses!",
                  (SELECT count(*) FROM follow_up_assessments WHERE municipality_id = $1 AND recommendation_id = $2) AS "verdicts!",
                  (SELECT status FROM recommendations WHERE municipality_id = $1 AND id = $2) AS "status?""#,
        m.uuid(),
        id
    )
    .fetch_one(db)
    .await?;
    Ok(recommendation_hold_reasons(found.actions, found.responses, found.verdicts, found.status.as_deref()))
}

/// The reasons, in the order a coordinator would undo them.
pub fn recommendation_hold_reasons(actions: i64, responses: i64, verdicts: i64, status: Option<&str>) -> Vec<String> {
    use crate::web::format::count;
    let mut reasons = Vec::new();
    if verdicts > 0 {
        reasons.push(format!(
            "Den är bedömd i {} (överförd dit). Ta först bort bedömningen på uppföljningens sida.",
            count(verdicts as usize, "uppföljning", "uppföljningar")
        ));
    }
    if actions > 0 {
        reasons.push(format!("Den har {}.", count(actions as usize, "åtgärd", "åtgärder")));
    }
    if responses > 0 {
        reasons.push(format!("Den har {} från nämnderna.", count(responses as usize, "yttrande", "yttranden")));
    }
    if status.is_some_and(|s| s != Status::Oppen.code()) {
        reasons.push("Dess status har ändrats.".into());
    }
    reasons
}

/// Removes a recommendation entered by mistake: only while nothing hangs on it yet.
pub async fn delete_recommendation(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
) -> AppResult<Uuid> {
    let before = get_recommendation(&mut *tx, m, id).await?;
    let holds = recommendation_holds(&mut *tx, m, id).await?;
    if !holds.is_empty() {
        return Err(AppError::Conflict(format!("Rekommendationen kan inte tas bort. {}", holds.join(" "))));
    }
    sqlx::query!("DELETE FROM recommendations WHERE municipality_id = $1 AND id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await?;
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::Recommendation, id, before.snapshot())).await?;
    Ok(before.audit_id)
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
