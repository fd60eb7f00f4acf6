//! Demo: last year's annual report, published, with the coordinator's judgement and the board's decisions.

use chrono::Datelike;
use sqlx::PgConnection;

use super::store::{self, ReportText};
use crate::audit_log::Actor;
use crate::db::MunicipalityId;

pub async fn seed(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    let year = today.year() - 1;
    let report = store::create(&mut *tx, actor, m, year as i16).await?;
    let text = ReportText {
        summary: "Arbetet med informationssäkerhet har kommit i gång men är ojämnt. Kommunstyrelsen och \
                  välfärdsnämnden har klassat nästan all information; bildningsnämnden och bostadsbolaget ligger efter.\n\n\
                  Revisionens rekommendationer från 2024 är bara delvis genomförda, och få system har en aktuell riskanalys."
            .into(),
        proposals: "1. Varje nämnd utser systemägare för de system som saknar det före sommaren.\n\n\
                    2. Riskanalyser görs för alla verksamhetskritiska system under året.\n\n\
                    3. Förtroendevalda erbjuds en egen kort utbildning i samband med ett nämndsammanträde."
            .into(),
        decisions: "Kommunstyrelsen ställer sig bakom förslagen och ger kommundirektören i uppdrag att ta in dem i \
                    nästa års handlingsplan."
            .into(),
        decision_reference: format!("KS {}-02-19 § 31", today.year()),
        as_of: String::new(),
        version: String::new(),
    };
    let report = store::update(&mut *tx, actor, m, report.id, &text).await?;
    let figures = super::figures::compute(&mut *tx, m, year, report.as_of_date()).await?;
    let by = store::Publisher { name: "Sara Lind", role: crate::auth::Role::Samordnare.label() };
    store::publish(&mut *tx, actor, m, report.id, &figures, &by).await?;
    Ok(())
}
