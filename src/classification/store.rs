//! Queries for classifications (versioned), the requirement catalogue and self-assessments.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{
    self, AppliesTo, Aspect, ClassificationInput, MeasureInput, ProtectionLevel, Requirement, STARTER_CATALOGUE,
};
use crate::actions::store::{ActionLinks, Source};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, unique_as};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Classification {
    pub id: Uuid,
    pub asset_id: Uuid,
    pub version: i32,
    pub k: i16,
    pub r: i16,
    pub t: i16,
    pub s: i16,
    pub k_reason: String,
    pub r_reason: String,
    pub t_reason: String,
    pub s_reason: String,
    pub classified_by: String,
    /// The account that classified: it may not approve its own classification.
    #[serde(skip)]
    pub classified_by_user_id: Option<Uuid>,
    pub classified_at: DateTime<Utc>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
}

impl Classification {
    pub fn level(&self) -> ProtectionLevel {
        ProtectionLevel { k: self.k, r: self.r, t: self.t, s: self.s }
    }

    pub fn triple(&self) -> String {
        self.level().triple()
    }

    pub fn classified_when(&self) -> String {
        crate::web::format::datetime(self.classified_at)
    }

    pub fn approved_when(&self) -> String {
        self.approved_at.map(crate::web::format::datetime).unwrap_or_default()
    }

    /// (aspect label, level label, reason) for display.
    pub fn aspects(&self) -> [(&'static str, &'static str, &str); 4] {
        [
            (Aspect::K.label(), model::level_label(self.k), self.k_reason.as_str()),
            (Aspect::R.label(), model::level_label(self.r), self.r_reason.as_str()),
            (Aspect::T.label(), model::level_label(self.t), self.t_reason.as_str()),
            (Aspect::S.label(), model::level_label(self.s), self.s_reason.as_str()),
        ]
    }

    fn snapshot(&self, asset: &str) -> Value {
        json!({"Information": asset, "Version": self.version, "K-R-T-S": self.triple(),
               "Motivering K": self.k_reason, "Motivering R": self.r_reason, "Motivering T": self.t_reason,
               "Motivering S": self.s_reason, "Godkänd av": self.approved_by})
    }
}

/// Every version for the assets of a system (or one asset), newest first.
pub async fn versions(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    system_id: Option<Uuid>,
    asset_id: Option<Uuid>,
) -> AppResult<Vec<Classification>> {
    Ok(sqlx::query_as!(
        Classification,
        "SELECT c.id, c.asset_id, c.version, c.k, c.r, c.t, c.s, c.k_reason, c.r_reason, c.t_reason, c.s_reason,
                c.classified_by, c.classified_by_user_id, c.classified_at, c.approved_by, c.approved_at
           FROM classifications c JOIN information_assets a ON a.id = c.asset_id
          WHERE c.municipality_id = $1 AND ($2::uuid IS NULL OR a.system_id = $2) AND ($3::uuid IS NULL OR c.asset_id = $3)
          ORDER BY c.asset_id, c.version DESC",
        m.uuid(),
        system_id,
        asset_id
    )
    .fetch_all(db)
    .await?)
}

/// The current (latest) classification of each given version list's assets.
pub fn current(versions: &[Classification]) -> Vec<&Classification> {
    let mut latest: Vec<&Classification> = Vec::new();
    for c in versions {
        match latest.iter_mut().find(|l| l.asset_id == c.asset_id) {
            Some(l) if l.version < c.version => *l = c,
            Some(_) => {}
            None => latest.push(c),
        }
    }
    latest
}

/// Recomputes a system's protection level from its assets' current classifications, and
/// when it reaches level 4 makes sure a task for a separate protection analysis exists.
async fn recompute_level(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    system_id: Uuid,
) -> AppResult<Option<ProtectionLevel>> {
    let all = versions(&mut *tx, m, Some(system_id), None).await?;
    let level = ProtectionLevel::max_over(current(&all).into_iter().map(Classification::level));
    sqlx::query!(
        "UPDATE systems SET level_k = $3, level_r = $4, level_t = $5, level_s = $6 WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        system_id,
        level.map(|l| l.k),
        level.map(|l| l.r),
        level.map(|l| l.t),
        level.map(|l| l.s)
    )
    .execute(&mut *tx)
    .await?;
    if level.is_some_and(|l| l.has_level_4()) {
        let system = crate::systems::store::get(&mut *tx, m, system_id).await?;
        let links =
            ActionLinks { source: Source::ProtectionAnalysis, system_id: Some(system_id), ..ActionLinks::default() };
        let title = format!("Särskild analys av skyddsbehovet för {}", system.name);
        let description = "Informationen är klassad på nivå 4 (synnerligen allvarlig skada). KLASSA ger inga krav för nivå 4: \
                           skyddsbehovet ska analyseras särskilt, och säkerhetsskyddslagen kan vara tillämplig.";
        crate::actions::store::ensure(
            tx,
            actor,
            m,
            &links,
            &title,
            description,
            system.owner_person_id,
            crate::actions::model::Status::Planerad,
        )
        .await?;
    }
    Ok(level)
}

/// Classifies an asset as a new version; the system's level and review date follow.
pub async fn classify(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    asset_id: Uuid,
    input: &ClassificationInput,
    today: NaiveDate,
) -> AppResult<Classification> {
    let asset = crate::systems::store::asset(&mut *tx, m, asset_id).await?;
    let id = Uuid::new_v4();
    let [k_reason, r_reason, t_reason, s_reason] = &input.reasons;
    sqlx::query!(
        "INSERT INTO classifications (id, municipality_id, asset_id, version, k, r, t, s, k_reason, r_reason, t_reason,
                                      s_reason, classified_by, classified_by_user_id)
         VALUES ($1, $2, $3, (SELECT COALESCE(max(version), 0) + 1 FROM classifications WHERE asset_id = $3),
                 $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        id,
        m.uuid(),
        asset_id,
        input.level.k,
        input.level.r,
        input.level.t,
        input.level.s,
        k_reason,
        r_reason,
        t_reason,
        s_reason,
        actor.name,
        actor.user_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE systems SET reviewed_on = $3, updated_at = now() WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        asset.system_id,
        today
    )
    .execute(&mut *tx)
    .await?;
    recompute_level(tx, actor, m, asset.system_id).await?;
    let classification =
        versions(&mut *tx, m, None, Some(asset_id)).await?.into_iter().next().ok_or(AppError::NotFound)?;
    audit_log::record(
        tx,
        actor,
        Change::created(Some(m), EntityType::Classification, id, classification.snapshot(&asset.name)),
    )
    .await?;
    Ok(classification)
}

/// The information owner approves the current classification of their information.
/// A request to the information owner to approve a classification version.
pub struct ApprovalRequest {
    pub asked_name: String,
    pub asked_by: String,
    pub created_at: DateTime<Utc>,
}

impl ApprovalRequest {
    /// "Sara Lind ombads godkänna 2026-12-07 09:30 av Eva Dahl."
    pub fn text(&self) -> String {
        format!(
            "{} ombads godkänna {} av {}.",
            self.asked_name,
            crate::web::format::datetime(self.created_at),
            self.asked_by
        )
    }
}

/// The request to approve this classification version, if one was made.
pub async fn approval_request(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    classification_id: Uuid,
) -> AppResult<Option<ApprovalRequest>> {
    Ok(sqlx::query_as!(
        ApprovalRequest,
        "SELECT u.display_name AS asked_name, r.asked_by, r.created_at
           FROM approval_requests r JOIN users u ON u.id = r.asked_user_id
          WHERE r.municipality_id = $1 AND r.classification_id = $2",
        m.uuid(),
        classification_id
    )
    .fetch_optional(db)
    .await?)
}

/// Asks the information owner to approve the current classification, once per version: the
/// request is their work item until it is approved or replaced, and they are reminded at once.
/// Returns the owner's name.
pub async fn request_approval(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    asset_id: Uuid,
    today: NaiveDate,
) -> AppResult<String> {
    let asset = crate::systems::store::asset(&mut *tx, m, asset_id).await?;
    let current = versions(&mut *tx, m, None, Some(asset_id))
        .await?
        .into_iter()
        .next()
        .filter(|c| c.approved_by.is_none())
        .ok_or(AppError::Conflict("Det finns ingen klassning som väntar på godkännande.".into()))?;
    let asker = actor.user_id.ok_or(AppError::Forbidden)?;
    if let Some(reason) = model::approval_request_refused(asker, asset.owner_user_id, current.classified_by_user_id) {
        return Err(AppError::Conflict(reason.into()));
    }
    let (owner, owner_name) =
        (asset.owner_user_id.ok_or(AppError::NotFound)?, asset.owner_name.clone().unwrap_or_default());
    let made = sqlx::query!(
        "INSERT INTO approval_requests (id, municipality_id, asset_id, classification_id, asked_user_id, asked_by)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (classification_id) DO NOTHING",
        Uuid::new_v4(),
        m.uuid(),
        asset_id,
        current.id,
        owner,
        actor.name
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if made == 0 {
        return Err(AppError::Conflict(format!("{owner_name} är redan ombedd att godkänna den här klassningen.")));
    }
    let system = crate::systems::store::get(&mut *tx, m, asset.system_id).await?;
    let reminder = crate::reminders::store::NewReminder {
        user_id: owner,
        area: "Godkännande av klassning".into(),
        title: approval_title(&asset.name, &system.name),
        link: format!("/assets/{asset_id}"),
        due: today + chrono::Duration::days(model::APPROVAL_DAYS),
        occasion: today,
    };
    crate::reminders::store::add(&mut *tx, m, &[reminder]).await?;
    let change = Change::updated(
        Some(m),
        EntityType::Classification,
        current.id,
        json!({}),
        json!({"Ombedd att godkänna": owner_name, "Information": asset.name}),
    );
    audit_log::record(tx, actor, change).await?;
    Ok(owner_name)
}

fn approval_title(asset: &str, system: &str) -> String {
    format!("Godkänn klassningen av {asset} i {system}")
}

/// A request whose classification still waits: a work item of the one asked.
pub struct OpenApprovalRequest {
    pub asset_id: Uuid,
    pub title: String,
    pub asked_user_id: Uuid,
    pub due: NaiveDate,
}

/// Requests to approve the current classification of an asset that is still not approved.
pub async fn open_approval_requests(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<OpenApprovalRequest>> {
    Ok(sqlx::query!(
        r#"SELECT r.asset_id, a.name AS asset_name, s.name AS system_name, r.asked_user_id,
                  (r.created_at AT TIME ZONE 'Europe/Stockholm')::date AS "asked_on!"
             FROM approval_requests r
             JOIN classifications c ON c.id = r.classification_id
             JOIN information_assets a ON a.id = r.asset_id
             JOIN systems s ON s.id = a.system_id
            WHERE r.municipality_id = $1 AND c.approved_by IS NULL
              AND c.version = (SELECT max(v.version) FROM classifications v WHERE v.asset_id = r.asset_id)"#,
        m.uuid()
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| OpenApprovalRequest {
        asset_id: r.asset_id,
        title: approval_title(&r.asset_name, &r.system_name),
        asked_user_id: r.asked_user_id,
        due: r.asked_on + chrono::Duration::days(model::APPROVAL_DAYS),
    })
    .collect())
}

pub async fn approve(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    asset_id: Uuid,
) -> AppResult<Classification> {
    let asset = crate::systems::store::asset(&mut *tx, m, asset_id).await?;
    let before = versions(&mut *tx, m, None, Some(asset_id))
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::Conflict("Informationen är inte klassad än: det finns inget att godkänna.".into()))?;
    let refused = actor.user_id.and_then(|approver| {
        let owner = asset.owner_user_id == Some(approver);
        super::model::approval_refused(owner, before.classified_by_user_id, before.approved_by.is_some(), approver)
    });
    if let Some(reason) = refused {
        return Err(crate::error::field_error("approve", reason));
    }
    sqlx::query!(
        "UPDATE classifications SET approved_by = $3, approved_at = now() WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        before.id,
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    let after = versions(&mut *tx, m, None, Some(asset_id)).await?.into_iter().next().ok_or(AppError::NotFound)?;
    audit_log::record(
        tx,
        actor,
        Change::updated(
            Some(m),
            EntityType::Classification,
            after.id,
            before.snapshot(&asset.name),
            after.snapshot(&asset.name),
        ),
    )
    .await?;
    Ok(after)
}

// ---------------------------------------------------------------- catalogue

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Measure {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub aspect: Aspect,
    pub min_level: i16,
    pub applies_to: AppliesTo,
}

impl Measure {
    pub fn requirement(&self) -> Requirement {
        Requirement { aspect: self.aspect, min_level: self.min_level }
    }

    fn snapshot(&self) -> Value {
        json!({"Beteckning": self.code, "Åtgärd": self.title, "Beskrivning": self.description, "Kategori": self.category,
               "Aspekt": self.aspect_label(), "Från nivå": self.min_level, "Gäller": self.applies_to_label()})
    }
}

pub async fn catalogue(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<Measure>> {
    Ok(sqlx::query_as!(
        Measure,
        r#"SELECT id, code, title, description, category, aspect AS "aspect: Aspect", min_level,
                  applies_to AS "applies_to: AppliesTo"
           FROM measures WHERE municipality_id = $1 ORDER BY code"#,
        m.uuid()
    )
    .fetch_all(db)
    .await?)
}

pub async fn measure(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Measure> {
    Ok(sqlx::query_as!(
        Measure,
        r#"SELECT id, code, title, description, category, aspect AS "aspect: Aspect", min_level,
                  applies_to AS "applies_to: AppliesTo"
           FROM measures WHERE municipality_id = $1 AND id = $2"#,
        m.uuid(),
        id
    )
    .fetch_one(db)
    .await?)
}

const DUPLICATE_CODE: &str = "Katalogen har redan en åtgärd med den beteckningen.";

pub async fn add_measure(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &MeasureInput,
) -> AppResult<Measure> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO measures (id, municipality_id, code, title, description, category, aspect, min_level, applies_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        id,
        m.uuid(),
        input.code,
        input.title,
        input.description,
        input.category,
        input.aspect.code(),
        input.min_level,
        input.applies_to.code()
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("measures_municipality_id_code_key", "code", DUPLICATE_CODE))?;
    let measure = measure(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::Measure, id, measure.snapshot())).await?;
    Ok(measure)
}

pub async fn update_measure(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &MeasureInput,
) -> AppResult<Measure> {
    let before = measure(&mut *tx, m, id).await?;
    sqlx::query!(
        "UPDATE measures SET code = $3, title = $4, description = $5, category = $6, aspect = $7, min_level = $8,
                applies_to = $9, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.code,
        input.title,
        input.description,
        input.category,
        input.aspect.code(),
        input.min_level,
        input.applies_to.code()
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("measures_municipality_id_code_key", "code", DUPLICATE_CODE))?;
    let after = measure(&mut *tx, m, id).await?;
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::Measure, id, before.snapshot(), after.snapshot()),
    )
    .await?;
    Ok(after)
}

pub async fn delete_measure(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<()> {
    let before = measure(&mut *tx, m, id).await?;
    sqlx::query!("DELETE FROM measures WHERE municipality_id = $1 AND id = $2", m.uuid(), id).execute(&mut *tx).await?;
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::Measure, id, before.snapshot())).await
}

/// Loads Lisa's starter catalogue; measures whose code is already in use are left as they are.
pub async fn add_starter_catalogue(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId) -> AppResult<usize> {
    let existing: Vec<String> = catalogue(&mut *tx, m).await?.into_iter().map(|measure| measure.code).collect();
    let mut added = 0;
    for (code, category, aspect, min_level, applies_to, title) in STARTER_CATALOGUE {
        if existing.iter().any(|c| c == code) {
            continue;
        }
        let input = MeasureInput {
            code: code.into(),
            title: title.into(),
            description: String::new(),
            category: category.into(),
            aspect,
            min_level,
            applies_to,
        };
        add_measure(tx, actor, m, &input).await?;
        added += 1;
    }
    Ok(added)
}

// ---------------------------------------------------------------- self-assessment

/// A measure required of a system by its protection level, with the self-assessment if made.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RequiredMeasure {
    #[serde(flatten)]
    pub measure: Measure,
    /// None when not assessed.
    pub status: Option<model::Assessment>,
    pub comment: String,
    pub assessed_by: Option<String>,
    pub assessed_at: Option<DateTime<Utc>>,
}

impl RequiredMeasure {
    /// The status as a CSS class and the select box want it.
    pub fn status_code(&self) -> &'static str {
        self.status.map_or("ej_bedomd", model::Assessment::code)
    }
}

/// The measures a system's protection level requires, in catalogue order.
/// Every self-assessment in the municipality: (system, measure) to its status and comment.
pub async fn all_assessments(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
) -> AppResult<std::collections::HashMap<(Uuid, Uuid), (model::Assessment, String)>> {
    let rows = sqlx::query!(
        r#"SELECT system_id, measure_id, status AS "status: model::Assessment", comment FROM measure_assessments
            WHERE municipality_id = $1"#,
        m.uuid()
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| ((r.system_id, r.measure_id), (r.status, r.comment))).collect())
}

pub async fn required_measures(
    db: &mut PgConnection,
    m: MunicipalityId,
    system_id: Uuid,
) -> AppResult<Vec<RequiredMeasure>> {
    let system = crate::systems::store::get(&mut *db, m, system_id).await?;
    let Some(level) = system.protection_level() else { return Ok(Vec::new()) };
    let assessed = sqlx::query!(
        r#"SELECT measure_id, status AS "status: model::Assessment", comment, assessed_by, assessed_at FROM measure_assessments
          WHERE municipality_id = $1 AND system_id = $2"#,
        m.uuid(),
        system_id
    )
    .fetch_all(&mut *db)
    .await?;
    Ok(catalogue(&mut *db, m)
        .await?
        .into_iter()
        .filter(|measure| model::is_required(&level, &measure.requirement()))
        .map(|measure| {
            let found = assessed.iter().find(|a| a.measure_id == measure.id);
            RequiredMeasure {
                status: found.map(|a| a.status),
                comment: found.map(|a| a.comment.clone()).unwrap_or_default(),
                assessed_by: found.map(|a| a.assessed_by.clone()),
                assessed_at: found.map(|a| a.assessed_at),
                measure,
            }
        })
        .collect())
}

/// Records the system owner's self-assessment; an unmet measure becomes a proposed action.
pub async fn assess(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    system_id: Uuid,
    measure_id: Uuid,
    input: &model::AssessmentInput,
) -> AppResult<RequiredMeasure> {
    let required = required_measures(tx, m, system_id).await?;
    let before = required.iter().find(|r| r.measure.id == measure_id).cloned().ok_or(AppError::NotFound)?;
    sqlx::query!(
        "INSERT INTO measure_assessments (id, municipality_id, system_id, measure_id, status, comment, assessed_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (system_id, measure_id)
         DO UPDATE SET status = EXCLUDED.status, comment = EXCLUDED.comment, assessed_by = EXCLUDED.assessed_by, assessed_at = now()",
        Uuid::new_v4(),
        m.uuid(),
        system_id,
        measure_id,
        input.status.code(),
        input.comment,
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    let system = crate::systems::store::get(&mut *tx, m, system_id).await?;
    if input.status.is_unmet() {
        let links = ActionLinks {
            source: Source::RequiredMeasure,
            system_id: Some(system_id),
            measure_id: Some(measure_id),
            ..ActionLinks::default()
        };
        let title = format!("{} {} – {}", before.measure.code, before.measure.title, system.name);
        let description = format!("Självskattning: {}. {}", input.status.label(), input.comment);
        crate::actions::store::ensure(
            tx,
            actor,
            m,
            &links,
            &title,
            description.trim(),
            system.owner_person_id,
            crate::actions::model::Status::Foreslagen,
        )
        .await?;
    }
    let after = required_measures(tx, m, system_id)
        .await?
        .into_iter()
        .find(|r| r.measure.id == measure_id)
        .ok_or(AppError::NotFound)?;
    let snapshot = |r: &RequiredMeasure| {
        json!({"System": system.name, "Åtgärd": format!("{} {}", r.measure.code, r.measure.title),
               "Bedömning": r.status_label(), "Kommentar": r.comment})
    };
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::MeasureAssessment, measure_id, snapshot(&before), snapshot(&after)),
    )
    .await?;
    Ok(after)
}

/// A required measure the system's keepers assessed as only partly met or not met.
pub struct UnmetMeasure {
    pub system_id: Uuid,
    pub code: String,
    pub title: String,
    pub status: model::Assessment,
}

/// The unmet measures of the systems the user owns or administers.
pub async fn unmet_measures_kept_by(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    user: Uuid,
) -> AppResult<Vec<UnmetMeasure>> {
    Ok(sqlx::query_as!(
        UnmetMeasure,
        r#"SELECT a.system_id, me.code, me.title, a.status AS "status: model::Assessment"
           FROM measure_assessments a JOIN measures me ON me.id = a.measure_id
          WHERE a.municipality_id = $1 AND a.status = ANY($3)
            AND a.system_id IN (SELECT k FROM systems_kept_by($2) k)
          ORDER BY me.code"#,
        m.uuid(),
        user,
        &model::Assessment::codes(&model::Assessment::UNMET)
    )
    .fetch_all(db)
    .await?)
}
