//! Dates and numbers as Swedish readers expect them, in Europe/Stockholm time.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;

pub fn datetime(value: DateTime<Utc>) -> String {
    value.with_timezone(&Stockholm).format("%Y-%m-%d %H:%M").to_string()
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

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
}
