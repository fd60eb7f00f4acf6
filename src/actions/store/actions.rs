//! Actions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

pub use crate::actions::model::Source;
use crate::actions::model::{ActionInput, NoteForm, Priority, Status};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult};
use crate::web::pagination::{Asked, Pager};

#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Note {
    pub noted_on: NaiveDate,
    pub note: String,
    pub is_evidence: bool,
    pub author_name: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Action {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub owner_person_id: Option<Uuid>,
    pub owner_name: Option<String>,
    /// The owner's login, for reminders and "my actions".
    #[serde(skip)]
    pub owner_user_id: Option<Uuid>,
    pub due_date: Option<NaiveDate>,
    /// foreslagen, planerad, pagar or klar.
    pub status: Status,
    /// manuell, rekommendation, risk, atgardskrav, skyddsanalys or efterlevnadskontroll.
    pub source: Source,
    /// hog, medel or lag.
    pub priority: Option<Priority>,
    pub effort: String,
    pub recommendation_id: Option<Uuid>,
    pub system_id: Option<Uuid>,
    pub system_name: Option<String>,
    pub risk_id: Option<Uuid>,
    /// The risk analysis the risk belongs to.
    pub risk_analysis_id: Option<Uuid>,
    pub measure_id: Option<Uuid>,
    /// Years of the handlingsplaner the action is in.
    pub plan_years: Vec<i32>,
    pub updated_at: DateTime<Utc>,
    #[schema(value_type = Vec<Note>)]
    pub notes: Json<Vec<Note>>,
    /// Files attached as evidence.
    #[schema(value_type = Vec<FileRef>)]
    pub files: Json<Vec<FileRef>>,
}

#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FileRef {
    pub id: Uuid,
    pub file_name: String,
    pub size_bytes: i32,
}

impl Action {
    /// Notes marked as evidence, or attached files.
    pub fn has_evidence(&self) -> bool {
        self.notes.iter().any(|n| n.is_evidence) || !self.files.is_empty()
    }

    pub fn is_late(&self, today: NaiveDate) -> bool {
        crate::actions::model::is_late(self.status, self.due_date, today)
    }

    fn snapshot(&self) -> Value {
        json!({"Åtgärd": self.title, "Beskrivning": self.description, "Ansvarig": self.owner_name,
               "Klart senast": self.due_date, "Status": self.status_label(), "Prioritet": self.priority_label(),
               "Uppskattad insats": self.effort})
    }
}

/// What an action comes from.
/// The links from an action back to where it came from.
#[derive(Clone, Debug, Default)]
pub struct ActionLinks {
    pub source: Source,
    pub recommendation_id: Option<Uuid>,
    pub system_id: Option<Uuid>,
    pub risk_id: Option<Uuid>,
    pub measure_id: Option<Uuid>,
}

impl ActionLinks {
    pub fn recommendation(id: Uuid) -> Self {
        ActionLinks { source: Source::Recommendation, recommendation_id: Some(id), ..Default::default() }
    }
}

/// Filters for the list of actions.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct Filter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub owner_person_id: String,
    /// "1" for only those past their due date and not done.
    #[serde(default)]
    pub late: String,
    /// The page of the list page; the API documents its own `page` with `limit`.
    #[param(ignore)]
    #[serde(skip_serializing)]
    pub page: Option<String>,
}

/// Which actions a detail page lists: those linked to one recommendation, system or risk, or
/// in one plan.
#[derive(Default)]
pub(super) struct Selection {
    pub(super) recommendation_id: Option<Uuid>,
    pub(super) system_id: Option<Uuid>,
    pub(super) risk_id: Option<Uuid>,
    pub(super) plan_id: Option<Uuid>,
}

/// The ids of the actions a selection names, by priority and due date.
async fn chosen(db: &mut PgConnection, m: MunicipalityId, by: Selection) -> AppResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        "SELECT a.id FROM actions a
          WHERE a.municipality_id = $1
            AND ($2::uuid IS NULL OR a.recommendation_id = $2)
            AND ($3::uuid IS NULL OR a.system_id = $3)
            AND ($4::uuid IS NULL OR a.risk_id = $4)
            AND ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM action_plan_items i WHERE i.plan_id = $5 AND i.action_id = a.id))
          ORDER BY a.priority_rank, a.due_date NULLS LAST, a.created_at, a.id",
        m.uuid(),
        by.recommendation_id,
        by.system_id,
        by.risk_id,
        by.plan_id
    )
    .fetch_all(&mut *db)
    .await?)
}

pub(super) async fn select(db: &mut PgConnection, m: MunicipalityId, by: Selection) -> AppResult<Vec<Action>> {
    let ids = chosen(&mut *db, m, by).await?;
    by_ids(db, m, &ids).await
}

/// The one query for actions in full, in the order of `ids`. Every selection finds its ids
/// first, so this query has no optional filters (whose generic plans read every action).
pub async fn by_ids(db: impl PgExecutor<'_>, m: MunicipalityId, ids: &[Uuid]) -> AppResult<Vec<Action>> {
    Ok(sqlx::query_as!(
        Action,
        r#"SELECT a.id, a.title, a.description, a.owner_person_id, p.name AS "owner_name?", p.user_id AS "owner_user_id?",
                  a.due_date, a.status AS "status: Status", a.source AS "source: Source", a.priority AS "priority: Priority", a.effort, a.recommendation_id, a.system_id, s.name AS "system_name?", a.risk_id,
                  r.analysis_id AS "risk_analysis_id?", a.measure_id,
                  ARRAY(SELECT ap.year FROM action_plan_items i JOIN action_plans ap ON ap.id = i.plan_id
                         WHERE i.action_id = a.id ORDER BY ap.year) AS "plan_years!",
                  a.updated_at,
                  COALESCE((SELECT json_agg(json_build_object('noted_on', n.noted_on, 'note', n.note, 'is_evidence', n.is_evidence,
                                                              'author_name', n.author_name) ORDER BY n.noted_on, n.created_at)
                              FROM action_notes n WHERE n.action_id = a.id), '[]') AS "notes!: Json<Vec<Note>>",
                  COALESCE((SELECT json_agg(json_build_object('id', f.id, 'file_name', f.file_name, 'size_bytes', f.size_bytes)
                                            ORDER BY f.uploaded_at)
                              FROM action_files f WHERE f.action_id = a.id), '[]') AS "files!: Json<Vec<FileRef>>"
             FROM actions a LEFT JOIN people p ON p.id = a.owner_person_id
             LEFT JOIN systems s ON s.id = a.system_id
             LEFT JOIN risks r ON r.id = a.risk_id
            WHERE a.municipality_id = $1 AND a.id = ANY($2)
            ORDER BY array_position($2, a.id)"#,
        m.uuid(),
        ids
    )
    .fetch_all(db)
    .await?)
}

/// The ids of the actions that pass the filter, by priority and due date (`limit` of them from
/// `offset`), and how many pass in all.
async fn matching(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    today: NaiveDate,
    asked: Asked,
) -> AppResult<(Vec<Uuid>, i64)> {
    let owner = Uuid::parse_str(filter.owner_person_id.trim()).ok();
    let found = sqlx::query!(
        r#"WITH matching AS NOT MATERIALIZED (
               SELECT a.id, a.priority_rank, a.due_date, a.created_at
                 FROM actions a
                WHERE a.municipality_id = $1
                  AND ($2 = '' OR a.title ILIKE '%' || $2 || '%' OR a.description ILIKE '%' || $2 || '%')
                  AND ($3 = '' OR a.status = $3)
                  AND ($4 = '' OR a.source = $4)
                  AND ($5::uuid IS NULL OR a.owner_person_id = $5)
                  AND ($6 <> '1' OR (a.status <> 'klar' AND a.due_date < $7))),
           total AS (SELECT count(*) AS n FROM (SELECT 1 FROM matching LIMIT $10) counted)
           SELECT (SELECT n FROM total) AS "total!",
                  ARRAY(SELECT id FROM matching
                         ORDER BY priority_rank, due_date NULLS LAST, created_at, id
                         LIMIT $8
                        OFFSET LEAST($9, GREATEST((SELECT n FROM total) - 1, 0) / $8 * $8)) AS "ids!""#,
        m.uuid(),
        crate::web::search::contains(&filter.q),
        filter.status.trim(),
        filter.source.trim(),
        owner,
        filter.late.trim(),
        today,
        asked.per_page,
        asked.offset(),
        asked.count_limit(),
    )
    .fetch_one(&mut *db)
    .await?;
    Ok((found.ids, found.total))
}

/// The ids of every action that passes the filter, in the list's order (for an export, read by
/// [`by_ids`] a chunk at a time).
pub async fn ids(db: &mut PgConnection, m: MunicipalityId, filter: &Filter, today: NaiveDate) -> AppResult<Vec<Uuid>> {
    Ok(matching(db, m, filter, today, Asked::ALL).await?.0)
}

/// Every action that passes the filter.
pub async fn list(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    today: NaiveDate,
) -> AppResult<Vec<Action>> {
    let (ids, _) = matching(&mut *db, m, filter, today, Asked::ALL).await?;
    by_ids(db, m, &ids).await
}

/// One page of the actions that pass the filter, with where it sits in the whole list.
pub async fn page(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    today: NaiveDate,
    asked: Asked,
) -> AppResult<(Vec<Action>, Pager)> {
    let (ids, total) = matching(&mut *db, m, filter, today, asked).await?;
    let pager = asked.among(total);
    Ok((by_ids(db, m, &ids).await?, pager))
}

/// Actions the user owns or that concern a system the user keeps.
pub async fn kept_by(db: &mut PgConnection, m: MunicipalityId, user: Uuid) -> AppResult<Vec<Action>> {
    let ids = sqlx::query_scalar!(
        "SELECT a.id FROM actions a LEFT JOIN people p ON p.id = a.owner_person_id
          WHERE a.municipality_id = $1 AND (p.user_id = $2 OR a.system_id IN (SELECT k FROM systems_kept_by($2) k))
          ORDER BY a.priority_rank, a.due_date NULLS LAST, a.created_at, a.id",
        m.uuid(),
        user
    )
    .fetch_all(&mut *db)
    .await?;
    by_ids(db, m, &ids).await
}

pub async fn for_recommendation(
    db: &mut PgConnection,
    m: MunicipalityId,
    recommendation_id: Uuid,
) -> AppResult<Vec<Action>> {
    select(db, m, Selection { recommendation_id: Some(recommendation_id), ..Selection::default() }).await
}

pub async fn for_system(db: &mut PgConnection, m: MunicipalityId, system_id: Uuid) -> AppResult<Vec<Action>> {
    select(db, m, Selection { system_id: Some(system_id), ..Selection::default() }).await
}

pub async fn for_risk(db: &mut PgConnection, m: MunicipalityId, risk_id: Uuid) -> AppResult<Vec<Action>> {
    select(db, m, Selection { risk_id: Some(risk_id), ..Selection::default() }).await
}

pub async fn get(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Action> {
    by_ids(db, m, &[id]).await?.pop().ok_or(AppError::NotFound)
}

/// The actions from one source that are not done.
pub async fn open_ids_from(db: impl PgExecutor<'_>, m: MunicipalityId, source: &str) -> AppResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        "SELECT id FROM actions WHERE municipality_id = $1 AND source = $2 AND status <> 'klar'",
        m.uuid(),
        source
    )
    .fetch_all(db)
    .await?)
}

/// Adds an action with its links back to where it came from.
pub async fn create(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    links: &ActionLinks,
    status: Status,
    input: &ActionInput,
) -> AppResult<Action> {
    crate::org::store::check_person(tx, m, input.owner_person_id, "owner_person_id").await?;
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO actions (id, municipality_id, title, description, owner_person_id, due_date, status, source, priority,
                              effort, recommendation_id, system_id, risk_id, measure_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        id,
        m.uuid(),
        input.title,
        input.description,
        input.owner_person_id,
        input.due_date,
        status.code(),
        links.source.code(),
        input.priority.map(Priority::code),
        input.effort,
        links.recommendation_id,
        links.system_id,
        links.risk_id,
        links.measure_id
    )
    .execute(&mut *tx)
    .await?;
    let action = get(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::Action, id, action.snapshot())).await?;
    Ok(action)
}

/// Creates an action for these links unless one that is not done exists already
/// (so a repeated self-assessment or reclassification proposes each action once).
#[allow(clippy::too_many_arguments)]
pub async fn ensure(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    links: &ActionLinks,
    title: &str,
    description: &str,
    owner_person_id: Option<Uuid>,
    status: Status,
) -> AppResult<()> {
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM actions WHERE municipality_id = $1 AND source = $2 AND status <> 'klar'
                            AND system_id IS NOT DISTINCT FROM $3 AND measure_id IS NOT DISTINCT FROM $4
                            AND risk_id IS NOT DISTINCT FROM $5) AS "yes!""#,
        m.uuid(),
        links.source.code(),
        links.system_id,
        links.measure_id,
        links.risk_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !exists {
        let input = ActionInput {
            title: title.into(),
            description: description.into(),
            owner_person_id,
            due_date: None,
            priority: None,
            effort: String::new(),
        };
        create(tx, actor, m, links, status, &input).await?;
    }
    Ok(())
}

/// Adds a note, and changes the status when one is given.
pub async fn add_note(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    form: &NoteForm,
    today: NaiveDate,
) -> AppResult<Action> {
    let (note, is_evidence) = (form.note.trim(), form.is_evidence);
    let status = Some(form.status.as_str()).filter(|s| !s.is_empty());
    let before = get(&mut *tx, m, id).await?;
    sqlx::query!(
        "INSERT INTO action_notes (id, municipality_id, action_id, noted_on, note, is_evidence, author_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        Uuid::new_v4(),
        m.uuid(),
        id,
        today,
        note,
        is_evidence,
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    if let Some(status) = status {
        sqlx::query!(
            "UPDATE actions SET status = $3, updated_at = now() WHERE municipality_id = $1 AND id = $2",
            m.uuid(),
            id,
            status
        )
        .execute(&mut *tx)
        .await?;
    }
    let after = get(&mut *tx, m, id).await?;
    let mut after_snapshot = after.snapshot();
    after_snapshot[if is_evidence { "Underlag" } else { "Anteckning" }] = json!(note);
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Action, id, before.snapshot(), after_snapshot))
        .await?;
    Ok(after)
}

/// Whether the user is the person who owns the action.
pub async fn is_owner(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid, user_id: Uuid) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM actions a JOIN people p ON p.id = a.owner_person_id
                           WHERE a.municipality_id = $1 AND a.id = $2 AND p.user_id = $3) AS "yes!""#,
        m.uuid(),
        id,
        user_id
    )
    .fetch_one(db)
    .await?)
}

/// Attaches a file as evidence.
pub async fn attach_file(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    file_name: &str,
    content_type: &str,
    content: &[u8],
) -> AppResult<()> {
    let before = get(&mut *tx, m, id).await?;
    let sha256 = <sha2::Sha256 as sha2::Digest>::digest(content).to_vec();
    sqlx::query!(
        "INSERT INTO action_files (id, municipality_id, action_id, file_name, content_type, size_bytes, sha256, content, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        Uuid::new_v4(),
        m.uuid(),
        id,
        file_name,
        content_type,
        content.len() as i32,
        sha256,
        content,
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    let mut after = before.snapshot();
    after["Bifogad fil"] = json!(format!("{file_name} ({} byte, SHA-256 {})", content.len(), hex::encode(&sha256)));
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Action, id, before.snapshot(), after)).await
}

pub struct StoredFile {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

pub async fn file(db: impl PgExecutor<'_>, m: MunicipalityId, action_id: Uuid, file_id: Uuid) -> AppResult<StoredFile> {
    Ok(sqlx::query_as!(
        StoredFile,
        "SELECT file_name, content_type, content FROM action_files WHERE municipality_id = $1 AND action_id = $2 AND id = $3",
        m.uuid(),
        action_id,
        file_id
    )
    .fetch_one(db)
    .await?)
}

/// Changes an action's title, description, owner, due date, priority and effort.
pub async fn update(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &ActionInput,
) -> AppResult<Action> {
    let before = get(&mut *tx, m, id).await?;
    crate::org::store::check_person(tx, m, input.owner_person_id, "owner_person_id").await?;
    sqlx::query!(
        "UPDATE actions SET title = $3, description = $4, owner_person_id = $5, due_date = $6, priority = $7, effort = $8,
                updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.title,
        input.description,
        input.owner_person_id,
        input.due_date,
        input.priority.map(Priority::code),
        input.effort
    )
    .execute(&mut *tx)
    .await?;
    let after = get(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::updated(Some(m), EntityType::Action, id, before.snapshot(), after.snapshot()))
        .await?;
    Ok(after)
}
