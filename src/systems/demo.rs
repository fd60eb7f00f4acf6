//! Exempelby's systems, their information and its classification (in our own words):
//! most systems classified, a few not, one at level 4, some reviews overdue.

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::SystemForm;
use super::store::{self, AssetInput};
use crate::audit_log::Actor;
use crate::classification::model::{Assessment, ClassificationInput, ProtectionLevel};
use crate::db::MunicipalityId;

/// (name, purpose, body, owner, supplier, hosting, flags [critical, nis, protection, welfare, personal, sensitive])
type SystemRow = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, [bool; 6]);

const SYSTEMS: [SystemRow; 26] = [
    (
        "Skolplattformen",
        "Lärplattform, närvaro och skoladministration för grundskolan",
        "Bildningsnämnden",
        "Johan Berg",
        "Edusys AB",
        "moln",
        [true, false, false, false, true, false],
    ),
    (
        "Elevhälsojournal",
        "Journal för skolsköterskor, kuratorer och psykologer",
        "Bildningsnämnden",
        "Olof Lund",
        "Journalia AB",
        "leverantor",
        [true, false, false, false, true, true],
    ),
    (
        "Schemaläggning",
        "Scheman för grundskola och gymnasium",
        "Bildningsnämnden",
        "Johan Berg",
        "Schemat AB",
        "moln",
        [false, false, false, false, true, false],
    ),
    (
        "Skolskjutsplanering",
        "Planering av skolskjutsar och resor",
        "Bildningsnämnden",
        "Olof Lund",
        "Resplan AB",
        "moln",
        [false, false, false, false, true, false],
    ),
    (
        "Förskolans närvarosystem",
        "In- och utcheckning av barn i förskolan",
        "Bildningsnämnden",
        "Johan Berg",
        "Närvaro AB",
        "moln",
        [false, false, false, false, true, false],
    ),
    (
        "Omsorgsdokumentation",
        "Social dokumentation i hemtjänst och särskilt boende",
        "Välfärdsnämnden",
        "Eva Dahl",
        "Omsorgsdata AB",
        "gemensam_it",
        [true, true, false, false, true, true],
    ),
    (
        "Läkemedelsrobot i hemtjänsten",
        "Robotar som delar ut läkemedel i brukarnas hem",
        "Välfärdsnämnden",
        "Eva Dahl",
        "Dosera AB",
        "leverantor",
        [true, false, false, true, true, true],
    ),
    (
        "Trygghetslarm",
        "Larm från brukare till hemtjänsten",
        "Välfärdsnämnden",
        "Eva Dahl",
        "Larmtjänst AB",
        "leverantor",
        [true, false, false, true, true, true],
    ),
    (
        "Nattillsyn med kamera",
        "Digital tillsyn nattetid efter brukarens samtycke",
        "Välfärdsnämnden",
        "Eva Dahl",
        "Tillsyn AB",
        "leverantor",
        [false, false, false, true, true, true],
    ),
    (
        "Försörjningsstöd",
        "Handläggning av ekonomiskt bistånd",
        "Välfärdsnämnden",
        "Eva Dahl",
        "Socialsystem AB",
        "gemensam_it",
        [true, false, false, false, true, true],
    ),
    (
        "Bemanningssystem",
        "Bemanning och vikarier i vård och omsorg",
        "Välfärdsnämnden",
        "Eva Dahl",
        "Bemanna AB",
        "moln",
        [false, false, false, false, true, false],
    ),
    (
        "Lönesystem",
        "Löner, frånvaro och pension för alla anställda",
        "Kommunstyrelsen",
        "Sara Lind",
        "Lönedata AB",
        "gemensam_it",
        [true, false, false, false, true, true],
    ),
    (
        "E-arkiv",
        "Slutarkiv för kommunens digitala handlingar",
        "Kommunstyrelsen",
        "Sara Lind",
        "Arkivtjänst AB",
        "gemensam_it",
        [true, false, false, false, true, true],
    ),
    (
        "Ärendehanteringssystem",
        "Diarium och ärenden för alla nämnder",
        "Kommunstyrelsen",
        "Sara Lind",
        "Diarieföretaget AB",
        "gemensam_it",
        [true, false, false, false, true, false],
    ),
    (
        "E-post och samarbete",
        "E-post, kalender, chatt och dokumentdelning",
        "Kommunstyrelsen",
        "Erik Sund",
        "Molnleverantören",
        "moln",
        [true, false, false, false, true, false],
    ),
    (
        "Ekonomisystem",
        "Redovisning, budget och fakturor",
        "Kommunstyrelsen",
        "Sara Lind",
        "Ekonomisystem AB",
        "gemensam_it",
        [true, false, false, false, false, false],
    ),
    (
        "Katalogtjänst",
        "Konton, grupper och inloggning för hela kommunen",
        "Kommunstyrelsen",
        "Erik Sund",
        "",
        "egen",
        [true, true, false, false, true, false],
    ),
    (
        "Kommunens webbplats",
        "Information och e-tjänster för invånare",
        "Kommunstyrelsen",
        "Erik Sund",
        "Webbyrån AB",
        "moln",
        [false, false, false, false, false, false],
    ),
    (
        "Intranät",
        "Information till medarbetare",
        "Kommunstyrelsen",
        "Erik Sund",
        "Webbyrån AB",
        "moln",
        [false, false, false, false, false, false],
    ),
    (
        "Växel och kontaktcenter",
        "Telefoni och ärenden till kontaktcenter",
        "Kommunstyrelsen",
        "Erik Sund",
        "Telefoni AB",
        "moln",
        [true, false, false, false, true, false],
    ),
    (
        "Fastighetssystem",
        "Underhåll och lokaler",
        "Tekniska nämnden",
        "Nils Ekberg",
        "Fastighetsdata AB",
        "moln",
        [false, false, false, false, false, false],
    ),
    (
        "Styrsystem för vatten och avlopp",
        "Styrning och övervakning av vattenverk och reningsverk",
        "Tekniska nämnden",
        "Nils Ekberg",
        "Processautomation AB",
        "egen",
        [true, true, true, false, false, false],
    ),
    (
        "Bygglovssystem",
        "Handläggning av bygglov",
        "Tekniska nämnden",
        "Nils Ekberg",
        "Bygglov AB",
        "moln",
        [false, false, false, false, true, false],
    ),
    (
        "Kartor och GIS",
        "Kartor och geografisk information",
        "Tekniska nämnden",
        "Nils Ekberg",
        "Kartbolaget AB",
        "egen",
        [false, false, false, false, false, false],
    ),
    (
        "Hyresgästregister",
        "Hyresgäster, kontrakt och hyror",
        "Styrelsen för Exempelby Bostäder AB",
        "Lena Sjö",
        "Fastighetsdata AB",
        "leverantor",
        [true, false, false, false, true, false],
    ),
    (
        "Felanmälan",
        "Hyresgästernas felanmälan",
        "Styrelsen för Exempelby Bostäder AB",
        "Lena Sjö",
        "Fastighetsdata AB",
        "moln",
        [false, false, false, false, true, false],
    ),
];

/// (system, asset, information owner, K-R-T-S if classified, classified on)
type AssetRow = (&'static str, &'static str, &'static str, Option<[i16; 4]>, (i32, u32, u32));

const ASSETS: [AssetRow; 28] = [
    ("Skolplattformen", "Elevuppgifter", "Johan Berg", Some([2, 2, 2, 1]), (2026, 3, 2)),
    ("Skolplattformen", "Betyg och omdömen", "Johan Berg", Some([2, 3, 2, 2]), (2026, 3, 2)),
    ("Skolplattformen", "Frånvaro", "Johan Berg", None, (2026, 3, 2)),
    ("Elevhälsojournal", "Elevhälsans journaler", "Olof Lund", Some([3, 3, 2, 3]), (2025, 9, 15)),
    ("Schemaläggning", "Scheman", "Johan Berg", Some([1, 1, 2, 0]), (2024, 10, 1)),
    ("Skolskjutsplanering", "Resor och adresser", "Olof Lund", Some([2, 1, 2, 0]), (2026, 1, 20)),
    ("Omsorgsdokumentation", "Social dokumentation", "Eva Dahl", Some([3, 3, 3, 3]), (2026, 2, 10)),
    ("Omsorgsdokumentation", "Genomförandeplaner", "Eva Dahl", Some([3, 2, 2, 2]), (2026, 2, 10)),
    ("Läkemedelsrobot i hemtjänsten", "Dosering och utdelning", "Eva Dahl", Some([2, 4, 3, 2]), (2026, 4, 8)),
    ("Trygghetslarm", "Larm och larmloggar", "Eva Dahl", Some([2, 3, 3, 2]), (2025, 11, 3)),
    ("Nattillsyn med kamera", "Bilder från tillsyn", "Eva Dahl", Some([3, 2, 3, 2]), (2024, 6, 12)),
    ("Försörjningsstöd", "Ansökningar och beslut", "Eva Dahl", Some([3, 3, 2, 3]), (2025, 12, 1)),
    ("Bemanningssystem", "Scheman och vikarier", "Eva Dahl", Some([1, 2, 2, 1]), (2026, 5, 5)),
    ("Lönesystem", "Löneuppgifter", "Sara Lind", Some([2, 3, 3, 2]), (2026, 1, 12)),
    ("E-arkiv", "Arkiverade handlingar", "Sara Lind", Some([2, 3, 2, 2]), (2025, 5, 20)),
    ("Ärendehanteringssystem", "Diarium och ärendehandlingar", "Sara Lind", Some([2, 2, 2, 2]), (2026, 2, 1)),
    ("E-post och samarbete", "E-post och dokument", "Erik Sund", Some([2, 2, 3, 1]), (2026, 6, 1)),
    ("Ekonomisystem", "Redovisning och fakturor", "Sara Lind", Some([1, 3, 2, 2]), (2025, 2, 14)),
    ("Katalogtjänst", "Konton och behörigheter", "Erik Sund", Some([2, 3, 3, 2]), (2026, 3, 30)),
    ("Kommunens webbplats", "Publicerad information", "Erik Sund", Some([0, 2, 2, 0]), (2026, 4, 1)),
    ("Intranät", "Nyheter och styrdokument", "Erik Sund", None, (2026, 1, 1)),
    ("Växel och kontaktcenter", "Samtal och ärenden", "Erik Sund", Some([1, 1, 3, 1]), (2026, 2, 20)),
    ("Fastighetssystem", "Lokaler och underhåll", "Nils Ekberg", Some([1, 2, 1, 0]), (2025, 8, 8)),
    ("Styrsystem för vatten och avlopp", "Styrning av vattenverk", "Nils Ekberg", Some([1, 3, 3, 2]), (2026, 3, 3)),
    ("Bygglovssystem", "Ansökningar om bygglov", "Nils Ekberg", Some([1, 2, 1, 1]), (2026, 1, 9)),
    ("Hyresgästregister", "Hyresgäster och kontrakt", "Lena Sjö", Some([2, 2, 1, 1]), (2025, 10, 10)),
    ("Felanmälan", "Felanmälningar", "Lena Sjö", None, (2026, 1, 1)),
    ("Förskolans närvarosystem", "Barnens närvaro", "Johan Berg", None, (2026, 1, 1)),
];

/// (system, depends on system, or external party)
const DEPENDENCIES: [(&str, Option<&str>, Option<&str>); 6] = [
    ("Skolplattformen", Some("Katalogtjänst"), None),
    ("Omsorgsdokumentation", Some("Katalogtjänst"), None),
    ("Lönesystem", Some("Ekonomisystem"), None),
    ("Ärendehanteringssystem", Some("E-arkiv"), None),
    ("Trygghetslarm", None, Some("Larmcentralen hos Larmtjänst AB")),
    ("Läkemedelsrobot i hemtjänsten", None, Some("Apotekets dosleverantör")),
];

fn id_of(items: &[(Uuid, String)], name: &str) -> Option<Uuid> {
    items.iter().find(|(_, n)| n == name).map(|(id, _)| *id)
}

pub async fn seed(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId) -> anyhow::Result<()> {
    let bodies: Vec<(Uuid, String)> =
        crate::org::store::list_bodies(&mut *tx, m).await?.into_iter().map(|b| (b.id, b.name)).collect();
    let people = crate::org::store::person_names(&mut *tx, m).await?;
    let administrator = id_of(&people, "Erik Sund");
    for (name, purpose, body, owner, supplier, hosting, flags) in SYSTEMS {
        let mut form = SystemForm {
            name: name.into(),
            purpose: purpose.into(),
            body_id: id_of(&bodies, body).map(|id| id.to_string()).unwrap_or_default(),
            // Two systems have no named owner: audits find exactly that.
            owner_person_id: if matches!(name, "Intranät" | "Kartor och GIS") {
                String::new()
            } else {
                id_of(&people, owner).map(|id| id.to_string()).unwrap_or_default()
            },
            administrator_ids: administrator
                .filter(|_| hosting == "egen")
                .map(|id| id.to_string())
                .into_iter()
                .collect(),
            supplier_name: supplier.into(),
            operator_name: if hosting == "gemensam_it" { "Länets IT-bolag AB".into() } else { String::new() },
            hosting: hosting.into(),
            ..SystemForm::default()
        };
        for (flag, set) in super::model::Flag::ALL.into_iter().zip(flags) {
            form.set_flag(flag, set);
        }
        let input = form.validate().map_err(|e| anyhow::anyhow!("demo system {name}: {e:?}"))?;
        store::create(tx, actor, m, &input).await?;
    }
    let systems = store::names(&mut *tx, m).await?;
    for (system, name, owner, levels, (y, mo, d)) in ASSETS {
        let system_id = id_of(&systems, system).ok_or_else(|| anyhow::anyhow!("demo system {system}"))?;
        let input =
            AssetInput { name: name.into(), description: String::new(), owner_person_id: id_of(&people, owner) };
        let asset = store::add_asset(tx, actor, m, system_id, &input).await?;
        if let Some([k, r, t, s]) = levels {
            let reason = |level: i16| match level {
                0 => String::new(),
                1 => "Begränsad påverkan på verksamheten.".to_string(),
                2 => "Betydande skada för enskilda eller verksamheten.".to_string(),
                3 => "Allvarlig skada, t.ex. för enskildas hälsa eller integritet.".to_string(),
                _ => "Fel kan leda till att brukare får fel läkemedel.".to_string(),
            };
            let input = ClassificationInput {
                level: ProtectionLevel { k, r, t, s },
                reasons: [reason(k), reason(r), reason(t), reason(s)],
            };
            let on = NaiveDate::from_ymd_opt(y, mo, d).unwrap_or_default();
            crate::classification::store::classify(tx, actor, m, asset.id, &input, on).await?;
        }
    }
    for (system, target, party) in DEPENDENCIES {
        let system_id = id_of(&systems, system).ok_or_else(|| anyhow::anyhow!("demo system {system}"))?;
        let target = match (target.and_then(|t| id_of(&systems, t)), party) {
            (Some(id), _) => Ok(id),
            (None, party) => Err(party.unwrap_or_default().to_string()),
        };
        store::add_dependency(tx, actor, m, system_id, target, "").await?;
    }
    let care = id_of(&systems, "Omsorgsdokumentation").ok_or_else(|| anyhow::anyhow!("demo system"))?;
    let catalogue = crate::classification::store::catalogue(&mut *tx, m).await?;
    for (code, status, comment) in [
        ("B-03", Assessment::Uppfylld, "Inloggning med e-legitimation."),
        ("T-03", Assessment::EjUppfylld, "Ingen återläsning har provats."),
        ("S-02", Assessment::Delvis, "Loggar finns men skyddas inte mot ändring."),
        ("K-01", Assessment::Uppfylld, ""),
    ] {
        let Some(measure) = catalogue.iter().find(|c| c.code == code) else { continue };
        let input = crate::classification::model::AssessmentInput { status, comment: comment.into() };
        crate::classification::store::assess(tx, actor, m, care, measure.id, &input).await?;
    }
    Ok(())
}
