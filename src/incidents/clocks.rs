//! The legal clocks of an incident, as pure functions of when it was discovered and what
//! has been reported:
//! - a personal-data breach is notified to IMY within 72 hours (GDPR art. 33), unless a
//!   decision records that it is unlikely to pose a risk; a late notification needs reasons;
//! - a betydande incident under the cyber-security law (2025:1506): the CSIRT at MCF is
//!   informed within 24 hours (2 kap. 5 §), an incidentanmälan made within 72 hours (6 §),
//!   and a slutrapport within one month of the incidentanmälan (8 §) — or, if the incident
//!   is still ongoing then, a lägesrapport then and the slutrapport within one month after
//!   it is handled.
//!
//! Hours are elapsed time; a month is a calendar month in Europe/Stockholm, so a deadline
//! keeps its wall-clock time across a change to or from summer time.

use chrono::{DateTime, Duration, Months, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use serde::Serialize;

crate::codes! {
    /// A report to an authority.
    pub enum ReportKind {
        Imy = "imy" => "Anmälan till IMY (personuppgiftsincident, 72 timmar)",
        Csirt = "csirt" => "Tidig underrättelse till CSIRT vid MCF (24 timmar)",
        Incidentanmalan = "incidentanmalan" => "Incidentanmälan till MCF (72 timmar)",
        Lagesrapport = "lagesrapport" => "Lägesrapport till MCF (pågående incident)",
        Slutrapport = "slutrapport" => "Slutrapport till MCF (en månad)",
    }
}

/// What the clocks need to know about an incident.
pub struct Facts<'a> {
    pub discovered_at: DateTime<Utc>,
    pub personal_data: bool,
    /// A recorded decision that the breach is unlikely to pose a risk.
    pub imy_exempt: bool,
    pub significant: bool,
    /// When the municipality became aware that it is significant (None: from discovery).
    pub significant_from: Option<DateTime<Utc>>,
    /// When the incident was handled; None while it is ongoing.
    pub handled_at: Option<DateTime<Utc>>,
    /// Reports made: (kind, sent at).
    pub reports: &'a [(ReportKind, DateTime<Utc>)],
}

crate::codes! {
    /// Where a reporting deadline stands.
    pub enum ClockState {
        /// Not yet reported, deadline ahead.
        Running = "running" => "Pågår",
        /// Not reported and the deadline has passed.
        Overdue = "overdue" => "Försenad",
        /// Reported in time.
        Met = "met" => "Gjord i tid",
        /// Reported after the deadline.
        Late = "late" => "Gjord för sent",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Clock {
    pub kind: ReportKind,
    pub due: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub state: ClockState,
}

impl Clock {
    pub fn label(&self) -> &'static str {
        self.kind.label()
    }

    /// "2 dygn 3 tim kvar", "5 tim sedan": time left (or past) against `now`.
    pub fn time_left(&self, now: DateTime<Utc>) -> String {
        let minutes = (self.due - now).num_minutes();
        let text = |m: i64| {
            let (days, hours, mins) = (m / 1440, (m % 1440) / 60, m % 60);
            match (days, hours) {
                (0, 0) => format!("{mins} min"),
                (0, h) => format!("{h} tim {mins} min"),
                (d, h) => format!("{d} dygn {h} tim"),
            }
        };
        if minutes >= 0 { format!("{} kvar", text(minutes)) } else { format!("{} för sent", text(-minutes)) }
    }

    pub fn sent_text(&self) -> String {
        self.sent_at.map(crate::web::format::datetime).unwrap_or_else(|| "–".into())
    }

    pub fn due_text(&self) -> String {
        crate::web::format::datetime(self.due)
    }
}

/// One calendar month later in Stockholm, at the same wall-clock time (the last day of a
/// shorter month; the earlier of two times in the autumn's repeated hour; an hour later
/// inside the spring's missing hour).
pub fn one_month_after(at: DateTime<Utc>) -> DateTime<Utc> {
    let local = at.with_timezone(&Stockholm).naive_local();
    let later = local.checked_add_months(Months::new(1)).unwrap_or(local);
    Stockholm
        .from_local_datetime(&later)
        .earliest()
        .or_else(|| Stockholm.from_local_datetime(&(later + Duration::hours(1))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(at + Duration::days(30))
}

fn clock(kind: ReportKind, due: DateTime<Utc>, facts: &Facts, now: DateTime<Utc>) -> Clock {
    let sent_at = facts.reports.iter().filter(|(k, _)| *k == kind).map(|(_, at)| *at).min();
    let state = match sent_at {
        Some(at) if at <= due => ClockState::Met,
        Some(_) => ClockState::Late,
        None if now > due => ClockState::Overdue,
        None => ClockState::Running,
    };
    Clock { kind, due, sent_at, state }
}

/// The clocks that apply to an incident, in deadline order.
pub fn clocks(facts: &Facts, now: DateTime<Utc>) -> Vec<Clock> {
    let mut clocks = Vec::new();
    let discovered = facts.discovered_at;
    if facts.personal_data && !facts.imy_exempt {
        clocks.push(clock(ReportKind::Imy, discovered + Duration::hours(72), facts, now));
    }
    if facts.significant {
        // The CSIRT's clocks run from awareness of a significant incident.
        let aware = facts.significant_from.unwrap_or(discovered);
        clocks.push(clock(ReportKind::Csirt, aware + Duration::hours(24), facts, now));
        let notification = clock(ReportKind::Incidentanmalan, aware + Duration::hours(72), facts, now);
        // The final report runs from the notification as made (or as due, until it is).
        let month_after_notification = one_month_after(notification.sent_at.unwrap_or(notification.due));
        clocks.push(notification);
        let still_ongoing_then = facts.handled_at.is_none_or(|handled| handled > month_after_notification);
        if still_ongoing_then {
            clocks.push(clock(ReportKind::Lagesrapport, month_after_notification, facts, now));
            if let Some(handled) = facts.handled_at {
                clocks.push(clock(ReportKind::Slutrapport, one_month_after(handled), facts, now));
            }
        } else {
            clocks.push(clock(ReportKind::Slutrapport, month_after_notification, facts, now));
        }
    }
    clocks.sort_by_key(|c| c.due);
    clocks
}

/// A report sent after its deadline must give reasons.
pub fn needs_late_reason(clocks: &[Clock], kind: ReportKind, sent_at: DateTime<Utc>) -> bool {
    clocks.iter().any(|c| c.kind == kind && sent_at > c.due)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stockholm(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Stockholm.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
    }

    fn facts(reports: &[(ReportKind, DateTime<Utc>)]) -> Facts<'_> {
        Facts {
            discovered_at: stockholm(2026, 5, 4, 9, 0),
            personal_data: true,
            imy_exempt: false,
            significant: false,
            significant_from: None,
            handled_at: None,
            reports,
        }
    }

    #[test]
    fn imy_is_due_exactly_72_hours_after_discovery() {
        let due = stockholm(2026, 5, 7, 9, 0);
        let on_time = [(ReportKind::Imy, due)];
        let clocks = clocks(&facts(&on_time), due);
        assert_eq!((clocks.len(), clocks[0].due, clocks[0].state), (1, due, ClockState::Met));
        let a_minute_late = [(ReportKind::Imy, due + Duration::minutes(1))];
        assert_eq!(super::clocks(&facts(&a_minute_late), due).first().unwrap().state, ClockState::Late);
        assert_eq!(super::clocks(&facts(&[]), due).first().unwrap().state, ClockState::Running);
        assert_eq!(super::clocks(&facts(&[]), due + Duration::seconds(1)).first().unwrap().state, ClockState::Overdue);
        assert!(needs_late_reason(&super::clocks(&facts(&[]), due), ReportKind::Imy, due + Duration::minutes(1)));
        assert!(!needs_late_reason(&super::clocks(&facts(&[]), due), ReportKind::Imy, due));
    }

    #[test]
    fn no_imy_clock_without_personal_data_or_with_a_recorded_exemption() {
        let none = Facts { personal_data: false, ..facts(&[]) };
        assert!(clocks(&none, Utc::now()).is_empty());
        let exempt = Facts { imy_exempt: true, ..facts(&[]) };
        assert!(clocks(&exempt, Utc::now()).is_empty());
    }

    #[test]
    fn hours_are_elapsed_time_across_the_spring_change_to_summer_time() {
        // Discovered Friday 27 March 2026 12:00 CET; the clocks go forward on Sunday 29 March.
        let significant = Facts {
            discovered_at: stockholm(2026, 3, 27, 12, 0),
            personal_data: false,
            significant: true,
            ..facts(&[])
        };
        let clocks = clocks(&significant, stockholm(2026, 3, 27, 12, 0));
        let csirt = clocks.iter().find(|c| c.kind == ReportKind::Csirt).unwrap();
        assert_eq!(csirt.due, stockholm(2026, 3, 28, 12, 0));
        let notification = clocks.iter().find(|c| c.kind == ReportKind::Incidentanmalan).unwrap();
        // 72 elapsed hours end at 13:00 summer time on Monday, not 12:00.
        assert_eq!(notification.due, stockholm(2026, 3, 30, 13, 0));
        assert_eq!(notification.due - significant.discovered_at, Duration::hours(72));
    }

    #[test]
    fn a_month_keeps_the_wall_clock_time_in_stockholm() {
        assert_eq!(one_month_after(stockholm(2026, 3, 10, 9, 30)), stockholm(2026, 4, 10, 9, 30));
        assert_eq!(one_month_after(stockholm(2026, 10, 20, 9, 30)), stockholm(2026, 11, 20, 9, 30));
        assert_eq!(one_month_after(stockholm(2026, 1, 31, 8, 0)), stockholm(2026, 2, 28, 8, 0));
        // 02:30 on 28 March 2027 does not exist in Stockholm: the deadline moves an hour on.
        assert_eq!(one_month_after(stockholm(2027, 2, 28, 2, 30)), stockholm(2027, 3, 28, 3, 30));
        // 02:30 on 25 October 2026 happens twice: the earlier one counts.
        let twice = Stockholm.with_ymd_and_hms(2026, 10, 25, 2, 30, 0).earliest().unwrap().with_timezone(&Utc);
        assert_eq!(one_month_after(stockholm(2026, 9, 25, 2, 30)), twice);
    }

    #[test]
    fn the_final_report_runs_from_the_notification_or_from_when_it_was_handled() {
        let discovered = stockholm(2026, 9, 1, 10, 0);
        let notified = stockholm(2026, 9, 3, 9, 0);
        let reports = [(ReportKind::Csirt, stockholm(2026, 9, 1, 18, 0)), (ReportKind::Incidentanmalan, notified)];
        let handled_early = Facts {
            discovered_at: discovered,
            personal_data: false,
            significant: true,
            handled_at: Some(stockholm(2026, 9, 20, 12, 0)),
            ..facts(&reports)
        };
        let clocks = clocks(&handled_early, notified);
        let kinds: Vec<ReportKind> = clocks.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ReportKind::Csirt, ReportKind::Incidentanmalan, ReportKind::Slutrapport]);
        assert_eq!(clocks[2].due, stockholm(2026, 10, 3, 9, 0));
        assert_eq!((clocks[0].state, clocks[1].state), (ClockState::Met, ClockState::Met));

        // Still ongoing a month after the notification: a lägesrapport then, the final report a month after handling.
        let ongoing = Facts { handled_at: None, ..handled_early };
        let kinds: Vec<ReportKind> = super::clocks(&ongoing, notified).iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ReportKind::Csirt, ReportKind::Incidentanmalan, ReportKind::Lagesrapport]);
        let handled_late = Facts { handled_at: Some(stockholm(2026, 11, 15, 16, 0)), ..ongoing };
        let clocks = super::clocks(&handled_late, notified);
        let last = clocks.last().unwrap();
        assert_eq!((last.kind, last.due), (ReportKind::Slutrapport, stockholm(2026, 12, 15, 16, 0)));
    }

    #[test]
    fn the_csirt_clocks_run_from_awareness_of_a_significant_incident() {
        // Discovered as an event on Monday, judged significant on Wednesday morning.
        let aware = stockholm(2026, 9, 2, 8, 0);
        let later = Facts {
            discovered_at: stockholm(2026, 8, 31, 10, 0),
            personal_data: true,
            significant: true,
            significant_from: Some(aware),
            ..facts(&[])
        };
        let clocks = clocks(&later, aware);
        let due = |kind| clocks.iter().find(|c| c.kind == kind).unwrap().due;
        assert_eq!(due(ReportKind::Csirt), stockholm(2026, 9, 3, 8, 0));
        assert_eq!(due(ReportKind::Incidentanmalan), stockholm(2026, 9, 5, 8, 0));
        assert_eq!(due(ReportKind::Imy), stockholm(2026, 9, 3, 10, 0), "IMY's clock runs from discovery");
    }

    #[test]
    fn time_left_reads_in_days_hours_and_minutes() {
        let due = stockholm(2026, 5, 7, 9, 0);
        let c = Clock { kind: ReportKind::Imy, due, sent_at: None, state: ClockState::Running };
        assert_eq!(c.time_left(due - Duration::hours(50)), "2 dygn 2 tim kvar");
        assert_eq!(c.time_left(due - Duration::minutes(90)), "1 tim 30 min kvar");
        assert_eq!(c.time_left(due + Duration::minutes(5)), "5 min för sent");
    }
}
