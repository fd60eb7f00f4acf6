//! Internal control as plain rules: the control point and result forms, the periods a
//! frequency makes of a year, the traffic light, and the starter list.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldErrors;
use crate::web::form::{optional_date, optional_id, required_code};

crate::codes! {
    pub enum Method {
        Sample = "stickprov" => "Stickprov",
        Register = "registerkontroll" => "Registerkontroll",
        SystemReport = "systemrapport" => "Systemrapport",
        Interview = "intervju" => "Intervju",
    }
}

crate::codes! {
    pub enum Frequency {
        Monthly = "manad" => "Varje månad",
        Tertial = "tertial" => "Varje tertial",
        HalfYear = "halvar" => "Varje halvår",
        Yearly = "ar" => "En gång om året",
    }
}

crate::codes! {
    /// When the body hears of the result.
    pub enum ReportedAt {
        Interim = "delar" => "Delårsrapport",
        Annual = "helar" => "Helårsrapport",
    }
}

crate::codes! {
    pub enum Outcome {
        NoRemarks = "utan_anmarkning" => "Utan anmärkning",
        Deviation = "avvikelse" => "Avvikelse",
    }
}

crate::codes! {
    /// The traffic light a body's board sees per control point.
    pub enum Light {
        Green = "gron" => "Genomförd utan avvikelse",
        Yellow = "gul" => "Avvikelse, åtgärd finns",
        Red = "rod" => "Inte genomförd i tid",
        Planned = "planerad" => "Inte dags än",
    }
}

impl Light {
    /// The CSS class of the board's lights (`light-good` …); none for what is not due yet.
    pub fn state(self) -> &'static str {
        match self {
            Light::Green => "good",
            Light::Yellow => "attention",
            Light::Red => "bad",
            Light::Planned => "none",
        }
    }
}

impl Frequency {
    fn months(self) -> u32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Tertial => 4,
            Frequency::HalfYear => 6,
            Frequency::Yearly => 12,
        }
    }
}

/// The periods a frequency makes of a year, each (first day, last day).
pub fn periods(year: i32, frequency: Frequency) -> Vec<(NaiveDate, NaiveDate)> {
    let step = frequency.months();
    (0..12 / step)
        .filter_map(|i| {
            let start = NaiveDate::from_ymd_opt(year, 1 + i * step, 1)?;
            let end = crate::web::format::months_after(start, step).pred_opt()?;
            Some((start, end))
        })
        .collect()
}

/// The last day of the first period that has ended or is running without a result: when the
/// next control is due. None when every period of the year has one.
pub fn next_due(year: i32, frequency: Frequency, performed: &[NaiveDate]) -> Option<NaiveDate> {
    periods(year, frequency)
        .into_iter()
        .find(|(start, end)| !performed.iter().any(|d| d >= start && d <= end))
        .map(|(_, end)| end)
}

/// Red: a period ended without a result; yellow: the latest result found a deviation (which
/// proposes an action); green: performed without deviation; otherwise not due yet.
pub fn light(year: i32, frequency: Frequency, results: &[(NaiveDate, Outcome)], today: NaiveDate) -> Light {
    let performed: Vec<NaiveDate> = results.iter().map(|(d, _)| *d).collect();
    if next_due(year, frequency, &performed).is_some_and(|due| due < today) {
        return Light::Red;
    }
    match results.iter().max_by_key(|(d, _)| *d) {
        Some((_, Outcome::Deviation)) => Light::Yellow,
        Some((_, Outcome::NoRemarks)) => Light::Green,
        None => Light::Planned,
    }
}

/// A control point Lisa suggests, drawn from the audit reports and the catalogue; `code`
/// names the figures Lisa can show as evidence for it.
pub struct Starter {
    pub code: &'static str,
    pub area: &'static str,
    pub risk: &'static str,
    pub control: &'static str,
    pub method: Method,
    pub frequency: Frequency,
    pub reported_at: ReportedAt,
}

pub const STARTERS: [Starter; 6] = [
    Starter {
        code: "behorighet",
        area: "Behörigheter",
        risk: "Obehöriga har kvar åtkomst till känslig information när de bytt tjänst eller slutat.",
        control: "Behörighetsgranskning gjord enligt plan för nämndens system, utifrån systemgenererade listor.",
        method: Method::SystemReport,
        frequency: Frequency::HalfYear,
        reported_at: ReportedAt::Interim,
    },
    Starter {
        code: "klassning",
        area: "Informationsklassning",
        risk: "Skyddet av verksamhetskritisk information bygger på inaktuella klassningar.",
        control: "Klassningen är aktuell för nämndens verksamhetskritiska system.",
        method: Method::Register,
        frequency: Frequency::Yearly,
        reported_at: ReportedAt::Annual,
    },
    Starter {
        code: "incidentrutin",
        area: "Incidenthantering",
        risk: "Medarbetare känner inte till hur incidenter rapporteras, så de upptäcks sent eller inte alls.",
        control: "Incidentrutinen är känd: andel medarbetare som genomgått utbildningen.",
        method: Method::Interview,
        frequency: Frequency::Yearly,
        reported_at: ReportedAt::Annual,
    },
    Starter {
        code: "leverantor",
        area: "Leverantörer",
        risk: "Säkerhetskrav i avtal följs inte upp, så brister hos leverantören upptäcks inte.",
        control: "Efterlevnadskontroller gjorda för avtal som omfattar nämndens system.",
        method: Method::Sample,
        frequency: Frequency::Yearly,
        reported_at: ReportedAt::Annual,
    },
    Starter {
        code: "ovning",
        area: "Kontinuitet",
        risk: "Reservrutiner och återställning fungerar inte när ett kritiskt system faller bort.",
        control: "Kontinuitetsövningar gjorda inom intervallet för nämndens verksamhetskritiska system.",
        method: Method::Register,
        frequency: Frequency::Yearly,
        reported_at: ReportedAt::Annual,
    },
    Starter {
        code: "rekommendation",
        area: "Revisionens rekommendationer",
        risk: "Revisionens rekommendationer blir liggande utan svar eller åtgärd.",
        control: "Svar på revisionens rekommendationer lämnade senast sista svarsdag.",
        method: Method::Register,
        frequency: Frequency::HalfYear,
        reported_at: ReportedAt::Interim,
    },
];

pub fn starter(code: &str) -> Option<&'static Starter> {
    STARTERS.iter().find(|s| s.code == code)
}

/// A control point as a page or the API sends it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PointForm {
    #[serde(default)]
    pub body_id: String,
    #[serde(default, deserialize_with = "crate::web::form::text_or_number")]
    #[schema(value_type = i32)]
    pub year: String,
    #[serde(default)]
    pub area: String,
    /// The risk the control addresses, in words.
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub risk_id: String,
    #[serde(default)]
    pub recommendation_id: String,
    #[serde(default)]
    pub system_id: String,
    #[serde(default)]
    pub measure_id: String,
    /// The control point (kontrollmoment).
    #[serde(default)]
    pub control: String,
    /// stickprov, registerkontroll, systemrapport or intervju.
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub sample: String,
    /// manad, tertial, halvar or ar.
    #[serde(default)]
    pub frequency: String,
    #[serde(default)]
    pub responsible_person_id: String,
    /// delar or helar.
    #[serde(default)]
    pub reported_at: String,
    /// The version (ETag) the change was made from; If-Match does the same.
    #[serde(default)]
    pub version: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PointInput {
    pub body_id: Uuid,
    pub year: i16,
    pub area: String,
    pub risk: String,
    pub risk_id: Option<Uuid>,
    pub recommendation_id: Option<Uuid>,
    pub system_id: Option<Uuid>,
    pub measure_id: Option<Uuid>,
    pub control: String,
    pub method: Method,
    pub sample: String,
    pub frequency: Frequency,
    pub responsible_person_id: Option<Uuid>,
    pub reported_at: ReportedAt,
}

impl PointForm {
    pub fn validate(&self) -> Result<PointInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let body_id = optional_id(&mut errors, "body_id", &self.body_id, "Välj nämnd eller bolag.");
        if body_id.is_none() && !errors.contains_key("body_id") {
            errors.insert("body_id".into(), "Välj nämnd eller bolag.".into());
        }
        let year = crate::web::form::number_in(&mut errors, "year", &self.year, 2000, 2100, 0);
        if self.year.trim().is_empty() {
            errors.insert("year".into(), "Ange året planen gäller.".into());
        }
        let control = self.control.trim().to_string();
        if control.is_empty() {
            errors.insert("control".into(), "Beskriv kontrollmomentet.".into());
        }
        let method = required_code(&mut errors, "method", &self.method, Method::parse, "Välj metod.");
        let frequency = required_code(&mut errors, "frequency", &self.frequency, Frequency::parse, "Välj hur ofta.");
        let reported_at = required_code(
            &mut errors,
            "reported_at",
            &self.reported_at,
            ReportedAt::parse,
            "Välj när nämnden får resultatet.",
        );
        let link =
            |errors: &mut FieldErrors, field: &str, value: &str| optional_id(errors, field, value, "Välj i listan.");
        let risk_id = link(&mut errors, "risk_id", &self.risk_id);
        let recommendation_id = link(&mut errors, "recommendation_id", &self.recommendation_id);
        let system_id = link(&mut errors, "system_id", &self.system_id);
        let measure_id = link(&mut errors, "measure_id", &self.measure_id);
        let responsible_person_id =
            optional_id(&mut errors, "responsible_person_id", &self.responsible_person_id, "Välj en person i listan.");
        match (body_id, method, frequency, reported_at) {
            (Some(body_id), Some(method), Some(frequency), Some(reported_at)) if errors.is_empty() => Ok(PointInput {
                body_id,
                year: year as i16,
                area: self.area.trim().to_string(),
                risk: self.risk.trim().to_string(),
                risk_id,
                recommendation_id,
                system_id,
                measure_id,
                control,
                method,
                sample: self.sample.trim().to_string(),
                frequency,
                responsible_person_id,
                reported_at,
            }),
            _ => Err(errors),
        }
    }
}

/// A performed control as a page or the API sends it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ResultForm {
    /// YYYY-MM-DD.
    #[serde(default)]
    pub performed_on: String,
    /// utan_anmarkning or avvikelse.
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResultInput {
    pub performed_on: NaiveDate,
    pub outcome: Outcome,
    pub comment: String,
}

impl ResultForm {
    /// A result belongs to its plan's year and cannot lie ahead.
    pub fn validate(&self, year: i16, today: NaiveDate) -> Result<ResultInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let performed_on = optional_date(&mut errors, "performed_on", &self.performed_on);
        match performed_on {
            None if !errors.contains_key("performed_on") => {
                errors.insert("performed_on".into(), "Ange när kontrollen gjordes.".into());
            }
            Some(day) if day > today => {
                errors.insert("performed_on".into(), "Registrera kontrollen när den är gjord.".into());
            }
            Some(day) if day.year() != i32::from(year) => {
                errors.insert("performed_on".into(), format!("Kontrollen hör till planen för {year}."));
            }
            _ => {}
        }
        let outcome = required_code(&mut errors, "outcome", &self.outcome, Outcome::parse, "Välj resultat.");
        let comment = self.comment.trim().to_string();
        if outcome == Some(Outcome::Deviation) && comment.is_empty() {
            errors.insert("comment".into(), "Beskriv avvikelsen.".into());
        }
        match (performed_on, outcome) {
            (Some(performed_on), Some(outcome)) if errors.is_empty() => {
                Ok(ResultInput { performed_on, outcome, comment })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_frequency_makes_periods_of_the_year() {
        assert_eq!(
            periods(2026, Frequency::Tertial),
            [
                (day("2026-01-01"), day("2026-04-30")),
                (day("2026-05-01"), day("2026-08-31")),
                (day("2026-09-01"), day("2026-12-31"))
            ]
        );
        assert_eq!(periods(2026, Frequency::Monthly).len(), 12);
        assert_eq!(periods(2026, Frequency::Yearly), [(day("2026-01-01"), day("2026-12-31"))]);
        assert_eq!(next_due(2026, Frequency::HalfYear, &[day("2026-03-01")]), Some(day("2026-12-31")));
        assert_eq!(next_due(2026, Frequency::HalfYear, &[]), Some(day("2026-06-30")));
        assert_eq!(next_due(2026, Frequency::Yearly, &[day("2026-11-01")]), None);
    }

    #[test]
    fn the_light_is_red_when_a_period_passed_without_control() {
        let today = day("2026-12-07");
        use Outcome::*;
        assert_eq!(light(2026, Frequency::HalfYear, &[], today), Light::Red);
        assert_eq!(light(2026, Frequency::HalfYear, &[(day("2026-05-02"), NoRemarks)], today), Light::Green);
        assert_eq!(light(2026, Frequency::Yearly, &[], today), Light::Planned);
        assert_eq!(light(2026, Frequency::Yearly, &[(day("2026-10-01"), Deviation)], today), Light::Yellow);
        assert_eq!(
            light(2026, Frequency::Tertial, &[(day("2026-02-01"), NoRemarks), (day("2026-10-01"), NoRemarks)], today),
            Light::Red,
            "May–August had no control"
        );
        assert_eq!(light(2027, Frequency::Monthly, &[], today), Light::Planned);
    }

    #[test]
    fn forms_are_checked_with_swedish_messages() {
        let point = PointForm {
            body_id: Uuid::nil().to_string(),
            year: "2026".into(),
            method: "stickprov".into(),
            ..Default::default()
        };
        let errors = point.validate().unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["control", "frequency", "reported_at"]);
        let ok = PointForm {
            control: " Stickprov på tio konton ".into(),
            frequency: "tertial".into(),
            reported_at: "delar".into(),
            ..point
        }
        .validate()
        .unwrap();
        assert_eq!((ok.control.as_str(), ok.year, ok.frequency), ("Stickprov på tio konton", 2026, Frequency::Tertial));

        let today = day("2026-12-07");
        let deviation =
            ResultForm { performed_on: "2026-11-30".into(), outcome: "avvikelse".into(), comment: String::new() };
        assert!(deviation.validate(2026, today).unwrap_err().contains_key("comment"));
        let last_year =
            ResultForm { performed_on: "2025-11-30".into(), comment: "Tre konton för slutade".into(), ..deviation };
        assert_eq!(
            last_year.validate(2026, today).unwrap_err()["performed_on"],
            "Kontrollen hör till planen för 2026."
        );
        assert!(STARTERS.iter().all(|s| starter(s.code).is_some()));
    }
}
