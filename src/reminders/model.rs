//! The reminder rules: what is reminded, to whom, and the email text.

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use crate::reports::worklist::Item;

/// Items due within this many days, or overdue, are reminded.
pub const REMIND_DAYS: i64 = 14;

pub fn is_due_for_reminder(due: NaiveDate, today: NaiveDate) -> bool {
    due <= today + Duration::days(REMIND_DAYS)
}

/// Overdue items are reminded again after this many days.
pub const REPEAT_OVERDUE_DAYS: i64 = 7;

/// Which reminder of an item `today` belongs to: one while it is coming up (its due date),
/// then one on the first overdue day and one every week after that. The job makes each
/// occasion's reminder once, however often it runs.
pub fn occasion(due: NaiveDate, today: NaiveDate) -> NaiveDate {
    if today <= due {
        return due;
    }
    let first_overdue = due + Duration::days(1);
    let weeks = (today - first_overdue).num_days() / REPEAT_OVERDUE_DAYS;
    first_overdue + Duration::days(weeks * REPEAT_OVERDUE_DAYS)
}

/// The owner when Lisa knows their login; otherwise the municipality's coordinators.
pub fn recipients(item: &Item, coordinators: &[Uuid]) -> Vec<Uuid> {
    match item.owner_user_id {
        Some(owner) => vec![owner],
        None => coordinators.to_vec(),
    }
}

/// One line of an email.
pub struct Line {
    pub area: String,
    pub title: String,
    pub link: String,
    pub due: NaiveDate,
}

/// Subject and plain-text body of one user's daily email.
pub fn email(name: &str, municipality: &str, lines: &[Line], base_url: &str, today: NaiveDate) -> (String, String) {
    let overdue = lines.iter().filter(|l| l.due < today).count();
    let subject = match overdue {
        0 => format!("Lisa: {} att göra snart", lines.len()),
        n => format!("Lisa: {n} försenade och {} att göra snart", lines.len() - n),
    };
    let mut body = format!("Hej {name}!\n\nDet här förfaller snart eller är försenat i {municipality}:\n\n");
    for line in lines {
        let state = if line.due < today { "försenad sedan" } else { "senast" };
        body.push_str(&format!(
            "- {}: {} ({state} {})\n  {}{}\n",
            line.area,
            line.title,
            line.due,
            base_url.trim_end_matches('/'),
            line.link
        ));
    }
    body.push_str(&format!(
        "\nDu ser alla dina påminnelser i Lisa: {}/reminders\n\
         Där kan du också stänga av påminnelser via e-post.\n",
        base_url.trim_end_matches('/')
    ));
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(owner: Option<Uuid>) -> Item {
        Item {
            area: "Åtgärd",
            title: "Klassa lärplattformen".into(),
            link: "/actions/1".into(),
            due: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            owner_user_id: owner,
            system_id: None,
        }
    }

    #[test]
    fn owners_get_their_own_and_the_coordinators_what_has_no_owner() {
        let (owner, a, b) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        assert_eq!(recipients(&item(Some(owner)), &[a, b]), vec![owner]);
        assert_eq!(recipients(&item(None), &[a, b]), vec![a, b]);
    }

    #[test]
    fn overdue_and_the_next_fourteen_days_are_reminded() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert!(is_due_for_reminder(today - Duration::days(300), today));
        assert!(is_due_for_reminder(today + Duration::days(14), today));
        assert!(!is_due_for_reminder(today + Duration::days(15), today));
    }

    #[test]
    fn an_item_is_reminded_once_while_coming_up_then_weekly_while_overdue() {
        let due = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let on = |days: i64| occasion(due, due + Duration::days(days));
        assert_eq!((on(-14), on(-1), on(0)), (due, due, due), "one reminder before it is due");
        let first = due + Duration::days(1);
        assert_eq!((on(1), on(7)), (first, first), "the first overdue week");
        assert_eq!((on(8), on(14)), (first + Duration::days(7), first + Duration::days(7)));
        assert_eq!(on(365), first + Duration::days(364), "a year late is still reminded weekly");
    }

    #[test]
    fn the_email_says_what_is_late_and_links_to_it() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let lines = [
            Line {
                area: "Styrdokument".into(),
                title: "Se över Informationssäkerhetspolicy".into(),
                link: "/documents/7".into(),
                due: NaiveDate::from_ymd_opt(2024, 5, 26).unwrap(),
            },
            Line { area: "Åtgärd".into(), title: "Klassa".into(), link: "/actions/1".into(), due: today },
        ];
        let (subject, body) = email("Sara Lind", "Exempelby kommun", &lines, "https://lisa.exempelby.se/", today);
        assert_eq!(subject, "Lisa: 1 försenade och 1 att göra snart");
        assert!(body.starts_with("Hej Sara Lind!"));
        assert!(body.contains(
            "- Styrdokument: Se över Informationssäkerhetspolicy (försenad sedan 2024-05-26)\n  https://lisa.exempelby.se/documents/7"
        ));
        assert!(body.contains("- Åtgärd: Klassa (senast 2026-11-23)"));
        assert!(body.contains("https://lisa.exempelby.se/reminders"));
    }
}
