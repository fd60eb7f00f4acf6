//! Exempelby's training: the yearly basic course for two years, where elected officials lag
//! behind, and a deeper course for system owners this year.

use sqlx::PgConnection;

use super::model::{CampaignInput, Group, GroupCount};
use crate::audit_log::Actor;
use crate::db::MunicipalityId;

/// (group, in group, completed)
type Counts = &'static [(Group, i32, i32)];

/// (name, years before this one, counts)
const CAMPAIGNS: [(&str, i16, Counts); 3] = [
    (
        "Grundutbildning i informationssäkerhet",
        1,
        &[(Group::Alla, 2140, 1390), (Group::Fortroendevalda, 61, 9), (Group::Chefer, 118, 87)],
    ),
    (
        "Grundutbildning i informationssäkerhet",
        0,
        &[(Group::Alla, 2175, 1701), (Group::Fortroendevalda, 61, 17), (Group::Chefer, 121, 104)],
    ),
    (
        "Fördjupning för systemägare och systemförvaltare",
        0,
        &[(Group::Systemagare, 34, 29), (Group::Forvaltare, 52, 38)],
    ),
];

pub async fn seed(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, this_year: i16) -> anyhow::Result<()> {
    for (name, years_ago, groups) in CAMPAIGNS {
        let year = this_year - years_ago;
        let description = "Webbutbildning i lärplattformen med avslutande test.".to_string();
        let campaign =
            super::store::create(tx, actor, m, &CampaignInput { name: name.into(), year, description }).await?;
        let counts: Vec<GroupCount> = groups
            .iter()
            .map(|(group, in_group, completed)| GroupCount {
                target_group: *group,
                in_group: *in_group,
                completed: *completed,
            })
            .collect();
        super::store::set_participation(tx, actor, m, campaign.id, &counts, true).await?;
    }
    Ok(())
}
