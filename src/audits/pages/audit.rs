//! Audit pages: the list, the form, the audit with its questions, answers and report.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use uuid::Uuid;

use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::audits::model::{self, AuditForm, AuditKind, Commissioner};
use crate::audits::store::{self, Audit, AuditSummary, Filter, Recommendation};
use crate::audits::{edit_reach, require_reach, today};
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::org::store::list_bodies;
use crate::web::form::PageForm;
use crate::web::version::Version;
use crate::web::{Choice, Chrome, SelectOption, choices, flash, options, refused_form, split_validation};

#[derive(Template, WebTemplate)]
#[template(path = "audits/list.html")]
struct ListPage {
    chrome: Chrome,
    audits: Vec<AuditSummary>,
    may_edit: bool,
    /// Whose audits a lay auditor sees.
    reach_note: Option<String>,
}

impl ListPage {
    /// Audits saved before a report date was required: listed for the coordinator to fix.
    fn undated(&self) -> Vec<&AuditSummary> {
        self.audits.iter().filter(|a| a.report_date.is_none()).collect()
    }
}

pub async fn list(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let audits = crate::audits::list_audits(&state, &principal).await?;
    let reach_note = crate::audits::reach_note(&state, &principal).await?;
    Ok(ListPage { chrome, audits, may_edit: edit_reach(&principal).any(), reach_note }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/form.html")]
struct FormPage {
    chrome: Chrome,
    /// None for a new audit.
    id: Option<Uuid>,
    form: AuditForm,
    errors: FieldErrors,
    kinds: Vec<SelectOption>,
    commissioners: Vec<SelectOption>,
    bodies: Vec<Choice>,
    audits: Vec<Choice>,
}

async fn form_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Option<Uuid>,
    form: AuditForm,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    let m = principal.tenant()?;
    let bodies = choices(list_bodies(&state.pool, m).await?.into_iter().map(|b| (b.id, b.name)), &form.body_ids);
    let within = edit_reach(principal).within();
    let others = store::list_audits(&state.pool, m, within.as_deref()).await?.into_iter().filter(|a| Some(a.id) != id);
    let audits = choices(others.map(|a| (a.id, a.title)), &form.follows);
    Ok(FormPage {
        kinds: AuditKind::options(&form.kind),
        commissioners: Commissioner::options(&form.commissioned_by),
        chrome,
        id,
        form,
        errors,
        bodies,
        audits,
    })
}

pub async fn new(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let form = crate::audits::new_audit_form(&principal)?;
    Ok(form_page(&state, &principal, chrome, None, form, FieldErrors::new()).await?.into_response())
}

async fn save(
    state: AppState,
    principal: Principal,
    chrome: Chrome,
    id: Option<Uuid>,
    form: AuditForm,
) -> AppResult<Response> {
    let expected = Version::parse(&form.version);
    match split_validation(crate::audits::save_audit(&state, &principal, id, &form, expected).await)? {
        Ok(audit) => Ok(flash::see_other_with(&state, &format!("/audits/{}", audit.id), "Granskningen är sparad.")),
        Err(errors) => {
            let page = form_page(&state, &principal, chrome, id, form, errors.clone()).await?;
            Ok(refused_form(&errors, page))
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<AuditForm>,
) -> AppResult<Response> {
    save(state, principal, chrome, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<AuditForm>,
) -> AppResult<Response> {
    save(state, principal, chrome, Some(id), form).await
}

pub async fn edit_audit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    require_reach(&state.pool, &principal, store::Record::Audit(id), true).await?;
    let m = principal.tenant()?;
    let a = store::get_audit(&state.pool, m, id).await?;
    let date = |d: Option<NaiveDate>| d.map(crate::web::format::date).unwrap_or_default();
    let form = AuditForm {
        title: a.title.clone(),
        audit_firm: a.audit_firm.clone(),
        commissioned_by: a.commissioned_by.code().into(),
        kind: a.kind.code().to_string(),
        report_date: date(a.report_date),
        plan_year: a.plan_year.map(|y| y.to_string()).unwrap_or_default(),
        overall_assessment: a.overall_assessment.clone(),
        response_deadline: date(a.response_deadline),
        body_ids: a.bodies.iter().map(|b| b.id.to_string()).collect(),
        follows: a.follows.iter().map(|f| f.id.to_string()).collect(),
        version: Version::of(a.updated_at).to_string(),
    };
    Ok(form_page(&state, &principal, chrome, Some(id), form, FieldErrors::new()).await?.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/show.html")]
struct ShowPage {
    chrome: Chrome,
    audit: Audit,
    questions: Vec<store::Question>,
    scale: Vec<String>,
    recommendations: Vec<Recommendation>,
    /// For a follow-up: the followed audits' recommendations and this audit's verdict on each.
    followed: Vec<(Recommendation, Vec<SelectOption>, String)>,
    /// Answers per addressed body, and whether the missing ones are late.
    answers: Vec<(store::AnswerCount, bool)>,
    history: Vec<Entry>,
    may_edit: bool,
    /// Offered only where it can succeed: nothing beyond its own recommendations is recorded on it.
    may_delete: bool,
    today: NaiveDate,
}

/// One cell of the questions × bodies table: the word, and a class that colours it.
pub struct Cell {
    pub word: String,
    pub class: &'static str,
    pub comment: String,
}

impl ShowPage {
    fn cell(&self, question: &store::Question, body_id: &Uuid) -> Cell {
        match question.assessment_for(body_id) {
            Some(a) => Cell {
                class: model::assessment_class(&self.scale, &a.assessment),
                word: a.assessment.clone(),
                comment: a.comment.clone(),
            },
            None => Cell { word: "–".into(), class: "assessment-none", comment: String::new() },
        }
    }

    /// A followed recommendation's age at this follow-up's report date.
    fn age_here(&self, recommendation: &Recommendation) -> String {
        match (recommendation.first_reported, self.audit.report_date) {
            (Some(first), Some(here)) => model::age_at_follow_up(first, here),
            _ => "–".into(),
        }
    }

    fn scale_choices(&self, question: &store::Question, body_id: &Uuid) -> Vec<SelectOption> {
        let current = question.assessment_for(body_id).map(|a| a.assessment.as_str()).unwrap_or("");
        options(self.scale.iter().map(|s| (s.clone(), s.clone())), current)
    }
}

pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    require_reach(&state.pool, &principal, store::Record::Audit(id), false).await?;
    let m = principal.tenant()?;
    let audit = store::get_audit(&state.pool, m, id).await?;
    let filter = Filter { audit_id: id.to_string(), ..Filter::default() };
    let recommendations = store::list_recommendations(&state.pool, m, &filter, today()).await?;
    let history = audit_log::history(&state.pool, m, EntityType::Audit, id).await?;
    let questions = store::questions(&state.pool, m, id).await?;
    let scale = store::scale(&state.pool, m).await?;
    let verdicts = store::follow_up_verdicts(&state.pool, m, id).await?;
    let mut followed = Vec::new();
    for r in crate::audits::followed_by(&state, m, &audit).await? {
        let verdict = verdicts.iter().find(|v| v.recommendation_id == r.id);
        let chosen = verdict.map(|v| v.result.as_str()).unwrap_or("");
        let results = model::FollowUpResult::options(chosen);
        followed.push((r, results, verdict.map(|v| v.comment.clone()).unwrap_or_default()));
    }
    // Recommendations carried into this follow-up are shown with the follow-up assessment.
    let recommendations = recommendations.into_iter().filter(|r| r.audit_id == id).collect();
    let may_edit = edit_reach(&principal).covers(&audit.bodies.iter().map(|b| b.id).collect::<Vec<_>>());
    let may_delete = may_edit && store::audit_holds(&state.pool, m, id).await?.is_empty();
    let today = today();
    let answers = store::answer_counts(&state.pool, m, id)
        .await?
        .into_iter()
        .map(|count| {
            let late = model::response_overdue(audit.response_deadline, count.answered >= count.addressed, today);
            (count, late)
        })
        .collect();
    Ok(ShowPage {
        chrome,
        audit,
        questions,
        scale,
        recommendations,
        followed,
        answers,
        history,
        may_edit,
        may_delete,
        today,
    }
    .into_response())
}

/// Asks before deleting an audit, or says first what keeps it from being deleted.
pub async fn confirm_delete_audit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    require_reach(&state.pool, &principal, store::Record::Audit(id), true).await?;
    let m = principal.tenant()?;
    let audit = store::get_audit(&state.pool, m, id).await?;
    let holds = store::audit_holds(&state.pool, m, id).await?;
    let what = format!("granskningen ”{}” med dess rekommendationer", audit.title);
    Ok(crate::web::confirm_delete_unless_held(
        chrome,
        &what,
        &holds,
        &format!("/audits/{id}/delete"),
        &format!("/audits/{id}"),
    ))
}

pub async fn delete_audit_page(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    crate::audits::delete_audit(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, "/audits", "Granskningen är borttagen."))
}

/// The upload form on the audit page (multipart; the CSRF token travels in the form).
pub async fn upload_report_form(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let (name, _, bytes) = crate::web::files::read_upload(multipart).await?;
    let message = match split_validation(crate::audits::upload_report(&state, &principal, id, &name, &bytes).await)? {
        Ok(()) => "Rapporten är uppladdad.".to_string(),
        Err(errors) => format!("Rapporten laddades inte upp: {}", errors.into_values().collect::<Vec<_>>().join(" ")),
    };
    Ok(flash::see_other_with(&state, &format!("/audits/{id}"), &message))
}
