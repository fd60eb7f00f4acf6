//! Contracts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::*;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error};
use crate::suppliers::model::{ContractInput, has_ended, is_in_notice_period, notice_deadline};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Contract {
    pub id: Uuid,
    pub supplier_id: Uuid,
    pub supplier_name: String,
    pub title: String,
    pub reference: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub notice_months: i16,
    /// Beställaransvarig.
    pub owner_person_id: Option<Uuid>,
    pub owner_name: Option<String>,
    #[serde(skip)]
    pub owner_user_id: Option<Uuid>,
    pub sla_summary: String,
    /// A personuppgiftsbiträdesavtal is signed.
    pub has_dpa: bool,
    pub check_interval_months: i16,
    pub system_ids: Vec<Uuid>,
    pub system_names: Vec<String>,
    /// The security requirements written into the contract (measures of the catalogue).
    pub measure_ids: Vec<Uuid>,
    /// When it was registered in Lisa.
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Contract {
    pub fn is_owned_by(&self, user_id: Uuid) -> bool {
        self.owner_user_id == Some(user_id)
    }

    pub fn notice_deadline(&self) -> Option<NaiveDate> {
        notice_deadline(self.ends_on, self.notice_months)
    }

    pub fn is_in_notice_period(&self, today: NaiveDate) -> bool {
        is_in_notice_period(self.ends_on, self.notice_months, today)
    }

    pub fn has_ended(&self, today: NaiveDate) -> bool {
        has_ended(self.ends_on, today)
    }

    pub fn systems(&self) -> impl Iterator<Item = (&Uuid, &String)> {
        self.system_ids.iter().zip(self.system_names.iter())
    }

    fn snapshot(&self) -> Value {
        json!({"Avtal": self.title, "Leverantör": self.supplier_name, "Avtalsnummer": self.reference,
               "Gäller från": self.starts_on, "Gäller till": self.ends_on, "Uppsägningstid (månader)": self.notice_months,
               "Beställaransvarig": self.owner_name, "SLA": self.sla_summary, "Personuppgiftsbiträdesavtal": self.has_dpa,
               "Kontrollintervall (månader)": self.check_interval_months, "System": self.system_names,
               "Säkerhetskrav": self.measure_ids.len()})
    }
}

/// Contracts in full: these, or all.
/// The ids of every contract of the municipality, for reading all contracts or checks: those
/// queries take ids only, so that PostgreSQL keeps one plan that reads a page by index.
pub async fn every_contract(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!("SELECT id FROM contracts WHERE municipality_id = $1", m.uuid()).fetch_all(db).await?)
}

pub(super) async fn select_contracts(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    ids: &[Uuid],
) -> AppResult<Vec<Contract>> {
    Ok(sqlx::query_as!(
        Contract,
        r#"SELECT c.id, c.supplier_id, s.name AS supplier_name, c.title, c.reference, c.starts_on, c.ends_on,
                  c.notice_months, c.owner_person_id, p.name AS "owner_name?", p.user_id AS owner_user_id, c.sla_summary,
                  c.has_dpa, c.check_interval_months,
                  COALESCE(sys.ids, '{}') AS "system_ids!", COALESCE(sys.names, '{}') AS "system_names!",
                  COALESCE((SELECT array_agg(r.measure_id) FROM contract_requirements r WHERE r.contract_id = c.id), '{}')
                      AS "measure_ids!",
                  c.created_at, c.updated_at
             FROM contracts c
             JOIN suppliers s ON s.id = c.supplier_id
             LEFT JOIN people p ON p.id = c.owner_person_id
             LEFT JOIN LATERAL (SELECT array_agg(y.id ORDER BY y.name) AS ids, array_agg(y.name ORDER BY y.name) AS names
                                  FROM contract_systems cs JOIN systems y ON y.id = cs.system_id
                                 WHERE cs.contract_id = c.id) sys ON true
            WHERE c.municipality_id = $1 AND c.id = ANY($2)
            ORDER BY s.name, c.title, c.id"#,
        m.uuid(),
        ids
    )
    .fetch_all(db)
    .await?)
}

pub async fn contract(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Contract> {
    select_contracts(db, m, &[id]).await?.pop().ok_or(AppError::NotFound)
}

/// Contracts covering a system.
pub async fn for_system(db: &mut PgConnection, m: MunicipalityId, system_id: Uuid) -> AppResult<Vec<Contract>> {
    let ids = sqlx::query_scalar!(
        "SELECT contract_id FROM contract_systems WHERE municipality_id = $1 AND system_id = $2",
        m.uuid(),
        system_id
    )
    .fetch_all(&mut *db)
    .await?;
    select_contracts(db, m, &ids).await
}

/// Every id must be one of the municipality's: a foreign id is a form error, never a database error.
async fn check_links(tx: &mut PgConnection, m: MunicipalityId, input: &ContractInput) -> AppResult<()> {
    if let Err(AppError::NotFound) = supplier(&mut *tx, m, input.supplier_id).await {
        return Err(field_error("supplier_id", "Välj leverantör."));
    }
    crate::org::store::check_person(tx, m, input.owner_person_id, "owner_person_id").await?;
    let systems = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM systems WHERE municipality_id = $1 AND id = ANY($2)"#,
        m.uuid(),
        &input.system_ids
    )
    .fetch_one(&mut *tx)
    .await?;
    if systems != input.system_ids.len() as i64 {
        return Err(field_error("system_ids", "Välj bland kommunens system."));
    }
    let measures = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM measures WHERE municipality_id = $1 AND id = ANY($2)"#,
        m.uuid(),
        &input.measure_ids
    )
    .fetch_one(&mut *tx)
    .await?;
    if measures != input.measure_ids.len() as i64 {
        return Err(field_error("measure_ids", "Välj krav ur kommunens kravkatalog."));
    }
    Ok(())
}

async fn set_links(tx: &mut PgConnection, m: MunicipalityId, id: Uuid, input: &ContractInput) -> AppResult<()> {
    sqlx::query!("DELETE FROM contract_systems WHERE municipality_id = $1 AND contract_id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO contract_systems (municipality_id, contract_id, system_id) SELECT $1, $2, unnest($3::uuid[])",
        m.uuid(),
        id,
        &input.system_ids
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM contract_requirements WHERE municipality_id = $1 AND contract_id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO contract_requirements (municipality_id, contract_id, measure_id) SELECT $1, $2, unnest($3::uuid[])",
        m.uuid(),
        id,
        &input.measure_ids
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn create_contract(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &ContractInput,
) -> AppResult<Contract> {
    check_links(tx, m, input).await?;
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO contracts (id, municipality_id, supplier_id, title, reference, starts_on, ends_on, notice_months,
                                owner_person_id, sla_summary, has_dpa, check_interval_months)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        id,
        m.uuid(),
        input.supplier_id,
        input.title,
        input.reference,
        input.starts_on,
        input.ends_on,
        input.notice_months,
        input.owner_person_id,
        input.sla_summary,
        input.has_dpa,
        input.check_interval_months
    )
    .execute(&mut *tx)
    .await?;
    set_links(tx, m, id, input).await?;
    let contract = contract(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::Contract, id, contract.snapshot())).await?;
    Ok(contract)
}

pub async fn update_contract(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &ContractInput,
) -> AppResult<Contract> {
    let before = contract(&mut *tx, m, id).await?;
    check_links(tx, m, input).await?;
    sqlx::query!(
        "UPDATE contracts SET supplier_id = $3, title = $4, reference = $5, starts_on = $6, ends_on = $7,
                notice_months = $8, owner_person_id = $9, sla_summary = $10, has_dpa = $11, check_interval_months = $12,
                updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.supplier_id,
        input.title,
        input.reference,
        input.starts_on,
        input.ends_on,
        input.notice_months,
        input.owner_person_id,
        input.sla_summary,
        input.has_dpa,
        input.check_interval_months
    )
    .execute(&mut *tx)
    .await?;
    set_links(tx, m, id, input).await?;
    let after = contract(&mut *tx, m, id).await?;
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::Contract, id, before.snapshot(), after.snapshot()),
    )
    .await?;
    Ok(after)
}
