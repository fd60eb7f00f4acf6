//! Actions (åtgärder): what needs doing, by whom and when, whatever it comes from.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldErrors;

pub const STATUSES: [(&str, &str); 3] = [("planerad", "Planerad"), ("pagar", "Pågår"), ("klar", "Klar")];

pub fn status_label(code: &str) -> &'static str {
    STATUSES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("")
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
}

#[derive(Debug)]
pub struct ActionInput {
    pub title: String,
    pub description: String,
    pub owner_person_id: Option<Uuid>,
    pub due_date: Option<NaiveDate>,
}

impl ActionForm {
    pub fn validate(&self) -> Result<ActionInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = self.title.trim().to_string();
        if title.is_empty() {
            errors.insert("title".into(), "Beskriv åtgärden kort.".into());
        }
        let owner_person_id = match self.owner_person_id.trim() {
            "" => None,
            id => Uuid::parse_str(id).ok().or_else(|| {
                errors.insert("owner_person_id".into(), "Välj en person i listan.".into());
                None
            }),
        };
        let due_date = crate::audits::model::optional_date(&mut errors, "due_date", &self.due_date);
        if errors.is_empty() {
            Ok(ActionInput { title, description: self.description.trim().to_string(), owner_person_id, due_date })
        } else {
            Err(errors)
        }
    }
}

/// A progress note, or evidence of what was done.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NoteForm {
    #[serde(default)]
    pub note: String,
    /// "planerad", "pagar" or "klar": the action's status after this note (optional).
    #[serde(default)]
    pub status: String,
    /// The note is evidence (underlag) of what was done.
    #[serde(default)]
    pub is_evidence: bool,
}

impl NoteForm {
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.note.trim().is_empty() {
            errors.insert("note".into(), "Skriv vad som har hänt.".into());
        }
        if !self.status.is_empty() && !STATUSES.iter().any(|(c, _)| *c == self.status) {
            errors.insert("status".into(), "Status är planerad, pågår eller klar.".into());
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_need_a_title_and_valid_dates_and_owners() {
        let errors = ActionForm { owner_person_id: "x".into(), due_date: "snart".into(), ..Default::default() }
            .validate()
            .unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["due_date", "owner_person_id", "title"]);
        let ok =
            ActionForm { title: " Anta incidentrutin ".into(), due_date: "2026-12-31".into(), ..Default::default() }
                .validate()
                .unwrap();
        assert_eq!(ok.title, "Anta incidentrutin");
    }

    #[test]
    fn notes_need_text_and_a_known_status() {
        assert!(NoteForm { note: "".into(), ..Default::default() }.check().is_err());
        assert!(NoteForm { note: "Klar".into(), status: "färdig".into(), is_evidence: false }.check().is_err());
        assert!(NoteForm { note: "Beslut i KS".into(), status: "klar".into(), is_evidence: true }.check().is_ok());
    }
}
