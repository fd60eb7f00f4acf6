//! Pages for risk analyses, risks, the register and the municipality's risk scale.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::model::{AnalysisForm, Matrix, ObjectKind, RiskForm, RiskLevel, Scale, ScaleForm};
use super::store::{self, Analysis, Filter, Risk};
use super::{readable, readable_risk};
use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::auth::Principal;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::form::PageForm;
use crate::web::pagination::{Asked, Pager};
use crate::web::version::Version;
use crate::web::{Chrome, SelectOption, flash, options, refused_form, split_validation, unprocessable};

/// The scale's steps as the municipality names them: "2 – Medel".
fn steps(names: &[String], max: i16, selected: &str) -> Vec<SelectOption> {
    let label = |n: i16| match names.get(usize::try_from(n - 1).unwrap_or(0)) {
        Some(name) if !name.trim().is_empty() => format!("{n} – {}", name.trim()),
        _ => n.to_string(),
    };
    options((1..=max).map(|n| (n, label(n))), selected)
}

// ---------------------------------------------------------------- analyses

#[derive(Template, WebTemplate)]
#[template(path = "risks/analyses.html")]
struct AnalysesPage {
    chrome: Chrome,
    analyses: Vec<Analysis>,
    matrix: Matrix,
    details: bool,
    may_create: bool,
    may_set_scale: bool,
}

pub async fn analyses(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let (_, matrix) = super::heat_map(&state, &principal).await?;
    let details = super::may_read_details(&principal);
    Ok(AnalysesPage {
        analyses: if details { super::analyses(&state, &principal).await? } else { Vec::new() },
        matrix,
        may_create: super::may_start(&principal),
        may_set_scale: super::may_set_scale(&principal),
        chrome,
        details,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "risks/analysis_form.html")]
struct AnalysisFormPage {
    chrome: Chrome,
    id: Option<Uuid>,
    form: AnalysisForm,
    errors: FieldErrors,
    kinds: Vec<SelectOption>,
    systems: Vec<SelectOption>,
    people: Vec<SelectOption>,
    /// Naming the owner, who accepts the residual risks, is the coordinator's
    /// (`auth::model::may_name_approver`); others see who it is and keep it.
    may_name_owner: bool,
    owner_name: Option<String>,
}

async fn analysis_form_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Option<Uuid>,
    form: AnalysisForm,
    errors: FieldErrors,
) -> AppResult<AnalysisFormPage> {
    let m = principal.tenant()?;
    let people = crate::org::store::person_choices(&state.pool, m).await?;
    // Only the coordinator analyses processes and others' systems (`risks::may_create`): a
    // system owner is offered her own systems.
    let coordinator = principal.is_coordinator();
    let systems = if coordinator {
        crate::systems::store::names(&state.pool, m).await?
    } else {
        let mut conn = state.pool.acquire().await?;
        let kept = crate::systems::store::kept_by(&mut conn, m, principal.user_id).await?;
        kept.into_iter().map(|s| (s.id, s.name)).collect()
    };
    let mut kinds = ObjectKind::options(&form.object_kind);
    kinds.retain(|kind| coordinator || kind.value == ObjectKind::System.code());
    Ok(AnalysisFormPage {
        kinds,
        systems: options(systems, &form.system_id),
        people: options(people.iter().cloned(), &form.owner_person_id),
        may_name_owner: principal.is_coordinator(),
        owner_name: people.into_iter().find(|(id, _)| id.to_string() == form.owner_person_id).map(|(_, name)| name),
        chrome,
        id,
        form,
        errors,
    })
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    system_id: String,
}

pub async fn new_analysis(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    let form = super::new_analysis_form(&principal, query.system_id)?;
    Ok(analysis_form_page(&state, &principal, chrome, None, form, FieldErrors::new()).await?.into_response())
}

pub async fn edit_analysis(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let a = super::editable(&state, &principal, id).await?;
    let form = AnalysisForm {
        title: a.title,
        object_kind: a.object_kind.code().to_string(),
        system_id: a.system_id.map(|s| s.to_string()).unwrap_or_default(),
        object_text: a.object_text,
        analysed_on: crate::web::format::date(a.analysed_on),
        participants: a.participants,
        owner_person_id: a.owner_person_id.map(|p| p.to_string()).unwrap_or_default(),
        version: Version::of(a.updated_at).to_string(),
    };
    Ok(analysis_form_page(&state, &principal, chrome, Some(id), form, FieldErrors::new()).await?.into_response())
}

pub async fn create_analysis(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<AnalysisForm>,
) -> AppResult<Response> {
    match split_validation(super::create_analysis(&state, &principal, &form).await)? {
        Ok(a) => Ok(flash::see_other_with(
            &state,
            &format!("/risk-analyses/{}", a.id),
            "Riskanalysen är skapad. Lägg till riskerna.",
        )),
        Err(errors) => Ok(unprocessable(analysis_form_page(&state, &principal, chrome, None, form, errors).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "risks/analysis.html")]
struct AnalysisPage {
    chrome: Chrome,
    analysis: Analysis,
    risks: Vec<Risk>,
    scale: Scale,
    matrix: Matrix,
    access: super::Access,
    form: RiskForm,
    errors: FieldErrors,
    likelihoods: Vec<SelectOption>,
    consequences: Vec<SelectOption>,
    residual_likelihoods: Vec<SelectOption>,
    residual_consequences: Vec<SelectOption>,
    history: Vec<Entry>,
    /// Who must decide on the untreated risks, when the viewer cannot.
    acceptance_note: Option<String>,
    /// "Be om riskacceptans" is offered.
    may_request_acceptance: bool,
}

async fn analysis_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    form: RiskForm,
    errors: FieldErrors,
) -> AppResult<AnalysisPage> {
    let (analysis, access) = readable(state, principal, id).await?;
    let m = principal.tenant()?;
    let scale = store::scale(&state.pool, m).await?;
    let risks = store::risks(&mut *state.pool.acquire().await?, m, id).await?;
    let untreated = risks.iter().filter(|r| r.is_untreated()).count();
    let asked = store::acceptance_request(&state.pool, m, id).await?;
    let refused = super::model::acceptance_request_refused(access.accept, analysis.owner_user_id, untreated);
    let asked_on = asked.as_ref().map(|(at, _)| crate::web::format::stockholm_date(*at));
    let may_request_acceptance =
        access.edit && refused.is_none() && !super::model::asked_recently(asked_on, crate::web::format::today());
    let acceptance_note = (access.edit && !access.accept && untreated > 0).then(|| {
        let who = match &analysis.owner_name {
            Some(name) if analysis.owner_user_id.is_some() => {
                format!("Analysens ansvariga, {name}, accepterar kvarvarande risker eller beslutar om åtgärder.")
            }
            _ => super::model::acceptance_request_refused(false, None, untreated).unwrap_or_default().to_string(),
        };
        match &asked {
            Some((_, text)) => format!("{untreated} obehandlade. {who} {text}"),
            None => format!("{untreated} obehandlade. {who}"),
        }
    });
    Ok(AnalysisPage {
        acceptance_note,
        may_request_acceptance,
        matrix: Matrix::new(&scale, risks.iter().map(|r| (r.likelihood, r.consequence))),
        likelihoods: steps(&scale.likelihood_steps, scale.max, &form.likelihood),
        consequences: steps(&scale.consequence_steps, scale.max, &form.consequence),
        residual_likelihoods: steps(&scale.likelihood_steps, scale.max, &form.residual_likelihood),
        residual_consequences: steps(&scale.consequence_steps, scale.max, &form.residual_consequence),
        history: audit_log::history(&state.pool, m, EntityType::RiskAnalysis, id).await?,
        chrome,
        analysis,
        risks,
        scale,
        access,
        form,
        errors,
    })
}

pub async fn analysis(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(analysis_page(&state, &principal, chrome, id, RiskForm::default(), FieldErrors::new()).await?.into_response())
}

pub async fn update_analysis(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<AnalysisForm>,
) -> AppResult<Response> {
    let expected = Version::parse(&form.version);
    match split_validation(super::update_analysis(&state, &principal, id, &form, expected).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/risk-analyses/{id}"), "Ändringarna är sparade.")),
        Err(errors) => {
            let page = analysis_form_page(&state, &principal, chrome, Some(id), form, errors.clone()).await?;
            Ok(refused_form(&errors, page))
        }
    }
}

pub async fn add_risk(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<RiskForm>,
) -> AppResult<Response> {
    match split_validation(super::add_risk(&state, &principal, id, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/risk-analyses/{id}"), "Risken är tillagd.")),
        Err(errors) => Ok(unprocessable(analysis_page(&state, &principal, chrome, id, form, errors).await?)),
    }
}

pub async fn request_acceptance(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let message = match super::request_acceptance(&state, &principal, id).await {
        Ok(name) => {
            format!("{name} är ombedd att ta ställning till de obehandlade riskerna och har fått en påminnelse.")
        }
        Err(AppError::Conflict(message)) => message,
        Err(other) => return Err(other),
    };
    Ok(flash::see_other_with(&state, &format!("/risk-analyses/{id}"), &message))
}

// ---------------------------------------------------------------- one risk

#[derive(Template, WebTemplate)]
#[template(path = "risks/risk.html")]
struct RiskPage {
    chrome: Chrome,
    risk: Risk,
    analysis: Analysis,
    scale: Scale,
    access: super::Access,
    actions: Vec<crate::actions::store::Action>,
    people: Vec<SelectOption>,
    form: RiskForm,
    errors: FieldErrors,
    likelihoods: Vec<SelectOption>,
    consequences: Vec<SelectOption>,
    residual_likelihoods: Vec<SelectOption>,
    residual_consequences: Vec<SelectOption>,
    history: Vec<Entry>,
}

async fn risk_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    form: Option<RiskForm>,
    errors: FieldErrors,
) -> AppResult<RiskPage> {
    let (risk, analysis, access) = readable_risk(state, principal, id).await?;
    let m = principal.tenant()?;
    let scale = store::scale(&state.pool, m).await?;
    let text = |n: Option<i16>| n.map(|n| n.to_string()).unwrap_or_default();
    let form = form.unwrap_or_else(|| RiskForm {
        threat: risk.threat.clone(),
        likelihood: risk.likelihood.to_string(),
        consequence: risk.consequence.to_string(),
        existing_measures: risk.existing_measures.clone(),
        residual_likelihood: text(risk.residual_likelihood),
        residual_consequence: text(risk.residual_consequence),
        version: Version::of(risk.updated_at).to_string(),
    });
    let actions = crate::actions::store::for_risk(&mut *state.pool.acquire().await?, m, id).await?;
    Ok(RiskPage {
        likelihoods: steps(&scale.likelihood_steps, scale.max, &form.likelihood),
        consequences: steps(&scale.consequence_steps, scale.max, &form.consequence),
        residual_likelihoods: steps(&scale.likelihood_steps, scale.max, &form.residual_likelihood),
        residual_consequences: steps(&scale.consequence_steps, scale.max, &form.residual_consequence),
        actions,
        people: options(crate::org::store::person_choices(&state.pool, m).await?, ""),
        history: audit_log::history(&state.pool, m, EntityType::Risk, id).await?,
        chrome,
        risk,
        analysis,
        scale,
        access,
        form,
        errors,
    })
}

pub async fn risk(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(risk_page(&state, &principal, chrome, id, None, FieldErrors::new()).await?.into_response())
}

pub async fn update_risk(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<RiskForm>,
) -> AppResult<Response> {
    let expected = Version::parse(&form.version);
    match split_validation(super::update_risk(&state, &principal, id, &form, expected).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/risks/{id}"), "Risken är ändrad.")),
        Err(errors) => {
            let page = risk_page(&state, &principal, chrome, id, Some(form), errors.clone()).await?;
            Ok(refused_form(&errors, page))
        }
    }
}

pub async fn accept(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    PageForm(acceptance): PageForm<super::api::Acceptance>,
) -> AppResult<Response> {
    super::accept(&state, &principal, id, &acceptance.comment).await?;
    Ok(flash::see_other_with(&state, &format!("/risks/{id}"), "Du har accepterat risken."))
}

pub async fn confirm_delete_risk(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let risk = super::editable_risk(&state, &principal, id).await?;
    Ok(crate::web::confirm_delete(
        chrome,
        &format!("risken ”{}”", risk.threat),
        &format!("/risks/{id}/delete"),
        &format!("/risks/{id}"),
    ))
}

pub async fn delete_risk(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let analysis_id = super::delete_risk(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, &format!("/risk-analyses/{analysis_id}"), "Risken är borttagen."))
}

// ---------------------------------------------------------------- register

#[derive(Template, WebTemplate)]
#[template(path = "risks/register.html")]
struct RegisterPage {
    chrome: Chrome,
    risks: Vec<Risk>,
    pager: Pager,
    scale: Scale,
    filter: Filter,
    query: String,
    query_without_page: String,
    kinds: Vec<SelectOption>,
    levels: Vec<SelectOption>,
    accepted: Vec<SelectOption>,
    no_errors: FieldErrors,
}

const LEVELS: [RiskLevel; 3] = [RiskLevel::High, RiskLevel::Medium, RiskLevel::Low];

pub async fn register(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let asked = Asked::page(filter.page.as_deref());
    let (risks, pager, scale) = super::register_page(&state, &principal, &filter, asked).await?;
    Ok(RegisterPage {
        risks,
        pager,
        kinds: ObjectKind::options(&filter.object_kind),
        levels: options(LEVELS.map(|l| (l.code(), l.label())), &filter.level),
        accepted: options([("1", "Accepterade"), ("0", "Ej accepterade")], &filter.accepted),
        query: crate::web::pagination::filter_query(&filter),
        query_without_page: crate::web::pagination::filter_query(&filter),
        no_errors: FieldErrors::new(),
        chrome,
        scale,
        filter,
    }
    .into_response())
}

pub async fn register_csv(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    let text = |n: Option<i16>| n.map(|n| n.to_string()).unwrap_or_default();
    let registered_by = filter.registered_by;
    let (ids, scale) = super::matching_ids(&state, &principal, &filter).await?;
    crate::web::csv::stream(
        state.pool.clone(),
        "risker.csv",
        &[
            "Riskanalys",
            "Objekt",
            "Hot eller händelse",
            "Sannolikhet",
            "Konsekvens",
            "Riskvärde",
            "Nivå",
            "Befintliga åtgärder",
            "Åtgärder",
            "Kvarvarande sannolikhet",
            "Kvarvarande konsekvens",
            "Accepterad av",
        ],
        ids,
        Box::new(move |db, ids| Box::pin(store::by_ids(db, m, ids, registered_by))),
        move |r: &store::Risk| {
            vec![
                r.analysis_title.clone(),
                r.object.clone(),
                r.threat.clone(),
                r.likelihood.to_string(),
                r.consequence.to_string(),
                r.value(&scale).to_string(),
                r.level(&scale).label().to_string(),
                r.existing_measures.clone(),
                r.treatments.to_string(),
                text(r.residual_likelihood),
                text(r.residual_consequence),
                r.accepted_by.clone().unwrap_or_default(),
            ]
        },
    )
}

// ---------------------------------------------------------------- scale

#[derive(Template, WebTemplate)]
#[template(path = "risks/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    form: ScaleForm,
    errors: FieldErrors,
}

pub async fn settings(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let form = super::scale_form(&state, &principal).await?;
    Ok(SettingsPage { chrome, form, errors: FieldErrors::new() }.into_response())
}

pub async fn save_settings(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<ScaleForm>,
) -> AppResult<Response> {
    match split_validation(super::set_scale_from_form(&state, &principal, &form).await)? {
        Ok(()) => Ok(flash::see_other_with(&state, "/risk-analyses", "Riskskalan är sparad.")),
        Err(errors) => Ok(unprocessable(SettingsPage { chrome, form, errors })),
    }
}
