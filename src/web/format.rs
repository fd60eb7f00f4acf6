//! Dates and numbers as Swedish readers expect them, in Europe/Stockholm time.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;

pub fn datetime(value: DateTime<Utc>) -> String {
    value.with_timezone(&Stockholm).format("%Y-%m-%d %H:%M").to_string()
}

/// The day it was in Sweden at that moment.
pub fn stockholm_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Stockholm).date_naive()
}

pub fn date(value: NaiveDate) -> String {
    value.format("%Y-%m-%d").to_string()
}

/// `part` of `whole` in whole percent, rounded; 0 when `whole` is 0.
pub fn percent(part: usize, whole: usize) -> usize {
    (part * 100 + whole / 2).checked_div(whole).unwrap_or(0)
}

/// Today's date in Sweden.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&Stockholm).date_naive()
}

/// The same day `months` later (the month's last day when it has fewer days): review
/// intervals and notice periods are counted this way.
pub fn months_after(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(chrono::Months::new(months)).unwrap_or(date)
}

/// The same day `months` earlier.
pub fn months_before(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_sub_months(chrono::Months::new(months)).unwrap_or(date)
}

/// Whole calendar months from `start` to `end` (0 when `end` is not later): the largest n
/// with `months_after(start, n) <= end`, so 31 January to 28 February is one month and
/// 29 February 2024 to 28 February 2025 one year.
pub fn months_between(start: NaiveDate, end: NaiveDate) -> u32 {
    if end <= start {
        return 0;
    }
    let rough = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
    let mut months = u32::try_from(rough).unwrap_or(0);
    while months > 0 && months_after(start, months) > end {
        months -= 1;
    }
    months
}

/// An age as Swedish readers write it: "2 år 1 mån", "1 år", "11 mån", "under 1 mån".
pub fn years_months(months: u32) -> String {
    match (months / 12, months % 12) {
        (0, 0) => "under 1 mån".into(),
        (0, m) => format!("{m} mån"),
        (y, 0) => format!("{y} år"),
        (y, m) => format!("{y} år {m} mån"),
    }
}

/// "20 000": thousands apart, as Swedish writes them.
pub fn thousands(n: impl std::fmt::Display) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && c.is_ascii_digit() && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// A count with its noun in the right number: "1 rekommendation", "2 rekommendationer".
/// (Templates pass their numbers by reference, code by value: both are accepted.)
pub fn count(n: impl std::borrow::Borrow<usize>, one: &str, many: &str) -> String {
    let n = *n.borrow();
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// Names as Swedish lists them: "A", "A och B", "A, B och C".
pub fn list_and(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} och {last}", rest.join(", ")),
    }
}

/// Text as its writer laid it out: paragraphs (split at blank lines), each a list of its
/// lines, so numbered lines and line breaks survive on the page and in the PDF.
pub fn paragraphs(text: &str) -> Vec<Vec<String>> {
    let mut paragraphs: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line.trim_start().to_string());
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_are_listed_with_och_before_the_last() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(list_and(&names(&[])), "");
        assert_eq!(list_and(&names(&["KS"])), "KS");
        assert_eq!(list_and(&names(&["KS", "BN"])), "KS och BN");
        assert_eq!(list_and(&names(&["KF", "KS", "BN"])), "KF, KS och BN");
    }

    #[test]
    fn percentages_round_and_survive_zero() {
        assert_eq!((percent(2, 3), percent(1, 3), percent(0, 0), percent(5, 5)), (67, 33, 0, 100));
    }

    #[test]
    fn months_end_on_the_last_day_of_short_months() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(months_after(d(2026, 1, 31), 1), d(2026, 2, 28));
        assert_eq!(months_after(d(2021, 5, 26), 36), d(2024, 5, 26));
        assert_eq!(months_before(d(2027, 3, 31), 3), d(2026, 12, 31));
    }

    #[test]
    fn shows_stockholm_time_across_daylight_saving() {
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(datetime(winter), "2026-01-15 13:00");
        assert_eq!(datetime(summer), "2026-07-15 14:00");
    }

    #[test]
    fn ages_count_whole_calendar_months_at_the_edges() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(months_between(d(2021, 10, 15), d(2023, 11, 15)), 25);
        assert_eq!(months_between(d(2021, 10, 15), d(2023, 11, 14)), 24);
        assert_eq!(months_between(d(2026, 1, 31), d(2026, 2, 28)), 1, "a month end reaches the shorter month's end");
        assert_eq!(months_between(d(2026, 1, 31), d(2026, 2, 27)), 0);
        assert_eq!(months_between(d(2024, 2, 29), d(2025, 2, 28)), 12, "a leap day is a year old on 28 February");
        assert_eq!(months_between(d(2023, 2, 28), d(2024, 2, 29)), 12);
        assert_eq!(months_between(d(2024, 3, 31), d(2024, 4, 30)), 1);
        assert_eq!(months_between(d(2024, 5, 1), d(2024, 5, 1)), 0);
        assert_eq!(months_between(d(2024, 5, 1), d(2023, 5, 1)), 0, "never negative");
        assert_eq!(months_between(d(2024, 12, 31), d(2025, 12, 31)), 12);
    }

    #[test]
    fn ages_read_in_years_and_months() {
        let read: Vec<String> = [0, 1, 11, 12, 13, 25, 24].map(years_months).to_vec();
        assert_eq!(read, ["under 1 mån", "1 mån", "11 mån", "1 år", "1 år 1 mån", "2 år 1 mån", "2 år"]);
    }

    #[test]
    fn counts_take_the_noun_in_the_right_number() {
        assert_eq!(count(1, "rekommendation", "rekommendationer"), "1 rekommendation");
        assert_eq!(count(0, "risk", "risker"), "0 risker");
        assert_eq!(count(2, "risk", "risker"), "2 risker");
        assert_eq!(count(20_000, "incident", "incidenter"), "20\u{a0}000 incidenter");
    }

    #[test]
    fn paragraphs_keep_their_lines_and_drop_empty_ones() {
        let text = "Vi föreslår att\r\n1. nämnderna utser systemägare\n2. riskanalyser görs\n\n\n  Sista stycket.  \n";
        assert_eq!(
            paragraphs(text),
            vec![
                vec![
                    "Vi föreslår att".to_string(),
                    "1. nämnderna utser systemägare".into(),
                    "2. riskanalyser görs".into()
                ],
                vec!["Sista stycket.".to_string()],
            ]
        );
        assert!(paragraphs(" \n\n ").is_empty());
    }
}
