//! Exempelby's audits: an audit two years ago with eight recommendations, and last
//! year's follow-up in which some were met, some partly, and some remain.

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{Area, AuditInput, FollowUpResult, NewRecommendation, Status};
use super::store;
use crate::audit_log::Actor;
use crate::db::MunicipalityId;
use crate::error::AppResult;

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

async fn person(tx: &mut PgConnection, m: MunicipalityId, name: &str) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar!("SELECT id FROM people WHERE municipality_id = $1 AND name = $2", m.uuid(), name)
        .fetch_one(tx)
        .await?)
}

async fn body(tx: &mut PgConnection, m: MunicipalityId, name: &str) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar!("SELECT id FROM bodies WHERE municipality_id = $1 AND name = $2", m.uuid(), name)
        .fetch_one(tx)
        .await?)
}

/// (text, addressed to, priority, status now, verdict in the follow-up)
const RECOMMENDATIONS: [(&str, &[&str], &str, Status, FollowUpResult); 8] = [
    (
        "Fastställ vem som äger respektive informationstillgång och verksamhetssystem, och dokumentera det.",
        &["Kommunstyrelsen"],
        "hog",
        Status::Verifierad,
        FollowUpResult::Atgardad,
    ),
    (
        "Säkerställ att samtliga verksamhetssystem informationsklassas enligt kommunens klassningsmodell.",
        &["Bildningsnämnden", "Välfärdsnämnden"],
        "hog",
        Status::Oppen,
        FollowUpResult::Delvis,
    ),
    (
        "Genomför riskanalyser för befintliga verksamhetskritiska system och följ upp att de leder till åtgärder.",
        &["Kommunstyrelsen"],
        "hog",
        Status::Oppen,
        FollowUpResult::EjAtgardad,
    ),
    (
        "Skriv in informationssäkerhetskrav i avtal med leverantörer och följ upp dem med efterlevnadskontroller.",
        &["Kommunstyrelsen"],
        "medel",
        Status::Atgardad,
        FollowUpResult::Delvis,
    ),
    (
        "Ta fram en incidentrutin som är känd i hela organisationen, med eskalering till den externa IT-leverantören.",
        &["Kommunstyrelsen", "Välfärdsnämnden"],
        "hog",
        Status::Ateroppnad,
        FollowUpResult::EjAtgardad,
    ),
    (
        "Följ upp deltagandet i den årliga utbildningen i informationssäkerhet, även bland förtroendevalda.",
        &["Bildningsnämnden"],
        "medel",
        Status::Verifierad,
        FollowUpResult::Atgardad,
    ),
    (
        "Genomför behörighetsgranskning minst årligen för system som hanterar känsliga personuppgifter.",
        &["Välfärdsnämnden"],
        "medel",
        Status::Oppen,
        FollowUpResult::Delvis,
    ),
    (
        "Rapportera informationssäkerhetsarbetet till kommunstyrelsen minst en gång per år.",
        &["Kommunstyrelsen"],
        "lag",
        Status::Oppen,
        FollowUpResult::EjAtgardad,
    ),
];

pub async fn seed(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId) -> AppResult<()> {
    let ks = body(tx, m, "Kommunstyrelsen").await?;
    let bildning = body(tx, m, "Bildningsnämnden").await?;
    let valfard = body(tx, m, "Välfärdsnämnden").await?;
    let first = store::create_audit(
        tx,
        actor,
        m,
        &AuditInput {
            title: "Granskning av informationssäkerhet".into(),
            audit_firm: "Revisionsbyrån Exempel AB".into(),
            commissioned_by: crate::audits::model::Commissioner::Revisorerna,
            kind: crate::audits::model::AuditKind::Audit,
            report_date: date(2024, 4, 15).expect("a date"),
            plan_year: Some(2024),
            overall_assessment: "Vi bedömer att kommunstyrelsen och nämnderna endast delvis har säkerställt ett ändamålsenligt \
                                 informationssäkerhetsarbete. Ansvaret för system och information är otydligt och riskanalyser saknas."
                .into(),
            response_deadline: date(2024, 6, 30),
            body_ids: vec![ks, bildning, valfard],
            follows: Vec::new(),
        },
    )
    .await?;

    let questions = [
        (
            "Finns en ändamålsenlig styrning och organisation för informationssäkerhetsarbetet?",
            ["Delvis", "Delvis", "Nej"],
        ),
        (
            "Är verksamhetens information klassad och finns riskanalyser för verksamhetskritiska system?",
            ["Nej", "Delvis", "Nej"],
        ),
        (
            "Finns rutiner för att rapportera och följa upp informationssäkerhetsincidenter?",
            ["Ja", "I allt väsentligt", "Delvis"],
        ),
    ];
    for (text, verdicts) in questions {
        let question = store::add_question(tx, actor, m, first.id, text).await?;
        for (body_id, verdict) in [ks, bildning, valfard].into_iter().zip(verdicts) {
            let assessment = store::Assessment { body_id, assessment: verdict.into(), comment: String::new() };
            store::assess(tx, actor, m, question, &assessment).await?;
        }
    }

    let mut made = Vec::new();
    for (text, bodies, priority, status, verdict) in RECOMMENDATIONS {
        let mut body_ids = Vec::new();
        for name in bodies {
            body_ids.push(body(tx, m, name).await?);
        }
        let item = NewRecommendation {
            text: text.into(),
            body_ids,
            priority: Some(priority.into()),
            target_date: date(2025, 3, 31),
        };
        let id = store::add_recommendations(tx, actor, m, first.id, &[item]).await?[0];
        let (comment, evidence) = match status {
            Status::Atgardad => ("", Some("Säkerhetskrav ingår nu i avtalsmallen; kontroller planeras under året.")),
            Status::Verifierad => (
                "Underlaget är granskat och styrker att rekommendationen är åtgärdad.",
                Some("Beslut och dokumentation bifogade."),
            ),
            Status::Ateroppnad => {
                ("Rutinen finns men är inte känd i verksamheten enligt stickprov.", Some("Incidentrutin antagen."))
            }
            Status::Oppen => ("", None),
        };
        if status != Status::Oppen {
            store::set_status(tx, actor, m, id, status, comment, evidence).await?;
        }
        made.push((id, verdict));
    }

    let follow_up = store::create_audit(
        tx,
        actor,
        m,
        &AuditInput {
            title: "Uppföljning av granskning av informationssäkerhet".into(),
            audit_firm: "Revisionsbyrån Exempel AB".into(),
            commissioned_by: crate::audits::model::Commissioner::Revisorerna,
            kind: crate::audits::model::AuditKind::FollowUp,
            report_date: date(2025, 5, 20).expect("a date"),
            plan_year: Some(2025),
            overall_assessment: "Två av åtta rekommendationer har hörsammats. Övriga kvarstår helt eller delvis."
                .into(),
            response_deadline: date(2025, 8, 31),
            body_ids: vec![ks, bildning, valfard],
            follows: vec![first.id],
        },
    )
    .await?;
    for (id, verdict) in &made {
        store::assess_follow_up(tx, actor, m, follow_up.id, *id, *verdict, "Enligt uppföljningens iakttagelser.")
            .await?;
    }
    let ids: Vec<Uuid> = made.iter().map(|(id, _)| *id).collect();
    answers_and_actions(tx, actor, m, first.id, &ids).await
}

/// The boards' answers (Bildningsnämnden never answered on the second one), responsible
/// people, and actions in various states.
async fn answers_and_actions(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    first: Uuid,
    ids: &[Uuid],
) -> AppResult<()> {
    use super::model::{RecommendationEdit, ResponseInput};
    use crate::actions::model::{ActionInput, NoteForm};
    let answers = [
        (
            0,
            "Kommunstyrelsen",
            "Systemägare och informationsägare utses och förs in i systemförteckningen.",
            "KS 2024-06-12 § 87",
        ),
        (1, "Välfärdsnämnden", "Klassning genomförs för verksamhetssystemen under hösten.", "VFN 2024-06-18 § 54"),
        (2, "Kommunstyrelsen", "Riskanalyser tas fram för de verksamhetskritiska systemen.", "KS 2024-06-12 § 87"),
        (3, "Kommunstyrelsen", "Avtalsmallen kompletteras med säkerhetskrav.", "KS 2024-06-12 § 87"),
        (4, "Kommunstyrelsen", "En gemensam incidentrutin tas fram med IT-leverantören.", "KS 2024-06-12 § 87"),
    ];
    for (index, body_name, text, reference) in answers {
        let input = ResponseInput {
            body_id: body(tx, m, body_name).await?,
            audit_id: Some(first),
            text: text.into(),
            planned_by: date(2024, 12, 31),
            decision_reference: reference.into(),
            decision_date: date(2024, 6, 12),
        };
        store::set_response(tx, actor, m, ids[index], &input).await?;
    }
    for (index, owner, areas) in
        [(1, "Johan Berg", Area::Klassning), (2, "Sara Lind", Area::Riskanalys), (4, "Erik Sund", Area::Incidenter)]
    {
        let current = store::get_recommendation(&mut *tx, m, ids[index]).await?;
        let edit = RecommendationEdit {
            text: current.text,
            priority: current.priority,
            areas: vec![areas],
            responsible_person_id: Some(person(tx, m, owner).await?),
            target_date: current.target_date,
            question_ids: current.questions.iter().map(|q| q.id).collect(),
        };
        store::update_recommendation(tx, actor, m, ids[index], &edit).await?;
    }
    let actions = [
        (
            1,
            "Klassa informationen i lärplattformen",
            "Johan Berg",
            "pagar",
            "Klassningen är påbörjad tillsammans med systemförvaltaren.",
            false,
        ),
        (1, "Klassa elevhälsans journalsystem", "Johan Berg", "", "", false),
        (
            3,
            "Ta in säkerhetskrav i avtalsmallen",
            "Sara Lind",
            "klar",
            "Avtalsmallen med bilaga om informationssäkerhet är beslutad.",
            true,
        ),
        (
            4,
            "Ta fram incidentrutin med IT-leverantören",
            "Erik Sund",
            "klar",
            "Rutinen är antagen och publicerad på intranätet.",
            true,
        ),
        (
            4,
            "Informera alla chefer om incidentrutinen",
            "Anna Nilsson",
            "pagar",
            "Information given på två av fem ledningsgrupper.",
            false,
        ),
    ];
    for (index, title, owner, status, note, is_evidence) in actions {
        let input = ActionInput {
            title: title.into(),
            description: String::new(),
            owner_person_id: Some(person(tx, m, owner).await?),
            due_date: date(2025, 3, 31),
            priority: None,
            effort: String::new(),
        };
        let links = crate::actions::store::ActionLinks::recommendation(ids[index]);
        let action =
            crate::actions::store::create(tx, actor, m, &links, crate::actions::model::Status::Planerad, &input)
                .await?;
        if !note.is_empty() {
            let form = NoteForm { note: note.into(), status: status.into(), is_evidence };
            crate::actions::store::add_note(tx, actor, m, action.id, &form, date(2025, 2, 1).unwrap_or_default())
                .await?;
        }
    }
    Ok(())
}
