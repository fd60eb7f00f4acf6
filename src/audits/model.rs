//! Audits and recommendations: pure rules, tested without a database.

use uuid::Uuid;

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

/// Where a recommendation stands on its way to closure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Öppen: nothing claimed yet.
    Oppen,
    /// Åtgärdad enligt ansvarig: the responsible person says it is done, with evidence.
    Atgardad,
    /// Verifierad: an auditor has checked the evidence.
    Verifierad,
    /// Återöppnad: an auditor found the claim wanting.
    Ateroppnad,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Oppen, Status::Atgardad, Status::Verifierad, Status::Ateroppnad];

    pub fn code(self) -> &'static str {
        match self {
            Status::Oppen => "oppen",
            Status::Atgardad => "atgardad",
            Status::Verifierad => "verifierad",
            Status::Ateroppnad => "ateroppnad",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Oppen => "Öppen",
            Status::Atgardad => "Åtgärdad enligt ansvarig",
            Status::Verifierad => "Verifierad",
            Status::Ateroppnad => "Återöppnad",
        }
    }

    pub fn parse(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Still awaiting work by the municipality.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Oppen | Status::Ateroppnad)
    }
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

/// The status after `transition`, or why it is refused.
pub fn apply(
    current: Status,
    transition: Transition,
    who: Standing,
    comment: &str,
    has_evidence: bool,
) -> Result<Status, Refused> {
    let comment = comment.trim();
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
            if !has_evidence {
                return Err("Beskriv vad som har gjorts (underlag) innan rekommendationen anmäls som åtgärdad.".into());
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
            if comment.is_empty() {
                return Err("Skriv en kommentar till verifieringen.".into());
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
            if comment.is_empty() {
                return Err("Ange varför rekommendationen återöppnas.".into());
            }
            Ok(Status::Ateroppnad)
        }
    }
}

/// What the actions taken so far add up to.
pub fn progress(action_statuses: &[&str]) -> &'static str {
    if action_statuses.is_empty() {
        "Inga åtgärder"
    } else if action_statuses.iter().all(|s| *s == "klar") {
        "Åtgärderna är klara"
    } else if action_statuses.iter().any(|s| *s == "pagar" || *s == "klar") {
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
        assert_eq!(progress(&["planerad", "planerad"]), "Planerad");
        assert_eq!(progress(&["planerad", "pagar"]), "Pågår");
        assert_eq!(progress(&["klar", "planerad"]), "Pågår");
        assert_eq!(progress(&["klar", "klar"]), "Åtgärderna är klara");
    }

    #[test]
    fn statuses_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.code()), Some(status));
        }
    }
}

/// A follow-up audit's verdict on an earlier recommendation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum FollowUpResult {
    Atgardad,
    Delvis,
    EjAtgardad,
    Inaktuell,
}

impl FollowUpResult {
    pub const ALL: [FollowUpResult; 4] =
        [FollowUpResult::Atgardad, FollowUpResult::Delvis, FollowUpResult::EjAtgardad, FollowUpResult::Inaktuell];

    pub fn code(self) -> &'static str {
        match self {
            FollowUpResult::Atgardad => "atgardad",
            FollowUpResult::Delvis => "delvis",
            FollowUpResult::EjAtgardad => "ej_atgardad",
            FollowUpResult::Inaktuell => "inaktuell",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FollowUpResult::Atgardad => "Åtgärdad",
            FollowUpResult::Delvis => "Delvis åtgärdad",
            FollowUpResult::EjAtgardad => "Ej åtgärdad",
            FollowUpResult::Inaktuell => "Inaktuell",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Not fully met: the recommendation remains (kvarstår) and is carried into the follow-up.
    pub fn remains(self) -> bool {
        matches!(self, FollowUpResult::Delvis | FollowUpResult::EjAtgardad)
    }
}

/// Whether a recommendation still awaits the municipality: not verified by the auditors, and
/// not found met or no longer relevant by the latest follow-up.
pub fn remains_open(status: Status, latest_verdict: Option<FollowUpResult>) -> bool {
    status != Status::Verifierad
        && !matches!(latest_verdict, Some(FollowUpResult::Atgardad | FollowUpResult::Inaktuell))
}

/// The age of a recommendation at a follow-up, as that audit's reader needs it:
/// "2 år 1 mån vid uppföljningen 2023-11-15".
pub fn age_at_follow_up(first_reported: chrono::NaiveDate, follow_up_on: chrono::NaiveDate) -> String {
    use crate::web::format::{date, months_between, years_months};
    format!("{} vid uppföljningen {}", years_months(months_between(first_reported, follow_up_on)), date(follow_up_on))
}

#[cfg(test)]
mod follow_up_tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn partly_and_not_met_remain() {
        assert!(FollowUpResult::Delvis.remains());
        assert!(FollowUpResult::EjAtgardad.remains());
        assert!(!FollowUpResult::Atgardad.remains());
        assert!(!FollowUpResult::Inaktuell.remains());
    }

    #[test]
    fn age_at_a_follow_up_counts_from_the_first_report_to_the_follow_up() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(age_at_follow_up(d(2021, 10, 15), d(2023, 11, 15)), "2 år 1 mån vid uppföljningen 2023-11-15");
        assert_eq!(age_at_follow_up(d(2021, 11, 30), d(2023, 11, 15)), "1 år 11 mån vid uppföljningen 2023-11-15");
    }

    #[test]
    fn a_recommendation_remains_open_until_verified_or_found_met_or_obsolete() {
        use FollowUpResult::*;
        assert!(remains_open(Status::Oppen, None));
        assert!(remains_open(Status::Atgardad, None), "claimed but not verified");
        assert!(remains_open(Status::Ateroppnad, Some(EjAtgardad)));
        assert!(remains_open(Status::Oppen, Some(Delvis)));
        assert!(!remains_open(Status::Verifierad, None));
        assert!(!remains_open(Status::Oppen, Some(Atgardad)));
        assert!(!remains_open(Status::Oppen, Some(Inaktuell)));
    }

    #[test]
    fn verdicts_round_trip_and_say_what_they_mean() {
        for verdict in FollowUpResult::ALL {
            assert_eq!(FollowUpResult::parse(verdict.code()), Some(verdict));
        }
        assert_eq!(FollowUpResult::EjAtgardad.label(), "Ej åtgärdad");
    }
}

pub const KINDS: [(&str, &str); 3] =
    [("granskning", "Granskning"), ("forstudie", "Förstudie"), ("uppfoljande", "Uppföljande granskning")];
pub const COMMISSIONERS: [(&str, &str); 2] =
    [("revisorerna", "Revisorerna"), ("lekmannarevisorerna", "Lekmannarevisorerna")];
pub const PRIORITIES: [(&str, &str); 3] = [("lag", "Låg"), ("medel", "Medel"), ("hog", "Hög")];

pub fn kind_label(code: &str) -> &'static str {
    KINDS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("")
}

pub fn priority_label(code: Option<&str>) -> &'static str {
    PRIORITIES.iter().find(|(c, _)| Some(*c) == code).map(|(_, l)| *l).unwrap_or("Ej angiven")
}

/// An audit as typed into the form or sent to the API: plain strings, nothing lost.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct AuditForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub audit_firm: String,
    /// revisorerna or lekmannarevisorerna.
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
    pub commissioned_by: String,
    pub kind: String,
    pub report_date: chrono::NaiveDate,
    pub plan_year: Option<i32>,
    pub overall_assessment: String,
    pub response_deadline: Option<chrono::NaiveDate>,
    pub body_ids: Vec<Uuid>,
    pub follows: Vec<Uuid>,
}

fn ids(errors: &mut crate::error::FieldErrors, field: &str, values: &[String]) -> Vec<Uuid> {
    let parsed: Vec<Option<Uuid>> =
        values.iter().filter(|v| !v.trim().is_empty()).map(|v| Uuid::parse_str(v.trim()).ok()).collect();
    if parsed.iter().any(Option::is_none) {
        errors.insert(field.into(), "Välj i listan.".into());
    }
    let mut ids: Vec<Uuid> = parsed.into_iter().flatten().collect();
    ids.dedup();
    ids
}

impl AuditForm {
    pub fn validate(&self) -> Result<AuditInput, crate::error::FieldErrors> {
        let mut errors = crate::error::FieldErrors::new();
        let title = self.title.trim().to_string();
        if title.is_empty() {
            errors.insert("title".into(), "Ange granskningens titel.".into());
        }
        if !COMMISSIONERS.iter().any(|(c, _)| *c == self.commissioned_by.trim()) {
            errors.insert("commissioned_by".into(), "Välj vilka revisorer som beställt granskningen.".into());
        }
        if !KINDS.iter().any(|(c, _)| *c == self.kind.trim()) {
            errors.insert("kind".into(), "Välj typ av granskning.".into());
        }
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
        if self.kind.trim() == "uppfoljande" && follows.is_empty() && !errors.contains_key("follows") {
            errors.insert("follows".into(), "Välj vilken granskning som följs upp.".into());
        }
        let (Some(report_date), true) = (report_date, errors.is_empty()) else { return Err(errors) };
        Ok(AuditInput {
            title,
            audit_firm: self.audit_firm.trim().to_string(),
            commissioned_by: self.commissioned_by.trim().to_string(),
            kind: self.kind.trim().to_string(),
            report_date,
            plan_year,
            overall_assessment: self.overall_assessment.trim().to_string(),
            response_deadline,
            body_ids,
            follows,
        })
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
        if self.priority.as_deref().is_some_and(|p| !PRIORITIES.iter().any(|(c, _)| *c == p)) {
            errors.insert("priority".into(), "Prioritet är låg, medel eller hög.".into());
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
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

/// Area tags for recommendations.
pub const AREAS: [(&str, &str); 10] = [
    ("styrning", "Styrning"),
    ("organisation", "Organisation"),
    ("klassning", "Klassning"),
    ("riskanalys", "Riskanalys"),
    ("leverantorer", "Leverantörer"),
    ("incidenter", "Incidenter"),
    ("utbildning", "Utbildning"),
    ("behorigheter", "Behörigheter"),
    ("kontinuitet", "Kontinuitet"),
    ("uppfoljning", "Uppföljning"),
];

pub fn area_label(code: &str) -> &'static str {
    AREAS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("")
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
    pub priority: Option<String>,
    pub areas: Vec<String>,
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
        let priority = Some(self.priority.trim().to_string()).filter(|p| !p.is_empty());
        if priority.as_deref().is_some_and(|p| !PRIORITIES.iter().any(|(c, _)| *c == p)) {
            errors.insert("priority".into(), "Prioritet är låg, medel eller hög.".into());
        }
        let mut areas: Vec<String> =
            self.areas.iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
        areas.sort();
        areas.dedup();
        if areas.iter().any(|a| !AREAS.iter().any(|(c, _)| c == a)) {
            errors.insert("areas".into(), "Välj områden i listan.".into());
        }
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
            areas: vec!["styrning".into(), "styrning".into()],
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!((ok.priority, ok.areas, ok.responsible_person_id), (None, vec!["styrning".to_string()], None));
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

/// The default scale for assessing audit questions, best first; a municipality can set its own.
pub const DEFAULT_SCALE: [&str; 5] = ["Ja", "I allt väsentligt", "Delvis", "Nej", "Ej bedömd"];

/// A scale as a municipality enters it: 2–7 distinct, non-empty steps.
pub fn check_scale(steps: &[String]) -> Result<Vec<String>, &'static str> {
    let steps: Vec<String> = steps.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let mut distinct = steps.clone();
    distinct.sort();
    distinct.dedup();
    if steps.len() < 2 || steps.len() > 7 {
        return Err("Skalan ska ha mellan två och sju steg.");
    }
    if distinct.len() != steps.len() {
        return Err("Två steg i skalan har samma namn.");
    }
    Ok(steps)
}

/// A class that colours an assessment by its place on the scale, best to worst; "Ej
/// bedömd" (or anything off the scale) is neutral. The word is always shown beside it.
pub fn assessment_class(scale: &[String], value: &str) -> &'static str {
    let graded: Vec<&String> = scale.iter().filter(|s| s.as_str() != "Ej bedömd").collect();
    let Some(index) = graded.iter().position(|s| s.as_str() == value) else { return "assessment-none" };
    const CLASSES: [&str; 4] = ["assessment-good", "assessment-fair", "assessment-poor", "assessment-bad"];
    let step = if graded.len() <= 1 { 0 } else { index * (CLASSES.len() - 1) / (graded.len() - 1) };
    CLASSES[step]
}

#[cfg(test)]
mod scale_tests {
    use super::*;

    #[test]
    fn scales_need_two_to_seven_distinct_steps() {
        let scale = |s: &[&str]| check_scale(&s.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert!(scale(&DEFAULT_SCALE).is_ok());
        assert!(scale(&["Ja"]).is_err());
        assert!(scale(&["Ja", "ja ", "Ja"]).is_err());
        assert_eq!(scale(&[" Uppfyllt ", "", "Ej uppfyllt"]).unwrap(), ["Uppfyllt", "Ej uppfyllt"]);
    }

    #[test]
    fn assessments_are_coloured_by_their_place_on_the_scale() {
        let default: Vec<String> = DEFAULT_SCALE.iter().map(|s| s.to_string()).collect();
        let classes: Vec<&str> = DEFAULT_SCALE.iter().map(|v| assessment_class(&default, v)).collect();
        assert_eq!(
            classes,
            ["assessment-good", "assessment-fair", "assessment-poor", "assessment-bad", "assessment-none"]
        );
        let two = vec!["Uppfyllt".to_string(), "Ej uppfyllt".to_string()];
        assert_eq!(assessment_class(&two, "Ej uppfyllt"), "assessment-bad");
        assert_eq!(assessment_class(&two, "Okänt"), "assessment-none");
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
