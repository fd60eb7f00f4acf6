//! A follow-up audit's verdicts on earlier recommendations.

use super::Status;

crate::codes! {
    /// A follow-up audit's verdict on an earlier recommendation.
    pub enum FollowUpResult {
        Atgardad = "atgardad" => "Åtgärdad",
        Delvis = "delvis" => "Delvis åtgärdad",
        EjAtgardad = "ej_atgardad" => "Ej åtgärdad",
        Inaktuell = "inaktuell" => "Inaktuell",
    }
}

impl FollowUpResult {
    /// The verdicts under which a recommendation remains and is carried into the follow-up.
    pub const REMAINS: [FollowUpResult; 2] = [FollowUpResult::Delvis, FollowUpResult::EjAtgardad];

    /// Not fully met: the recommendation remains (kvarstår) and is carried into the follow-up.
    pub fn remains(self) -> bool {
        FollowUpResult::REMAINS.contains(&self)
    }

    /// The verdict after a count of one: "1 åtgärdad".
    pub fn singular(self) -> &'static str {
        match self {
            FollowUpResult::Atgardad => "åtgärdad",
            FollowUpResult::Delvis => "delvis åtgärdad",
            FollowUpResult::EjAtgardad => "ej åtgärdad",
            FollowUpResult::Inaktuell => "inaktuell",
        }
    }

    /// The verdict after any other count: "3 delvis åtgärdade".
    pub fn plural(self) -> &'static str {
        match self {
            FollowUpResult::Atgardad => "åtgärdade",
            FollowUpResult::Delvis => "delvis åtgärdade",
            FollowUpResult::EjAtgardad => "ej åtgärdade",
            FollowUpResult::Inaktuell => "inaktuella",
        }
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
