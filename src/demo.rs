//! Demo data for `lisa serve --demo`: the fictional municipality Exempelby kommun.
//! Each area seeds its own part; seeding runs once (a second start changes nothing).

pub mod large;

use crate::AppState;
use crate::audit_log::Actor;
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
    crate::suppliers::demo::seed(&mut tx, &actor, municipality, crate::web::format::today()).await?;
    crate::documents::demo::seed(&mut tx, &actor, municipality, crate::web::format::today()).await?;
    let year = chrono::Datelike::year(&crate::web::format::today()) as i16;
    crate::training::demo::seed(&mut tx, &actor, municipality, year).await?;
    crate::incidents::demo::seed(&mut tx, &actor, municipality, chrono::Utc::now()).await?;
    crate::actions::demo::seed(&mut tx, &actor, municipality, crate::web::format::today()).await?;
    crate::reports::demo::seed(&mut tx, &actor, municipality, crate::web::format::today()).await?;
    tx.commit().await?;
    Ok(true)
}
