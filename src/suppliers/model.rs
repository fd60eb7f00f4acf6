//! Suppliers, contracts and compliance checks: forms and the rules for notice periods,
//! checks falling due and security requirements missing from a contract.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::classification::model::{ProtectionLevel, Requirement, is_required};
use crate::error::FieldErrors;
use crate::org::model::{is_org_number, normalise_org_number};
use crate::web::form::{number_in, optional_date, optional_id};
use crate::web::format::{months_after, months_before};

crate::codes! {
    /// What a supplier does for the municipality.
    pub enum Kind {
        ItDrift = "it_drift" => "IT-driftleverantör",
        Systemleverantor = "systemleverantor" => "Systemleverantör",
        Molntjanst = "molntjanst" => "Molntjänst",
        SamagtBolag = "samagt_bolag" => "Samägt bolag",
    }
}

crate::codes! {
    /// What a compliance check found.
    pub enum CheckResult {
        Met = "uppfylls" => "Uppfylls",
        Partly = "delvis" => "Uppfylls delvis",
        NotMet = "uppfylls_ej" => "Uppfylls ej",
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SupplierForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub org_number: String,
    /// it_drift, systemleverantor, molntjanst or samagt_bolag.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub contact: String,
    /// Who to call when something happens.
    #[serde(default)]
    pub incident_contact: String,
    #[serde(default)]
    pub escalation_path: String,
    /// Used by several municipalities (a jointly owned company); needs the organisation number.
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub is_shared: bool,
    /// The version (ETag) the change was made from; a change made from an older one is
    /// refused. The If-Match header does the same.
    #[serde(default)]
    pub version: String,
}

#[derive(Debug)]
pub struct SupplierInput {
    pub name: String,
    pub org_number: String,
    pub kind: Kind,
    pub contact: String,
    pub incident_contact: String,
    pub escalation_path: String,
    pub is_shared: bool,
}

impl SupplierForm {
    pub fn validate(&self) -> Result<SupplierInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.insert("name".into(), "Ange leverantörens namn.".into());
        }
        let org_number = match self.org_number.trim() {
            "" => String::new(),
            given => normalise_org_number(given),
        };
        if !org_number.is_empty() && !is_org_number(&org_number) {
            errors.insert("org_number".into(), "Ange ett giltigt organisationsnummer, t.ex. 556677-8899.".into());
        } else if self.is_shared && org_number.is_empty() {
            errors.insert(
                "org_number".into(),
                "En delad leverantör behöver organisationsnummer, så att kommunerna känner igen samma bolag.".into(),
            );
        }
        let kind = crate::web::form::required_code(
            &mut errors,
            "kind",
            &self.kind,
            Kind::parse,
            "Välj vilken sorts leverantör det är.",
        );
        let (Some(kind), true) = (kind, errors.is_empty()) else { return Err(errors) };
        Ok(SupplierInput {
            name,
            org_number,
            kind,
            contact: self.contact.trim().into(),
            incident_contact: self.incident_contact.trim().into(),
            escalation_path: self.escalation_path.trim().into(),
            is_shared: self.is_shared,
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ContractForm {
    #[serde(default)]
    pub supplier_id: String,
    #[serde(default)]
    pub title: String,
    /// The contract's number or diarienummer.
    #[serde(default)]
    pub reference: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub starts_on: String,
    /// YYYY-MM-DD; empty for a contract that runs until further notice.
    #[serde(default)]
    pub ends_on: String,
    /// Months of notice before the end.
    #[serde(default)]
    pub notice_months: String,
    /// Beställaransvarig.
    #[serde(default)]
    pub owner_person_id: String,
    #[serde(default)]
    pub sla_summary: String,
    /// A personuppgiftsbiträdesavtal is signed.
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub has_dpa: bool,
    /// Months between compliance checks of each requirement; 12 when empty.
    #[serde(default)]
    pub check_interval_months: String,
    /// The systems the contract covers.
    #[serde(default)]
    pub system_ids: Vec<String>,
    /// The security requirements written into the contract, from the requirement catalogue.
    #[serde(default)]
    pub measure_ids: Vec<String>,
    /// The version (ETag) the change was made from; a change made from an older one is
    /// refused. The If-Match header does the same.
    #[serde(default)]
    pub version: String,
}

#[derive(Debug)]
pub struct ContractInput {
    pub supplier_id: Uuid,
    pub title: String,
    pub reference: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub notice_months: i16,
    pub owner_person_id: Option<Uuid>,
    pub sla_summary: String,
    pub has_dpa: bool,
    pub check_interval_months: i16,
    pub system_ids: Vec<Uuid>,
    pub measure_ids: Vec<Uuid>,
}

impl ContractForm {
    pub fn validate(&self) -> Result<ContractInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let supplier_id = optional_id(&mut errors, "supplier_id", &self.supplier_id, "Välj leverantör.");
        if supplier_id.is_none() && !errors.contains_key("supplier_id") {
            errors.insert("supplier_id".into(), "Välj leverantör.".into());
        }
        let title = self.title.trim().to_string();
        if title.is_empty() {
            errors.insert("title".into(), "Ange vad avtalet gäller.".into());
        }
        let starts_on = optional_date(&mut errors, "starts_on", &self.starts_on);
        let ends_on = optional_date(&mut errors, "ends_on", &self.ends_on);
        if let (Some(start), Some(end)) = (starts_on, ends_on)
            && end < start
        {
            errors.insert("ends_on".into(), "Avtalet kan inte upphöra innan det börjar.".into());
        }
        let notice_months = number_in(&mut errors, "notice_months", &self.notice_months, 0, 60, 0) as i16;
        let owner_person_id =
            optional_id(&mut errors, "owner_person_id", &self.owner_person_id, "Välj en person i listan.");
        let check_interval_months =
            number_in(&mut errors, "check_interval_months", &self.check_interval_months, 1, 60, 12) as i16;
        let system_ids = crate::web::form::id_list(&mut errors, "system_ids", &self.system_ids);
        let measure_ids = crate::web::form::id_list(&mut errors, "measure_ids", &self.measure_ids);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ContractInput {
            supplier_id: supplier_id.unwrap_or_default(),
            title,
            reference: self.reference.trim().into(),
            starts_on,
            ends_on,
            notice_months,
            owner_person_id,
            sla_summary: self.sla_summary.trim().into(),
            has_dpa: self.has_dpa,
            check_interval_months,
            system_ids,
            measure_ids,
        })
    }
}

/// The last day notice can be given for the contract not to run on: the end date less the notice period.
pub fn notice_deadline(ends_on: Option<NaiveDate>, notice_months: i16) -> Option<NaiveDate> {
    ends_on.map(|end| months_before(end, notice_months.max(0) as u32))
}

/// A contract has reached its notice period when the deadline for notice has come and it has not yet ended:
/// a decision to renew, procure or give notice is needed now.
pub fn is_in_notice_period(ends_on: Option<NaiveDate>, notice_months: i16, today: NaiveDate) -> bool {
    match (ends_on, notice_deadline(ends_on, notice_months)) {
        (Some(end), Some(deadline)) => deadline <= today && today <= end,
        _ => false,
    }
}

pub fn has_ended(ends_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    ends_on.is_some_and(|end| end < today)
}

/// When a requirement is next to be checked: one interval after the last check; a requirement
/// never checked is due from the contract's start (or at once when no start is recorded).
pub fn next_check(
    last_checked: Option<NaiveDate>,
    starts_on: Option<NaiveDate>,
    interval_months: i16,
) -> Option<NaiveDate> {
    match last_checked {
        Some(checked) => Some(months_after(checked, interval_months.max(1) as u32)),
        None => starts_on,
    }
}

pub fn is_check_overdue(
    last_checked: Option<NaiveDate>,
    starts_on: Option<NaiveDate>,
    interval: i16,
    today: NaiveDate,
) -> bool {
    last_checked.is_none() || next_check(last_checked, starts_on, interval).is_some_and(|due| due < today)
}

/// A supplier measure from the catalogue, as the missing-requirements rule needs it.
pub struct CatalogueEntry {
    pub id: Uuid,
    pub requirement: Requirement,
    pub applies_to_supplier: bool,
}

/// The supplier measures the covered systems' protection levels require that the contract does
/// not contain: (measure, the systems that require it), in catalogue order.
pub fn missing_requirements<'s>(
    systems: &[(&'s str, Option<ProtectionLevel>)],
    catalogue: &[CatalogueEntry],
    written: &[Uuid],
) -> Vec<(Uuid, Vec<&'s str>)> {
    catalogue
        .iter()
        .filter(|entry| entry.applies_to_supplier && !written.contains(&entry.id))
        .filter_map(|entry| {
            let needing: Vec<&str> = systems
                .iter()
                .filter(|(_, level)| level.is_some_and(|l| is_required(&l, &entry.requirement)))
                .map(|(name, _)| *name)
                .collect();
            (!needing.is_empty()).then_some((entry.id, needing))
        })
        .collect()
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CheckForm {
    /// The requirement checked: a measure written into the contract.
    #[serde(default)]
    pub measure_id: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub checked_on: String,
    /// How it was checked: a report from the supplier, an on-site visit, a test, a third-party audit …
    #[serde(default)]
    pub method: String,
    /// uppfylls, delvis or uppfylls_ej.
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub evidence: String,
}

#[derive(Debug)]
pub struct CheckInput {
    pub measure_id: Uuid,
    pub checked_on: NaiveDate,
    pub method: String,
    pub result: CheckResult,
    pub evidence: String,
}

impl CheckForm {
    /// `written` are the requirements of the contract: only those can be checked.
    pub fn validate(&self, written: &[Uuid], today: NaiveDate) -> Result<CheckInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let measure_id = optional_id(&mut errors, "measure_id", &self.measure_id, "Välj ett krav i avtalet.")
            .filter(|id| written.contains(id));
        if measure_id.is_none() {
            errors.insert("measure_id".into(), "Välj ett krav som står i avtalet.".into());
        }
        let checked_on = optional_date(&mut errors, "checked_on", &self.checked_on);
        match checked_on {
            None if !errors.contains_key("checked_on") => {
                errors.insert("checked_on".into(), "Ange när kontrollen gjordes.".into());
            }
            Some(day) if day > today => {
                errors.insert("checked_on".into(), "En kontroll kan inte vara gjord i framtiden.".into());
            }
            _ => {}
        }
        let method = self.method.trim().to_string();
        if method.is_empty() {
            errors.insert("method".into(), "Beskriv hur kravet kontrollerades.".into());
        }
        let result =
            crate::web::form::required_code(&mut errors, "result", &self.result, CheckResult::parse, "Välj resultat.");
        let (Some(result), true) = (result, errors.is_empty()) else {
            return Err(errors);
        };
        Ok(CheckInput {
            measure_id: measure_id.unwrap_or_default(),
            checked_on: checked_on.unwrap_or(today),
            method,
            result,
            evidence: self.evidence.trim().into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classification::model::Aspect;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn notice_period_starts_on_the_deadline_and_ends_with_the_contract() {
        let end = Some(d(2027, 3, 31));
        assert_eq!(notice_deadline(end, 6), Some(d(2026, 9, 30)));
        assert!(!is_in_notice_period(end, 6, d(2026, 9, 29)));
        assert!(is_in_notice_period(end, 6, d(2026, 9, 30)));
        assert!(is_in_notice_period(end, 6, d(2027, 3, 31)));
        assert!(!is_in_notice_period(end, 6, d(2027, 4, 1)));
        assert!(has_ended(end, d(2027, 4, 1)));
        assert!(!is_in_notice_period(None, 6, d(2027, 1, 1)), "a contract until further notice has no end");
    }

    #[test]
    fn checks_fall_due_one_interval_after_the_last() {
        let start = Some(d(2024, 1, 1));
        assert_eq!(next_check(Some(d(2025, 5, 1)), start, 12), Some(d(2026, 5, 1)));
        assert!(!is_check_overdue(Some(d(2025, 5, 1)), start, 12, d(2026, 5, 1)));
        assert!(is_check_overdue(Some(d(2025, 5, 1)), start, 12, d(2026, 5, 2)));
        assert!(is_check_overdue(None, start, 12, d(2024, 1, 1)), "never checked is overdue");
        assert_eq!(next_check(None, start, 12), start);
    }

    #[test]
    fn missing_requirements_follow_the_covered_systems_levels() {
        let (mfa, backup, own) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let catalogue = [
            CatalogueEntry {
                id: mfa,
                requirement: Requirement { aspect: Aspect::K, min_level: 2 },
                applies_to_supplier: true,
            },
            CatalogueEntry {
                id: backup,
                requirement: Requirement { aspect: Aspect::T, min_level: 1 },
                applies_to_supplier: true,
            },
            CatalogueEntry {
                id: own,
                requirement: Requirement { aspect: Aspect::K, min_level: 1 },
                applies_to_supplier: false,
            },
        ];
        let high = ProtectionLevel { k: 3, r: 2, t: 2, s: 1 };
        let low = ProtectionLevel { k: 1, r: 1, t: 1, s: 0 };
        let systems = [("Procapita", Some(high)), ("Bokning", Some(low)), ("Oklassat", None)];
        let missing = missing_requirements(&systems, &catalogue, &[]);
        assert_eq!(missing, vec![(mfa, vec!["Procapita"]), (backup, vec!["Procapita", "Bokning"])]);
        assert_eq!(missing_requirements(&systems, &catalogue, &[mfa]), vec![(backup, vec!["Procapita", "Bokning"])]);
        assert!(missing_requirements(&systems, &catalogue, &[mfa, backup]).is_empty());
        assert!(missing_requirements(&[("Oklassat", None)], &catalogue, &[]).is_empty());
    }

    #[test]
    fn forms_say_what_is_wrong_in_swedish() {
        let shared = SupplierForm {
            name: "Samverkan IT".into(),
            kind: "samagt_bolag".into(),
            is_shared: true,
            ..Default::default()
        };
        assert!(shared.validate().unwrap_err()["org_number"].contains("organisationsnummer"));
        let bad = SupplierForm { org_number: "12".into(), ..Default::default() };
        let errors = bad.validate().unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");

        let contract = ContractForm {
            supplier_id: Uuid::from_u128(9).to_string(),
            title: "Drift".into(),
            starts_on: "2026-01-01".into(),
            ends_on: "2025-12-31".into(),
            notice_months: "99".into(),
            ..Default::default()
        };
        let errors = contract.validate().unwrap_err();
        assert!(errors.contains_key("ends_on") && errors.contains_key("notice_months"), "{errors:?}");
        let ok = ContractForm { ends_on: String::new(), notice_months: String::new(), ..contract }.validate().unwrap();
        assert_eq!((ok.notice_months, ok.check_interval_months), (0, 12));

        let written = [Uuid::from_u128(1)];
        let today = d(2026, 11, 23);
        let check = CheckForm {
            measure_id: Uuid::from_u128(2).to_string(),
            checked_on: "2026-11-24".into(),
            ..Default::default()
        };
        let errors = check.validate(&written, today).unwrap_err();
        assert_eq!(errors.len(), 4, "{errors:?}");
        let check = CheckForm {
            measure_id: Uuid::from_u128(1).to_string(),
            checked_on: "2026-11-23".into(),
            method: "Leverantörens rapport".into(),
            result: "delvis".into(),
            evidence: String::new(),
        };
        assert_eq!(check.validate(&written, today).unwrap().result, CheckResult::Partly);
    }
}
