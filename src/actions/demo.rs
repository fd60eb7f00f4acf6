//! Exempelby's handlingsplan for this year: the planned actions, decided by the KS.

use chrono::{Datelike, NaiveDate};
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::PlanInput;
use super::store::{self, Filter};
use crate::audit_log::Actor;
use crate::db::MunicipalityId;

pub async fn seed(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, today: NaiveDate) -> anyhow::Result<()> {
    let year = today.year();
    let ks = crate::org::store::list_bodies(&mut *tx, m)
        .await?
        .into_iter()
        .find(|b| b.kind == crate::org::model::BodyKind::Ks)
        .map(|b| b.id);
    let input = PlanInput {
        year,
        resources: "Samordnaren 50 %, 200 timmar från IT-enheten och 150 000 kr för utbildning.".into(),
        decided_by_body_id: ks,
        decision_date: NaiveDate::from_ymd_opt(year, 2, 18),
        decision_reference: format!("KS {year}-02-18 § 31"),
    };
    store::save_plan(tx, actor, m, &input).await?;
    let chosen: Vec<Uuid> = store::list(&mut *tx, m, &Filter::default(), today)
        .await?
        .into_iter()
        .filter(|a| a.source != super::model::Source::Recommendation || a.status != super::model::Status::Klar)
        .map(|a| a.id)
        .collect();
    store::set_plan_actions(tx, actor, m, year, &chosen).await?;
    Ok(())
}
