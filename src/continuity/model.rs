//! Continuity as plain rules: the targets per availability level, the forms, and what a
//! critical system's continuity lacks.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldErrors;
use crate::web::form::{id_list, optional_date, optional_id, optional_number, required_code};

crate::codes! {
    /// Who set a system's outage and data-loss targets.
    pub enum SetBy {
        Business = "verksamheten" => "Verksamheten",
        It = "it" => "IT",
    }
}

crate::codes! {
    /// What the recovery time IT states rests on.
    pub enum RtoSource {
        Agreement = "avtal" => "Avtal",
        Test = "test" => "Test",
        Estimate = "bedomning" => "Bedömning",
    }
}

crate::codes! {
    pub enum ExerciseKind {
        RestoreTest = "aterlasningstest" => "Återläsningstest",
        Desktop = "skrivbordsovning" => "Skrivbordsövning",
        Technical = "teknisk_ovning" => "Teknisk övning",
        FullScale = "fullskaleovning" => "Fullskaleövning",
    }
}

crate::codes! {
    pub enum ExerciseResult {
        Passed = "godkant" => "Godkänt",
        WithRemarks = "med_anmarkningar" => "Godkänt med anmärkningar",
        Failed = "underkant" => "Underkänt",
    }
}

crate::codes! {
    /// What a critical system's continuity lacks.
    pub enum Missing {
        Plan = "plan" => "Kontinuitetsplan saknas",
        ReserveRoutine = "reservrutin" => "Reservrutin saknas",
        BusinessTargets = "mal" => "Mål inte beslutade av verksamheten",
        Exercise = "ovning" => "Inte övad inom intervallet",
    }
}

/// The targets for one availability (T) level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Target {
    pub t_level: i16,
    /// Maximum tolerable outage, hours.
    pub mtpd_hours: Option<i32>,
    /// Recovery point: the data loss accepted, hours.
    pub rpo_hours: Option<i32>,
    /// Months between exercises.
    pub exercise_months: Option<i32>,
    /// Level 4 lies outside KLASSA's catalogues: the system needs an analysis of its own.
    pub own_analysis: bool,
}

/// Lisa's starting point, not SKR's or MSB's: T3 ≤ 4 h, data loss ≤ 1 h, exercised twice a
/// year; T2 ≤ 24 h and 24 h, yearly; T1 ≤ a week, a yearly desktop review; T4 an analysis of
/// its own (exercised as T3); T0 none.
pub const DEFAULT_TARGETS: [Target; 5] = [
    Target { t_level: 0, mtpd_hours: None, rpo_hours: None, exercise_months: None, own_analysis: false },
    Target { t_level: 1, mtpd_hours: Some(168), rpo_hours: None, exercise_months: Some(12), own_analysis: false },
    Target { t_level: 2, mtpd_hours: Some(24), rpo_hours: Some(24), exercise_months: Some(12), own_analysis: false },
    Target { t_level: 3, mtpd_hours: Some(4), rpo_hours: Some(1), exercise_months: Some(6), own_analysis: false },
    Target { t_level: 4, mtpd_hours: None, rpo_hours: None, exercise_months: Some(6), own_analysis: true },
];

impl Target {
    pub fn mtpd_text(&self) -> String {
        hours_text(self.mtpd_hours)
    }

    pub fn rpo_text(&self) -> String {
        hours_text(self.rpo_hours)
    }
}

/// The target for a T level among the municipality's (none for an unclassified system).
pub fn target_for(targets: &[Target], t_level: Option<i16>) -> Option<Target> {
    t_level.and_then(|t| targets.iter().find(|target| target.t_level == t).copied())
}

/// Hours in words: "4 h", "2 dygn", "1 vecka".
pub fn hours_text(hours: Option<i32>) -> String {
    match hours {
        None => "–".into(),
        Some(h) if h >= 168 && h % 168 == 0 => match h / 168 {
            1 => "1 vecka".into(),
            w => format!("{w} veckor"),
        },
        Some(h) if h >= 48 && h % 24 == 0 => format!("{} dygn", h / 24),
        Some(h) => format!("{h} h"),
    }
}

/// The facts about a plan that decide what is missing.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlanFacts {
    pub set_by: Option<SetBy>,
    pub mtpd_hours: Option<i32>,
    pub rpo_hours: Option<i32>,
    pub rto_hours: Option<i32>,
    pub has_reserve_routine: bool,
}

/// When the next exercise is due: the interval after the last one, or after the plan was made
/// when there has been none; None without an interval (T0, or no classification).
pub fn exercise_due(last: Option<NaiveDate>, planned_on: NaiveDate, interval_months: Option<i32>) -> Option<NaiveDate> {
    let months = interval_months?;
    Some(crate::web::format::months_after(last.unwrap_or(planned_on), months.max(1) as u32))
}

/// Exercised within the interval before `on` (always, when no interval applies).
pub fn exercised_in_interval(last: Option<NaiveDate>, interval_months: Option<i32>, on: NaiveDate) -> bool {
    match (interval_months, last) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(months), Some(last)) => last <= on && crate::web::format::months_after(last, months.max(1) as u32) >= on,
    }
}

/// The gaps, in words: IT cannot restore within the outage the business tolerates (its own
/// figure, else the level's), or IT set the targets alone.
pub fn gaps(plan: &PlanFacts, target: Option<Target>) -> Vec<String> {
    let mut gaps = Vec::new();
    let tolerable = plan.mtpd_hours.or(target.and_then(|t| t.mtpd_hours));
    if let (Some(rto), Some(mtpd)) = (plan.rto_hours, tolerable)
        && rto > mtpd
    {
        gaps.push(format!(
            "IT kan återställa på {}, verksamheten tål {}",
            hours_text(Some(rto)),
            hours_text(Some(mtpd))
        ));
    }
    if plan.set_by == Some(SetBy::It) {
        gaps.push("IT satte målen utan verksamhetens beslut".into());
    }
    gaps
}

/// What a critical system's continuity lacks, in a fixed order.
pub fn missing(plan: Option<&PlanFacts>, exercised: bool) -> Vec<Missing> {
    let mut missing = Vec::new();
    match plan {
        None => missing.extend([Missing::Plan, Missing::ReserveRoutine, Missing::BusinessTargets]),
        Some(plan) => {
            if !plan.has_reserve_routine {
                missing.push(Missing::ReserveRoutine);
            }
            if plan.set_by != Some(SetBy::Business) || plan.mtpd_hours.is_none() || plan.rpo_hours.is_none() {
                missing.push(Missing::BusinessTargets);
            }
        }
    }
    if !exercised {
        missing.push(Missing::Exercise);
    }
    missing
}

const HOURS_MAX: i32 = 24 * 365;

/// A system's continuity record as a page or the API sends it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PlanForm {
    /// Maximum tolerable outage in hours, decided by the business.
    #[serde(default, deserialize_with = "crate::web::form::text_or_number")]
    #[schema(value_type = Option<i32>)]
    pub mtpd_hours: String,
    /// Recovery point (data loss accepted) in hours.
    #[serde(default, deserialize_with = "crate::web::form::text_or_number")]
    #[schema(value_type = Option<i32>)]
    pub rpo_hours: String,
    /// verksamheten or it.
    #[serde(default)]
    pub targets_set_by: String,
    /// Who in the business decided (name and role).
    #[serde(default)]
    pub targets_decided_by: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub targets_decided_on: String,
    /// The recovery time IT can deliver, in hours.
    #[serde(default, deserialize_with = "crate::web::form::text_or_number")]
    #[schema(value_type = Option<i32>)]
    pub rto_hours: String,
    /// avtal, test or bedomning.
    #[serde(default)]
    pub rto_source: String,
    /// 1 is restored first.
    #[serde(default, deserialize_with = "crate::web::form::text_or_number")]
    #[schema(value_type = Option<i32>)]
    pub restore_priority: String,
    /// What the business does while the system is down.
    #[serde(default)]
    pub reserve_routine: String,
    #[serde(default)]
    pub reserve_routine_owner_person_id: String,
    /// Where the routine is kept (a binder, an intranet page).
    #[serde(default)]
    pub reserve_routine_location: String,
    #[serde(default)]
    pub backup_frequency: String,
    /// Power, network and the like.
    #[serde(default)]
    pub other_dependencies: String,
    #[serde(default)]
    pub plan_owner_person_id: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub review_on: String,
    /// The version (ETag) the change was made from; If-Match does the same.
    #[serde(default)]
    pub version: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlanInput {
    pub mtpd_hours: Option<i32>,
    pub rpo_hours: Option<i32>,
    pub targets_set_by: Option<SetBy>,
    pub targets_decided_by: String,
    pub targets_decided_on: Option<NaiveDate>,
    pub rto_hours: Option<i32>,
    pub rto_source: Option<RtoSource>,
    pub restore_priority: Option<i32>,
    pub reserve_routine: String,
    pub reserve_routine_owner_person_id: Option<Uuid>,
    pub reserve_routine_location: String,
    pub backup_frequency: String,
    pub other_dependencies: String,
    pub plan_owner_person_id: Option<Uuid>,
    pub review_on: Option<NaiveDate>,
}

impl PlanForm {
    pub fn validate(&self, today: NaiveDate) -> Result<PlanInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let hours = |errors: &mut FieldErrors, field: &str, value: &str, min: i32| {
            optional_number(errors, field, value, min, HOURS_MAX)
        };
        let mtpd_hours = hours(&mut errors, "mtpd_hours", &self.mtpd_hours, 1);
        let rpo_hours = hours(&mut errors, "rpo_hours", &self.rpo_hours, 0);
        let rto_hours = hours(&mut errors, "rto_hours", &self.rto_hours, 0);
        let targets_set_by = crate::web::form::optional_code(
            &mut errors,
            "targets_set_by",
            &self.targets_set_by,
            SetBy::parse,
            "Välj verksamheten eller IT.",
        );
        let targets_decided_by = self.targets_decided_by.trim().to_string();
        if targets_set_by == Some(SetBy::Business) && targets_decided_by.is_empty() {
            errors.insert("targets_decided_by".into(), "Ange vem i verksamheten som beslutade målen.".into());
        }
        if targets_set_by.is_none() && (mtpd_hours.is_some() || rpo_hours.is_some()) {
            errors.insert("targets_set_by".into(), "Ange vem som satte målen: verksamheten eller IT.".into());
        }
        let targets_decided_on = optional_date(&mut errors, "targets_decided_on", &self.targets_decided_on);
        if targets_decided_on.is_some_and(|d| d > today) {
            errors.insert("targets_decided_on".into(), "Beslutet kan inte vara fattat i framtiden.".into());
        }
        let rto_source = crate::web::form::optional_code(
            &mut errors,
            "rto_source",
            &self.rto_source,
            RtoSource::parse,
            "Välj avtal, test eller bedömning.",
        );
        let restore_priority = optional_number(&mut errors, "restore_priority", &self.restore_priority, 1, 100_000);
        let person = |errors: &mut FieldErrors, field: &str, value: &str| {
            optional_id(errors, field, value, "Välj en person i listan.")
        };
        let reserve_routine_owner_person_id =
            person(&mut errors, "reserve_routine_owner_person_id", &self.reserve_routine_owner_person_id);
        let plan_owner_person_id = person(&mut errors, "plan_owner_person_id", &self.plan_owner_person_id);
        let review_on = optional_date(&mut errors, "review_on", &self.review_on);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PlanInput {
            mtpd_hours,
            rpo_hours,
            targets_set_by,
            targets_decided_by,
            targets_decided_on,
            rto_hours,
            rto_source,
            restore_priority,
            reserve_routine: self.reserve_routine.trim().to_string(),
            reserve_routine_owner_person_id,
            reserve_routine_location: self.reserve_routine_location.trim().to_string(),
            backup_frequency: self.backup_frequency.trim().to_string(),
            other_dependencies: self.other_dependencies.trim().to_string(),
            plan_owner_person_id,
            review_on,
        })
    }
}

/// An exercise or restore test as a page or the API sends it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ExerciseForm {
    #[serde(default)]
    pub title: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub performed_on: String,
    /// aterlasningstest, skrivbordsovning, teknisk_ovning or fullskaleovning.
    #[serde(default)]
    pub kind: String,
    /// godkant, med_anmarkningar or underkant.
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub system_ids: Vec<String>,
    #[serde(default)]
    pub supplier_ids: Vec<String>,
    /// One finding per line.
    #[serde(default)]
    pub findings: String,
    /// Each finding becomes a proposed action (source "övning").
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub findings_to_actions: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExerciseInput {
    pub title: String,
    pub performed_on: NaiveDate,
    pub kind: ExerciseKind,
    pub result: ExerciseResult,
    pub system_ids: Vec<Uuid>,
    pub supplier_ids: Vec<Uuid>,
    pub findings: Vec<String>,
    pub findings_to_actions: bool,
}

impl ExerciseForm {
    pub fn validate(&self, today: NaiveDate) -> Result<ExerciseInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = self.title.trim().to_string();
        if title.is_empty() {
            errors.insert("title".into(), "Ange vad som övades.".into());
        }
        let performed_on = optional_date(&mut errors, "performed_on", &self.performed_on);
        match performed_on {
            None if !errors.contains_key("performed_on") => {
                errors.insert("performed_on".into(), "Ange när övningen gjordes.".into());
            }
            Some(day) if day > today => {
                errors.insert("performed_on".into(), "Registrera övningen när den är gjord.".into());
            }
            _ => {}
        }
        let kind = required_code(&mut errors, "kind", &self.kind, ExerciseKind::parse, "Välj slag av övning.");
        let result = required_code(&mut errors, "result", &self.result, ExerciseResult::parse, "Välj resultat.");
        let system_ids = id_list(&mut errors, "system_ids", &self.system_ids);
        if system_ids.is_empty() && !errors.contains_key("system_ids") {
            errors.insert("system_ids".into(), "Välj minst ett system som övningen omfattade.".into());
        }
        let supplier_ids = id_list(&mut errors, "supplier_ids", &self.supplier_ids);
        let findings: Vec<String> =
            self.findings.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
        match (performed_on, kind, result) {
            (Some(performed_on), Some(kind), Some(result)) if errors.is_empty() => Ok(ExerciseInput {
                title,
                performed_on,
                kind,
                result,
                system_ids,
                supplier_ids,
                findings,
                findings_to_actions: self.findings_to_actions,
            }),
            _ => Err(errors),
        }
    }
}

/// The municipality's targets as the coordinator's form sends them: per level 0–4 the outage,
/// data loss and exercise interval, and whether an analysis of its own is required.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TargetsForm {
    pub targets: Vec<TargetForm>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TargetForm {
    #[serde(deserialize_with = "crate::web::form::text_or_number")]
    #[schema(value_type = i16)]
    pub t_level: String,
    #[serde(default, deserialize_with = "crate::web::form::text_or_number")]
    #[schema(value_type = Option<i32>)]
    pub mtpd_hours: String,
    #[serde(default, deserialize_with = "crate::web::form::text_or_number")]
    #[schema(value_type = Option<i32>)]
    pub rpo_hours: String,
    #[serde(default, deserialize_with = "crate::web::form::text_or_number")]
    #[schema(value_type = Option<i32>)]
    pub exercise_months: String,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    pub own_analysis: bool,
}

impl TargetsForm {
    /// All five levels, each once; a level's field errors are named `mtpd_hours_3` and so on.
    pub fn validate(&self) -> Result<Vec<Target>, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut targets = Vec::new();
        for row in &self.targets {
            let Some(t_level) = row.t_level.trim().parse::<i16>().ok().filter(|t| (0..=4).contains(t)) else {
                errors.insert("targets".into(), "Nivåerna är 0–4.".into());
                continue;
            };
            let field = |name: &str| format!("{name}_{t_level}");
            targets.push(Target {
                t_level,
                mtpd_hours: optional_number(&mut errors, &field("mtpd_hours"), &row.mtpd_hours, 1, HOURS_MAX),
                rpo_hours: optional_number(&mut errors, &field("rpo_hours"), &row.rpo_hours, 0, HOURS_MAX),
                exercise_months: optional_number(&mut errors, &field("exercise_months"), &row.exercise_months, 1, 60),
                own_analysis: row.own_analysis,
            });
        }
        targets.sort_by_key(|t| t.t_level);
        let levels: Vec<i16> = targets.iter().map(|t| t.t_level).collect();
        if levels != [0, 1, 2, 3, 4] && !errors.contains_key("targets") {
            errors.insert("targets".into(), "Ange målen för var och en av nivåerna 0–4, en gång.".into());
        }
        if errors.is_empty() { Ok(targets) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn defaults_follow_the_issue_and_read_in_words() {
        let t3 = target_for(&DEFAULT_TARGETS, Some(3)).unwrap();
        assert_eq!((t3.mtpd_hours, t3.rpo_hours, t3.exercise_months), (Some(4), Some(1), Some(6)));
        assert!(target_for(&DEFAULT_TARGETS, Some(4)).unwrap().own_analysis);
        assert_eq!(target_for(&DEFAULT_TARGETS, None), None);
        assert_eq!(hours_text(Some(4)), "4 h");
        assert_eq!(hours_text(Some(24)), "24 h");
        assert_eq!(hours_text(Some(72)), "3 dygn");
        assert_eq!(hours_text(Some(168)), "1 vecka");
        assert_eq!(hours_text(None), "–");
    }

    #[test]
    fn a_gap_is_a_slow_restore_or_targets_set_by_it() {
        let t3 = target_for(&DEFAULT_TARGETS, Some(3));
        let business =
            PlanFacts { set_by: Some(SetBy::Business), mtpd_hours: Some(8), rto_hours: Some(8), ..Default::default() };
        assert!(gaps(&business, t3).is_empty());
        assert_eq!(
            gaps(&PlanFacts { rto_hours: Some(9), ..business }, t3),
            ["IT kan återställa på 9 h, verksamheten tål 8 h"]
        );
        // Without the business's own figure the level's default counts: 4 h for T3.
        assert_eq!(gaps(&PlanFacts { mtpd_hours: None, rto_hours: Some(6), ..business }, t3).len(), 1);
        assert_eq!(
            gaps(&PlanFacts { set_by: Some(SetBy::It), ..business }, t3),
            ["IT satte målen utan verksamhetens beslut"]
        );
        assert!(gaps(&PlanFacts { rto_hours: None, ..business }, t3).is_empty());
    }

    #[test]
    fn what_is_missing_and_when_exercises_are_due() {
        assert_eq!(
            missing(None, false),
            [Missing::Plan, Missing::ReserveRoutine, Missing::BusinessTargets, Missing::Exercise]
        );
        let full = PlanFacts {
            set_by: Some(SetBy::Business),
            mtpd_hours: Some(4),
            rpo_hours: Some(1),
            rto_hours: Some(2),
            has_reserve_routine: true,
        };
        assert!(missing(Some(&full), true).is_empty());
        assert_eq!(missing(Some(&PlanFacts { set_by: Some(SetBy::It), ..full }), true), [Missing::BusinessTargets]);
        assert_eq!(
            missing(Some(&PlanFacts { has_reserve_routine: false, ..full }), false),
            [Missing::ReserveRoutine, Missing::Exercise]
        );

        let today = day("2026-12-07");
        assert!(exercised_in_interval(Some(day("2026-06-07")), Some(6), today));
        assert!(!exercised_in_interval(Some(day("2026-06-06")), Some(6), today));
        assert!(!exercised_in_interval(None, Some(12), today));
        assert!(exercised_in_interval(None, None, today));
        assert_eq!(exercise_due(Some(day("2026-03-31")), day("2025-01-01"), Some(6)), Some(day("2026-09-30")));
        assert_eq!(exercise_due(None, day("2026-01-15"), Some(12)), Some(day("2027-01-15")));
        assert_eq!(exercise_due(None, day("2026-01-15"), None), None);
    }

    #[test]
    fn forms_are_checked_with_swedish_messages() {
        let today = day("2026-12-07");
        let plan = PlanForm {
            mtpd_hours: "4".into(),
            rpo_hours: "x".into(),
            targets_set_by: "verksamheten".into(),
            ..Default::default()
        };
        let errors = plan.validate(today).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["rpo_hours", "targets_decided_by"]);
        let ok = PlanForm { rpo_hours: "1".into(), targets_decided_by: "Socialchef Eva Ek".into(), ..plan }
            .validate(today)
            .unwrap();
        assert_eq!((ok.mtpd_hours, ok.rpo_hours, ok.targets_set_by), (Some(4), Some(1), Some(SetBy::Business)));
        let unsaid = PlanForm { mtpd_hours: "4".into(), ..Default::default() }.validate(today).unwrap_err();
        assert!(unsaid.contains_key("targets_set_by"));

        let exercise = ExerciseForm {
            title: " Återläsning av journalen ".into(),
            performed_on: "2026-12-08".into(),
            kind: "aterlasningstest".into(),
            result: "godkant".into(),
            findings: "Tog 6 timmar\n\n Rutinen saknade telefonnummer ".into(),
            ..Default::default()
        };
        let errors = exercise.validate(today).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["performed_on", "system_ids"]);
        let ok =
            ExerciseForm { performed_on: "2026-12-01".into(), system_ids: vec![Uuid::nil().to_string()], ..exercise }
                .validate(today)
                .unwrap();
        assert_eq!(ok.findings, ["Tog 6 timmar", "Rutinen saknade telefonnummer"]);
        assert_eq!(ok.title, "Återläsning av journalen");
    }

    #[test]
    fn the_targets_form_holds_every_level_once() {
        let row = |t: &str, mtpd: &str| TargetForm { t_level: t.into(), mtpd_hours: mtpd.into(), ..Default::default() };
        let all: Vec<TargetForm> = ["0", "1", "2", "3", "4"].iter().map(|t| row(t, "")).collect();
        assert_eq!(TargetsForm { targets: all.clone() }.validate().unwrap().len(), 5);
        let mut bad = all.clone();
        bad[3] = row("3", "0");
        assert!(TargetsForm { targets: bad }.validate().unwrap_err().contains_key("mtpd_hours_3"));
        assert!(TargetsForm { targets: all[..4].to_vec() }.validate().unwrap_err().contains_key("targets"));
    }
}
