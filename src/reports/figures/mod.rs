//! The annual report's key figures: what every area knows, counted for one municipality and
//! year. Stored as the published report's snapshot, so every type here is (de)serialisable.

mod counting;
mod tables;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audits::model::FollowUpResult;
pub use counting::*;
pub use tables::*;

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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

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
