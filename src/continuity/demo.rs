//! Exempelby's continuity: a few critical systems with plans (one complete and exercised,
//! one whose targets IT set alone, one that IT cannot restore in time and lacks a reserve
//! routine), an exercise overdue, and Lisa's default targets left unchanged.

use chrono::{Duration, NaiveDate};
use sqlx::PgConnection;

use super::model::{ExerciseInput, ExerciseKind, ExerciseResult, PlanInput, RtoSource, SetBy};
use crate::audit_log::Actor;
use crate::db::MunicipalityId;

/// (system, MTPD, RPO, set by, decided by, RTO, priority, reserve routine, its owner, backups)
type PlanRow =
    (&'static str, Option<i32>, Option<i32>, SetBy, &'static str, i32, i32, &'static str, &'static str, &'static str);

const PLANS: [PlanRow; 4] = [
    (
        "Omsorgsdokumentation",
        Some(4),
        Some(1),
        SetBy::Business,
        "Eva Dahl, socialchef",
        2,
        1,
        "Pappersjournal enligt rutin i pärmen på varje enhet; läkemedelslistor skrivs ut varje morgon.",
        "Eva Dahl",
        "Var 15:e minut (logg), nattlig fullkopia",
    ),
    (
        "Trygghetslarm",
        Some(2),
        Some(1),
        SetBy::It,
        "",
        1,
        2,
        "Larmen kopplas om till larmcentralens reservmottagning; nattpatrullen ringer upp brukare med hög risk.",
        "Eva Dahl",
        "Dagligen",
    ),
    ("Lönesystem", Some(72), Some(24), SetBy::Business, "Personalchefen", 120, 4, "", "", "Dagligen"),
    (
        "Katalogtjänst",
        Some(4),
        Some(4),
        SetBy::Business,
        "Erik Sund, IT-chef på uppdrag av kommundirektören",
        4,
        3,
        "Nödkonton i kassaskåpet hos IT; lokala inloggningar på vårdens datorer.",
        "Erik Sund",
        "Dagligen",
    ),
];

pub async fn seed(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, today: NaiveDate) -> anyhow::Result<()> {
    let systems = crate::systems::store::names(&mut *tx, m).await?;
    let people = crate::org::store::person_names(&mut *tx, m).await?;
    let system = |name: &str| systems.iter().find(|(_, n)| n == name).map(|(id, _)| *id);
    let person = |name: &str| people.iter().find(|(_, n)| n == name).map(|(id, _)| *id);
    for (name, mtpd, rpo, set_by, decided_by, rto, priority, routine, routine_owner, backups) in PLANS {
        let Some(system_id) = system(name) else { continue };
        let input = PlanInput {
            mtpd_hours: mtpd,
            rpo_hours: rpo,
            targets_set_by: Some(set_by),
            targets_decided_by: decided_by.into(),
            targets_decided_on: (set_by == SetBy::Business).then(|| today - Duration::days(200)),
            rto_hours: Some(rto),
            rto_source: Some(if priority == 1 { RtoSource::Test } else { RtoSource::Agreement }),
            restore_priority: Some(priority),
            reserve_routine: routine.into(),
            reserve_routine_owner_person_id: person(routine_owner),
            reserve_routine_location: if routine.is_empty() {
                String::new()
            } else {
                "Verksamhetens pärm och intranätet".into()
            },
            backup_frequency: backups.into(),
            other_dependencies: "El och nät i stadshuset; reservkraft i serverhallen".into(),
            plan_owner_person_id: person(routine_owner).or(person("Erik Sund")),
            review_on: Some(today + Duration::days(150)),
        };
        super::store::save_plan(tx, actor, m, system_id, &input).await?;
    }
    let exercises = [
        // Within its interval.
        (
            "Återläsning av omsorgsdokumentationen",
            45,
            ExerciseKind::RestoreTest,
            ExerciseResult::Passed,
            vec!["Omsorgsdokumentation"],
            "",
        ),
        // Twice a year for T3: more than six months ago, so overdue.
        (
            "Skrivbordsövning: trygghetslarmen ur drift en natt",
            230,
            ExerciseKind::Desktop,
            ExerciseResult::WithRemarks,
            vec!["Trygghetslarm"],
            "Larmcentralens reservnummer fanns inte i nattpatrullens telefoner.",
        ),
    ];
    for (title, days, kind, result, names, findings) in exercises {
        let input = ExerciseInput {
            title: title.into(),
            performed_on: today - Duration::days(days),
            kind,
            result,
            system_ids: names.into_iter().filter_map(system).collect(),
            supplier_ids: Vec::new(),
            findings: findings.lines().map(str::to_string).collect(),
            findings_to_actions: false,
        };
        super::store::record_exercise(tx, actor, m, &input).await?;
    }
    Ok(())
}
