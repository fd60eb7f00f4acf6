//! An audit: its form, the kinds and who commissions it, matching addressees to bodies, the report file.

use uuid::Uuid;

use super::ids;

use crate::web::form::optional_date;

use crate::org::model::BodyKind;

/// What the matcher needs to know about a body.
pub struct BodyRef<'a> {
    pub id: Uuid,
    pub kind: BodyKind,
    pub name: &'a str,
    pub company_name: Option<&'a str>,
}

fn simplify(text: &str) -> String {
    text.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The municipality's bodies that an addressee as written in a report refers to:
/// "kommunstyrelsen", "nämnderna" (every nämnd), "styrelsen för X AB", a nämnd by name,
/// or several joined with "och", "samt" or commas.
pub fn match_bodies(addressee: &str, bodies: &[BodyRef]) -> Vec<Uuid> {
    let mut matched: Vec<Uuid> = Vec::new();
    let text = simplify(addressee);
    let parts = text.split(", ").flat_map(|p| p.split(" och ")).flat_map(|p| p.split(" samt ")).map(str::trim);
    for part in parts.filter(|p| !p.is_empty()) {
        let found: Vec<Uuid> = match part {
            "kommunstyrelsen" | "ks" => bodies.iter().filter(|b| b.kind == BodyKind::Ks).map(|b| b.id).collect(),
            "kommunfullmäktige" | "fullmäktige" | "kf" => {
                bodies.iter().filter(|b| b.kind == BodyKind::Kf).map(|b| b.id).collect()
            }
            "nämnderna" | "samtliga nämnder" | "alla nämnder" | "berörda nämnder" => bodies
                .iter()
                .filter(|b| matches!(b.kind, BodyKind::Namnd | BodyKind::GemensamNamnd))
                .map(|b| b.id)
                .collect(),
            _ => {
                let exact: Vec<Uuid> = bodies.iter().filter(|b| simplify(b.name) == part).map(|b| b.id).collect();
                if !exact.is_empty() {
                    exact
                } else if part.contains("styrelse") {
                    // "styrelsen för Exempelby Bostäder AB", "bolagsstyrelsen", "styrelsen".
                    let boards: Vec<&BodyRef> = bodies.iter().filter(|b| b.kind == BodyKind::Bolagsstyrelse).collect();
                    let named: Vec<Uuid> = boards
                        .iter()
                        .filter(|b| {
                            let company = b.company_name.map(simplify).unwrap_or_default();
                            (!company.is_empty() && part.contains(&company)) || part.contains(&simplify(b.name))
                        })
                        .map(|b| b.id)
                        .collect();
                    if named.is_empty() && boards.len() == 1 && !part.contains(" för ") {
                        vec![boards[0].id]
                    } else {
                        named
                    }
                } else {
                    bodies
                        .iter()
                        .filter(|b| simplify(b.name).contains(part) || part.contains(&simplify(b.name)))
                        .map(|b| b.id)
                        .collect()
                }
            }
        };
        for id in found {
            if !matched.contains(&id) {
                matched.push(id);
            }
        }
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exempelby() -> Vec<BodyRef<'static>> {
        let body = |n: u128, kind, name, company| BodyRef { id: Uuid::from_u128(n), kind, name, company_name: company };
        vec![
            body(1, BodyKind::Kf, "Kommunfullmäktige", None),
            body(2, BodyKind::Ks, "Kommunstyrelsen", None),
            body(3, BodyKind::Namnd, "Bildningsnämnden", None),
            body(4, BodyKind::Namnd, "Välfärdsnämnden", None),
            body(5, BodyKind::Namnd, "Tekniska nämnden", None),
            body(6, BodyKind::Bolagsstyrelse, "Styrelsen för Exempelby Bostäder AB", Some("Exempelby Bostäder AB")),
        ]
    }

    fn ids(numbers: &[u128]) -> Vec<Uuid> {
        numbers.iter().map(|n| Uuid::from_u128(*n)).collect()
    }

    #[test]
    fn addressees_match_the_bodies_they_name() {
        let bodies = exempelby();
        assert_eq!(match_bodies("kommunstyrelsen", &bodies), ids(&[2]));
        assert_eq!(match_bodies("Kommunstyrelsen", &bodies), ids(&[2]));
        assert_eq!(match_bodies("nämnderna", &bodies), ids(&[3, 4, 5]));
        assert_eq!(match_bodies("Tekniska  nämnden", &bodies), ids(&[5]));
        assert_eq!(match_bodies("styrelsen för Exempelby Bostäder AB", &bodies), ids(&[6]));
        assert_eq!(match_bodies("bolagsstyrelsen", &bodies), ids(&[6]));
        assert_eq!(match_bodies("kommunstyrelsen och nämnderna", &bodies), ids(&[2, 3, 4, 5]));
        assert_eq!(match_bodies("Bildningsnämnden, Välfärdsnämnden samt kommunstyrelsen", &bodies), ids(&[3, 4, 2]));
        assert!(match_bodies("styrelsen för Annat Bolag AB", &bodies).is_empty());
        assert!(match_bodies("revisorerna", &bodies).is_empty());
    }
}

crate::codes! {
    /// What kind of audit a report is.
    pub enum AuditKind {
        Audit = "granskning" => "Granskning",
        PreStudy = "forstudie" => "Förstudie",
        /// Follows up earlier audits: it judges their recommendations.
        FollowUp = "uppfoljande" => "Uppföljande granskning",
    }
}

crate::codes! {
    /// Who commissioned an audit: the auditors, the lay auditors of a company, or both together.
    pub enum Commissioner {
        Revisorerna = "revisorerna" => "Revisorerna",
        Lekmannarevisorerna = "lekmannarevisorerna" => "Lekmannarevisorerna",
        Gemensamt = "gemensamt" => "Revisorerna och lekmannarevisorerna gemensamt",
    }
}

/// An audit as typed into the form or sent to the API: plain strings, nothing lost.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct AuditForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub audit_firm: String,
    /// revisorerna, lekmannarevisorerna or gemensamt (both together).
    #[serde(default)]
    pub commissioned_by: String,
    /// granskning, forstudie or uppfoljande.
    #[serde(default)]
    pub kind: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub report_date: String,
    #[serde(default)]
    pub plan_year: String,
    #[serde(default)]
    pub overall_assessment: String,
    /// The boards' answers are due by this date, YYYY-MM-DD.
    #[serde(default)]
    pub response_deadline: String,
    /// The audited bodies.
    #[serde(default)]
    pub body_ids: Vec<String>,
    /// For a follow-up: the audits it follows up.
    #[serde(default)]
    pub follows: Vec<String>,
    /// The version (ETag) the change was made from; a change made from an older one is
    /// refused. The If-Match header does the same.
    #[serde(default)]
    pub version: String,
}

#[derive(Debug)]
pub struct AuditInput {
    pub title: String,
    pub audit_firm: String,
    pub commissioned_by: Commissioner,
    pub kind: AuditKind,
    pub report_date: chrono::NaiveDate,
    pub plan_year: Option<i32>,
    pub overall_assessment: String,
    pub response_deadline: Option<chrono::NaiveDate>,
    pub body_ids: Vec<Uuid>,
    pub follows: Vec<Uuid>,
}

impl AuditForm {
    pub fn validate(&self) -> Result<AuditInput, crate::error::FieldErrors> {
        let mut errors = crate::error::FieldErrors::new();
        let title = self.title.trim().to_string();
        if title.is_empty() {
            errors.insert("title".into(), "Ange granskningens titel.".into());
        }
        let commissioned_by = crate::web::form::required_code(
            &mut errors,
            "commissioned_by",
            &self.commissioned_by,
            Commissioner::parse,
            "Välj vilka revisorer som beställt granskningen.",
        );
        let kind = crate::web::form::required_code(
            &mut errors,
            "kind",
            &self.kind,
            AuditKind::parse,
            "Välj typ av granskning.",
        );
        let report_date = optional_date(&mut errors, "report_date", &self.report_date);
        if report_date.is_none() && !errors.contains_key("report_date") {
            errors.insert(
                "report_date".into(),
                "Ange rapportens datum. Rekommendationernas ålder räknas från det.".into(),
            );
        }
        let response_deadline = optional_date(&mut errors, "response_deadline", &self.response_deadline);
        let plan_year = match self.plan_year.trim() {
            "" => None,
            year => match year.parse::<i32>() {
                Ok(y) if (2000..=2100).contains(&y) => Some(y),
                _ => {
                    errors.insert("plan_year".into(), "Ange ett årtal, t.ex. 2024.".into());
                    None
                }
            },
        };
        let body_ids = ids(&mut errors, "body_ids", &self.body_ids);
        if body_ids.is_empty() && !errors.contains_key("body_ids") {
            errors.insert("body_ids".into(), "Välj minst ett granskat organ.".into());
        }
        let follows = ids(&mut errors, "follows", &self.follows);
        if kind == Some(AuditKind::FollowUp) && follows.is_empty() && !errors.contains_key("follows") {
            errors.insert("follows".into(), "Välj vilken granskning som följs upp.".into());
        }
        let (Some(report_date), Some(kind), Some(commissioned_by), true) =
            (report_date, kind, commissioned_by, errors.is_empty())
        else {
            return Err(errors);
        };
        Ok(AuditInput {
            title,
            audit_firm: self.audit_firm.trim().to_string(),
            commissioned_by,
            kind,
            report_date,
            plan_year,
            overall_assessment: self.overall_assessment.trim().to_string(),
            response_deadline,
            body_ids,
            follows,
        })
    }
}

#[cfg(test)]
mod form_tests {
    use super::*;

    #[test]
    fn audit_forms_are_validated_with_every_message_at_once() {
        let errors = AuditForm {
            kind: "uppfoljande".into(),
            report_date: "14/3".into(),
            plan_year: "tjugo".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        for field in ["title", "commissioned_by", "report_date", "plan_year", "body_ids", "follows"] {
            assert!(errors.contains_key(field), "{field}");
        }
        let ok = AuditForm {
            title: "Granskning av informationssäkerhet".into(),
            commissioned_by: "revisorerna".into(),
            kind: "granskning".into(),
            report_date: "2024-03-14".into(),
            body_ids: vec![Uuid::from_u128(1).to_string(), Uuid::from_u128(1).to_string()],
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.body_ids.len(), 1);
        assert_eq!(Some(ok.report_date), chrono::NaiveDate::from_ymd_opt(2024, 3, 14));
        let missing = AuditForm { report_date: " ".into(), ..Default::default() }.validate().unwrap_err();
        assert_eq!(missing["report_date"], "Ange rapportens datum. Rekommendationernas ålder räknas från det.");
    }
}

/// Checks an uploaded report: a PDF (by its content, not its name) within the size limit.
/// Returns the file name to store: its last path part, without control characters.
pub fn check_report(file_name: &str, content: &[u8]) -> Result<String, &'static str> {
    if content.is_empty() {
        return Err("Välj en PDF-fil med rapporten.");
    }
    if content.len() > crate::web::files::MAX_FILE_BYTES {
        return Err("Rapporten får vara högst 20 MB.");
    }
    if !content.starts_with(b"%PDF-") {
        return Err("Filen är ingen PDF. Ladda upp rapporten som PDF.");
    }
    Ok(crate::web::files::safe_name(file_name, "rapport.pdf"))
}

#[cfg(test)]
mod report_tests {
    use super::*;

    #[test]
    fn reports_must_be_pdfs_within_the_limit_with_safe_names() {
        assert_eq!(check_report("../../etc/Rapport \"IS\".pdf", b"%PDF-1.7 ..."), Ok("Rapport IS.pdf".to_string()));
        assert_eq!(check_report("", b"%PDF-1.4"), Ok("rapport.pdf".to_string()));
        assert!(check_report("rapport.pdf", b"<html>").is_err());
        assert!(check_report("rapport.pdf", b"").is_err());
        assert!(check_report("rapport.pdf", &vec![b'%'; crate::web::files::MAX_FILE_BYTES + 1]).is_err());
    }
}
