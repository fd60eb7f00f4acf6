//! What is due across every area: reviews, legal clocks on open incidents, actions, responses
//! to the auditors, compliance checks, governing documents, continuity exercises and plans,
//! internal control points.
//! The coordinator's dashboard, the system owner's and the daily reminders all read this one list.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::actions::model::Status as ActionStatus;
use crate::db::MunicipalityId;
use crate::error::AppResult;

/// How far ahead "due soon" looks.
pub const SOON_DAYS: i64 = 30;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Item {
    /// The area in Swedish, e.g. "Översyn av system".
    pub area: &'static str,
    pub title: String,
    pub link: String,
    pub due: NaiveDate,
    /// Who is expected to act, when Lisa knows a login for them.
    pub owner_user_id: Option<Uuid>,
    /// The system the item concerns, for the system owner's view.
    #[serde(skip)]
    pub system_id: Option<Uuid>,
}

impl Item {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.due < today
    }

    /// "3 dagar sedan", "i dag", "om 12 dagar"; beyond two months in years and months.
    pub fn when(&self, today: NaiveDate) -> String {
        use crate::web::format::{months_between, years_months};
        let days = (self.due - today).num_days();
        match days {
            0 => "i dag".into(),
            1 => "i morgon".into(),
            -1 => "i går".into(),
            d if d < -60 => format!("{} sedan", years_months(months_between(self.due, today))),
            d if d < 0 => format!("{} dagar sedan", -d),
            d if d > 60 => format!("om {}", years_months(months_between(today, self.due))),
            d => format!("om {d} dagar"),
        }
    }
}

/// Overdue items (oldest first) and those due within `SOON_DAYS` (soonest first); the rest is dropped.
pub fn split(mut items: Vec<Item>, today: NaiveDate) -> (Vec<Item>, Vec<Item>) {
    let horizon = today + Duration::days(SOON_DAYS);
    items.retain(|i| i.due <= horizon);
    items.sort_by(|a, b| (a.due, a.area, &a.title).cmp(&(b.due, b.area, &b.title)));
    items.into_iter().partition(|i| i.is_overdue(today))
}

/// Everything with a due date, from every area; a fixed number of queries.
pub async fn collect(
    db: &mut PgConnection,
    m: MunicipalityId,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Vec<Item>> {
    let mut items = Vec::new();
    let systems = crate::systems::store::list(&mut *db, m, &Default::default(), today).await?;
    for system in systems.iter().filter(|s| s.lifecycle != crate::systems::model::Lifecycle::Retired) {
        if let Some(due) = system.next_review() {
            items.push(Item {
                area: "Översyn av system",
                title: format!("Se över klassning och riskanalys för {}", system.name),
                link: format!("/systems/{}", system.id),
                due,
                owner_user_id: system.owner_user_id,
                system_id: Some(system.id),
            });
        }
    }
    let owner_of = |system_id: Uuid| systems.iter().find(|s| s.id == system_id).and_then(|s| s.owner_user_id);
    for standing in crate::access_reviews::store::standings(&mut *db, m).await? {
        if let Some(due) = standing.next_due {
            items.push(Item {
                area: "Behörighetsgenomgång",
                title: format!("Gå igenom behörigheterna i {}", standing.system_name),
                link: format!("/systems/{}", standing.system_id),
                due,
                owner_user_id: owner_of(standing.system_id),
                system_id: Some(standing.system_id),
            });
        }
    }
    for standing in crate::continuity::standings_of(&mut *db, m, systems.clone(), today, None).await? {
        let Some(plan) = standing.plan.as_ref() else { continue };
        let link = format!("/continuity/systems/{}", standing.system_id);
        if let Some(due) = standing.exercise_due.filter(|_| standing.is_critical) {
            items.push(Item {
                area: "Kontinuitetsövning",
                title: format!("Öva kontinuitetsplanen för {}", standing.system_name),
                link: link.clone(),
                due,
                owner_user_id: standing.owner_user_id,
                system_id: Some(standing.system_id),
            });
        }
        if let Some(due) = plan.review_on {
            items.push(Item {
                area: "Kontinuitetsplan",
                title: format!("Se över kontinuitetsplanen för {}", standing.system_name),
                link,
                due,
                owner_user_id: standing.owner_user_id,
                system_id: Some(standing.system_id),
            });
        }
    }
    let this_year = crate::internal_control::store::Selection { year: Some(today.year() as i16), ..Default::default() };
    for point in crate::internal_control::store::points(&mut *db, m, this_year).await? {
        if let Some(due) = point.next_due() {
            items.push(Item {
                area: "Internkontroll",
                title: format!("Genomför kontrollen för {}: {}", point.body_name, point.control),
                link: format!("/internal-control/{}", point.id),
                due,
                owner_user_id: point.responsible_user_id,
                system_id: point.system_id,
            });
        }
    }
    let open_actions = crate::actions::store::list(&mut *db, m, &Default::default(), today).await?;
    for action in
        open_actions.into_iter().filter(|a| !matches!(a.status, ActionStatus::Klar | ActionStatus::Foreslagen))
    {
        if let Some(due) = action.due_date {
            items.push(Item {
                area: "Åtgärd",
                title: action.title,
                link: format!("/actions/{}", action.id),
                due,
                owner_user_id: action.owner_user_id,
                system_id: action.system_id,
            });
        }
    }
    for status in crate::incidents::model::Status::OPEN {
        let filter = crate::incidents::store::Filter { status: status.code().into(), ..Default::default() };
        for incident in crate::incidents::store::list(&mut *db, m, &filter).await? {
            let reference = incident.reference();
            for clock in incident.clocks(now) {
                if matches!(
                    clock.state,
                    crate::incidents::clocks::ClockState::Running | crate::incidents::clocks::ClockState::Overdue
                ) {
                    items.push(Item {
                        area: "Incident",
                        title: format!("{reference}: {}", clock.label()),
                        link: format!("/incidents/{}", incident.id),
                        due: crate::web::format::stockholm_date(clock.due),
                        owner_user_id: incident.responsible_user_id,
                        system_id: None,
                    });
                }
            }
        }
    }
    for request in crate::classification::store::open_approval_requests(&mut *db, m).await? {
        items.push(Item {
            area: "Godkännande av klassning",
            title: request.title,
            link: format!("/assets/{}", request.asset_id),
            due: request.due,
            owner_user_id: Some(request.asked_user_id),
            // The one asked acts, not the system's owner (who asked): theirs alone.
            system_id: None,
        });
    }
    for request in crate::risks::store::open_acceptance_requests(&mut *db, m).await? {
        items.push(Item {
            area: "Riskacceptans",
            title: request.title,
            link: format!("/risk-analyses/{}", request.analysis_id),
            due: request.due,
            owner_user_id: Some(request.asked_user_id),
            system_id: None,
        });
    }
    for missing in crate::audits::store::missing_responses(&mut *db, m).await? {
        items.push(Item {
            area: "Svar till revisorerna",
            title: format!(
                "{} ska svara på {} ({})",
                missing.body_name,
                missing.audit_title,
                crate::web::format::count(missing.recommendations as usize, "rekommendation", "rekommendationer")
            ),
            link: format!("/audits/{}", missing.audit_id),
            due: missing.deadline,
            owner_user_id: None,
            system_id: None,
        });
    }
    for standing in crate::suppliers::store::standings(&mut *db, m, None, today).await? {
        if standing.has_ended {
            continue;
        }
        // One item per contract: the earliest check due, and how many requirements are due by then.
        let due_dates: Vec<NaiveDate> = standing.requirements.iter().filter_map(|r| r.next_check).collect();
        if let Some(due) = due_dates.iter().min().copied() {
            let count = due_dates.iter().filter(|d| **d <= due.max(today)).count().max(1);
            items.push(Item {
                area: "Efterlevnadskontroll",
                title: format!(
                    "Kontrollera {} i {}",
                    crate::web::format::count(count, "krav", "krav"),
                    standing.contract.title
                ),
                link: format!("/contracts/{}", standing.contract.id),
                due,
                owner_user_id: standing.contract.owner_user_id,
                system_id: None,
            });
        }
    }
    for document in crate::documents::store::list(&mut *db, m).await? {
        if document.status != crate::documents::model::Status::Gallande {
            continue;
        }
        if let Some(due) = document.next_review() {
            items.push(Item {
                area: "Styrdokument",
                title: format!("Se över {}", document.title),
                link: format!("/documents/{}", document.id),
                due,
                owner_user_id: document.owner_user_id,
                system_id: None,
            });
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, due: NaiveDate) -> Item {
        Item { area: "Åtgärd", title: title.into(), link: String::new(), due, owner_user_id: None, system_id: None }
    }

    #[test]
    fn overdue_oldest_first_then_due_within_thirty_days_and_nothing_later() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let day = |offset: i64| today + Duration::days(offset);
        let items = vec![
            item("i morgon", day(1)),
            item("länge sedan", day(-40)),
            item("i går", day(-1)),
            item("gränsen", day(30)),
            item("för långt bort", day(31)),
            item("i dag", day(0)),
        ];
        let (overdue, soon) = split(items, today);
        let titles = |list: &[Item]| list.iter().map(|i| i.title.clone()).collect::<Vec<_>>();
        assert_eq!(titles(&overdue), ["länge sedan", "i går"]);
        assert_eq!(titles(&soon), ["i dag", "i morgon", "gränsen"]);
        assert_eq!(overdue[0].when(today), "40 dagar sedan");
        assert_eq!(soon[0].when(today), "i dag");
        assert_eq!(soon[2].when(today), "om 30 dagar");
        assert_eq!(item("länge sedan", NaiveDate::from_ymd_opt(2023, 4, 1).unwrap()).when(today), "3 år 7 mån sedan");
        assert_eq!(item("långt fram", day(400)).when(today), "om 1 år 1 mån");
    }
}
