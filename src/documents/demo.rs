//! Exempelby's governing documents: the policy from 2021 now overdue for review, a guideline that
//! names another body as ultimately responsible (flagged), routines in force and a draft.

use super::model::Status;
use chrono::{Duration, NaiveDate};
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{DocumentInput, Kind};
use crate::audit_log::Actor;
use crate::db::MunicipalityId;

struct DemoDocument {
    title: &'static str,
    kind: Kind,
    /// Days before today it was decided; None for a date fixed in the past.
    decided_days_ago: Option<i64>,
    decided_on: Option<(i32, u32, u32)>,
    decided_by: Option<&'static str>,
    owner: &'static str,
    responsible: Option<&'static str>,
    status: Status,
    audience: &'static [&'static str],
    conflict: &'static str,
}

const DOCUMENTS: [DemoDocument; 5] = [
    DemoDocument {
        title: "Informationssäkerhetspolicy",
        kind: Kind::Policy,
        decided_days_ago: None,
        decided_on: Some((2021, 5, 26)),
        decided_by: Some("Kommunstyrelsen"),
        owner: "Sara Lind",
        responsible: Some("Kommunstyrelsen"),
        status: Status::Gallande,
        audience: &["samordnare", "systemagare", "revisor", "fortroendevald", "medarbetare"],
        conflict: "",
    },
    DemoDocument {
        title: "Riktlinje för informationssäkerhet",
        kind: Kind::Riktlinje,
        decided_days_ago: Some(420),
        decided_on: None,
        decided_by: Some("Kommunstyrelsen"),
        owner: "Sara Lind",
        responsible: Some("Kommunfullmäktige"),
        status: Status::Gallande,
        audience: &["samordnare", "systemagare"],
        conflict: "Pekar ut kommunfullmäktige som ytterst ansvarigt; policyn säger kommunstyrelsen.",
    },
    DemoDocument {
        title: "Rutin för incidenthantering",
        kind: Kind::Rutin,
        decided_days_ago: Some(200),
        decided_on: None,
        decided_by: Some("Kommunstyrelsen"),
        owner: "Sara Lind",
        responsible: None,
        status: Status::Gallande,
        audience: &["medarbetare", "systemagare"],
        conflict: "",
    },
    DemoDocument {
        title: "Rutin för klassning av information",
        kind: Kind::Rutin,
        decided_days_ago: Some(700),
        decided_on: None,
        decided_by: Some("Kommunstyrelsen"),
        owner: "Sara Lind",
        responsible: None,
        status: Status::Gallande,
        audience: &["systemagare"],
        conflict: "",
    },
    DemoDocument {
        title: "Instruktion för behörighetsgranskning",
        kind: Kind::Instruktion,
        decided_days_ago: None,
        decided_on: None,
        decided_by: None,
        owner: "Erik Sund",
        responsible: None,
        status: Status::Utkast,
        audience: &["systemagare"],
        conflict: "",
    },
];

pub async fn seed(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, today: NaiveDate) -> anyhow::Result<()> {
    let bodies: Vec<(Uuid, String)> =
        crate::org::store::list_bodies(&mut *tx, m).await?.into_iter().map(|b| (b.id, b.name)).collect();
    let people = crate::org::store::person_names(&mut *tx, m).await?;
    let find = |list: &[(Uuid, String)], name: Option<&str>| {
        name.and_then(|name| list.iter().find(|(_, n)| n == name).map(|(id, _)| *id))
    };
    for demo in DOCUMENTS {
        let decided_on = demo
            .decided_on
            .and_then(|(y, mo, d)| NaiveDate::from_ymd_opt(y, mo, d))
            .or(demo.decided_days_ago.map(|days| today - Duration::days(days)));
        let body_short = demo.decided_by.map(|b| if b == "Kommunstyrelsen" { "KS" } else { "KF" });
        let decision_reference = match (body_short, decided_on) {
            (Some(short), Some(date)) => {
                format!("{short} {} § {}", crate::web::format::date(date), 40 + demo.title.len())
            }
            _ => String::new(),
        };
        let input = DocumentInput {
            title: demo.title.into(),
            kind: demo.kind,
            decided_by_body_id: find(&bodies, demo.decided_by),
            decided_on,
            decision_reference: if demo.title == "Informationssäkerhetspolicy" {
                "KS 2021-05-26 § 177".into()
            } else {
                decision_reference
            },
            owner_person_id: find(&people, Some(demo.owner)),
            responsible_body_id: find(&bodies, demo.responsible),
            review_interval_months: super::model::DEFAULT_REVIEW_MONTHS as i16,
            last_reviewed_on: None,
            status: demo.status,
            link_url: format!("https://intranat.exempelby.se/styrdokument/{}", demo.kind),
            audience: demo.audience.iter().map(|a| a.to_string()).collect(),
        };
        let document = super::store::create(tx, actor, m, &input).await?;
        if !demo.conflict.is_empty() {
            super::store::set_conflict(tx, actor, m, document.id, demo.conflict).await?;
        }
    }
    Ok(())
}
