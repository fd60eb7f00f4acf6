//! Exempelby's access reviews: some critical systems reviewed this year, one overdue,
//! one made without a system-generated extract, the rest never reviewed.

use chrono::{Duration, NaiveDate};
use sqlx::PgConnection;

use super::model::{ReviewInput, default_next_due};
use crate::audit_log::Actor;
use crate::db::MunicipalityId;

/// (system, days ago, complete, accounts removed, roles changed, findings)
const REVIEWS: [(&str, i64, bool, i32, i32, &str); 5] = [
    ("Omsorgsdokumentation", 60, true, 14, 6, "Konton för slutade vikarier fanns kvar."),
    ("Lönesystem", 120, true, 3, 1, ""),
    ("Katalogtjänst", 30, true, 41, 12, "Många konton för slutade medarbetare; rutin för avslut ses över."),
    ("Skolplattformen", 200, false, 0, 0, "Gjord på känn utan systemgenererad lista."),
    ("E-arkiv", 500, true, 1, 0, ""),
];

pub async fn seed(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, today: NaiveDate) -> anyhow::Result<()> {
    let systems = crate::systems::store::names(&mut *tx, m).await?;
    let reviewer = crate::org::store::person_names(&mut *tx, m)
        .await?
        .into_iter()
        .find(|(_, n)| n == "Erik Sund")
        .map(|(id, _)| id);
    for (name, days, complete, removed, changed, findings) in REVIEWS {
        let Some(system_id) = systems.iter().find(|(_, n)| n == name).map(|(id, _)| *id) else { continue };
        let reviewed_on = today - Duration::days(days);
        let input = ReviewInput {
            system_id,
            reviewed_on,
            reviewer_person_id: reviewer,
            checks: [complete, true, complete],
            accounts_removed: removed,
            roles_changed: changed,
            findings: findings.into(),
            next_due: default_next_due(reviewed_on),
        };
        super::store::record(tx, actor, m, &input).await?;
    }
    Ok(())
}
