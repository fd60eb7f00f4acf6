//! Audits: their facts, audited bodies, the audits they follow up, the report file.

use crate::audits::model::{AuditKind, Commissioner};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::audit_log::{self, Actor, Change, EntityType};
use crate::audits::model::{AuditInput, Status};
use crate::db::MunicipalityId;
use crate::error::{AppResult, field_error};

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BodyName {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Audit {
    pub id: Uuid,
    pub title: String,
    pub audit_firm: String,
    /// revisorerna or lekmannarevisorerna.
    pub commissioned_by: Commissioner,
    /// granskning, forstudie or uppfoljande.
    pub kind: AuditKind,
    pub report_date: Option<NaiveDate>,
    pub plan_year: Option<i32>,
    pub overall_assessment: String,
    pub response_deadline: Option<NaiveDate>,
    #[schema(value_type = Vec<BodyName>)]
    pub bodies: Json<Vec<BodyName>>,
    /// The audits this one follows up.
    #[schema(value_type = Vec<AuditRef>)]
    pub follows: Json<Vec<AuditRef>>,
    /// The uploaded report's file name, when there is one.
    pub report_file_name: Option<String>,
    /// When it last changed (its version, sent as ETag).
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditRef {
    pub id: Uuid,
    pub title: String,
}

impl Audit {
    fn snapshot(&self) -> Value {
        json!({
            "Titel": self.title, "Revisionsbyrå": self.audit_firm, "Beställd av": self.commissioned_by.label(),
            "Typ": self.kind_label(), "Rapportdatum": self.report_date, "Revisionsplan": self.plan_year,
            "Samlad bedömning": self.overall_assessment, "Svar senast": self.response_deadline,
            "Granskade organ": self.bodies_text(),
        })
    }
}

pub async fn get_audit(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Audit> {
    Ok(sqlx::query_as!(
        Audit,
        r#"SELECT a.id, a.title, a.audit_firm, a.commissioned_by AS "commissioned_by: Commissioner", a.kind AS "kind: AuditKind", a.report_date, a.plan_year,
                  a.overall_assessment, a.response_deadline,
                  COALESCE((SELECT json_agg(json_build_object('id', b.id, 'name', b.name) ORDER BY body_rank(b.kind), b.name)
                              FROM audit_bodies ab JOIN bodies b ON b.id = ab.body_id WHERE ab.audit_id = a.id), '[]')
                      AS "bodies!: Json<Vec<BodyName>>",
                  COALESCE((SELECT json_agg(json_build_object('id', f.id, 'title', f.title) ORDER BY f.report_date)
                              FROM audit_follow_ups u JOIN audits f ON f.id = u.followed_audit_id WHERE u.audit_id = a.id), '[]')
                      AS "follows!: Json<Vec<AuditRef>>",
                  (SELECT file_name FROM audit_reports r WHERE r.audit_id = a.id) AS report_file_name, a.updated_at
             FROM audits a WHERE a.municipality_id = $1 AND a.id = $2"#,
        m.uuid(),
        id
    )
    .fetch_one(db)
    .await?)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditSummary {
    pub id: Uuid,
    pub title: String,
    pub kind: AuditKind,
    pub report_date: Option<NaiveDate>,
    /// Its own recommendations, first made in it.
    pub recommendations: i64,
    pub open: i64,
    /// Earlier recommendations it follows up and found not (fully) met: carried into it.
    pub carried: i64,
}

/// The municipality's audits, or (`within`) only those auditing one of these bodies.
pub async fn list_audits(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    within: Option<&[Uuid]>,
) -> AppResult<Vec<AuditSummary>> {
    Ok(sqlx::query_as!(
        AuditSummary,
        r#"SELECT a.id, a.title, a.kind AS "kind: AuditKind", a.report_date,
                  (SELECT count(*) FROM recommendations r WHERE r.audit_id = a.id) AS "recommendations!",
                  (SELECT count(*) FROM recommendations r WHERE r.audit_id = a.id AND r.status = ANY($2)) AS "open!",
                  (SELECT count(*) FROM follow_up_assessments fa WHERE fa.audit_id = a.id AND fa.result = ANY($3)) AS "carried!"
             FROM audits a WHERE a.municipality_id = $1
              AND ($4::uuid[] IS NULL OR EXISTS (SELECT 1 FROM audit_bodies ab WHERE ab.audit_id = a.id AND ab.body_id = ANY($4)))
            ORDER BY a.report_date DESC NULLS FIRST, a.title"#,
        m.uuid(),
        &Status::codes(&Status::OPEN),
        &crate::audits::model::FollowUpResult::codes(&crate::audits::model::FollowUpResult::REMAINS),
        within as Option<&[Uuid]>
    )
    .fetch_all(db)
    .await?)
}

/// A record of the audits area, by what it is.
#[derive(Clone, Copy, Debug)]
pub enum Record {
    Audit(Uuid),
    Recommendation(Uuid),
    Question(Uuid),
}

/// The bodies audited by the audit a record belongs to: what decides whether a lay auditor
/// reaches it. Not found when the municipality has no such record.
pub async fn audited_bodies(db: impl PgExecutor<'_>, m: MunicipalityId, record: Record) -> AppResult<Vec<Uuid>> {
    let (audit, recommendation, question) = match record {
        Record::Audit(id) => (Some(id), None, None),
        Record::Recommendation(id) => (None, Some(id), None),
        Record::Question(id) => (None, None, Some(id)),
    };
    sqlx::query_scalar!(
        r#"SELECT ARRAY(SELECT ab.body_id FROM audit_bodies ab WHERE ab.audit_id = a.id) AS "bodies!"
             FROM audits a
            WHERE a.municipality_id = $1
              AND a.id = COALESCE($2, (SELECT r.audit_id FROM recommendations r WHERE r.municipality_id = $1 AND r.id = $3),
                                      (SELECT q.audit_id FROM audit_questions q WHERE q.municipality_id = $1 AND q.id = $4))"#,
        m.uuid(),
        audit,
        recommendation,
        question
    )
    .fetch_optional(db)
    .await?
    .ok_or(crate::error::AppError::NotFound)
}

fn distinct(ids: &[Uuid]) -> Vec<Uuid> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Body ids from a form must name bodies of this municipality.
pub(super) async fn check_bodies(tx: &mut PgConnection, m: MunicipalityId, ids: &[Uuid]) -> AppResult<()> {
    let ids = distinct(ids);
    let found = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM bodies WHERE municipality_id = $1 AND id = ANY($2)"#,
        m.uuid(),
        &ids
    )
    .fetch_one(&mut *tx)
    .await?;
    if found as usize == ids.len() { Ok(()) } else { Err(field_error("body_ids", "Välj bland kommunens egna organ.")) }
}

/// Audit ids from a form must name audits of this municipality.
async fn check_audits(tx: &mut PgConnection, m: MunicipalityId, ids: &[Uuid]) -> AppResult<()> {
    let ids = distinct(ids);
    let found = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audits WHERE municipality_id = $1 AND id = ANY($2)"#,
        m.uuid(),
        &ids
    )
    .fetch_one(&mut *tx)
    .await?;
    if found as usize == ids.len() {
        Ok(())
    } else {
        Err(field_error("follows", "Välj bland kommunens egna granskningar."))
    }
}

/// Sets the audit's audited bodies and the audits it follows up to the input's.
async fn set_links(tx: &mut PgConnection, m: MunicipalityId, id: Uuid, input: &AuditInput) -> AppResult<()> {
    sqlx::query!("DELETE FROM audit_bodies WHERE municipality_id = $1 AND audit_id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO audit_bodies (municipality_id, audit_id, body_id) SELECT $1, $2, unnest($3::uuid[])",
        m.uuid(),
        id,
        &input.body_ids
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM audit_follow_ups WHERE municipality_id = $1 AND audit_id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO audit_follow_ups (municipality_id, audit_id, followed_audit_id) SELECT $1, $2, unnest($3::uuid[])",
        m.uuid(),
        id,
        &input.follows
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn create_audit(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &AuditInput,
) -> AppResult<Audit> {
    check_bodies(tx, m, &input.body_ids).await?;
    check_audits(tx, m, &input.follows).await?;
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO audits (id, municipality_id, title, audit_firm, commissioned_by, kind, report_date, plan_year,
                             overall_assessment, response_deadline)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        id,
        m.uuid(),
        input.title,
        input.audit_firm,
        input.commissioned_by.code(),
        input.kind.code(),
        input.report_date,
        input.plan_year,
        input.overall_assessment,
        input.response_deadline
    )
    .execute(&mut *tx)
    .await?;
    set_links(tx, m, id, input).await?;
    let audit = get_audit(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::Audit, id, audit.snapshot())).await?;
    Ok(audit)
}

/// Stores (or replaces) the audit's report file.
pub async fn save_report(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    audit_id: Uuid,
    file_name: &str,
    content: &[u8],
) -> AppResult<()> {
    get_audit(&mut *tx, m, audit_id).await?;
    let sha256 = <sha2::Sha256 as sha2::Digest>::digest(content).to_vec();
    sqlx::query!(
        "INSERT INTO audit_reports (audit_id, municipality_id, file_name, size_bytes, sha256, content) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (audit_id) DO UPDATE SET file_name = $3, size_bytes = $4, sha256 = $5, content = $6, uploaded_at = now()",
        audit_id,
        m.uuid(),
        file_name,
        content.len() as i32,
        sha256,
        content
    )
    .execute(&mut *tx)
    .await?;
    let after = json!({"Rapport": file_name, "Storlek (byte)": content.len(), "SHA-256": hex::encode(&sha256)});
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Audit, audit_id, json!({}), after)).await
}

pub struct Report {
    pub file_name: String,
    pub content: Vec<u8>,
}

pub async fn report(db: impl PgExecutor<'_>, m: MunicipalityId, audit_id: Uuid) -> AppResult<Report> {
    Ok(sqlx::query_as!(
        Report,
        "SELECT file_name, content FROM audit_reports WHERE municipality_id = $1 AND audit_id = $2",
        m.uuid(),
        audit_id
    )
    .fetch_one(db)
    .await?)
}

/// Changes an audit's facts, its audited bodies and the audits it follows up.
pub async fn update_audit(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &AuditInput,
) -> AppResult<Audit> {
    let before = get_audit(&mut *tx, m, id).await?;
    check_bodies(tx, m, &input.body_ids).await?;
    check_audits(tx, m, &input.follows).await?;
    if input.follows.contains(&id) {
        return Err(field_error("follows", "En granskning kan inte följa upp sig själv."));
    }
    sqlx::query!(
        "UPDATE audits SET title = $3, audit_firm = $4, commissioned_by = $5, kind = $6, report_date = $7, plan_year = $8,
                           overall_assessment = $9, response_deadline = $10, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.title,
        input.audit_firm,
        input.commissioned_by.code(),
        input.kind.code(),
        input.report_date,
        input.plan_year,
        input.overall_assessment,
        input.response_deadline
    )
    .execute(&mut *tx)
    .await?;
    set_links(tx, m, id, input).await?;
    super::withdraw_unfollowed(tx, actor, m, id).await?;
    let after = get_audit(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Audit, id, before.snapshot(), after.snapshot()))
        .await?;
    Ok(after)
}

/// What keeps an audit from being deleted, in words: anything recorded on it beyond its own
/// recommendations as they were entered. Empty when it may be deleted.
pub async fn audit_holds(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Vec<String>> {
    use crate::web::format::count;
    let found = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM audit_follow_ups WHERE municipality_id = $1 AND followed_audit_id = $2) AS "followed_by!",
                  (SELECT count(*) FROM follow_up_assessments WHERE municipality_id = $1 AND audit_id = $2) AS "verdicts_given!",
                  (SELECT count(*) FROM follow_up_assessments fa JOIN recommendations r ON r.id = fa.recommendation_id
                    WHERE r.municipality_id = $1 AND r.audit_id = $2) AS "verdicts_on_own!",
                  (SELECT count(*) FROM recommendation_responses
                    WHERE municipality_id = $1 AND (audit_id = $2 OR recommendation_id IN
                          (SELECT id FROM recommendations WHERE audit_id = $2))) AS "responses!",
                  (SELECT count(*) FROM actions a JOIN recommendations r ON r.id = a.recommendation_id
                    WHERE r.municipality_id = $1 AND r.audit_id = $2) AS "actions!",
                  (SELECT count(*) FROM recommendations WHERE municipality_id = $1 AND audit_id = $2 AND status <> $3) AS "statuses!",
                  (SELECT count(*) FROM question_assessments qa JOIN audit_questions q ON q.id = qa.question_id
                    WHERE q.municipality_id = $1 AND q.audit_id = $2) AS "assessments!""#,
        m.uuid(),
        id,
        Status::Oppen.code()
    )
    .fetch_one(db)
    .await?;
    let mut reasons = Vec::new();
    let mut hold = |n: i64, one: &str, many: &str, then: &str| {
        if n > 0 {
            reasons.push(format!("{} {then}", count(n as usize, one, many)));
        }
    };
    hold(
        found.followed_by,
        "uppföljning följer upp den",
        "uppföljningar följer upp den",
        "(ta bort kopplingen i uppföljningen).",
    );
    hold(found.verdicts_given, "bedömning", "bedömningar", "av tidigare rekommendationer är registrerade i den.");
    hold(found.verdicts_on_own, "bedömning", "bedömningar", "av dess rekommendationer finns i uppföljningar.");
    hold(found.responses, "yttrande", "yttranden", "från nämnderna är registrerade.");
    hold(found.actions, "åtgärd", "åtgärder", "kommer från dess rekommendationer.");
    hold(found.statuses, "rekommendation", "rekommendationer", "har fått en ny status.");
    hold(found.assessments, "bedömning", "bedömningar", "av revisionsfrågor är registrerade.");
    Ok(reasons)
}

/// Deletes an audit entered by mistake, with its own recommendations, questions and report file:
/// only while nothing else is recorded on it (`audit_holds`).
pub async fn delete_audit(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<()> {
    let before = get_audit(&mut *tx, m, id).await?;
    let holds = audit_holds(&mut *tx, m, id).await?;
    if !holds.is_empty() {
        return Err(crate::error::AppError::Conflict(format!("Granskningen kan inte tas bort: {}", holds.join(" "))));
    }
    let recommendations = sqlx::query_scalar!(
        "DELETE FROM recommendations WHERE municipality_id = $1 AND audit_id = $2 RETURNING id",
        m.uuid(),
        id
    )
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM audits WHERE municipality_id = $1 AND id = $2", m.uuid(), id).execute(&mut *tx).await?;
    let mut snapshot = before.snapshot();
    snapshot["Rekommendationer"] = json!(recommendations.len());
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::Audit, id, snapshot)).await
}
