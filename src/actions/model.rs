//! Actions (åtgärder): what needs doing, by whom and when, whatever it comes from.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::code::Priority;
use crate::error::FieldErrors;

crate::codes! {
    /// Where an action stands.
    pub enum Status {
        Foreslagen = "foreslagen" => "Föreslagen",
        Planerad = "planerad" => "Planerad",
        Pagar = "pagar" => "Pågår",
        Klar = "klar" => "Klar",
    }
}

/// Late on a day: not done, and its due date has passed.
pub fn is_late(status: Status, due_date: Option<NaiveDate>, on: NaiveDate) -> bool {
    status != Status::Klar && due_date.is_some_and(|d| d < on)
}

crate::codes! {
    /// Where an action comes from.
    #[derive(Default)]
    pub enum Source {
        #[default]
        Manual = "manuell" => "Tillagd för hand",
        Recommendation = "rekommendation" => "Revisionsrekommendation",
        Risk = "risk" => "Riskbehandling",
        RequiredMeasure = "atgardskrav" => "Ej uppfyllt åtgärdskrav",
        ProtectionAnalysis = "skyddsanalys" => "Analys av skyddsbehov (nivå 4)",
        ComplianceCheck = "efterlevnadskontroll" => "Avtalskrav som inte uppfylls",
        Exercise = "ovning" => "Iakttagelse från kontinuitetsövning",
        InternalControl = "internkontroll" => "Avvikelse i internkontrollen",
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ActionForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The person responsible (a person in the organisation).
    #[serde(default)]
    pub owner_person_id: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub due_date: String,
    /// hog, medel or lag (optional).
    #[serde(default)]
    pub priority: String,
    /// Estimated effort or cost, in words ("40 timmar", "120 000 kr").
    #[serde(default)]
    pub effort: String,
    /// The version (ETag) the change was made from; a change made from an older one is
    /// refused. The If-Match header does the same.
    #[serde(default)]
    pub version: String,
}

#[derive(Debug)]
pub struct ActionInput {
    pub title: String,
    pub description: String,
    pub owner_person_id: Option<Uuid>,
    pub due_date: Option<NaiveDate>,
    pub priority: Option<Priority>,
    pub effort: String,
}

impl ActionForm {
    pub fn validate(&self) -> Result<ActionInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = self.title.trim().to_string();
        if title.is_empty() {
            errors.insert("title".into(), "Beskriv åtgärden kort.".into());
        }
        let owner_person_id = crate::web::form::optional_id(
            &mut errors,
            "owner_person_id",
            &self.owner_person_id,
            "Välj en person i listan.",
        );
        let due_date = crate::web::form::optional_date(&mut errors, "due_date", &self.due_date);
        let priority = crate::web::form::optional_code(
            &mut errors,
            "priority",
            &self.priority,
            Priority::parse,
            "Prioriteten är hög, medel eller låg.",
        );
        if errors.is_empty() {
            Ok(ActionInput {
                title,
                description: self.description.trim().to_string(),
                owner_person_id,
                due_date,
                priority,
                effort: self.effort.trim().to_string(),
            })
        } else {
            Err(errors)
        }
    }
}

/// A year's handlingsplan: its resources and the board's decision.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PlanForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub resources: String,
    #[serde(default)]
    pub decided_by_body_id: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub decision_date: String,
    /// E.g. "KS 2026-02-18 § 31".
    #[serde(default)]
    pub decision_reference: String,
}

/// A year's handlingsplan as validated.
#[derive(Debug)]
pub struct PlanInput {
    pub year: i32,
    pub resources: String,
    pub decided_by_body_id: Option<Uuid>,
    pub decision_date: Option<NaiveDate>,
    pub decision_reference: String,
}

impl PlanForm {
    pub fn validate(&self) -> Result<PlanInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let year = self.year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
        if year.is_none() {
            errors.insert("year".into(), "Ange året som fyra siffror.".into());
        }
        let decided_by_body_id = crate::web::form::optional_id(
            &mut errors,
            "decided_by_body_id",
            &self.decided_by_body_id,
            "Välj ett organ i listan.",
        );
        let decision_date = crate::web::form::optional_date(&mut errors, "decision_date", &self.decision_date);
        let decision_reference = self.decision_reference.trim().to_string();
        if decision_date.is_some() == decision_reference.is_empty() && !errors.contains_key("decision_date") {
            errors
                .insert("decision_reference".into(), "Ange både beslutsdatum och paragraf, eller inget av dem.".into());
        }
        match year {
            Some(year) if errors.is_empty() => Ok(PlanInput {
                year,
                resources: self.resources.trim().to_string(),
                decided_by_body_id,
                decision_date,
                decision_reference,
            }),
            _ => Err(errors),
        }
    }
}

/// A progress note, or evidence of what was done.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NoteForm {
    #[serde(default)]
    pub note: String,
    /// "foreslagen", "planerad", "pagar" or "klar": the action's status after this note (optional).
    #[serde(default)]
    pub status: String,
    /// The note is evidence (underlag) of what was done.
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub is_evidence: bool,
}

impl NoteForm {
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.note.trim().is_empty() {
            errors.insert("note".into(), "Skriv vad som har hänt.".into());
        }
        if !self.status.is_empty() && Status::parse(&self.status).is_none() {
            errors.insert("status".into(), "Status är föreslagen, planerad, pågår eller klar.".into());
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_need_a_title_and_valid_dates_and_owners() {
        let errors = ActionForm {
            owner_person_id: "x".into(),
            due_date: "snart".into(),
            priority: "akut".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["due_date", "owner_person_id", "priority", "title"]);
        let ok =
            ActionForm { title: " Anta incidentrutin ".into(), due_date: "2026-12-31".into(), ..Default::default() }
                .validate()
                .unwrap();
        assert_eq!(ok.title, "Anta incidentrutin");
    }

    #[test]
    fn plans_need_a_year_and_a_whole_decision() {
        let errors = PlanForm { year: "26".into(), decision_reference: "KS § 31".into(), ..Default::default() }
            .validate()
            .unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["decision_reference", "year"]);
        let plan = PlanForm {
            year: "2026".into(),
            decision_date: "2026-02-18".into(),
            decision_reference: "KS 2026-02-18 § 31".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(plan.year, 2026);
    }

    #[test]
    fn notes_need_text_and_a_known_status() {
        assert!(NoteForm { note: "".into(), ..Default::default() }.check().is_err());
        assert!(NoteForm { note: "Klar".into(), status: "färdig".into(), is_evidence: false }.check().is_err());
        assert!(NoteForm { note: "Beslut i KS".into(), status: "klar".into(), is_evidence: true }.check().is_ok());
    }
}
