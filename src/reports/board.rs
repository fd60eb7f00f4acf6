//! The board member's picture on one screen: a light for each of the few things that matter,
//! with the figure and what it means in words (never by colour alone).

use super::figures::{ReportedRecommendation, SystemFigures, share};
use crate::web::format::{count, years_months};

crate::codes! {
    pub enum State {
        Good = "good" => "Bra",
        Attention = "attention" => "Behöver uppmärksamhet",
        Bad = "bad" => "Brister",
    }
}

impl State {
    /// The icon in `/static/icons.svg`.
    pub fn icon(self) -> &'static str {
        match self {
            State::Good => "ok",
            State::Attention => "attention",
            State::Bad => "alert",
        }
    }
}

/// One thing the board should know, as a figure, a sentence and (where Lisa can judge it) a state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Light {
    pub title: &'static str,
    pub figure: String,
    pub detail: String,
    pub state: Option<State>,
}

/// The figures of the bodies the member sits for, added up; the whole municipality's when
/// the member sits for none in particular.
pub fn scope(own: &[SystemFigures], whole: &SystemFigures, sits_for_bodies: bool) -> SystemFigures {
    if !sits_for_bodies {
        return whole.clone();
    }
    let mut sum = SystemFigures {
        name: own.iter().map(|b| b.name.as_str()).collect::<Vec<_>>().join(", "),
        ..Default::default()
    };
    for b in own {
        sum.systems += b.systems;
        sum.critical += b.critical;
        sum.classified += b.classified;
        sum.current_risk_analysis += b.current_risk_analysis;
        sum.named_owner += b.named_owner;
        sum.overdue_reviews += b.overdue_reviews;
        sum.open_recommendations += b.open_recommendations;
        sum.closed_recommendations += b.closed_recommendations;
        sum.high_risks = add_measured(sum.high_risks, b.high_risks);
        sum.untreated_high_risks += b.untreated_high_risks;
        sum.incidents += b.incidents;
        sum.late_actions = add_measured(sum.late_actions, b.late_actions);
        sum.responses_owed += b.responses_owed;
        sum.responses_overdue += b.responses_overdue;
        sum.responses_deadline = match (sum.responses_deadline, b.responses_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    sum
}

/// A sum of figures that may not have been measured: measured when any part was.
fn add_measured(sum: Option<usize>, part: Option<usize>) -> Option<usize> {
    match (sum, part) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    }
}

/// The lights: open audit recommendations and their age, classification, high risks, incidents.
pub fn lights(scope: &SystemFigures, open: &[ReportedRecommendation]) -> Vec<Light> {
    let oldest = open.iter().filter_map(|r| r.age_months).max();
    let closed = count(scope.closed_recommendations, "stängd", "stängda");
    let over_a_year = open.iter().filter(|r| r.age_months.is_some_and(|m| m >= 12)).count();
    let recommendations = Light {
        title: "Revisionens rekommendationer",
        figure: count(open.len(), "öppen", "öppna"),
        detail: match (open.len(), oldest) {
            (0, _) => format!("Inga öppna. {closed} under året."),
            (_, Some(oldest)) => {
                format!("{over_a_year} äldre än ett år; den äldsta är {}. {closed} under året.", years_months(oldest))
            }
            (_, None) => format!("{closed} under året."),
        },
        // No recommendation open or closed: nothing the auditors said to judge.
        state: match (open.len(), over_a_year) {
            (0, _) if scope.closed_recommendations == 0 => None,
            (0, _) => Some(State::Good),
            (_, 0) => Some(State::Attention),
            _ => Some(State::Bad),
        },
    };
    let classified_percent = (scope.systems > 0).then(|| crate::web::format::percent(scope.classified, scope.systems));
    let classification = Light {
        title: "Klassad information",
        figure: share(scope.classified, scope.systems),
        detail: if scope.systems == 0 {
            "Inga system är kopplade hit.".into()
        } else {
            format!(
                "{} av {} är klassade; {} har en aktuell riskanalys.",
                scope.classified,
                count(scope.systems, "system", "system"),
                share(scope.current_risk_analysis, scope.systems)
            )
        },
        state: classified_percent.map(|p| match p {
            90.. => State::Good,
            60..=89 => State::Attention,
            _ => State::Bad,
        }),
    };
    // Only what was analysed is judged: no analysis is not "no risks".
    let risks = match scope.high_risks {
        None => Light {
            title: "Höga risker",
            figure: "–".into(),
            detail: "Inga riskanalyser ännu, så riskerna är inte bedömda.".into(),
            state: None,
        },
        Some(high) => Light {
            title: "Höga risker",
            figure: high.to_string(),
            detail: match scope.untreated_high_risks {
                0 if high == 0 => "Inga höga risker i analyserna.".into(),
                0 => "Alla har en åtgärd eller är accepterade.".into(),
                n => format!("{n} saknar både åtgärd och acceptans."),
            },
            state: Some(match (high, scope.untreated_high_risks) {
                (0, _) => State::Good,
                (_, 0) => State::Attention,
                _ => State::Bad,
            }),
        },
    };
    let responses = Light {
        title: "Svar till revisionen",
        figure: if scope.responses_owed == 0 {
            "Inga saknas".into()
        } else {
            count(scope.responses_owed, "saknas", "saknas")
        },
        detail: match (scope.responses_owed, scope.responses_overdue, scope.responses_deadline) {
            (0, _, _) => "Inga svar till revisorerna är utestående.".into(),
            (_, 0, Some(deadline)) => format!("Svaren ska lämnas senast {deadline}."),
            (_, late, Some(deadline)) => {
                format!("{} efter sista svarsdagen {deadline}.", count(late, "svar är försenat", "svar är försenade"))
            }
            (_, _, None) => "Revisorerna väntar på svar.".into(),
        },
        // None owed is not judged: Lisa cannot tell answers given from answers never asked for.
        state: match (scope.responses_owed, scope.responses_overdue) {
            (0, _) => None,
            (_, 0) => Some(State::Attention),
            _ => Some(State::Bad),
        },
    };
    let incidents = Light {
        title: "Incidenter under året",
        figure: scope.incidents.to_string(),
        detail: "Rapporterade incidenter är ett tecken på att rutinen används.".into(),
        state: None,
    };
    vec![recommendations, responses, classification, risks, incidents]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(age_months: u32) -> ReportedRecommendation {
        ReportedRecommendation {
            id: uuid::Uuid::nil(),
            text: "Utse systemägare".into(),
            audit_title: "Granskning".into(),
            bodies: vec!["Kommunstyrelsen".into()],
            body_ids: Vec::new(),
            first_reported: None,
            latest_verdict: None,
            latest_follow_up_on: None,
            age_months: Some(age_months),
            age_at_follow_up_months: None,
            status: "Öppen".into(),
            responsible: None,
        }
    }

    #[test]
    fn lights_say_what_the_figures_mean() {
        let body = SystemFigures {
            systems: 10,
            classified: 7,
            current_risk_analysis: 2,
            high_risks: Some(3),
            untreated_high_risks: 1,
            incidents: 4,
            closed_recommendations: 1,
            ..Default::default()
        };
        let lights = lights(&body, &[open(25), open(3)]);
        assert_eq!(lights[0].figure, "2 öppna");
        assert_eq!(lights[0].detail, "1 äldre än ett år; den äldsta är 2 år 1 mån. 1 stängd under året.");
        assert_eq!(lights[0].state, Some(State::Bad));
        assert_eq!((lights[2].figure.as_str(), lights[2].state), ("70 %", Some(State::Attention)));
        assert_eq!(
            (lights[3].detail.as_str(), lights[3].state),
            ("1 saknar både åtgärd och acceptans.", Some(State::Bad))
        );
        assert_eq!(lights[4].state, None, "incidents are not judged");
    }

    #[test]
    fn a_body_without_systems_or_analyses_is_not_judged_good() {
        let lights = lights(&SystemFigures::default(), &[]);
        assert_eq!(lights[0].state, None, "no recommendation ever: not Bra");
        assert_eq!(lights[1].state, None, "no answer owed: not judged");
        assert_eq!((lights[2].figure.as_str(), lights[2].state), ("–", None));
        assert_eq!((lights[3].figure.as_str(), lights[3].state), ("–", None), "no analysis: not 0, not Bra");
        let analysed = SystemFigures { high_risks: Some(0), ..Default::default() };
        assert_eq!(super::lights(&analysed, &[])[3].state, Some(State::Good));
    }

    #[test]
    fn answers_owed_to_the_auditors_are_judged_by_their_deadline() {
        let day = chrono::NaiveDate::from_ymd_opt(2023, 12, 22);
        let owing =
            SystemFigures { responses_owed: 4, responses_overdue: 4, responses_deadline: day, ..Default::default() };
        let light = &lights(&owing, &[])[1];
        assert_eq!(light.figure, "4 saknas");
        assert_eq!(light.detail, "4 svar är försenade efter sista svarsdagen 2023-12-22.");
        assert_eq!(light.state, Some(State::Bad));
    }

    #[test]
    fn a_member_for_two_bodies_sees_both_added_up() {
        let a = SystemFigures { name: "A".into(), systems: 2, classified: 1, ..Default::default() };
        let b = SystemFigures { name: "B".into(), systems: 3, classified: 3, ..Default::default() };
        let whole = SystemFigures { systems: 40, ..Default::default() };
        let both = scope(&[a.clone(), b], &whole, true);
        assert_eq!((both.name.as_str(), both.systems, both.classified), ("A, B", 5, 4));
        assert_eq!(scope(&[a], &whole, false).systems, 40);
    }
}
