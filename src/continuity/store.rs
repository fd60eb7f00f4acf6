//! Queries for continuity: the targets, a plan per system and the exercises; scoped by
//! municipality and audited.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{
    DEFAULT_TARGETS, ExerciseInput, ExerciseKind, ExerciseResult, PlanFacts, PlanInput, RtoSource, SetBy, Target,
    hours_text,
};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error};
use crate::systems::store::PersonRef;

/// The municipality's targets, and who last changed them (None: Lisa's defaults).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Targets {
    pub targets: Vec<Target>,
    /// Absent while Lisa's own defaults apply ("Lisas standard, inte SKR:s eller MSB:s").
    pub changed_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl Targets {
    pub fn is_default(&self) -> bool {
        self.changed_by.is_none()
    }

    pub fn changed_on(&self) -> Option<NaiveDate> {
        self.updated_at.map(crate::web::format::stockholm_date)
    }
}

pub async fn targets(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Targets> {
    let rows = sqlx::query!(
        "SELECT t_level, mtpd_hours, rpo_hours, exercise_months, own_analysis, changed_by, updated_at
           FROM continuity_targets WHERE municipality_id = $1 ORDER BY t_level",
        m.uuid()
    )
    .fetch_all(db)
    .await?;
    if rows.is_empty() {
        return Ok(Targets { targets: DEFAULT_TARGETS.to_vec(), changed_by: None, updated_at: None });
    }
    Ok(Targets {
        changed_by: rows.first().map(|r| r.changed_by.clone()),
        updated_at: rows.iter().map(|r| r.updated_at).max(),
        targets: rows
            .into_iter()
            .map(|r| Target {
                t_level: r.t_level,
                mtpd_hours: r.mtpd_hours,
                rpo_hours: r.rpo_hours,
                exercise_months: r.exercise_months,
                own_analysis: r.own_analysis,
            })
            .collect(),
    })
}

fn targets_snapshot(targets: &[Target]) -> Value {
    let rows: serde_json::Map<String, Value> = targets
        .iter()
        .map(|t| {
            let text = format!(
                "avbrott högst {}, dataförlust högst {}, övning var {}{}",
                hours_text(t.mtpd_hours),
                hours_text(t.rpo_hours),
                t.exercise_months.map_or("–".into(), |m| format!("{m}:e månad")),
                if t.own_analysis { ", egen analys" } else { "" }
            );
            (format!("T{}", t.t_level), Value::String(text))
        })
        .collect();
    Value::Object(rows)
}

pub async fn save_targets(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    new: &[Target],
) -> AppResult<Targets> {
    let before = targets(&mut *tx, m).await?;
    sqlx::query!("DELETE FROM continuity_targets WHERE municipality_id = $1", m.uuid()).execute(&mut *tx).await?;
    for t in new {
        sqlx::query!(
            "INSERT INTO continuity_targets (municipality_id, t_level, mtpd_hours, rpo_hours, exercise_months, own_analysis,
                                             changed_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            m.uuid(),
            t.t_level,
            t.mtpd_hours,
            t.rpo_hours,
            t.exercise_months,
            t.own_analysis,
            actor.name
        )
        .execute(&mut *tx)
        .await?;
    }
    let after = targets(&mut *tx, m).await?;
    let change = Change::updated(
        Some(m),
        EntityType::ContinuityTargets,
        m.uuid(),
        targets_snapshot(&before.targets),
        targets_snapshot(&after.targets),
    );
    audit_log::record(tx, actor, change).await?;
    Ok(after)
}

/// A system's continuity plan.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub id: Uuid,
    pub system_id: Uuid,
    pub system_name: String,
    pub mtpd_hours: Option<i32>,
    pub rpo_hours: Option<i32>,
    /// verksamheten or it.
    pub targets_set_by: Option<SetBy>,
    pub targets_decided_by: String,
    pub targets_decided_on: Option<NaiveDate>,
    pub rto_hours: Option<i32>,
    /// avtal, test or bedomning.
    pub rto_source: Option<RtoSource>,
    pub restore_priority: Option<i32>,
    pub reserve_routine: String,
    pub reserve_routine_owner: Option<PersonRef>,
    pub reserve_routine_location: String,
    pub backup_frequency: String,
    pub other_dependencies: String,
    pub plan_owner: Option<PersonRef>,
    pub review_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Plan {
    pub fn facts(&self) -> PlanFacts {
        PlanFacts {
            set_by: self.targets_set_by,
            mtpd_hours: self.mtpd_hours,
            rpo_hours: self.rpo_hours,
            rto_hours: self.rto_hours,
            has_reserve_routine: !self.reserve_routine.is_empty(),
        }
    }

    fn snapshot(&self) -> Value {
        let name = |p: &Option<PersonRef>| p.as_ref().map(|p| p.name.clone());
        json!({"System": self.system_name, "Längsta acceptabla avbrott": hours_text(self.mtpd_hours),
               "Acceptabel dataförlust": hours_text(self.rpo_hours), "Målen satta av": self.targets_set_by.map(SetBy::label),
               "Beslutade av": self.targets_decided_by, "Beslutsdatum": self.targets_decided_on,
               "Återställningstid IT kan leverera": hours_text(self.rto_hours), "Underlag": self.rto_source.map(RtoSource::label),
               "Återställningsordning": self.restore_priority, "Reservrutin": self.reserve_routine,
               "Reservrutinens ägare": name(&self.reserve_routine_owner), "Reservrutinen finns": self.reserve_routine_location,
               "Säkerhetskopiering": self.backup_frequency, "Övriga beroenden": self.other_dependencies,
               "Planens ägare": name(&self.plan_owner), "Ses över senast": self.review_on})
    }
}

struct PlanRow {
    id: Uuid,
    system_id: Uuid,
    system_name: String,
    mtpd_hours: Option<i32>,
    rpo_hours: Option<i32>,
    targets_set_by: Option<String>,
    targets_decided_by: String,
    targets_decided_on: Option<NaiveDate>,
    rto_hours: Option<i32>,
    rto_source: Option<String>,
    restore_priority: Option<i32>,
    reserve_routine: String,
    reserve_routine_owner: Option<Json<PersonRef>>,
    reserve_routine_location: String,
    backup_frequency: String,
    other_dependencies: String,
    plan_owner: Option<Json<PersonRef>>,
    review_on: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<PlanRow> for Plan {
    fn from(r: PlanRow) -> Plan {
        Plan {
            id: r.id,
            system_id: r.system_id,
            system_name: r.system_name,
            mtpd_hours: r.mtpd_hours,
            rpo_hours: r.rpo_hours,
            targets_set_by: r.targets_set_by.as_deref().and_then(SetBy::parse),
            targets_decided_by: r.targets_decided_by,
            targets_decided_on: r.targets_decided_on,
            rto_hours: r.rto_hours,
            rto_source: r.rto_source.as_deref().and_then(RtoSource::parse),
            restore_priority: r.restore_priority,
            reserve_routine: r.reserve_routine,
            reserve_routine_owner: r.reserve_routine_owner.map(|j| j.0),
            reserve_routine_location: r.reserve_routine_location,
            backup_frequency: r.backup_frequency,
            other_dependencies: r.other_dependencies,
            plan_owner: r.plan_owner.map(|j| j.0),
            review_on: r.review_on,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The plans registered by `by` (all when None), or the one of `system_id`.
async fn select_plans(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    system_id: Option<Uuid>,
    by: Option<DateTime<Utc>>,
) -> AppResult<Vec<Plan>> {
    let rows = sqlx::query_as!(
        PlanRow,
        r#"SELECT c.id, c.system_id, s.name AS system_name, c.mtpd_hours, c.rpo_hours, c.targets_set_by, c.targets_decided_by,
                  c.targets_decided_on, c.rto_hours, c.rto_source, c.restore_priority, c.reserve_routine,
                  CASE WHEN ro.id IS NOT NULL THEN jsonb_build_object('id', ro.id, 'name', ro.name) END
                      AS "reserve_routine_owner: Json<PersonRef>",
                  c.reserve_routine_location, c.backup_frequency, c.other_dependencies,
                  CASE WHEN po.id IS NOT NULL THEN jsonb_build_object('id', po.id, 'name', po.name) END
                      AS "plan_owner: Json<PersonRef>",
                  c.review_on, c.created_at, c.updated_at
             FROM continuity_plans c
             JOIN systems s ON s.id = c.system_id
             LEFT JOIN people ro ON ro.id = c.reserve_routine_owner_person_id
             LEFT JOIN people po ON po.id = c.plan_owner_person_id
            WHERE c.municipality_id = $1 AND ($2::uuid IS NULL OR c.system_id = $2)
              AND ($3::timestamptz IS NULL OR c.created_at <= $3)
            ORDER BY c.restore_priority NULLS LAST, s.name"#,
        m.uuid(),
        system_id,
        by
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Plan::from).collect())
}

pub async fn plans(db: impl PgExecutor<'_>, m: MunicipalityId, by: Option<DateTime<Utc>>) -> AppResult<Vec<Plan>> {
    select_plans(db, m, None, by).await
}

pub async fn plan(db: impl PgExecutor<'_>, m: MunicipalityId, system_id: Uuid) -> AppResult<Option<Plan>> {
    Ok(select_plans(db, m, Some(system_id), None).await?.pop())
}

/// Makes or changes the system's plan.
pub async fn save_plan(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    system_id: Uuid,
    input: &PlanInput,
) -> AppResult<Plan> {
    crate::org::store::check_person(tx, m, input.reserve_routine_owner_person_id, "reserve_routine_owner_person_id")
        .await?;
    crate::org::store::check_person(tx, m, input.plan_owner_person_id, "plan_owner_person_id").await?;
    let before = plan(&mut *tx, m, system_id).await?;
    sqlx::query!(
        "INSERT INTO continuity_plans (id, municipality_id, system_id, mtpd_hours, rpo_hours, targets_set_by, targets_decided_by,
                                       targets_decided_on, rto_hours, rto_source, restore_priority, reserve_routine,
                                       reserve_routine_owner_person_id, reserve_routine_location, backup_frequency,
                                       other_dependencies, plan_owner_person_id, review_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         ON CONFLICT (municipality_id, system_id) DO UPDATE SET
             mtpd_hours = $4, rpo_hours = $5, targets_set_by = $6, targets_decided_by = $7, targets_decided_on = $8,
             rto_hours = $9, rto_source = $10, restore_priority = $11, reserve_routine = $12,
             reserve_routine_owner_person_id = $13, reserve_routine_location = $14, backup_frequency = $15,
             other_dependencies = $16, plan_owner_person_id = $17, review_on = $18, updated_at = now()",
        Uuid::new_v4(),
        m.uuid(),
        system_id,
        input.mtpd_hours,
        input.rpo_hours,
        input.targets_set_by.map(SetBy::code),
        input.targets_decided_by,
        input.targets_decided_on,
        input.rto_hours,
        input.rto_source.map(RtoSource::code),
        input.restore_priority,
        input.reserve_routine,
        input.reserve_routine_owner_person_id,
        input.reserve_routine_location,
        input.backup_frequency,
        input.other_dependencies,
        input.plan_owner_person_id,
        input.review_on
    )
    .execute(&mut *tx)
    .await?;
    let after = plan(&mut *tx, m, system_id).await?.ok_or(AppError::NotFound)?;
    let change = match before {
        None => Change::created(Some(m), EntityType::ContinuityPlan, after.id, after.snapshot()),
        Some(before) => {
            Change::updated(Some(m), EntityType::ContinuityPlan, after.id, before.snapshot(), after.snapshot())
        }
    };
    audit_log::record(tx, actor, change).await?;
    Ok(after)
}

/// The latest exercise on or before `on` of each system exercised.
pub async fn last_exercised(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    on: NaiveDate,
) -> AppResult<HashMap<Uuid, NaiveDate>> {
    let rows = sqlx::query!(
        r#"SELECT es.system_id, max(e.performed_on) AS "last!"
             FROM continuity_exercise_systems es JOIN continuity_exercises e ON e.id = es.exercise_id
            WHERE es.municipality_id = $1 AND e.performed_on <= $2
            GROUP BY es.system_id"#,
        m.uuid(),
        on
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.system_id, r.last)).collect())
}

#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Ref {
    pub id: Uuid,
    pub name: String,
}

/// An exercise or restore test.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Exercise {
    pub id: Uuid,
    pub title: String,
    pub performed_on: NaiveDate,
    pub kind: ExerciseKind,
    pub result: ExerciseResult,
    pub findings: String,
    pub system_ids: Vec<Uuid>,
    #[schema(value_type = Vec<Ref>)]
    pub systems: Json<Vec<Ref>>,
    pub supplier_ids: Vec<Uuid>,
    #[schema(value_type = Vec<Ref>)]
    pub suppliers: Json<Vec<Ref>>,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

impl Exercise {
    fn snapshot(&self) -> Value {
        json!({"Övning": self.title, "Datum": self.performed_on, "Slag": self.kind.label(), "Resultat": self.result.label(),
               "System": self.systems_text(), "Leverantörer": self.suppliers_text(), "Iakttagelser": self.findings})
    }
}

/// Exercises, newest first: all, one system's, or one.
pub async fn exercises(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    system_id: Option<Uuid>,
    id: Option<Uuid>,
) -> AppResult<Vec<Exercise>> {
    Ok(sqlx::query_as!(
        Exercise,
        r#"SELECT e.id, e.title, e.performed_on, e.kind AS "kind: ExerciseKind", e.result AS "result: ExerciseResult",
                  e.findings, e.recorded_by, e.created_at,
                  ARRAY(SELECT es.system_id FROM continuity_exercise_systems es JOIN systems s ON s.id = es.system_id
                         WHERE es.exercise_id = e.id ORDER BY s.name) AS "system_ids!",
                  COALESCE((SELECT jsonb_agg(jsonb_build_object('id', s.id, 'name', s.name) ORDER BY s.name)
                              FROM continuity_exercise_systems es JOIN systems s ON s.id = es.system_id
                             WHERE es.exercise_id = e.id), '[]') AS "systems!: Json<Vec<Ref>>",
                  ARRAY(SELECT ep.supplier_id FROM continuity_exercise_suppliers ep JOIN suppliers p ON p.id = ep.supplier_id
                         WHERE ep.exercise_id = e.id ORDER BY p.name) AS "supplier_ids!",
                  COALESCE((SELECT jsonb_agg(jsonb_build_object('id', p.id, 'name', p.name) ORDER BY p.name)
                              FROM continuity_exercise_suppliers ep JOIN suppliers p ON p.id = ep.supplier_id
                             WHERE ep.exercise_id = e.id), '[]') AS "suppliers!: Json<Vec<Ref>>"
             FROM continuity_exercises e
            WHERE e.municipality_id = $1 AND ($3::uuid IS NULL OR e.id = $3)
              AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM continuity_exercise_systems es
                                                 WHERE es.exercise_id = e.id AND es.system_id = $2))
            ORDER BY e.performed_on DESC, e.created_at DESC"#,
        m.uuid(),
        system_id,
        id
    )
    .fetch_all(db)
    .await?)
}

/// Records an exercise; its systems and suppliers must be the municipality's.
pub async fn record_exercise(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &ExerciseInput,
) -> AppResult<Exercise> {
    let known = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM systems WHERE municipality_id = $1 AND id = ANY($2)"#,
        m.uuid(),
        &input.system_ids
    )
    .fetch_one(&mut *tx)
    .await?;
    if known != input.system_ids.len() as i64 {
        return Err(field_error("system_ids", "Välj system i listan."));
    }
    let known = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM suppliers WHERE municipality_id = $1 AND id = ANY($2)"#,
        m.uuid(),
        &input.supplier_ids
    )
    .fetch_one(&mut *tx)
    .await?;
    if known != input.supplier_ids.len() as i64 {
        return Err(field_error("supplier_ids", "Välj leverantörer i listan."));
    }
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO continuity_exercises (id, municipality_id, title, performed_on, kind, result, findings, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        m.uuid(),
        input.title,
        input.performed_on,
        input.kind.code(),
        input.result.code(),
        input.findings.join("\n"),
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO continuity_exercise_systems (municipality_id, exercise_id, system_id) SELECT $1, $2, unnest($3::uuid[])",
        m.uuid(),
        id,
        &input.system_ids
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO continuity_exercise_suppliers (municipality_id, exercise_id, supplier_id) SELECT $1, $2, unnest($3::uuid[])",
        m.uuid(),
        id,
        &input.supplier_ids
    )
    .execute(&mut *tx)
    .await?;
    let exercise = exercises(&mut *tx, m, None, Some(id)).await?.pop().ok_or(AppError::NotFound)?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::ContinuityExercise, id, exercise.snapshot()))
        .await?;
    Ok(exercise)
}
