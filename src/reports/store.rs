//! Queries for annual reports, scoped by municipality and audited.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::figures::Figures;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, unique_as};

crate::codes! {
    /// An annual report is drafted, then published (and frozen).
    pub enum Status {
        Utkast = "utkast" => "Utkast",
        Publicerad = "publicerad" => "Publicerad",
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub id: Uuid,
    pub year: i16,
    pub status: Status,
    pub summary: String,
    pub proposals: String,
    pub decisions: String,
    pub decision_reference: String,
    /// The figures frozen at publication; null for a draft.
    #[serde(skip)]
    pub snapshot: Option<Json<Figures>>,
    pub published_at: Option<DateTime<Utc>>,
    /// Who published it, by name.
    pub published_by: Option<String>,
    /// In what role they published it.
    pub published_by_role: Option<String>,
    /// The day the figures describe when the coordinator stated one; else 31 December of the year.
    pub as_of: Option<NaiveDate>,
    /// When the decisions became proposed actions for the next year's handlingsplan.
    pub actions_proposed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl Report {
    pub fn is_published(&self) -> bool {
        self.status == Status::Publicerad
    }

    /// The day its figures describe: the stated date, or 31 December of its year.
    pub fn as_of_date(&self) -> NaiveDate {
        self.as_of.or_else(|| NaiveDate::from_ymd_opt(i32::from(self.year), 12, 31)).unwrap_or_default()
    }

    /// "Anna Berg, Informationssäkerhetssamordnare"; empty for a draft.
    pub fn publisher(&self) -> String {
        match (&self.published_by, &self.published_by_role) {
            (Some(name), Some(role)) => format!("{name}, {role}"),
            (Some(name), None) => name.clone(),
            _ => String::new(),
        }
    }

    fn snapshot_text(&self) -> Value {
        json!({"År": self.year, "Status": self.status_label(), "Siffrorna avser": self.as_of_date(),
               "Sammanfattande bedömning": self.summary,
               "Förslag till beslut": self.proposals, "Beslut": self.decisions, "Beslutsparagraf": self.decision_reference})
    }
}

async fn select(db: impl PgExecutor<'_>, m: MunicipalityId, id: Option<Uuid>) -> AppResult<Vec<Report>> {
    Ok(sqlx::query_as!(
        Report,
        r#"SELECT id, year, status AS "status: Status", summary, proposals, decisions, decision_reference,
                  snapshot AS "snapshot: Json<Figures>", published_at, published_by, published_by_role, as_of,
                  actions_proposed_at, updated_at
             FROM annual_reports
            WHERE municipality_id = $1 AND ($2::uuid IS NULL OR id = $2)
            ORDER BY year DESC, published_at DESC NULLS FIRST"#,
        m.uuid(),
        id
    )
    .fetch_all(db)
    .await?)
}

pub async fn list(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<Report>> {
    select(db, m, None).await
}

pub async fn get(db: impl PgExecutor<'_>, m: MunicipalityId, id: Uuid) -> AppResult<Report> {
    select(db, m, Some(id)).await?.pop().ok_or(AppError::NotFound)
}

/// The figures of the latest report published for `year`, if any.
pub async fn published_figures(db: impl PgExecutor<'_>, m: MunicipalityId, year: i32) -> AppResult<Option<Figures>> {
    let found = sqlx::query_scalar!(
        r#"SELECT snapshot AS "snapshot!: Json<Figures>" FROM annual_reports
            WHERE municipality_id = $1 AND year = $2 AND status = 'publicerad'
            ORDER BY published_at DESC LIMIT 1"#,
        m.uuid(),
        year as i16
    )
    .fetch_optional(db)
    .await?;
    Ok(found.map(|json| json.0))
}

pub async fn create(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, year: i16) -> AppResult<Report> {
    let id = Uuid::new_v4();
    sqlx::query!("INSERT INTO annual_reports (id, municipality_id, year) VALUES ($1, $2, $3)", id, m.uuid(), year)
        .execute(&mut *tx)
        .await
        .map_err(unique_as("annual_reports_one_draft", "year", "Det finns redan ett utkast för det året."))?;
    let report = get(&mut *tx, m, id).await?;
    audit_log::record(tx, actor, Change::created(Some(m), EntityType::AnnualReport, id, report.snapshot_text()))
        .await?;
    Ok(report)
}

/// The texts the coordinator writes.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReportText {
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub proposals: String,
    #[serde(default)]
    pub decisions: String,
    /// E.g. "KS 2027-03-15 § 42".
    #[serde(default)]
    pub decision_reference: String,
    /// The day the figures describe, YYYY-MM-DD; empty for 31 December of the report's year.
    #[serde(default)]
    pub as_of: String,
    /// The version (ETag) the change was made from; a change made from an older one is
    /// refused. The If-Match header does the same.
    #[serde(default)]
    pub version: String,
}

/// A report describes its own year: its figures are as of a day within it.
pub fn as_of_outside_year(year: i16, as_of: NaiveDate) -> Option<String> {
    (chrono::Datelike::year(&as_of) != i32::from(year)).then(|| {
        format!("Ange ett datum under {year} (från {year}-01-01 till {year}-12-31), eller lämna fältet tomt för 31 december.")
    })
}

/// Changes the texts; a published report keeps its figures, only the board's decisions may be added to it.
pub async fn update(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    text: &ReportText,
) -> AppResult<Report> {
    let before = get(&mut *tx, m, id).await?;
    let mut errors = crate::error::FieldErrors::new();
    let as_of = crate::web::form::optional_date(&mut errors, "as_of", &text.as_of);
    if let Some(message) = as_of.and_then(|d| as_of_outside_year(before.year, d)) {
        errors.insert("as_of".into(), message);
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (summary, proposals, as_of) = if before.is_published() {
        (before.summary.clone(), before.proposals.clone(), before.as_of)
    } else {
        (text.summary.trim().to_string(), text.proposals.trim().to_string(), as_of)
    };
    sqlx::query!(
        "UPDATE annual_reports SET summary = $3, proposals = $4, decisions = $5, decision_reference = $6, as_of = $7,
                updated_at = now()
          WHERE municipality_id = $1 AND id = $2",
        m.uuid(),
        id,
        summary,
        proposals,
        text.decisions.trim(),
        text.decision_reference.trim(),
        as_of
    )
    .execute(&mut *tx)
    .await?;
    let after = get(&mut *tx, m, id).await?;
    let change = Change::updated(Some(m), EntityType::AnnualReport, id, before.snapshot_text(), after.snapshot_text());
    audit_log::record(tx, actor, change).await?;
    Ok(after)
}

/// Who publishes a report, as the report names them.
pub struct Publisher<'a> {
    pub name: &'a str,
    pub role: &'a str,
}

/// Freezes the figures: from now on the report shows these, whatever happens to the data.
/// Only a draft is published, once, however many ask at the same moment.
pub async fn publish(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    id: Uuid,
    figures: &Figures,
    by: &Publisher<'_>,
) -> AppResult<Report> {
    let before = get(&mut *tx, m, id).await?;
    let published = sqlx::query!(
        "UPDATE annual_reports SET status = 'publicerad', snapshot = $3, published_at = now(), published_by = $4,
                published_by_role = $5, updated_at = now()
          WHERE municipality_id = $1 AND id = $2 AND status = 'utkast'",
        m.uuid(),
        id,
        Json(figures) as _,
        by.name,
        by.role
    )
    .execute(&mut *tx)
    .await?;
    if published.rows_affected() == 0 {
        return Err(AppError::Conflict("Rapporten är redan publicerad.".into()));
    }
    let after = get(&mut *tx, m, id).await?;
    let change = Change::updated(Some(m), EntityType::AnnualReport, id, before.snapshot_text(), after.snapshot_text());
    audit_log::record(tx, actor, change).await?;
    Ok(after)
}

/// The board's decisions as separate items: paragraphs, or numbered lines, without their numbers.
pub fn decision_items(decisions: &str) -> Vec<String> {
    decisions
        .split('\n')
        .map(str::trim)
        .collect::<Vec<_>>()
        .split(|line| line.is_empty())
        .flat_map(|paragraph| {
            let numbered = paragraph.iter().filter(|l| starts_with_number(l)).count();
            if numbered > 1 { paragraph.iter().map(|l| l.to_string()).collect() } else { vec![paragraph.join(" ")] }
        })
        .map(|item| strip_number(&item).to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

fn starts_with_number(line: &str) -> bool {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && matches!(line[digits..].chars().next(), Some('.' | ')'))
}

fn strip_number(item: &str) -> &str {
    if starts_with_number(item) {
        let digits = item.chars().take_while(char::is_ascii_digit).count();
        item[digits + 1..].trim()
    } else {
        item.trim()
    }
}

/// Proposes one action per decision, once per report; returns how many.
pub async fn propose_actions(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<usize> {
    let report = get(&mut *tx, m, id).await?;
    let items = decision_items(&report.decisions);
    if report.is_published() && items.is_empty() {
        return Err(crate::error::field_error("decisions", "Registrera styrelsens beslut först."));
    }
    // Claimed before anything is created: of several asking at once, one gets the row.
    let claimed = sqlx::query!(
        "UPDATE annual_reports SET actions_proposed_at = now()
          WHERE municipality_id = $1 AND id = $2 AND status = 'publicerad' AND actions_proposed_at IS NULL",
        m.uuid(),
        id
    )
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Err(AppError::Conflict(
            "Besluten är redan förda till handlingsplanen, eller rapporten är inte publicerad.".into(),
        ));
    }
    let description = format!(
        "Beslut i ledningens genomgång {}{}.",
        report.year,
        if report.decision_reference.is_empty() { String::new() } else { format!(", {}", report.decision_reference) }
    );
    for item in &items {
        let title: String = item.chars().take(200).collect();
        let input = crate::actions::model::ActionInput {
            title,
            description: description.clone(),
            owner_person_id: None,
            due_date: None,
            priority: None,
            effort: String::new(),
        };
        crate::actions::store::create(
            &mut *tx,
            actor,
            m,
            &Default::default(),
            crate::actions::model::Status::Foreslagen,
            &input,
        )
        .await?;
    }
    Ok(items.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reports_figures_are_as_of_a_day_in_its_year() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(as_of_outside_year(2023, day(2023, 12, 31)), None);
        assert_eq!(as_of_outside_year(2023, day(2023, 1, 1)), None);
        assert!(as_of_outside_year(2023, day(2026, 12, 7)).unwrap().contains("under 2023"));
        assert!(as_of_outside_year(2023, day(2022, 12, 31)).is_some());
    }

    #[test]
    fn decisions_are_split_into_paragraphs_or_numbered_lines() {
        let text = "1. Varje nämnd utser systemägare.\n2. Riskanalyser görs\n\nKommunstyrelsen följer upp\narbetet i juni.\n\n";
        assert_eq!(
            decision_items(text),
            vec!["Varje nämnd utser systemägare.", "Riskanalyser görs", "Kommunstyrelsen följer upp arbetet i juni."]
        );
        assert_eq!(decision_items("3) Utbilda förtroendevalda."), vec!["Utbilda förtroendevalda."]);
        assert!(decision_items("  \n ").is_empty());
    }
}
