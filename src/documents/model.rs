//! Governing documents (styrdokument): the form, when a review is due, and documents that
//! name different bodies as ultimately responsible.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Role;
use crate::error::FieldErrors;
use crate::web::form::{code_or, number_in, optional_date, optional_id, required_code};
use crate::web::format::months_after;

crate::codes! {
    /// What kind of governing document it is, from the most binding.
    pub enum Kind {
        Policy = "policy" => "Policy",
        Riktlinje = "riktlinje" => "Riktlinje",
        Rutin = "rutin" => "Rutin",
        Instruktion = "instruktion" => "Instruktion",
    }
}

crate::codes! {
    /// Where a governing document stands: a draft, in force, or repealed.
    pub enum Status {
        Utkast = "utkast" => "Utkast",
        Gallande = "gallande" => "Gällande",
        Upphavd = "upphavd" => "Upphävd",
    }
}

/// Three years, unless the document says otherwise.
pub const DEFAULT_REVIEW_MONTHS: i32 = 36;

/// The roles that must know a document, as (code, label).
pub fn audiences() -> Vec<(&'static str, &'static str)> {
    Role::ALL.into_iter().map(|r| (r.code(), r.label())).collect()
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DocumentForm {
    #[serde(default)]
    pub title: String,
    /// policy, riktlinje, rutin or instruktion.
    #[serde(default)]
    pub kind: String,
    /// The body that decided it.
    #[serde(default)]
    pub decided_by_body_id: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub decided_on: String,
    /// E.g. "KS 2021-05-26 § 177".
    #[serde(default)]
    pub decision_reference: String,
    #[serde(default)]
    pub owner_person_id: String,
    /// The body the document names as ultimately responsible for information security, if it names one.
    #[serde(default)]
    pub responsible_body_id: String,
    /// Months between reviews; 36 when empty.
    #[serde(default)]
    pub review_interval_months: String,
    /// YYYY-MM-DD of the latest review without a new decision.
    #[serde(default)]
    pub last_reviewed_on: String,
    /// utkast, gallande or upphavd.
    #[serde(default)]
    pub status: String,
    /// Where the document is published.
    #[serde(default)]
    pub link_url: String,
    /// Role codes of those who must know it.
    #[serde(default)]
    pub audience: Vec<String>,
    /// The version (ETag) the change was made from; a change made from an older one is
    /// refused. The If-Match header does the same.
    #[serde(default)]
    pub version: String,
}

#[derive(Debug)]
pub struct DocumentInput {
    pub title: String,
    pub kind: Kind,
    pub decided_by_body_id: Option<Uuid>,
    pub decided_on: Option<NaiveDate>,
    pub decision_reference: String,
    pub owner_person_id: Option<Uuid>,
    pub responsible_body_id: Option<Uuid>,
    pub review_interval_months: i16,
    pub last_reviewed_on: Option<NaiveDate>,
    pub status: Status,
    pub link_url: String,
    pub audience: Vec<String>,
}

impl DocumentForm {
    pub fn validate(&self) -> Result<DocumentInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = self.title.trim().to_string();
        if title.is_empty() {
            errors.insert("title".into(), "Ange dokumentets titel.".into());
        }
        let kind = required_code(&mut errors, "kind", &self.kind, Kind::parse, "Välj slag av styrdokument.");
        let status = code_or(&mut errors, "status", &self.status, Status::parse, Status::Gallande, "Välj status.");
        let choose = "Välj i listan.";
        let decided_by_body_id = optional_id(&mut errors, "decided_by_body_id", &self.decided_by_body_id, choose);
        let decided_on = optional_date(&mut errors, "decided_on", &self.decided_on);
        if status == Status::Gallande && decided_on.is_none() && !errors.contains_key("decided_on") {
            errors.insert("decided_on".into(), "Ange när ett gällande dokument beslutades.".into());
        }
        let owner_person_id = optional_id(&mut errors, "owner_person_id", &self.owner_person_id, choose);
        let responsible_body_id = optional_id(&mut errors, "responsible_body_id", &self.responsible_body_id, choose);
        let review_interval_months = number_in(
            &mut errors,
            "review_interval_months",
            &self.review_interval_months,
            1,
            120,
            DEFAULT_REVIEW_MONTHS,
        ) as i16;
        let last_reviewed_on = optional_date(&mut errors, "last_reviewed_on", &self.last_reviewed_on);
        let link_url = self.link_url.trim().to_string();
        if !(link_url.is_empty() || link_url.starts_with("https://") || link_url.starts_with("http://")) {
            errors.insert("link_url".into(), "Ange en webbadress som börjar med https://.".into());
        }
        let known: Vec<&str> = audiences().into_iter().map(|(c, _)| c).collect();
        let mut audience: Vec<String> = self.audience.iter().filter(|a| !a.is_empty()).cloned().collect();
        audience.sort();
        audience.dedup();
        if audience.iter().any(|a| !known.contains(&a.as_str())) {
            errors.insert("audience".into(), "Välj bland rollerna.".into());
        }
        let (Some(kind), true) = (kind, errors.is_empty()) else { return Err(errors) };
        Ok(DocumentInput {
            title,
            kind,
            decided_by_body_id,
            decided_on,
            decision_reference: self.decision_reference.trim().into(),
            owner_person_id,
            responsible_body_id,
            review_interval_months,
            last_reviewed_on,
            status,
            link_url,
            audience,
        })
    }
}

/// One interval after the later of the decision and the latest review; None when neither is known.
pub fn next_review(
    decided_on: Option<NaiveDate>,
    last_reviewed_on: Option<NaiveDate>,
    interval: i16,
) -> Option<NaiveDate> {
    let since = decided_on.max(last_reviewed_on)?;
    Some(months_after(since, interval.max(1) as u32))
}

/// Only a document in force needs reviewing.
pub fn is_review_overdue(status: Status, next_review: Option<NaiveDate>, today: NaiveDate) -> bool {
    status == Status::Gallande && next_review.is_some_and(|due| due < today)
}

/// Documents in force naming different bodies as ultimately responsible: (body, titles naming it)
/// for each body named, or nothing when they agree. Audits report exactly this.
pub fn responsibility_conflict<'a>(named: &[(&'a str, &'a str)]) -> Vec<(&'a str, Vec<&'a str>)> {
    let mut bodies: Vec<(&str, Vec<&str>)> = Vec::new();
    for (title, body) in named {
        match bodies.iter_mut().find(|(b, _)| b == body) {
            Some((_, titles)) => titles.push(title),
            None => bodies.push((body, vec![title])),
        }
    }
    if bodies.len() > 1 { bodies } else { Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn reviews_fall_due_three_years_after_the_later_of_decision_and_review() {
        assert_eq!(next_review(Some(d(2021, 5, 26)), None, 36), Some(d(2024, 5, 26)));
        assert_eq!(next_review(Some(d(2021, 5, 26)), Some(d(2024, 4, 1)), 36), Some(d(2027, 4, 1)));
        assert_eq!(next_review(None, None, 36), None);
        assert!(is_review_overdue(Status::Gallande, Some(d(2024, 5, 26)), d(2024, 5, 27)));
        assert!(!is_review_overdue(Status::Gallande, Some(d(2024, 5, 26)), d(2024, 5, 26)));
        assert!(
            !is_review_overdue(Status::Upphavd, Some(d(2024, 5, 26)), d(2026, 1, 1)),
            "a repealed document is not reviewed"
        );
    }

    #[test]
    fn documents_naming_different_responsible_bodies_conflict() {
        let agree = [("Informationssäkerhetspolicy", "Kommunstyrelsen"), ("Riktlinje", "Kommunstyrelsen")];
        assert!(responsibility_conflict(&agree).is_empty());
        let differ = [
            ("Informationssäkerhetspolicy", "Kommunstyrelsen"),
            ("Riktlinje för informationssäkerhet", "Kommundirektören"),
            ("Rutin för incidenter", "Kommunstyrelsen"),
        ];
        assert_eq!(
            responsibility_conflict(&differ),
            vec![
                ("Kommunstyrelsen", vec!["Informationssäkerhetspolicy", "Rutin för incidenter"]),
                ("Kommundirektören", vec!["Riktlinje för informationssäkerhet"]),
            ]
        );
    }

    #[test]
    fn the_form_explains_what_is_missing() {
        let errors = DocumentForm { link_url: "intranet/policy".into(), ..Default::default() }.validate().unwrap_err();
        for field in ["title", "kind", "decided_on", "link_url"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
        let draft = DocumentForm {
            title: "Rutin för behörigheter".into(),
            kind: "rutin".into(),
            status: "utkast".into(),
            audience: vec!["systemagare".into(), "systemagare".into()],
            ..Default::default()
        };
        let input = draft.validate().unwrap();
        assert_eq!((input.review_interval_months, input.audience), (36, vec!["systemagare".to_string()]));
        let bad_role = DocumentForm { audience: vec!["alla".into()], ..draft };
        assert!(bad_role.validate().unwrap_err().contains_key("audience"));
    }
}
