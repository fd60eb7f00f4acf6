//! Recommendations: the register, status, edits and deletion.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::audit::{AuditRef, BodyName, check_bodies, get_audit};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::audits::model::{FollowUpResult, NewRecommendation, RecommendationEdit, Status};
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

    /// Whole months since its first report.
    pub fn age_months(&self, today: NaiveDate) -> Option<u32> {
        self.first_reported.map(|d| crate::web::format::months_between(d, today))
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
