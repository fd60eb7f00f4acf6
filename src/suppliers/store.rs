//! Queries for suppliers, contracts and compliance checks, scoped by municipality and audited.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{
    CheckInput, CheckResult, ContractInput, Kind, SupplierInput, has_ended, is_check_overdue, is_in_notice_period,
    next_check, notice_deadline,
};
use crate::actions::model::ActionInput;
use crate::actions::store::{ActionLinks, Source};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error, unique_as};
use crate::web::pagination::{Asked, Pager};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Supplier {
    pub id: Uuid,
    pub name: String,
    pub org_number: String,
    /// it_drift, systemleverantor, molntjanst or samagt_bolag.
    pub kind: Kind,
    pub contact: String,
    pub incident_contact: String,
    pub escalation_path: String,
    pub is_shared: bool,
    /// How many other municipalities have marked the same company (by organisation number) as shared.
    /// Nothing else of theirs is visible.
    pub shared_with: i64,
    pub contract_count: i64,
    pub updated_at: DateTime<Utc>,
}

impl Supplier {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }

    fn snapshot(&self) -> Value {
        json!({"Leverantör": self.name, "Organisationsnummer": self.org_number, "Slag": self.kind_label(),
               "Kontakt": self.contact, "Kontakt vid incident": self.incident_contact,
               "Eskaleringsväg": self.escalation_path, "Delad med andra kommuner": self.is_shared})
    }
}

async fn select_suppliers(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    ids: Option<&[Uuid]>,
) -> AppResult<Vec<Supplier>> {
    Ok(sqlx::query_as!(
        Supplier,
        r#"SELECT s.id, s.name, s.org_number, s.kind AS "kind: Kind", s.contact, s.incident_contact, s.escalation_path, s.is_shared,
                  CASE WHEN s.is_shared THEN shared_supplier_count(s.municipality_id, s.org_number) ELSE 0 END
                      AS "shared_with!",
                  (SELECT count(*) FROM contracts c WHERE c.supplier_id = s.id) AS "contract_count!",
                  s.updated_at
             FROM suppliers s
            WHERE s.municipality_id = $1 AND ($2::uuid[] IS NULL OR s.id = ANY($2))
            ORDER BY array_position($2, s.id), s.name, s.id"#,
        m.uuid(),
        ids
    )
    .fetch_all(db)
    .await?)
}

/// The suppliers' ids and names, by name (for choosing one in a form or a filter).
pub async fn supplier_names(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<(Uuid, String)>> {
    Ok(sqlx::query!("SELECT id, name FROM suppliers WHERE municipality_id = $1 ORDER BY name, id", m.uuid())
        .fetch_all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// The ids of the suppliers whose name or organisation number contains `search`, by name
/// (`limit` of them from `offset`, clamped to the last page), and how many match in all.
async fn matching_suppliers(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    search: &str,
    asked: Asked,
) -> AppResult<(Vec<Uuid>, i64)> {
    let found = sqlx::query!(
        r#"WITH matching AS MATERIALIZED (
             SELECT id, name FROM suppliers
              WHERE municipality_id = $1 AND ($2 = '' OR name ILIKE '%' || $2 || '%' OR org_number ILIKE '%' || $2 || '%')),
           total AS (SELECT count(*) AS n FROM (SELECT 1 FROM matching LIMIT $5) counted)
           SELECT (SELECT n FROM total) AS "total!",
                  ARRAY(SELECT id FROM matching ORDER BY name, id LIMIT $3
                        OFFSET LEAST($4, GREATEST((SELECT n FROM total) - 1, 0) / $3 * $3)) AS "ids!""#,
        m.uuid(),
        crate::web::search::contains(search),
        asked.per_page,
        asked.offset(),
        asked.count_limit(),
    )
    .fetch_one(db)
    .await?;
    Ok((found.ids, found.total))
}

/// Every supplier matching `search` (for the CSV export).
pub async fn search_suppliers(db: &mut PgConnection, m: MunicipalityId, search: &str) -> AppResult<Vec<Supplier>> {
    let (ids, _) = matching_suppliers(&mut *db, m, search, Asked::ALL).await?;
    select_suppliers(db, m, Some(&ids)).await
}

/// One page of the suppliers matching `search`, with where it sits in the whole list.
pub async fn supplier_page(
    db: &mut PgConnection,
    m: MunicipalityId,
    search: &str,
    asked: Asked,
) -> AppResult<(Vec<Supplier>, Pager)> {
    let (ids, total) = matching_suppliers(&mut *db, m, search, asked).await?;
    Ok((select_suppliers(db, m, Some(&ids)).await?, asked.among(total)))
}

pub async fn supplier(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Supplier> {
    select_suppliers(db, m, Some(&[id])).await?.pop().ok_or(AppError::NotFound)
}

const NAME_TAKEN: &str = "Det finns redan en leverantör med det namnet.";

pub async fn create_supplier(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &SupplierInput,
) -> AppResult<Supplier> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO suppliers (id, municipality_id, name, org_number, kind, contact, incident_contact, escalation_path,
                                is_shared)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        id,
        m.uuid(),
        input.name,
        input.org_number,
        input.kind.code(),
        input.contact,
        input.incident_contact,
        input.escalation_path,
        input.is_shared
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("suppliers_municipality_id_name_key", "name", NAME_TAKEN))?;
    let supplier = supplier(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::Supplier, id, supplier.snapshot())).await?;
    Ok(supplier)
}

pub async fn update_supplier(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &SupplierInput,
) -> AppResult<Supplier> {
    let before = supplier(&mut *tx, m, id).await?;
    sqlx::query!(
        "UPDATE suppliers SET name = $3, org_number = $4, kind = $5, contact = $6, incident_contact = $7,
                escalation_path = $8, is_shared = $9, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.name,
        input.org_number,
        input.kind.code(),
        input.contact,
        input.incident_contact,
        input.escalation_path,
        input.is_shared
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("suppliers_municipality_id_name_key", "name", NAME_TAKEN))?;
    let after = supplier(&mut *tx, m, id).await?;
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::Supplier, id, before.snapshot(), after.snapshot()),
    )
    .await?;
    Ok(after)
}

/// Only a supplier without contracts can be removed: contracts and their checks are evidence.
pub async fn delete_supplier(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<()> {
    let before = supplier(&mut *tx, m, id).await?;
    if before.contract_count > 0 {
        return Err(AppError::Conflict("Leverantören har avtal och kan inte tas bort.".into()));
    }
    sqlx::query!("DELETE FROM suppliers WHERE municipality_id = $1 AND id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await?;
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::Supplier, id, before.snapshot())).await?;
    Ok(())
}

// ---------------------------------------------------------------- contracts

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

    pub fn systems_text(&self) -> String {
        self.system_names.join(", ")
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

async fn select_contracts(db: impl PgExecutor<'_>, m: MunicipalityId, ids: &[Uuid]) -> AppResult<Vec<Contract>> {
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

// ---------------------------------------------------------------- compliance checks

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Check {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub contract_title: String,
    pub supplier_name: String,
    pub measure_id: Uuid,
    pub measure_code: String,
    pub measure_title: String,
    pub checked_on: NaiveDate,
    pub method: String,
    /// uppfylls, delvis or uppfylls_ej.
    pub result: CheckResult,
    pub evidence: String,
    /// The follow-up action when the requirement is not met.
    pub action_id: Option<Uuid>,
    pub checked_by: String,
    pub created_at: DateTime<Utc>,
}

impl Check {
    pub fn result_label(&self) -> &'static str {
        self.result.label()
    }

    fn snapshot(&self) -> Value {
        json!({"Avtal": self.contract_title, "Krav": format!("{} {}", self.measure_code, self.measure_title),
               "Kontrollerat": self.checked_on, "Metod": self.method, "Resultat": self.result_label(),
               "Underlag": self.evidence})
    }
}

/// Checks, newest first, of one contract or of all.
/// Compliance checks, newest first: of these contracts, or of all.
pub async fn checks(db: impl PgExecutor<'_>, m: MunicipalityId, contract_ids: &[Uuid]) -> AppResult<Vec<Check>> {
    Ok(sqlx::query_as!(
        Check,
        r#"SELECT k.id, k.contract_id, c.title AS contract_title, s.name AS supplier_name, k.measure_id,
                  me.code AS measure_code, me.title AS measure_title, k.checked_on, k.method, k.result AS "result: CheckResult", k.evidence,
                  k.action_id, k.checked_by, k.created_at
             FROM compliance_checks k
             JOIN contracts c ON c.id = k.contract_id
             JOIN suppliers s ON s.id = c.supplier_id
             JOIN measures me ON me.id = k.measure_id
            WHERE k.municipality_id = $1 AND k.contract_id = ANY($2)
            ORDER BY k.checked_on DESC, k.created_at DESC"#,
        m.uuid(),
        contract_ids
    )
    .fetch_all(db)
    .await?)
}

/// Records a check; a requirement not fully met gets a proposed follow-up action for the contract
/// owner, or keeps the one still open from an earlier check of the same requirement.
pub async fn record_check(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    contract: &Contract,
    input: &CheckInput,
) -> AppResult<Check> {
    let action_id = if input.result == CheckResult::Met {
        None
    } else {
        let open = sqlx::query_scalar!(
            "SELECT k.action_id FROM compliance_checks k JOIN actions a ON a.id = k.action_id
              WHERE k.municipality_id = $1 AND k.contract_id = $2 AND k.measure_id = $3 AND a.status <> 'klar'
              ORDER BY k.checked_on DESC LIMIT 1",
            m.uuid(),
            contract.id,
            input.measure_id
        )
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
        match open {
            Some(id) => Some(id),
            None => {
                let measure = crate::classification::store::measure(&mut *tx, m, input.measure_id).await?;
                let links =
                    ActionLinks { source: Source::ComplianceCheck, measure_id: Some(measure.id), ..Default::default() };
                let action = ActionInput {
                    title: format!("{}: krav {} uppfylls inte", contract.supplier_name, measure.code),
                    description: format!(
                        "Efterlevnadskontroll {} av avtalet ”{}”: {} – {}.",
                        input.checked_on, contract.title, measure.title, input.method
                    ),
                    owner_person_id: contract.owner_person_id,
                    due_date: None,
                    priority: None,
                    effort: String::new(),
                };
                Some(
                    crate::actions::store::create(
                        tx,
                        actor,
                        m,
                        &links,
                        crate::actions::model::Status::Foreslagen,
                        &action,
                    )
                    .await?
                    .id,
                )
            }
        }
    };
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO compliance_checks (id, municipality_id, contract_id, measure_id, checked_on, method, result, evidence,
                                        action_id, checked_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        id,
        m.uuid(),
        contract.id,
        input.measure_id,
        input.checked_on,
        input.method,
        input.result.code(),
        input.evidence,
        action_id,
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    let check =
        checks(&mut *tx, m, &[contract.id]).await?.into_iter().find(|c| c.id == id).ok_or(AppError::NotFound)?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::ComplianceCheck, id, check.snapshot())).await?;
    Ok(check)
}

/// One requirement of a contract with its latest check and when the next is due.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RequirementStatus {
    pub measure_id: Uuid,
    pub code: String,
    pub title: String,
    pub last_checked_on: Option<NaiveDate>,
    /// The latest result: uppfylls, delvis or uppfylls_ej; null when never checked.
    pub last_result: Option<CheckResult>,
    pub next_check: Option<NaiveDate>,
    pub overdue: bool,
}

impl RequirementStatus {
    pub fn result_label(&self) -> &'static str {
        self.last_result.map_or("Ej kontrollerat", CheckResult::label)
    }
}

/// The contract's requirements in catalogue order, from its checks (newest first).
pub fn requirement_statuses(
    contract: &Contract,
    catalogue: &[crate::classification::store::Measure],
    checks: &[LatestCheck],
    today: NaiveDate,
) -> Vec<RequirementStatus> {
    catalogue
        .iter()
        .filter(|measure| contract.measure_ids.contains(&measure.id))
        .map(|measure| {
            let latest = checks.iter().find(|c| c.contract_id == contract.id && c.measure_id == measure.id);
            let last = latest.map(|c| c.checked_on);
            RequirementStatus {
                measure_id: measure.id,
                code: measure.code.clone(),
                title: measure.title.clone(),
                last_checked_on: last,
                last_result: latest.map(|c| c.result),
                next_check: next_check(last, contract.starts_on, contract.check_interval_months),
                overdue: !contract.has_ended(today)
                    && is_check_overdue(last, contract.starts_on, contract.check_interval_months, today),
            }
        })
        .collect()
}

/// The latest check of one requirement of a contract: all its standing needs of the history.
#[derive(Clone, Debug)]
pub struct LatestCheck {
    pub contract_id: Uuid,
    pub measure_id: Uuid,
    pub checked_on: NaiveDate,
    pub result: CheckResult,
}

/// The latest check of each requirement of these contracts, by the index on (contract,
/// requirement, date): a standing reads one row per requirement however many years of checks.
async fn latest_checks(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    contract_ids: &[Uuid],
) -> AppResult<Vec<LatestCheck>> {
    Ok(sqlx::query_as!(
        LatestCheck,
        r#"SELECT DISTINCT ON (k.contract_id, k.measure_id) k.contract_id, k.measure_id, k.checked_on,
                  k.result AS "result: CheckResult"
           FROM compliance_checks k
          WHERE k.municipality_id = $1 AND k.contract_id = ANY($2)
          ORDER BY k.contract_id, k.measure_id, k.checked_on DESC, k.created_at DESC"#,
        m.uuid(),
        contract_ids
    )
    .fetch_all(db)
    .await?)
}

/// A supplier measure the covered systems require that the contract lacks.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MissingRequirement {
    pub measure_id: Uuid,
    pub code: String,
    pub title: String,
    /// The covered systems whose protection level requires it.
    pub systems: Vec<String>,
}

/// A contract with the state of its requirements: what the list, the contract page and the API show.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ContractStanding {
    #[serde(flatten)]
    pub contract: Contract,
    pub requirements: Vec<RequirementStatus>,
    pub missing_requirements: Vec<MissingRequirement>,
    /// The last day to give notice; null for a contract until further notice.
    pub notice_deadline: Option<NaiveDate>,
    pub in_notice_period: bool,
    pub has_ended: bool,
}

impl ContractStanding {
    pub fn overdue_checks(&self) -> usize {
        self.requirements.iter().filter(|r| r.overdue).count()
    }

    /// Requirements whose latest check found them not (fully) met.
    pub fn unmet(&self) -> usize {
        self.requirements.iter().filter(|r| r.last_result.is_some_and(|x| x != CheckResult::Met)).count()
    }
}

/// Filters for the contract list.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ContractFilter {
    /// Text in the title, the supplier's name or the contract number.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub supplier_id: String,
    /// uppsagning, kontroll, saknade_krav, ej_uppfyllda or utan_pub.
    #[serde(default)]
    pub attention: String,
    /// The page of the list page; the API documents its own `page` with `limit`.
    #[param(ignore)]
    pub page: Option<String>,
}

crate::codes! {
    /// What needs attention on a contract, as the contract list's filter names it.
    pub enum Attention {
        InNotice = "uppsagning" => "Uppsägningstiden har börjat",
        CheckOverdue = "kontroll" => "Kontroll försenad",
        MissingRequirements = "saknade_krav" => "Saknar krav som systemen behöver",
        Unmet = "ej_uppfyllda" => "Krav uppfylls inte",
        NoDpa = "utan_pub" => "Saknar personuppgiftsbiträdesavtal",
    }
}

impl ContractFilter {
    /// The rule the list applies, on a contract's standing; `matching_contracts` is the same in SQL.
    pub fn keeps(&self, s: &ContractStanding) -> bool {
        let q = self.q.trim().to_lowercase();
        let c = &s.contract;
        (q.is_empty()
            || c.title.to_lowercase().contains(&q)
            || c.supplier_name.to_lowercase().contains(&q)
            || c.reference.to_lowercase().contains(&q))
            && (self.supplier_id.trim().is_empty() || c.supplier_id.to_string() == self.supplier_id.trim())
            && match self.attention() {
                Some(Attention::InNotice) => s.in_notice_period,
                Some(Attention::CheckOverdue) => s.overdue_checks() > 0,
                Some(Attention::MissingRequirements) => !s.missing_requirements.is_empty(),
                Some(Attention::Unmet) => s.unmet() > 0,
                Some(Attention::NoDpa) => !c.has_dpa,
                None => true,
            }
    }

    /// The attention asked for; an unknown value filters nothing, as an empty one does.
    pub fn attention(&self) -> Option<Attention> {
        Attention::parse(self.attention.trim())
    }

    pub fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("q", &self.q),
            ("supplier_id", &self.supplier_id),
            ("attention", &self.attention),
        ])
        .unwrap_or_default()
    }

    /// Missing requirements depend on the covered systems' levels against the catalogue's
    /// rules, which only Rust decides: that filter reads every contract's standing.
    fn needs_every_standing(&self) -> bool {
        self.attention() == Some(Attention::MissingRequirements)
    }
}

/// The ids of the contracts that pass the filter (but for missing requirements), by supplier
/// and title (`limit` of them from `offset`, clamped to the last page), and how many pass in
/// all; only `owned_by`'s when given. The attention rules are `ContractFilter::keeps` in SQL: the
/// notice period (`is_in_notice_period`), a check overdue (`is_check_overdue`, on contracts not
/// ended), a latest check not met (`is_met`); a test holds the two to the same answers.
async fn matching_contracts(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    filter: &ContractFilter,
    owned_by: Option<Uuid>,
    today: NaiveDate,
    asked: Asked,
) -> AppResult<(Vec<Uuid>, i64)> {
    let found = sqlx::query!(
        r#"WITH matching AS MATERIALIZED (
             SELECT c.id, s.name AS supplier_name, c.title
               FROM contracts c JOIN suppliers s ON s.id = c.supplier_id
               LEFT JOIN people p ON p.id = c.owner_person_id
              WHERE c.municipality_id = $1
                AND ($2 = '' OR c.title ILIKE '%' || $2 || '%' OR s.name ILIKE '%' || $2 || '%'
                     OR c.reference ILIKE '%' || $2 || '%')
                AND ($3 = '' OR c.supplier_id::text = $3)
                AND ($4::uuid IS NULL OR p.user_id = $4)
                AND CASE $5
                      WHEN 'uppsagning' THEN c.ends_on IS NOT NULL AND $6 <= c.ends_on
                           AND (c.ends_on - make_interval(months => greatest(c.notice_months, 0)))::date <= $6
                      WHEN 'utan_pub' THEN NOT c.has_dpa
                      WHEN 'kontroll' THEN (c.ends_on IS NULL OR c.ends_on >= $6) AND EXISTS (
                           SELECT 1 FROM contract_requirements r
                            CROSS JOIN LATERAL (SELECT max(k.checked_on) AS last FROM compliance_checks k
                                                 WHERE k.contract_id = c.id AND k.measure_id = r.measure_id) l
                            WHERE r.contract_id = c.id
                              AND (l.last IS NULL
                                   OR (l.last + make_interval(months => greatest(c.check_interval_months, 1)))::date < $6))
                      WHEN 'ej_uppfyllda' THEN EXISTS (
                           SELECT 1 FROM contract_requirements r
                            WHERE r.contract_id = c.id
                              AND (SELECT k.result FROM compliance_checks k
                                    WHERE k.contract_id = c.id AND k.measure_id = r.measure_id
                                    ORDER BY k.checked_on DESC, k.created_at DESC LIMIT 1) <> 'uppfylls')
                      ELSE true END),
           total AS (SELECT count(*) AS n FROM (SELECT 1 FROM matching LIMIT $9) counted)
           SELECT (SELECT n FROM total) AS "total!",
                  ARRAY(SELECT id FROM matching ORDER BY supplier_name, title, id LIMIT $7
                        OFFSET LEAST($8, GREATEST((SELECT n FROM total) - 1, 0) / $7 * $7)) AS "ids!""#,
        m.uuid(),
        crate::web::search::contains(&filter.q),
        filter.supplier_id.trim(),
        owned_by,
        filter.attention().map(Attention::code).unwrap_or_default(),
        today,
        asked.per_page,
        asked.offset(),
        asked.count_limit(),
    )
    .fetch_one(db)
    .await?;
    Ok((found.ids, found.total))
}

/// Every contract that passes the filter, with its standing (the CSV export, a supplier's page).
pub async fn all_matching_contracts(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &ContractFilter,
    owned_by: Option<Uuid>,
    today: NaiveDate,
) -> AppResult<Vec<ContractStanding>> {
    if filter.needs_every_standing() {
        let all = standings(db, m, None, today).await?;
        return Ok(all
            .into_iter()
            .filter(|s| owned_by.is_none_or(|user| s.contract.is_owned_by(user)) && filter.keeps(s))
            .collect());
    }
    let (ids, _) = matching_contracts(&mut *db, m, filter, owned_by, today, Asked::ALL).await?;
    standings(db, m, Some(&ids), today).await
}

/// One page of the contracts that pass the filter, with their standing and where the page sits.
pub async fn contract_page(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &ContractFilter,
    owned_by: Option<Uuid>,
    today: NaiveDate,
    asked: Asked,
) -> AppResult<(Vec<ContractStanding>, Pager)> {
    if filter.needs_every_standing() {
        let all = all_matching_contracts(db, m, filter, owned_by, today).await?;
        let pager = Pager::sized(asked.page, asked.per_page, all.len() as i64);
        return Ok((pager.page_of(all), pager));
    }
    let (ids, total) = matching_contracts(&mut *db, m, filter, owned_by, today, asked).await?;
    Ok((standings(db, m, Some(&ids), today).await?, asked.among(total)))
}

/// A contract in its notice period as the contract list's notice box names it.
pub struct InNotice {
    pub id: Uuid,
    pub title: String,
    pub supplier_name: String,
    pub ends_on: Option<NaiveDate>,
    pub notice_months: i16,
}

impl InNotice {
    pub fn notice_deadline(&self) -> Option<NaiveDate> {
        notice_deadline(self.ends_on, self.notice_months)
    }
}

/// The first `shown` contracts in their notice period (by supplier and title), and how many are.
pub async fn in_notice(
    db: &mut PgConnection,
    m: MunicipalityId,
    owned_by: Option<Uuid>,
    today: NaiveDate,
    shown: i64,
) -> AppResult<(Vec<InNotice>, Pager)> {
    let notice = ContractFilter { attention: Attention::InNotice.code().into(), ..ContractFilter::default() };
    let first = Asked { page: 1, per_page: shown };
    let (ids, total) = matching_contracts(&mut *db, m, &notice, owned_by, today, first).await?;
    let named = sqlx::query_as!(
        InNotice,
        "SELECT c.id, c.title, s.name AS supplier_name, c.ends_on, c.notice_months
           FROM contracts c JOIN suppliers s ON s.id = c.supplier_id
          WHERE c.municipality_id = $1 AND c.id = ANY($2)
          ORDER BY s.name, c.title, c.id",
        m.uuid(),
        &ids
    )
    .fetch_all(&mut *db)
    .await?;
    Ok((named, first.among(total)))
}

/// Whether the user owns (is beställaransvarig for) any contract.
pub async fn owns_a_contract(db: impl PgExecutor<'_>, m: MunicipalityId, user: Uuid) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM contracts c JOIN people p ON p.id = c.owner_person_id
                           WHERE c.municipality_id = $1 AND p.user_id = $2) AS "owns!""#,
        m.uuid(),
        user
    )
    .fetch_one(db)
    .await?)
}

/// Contracts (these, or all) with their requirements, checks due and missing requirements: four queries in all.
pub async fn standings(
    db: &mut PgConnection,
    m: MunicipalityId,
    ids: Option<&[Uuid]>,
    today: NaiveDate,
) -> AppResult<Vec<ContractStanding>> {
    let ids = match ids {
        Some(ids) => ids.to_vec(),
        None => every_contract(&mut *db, m).await?,
    };
    let contracts = select_contracts(&mut *db, m, &ids).await?;
    let checks = latest_checks(&mut *db, m, &ids).await?;
    let catalogue = crate::classification::store::catalogue(&mut *db, m).await?;
    let mut covered_ids: Vec<Uuid> = contracts.iter().flat_map(|c| c.system_ids.iter().copied()).collect();
    covered_ids.sort_unstable();
    covered_ids.dedup();
    let systems = crate::systems::store::levels_of(&mut *db, m, &covered_ids).await?;
    let entries: Vec<super::model::CatalogueEntry> = catalogue
        .iter()
        .map(|measure| super::model::CatalogueEntry {
            id: measure.id,
            requirement: measure.requirement(),
            applies_to_supplier: measure.applies_to == crate::classification::model::AppliesTo::Leverantor,
        })
        .collect();
    // Looked up per contract: a large municipality has hundreds of contracts and thousands of checks.
    let systems: std::collections::HashMap<Uuid, _> = systems.iter().map(|s| (s.id, s)).collect();
    let mut checks_of: std::collections::HashMap<Uuid, Vec<LatestCheck>> = std::collections::HashMap::new();
    for check in checks {
        checks_of.entry(check.contract_id).or_default().push(check);
    }
    Ok(contracts
        .into_iter()
        .map(|contract| {
            let mut covered: Vec<(&str, Option<crate::classification::model::ProtectionLevel>)> = contract
                .system_ids
                .iter()
                .filter_map(|id| systems.get(id))
                .map(|s| (s.name.as_str(), s.protection_level()))
                .collect();
            covered.sort_by(|a, b| a.0.cmp(b.0));
            let missing_requirements = super::model::missing_requirements(&covered, &entries, &contract.measure_ids)
                .into_iter()
                .filter_map(|(id, needing)| {
                    let measure = catalogue.iter().find(|me| me.id == id)?;
                    Some(MissingRequirement {
                        measure_id: id,
                        code: measure.code.clone(),
                        title: measure.title.clone(),
                        systems: needing.into_iter().map(String::from).collect(),
                    })
                })
                .collect();
            ContractStanding {
                requirements: requirement_statuses(
                    &contract,
                    &catalogue,
                    checks_of.get(&contract.id).map_or(&[], Vec::as_slice),
                    today,
                ),
                missing_requirements,
                notice_deadline: contract.notice_deadline(),
                in_notice_period: contract.is_in_notice_period(today),
                has_ended: contract.has_ended(today),
                contract,
            }
        })
        .collect())
}
