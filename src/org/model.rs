//! The organisation: kinds of bodies and units, and validation of what users type.
//! Forms carry plain strings so that nothing the user typed is lost on an error.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Role;
use crate::error::FieldErrors;

const MAX_NAME: usize = 200;

crate::codes! {
    pub enum BodyKind {
        Kf = "kf" => "Kommunfullmäktige",
        Ks = "ks" => "Kommunstyrelse",
        Namnd = "namnd" => "Nämnd",
        GemensamNamnd = "gemensam_namnd" => "Gemensam nämnd",
        Bolagsstyrelse = "bolagsstyrelse" => "Bolagsstyrelse",
    }
}

crate::codes! {
    pub enum UnitKind {
        Forvaltning = "forvaltning" => "Förvaltning",
        Sektor = "sektor" => "Sektor",
        Enhet = "enhet" => "Enhet",
    }
}

fn required_name(errors: &mut FieldErrors, field: &str, value: &str, what: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.insert(field.into(), format!("Ange {what}."));
    } else if value.chars().count() > MAX_NAME {
        errors.insert(field.into(), format!("Högst {MAX_NAME} tecken."));
    }
    value.to_string()
}

fn optional_id(errors: &mut FieldErrors, field: &str, value: &str, message: &str) -> Option<Uuid> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match Uuid::parse_str(value) {
        Ok(id) => Some(id),
        Err(_) => {
            errors.insert(field.into(), message.into());
            None
        }
    }
}

/// A plausible email address: something@domain.tld, no spaces.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain.split('.').all(|part| !part.is_empty())
        && !value.chars().any(char::is_whitespace)
        && value.len() <= 254
}

/// A Swedish organisation number, NNNNNN-NNNN, whose last digit is the Luhn check digit.
pub fn is_org_number(value: &str) -> bool {
    let digits: Vec<u32> =
        value.chars().filter(|c| *c != '-').map(|c| c.to_digit(10)).collect::<Option<_>>().unwrap_or_default();
    if digits.len() != 10 || (value.contains('-') && value.find('-') != Some(6)) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let x = d * 2;
                x / 10 + x % 10
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Writes an organisation number as NNNNNN-NNNN.
pub fn normalise_org_number(value: &str) -> String {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 10 { format!("{}-{}", &digits[..6], &digits[6..]) } else { value.trim().to_string() }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct MunicipalityForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub org_number: String,
    #[serde(default)]
    pub county: String,
}

#[derive(Debug)]
pub struct MunicipalityInput {
    pub name: String,
    pub org_number: String,
    pub county: String,
}

impl MunicipalityForm {
    pub fn validate(&self) -> Result<MunicipalityInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = required_name(&mut errors, "name", &self.name, "kommunens namn");
        let county = required_name(&mut errors, "county", &self.county, "län");
        let org_number = normalise_org_number(&self.org_number);
        if !is_org_number(&org_number) {
            errors.insert("org_number".into(), "Ange ett giltigt organisationsnummer, t.ex. 212000-0142.".into());
        }
        if errors.is_empty() { Ok(MunicipalityInput { name, org_number, county }) } else { Err(errors) }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BodyForm {
    /// kf, ks, namnd, gemensam_namnd or bolagsstyrelse.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    /// The company, for a bolagsstyrelse.
    #[serde(default)]
    pub company_name: String,
}

#[derive(Debug)]
pub struct BodyInput {
    pub kind: BodyKind,
    pub name: String,
    pub company_name: Option<String>,
}

impl BodyForm {
    pub fn validate(&self) -> Result<BodyInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = BodyKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.insert("kind".into(), "Välj vilken sorts organ det är.".into());
        }
        let name = required_name(&mut errors, "name", &self.name, "organets namn");
        let company = self.company_name.trim();
        let company_name = match kind {
            Some(BodyKind::Bolagsstyrelse) if company.is_empty() => {
                errors.insert("company_name".into(), "Ange bolagets namn för en bolagsstyrelse.".into());
                None
            }
            Some(BodyKind::Bolagsstyrelse) => Some(company.to_string()),
            _ => None,
        };
        match (kind, errors.is_empty()) {
            (Some(kind), true) => Ok(BodyInput { kind, name, company_name }),
            _ => Err(errors),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct UnitForm {
    #[serde(default)]
    pub body_id: String,
    /// forvaltning, sektor or enhet.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug)]
pub struct UnitInput {
    pub body_id: Uuid,
    pub kind: UnitKind,
    pub name: String,
}

impl UnitForm {
    pub fn validate(&self) -> Result<UnitInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let body_id = optional_id(&mut errors, "body_id", &self.body_id, "Välj ett organ.");
        if body_id.is_none() {
            errors.entry("body_id".into()).or_insert_with(|| "Välj vilket organ enheten hör till.".into());
        }
        let kind = UnitKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.insert("kind".into(), "Välj förvaltning, sektor eller enhet.".into());
        }
        let name = required_name(&mut errors, "name", &self.name, "namnet");
        match (body_id, kind, errors.is_empty()) {
            (Some(body_id), Some(kind), true) => Ok(UnitInput { body_id, kind, name }),
            _ => Err(errors),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PersonForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub unit_id: String,
}

#[derive(Debug)]
pub struct PersonInput {
    pub name: String,
    pub title: String,
    pub email: String,
    pub unit_id: Option<Uuid>,
}

impl PersonForm {
    pub fn validate(&self) -> Result<PersonInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = required_name(&mut errors, "name", &self.name, "personens namn");
        let title = self.title.trim().to_string();
        if title.chars().count() > MAX_NAME {
            errors.insert("title".into(), format!("Högst {MAX_NAME} tecken."));
        }
        let email = self.email.trim().to_lowercase();
        if !email.is_empty() && !is_email(&email) {
            errors.insert("email".into(), "Ange en giltig e-postadress, t.ex. namn@kommun.se.".into());
        }
        let unit_id = optional_id(&mut errors, "unit_id", &self.unit_id, "Välj en enhet i listan.");
        if errors.is_empty() { Ok(PersonInput { name, title, email, unit_id }) } else { Err(errors) }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct GrantForm {
    /// samordnare, systemagare, revisor, fortroendevald or medarbetare.
    #[serde(default)]
    pub role: String,
    /// Limits the role to one body (optional).
    #[serde(default)]
    pub body_id: String,
}

#[derive(Debug)]
pub struct GrantInput {
    pub role: Role,
    pub body_id: Option<Uuid>,
}

impl GrantForm {
    pub fn validate(&self) -> Result<GrantInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let role = Role::parse(self.role.trim());
        if role.is_none() {
            errors.insert("role".into(), "Välj en roll.".into());
        }
        let body_id = optional_id(&mut errors, "body_id", &self.body_id, "Välj ett organ i listan.");
        match (role, errors.is_empty()) {
            (Some(role), true) => Ok(GrantInput { role, body_id }),
            _ => Err(errors),
        }
    }
}

/// A new account, or a role for an existing account found by its email.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct UserForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    /// Not taken: the person chooses their own password through a one-time link. Refused when
    /// given, so that an API client that used to send one learns why it no longer works.
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub body_id: String,
}

#[derive(Debug)]
pub struct UserInput {
    pub email: String,
    pub display_name: String,
    pub grant: GrantInput,
}

impl UserForm {
    /// The same rules whether or not the address has an account, so that the answer never
    /// tells another municipality who has one.
    pub fn validate(&self) -> Result<UserInput, FieldErrors> {
        let grant = GrantForm { role: self.role.clone(), body_id: self.body_id.clone() }.validate();
        let mut errors = grant.as_ref().err().cloned().unwrap_or_default();
        let email = self.email.trim().to_lowercase();
        if !is_email(&email) {
            errors.insert("email".into(), "Ange en giltig e-postadress, t.ex. namn@kommun.se.".into());
        }
        let display_name = required_name(&mut errors, "display_name", &self.display_name, "namnet");
        if !self.password.is_empty() {
            errors.insert(
                "password".into(),
                "Skicka inget lösenord: personen väljer sitt eget via en engångslänk som Lisa skickar.".into(),
            );
        }
        match (grant, errors.is_empty()) {
            (Ok(grant), true) => Ok(UserInput { email, display_name, grant }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_numbers_need_a_valid_check_digit() {
        assert!(is_org_number("212000-0142"));
        assert!(is_org_number("2120000142"));
        assert!(!is_org_number("212000-0143"));
        assert!(!is_org_number("21200-00142"));
        assert!(!is_org_number("abc"));
        assert_eq!(normalise_org_number("2120000142"), "212000-0142");
    }

    #[test]
    fn emails_are_checked_loosely() {
        assert!(is_email("samordnare@exempelby.se"));
        assert!(!is_email("samordnare@exempelby"));
        assert!(!is_email("sam ordnare@exempelby.se"));
        assert!(!is_email("@exempelby.se"));
        assert!(!is_email("a@b@exempelby.se"));
    }

    #[test]
    fn a_board_of_a_company_needs_the_company() {
        let form = BodyForm { kind: "bolagsstyrelse".into(), name: "Styrelsen".into(), company_name: " ".into() };
        assert!(form.validate().unwrap_err().contains_key("company_name"));
        let form = BodyForm { company_name: "Exempelby Bostäder AB".into(), ..form };
        assert_eq!(form.validate().unwrap().company_name.as_deref(), Some("Exempelby Bostäder AB"));
        let form = BodyForm { kind: "namnd".into(), name: "Bildningsnämnden".into(), company_name: "X AB".into() };
        assert_eq!(form.validate().unwrap().company_name, None);
    }

    #[test]
    fn body_form_reports_every_problem_at_once() {
        let errors =
            BodyForm { kind: "okänd".into(), name: "".into(), company_name: "".into() }.validate().unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["kind", "name"]);
        let long = "x".repeat(201);
        assert!(BodyForm { kind: "namnd".into(), name: long, company_name: "".into() }.validate().is_err());
    }

    #[test]
    fn people_may_lack_email_and_unit_but_not_a_name() {
        let ok = PersonForm { name: " Eva Ek ".into(), email: " EVA@Exempelby.se".into(), ..Default::default() };
        let input = ok.validate().unwrap();
        assert_eq!((input.name.as_str(), input.email.as_str(), input.unit_id), ("Eva Ek", "eva@exempelby.se", None));
        let bad = PersonForm { unit_id: "inte-ett-id".into(), email: "nej".into(), ..Default::default() };
        assert_eq!(bad.validate().unwrap_err().len(), 3);
    }

    #[test]
    fn adding_a_user_needs_a_name_and_never_takes_a_password() {
        let form = UserForm { email: "ny@exempelby.se".into(), role: "revisor".into(), ..Default::default() };
        let errors = form.validate().unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["display_name"]);
        let complete = UserForm { display_name: "Ny Person".into(), ..form.clone() };
        assert!(complete.validate().is_ok());
        let with_password = UserForm { password: "ett-långt-lösenord".into(), ..complete.clone() };
        assert!(with_password.validate().unwrap_err().contains_key("password"), "the person chooses it");
        let no_role = UserForm { role: "admin".into(), ..complete };
        assert!(no_role.validate().unwrap_err().contains_key("role"));
    }
}
