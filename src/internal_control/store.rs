//! Queries for internal control: control points per body and year with their results;
//! scoped by municipality and audited.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{Frequency, Light, Method, Outcome, PointInput, ReportedAt, ResultInput};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error};

/// A performed control.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ControlResult {
    pub id: Uuid,
    pub performed_on: NaiveDate,
    /// utan_anmarkning or avvikelse.
    pub outcome: Outcome,
    pub comment: String,
    /// The action a deviation proposed.
    pub action_id: Option<Uuid>,
    pub recorded_by: String,
    pub file_id: Option<Uuid>,
    pub file_name: Option<String>,
}

/// A control point in a body's internal control plan for a year.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Point {
    pub id: Uuid,
    pub body_id: Uuid,
    pub body_name: String,
    pub year: i16,
    pub area: String,
    pub risk: String,
    pub risk_id: Option<Uuid>,
    pub recommendation_id: Option<Uuid>,
    pub system_id: Option<Uuid>,
    pub system_name: Option<String>,
    pub measure_id: Option<Uuid>,
    pub control: String,
    pub method: Method,
    pub sample: String,
    pub frequency: Frequency,
    pub responsible_person_id: Option<Uuid>,
    pub responsible_name: Option<String>,
    #[serde(skip)]
    pub responsible_user_id: Option<Uuid>,
    pub reported_at: ReportedAt,
    /// The starter point it was copied from.
    pub starter: Option<String>,
    #[schema(value_type = Vec<ControlResult>)]
    pub results: Json<Vec<ControlResult>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Point {
    pub fn light(&self, today: NaiveDate) -> Light {
        let results: Vec<(NaiveDate, Outcome)> = self.results.iter().map(|r| (r.performed_on, r.outcome)).collect();
        super::model::light(i32::from(self.year), self.frequency, &results, today)
    }

    pub fn next_due(&self) -> Option<NaiveDate> {
        let performed: Vec<NaiveDate> = self.results.iter().map(|r| r.performed_on).collect();
        super::model::next_due(i32::from(self.year), self.frequency, &performed)
    }

    pub fn deviations(&self) -> usize {
        self.results.iter().filter(|r| r.outcome == Outcome::Deviation).count()
    }

    fn snapshot(&self) -> Value {
        json!({"Nämnd eller bolag": self.body_name, "År": self.year, "Område": self.area, "Risk": self.risk,
               "Kontrollmoment": self.control, "Metod": self.method.label(), "Urval": self.sample,
               "Frekvens": self.frequency.label(), "Ansvarig": self.responsible_name,
               "Rapporteras": self.reported_at.label(), "System": self.system_name})
    }
}

/// Which points to read.
#[derive(Clone, Copy, Debug, Default)]
pub struct Selection<'a> {
    pub body_id: Option<Uuid>,
    pub year: Option<i16>,
    pub id: Option<Uuid>,
    /// Only these bodies (a lay auditor's); all when None.
    pub within: Option<&'a [Uuid]>,
}

pub async fn points(db: impl PgExecutor<'_>, m: MunicipalityId, s: Selection<'_>) -> AppResult<Vec<Point>> {
    Ok(sqlx::query_as!(
        Point,
        r#"SELECT c.id, c.body_id, b.name AS body_name, c.year, c.area, c.risk, c.risk_id, c.recommendation_id, c.system_id,
                  sy.name AS "system_name?", c.measure_id, c.control, c.method AS "method: Method", c.sample,
                  c.frequency AS "frequency: Frequency", c.responsible_person_id, p.name AS "responsible_name?",
                  p.user_id AS responsible_user_id, c.reported_at AS "reported_at: ReportedAt", c.starter,
                  COALESCE((SELECT jsonb_agg(jsonb_build_object(
                              'id', r.id, 'performed_on', r.performed_on, 'outcome', r.outcome, 'comment', r.comment,
                              'action_id', r.action_id, 'recorded_by', r.recorded_by, 'file_id', f.id, 'file_name', f.file_name)
                              ORDER BY r.performed_on DESC, r.created_at DESC)
                              FROM control_results r LEFT JOIN control_result_files f ON f.result_id = r.id
                             WHERE r.point_id = c.id), '[]') AS "results!: Json<Vec<ControlResult>>",
                  c.created_at, c.updated_at
             FROM control_points c
             JOIN bodies b ON b.id = c.body_id
             LEFT JOIN systems sy ON sy.id = c.system_id
             LEFT JOIN people p ON p.id = c.responsible_person_id
            WHERE c.municipality_id = $1 AND ($2::uuid IS NULL OR c.body_id = $2) AND ($3::smallint IS NULL OR c.year = $3)
              AND ($4::uuid IS NULL OR c.id = $4) AND ($5::uuid[] IS NULL OR c.body_id = ANY($5))
            ORDER BY c.year DESC, b.name, c.area, c.control, c.id"#,
        m.uuid(),
        s.body_id,
        s.year,
        s.id,
        s.within.map(<[Uuid]>::to_vec) as Option<Vec<Uuid>>
    )
    .fetch_all(db)
    .await?)
}

pub async fn point(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Point> {
    points(db, m, Selection { id: Some(id), ..Selection::default() }).await?.pop().ok_or(AppError::NotFound)
}

/// The links must be the municipality's (the foreign keys would refuse them with a 409; a
/// form wants its field named).
async fn check_links(tx: &mut PgConnection, m: MunicipalityId, input: &PointInput) -> AppResult<()> {
    let found = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM bodies WHERE municipality_id = $1 AND id = $2) AS "body!",
                  ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM risks WHERE municipality_id = $1 AND id = $3)) AS "risk!",
                  ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM recommendations WHERE municipality_id = $1 AND id = $4)) AS "recommendation!",
                  ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM systems WHERE municipality_id = $1 AND id = $5)) AS "system!",
                  ($6::uuid IS NULL OR EXISTS (SELECT 1 FROM measures WHERE municipality_id = $1 AND id = $6)) AS "measure!""#,
        m.uuid(),
        input.body_id,
        input.risk_id,
        input.recommendation_id,
        input.system_id,
        input.measure_id
    )
    .fetch_one(&mut *tx)
    .await?;
    for (ok, field) in [
        (found.body, "body_id"),
        (found.risk, "risk_id"),
        (found.recommendation, "recommendation_id"),
        (found.system, "system_id"),
        (found.measure, "measure_id"),
    ] {
        if !ok {
            return Err(field_error(field, "Välj i listan."));
        }
    }
    crate::org::store::check_person(tx, m, input.responsible_person_id, "responsible_person_id").await
}

pub async fn create_point(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &PointInput,
    starter: Option<&str>,
) -> AppResult<Point> {
    check_links(tx, m, input).await?;
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO control_points (id, municipality_id, body_id, year, area, risk, risk_id, recommendation_id, system_id,
                                     measure_id, control, method, sample, frequency, responsible_person_id, reported_at, starter)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        id,
        m.uuid(),
        input.body_id,
        input.year,
        input.area,
        input.risk,
        input.risk_id,
        input.recommendation_id,
        input.system_id,
        input.measure_id,
        input.control,
        input.method.code(),
        input.sample,
        input.frequency.code(),
        input.responsible_person_id,
        input.reported_at.code(),
        starter
    )
    .execute(&mut *tx)
    .await?;
    let point = point(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::ControlPoint, id, point.snapshot())).await?;
    Ok(point)
}

pub async fn update_point(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &PointInput,
) -> AppResult<Point> {
    check_links(tx, m, input).await?;
    let before = point(&mut *tx, m, id).await?;
    sqlx::query!(
        "UPDATE control_points SET body_id = $3, year = $4, area = $5, risk = $6, risk_id = $7, recommendation_id = $8,
                system_id = $9, measure_id = $10, control = $11, method = $12, sample = $13, frequency = $14,
                responsible_person_id = $15, reported_at = $16, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.body_id,
        input.year,
        input.area,
        input.risk,
        input.risk_id,
        input.recommendation_id,
        input.system_id,
        input.measure_id,
        input.control,
        input.method.code(),
        input.sample,
        input.frequency.code(),
        input.responsible_person_id,
        input.reported_at.code()
    )
    .execute(&mut *tx)
    .await?;
    let after = point(&mut *tx, m, id).await?;
    let change = Change::updated(Some(m), EntityType::ControlPoint, id, before.snapshot(), after.snapshot());
    audit_log::record(tx, actor, change).await?;
    Ok(after)
}

pub async fn delete_point(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<()> {
    let before = point(&mut *tx, m, id).await?;
    sqlx::query!("DELETE FROM control_points WHERE municipality_id = $1 AND id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await?;
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::ControlPoint, id, before.snapshot())).await
}

pub async fn record_result(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    point_id: Uuid,
    input: &ResultInput,
    action_id: Option<Uuid>,
) -> AppResult<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO control_results (id, municipality_id, point_id, performed_on, outcome, comment, action_id, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        m.uuid(),
        point_id,
        input.performed_on,
        input.outcome.code(),
        input.comment,
        action_id,
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    let point = point(&mut *tx, m, point_id).await?;
    let after = json!({"Kontrollmoment": point.control, "Nämnd eller bolag": point.body_name, "Genomförd": input.performed_on,
                       "Resultat": input.outcome.label(), "Kommentar": input.comment});
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::ControlResult, id, after)).await?;
    Ok(id)
}

/// Attaches (or replaces) a result's evidence file.
#[allow(clippy::too_many_arguments)]
pub async fn attach_file(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    point_id: Uuid,
    result_id: Uuid,
    name: &str,
    content_type: &str,
    content: &[u8],
) -> AppResult<()> {
    let known = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM control_results WHERE municipality_id = $1 AND id = $2 AND point_id = $3) AS "yes!""#,
        m.uuid(),
        result_id,
        point_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !known {
        return Err(AppError::NotFound);
    }
    sqlx::query!("DELETE FROM control_result_files WHERE municipality_id = $1 AND result_id = $2", m.uuid(), result_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO control_result_files (id, municipality_id, result_id, file_name, content_type, content, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        Uuid::new_v4(),
        m.uuid(),
        result_id,
        name,
        content_type,
        content,
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    let change = Change::updated(Some(m), EntityType::ControlResult, result_id, json!({}), json!({"Underlag": name}));
    audit_log::record(tx, actor, change).await
}

pub struct File {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

pub async fn file(db: impl PgExecutor<'_>, m: MunicipalityId, point_id: Uuid, file_id: Uuid) -> AppResult<File> {
    sqlx::query_as!(
        File,
        "SELECT f.file_name, f.content_type, f.content FROM control_result_files f JOIN control_results r ON r.id = f.result_id
          WHERE f.municipality_id = $1 AND f.id = $2 AND r.point_id = $3",
        m.uuid(),
        file_id,
        point_id
    )
    .fetch_optional(db)
    .await?
    .ok_or(AppError::NotFound)
}
