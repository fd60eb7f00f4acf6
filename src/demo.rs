//! Demo data for `lisa serve --demo`: the fictional municipality Exempelby kommun.
//! Each area seeds its own part; seeding runs once (a second start changes nothing).

pub mod hostile;
pub mod large;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use crate::AppState;
use crate::audit_log::Actor;
use crate::db::MunicipalityId;
use crate::org;

/// The demo accounts' password (listed in the README).
pub const PASSWORD: &str = "exempelby-demo";

/// Fills the demo municipality unless it exists. Returns whether anything was created.
pub async fn seed(state: &AppState) -> anyhow::Result<bool> {
    if org::store::find_municipality_by_org_number(&state.pool, org::demo::ORG_NUMBER).await?.is_some() {
        return Ok(false);
    }
    let actor = Actor::system("Lisa (demodata)");
    let mut tx = state.pool.begin().await?;
    let municipality = org::demo::seed(&mut tx, &actor, state.config.password_cost).await?;
    crate::audits::demo::seed(&mut tx, &actor, municipality).await?;
    crate::systems::demo::seed(&mut tx, &actor, municipality).await?;
    crate::risks::demo::seed(&mut tx, &actor, municipality).await?;
    crate::access_reviews::demo::seed(&mut tx, &actor, municipality, crate::web::format::today()).await?;
    crate::continuity::demo::seed(&mut tx, &actor, municipality, crate::web::format::today()).await?;
    crate::suppliers::demo::seed(&mut tx, &actor, municipality, crate::web::format::today()).await?;
    crate::documents::demo::seed(&mut tx, &actor, municipality, crate::web::format::today()).await?;
    let year = chrono::Datelike::year(&crate::web::format::today()) as i16;
    crate::training::demo::seed(&mut tx, &actor, municipality, year).await?;
    crate::incidents::demo::seed(&mut tx, &actor, municipality, chrono::Utc::now()).await?;
    crate::actions::demo::seed(&mut tx, &actor, municipality, crate::web::format::today()).await?;
    crate::internal_control::demo::seed(&mut tx, &actor, municipality, crate::web::format::today()).await?;
    let last_year = chrono::Datelike::year(&crate::web::format::today()) - 1;
    registered_since(&mut tx, municipality, crate::reports::figures::end_of_day(day(last_year, 1, 1))).await?;
    crate::reports::demo::seed(&mut tx, &actor, municipality, crate::web::format::today()).await?;
    tx.commit().await?;
    Ok(true)
}

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// Dates the demo's registrations as if the municipality had kept its register in Lisa since
/// `since` (keeping their order), so that last year's report, counted as of 31 December, finds
/// them. The dates things happened on (reports, incidents, reviews) are the demo's own.
pub async fn registered_since(tx: &mut PgConnection, m: MunicipalityId, since: DateTime<Utc>) -> anyhow::Result<()> {
    let shift = |sql: &'static str| sqlx::query(sql).bind(m).bind(since);
    for sql in [
        "UPDATE systems SET created_at = created_at - (now() - $2) WHERE municipality_id = $1",
        "UPDATE information_assets SET created_at = created_at - (now() - $2) WHERE municipality_id = $1",
        "UPDATE classifications SET classified_at = classified_at - (now() - $2),
                approved_at = approved_at - (now() - $2) WHERE municipality_id = $1",
        "UPDATE risk_analyses SET created_at = created_at - (now() - $2) WHERE municipality_id = $1",
        "UPDATE risks SET created_at = created_at - (now() - $2), accepted_at = accepted_at - (now() - $2)
          WHERE municipality_id = $1",
        "UPDATE actions SET created_at = created_at - (now() - $2) WHERE municipality_id = $1",
        "UPDATE action_status_changes SET changed_at = changed_at - (now() - $2) WHERE municipality_id = $1",
        "UPDATE recommendations SET created_at = created_at - (now() - $2) WHERE municipality_id = $1",
        "UPDATE recommendation_status_changes SET changed_at = changed_at - (now() - $2) WHERE municipality_id = $1",
        "UPDATE follow_up_assessments SET assessed_at = assessed_at - (now() - $2) WHERE municipality_id = $1",
        "UPDATE contracts SET created_at = created_at - (now() - $2) WHERE municipality_id = $1",
        "UPDATE compliance_checks SET created_at = created_at - (now() - $2) WHERE municipality_id = $1",
        "UPDATE continuity_plans SET created_at = created_at - (now() - $2) WHERE municipality_id = $1",
    ] {
        shift(sql).execute(&mut *tx).await?;
    }
    Ok(())
}
