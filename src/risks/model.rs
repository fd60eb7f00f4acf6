//! The risk scale, risk values, matrix cells and forms: pure rules, tested without a database.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldErrors;

/// A municipality's scale: likelihood × consequence on 1..=max, and the thresholds
/// at which a value is medium or high.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scale {
    pub max: i16,
    pub likelihood_steps: Vec<String>,
    pub consequence_steps: Vec<String>,
    pub medium_from: i16,
    pub high_from: i16,
}

impl Scale {
    /// The default 1–4 scale.
    pub fn default_four() -> Scale {
        Scale {
            max: 4,
            likelihood_steps: ["Låg", "Medel", "Hög", "Mycket hög"].map(String::from).to_vec(),
            consequence_steps: ["Begränsad", "Måttlig", "Allvarlig", "Mycket allvarlig"].map(String::from).to_vec(),
            medium_from: 4,
            high_from: 9,
        }
    }

    /// The common 1–5 alternative.
    pub fn default_five() -> Scale {
        Scale {
            max: 5,
            likelihood_steps: ["Mycket låg", "Låg", "Medel", "Hög", "Mycket hög"].map(String::from).to_vec(),
            consequence_steps: ["Försumbar", "Begränsad", "Måttlig", "Allvarlig", "Mycket allvarlig"]
                .map(String::from)
                .to_vec(),
            medium_from: 5,
            high_from: 12,
        }
    }

    pub fn value(&self, likelihood: i16, consequence: i16) -> i16 {
        likelihood * consequence
    }

    pub fn level(&self, likelihood: i16, consequence: i16) -> RiskLevel {
        RiskLevel::of(self.value(likelihood, consequence), self.medium_from, self.high_from)
    }

    fn step(&self, errors: &mut FieldErrors, field: &str, value: &str, required: bool) -> Option<i16> {
        match value.trim() {
            "" if !required => None,
            v => v.parse::<i16>().ok().filter(|n| (1..=self.max).contains(n)).or_else(|| {
                errors.insert(field.into(), format!("Välj ett värde 1–{}.", self.max));
                None
            }),
        }
    }

    /// Checks a scale entered by the coordinator.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if !(self.max == 4 || self.max == 5) {
            errors.insert("max".into(), "Skalan är 1–4 eller 1–5.".into());
        }
        let size = self.max.max(0) as usize;
        if self.likelihood_steps.len() != size || self.likelihood_steps.iter().any(|s| s.trim().is_empty()) {
            errors.insert("likelihood_steps".into(), format!("Namnge alla {size} steg för sannolikhet."));
        }
        if self.consequence_steps.len() != size || self.consequence_steps.iter().any(|s| s.trim().is_empty()) {
            errors.insert("consequence_steps".into(), format!("Namnge alla {size} steg för konsekvens."));
        }
        if !(1 < self.medium_from && self.medium_from < self.high_from && self.high_from <= self.max * self.max) {
            errors.insert("high_from".into(), format!("Gränserna ska vara 1 < medel < hög ≤ {}.", self.max * self.max));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// The scale as the settings page sends it: numbers and comma-separated step names as typed,
/// so a mistyped number comes back as it was typed, with its message.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ScaleForm {
    #[serde(default)]
    pub max: String,
    #[serde(default)]
    pub likelihood_steps: String,
    #[serde(default)]
    pub consequence_steps: String,
    #[serde(default)]
    pub medium_from: String,
    #[serde(default)]
    pub high_from: String,
}

impl ScaleForm {
    pub fn of(scale: &Scale) -> ScaleForm {
        ScaleForm {
            max: scale.max.to_string(),
            likelihood_steps: scale.likelihood_steps.join(", "),
            consequence_steps: scale.consequence_steps.join(", "),
            medium_from: scale.medium_from.to_string(),
            high_from: scale.high_from.to_string(),
        }
    }

    /// The scale the form describes, checked by `Scale::check`.
    pub fn scale(&self) -> Result<Scale, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut number = |field: &str, value: &str| {
            value.trim().parse::<i16>().unwrap_or_else(|_| {
                errors.insert(field.into(), "Skriv ett heltal.".into());
                0
            })
        };
        let max = number("max", &self.max);
        let medium_from = number("medium_from", &self.medium_from);
        let high_from = number("high_from", &self.high_from);
        let steps = |text: &str| text.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        let scale = Scale {
            max,
            likelihood_steps: steps(&self.likelihood_steps),
            consequence_steps: steps(&self.consequence_steps),
            medium_from,
            high_from,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        scale.check().map(|()| scale)
    }
}

crate::codes! {
    #[derive(PartialOrd, Ord)]
    pub enum RiskLevel {
        Low = "lag" => "Låg",
        Medium = "medel" => "Medel",
        High = "hog" => "Hög",
    }
}

impl RiskLevel {
    /// The heat map colour, drawn as a presentation attribute so the cell is coloured everywhere.
    /// The level of a risk value, given the scale's thresholds.
    pub fn of(value: i16, medium_from: i16, high_from: i16) -> RiskLevel {
        if value >= high_from {
            RiskLevel::High
        } else if value >= medium_from {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }

    pub fn fill(self) -> &'static str {
        use crate::web::palette::{RISK_HIGH, RISK_LOW, RISK_MEDIUM};
        match self {
            RiskLevel::Low => RISK_LOW,
            RiskLevel::Medium => RISK_MEDIUM,
            RiskLevel::High => RISK_HIGH,
        }
    }
}

/// One cell of the heat map.
pub struct Cell {
    pub likelihood: i16,
    pub consequence: i16,
    pub count: usize,
    pub level: RiskLevel,
    /// Position in the SVG, in px.
    pub x: i32,
    pub y: i32,
}

/// A risk matrix: consequence up the side (highest on top), likelihood along the bottom.
pub struct Matrix {
    pub scale: Scale,
    pub rows: Vec<Vec<Cell>>,
    pub total: usize,
    /// Room on the left for the consequence labels, so that none is cut off.
    margin: i32,
}

pub const CELL_SIZE: i32 = 64;

/// Why the analysis' owner cannot be asked to decide on its untreated risks ("Be om
/// riskacceptans"), or None: asked by someone who may not accept them, of an owner with an
/// account, while a risk is untreated. The page offers the button by this rule and the use case
/// checks it.
pub fn acceptance_request_refused(
    may_accept: bool,
    owner_user: Option<Uuid>,
    untreated: usize,
) -> Option<&'static str> {
    if may_accept {
        Some("Du är ansvarig för analysen och accepterar riskerna själv.")
    } else if owner_user.is_none() {
        Some("Analysen har ingen ansvarig med konto i Lisa som kan acceptera riskerna: samordnaren utser en.")
    } else if untreated == 0 {
        Some("Alla risker i analysen är accepterade eller har åtgärder.")
    } else {
        None
    }
}

/// How long the analysis' owner has to decide when asked; after that they may be asked again.
pub const ACCEPTANCE_DAYS: i64 = 14;

/// Whether the owner was asked so recently that asking again would only repeat the reminder.
pub fn asked_recently(last_asked_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    last_asked_on.is_some_and(|on| (today - on).num_days() < ACCEPTANCE_DAYS)
}

/// Room for "4 Mycket allvarlig" and the like: about 7.5 px a character at the axis' 13 px.
fn margin_for(labels: &[String]) -> i32 {
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as i32;
    (24 + (longest + 3) * 15 / 2).max(48)
}

impl Matrix {
    /// Counts (likelihood, consequence) pairs into their cells; pairs outside the scale are left out.
    pub fn new(scale: &Scale, pairs: impl IntoIterator<Item = (i16, i16)>) -> Matrix {
        let max = scale.max;
        let margin = margin_for(&scale.consequence_steps);
        let mut counts = vec![0usize; (max * max) as usize];
        let mut total = 0;
        for (l, c) in pairs {
            if (1..=max).contains(&l) && (1..=max).contains(&c) {
                counts[((c - 1) * max + (l - 1)) as usize] += 1;
                total += 1;
            }
        }
        let rows = (1..=max)
            .rev()
            .map(|c| {
                (1..=max)
                    .map(|l| Cell {
                        likelihood: l,
                        consequence: c,
                        count: counts[((c - 1) * max + (l - 1)) as usize],
                        level: scale.level(l, c),
                        x: margin + (l as i32 - 1) * CELL_SIZE,
                        y: (max - c) as i32 * CELL_SIZE,
                    })
                    .collect()
            })
            .collect();
        Matrix { scale: scale.clone(), rows, total, margin }
    }

    pub fn width(&self) -> i32 {
        self.margin + self.scale.max as i32 * CELL_SIZE + 8
    }

    pub fn height(&self) -> i32 {
        self.scale.max as i32 * CELL_SIZE + 56
    }

    pub fn margin(&self) -> i32 {
        self.margin
    }

    pub fn cell_size(&self) -> i32 {
        CELL_SIZE
    }

    pub fn grid_bottom(&self) -> i32 {
        self.scale.max as i32 * CELL_SIZE
    }

    /// Label of a step (1-based) on the likelihood axis.
    pub fn likelihood_label(&self, step: &i16) -> &str {
        self.scale.likelihood_steps.get((*step - 1) as usize).map(String::as_str).unwrap_or("")
    }

    pub fn consequence_label(&self, step: &i16) -> &str {
        self.scale.consequence_steps.get((*step - 1) as usize).map(String::as_str).unwrap_or("")
    }
}

crate::codes! {
    /// What a risk analysis looks at.
    pub enum ObjectKind {
        System = "system" => "Ett informationssystem",
        Process = "process" => "En process eller verksamhet",
        ItEnvironment = "it_miljo" => "Hela IT-miljön",
        WelfareTechnology = "valfardsteknik" => "Välfärdsteknik",
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AnalysisForm {
    #[serde(default)]
    pub title: String,
    /// system, process, it_miljo or valfardsteknik.
    #[serde(default)]
    pub object_kind: String,
    /// The system analysed, when the object is a system.
    #[serde(default)]
    pub system_id: String,
    /// The object in words (a process, the welfare technology …).
    #[serde(default)]
    pub object_text: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub analysed_on: String,
    #[serde(default)]
    pub participants: String,
    #[serde(default)]
    pub owner_person_id: String,
    /// The version (ETag) the change was made from; a change made from an older one is
    /// refused. The If-Match header does the same.
    #[serde(default)]
    pub version: String,
}

#[derive(Clone, Debug)]
pub struct AnalysisInput {
    pub title: String,
    pub object_kind: ObjectKind,
    pub system_id: Option<Uuid>,
    pub object_text: String,
    pub analysed_on: NaiveDate,
    pub participants: String,
    pub owner_person_id: Option<Uuid>,
}

impl AnalysisForm {
    pub fn validate(&self) -> Result<AnalysisInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = self.title.trim().to_string();
        if title.is_empty() {
            errors.insert("title".into(), "Ge riskanalysen en rubrik.".into());
        }
        let object_kind = crate::web::form::required_code(
            &mut errors,
            "object_kind",
            &self.object_kind,
            ObjectKind::parse,
            "Välj vad som analyseras.",
        );
        let system_id = Uuid::parse_str(self.system_id.trim()).ok();
        if object_kind == Some(ObjectKind::System) && system_id.is_none() {
            errors.insert("system_id".into(), "Välj systemet som analyseras.".into());
        }
        let object_text = self.object_text.trim().to_string();
        if object_kind.is_some_and(|kind| kind != ObjectKind::System) && object_text.is_empty() {
            errors.insert("object_text".into(), "Beskriv vad som analyseras.".into());
        }
        let analysed_on = crate::web::form::optional_date(&mut errors, "analysed_on", &self.analysed_on);
        if analysed_on.is_none() && !errors.contains_key("analysed_on") {
            errors.insert("analysed_on".into(), "Ange när analysen gjordes.".into());
        }
        let owner_person_id = crate::web::form::optional_id(
            &mut errors,
            "owner_person_id",
            &self.owner_person_id,
            "Välj en person i listan.",
        );
        match (analysed_on, object_kind) {
            (Some(analysed_on), Some(object_kind)) if errors.is_empty() => Ok(AnalysisInput {
                title,
                system_id: if object_kind == ObjectKind::System { system_id } else { None },
                object_kind,
                object_text,
                analysed_on,
                participants: self.participants.trim().to_string(),
                owner_person_id,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RiskForm {
    /// The threat or undesired event.
    #[serde(default)]
    pub threat: String,
    #[serde(default)]
    pub likelihood: String,
    #[serde(default)]
    pub consequence: String,
    #[serde(default)]
    pub existing_measures: String,
    /// After the treatment (optional).
    #[serde(default)]
    pub residual_likelihood: String,
    #[serde(default)]
    pub residual_consequence: String,
    /// The version (ETag) the change was made from; a change made from an older one is
    /// refused. The If-Match header does the same.
    #[serde(default)]
    pub version: String,
}

#[derive(Clone, Debug)]
pub struct RiskInput {
    pub threat: String,
    pub likelihood: i16,
    pub consequence: i16,
    pub existing_measures: String,
    pub residual_likelihood: Option<i16>,
    pub residual_consequence: Option<i16>,
}

impl RiskForm {
    pub fn validate(&self, scale: &Scale) -> Result<RiskInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let threat = self.threat.trim().to_string();
        if threat.is_empty() {
            errors.insert("threat".into(), "Beskriv hotet eller den oönskade händelsen.".into());
        }
        let likelihood = scale.step(&mut errors, "likelihood", &self.likelihood, true);
        let consequence = scale.step(&mut errors, "consequence", &self.consequence, true);
        let residual_likelihood = scale.step(&mut errors, "residual_likelihood", &self.residual_likelihood, false);
        let residual_consequence = scale.step(&mut errors, "residual_consequence", &self.residual_consequence, false);
        if residual_likelihood.is_some() != residual_consequence.is_some() && errors.is_empty() {
            errors.insert(
                "residual_consequence".into(),
                "Ange både sannolikhet och konsekvens för kvarvarande risk, eller ingen av dem.".into(),
            );
        }
        match (likelihood, consequence) {
            (Some(likelihood), Some(consequence)) if errors.is_empty() => Ok(RiskInput {
                threat,
                likelihood,
                consequence,
                existing_measures: self.existing_measures.trim().to_string(),
                residual_likelihood,
                residual_consequence,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_owner_is_asked_about_untreated_risks_only_by_someone_who_cannot_accept() {
        let owner = Some(Uuid::new_v4());
        assert_eq!(acceptance_request_refused(false, owner, 2), None);
        assert!(acceptance_request_refused(true, owner, 2).is_some(), "the owner accepts instead");
        assert!(acceptance_request_refused(false, None, 2).is_some(), "no owner with an account");
        assert!(acceptance_request_refused(false, owner, 0).is_some(), "nothing left to decide");
    }

    use super::*;

    #[test]
    fn values_and_levels_follow_the_scale() {
        let four = Scale::default_four();
        assert_eq!(four.value(3, 4), 12);
        assert_eq!(four.level(1, 3), RiskLevel::Low);
        assert_eq!(four.level(2, 2), RiskLevel::Medium);
        assert_eq!(four.level(4, 2), RiskLevel::Medium);
        assert_eq!(four.level(3, 3), RiskLevel::High);
        let five = Scale::default_five();
        assert_eq!(five.level(1, 4), RiskLevel::Low);
        assert_eq!(five.level(5, 1), RiskLevel::Medium);
        assert_eq!(five.level(3, 4), RiskLevel::High);
        assert!(four.check().is_ok() && five.check().is_ok());
        let bad = Scale { medium_from: 9, high_from: 4, likelihood_steps: vec![], ..Scale::default_four() };
        assert_eq!(bad.check().unwrap_err().keys().collect::<Vec<_>>(), ["high_from", "likelihood_steps"]);
    }

    #[test]
    fn the_matrix_counts_each_cell_with_the_highest_consequence_on_top() {
        let scale = Scale::default_four();
        let matrix = Matrix::new(&scale, [(1, 4), (1, 4), (4, 1), (2, 3), (9, 9)]);
        assert_eq!(matrix.total, 4);
        assert_eq!(matrix.rows.len(), 4);
        let top_left = &matrix.rows[0][0];
        assert_eq!((top_left.likelihood, top_left.consequence, top_left.count), (1, 4, 2));
        assert_eq!((top_left.x, top_left.y), (matrix.margin(), 0));
        let longest = scale.consequence_steps.iter().map(|l| l.chars().count()).max().unwrap() as i32;
        assert!(matrix.margin() - 8 >= (longest + 2) * 7, "the longest label fits left of the grid");
        let bottom_right = &matrix.rows[3][3];
        assert_eq!((bottom_right.likelihood, bottom_right.consequence, bottom_right.count), (4, 1, 1));
        assert_eq!(matrix.rows[1][1].count, 1);
        assert_eq!(matrix.rows[0][3].level, RiskLevel::High);
    }

    #[test]
    fn risks_are_checked_against_the_scale() {
        let scale = Scale::default_four();
        let errors = RiskForm { likelihood: "5".into(), consequence: "".into(), ..Default::default() }
            .validate(&scale)
            .unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["consequence", "likelihood", "threat"]);
        let half = RiskForm {
            threat: "Utpressningsvirus".into(),
            likelihood: "3".into(),
            consequence: "4".into(),
            residual_likelihood: "1".into(),
            ..Default::default()
        };
        assert!(half.validate(&scale).unwrap_err().contains_key("residual_consequence"));
        let ok = RiskForm { residual_consequence: "4".into(), ..half }.validate(&scale).unwrap();
        assert_eq!((ok.likelihood, ok.consequence, ok.residual_likelihood), (3, 4, Some(1)));
        assert!(
            RiskForm { threat: "x".into(), likelihood: "5".into(), consequence: "5".into(), ..Default::default() }
                .validate(&Scale::default_five())
                .is_ok()
        );
    }

    #[test]
    fn analyses_name_their_object() {
        let errors = AnalysisForm { object_kind: "system".into(), analysed_on: "igår".into(), ..Default::default() }
            .validate()
            .unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["analysed_on", "system_id", "title"]);
        let process = AnalysisForm {
            title: "Löneprocessen".into(),
            object_kind: "process".into(),
            object_text: "Lön".into(),
            analysed_on: "2026-03-01".into(),
            system_id: Uuid::new_v4().to_string(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(process.system_id, None);
    }
}
