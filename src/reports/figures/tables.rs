//! The report's tables: the key figures beside last year's, and the per-body tables.

use serde::Serialize;

use super::*;

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
pub(super) fn high_risks(high: usize, untreated: usize) -> String {
    match untreated {
        0 => high.to_string(),
        1 => format!("{high} (1 obehandlad)"),
        n => format!("{high} ({n} obehandlade)"),
    }
}
