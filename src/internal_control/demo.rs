//! Exempelby's internal control: the Bildningsnämnd's plan for this year from Lisa's starter
//! points, one control performed without remarks and one with a deviation (and its action),
//! the rest still to do.

use chrono::{Datelike, NaiveDate};
use sqlx::PgConnection;

use super::model::{Outcome, PointInput, ResultInput, STARTERS};
use crate::actions::store::{ActionLinks, Source};
use crate::audit_log::Actor;
use crate::db::MunicipalityId;

pub async fn seed(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, today: NaiveDate) -> anyhow::Result<()> {
    let Some(body) =
        crate::org::store::list_bodies(&mut *tx, m).await?.into_iter().find(|b| b.name == "Bildningsnämnden")
    else {
        return Ok(());
    };
    let responsible = crate::org::store::person_names(&mut *tx, m)
        .await?
        .into_iter()
        .find(|(_, n)| n == "Johan Berg")
        .map(|(id, _)| id);
    let year = today.year();
    let mut points = Vec::new();
    for starter in &STARTERS {
        let input = PointInput {
            body_id: body.id,
            year: year as i16,
            area: starter.area.into(),
            risk: starter.risk.into(),
            risk_id: None,
            recommendation_id: None,
            system_id: None,
            measure_id: None,
            control: starter.control.into(),
            method: starter.method,
            sample: if starter.code == "behorighet" { "Tio konton per system".into() } else { String::new() },
            frequency: starter.frequency,
            responsible_person_id: responsible,
            reported_at: starter.reported_at,
        };
        points.push((starter.code, super::store::create_point(tx, actor, m, &input, Some(starter.code)).await?));
    }
    let day = |month: u32, d: u32| NaiveDate::from_ymd_opt(year, month, d).filter(|day| *day <= today).unwrap_or(today);
    for (code, point) in &points {
        let (performed_on, outcome, comment) = match *code {
            "behorighet" => {
                (day(5, 20), Outcome::Deviation, "Tre konton för slutade vikarier fanns kvar i Skolplattformen.")
            }
            "rekommendation" => (day(6, 10), Outcome::NoRemarks, ""),
            _ => continue,
        };
        let action_id = if outcome == Outcome::Deviation {
            let action = crate::actions::model::ActionInput {
                title: "Avsluta konton för slutade vikarier i Skolplattformen".into(),
                description: comment.into(),
                owner_person_id: responsible,
                due_date: None,
                priority: None,
                effort: String::new(),
            };
            let links = ActionLinks { source: Source::InternalControl, ..Default::default() };
            let proposed = crate::actions::model::Status::Foreslagen;
            Some(crate::actions::store::create(tx, actor, m, &links, proposed, &action).await?.id)
        } else {
            None
        };
        let input = ResultInput { performed_on, outcome, comment: comment.into() };
        super::store::record_result(tx, actor, m, point.id, &input, action_id).await?;
    }
    Ok(())
}
