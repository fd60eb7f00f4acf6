//! A year of Exempelby's incidents (in our own words), among them a personal-data breach
//! notified to IMY in time, one notified late with reasons, and a significant incident
//! reported to MCF.

use super::model::{Category, Severity};
use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::clocks::ReportKind;
use super::model::{HandlingInput, ReportInput};
use super::store;
use crate::audit_log::Actor;
use crate::db::MunicipalityId;

/// (days ago discovered, title, category, severity, personal data, significant, system, reports: (kind, hours after discovery, late reason))
type Row =
    (i64, &'static str, Category, Severity, bool, bool, &'static str, &'static [(ReportKind, i64, &'static str)]);

const INCIDENTS: [Row; 10] = [
    (
        300,
        "Lista med elevnamn skickad till fel vårdnadshavare",
        Category::Misdirected,
        Severity::Medium,
        true,
        false,
        "Skolplattformen",
        &[(ReportKind::Imy, 30, "")],
    ),
    (
        260,
        "Nätfiskemejl lurade två medarbetare att logga in",
        Category::Phishing,
        Severity::High,
        false,
        false,
        "E-post och samarbete",
        &[],
    ),
    (220, "Bärbar dator stulen ur bil", Category::LostEquipment, Severity::Low, false, false, "", &[]),
    (
        190,
        "Journalanteckning läst av obehörig kollega",
        Category::UnauthorisedAccess,
        Severity::High,
        true,
        false,
        "Omsorgsdokumentation",
        &[(ReportKind::Imy, 100, "Incidenten upptäcktes i en loggranskning och bedömningen tog längre tid än väntat.")],
    ),
    (150, "Lönesystemet otillgängligt en dag", Category::Outage, Severity::Medium, false, false, "Lönesystem", &[]),
    (
        120,
        "Utpressningsvirus hos IT-leverantören stoppade ärendehanteringen",
        Category::Supplier,
        Severity::Severe,
        false,
        true,
        "Ärendehanteringssystem",
        &[(ReportKind::Csirt, 6, ""), (ReportKind::Incidentanmalan, 50, ""), (ReportKind::Slutrapport, 700, "")],
    ),
    (80, "Skadlig kod i bifogad fil stoppad av antivirus", Category::Malware, Severity::Low, false, false, "", &[]),
    (
        40,
        "Trygghetslarm gick inte fram under två timmar",
        Category::Outage,
        Severity::High,
        false,
        false,
        "Trygghetslarm",
        &[],
    ),
    (
        10,
        "Beslut om försörjningsstöd skickat till fel adress",
        Category::Misdirected,
        Severity::Medium,
        true,
        false,
        "Försörjningsstöd",
        &[],
    ),
    (
        1,
        "Misstänkt inloggning från utlandet på ett konto",
        Category::UnauthorisedAccess,
        Severity::Medium,
        false,
        false,
        "Katalogtjänst",
        &[],
    ),
];

pub async fn seed(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, now: DateTime<Utc>) -> anyhow::Result<()> {
    let systems = crate::systems::store::names(&mut *tx, m).await?;
    let reporter = Actor::system("Anna Nilsson");
    for (days, title, category, severity, personal_data, significant, system, reports) in INCIDENTS {
        let discovered_at = now - Duration::days(days);
        let system_ids: Vec<Uuid> = systems.iter().filter(|(_, n)| n == system).map(|(id, _)| *id).collect();
        let input = ReportInput {
            title: title.into(),
            description: String::new(),
            discovered_at,
            system_ids: system_ids.clone(),
            information: String::new(),
            personal_data,
            ongoing: days < 2,
        };
        let year = chrono::Datelike::year(&discovered_at.with_timezone(&chrono_tz::Europe::Stockholm));
        let incident = store::report(tx, &reporter, m, &input, year).await?;
        if days < 2 {
            continue;
        }
        let closed = days > 30;
        let handling = HandlingInput {
            status: if closed { super::model::Status::Stangd } else { super::model::Status::Utreds },
            category: Some(category),
            severity: Some(severity),
            impact: [personal_data, false, category == Category::Outage || significant],
            personal_data,
            significant,
            imy_exempt_reason: String::new(),
            responsible_person_id: None,
            system_ids,
            supplier_name: if significant { "Länets IT-bolag AB".into() } else { String::new() },
            escalated_at: significant.then(|| discovered_at + Duration::hours(1)),
            significant_from: significant.then(|| discovered_at + Duration::hours(2)),
            supplier_reference: if significant { "LIT-2026-118".into() } else { String::new() },
            measures: "Se tidslinjen.".into(),
            cause: String::new(),
            lessons: if closed {
                "Rutinen följdes; informationen till medarbetarna förtydligas.".into()
            } else {
                String::new()
            },
            handled_at: closed.then(|| discovered_at + Duration::days(3)),
        };
        store::handle(tx, actor, m, incident.id, &handling).await?;
        for (kind, hours, late_reason) in reports.iter().copied() {
            let sent_at = discovered_at + Duration::hours(hours);
            store::add_report(tx, actor, m, incident.id, (kind, sent_at), ("", late_reason), "").await?;
        }
    }
    Ok(())
}
