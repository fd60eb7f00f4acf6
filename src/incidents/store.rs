//! Queries for incidents, their timeline, reports to authorities and the receivers,
//! scoped by municipality and audited.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::clocks::{self, Clock, Facts, ReportKind};
use super::model::{Category, HandlingInput, ReportInput, Severity, Status, reference};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error};
use crate::web::pagination::{Asked, Pager};

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SystemRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Event {
    pub occurred_at: DateTime<Utc>,
    pub text: String,
    pub author_name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SentReport {
    pub kind: ReportKind,
    pub sent_at: DateTime<Utc>,
    pub sent_by: String,
    pub reference: String,
    pub late_reason: String,
    /// The text as sent, when it was written in Lisa.
    #[serde(default)]
    pub text: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Incident {
    pub id: Uuid,
    pub year: i32,
    pub number: i32,
    pub title: String,
    pub description: String,
    pub discovered_at: DateTime<Utc>,
    pub reported_at: DateTime<Utc>,
    #[serde(skip)]
    pub reporter_user_id: Option<Uuid>,
    pub reporter_name: String,
    pub information: String,
    pub personal_data: bool,
    pub ongoing: bool,
    /// ny, utreds, atgardad or stangd.
    pub status: Status,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub impact_k: bool,
    pub impact_r: bool,
    pub impact_t: bool,
    pub responsible_person_id: Option<Uuid>,
    pub responsible_name: Option<String>,
    #[serde(skip)]
    pub responsible_user_id: Option<Uuid>,
    pub significant: bool,
    /// When the municipality became aware that it is significant (the CSIRT clocks run from it).
    pub significant_from: Option<DateTime<Utc>>,
    pub imy_exempt_reason: String,
    pub supplier_name: String,
    pub escalated_at: Option<DateTime<Utc>>,
    pub supplier_reference: String,
    pub measures: String,
    pub cause: String,
    pub lessons: String,
    pub handled_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    #[schema(value_type = Vec<SystemRef>)]
    pub systems: Json<Vec<SystemRef>>,
    #[schema(value_type = Vec<Event>)]
    pub events: Json<Vec<Event>>,
    #[schema(value_type = Vec<SentReport>)]
    pub reports: Json<Vec<SentReport>>,
    /// Whether personal data is involved, as the reporter said (the handler may decide otherwise).
    #[serde(skip)]
    pub reported_personal_data: Option<bool>,
    /// The systems the reporter named (the handler may link others).
    #[serde(skip)]
    pub reported_systems: Option<Json<Vec<SystemRef>>>,
    /// When the handling last changed (its version, sent as ETag).
    #[serde(skip)]
    pub updated_at: DateTime<Utc>,
}

impl Incident {
    /// What `access` may see: the reporter sees what they reported and how far it has come,
    /// never the handling (assessment, cause, measures, lessons, the internal timeline, reports
    /// to authorities and the reasons given to them). Fails closed: every field is named here,
    /// so a field added to an incident does not compile until it is sorted into one of the two.
    pub fn for_access(self, access: super::Access) -> Incident {
        if access == super::Access::Handle {
            return self;
        }
        let Incident {
            // What the reporter said, and how far it has come.
            id,
            year,
            number,
            title,
            description,
            discovered_at,
            reported_at,
            reporter_user_id,
            reporter_name,
            information,
            ongoing,
            status,
            closed_at,
            reported_personal_data,
            reported_systems,
            updated_at,
            // The handling: never the reporter's.
            personal_data: _,
            systems: _,
            category: _,
            severity: _,
            impact_k: _,
            impact_r: _,
            impact_t: _,
            responsible_person_id: _,
            responsible_name: _,
            responsible_user_id: _,
            significant: _,
            significant_from: _,
            imy_exempt_reason: _,
            supplier_name: _,
            escalated_at: _,
            supplier_reference: _,
            measures: _,
            cause: _,
            lessons: _,
            handled_at: _,
            events: _,
            reports: _,
        } = self;
        Incident {
            id,
            year,
            number,
            title,
            description,
            discovered_at,
            reported_at,
            reporter_user_id,
            reporter_name,
            information,
            ongoing,
            status,
            closed_at,
            updated_at,
            personal_data: reported_personal_data.unwrap_or(false),
            systems: reported_systems.clone().unwrap_or_default(),
            reported_personal_data,
            reported_systems,
            category: None,
            severity: None,
            impact_k: false,
            impact_r: false,
            impact_t: false,
            responsible_person_id: None,
            responsible_name: None,
            responsible_user_id: None,
            significant: false,
            significant_from: None,
            imy_exempt_reason: String::new(),
            supplier_name: String::new(),
            escalated_at: None,
            supplier_reference: String::new(),
            measures: String::new(),
            cause: String::new(),
            lessons: String::new(),
            handled_at: None,
            events: Json(Vec::new()),
            reports: Json(Vec::new()),
        }
    }

    /// INC-2026-0042.
    pub fn reference(&self) -> String {
        reference(self.year, self.number)
    }

    /// The legal clocks as of `now`.
    pub fn clocks(&self, now: DateTime<Utc>) -> Vec<Clock> {
        let reports: Vec<(ReportKind, DateTime<Utc>)> = self.reports.iter().map(|r| (r.kind, r.sent_at)).collect();
        let facts = Facts {
            discovered_at: self.discovered_at,
            personal_data: self.personal_data,
            imy_exempt: !self.imy_exempt_reason.is_empty(),
            significant: self.significant,
            significant_from: self.significant_from,
            // An incident reported as no longer ongoing was over when it was reported.
            handled_at: self.handled_at.or(if self.ongoing { None } else { Some(self.reported_at) }),
            reports: &reports,
        };
        clocks::clocks(&facts, now)
    }

    fn snapshot(&self) -> Value {
        json!({
            "Rubrik": self.title, "Beskrivning": self.description, "Upptäckt": self.discovered_text(),
            "System": self.systems_text(), "Information": self.information, "Personuppgifter": self.personal_data,
            "Pågår": self.ongoing, "Status": self.status_label(), "Kategori": self.category_label(),
            "Allvarlighet": self.severity_label(), "Påverkan": self.impact_text(), "Åtgärdsansvarig": self.responsible_name,
            "Betydande incident": self.significant, "Skäl att inte anmäla till IMY": self.imy_exempt_reason,
            "Leverantör": self.supplier_name, "Eskalerad": self.escalated_at.map(crate::web::format::datetime),
            "Leverantörens referens": self.supplier_reference, "Åtgärder": self.measures, "Orsak": self.cause,
            "Lärdomar": self.lessons, "Hanterad": self.handled_at.map(crate::web::format::datetime),
        })
    }
}

/// Filters for the incident list.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct Filter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub severity: String,
    /// The year of discovery.
    #[serde(default)]
    pub year: String,
    /// "1" for personal-data breaches only.
    #[serde(default)]
    pub personal_data: String,
    /// Only this reporter's (set by Lisa for "my reports", not from the address).
    #[serde(skip)]
    pub reporter: Option<Uuid>,
    /// The page of the list page; the API documents its own `page` with `limit`.
    #[param(ignore)]
    #[serde(skip_serializing)]
    pub page: Option<String>,
}

/// The ids of the incidents matching the filter, newest first (`limit` of them from `offset`),
/// and how many match in all. Filtering, sorting and counting happen in PostgreSQL; only a
/// page's rows are then read in full.
async fn matching(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    asked: Asked,
) -> AppResult<(Vec<Uuid>, i64)> {
    let year = filter.year.trim().parse::<i32>().ok();
    let found = sqlx::query!(
        r#"WITH matching AS NOT MATERIALIZED (
               SELECT i.id, i.discovered_at, i.number
                 FROM incidents i
                WHERE i.municipality_id = $1
                  AND ($2 = '' OR i.title ILIKE '%' || $2 || '%' OR i.description ILIKE '%' || $2 || '%'
                       OR ('INC-' || i.year || '-' || lpad(i.number::text, 4, '0')) ILIKE '%' || $2 || '%')
                  AND ($3 = '' OR i.status = $3)
                  AND ($4 = '' OR i.category = $4)
                  AND ($5 = '' OR i.severity = $5)
                  AND ($6::int IS NULL OR extract(year FROM i.discovered_at AT TIME ZONE 'Europe/Stockholm') = $6)
                  AND ($7 <> '1' OR i.personal_data)
                  AND ($8::uuid IS NULL OR i.reporter_user_id = $8)),
           total AS (SELECT count(*) AS n FROM (SELECT 1 FROM matching LIMIT $11) counted)
           SELECT (SELECT n FROM total) AS "total!",
                  ARRAY(SELECT id FROM matching ORDER BY discovered_at DESC, number DESC, id LIMIT $9
                        OFFSET LEAST($10, GREATEST((SELECT n FROM total) - 1, 0) / $9 * $9)) AS "ids!""#,
        m.uuid(),
        crate::web::search::contains(&filter.q),
        filter.status.trim(),
        filter.category.trim(),
        filter.severity.trim(),
        year,
        filter.personal_data.trim(),
        filter.reporter,
        asked.per_page,
        asked.offset(),
        asked.count_limit(),
    )
    .fetch_one(&mut *db)
    .await?;
    Ok((found.ids, found.total))
}

/// Incidents in full, in the order of `ids`.
pub async fn by_ids(db: impl PgExecutor<'_>, m: MunicipalityId, ids: &[Uuid]) -> AppResult<Vec<Incident>> {
    Ok(sqlx::query_as!(
        Incident,
        r#"SELECT i.id, i.year, i.number, i.title, i.description, i.discovered_at, i.reported_at, i.reporter_user_id,
                  i.reporter_name, i.information, i.personal_data, i.ongoing, i.status AS "status: Status",
                  i.category AS "category: Category", i.severity AS "severity: Severity",
                  i.impact_k, i.impact_r, i.impact_t, i.responsible_person_id, p.name AS "responsible_name?",
                  p.user_id AS "responsible_user_id?", i.significant, i.significant_from, i.imy_exempt_reason, i.supplier_name,
                  i.escalated_at,
                  i.supplier_reference, i.measures, i.cause, i.lessons, i.handled_at, i.closed_at,
                  COALESCE((SELECT json_agg(json_build_object('id', s.id, 'name', s.name) ORDER BY s.name)
                              FROM incident_systems x JOIN systems s ON s.id = x.system_id WHERE x.incident_id = i.id), '[]')
                      AS "systems!: Json<Vec<SystemRef>>",
                  COALESCE((SELECT json_agg(json_build_object('occurred_at', e.occurred_at, 'text', e.text,
                                                              'author_name', e.author_name) ORDER BY e.occurred_at, e.created_at)
                              FROM incident_events e WHERE e.incident_id = i.id), '[]') AS "events!: Json<Vec<Event>>",
                  COALESCE((SELECT json_agg(json_build_object('kind', r.kind, 'sent_at', r.sent_at, 'sent_by', r.sent_by,
                                                              'reference', r.reference, 'late_reason', r.late_reason,
                                                              'text', r.text)
                                            ORDER BY r.sent_at)
                              FROM incident_reports r WHERE r.incident_id = i.id), '[]') AS "reports!: Json<Vec<SentReport>>",
                  i.reported_personal_data, i.reported_systems AS "reported_systems: Json<Vec<SystemRef>>",
                  i.updated_at
             FROM incidents i LEFT JOIN people p ON p.id = i.responsible_person_id
            WHERE i.municipality_id = $1 AND i.id = ANY($2)
            ORDER BY array_position($2, i.id)"#,
        m.uuid(),
        ids
    )
    .fetch_all(db)
    .await?)
}

/// The ids of every incident matching the filter, newest first (for an export, read by
/// [`by_ids`] a chunk at a time).
pub async fn ids(db: &mut PgConnection, m: MunicipalityId, filter: &Filter) -> AppResult<Vec<Uuid>> {
    Ok(matching(db, m, filter, Asked::ALL).await?.0)
}

/// Every incident matching the filter, newest first (for yearly figures).
pub async fn list(db: &mut PgConnection, m: MunicipalityId, filter: &Filter) -> AppResult<Vec<Incident>> {
    let (ids, _) = matching(&mut *db, m, filter, Asked::ALL).await?;
    by_ids(db, m, &ids).await
}

/// One page of the incidents matching the filter, with where it sits in the whole list.
pub async fn page(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    asked: Asked,
) -> AppResult<(Vec<Incident>, Pager)> {
    let (ids, total) = matching(&mut *db, m, filter, asked).await?;
    let pager = asked.among(total);
    Ok((by_ids(db, m, &ids).await?, pager))
}

pub async fn get(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Incident> {
    by_ids(db, m, &[id]).await?.pop().ok_or(AppError::NotFound)
}

async fn set_systems(tx: &mut PgConnection, m: MunicipalityId, id: Uuid, systems: &[Uuid]) -> AppResult<()> {
    let found = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM systems WHERE municipality_id = $1 AND id = ANY($2)"#,
        m.uuid(),
        systems
    )
    .fetch_one(&mut *tx)
    .await?;
    if found as usize != systems.len() {
        return Err(field_error("system_ids", "Välj system i listan."));
    }
    sqlx::query!("DELETE FROM incident_systems WHERE municipality_id = $1 AND incident_id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO incident_systems (municipality_id, incident_id, system_id) SELECT $1, $2, unnest($3::uuid[])",
        m.uuid(),
        id,
        systems
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Files a report. Numbers run per municipality and year; a lock per municipality keeps
/// two reports filed at once from taking the same number.
pub async fn report(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &ReportInput,
    year: i32,
) -> AppResult<Incident> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 42))", m.to_string())
        .execute(&mut *tx)
        .await?;
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO incidents (id, municipality_id, year, number, title, description, discovered_at, reporter_user_id,
                                reporter_name, information, personal_data, ongoing)
         VALUES ($1, $2, $3, (SELECT COALESCE(max(number), 0) + 1 FROM incidents WHERE municipality_id = $2 AND year = $3),
                 $4, $5, $6, $7, $8, $9, $10, $11)",
        id,
        m.uuid(),
        year,
        input.title,
        input.description,
        input.discovered_at,
        actor.user_id,
        actor.name,
        input.information,
        input.personal_data,
        input.ongoing
    )
    .execute(&mut *tx)
    .await?;
    set_systems(tx, m, id, &input.system_ids).await?;
    sqlx::query!(
        r#"UPDATE incidents i SET reported_personal_data = i.personal_data,
                  reported_systems = COALESCE((SELECT json_agg(json_build_object('id', s.id, 'name', s.name) ORDER BY s.name)
                                                 FROM incident_systems x JOIN systems s ON s.id = x.system_id
                                                WHERE x.incident_id = i.id), '[]')
            WHERE i.municipality_id = $1 AND i.id = $2"#,
        m.uuid(),
        id
    )
    .execute(&mut *tx)
    .await?;
    let incident = get(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::Incident, id, incident.snapshot())).await?;
    Ok(incident)
}

pub async fn handle(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &HandlingInput,
) -> AppResult<Incident> {
    let before = get(&mut *tx, m, id).await?;
    crate::org::store::check_person(tx, m, input.responsible_person_id, "responsible_person_id").await?;
    let [k, r, t] = input.impact;
    sqlx::query!(
        "UPDATE incidents SET status = $3, category = $4, severity = $5, impact_k = $6, impact_r = $7, impact_t = $8,
                personal_data = $9, significant = $10, imy_exempt_reason = $11, responsible_person_id = $12,
                supplier_name = $13, escalated_at = $14, supplier_reference = $15, measures = $16, cause = $17,
                lessons = $18, handled_at = $19, ongoing = ($19::timestamptz IS NULL AND ongoing), significant_from = $20,
                closed_at = CASE WHEN $3 = 'stangd' THEN COALESCE(closed_at, now()) END, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.status.code(),
        input.category.map(Category::code),
        input.severity.map(Severity::code),
        k,
        r,
        t,
        input.personal_data,
        input.significant,
        input.imy_exempt_reason,
        input.responsible_person_id,
        input.supplier_name,
        input.escalated_at,
        input.supplier_reference,
        input.measures,
        input.cause,
        input.lessons,
        input.handled_at,
        input.significant_from
    )
    .execute(&mut *tx)
    .await?;
    set_systems(tx, m, id, &input.system_ids).await?;
    let after = get(&mut *tx, m, id).await?;
    audit_log::record(
        tx,
        actor,
        Change::updated(Some(m), EntityType::Incident, id, before.snapshot(), after.snapshot()),
    )
    .await?;
    Ok(after)
}

pub async fn add_event(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    at: DateTime<Utc>,
    text: &str,
) -> AppResult<Incident> {
    let before = get(&mut *tx, m, id).await?;
    sqlx::query!(
        "INSERT INTO incident_events (id, municipality_id, incident_id, occurred_at, text, author_name)
         VALUES ($1, $2, $3, $4, $5, $6)",
        Uuid::new_v4(),
        m.uuid(),
        id,
        at,
        text,
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    let after = get(&mut *tx, m, id).await?;
    let mut logged = after.snapshot();
    logged["Händelse"] = json!(format!("{}: {text}", crate::web::format::datetime(at)));
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Incident, id, before.snapshot(), logged)).await?;
    Ok(after)
}

pub async fn add_report(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    (kind, sent_at): (ReportKind, DateTime<Utc>),
    (reference, late_reason): (&str, &str),
    text: &str,
) -> AppResult<Incident> {
    let before = get(&mut *tx, m, id).await?;
    sqlx::query!(
        "INSERT INTO incident_reports (id, municipality_id, incident_id, kind, sent_at, sent_by, reference, late_reason, text)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        Uuid::new_v4(),
        m.uuid(),
        id,
        kind.code(),
        sent_at,
        actor.name,
        reference.trim(),
        late_reason.trim(),
        text.trim()
    )
    .execute(&mut *tx)
    .await?;
    let after = get(&mut *tx, m, id).await?;
    let mut logged = after.snapshot();
    logged["Rapport"] =
        json!(format!("{} {} {}", kind.label(), crate::web::format::datetime(sent_at), reference.trim()));
    if !text.trim().is_empty() {
        logged["Skickad text"] = json!(text.trim());
    }
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Incident, id, before.snapshot(), logged)).await?;
    Ok(after)
}

// ---------------------------------------------------------------- receivers

pub async fn receivers(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<SystemRef>> {
    Ok(sqlx::query_as!(
        SystemRef,
        "SELECT p.id, p.name FROM incident_receivers r JOIN people p ON p.id = r.person_id
          WHERE r.municipality_id = $1 ORDER BY p.name",
        m.uuid()
    )
    .fetch_all(db)
    .await?)
}

pub async fn set_receivers(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, people: &[Uuid]) -> AppResult<()> {
    let found = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM people WHERE municipality_id = $1 AND id = ANY($2)"#,
        m.uuid(),
        people
    )
    .fetch_one(&mut *tx)
    .await?;
    if found as usize != people.len() {
        return Err(field_error("person_ids", "Välj bland kommunens personer."));
    }
    let names = |r: Vec<SystemRef>| r.into_iter().map(|p| p.name).collect::<Vec<_>>().join(", ");
    let before = names(receivers(&mut *tx, m).await?);
    sqlx::query!("DELETE FROM incident_receivers WHERE municipality_id = $1", m.uuid()).execute(&mut *tx).await?;
    sqlx::query!(
        "INSERT INTO incident_receivers (municipality_id, person_id) SELECT $1, unnest($2::uuid[])",
        m.uuid(),
        people
    )
    .execute(&mut *tx)
    .await?;
    let after = names(receivers(&mut *tx, m).await?);
    audit_log::record(
        tx,
        actor,
        Change::updated(
            Some(m),
            EntityType::IncidentReceivers,
            m.uuid(),
            json!({"Incidentmottagare": before}),
            json!({"Incidentmottagare": after}),
        ),
    )
    .await
}
