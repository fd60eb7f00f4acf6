//! The reports to the authorities as text, in each authority's order, from what the incident
//! holds: IMY (GDPR art. 33) and the CSIRT at MCF (cybersäkerhetslagen 2025:1506, förordning
//! 2025:1507 § 6, NIS2 art. 23(4)). Pure functions: what is missing is listed, and the text
//! still comes out with "[uppgift saknas]" where time is short. Everything sent becomes a
//! public document, so each text holds only what the authority asks and ends with the
//! secrecy claim.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::clocks::ReportKind;
use super::store::Incident;

crate::codes! {
    pub enum Answer {
        Yes = "ja" => "Ja",
        No = "nej" => "Nej",
        Unknown = "okant" => "Inte känt ännu",
    }
}

crate::codes! {
    pub enum Informed {
        Yes = "ja" => "Ja",
        No = "nej" => "Nej",
        Later = "senare" => "Kommer att informeras",
    }
}

crate::codes! {
    /// Kinds of personal data, as IMY asks for them.
    pub enum DataKind {
        Contact = "namn_kontakt" => "Namn och kontaktuppgifter",
        PersonalNumber = "personnummer" => "Personnummer",
        Financial = "ekonomi" => "Ekonomiska uppgifter",
        Credentials = "inloggning" => "Inloggningsuppgifter",
        Children = "barn" => "Uppgifter om barn",
        Health = "halsa" => "Uppgifter om hälsa (känsliga, art. 9)",
        OtherSensitive = "annan_kanslig" => "Andra känsliga uppgifter (art. 9: etniskt ursprung, politiska åsikter, religion, fackmedlemskap, sexualliv, genetik, biometri)",
        Offences = "lagovertradelser" => "Uppgifter om lagöverträdelser (art. 10)",
        Secret = "osl" => "Uppgifter som omfattas av sekretess enligt offentlighets- och sekretesslagen",
    }
}

/// What the texts need that the incident's handling does not hold; only its handlers see it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoticeFacts {
    pub suspected_malicious: Option<Answer>,
    pub cross_border: Option<Answer>,
    /// The description for the authorities; the reporter's own when empty.
    pub description: String,
    pub detection: String,
    pub indicators: String,
    /// When it happened, as far as known.
    pub occurred_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub subjects_count: Option<i32>,
    pub records_count: Option<i32>,
    pub subject_categories: String,
    pub data_kinds: Vec<DataKind>,
    pub consequences: String,
    pub subjects_informed: Option<Informed>,
    pub subjects_informed_on: Option<NaiveDate>,
    pub subjects_not_informed_reason: String,
    pub delay_reason: String,
    pub economic_damage: String,
    pub recurrence_measures: String,
    /// Management sign-off: name and role.
    pub signed_off_by: String,
    /// The contact person for the report: name, telephone, e-mail.
    pub contact: String,
    /// The claim of secrecy the text ends with; empty: none is claimed.
    pub secrecy_claim: String,
}

/// The reporting organisation.
pub struct Organisation<'a> {
    pub name: &'a str,
    pub org_number: &'a str,
    pub postal_address: &'a str,
}

/// An affected system as the texts name it.
pub struct SystemLine {
    pub name: String,
    /// "K3 R3 T3 S2", empty when not classified.
    pub levels: String,
    pub suppliers: String,
}

crate::codes! {
    /// A field an authority asks for, and where in Lisa it is filled in.
    pub enum Field {
        PostalAddress = "postadress" => "Kommunens postadress",
        Contact = "kontaktperson" => "Kontaktperson för anmälan",
        Description = "beskrivning" => "Beskrivning av incidenten",
        Category = "kategori" => "Typ av incident",
        Severity = "allvarlighet" => "Bedömd allvarlighet",
        SignificantFrom = "betydande_fran" => "När incidenten bedömdes som betydande",
        SuspectedMalicious = "olaglig_handling" => "Misstanke om olaglig eller illvillig handling",
        CrossBorder = "gransoverskridande" => "Gränsöverskridande påverkan",
        Detection = "upptackt" => "Hur incidenten upptäcktes",
        Indicators = "indikatorer" => "Indikatorer på intrång",
        Consequences = "konsekvenser" => "Påverkan och sannolika konsekvenser",
        Measures = "atgarder" => "Vidtagna och planerade åtgärder",
        SubjectCategories = "kategorier_registrerade" => "Kategorier av registrerade",
        SubjectsCount = "antal_registrerade" => "Ungefärligt antal registrerade",
        RecordsCount = "antal_poster" => "Ungefärligt antal personuppgiftsposter",
        DataKinds = "personuppgifter" => "Slag av personuppgifter",
        SubjectsInformed = "information_registrerade" => "Information till de registrerade",
        DelayReason = "skal_forsening" => "Skäl till att anmälan görs efter 72 timmar",
        Cause = "grundorsak" => "Typ av hot eller grundorsak",
        EconomicDamage = "ekonomisk_skada" => "Ekonomisk skada",
        RecurrenceMeasures = "atgarder_upprepning" => "Åtgärder mot upprepning",
        SignedOff = "ledningens_godkannande" => "Ledningens godkännande",
    }
}

impl Field {
    /// The form that holds the field: the incident's handling or the report facts.
    pub fn on_handling_form(self) -> bool {
        matches!(self, Field::Category | Field::Severity | Field::SignificantFrom | Field::Measures | Field::Cause)
    }

    /// The form field's name.
    pub fn input(self) -> &'static str {
        match self {
            Field::PostalAddress => "postal_address",
            Field::Contact => "contact",
            Field::Description => "description",
            Field::Category => "category",
            Field::Severity => "severity",
            Field::SignificantFrom => "significant_from",
            Field::SuspectedMalicious => "suspected_malicious",
            Field::CrossBorder => "cross_border",
            Field::Detection => "detection",
            Field::Indicators => "indicators",
            Field::Consequences => "consequences",
            Field::Measures => "measures",
            Field::SubjectCategories => "subject_categories",
            Field::SubjectsCount => "subjects_count",
            Field::RecordsCount => "records_count",
            Field::DataKinds => "data_kinds",
            Field::SubjectsInformed => "subjects_informed",
            Field::DelayReason => "delay_reason",
            Field::Cause => "cause",
            Field::EconomicDamage => "economic_damage",
            Field::RecurrenceMeasures => "recurrence_measures",
            Field::SignedOff => "signed_off_by",
        }
    }
}

/// Everything a text is made from.
pub struct Draft<'a> {
    pub kind: ReportKind,
    pub organisation: Organisation<'a>,
    pub incident: &'a Incident,
    pub facts: &'a NoticeFacts,
    pub systems: &'a [SystemLine],
    /// When the text is made (for the IMY delay rule).
    pub now: DateTime<Utc>,
}

/// A text and what it lacks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Notice {
    pub text: String,
    /// Field codes, in the order the text asks for them.
    pub missing: Vec<Field>,
}

const MISSING: &str = "[uppgift saknas]";

struct Writer {
    text: String,
    missing: Vec<Field>,
}

impl Writer {
    fn heading(&mut self, heading: &str) {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(heading);
        self.text.push('\n');
    }

    fn line(&mut self, label: &str, value: impl AsRef<str>) {
        self.text.push_str(&format!("{label}: {}\n", value.as_ref()));
    }

    /// A line the authority asks for: its value, or the missing marker and the field listed.
    fn asked(&mut self, label: &str, value: Option<String>, field: Field) {
        match value.filter(|v| !v.trim().is_empty()) {
            Some(v) => self.line(label, v.trim()),
            None => {
                if !self.missing.contains(&field) {
                    self.missing.push(field);
                }
                self.line(label, MISSING);
            }
        }
    }
}

fn text(value: &str) -> Option<String> {
    Some(value.to_string()).filter(|v| !v.trim().is_empty())
}

fn time(at: DateTime<Utc>) -> String {
    crate::web::format::datetime(at)
}

fn kinds_of_data(kinds: &[DataKind]) -> Option<String> {
    (!kinds.is_empty()).then(|| kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join("; "))
}

fn organisation(w: &mut Writer, d: &Draft) {
    w.line("Organisation", d.organisation.name);
    w.line("Organisationsnummer", d.organisation.org_number);
    w.asked("Postadress", text(d.organisation.postal_address), Field::PostalAddress);
    w.line("Egen referens", d.incident.reference());
    w.asked("Kontaktperson", text(&d.facts.contact), Field::Contact);
}

fn systems(w: &mut Writer, d: &Draft) {
    if d.systems.is_empty() {
        w.line("Berörda system", "Inga angivna");
        return;
    }
    w.text.push_str("Berörda system:\n");
    for s in d.systems {
        let mut line = format!("- {}", s.name);
        if !s.levels.is_empty() {
            line.push_str(&format!(" (skyddsnivå {})", s.levels));
        }
        if !s.suppliers.is_empty() {
            line.push_str(&format!(", leverantör: {}", s.suppliers));
        }
        w.text.push_str(&line);
        w.text.push('\n');
    }
}

/// The handler's description for the authorities, else the reporter's.
fn description(d: &Draft) -> Option<String> {
    text(&d.facts.description).or_else(|| text(&d.incident.description))
}

fn answer(a: Option<Answer>) -> Option<String> {
    a.map(|a| a.label().to_string())
}

fn secrecy(w: &mut Writer, d: &Draft) {
    w.heading("Sekretess");
    w.text.push_str(match d.facts.secrecy_claim.trim() {
        "" => "Kommunen begär inte sekretess för uppgifterna i denna anmälan.\n",
        _ => "",
    });
    if !d.facts.secrecy_claim.trim().is_empty() {
        w.text.push_str(d.facts.secrecy_claim.trim());
        w.text.push('\n');
    }
}

fn csirt_core(w: &mut Writer, d: &Draft) {
    let i = d.incident;
    w.heading("Incident");
    w.line("Rubrik", &i.title);
    w.line("Upptäckt", time(i.discovered_at));
    w.asked("Bedömd som betydande", i.significant_from.map(time), Field::SignificantFrom);
    w.line("Pågår", if i.handled_at.is_none() && i.ongoing { "Ja" } else { "Nej" });
    w.asked(
        "Misstänks olaglig eller illvillig handling",
        answer(d.facts.suspected_malicious),
        Field::SuspectedMalicious,
    );
    w.asked("Kan ha gränsöverskridande påverkan", answer(d.facts.cross_border), Field::CrossBorder);
    w.asked("Beskrivning", description(d), Field::Description);
    systems(w, d);
}

/// Composes the text for one kind of report.
pub fn compose(d: &Draft) -> Notice {
    let mut w = Writer { text: String::new(), missing: Vec::new() };
    let i = d.incident;
    match d.kind {
        ReportKind::Imy => {
            w.heading("Anmälan av personuppgiftsincident till Integritetsskyddsmyndigheten (artikel 33 dataskyddsförordningen)");
            w.heading("Personuppgiftsansvarig");
            organisation(&mut w, d);
            w.heading("Tidpunkter");
            w.line("Incidenten inträffade", d.facts.occurred_at.map(time).unwrap_or_else(|| "Inte känt".into()));
            w.line("Incidenten upptäcktes", time(i.discovered_at));
            w.line("Incidenten upphörde", d.facts.ended_at.map(time).unwrap_or_else(|| "Pågår".into()));
            w.heading("Incidenten");
            w.asked("Typ av incident", i.category.map(|c| c.label().to_string()), Field::Category);
            let impact = i.impact_text();
            if !impact.is_empty() {
                w.line("Påverkan", impact);
            }
            w.asked("Beskrivning", description(d), Field::Description);
            w.heading("Berörda registrerade och personuppgifter");
            w.asked("Kategorier av registrerade", text(&d.facts.subject_categories), Field::SubjectCategories);
            w.asked(
                "Ungefärligt antal registrerade",
                d.facts.subjects_count.map(|n| n.to_string()),
                Field::SubjectsCount,
            );
            w.asked(
                "Ungefärligt antal personuppgiftsposter",
                d.facts.records_count.map(|n| n.to_string()),
                Field::RecordsCount,
            );
            w.asked("Slag av personuppgifter", kinds_of_data(&d.facts.data_kinds), Field::DataKinds);
            w.heading("Konsekvenser och åtgärder");
            w.asked("Sannolika konsekvenser", text(&d.facts.consequences), Field::Consequences);
            w.asked("Bedömd allvarlighet", i.severity.map(|s| s.label().to_string()), Field::Severity);
            w.asked("Vidtagna och planerade åtgärder", text(&i.measures), Field::Measures);
            w.heading("Information till de registrerade");
            let informed = d.facts.subjects_informed.map(|a| match a {
                Informed::Yes => match d.facts.subjects_informed_on {
                    Some(on) => format!("Ja, {on}"),
                    None => "Ja".into(),
                },
                Informed::Later => "Kommer att informeras".into(),
                Informed::No => format!("Nej. Skäl: {}", d.facts.subjects_not_informed_reason.trim()),
            });
            w.asked("De registrerade har informerats", informed, Field::SubjectsInformed);
            if d.now > i.discovered_at + Duration::hours(72) {
                w.heading("Försenad anmälan");
                w.asked("Skäl till att anmälan görs efter 72 timmar", text(&d.facts.delay_reason), Field::DelayReason);
            }
        }
        ReportKind::Csirt => {
            w.heading("Tidig varning om betydande incident till CSIRT-enheten vid MCF (cybersäkerhetslagen 2025:1506)");
            w.heading("Verksamhetsutövare");
            organisation(&mut w, d);
            csirt_core(&mut w, d);
        }
        ReportKind::Incidentanmalan => {
            w.heading("Incidentanmälan till CSIRT-enheten vid MCF (uppdatering av den tidiga varningen)");
            w.heading("Verksamhetsutövare");
            organisation(&mut w, d);
            csirt_core(&mut w, d);
            w.heading("Inledande bedömning");
            w.asked("Allvarlighet", i.severity.map(|s| s.label().to_string()), Field::Severity);
            w.asked("Påverkan på verksamheten", text(&d.facts.consequences), Field::Consequences);
            w.asked("Hur och när incidenten upptäcktes", text(&d.facts.detection), Field::Detection);
            w.line(
                "Leverantör som incidenten kommer från",
                if i.supplier_name.is_empty() { "Ingen känd" } else { &i.supplier_name },
            );
            w.line(
                "Indikatorer på intrång",
                if d.facts.indicators.trim().is_empty() { "Inga kända ännu" } else { d.facts.indicators.trim() },
            );
            w.asked("Vidtagna åtgärder", text(&i.measures), Field::Measures);
        }
        ReportKind::Lagesrapport => {
            w.heading("Lägesrapport till CSIRT-enheten vid MCF (incidenten pågår)");
            w.heading("Verksamhetsutövare");
            organisation(&mut w, d);
            csirt_core(&mut w, d);
            w.heading("Läget");
            w.asked("Allvarlighet och påverkan", text(&d.facts.consequences), Field::Consequences);
            w.asked("Vidtagna och pågående åtgärder", text(&i.measures), Field::Measures);
        }
        ReportKind::Slutrapport => {
            w.heading("Slutrapport till CSIRT-enheten vid MCF");
            w.heading("Verksamhetsutövare");
            organisation(&mut w, d);
            csirt_core(&mut w, d);
            w.heading("Bedömning");
            w.asked("Allvarlighet", i.severity.map(|s| s.label().to_string()), Field::Severity);
            w.asked("Påverkan och konsekvenser", text(&d.facts.consequences), Field::Consequences);
            w.asked("Typ av hot eller grundorsak", text(&i.cause), Field::Cause);
            w.asked("Vidtagna och pågående åtgärder", text(&i.measures), Field::Measures);
            w.asked("Ekonomisk skada", text(&d.facts.economic_damage), Field::EconomicDamage);
            w.asked("Åtgärder mot upprepning", text(&d.facts.recurrence_measures), Field::RecurrenceMeasures);
            w.asked("Godkänd av ledningen", text(&d.facts.signed_off_by), Field::SignedOff);
        }
    }
    secrecy(&mut w, d);
    Notice { text: w.text, missing: w.missing }
}

/// The report facts as the handler's form or the API sends them.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NoticeFactsForm {
    /// The municipality's postal address (kept for the municipality).
    #[serde(default)]
    pub postal_address: String,
    #[serde(default)]
    pub contact: String,
    /// ja, nej or okant.
    #[serde(default)]
    pub suspected_malicious: String,
    /// ja, nej or okant.
    #[serde(default)]
    pub cross_border: String,
    /// The description for the authorities (the reporter's own when empty).
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub detection: String,
    #[serde(default)]
    pub indicators: String,
    /// When the incident happened, as far as known, Stockholm time.
    #[serde(default)]
    pub occurred_at: String,
    /// When the incident ended, Stockholm time.
    #[serde(default)]
    pub ended_at: String,
    #[serde(default, deserialize_with = "crate::web::form::text_or_number")]
    #[schema(value_type = Option<i32>)]
    pub subjects_count: String,
    #[serde(default, deserialize_with = "crate::web::form::text_or_number")]
    #[schema(value_type = Option<i32>)]
    pub records_count: String,
    #[serde(default)]
    pub subject_categories: String,
    /// Codes: namn_kontakt, personnummer, ekonomi, inloggning, barn, halsa, annan_kanslig, lagovertradelser, osl.
    #[serde(default)]
    pub data_kinds: Vec<String>,
    #[serde(default)]
    pub consequences: String,
    /// ja, nej or senare.
    #[serde(default)]
    pub subjects_informed: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub subjects_informed_on: String,
    #[serde(default)]
    pub subjects_not_informed_reason: String,
    #[serde(default)]
    pub delay_reason: String,
    #[serde(default)]
    pub economic_damage: String,
    #[serde(default)]
    pub recurrence_measures: String,
    #[serde(default)]
    pub signed_off_by: String,
    #[serde(default)]
    pub secrecy_claim: String,
}

impl NoticeFactsForm {
    pub fn of(facts: &NoticeFacts, postal_address: &str) -> NoticeFactsForm {
        let code = |a: Option<Answer>| a.map(Answer::code).unwrap_or_default().to_string();
        let number = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
        NoticeFactsForm {
            postal_address: postal_address.into(),
            contact: facts.contact.clone(),
            suspected_malicious: code(facts.suspected_malicious),
            cross_border: code(facts.cross_border),
            description: facts.description.clone(),
            detection: facts.detection.clone(),
            indicators: facts.indicators.clone(),
            occurred_at: facts.occurred_at.map(super::model::local_input).unwrap_or_default(),
            ended_at: facts.ended_at.map(super::model::local_input).unwrap_or_default(),
            subjects_count: number(facts.subjects_count),
            records_count: number(facts.records_count),
            subject_categories: facts.subject_categories.clone(),
            data_kinds: facts.data_kinds.iter().map(|k| k.code().to_string()).collect(),
            consequences: facts.consequences.clone(),
            subjects_informed: facts.subjects_informed.map(Informed::code).unwrap_or_default().into(),
            subjects_informed_on: facts.subjects_informed_on.map(crate::web::format::date).unwrap_or_default(),
            subjects_not_informed_reason: facts.subjects_not_informed_reason.clone(),
            delay_reason: facts.delay_reason.clone(),
            economic_damage: facts.economic_damage.clone(),
            recurrence_measures: facts.recurrence_measures.clone(),
            signed_off_by: facts.signed_off_by.clone(),
            secrecy_claim: facts.secrecy_claim.clone(),
        }
    }

    /// The facts and the postal address, or Swedish messages per field.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(NoticeFacts, String), crate::error::FieldErrors> {
        use crate::web::form::{optional_code, optional_date, optional_number};
        let mut errors = crate::error::FieldErrors::new();
        let answer = |errors: &mut crate::error::FieldErrors, field: &str, value: &str| {
            optional_code(errors, field, value, Answer::parse, "Välj ja, nej eller inte känt ännu.")
        };
        let suspected_malicious = answer(&mut errors, "suspected_malicious", &self.suspected_malicious);
        let cross_border = answer(&mut errors, "cross_border", &self.cross_border);
        let mut time = |field: &str, value: &str| match value.trim() {
            "" => None,
            value => super::model::required_time(&mut errors, field, value, now),
        };
        let occurred_at = time("occurred_at", &self.occurred_at);
        let ended_at = time("ended_at", &self.ended_at);
        let subjects_count = optional_number(&mut errors, "subjects_count", &self.subjects_count, 0, i32::MAX);
        let records_count = optional_number(&mut errors, "records_count", &self.records_count, 0, i32::MAX);
        let mut data_kinds = Vec::new();
        for code in self.data_kinds.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            match DataKind::parse(code) {
                Some(kind) if !data_kinds.contains(&kind) => data_kinds.push(kind),
                Some(_) => {}
                None => {
                    errors.insert("data_kinds".into(), "Välj bland slagen av personuppgifter.".into());
                }
            }
        }
        let subjects_informed = optional_code(
            &mut errors,
            "subjects_informed",
            &self.subjects_informed,
            Informed::parse,
            "Välj ja, nej eller kommer att informeras.",
        );
        let subjects_informed_on = optional_date(&mut errors, "subjects_informed_on", &self.subjects_informed_on);
        if subjects_informed == Some(Informed::No) && self.subjects_not_informed_reason.trim().is_empty() {
            errors.insert("subjects_not_informed_reason".into(), "Ange varför de registrerade inte informeras.".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let text = |s: &str| s.trim().to_string();
        Ok((
            NoticeFacts {
                suspected_malicious,
                cross_border,
                description: text(&self.description),
                detection: text(&self.detection),
                indicators: text(&self.indicators),
                occurred_at,
                ended_at,
                subjects_count,
                records_count,
                subject_categories: text(&self.subject_categories),
                data_kinds,
                consequences: text(&self.consequences),
                subjects_informed,
                subjects_informed_on,
                subjects_not_informed_reason: text(&self.subjects_not_informed_reason),
                delay_reason: text(&self.delay_reason),
                economic_damage: text(&self.economic_damage),
                recurrence_measures: text(&self.recurrence_measures),
                signed_off_by: text(&self.signed_off_by),
                contact: text(&self.contact),
                secrecy_claim: text(&self.secrecy_claim),
            },
            text(&self.postal_address),
        ))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Europe::Stockholm;
    use sqlx::types::Json;
    use uuid::Uuid;

    use super::*;
    use crate::incidents::model::{Category, Severity, Status};

    fn at(d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Stockholm.with_ymd_and_hms(2026, 11, d, h, min, 0).single().unwrap().with_timezone(&Utc)
    }

    /// An incident as its handlers hold it.
    fn incident(title: &str, description: &str, category: Category) -> Incident {
        Incident {
            id: Uuid::nil(),
            year: 2026,
            number: 42,
            title: title.into(),
            description: description.into(),
            discovered_at: at(2, 3, 10),
            reported_at: at(2, 3, 20),
            reporter_user_id: None,
            reporter_name: "Anna Nilsson".into(),
            information: String::new(),
            personal_data: true,
            ongoing: true,
            status: Status::Utreds,
            category: Some(category),
            severity: Some(Severity::Severe),
            impact_k: true,
            impact_r: false,
            impact_t: true,
            responsible_person_id: None,
            responsible_name: None,
            responsible_user_id: None,
            significant: true,
            significant_from: Some(at(2, 6, 0)),
            imy_exempt_reason: String::new(),
            supplier_name: String::new(),
            escalated_at: None,
            supplier_reference: String::new(),
            measures: String::new(),
            cause: String::new(),
            lessons: String::new(),
            handled_at: None,
            closed_at: None,
            systems: Json(Vec::new()),
            events: Json(Vec::new()),
            reports: Json(Vec::new()),
            reported_personal_data: None,
            reported_systems: None,
            updated_at: at(2, 3, 20),
        }
    }

    const ORGANISATION: Organisation =
        Organisation { name: "Exempelby kommun", org_number: "212000-0001", postal_address: "Box 1, 123 45 Exempelby" };

    fn ransomware() -> (Incident, NoticeFacts, [SystemLine; 1]) {
        let incident = Incident {
            measures: "Servrarna isolerade från nätet 06:30. Återläsning från säkerhetskopia pågår.".into(),
            ..incident(
                "Utpressningsvirus i omsorgens servrar",
                "Filer krypterade på två servrar; lösensumma begärd.",
                Category::Malware,
            )
        };
        let facts = NoticeFacts {
            suspected_malicious: Some(Answer::Yes),
            cross_border: Some(Answer::Unknown),
            contact: "Sara Lind, 0123-456 78, sara.lind@exempelby.se".into(),
            detection: "Larm från antivirus 03:10; jourhavande tekniker bekräftade krypterade filer.".into(),
            ..Default::default()
        };
        let systems = [SystemLine {
            name: "Omsorgsdokumentation".into(),
            levels: "K3 R3 T3 S3".into(),
            suppliers: "Omsorgsdata AB".into(),
        }];
        (incident, facts, systems)
    }

    const HEAD: &str = "Verksamhetsutövare
Organisation: Exempelby kommun
Organisationsnummer: 212000-0001
Postadress: Box 1, 123 45 Exempelby
Egen referens: INC-2026-0042
Kontaktperson: Sara Lind, 0123-456 78, sara.lind@exempelby.se

Incident
Rubrik: Utpressningsvirus i omsorgens servrar
Upptäckt: 2026-11-02 03:10
Bedömd som betydande: 2026-11-02 06:00
Pågår: Ja
Misstänks olaglig eller illvillig handling: Ja
Kan ha gränsöverskridande påverkan: Inte känt ännu
Beskrivning: Filer krypterade på två servrar; lösensumma begärd.
Berörda system:
- Omsorgsdokumentation (skyddsnivå K3 R3 T3 S3), leverantör: Omsorgsdata AB
";

    const NO_SECRECY: &str = "
Sekretess
Kommunen begär inte sekretess för uppgifterna i denna anmälan.
";

    #[test]
    fn a_ransomware_attack_makes_the_csirt_early_warning_and_notification() {
        let (incident, facts, systems) = ransomware();
        let draft = |kind| Draft {
            kind,
            organisation: ORGANISATION,
            incident: &incident,
            facts: &facts,
            systems: &systems,
            now: at(2, 8, 0),
        };
        let warning = compose(&draft(ReportKind::Csirt));
        let expected = format!(
            "Tidig varning om betydande incident till CSIRT-enheten vid MCF (cybersäkerhetslagen 2025:1506)\n\n{HEAD}{NO_SECRECY}"
        );
        assert_eq!(warning.text, expected);
        assert!(warning.missing.is_empty());

        let notification = compose(&draft(ReportKind::Incidentanmalan));
        let expected = format!(
            "Incidentanmälan till CSIRT-enheten vid MCF (uppdatering av den tidiga varningen)\n\n{HEAD}
Inledande bedömning
Allvarlighet: Allvarlig
Påverkan på verksamheten: [uppgift saknas]
Hur och när incidenten upptäcktes: Larm från antivirus 03:10; jourhavande tekniker bekräftade krypterade filer.
Leverantör som incidenten kommer från: Ingen känd
Indikatorer på intrång: Inga kända ännu
Vidtagna åtgärder: Servrarna isolerade från nätet 06:30. Återläsning från säkerhetskopia pågår.
{NO_SECRECY}"
        );
        assert_eq!(notification.text, expected);
        assert_eq!(notification.missing, [Field::Consequences]);

        // Filled in, nothing is missing; a claim of secrecy ends the text.
        let filled = NoticeFacts {
            consequences: "Hemtjänsten arbetar med papperslistor.".into(),
            secrecy_claim: "Kommunen begär sekretess för indikatorerna enligt 18 kap. 8 § OSL.".into(),
            ..facts.clone()
        };
        let draft = Draft { facts: &filled, ..draft(ReportKind::Incidentanmalan) };
        let text = compose(&draft);
        assert!(text.missing.is_empty());
        assert!(text.text.ends_with("Sekretess\nKommunen begär sekretess för indikatorerna enligt 18 kap. 8 § OSL.\n"));
    }

    #[test]
    fn a_misdirected_email_makes_the_imy_notification() {
        let misdirected = Incident {
            significant: false,
            significant_from: None,
            impact_t: false,
            severity: Some(Severity::Medium),
            measures: "Mottagaren har bekräftat att e-posten är raderad.".into(),
            ..incident(
                "E-post med elevuppgifter till fel mottagare",
                "Ett e-postmeddelande med åtgärdsprogram skickades till fel vårdnadshavare.",
                Category::Misdirected,
            )
        };
        let facts = NoticeFacts {
            contact: "Sara Lind, 0123-456 78, sara.lind@exempelby.se".into(),
            subject_categories: "Elever och deras vårdnadshavare".into(),
            subjects_count: Some(1),
            records_count: Some(3),
            data_kinds: vec![DataKind::Contact, DataKind::Children, DataKind::Health, DataKind::Secret],
            consequences: "Uppgifter om en elevs hälsa och stödbehov har röjts för en annan vårdnadshavare.".into(),
            subjects_informed: Some(Informed::Yes),
            subjects_informed_on: NaiveDate::from_ymd_opt(2026, 11, 3),
            occurred_at: Some(at(1, 22, 40)),
            ..Default::default()
        };
        let within = Draft {
            kind: ReportKind::Imy,
            organisation: ORGANISATION,
            incident: &misdirected,
            facts: &facts,
            systems: &[],
            now: at(4, 9, 0),
        };
        let imy = compose(&within);
        let expected = "Anmälan av personuppgiftsincident till Integritetsskyddsmyndigheten (artikel 33 dataskyddsförordningen)

Personuppgiftsansvarig
Organisation: Exempelby kommun
Organisationsnummer: 212000-0001
Postadress: Box 1, 123 45 Exempelby
Egen referens: INC-2026-0042
Kontaktperson: Sara Lind, 0123-456 78, sara.lind@exempelby.se

Tidpunkter
Incidenten inträffade: 2026-11-01 22:40
Incidenten upptäcktes: 2026-11-02 03:10
Incidenten upphörde: Pågår

Incidenten
Typ av incident: Felsänd information
Påverkan: konfidentialitet
Beskrivning: Ett e-postmeddelande med åtgärdsprogram skickades till fel vårdnadshavare.

Berörda registrerade och personuppgifter
Kategorier av registrerade: Elever och deras vårdnadshavare
Ungefärligt antal registrerade: 1
Ungefärligt antal personuppgiftsposter: 3
Slag av personuppgifter: Namn och kontaktuppgifter; Uppgifter om barn; Uppgifter om hälsa (känsliga, art. 9); Uppgifter som omfattas av sekretess enligt offentlighets- och sekretesslagen

Konsekvenser och åtgärder
Sannolika konsekvenser: Uppgifter om en elevs hälsa och stödbehov har röjts för en annan vårdnadshavare.
Bedömd allvarlighet: Medel
Vidtagna och planerade åtgärder: Mottagaren har bekräftat att e-posten är raderad.

Information till de registrerade
De registrerade har informerats: Ja, 2026-11-03
";
        assert_eq!(imy.text, format!("{expected}{NO_SECRECY}"));
        assert!(imy.missing.is_empty());

        // After 72 hours the reasons for the delay are asked for; without a contact it is missing too.
        let late_facts = NoticeFacts { contact: String::new(), ..facts.clone() };
        let late = compose(&Draft { now: at(5, 4, 0), facts: &late_facts, ..within });
        assert_eq!(late.missing, [Field::Contact, Field::DelayReason]);
        assert!(late.text.contains("Kontaktperson: [uppgift saknas]\n"));
        assert!(late.text.contains("Skäl till att anmälan görs efter 72 timmar: [uppgift saknas]\n"));
    }
}
