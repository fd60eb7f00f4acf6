//! Queries for what the reports to the authorities need beyond the handling: one row per
//! incident, read and written only by its handlers, audited.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::notices::{Answer, DataKind, Informed, NoticeFacts};
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::AppResult;

struct Row {
    suspected_malicious: String,
    cross_border: String,
    description: String,
    detection: String,
    indicators: String,
    occurred_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    subjects_count: Option<i32>,
    records_count: Option<i32>,
    subject_categories: String,
    data_kinds: Vec<String>,
    consequences: String,
    subjects_informed: String,
    subjects_informed_on: Option<NaiveDate>,
    subjects_not_informed_reason: String,
    delay_reason: String,
    economic_damage: String,
    recurrence_measures: String,
    signed_off_by: String,
    contact: String,
    secrecy_claim: String,
}

/// The incident's facts (all empty before any were recorded).
pub async fn facts(db: impl PgExecutor<'_>, m: MunicipalityId, incident_id: Uuid) -> AppResult<NoticeFacts> {
    let row = sqlx::query_as!(
        Row,
        "SELECT suspected_malicious, cross_border, description, detection, indicators, occurred_at, ended_at, subjects_count, records_count,
                subject_categories, data_kinds, consequences, subjects_informed, subjects_informed_on,
                subjects_not_informed_reason, delay_reason, economic_damage, recurrence_measures, signed_off_by, contact,
                secrecy_claim
           FROM incident_notice_facts WHERE municipality_id = $1 AND incident_id = $2",
        m.uuid(),
        incident_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row
        .map(|r| NoticeFacts {
            suspected_malicious: Answer::parse(&r.suspected_malicious),
            cross_border: Answer::parse(&r.cross_border),
            description: r.description,
            detection: r.detection,
            indicators: r.indicators,
            occurred_at: r.occurred_at,
            ended_at: r.ended_at,
            subjects_count: r.subjects_count,
            records_count: r.records_count,
            subject_categories: r.subject_categories,
            data_kinds: r.data_kinds.iter().filter_map(|k| DataKind::parse(k)).collect(),
            consequences: r.consequences,
            subjects_informed: Informed::parse(&r.subjects_informed),
            subjects_informed_on: r.subjects_informed_on,
            subjects_not_informed_reason: r.subjects_not_informed_reason,
            delay_reason: r.delay_reason,
            economic_damage: r.economic_damage,
            recurrence_measures: r.recurrence_measures,
            signed_off_by: r.signed_off_by,
            contact: r.contact,
            secrecy_claim: r.secrecy_claim,
        })
        .unwrap_or_default())
}

pub async fn save_facts(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    incident_id: Uuid,
    f: &NoticeFacts,
) -> AppResult<()> {
    let before = facts(&mut *tx, m, incident_id).await?;
    let code = |a: Option<Answer>| a.map(Answer::code).unwrap_or_default();
    let kinds: Vec<String> = f.data_kinds.iter().map(|k| k.code().to_string()).collect();
    sqlx::query!(
        "INSERT INTO incident_notice_facts (municipality_id, incident_id, suspected_malicious, cross_border, detection,
                                            indicators, ended_at, subjects_count, records_count, subject_categories,
                                            data_kinds, consequences, subjects_informed, subjects_informed_on,
                                            subjects_not_informed_reason, delay_reason, economic_damage, recurrence_measures,
                                            signed_off_by, contact, secrecy_claim, description, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
         ON CONFLICT (municipality_id, incident_id) DO UPDATE SET
             suspected_malicious = $3, cross_border = $4, detection = $5, indicators = $6, ended_at = $7,
             subjects_count = $8, records_count = $9, subject_categories = $10, data_kinds = $11, consequences = $12,
             subjects_informed = $13, subjects_informed_on = $14, subjects_not_informed_reason = $15, delay_reason = $16,
             economic_damage = $17, recurrence_measures = $18, signed_off_by = $19, contact = $20, secrecy_claim = $21,
             description = $22, occurred_at = $23, updated_at = now()",
        m.uuid(),
        incident_id,
        code(f.suspected_malicious),
        code(f.cross_border),
        f.detection,
        f.indicators,
        f.ended_at,
        f.subjects_count,
        f.records_count,
        f.subject_categories,
        &kinds,
        f.consequences,
        f.subjects_informed.map(Informed::code).unwrap_or_default(),
        f.subjects_informed_on,
        f.subjects_not_informed_reason,
        f.delay_reason,
        f.economic_damage,
        f.recurrence_measures,
        f.signed_off_by,
        f.contact,
        f.secrecy_claim,
        f.description,
        f.occurred_at
    )
    .execute(&mut *tx)
    .await?;
    let change = Change::updated(
        Some(m),
        EntityType::Incident,
        incident_id,
        json!({"Uppgifter för anmälan": before}),
        json!({"Uppgifter för anmälan": f}),
    );
    audit_log::record(tx, actor, change).await
}
