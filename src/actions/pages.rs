//! The action page, and the forms that plan actions and record progress.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use uuid::Uuid;

use super::model::{ActionForm, NoteForm, PlanForm, Priority, Source, Status};
use super::store::{self, Action, Filter, Plan};
use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::form::PageForm;
use crate::web::pagination::{Asked, Pager};
use crate::web::version::Version;
use crate::web::{
    Choice, Chrome, SelectOption, choices, flash, options, refused_form, split_validation, unprocessable,
};

#[derive(Template, WebTemplate)]
#[template(path = "actions/show.html")]
struct ShowPage {
    chrome: Chrome,
    action: Action,
    history: Vec<Entry>,
    access: super::Access,
    statuses: Vec<SelectOption>,
    people: Vec<SelectOption>,
    priorities: Vec<SelectOption>,
    form: ActionForm,
    errors: FieldErrors,
}

/// The action page; `form` keeps what was typed into the edit form when it had errors.
async fn show_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    form: Option<ActionForm>,
    errors: FieldErrors,
) -> AppResult<ShowPage> {
    let m = principal.tenant()?;
    let (action, access) = super::readable(state, principal, id).await?;
    let history = audit_log::history(&state.pool, m, EntityType::Action, id).await?;
    let form = form.unwrap_or_else(|| ActionForm {
        title: action.title.clone(),
        description: action.description.clone(),
        owner_person_id: action.owner_person_id.map(|p| p.to_string()).unwrap_or_default(),
        due_date: action.due_date.map(crate::web::format::date).unwrap_or_default(),
        priority: action.priority.map(|p| p.code().to_string()).unwrap_or_default(),
        effort: action.effort.clone(),
        version: Version::of(action.updated_at).to_string(),
    });
    let people = crate::org::store::person_choices(&state.pool, m).await?;
    Ok(ShowPage {
        people: options(people, &form.owner_person_id),
        priorities: Priority::options(&form.priority),
        statuses: Status::options(action.status.code()),
        access,
        chrome,
        action,
        history,
        form,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(show_page(&state, &principal, chrome, id, None, FieldErrors::new()).await?.into_response())
}

/// A new action as the page sends it: the action, and where it was started from.
#[derive(serde::Deserialize)]
pub struct NewActionForm {
    #[serde(flatten)]
    action: ActionForm,
    #[serde(default)]
    recommendation_id: String,
    #[serde(default)]
    risk_id: String,
    #[serde(default)]
    system_id: String,
}

/// Plans an action from the page it comes from (a recommendation, a risk, a system) or
/// from the new-action page; errors are shown where the form was.
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(new): PageForm<NewActionForm>,
) -> AppResult<Response> {
    let id = |text: &str| Uuid::parse_str(text.trim()).ok();
    let origin = super::Origin {
        recommendation_id: id(&new.recommendation_id),
        risk_id: id(&new.risk_id),
        system_id: id(&new.system_id),
    };
    let form = new.action;
    let back = match (origin.recommendation_id, origin.risk_id) {
        (Some(r), _) => Some(format!("/recommendations/{r}")),
        (None, Some(r)) => Some(format!("/risks/{r}")),
        _ => None,
    };
    match split_validation(super::create(&state, &principal, &origin, &form).await)? {
        Ok(action) => Ok(flash::see_other_with(&state, &format!("/actions/{}", action.id), "Åtgärden är planerad.")),
        Err(errors) => match back {
            Some(back) => {
                let message = errors.into_values().collect::<Vec<_>>().join(" ");
                Ok(flash::see_other_with(&state, &back, &format!("Åtgärden sparades inte: {message}")))
            }
            None => Ok(unprocessable(new_page(&state, &principal, chrome, form, errors).await?)),
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/new.html")]
struct NewPage {
    chrome: Chrome,
    form: ActionForm,
    errors: FieldErrors,
    people: Vec<SelectOption>,
    priorities: Vec<SelectOption>,
}

async fn new_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    form: ActionForm,
    errors: FieldErrors,
) -> AppResult<NewPage> {
    super::open_new_form(principal)?;
    let people = crate::org::store::person_choices(&state.pool, principal.tenant()?).await?;
    Ok(NewPage {
        people: options(people, &form.owner_person_id),
        priorities: Priority::options(&form.priority),
        chrome,
        form,
        errors,
    })
}

pub async fn new(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    Ok(new_page(&state, &principal, chrome, ActionForm::default(), FieldErrors::new()).await?.into_response())
}

// ---------------------------------------------------------------- list

#[derive(Template, WebTemplate)]
#[template(path = "actions/list.html")]
struct ListPage {
    chrome: Chrome,
    actions: Vec<Action>,
    pager: Pager,
    filter: Filter,
    query: String,
    query_without_page: String,
    statuses: Vec<SelectOption>,
    sources: Vec<SelectOption>,
    owners: Vec<SelectOption>,
    may_create: bool,
    today: NaiveDate,
    no_errors: FieldErrors,
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    let asked = Asked::page(filter.page.as_deref());
    let (actions, pager) = super::page(&state, &principal, &filter, asked).await?;
    let today = crate::web::format::today();
    let owners = crate::org::store::person_choices(&state.pool, m).await?;
    Ok(ListPage {
        statuses: Status::options(&filter.status),
        sources: Source::options(&filter.source),
        owners: options(owners, &filter.owner_person_id),
        query: crate::web::pagination::filter_query(&filter),
        query_without_page: crate::web::pagination::filter_query(&filter),
        may_create: super::may_create(&principal),
        no_errors: FieldErrors::new(),
        chrome,
        actions,
        pager,
        filter,
        today,
    }
    .into_response())
}

pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let ids = super::matching_ids(&state, &principal, &filter).await?;
    let m = principal.tenant()?;
    crate::web::csv::stream(
        state.pool.clone(),
        "atgarder.csv",
        &[
            "Åtgärd",
            "Ursprung",
            "System",
            "Ansvarig",
            "Prioritet",
            "Klart senast",
            "Status",
            "Uppskattad insats",
            "Handlingsplan",
        ],
        ids,
        Box::new(move |db, ids| Box::pin(store::by_ids(db, m, ids))),
        move |a: &store::Action| {
            vec![
                a.title.clone(),
                a.source_label().to_string(),
                a.system_name.clone().unwrap_or_default(),
                a.owner_name.clone().unwrap_or_default(),
                a.priority_label().to_string(),
                a.due_date.map(crate::web::format::date).unwrap_or_default(),
                a.status_label().to_string(),
                a.effort.clone(),
                a.plan_years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", "),
            ]
        },
    )
}

// ---------------------------------------------------------------- handlingsplan

#[derive(Template, WebTemplate)]
#[template(path = "actions/plans.html")]
struct PlansPage {
    chrome: Chrome,
    plans: Vec<Plan>,
    may_plan: bool,
    form: PlanForm,
    errors: FieldErrors,
}

async fn plans_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    form: PlanForm,
    errors: FieldErrors,
) -> AppResult<PlansPage> {
    Ok(PlansPage {
        plans: super::plans(state, principal).await?,
        may_plan: super::may_create(principal),
        chrome,
        form,
        errors,
    })
}

pub async fn plans(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let year = chrono::Datelike::year(&crate::web::format::today());
    let form = PlanForm { year: year.to_string(), ..PlanForm::default() };
    Ok(plans_page(&state, &principal, chrome, form, FieldErrors::new()).await?.into_response())
}

pub async fn create_plan(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<PlanForm>,
) -> AppResult<Response> {
    match split_validation(super::save_plan(&state, &principal, &form).await)? {
        Ok(plan) => Ok(flash::see_other_with(
            &state,
            &format!("/plans/{}", plan.year),
            "Handlingsplanen är skapad. Välj dess åtgärder.",
        )),
        Err(errors) => Ok(unprocessable(plans_page(&state, &principal, chrome, form, errors).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/plan.html")]
struct PlanPage {
    chrome: Chrome,
    plan: Plan,
    actions: Vec<Action>,
    candidates: Vec<Choice>,
    may_plan: bool,
    bodies: Vec<SelectOption>,
    form: PlanForm,
    errors: FieldErrors,
    today: NaiveDate,
    history: Vec<Entry>,
}

impl PlanPage {
    fn count(&self, status: &str) -> usize {
        self.actions.iter().filter(|a| a.status.code() == status).count()
    }

    fn late(&self) -> usize {
        self.actions.iter().filter(|a| a.is_late(self.today)).count()
    }

    fn progress(&self) -> usize {
        crate::web::format::percent(self.count("klar"), self.actions.len())
    }
}

async fn plan_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    year: i32,
    form: Option<PlanForm>,
    errors: FieldErrors,
) -> AppResult<PlanPage> {
    let m = principal.tenant()?;
    let (plan, actions) = super::plan(state, principal, year).await?;
    let chosen: Vec<String> = actions.iter().map(|a| a.id.to_string()).collect();
    let open = Filter::default();
    let candidates = store::list(&mut *state.pool.acquire().await?, m, &open, crate::web::format::today())
        .await?
        .into_iter()
        .filter(|a| a.status != Status::Klar || chosen.contains(&a.id.to_string()))
        .map(|a| {
            (a.id, format!("{} ({}, {})", a.title, a.source_label().to_lowercase(), a.status_label().to_lowercase()))
        });
    let form = form.unwrap_or_else(|| PlanForm {
        year: plan.year.to_string(),
        resources: plan.resources.clone(),
        decided_by_body_id: plan.decided_by_body_id.map(|b| b.to_string()).unwrap_or_default(),
        decision_date: plan.decision_date.map(crate::web::format::date).unwrap_or_default(),
        decision_reference: plan.decision_reference.clone(),
    });
    let bodies = crate::org::store::list_bodies(&state.pool, m).await?.into_iter().map(|b| (b.id, b.name));
    Ok(PlanPage {
        candidates: choices(candidates, &chosen),
        may_plan: super::may_create(principal),
        bodies: options(bodies, &form.decided_by_body_id),
        today: crate::web::format::today(),
        history: audit_log::history(&state.pool, m, EntityType::ActionPlan, plan.id).await?,
        chrome,
        plan,
        actions,
        form,
        errors,
    })
}

pub async fn plan(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(year): Path<i32>,
) -> AppResult<Response> {
    Ok(plan_page(&state, &principal, chrome, year, None, FieldErrors::new()).await?.into_response())
}

pub async fn update_plan(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(year): Path<i32>,
    PageForm(form): PageForm<PlanForm>,
) -> AppResult<Response> {
    let form = PlanForm { year: year.to_string(), ..form };
    match split_validation(super::save_plan(&state, &principal, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/plans/{year}"), "Handlingsplanen är sparad.")),
        Err(errors) => Ok(unprocessable(plan_page(&state, &principal, chrome, year, Some(form), errors).await?)),
    }
}

/// The actions ticked on a year's plan.
#[derive(serde::Deserialize)]
pub struct PlanActionsForm {
    #[serde(default)]
    action_ids: Vec<String>,
}

pub async fn set_plan_actions(
    State(state): State<AppState>,
    principal: Principal,
    Path(year): Path<i32>,
    PageForm(form): PageForm<PlanActionsForm>,
) -> AppResult<Response> {
    let ids: Vec<Uuid> = form.action_ids.iter().filter_map(|id| Uuid::parse_str(id.trim()).ok()).collect();
    let message = match split_validation(super::set_plan_actions(&state, &principal, year, &ids).await)? {
        Ok(()) => format!("Handlingsplanen har {}.", crate::web::format::count(ids.len(), "åtgärd", "åtgärder")),
        Err(errors) => format!("Planen sparades inte: {}", errors.into_values().collect::<Vec<_>>().join(" ")),
    };
    Ok(flash::see_other_with(&state, &format!("/plans/{year}"), &message))
}

pub async fn add_note(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<NoteForm>,
) -> AppResult<Response> {
    match split_validation(super::add_note(&state, &principal, id, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/actions/{id}"), "Anteckningen är sparad.")),
        Err(errors) => Ok(unprocessable(show_page(&state, &principal, chrome, id, None, errors).await?)),
    }
}

/// The upload form on the action page (multipart; the CSRF token travels in the form).
pub async fn attach_file(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let (name, content_type, bytes) = crate::web::files::read_upload(multipart).await?;
    let attached = super::attach_file(&state, &principal, id, &name, &content_type, &bytes).await;
    let message = crate::web::files::attached_message(attached, "Filen är bifogad.", "Filen bifogades inte")?;
    Ok(flash::see_other_with(&state, &format!("/actions/{id}"), &message))
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<ActionForm>,
) -> AppResult<Response> {
    let expected = Version::parse(&form.version);
    match split_validation(super::update(&state, &principal, id, &form, expected).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/actions/{id}"), "Ändringarna är sparade.")),
        Err(errors) => {
            let page = show_page(&state, &principal, chrome, id, Some(form), errors.clone()).await?;
            Ok(refused_form(&errors, page))
        }
    }
}
