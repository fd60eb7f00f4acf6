//! Queries for governing documents, scoped by municipality and audited.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{DocumentInput, Kind, Status, is_review_overdue, next_review};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, unique_as};
use crate::web::pagination::{Asked, Pager};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Document {
    pub id: Uuid,
    pub title: String,
    pub kind: Kind,
    pub decided_by_body_id: Option<Uuid>,
    pub decided_by_name: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub decision_reference: String,
    pub owner_person_id: Option<Uuid>,
    pub owner_name: Option<String>,
    #[serde(skip)]
    pub owner_user_id: Option<Uuid>,
    pub responsible_body_id: Option<Uuid>,
    pub responsible_body_name: Option<String>,
    pub review_interval_months: i16,
    pub last_reviewed_on: Option<NaiveDate>,
    /// utkast, gallande or upphavd.
    pub status: Status,
    pub link_url: String,
    /// Role codes of those who must know the document.
    pub audience: Vec<String>,
    /// The coordinator's note when the document contradicts another.
    pub conflict_note: String,
    pub file_name: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl Document {
    /// In force (gällande): it is repealed, never deleted.
    pub fn is_in_force(&self) -> bool {
        self.status == Status::Gallande
    }

    pub fn next_review(&self) -> Option<NaiveDate> {
        next_review(self.decided_on, self.last_reviewed_on, self.review_interval_months)
    }

    pub fn is_review_overdue(&self, today: NaiveDate) -> bool {
        is_review_overdue(self.status, self.next_review(), today)
    }

    pub fn is_owned_by(&self, user_id: Uuid) -> bool {
        self.owner_user_id == Some(user_id)
    }

    fn snapshot(&self) -> Value {
        json!({"Titel": self.title, "Slag": self.kind_label(), "Beslutat av": self.decided_by_name,
               "Beslutsdatum": self.decided_on, "Beslut": self.decision_reference, "Dokumentägare": self.owner_name,
               "Ytterst ansvarig enligt dokumentet": self.responsible_body_name,
               "Översyn (månader)": self.review_interval_months, "Senast översett": self.last_reviewed_on,
               "Status": self.status_label(), "Länk": self.link_url, "Ska kännas till av": self.audience_text(),
               "Motstridighet": self.conflict_note, "Fil": self.file_name})
    }
}

/// Documents in full: these, in their order, or all by kind and title.
async fn select(db: impl PgExecutor<'_>, m: MunicipalityId, ids: Option<&[Uuid]>) -> AppResult<Vec<Document>> {
    Ok(sqlx::query_as!(
        Document,
        r#"SELECT d.id, d.title, d.kind AS "kind: Kind", d.decided_by_body_id, db.name AS "decided_by_name?", d.decided_on,
                  d.decision_reference, d.owner_person_id, p.name AS "owner_name?", p.user_id AS owner_user_id,
                  d.responsible_body_id, rb.name AS "responsible_body_name?", d.review_interval_months,
                  d.last_reviewed_on, d.status AS "status: Status", d.link_url, d.audience, d.conflict_note, d.file_name, d.updated_at
             FROM documents d
             LEFT JOIN bodies db ON db.id = d.decided_by_body_id
             LEFT JOIN bodies rb ON rb.id = d.responsible_body_id
             LEFT JOIN people p ON p.id = d.owner_person_id
            WHERE d.municipality_id = $1 AND ($2::uuid[] IS NULL OR d.id = ANY($2))
            ORDER BY array_position($2, d.id),
                     array_position(ARRAY['policy', 'riktlinje', 'rutin', 'instruktion'], d.kind), d.title, d.id"#,
        m.uuid(),
        ids
    )
    .fetch_all(db)
    .await?)
}

/// Filters for the register of documents.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct Filter {
    /// Text in the title or the decision reference.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub status: String,
    /// forsenad (review overdue) or motstridig (flagged as contradicting another).
    #[serde(default)]
    pub attention: String,
    /// The page of the list page; the API documents its own `page` with `limit`.
    #[param(ignore)]
    pub page: Option<String>,
}

impl Filter {
    /// The rule the register applies, on a document; `matching` is the same in SQL.
    pub fn keeps(&self, d: &Document, today: NaiveDate) -> bool {
        let q = self.q.trim().to_lowercase();
        (q.is_empty() || d.title.to_lowercase().contains(&q) || d.decision_reference.to_lowercase().contains(&q))
            && (self.kind.trim().is_empty() || d.kind.code() == self.kind.trim())
            && (self.status.trim().is_empty() || d.status.code() == self.status.trim())
            && match self.attention.as_str() {
                "forsenad" => d.is_review_overdue(today),
                "motstridig" => !d.conflict_note.is_empty(),
                _ => true,
            }
    }

    pub fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("q", &self.q),
            ("kind", &self.kind),
            ("status", &self.status),
            ("attention", &self.attention),
        ])
        .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.q.is_empty() && self.kind.is_empty() && self.status.is_empty() && self.attention.is_empty()
    }
}

/// Who is looking: drafts are seen only by the coordinator and the document's owner.
#[derive(Clone, Copy, Debug)]
pub struct Reader {
    pub user_id: Uuid,
    pub sees_every_draft: bool,
}

/// The ids of the documents the reader may see that pass the filter, by kind and title
/// (`limit` of them from `offset`, clamped to the last page), how many pass, and how many of
/// the reader's documents are overdue for review. The review rule is `is_review_overdue` of
/// `next_review` in SQL; a test holds the two to the same answers.
async fn matching(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    filter: &Filter,
    reader: Reader,
    today: NaiveDate,
    asked: Asked,
) -> AppResult<(Vec<Uuid>, i64, i64)> {
    let found = sqlx::query!(
        r#"WITH visible AS MATERIALIZED (
             SELECT d.id, d.kind, d.title, d.status, d.decision_reference, d.conflict_note,
                    d.status = 'gallande'
                      AND (GREATEST(d.decided_on, d.last_reviewed_on)
                           + make_interval(months => greatest(d.review_interval_months, 1)))::date < $7 AS overdue
               FROM documents d LEFT JOIN people p ON p.id = d.owner_person_id
              WHERE d.municipality_id = $1 AND (d.status <> 'utkast' OR $2 OR p.user_id = $3)),
           matching AS (
             SELECT * FROM visible
              WHERE ($4 = '' OR title ILIKE '%' || $4 || '%' OR decision_reference ILIKE '%' || $4 || '%')
                AND ($5 = '' OR kind = $5) AND ($6 = '' OR status = $6)
                AND CASE $8 WHEN 'forsenad' THEN overdue IS TRUE WHEN 'motstridig' THEN conflict_note <> '' ELSE true END),
           total AS (SELECT count(*) AS n FROM (SELECT 1 FROM matching LIMIT $11) counted)
           SELECT (SELECT n FROM total) AS "total!",
                  (SELECT count(*) FROM visible WHERE overdue) AS "overdue!",
                  ARRAY(SELECT id FROM matching
                         ORDER BY array_position(ARRAY['policy', 'riktlinje', 'rutin', 'instruktion'], kind), title, id
                         LIMIT $9 OFFSET LEAST($10, GREATEST((SELECT n FROM total) - 1, 0) / $9 * $9)) AS "ids!""#,
        m.uuid(),
        reader.sees_every_draft,
        reader.user_id,
        crate::web::search::contains(&filter.q),
        filter.kind.trim(),
        filter.status.trim(),
        today,
        filter.attention.trim(),
        asked.per_page,
        asked.offset(),
        asked.count_limit(),
    )
    .fetch_one(db)
    .await?;
    Ok((found.ids, found.total, found.overdue))
}

/// One page of the documents the reader may see that pass the filter, where it sits, and how
/// many of the reader's documents are overdue for review.
pub async fn page(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    reader: Reader,
    today: NaiveDate,
    asked: Asked,
) -> AppResult<(Vec<Document>, Pager, i64)> {
    let (ids, total, overdue) = matching(&mut *db, m, filter, reader, today, asked).await?;
    Ok((select(db, m, Some(&ids)).await?, asked.among(total), overdue))
}

/// Every document the reader may see that passes the filter (the CSV export, the API).
pub async fn all_matching(
    db: &mut PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    reader: Reader,
    today: NaiveDate,
) -> AppResult<Vec<Document>> {
    let (ids, _, _) = matching(&mut *db, m, filter, reader, today, Asked::ALL).await?;
    select(db, m, Some(&ids)).await
}

/// (title, responsible body) of the documents in force that name one, for the conflict rule.
pub async fn responsibilities(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<(String, String)>> {
    Ok(sqlx::query!(
        "SELECT d.title, b.name FROM documents d JOIN bodies b ON b.id = d.responsible_body_id
          WHERE d.municipality_id = $1 AND d.status = 'gallande'
          ORDER BY array_position(ARRAY['policy', 'riktlinje', 'rutin', 'instruktion'], d.kind), d.title, d.id",
        m.uuid()
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| (r.title, r.name))
    .collect())
}

pub async fn list(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<Document>> {
    select(db, m, None).await
}

pub async fn get(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Document> {
    select(db, m, Some(&[id])).await?.pop().ok_or(AppError::NotFound)
}

const TITLE_TAKEN: &str = "Det finns redan ett styrdokument med den titeln.";

async fn check_links(tx: &mut PgConnection, m: MunicipalityId, input: &DocumentInput) -> AppResult<()> {
    crate::org::store::check_body(tx, m, input.decided_by_body_id, "decided_by_body_id").await?;
    crate::org::store::check_body(tx, m, input.responsible_body_id, "responsible_body_id").await?;
    crate::org::store::check_person(tx, m, input.owner_person_id, "owner_person_id").await
}

pub async fn create(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    input: &DocumentInput,
) -> AppResult<Document> {
    check_links(tx, m, input).await?;
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO documents (id, municipality_id, title, kind, decided_by_body_id, decided_on, decision_reference,
                                owner_person_id, responsible_body_id, review_interval_months, last_reviewed_on, status,
                                link_url, audience)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        id,
        m.uuid(),
        input.title,
        input.kind.code(),
        input.decided_by_body_id,
        input.decided_on,
        input.decision_reference,
        input.owner_person_id,
        input.responsible_body_id,
        input.review_interval_months,
        input.last_reviewed_on,
        input.status.code(),
        input.link_url,
        &input.audience
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("documents_municipality_id_title_key", "title", TITLE_TAKEN))?;
    let document = get(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::Document, id, document.snapshot())).await?;
    Ok(document)
}

pub async fn update(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    input: &DocumentInput,
) -> AppResult<Document> {
    let before = get(&mut *tx, m, id).await?;
    check_links(tx, m, input).await?;
    sqlx::query!(
        "UPDATE documents SET title = $3, kind = $4, decided_by_body_id = $5, decided_on = $6, decision_reference = $7,
                owner_person_id = $8, responsible_body_id = $9, review_interval_months = $10, last_reviewed_on = $11,
                status = $12, link_url = $13, audience = $14, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        input.title,
        input.kind.code(),
        input.decided_by_body_id,
        input.decided_on,
        input.decision_reference,
        input.owner_person_id,
        input.responsible_body_id,
        input.review_interval_months,
        input.last_reviewed_on,
        input.status.code(),
        input.link_url,
        &input.audience
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("documents_municipality_id_title_key", "title", TITLE_TAKEN))?;
    logged_update(tx, actor, m, before).await
}

/// Reads the document back after a change and records the change in the audit log.
async fn logged_update(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    before: Document,
) -> AppResult<Document> {
    let after = get(&mut *tx, m, before.id).await?;
    let change = Change::updated(Some(m), EntityType::Document, before.id, before.snapshot(), after.snapshot());
    audit_log::record(tx, actor, change).await?;
    Ok(after)
}

/// Records that the document was reviewed today without a new decision.
pub async fn mark_reviewed(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    today: NaiveDate,
) -> AppResult<Document> {
    let before = get(&mut *tx, m, id).await?;
    sqlx::query!(
        "UPDATE documents SET last_reviewed_on = $3, updated_at = now() WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        today
    )
    .execute(&mut *tx)
    .await?;
    logged_update(tx, actor, m, before).await
}

/// Flags the document as contradicting another (an empty note clears the flag).
pub async fn set_conflict(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    note: &str,
) -> AppResult<Document> {
    let before = get(&mut *tx, m, id).await?;
    sqlx::query!(
        "UPDATE documents SET conflict_note = $3, updated_at = now() WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        note.trim()
    )
    .execute(&mut *tx)
    .await?;
    logged_update(tx, actor, m, before).await
}

pub async fn attach_file(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    file_name: &str,
    content_type: &str,
    content: &[u8],
) -> AppResult<Document> {
    let before = get(&mut *tx, m, id).await?;
    sqlx::query!(
        "UPDATE documents SET file_name = $3, content_type = $4, content = $5, updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        file_name,
        content_type,
        content
    )
    .execute(&mut *tx)
    .await?;
    logged_update(tx, actor, m, before).await
}

/// (file name, content type, content) of the uploaded file.
pub async fn file(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<(String, String, Vec<u8>)> {
    let row = sqlx::query!(
        "SELECT file_name, content_type, content FROM documents WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id
    )
    .fetch_one(db)
    .await?;
    match (row.file_name, row.content_type, row.content) {
        (Some(name), Some(content_type), Some(content)) => Ok((name, content_type, content)),
        _ => Err(AppError::NotFound),
    }
}

pub async fn delete(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<()> {
    let before = get(&mut *tx, m, id).await?;
    if before.is_in_force() {
        return Err(AppError::Conflict("Ett gällande styrdokument tas inte bort: markera det som upphävt.".into()));
    }
    sqlx::query!("DELETE FROM documents WHERE municipality_id = $1 AND id = $2", m.uuid(), id)
        .execute(&mut *tx)
        .await?;
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::Document, id, before.snapshot())).await?;
    Ok(())
}
