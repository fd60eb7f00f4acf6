//! Information systems: forms, review dates and the CSV inventory import, as pure rules.

use std::collections::{HashMap, HashSet};

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldErrors;
use crate::web::form::{code_or, optional_id};

crate::codes! {
    /// Who runs the system.
    pub enum Hosting {
        Own = "egen" => "Egen drift",
        Supplier = "leverantor" => "Leverantörens drift",
        SharedIt = "gemensam_it" => "Gemensamt IT-bolag eller IT-förvaltning",
        Cloud = "moln" => "Molntjänst",
    }
}

crate::codes! {
    /// Where the system is in its life.
    pub enum Lifecycle {
        Planned = "planerad" => "Planerad",
        InOperation = "i_drift" => "I drift",
        BeingRetired = "avvecklas" => "Avvecklas",
        Retired = "avvecklad" => "Avvecklad",
    }
}

crate::codes! {
    /// The yes/no properties of a system. The code is the form field, the API field and the
    /// column, and the list filter's value.
    pub enum Flag {
        Critical = "is_critical" => "Verksamhetskritiskt",
        Nis = "is_nis" => "Omfattas av cybersäkerhetslagen (NIS)",
        SecurityProtection = "is_security_protection" => "Säkerhetsskyddsrelevant",
        WelfareTech = "is_welfare_tech" => "Välfärdsteknik",
        PersonalData = "has_personal_data" => "Personuppgifter",
        SensitivePersonalData = "has_sensitive_personal_data" => "Känsliga personuppgifter",
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SystemForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    /// The responsible body (juridisk systemägare).
    #[serde(default)]
    pub body_id: String,
    /// The system owner (a person).
    #[serde(default)]
    pub owner_person_id: String,
    #[serde(default)]
    pub unit_id: String,
    /// The system administrators (people).
    #[serde(default)]
    pub administrator_ids: Vec<String>,
    #[serde(default)]
    pub supplier_name: String,
    #[serde(default)]
    pub operator_name: String,
    /// egen, leverantor, gemensam_it or moln.
    #[serde(default)]
    pub hosting: String,
    #[serde(default)]
    pub users_count: String,
    /// planerad, i_drift, avvecklas or avvecklad.
    #[serde(default)]
    pub lifecycle: String,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub is_critical: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub is_nis: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub is_security_protection: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub is_welfare_tech: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub has_personal_data: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub has_sensitive_personal_data: bool,
    /// Months between classification reviews; 12 when empty.
    #[serde(default)]
    pub review_interval_months: String,
    /// The version (ETag) the change was made from; a change made from an older one is
    /// refused. The If-Match header does the same.
    #[serde(default)]
    pub version: String,
}

impl SystemForm {
    pub fn flag(&self, flag: Flag) -> bool {
        match flag {
            Flag::Critical => self.is_critical,
            Flag::Nis => self.is_nis,
            Flag::SecurityProtection => self.is_security_protection,
            Flag::WelfareTech => self.is_welfare_tech,
            Flag::PersonalData => self.has_personal_data,
            Flag::SensitivePersonalData => self.has_sensitive_personal_data,
        }
    }

    pub fn set_flag(&mut self, flag: Flag, value: bool) {
        *self.flag_mut(flag) = value;
    }

    fn flag_mut(&mut self, flag: Flag) -> &mut bool {
        match flag {
            Flag::Critical => &mut self.is_critical,
            Flag::Nis => &mut self.is_nis,
            Flag::SecurityProtection => &mut self.is_security_protection,
            Flag::WelfareTech => &mut self.is_welfare_tech,
            Flag::PersonalData => &mut self.has_personal_data,
            Flag::SensitivePersonalData => &mut self.has_sensitive_personal_data,
        }
    }
}

/// A system's properties, each by its own name, so that no list of them depends on the order
/// of [`Flag`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    pub is_critical: bool,
    pub is_nis: bool,
    pub is_security_protection: bool,
    pub is_welfare_tech: bool,
    pub has_personal_data: bool,
    pub has_sensitive_personal_data: bool,
}

impl Flags {
    /// The properties for which `set` says yes.
    pub fn from_fn(set: impl Fn(Flag) -> bool) -> Flags {
        Flags {
            is_critical: set(Flag::Critical),
            is_nis: set(Flag::Nis),
            is_security_protection: set(Flag::SecurityProtection),
            is_welfare_tech: set(Flag::WelfareTech),
            has_personal_data: set(Flag::PersonalData),
            has_sensitive_personal_data: set(Flag::SensitivePersonalData),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SystemInput {
    pub name: String,
    pub purpose: String,
    pub body_id: Option<Uuid>,
    pub owner_person_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub administrator_ids: Vec<Uuid>,
    pub supplier_name: String,
    pub operator_name: String,
    pub hosting: Hosting,
    pub users_count: Option<i32>,
    pub lifecycle: Lifecycle,
    pub flags: Flags,
    pub review_interval_months: i32,
}

impl SystemForm {
    pub fn validate(&self) -> Result<SystemInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.insert("name".into(), "Ange systemets namn.".into());
        }
        let body_id = optional_id(&mut errors, "body_id", &self.body_id, "Välj en nämnd eller ett bolag i listan.");
        let owner_person_id =
            optional_id(&mut errors, "owner_person_id", &self.owner_person_id, "Välj en person i listan.");
        let unit_id = optional_id(&mut errors, "unit_id", &self.unit_id, "Välj en enhet i listan.");
        let mut administrator_ids = Vec::new();
        for id in self.administrator_ids.iter().filter(|v| !v.trim().is_empty()) {
            match Uuid::parse_str(id.trim()) {
                Ok(id) if !administrator_ids.contains(&id) => administrator_ids.push(id),
                Ok(_) => {}
                Err(_) => {
                    errors.insert("administrator_ids".into(), "Välj systemförvaltare i listan.".into());
                }
            }
        }
        let hosting =
            code_or(&mut errors, "hosting", &self.hosting, Hosting::parse, Hosting::Own, "Välj en driftform i listan.");
        let lifecycle = code_or(
            &mut errors,
            "lifecycle",
            &self.lifecycle,
            Lifecycle::parse,
            Lifecycle::InOperation,
            "Välj ett livscykelläge i listan.",
        );
        let users_count = match self.users_count.trim().replace(' ', "").as_str() {
            "" => None,
            n => n.parse::<i32>().ok().filter(|n| *n >= 0).or_else(|| {
                errors.insert("users_count".into(), "Ange antalet användare som ett heltal.".into());
                None
            }),
        };
        let review_interval_months = match self.review_interval_months.trim() {
            "" => 12,
            n => n.parse::<i32>().ok().filter(|n| (1..=60).contains(n)).unwrap_or_else(|| {
                errors.insert("review_interval_months".into(), "Ange ett intervall på 1–60 månader.".into());
                12
            }),
        };
        if self.has_sensitive_personal_data && !self.has_personal_data {
            errors.insert(
                "has_personal_data".into(),
                "Känsliga personuppgifter är också personuppgifter: kryssa i båda.".into(),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SystemInput {
            name,
            purpose: self.purpose.trim().to_string(),
            body_id,
            owner_person_id,
            unit_id,
            administrator_ids,
            supplier_name: self.supplier_name.trim().to_string(),
            operator_name: self.operator_name.trim().to_string(),
            hosting,
            users_count,
            lifecycle,
            flags: Flags::from_fn(|flag| self.flag(flag)),
            review_interval_months,
        })
    }
}

/// When the classification is next to be reviewed: `interval` months after the last
/// review, or now when a major change came after it. None when it was never classified.
pub fn next_review(
    reviewed_on: Option<NaiveDate>,
    major_change_on: Option<NaiveDate>,
    interval: i32,
) -> Option<NaiveDate> {
    let reviewed = reviewed_on?;
    if major_change_on.is_some_and(|changed| changed > reviewed) {
        return major_change_on;
    }
    reviewed.checked_add_months(Months::new(interval.max(1) as u32))
}

pub fn is_review_overdue(next_review: Option<NaiveDate>, today: NaiveDate) -> bool {
    next_review.is_some_and(|due| due < today)
}

/// The columns of the inventory CSV, in order. Names of bodies and people are matched
/// without regard to case.
pub const IMPORT_COLUMNS: [&str; 15] = [
    "Namn",
    "Syfte",
    "Ansvarig nämnd eller bolag",
    "Systemägare",
    "Leverantör",
    "Driftleverantör",
    "Driftform",
    "Antal användare",
    "Livscykel",
    "Verksamhetskritiskt",
    "NIS",
    "Säkerhetsskydd",
    "Välfärdsteknik",
    "Personuppgifter",
    "Känsliga personuppgifter",
];

/// One row of an import: what it would save, or why it cannot.
#[derive(Clone, Debug)]
pub struct ImportRow {
    /// The line in the file (the heading is line 1).
    pub line: usize,
    pub form: SystemForm,
    pub errors: Vec<String>,
}

fn yes_no(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "ja" | "j" | "x" | "1" | "yes" | "sant" => Some(true),
        "" | "nej" | "n" | "0" | "no" | "falskt" => Some(false),
        _ => None,
    }
}

/// Ids by lower-case name (the first of a name wins), so that each row looks its names up at once.
fn by_name(items: &[(Uuid, String)]) -> HashMap<String, Uuid> {
    let mut map = HashMap::with_capacity(items.len());
    for (id, name) in items {
        map.entry(name.trim().to_lowercase()).or_insert(*id);
    }
    map
}

fn code_for(choices: &[(&'static str, &'static str)], value: &str) -> Option<&'static str> {
    let wanted = value.trim().to_lowercase();
    choices.iter().find(|(c, l)| *c == wanted || l.to_lowercase() == wanted).map(|(c, _)| *c)
}

/// The most rows one inventory import reads: a large municipality has about 1,500 systems.
pub const MAX_IMPORT_ROWS: usize = 5_000;

/// Reads an inventory exported from a spreadsheet (semicolon or comma separated, with a
/// heading row) into rows, each checked on its own. `existing` are the names already in
/// Lisa; a name twice in the file is an error on its second line.
pub fn parse_import(
    text: &str,
    bodies: &[(Uuid, String)],
    people: &[(Uuid, String)],
    existing: &[String],
) -> Result<Vec<ImportRow>, String> {
    let text = text.trim_start_matches('\u{feff}');
    let first_line = text.lines().next().unwrap_or("");
    if first_line.trim().is_empty() {
        return Err("Filen är tom. Den första raden ska vara rubrikerna.".into());
    }
    let delimiter = if first_line.contains(';') { b';' } else { b',' };
    let mut reader =
        ::csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(text.as_bytes());
    let headings: Vec<String> = reader
        .headers()
        .map_err(|_| "Rubrikraden kunde inte läsas.".to_string())?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let column = |name: &str| headings.iter().position(|h| *h == name.to_lowercase());
    if column("Namn").is_none() {
        return Err(format!("Kolumnen ”Namn” saknas. Kolumnerna är: {}.", IMPORT_COLUMNS.join("; ")));
    }
    let mut seen: HashSet<String> = existing.iter().map(|n| n.to_lowercase()).collect();
    let (bodies, people) = (by_name(bodies), by_name(people));
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        if index >= MAX_IMPORT_ROWS {
            return Err(format!("Filen har fler än {MAX_IMPORT_ROWS} rader. Dela upp den och läs in en del i taget."));
        }
        let Ok(record) = record else {
            rows.push(ImportRow { line, form: SystemForm::default(), errors: vec!["Raden kunde inte läsas.".into()] });
            continue;
        };
        let cell = |name: &str| column(name).and_then(|i| record.get(i)).unwrap_or("").trim().to_string();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut errors = Vec::new();
        let mut form = SystemForm {
            name: cell("Namn"),
            purpose: cell("Syfte"),
            supplier_name: cell("Leverantör"),
            operator_name: cell("Driftleverantör"),
            users_count: cell("Antal användare"),
            ..SystemForm::default()
        };
        let body = cell("Ansvarig nämnd eller bolag");
        if !body.is_empty() {
            match bodies.get(&body.to_lowercase()) {
                Some(id) => form.body_id = id.to_string(),
                None => errors.push(format!("Nämnden eller bolaget ”{body}” finns inte i organisationen.")),
            }
        }
        let owner = cell("Systemägare");
        if !owner.is_empty() {
            match people.get(&owner.to_lowercase()) {
                Some(id) => form.owner_person_id = id.to_string(),
                None => errors.push(format!("Personen ”{owner}” finns inte bland kommunens personer.")),
            }
        }
        let hostings = Hosting::ALL.map(|c| (c.code(), c.label()));
        let lifecycles = Lifecycle::ALL.map(|c| (c.code(), c.label()));
        for (field, heading, choices) in [("hosting", "Driftform", &hostings), ("lifecycle", "Livscykel", &lifecycles)]
        {
            let value = cell(heading);
            if value.is_empty() {
                continue;
            }
            match code_for(choices, &value) {
                Some(code) if field == "hosting" => form.hosting = code.into(),
                Some(code) => form.lifecycle = code.into(),
                None => errors.push(format!(
                    "{heading} ”{value}” är inte ett av: {}.",
                    choices.iter().map(|(_, l)| *l).collect::<Vec<_>>().join(", ")
                )),
            }
        }
        // The import's headings are shorter than the form's labels.
        let flag_columns = [
            (Flag::Critical, "Verksamhetskritiskt"),
            (Flag::Nis, "NIS"),
            (Flag::SecurityProtection, "Säkerhetsskydd"),
            (Flag::WelfareTech, "Välfärdsteknik"),
            (Flag::PersonalData, "Personuppgifter"),
            (Flag::SensitivePersonalData, "Känsliga personuppgifter"),
        ];
        for (flag, heading) in flag_columns {
            match yes_no(&cell(heading)) {
                Some(value) => form.set_flag(flag, value),
                None => errors.push(format!("{heading}: skriv ja eller nej.")),
            }
        }
        if let Err(field_errors) = form.validate() {
            errors.extend(field_errors.into_values());
        }
        let key = form.name.to_lowercase();
        if !key.is_empty() && !seen.insert(key) {
            errors.push(format!("Det finns redan ett system som heter ”{}”.", form.name));
        }
        rows.push(ImportRow { line, form, errors });
    }
    if rows.is_empty() {
        return Err("Filen har inga rader under rubrikerna.".into());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systems_need_a_name_and_sensible_values() {
        let form = SystemForm {
            users_count: "många".into(),
            hosting: "källaren".into(),
            review_interval_months: "0".into(),
            has_sensitive_personal_data: true,
            ..Default::default()
        };
        let errors = form.validate().unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["has_personal_data", "hosting", "name", "review_interval_months", "users_count"]
        );
        let ok = SystemForm {
            name: " Procapita ".into(),
            users_count: "1 200".into(),
            is_critical: true,
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.users_count, ok.hosting, ok.lifecycle),
            ("Procapita", Some(1200), Hosting::Own, Lifecycle::InOperation)
        );
        assert_eq!(ok.flags, Flags { is_critical: true, ..Flags::default() });
        assert_eq!(ok.review_interval_months, 12);
    }

    #[test]
    fn reviews_fall_due_after_the_interval_or_at_a_major_change() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(next_review(None, None, 12), None);
        assert_eq!(next_review(Some(d("2025-01-31")), None, 1), Some(d("2025-02-28")));
        assert_eq!(next_review(Some(d("2025-03-01")), Some(d("2025-02-01")), 12), Some(d("2026-03-01")));
        assert_eq!(next_review(Some(d("2025-03-01")), Some(d("2025-06-01")), 12), Some(d("2025-06-01")));
        assert!(is_review_overdue(Some(d("2026-01-01")), d("2026-01-02")));
        assert!(!is_review_overdue(Some(d("2026-01-01")), d("2026-01-01")));
        assert!(!is_review_overdue(None, d("2026-01-01")));
    }

    #[test]
    fn the_import_checks_each_row_on_its_own() {
        let ks = Uuid::new_v4();
        let anna = Uuid::new_v4();
        let bodies = vec![(ks, "Kommunstyrelsen".to_string())];
        let people = vec![(anna, "Anna Berg".to_string())];
        let text = "\u{feff}Namn;Ansvarig nämnd eller bolag;Systemägare;Driftform;Verksamhetskritiskt;Antal användare\n\
                    Lönesystem;kommunstyrelsen;anna berg;Molntjänst;ja;300\n\
                    ;Kommunstyrelsen;;;nej;\n\
                    Ärendesystem;Tekniska nämnden;Okänd Person;källaren;kanske;x\n\
                    ;;;;;\n\
                    lönesystem;;;;;\n\
                    E-arkiv;;;;;\n";
        let rows = parse_import(text, &bodies, &people, &["E-arkiv".to_string()]).unwrap();
        assert_eq!(rows.len(), 5);
        assert!(rows[0].errors.is_empty(), "{:?}", rows[0].errors);
        assert_eq!(rows[0].form.body_id, ks.to_string());
        assert_eq!(rows[0].form.owner_person_id, anna.to_string());
        assert_eq!((rows[0].form.hosting.as_str(), rows[0].form.is_critical), ("moln", true));
        assert_eq!(rows[1].errors, ["Ange systemets namn."]);
        assert_eq!(rows[2].errors.len(), 5, "{:?}", rows[2].errors);
        assert_eq!(rows[3].line, 6);
        assert!(rows[3].errors[0].contains("finns redan"));
        assert!(rows[4].errors[0].contains("finns redan"));
        assert!(parse_import("Syfte\nx", &bodies, &people, &[]).unwrap_err().contains("Namn"));
        assert!(parse_import("", &bodies, &people, &[]).is_err());
    }
}
