//! Compliance checks.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::*;
use crate::actions::model::ActionInput;
use crate::actions::store::{ActionLinks, Source};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult};
use crate::suppliers::model::{CheckInput, CheckResult, is_check_overdue, next_check, notice_deadline};
use crate::web::pagination::{Asked, Pager};

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
    let entries: Vec<crate::suppliers::model::CatalogueEntry> = catalogue
        .iter()
        .map(|measure| crate::suppliers::model::CatalogueEntry {
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
            let missing_requirements =
                crate::suppliers::model::missing_requirements(&covered, &entries, &contract.measure_ids)
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
