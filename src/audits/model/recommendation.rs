//! A recommendation: its status rules, priorities and areas, its edit and response forms.

use crate::actions::model::Status as ActionStatus;
use uuid::Uuid;

use super::ids;

pub use crate::code::Priority;
use crate::web::form::optional_date;

crate::codes! {
    /// Where a recommendation stands on its way to closure.
    pub enum Status {
        /// Nothing claimed yet.
        Oppen = "oppen" => "Öppen",
        /// The responsible person says it is done, with evidence.
        Atgardad = "atgardad" => "Åtgärdad enligt ansvarig",
        /// An auditor has checked the evidence.
        Verifierad = "verifierad" => "Verifierad",
        /// An auditor found the claim wanting.
        Ateroppnad = "ateroppnad" => "Återöppnad",
    }
}

impl Status {
    /// Still awaiting work by the municipality: the one definition of "open".
    pub const OPEN: [Status; 2] = [Status::Oppen, Status::Ateroppnad];

    pub fn is_open(self) -> bool {
        Status::OPEN.contains(&self)
    }
}

/// Open and past its target date.
pub fn is_overdue(status: Status, target_date: Option<chrono::NaiveDate>, today: chrono::NaiveDate) -> bool {
    status.is_open() && target_date.is_some_and(|d| d < today)
}

/// A change of status someone asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// The responsible person (or the coordinator) claims the recommendation is done.
    Claim,
    /// An auditor confirms it.
    Verify,
    /// An auditor sends it back.
    Reopen,
}

/// In what capacity the user acts on this recommendation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Standing {
    pub auditor: bool,
    pub coordinator: bool,
    /// Named responsible for the recommendation or one of its actions.
    pub responsible: bool,
}

/// Why a change of status is refused, in Swedish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    pub message: &'static str,
    /// The user may not make this change at all (as opposed to: not now, or not like this).
    pub forbidden: bool,
}

impl From<&'static str> for Refused {
    fn from(message: &'static str) -> Self {
        Refused { message, forbidden: false }
    }
}

fn forbidden(message: &'static str) -> Refused {
    Refused { message, forbidden: true }
}

/// The status `transition` leads to if `who` may make it from `current`, or why not: who may
/// act, and from which status. The page offers exactly the transitions this allows.
fn permitted(current: Status, transition: Transition, who: Standing) -> Result<Status, Refused> {
    match transition {
        Transition::Claim => {
            if !(who.responsible || who.coordinator) {
                return Err(forbidden(
                    "Bara den ansvarige eller samordnaren kan anmäla en rekommendation som åtgärdad.",
                ));
            }
            if !current.is_open() {
                return Err("Bara en öppen eller återöppnad rekommendation kan anmälas som åtgärdad.".into());
            }
            Ok(Status::Atgardad)
        }
        Transition::Verify => {
            if !who.auditor {
                return Err(forbidden("Bara en revisor kan verifiera en rekommendation."));
            }
            if current != Status::Atgardad {
                return Err("Bara en rekommendation som anmälts som åtgärdad kan verifieras.".into());
            }
            Ok(Status::Verifierad)
        }
        Transition::Reopen => {
            if !who.auditor {
                return Err(forbidden("Bara en revisor kan återöppna en rekommendation."));
            }
            if current.is_open() {
                return Err("Rekommendationen är redan öppen.".into());
            }
            Ok(Status::Ateroppnad)
        }
    }
}

/// Whether the page offers `transition` to `who` on a recommendation in `current` (what it
/// asks for, a comment or evidence, is checked when it is made).
pub fn offered(current: Status, transition: Transition, who: Standing) -> bool {
    permitted(current, transition, who).is_ok()
}

/// The status after `transition`, or why it is refused.
pub fn apply(
    current: Status,
    transition: Transition,
    who: Standing,
    comment: &str,
    has_evidence: bool,
) -> Result<Status, Refused> {
    let status = permitted(current, transition, who)?;
    let comment = comment.trim();
    match transition {
        Transition::Claim if !has_evidence => {
            Err("Beskriv vad som har gjorts (underlag) innan rekommendationen anmäls som åtgärdad.".into())
        }
        Transition::Verify if comment.is_empty() => Err("Skriv en kommentar till verifieringen.".into()),
        Transition::Reopen if comment.is_empty() => Err("Ange varför rekommendationen återöppnas.".into()),
        _ => Ok(status),
    }
}

/// What the actions taken so far add up to.
pub fn progress(action_statuses: &[ActionStatus]) -> &'static str {
    if action_statuses.is_empty() {
        "Inga åtgärder"
    } else if action_statuses.iter().all(|s| *s == ActionStatus::Klar) {
        "Åtgärderna är klara"
    } else if action_statuses.iter().any(|s| matches!(s, ActionStatus::Pagar | ActionStatus::Klar)) {
        "Pågår"
    } else {
        "Planerad"
    }
}

#[cfg(test)]
mod status_tests {
    use super::*;

    const AUDITOR: Standing = Standing { auditor: true, coordinator: false, responsible: false };
    const COORDINATOR: Standing = Standing { auditor: false, coordinator: true, responsible: false };
    const RESPONSIBLE: Standing = Standing { auditor: false, coordinator: false, responsible: true };
    const READER: Standing = Standing { auditor: false, coordinator: false, responsible: false };

    /// (from, transition, who, comment, has evidence) → the new status, or refused.
    type Case = (Status, Transition, Standing, &'static str, bool, Result<Status, ()>);

    #[test]
    fn a_transition_is_offered_exactly_when_it_succeeds_with_comment_and_evidence() {
        use Status::*;
        use Transition::*;
        for from in [Oppen, Atgardad, Verifierad, Ateroppnad] {
            for transition in [Claim, Verify, Reopen] {
                for who in [AUDITOR, COORDINATOR, RESPONSIBLE, READER] {
                    let made = apply(from, transition, who, "Skäl", true).is_ok();
                    assert_eq!(offered(from, transition, who), made, "{from:?} {transition:?} {who:?}");
                }
            }
        }
        assert!(
            offered(Oppen, Claim, RESPONSIBLE)
                && !offered(Oppen, Verify, AUDITOR)
                && offered(Atgardad, Reopen, AUDITOR)
        );
    }

    #[test]
    fn every_transition_from_every_status_by_every_standing() {
        use Status::*;
        use Transition::*;
        let cases: Vec<Case> = vec![
            (Oppen, Claim, RESPONSIBLE, "", true, Ok(Atgardad)),
            (Oppen, Claim, COORDINATOR, "", true, Ok(Atgardad)),
            (Ateroppnad, Claim, RESPONSIBLE, "", true, Ok(Atgardad)),
            (Oppen, Claim, RESPONSIBLE, "", false, Err(())),
            (Oppen, Claim, AUDITOR, "", true, Err(())),
            (Oppen, Claim, READER, "", true, Err(())),
            (Atgardad, Claim, RESPONSIBLE, "", true, Err(())),
            (Verifierad, Claim, COORDINATOR, "", true, Err(())),
            (Atgardad, Verify, AUDITOR, "Underlaget visar att rutinen är antagen.", false, Ok(Verifierad)),
            (Atgardad, Verify, AUDITOR, "  ", true, Err(())),
            (Atgardad, Verify, COORDINATOR, "OK", true, Err(())),
            (Atgardad, Verify, RESPONSIBLE, "OK", true, Err(())),
            (Oppen, Verify, AUDITOR, "OK", true, Err(())),
            (Ateroppnad, Verify, AUDITOR, "OK", true, Err(())),
            (Verifierad, Verify, AUDITOR, "OK", true, Err(())),
            (Atgardad, Reopen, AUDITOR, "Rutinen är inte beslutad.", true, Ok(Ateroppnad)),
            (Verifierad, Reopen, AUDITOR, "Uppföljningen visar brister.", true, Ok(Ateroppnad)),
            (Atgardad, Reopen, AUDITOR, "", true, Err(())),
            (Oppen, Reopen, AUDITOR, "Skäl", true, Err(())),
            (Ateroppnad, Reopen, AUDITOR, "Skäl", true, Err(())),
            (Verifierad, Reopen, COORDINATOR, "Skäl", true, Err(())),
        ];
        for (from, transition, who, comment, evidence, expected) in cases {
            let result = apply(from, transition, who, comment, evidence);
            assert_eq!(result.map_err(|_| ()), expected, "{from:?} {transition:?} {who:?}");
        }
        assert_eq!(
            apply(Oppen, Claim, RESPONSIBLE, "", false),
            Err("Beskriv vad som har gjorts (underlag) innan rekommendationen anmäls som åtgärdad.".into())
        );
        assert!(apply(Atgardad, Verify, COORDINATOR, "OK", true).unwrap_err().forbidden);
        assert!(!apply(Oppen, Verify, AUDITOR, "OK", true).unwrap_err().forbidden);
    }

    #[test]
    fn progress_comes_from_the_actions() {
        assert_eq!(progress(&[]), "Inga åtgärder");
        use ActionStatus::{Klar, Pagar, Planerad};
        assert_eq!(progress(&[Planerad, Planerad]), "Planerad");
        assert_eq!(progress(&[Planerad, Pagar]), "Pågår");
        assert_eq!(progress(&[Klar, Planerad]), "Pågår");
        assert_eq!(progress(&[Klar, Klar]), "Åtgärderna är klara");
    }

    #[test]
    fn statuses_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.code()), Some(status));
        }
    }
}

/// A recommendation to add to an audit.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct NewRecommendation {
    pub text: String,
    #[serde(default)]
    pub body_ids: Vec<Uuid>,
    /// lag, medel or hog.
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub target_date: Option<chrono::NaiveDate>,
}

impl NewRecommendation {
    /// Swedish messages for what is wrong, keyed by field.
    pub fn check(&self) -> Result<(), crate::error::FieldErrors> {
        let mut errors = crate::error::FieldErrors::new();
        if self.text.trim().is_empty() {
            errors.insert("text".into(), "Rekommendationen saknar text.".into());
        }
        if self.body_ids.is_empty() {
            errors.insert("body_ids".into(), "Välj minst ett organ som rekommendationen riktas till.".into());
        }
        if self.priority.as_deref().is_some_and(|p| Priority::parse(p).is_none()) {
            errors.insert("priority".into(), "Prioritet är låg, medel eller hög.".into());
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// The median of some numbers (the lower middle for an even count), or None.
pub fn median(values: &mut [i64]) -> Option<i64> {
    values.sort_unstable();
    (!values.is_empty()).then(|| values[(values.len() - 1) / 2])
}

#[cfg(test)]
mod median_tests {
    #[test]
    fn medians() {
        assert_eq!(super::median(&mut []), None);
        assert_eq!(super::median(&mut [5]), Some(5));
        assert_eq!(super::median(&mut [9, 1, 5]), Some(5));
        assert_eq!(super::median(&mut [4, 1, 3, 2]), Some(2));
    }
}

crate::codes! {
    /// The areas of information security a recommendation is about, as the register tags them.
    pub enum Area {
        Styrning = "styrning" => "Styrning",
        Organisation = "organisation" => "Organisation",
        Klassning = "klassning" => "Klassning",
        Riskanalys = "riskanalys" => "Riskanalys",
        Leverantorer = "leverantorer" => "Leverantörer",
        Incidenter = "incidenter" => "Incidenter",
        Utbildning = "utbildning" => "Utbildning",
        Behorigheter = "behorigheter" => "Behörigheter",
        Kontinuitet = "kontinuitet" => "Kontinuitet",
        Uppfoljning = "uppfoljning" => "Uppföljning",
    }
}

/// A recommendation's editable details.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct RecommendationForm {
    #[serde(default)]
    pub text: String,
    /// lag, medel, hog or empty.
    #[serde(default)]
    pub priority: String,
    /// Area tags, e.g. "klassning", "incidenter".
    #[serde(default)]
    pub areas: Vec<String>,
    #[serde(default)]
    pub responsible_person_id: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub target_date: String,
    /// The audit questions the recommendation answers (of the same audit).
    #[serde(default)]
    pub question_ids: Vec<String>,
    /// The version (ETag) the change was made from; a change made from an older one is
    /// refused. The If-Match header does the same.
    #[serde(default)]
    pub version: String,
}

#[derive(Debug)]
pub struct RecommendationEdit {
    pub text: String,
    pub priority: Option<Priority>,
    /// Each once, in the order of `Area::ALL`.
    pub areas: Vec<Area>,
    pub responsible_person_id: Option<Uuid>,
    pub target_date: Option<chrono::NaiveDate>,
    pub question_ids: Vec<Uuid>,
}

impl RecommendationForm {
    pub fn validate(&self) -> Result<RecommendationEdit, crate::error::FieldErrors> {
        let mut errors = crate::error::FieldErrors::new();
        let text = self.text.trim().to_string();
        if text.is_empty() {
            errors.insert("text".into(), "Rekommendationen saknar text.".into());
        }
        let priority = crate::web::form::optional_code(
            &mut errors,
            "priority",
            &self.priority,
            Priority::parse,
            "Prioritet är låg, medel eller hög.",
        );
        let typed: Vec<&str> = self.areas.iter().map(|a| a.trim()).filter(|a| !a.is_empty()).collect();
        if typed.iter().any(|a| Area::parse(a).is_none()) {
            errors.insert("areas".into(), "Välj områden i listan.".into());
        }
        let areas: Vec<Area> = Area::ALL.into_iter().filter(|area| typed.contains(&area.code())).collect();
        let responsible = ids(&mut errors, "responsible_person_id", std::slice::from_ref(&self.responsible_person_id));
        let target_date = optional_date(&mut errors, "target_date", &self.target_date);
        let question_ids = ids(&mut errors, "question_ids", &self.question_ids);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(RecommendationEdit {
            text,
            priority,
            areas,
            responsible_person_id: responsible.first().copied(),
            target_date,
            question_ids,
        })
    }
}

/// A board's written answer (yttrande) to a recommendation.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct ResponseForm {
    #[serde(default)]
    pub body_id: String,
    /// The audit whose request this answers; empty for the latest audit that asks.
    #[serde(default)]
    pub audit_id: String,
    /// What will be done.
    #[serde(default)]
    pub text: String,
    /// By when, YYYY-MM-DD.
    #[serde(default)]
    pub planned_by: String,
    /// E.g. "KS 2024-02-14 § 23".
    #[serde(default)]
    pub decision_reference: String,
    #[serde(default)]
    pub decision_date: String,
}

#[derive(Debug)]
pub struct ResponseInput {
    pub body_id: Uuid,
    pub audit_id: Option<Uuid>,
    pub text: String,
    pub planned_by: Option<chrono::NaiveDate>,
    pub decision_reference: String,
    pub decision_date: Option<chrono::NaiveDate>,
}

impl ResponseForm {
    pub fn validate(&self) -> Result<ResponseInput, crate::error::FieldErrors> {
        let mut errors = crate::error::FieldErrors::new();
        let body_id = Uuid::parse_str(self.body_id.trim()).ok();
        if body_id.is_none() {
            errors.insert("body_id".into(), "Välj vilket organ som svarar.".into());
        }
        let text = self.text.trim().to_string();
        if text.is_empty() {
            errors.insert("text".into(), "Skriv vad organet ska göra.".into());
        }
        let planned_by = optional_date(&mut errors, "planned_by", &self.planned_by);
        let decision_date = optional_date(&mut errors, "decision_date", &self.decision_date);
        let audit_id =
            crate::web::form::optional_id(&mut errors, "audit_id", &self.audit_id, "Välj granskningen i listan.");
        match (body_id, errors.is_empty()) {
            (Some(body_id), true) => Ok(ResponseInput {
                body_id,
                audit_id,
                text,
                planned_by,
                decision_reference: self.decision_reference.trim().to_string(),
                decision_date,
            }),
            _ => Err(errors),
        }
    }
}

/// A body's answer is overdue when the deadline has passed without one.
pub fn response_overdue(deadline: Option<chrono::NaiveDate>, answered: bool, today: chrono::NaiveDate) -> bool {
    !answered && deadline.is_some_and(|d| d < today)
}

#[cfg(test)]
mod edit_tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn recommendation_edits_are_validated() {
        let errors = RecommendationForm {
            priority: "akut".into(),
            areas: vec!["väder".into()],
            target_date: "snart".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["areas", "priority", "target_date", "text"]);
        let ok = RecommendationForm {
            text: "Utse ägare".into(),
            areas: vec!["utbildning".into(), "styrning".into(), "styrning".into()],
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(
            (ok.priority, ok.areas, ok.responsible_person_id),
            (None, vec![Area::Styrning, Area::Utbildning], None)
        );
    }

    #[test]
    fn responses_are_overdue_only_after_the_deadline_without_an_answer() {
        let day = |d| NaiveDate::from_ymd_opt(2024, 6, d);
        assert!(response_overdue(day(30), false, day(30).unwrap().succ_opt().unwrap()));
        assert!(!response_overdue(day(30), false, day(30).unwrap()));
        assert!(!response_overdue(day(30), true, day(30).unwrap().succ_opt().unwrap()));
        assert!(!response_overdue(None, false, day(1).unwrap()));
        assert!(
            ResponseForm { body_id: "x".into(), ..Default::default() }.validate().unwrap_err().contains_key("body_id")
        );
    }
}
