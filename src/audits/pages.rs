//! Pages for audits, the recommendation register, a recommendation's way to closure, and
//! the paste import with its editable preview.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use uuid::Uuid;

use super::model::{
    self, AREAS, AuditForm, COMMISSIONERS, KINDS, NewRecommendation, PRIORITIES, RecommendationForm, ResponseForm,
    Status, Transition,
};
use super::store::{self, Audit, AuditSummary, Filter, Recommendation};
use super::{change_status, may_edit, may_read, parse_for, today};
use crate::AppState;
use crate::audit_log::{self, Entry};
use crate::auth::Principal;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::org::store::{Body, list_bodies};
use crate::web::form::FormPairs;
use crate::web::version::Version;
use crate::web::{
    Choice, Chrome, SelectOption, choices, flash, options, refused_form, split_validation, unprocessable,
};

// ---------------------------------------------------------------- audits

#[derive(Template, WebTemplate)]
#[template(path = "audits/list.html")]
struct ListPage {
    chrome: Chrome,
    audits: Vec<AuditSummary>,
    may_edit: bool,
}

impl ListPage {
    /// Audits saved before a report date was required: listed for the coordinator to fix.
    fn undated(&self) -> Vec<&AuditSummary> {
        self.audits.iter().filter(|a| a.report_date.is_none()).collect()
    }
}

pub async fn list(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    principal.require(may_read(&principal))?;
    let audits = store::list_audits(&state.pool, principal.tenant()?).await?;
    Ok(ListPage { chrome, audits, may_edit: may_edit(&principal) }.into_response())
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
    m: Uuid,
    chrome: Chrome,
    id: Option<Uuid>,
    form: AuditForm,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    let bodies = choices(list_bodies(&state.pool, m).await?.into_iter().map(|b| (b.id, b.name)), &form.body_ids);
    let others = store::list_audits(&state.pool, m).await?.into_iter().filter(|a| Some(a.id) != id);
    let audits = choices(others.map(|a| (a.id, a.title)), &form.follows);
    Ok(FormPage {
        kinds: options(KINDS, &form.kind),
        commissioners: options(COMMISSIONERS, &form.commissioned_by),
        chrome,
        id,
        form,
        errors,
        bodies,
        audits,
    })
}

pub async fn new(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    principal.require(may_edit(&principal))?;
    let form = AuditForm { kind: "granskning".into(), commissioned_by: "revisorerna".into(), ..AuditForm::default() };
    Ok(form_page(&state, principal.tenant()?, chrome, None, form, FieldErrors::new()).await?.into_response())
}

fn audit_form(pairs: &FormPairs) -> AuditForm {
    AuditForm {
        title: pairs.get("title"),
        audit_firm: pairs.get("audit_firm"),
        commissioned_by: pairs.get("commissioned_by"),
        kind: pairs.get("kind"),
        report_date: pairs.get("report_date"),
        plan_year: pairs.get("plan_year"),
        overall_assessment: pairs.get("overall_assessment"),
        response_deadline: pairs.get("response_deadline"),
        body_ids: pairs.all("body_ids"),
        follows: pairs.all("follows"),
        version: pairs.get("version"),
    }
}

async fn save(
    state: AppState,
    principal: Principal,
    chrome: Chrome,
    id: Option<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    let form = audit_form(&pairs);
    let expected = Version::parse(&form.version);
    match split_validation(super::save_audit(&state, &principal, id, &form, expected).await)? {
        Ok(audit) => Ok(flash::see_other_with(&state, &format!("/audits/{}", audit.id), "Granskningen är sparad.")),
        Err(errors) => {
            let page = form_page(&state, principal.tenant()?, chrome, id, form, errors.clone()).await?;
            Ok(refused_form(&errors, page))
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    pairs: FormPairs,
) -> AppResult<Response> {
    save(state, principal, chrome, None, pairs).await
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    save(state, principal, chrome, Some(id), pairs).await
}

pub async fn edit_audit(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_edit(&principal))?;
    let m = principal.tenant()?;
    let a = store::get_audit(&state.pool, m, id).await?;
    let date = |d: Option<NaiveDate>| d.map(crate::web::format::date).unwrap_or_default();
    let form = AuditForm {
        title: a.title.clone(),
        audit_firm: a.audit_firm.clone(),
        commissioned_by: a.commissioned_by.clone(),
        kind: a.kind.clone(),
        report_date: date(a.report_date),
        plan_year: a.plan_year.map(|y| y.to_string()).unwrap_or_default(),
        overall_assessment: a.overall_assessment.clone(),
        response_deadline: date(a.response_deadline),
        body_ids: a.bodies.iter().map(|b| b.id.to_string()).collect(),
        follows: a.follows.iter().map(|f| f.id.to_string()).collect(),
        version: Version::of(a.updated_at).to_string(),
    };
    Ok(form_page(&state, m, chrome, Some(id), form, FieldErrors::new()).await?.into_response())
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
    principal.require(may_read(&principal))?;
    let m = principal.tenant()?;
    let audit = store::get_audit(&state.pool, m, id).await?;
    let filter = Filter { audit_id: id.to_string(), ..Filter::default() };
    let recommendations = store::list_recommendations(&state.pool, m, &filter, today()).await?;
    let history = audit_log::history(&state.pool, m, "audit", id).await?;
    let questions = store::questions(&state.pool, m, id).await?;
    let scale = store::scale(&state.pool, m).await?;
    let verdicts = store::follow_up_verdicts(&state.pool, m, id).await?;
    let mut followed = Vec::new();
    for earlier in audit.follows.iter() {
        let filter = Filter { audit_id: earlier.id.to_string(), ..Filter::default() };
        for r in store::list_recommendations(&state.pool, m, &filter, today()).await? {
            let verdict = verdicts.iter().find(|v| v.recommendation_id == r.id);
            let chosen = verdict.map(|v| v.result.as_str()).unwrap_or("");
            let results = options(model::FollowUpResult::ALL.map(|f| (f.code(), f.label())), chosen);
            followed.push((r, results, verdict.map(|v| v.comment.clone()).unwrap_or_default()));
        }
    }
    // Recommendations carried into this follow-up are shown with the follow-up assessment.
    let recommendations = recommendations.into_iter().filter(|r| r.audit_id == id).collect();
    let may_edit = may_edit(&principal);
    let today = today();
    let answers = store::answer_counts(&state.pool, m, id)
        .await?
        .into_iter()
        .map(|count| {
            let late = model::response_overdue(audit.response_deadline, count.answered >= count.addressed, today);
            (count, late)
        })
        .collect();
    Ok(ShowPage { chrome, audit, questions, scale, recommendations, followed, answers, history, may_edit, today }
        .into_response())
}

// ---------------------------------------------------------------- paste import

#[derive(Template, WebTemplate)]
#[template(path = "audits/import.html")]
struct ImportPage {
    chrome: Chrome,
    audit: Audit,
    text: String,
    errors: FieldErrors,
}

pub async fn import_form(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_edit(&principal))?;
    let audit = store::get_audit(&state.pool, principal.tenant()?, id).await?;
    Ok(ImportPage { chrome, audit, text: String::new(), errors: FieldErrors::new() }.into_response())
}

/// One editable row of the preview.
pub struct Row {
    pub index: usize,
    pub text: String,
    pub addressed_to: String,
    pub include: bool,
    pub bodies: Vec<Choice>,
    pub error: Option<String>,
    /// Lines Lisa removed from inside the row as page furniture, and the row as pasted.
    pub removed: Vec<String>,
    pub original: String,
}

impl Row {
    fn new(index: usize, text: String, addressed_to: String, bodies: &[Body], checked: &[String]) -> Self {
        let bodies = choices(bodies.iter().map(|b| (b.id, b.name.clone())), checked);
        Row {
            index,
            text,
            addressed_to,
            include: true,
            bodies,
            error: None,
            removed: Vec::new(),
            original: String::new(),
        }
    }

    fn has_body(&self) -> bool {
        self.bodies.iter().any(|b| b.checked)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/preview.html")]
struct PreviewPage {
    chrome: Chrome,
    audit: Audit,
    rows: Vec<Row>,
    ignored: Vec<String>,
    /// Bodies for every row that has none of its own.
    all_bodies: Vec<Choice>,
    /// One message per row in error, keyed by the row's text field, for the summary on top.
    errors: FieldErrors,
}

impl PreviewPage {
    fn new(
        chrome: Chrome,
        audit: Audit,
        rows: Vec<Row>,
        ignored: Vec<String>,
        bodies: &[Body],
        all: &[String],
    ) -> Self {
        let errors = rows
            .iter()
            .filter_map(|r| Some((format!("text_{}", r.index), format!("Rad {}: {}", r.index + 1, r.error.as_ref()?))))
            .collect();
        let all_bodies = choices(bodies.iter().map(|b| (b.id, b.name.clone())), all);
        PreviewPage { chrome, audit, rows, ignored, all_bodies, errors }
    }

    /// No row has a body: Lisa found no addressee in the text.
    fn no_addressee(&self) -> bool {
        !self.rows.iter().any(Row::has_body)
    }
}

/// Names that appear in the report's running headers besides the municipality's.
fn headers_of(audit: &Audit) -> Vec<String> {
    vec![audit.title.clone(), audit.audit_firm.clone()]
}

pub async fn import_preview(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    principal.require(may_edit(&principal))?;
    let m = principal.tenant()?;
    let audit = store::get_audit(&state.pool, m, id).await?;
    let text = pairs.raw("text");
    let parsed = parse_for(&state, &principal, &text, &headers_of(&audit)).await?;
    if parsed.items.is_empty() {
        let errors = FieldErrors::from([("text".to_string(), "Hittade inga rekommendationer i texten.".to_string())]);
        return Ok(unprocessable(ImportPage { chrome, audit, text, errors }));
    }
    let bodies = list_bodies(&state.pool, m).await?;
    let rows = parsed
        .items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let checked: Vec<String> = item.body_ids.iter().map(Uuid::to_string).collect();
            Row {
                removed: item.removed,
                original: item.original,
                ..Row::new(index, item.text, item.addressed_to.unwrap_or_default(), &bodies, &checked)
            }
        })
        .collect();
    Ok(PreviewPage::new(chrome, audit, rows, parsed.ignored, &bodies, &[]).into_response())
}

/// Saves the rows of the preview as edited; shows it again, as typed, when a row is
/// incomplete, or with one row's pasted text restored when the coordinator asks for it.
pub async fn import_save(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    principal.require(may_edit(&principal))?;
    let m = principal.tenant()?;
    let audit = store::get_audit(&state.pool, m, id).await?;
    let bodies = list_bodies(&state.pool, m).await?;
    let count: usize =
        pairs.get("rows").parse().map_err(|_| AppError::BadRequest("Förhandsvisningen saknar rader.".into()))?;
    let all = pairs.all("all_bodies");
    let restore: Option<usize> = pairs.get("restore").parse().ok();
    let mut rows = Vec::new();
    let mut items = Vec::new();
    for index in 0..count.min(500) {
        let original = pairs.raw(&format!("original_{index}"));
        let restored = restore == Some(index) && !original.trim().is_empty();
        let text = if restored { original.clone() } else { pairs.raw(&format!("text_{index}")) };
        let include = pairs.get(&format!("include_{index}")) == "1";
        let own = pairs.all(&format!("bodies_{index}"));
        let checked = if own.is_empty() { all.clone() } else { own };
        let item = NewRecommendation {
            text: text.trim().to_string(),
            body_ids: checked.iter().filter_map(|v| Uuid::parse_str(v).ok()).collect(),
            priority: None,
            target_date: None,
        };
        let error =
            if include { item.check().err().map(|e| e.into_values().collect::<Vec<_>>().join(" ")) } else { None };
        if include && error.is_none() {
            items.push(item);
        }
        rows.push(Row {
            include,
            error: error.filter(|_| restore.is_none()),
            removed: if restored { Vec::new() } else { pairs.all(&format!("removed_{index}")) },
            original,
            ..Row::new(index, text, pairs.get(&format!("addressed_to_{index}")), &bodies, &checked)
        });
    }
    let ignored = pairs.all("ignored");
    if restore.is_some() {
        return Ok(PreviewPage::new(chrome, audit, rows, ignored, &bodies, &all).into_response());
    }
    if rows.iter().any(|r| r.error.is_some()) || items.is_empty() {
        let mut page = PreviewPage::new(chrome, audit, rows, ignored, &bodies, &all);
        if items.is_empty() && page.errors.is_empty() {
            page.errors.insert("include_0".into(), "Välj minst en rad att spara.".into());
        }
        return Ok(unprocessable(page));
    }
    super::add_recommendations(&state, &principal, id, &items).await?;
    let message = match items.len() {
        1 => "1 rekommendation är sparad.".to_string(),
        n => format!("{n} rekommendationer är sparade."),
    };
    Ok(flash::see_other_with(&state, &format!("/recommendations?audit_id={id}"), &message))
}

// ---------------------------------------------------------------- the register

/// The figures at the top of the register.
pub struct Counts {
    pub open: usize,
    pub claimed: usize,
    pub verified: usize,
    pub overdue: usize,
    /// The median age of the open ones, in years and months.
    pub median_age: Option<String>,
}

fn counts(recommendations: &[Recommendation], today: NaiveDate) -> Counts {
    let mut ages: Vec<i64> = recommendations
        .iter()
        .filter(|r| r.status().is_open())
        .filter_map(|r| r.age_months(today).map(i64::from))
        .collect();
    Counts {
        open: recommendations.iter().filter(|r| r.status().is_open()).count(),
        claimed: recommendations.iter().filter(|r| r.status() == Status::Atgardad).count(),
        verified: recommendations.iter().filter(|r| r.status() == Status::Verifierad).count(),
        overdue: recommendations.iter().filter(|r| r.is_overdue(today)).count(),
        median_age: model::median(&mut ages).map(|m| crate::web::format::years_months(m as u32)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/register.html")]
struct RegisterPage {
    chrome: Chrome,
    recommendations: Vec<Recommendation>,
    counts: Counts,
    filter: Filter,
    bodies: Vec<SelectOption>,
    statuses: Vec<SelectOption>,
    priorities: Vec<SelectOption>,
    audits: Vec<SelectOption>,
    areas: Vec<SelectOption>,
    ages: Vec<SelectOption>,
    verdicts: Vec<SelectOption>,
    missing: Vec<SelectOption>,
    sorts: Vec<SelectOption>,
    query: String,
    today: NaiveDate,
    no_errors: FieldErrors,
    /// When filtered to one body: its name, for the heading (the per-body view).
    body_name: Option<String>,
}

fn filter_query(filter: &Filter) -> String {
    serde_urlencoded::to_string([
        ("q", filter.q.as_str()),
        ("body_id", filter.body_id.as_str()),
        ("status", filter.status.as_str()),
        ("priority", filter.priority.as_str()),
        ("audit_id", filter.audit_id.as_str()),
        ("overdue", filter.overdue.as_str()),
        ("carried", filter.carried.as_str()),
        ("area", filter.area.as_str()),
        ("min_age_days", filter.min_age_days.as_str()),
        ("verdict", filter.verdict.as_str()),
        ("missing", filter.missing.as_str()),
        ("sort", filter.sort.as_str()),
    ])
    .unwrap_or_default()
}

pub async fn register(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    principal.require(may_read(&principal))?;
    let m = principal.tenant()?;
    let today = today();
    let recommendations = store::list_recommendations(&state.pool, m, &filter, today).await?;
    let all_bodies = list_bodies(&state.pool, m).await?;
    let body_name = all_bodies.iter().find(|b| b.id.to_string() == filter.body_id.trim()).map(|b| b.name.clone());
    let bodies = options(all_bodies.into_iter().map(|b| (b.id, b.name)), &filter.body_id);
    let audits =
        options(store::list_audits(&state.pool, m).await?.into_iter().map(|a| (a.id, a.title)), &filter.audit_id);
    Ok(RegisterPage {
        counts: counts(&recommendations, today),
        statuses: options(Status::ALL.map(|s| (s.code(), s.label())), &filter.status),
        priorities: options(PRIORITIES, &filter.priority),
        areas: options(AREAS, &filter.area),
        ages: options(
            [("365", "Äldre än ett år"), ("730", "Äldre än två år"), ("1095", "Äldre än tre år")],
            &filter.min_age_days,
        ),
        verdicts: verdict_options(&filter.verdict),
        missing: options([("ansvarig", "Saknar ansvarig"), ("maldatum", "Saknar måldatum")], &filter.missing),
        sorts: options([("age", "Äldst först"), ("target", "Måldatum"), ("status", "Status")], &filter.sort),
        query: filter_query(&filter),
        chrome,
        recommendations,
        filter,
        bodies,
        audits,
        today,
        no_errors: FieldErrors::new(),
        body_name,
    }
    .into_response())
}

/// The follow-up verdicts to filter by, and "not assessed".
fn verdict_options(selected: &str) -> Vec<SelectOption> {
    let verdicts = model::FollowUpResult::ALL.map(|v| (v.code(), v.label()));
    options(verdicts.into_iter().chain([("ingen", "Ej bedömd i uppföljning")]), selected)
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/review.html")]
struct ReviewPage {
    chrome: Chrome,
    sections: Vec<(&'static str, &'static str, Vec<Recommendation>)>,
    today: NaiveDate,
}

/// The auditors' view: what awaits verification, what is overdue, what was carried over.
pub async fn review(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    principal.require(may_read(&principal))?;
    let m = principal.tenant()?;
    let today = today();
    let list = |filter: Filter| {
        let pool = state.pool.clone();
        async move { store::list_recommendations(&pool, m, &filter, today).await }
    };
    let awaiting = list(Filter { status: Status::Atgardad.code().into(), ..Filter::default() }).await?;
    let overdue = list(Filter { overdue: "1".into(), ..Filter::default() }).await?;
    let carried = list(Filter { carried: "1".into(), ..Filter::default() }).await?;
    let carried = carried.into_iter().filter(|r| r.status() != Status::Verifierad).collect();
    let sections = vec![
        (
            "Väntar på verifiering",
            "Anmälda som åtgärdade av den ansvarige. Granska underlaget och verifiera eller återöppna.",
            awaiting,
        ),
        ("Försenade", "Öppna rekommendationer vars måldatum har passerat.", overdue),
        (
            "Kvarstår från tidigare granskningar",
            "Bedömda som delvis eller inte åtgärdade i en uppföljande granskning. Åldern räknas från den första rapporten.",
            carried,
        ),
    ];
    Ok(ReviewPage { chrome, sections, today }.into_response())
}

pub async fn register_csv(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    principal.require(may_read(&principal))?;
    let today = today();
    let recommendations = store::list_recommendations(&state.pool, principal.tenant()?, &filter, today).await?;
    let rows: Vec<Vec<String>> = recommendations
        .iter()
        .map(|r| {
            vec![
                r.audit_title.clone(),
                r.position.to_string(),
                r.text.clone(),
                r.bodies_text(),
                r.priority_label().to_string(),
                r.status_label().to_string(),
                r.target_date.map(crate::web::format::date).unwrap_or_default(),
                r.first_reported.map(crate::web::format::date).unwrap_or_default(),
                r.age_text(today),
                r.age_months(today).map(|m| m.to_string()).unwrap_or_default(),
                if r.is_overdue(today) { "Ja" } else { "Nej" }.to_string(),
                r.verdict_label().to_string(),
                r.latest_follow_up_title.clone().unwrap_or_default(),
                r.latest_follow_up_on.map(crate::web::format::date).unwrap_or_default(),
                r.responsible_name.clone().unwrap_or_default(),
                r.carried_into.iter().map(|a| a.title.as_str()).collect::<Vec<_>>().join(", "),
            ]
        })
        .collect();
    crate::web::csv::response(
        "rekommendationer.csv",
        &[
            "Granskning",
            "Nr",
            "Rekommendation",
            "Organ",
            "Prioritet",
            "Status",
            "Måldatum",
            "Först lämnad",
            "Ålder",
            "Ålder (månader)",
            "Försenad",
            "Senaste bedömning i uppföljning",
            "Uppföljning",
            "Uppföljningens datum",
            "Ansvarig",
            "Kvarstår i",
        ],
        &rows,
    )
}

// ---------------------------------------------------------------- one recommendation

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
    may_judge: bool,
    may_edit: bool,
    may_plan: bool,
    is_coordinator: bool,
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
    principal.require(may_read(principal) || responsible)?;
    let history = audit_log::history(&state.pool, m, "recommendation", id).await?;
    let actions = crate::actions::store::for_recommendation(&mut *conn, m, id).await?;
    let statuses: Vec<&str> = actions.iter().map(|a| a.status.as_str()).collect();
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
    Ok(RecommendationPage {
        may_claim: recommendation.status().is_open() && (responsible || principal.is_coordinator()),
        may_judge: principal.is_auditor(),
        may_edit: may_edit(principal),
        may_plan: crate::actions::may_create(principal),
        is_coordinator: principal.is_coordinator(),
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

pub async fn status(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    let transition = match pairs.get("transition").as_str() {
        "claim" => Transition::Claim,
        "verify" => Transition::Verify,
        "reopen" => Transition::Reopen,
        _ => return Err(AppError::BadRequest("Okänd statusändring.".into())),
    };
    match split_validation(
        change_status(&state, &principal, id, transition, &pairs.get("comment"), &pairs.get("evidence")).await,
    )? {
        Ok(changed) => {
            let message = format!("Status: {}.", changed.status_label());
            Ok(flash::see_other_with(&state, &format!("/recommendations/{id}"), &message))
        }
        Err(errors) => Ok(unprocessable(recommendation_page(&state, &principal, chrome, id, errors).await?)),
    }
}

// ---------------------------------------------------------------- editing and answers

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
    m: Uuid,
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
    let areas = AREAS
        .iter()
        .map(|(code, label)| Choice {
            value: code.to_string(),
            label: label.to_string(),
            checked: form.areas.iter().any(|a| a == code),
        })
        .collect();
    Ok(EditPage {
        priorities: options(PRIORITIES, &form.priority),
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
    principal.require(may_edit(&principal))?;
    let m = principal.tenant()?;
    let r = store::get_recommendation(&state.pool, m, id).await?;
    let form = RecommendationForm {
        text: r.text,
        priority: r.priority.unwrap_or_default(),
        areas: r.areas,
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
    pairs: FormPairs,
) -> AppResult<Response> {
    let form = RecommendationForm {
        text: pairs.get("text"),
        priority: pairs.get("priority"),
        areas: pairs.all("areas"),
        responsible_person_id: pairs.get("responsible_person_id"),
        target_date: pairs.get("target_date"),
        question_ids: pairs.all("question_ids"),
        version: pairs.get("version"),
    };
    let expected = Version::parse(&form.version);
    match split_validation(super::edit(&state, &principal, id, &form, expected).await)? {
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
    pairs: FormPairs,
) -> AppResult<Response> {
    let form = ResponseForm {
        body_id: pairs.get("body_id"),
        audit_id: pairs.get("audit_id"),
        text: pairs.get("text"),
        planned_by: pairs.get("planned_by"),
        decision_reference: pairs.get("decision_reference"),
        decision_date: pairs.get("decision_date"),
    };
    match split_validation(super::respond(&state, &principal, id, &form).await)? {
        Ok(()) => Ok(flash::see_other_with(&state, &format!("/recommendations/{id}"), "Yttrandet är sparat.")),
        Err(errors) => Ok(unprocessable(recommendation_page(&state, &principal, chrome, id, errors).await?)),
    }
}

// ---------------------------------------------------------------- questions

pub async fn add_question(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    let added = split_validation(super::add_question(&state, &principal, id, &pairs.get("text")).await)?;
    let message = if added.is_ok() {
        "Revisionsfrågan är tillagd."
    } else {
        "Skriv revisionsfrågan innan du lägger till den."
    };
    Ok(flash::see_other_with(&state, &format!("/audits/{id}"), message))
}

/// Saves the assessments of every audited body on one question.
pub async fn assess(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    let audit_id = Uuid::parse_str(&pairs.get("audit_id"))
        .map_err(|_| AppError::BadRequest("Granskningen saknas i formuläret.".into()))?;
    let assessments: Vec<store::Assessment> = pairs
        .0
        .iter()
        .filter(|(k, v)| k.starts_with("assessment_") && !v.trim().is_empty())
        .filter_map(|(key, value)| {
            let body_id = Uuid::parse_str(&key["assessment_".len()..]).ok()?;
            let comment = pairs.get(&format!("comment_{body_id}"));
            Some(store::Assessment { body_id, assessment: value.trim().to_string(), comment })
        })
        .collect();
    super::assess(&state, &principal, id, &assessments).await?;
    Ok(flash::see_other_with(&state, &format!("/audits/{audit_id}"), "Bedömningarna är sparade."))
}

/// The upload form on the audit page (multipart; the CSRF token travels in the form).
pub async fn upload_report_form(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let (name, _, bytes) = crate::web::files::read_upload(multipart).await?;
    let message = match split_validation(super::upload_report(&state, &principal, id, &name, &bytes).await)? {
        Ok(()) => "Rapporten är uppladdad.".to_string(),
        Err(errors) => format!("Rapporten laddades inte upp: {}", errors.into_values().collect::<Vec<_>>().join(" ")),
    };
    Ok(flash::see_other_with(&state, &format!("/audits/{id}"), &message))
}

/// Saves a follow-up audit's verdicts on the recommendations it follows up.
pub async fn assess_follow_ups(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    let mut verdicts = Vec::new();
    for (key, value) in pairs.0.iter().filter(|(k, v)| k.starts_with("result_") && !v.trim().is_empty()) {
        let Ok(recommendation_id) = Uuid::parse_str(&key["result_".len()..]) else { continue };
        let result = model::FollowUpResult::parse(value.trim())
            .ok_or_else(|| AppError::BadRequest("Okänd bedömning.".into()))?;
        let comment = pairs.get(&format!("comment_{recommendation_id}"));
        verdicts.push(super::Verdict { recommendation_id, result, comment });
    }
    super::assess_follow_ups(&state, &principal, id, &verdicts).await?;
    Ok(flash::see_other_with(&state, &format!("/audits/{id}"), "Uppföljningens bedömningar är sparade."))
}

pub async fn confirm_delete_recommendation(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_edit(&principal))?;
    let r = store::get_recommendation(&state.pool, principal.tenant()?, id).await?;
    let what = format!("rekommendation {} i {}", r.position, r.audit_title);
    Ok(crate::web::confirm_delete(
        chrome,
        &what,
        &format!("/recommendations/{id}/delete"),
        &format!("/recommendations/{id}"),
    ))
}

pub async fn delete_recommendation_page(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let audit_id = super::delete_recommendation(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, &format!("/audits/{audit_id}"), "Rekommendationen är borttagen."))
}
