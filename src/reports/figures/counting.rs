//! Counting: the figures computed from the records, as of a day.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;
use sqlx::PgConnection;
use uuid::Uuid;

use super::*;
use crate::actions::model::Status as ActionStatus;
use crate::audits::model::FollowUpResult;
use crate::audits::store::RecommendationThen;
use crate::db::MunicipalityId;
use crate::error::AppResult;

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
