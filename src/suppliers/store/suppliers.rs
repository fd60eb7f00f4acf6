//! The suppliers themselves.

use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, unique_as};
use crate::suppliers::model::{Kind, SupplierInput};
use crate::web::pagination::{Asked, Pager};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

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
