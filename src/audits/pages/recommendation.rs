//! One recommendation's way to closure: status, edits, the bodies' responses, deleting.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use uuid::Uuid;

use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::audits::model::{self, Area, Priority, RecommendationForm, ResponseForm, Transition};
use crate::audits::store::{self, Recommendation};
use crate::audits::{change_status, require_reach, today};
use crate::auth::Principal;
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::form::PageForm;
use crate::web::version::Version;
use crate::web::{
    Choice, Chrome, SelectOption, choices, flash, options, refused_form, split_validation, unprocessable,
};

/// An addressed body and its answer, if it has given one.
pub struct Answer {
    pub body_name: String,
    pub response: Option<store::BodyResponse>,
    pub overdue: bool,
}

/// An audit that asks for answers on the recommendation, and each addressed body's answer to it.
pub struct RequestAnswers {
    pub request: store::Request,
    pub answers: Vec<Answer>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/recommendation.html")]
struct RecommendationPage {
    chrome: Chrome,
    recommendation: Recommendation,
    actions: Vec<crate::actions::store::Action>,
    progress: &'static str,
    requests: Vec<RequestAnswers>,
    request_options: Vec<SelectOption>,
    history: Vec<Entry>,
    today: NaiveDate,
    may_claim: bool,
    may_verify: bool,
    may_reopen: bool,
    may_edit: bool,
    /// Offered only where it can succeed: nothing holds the recommendation.
    may_delete: bool,
    may_plan: bool,
    may_record_responses: bool,
    people: Vec<SelectOption>,
    addressed: Vec<SelectOption>,
    errors: FieldErrors,
}

async fn recommendation_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    errors: FieldErrors,
) -> AppResult<RecommendationPage> {
    let m = principal.tenant()?;
    let mut conn = state.pool.acquire().await?;
    let recommendation = store::get_recommendation(&mut *conn, m, id).await?;
    let responsible = store::is_responsible(&mut *conn, m, id, principal.user_id).await?;
    if !responsible {
        require_reach(&mut *conn, principal, store::Record::Recommendation(id), false).await?;
    }
    let history = audit_log::history(&mut *conn, m, EntityType::Recommendation, id).await?;
    let actions = crate::actions::store::for_recommendation(&mut conn, m, id).await?;
    let statuses: Vec<crate::actions::model::Status> = actions.iter().map(|a| a.status).collect();
    let responses = store::responses(&mut *conn, m, id).await?;
    let today = today();
    let requests = store::requests(&mut *conn, m, id).await?;
    let latest = requests.last().map(|r| r.audit_id.to_string()).unwrap_or_default();
    let request_options = options(requests.iter().map(|r| (r.audit_id, r.title.clone())), &latest);
    let requests = requests
        .into_iter()
        .rev()
        .map(|request| {
            let answers = recommendation
                .bodies
                .iter()
                .map(|b| {
                    let response =
                        responses.iter().find(|r| r.body_id == b.id && r.audit_id == request.audit_id).cloned();
                    let overdue = model::response_overdue(request.response_deadline, response.is_some(), today);
                    Answer { body_name: b.name.clone(), response, overdue }
                })
                .collect();
            RequestAnswers { request, answers }
        })
        .collect();
    let (mut people, _) = crate::org::store::search_people(&mut conn, m, "", None).await?;
    people.sort_by(|a, b| a.name.cmp(&b.name));
    let standing = crate::audits::standing(&mut *conn, principal, id, responsible).await?;
    // A lay auditor records on the recommendations of the audits they audit, as the auditors on all.
    let may_edit = crate::audits::may_edit(principal) || standing.auditor;
    let may_delete = may_edit && store::recommendation_holds(&mut *conn, m, id).await?.is_empty();
    Ok(RecommendationPage {
        may_delete,
        may_claim: model::offered(recommendation.status(), Transition::Claim, standing),
        may_verify: model::offered(recommendation.status(), Transition::Verify, standing),
        may_reopen: model::offered(recommendation.status(), Transition::Reopen, standing),
        may_edit,
        may_plan: crate::actions::policy::may_create(principal),
        may_record_responses: crate::audits::may_record_responses(principal),
        progress: model::progress(&statuses),
        people: options(people.into_iter().map(|p| (p.id, p.name)), ""),
        addressed: options(recommendation.bodies.iter().map(|b| (b.id, b.name.clone())), ""),
        chrome,
        recommendation,
        actions,
        requests,
        request_options,
        history,
        today,
        errors,
    })
}

pub async fn recommendation(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(recommendation_page(&state, &principal, chrome, id, FieldErrors::new()).await?.into_response())
}

/// A status change as the recommendation page sends it.
#[derive(serde::Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    transition: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    evidence: String,
}

pub async fn status(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<StatusForm>,
) -> AppResult<Response> {
    let transition = match form.transition.trim() {
        "claim" => Transition::Claim,
        "verify" => Transition::Verify,
        "reopen" => Transition::Reopen,
        _ => return Err(AppError::BadRequest("Okänd statusändring.".into())),
    };
    match split_validation(
        change_status(&state, &principal, id, transition, form.comment.trim(), form.evidence.trim()).await,
    )? {
        Ok(changed) => {
            let message = format!("Status: {}.", changed.status_label());
            Ok(flash::see_other_with(&state, &format!("/recommendations/{id}"), &message))
        }
        Err(errors) => Ok(unprocessable(recommendation_page(&state, &principal, chrome, id, errors).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/recommendation_form.html")]
struct EditPage {
    chrome: Chrome,
    id: Uuid,
    form: RecommendationForm,
    errors: FieldErrors,
    priorities: Vec<SelectOption>,
    areas: Vec<Choice>,
    people: Vec<SelectOption>,
    questions: Vec<Choice>,
}

async fn edit_page(
    state: &AppState,
    m: MunicipalityId,
    chrome: Chrome,
    id: Uuid,
    form: RecommendationForm,
    errors: FieldErrors,
) -> AppResult<EditPage> {
    let mut conn = state.pool.acquire().await?;
    let audit_id = store::get_recommendation(&mut *conn, m, id).await?.audit_id;
    let questions = store::questions(&mut *conn, m, audit_id).await?;
    let questions =
        choices(questions.into_iter().map(|q| (q.id, format!("{}. {}", q.position, q.text))), &form.question_ids);
    let (people, _) = crate::org::store::search_people(&mut conn, m, "", None).await?;
    let areas = Area::ALL
        .into_iter()
        .map(|area| Choice {
            value: area.code().to_string(),
            label: area.label().to_string(),
            checked: form.areas.iter().any(|a| a == area.code()),
        })
        .collect();
    Ok(EditPage {
        priorities: Priority::options(&form.priority),
        people: options(people.into_iter().map(|p| (p.id, p.name)), &form.responsible_person_id),
        areas,
        questions,
        chrome,
        id,
        form,
        errors,
    })
}

pub async fn edit_form(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    require_reach(&state.pool, &principal, store::Record::Recommendation(id), true).await?;
    let m = principal.tenant()?;
    let r = store::get_recommendation(&state.pool, m, id).await?;
    let form = RecommendationForm {
        text: r.text,
        priority: r.priority.map(|p| p.code().to_string()).unwrap_or_default(),
        areas: r.areas.iter().map(|a| a.code().to_string()).collect(),
        responsible_person_id: r.responsible_person_id.map(|p| p.to_string()).unwrap_or_default(),
        target_date: r.target_date.map(crate::web::format::date).unwrap_or_default(),
        question_ids: r.questions.iter().map(|q| q.id.to_string()).collect(),
        version: Version::of(r.updated_at).to_string(),
    };
    Ok(edit_page(&state, m, chrome, id, form, FieldErrors::new()).await?.into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<RecommendationForm>,
) -> AppResult<Response> {
    let expected = Version::parse(&form.version);
    match split_validation(crate::audits::edit(&state, &principal, id, &form, expected).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/recommendations/{id}"), "Ändringarna är sparade.")),
        Err(errors) => {
            let page = edit_page(&state, principal.tenant()?, chrome, id, form, errors.clone()).await?;
            Ok(refused_form(&errors, page))
        }
    }
}

pub async fn respond(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<ResponseForm>,
) -> AppResult<Response> {
    match split_validation(crate::audits::respond(&state, &principal, id, &form).await)? {
        Ok(()) => Ok(flash::see_other_with(&state, &format!("/recommendations/{id}"), "Yttrandet är sparat.")),
        Err(errors) => Ok(unprocessable(recommendation_page(&state, &principal, chrome, id, errors).await?)),
    }
}

pub async fn confirm_delete_recommendation(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    require_reach(&state.pool, &principal, store::Record::Recommendation(id), true).await?;
    let m = principal.tenant()?;
    let r = store::get_recommendation(&state.pool, m, id).await?;
    let what = format!("rekommendation {} i {}", r.position, r.audit_title);
    let holds = store::recommendation_holds(&state.pool, m, id).await?;
    Ok(crate::web::confirm_delete_unless_held(
        chrome,
        &what,
        &holds,
        &format!("/recommendations/{id}/delete"),
        &format!("/recommendations/{id}"),
    ))
}

pub async fn delete_recommendation_page(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let audit_id = crate::audits::delete_recommendation(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, &format!("/audits/{audit_id}"), "Rekommendationen är borttagen."))
}
