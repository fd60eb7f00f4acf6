//! Queries for the risk scale, risk analyses and risks, scoped by municipality and audited.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{AnalysisInput, ObjectKind, RiskInput, RiskLevel, Scale};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error};
use crate::web::pagination::{Asked, Pager};

/// The municipality's scale, or the default 1–4 scale when none is set.
pub async fn scale(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Scale> {
    let row = sqlx::query!(
        "SELECT scale_max, likelihood_steps, consequence_steps, medium_from, high_from FROM risk_settings WHERE municipality_id = $1",
        m.uuid()
    )
    .fetch_optional(db)
    .await?;
    Ok(row
        .map(|r| Scale {
            max: r.scale_max,
            likelihood_steps: r.likelihood_steps,
            consequence_steps: r.consequence_steps,
            medium_from: r.medium_from,
            high_from: r.high_from,
        })
        .unwrap_or_else(Scale::default_four))
}

/// Changes the scale. Risks already rated above a smaller scale's top keep their values
/// and are refused: the coordinator rates them again first.
pub async fn set_scale(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, new: &Scale) -> AppResult<()> {
    new.check().map_err(AppError::Validation)?;
    let before = scale(&mut *tx, m).await?;
    let too_high = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM risks WHERE municipality_id = $1
             AND (GREATEST(likelihood, consequence, COALESCE(residual_likelihood, 0), COALESCE(residual_consequence, 0)) > $2)"#,
        m.uuid(),
        i32::from(new.max)
    )
    .fetch_one(&mut *tx)
    .await?;
    if too_high > 0 {
        return Err(field_error(
            "max",
            &format!("{too_high} risker har värden över {}: bedöm dem på nytt först.", new.max),
        ));
    }
    sqlx::query!(
        "INSERT INTO risk_settings (municipality_id, scale_max, likelihood_steps, consequence_steps, medium_from, high_from)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (municipality_id) DO UPDATE SET scale_max = EXCLUDED.scale_max, likelihood_steps = EXCLUDED.likelihood_steps,
             consequence_steps = EXCLUDED.consequence_steps, medium_from = EXCLUDED.medium_from, high_from = EXCLUDED.high_from",
        m.uuid(),
        new.max,
        &new.likelihood_steps,
        &new.consequence_steps,
        new.medium_from,
        new.high_from
    )
    .execute(&mut *tx)
    .await?;
    let snapshot = |s: &Scale| {
        json!({"Skala": format!("1–{}", s.max), "Sannolikhet": s.likelihood_steps.join(", "),
               "Konsekvens": s.consequence_steps.join(", "), "Medel från": s.medium_from, "Hög från": s.high_from})
    };
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::RiskSettings, m.uuid(), snapshot(&before), snapshot(new)),
    )
    .await
}

// ---------------------------------------------------------------- analyses

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Analysis {
    pub id: Uuid,
    pub title: String,
    pub object_kind: ObjectKind,
    pub system_id: Option<Uuid>,
    pub system_name: Option<String>,
    pub object_text: String,
    pub analysed_on: NaiveDate,
    pub participants: String,
    pub owner_person_id: Option<Uuid>,
    pub owner_name: Option<String>,
    #[serde(skip)]
    pub owner_user_id: Option<Uuid>,
    pub risks_count: i64,
    pub updated_at: DateTime<Utc>,
}

impl Analysis {
    /// What was analysed, in words.
    pub fn object(&self) -> &str {
        self.system_name.as_deref().unwrap_or(&self.object_text)
    }

    fn snapshot(&self) -> Value {
        json!({"Rubrik": self.title, "Objekt": format!("{}: {}", self.object_kind_label(), self.object()),
               "Datum": self.analysed_on, "Deltagare": self.participants, "Ansvarig": self.owner_name})
    }
}

async fn select_analyses(db: impl PgExecutor<'_>, m: MunicipalityId, id: Option<Uuid>) -> AppResult<Vec<Analysis>> {
    Ok(sqlx::query_as!(
        Analysis,
        r#"SELECT ra.id, ra.title, ra.object_kind AS "object_kind: ObjectKind", ra.system_id, s.name AS "system_name?", ra.object_text, ra.analysed_on,
                  ra.participants, ra.owner_person_id, p.name AS "owner_name?", p.user_id AS "owner_user_id?",
                  (SELECT count(*) FROM risks r WHERE r.analysis_id = ra.id) AS "risks_count!", ra.updated_at
             FROM risk_analyses ra LEFT JOIN systems s ON s.id = ra.system_id LEFT JOIN people p ON p.id = ra.owner_person_id
            WHERE ra.municipality_id = $1 AND ($2::uuid IS NULL OR ra.id = $2)
            ORDER BY ra.analysed_on DESC, ra.title"#,
        m.uuid(),
        id
    )
    .fetch_all(db)
    .await?)
}

pub async fn analyses(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<Analysis>> {
    select_analyses(db, m, None).await
}

pub async fn analysis(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Analysis> {
    select_analyses(db, m, Some(id)).await?.pop().ok_or(AppError::NotFound)
}

async fn check_analysis_links(tx: &mut PgConnection, m: MunicipalityId, input: &AnalysisInput) -> AppResult<()> {
    if let Some(system_id) = input.system_id
        && let Err(AppError::NotFound) = crate::systems::store::get(&mut *tx, m, system_id).await
    {
        return Err(field_error("system_id", "Välj ett system i listan."));
    }
    crate::org::store::check_person(tx, m, input.owner_person_id, "owner_person_id").await
}

pub async fn create_analysis(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &AnalysisInput,
) -> AppResult<Analysis> {
    check_analysis_links(tx, m, input).await?;
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO risk_analyses (id, municipality_id, title, object_kind, system_id, object_text, analysed_on, participants,
                                    owner_person_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        id,
        m.uuid(),
        input.title,
        input.object_kind.code(),
        input.system_id,
        input.object_text,
        input.analysed_on,
        input.participants,
        input.owner_person_id
    )
    .execute(&mut *tx)
    .await?;
    let analysis = analysis(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::RiskAnalysis, id, analysis.snapshot())).await?;
    Ok(analysis)
}

pub async fn update_analysis(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &AnalysisInput,
) -> AppResult<Analysis> {
    let before = analysis(&mut *tx, m, id).await?;
    check_analysis_links(tx, m, input).await?;
    sqlx::query!(
        "UPDATE risk_analyses SET title = $3, object_kind = $4, system_id = $5, object_text = $6, analysed_on = $7,
                participants = $8, owner_person_id = $9, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.title,
        input.object_kind.code(),
        input.system_id,
        input.object_text,
        input.analysed_on,
        input.participants,
        input.owner_person_id
    )
    .execute(&mut *tx)
    .await?;
    let after = analysis(&mut *tx, m, id).await?;
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::RiskAnalysis, id, before.snapshot(), after.snapshot()),
    )
    .await?;
    Ok(after)
}

// ---------------------------------------------------------------- risks

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Risk {
    pub id: Uuid,
    pub analysis_id: Uuid,
    pub analysis_title: String,
    pub object_kind: ObjectKind,
    pub system_id: Option<Uuid>,
    /// The object of the analysis, in words.
    pub object: String,
    pub threat: String,
    pub likelihood: i16,
    pub consequence: i16,
    pub existing_measures: String,
    pub residual_likelihood: Option<i16>,
    pub residual_consequence: Option<i16>,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub acceptance_comment: String,
    /// How many treatment actions it has, and how many are done.
    pub treatments: i64,
    pub treatments_done: i64,
    /// The owner of the analysis: they accept the residual risk.
    #[serde(skip)]
    pub owner_user_id: Option<Uuid>,
    /// When it last changed (its version, sent as ETag).
    pub updated_at: DateTime<Utc>,
}

impl Risk {
    pub fn value(&self, scale: &Scale) -> i16 {
        scale.value(self.likelihood, self.consequence)
    }

    pub fn level(&self, scale: &Scale) -> RiskLevel {
        scale.level(self.likelihood, self.consequence)
    }

    pub fn residual_level(&self, scale: &Scale) -> Option<RiskLevel> {
        Some(scale.level(self.residual_likelihood?, self.residual_consequence?))
    }

    pub fn is_untreated(&self) -> bool {
        self.treatments == 0 && self.accepted_at.is_none()
    }

    pub fn is_accepted(&self) -> bool {
        self.accepted_at.is_some()
    }

    fn snapshot(&self) -> Value {
        json!({"Hot": self.threat, "Sannolikhet": self.likelihood, "Konsekvens": self.consequence,
               "Befintliga åtgärder": self.existing_measures, "Kvarvarande sannolikhet": self.residual_likelihood,
               "Kvarvarande konsekvens": self.residual_consequence, "Accepterad av": self.accepted_by,
               "Kommentar till acceptans": self.acceptance_comment})
    }
}

/// Filters for the risk register.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct Filter {
    #[serde(default)]
    pub q: String,
    /// system, process, it_miljo or valfardsteknik.
    #[serde(default)]
    pub object_kind: String,
    /// lag, medel or hog.
    #[serde(default)]
    pub level: String,
    /// "1" for only risks with no treatment action and no acceptance.
    #[serde(default)]
    pub untreated: String,
    /// "1" accepted only, "0" not accepted only.
    #[serde(default)]
    pub accepted: String,
    /// The page of the register page; the API documents its own `page` with `limit`.
    #[param(ignore)]
    #[serde(skip_serializing)]
    pub page: Option<String>,
    /// Only risks of analyses dated before its Stockholm day, with the treatments and
    /// acceptances registered by then: the annual report's figures as of its date (the end of
    /// that day).
    #[serde(skip)]
    pub registered_by: Option<DateTime<Utc>>,
}

/// The latest request to the analysis' owner to decide on its untreated risks: when, and "Sara
/// Lind ombads ta ställning till de obehandlade riskerna 2026-12-07 09:30 av Eva Dahl."
pub async fn acceptance_request(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    analysis_id: Uuid,
) -> AppResult<Option<(DateTime<Utc>, String)>> {
    let latest = sqlx::query!(
        "SELECT u.display_name, r.asked_by, r.created_at
           FROM acceptance_requests r JOIN users u ON u.id = r.asked_user_id
          WHERE r.municipality_id = $1 AND r.analysis_id = $2 ORDER BY r.created_at DESC LIMIT 1",
        m.uuid(),
        analysis_id
    )
    .fetch_optional(db)
    .await?;
    Ok(latest.map(|r| {
        let text = format!(
            "{} ombads ta ställning till de obehandlade riskerna {} av {}.",
            r.display_name,
            crate::web::format::datetime(r.created_at),
            r.asked_by
        );
        (r.created_at, text)
    }))
}

/// Asks the analysis' owner to decide on its untreated risks; they are reminded at once and the
/// request is their work item while a risk stays untreated.
pub async fn request_acceptance(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    analysis: &Analysis,
    today: NaiveDate,
) -> AppResult<()> {
    let owner = analysis.owner_user_id.ok_or(AppError::NotFound)?;
    sqlx::query!(
        "INSERT INTO acceptance_requests (id, municipality_id, analysis_id, asked_user_id, asked_by)
         VALUES ($1, $2, $3, $4, $5)",
        Uuid::new_v4(),
        m.uuid(),
        analysis.id,
        owner,
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    let reminder = crate::reminders::store::NewReminder {
        user_id: owner,
        area: "Riskacceptans".into(),
        title: acceptance_title(&analysis.title),
        link: format!("/risk-analyses/{}", analysis.id),
        due: today + chrono::Duration::days(super::model::ACCEPTANCE_DAYS),
        occasion: today,
    };
    crate::reminders::store::add(&mut *tx, m, &[reminder]).await?;
    let asked = json!({"Ombedd att ta ställning till obehandlade risker": analysis.owner_name});
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::RiskAnalysis, analysis.id, json!({}), asked))
        .await?;
    Ok(())
}

fn acceptance_title(analysis: &str) -> String {
    format!("Ta ställning till de obehandlade riskerna i {analysis}")
}

/// An analysis whose owner was asked and which still has untreated risks: their work item.
pub struct OpenAcceptanceRequest {
    pub analysis_id: Uuid,
    pub title: String,
    pub asked_user_id: Uuid,
    pub due: NaiveDate,
}

/// The latest request of each analysis that still has an untreated risk (one neither accepted
/// nor treated: `Risk::is_untreated`).
pub async fn open_acceptance_requests(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
) -> AppResult<Vec<OpenAcceptanceRequest>> {
    Ok(sqlx::query!(
        r#"SELECT DISTINCT ON (q.analysis_id) q.analysis_id, ra.title, q.asked_user_id,
                  (q.created_at AT TIME ZONE 'Europe/Stockholm')::date AS "asked_on!"
             FROM acceptance_requests q JOIN risk_analyses ra ON ra.id = q.analysis_id
            WHERE q.municipality_id = $1
              AND EXISTS (SELECT 1 FROM risks r WHERE r.analysis_id = q.analysis_id AND r.accepted_at IS NULL
                             AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.risk_id = r.id))
            ORDER BY q.analysis_id, q.created_at DESC"#,
        m.uuid()
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| OpenAcceptanceRequest {
        analysis_id: r.analysis_id,
        title: acceptance_title(&r.title),
        asked_user_id: r.asked_user_id,
        due: r.asked_on + chrono::Duration::days(super::model::ACCEPTANCE_DAYS),
    })
    .collect())
}

/// Risks of one analysis, or with the given ids in their order; `kept_by`: only risks on the
/// user's systems or in analyses the user owns. Acceptances and treatments as registered by
/// `registered_by` (all when None).
/// Risks in full, in the order of `ids`. Every other selection finds its ids first, so this
/// one query has no optional filters (whose generic plans scan every risk).
pub async fn by_ids(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    ids: &[Uuid],
    registered_by: Option<DateTime<Utc>>,
) -> AppResult<Vec<Risk>> {
    Ok(sqlx::query_as!(
        Risk,
        r#"SELECT r.id, r.analysis_id, ra.title AS analysis_title, ra.object_kind AS "object_kind: ObjectKind", ra.system_id,
                  COALESCE(s.name, ra.object_text) AS "object!", r.threat, r.likelihood, r.consequence, r.existing_measures,
                  r.residual_likelihood, r.residual_consequence, r.accepted_by,
                  CASE WHEN $3::timestamptz IS NULL OR r.accepted_at <= $3 THEN r.accepted_at END AS accepted_at,
                  r.acceptance_comment,
                  (SELECT count(*) FROM actions a
                    WHERE a.risk_id = r.id AND ($3::timestamptz IS NULL OR a.created_at <= $3)) AS "treatments!",
                  (SELECT count(*) FROM actions a WHERE a.risk_id = r.id AND a.status = 'klar') AS "treatments_done!",
                  p.user_id AS owner_user_id, r.updated_at
             FROM risks r JOIN risk_analyses ra ON ra.id = r.analysis_id
             LEFT JOIN systems s ON s.id = ra.system_id
             LEFT JOIN people p ON p.id = ra.owner_person_id
            WHERE r.municipality_id = $1 AND r.id = ANY($2)
            ORDER BY array_position($2, r.id)"#,
        m.uuid(),
        ids,
        registered_by
    )
    .fetch_all(db)
    .await?)
}

/// The ids of the register's risks that pass the filter, gravest first (`limit` of them from
/// `offset`), and how many pass in all. The level is the scale's (`Scale::level`), untreated
/// and accepted as `Risk::is_untreated` and `Risk::is_accepted` decide, all in PostgreSQL.
async fn matching(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    scale: &Scale,
    asked: Asked,
) -> AppResult<(Vec<Uuid>, i64)> {
    let found = sqlx::query!(
        r#"WITH matching AS NOT MATERIALIZED (
               SELECT r.id, r.likelihood * r.consequence AS value, ra.analysed_on, r.created_at
                 FROM risks r JOIN risk_analyses ra ON ra.id = r.analysis_id
                 LEFT JOIN systems s ON s.id = ra.system_id
                WHERE r.municipality_id = $1
                  AND ($2 = '' OR ra.object_kind = $2)
                  AND ($3 = '' OR r.threat ILIKE '%' || $3 || '%' OR ra.title ILIKE '%' || $3 || '%'
                       OR COALESCE(s.name, ra.object_text) ILIKE '%' || $3 || '%')
                  AND ($4::timestamptz IS NULL OR ra.analysed_on < ($4 AT TIME ZONE 'Europe/Stockholm')::date)
                  AND ($5 = '' OR $5 = CASE WHEN r.likelihood * r.consequence >= $6 THEN 'hog'
                                            WHEN r.likelihood * r.consequence >= $7 THEN 'medel' ELSE 'lag' END)
                  AND ($8 <> '1' OR ((r.accepted_at IS NULL OR r.accepted_at > $4)
                                     AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.risk_id = r.id
                                                        AND ($4::timestamptz IS NULL OR a.created_at <= $4))))
                  AND ($9 NOT IN ('0', '1')
                       OR ($9 = '1') = (r.accepted_at IS NOT NULL AND ($4::timestamptz IS NULL OR r.accepted_at <= $4)))),
           total AS (SELECT count(*) AS n FROM (SELECT 1 FROM matching LIMIT $12) counted)
           SELECT (SELECT n FROM total) AS "total!",
                  ARRAY(SELECT id FROM matching ORDER BY value DESC, analysed_on DESC, created_at, id
                        LIMIT $10
                        OFFSET LEAST($11, GREATEST((SELECT n FROM total) - 1, 0) / $10 * $10)) AS "ids!""#,
        m.uuid(),
        filter.object_kind.trim(),
        crate::web::search::contains(&filter.q),
        filter.registered_by,
        filter.level.trim(),
        scale.high_from,
        scale.medium_from,
        filter.untreated.trim(),
        filter.accepted.trim(),
        asked.per_page,
        asked.offset(),
        asked.count_limit(),
    )
    .fetch_one(&mut *db)
    .await?;
    Ok((found.ids, found.total))
}

/// The ids of the register's risks that pass the filter, in its order (for an export, read by
/// [`by_ids`] a chunk at a time).
pub async fn ids(db: &mut PgConnection, m: MunicipalityId, filter: &Filter, scale: &Scale) -> AppResult<Vec<Uuid>> {
    Ok(matching(db, m, filter, scale, Asked::ALL).await?.0)
}

/// The register across analyses (all pages).
pub async fn register(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    scale: &Scale,
) -> AppResult<Vec<Risk>> {
    let (ids, _) = matching(&mut *db, m, filter, scale, Asked::ALL).await?;
    by_ids(db, m, &ids, filter.registered_by).await
}

/// One page of the register, with where it sits in the whole list.
pub async fn register_page(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    scale: &Scale,
    asked: Asked,
) -> AppResult<(Vec<Risk>, Pager)> {
    let (ids, total) = matching(&mut *db, m, filter, scale, asked).await?;
    let pager = asked.among(total);
    Ok((by_ids(db, m, &ids, filter.registered_by).await?, pager))
}

/// Risks on the user's systems or in analyses the user owns.
pub async fn kept_by(db: &mut PgConnection, m: MunicipalityId, user: Uuid) -> AppResult<Vec<Risk>> {
    let ids = sqlx::query_scalar!(
        "SELECT r.id FROM risks r JOIN risk_analyses ra ON ra.id = r.analysis_id
           LEFT JOIN people p ON p.id = ra.owner_person_id
          WHERE r.municipality_id = $1 AND (p.user_id = $2 OR ra.system_id IN (SELECT k FROM systems_kept_by($2) k))
          ORDER BY r.likelihood * r.consequence DESC, ra.analysed_on DESC, r.created_at, r.id",
        m.uuid(),
        user
    )
    .fetch_all(&mut *db)
    .await?;
    by_ids(db, m, &ids, None).await
}

pub async fn risks(db: &mut PgConnection, m: MunicipalityId, analysis_id: Uuid) -> AppResult<Vec<Risk>> {
    let ids = sqlx::query_scalar!(
        "SELECT r.id FROM risks r JOIN risk_analyses ra ON ra.id = r.analysis_id
          WHERE r.municipality_id = $1 AND r.analysis_id = $2
          ORDER BY r.likelihood * r.consequence DESC, ra.analysed_on DESC, r.created_at, r.id",
        m.uuid(),
        analysis_id
    )
    .fetch_all(&mut *db)
    .await?;
    by_ids(db, m, &ids, None).await
}

pub async fn risk(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Risk> {
    by_ids(db, m, &[id], None).await?.pop().ok_or(AppError::NotFound)
}

/// (likelihood, consequence) of every risk in the municipality, for the heat map.
pub async fn all_cells(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<(i16, i16)>> {
    Ok(sqlx::query!("SELECT likelihood, consequence FROM risks WHERE municipality_id = $1", m.uuid())
        .fetch_all(db)
        .await?
        .into_iter()
        .map(|r| (r.likelihood, r.consequence))
        .collect())
}

pub async fn add_risk(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    analysis_id: Uuid,
    input: &RiskInput,
) -> AppResult<Risk> {
    analysis(&mut *tx, m, analysis_id).await?;
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO risks (id, municipality_id, analysis_id, threat, likelihood, consequence, existing_measures,
                            residual_likelihood, residual_consequence)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        id,
        m.uuid(),
        analysis_id,
        input.threat,
        input.likelihood,
        input.consequence,
        input.existing_measures,
        input.residual_likelihood,
        input.residual_consequence
    )
    .execute(&mut *tx)
    .await?;
    let risk = risk(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::Risk, id, risk.snapshot())).await?;
    Ok(risk)
}

/// Changes a risk; a changed rating withdraws an earlier acceptance.
pub async fn update_risk(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &RiskInput,
) -> AppResult<Risk> {
    let before = risk(&mut *tx, m, id).await?;
    sqlx::query!(
        "UPDATE risks SET threat = $3, likelihood = $4, consequence = $5, existing_measures = $6, residual_likelihood = $7,
                residual_consequence = $8, updated_at = now(),
                accepted_by = CASE WHEN (likelihood, consequence, residual_likelihood, residual_consequence)
                                        IS NOT DISTINCT FROM ($4, $5, $7, $8) THEN accepted_by END,
                accepted_at = CASE WHEN (likelihood, consequence, residual_likelihood, residual_consequence)
                                        IS NOT DISTINCT FROM ($4, $5, $7, $8) THEN accepted_at END
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.threat,
        input.likelihood,
        input.consequence,
        input.existing_measures,
        input.residual_likelihood,
        input.residual_consequence
    )
    .execute(&mut *tx)
    .await?;
    let after = risk(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Risk, id, before.snapshot(), after.snapshot()))
        .await?;
    Ok(after)
}

/// The owner accepts the (residual) risk.
pub async fn accept(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    comment: &str,
) -> AppResult<Risk> {
    let before = risk(&mut *tx, m, id).await?;
    sqlx::query!(
        "UPDATE risks SET accepted_by = $3, accepted_at = now(), acceptance_comment = $4, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        actor.name,
        comment.trim()
    )
    .execute(&mut *tx)
    .await?;
    let after = risk(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Risk, id, before.snapshot(), after.snapshot()))
        .await?;
    Ok(after)
}

pub async fn delete_risk(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<Uuid> {
    let before = risk(&mut *tx, m, id).await?;
    sqlx::query!("DELETE FROM risks WHERE municipality_id = $1 AND id = $2", m.uuid(), id).execute(&mut *tx).await?;
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::Risk, id, before.snapshot())).await?;
    Ok(before.analysis_id)
}

/// The systems of the risk analyses dated before the Stockholm day `by` falls in (None for an
/// analysis of a process or environment): one row per analysis, so that a figure of high risks
/// can tell "none found" from "never analysed".
pub async fn analysed_before(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    by: DateTime<Utc>,
) -> AppResult<Vec<Option<Uuid>>> {
    Ok(sqlx::query_scalar!(
        "SELECT system_id FROM risk_analyses
          WHERE municipality_id = $1 AND analysed_on < ($2 AT TIME ZONE 'Europe/Stockholm')::date",
        m.uuid(),
        by
    )
    .fetch_all(db)
    .await?)
}
