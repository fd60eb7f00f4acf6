//! Reminders: a daily job inside Lisa finds what is due soon or overdue in every area (the
//! same worklist as the dashboards), reminds each owner once before an item is due and weekly
//! while it is overdue, shows the reminders in the app and emails them through the configured
//! SMTP server to those who have not turned email off.

pub mod model;
pub mod pages;
pub mod store;
mod view;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;

use crate::AppState;
use crate::audit_log::Actor;
use crate::auth::Principal;
use crate::db::MunicipalityId;
use crate::db::tenant;
use crate::error::AppResult;
use crate::web::layout::NavLink;

/// What one run did.
#[derive(Debug, Default)]
pub struct RunSummary {
    pub created: u64,
    pub emails_sent: usize,
    pub emails_failed: usize,
    /// Why the last failed email failed.
    pub last_error: Option<String>,
    /// Municipalities whose run another instance was making at the same time.
    pub left_to_another: usize,
}

/// Finds what is due in every municipality, makes the reminders and sends the emails.
pub async fn run_once(state: &AppState, today: NaiveDate, now: DateTime<Utc>) -> AppResult<RunSummary> {
    let mut summary = RunSummary::default();
    let mailer = match &state.config.smtp_url {
        None => None,
        Some(url) => match crate::mail::Mailer::new(url, &state.config.mail_from) {
            Ok(mailer) => Some(mailer),
            Err(err) => {
                tracing::error!(error = %err, "reminders are not emailed");
                None
            }
        },
    };
    for municipality in crate::org::store::list_municipalities(&state.pool).await? {
        // Each municipality's run sees only its own rows (row-level security).
        let context = tenant::Context::municipality(municipality.id);
        tenant::within(context, run_for(state, municipality.id, today, now, mailer.as_ref(), &mut summary)).await?;
    }
    Ok(summary)
}

/// The municipality's run, by one instance at a time: whichever takes the municipality's
/// advisory lock runs it, and another started at the same moment leaves it alone, so two
/// instances never send the same mails. A lock dies with its connection, so an instance that
/// dies mid-run holds nothing, and the next run (of any instance) sends what it left unsent.
async fn run_for(
    state: &AppState,
    m: MunicipalityId,
    today: NaiveDate,
    now: DateTime<Utc>,
    mailer: Option<&crate::mail::Mailer>,
    summary: &mut RunSummary,
) -> AppResult<()> {
    let mut conn = state.pool.acquire().await?;
    let taken = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_lock(hashtextextended($1::text, 43)) AS "taken!""#,
        m.to_string()
    )
    .fetch_one(&mut *conn)
    .await?;
    if !taken {
        summary.left_to_another += 1;
        return Ok(());
    }
    let result = remind(state, &mut conn, m, today, now, mailer, summary).await;
    sqlx::query_scalar!("SELECT pg_advisory_unlock(hashtextextended($1::text, 43))", m.to_string())
        .fetch_one(&mut *conn)
        .await?;
    result
}

async fn remind(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    m: MunicipalityId,
    today: NaiveDate,
    now: DateTime<Utc>,
    mailer: Option<&crate::mail::Mailer>,
    summary: &mut RunSummary,
) -> AppResult<()> {
    let items = crate::reports::worklist::collect(&mut *conn, m, today, now).await?;
    let coordinators = store::coordinators(&mut *conn, m).await?;
    let members = store::members(&mut *conn, m).await?;
    let reminders: Vec<store::NewReminder> = items
        .iter()
        .filter(|item| model::is_due_for_reminder(item.due, today))
        .flat_map(|item| {
            model::recipients(item, &coordinators).into_iter().filter(|u| members.contains(u)).map(|user_id| {
                store::NewReminder {
                    user_id,
                    area: item.area.to_string(),
                    title: item.title.clone(),
                    link: item.link.clone(),
                    due: item.due,
                    occasion: model::occasion(item.due, today),
                }
            })
        })
        .collect();
    summary.created += store::add(&mut *conn, m, &reminders).await?;
    let Some(mailer) = mailer else { return Ok(()) };
    // Only recent ones: turning email on later does not send a backlog.
    let unsent = store::unsent(&mut *conn, m, now - Duration::days(2)).await?;
    for batch in unsent.chunk_by(|a, b| a.user_id == b.user_id) {
        let first = &batch[0];
        let lines: Vec<model::Line> = batch
            .iter()
            .map(|r| model::Line { area: r.area.clone(), title: r.title.clone(), link: r.link.clone(), due: r.due })
            .collect();
        let (subject, text) =
            model::email(&first.display_name, &first.municipality_name, &lines, &state.config.public_url, today);
        match mailer.send(&first.email, &first.display_name, &subject, text).await {
            Ok(()) => {
                let ids: Vec<_> = batch.iter().map(|r| r.id).collect();
                store::mark_emailed(&mut *conn, m, &ids).await?;
                summary.emails_sent += 1;
            }
            Err(err) => {
                // Left unsent: the next run tries again.
                tracing::warn!(error = %err, to = %first.email, "a reminder email could not be sent");
                summary.emails_failed += 1;
                summary.last_error = Some(format!("{err:#}"));
            }
        }
    }
    Ok(())
}

/// Turns the user's reminder emails on or off.
pub async fn set_email(state: &AppState, principal: &Principal, enabled: bool) -> AppResult<()> {
    principal.require(principal.is_member())?;
    let mut tx = state.pool.begin().await?;
    store::set_email(&mut tx, &Actor::from(principal), principal.user_id, enabled).await?;
    tx.commit().await?;
    Ok(())
}

/// The next 06:00 in Stockholm after `now`.
pub fn next_run(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&Stockholm);
    let six = NaiveTime::from_hms_opt(6, 0, 0).unwrap_or_default();
    let mut day = local.date_naive();
    loop {
        if let Some(at) = Stockholm.from_local_datetime(&day.and_time(six)).earliest() {
            let at = at.with_timezone(&Utc);
            if at > now {
                return at;
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
}

/// Runs the job shortly after start (it makes nothing twice) and then every morning at 06:00.
pub async fn daily(state: AppState) {
    tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    loop {
        let now = Utc::now();
        match run_once(&state, crate::web::format::today(), now).await {
            Ok(summary) => tracing::info!(?summary, "reminders run"),
            Err(err) => tracing::error!(error = %err, "the reminder run failed"),
        }
        let wait = (next_run(Utc::now()) - Utc::now()).to_std().unwrap_or(std::time::Duration::from_secs(3600));
        tokio::time::sleep(wait).await;
    }
}

/// A page of one's own reminders in the municipality (members only).
pub async fn mine(
    state: &AppState,
    principal: &Principal,
    page: i64,
) -> AppResult<(Vec<store::Reminder>, crate::web::pagination::Pager)> {
    principal.require(principal.is_member())?;
    let mut conn = state.pool.acquire().await?;
    store::for_user(&mut conn, principal.tenant()?, principal.user_id, page).await
}

/// The area's page among the user's own: reminders concern members of a municipality.
pub fn menu(principal: &Principal) -> Option<NavLink> {
    principal.is_member().then_some(NavLink { href: "/reminders", label: "Påminnelser", current: false })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/reminders", get(pages::list)).route("/reminders/settings", post(pages::settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_job_runs_at_six_in_the_morning_stockholm_time_winter_and_summer() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(next_run(at("2026-11-23T04:00:00Z")), at("2026-11-23T05:00:00Z"));
        assert_eq!(next_run(at("2026-11-23T05:00:00Z")), at("2026-11-24T05:00:00Z"));
        assert_eq!(next_run(at("2026-07-01T12:00:00Z")), at("2026-07-02T04:00:00Z"));
        // The night the clocks go forward: 06:00 is still 06:00 local time.
        assert_eq!(next_run(at("2026-03-28T06:00:00Z")), at("2026-03-29T04:00:00Z"));
    }
}
