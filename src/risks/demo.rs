//! Exempelby's risk analyses (in our own words): a care system, the medicine robot and
//! the whole IT environment, with treatments planned and one risk accepted.

use super::model::ObjectKind;
use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{AnalysisInput, RiskInput};
use super::store;
use crate::actions::model::ActionInput;
use crate::actions::store::{ActionLinks, Source};
use crate::audit_log::Actor;
use crate::code::Priority;
use crate::db::MunicipalityId;

/// (title, object kind, system, object text, date, owner, risks: (threat, L, C, existing, residual, treatment))
type RiskRow = (&'static str, i16, i16, &'static str, Option<(i16, i16)>, Option<&'static str>);

type AnalysisRow =
    (&'static str, ObjectKind, &'static str, &'static str, (i32, u32, u32), &'static str, &'static [RiskRow]);

const ANALYSES: [AnalysisRow; 3] = [
    (
        "Riskanalys av omsorgsdokumentationen",
        ObjectKind::System,
        "Omsorgsdokumentation",
        "",
        (2026, 3, 12),
        "Eva Dahl",
        &[
            (
                "Obehörig läser journaler genom delade konton",
                2,
                4,
                "Personliga konton, loggning",
                Some((1, 4)),
                Some("Inför loggranskning varje månad"),
            ),
            (
                "Systemet ligger nere under helg utan reservrutin",
                3,
                3,
                "Leverantörens jour",
                Some((2, 2)),
                Some("Ta fram och öva reservrutin på papper"),
            ),
            ("Felaktig dokumentation vid stress", 3, 2, "Utbildning vid introduktion", None, None),
            ("Utskrifter lämnas kvar i gemensamma utrymmen", 2, 2, "Skrivare med utskrift vid kortläsning", None, None),
        ],
    ),
    (
        "Riskanalys av läkemedelsroboten",
        ObjectKind::System,
        "Läkemedelsrobot i hemtjänsten",
        "",
        (2026, 4, 20),
        "Eva Dahl",
        &[
            (
                "Roboten delar ut fel dos efter fel i uppdatering",
                2,
                4,
                "Leverantören testar uppdateringar",
                None,
                Some("Kräv att kommunen godkänner uppdateringar innan de installeras"),
            ),
            ("Robotens larm når inte hemtjänsten", 2, 3, "Larm via mobilnätet", None, None),
        ],
    ),
    (
        "Riskanalys av IT-miljön",
        ObjectKind::ItEnvironment,
        "",
        "Kommunens gemensamma IT-miljö hos Länets IT-bolag",
        (2024, 11, 5),
        "Erik Sund",
        &[
            (
                "Utpressningsvirus krypterar servrar och säkerhetskopior",
                3,
                4,
                "Säkerhetskopior varje natt",
                None,
                Some("Säkerhetskopior åtskilda och skrivskyddade, återläsningstest"),
            ),
            (
                "Nätfiske ger angripare ett användarkonto",
                4,
                3,
                "Skräppostfilter",
                Some((2, 3)),
                Some("Inför flerfaktorsautentisering för alla"),
            ),
            ("Gamla servrar saknar säkerhetsuppdateringar", 3, 3, "", None, None),
            ("Strömavbrott i serverhallen", 1, 3, "Reservkraft", None, None),
        ],
    ),
];

pub async fn seed(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId) -> anyhow::Result<()> {
    let systems = crate::systems::store::names(&mut *tx, m).await?;
    let people = crate::org::store::person_names(&mut *tx, m).await?;
    let find = |items: &[(Uuid, String)], name: &str| items.iter().find(|(_, n)| n == name).map(|(id, _)| *id);
    for (title, kind, system, text, (y, mo, d), owner, risks) in ANALYSES {
        let input = AnalysisInput {
            title: title.into(),
            object_kind: kind,
            system_id: find(&systems, system),
            object_text: text.into(),
            analysed_on: NaiveDate::from_ymd_opt(y, mo, d).unwrap_or_default(),
            participants: format!("{owner}, Sara Lind (informationssäkerhetssamordnare), Erik Sund (IT-chef)"),
            owner_person_id: find(&people, owner),
        };
        let analysis = store::create_analysis(tx, actor, m, &input).await?;
        for (threat, likelihood, consequence, existing, residual, treatment) in risks.iter().copied() {
            let input = RiskInput {
                threat: threat.into(),
                likelihood,
                consequence,
                existing_measures: existing.into(),
                residual_likelihood: residual.map(|r| r.0),
                residual_consequence: residual.map(|r| r.1),
            };
            let risk = store::add_risk(tx, actor, m, analysis.id, &input).await?;
            if let Some(title) = treatment {
                let links = ActionLinks {
                    source: Source::Risk,
                    risk_id: Some(risk.id),
                    system_id: analysis.system_id,
                    ..Default::default()
                };
                let action = ActionInput {
                    title: title.into(),
                    description: String::new(),
                    owner_person_id: find(&people, owner),
                    due_date: NaiveDate::from_ymd_opt(2026, 12, 31),
                    priority: Some(if likelihood * consequence >= 9 { Priority::High } else { Priority::Medium }),
                    effort: "40 timmar".into(),
                };
                crate::actions::store::create(tx, actor, m, &links, crate::actions::model::Status::Planerad, &action)
                    .await?;
            }
            if likelihood * consequence < 4 {
                store::accept(tx, &Actor::system(owner), m, risk.id, "Risken är låg och befintliga åtgärder räcker.")
                    .await?;
            }
        }
    }
    Ok(())
}
