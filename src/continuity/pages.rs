//! Pages: the critical systems' continuity, the municipality-wide plan in restore order, a
//! system's plan, exercises, and the targets per T level.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::{
    ExerciseForm, ExerciseKind, ExerciseResult, Missing, PlanForm, RtoSource, SetBy, Target, TargetForm, TargetsForm,
};
use super::store::{Exercise, Targets};
use super::{Standing, may_edit, may_set_targets};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::form::PageForm;
use crate::web::version::Version;
use crate::web::{
    Choice, Chrome, SelectOption, choices, flash, options, refused_form, split_validation, unprocessable,
};

/// Filters for the critical systems' list.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Filter {
    /// A missing part's code: plan, reservrutin, mal or ovning.
    #[serde(default)]
    pub missing: String,
    /// "1" for systems with a gap only.
    #[serde(default)]
    pub gap: String,
}

impl Filter {
    fn keeps(&self, s: &Standing) -> bool {
        let missing = Missing::parse(self.missing.trim());
        missing.is_none_or(|m| s.missing.contains(&m)) && (self.gap != "1" || s.gap)
    }
}

/// The critical systems' figures above the list.
pub struct Summary {
    pub critical: usize,
    pub complete: usize,
    pub exercised: usize,
    pub gaps: usize,
}

impl Summary {
    fn of(all: &[Standing]) -> Summary {
        Summary {
            critical: all.len(),
            complete: all.iter().filter(|s| s.is_complete()).count(),
            exercised: all.iter().filter(|s| s.is_exercised()).count(),
            gaps: all.iter().filter(|s| s.gap).count(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "continuity/overview.html")]
struct OverviewPage {
    chrome: Chrome,
    summary: Summary,
    systems: Vec<Standing>,
    filter: Filter,
    missing: Vec<SelectOption>,
    query: String,
    targets_are_default: bool,
    today: NaiveDate,
    no_errors: FieldErrors,
}

pub async fn overview(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let all = super::critical(&state, &principal).await?;
    let summary = Summary::of(&all);
    let targets_are_default = super::targets(&state, &principal).await?.is_default();
    Ok(OverviewPage {
        missing: Missing::options(&filter.missing),
        query: crate::web::pagination::filter_query(&filter),
        systems: all.into_iter().filter(|s| filter.keeps(s)).collect(),
        summary,
        filter,
        targets_are_default,
        today: crate::web::format::today(),
        no_errors: FieldErrors::new(),
        chrome,
    }
    .into_response())
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(crate::web::format::date).unwrap_or_default()
}

pub async fn overview_csv(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let rows: Vec<Vec<String>> = super::critical(&state, &principal)
        .await?
        .into_iter()
        .filter(|s| filter.keeps(s))
        .map(|s| {
            vec![
                s.system_name.clone(),
                s.t_text(),
                s.mtpd_text(),
                s.rpo_text(),
                s.rto_text(),
                s.gaps.join("; "),
                date(s.last_exercised_on),
                date(s.exercise_due),
                s.missing_text(),
            ]
        })
        .collect();
    crate::web::csv::response(
        "kontinuitet.csv",
        &[
            "System",
            "Tillgänglighet",
            "Längsta acceptabla avbrott",
            "Acceptabel dataförlust",
            "Återställningstid (IT)",
            "Glapp",
            "Senast övad",
            "Nästa övning",
            "Saknas",
        ],
        &rows,
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "continuity/plan.html")]
struct PlanPage {
    chrome: Chrome,
    systems: Vec<Standing>,
    today: NaiveDate,
}

pub async fn plan(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let systems = super::planned(&state, &principal).await?;
    Ok(PlanPage { chrome, systems, today: crate::web::format::today() }.into_response())
}

pub async fn plan_csv(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    let rows: Vec<Vec<String>> = super::planned(&state, &principal)
        .await?
        .into_iter()
        .filter_map(|s| {
            let p = s.plan.as_ref()?;
            let name =
                |r: &Option<crate::systems::store::PersonRef>| r.as_ref().map(|p| p.name.clone()).unwrap_or_default();
            Some(vec![
                p.restore_priority.map(|n| n.to_string()).unwrap_or_default(),
                s.system_name.clone(),
                s.t_text(),
                s.mtpd_text(),
                s.rpo_text(),
                s.rto_text(),
                p.targets_set_by.map(SetBy::label).unwrap_or_default().into(),
                p.reserve_routine.clone(),
                name(&p.reserve_routine_owner),
                p.reserve_routine_location.clone(),
                p.backup_frequency.clone(),
                p.other_dependencies.clone(),
                name(&p.plan_owner),
                date(p.review_on),
            ])
        })
        .collect();
    crate::web::csv::response(
        "kontinuitetsplan.csv",
        &[
            "Ordning",
            "System",
            "Tillgänglighet",
            "Längsta acceptabla avbrott",
            "Acceptabel dataförlust",
            "Återställningstid (IT)",
            "Målen satta av",
            "Reservrutin",
            "Reservrutinens ägare",
            "Reservrutinen finns",
            "Säkerhetskopiering",
            "Övriga beroenden",
            "Planens ägare",
            "Ses över senast",
        ],
        &rows,
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "continuity/record.html")]
struct RecordPage {
    chrome: Chrome,
    standing: Standing,
    form: PlanForm,
    errors: FieldErrors,
    may_edit: bool,
    set_by: Vec<SelectOption>,
    rto_sources: Vec<SelectOption>,
    people: Vec<SelectOption>,
    routine_owners: Vec<SelectOption>,
    exercises: Vec<Exercise>,
    depends_on: Vec<String>,
}

async fn record_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    system_id: Uuid,
    form: Option<PlanForm>,
    errors: FieldErrors,
) -> AppResult<RecordPage> {
    let system = crate::systems::readable(state, principal, system_id).await?;
    let standing = super::of_system(state, principal, system_id).await?;
    let m = principal.tenant()?;
    let form = form.unwrap_or_else(|| form_of(&standing));
    let people = crate::org::store::person_choices(&state.pool, m).await?;
    let (depends_on, _) = crate::systems::store::dependencies(&state.pool, m, system_id).await?;
    let mut depends_on: Vec<String> = depends_on.iter().map(|d| d.target().to_string()).collect();
    depends_on
        .extend([system.supplier_name.clone(), system.operator_name.clone()].into_iter().filter(|n| !n.is_empty()));
    depends_on.dedup();
    Ok(RecordPage {
        may_edit: may_edit(principal, &system),
        set_by: options(SetBy::ALL.map(|c| (c.code(), c.label())), &form.targets_set_by),
        rto_sources: options(RtoSource::ALL.map(|c| (c.code(), c.label())), &form.rto_source),
        routine_owners: options(people.clone(), &form.reserve_routine_owner_person_id),
        people: options(people, &form.plan_owner_person_id),
        exercises: super::store::exercises(&state.pool, m, Some(system_id), None).await?,
        depends_on,
        chrome,
        standing,
        form,
        errors,
    })
}

fn form_of(standing: &Standing) -> PlanForm {
    let Some(p) = &standing.plan else { return PlanForm::default() };
    let number = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    let person =
        |r: &Option<crate::systems::store::PersonRef>| r.as_ref().map(|p| p.id.to_string()).unwrap_or_default();
    PlanForm {
        mtpd_hours: number(p.mtpd_hours),
        rpo_hours: number(p.rpo_hours),
        targets_set_by: p.targets_set_by.map(SetBy::code).unwrap_or_default().into(),
        targets_decided_by: p.targets_decided_by.clone(),
        targets_decided_on: date(p.targets_decided_on),
        rto_hours: number(p.rto_hours),
        rto_source: p.rto_source.map(RtoSource::code).unwrap_or_default().into(),
        restore_priority: number(p.restore_priority),
        reserve_routine: p.reserve_routine.clone(),
        reserve_routine_owner_person_id: person(&p.reserve_routine_owner),
        reserve_routine_location: p.reserve_routine_location.clone(),
        backup_frequency: p.backup_frequency.clone(),
        other_dependencies: p.other_dependencies.clone(),
        plan_owner_person_id: person(&p.plan_owner),
        review_on: date(p.review_on),
        version: Version::of(p.updated_at).to_string(),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(record_page(&state, &principal, chrome, id, None, FieldErrors::new()).await?.into_response())
}

pub async fn save(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<PlanForm>,
) -> AppResult<Response> {
    let expected = Version::parse(&form.version);
    match split_validation(super::save_plan(&state, &principal, id, &form, expected).await)? {
        Ok(_) => {
            Ok(flash::see_other_with(&state, &format!("/continuity/systems/{id}"), "Kontinuitetsplanen är sparad."))
        }
        Err(errors) => {
            let page = record_page(&state, &principal, chrome, id, Some(form), errors.clone()).await?;
            Ok(refused_form(&errors, page))
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "continuity/exercises.html")]
struct ExercisesPage {
    chrome: Chrome,
    exercises: Vec<Exercise>,
}

pub async fn exercises(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let exercises = super::exercises(&state, &principal).await?;
    Ok(ExercisesPage { chrome, exercises }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "continuity/exercise_form.html")]
struct ExerciseFormPage {
    chrome: Chrome,
    form: ExerciseForm,
    errors: FieldErrors,
    kinds: Vec<SelectOption>,
    results: Vec<SelectOption>,
    systems: Vec<Choice>,
    suppliers: Vec<Choice>,
}

async fn exercise_form(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    form: ExerciseForm,
    errors: FieldErrors,
) -> AppResult<ExerciseFormPage> {
    super::open_exercise_form(principal)?;
    let m = principal.tenant()?;
    Ok(ExerciseFormPage {
        kinds: ExerciseKind::options(&form.kind),
        results: ExerciseResult::options(&form.result),
        systems: choices(crate::systems::store::names(&state.pool, m).await?, &form.system_ids),
        suppliers: choices(crate::suppliers::store::supplier_names(&state.pool, m).await?, &form.supplier_ids),
        chrome,
        form,
        errors,
    })
}

#[derive(Deserialize)]
pub struct NewExercise {
    #[serde(default)]
    system_id: String,
}

pub async fn new_exercise(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(query): Query<NewExercise>,
) -> AppResult<Response> {
    let form = ExerciseForm {
        performed_on: crate::web::format::date(crate::web::format::today()),
        system_ids: vec![query.system_id].into_iter().filter(|s| !s.is_empty()).collect(),
        findings_to_actions: true,
        ..ExerciseForm::default()
    };
    Ok(exercise_form(&state, &principal, chrome, form, FieldErrors::new()).await?.into_response())
}

pub async fn record_exercise(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<ExerciseForm>,
) -> AppResult<Response> {
    match split_validation(super::record_exercise(&state, &principal, &form).await)? {
        Ok(exercise) => {
            let actions = if form.findings_to_actions && !exercise.findings.is_empty() {
                " Iakttagelserna är föreslagna som åtgärder."
            } else {
                ""
            };
            Ok(flash::see_other_with(&state, "/continuity/exercises", &format!("Övningen är registrerad.{actions}")))
        }
        Err(errors) => Ok(unprocessable(exercise_form(&state, &principal, chrome, form, errors).await?)),
    }
}

/// One row of the targets table as the page shows and edits it.
pub struct TargetRow {
    pub target: Target,
    pub form: TargetForm,
}

#[derive(Template, WebTemplate)]
#[template(path = "continuity/targets.html")]
struct TargetsPage {
    chrome: Chrome,
    targets: Targets,
    rows: Vec<TargetRow>,
    may_set: bool,
    errors: FieldErrors,
}

fn text(n: Option<i32>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn targets_page(
    principal: &Principal,
    chrome: Chrome,
    targets: Targets,
    typed: Option<&TargetsForm>,
    errors: FieldErrors,
) -> TargetsPage {
    let rows = targets
        .targets
        .iter()
        .map(|t| TargetRow {
            target: *t,
            form: typed
                .and_then(|f| f.targets.iter().find(|r| r.t_level.trim() == t.t_level.to_string()).cloned())
                .unwrap_or_else(|| TargetForm {
                    t_level: t.t_level.to_string(),
                    mtpd_hours: text(t.mtpd_hours),
                    rpo_hours: text(t.rpo_hours),
                    exercise_months: text(t.exercise_months),
                    own_analysis: t.own_analysis,
                }),
        })
        .collect();
    TargetsPage { may_set: may_set_targets(principal), chrome, targets, rows, errors }
}

pub async fn targets(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let targets = super::targets(&state, &principal).await?;
    Ok(targets_page(&principal, chrome, targets, None, FieldErrors::new()).into_response())
}

/// The page sends each level's fields as `mtpd_hours_3` and so on.
pub async fn set_targets(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    crate::web::form::FormPairs(pairs): crate::web::form::FormPairs,
) -> AppResult<Response> {
    let value = |name: String| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let form = TargetsForm {
        targets: (0..=4)
            .map(|t| TargetForm {
                t_level: t.to_string(),
                mtpd_hours: value(format!("mtpd_hours_{t}")),
                rpo_hours: value(format!("rpo_hours_{t}")),
                exercise_months: value(format!("exercise_months_{t}")),
                own_analysis: !value(format!("own_analysis_{t}")).is_empty(),
            })
            .collect(),
    };
    match split_validation(super::set_targets(&state, &principal, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, "/continuity/targets", "Målen per tillgänglighetsnivå är sparade.")),
        Err(errors) => {
            let targets = super::targets(&state, &principal).await?;
            Ok(unprocessable(targets_page(&principal, chrome, targets, Some(&form), errors)))
        }
    }
}
