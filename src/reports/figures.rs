//! The annual report's key figures: what every area knows, counted for one municipality and
//! year. Stored as the published report's snapshot, so every type here is (de)serialisable.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::actions::model::Status as ActionStatus;
use crate::audits::model::FollowUpResult;
use crate::audits::store::RecommendationThen;
use crate::db::MunicipalityId;
use crate::error::AppResult;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Count {
    pub label: String,
    pub count: usize,
}

/// Systems that are not retired, for the municipality or one body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SystemFigures {
    /// The body, so each board finds its own row (absent in the municipality's total).
    #[serde(default)]
    pub body_id: Option<Uuid>,
    pub name: String,
    pub systems: usize,
    pub critical: usize,
    pub classified: usize,
    pub current_risk_analysis: usize,
    pub named_owner: usize,
    pub overdue_reviews: usize,
    /// Audit recommendations addressed to the body that are not verified (municipality: all).
    pub open_recommendations: usize,
    /// High risks in analyses of the body's systems, and those with neither treatment nor
    /// acceptance; null when no risk analysis was counted (nothing was measured).
    #[serde(default)]
    pub high_risks: Option<usize>,
    #[serde(default)]
    pub untreated_high_risks: usize,
    /// Incidents of the year that affected one of the body's systems.
    #[serde(default)]
    pub incidents: usize,
    /// Actions overdue on the as-of date on the body's systems or their risks, in a plan or
    /// not; null when no action was registered at all.
    #[serde(default)]
    pub late_actions: Option<usize>,
    /// Recommendations addressed to the body that were closed during the year.
    #[serde(default)]
    pub closed_recommendations: usize,
    /// Answers the body owed the auditors on the as-of date (one per recommendation and asking
    /// audit), those past their deadline, and the earliest deadline among those owed.
    #[serde(default)]
    pub responses_owed: usize,
    #[serde(default)]
    pub responses_overdue: usize,
    #[serde(default)]
    pub responses_deadline: Option<NaiveDate>,
    /// The body's internal control plan for the year; absent where the body has none.
    #[serde(default)]
    pub internal_control: Option<crate::internal_control::ControlFigures>,
}

impl SystemFigures {
    /// "3 (1 obehandlad)", or "–" where no risk analysis was counted.
    pub fn high_risks_text(&self) -> String {
        self.high_risks.map(|high| high_risks(high, self.untreated_high_risks)).unwrap_or_else(|| "–".into())
    }

    /// The table's cell: "5 (5 försenade)", "2", or "0".
    pub fn responses_cell(&self) -> String {
        match self.responses_overdue {
            0 => self.responses_owed.to_string(),
            late => format!("{} ({})", self.responses_owed, crate::web::format::count(late, "försenat", "försenade")),
        }
    }

    /// "4 svar saknas, varav 4 försenade (svar senast 2023-12-22)", "Inga" when nothing is owed.
    pub fn responses_text(&self) -> String {
        use crate::web::format::count;
        if self.responses_owed == 0 {
            return "Inga".into();
        }
        let deadline = self.responses_deadline.map(|d| format!(" (svar senast {d})")).unwrap_or_default();
        match self.responses_overdue {
            0 => format!("{} saknas{deadline}", count(self.responses_owed, "svar", "svar")),
            late => format!(
                "{} saknas, varav {}{deadline}",
                count(self.responses_owed, "svar", "svar"),
                count(late, "försenat", "försenade")
            ),
        }
    }
}

/// A follow-up audit reported by the as-of date: how it judged what it followed up.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FollowUpFigures {
    pub audit_id: Uuid,
    pub title: String,
    pub report_date: NaiveDate,
    /// The auditors' overall assessment as written on the audit.
    pub overall_assessment: String,
    /// Recommendations it follows up.
    pub followed: usize,
    /// Verdicts per `FollowUpResult` code (atgardad, delvis, ej_atgardad, inaktuell).
    pub verdicts: BTreeMap<String, usize>,
}

impl FollowUpFigures {
    /// "3 delvis åtgärdade, 5 ej åtgärdade": each verdict given, then those not judged.
    pub fn verdicts_text(&self) -> String {
        use crate::web::format::count;
        let mut parts: Vec<String> = FollowUpResult::ALL
            .iter()
            .filter_map(|v| {
                let n = *self.verdicts.get(v.code())?;
                (n > 0).then(|| count(n, v.singular(), v.plural()))
            })
            .collect();
        let judged: usize = self.verdicts.values().sum();
        if self.followed > judged {
            parts.push(count(self.followed - judged, "ej bedömd", "ej bedömda"));
        }
        if parts.is_empty() { "Inga bedömningar registrerade".into() } else { parts.join(", ") }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiskFigures {
    /// Risk analyses dated by the as-of date (absent in reports published before the rule).
    #[serde(default)]
    pub analyses: usize,
    pub low: usize,
    pub medium: usize,
    pub high: usize,
    /// High risks with neither a treatment action nor an acceptance.
    pub untreated_high: usize,
    /// Scale size and counts per (likelihood, consequence), for the matrix chart.
    pub scale_max: i16,
    pub medium_from: i16,
    pub high_from: i16,
    pub cells: Vec<(i16, i16, usize)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanFigures {
    pub total: usize,
    pub done: usize,
    pub in_progress: usize,
    pub late: usize,
    pub decision_reference: String,
}

/// The audit recommendations as they stood on the report's date. "Open" follows the one rule
/// in `audits::model::remains_open`: not verified, and not found met or obsolete by a follow-up.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecommendationFigures {
    /// Still open, the claimed ones included.
    pub open: usize,
    /// Of the open: reported as done by the municipality, not yet verified by the auditors.
    pub claimed: usize,
    /// Closed: verified, or found met or obsolete by a follow-up.
    pub verified: usize,
    /// Closed during the report's year.
    #[serde(default)]
    pub closed_in_year: usize,
    /// Median age in whole months of the open ones.
    #[serde(default)]
    pub median_age_months: Option<u32>,
    /// Of the open: older than one year, and older than two.
    #[serde(default)]
    pub older_than_one_year: usize,
    #[serde(default)]
    pub older_than_two_years: usize,
    /// Open ones that a follow-up found not (fully) met.
    pub carried_over: usize,
    /// Per year of first report: (year, open, claimed, closed).
    pub by_year: Vec<(i32, usize, usize, usize)>,
}

/// One open recommendation as it stood on the report's date, for the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportedRecommendation {
    pub id: Uuid,
    pub text: String,
    /// The audit that first made it.
    pub audit_title: String,
    /// Names of the bodies it is addressed to.
    pub bodies: Vec<String>,
    #[serde(default)]
    pub body_ids: Vec<Uuid>,
    pub first_reported: Option<NaiveDate>,
    /// The latest follow-up verdict by the report's date (a `FollowUpResult` code), or null.
    pub latest_verdict: Option<FollowUpResult>,
    pub latest_follow_up_on: Option<NaiveDate>,
    /// Whole months from its first report to the report's date.
    pub age_months: Option<u32>,
    /// Whole months from its first report to its latest follow-up's report date.
    #[serde(default)]
    pub age_at_follow_up_months: Option<u32>,
    /// Where it stood, in words: "Öppen", "Åtgärdad enligt ansvarig" …
    pub status: String,
    pub responsible: Option<String>,
}

impl ReportedRecommendation {
    /// "2 år 1 mån", or "–" without a report date.
    pub fn age_text(&self) -> String {
        self.age_months.map(crate::web::format::years_months).unwrap_or_else(|| "–".into())
    }

    pub fn verdict_label(&self) -> &'static str {
        self.latest_verdict.map(FollowUpResult::label).unwrap_or("Ej bedömd")
    }

    /// "1 år 11 mån", or "–" without a follow-up.
    pub fn age_at_follow_up_text(&self) -> String {
        self.age_at_follow_up_months.map(crate::web::format::years_months).unwrap_or_else(|| "–".into())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentFigures {
    pub total: usize,
    pub personal_data: usize,
    pub significant: usize,
    pub by_category: Vec<Count>,
    pub by_severity: Vec<Count>,
    pub reports_in_time: usize,
    pub reports_late: usize,
    /// Incidents discovered per month, January first.
    pub per_month: Vec<usize>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SupplierFigures {
    pub contracts: usize,
    pub with_requirements: usize,
    /// Contracts lacking supplier requirements their systems' levels call for.
    pub missing_requirements: usize,
    pub checks_in_year: usize,
    pub overdue_checks: usize,
}

/// The critical systems' continuity as of the report's date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContinuityFigures {
    pub critical_systems: usize,
    /// With a complete plan: a reserve routine and targets decided by the business.
    pub with_plan: usize,
    /// Exercised within the interval of their T level.
    pub exercised_in_interval: usize,
    /// IT cannot restore within the tolerable outage, or IT set the targets alone.
    pub gaps: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentFigures {
    pub in_force: usize,
    pub overdue_review: usize,
    /// Documents in force that name different bodies as ultimately responsible.
    pub responsibility_conflict: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrainingFigure {
    pub label: String,
    pub in_group: i32,
    pub completed: i32,
    pub rate: usize,
}

/// Everything the report shows in figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figures {
    pub year: i32,
    pub computed_on: NaiveDate,
    /// The day the figures describe: what was registered in Lisa by its end, with the
    /// statuses of then (absent in reports published before the rule).
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    pub systems: SystemFigures,
    /// One row per body with systems, open recommendations or answers owed.
    pub bodies: Vec<SystemFigures>,
    /// "Hela kommunen (ej kopplat till nämnd)": what belongs to no body, so that the bodies'
    /// rows and this one add up to the totals of systems, high risks and late actions.
    #[serde(default)]
    pub unassigned: SystemFigures,
    /// Follow-up audits reported by the as-of date, newest first.
    #[serde(default)]
    pub follow_ups: Vec<FollowUpFigures>,
    pub risks: RiskFigures,
    /// None when the year has no handlingsplan.
    pub plan: Option<PlanFigures>,
    pub recommendations: RecommendationFigures,
    pub incidents: IncidentFigures,
    pub suppliers: SupplierFigures,
    /// Absent in reports published before continuity was counted.
    #[serde(default)]
    pub continuity: Option<ContinuityFigures>,
    pub documents: DocumentFigures,
    /// Empty when no training is recorded for the year.
    pub training: Vec<TrainingFigure>,
    /// The open recommendations as of the report's date, oldest first.
    #[serde(default)]
    pub recommendation_list: Vec<ReportedRecommendation>,
}

impl Figures {
    pub fn share(&self, part: usize) -> String {
        share(part, self.systems.systems)
    }

    /// The day the figures describe.
    pub fn described_on(&self) -> NaiveDate {
        self.as_of.unwrap_or(self.computed_on)
    }

    /// Each body's part of the audit recommendations: bodies with open ones, or with ones
    /// closed during the year, whether or not they keep systems.
    /// Recommendations addressed to no body come last, under the row of the whole municipality.
    pub fn recommendation_parts(&self) -> Vec<RecommendationPart<'_>> {
        self.bodies
            .iter()
            .chain(std::iter::once(&self.unassigned))
            .filter(|b| b.open_recommendations > 0 || b.closed_recommendations > 0 || b.responses_owed > 0)
            .map(|body| RecommendationPart {
                open: self
                    .recommendation_list
                    .iter()
                    .filter(|r| match body.body_id {
                        Some(b) => r.body_ids.contains(&b),
                        None => r.body_ids.is_empty(),
                    })
                    .collect(),
                body,
            })
            .collect()
    }
}

/// One body's open recommendations, oldest first, and how many it closed during the year.
pub struct RecommendationPart<'a> {
    pub body: &'a SystemFigures,
    pub open: Vec<&'a ReportedRecommendation>,
}

impl RecommendationPart<'_> {
    /// "2 öppna rekommendationer; 1 stängd under 2025; svar till revisionen: 2 svar saknas …".
    pub fn summary(&self, year: impl std::fmt::Display) -> String {
        use crate::web::format::count;
        let mut line = count(self.open.len(), "öppen rekommendation", "öppna rekommendationer");
        if self.body.closed_recommendations > 0 {
            line.push_str(&format!("; {} under {year}", count(self.body.closed_recommendations, "stängd", "stängda")));
        }
        if self.body.responses_owed > 0 {
            line.push_str(&format!("; svar till revisionen: {}", self.body.responses_text()));
        }
        line.push('.');
        line
    }
}

/// "75 %" of a whole, "–" of nothing.
pub fn share(part: usize, whole: usize) -> String {
    if whole == 0 { "–".into() } else { format!("{} %", crate::web::format::percent(part, whole)) }
}

/// One line of the key figures: this year beside the previous year's published figure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KeyRow {
    pub section: &'static str,
    pub label: String,
    pub now: String,
    /// "–" when there is no published report for the previous year, or it lacks the figure.
    pub before: String,
}

/// The key figures as the report lists them, with the previous year's where it exists. A
/// section that has nothing to count in either year is one row saying so, not rows of "–".
pub fn key_rows(now: &Figures, before: Option<&Figures>) -> Vec<KeyRow> {
    let mut rows = Vec::new();
    let mut add = |section: &'static str, label: &str, value: &dyn Fn(&Figures) -> String| {
        rows.push(KeyRow {
            section,
            label: label.into(),
            now: value(now),
            before: before.map(value).unwrap_or_else(|| "–".into()),
        });
    };
    let either = |has: fn(&Figures) -> bool| has(now) || before.is_some_and(has);
    let n = |v: usize| v.to_string();
    add("System", "Informationssystem", &|f| n(f.systems.systems));
    if either(|f| f.systems.systems > 0) {
        add("System", "varav verksamhetskritiska", &|f| n(f.systems.critical));
        add("System", "Andel klassade", &|f| f.share(f.systems.classified));
        add("System", "Andel med aktuell riskanalys", &|f| f.share(f.systems.current_risk_analysis));
        add("System", "Andel med utsedd systemägare", &|f| f.share(f.systems.named_owner));
        add("System", "System med försenad översyn", &|f| n(f.systems.overdue_reviews));
    }
    // A year without a risk analysis measured nothing: its figures are "–", never 0.
    let analysed = |f: &Figures| f.risks.analyses > 0 || f.risks.low + f.risks.medium + f.risks.high > 0;
    if either(analysed) {
        let risk = |f: &Figures, part: fn(&RiskFigures) -> usize| {
            if analysed(f) { n(part(&f.risks)) } else { "–".into() }
        };
        add("Risker", "Riskanalyser", &|f| if analysed(f) { n(f.risks.analyses) } else { NO_ANALYSES.into() });
        add("Risker", "Höga risker", &|f| risk(f, |r| r.high));
        add("Risker", "varav obehandlade", &|f| risk(f, |r| r.untreated_high));
        add("Risker", "Medelhöga risker", &|f| risk(f, |r| r.medium));
        add("Risker", "Låga risker", &|f| risk(f, |r| r.low));
    } else {
        add("Risker", "Höga risker", &|_| NO_ANALYSES.into());
    }
    add("Åtgärder", "Försenade åtgärder", &|f| {
        f.systems.late_actions.map(n).unwrap_or_else(|| "– (inga åtgärder registrerade)".into())
    });
    if either(|f| f.plan.is_some()) {
        let plan = |f: &Figures, part: fn(&PlanFigures) -> usize| {
            f.plan.as_ref().map(|p| n(part(p))).unwrap_or_else(|| "Ingen plan".into())
        };
        add("Handlingsplan", "Åtgärder i årets handlingsplan", &|f| plan(f, |p| p.total));
        add("Handlingsplan", "Klara", &|f| plan(f, |p| p.done));
        add("Handlingsplan", "Pågår", &|f| plan(f, |p| p.in_progress));
        add("Handlingsplan", "Försenade", &|f| plan(f, |p| p.late));
    } else {
        add("Handlingsplan", "Årets handlingsplan", &|_| "Ingen plan".into());
    }
    if either(|f| f.recommendations.open + f.recommendations.verified > 0) {
        let r = |f: &Figures| f.recommendations.clone();
        add("Revision", "Öppna rekommendationer", &|f| n(r(f).open));
        add("Revision", "varav åtgärdade enligt kommunen, ej verifierade", &|f| n(r(f).claimed));
        add("Revision", "varav äldre än ett år", &|f| n(r(f).older_than_one_year));
        add("Revision", "Medianålder för öppna", &|f| {
            r(f).median_age_months.map(crate::web::format::years_months).unwrap_or_else(|| "–".into())
        });
        add("Revision", "Kvarstår efter uppföljning", &|f| n(r(f).carried_over));
        add("Revision", "Stängda under året", &|f| n(r(f).closed_in_year));
        add("Revision", "Svar till revisionen som saknas", &|f| n(f.systems.responses_owed));
        add("Revision", "varav efter sista svarsdag", &|f| n(f.systems.responses_overdue));
    } else {
        add("Revision", "Rekommendationer från revisionen", &|_| "Inga".into());
    }
    add("Incidenter", "Incidenter under året", &|f| n(f.incidents.total));
    if either(|f| f.incidents.total > 0) {
        add("Incidenter", "varav personuppgiftsincidenter", &|f| n(f.incidents.personal_data));
        add("Incidenter", "varav betydande incidenter", &|f| n(f.incidents.significant));
        add("Incidenter", "Lagstadgade rapporter i tid", &|f| n(f.incidents.reports_in_time));
        add("Incidenter", "Lagstadgade rapporter för sent", &|f| n(f.incidents.reports_late));
    }
    add("Leverantörer", "Avtal", &|f| n(f.suppliers.contracts));
    if either(|f| f.suppliers.contracts > 0) {
        add("Leverantörer", "Avtal med säkerhetskrav", &|f| n(f.suppliers.with_requirements));
        add("Leverantörer", "Avtal som saknar krav systemen behöver", &|f| n(f.suppliers.missing_requirements));
        add("Leverantörer", "Efterlevnadskontroller under året", &|f| n(f.suppliers.checks_in_year));
        add("Leverantörer", "Försenade kontroller", &|f| n(f.suppliers.overdue_checks));
    }
    // Reports published before continuity was counted measured nothing: "–", never 0.
    let continuity =
        |f: &Figures, part: fn(&ContinuityFigures) -> usize| f.continuity.as_ref().map_or("–".into(), |c| n(part(c)));
    add("Kontinuitet", "Verksamhetskritiska system", &|f| continuity(f, |c| c.critical_systems));
    if either(|f| f.continuity.as_ref().is_some_and(|c| c.critical_systems > 0)) {
        add("Kontinuitet", "med fullständig kontinuitetsplan", &|f| continuity(f, |c| c.with_plan));
        add("Kontinuitet", "övade inom intervallet", &|f| continuity(f, |c| c.exercised_in_interval));
        add("Kontinuitet", "med glapp mellan krav och förmåga", &|f| continuity(f, |c| c.gaps));
    }
    add("Styrdokument", "Gällande styrdokument", &|f| n(f.documents.in_force));
    if either(|f| f.documents.in_force > 0) {
        add("Styrdokument", "Med försenad översyn", &|f| n(f.documents.overdue_review));
        add("Styrdokument", "Motstridigt ytterst ansvar", &|f| {
            if f.documents.responsibility_conflict { "Ja" } else { "Nej" }.into()
        });
    }
    if now.training.is_empty() {
        add("Utbildning", "Utbildning under året", &|f| {
            if f.training.is_empty() { "Ingen registrerad" } else { "Registrerad" }.into()
        });
    }
    for group in &now.training {
        let label = format!("Utbildning: {}", group.label);
        let find = |f: &Figures| {
            f.training
                .iter()
                .find(|g| g.label == group.label)
                .map(|g| format!("{} % ({} av {})", g.rate, g.completed, g.in_group))
                .unwrap_or_else(|| "–".into())
        };
        add("Utbildning", &label, &find);
    }
    rows
}

/// What a risk figure says when no risk analysis was counted.
pub const NO_ANALYSES: &str = "– (inga riskanalyser ännu)";

/// The per-body table as the page and the PDF show it: headings and one row of cells per
/// body, the body's name first.
pub struct BodyTable {
    pub headings: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// Per body, then what belongs to none, then the totals (when there is a total: a board member
/// of one body sees only that body's rows).
pub fn body_table(bodies: &[SystemFigures], unassigned: &SystemFigures, total: &SystemFigures) -> BodyTable {
    let total = SystemFigures { name: "Totalt".into(), ..total.clone() };
    let has_total = !total.name.is_empty() && (total.systems > 0 || total.high_risks.is_some() || !bodies.is_empty());
    let has_unassigned = unassigned.systems > 0
        || unassigned.high_risks.is_some_and(|n| n > 0)
        || unassigned.late_actions.is_some_and(|n| n > 0)
        || unassigned.open_recommendations > 0;
    let rows = bodies
        .iter()
        .chain(has_unassigned.then_some(unassigned))
        .chain(has_total.then_some(&total))
        .map(|b| {
            vec![
                b.name.clone(),
                b.systems.to_string(),
                share(b.classified, b.systems),
                share(b.current_risk_analysis, b.systems),
                share(b.named_owner, b.systems),
                b.overdue_reviews.to_string(),
                b.high_risks_text(),
                b.incidents.to_string(),
                b.late_actions.map(|n| n.to_string()).unwrap_or_else(|| "–".into()),
                b.open_recommendations.to_string(),
                b.responses_cell(),
            ]
        })
        .collect();
    BodyTable {
        headings: vec![
            "Organ",
            "System",
            "Klassade",
            "Aktuell riskanalys",
            "Utsedd systemägare",
            "Försenad översyn",
            "Höga risker",
            "Incidenter",
            "Försenade åtgärder",
            "Öppna rekommendationer",
            "Svar som saknas",
        ],
        rows,
    }
}

/// Information security in each body's internal control, as the page and the PDF show it: a
/// row per body with a plan for the year (none: the section is left out).
pub fn internal_control_table(bodies: &[SystemFigures]) -> BodyTable {
    let rows = bodies
        .iter()
        .filter_map(|b| {
            let c = b.internal_control.as_ref()?;
            Some(vec![
                b.name.clone(),
                c.planned.to_string(),
                c.performed.to_string(),
                c.deviations.to_string(),
                c.open_actions.to_string(),
            ])
        })
        .collect();
    BodyTable { headings: vec!["Organ", "Kontrollmoment", "Genomförda", "Avvikelser", "Öppna åtgärder"], rows }
}

/// "3 (1 obehandlad)", or just the number when none are untreated.
fn high_risks(high: usize, untreated: usize) -> String {
    match untreated {
        0 => high.to_string(),
        1 => format!("{high} (1 obehandlad)"),
        n => format!("{high} ({n} obehandlade)"),
    }
}

/// Incidents per month of discovery (Stockholm time), January first.
pub fn per_month(discovered: impl Iterator<Item = DateTime<Utc>>) -> Vec<usize> {
    let mut months = vec![0; 12];
    for at in discovered {
        months[at.with_timezone(&Stockholm).month0() as usize] += 1;
    }
    months
}

/// Where a recommendation stood on the report's date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stand {
    Open,
    /// Open, but reported as done by the municipality.
    Claimed,
    Closed,
}

fn stand(r: &RecommendationThen) -> Stand {
    match (r.remains_open(), r.status()) {
        (false, _) => Stand::Closed,
        (true, crate::audits::model::Status::Atgardad) => Stand::Claimed,
        (true, _) => Stand::Open,
    }
}

/// Recommendations by year of first report: (year, open, claimed, closed), oldest first.
pub fn recommendations_by_year(items: &[(Option<NaiveDate>, Stand)]) -> Vec<(i32, usize, usize, usize)> {
    let mut years: Vec<(i32, usize, usize, usize)> = Vec::new();
    for (reported, stand) in items {
        let Some(year) = reported.map(|d| d.year()) else { continue };
        let index = match years.iter().position(|y| y.0 == year) {
            Some(index) => index,
            None => {
                years.push((year, 0, 0, 0));
                years.len() - 1
            }
        };
        match stand {
            Stand::Closed => years[index].3 += 1,
            Stand::Claimed => years[index].2 += 1,
            Stand::Open => years[index].1 += 1,
        }
    }
    years.sort();
    years
}

/// The end of a Stockholm day: registrations are counted up to this instant.
pub fn end_of_day(day: NaiveDate) -> DateTime<Utc> {
    let next = day.succ_opt().unwrap_or(day).and_hms_opt(0, 0, 0).unwrap_or_default();
    match next.and_local_timezone(Stockholm) {
        chrono::LocalResult::Single(at) | chrono::LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
        chrono::LocalResult::None => next.and_utc(),
    }
}

/// When a closed recommendation was closed: verified, or else found met or obsolete by a follow-up.
fn closed_on(r: &RecommendationThen) -> Option<NaiveDate> {
    if r.remains_open() {
        return None;
    }
    r.verified_at.map(|at| at.with_timezone(&Stockholm).date_naive()).or(r.latest_follow_up_on)
}

/// The recommendation figures and the open ones as of the report's date.
fn recommendation_figures(
    then: &[RecommendationThen],
    year: i32,
    as_of: NaiveDate,
) -> (RecommendationFigures, Vec<ReportedRecommendation>) {
    use crate::web::format::months_between;
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(as_of);
    let open: Vec<&RecommendationThen> = then.iter().filter(|r| r.remains_open()).collect();
    let age = |r: &RecommendationThen| r.first_reported.map(|d| months_between(d, as_of));
    let mut ages: Vec<i64> = open.iter().filter_map(|r| age(r).map(i64::from)).collect();
    let by_year: Vec<(Option<NaiveDate>, Stand)> = then.iter().map(|r| (r.first_reported, stand(r))).collect();
    let figures = RecommendationFigures {
        open: open.len(),
        claimed: open.iter().filter(|r| stand(r) == Stand::Claimed).count(),
        verified: then.len() - open.len(),
        closed_in_year: then.iter().filter(|r| closed_on(r) >= Some(year_start)).count(),
        median_age_months: crate::audits::model::median(&mut ages).map(|m| m as u32),
        older_than_one_year: open.iter().filter(|r| age(r).is_some_and(|m| m >= 12)).count(),
        older_than_two_years: open.iter().filter(|r| age(r).is_some_and(|m| m >= 24)).count(),
        carried_over: open.iter().filter(|r| r.latest_verdict.is_some_and(FollowUpResult::remains)).count(),
        by_year: recommendations_by_year(&by_year),
    };
    let list = open
        .iter()
        .map(|r| ReportedRecommendation {
            id: r.id,
            text: r.text.clone(),
            audit_title: r.audit_title.clone(),
            bodies: r.bodies.iter().map(|b| b.name.clone()).collect(),
            body_ids: r.bodies.iter().map(|b| b.id).collect(),
            first_reported: r.first_reported,
            latest_verdict: r.latest_verdict,
            latest_follow_up_on: r.latest_follow_up_on,
            age_months: age(r),
            age_at_follow_up_months: r.first_reported.zip(r.latest_follow_up_on).map(|(a, b)| months_between(a, b)),
            status: r.status().label().into(),
            responsible: r.responsible_name.clone(),
        })
        .collect();
    (figures, list)
}

/// Which part of the municipality a row of figures covers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Whole,
    Body(Uuid),
    /// What belongs to no body: systems without one, analyses of processes, actions by hand.
    Unassigned,
}

impl Scope {
    /// Whether something that belongs to `body` (None: to no body) falls in this scope.
    fn holds(self, body: Option<Uuid>) -> bool {
        match self {
            Scope::Whole => true,
            Scope::Body(b) => body == Some(b),
            Scope::Unassigned => body.is_none(),
        }
    }
}

/// What the figures count, as it stood on the as-of date, before it is split by body.
struct Counted<'a> {
    as_of: NaiveDate,
    year_start: NaiveDate,
    then: &'a [RecommendationThen],
    risks: &'a [crate::risks::store::Risk],
    scale: &'a crate::risks::model::Scale,
    /// The body of every system, and of every counted risk through its analysis's system.
    body_of_system: &'a HashMap<Uuid, Option<Uuid>>,
    body_of_risk: HashMap<Uuid, Option<Uuid>>,
    /// The body of each risk analysis dated by then (through its system).
    analyses: Vec<Option<Uuid>>,
    incidents: &'a [crate::incidents::store::Incident],
    actions: &'a [crate::actions::store::ActionThen],
    owed: &'a [crate::audits::store::OwedThen],
}

impl Counted<'_> {
    fn system_body(&self, system: Option<Uuid>) -> Option<Uuid> {
        system.and_then(|s| self.body_of_system.get(&s).copied().flatten())
    }

    /// One row of figures: the coverage of its systems and its share of everything else.
    fn row(&self, scope: Scope, coverage: &crate::systems::store::CoverageRow) -> SystemFigures {
        let addressed = |r: &&RecommendationThen| match scope {
            Scope::Whole => true,
            Scope::Body(b) => r.bodies.iter().any(|x| x.id == b),
            Scope::Unassigned => r.bodies.is_empty(),
        };
        let high: Vec<_> = self
            .risks
            .iter()
            .filter(|r| r.level(self.scale).code() == "hog")
            .filter(|r| scope.holds(self.body_of_risk.get(&r.id).copied().flatten()))
            .collect();
        let measured = self.analyses.iter().any(|body| scope.holds(*body));
        let owed: Vec<_> =
            self.owed.iter().filter(|o| scope != Scope::Unassigned && scope.holds(Some(o.body_id))).collect();
        let overdue: Vec<_> = owed.iter().filter(|o| o.deadline < self.as_of).collect();
        SystemFigures {
            body_id: match scope {
                Scope::Body(b) => Some(b),
                _ => None,
            },
            name: coverage.body_name.clone(),
            systems: coverage.systems,
            critical: coverage.critical,
            classified: coverage.classified,
            current_risk_analysis: coverage.current_risk_analysis,
            named_owner: coverage.named_owner,
            overdue_reviews: coverage.overdue_reviews,
            open_recommendations: self.then.iter().filter(addressed).filter(|r| r.remains_open()).count(),
            closed_recommendations: self
                .then
                .iter()
                .filter(addressed)
                .filter(|r| closed_on(r) >= Some(self.year_start))
                .count(),
            high_risks: measured.then_some(high.len()),
            untreated_high_risks: high.iter().filter(|r| r.is_untreated()).count(),
            incidents: self
                .incidents
                .iter()
                .filter(|i| match scope {
                    Scope::Whole => true,
                    Scope::Body(_) => i.systems.iter().any(|s| scope.holds(self.system_body(Some(s.id)))),
                    Scope::Unassigned => i.systems.iter().all(|s| self.system_body(Some(s.id)).is_none()),
                })
                .count(),
            late_actions: (!self.actions.is_empty()).then(|| {
                self.actions
                    .iter()
                    .filter(|a| a.is_late(self.as_of))
                    .filter(|a| scope.holds(self.system_body(a.system_id.or(a.risk_system_id))))
                    .count()
            }),
            responses_owed: owed.iter().map(|o| o.recommendations as usize).sum(),
            responses_overdue: overdue.iter().map(|o| o.recommendations as usize).sum(),
            responses_deadline: overdue.first().map(|o| o.deadline).or(owed.first().map(|o| o.deadline)),
            internal_control: None,
        }
    }
}

/// Counts every area for `year` as it stood on `as_of` (31 December, or the date the report
/// states; today at the latest), by the domain's own dates: recommendations from their audit's
/// report date, verdicts from their follow-up's, risk analyses from the day they were made,
/// incidents from their discovery, contracts from their start, responses from their decision;
/// what states no date of its own (a system, a classification, a status change, an acceptance)
/// from when it was registered. So history typed in later shows in a past year's report. A fixed
/// number of queries, however much data.
pub async fn compute(db: &mut PgConnection, m: MunicipalityId, year: i32, as_of: NaiveDate) -> AppResult<Figures> {
    let today = crate::web::format::today();
    let as_of = as_of.min(today);
    // The end of the as-of day: later registrations are not counted, and its Stockholm date is
    // the day after (dated records count when dated before it).
    let by = end_of_day(as_of);
    let system_filter = crate::systems::store::Filter { registered_by: Some(by), ..Default::default() };
    let systems = crate::systems::store::list(&mut *db, m, &system_filter, as_of).await?;
    let body_of_system = crate::systems::store::bodies_of(&mut *db, m).await?;
    let body_list = crate::org::store::list_bodies(&mut *db, m).await?;
    let (per_body, total) = crate::systems::store::coverage(&systems, as_of);
    let then = crate::audits::store::as_of(&mut *db, m, as_of, by).await?;
    let (recommendation_figures, recommendation_list) = recommendation_figures(&then, year, as_of);
    let owed = crate::audits::store::owed_as_of(&mut *db, m, as_of, by).await?;
    let follow_ups = crate::audits::store::follow_ups_as_of(&mut *db, m, as_of)
        .await?
        .into_iter()
        .map(|f| FollowUpFigures {
            audit_id: f.audit_id,
            title: f.title,
            report_date: f.report_date,
            overall_assessment: f.overall_assessment,
            followed: f.followed as usize,
            verdicts: f.verdicts.0.into_iter().map(|(code, n)| (code, n as usize)).collect(),
        })
        .collect();
    let scale = crate::risks::store::scale(&mut *db, m).await?;
    let risk_filter = crate::risks::store::Filter { registered_by: Some(by), ..Default::default() };
    let risks = crate::risks::store::register(&mut *db, m, &risk_filter, &scale).await?;
    let analysed = crate::risks::store::analysed_before(&mut *db, m, by).await?;
    let level = |r: &crate::risks::store::Risk| r.level(&scale).code();
    let mut cells: Vec<(i16, i16, usize)> = Vec::new();
    for risk in &risks {
        match cells.iter_mut().find(|c| c.0 == risk.likelihood && c.1 == risk.consequence) {
            Some(cell) => cell.2 += 1,
            None => cells.push((risk.likelihood, risk.consequence, 1)),
        }
    }
    cells.sort();
    let risk_figures = RiskFigures {
        analyses: analysed.len(),
        low: risks.iter().filter(|r| level(r) == "lag").count(),
        medium: risks.iter().filter(|r| level(r) == "medel").count(),
        high: risks.iter().filter(|r| level(r) == "hog").count(),
        untreated_high: risks.iter().filter(|r| level(r) == "hog" && r.is_untreated()).count(),
        scale_max: scale.max,
        medium_from: scale.medium_from,
        high_from: scale.high_from,
        cells,
    };

    let plan = match crate::actions::store::plan(&mut *db, m, year).await {
        Ok(plan) => {
            let actions = crate::actions::store::plan_actions_as_of(&mut *db, m, plan.id, by).await?;
            Some(PlanFigures {
                total: actions.len(),
                done: actions.iter().filter(|a| a.status == ActionStatus::Klar).count(),
                in_progress: actions.iter().filter(|a| a.status == ActionStatus::Pagar).count(),
                late: actions.iter().filter(|a| a.is_late(as_of)).count(),
                decision_reference: plan.decision_reference,
            })
        }
        Err(crate::error::AppError::NotFound) => None,
        Err(other) => return Err(other),
    };
    let actions = crate::actions::store::as_of(&mut *db, m, by).await?;

    let incident_filter = crate::incidents::store::Filter { year: year.to_string(), ..Default::default() };
    let mut incidents = crate::incidents::store::list(&mut *db, m, &incident_filter).await?;
    incidents.retain(|i| i.discovered_at <= by);
    let summary = crate::incidents::summary::summarise(&incidents, by.min(Utc::now()));
    let to_counts = |list: Vec<crate::incidents::summary::Count>| {
        list.into_iter().map(|c| Count { label: c.label, count: c.count }).collect()
    };
    let incident_figures = IncidentFigures {
        total: summary.total,
        personal_data: summary.personal_data,
        significant: summary.significant,
        by_category: to_counts(summary.by_category),
        by_severity: to_counts(summary.by_severity),
        reports_in_time: summary.reports_in_time,
        reports_late: summary.reports_late,
        per_month: per_month(incidents.iter().map(|i| i.discovered_at)),
    };

    let mut standings = crate::suppliers::store::standings(&mut *db, m, None, as_of).await?;
    let contract_ids: Vec<Uuid> = standings.iter().map(|s| s.contract.id).collect();
    standings.retain(|s| s.contract.starts_on.map_or(s.contract.created_at <= by, |start| start <= as_of));
    let checks = crate::suppliers::store::checks(&mut *db, m, &contract_ids).await?;
    let supplier_figures = SupplierFigures {
        contracts: standings.len(),
        with_requirements: standings.iter().filter(|s| !s.requirements.is_empty()).count(),
        missing_requirements: standings.iter().filter(|s| !s.missing_requirements.is_empty()).count(),
        checks_in_year: checks.iter().filter(|c| c.checked_on.year() == year && c.checked_on <= as_of).count(),
        overdue_checks: standings.iter().map(|s| s.overdue_checks()).sum(),
    };

    // Plans as registered by the day (their contents as they stand now), exercises by their date.
    let mut continuity = crate::continuity::standings_of(&mut *db, m, systems.clone(), as_of, Some(by)).await?;
    continuity.retain(|s| s.is_critical);
    let continuity_figures = ContinuityFigures {
        critical_systems: continuity.len(),
        with_plan: continuity.iter().filter(|s| s.is_complete()).count(),
        exercised_in_interval: continuity.iter().filter(|s| s.is_exercised()).count(),
        gaps: continuity.iter().filter(|s| s.gap).count(),
    };

    let documents = crate::documents::store::list(&mut *db, m).await?;
    let in_force: Vec<_> = documents
        .iter()
        .filter(|d| d.status == crate::documents::model::Status::Gallande && d.decided_on.is_none_or(|on| on <= as_of))
        .cloned()
        .collect();
    let document_figures = DocumentFigures {
        in_force: in_force.len(),
        overdue_review: in_force.iter().filter(|d| d.is_review_overdue(as_of)).count(),
        responsibility_conflict: !crate::documents::conflicts(&in_force).is_empty(),
    };

    let campaigns = crate::training::store::campaigns(&mut *db, m).await?;
    let per_year: Vec<(i16, &[crate::training::model::GroupCount])> =
        campaigns.iter().map(|c| (c.year, c.groups.as_slice())).collect();
    let training = crate::training::model::trend(&per_year)
        .into_iter()
        .find(|row| i32::from(row.year) == year)
        .map(|row| {
            row.groups
                .into_iter()
                .flatten()
                .map(|g| TrainingFigure {
                    label: g.label().into(),
                    rate: g.rate(),
                    in_group: g.in_group,
                    completed: g.completed,
                })
                .collect()
        })
        .unwrap_or_default();

    let system_body = |s: &Option<Uuid>| s.and_then(|s| body_of_system.get(&s).copied().flatten());
    let counted = Counted {
        as_of,
        year_start: NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(as_of),
        then: &then,
        risks: &risks,
        scale: &scale,
        body_of_system: &body_of_system,
        body_of_risk: risks.iter().map(|r| (r.id, system_body(&r.system_id))).collect(),
        analyses: analysed.iter().map(system_body).collect(),
        incidents: &incidents,
        actions: &actions,
        owed: &owed,
    };
    let controls = crate::internal_control::figures(&mut *db, m, year, as_of, by).await?;
    let bodies = body_rows(&counted, &body_list, per_body, &controls);
    let unassigned_systems = crate::systems::store::CoverageRow::default();
    let unassigned_coverage = bodies.1.as_ref().unwrap_or(&unassigned_systems);
    let unassigned = SystemFigures { name: UNASSIGNED.into(), ..counted.row(Scope::Unassigned, unassigned_coverage) };

    Ok(Figures {
        year,
        computed_on: today,
        as_of: Some(as_of),
        systems: counted.row(Scope::Whole, &total),
        bodies: bodies.0,
        unassigned,
        follow_ups,
        risks: risk_figures,
        plan,
        recommendations: recommendation_figures,
        incidents: incident_figures,
        suppliers: supplier_figures,
        continuity: Some(continuity_figures),
        documents: document_figures,
        training,
        recommendation_list,
    })
}

/// The row of what belongs to no body.
pub const UNASSIGNED: &str = "Hela kommunen (ej kopplat till nämnd)";

/// How the per-body table adds up, said under it on the page and in the PDF.
pub const BODY_TABLE_NOTE: &str = "Raden ”Hela kommunen (ej kopplat till nämnd)” håller det som inte hör till någon nämnd, så att \
     raderna tillsammans blir summan av system, höga risker och försenade åtgärder. En incident eller rekommendation som \
     berör flera nämnder räknas hos var och en.";

/// A row per body with anything to show (systems, risks, late actions, recommendations open
/// or closed in the year, answers owed, an internal control plan), in the bodies' Swedish order
/// (KF, KS, nämnder, bolag); and the coverage of the systems without a body, kept for their own row.
fn body_rows(
    counted: &Counted,
    bodies: &[crate::org::store::Body],
    coverage: Vec<crate::systems::store::CoverageRow>,
    controls: &std::collections::HashMap<Uuid, crate::internal_control::ControlFigures>,
) -> (Vec<SystemFigures>, Option<crate::systems::store::CoverageRow>) {
    let unassigned = coverage.iter().find(|row| row.body_id.is_none()).cloned();
    let rows: Vec<SystemFigures> = bodies
        .iter()
        .map(|body| {
            let empty = crate::systems::store::CoverageRow {
                body_id: Some(body.id),
                body_name: body.name.clone(),
                ..Default::default()
            };
            let row = coverage.iter().find(|row| row.body_id == Some(body.id)).unwrap_or(&empty);
            SystemFigures {
                internal_control: controls.get(&body.id).cloned(),
                ..counted.row(Scope::Body(body.id), row)
            }
        })
        .filter(|f| {
            f.systems + f.open_recommendations + f.closed_recommendations + f.responses_owed > 0
                || f.high_risks.is_some()
                || f.internal_control.is_some()
                || f.late_actions.is_some_and(|n| n > 0)
        })
        .collect();
    (rows, unassigned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn incidents_are_counted_in_the_stockholm_month_of_discovery() {
        let new_year = Utc.with_ymd_and_hms(2025, 12, 31, 23, 30, 0).unwrap();
        let march = Utc.with_ymd_and_hms(2026, 3, 10, 8, 0, 0).unwrap();
        let months = per_month([new_year, march, march].into_iter());
        assert_eq!((months[0], months[2], months.iter().sum::<usize>()), (1, 2, 3));
    }

    #[test]
    fn recommendations_are_grouped_by_the_year_they_were_first_made() {
        let d = |y| NaiveDate::from_ymd_opt(y, 5, 1);
        let items = [
            (d(2024), Stand::Open),
            (d(2022), Stand::Closed),
            (d(2024), Stand::Claimed),
            (d(2024), Stand::Open),
            (None, Stand::Open),
        ];
        assert_eq!(recommendations_by_year(&items), vec![(2022, 0, 0, 1), (2024, 2, 1, 0)]);
    }

    #[test]
    fn a_day_ends_at_stockholm_midnight_in_winter_and_summer() {
        let winter = end_of_day(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
        assert_eq!(winter, Utc.with_ymd_and_hms(2025, 12, 31, 23, 0, 0).unwrap());
        let summer = end_of_day(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
        assert_eq!(summer, Utc.with_ymd_and_hms(2026, 6, 30, 22, 0, 0).unwrap());
    }

    #[test]
    fn key_rows_put_the_previous_year_beside_this_one() {
        let mut now = Figures { year: 2026, ..Default::default() };
        now.systems.systems = 4;
        now.systems.classified = 3;
        now.training = vec![TrainingFigure { label: "Förtroendevalda".into(), in_group: 61, completed: 17, rate: 28 }];
        let rows = key_rows(&now, None);
        let row = |rows: &[KeyRow], label: &str| rows.iter().find(|r| r.label == label).unwrap().clone();
        assert_eq!(row(&rows, "Andel klassade").now, "75 %");
        assert_eq!(row(&rows, "Andel klassade").before, "–");
        assert_eq!(row(&rows, "Årets handlingsplan").now, "Ingen plan");
        assert!(!rows.iter().any(|r| r.label == "Klara"), "no rows of nothing");
        let mut before = Figures { year: 2025, ..Default::default() };
        before.systems.systems = 2;
        before.systems.classified = 1;
        let rows = key_rows(&now, Some(&before));
        assert_eq!(row(&rows, "Andel klassade").before, "50 %");
        assert_eq!(row(&rows, "Utbildning: Förtroendevalda").now, "28 % (17 av 61)");
        assert_eq!(row(&rows, "Utbildning: Förtroendevalda").before, "–");
    }

    #[test]
    fn high_risks_name_the_untreated_in_swedish_number() {
        assert_eq!(
            (high_risks(0, 0), high_risks(2, 1), high_risks(3, 2)),
            ("0".into(), "2 (1 obehandlad)".into(), "3 (2 obehandlade)".into())
        );
    }

    #[test]
    fn shares_round_and_show_nothing_of_nothing() {
        assert_eq!((share(2, 3), share(0, 0)), ("67 %".to_string(), "–".to_string()));
    }
}
