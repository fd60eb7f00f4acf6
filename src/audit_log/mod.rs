//! Who changed what, when: every mutation writes a row here in its own transaction.
//! Snapshots are JSON objects with Swedish field labels as keys, so the log reads the
//! same in the app, in CSV and in a database dump, whatever the code looks like later.
//! This is the recording side, below every area: it imports none of them (an `Actor` for a
//! signed-in person is made by auth). Browsing the log is the `change_log` area.

pub mod lost_updates;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::db::MunicipalityId;
use crate::error::AppResult;
use crate::web::format;

/// Who made a change.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub name: String,
    pub request_id: Option<String>,
}

impl Actor {
    /// Changes made from the command line or by Lisa itself.
    pub fn system(name: &str) -> Self {
        Actor { user_id: None, name: name.to_string(), request_id: None }
    }
}

crate::codes! {
    /// What a change did.
    pub enum Action {
        Create = "create" => "Skapad",
        Update = "update" => "Ändrad",
        Delete = "delete" => "Borttagen",
    }
}

/// An entry's action in words; one Lisa does not know reads as "Händelse".
/// An entity type's label; an entry older than its type's code reads as the code.
pub fn entity_label(code: &str) -> &str {
    EntityType::parse(code).map(EntityType::label).unwrap_or(code)
}

pub fn action_label(code: &str) -> &'static str {
    Action::parse(code).map(Action::label).unwrap_or("Händelse")
}

crate::codes! {
    /// The kinds of thing the change log records changes to.
    pub enum EntityType {
        Municipality = "municipality" => "Kommun",
        Body = "body" => "Organ",
        Unit = "unit" => "Förvaltning eller enhet",
        Person = "person" => "Person",
        User = "user" => "Användare",
        RoleGrant = "role_grant" => "Roll",
        Invitation = "invitation" => "Inbjudan",
        ApiToken = "api_token" => "API-nyckel",
        Audit = "audit" => "Granskning",
        Recommendation = "recommendation" => "Rekommendation",
        Action = "action" => "Åtgärd",
        ActionPlan = "action_plan" => "Handlingsplan",
        System = "system" => "System",
        SystemDependency = "system_dependency" => "Systemberoende",
        InformationAsset = "information_asset" => "Informationsmängd",
        Classification = "classification" => "Klassning",
        Measure = "measure" => "Åtgärd i katalogen",
        MeasureAssessment = "measure_assessment" => "Självskattning",
        RiskSettings = "risk_settings" => "Riskskala",
        RiskAnalysis = "risk_analysis" => "Riskanalys",
        Risk = "risk" => "Risk",
        Incident = "incident" => "Incident",
        IncidentReceivers = "incident_receivers" => "Incidentmottagare",
        AccessReview = "access_review" => "Behörighetsgranskning",
        ContinuityPlan = "continuity_plan" => "Kontinuitetsplan",
        ContinuityExercise = "continuity_exercise" => "Kontinuitetsövning",
        ContinuityTargets = "continuity_targets" => "Kontinuitetsmål",
        ControlPoint = "control_point" => "Kontrollmoment i internkontrollen",
        ControlResult = "control_result" => "Genomförd internkontroll",
        Supplier = "supplier" => "Leverantör",
        Contract = "contract" => "Avtal",
        ComplianceCheck = "compliance_check" => "Efterlevnadskontroll",
        Document = "document" => "Styrdokument",
        TrainingCampaign = "training_campaign" => "Utbildningsinsats",
        AnnualReport = "annual_report" => "Årsrapport",
    }
}

/// One change to one entity. `before` is absent for creations, `after` for deletions.
pub struct Change {
    pub municipality_id: Option<MunicipalityId>,
    pub entity_type: EntityType,
    pub entity_id: Uuid,
    pub action: Action,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    pub fn created(municipality_id: Option<MunicipalityId>, entity_type: EntityType, id: Uuid, after: Value) -> Self {
        Change { municipality_id, entity_type, entity_id: id, action: Action::Create, before: None, after: Some(after) }
    }

    pub fn updated(
        municipality_id: Option<MunicipalityId>,
        entity_type: EntityType,
        id: Uuid,
        before: Value,
        after: Value,
    ) -> Self {
        Change {
            municipality_id,
            entity_type,
            entity_id: id,
            action: Action::Update,
            before: Some(before),
            after: Some(after),
        }
    }

    pub fn deleted(municipality_id: Option<MunicipalityId>, entity_type: EntityType, id: Uuid, before: Value) -> Self {
        Change {
            municipality_id,
            entity_type,
            entity_id: id,
            action: Action::Delete,
            before: Some(before),
            after: None,
        }
    }
}

/// Writes the change; call it inside the transaction that makes the change.
pub async fn record(conn: &mut PgConnection, actor: &Actor, change: Change) -> AppResult<()> {
    sqlx::query!(
        "INSERT INTO audit_log (municipality_id, actor_user_id, actor_name, entity_type, entity_id, action, before, after, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        change.municipality_id.map(MunicipalityId::uuid),
        actor.user_id,
        actor.name,
        change.entity_type.code(),
        change.entity_id,
        change.action.code(),
        change.before,
        change.after,
        actor.request_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A field whose value changed, as shown in history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

fn show(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "–".to_string(),
        Some(Value::String(s)) if s.is_empty() => "–".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "Ja".to_string(),
        Some(Value::Bool(false)) => "Nej".to_string(),
        Some(other) => other.to_string(),
    }
}

/// The fields that differ between two snapshots, in the order they first appear.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    let after = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut fields: Vec<&String> = before.keys().collect();
    fields.extend(after.keys().filter(|k| !before.contains_key(*k)));
    fields
        .into_iter()
        .filter(|f| before.get(*f) != after.get(*f))
        .map(|f| FieldChange { field: f.clone(), before: show(before.get(f)), after: show(after.get(f)) })
        .collect()
}

/// One row of the log, ready to show.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    #[serde(skip)]
    pub occurred_at_local: String,
    pub actor_name: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub action: String,
    #[serde(skip)]
    pub action_label: &'static str,
    pub changes: Vec<FieldChange>,
    pub request_id: Option<String>,
}

pub(crate) struct Row {
    id: i64,
    occurred_at: DateTime<Utc>,
    actor_name: String,
    entity_type: String,
    entity_id: Option<Uuid>,
    action: String,
    before: Option<Value>,
    after: Option<Value>,
    request_id: Option<String>,
}

impl From<Row> for Entry {
    fn from(row: Row) -> Self {
        Entry {
            id: row.id,
            occurred_at_local: format::datetime(row.occurred_at),
            occurred_at: row.occurred_at,
            actor_name: name_only(&row.actor_name).to_string(),
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            action_label: action_label(&row.action),
            action: row.action,
            changes: diff(row.before.as_ref(), row.after.as_ref()),
            request_id: row.request_id,
        }
    }
}

/// Entries written before names stood alone read "Name <email>": shown as the name.
fn name_only(actor_name: &str) -> &str {
    match actor_name.split_once(" <") {
        Some((name, rest)) if rest.ends_with('>') => name,
        _ => actor_name,
    }
}

/// The history of one entity, newest first.
pub async fn history(
    db: impl sqlx::PgExecutor<'_>,
    municipality_id: MunicipalityId,
    entity_type: EntityType,
    entity_id: Uuid,
) -> AppResult<Vec<Entry>> {
    let rows = sqlx::query_as!(
        Row,
        "SELECT id, occurred_at, actor_name, entity_type, entity_id, action, before, after, request_id
           FROM audit_log
          WHERE municipality_id = $1 AND entity_type = $2 AND entity_id = $3
          ORDER BY occurred_at DESC, id DESC",
        municipality_id.uuid(),
        entity_type.code(),
        entity_id,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Entry::from).collect())
}

/// The latest change to one thing, in words: who, when, and what it changed to ("Syfte: …";
/// every value when it was created). Shown to someone whose save came too late.
pub async fn latest_after(
    db: &mut sqlx::PgConnection,
    m: MunicipalityId,
    entity_type: EntityType,
    id: Uuid,
) -> AppResult<String> {
    let row = sqlx::query!(
        "SELECT actor_name, occurred_at, before, after FROM audit_log
          WHERE municipality_id = $1 AND entity_type = $2 AND entity_id = $3 AND after IS NOT NULL
          ORDER BY occurred_at DESC, id DESC LIMIT 1",
        m.uuid(),
        entity_type.code(),
        id
    )
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(String::new()) };
    let before = row.before.as_ref().and_then(|before| before.as_object());
    let values: Vec<String> = row
        .after
        .as_ref()
        .and_then(|after| after.as_object())
        .map(|fields| {
            fields
                .iter()
                .filter(|(label, value)| before.is_none_or(|before| before.get(label.as_str()) != Some(value)))
                .map(|(label, value)| format!("{label}: {}", show(Some(value))))
                .collect()
        })
        .unwrap_or_default();
    let who = name_only(&row.actor_name).to_string();
    let when = crate::web::format::datetime(row.occurred_at);
    Ok(if values.is_empty() {
        format!("Senast ändrat {when} av {who}.")
    } else {
        format!("Senast ändrat {when} av {who}. Nu sparat: {}.", values.join("; "))
    })
}

/// Filters for browsing the log.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct Filter {
    /// Entity type, e.g. `body`.
    #[serde(default)]
    pub entity_type: String,
    /// Text in the actor's name or email.
    #[serde(default)]
    pub actor: String,
    /// From this date (inclusive), YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// To this date (inclusive), YYYY-MM-DD.
    #[serde(default)]
    pub to: String,
    /// Entries older than this one (the `Link` header's `before`); the newest when absent.
    pub before: Option<String>,
}

impl Filter {
    fn date(value: &str) -> Option<chrono::NaiveDate> {
        chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
    }

    pub fn cursor(&self) -> Option<Cursor> {
        self.before.as_deref().and_then(Cursor::parse)
    }
}

/// Where a page of the log starts: just after (older than) this entry. Written as
/// "microseconds since 1970.id", which says nothing a reader of the entry does not see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub occurred_at: DateTime<Utc>,
    pub id: i64,
}

impl Cursor {
    pub fn parse(text: &str) -> Option<Cursor> {
        let (micros, id) = text.trim().split_once('.')?;
        let occurred_at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
        Some(Cursor { occurred_at, id: id.parse().ok()? })
    }

    pub fn of(entry: &Entry) -> Cursor {
        Cursor { occurred_at: entry.occurred_at, id: entry.id }
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.occurred_at.timestamp_micros(), self.id)
    }
}

/// Largest export, in rows.
pub const EXPORT_LIMIT: i64 = 100_000;

/// Matching entries are counted up to this many; past it the log says "more than".
pub const COUNT_LIMIT: i64 = 1_000;

/// How many entries match, counted up to [`COUNT_LIMIT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counted {
    pub counted: i64,
    pub more: bool,
}

impl Counted {
    /// The exact number, when it was counted to the end.
    pub fn exact(self) -> Option<i64> {
        (!self.more).then_some(self.counted)
    }

    /// "1 händelse", "12 händelser", "Fler än 1 000 händelser".
    pub fn text(self, one: &str, many: &str) -> String {
        if self.more {
            format!("Fler än {} {many}", format::thousands(self.counted))
        } else {
            format::count(usize::try_from(self.counted).unwrap_or(0), one, many)
        }
    }
}

/// One page of the log, newest first, with where the next (older) one starts.
pub struct LogPage {
    pub entries: Vec<Entry>,
    pub older: Option<Cursor>,
    pub matching: Counted,
}

/// The entries matching the filter, never those about the `hidden` kinds of thing: `limit` of
/// them older than `before` (the newest when none), newest first. Each page reads only its own
/// rows along the (municipality, time) index, however long the log.
async fn entries(
    db: &mut sqlx::PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    before: Option<Cursor>,
    limit: i64,
    hidden: &[String],
) -> AppResult<Vec<Entry>> {
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT id, occurred_at, actor_name, entity_type, entity_id, action, before, after, request_id
             FROM audit_log
            WHERE municipality_id = $1 AND ($2 = '' OR entity_type = $2)
              AND ($3 = '' OR actor_name ILIKE '%' || $3 || '%')
              AND ($4::date IS NULL OR occurred_at >= ($4::date AT TIME ZONE 'Europe/Stockholm'))
              AND ($5::date IS NULL OR occurred_at < (($5::date + 1) AT TIME ZONE 'Europe/Stockholm'))
              AND entity_type <> ALL($6)
              AND occurred_at <= $7 AND (occurred_at < $7 OR id < $8)
            ORDER BY occurred_at DESC, id DESC
            LIMIT $9"#,
        m.uuid(),
        filter.entity_type.trim(),
        crate::web::search::contains(&filter.actor),
        Filter::date(&filter.from),
        Filter::date(&filter.to),
        hidden,
        before.map_or(DateTime::<Utc>::MAX_UTC, |c| c.occurred_at),
        before.map_or(i64::MAX, |c| c.id),
        limit,
    )
    .fetch_all(&mut *db)
    .await?;
    Ok(rows.into_iter().map(Entry::from).collect())
}

/// How many entries match the filter, counted up to [`COUNT_LIMIT`].
async fn count(
    db: &mut sqlx::PgConnection,
    m: MunicipalityId,
    filter: &Filter,
    hidden: &[String],
) -> AppResult<Counted> {
    let counted = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM (
             SELECT 1 FROM audit_log
              WHERE municipality_id = $1 AND ($2 = '' OR entity_type = $2)
                AND ($3 = '' OR actor_name ILIKE '%' || $3 || '%')
                AND ($4::date IS NULL OR occurred_at >= ($4::date AT TIME ZONE 'Europe/Stockholm'))
                AND ($5::date IS NULL OR occurred_at < (($5::date + 1) AT TIME ZONE 'Europe/Stockholm'))
                AND entity_type <> ALL($6)
              LIMIT $7) counted"#,
        m.uuid(),
        filter.entity_type.trim(),
        crate::web::search::contains(&filter.actor),
        Filter::date(&filter.from),
        Filter::date(&filter.to),
        hidden,
        COUNT_LIMIT + 1,
    )
    .fetch_one(&mut *db)
    .await?;
    Ok(Counted { counted: counted.min(COUNT_LIMIT), more: counted > COUNT_LIMIT })
}

/// One page of `limit` matching entries from the filter's cursor, and how many match in all.
pub async fn page(
    pool: &PgPool,
    m: MunicipalityId,
    filter: &Filter,
    limit: i64,
    hidden: &[String],
) -> AppResult<LogPage> {
    if names_no_one(filter) {
        return Ok(LogPage { entries: Vec::new(), older: None, matching: Counted { counted: 0, more: false } });
    }
    let mut conn = pool.acquire().await?;
    let mut entries = entries(&mut conn, m, filter, filter.cursor(), limit + 1, hidden).await?;
    let older = (entries.len() as i64 > limit).then(|| {
        entries.truncate(limit as usize);
        entries.last().map(Cursor::of)
    });
    let matching = count(&mut conn, m, filter, hidden).await?;
    Ok(LogPage { entries, older: older.flatten(), matching })
}

/// Every matching entry, newest first, up to [`EXPORT_LIMIT`] (for the CSV export).
pub async fn export(pool: &PgPool, m: MunicipalityId, filter: &Filter, hidden: &[String]) -> AppResult<Vec<Entry>> {
    if names_no_one(filter) {
        return Ok(Vec::new());
    }
    entries(&mut *pool.acquire().await?, m, filter, None, EXPORT_LIMIT, hidden).await
}

/// A name searched for without a letter or a digit in it ("%%%", "---") names no one, and
/// the trigram index can do nothing with it: answered at once instead of by reading the log.
fn names_no_one(filter: &Filter) -> bool {
    let searched = crate::web::search::contains(&filter.actor);
    !searched.is_empty() && !searched.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_name_without_a_letter_or_digit_names_no_one() {
        let asked = |actor: &str| Filter { actor: actor.into(), ..Default::default() };
        assert!(names_no_one(&asked("%%%")) && names_no_one(&asked(" -- ")));
        assert!(!names_no_one(&asked("")) && !names_no_one(&asked("Sara")) && !names_no_one(&asked("%x")));
        assert!(names_no_one(&asked(&format!("{}x", "%".repeat(200)))), "what is searched is the first 200 characters");
    }

    #[test]
    fn old_entries_show_the_actor_by_name_only() {
        assert_eq!(name_only("Sara Samordnare <samordnare@exempelby.se>"), "Sara Samordnare");
        assert_eq!(name_only("Sara Samordnare"), "Sara Samordnare");
        assert_eq!(name_only("Inloggning via kommunen"), "Inloggning via kommunen");
    }

    #[test]
    fn diff_lists_changed_added_and_removed_fields() {
        let before = json!({"Namn": "Tekniska nämnden", "Typ": "Nämnd", "Bolag": ""});
        let after = json!({"Namn": "Samhällsbyggnadsnämnden", "Typ": "Nämnd", "Bolag": "", "Aktiv": true});
        assert_eq!(
            diff(Some(&before), Some(&after)),
            vec![
                FieldChange {
                    field: "Namn".into(),
                    before: "Tekniska nämnden".into(),
                    after: "Samhällsbyggnadsnämnden".into()
                },
                FieldChange { field: "Aktiv".into(), before: "–".into(), after: "Ja".into() },
            ]
        );
        assert_eq!(diff(None, Some(&json!({"Namn": "KS"}))).len(), 1);
        assert_eq!(diff(Some(&json!({"Namn": "KS"})), None)[0].after, "–");
    }
}
