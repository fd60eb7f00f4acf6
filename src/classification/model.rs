//! KLASSA levels, protection levels and required measures: pure rules, tested without a database.

use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;

/// KLASSA's levels, 0–4.
pub const LEVELS: [(i16, &str); 5] = [
    (0, "0 Försumbar skada"),
    (1, "1 Måttlig skada"),
    (2, "2 Betydande skada"),
    (3, "3 Allvarlig skada"),
    (4, "4 Synnerligen allvarlig skada"),
];

crate::codes! {
    /// The four aspects of information security, in the order of the triple (K-R-T-S).
    pub enum Aspect {
        K = "k" => "Konfidentialitet",
        R = "r" => "Riktighet",
        T = "t" => "Tillgänglighet",
        S = "s" => "Spårbarhet",
    }
}

crate::codes! {
    /// Whom a measure binds: the municipality's own work (ÄR-krav) or the supplier, through
    /// the contract (SKA-krav).
    pub enum AppliesTo {
        Kommun = "kommun" => "Egen verksamhet",
        Leverantor = "leverantor" => "Leverantör",
    }
}

impl AppliesTo {
    /// How the measure form explains the choice.
    pub fn explained(self) -> &'static str {
        match self {
            AppliesTo::Kommun => "Krav på vår egen verksamhet (ÄR-krav)",
            AppliesTo::Leverantor => "Krav på leverantören (i avtal)",
        }
    }
}

/// Why a person may not approve a classification, or None when they may: only the information
/// owner approves, only what is not approved yet, and never what they classified themselves.
/// The page offers "Godkänn" by this rule and the store checks it.
pub fn approval_refused(
    is_information_owner: bool,
    classified_by: Option<uuid::Uuid>,
    approved: bool,
    approver: uuid::Uuid,
) -> Option<&'static str> {
    if !is_information_owner {
        Some("Bara informationsägaren godkänner klassningen.")
    } else if approved {
        Some("Klassningen är redan godkänd.")
    } else if classified_by == Some(approver) {
        Some(
            "Du har klassat informationen själv och kan inte också godkänna klassningen. Be en kollega \
             klassa den, eller be samordnaren utse en annan informationsägare.",
        )
    } else {
        None
    }
}

/// Whether the information owner can be asked to approve a classification ("Be om
/// godkännande"): by someone else, of an owner with an account who did not classify it (that
/// owner could not approve it: [`approval_refused`]). The page offers the button by this rule
/// and the store checks it.
pub fn approval_request_refused(
    asker: uuid::Uuid,
    owner_user: Option<uuid::Uuid>,
    classified_by: Option<uuid::Uuid>,
) -> Option<&'static str> {
    match owner_user {
        None => Some("Informationen har ingen informationsägare med konto i Lisa: samordnaren utser en."),
        Some(owner) if owner == asker => Some("Du är själv informationsägare."),
        Some(owner) if classified_by == Some(owner) => {
            Some("Informationsägaren klassade själv och kan inte godkänna: be en kollega klassa informationen.")
        }
        Some(_) => None,
    }
}

/// How long the information owner has to approve when asked.
pub const APPROVAL_DAYS: i64 = 14;

pub fn level_label(level: i16) -> &'static str {
    LEVELS.iter().find(|(l, _)| *l == level).map(|(_, label)| *label).unwrap_or("")
}

/// A system's protection level per aspect: the maximum over the current classifications
/// of its information assets; `None` where nothing is classified.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProtectionLevel {
    pub k: i16,
    pub r: i16,
    pub t: i16,
    pub s: i16,
}

impl ProtectionLevel {
    /// The maximum per aspect over the given classifications; None when there are none.
    pub fn max_over(levels: impl IntoIterator<Item = ProtectionLevel>) -> Option<ProtectionLevel> {
        levels.into_iter().reduce(|a, b| ProtectionLevel {
            k: a.k.max(b.k),
            r: a.r.max(b.r),
            t: a.t.max(b.t),
            s: a.s.max(b.s),
        })
    }

    /// The columns as stored: all four present or none.
    pub fn from_columns(k: Option<i16>, r: Option<i16>, t: Option<i16>, s: Option<i16>) -> Option<ProtectionLevel> {
        Some(ProtectionLevel { k: k?, r: r?, t: t?, s: s? })
    }

    /// "3-2-2-1": K-R-T-S, the way the levels are spoken of.
    pub fn triple(&self) -> String {
        format!("{}-{}-{}-{}", self.k, self.r, self.t, self.s)
    }

    pub fn aspect(&self, aspect: Aspect) -> i16 {
        match aspect {
            Aspect::K => self.k,
            Aspect::R => self.r,
            Aspect::T => self.t,
            Aspect::S => self.s,
        }
    }

    /// KLASSA has no plan for level 4: it calls for a separate analysis of the protection need.
    pub fn has_level_4(&self) -> bool {
        [self.k, self.r, self.t, self.s].contains(&4)
    }
}

/// A measure in the catalogue, as the derivation needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub aspect: Aspect,
    pub min_level: i16,
}

/// A measure is required when the system's level on its aspect reaches its minimum level.
pub fn is_required(level: &ProtectionLevel, requirement: &Requirement) -> bool {
    level.aspect(requirement.aspect) >= requirement.min_level
}

crate::codes! {
    /// The self-assessment of a required measure by the system's keepers.
    pub enum Assessment {
        Uppfylld = "uppfylld" => "Uppfylld",
        Delvis = "delvis" => "Delvis uppfylld",
        EjUppfylld = "ej_uppfylld" => "Ej uppfylld",
        EjTillampligt = "ej_tillampligt" => "Ej tillämplig",
    }
}

impl Assessment {
    /// Unmet measures become proposed actions.
    pub const UNMET: [Assessment; 2] = [Assessment::Delvis, Assessment::EjUppfylld];

    pub fn is_unmet(self) -> bool {
        Self::UNMET.contains(&self)
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ClassificationForm {
    /// Levels 0–4 as text, one per aspect.
    #[serde(default)]
    pub k: String,
    #[serde(default)]
    pub r: String,
    #[serde(default)]
    pub t: String,
    #[serde(default)]
    pub s: String,
    #[serde(default)]
    pub k_reason: String,
    #[serde(default)]
    pub r_reason: String,
    #[serde(default)]
    pub t_reason: String,
    #[serde(default)]
    pub s_reason: String,
}

#[derive(Debug, Clone)]
pub struct ClassificationInput {
    pub level: ProtectionLevel,
    pub reasons: [String; 4],
}

impl ClassificationForm {
    pub fn validate(&self) -> Result<ClassificationInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut level = |aspect: Aspect, value: &str| match value.trim().parse::<i16>() {
            Ok(n) if (0..=4).contains(&n) => n,
            _ => {
                errors.insert(aspect.code().into(), format!("Välj en nivå 0–4 för {}.", aspect.label().to_lowercase()));
                0
            }
        };
        let parsed = ProtectionLevel {
            k: level(Aspect::K, &self.k),
            r: level(Aspect::R, &self.r),
            t: level(Aspect::T, &self.t),
            s: level(Aspect::S, &self.s),
        };
        let reasons = [&self.k_reason, &self.r_reason, &self.t_reason, &self.s_reason].map(|r| r.trim().to_string());
        // A level above 0 is a claim of harm: say why, briefly.
        for (aspect, reason) in Aspect::ALL.into_iter().zip(&reasons) {
            if parsed.aspect(aspect) > 0 && reason.is_empty() && !errors.contains_key(aspect.code()) {
                errors.insert(
                    format!("{aspect}_reason"),
                    format!("Motivera nivån för {}.", aspect.label().to_lowercase()),
                );
            }
        }
        if errors.is_empty() { Ok(ClassificationInput { level: parsed, reasons }) } else { Err(errors) }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct MeasureForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    /// k, r, t or s.
    #[serde(default)]
    pub aspect: String,
    /// 1–3: the lowest level at which the measure applies.
    #[serde(default)]
    pub min_level: String,
    /// kommun or leverantor.
    #[serde(default)]
    pub applies_to: String,
}

#[derive(Debug, Clone)]
pub struct MeasureInput {
    pub code: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub aspect: Aspect,
    pub min_level: i16,
    pub applies_to: AppliesTo,
}

impl MeasureForm {
    pub fn validate(&self) -> Result<MeasureInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let code = self.code.trim().to_string();
        if code.is_empty() {
            errors.insert("code".into(), "Ge åtgärden en kort beteckning, t.ex. B-03.".into());
        }
        let title = self.title.trim().to_string();
        if title.is_empty() {
            errors.insert("title".into(), "Beskriv åtgärden kort.".into());
        }
        let aspect = crate::web::form::required_code(
            &mut errors,
            "aspect",
            &self.aspect.trim().to_lowercase(),
            Aspect::parse,
            "Aspekten är K, R, T eller S.",
        );
        let min_level = match self.min_level.trim().parse::<i16>() {
            Ok(n) if (1..=3).contains(&n) => n,
            _ => {
                errors.insert("min_level".into(), "Lägsta nivå är 1, 2 eller 3 (nivå 4 kräver en egen analys).".into());
                0
            }
        };
        let applies_to = crate::web::form::required_code(
            &mut errors,
            "applies_to",
            &self.applies_to.trim().to_lowercase(),
            AppliesTo::parse,
            "Välj om kravet gäller kommunen eller leverantören.",
        );
        let (Some(aspect), Some(applies_to), true) = (aspect, applies_to, errors.is_empty()) else {
            return Err(errors);
        };
        Ok(MeasureInput {
            code,
            title,
            description: self.description.trim().to_string(),
            category: self.category.trim().to_string(),
            aspect,
            min_level,
            applies_to,
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AssessmentForm {
    /// uppfylld, delvis, ej_uppfylld or ej_tillampligt.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub comment: String,
}

/// A self-assessment, checked.
#[derive(Debug)]
pub struct AssessmentInput {
    pub status: Assessment,
    pub comment: String,
}

impl AssessmentForm {
    pub fn validate(&self) -> Result<AssessmentInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let status = crate::web::form::required_code(
            &mut errors,
            "status",
            &self.status,
            Assessment::parse,
            "Välj uppfylld, delvis, ej uppfylld eller ej tillämplig.",
        );
        let comment = self.comment.trim().to_string();
        if status == Some(Assessment::EjTillampligt) && comment.is_empty() {
            errors.insert("comment".into(), "Förklara varför åtgärden inte är tillämplig.".into());
        }
        match status {
            Some(status) if errors.is_empty() => Ok(AssessmentInput { status, comment }),
            _ => Err(errors),
        }
    }
}

/// The columns of a catalogue CSV, in order.
pub const CATALOGUE_COLUMNS: [&str; 7] =
    ["Beteckning", "Åtgärd", "Kategori", "Aspekt", "Från nivå", "Gäller", "Beskrivning"];

/// Reads a catalogue (semicolon or comma separated, heading row first, columns in the
/// order of `CATALOGUE_COLUMNS`) into forms; any bad row refuses the whole file, naming the line.
pub fn parse_catalogue(text: &str) -> Result<Vec<MeasureForm>, String> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    if first.trim().is_empty() {
        return Err(format!("Filen är tom. Den första raden ska vara rubrikerna: {}.", CATALOGUE_COLUMNS.join("; ")));
    }
    let delimiter = if first.contains(';') { b';' } else { b',' };
    let mut reader = ::csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let mut forms = Vec::new();
    let mut problems = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let Ok(record) = record else {
            problems.push(format!("Rad {line} kunde inte läsas."));
            continue;
        };
        let cell = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        let applies_to = match cell(5).to_lowercase().as_str() {
            "leverantör" | "leverantor" | "ska" | "ska-krav" => "leverantor".to_string(),
            "kommun" | "kommunen" | "egen" | "egen verksamhet" | "är" | "är-krav" => "kommun".to_string(),
            other => other.to_string(),
        };
        let form = MeasureForm {
            code: cell(0),
            title: cell(1),
            category: cell(2),
            aspect: cell(3),
            min_level: cell(4),
            applies_to,
            description: cell(6),
        };
        match form.validate() {
            Ok(_) => forms.push(form),
            Err(errors) => problems.push(format!("Rad {line}: {}", errors.into_values().collect::<Vec<_>>().join(" "))),
        }
    }
    if !problems.is_empty() {
        return Err(format!("Inget lästes in. {}", problems.join(" ")));
    }
    if forms.is_empty() {
        return Err("Filen har inga rader under rubrikerna.".into());
    }
    Ok(forms)
}

/// Lisa's own starter catalogue: (code, category, aspect, min level, applies to, title).
/// Written for Lisa from the kinds of measures MCF recommends; a municipality edits it or loads its own.
pub const STARTER_CATALOGUE: [(&str, &str, Aspect, i16, AppliesTo, &str); 30] = [
    ("B-01", "Behörighet", Aspect::K, 1, AppliesTo::Kommun, "Behörigheter tilldelas efter roll och minsta behov"),
    (
        "B-02",
        "Behörighet",
        Aspect::K,
        1,
        AppliesTo::Kommun,
        "Behörighetsgranskning minst årligen från systemgenererat underlag",
    ),
    ("B-03", "Behörighet", Aspect::K, 2, AppliesTo::Leverantor, "Flerfaktorsautentisering för alla användare"),
    (
        "B-04",
        "Behörighet",
        Aspect::K,
        2,
        AppliesTo::Leverantor,
        "Administratörskonton är personliga, få och separata från vardagskonton",
    ),
    (
        "B-05",
        "Behörighet",
        Aspect::K,
        3,
        AppliesTo::Leverantor,
        "Privilegierad åtkomst via särskild administrationsmiljö",
    ),
    ("K-01", "Kryptering", Aspect::K, 2, AppliesTo::Leverantor, "Information krypteras vid överföring"),
    (
        "K-02",
        "Kryptering",
        Aspect::K,
        3,
        AppliesTo::Leverantor,
        "Information krypteras vid lagring, nycklar hanteras av kommunen",
    ),
    (
        "K-03",
        "Informationshantering",
        Aspect::K,
        2,
        AppliesTo::Kommun,
        "Utskrifter och export av information är styrda och loggade",
    ),
    ("N-01", "Nätverk", Aspect::K, 2, AppliesTo::Leverantor, "Systemet ligger i ett segmenterat nät med styrd trafik"),
    (
        "N-02",
        "Nätverk",
        Aspect::T,
        3,
        AppliesTo::Leverantor,
        "Skydd mot överbelastningsattacker för tjänster som nås utifrån",
    ),
    (
        "U-01",
        "Sårbarhetshantering",
        Aspect::R,
        1,
        AppliesTo::Leverantor,
        "Säkerhetsuppdateringar installeras inom fastställd tid",
    ),
    ("U-02", "Sårbarhetshantering", Aspect::R, 2, AppliesTo::Leverantor, "Sårbarhetsskanning minst kvartalsvis"),
    ("U-03", "Skadlig kod", Aspect::R, 1, AppliesTo::Leverantor, "Skydd mot skadlig kod på servrar och klienter"),
    ("U-04", "Konfiguration", Aspect::R, 2, AppliesTo::Leverantor, "Säker grundkonfiguration som följs upp"),
    (
        "R-01",
        "Förändringshantering",
        Aspect::R,
        2,
        AppliesTo::Kommun,
        "Förändringar testas och godkänns innan de driftsätts",
    ),
    (
        "R-02",
        "Riktighet",
        Aspect::R,
        2,
        AppliesTo::Leverantor,
        "Indata kontrolleras och ändringar av information spåras",
    ),
    ("R-03", "Riktighet", Aspect::R, 3, AppliesTo::Kommun, "Fyra ögon vid ändring av kritisk information"),
    ("T-01", "Säkerhetskopiering", Aspect::T, 1, AppliesTo::Leverantor, "Säkerhetskopiering enligt fastställd plan"),
    (
        "T-02",
        "Säkerhetskopiering",
        Aspect::T,
        2,
        AppliesTo::Leverantor,
        "Säkerhetskopior förvaras åtskilda och skrivskyddade",
    ),
    ("T-03", "Säkerhetskopiering", Aspect::T, 2, AppliesTo::Kommun, "Återläsningstest minst årligen"),
    ("T-04", "Kontinuitet", Aspect::T, 2, AppliesTo::Kommun, "Kontinuitetsplan med reservrutiner som övas"),
    (
        "T-05",
        "Drift",
        Aspect::T,
        2,
        AppliesTo::Leverantor,
        "Överenskommen tillgänglighet och tid för återställning i avtal",
    ),
    ("T-06", "Drift", Aspect::T, 3, AppliesTo::Leverantor, "Redundans för kritiska komponenter"),
    ("T-07", "Drift", Aspect::T, 1, AppliesTo::Leverantor, "Övervakning av drift och kapacitet"),
    ("S-01", "Loggning", Aspect::S, 1, AppliesTo::Leverantor, "Inloggningar och behörighetsändringar loggas"),
    (
        "S-02",
        "Loggning",
        Aspect::S,
        2,
        AppliesTo::Leverantor,
        "Åtkomst till information loggas och loggar skyddas mot ändring",
    ),
    ("S-03", "Loggning", Aspect::S, 2, AppliesTo::Kommun, "Loggar följs upp regelbundet"),
    ("S-04", "Loggning", Aspect::S, 3, AppliesTo::Leverantor, "Loggar skickas till central logghantering med larm"),
    (
        "L-01",
        "Leverantör",
        Aspect::K,
        1,
        AppliesTo::Kommun,
        "Personuppgiftsbiträdesavtal när personuppgifter behandlas",
    ),
    (
        "L-02",
        "Leverantör",
        Aspect::T,
        1,
        AppliesTo::Leverantor,
        "Leverantören rapporterar incidenter till kommunen utan dröjsmål",
    ),
];

#[cfg(test)]
mod tests {

    #[test]
    fn the_owner_is_asked_only_by_someone_else_and_only_where_they_can_approve() {
        let (asker, owner, colleague) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        assert_eq!(approval_request_refused(asker, Some(owner), Some(asker)), None);
        assert_eq!(approval_request_refused(asker, Some(owner), Some(colleague)), None);
        assert!(approval_request_refused(asker, None, Some(asker)).is_some(), "no owner with an account");
        assert!(approval_request_refused(owner, Some(owner), Some(asker)).is_some(), "the owner approves instead");
        assert!(approval_request_refused(asker, Some(owner), Some(owner)).is_some(), "the owner classified it");
    }

    use super::*;

    #[test]
    fn only_the_information_owner_approves_what_someone_else_classified() {
        let (me, other) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        assert_eq!(approval_refused(true, Some(other), false, me), None);
        assert!(approval_refused(true, Some(me), false, me).unwrap().contains("klassat informationen själv"));
        assert!(approval_refused(false, Some(other), false, me).is_some());
        assert!(approval_refused(true, Some(other), true, me).is_some());
    }

    fn level(k: i16, r: i16, t: i16, s: i16) -> ProtectionLevel {
        ProtectionLevel { k, r, t, s }
    }

    #[test]
    fn the_system_level_is_the_maximum_per_aspect() {
        let system = ProtectionLevel::max_over([level(3, 1, 2, 0), level(1, 2, 2, 1), level(0, 0, 1, 1)]).unwrap();
        assert_eq!(system, level(3, 2, 2, 1));
        assert_eq!(system.triple(), "3-2-2-1");
        assert!(!system.has_level_4());
        assert_eq!(ProtectionLevel::max_over([]), None);
        assert!(ProtectionLevel::max_over([level(0, 0, 0, 0), level(1, 4, 0, 0)]).unwrap().has_level_4());
        assert_eq!(ProtectionLevel::from_columns(Some(1), None, Some(1), Some(1)), None);
    }

    #[test]
    fn measures_are_required_from_their_minimum_level() {
        let system = level(2, 1, 3, 0);
        let mfa = Requirement { aspect: Aspect::K, min_level: 2 };
        let logging = Requirement { aspect: Aspect::S, min_level: 1 };
        let redundancy = Requirement { aspect: Aspect::T, min_level: 3 };
        assert!(is_required(&system, &mfa));
        assert!(!is_required(&system, &logging));
        assert!(is_required(&system, &redundancy));
        assert!(!is_required(&level(1, 1, 2, 1), &redundancy));
    }

    #[test]
    fn classifications_need_levels_and_reasons_above_zero() {
        let errors =
            ClassificationForm { k: "5".into(), r: "".into(), t: "2".into(), s: "0".into(), ..Default::default() }
                .validate()
                .unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["k", "r", "t_reason"]);
        let ok = ClassificationForm {
            k: "3".into(),
            r: "0".into(),
            t: "1".into(),
            s: "0".into(),
            k_reason: "Känsliga personuppgifter".into(),
            t_reason: "Kan vänta en dag".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.level.triple(), "3-0-1-0");
    }

    #[test]
    fn measures_and_assessments_are_checked() {
        let errors =
            MeasureForm { aspect: "x".into(), min_level: "4".into(), ..Default::default() }.validate().unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["applies_to", "aspect", "code", "min_level", "title"]);
        assert!(AssessmentForm { status: "ej_tillampligt".into(), comment: "".into() }.validate().is_err());
        assert!(AssessmentForm { status: "klar".into(), comment: "".into() }.validate().is_err());
        let partly = AssessmentForm { status: "delvis".into(), comment: " ".into() }.validate().unwrap();
        assert_eq!((partly.status, partly.comment.as_str()), (Assessment::Delvis, ""));
        assert!(Assessment::Delvis.is_unmet() && Assessment::EjUppfylld.is_unmet() && !Assessment::Uppfylld.is_unmet());
        assert!(!Assessment::EjTillampligt.is_unmet());
    }

    #[test]
    fn a_catalogue_file_is_read_whole_or_not_at_all() {
        let good = "Beteckning;Åtgärd;Kategori;Aspekt;Från nivå;Gäller\nX-1;MFA;Behörighet;K;2;Leverantör\nX-2;Loggar följs upp;Loggning;s;1;kommun\n";
        let forms = parse_catalogue(good).unwrap();
        assert_eq!(forms.len(), 2);
        assert_eq!((forms[0].aspect.as_str(), forms[0].applies_to.as_str()), ("K", "leverantor"));
        let bad = "Beteckning;Åtgärd;Kategori;Aspekt;Från nivå;Gäller\nX-1;MFA;Behörighet;K;7;Leverantör\n";
        let error = parse_catalogue(bad).unwrap_err();
        assert!(error.contains("Rad 2") && error.contains("Lägsta nivå"), "{error}");
        assert!(parse_catalogue("").is_err());
    }

    #[test]
    fn the_starter_catalogue_is_valid_and_unique() {
        let mut codes: Vec<_> = STARTER_CATALOGUE.iter().map(|m| m.0).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), STARTER_CATALOGUE.len());
        for (code, category, aspect, min_level, applies_to, title) in STARTER_CATALOGUE {
            let form = MeasureForm {
                code: code.into(),
                title: title.into(),
                category: category.into(),
                aspect: aspect.code().into(),
                min_level: min_level.to_string(),
                applies_to: applies_to.code().into(),
                description: String::new(),
            };
            assert!(form.validate().is_ok(), "{code}");
        }
    }
}
