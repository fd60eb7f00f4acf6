//! The inventory of systems.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::audit_log::{self, Actor, Change, EntityType};
use crate::classification::model::ProtectionLevel;
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error, unique_as};
use crate::systems::model::{self, Flag, Hosting, Lifecycle, SystemInput};
use crate::web::pagination::{Asked, Pager};

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct System {
    pub id: Uuid,
    pub name: String,
    pub purpose: String,
    pub body_id: Option<Uuid>,
    pub body_name: Option<String>,
    pub owner_person_id: Option<Uuid>,
    pub owner_name: Option<String>,
    #[serde(skip)]
    pub owner_user_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub unit_name: Option<String>,
    #[schema(value_type = Vec<PersonRef>)]
    pub administrators: Json<Vec<PersonRef>>,
    #[serde(skip)]
    pub administrator_user_ids: Vec<Uuid>,
    pub supplier_name: String,
    pub operator_name: String,
    /// egen, leverantor, gemensam_it or moln.
    pub hosting: Hosting,
    pub users_count: Option<i32>,
    /// planerad, i_drift, avvecklas or avvecklad.
    pub lifecycle: Lifecycle,
    pub is_critical: bool,
    pub is_nis: bool,
    pub is_security_protection: bool,
    pub is_welfare_tech: bool,
    pub has_personal_data: bool,
    pub has_sensitive_personal_data: bool,
    pub review_interval_months: i32,
    /// When the classification was last reviewed.
    pub reviewed_on: Option<NaiveDate>,
    /// When a major change last asked for a new review.
    pub major_change_on: Option<NaiveDate>,
    #[serde(skip)]
    pub level_k: Option<i16>,
    #[serde(skip)]
    pub level_r: Option<i16>,
    #[serde(skip)]
    pub level_t: Option<i16>,
    #[serde(skip)]
    pub level_s: Option<i16>,
    pub assets_count: i64,
    pub classified_assets: i64,
    /// The date of the latest risk analysis of the system.
    pub last_risk_analysis: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

crate::codes! {
    /// How far a system's information is classified.
    pub enum Coverage {
        Classified = "klassad" => "Klassad",
        Partly = "delvis" => "Delvis klassad",
        Unclassified = "ej_klassad" => "Ej klassad",
    }
}

impl System {
    pub fn protection_level(&self) -> Option<ProtectionLevel> {
        ProtectionLevel::from_columns(self.level_k, self.level_r, self.level_t, self.level_s)
    }

    pub fn triple(&self) -> String {
        self.protection_level().map(|l| l.triple()).unwrap_or_else(|| "–".into())
    }

    pub fn has_level_4(&self) -> bool {
        self.protection_level().is_some_and(|l| l.has_level_4())
    }

    pub fn coverage(&self) -> Coverage {
        if self.classified_assets == 0 {
            Coverage::Unclassified
        } else if self.classified_assets < self.assets_count {
            Coverage::Partly
        } else {
            Coverage::Classified
        }
    }

    pub fn next_review(&self) -> Option<NaiveDate> {
        model::next_review(self.reviewed_on, self.major_change_on, self.review_interval_months)
    }

    pub fn is_review_overdue(&self, today: NaiveDate) -> bool {
        model::is_review_overdue(self.next_review(), today)
    }

    /// A risk analysis made within the review interval counts as current.
    pub fn has_current_risk_analysis(&self, today: NaiveDate) -> bool {
        self.last_risk_analysis
            .is_some_and(|d| model::next_review(Some(d), None, self.review_interval_months) >= Some(today))
    }

    /// The system owner or one of its administrators.
    pub fn is_kept_by(&self, user_id: Uuid) -> bool {
        self.owner_user_id == Some(user_id) || self.administrator_user_ids.contains(&user_id)
    }

    /// Whether the system has the property, read from its own column.
    pub fn has(&self, flag: Flag) -> bool {
        match flag {
            Flag::Critical => self.is_critical,
            Flag::Nis => self.is_nis,
            Flag::SecurityProtection => self.is_security_protection,
            Flag::WelfareTech => self.is_welfare_tech,
            Flag::PersonalData => self.has_personal_data,
            Flag::SensitivePersonalData => self.has_sensitive_personal_data,
        }
    }

    /// Labels of the properties that are set.
    pub fn flag_labels(&self) -> Vec<&'static str> {
        Flag::ALL.into_iter().filter(|flag| self.has(*flag)).map(Flag::label).collect()
    }

    fn snapshot(&self) -> Value {
        json!({
            "Namn": self.name, "Syfte": self.purpose, "Ansvarigt organ": self.body_name, "Systemägare": self.owner_name,
            "Enhet": self.unit_name, "Systemförvaltare": self.administrators_text(), "Leverantör": self.supplier_name,
            "Driftleverantör": self.operator_name, "Driftform": self.hosting_label(), "Antal användare": self.users_count,
            "Livscykel": self.lifecycle_label(), "Egenskaper": self.flag_labels().join(", "),
            "Granskningsintervall (månader)": self.review_interval_months, "Väsentlig förändring": self.major_change_on,
        })
    }
}

/// Filters for the system list; the SQL narrows by text, body, owner and property,
/// the rest is decided by the rules in `System`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct Filter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub body_id: String,
    #[serde(default)]
    pub owner_person_id: String,
    /// One of the property fields, e.g. "is_critical".
    #[serde(default)]
    pub flag: String,
    /// klassad, delvis or ej_klassad.
    #[serde(default)]
    pub classification: String,
    /// "1" for only those whose classification review is overdue.
    #[serde(default)]
    pub overdue: String,
    /// "1" for only those without a current risk analysis.
    #[serde(default)]
    pub no_risk_analysis: String,
    /// "1" for only those without a named system owner.
    #[serde(default)]
    pub no_owner: String,
    /// The page of the list page; the API documents its own `page` with `limit`.
    #[param(ignore)]
    #[serde(skip_serializing)]
    pub page: Option<String>,
    /// Only what was registered by then, with the information and classifications registered
    /// by then and the risk analyses dated before its Stockholm day: the annual report's
    /// figures as of its date (the end of that day).
    #[serde(skip)]
    pub registered_by: Option<DateTime<Utc>>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        [&self.q, &self.body_id, &self.owner_person_id, &self.flag, &self.classification, &self.overdue]
            .iter()
            .chain([&&self.no_risk_analysis, &&self.no_owner])
            .all(|v| v.trim().is_empty())
    }
}

/// The ids of the systems matching the filter, by name (`limit` of them from `offset`), and how
/// many match in all. Every filter, the classification coverage and the review and risk-analysis
/// dates included, is decided in PostgreSQL with the rules of `System::coverage`,
/// `model::next_review` and `System::has_current_risk_analysis` (tests/it/systems.rs holds the
/// two to the same answers).
async fn matching(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    today: NaiveDate,
    asked: Asked,
) -> AppResult<(Vec<Uuid>, i64)> {
    let body_id = Uuid::parse_str(filter.body_id.trim()).ok();
    let owner_id = Uuid::parse_str(filter.owner_person_id.trim()).ok();
    // The flag's code is its column's name; the query binds each code to its column by name.
    let flag = Flag::parse(filter.flag.trim()).map(Flag::code).unwrap_or("");
    let found = sqlx::query!(
        r#"WITH matching AS (
               SELECT s.id, s.name
                 FROM systems s
                WHERE s.municipality_id = $1
                  AND ($2 = '' OR s.name ILIKE '%' || $2 || '%' OR s.purpose ILIKE '%' || $2 || '%'
                       OR s.supplier_name ILIKE '%' || $2 || '%')
                  AND ($3::uuid IS NULL OR s.body_id = $3)
                  AND ($4::uuid IS NULL OR s.owner_person_id = $4)
                  AND (CASE $5 WHEN '' THEN true
                                 WHEN 'is_critical' THEN s.is_critical
                                 WHEN 'is_nis' THEN s.is_nis
                                 WHEN 'is_security_protection' THEN s.is_security_protection
                                 WHEN 'is_welfare_tech' THEN s.is_welfare_tech
                                 WHEN 'has_personal_data' THEN s.has_personal_data
                                 WHEN 'has_sensitive_personal_data' THEN s.has_sensitive_personal_data END)
                  AND ($7::timestamptz IS NULL OR s.created_at <= $7)
                  AND ($11 <> '1' OR s.owner_person_id IS NULL)
                  -- Each rule below is only evaluated when its filter is asked for (OR stops early).
                  AND ($6 = '' OR $6 = (
                         SELECT CASE WHEN count(*) FILTER (WHERE c.classified) = 0 THEN 'ej_klassad'
                                     WHEN count(*) FILTER (WHERE c.classified) < count(*) THEN 'delvis'
                                     ELSE 'klassad' END
                           FROM information_assets a
                           CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM classifications c
                                                   WHERE c.asset_id = a.id
                                                     AND ($7::timestamptz IS NULL OR c.classified_at <= $7)) AS classified) c
                          WHERE a.system_id = s.id AND ($7::timestamptz IS NULL OR a.created_at <= $7)))
                  AND ($8 <> '1' OR CASE WHEN s.reviewed_on IS NULL THEN false
                                         WHEN s.major_change_on > s.reviewed_on THEN s.major_change_on < $9
                                         ELSE (s.reviewed_on + make_interval(months => greatest(s.review_interval_months, 1)))::date < $9
                                    END)
                  AND ($10 <> '1' OR NOT EXISTS (
                         SELECT 1 FROM risk_analyses ra
                          WHERE ra.system_id = s.id AND ($7::timestamptz IS NULL OR ra.analysed_on < ($7 AT TIME ZONE 'Europe/Stockholm')::date)
                            AND (ra.analysed_on + make_interval(months => greatest(s.review_interval_months, 1)))::date >= $9))),
           total AS (SELECT count(*) AS n FROM (SELECT 1 FROM matching LIMIT $14) counted)
           SELECT (SELECT n FROM total) AS "total!",
                  ARRAY(SELECT id FROM matching ORDER BY name, id LIMIT $12
                        OFFSET LEAST($13, GREATEST((SELECT n FROM total) - 1, 0) / $12 * $12)) AS "ids!""#,
        m.uuid(),
        crate::web::search::contains(&filter.q),
        body_id,
        owner_id,
        flag,
        filter.classification.trim(),
        filter.registered_by,
        filter.overdue.trim(),
        today,
        filter.no_risk_analysis.trim(),
        filter.no_owner.trim(),
        asked.per_page,
        asked.offset(),
        asked.count_limit(),
    )
    .fetch_one(&mut *db)
    .await?;
    Ok((found.ids, found.total))
}

/// Systems in full, in the order of `ids`, with their assets and classifications as registered
/// by `registered_by` and their analyses as dated by then (all when None).
pub async fn by_ids(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    ids: &[Uuid],
    registered_by: Option<DateTime<Utc>>,
) -> AppResult<Vec<System>> {
    Ok(sqlx::query_as!(
        System,
        r#"SELECT s.id, s.name, s.purpose, s.body_id, b.name AS "body_name?", s.owner_person_id, o.name AS "owner_name?",
                  o.user_id AS owner_user_id, s.unit_id, u.name AS "unit_name?",
                  COALESCE((SELECT json_agg(json_build_object('id', p.id, 'name', p.name) ORDER BY p.name)
                              FROM system_administrators sa JOIN people p ON p.id = sa.person_id
                             WHERE sa.system_id = s.id), '[]') AS "administrators!: Json<Vec<PersonRef>>",
                  ARRAY(SELECT p.user_id FROM system_administrators sa JOIN people p ON p.id = sa.person_id
                         WHERE sa.system_id = s.id AND p.user_id IS NOT NULL) AS "administrator_user_ids!",
                  s.supplier_name, s.operator_name, s.hosting AS "hosting: Hosting", s.users_count,
                  s.lifecycle AS "lifecycle: Lifecycle",
                  s.is_critical, s.is_nis, s.is_security_protection, s.is_welfare_tech, s.has_personal_data,
                  s.has_sensitive_personal_data, s.review_interval_months, s.reviewed_on, s.major_change_on,
                  s.level_k, s.level_r, s.level_t, s.level_s,
                  -- Today's counts are kept on the system (migration 0028); a past date's are counted.
                  CASE WHEN $3::timestamptz IS NULL THEN s.assets_count
                       ELSE (SELECT count(*) FROM information_assets a WHERE a.system_id = s.id AND a.created_at <= $3)
                  END::bigint AS "assets_count!",
                  CASE WHEN $3::timestamptz IS NULL THEN s.classified_assets
                       ELSE (SELECT count(*) FROM information_assets a
                              WHERE a.system_id = s.id AND a.created_at <= $3
                                AND EXISTS (SELECT 1 FROM classifications c WHERE c.asset_id = a.id AND c.classified_at <= $3))
                  END::bigint AS "classified_assets!",
                  CASE WHEN $3::timestamptz IS NULL THEN s.last_risk_analysis
                       ELSE (SELECT max(ra.analysed_on) FROM risk_analyses ra
                              WHERE ra.system_id = s.id AND ra.analysed_on < ($3 AT TIME ZONE 'Europe/Stockholm')::date)
                  END AS last_risk_analysis,
                  s.updated_at
             FROM systems s
             LEFT JOIN bodies b ON b.id = s.body_id
             LEFT JOIN people o ON o.id = s.owner_person_id
             LEFT JOIN units u ON u.id = s.unit_id
            WHERE s.municipality_id = $1 AND s.id = ANY($2)
            ORDER BY array_position($2, s.id)"#,
        m.uuid(),
        ids,
        registered_by
    )
    .fetch_all(db)
    .await?)
}

/// The ids of the systems that pass the filter, by name (for an export, read by [`by_ids`] a
/// chunk at a time).
pub async fn ids(db: &mut PgConnection, m: MunicipalityId, filter: &Filter, today: NaiveDate) -> AppResult<Vec<Uuid>> {
    Ok(matching(db, m, filter, today, Asked::ALL).await?.0)
}

/// Systems that pass the filter (all pages).
pub async fn list(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    today: NaiveDate,
) -> AppResult<Vec<System>> {
    let (ids, _) = matching(&mut *db, m, filter, today, Asked::ALL).await?;
    by_ids(db, m, &ids, filter.registered_by).await
}

/// One page of the systems that pass the filter, with where it sits in the whole list.
pub async fn page(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    today: NaiveDate,
    asked: Asked,
) -> AppResult<(Vec<System>, Pager)> {
    let (ids, total) = matching(&mut *db, m, filter, today, asked).await?;
    let pager = asked.among(total);
    Ok((by_ids(db, m, &ids, filter.registered_by).await?, pager))
}

/// The systems the user keeps, as owner or administrator.
pub async fn kept_by(db: &mut PgConnection, m: MunicipalityId, user: Uuid) -> AppResult<Vec<System>> {
    let ids = sqlx::query_scalar!(
        "SELECT s.id FROM systems s
          WHERE s.municipality_id = $1 AND s.id IN (SELECT k FROM systems_kept_by($2) k) ORDER BY s.name, s.id",
        m.uuid(),
        user
    )
    .fetch_all(&mut *db)
    .await?;
    by_ids(db, m, &ids, None).await
}

/// A system's name and protection level, for rules that need no more of it.
pub struct Leveled {
    pub id: Uuid,
    pub name: String,
    level_k: Option<i16>,
    level_r: Option<i16>,
    level_t: Option<i16>,
    level_s: Option<i16>,
}

impl Leveled {
    pub fn protection_level(&self) -> Option<ProtectionLevel> {
        ProtectionLevel::from_columns(self.level_k, self.level_r, self.level_t, self.level_s)
    }
}

/// The names and protection levels of the systems with these ids.
pub async fn levels_of(db: impl PgExecutor<'_>, m: MunicipalityId, ids: &[Uuid]) -> AppResult<Vec<Leveled>> {
    Ok(sqlx::query_as!(
        Leveled,
        "SELECT id, name, level_k, level_r, level_t, level_s FROM systems
          WHERE municipality_id = $1 AND id = ANY($2) ORDER BY name, id",
        m.uuid(),
        ids
    )
    .fetch_all(db)
    .await?)
}

pub async fn get(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<System> {
    by_ids(db, m, &[id], None).await?.pop().ok_or(AppError::NotFound)
}

/// Names of the municipality's systems (for pick lists and the import's duplicate check).
pub async fn names(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<(Uuid, String)>> {
    Ok(sqlx::query!("SELECT id, name FROM systems WHERE municipality_id = $1 ORDER BY name", m.uuid())
        .fetch_all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
}

async fn check_links(tx: &mut PgConnection, m: MunicipalityId, input: &SystemInput) -> AppResult<()> {
    crate::org::store::check_body(tx, m, input.body_id, "body_id").await?;
    crate::org::store::check_person(tx, m, input.owner_person_id, "owner_person_id").await?;
    crate::org::store::check_unit(tx, m, input.unit_id).await?;
    let found = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM people WHERE municipality_id = $1 AND id = ANY($2)"#,
        m.uuid(),
        &input.administrator_ids
    )
    .fetch_one(&mut *tx)
    .await?;
    if found as usize != input.administrator_ids.len() {
        return Err(field_error("administrator_ids", "Välj systemförvaltare bland kommunens personer."));
    }
    Ok(())
}

async fn set_administrators(tx: &mut PgConnection, m: MunicipalityId, id: Uuid, people: &[Uuid]) -> AppResult<()> {
    sqlx::query!("DELETE FROM system_administrators WHERE municipality_id = $1 AND system_id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO system_administrators (municipality_id, system_id, person_id) SELECT $1, $2, unnest($3::uuid[])",
        m.uuid(),
        id,
        people
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

const DUPLICATE: &str = "Det finns redan ett system med det namnet.";

pub async fn create(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, input: &SystemInput) -> AppResult<System> {
    check_links(tx, m, input).await?;
    let id = Uuid::new_v4();
    let flags = input.flags;
    sqlx::query!(
        "INSERT INTO systems (id, municipality_id, name, purpose, body_id, owner_person_id, unit_id, supplier_name,
                              operator_name, hosting, users_count, lifecycle, is_critical, is_nis, is_security_protection,
                              is_welfare_tech, has_personal_data, has_sensitive_personal_data, review_interval_months)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        id,
        m.uuid(),
        input.name,
        input.purpose,
        input.body_id,
        input.owner_person_id,
        input.unit_id,
        input.supplier_name,
        input.operator_name,
        input.hosting.code(),
        input.users_count,
        input.lifecycle.code(),
        flags.is_critical,
        flags.is_nis,
        flags.is_security_protection,
        flags.is_welfare_tech,
        flags.has_personal_data,
        flags.has_sensitive_personal_data,
        input.review_interval_months
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("systems_municipality_id_name_key", "name", DUPLICATE))?;
    set_administrators(tx, m, id, &input.administrator_ids).await?;
    let system = get(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::System, id, system.snapshot())).await?;
    Ok(system)
}

pub async fn update(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &SystemInput,
) -> AppResult<System> {
    let before = get(&mut *tx, m, id).await?;
    check_links(tx, m, input).await?;
    let flags = input.flags;
    sqlx::query!(
        "UPDATE systems SET name = $3, purpose = $4, body_id = $5, owner_person_id = $6, unit_id = $7, supplier_name = $8,
                operator_name = $9, hosting = $10, users_count = $11, lifecycle = $12, is_critical = $13, is_nis = $14,
                is_security_protection = $15, is_welfare_tech = $16, has_personal_data = $17,
                has_sensitive_personal_data = $18, review_interval_months = $19, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.name,
        input.purpose,
        input.body_id,
        input.owner_person_id,
        input.unit_id,
        input.supplier_name,
        input.operator_name,
        input.hosting.code(),
        input.users_count,
        input.lifecycle.code(),
        flags.is_critical,
        flags.is_nis,
        flags.is_security_protection,
        flags.is_welfare_tech,
        flags.has_personal_data,
        flags.has_sensitive_personal_data,
        input.review_interval_months
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("systems_municipality_id_name_key", "name", DUPLICATE))?;
    set_administrators(tx, m, id, &input.administrator_ids).await?;
    let after = get(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::System, id, before.snapshot(), after.snapshot()))
        .await?;
    Ok(after)
}

/// Records a major change: the classification is due for review from that day.
pub async fn record_major_change(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    on: NaiveDate,
) -> AppResult<System> {
    let before = get(&mut *tx, m, id).await?;
    sqlx::query!(
        "UPDATE systems SET major_change_on = $3, updated_at = now() WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        on
    )
    .execute(&mut *tx)
    .await?;
    let after = get(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::System, id, before.snapshot(), after.snapshot()))
        .await?;
    Ok(after)
}

pub async fn delete(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<()> {
    let before = get(&mut *tx, m, id).await?;
    sqlx::query!("DELETE FROM systems WHERE municipality_id = $1 AND id = $2", m.uuid(), id).execute(&mut *tx).await?;
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::System, id, before.snapshot())).await?;
    Ok(())
}
