//! Queries for actions and their notes, scoped by municipality and audited.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{ActionInput, NoteForm, status_label};
use crate::audit_log::{self, Actor, Change};
use crate::error::{AppError, AppResult};

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
    pub due_date: Option<NaiveDate>,
    /// planerad, pagar or klar.
    pub status: String,
    pub recommendation_id: Option<Uuid>,
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
}

impl Action {
    pub fn status_label(&self) -> &'static str {
        status_label(&self.status)
    }

    fn snapshot(&self) -> Value {
        json!({"Åtgärd": self.title, "Beskrivning": self.description, "Ansvarig": self.owner_name,
               "Klart senast": self.due_date, "Status": self.status_label()})
    }
}

/// The actions for a recommendation (all when `recommendation_id` is None), or one by id.
async fn select(
    db: impl PgExecutor<'_>,
    m: Uuid,
    recommendation_id: Option<Uuid>,
    id: Option<Uuid>,
) -> AppResult<Vec<Action>> {
    Ok(sqlx::query_as!(
        Action,
        r#"SELECT a.id, a.title, a.description, a.owner_person_id, p.name AS "owner_name?", a.due_date, a.status,
                  a.recommendation_id, a.updated_at,
                  COALESCE((SELECT json_agg(json_build_object('noted_on', n.noted_on, 'note', n.note, 'is_evidence', n.is_evidence,
                                                              'author_name', n.author_name) ORDER BY n.noted_on, n.created_at)
                              FROM action_notes n WHERE n.action_id = a.id), '[]') AS "notes!: Json<Vec<Note>>",
                  COALESCE((SELECT json_agg(json_build_object('id', f.id, 'file_name', f.file_name, 'size_bytes', f.size_bytes)
                                            ORDER BY f.uploaded_at)
                              FROM action_files f WHERE f.action_id = a.id), '[]') AS "files!: Json<Vec<FileRef>>"
             FROM actions a LEFT JOIN people p ON p.id = a.owner_person_id
            WHERE a.municipality_id = $1
              AND ($2::uuid IS NULL OR a.recommendation_id = $2)
              AND ($3::uuid IS NULL OR a.id = $3)
            ORDER BY a.due_date NULLS LAST, a.created_at"#,
        m,
        recommendation_id,
        id
    )
    .fetch_all(db)
    .await?)
}

pub async fn for_recommendation(db: impl PgExecutor<'_>, m: Uuid, recommendation_id: Uuid) -> AppResult<Vec<Action>> {
    select(db, m, Some(recommendation_id), None).await
}

pub async fn get(db: impl PgExecutor<'_>, m: Uuid, id: Uuid) -> AppResult<Action> {
    select(db, m, None, Some(id)).await?.pop().ok_or(AppError::NotFound)
}

/// Adds an action; `recommendation_id` links it to the recommendation it comes from.
pub async fn create(
    tx: &mut PgConnection,
    actor: &Actor,
    m: Uuid,
    recommendation_id: Option<Uuid>,
    input: &ActionInput,
) -> AppResult<Action> {
    crate::org::store::check_person(tx, m, input.owner_person_id, "owner_person_id").await?;
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO actions (id, municipality_id, title, description, owner_person_id, due_date, recommendation_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        m,
        input.title,
        input.description,
        input.owner_person_id,
        input.due_date,
        recommendation_id
    )
    .execute(&mut *tx)
    .await?;
    let action = get(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), "action", id, action.snapshot())).await?;
    Ok(action)
}

/// Adds a note, and changes the status when one is given.
pub async fn add_note(
    tx: &mut PgConnection,
    actor: &Actor,
    m: Uuid,
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
        m,
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
            m,
            id,
            status
        )
        .execute(&mut *tx)
        .await?;
    }
    let after = get(&mut *tx, m, id).await?;
    let mut after_snapshot = after.snapshot();
    after_snapshot[if is_evidence { "Underlag" } else { "Anteckning" }] = json!(note);
    audit_log::record(tx, actor, Change::updated(Some(m), "action", id, before.snapshot(), after_snapshot)).await?;
    Ok(after)
}

/// Whether the user is the person who owns the action.
pub async fn is_owner(db: impl PgExecutor<'_>, m: Uuid, id: Uuid, user_id: Uuid) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM actions a JOIN people p ON p.id = a.owner_person_id
                           WHERE a.municipality_id = $1 AND a.id = $2 AND p.user_id = $3) AS "yes!""#,
        m,
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
    m: Uuid,
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
        m,
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
    audit_log::record(tx, actor, Change::updated(Some(m), "action", id, before.snapshot(), after)).await
}

pub struct StoredFile {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

pub async fn file(db: impl PgExecutor<'_>, m: Uuid, action_id: Uuid, file_id: Uuid) -> AppResult<StoredFile> {
    Ok(sqlx::query_as!(
        StoredFile,
        "SELECT file_name, content_type, content FROM action_files WHERE municipality_id = $1 AND action_id = $2 AND id = $3",
        m,
        action_id,
        file_id
    )
    .fetch_one(db)
    .await?)
}

/// Changes an action's title, description, owner and due date.
pub async fn update(tx: &mut PgConnection, actor: &Actor, m: Uuid, id: Uuid, input: &ActionInput) -> AppResult<Action> {
    let before = get(&mut *tx, m, id).await?;
    crate::org::store::check_person(tx, m, input.owner_person_id, "owner_person_id").await?;
    sqlx::query!(
        "UPDATE actions SET title = $3, description = $4, owner_person_id = $5, due_date = $6, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m,
        id,
        input.title,
        input.description,
        input.owner_person_id,
        input.due_date
    )
    .execute(&mut *tx)
    .await?;
    let after = get(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::updated(Some(m), "action", id, before.snapshot(), after.snapshot())).await?;
    Ok(after)
}
