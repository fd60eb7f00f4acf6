//! The first thing the board reads: the state of things in a few sentences, each saying
//! whether it got better or worse than last year's published report, in words (never by
//! colour alone).

use super::figures::{Figures, share};
use crate::web::format::{count, percent, years_months};

crate::codes! {
    pub enum Trend {
        Better = "better" => "Bättre än förra året",
        Worse = "worse" => "Sämre än förra året",
        Unchanged = "unchanged" => "Som förra året",
    }
}

impl Trend {
    /// The trend of a figure where more is better.
    fn of(now: i64, before: i64) -> Trend {
        match now.cmp(&before) {
            std::cmp::Ordering::Greater => Trend::Better,
            std::cmp::Ordering::Less => Trend::Worse,
            std::cmp::Ordering::Equal => Trend::Unchanged,
        }
    }
}

/// One sentence of the briefing, with its trend when last year's report allows a comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    pub text: String,
    pub trend: Option<Trend>,
}

fn share_percent(part: usize, whole: usize) -> Option<i64> {
    (whole > 0).then(|| percent(part, whole) as i64)
}

/// The state of things in a few sentences, most pressing first.
pub fn briefing(now: &Figures, before: Option<&Figures>) -> Vec<Point> {
    let mut points = Vec::new();
    let r = &now.recommendations;
    if r.open > 0 {
        let verb = if r.open == 1 { "är öppen" } else { "är öppna" };
        let mut text = format!("{} från revisionen {verb}", count(r.open, "rekommendation", "rekommendationer"));
        if r.older_than_two_years > 0 {
            text.push_str(&format!(", {} av dem äldre än två år", r.older_than_two_years));
        } else if r.older_than_one_year > 0 {
            text.push_str(&format!(", {} av dem äldre än ett år", r.older_than_one_year));
        }
        if let Some(median) = r.median_age_months {
            text.push_str(&format!(" (medianålder {})", years_months(median)));
        }
        text.push('.');
        if r.carried_over > 0 {
            text.push_str(&format!(
                " {} kvarstår efter en uppföljande granskning.",
                count(r.carried_over, "rekommendation", "rekommendationer")
            ));
        }
        if r.closed_in_year > 0 {
            text.push_str(&format!(" {} stängdes under året.", r.closed_in_year));
        }
        let trend = before.map(|b| Trend::of(b.recommendations.open as i64, r.open as i64));
        points.push(Point { text, trend });
    } else if r.verified > 0 {
        points.push(Point { text: "Inga rekommendationer från revisionen är öppna.".into(), trend: None });
    }
    let owed = &now.systems;
    if owed.responses_owed > 0 {
        let mut text = format!("{} till revisionen saknas", count(owed.responses_owed, "svar", "svar"));
        match (owed.responses_overdue, owed.responses_deadline) {
            (0, Some(deadline)) => text.push_str(&format!(" (sista svarsdag {deadline})")),
            (late, Some(deadline)) => {
                text.push_str(&format!(", {late} av dem efter sista svarsdagen {deadline}"));
            }
            _ => {}
        }
        text.push('.');
        points.push(Point { text, trend: None });
    }
    let s = &now.systems;
    if s.systems > 0 {
        let classified = format!(
            "{} av kommunens {} är klassade och {} har en aktuell riskanalys.",
            share(s.classified, s.systems),
            count(s.systems, "system", "system"),
            share(s.current_risk_analysis, s.systems)
        );
        let trend = before.and_then(|b| {
            let then = share_percent(b.systems.classified, b.systems.systems)?;
            Some(Trend::of(share_percent(s.classified, s.systems)?, then))
        });
        points.push(Point { text: classified, trend });
    } else {
        points.push(Point { text: "Inga informationssystem är registrerade.".into(), trend: None });
    }
    if now.risks.high > 0 {
        let text = if now.risks.untreated_high > 0 {
            format!(
                "{}, varav {} utan åtgärd eller acceptans.",
                count(now.risks.high, "hög risk", "höga risker"),
                now.risks.untreated_high
            )
        } else {
            format!("{}, alla med åtgärd eller acceptans.", count(now.risks.high, "hög risk", "höga risker"))
        };
        let trend = before.map(|b| Trend::of(b.risks.untreated_high as i64, now.risks.untreated_high as i64));
        points.push(Point { text, trend });
    } else if now.systems.high_risks.is_none() {
        points.push(Point {
            text: "Inga riskanalyser är registrerade, så riskerna är inte bedömda.".into(),
            trend: None,
        });
    }
    match &now.plan {
        Some(plan) => points.push(Point {
            text: format!(
                "Handlingsplanen: {} av {} åtgärder är klara, {}.",
                plan.done,
                plan.total,
                count(plan.late, "försenad", "försenade")
            ),
            trend: None,
        }),
        None => {
            let mut text = format!("Ingen handlingsplan för {} är registrerad.", now.year);
            if let Some(late) = now.systems.late_actions.filter(|n| *n > 0) {
                text.push_str(&format!(" {} ändå försenade.", count(late, "åtgärd är", "åtgärder är")));
            }
            points.push(Point { text, trend: None })
        }
    }
    let i = &now.incidents;
    if i.total > 0 {
        let mut text = format!(
            "{} under året, varav {} personuppgiftsincidenter.",
            count(i.total, "incident", "incidenter"),
            i.personal_data
        );
        if i.reports_late > 0 {
            text.push_str(&format!(
                " {} till myndighet lämnades för sent.",
                count(i.reports_late, "lagstadgad rapport", "lagstadgade rapporter")
            ));
        }
        points.push(Point { text, trend: None });
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::figures::{PlanFigures, RecommendationFigures};

    #[test]
    fn the_board_reads_the_open_recommendations_first_with_their_age_and_trend() {
        let mut now = Figures { year: 2025, ..Default::default() };
        now.recommendations = RecommendationFigures {
            open: 9,
            older_than_one_year: 9,
            older_than_two_years: 8,
            median_age_months: Some(25),
            carried_over: 8,
            closed_in_year: 1,
            ..Default::default()
        };
        now.systems.systems = 4;
        now.systems.classified = 3;
        let mut before = Figures { year: 2024, ..Default::default() };
        before.recommendations.open = 8;
        before.systems.systems = 4;
        before.systems.classified = 2;
        let points = briefing(&now, Some(&before));
        assert_eq!(
            points[0].text,
            "9 rekommendationer från revisionen är öppna, 8 av dem äldre än två år (medianålder 2 år 1 mån). \
             8 rekommendationer kvarstår efter en uppföljande granskning. 1 stängdes under året."
        );
        assert_eq!(points[0].trend, Some(Trend::Worse), "one more open than last year");
        assert_eq!(points[1].text, "75 % av kommunens 4 system är klassade och 0 % har en aktuell riskanalys.");
        assert_eq!(points[1].trend, Some(Trend::Better));
        assert_eq!(points[2].text, "Inga riskanalyser är registrerade, så riskerna är inte bedömda.");
        assert_eq!(points[3].text, "Ingen handlingsplan för 2025 är registrerad.");
    }

    #[test]
    fn answers_owed_and_late_actions_without_a_plan_are_told() {
        let mut now = Figures { year: 2023, ..Default::default() };
        now.systems.responses_owed = 9;
        now.systems.responses_overdue = 9;
        now.systems.responses_deadline = chrono::NaiveDate::from_ymd_opt(2023, 12, 22);
        now.systems.high_risks = Some(0);
        now.systems.late_actions = Some(2);
        let texts: Vec<String> = briefing(&now, None).into_iter().map(|p| p.text).collect();
        assert!(
            texts.contains(&"9 svar till revisionen saknas, 9 av dem efter sista svarsdagen 2023-12-22.".to_string())
        );
        assert!(
            texts.contains(&"Ingen handlingsplan för 2023 är registrerad. 2 åtgärder är ändå försenade.".to_string())
        );
        assert!(!texts.iter().any(|t| t.contains("riskanalyser")), "analysed, none high: nothing to say");
    }

    #[test]
    fn without_last_year_there_is_no_trend_and_singulars_are_singular() {
        let mut now = Figures { year: 2026, ..Default::default() };
        now.recommendations.open = 1;
        now.risks.high = 1;
        now.risks.untreated_high = 1;
        now.plan = Some(PlanFigures { total: 5, done: 2, late: 1, ..Default::default() });
        now.incidents.total = 1;
        let points = briefing(&now, None);
        assert!(points.iter().all(|p| p.trend.is_none()));
        let texts: Vec<&str> = points.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "1 rekommendation från revisionen är öppen.",
                "Inga informationssystem är registrerade.",
                "1 hög risk, varav 1 utan åtgärd eller acceptans.",
                "Handlingsplanen: 2 av 5 åtgärder är klara, 1 försenad.",
                "1 incident under året, varav 0 personuppgiftsincidenter.",
            ]
        );
    }
}
