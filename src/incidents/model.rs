//! Incidents: forms, categories and numbering, as pure rules.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldErrors;
use crate::web::form::{code_or, optional_code};

crate::codes! {
    /// What kind of incident it was (for the annual report's counts).
    pub enum Category {
        UnauthorisedAccess = "obehorig_atkomst" => "Obehörig åtkomst",
        Malware = "skadlig_kod" => "Skadlig kod",
        Phishing = "phishing" => "Nätfiske (phishing)",
        Misdirected = "felsand_information" => "Felsänd information",
        Outage = "driftavbrott" => "Driftavbrott",
        LostEquipment = "forlust_av_utrustning" => "Förlust av utrustning",
        Supplier = "leverantorsincident" => "Leverantörsincident",
        Other = "annat" => "Annat",
    }
}

crate::codes! {
    /// How serious the incident was.
    pub enum Severity {
        Low = "lag" => "Låg",
        Medium = "medel" => "Medel",
        High = "hog" => "Hög",
        Severe = "allvarlig" => "Allvarlig",
    }
}

crate::codes! {
    /// Where an incident's handling stands.
    pub enum Status {
        Ny = "ny" => "Ny",
        Utreds = "utreds" => "Utreds",
        Atgardad = "atgardad" => "Åtgärdad",
        Stangd = "stangd" => "Stängd",
    }
}

impl Status {
    /// Still being handled: not closed.
    pub const OPEN: [Status; 3] = [Status::Ny, Status::Utreds, Status::Atgardad];
}

/// The label of a code the handler has not set yet: "Ej bedömd".
pub fn label_or_unassessed(label: Option<&'static str>) -> &'static str {
    label.unwrap_or("Ej bedömd")
}

/// INC-2026-0042: what people say when they talk about an incident.
pub fn reference(year: i32, number: i32) -> String {
    format!("INC-{year}-{number:04}")
}

/// A time typed in a form ("2026-05-04T09:30" from a datetime field, or "2026-05-04 09:30"),
/// read as Stockholm time.
pub fn parse_local(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let naive = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())?;
    Stockholm.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc))
}

/// The value for a datetime-local field, in Stockholm time.
pub fn local_input(at: DateTime<Utc>) -> String {
    at.with_timezone(&Stockholm).format("%Y-%m-%dT%H:%M").to_string()
}

pub fn required_time(errors: &mut FieldErrors, field: &str, value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match parse_local(value) {
        Some(at) if at <= now + chrono::Duration::minutes(5) => Some(at),
        Some(_) => {
            errors.insert(field.into(), "Tidpunkten kan inte ligga i framtiden.".into());
            None
        }
        None => {
            errors.insert(field.into(), "Ange datum och klockslag, t.ex. 2026-05-04 09:30.".into());
            None
        }
    }
}

/// What anyone fills in to report an incident: short, plain, no blame.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReportForm {
    /// What happened, in a few words.
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// When it was discovered, Stockholm time ("2026-05-04T09:30").
    #[serde(default)]
    pub discovered_at: String,
    /// Systems affected, if known.
    #[serde(default)]
    pub system_ids: Vec<String>,
    /// Which information, if known.
    #[serde(default)]
    pub information: String,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub personal_data: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub ongoing: bool,
}

#[derive(Debug)]
pub struct ReportInput {
    pub title: String,
    pub description: String,
    pub discovered_at: DateTime<Utc>,
    pub system_ids: Vec<Uuid>,
    pub information: String,
    pub personal_data: bool,
    pub ongoing: bool,
}

impl ReportForm {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ReportInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = self.title.trim().to_string();
        if title.is_empty() {
            errors.insert("title".into(), "Skriv med några ord vad som hände.".into());
        }
        let discovered_at = required_time(&mut errors, "discovered_at", &self.discovered_at, now);
        let system_ids: Vec<Uuid> = self.system_ids.iter().filter_map(|id| Uuid::parse_str(id.trim()).ok()).collect();
        if system_ids.len() != self.system_ids.iter().filter(|id| !id.trim().is_empty()).count() {
            errors.insert("system_ids".into(), "Välj system i listan.".into());
        }
        match discovered_at {
            Some(discovered_at) if errors.is_empty() => Ok(ReportInput {
                title,
                description: self.description.trim().to_string(),
                discovered_at,
                system_ids,
                information: self.information.trim().to_string(),
                personal_data: self.personal_data,
                ongoing: self.ongoing,
            }),
            _ => Err(errors),
        }
    }
}

/// What the receiver and the coordinator record while handling.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct HandlingForm {
    /// ny, utreds, atgardad or stangd.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub category: String,
    /// lag, medel, hog or allvarlig.
    #[serde(default)]
    pub severity: String,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub impact_k: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub impact_r: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub impact_t: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub personal_data: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub significant: bool,
    /// When the municipality became aware that the incident is significant, Stockholm time:
    /// the CSIRT clocks run from it (from discovery when empty).
    #[serde(default)]
    pub significant_from: String,
    /// Why a personal-data breach need not be notified to IMY (unlikely to pose a risk).
    #[serde(default)]
    pub imy_exempt_reason: String,
    #[serde(default)]
    pub responsible_person_id: String,
    #[serde(default)]
    pub system_ids: Vec<String>,
    #[serde(default)]
    pub supplier_name: String,
    /// When it was escalated to the supplier, Stockholm time.
    #[serde(default)]
    pub escalated_at: String,
    #[serde(default)]
    pub supplier_reference: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub lessons: String,
    /// When the incident was handled (no longer ongoing), Stockholm time.
    #[serde(default)]
    pub handled_at: String,
    /// The version (ETag) the change was made from; a change made from an older one is
    /// refused. The If-Match header does the same.
    #[serde(default)]
    pub version: String,
}

#[derive(Debug)]
pub struct HandlingInput {
    pub status: Status,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub impact: [bool; 3],
    pub personal_data: bool,
    pub significant: bool,
    pub significant_from: Option<DateTime<Utc>>,
    pub imy_exempt_reason: String,
    pub responsible_person_id: Option<Uuid>,
    pub system_ids: Vec<Uuid>,
    pub supplier_name: String,
    pub escalated_at: Option<DateTime<Utc>>,
    pub supplier_reference: String,
    pub measures: String,
    pub cause: String,
    pub lessons: String,
    pub handled_at: Option<DateTime<Utc>>,
}

impl HandlingForm {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<HandlingInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let status =
            code_or(&mut errors, "status", &self.status, Status::parse, Status::Ny, "Välj en status i listan.");
        // An empty category or severity is "not assessed yet".
        let category =
            optional_code(&mut errors, "category", &self.category, Category::parse, "Välj en kategori i listan.");
        let severity = optional_code(
            &mut errors,
            "severity",
            &self.severity,
            Severity::parse,
            "Välj en allvarlighetsgrad i listan.",
        );
        let optional_time = |errors: &mut FieldErrors, field: &str, value: &str| {
            if value.trim().is_empty() { None } else { required_time(errors, field, value, now) }
        };
        let escalated_at = optional_time(&mut errors, "escalated_at", &self.escalated_at);
        let significant_from = optional_time(&mut errors, "significant_from", &self.significant_from);
        let handled_at = optional_time(&mut errors, "handled_at", &self.handled_at);
        if status == Status::Stangd && category.is_none() {
            errors
                .insert("category".into(), "Ange kategori innan incidenten stängs: den behövs i årsrapporten.".into());
        }
        if status == Status::Stangd && self.lessons.trim().is_empty() {
            errors.insert("lessons".into(), "Skriv vad ni lärde er innan incidenten stängs.".into());
        }
        let responsible_person_id = crate::web::form::optional_id(
            &mut errors,
            "responsible_person_id",
            &self.responsible_person_id,
            "Välj en person i listan.",
        );
        let system_ids: Vec<Uuid> = self.system_ids.iter().filter_map(|id| Uuid::parse_str(id.trim()).ok()).collect();
        if errors.is_empty() {
            Ok(HandlingInput {
                status,
                category,
                severity,
                impact: [self.impact_k, self.impact_r, self.impact_t],
                personal_data: self.personal_data,
                significant: self.significant,
                significant_from,
                imy_exempt_reason: self.imy_exempt_reason.trim().to_string(),
                responsible_person_id,
                system_ids,
                supplier_name: self.supplier_name.trim().to_string(),
                escalated_at,
                supplier_reference: self.supplier_reference.trim().to_string(),
                measures: self.measures.trim().to_string(),
                cause: self.cause.trim().to_string(),
                lessons: self.lessons.trim().to_string(),
                handled_at,
            })
        } else {
            Err(errors)
        }
    }
}

/// A report made to an authority.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SentReportForm {
    /// imy, csirt, incidentanmalan, lagesrapport or slutrapport.
    #[serde(default)]
    pub kind: String,
    /// When it was sent, Stockholm time.
    #[serde(default)]
    pub sent_at: String,
    /// The authority's reference, if any.
    #[serde(default)]
    pub reference: String,
    /// Why it was late (required when it was).
    #[serde(default)]
    pub late_reason: String,
    /// The text as sent (written with "Skriv anmälan").
    #[serde(default)]
    pub text: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct EventForm {
    /// When it happened, Stockholm time.
    #[serde(default)]
    pub occurred_at: String,
    #[serde(default)]
    pub text: String,
}

impl EventForm {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(DateTime<Utc>, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let at = required_time(&mut errors, "occurred_at", &self.occurred_at, now);
        if self.text.trim().is_empty() {
            errors.insert("text".into(), "Skriv vad som hände eller gjordes.".into());
        }
        match at {
            Some(at) if errors.is_empty() => Ok((at, self.text.trim().to_string())),
            _ => Err(errors),
        }
    }
}

impl SentReportForm {
    /// Checks the form; `late` says whether a report of this kind sent then would be late.
    pub fn validate(
        &self,
        now: DateTime<Utc>,
        late: impl Fn(super::clocks::ReportKind, DateTime<Utc>) -> bool,
    ) -> Result<(super::clocks::ReportKind, DateTime<Utc>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = super::clocks::ReportKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.insert("kind".into(), "Välj vilken rapport som skickades.".into());
        }
        let sent_at = required_time(&mut errors, "sent_at", &self.sent_at, now);
        if let (Some(kind), Some(at)) = (kind, sent_at)
            && late(kind, at)
            && self.late_reason.trim().is_empty()
        {
            errors.insert(
                "late_reason".into(),
                "Rapporten skickades efter tidsfristen: ange skälen till förseningen.".into(),
            );
        }
        match (kind, sent_at) {
            (Some(kind), Some(at)) if errors.is_empty() => Ok((kind, at)),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_padded_and_times_read_as_stockholm() {
        assert_eq!(reference(2026, 42), "INC-2026-0042");
        let winter = parse_local("2026-01-15T09:30").unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-01-15T08:30:00+00:00");
        let summer = parse_local("2026-07-15 09:30").unwrap();
        assert_eq!(summer.to_rfc3339(), "2026-07-15T07:30:00+00:00");
        assert_eq!(local_input(summer), "2026-07-15T09:30");
        assert!(parse_local("igår").is_none());
    }

    #[test]
    fn a_report_needs_what_and_when_and_not_in_the_future() {
        let now = parse_local("2026-05-04T12:00").unwrap();
        let errors =
            ReportForm { discovered_at: "2026-05-05T12:00".into(), ..Default::default() }.validate(now).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["discovered_at", "title"]);
        let ok = ReportForm {
            title: "Mejl till fel mottagare".into(),
            discovered_at: "2026-05-04T11:00".into(),
            personal_data: true,
            ..Default::default()
        }
        .validate(now)
        .unwrap();
        assert!(ok.personal_data && ok.system_ids.is_empty());
    }

    #[test]
    fn closing_needs_a_category_and_lessons_learned() {
        let now = Utc::now();
        let errors = HandlingForm { status: "stangd".into(), ..Default::default() }.validate(now).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["category", "lessons"]);
        assert!(HandlingForm { severity: "extrem".into(), ..Default::default() }.validate(now).is_err());
    }

    #[test]
    fn a_late_report_needs_reasons() {
        let now = parse_local("2026-05-10T12:00").unwrap();
        let form = SentReportForm { kind: "imy".into(), sent_at: "2026-05-09T12:00".into(), ..Default::default() };
        assert!(form.validate(now, |_, _| true).unwrap_err().contains_key("late_reason"));
        assert!(form.validate(now, |_, _| false).is_ok());
        let explained =
            SentReportForm { late_reason: "Incidenten upptäcktes av leverantören först.".into(), ..form };
        assert!(explained.validate(now, |_, _| true).is_ok());
    }
}
