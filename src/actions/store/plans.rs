//! Handlingsplan.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::*;
use crate::actions::model::{PlanInput, Status};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error, unique_as};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub id: Uuid,
    pub year: i32,
    pub resources: String,
    pub decided_by_body_id: Option<Uuid>,
    pub decided_by_name: Option<String>,
    pub decision_date: Option<NaiveDate>,
    /// E.g. "KS 2026-02-18 § 31".
    pub decision_reference: String,
}

impl Plan {
    fn snapshot(&self) -> Value {
        json!({"År": self.year, "Resurser": self.resources, "Beslutat av": self.decided_by_name,
               "Beslutsdatum": self.decision_date, "Beslut": self.decision_reference})
    }
}

pub async fn plans(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<Plan>> {
    Ok(sqlx::query_as!(
        Plan,
        r#"SELECT ap.id, ap.year, ap.resources, ap.decided_by_body_id, b.name AS "decided_by_name?", ap.decision_date,
                  ap.decision_reference
             FROM action_plans ap LEFT JOIN bodies b ON b.id = ap.decided_by_body_id
            WHERE ap.municipality_id = $1 ORDER BY ap.year DESC"#,
        m.uuid()
    )
    .fetch_all(db)
    .await?)
}

pub async fn plan(db: impl PgExecutor<'_>, m: MunicipalityId, year: i32) -> AppResult<Plan> {
    Ok(sqlx::query_as!(
        Plan,
        r#"SELECT ap.id, ap.year, ap.resources, ap.decided_by_body_id, b.name AS "decided_by_name?", ap.decision_date,
                  ap.decision_reference
             FROM action_plans ap LEFT JOIN bodies b ON b.id = ap.decided_by_body_id
            WHERE ap.municipality_id = $1 AND ap.year = $2"#,
        m.uuid(),
        year
    )
    .fetch_one(db)
    .await?)
}

pub async fn plan_actions(db: &mut PgConnection, m: MunicipalityId, plan_id: Uuid) -> AppResult<Vec<Action>> {
    select(db, m, Selection { plan_id: Some(plan_id), ..Selection::default() }).await
}

/// The plan's actions as they stood at `by`: those registered by then, each with its status of then.
pub async fn plan_actions_as_of(
    db: &mut PgConnection,
    m: MunicipalityId,
    plan_id: Uuid,
    by: DateTime<Utc>,
) -> AppResult<Vec<Action>> {
    let actions = plan_actions(&mut *db, m, plan_id).await?;
    let ids: Vec<Uuid> = actions.iter().map(|a| a.id).collect();
    let then = sqlx::query!(
        r#"SELECT a.id, COALESCE((SELECT sc.status FROM action_status_changes sc
                                   WHERE sc.action_id = a.id AND sc.changed_at <= $3
                                   ORDER BY sc.changed_at DESC LIMIT 1), 'planerad') AS "status!: Status"
             FROM actions a WHERE a.municipality_id = $1 AND a.id = ANY($2) AND a.created_at <= $3"#,
        m.uuid(),
        &ids,
        by
    )
    .fetch_all(&mut *db)
    .await?;
    Ok(actions
        .into_iter()
        .filter_map(|action| {
            let status = then.iter().find(|t| t.id == action.id)?.status;
            Some(Action { status, ..action })
        })
        .collect())
}

/// Creates or changes the plan for a year.
pub async fn save_plan(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, input: &PlanInput) -> AppResult<Plan> {
    crate::org::store::check_body(tx, m, input.decided_by_body_id, "decided_by_body_id").await?;
    let before = match plan(&mut *tx, m, input.year).await {
        Ok(plan) => Some(plan),
        Err(AppError::NotFound) => None,
        Err(other) => return Err(other),
    };
    sqlx::query!(
        "INSERT INTO action_plans (id, municipality_id, year, resources, decided_by_body_id, decision_date, decision_reference)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (municipality_id, year) DO UPDATE SET resources = EXCLUDED.resources,
             decided_by_body_id = EXCLUDED.decided_by_body_id, decision_date = EXCLUDED.decision_date,
             decision_reference = EXCLUDED.decision_reference, updated_at = now()",
        Uuid::new_v4(),
        m.uuid(),
        input.year,
        input.resources,
        input.decided_by_body_id,
        input.decision_date,
        input.decision_reference
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("action_plans_municipality_id_year_key", "year", "Det finns redan en handlingsplan för året."))?;
    let after = plan(&mut *tx, m, input.year).await?;
    let change = match before {
        Some(before) => Change::updated(Some(m), EntityType::ActionPlan, after.id, before.snapshot(), after.snapshot()),
        None => Change::created(Some(m), EntityType::ActionPlan, after.id, after.snapshot()),
    };
    audit_log::record(tx, actor, change).await?;
    Ok(after)
}

/// Sets which actions the plan holds.
pub async fn set_plan_actions(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    year: i32,
    action_ids: &[Uuid],
) -> AppResult<()> {
    let plan = plan(&mut *tx, m, year).await?;
    let found = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM actions WHERE municipality_id = $1 AND id = ANY($2)"#,
        m.uuid(),
        action_ids
    )
    .fetch_one(&mut *tx)
    .await?;
    if found as usize != action_ids.len() {
        return Err(field_error("action_ids", "Välj bland kommunens egna åtgärder."));
    }
    let titles = |actions: Vec<Action>| actions.into_iter().map(|a| a.title).collect::<Vec<_>>().join("; ");
    let before = titles(plan_actions(&mut *tx, m, plan.id).await?);
    sqlx::query!("DELETE FROM action_plan_items WHERE municipality_id = $1 AND plan_id = $2", m.uuid(), plan.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO action_plan_items (municipality_id, plan_id, action_id) SELECT $1, $2, unnest($3::uuid[])",
        m.uuid(),
        plan.id,
        action_ids
    )
    .execute(&mut *tx)
    .await?;
    // Actions chosen for the plan are no longer mere proposals.
    sqlx::query!(
        "UPDATE actions SET status = 'planerad', updated_at = now()
          WHERE municipality_id = $1 AND id = ANY($2) AND status = 'foreslagen'",
        m.uuid(),
        action_ids
    )
    .execute(&mut *tx)
    .await?;
    let after = titles(plan_actions(&mut *tx, m, plan.id).await?);
    audit_log::record(
        tx,
        actor,
        Change::updated(
            Some(m),
            EntityType::ActionPlan,
            plan.id,
            json!({"Åtgärder": before}),
            json!({"Åtgärder": after}),
        ),
    )
    .await
}

/// An action as it stood at the end of a day (registered by then, with the status of then),
/// with what it concerns: for the annual report's late actions, plan or no plan.
#[derive(Clone, Debug)]
pub struct ActionThen {
    pub system_id: Option<Uuid>,
    /// The system of the risk's analysis, for an action that treats a risk.
    pub risk_system_id: Option<Uuid>,
    pub due_date: Option<NaiveDate>,
    pub status: Status,
}

impl ActionThen {
    pub fn is_late(&self, on: NaiveDate) -> bool {
        crate::actions::model::is_late(self.status, self.due_date, on)
    }
}

pub async fn as_of(db: impl PgExecutor<'_>, m: MunicipalityId, by: DateTime<Utc>) -> AppResult<Vec<ActionThen>> {
    Ok(sqlx::query_as!(
        ActionThen,
        r#"SELECT a.system_id, ra.system_id AS "risk_system_id?", a.due_date,
                  COALESCE((SELECT sc.status FROM action_status_changes sc
                             WHERE sc.action_id = a.id AND sc.changed_at <= $2
                             ORDER BY sc.changed_at DESC LIMIT 1), 'planerad') AS "status!: Status"
             FROM actions a
             LEFT JOIN risks r ON r.id = a.risk_id
             LEFT JOIN risk_analyses ra ON ra.id = r.analysis_id
            WHERE a.municipality_id = $1 AND a.created_at <= $2"#,
        m.uuid(),
        by
    )
    .fetch_all(db)
    .await?)
}
