//! The claims of an IdP that OpenID Connect's core does not name, and the rules that read them:
//! a configured claim that finds a person's account (Entra ID sends `upn` or
//! `preferred_username` but no `email_verified`), and a group claim mapped to Lisa roles.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::auth::Role;

/// The claim that finds an account by its email unless the municipality names another.
pub const EMAIL: &str = "email";

/// Every claim of an ID token or UserInfo answer beside the standard ones, by name.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    pub claims: Map<String, Value>,
}

impl openidconnect::AdditionalClaims for OtherClaims {}

impl OtherClaims {
    /// A claim holding text (trimmed, lowercased: it is compared with an email address).
    pub fn text(&self, name: &str) -> Option<String> {
        self.claims.get(name)?.as_str().map(|v| v.trim().to_lowercase()).filter(|v| !v.is_empty())
    }

    /// A claim holding a list of texts (an IdP with one group may send a single text).
    pub fn list(&self, name: &str) -> Vec<String> {
        match self.claims.get(name) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            Some(Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        }
    }

    /// Adds the claims of `other` this set lacks (UserInfo completing an ID token).
    pub fn complete_with(&mut self, other: OtherClaims) {
        for (name, value) in other.claims {
            self.claims.entry(name).or_insert(value);
        }
    }
}

/// What the IdP says about a person: an ID token's claims, completed by UserInfo.
#[derive(Clone, Debug, Default)]
pub struct Asserted {
    /// Lowercased.
    pub email: Option<String>,
    pub email_verified: bool,
    /// Lowercased.
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    pub other: OtherClaims,
}

impl Asserted {
    /// What finds the person's account the first time, by `match_claim`: a verified email, or
    /// the named claim taken as the account's email address (the IdP vouches for its own names).
    pub fn account_key(&self, match_claim: &str) -> Option<String> {
        match match_claim {
            EMAIL => self.email.clone().filter(|_| self.email_verified),
            // A standard claim: the core types hold it, not `other`.
            "preferred_username" => self.preferred_username.clone(),
            claim => self.other.text(claim),
        }
    }

    /// Whether something Lisa needs is missing, so that UserInfo should be asked: the claim that
    /// finds the account, or the group claim.
    pub fn lacks(&self, match_claim: &str, group_claim: Option<&str>) -> bool {
        let key_missing = match match_claim {
            EMAIL => self.email.is_none(),
            claim => self.account_key(claim).is_none(),
        };
        key_missing || group_claim.is_some_and(|claim| !self.other.claims.contains_key(claim))
    }

    /// Adds what `info` (UserInfo, for the same subject) says and this lacks.
    pub fn complete_with(&mut self, info: Asserted) {
        if self.email.is_none() {
            self.email = info.email;
            self.email_verified = info.email_verified;
        }
        self.preferred_username = self.preferred_username.take().or(info.preferred_username);
        self.name = self.name.take().or(info.name);
        self.other.complete_with(info.other);
    }
}

/// A group at the IdP and the Lisa role its members get in the municipality.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct GroupRole {
    pub group: String,
    pub role: Role,
}

/// Reads the administrator's lines `group = role` (the role by its code or its Swedish name);
/// blank lines are skipped. An error names the first line that cannot be read.
pub fn parse_group_roles(text: &str) -> Result<Vec<GroupRole>, String> {
    let mut mapped = Vec::new();
    for (number, line) in text.lines().enumerate().map(|(i, line)| (i + 1, line.trim())) {
        if line.is_empty() {
            continue;
        }
        let Some((group, role)) = line.rsplit_once('=') else {
            return Err(format!("Rad {number}: skriv grupp = roll, t.ex. lisa-revisorer = revisor."));
        };
        let (group, role) = (group.trim(), role.trim());
        if group.is_empty() {
            return Err(format!("Rad {number}: gruppen saknas före =."));
        }
        let Some(role) = Role::ALL.into_iter().find(|r| r.code() == role || r.label().eq_ignore_ascii_case(role))
        else {
            let known = Role::ALL.map(|r| r.code()).join(", ");
            return Err(format!("Rad {number}: ”{role}” är ingen roll i Lisa (använd {known})."));
        };
        let entry = GroupRole { group: group.to_string(), role };
        if !mapped.contains(&entry) {
            mapped.push(entry);
        }
    }
    Ok(mapped)
}

/// The lines `parse_group_roles` reads, for the form.
pub fn group_roles_text(mapped: &[GroupRole]) -> String {
    mapped.iter().map(|m| format!("{} = {}", m.group, m.role.code())).collect::<Vec<_>>().join("\n")
}

/// The roles a person's groups give, each once, in the order of `Role::ALL`.
pub fn roles_for_groups(groups: &[String], mapped: &[GroupRole]) -> Vec<Role> {
    Role::ALL.into_iter().filter(|role| mapped.iter().any(|m| m.role == *role && groups.contains(&m.group))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_lines_are_read_by_role_code_or_name_and_bad_lines_are_named() {
        let mapped =
            parse_group_roles("\n lisa-revisorer = revisor\nIS-samordnare=Informationssäkerhetssamordnare\n").unwrap();
        assert_eq!(
            mapped,
            vec![
                GroupRole { group: "lisa-revisorer".into(), role: Role::Revisor },
                GroupRole { group: "IS-samordnare".into(), role: Role::Samordnare },
            ]
        );
        assert_eq!(parse_group_roles(&group_roles_text(&mapped)).unwrap(), mapped, "the form shows what it reads");
        assert!(parse_group_roles("a = revisor\nbara text").unwrap_err().starts_with("Rad 2:"));
        assert!(parse_group_roles(" = revisor").unwrap_err().contains("gruppen saknas"));
        assert!(parse_group_roles("a = chef").unwrap_err().contains("”chef” är ingen roll"));
        assert_eq!(parse_group_roles("a = revisor\na = revisor").unwrap().len(), 1);
        // Entra ID names groups by id; an '=' inside a group's name is kept.
        assert_eq!(parse_group_roles("x=y = medarbetare").unwrap()[0].group, "x=y");
    }

    #[test]
    fn a_person_gets_the_roles_of_the_groups_they_are_in_once_each() {
        let mapped = parse_group_roles("alla = medarbetare\nrevision = revisor\nledning = revisor").unwrap();
        let groups = |g: &[&str]| g.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            roles_for_groups(&groups(&["revision", "ledning", "alla", "annat"]), &mapped),
            vec![Role::Revisor, Role::Medarbetare]
        );
        assert_eq!(roles_for_groups(&groups(&["annat"]), &mapped), Vec::<Role>::new());
        assert_eq!(roles_for_groups(&[], &mapped), Vec::<Role>::new());
    }

    #[test]
    fn claims_are_read_as_text_or_lists_and_userinfo_fills_only_what_is_missing() {
        let mut claims: OtherClaims =
            serde_json::from_value(serde_json::json!({"upn": " Sara.Lind@Exempelby.se ", "groups": "alla"})).unwrap();
        assert_eq!(claims.text("upn").as_deref(), Some("sara.lind@exempelby.se"));
        assert_eq!(claims.list("groups"), vec!["alla".to_string()]);
        assert_eq!(claims.text("saknas"), None);
        let info: OtherClaims =
            serde_json::from_value(serde_json::json!({"upn": "annan@exempelby.se", "roles": ["a", 3, "b"]})).unwrap();
        claims.complete_with(info);
        assert_eq!(claims.text("upn").as_deref(), Some("sara.lind@exempelby.se"), "the ID token's claim stands");
        assert_eq!(claims.list("roles"), vec!["a".to_string(), "b".to_string()]);
    }

    #[test]
    fn the_account_is_found_by_verified_email_or_by_the_named_claim() {
        let other: OtherClaims = serde_json::from_value(serde_json::json!({"upn": "sara@exempelby.se"})).unwrap();
        let mut person = Asserted {
            email: Some("sara.lind@exempelby.se".into()),
            email_verified: false,
            preferred_username: Some("sara@ad.exempelby.se".into()),
            name: None,
            other,
        };
        assert_eq!(person.account_key(EMAIL), None, "an email the IdP has not verified finds nothing");
        assert_eq!(person.account_key("upn").as_deref(), Some("sara@exempelby.se"));
        assert_eq!(person.account_key("preferred_username").as_deref(), Some("sara@ad.exempelby.se"));
        assert!(!person.lacks(EMAIL, None), "an unverified email is an answer: UserInfo is not asked");
        assert!(person.lacks("oid_mail", None));
        assert!(person.lacks("upn", Some("groups")), "the group claim is missing");
        person.email_verified = true;
        assert_eq!(person.account_key(EMAIL).as_deref(), Some("sara.lind@exempelby.se"));

        let mut bare = Asserted::default();
        assert!(bare.lacks(EMAIL, None));
        let groups: OtherClaims = serde_json::from_value(serde_json::json!({"groups": ["alla"]})).unwrap();
        bare.complete_with(Asserted {
            email: Some("a@b.se".into()),
            email_verified: true,
            other: groups,
            ..Default::default()
        });
        assert_eq!(bare.account_key(EMAIL).as_deref(), Some("a@b.se"));
        assert!(!bare.lacks(EMAIL, Some("groups")));
    }
}
