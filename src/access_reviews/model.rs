//! Access reviews (behörighetsgranskning): the form and the rules for when one is due.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldErrors;

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReviewForm {
    #[serde(default)]
    pub system_id: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub reviewed_on: String,
    #[serde(default)]
    pub reviewer_person_id: String,
    /// Made from a system-generated extract of accounts and roles.
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub from_system_extract: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub accounts_checked: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub roles_checked: bool,
    #[serde(default)]
    pub accounts_removed: String,
    #[serde(default)]
    pub roles_changed: String,
    #[serde(default)]
    pub findings: String,
    /// YYYY-MM-DD; a year after the review when empty.
    #[serde(default)]
    pub next_due: String,
}

#[derive(Debug)]
pub struct ReviewInput {
    pub system_id: Uuid,
    pub reviewed_on: NaiveDate,
    pub reviewer_person_id: Option<Uuid>,
    pub checks: [bool; 3],
    pub accounts_removed: i32,
    pub roles_changed: i32,
    pub findings: String,
    pub next_due: NaiveDate,
}

fn count(errors: &mut FieldErrors, field: &str, value: &str) -> i32 {
    crate::web::form::number_in(errors, field, value, 0, i32::MAX, 0)
}

impl ReviewForm {
    pub fn validate(&self, today: NaiveDate) -> Result<ReviewInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let system_id = Uuid::parse_str(self.system_id.trim()).ok();
        if system_id.is_none() {
            errors.insert("system_id".into(), "Välj system.".into());
        }
        let reviewed_on = crate::web::form::optional_date(&mut errors, "reviewed_on", &self.reviewed_on);
        match reviewed_on {
            None if !errors.contains_key("reviewed_on") => {
                errors.insert("reviewed_on".into(), "Ange när granskningen gjordes.".into());
            }
            Some(day) if day > today => {
                errors.insert("reviewed_on".into(), "Granskningen kan inte vara gjord i framtiden.".into());
            }
            _ => {}
        }
        let reviewer_person_id = crate::web::form::optional_id(
            &mut errors,
            "reviewer_person_id",
            &self.reviewer_person_id,
            "Välj en person i listan.",
        );
        let accounts_removed = count(&mut errors, "accounts_removed", &self.accounts_removed);
        let roles_changed = count(&mut errors, "roles_changed", &self.roles_changed);
        let next_due = crate::web::form::optional_date(&mut errors, "next_due", &self.next_due);
        match (system_id, reviewed_on) {
            (Some(system_id), Some(reviewed_on)) if errors.is_empty() => Ok(ReviewInput {
                system_id,
                reviewed_on,
                reviewer_person_id,
                checks: [self.from_system_extract, self.accounts_checked, self.roles_checked],
                accounts_removed,
                roles_changed,
                findings: self.findings.trim().to_string(),
                next_due: next_due.unwrap_or_else(|| default_next_due(reviewed_on)),
            }),
            _ => Err(errors),
        }
    }
}

/// At least yearly.
pub fn default_next_due(reviewed_on: NaiveDate) -> NaiveDate {
    crate::web::format::months_after(reviewed_on, 12)
}

/// A review counts in full only when made from a system-generated extract and covering
/// both accounts and roles (what audits ask for).
pub fn is_complete(checks: [bool; 3]) -> bool {
    checks.iter().all(|c| *c)
}

crate::codes! {
    /// Where a system stands: never reviewed, overdue, or reviewed and next due.
    pub enum Standing {
        Missing = "saknas" => "Aldrig granskad",
        Overdue = "forsenad" => "Försenad",
        Current = "aktuell" => "Aktuell",
    }
}

impl Standing {
    pub fn of(next_due: Option<NaiveDate>, today: NaiveDate) -> Standing {
        match next_due {
            None => Standing::Missing,
            Some(due) if due < today => Standing::Overdue,
            Some(_) => Standing::Current,
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
    fn reviews_are_due_yearly_unless_told_otherwise() {
        let today = day("2026-11-23");
        let form = ReviewForm {
            system_id: Uuid::new_v4().to_string(),
            reviewed_on: "2026-02-29".into(),
            accounts_removed: "-1".into(),
            ..Default::default()
        };
        assert_eq!(form.validate(today).unwrap_err().keys().collect::<Vec<_>>(), ["accounts_removed", "reviewed_on"]);
        let ok = ReviewForm { reviewed_on: "2025-11-30".into(), accounts_removed: "3".into(), ..form.clone() }
            .validate(today)
            .unwrap();
        assert_eq!((ok.next_due, ok.accounts_removed), (day("2026-11-30"), 3));
        let future = ReviewForm { reviewed_on: "2026-12-01".into(), accounts_removed: String::new(), ..form };
        assert!(future.validate(today).unwrap_err().contains_key("reviewed_on"));
        assert_eq!(default_next_due(day("2024-02-29")), day("2025-02-28"));
    }

    #[test]
    fn standing_and_completeness() {
        let today = day("2026-11-23");
        assert_eq!(Standing::of(None, today), Standing::Missing);
        assert_eq!(Standing::of(Some(day("2026-11-22")), today), Standing::Overdue);
        assert_eq!(Standing::of(Some(day("2026-11-23")), today), Standing::Current);
        assert!(is_complete([true, true, true]));
        assert!(!is_complete([true, true, false]));
    }
}
