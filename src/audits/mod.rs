//! Audits (granskningar) and their recommendations, through to closure: the loop the
//! auditors keep finding broken.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod paste;
pub mod policy;
pub mod store;
mod view;

use axum::Router;
use axum::routing::{get, post};
pub use policy::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::audit_log::Actor;
use crate::audit_log::lost_updates::{self, Versioned};
use crate::auth::Principal;
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::layout::{MenuEntry, Task};
use crate::web::version::Version;
use model::{BodyRef, Standing, Transition};

/// For a lay auditor: whose audits the pages show, named ("… för Styrelsen för X AB …").
pub async fn reach_note(state: &AppState, principal: &Principal) -> AppResult<Option<String>> {
    let Reach::Bodies(bodies) = read_reach(principal) else { return Ok(None) };
    let names: Vec<String> = crate::org::store::list_bodies(&state.pool, principal.tenant()?)
        .await?
        .into_iter()
        .filter(|b| bodies.contains(&b.id))
        .map(|b| b.name)
        .collect();
    Ok(Some(format!(
        "Du är lekmannarevisor för {} och ser de granskningar som gäller {}.",
        crate::web::format::list_and(&names),
        if names.len() == 1 { "det" } else { "dem" }
    )))
}

/// Fails unless the principal reaches `record` for what it asks (`edit`: to record or assess):
/// forbidden without any reach, as before the record is looked at; not found when the record
/// lies outside a lay auditor's reach, as another municipality's would be.
pub async fn require_reach(
    db: impl sqlx::PgExecutor<'_>,
    principal: &Principal,
    record: store::Record,
    edit: bool,
) -> AppResult<()> {
    let (read, needed) = (read_reach(principal), if edit { edit_reach(principal) } else { read_reach(principal) });
    match needed {
        Reach::Municipality => Ok(()),
        Reach::Nothing => Err(AppError::Forbidden),
        Reach::Bodies(_) => {
            let audited = store::audited_bodies(db, principal.tenant()?, record).await?;
            if !read.covers(&audited) {
                Err(AppError::NotFound)
            } else if !needed.covers(&audited) {
                Err(AppError::Forbidden)
            } else {
                Ok(())
            }
        }
    }
}

pub fn today() -> chrono::NaiveDate {
    crate::web::format::today()
}

/// The recommendations a follow-up audit follows up (the followed audits' own and those they
/// carry), with where each was first made: "Granskning av informationssäkerhet (2021)".
pub async fn followed_by(
    state: &AppState,
    m: MunicipalityId,
    audit: &store::Audit,
) -> AppResult<Vec<store::Recommendation>> {
    let mut followed = Vec::new();
    for earlier in audit.follows.iter() {
        let filter = store::Filter { audit_id: earlier.id.to_string(), ..store::Filter::default() };
        followed.extend(store::list_recommendations(&state.pool, m, &filter, today()).await?);
    }
    Ok(followed)
}

/// The audits the principal reaches, newest first.
pub async fn list_audits(state: &AppState, principal: &Principal) -> AppResult<Vec<store::AuditSummary>> {
    let reach = read_reach(principal);
    principal.require(reach.any())?;
    store::list_audits(&state.pool, principal.tenant()?, reach.within().as_deref()).await
}

/// A page of the recommendation register within the principal's reach, where it sits, and the
/// register's figures (page and API alike).
pub async fn register_page(
    state: &AppState,
    principal: &Principal,
    filter: store::Filter,
    asked: crate::web::pagination::Asked,
) -> AppResult<(Vec<store::Recommendation>, crate::web::pagination::Pager, store::RegisterFigures)> {
    let reach = read_reach(principal);
    principal.require(reach.any())?;
    let filter = store::Filter { within_bodies: reach.within(), ..filter };
    store::register_page(&state.pool, principal.tenant()?, &filter, today(), asked).await
}

/// Every recommendation within the principal's reach that passes the filter.
pub async fn list_recommendations(
    state: &AppState,
    principal: &Principal,
    filter: store::Filter,
) -> AppResult<Vec<store::Recommendation>> {
    let reach = read_reach(principal);
    principal.require(reach.any())?;
    let filter = store::Filter { within_bodies: reach.within(), ..filter };
    store::list_recommendations(&state.pool, principal.tenant()?, &filter, today()).await
}

/// The municipality's assessment scale, for whoever reaches any audit.
pub async fn scale(state: &AppState, principal: &Principal) -> AppResult<Vec<String>> {
    principal.require(read_reach(principal).any())?;
    store::scale(&state.pool, principal.tenant()?).await
}

/// An empty audit form (a review by the auditors), for whoever records audits.
pub fn new_audit_form(principal: &Principal) -> AppResult<model::AuditForm> {
    principal.require(edit_reach(principal).any())?;
    Ok(model::AuditForm { kind: "granskning".into(), commissioned_by: "revisorerna".into(), ..Default::default() })
}

/// The audit a pasted report is read into, if any, for whoever records audits (and reaches it).
pub async fn audit_to_paste_into(
    state: &AppState,
    principal: &Principal,
    id: Option<Uuid>,
) -> AppResult<Option<store::Audit>> {
    principal.require(edit_reach(principal).any())?;
    let Some(id) = id else { return Ok(None) };
    require_reach(&state.pool, principal, store::Record::Audit(id), true).await?;
    Ok(Some(store::get_audit(&state.pool, principal.tenant()?, id).await?))
}

/// Splits pasted text and matches each addressee to the municipality's bodies. `headers`
/// are names that appear in the report's running headers besides the municipality's (its
/// title, the audit firm). For a follow-up (`audit`), each item that repeats a recommendation
/// it carries says which (`model::repeats`).
pub async fn parse_for(
    state: &AppState,
    principal: &Principal,
    text: &str,
    headers: &[String],
    audit: Option<&store::Audit>,
) -> AppResult<api::ParseResult> {
    let m = principal.tenant()?;
    let carried = match audit {
        Some(audit) => followed_by(state, m, audit).await?,
        None => Vec::new(),
    };
    let candidates: Vec<(Uuid, String)> = carried.iter().map(|r| (r.id, r.text.clone())).collect();
    let bodies = crate::org::store::list_bodies(&state.pool, m).await?;
    let refs: Vec<BodyRef> = bodies
        .iter()
        .map(|b| BodyRef { id: b.id, kind: b.kind, name: &b.name, company_name: b.company_name.as_deref() })
        .collect();
    if text.lines().count() > paste::MAX_LINES {
        return Err(crate::error::field_error(
            "text",
            "Texten har för många rader för en rekommendationsdel (högst 10 000). Klistra in avsnittet med rekommendationerna.",
        ));
    }
    let mut known: Vec<String> = principal.municipality.iter().map(|m| m.name.clone()).collect();
    known.extend(headers.iter().filter(|h| !h.trim().is_empty()).take(paste::MAX_HEADERS).cloned());
    let text = text.to_string();
    let (parsed, repeats) = crate::web::heavy::run(move || {
        let parsed = paste::parse(&text, &known);
        let repeats: Vec<Option<Uuid>> =
            parsed.items.iter().map(|item| model::repeats::repeats(&item.text, &candidates)).collect();
        (parsed, repeats)
    })
    .await?;
    let items = parsed
        .items
        .into_iter()
        .zip(repeats)
        .map(|(item, repeats)| api::ParsedItem {
            body_ids: item.addressed_to.as_deref().map(|to| model::match_bodies(to, &refs)).unwrap_or_default(),
            text: item.text,
            addressed_to: item.addressed_to,
            removed: item.removed,
            original: item.original,
            repeats_from: repeats.and_then(|id| carried.iter().find(|r| r.id == id)).map(store::Recommendation::origin),
            repeats,
        })
        .collect();
    Ok(api::ParseResult { items, ignored: parsed.ignored })
}

/// Applies a change of status by the rules in `model::apply`, for pages and API alike.
/// In what capacity the principal acts on a recommendation they are (or are not) responsible
/// for: what the page offers and what a change of status is allowed, from one place.
/// A lay auditor acts as an auditor only on the recommendations of their bodies' audits.
pub async fn standing(
    db: impl sqlx::PgExecutor<'_>,
    principal: &Principal,
    recommendation_id: Uuid,
    responsible: bool,
) -> AppResult<Standing> {
    let auditor = principal.is_auditor()
        || match lay_reach(principal) {
            Reach::Bodies(bodies) => Reach::Bodies(bodies).covers(
                &store::audited_bodies(db, principal.tenant()?, store::Record::Recommendation(recommendation_id))
                    .await?,
            ),
            _ => false,
        };
    Ok(Standing { auditor, coordinator: principal.is_coordinator(), responsible })
}

pub async fn change_status(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    transition: Transition,
    comment: &str,
    evidence: &str,
) -> AppResult<store::Recommendation> {
    let m = principal.tenant()?;
    let mut tx = state.pool.begin().await?;
    let current = store::get_recommendation(&mut *tx, m, id).await?;
    let responsible = store::is_responsible(&mut *tx, m, id, principal.user_id).await?;
    if !responsible {
        require_reach(&mut *tx, principal, store::Record::Recommendation(id), false).await?;
    }
    let standing = standing(&mut *tx, principal, id, responsible).await?;
    let actions = crate::actions::store::for_recommendation(&mut tx, m, id).await?;
    let has_evidence =
        !evidence.trim().is_empty() || !current.evidence.trim().is_empty() || actions.iter().any(|a| a.has_evidence());
    let status = model::apply(current.status(), transition, standing, comment, has_evidence).map_err(|refused| {
        if refused.forbidden {
            AppError::Forbidden
        } else {
            AppError::Validation(FieldErrors::from([("transition".to_string(), refused.message.to_string())]))
        }
    })?;
    let evidence = (transition == Transition::Claim && !evidence.trim().is_empty()).then_some(evidence);
    let changed = store::set_status(&mut tx, &Actor::from(principal), m, id, status, comment, evidence).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Saves a board's answer (the coordinator records them).
pub async fn respond(state: &AppState, principal: &Principal, id: Uuid, form: &model::ResponseForm) -> AppResult<()> {
    principal.require(may_record_responses(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    store::set_response(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(())
}

/// Saves a recommendation's details (auditors and the coordinator); `expected` is the version
/// the change was made from (none: no check).
pub async fn edit(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    form: &model::RecommendationForm,
    expected: Option<Version>,
) -> AppResult<store::Recommendation> {
    require_reach(&state.pool, principal, store::Record::Recommendation(id), true).await?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    lost_updates::lock_current(&mut tx, Versioned::Recommendation, principal.tenant()?, id, expected).await?;
    let changed =
        store::update_recommendation(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Stores an uploaded report after checking it.
pub async fn upload_report(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    file_name: &str,
    content: &[u8],
) -> AppResult<()> {
    require_reach(&state.pool, principal, store::Record::Audit(id), true).await?;
    let m = principal.tenant()?;
    store::get_audit(&state.pool, m, id).await?;
    let refused =
        |message: &str| AppError::Validation(FieldErrors::from([("report".to_string(), message.to_string())]));
    let file_name = model::check_report(file_name, content).map_err(refused)?;
    if !crate::web::files::parses_as_pdf(content.to_vec()).await {
        return Err(refused("Filen går inte att läsa som PDF. Spara rapporten som PDF igen och ladda upp den."));
    }
    let mut tx = state.pool.begin().await?;
    store::save_report(&mut tx, &Actor::from(principal), m, id, &file_name, content).await?;
    tx.commit().await?;
    Ok(())
}

/// The report as a download, for those who may read the audit.
pub async fn download_report(
    axum::extract::State(state): axum::extract::State<AppState>,
    principal: Principal,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> AppResult<axum::response::Response> {
    require_reach(&state.pool, &principal, store::Record::Audit(id), false).await?;
    let report = store::report(&state.pool, principal.tenant()?, id).await?;
    Ok(crate::web::files::download(&report.file_name, "application/pdf", report.content))
}

/// Saves an audit from its form: a new one, or changes to an existing one made from the
/// version `expected` (none: no check).
pub async fn save_audit(
    state: &AppState,
    principal: &Principal,
    id: Option<Uuid>,
    form: &model::AuditForm,
    expected: Option<Version>,
) -> AppResult<store::Audit> {
    let reach = edit_reach(principal);
    principal.require(reach.any())?;
    let (m, actor) = (principal.tenant()?, Actor::from(principal));
    if let Some(id) = id {
        // Another municipality's audit is not found, whatever the form holds.
        require_reach(&state.pool, principal, store::Record::Audit(id), true).await?;
        store::get_audit(&state.pool, m, id).await?;
    }
    let input = form.validate().map_err(AppError::Validation)?;
    if !reach.covers(&input.body_ids) {
        return Err(crate::error::field_error(
            "body_ids",
            "Som lekmannarevisor registrerar du granskningar av de organ du granskar: välj minst ett av dem.",
        ));
    }
    let mut tx = state.pool.begin().await?;
    let audit = match id {
        Some(id) => {
            lost_updates::lock_current(&mut tx, Versioned::Audit, m, id, expected).await?;
            store::update_audit(&mut tx, &actor, m, id, &input).await?
        }
        None => store::create_audit(&mut tx, &actor, m, &input).await?,
    };
    tx.commit().await?;
    Ok(audit)
}

/// Adds recommendations to an audit (typed, pasted or from the API), all or none.
pub async fn add_recommendations(
    state: &AppState,
    principal: &Principal,
    audit_id: Uuid,
    items: &[model::NewRecommendation],
) -> AppResult<Vec<Uuid>> {
    require_reach(&state.pool, principal, store::Record::Audit(audit_id), true).await?;
    if items.is_empty() {
        return Err(AppError::Validation(FieldErrors::from([(
            "items".to_string(),
            "Välj minst en rekommendation att spara.".to_string(),
        )])));
    }
    for item in items {
        item.check().map_err(AppError::Validation)?;
    }
    let mut tx = state.pool.begin().await?;
    let ids =
        store::add_recommendations(&mut tx, &Actor::from(principal), principal.tenant()?, audit_id, items).await?;
    tx.commit().await?;
    Ok(ids)
}

/// Adds an audit question (revisionsfråga).
pub async fn add_question(state: &AppState, principal: &Principal, audit_id: Uuid, text: &str) -> AppResult<Uuid> {
    require_reach(&state.pool, principal, store::Record::Audit(audit_id), true).await?;
    let mut tx = state.pool.begin().await?;
    let id = store::add_question(&mut tx, &Actor::from(principal), principal.tenant()?, audit_id, text).await?;
    tx.commit().await?;
    Ok(id)
}

/// Records audited bodies' assessments on one question, together.
pub async fn assess(
    state: &AppState,
    principal: &Principal,
    question_id: Uuid,
    assessments: &[store::Assessment],
) -> AppResult<()> {
    require_reach(&state.pool, principal, store::Record::Question(question_id), true).await?;
    let (m, actor) = (principal.tenant()?, Actor::from(principal));
    let mut tx = state.pool.begin().await?;
    for assessment in assessments {
        store::assess(&mut tx, &actor, m, question_id, assessment).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One verdict of a follow-up audit on a recommendation it follows up; none ("Ej bedömd")
/// withdraws the one given.
pub struct Verdict {
    pub recommendation_id: Uuid,
    pub result: Option<model::FollowUpResult>,
    pub comment: String,
}

/// Records a follow-up audit's verdicts, together; how many changed.
pub async fn assess_follow_ups(
    state: &AppState,
    principal: &Principal,
    audit_id: Uuid,
    verdicts: &[Verdict],
) -> AppResult<usize> {
    require_reach(&state.pool, principal, store::Record::Audit(audit_id), true).await?;
    let (m, actor) = (principal.tenant()?, Actor::from(principal));
    let mut tx = state.pool.begin().await?;
    let mut changed = 0;
    for v in verdicts {
        let done = match v.result {
            Some(result) => {
                store::assess_follow_up(&mut tx, &actor, m, audit_id, v.recommendation_id, result, &v.comment).await?
            }
            None => store::withdraw_follow_up(&mut tx, &actor, m, audit_id, v.recommendation_id).await?,
        };
        changed += usize::from(done);
    }
    tx.commit().await?;
    Ok(changed)
}

/// Withdraws one verdict of a follow-up (not found when there is none).
pub async fn withdraw_verdict(
    state: &AppState,
    principal: &Principal,
    audit_id: Uuid,
    recommendation_id: Uuid,
) -> AppResult<()> {
    require_reach(&state.pool, principal, store::Record::Audit(audit_id), true).await?;
    let mut tx = state.pool.begin().await?;
    if !store::withdraw_follow_up(&mut tx, &Actor::from(principal), principal.tenant()?, audit_id, recommendation_id)
        .await?
    {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes an audit entered by mistake (refused, saying why, when anything holds it).
pub async fn delete_audit(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    require_reach(&state.pool, principal, store::Record::Audit(id), true).await?;
    let mut tx = state.pool.begin().await?;
    store::delete_audit(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the municipality's assessment scale (coordinator).
pub async fn set_scale(state: &AppState, principal: &Principal, steps: &[String]) -> AppResult<Vec<String>> {
    principal.require(may_record_responses(principal))?;
    let steps = model::check_scale(steps).map_err(|message| {
        AppError::Validation(FieldErrors::from([("assessment_scale".to_string(), message.to_string())]))
    })?;
    let mut tx = state.pool.begin().await?;
    store::set_scale(&mut tx, &Actor::from(principal), principal.tenant()?, &steps).await?;
    tx.commit().await?;
    Ok(steps)
}

pub async fn delete_recommendation(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Uuid> {
    require_reach(&state.pool, principal, store::Record::Recommendation(id), true).await?;
    let mut tx = state.pool.begin().await?;
    let audit_id = store::delete_recommendation(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(audit_id)
}

/// The area's pages in the menu: whoever reaches any audit.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    let shown = principal.in_municipality() && read_reach(principal).any();
    [
        MenuEntry::when(shown, Task::Governance, "/recommendations", "Rekommendationer"),
        MenuEntry::when(shown, Task::Governance, "/audits", "Granskningar"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub fn router() -> Router<AppState> {
    use pages::*;
    Router::new()
        .route("/audits", get(list).post(create))
        .route("/audits/new", get(new))
        .route("/audits/{id}", get(show).post(update))
        .route("/audits/{id}/edit", get(edit_audit))
        .route("/audits/{id}/import", get(import_form).post(import_save))
        .route("/audits/{id}/import/preview", post(import_preview))
        .route("/recommendations", get(register))
        .route("/recommendations/review", get(review))
        .route("/recommendations.csv", get(register_csv))
        .route("/recommendations/{id}", get(recommendation))
        .route("/recommendations/{id}/status", post(status))
        .route("/recommendations/{id}/edit", get(edit_form).post(edit))
        .route("/recommendations/{id}/delete", get(confirm_delete_recommendation).post(delete_recommendation_page))
        .route("/audits/{id}/delete", get(confirm_delete_audit).post(delete_audit_page))
        .route("/recommendations/{id}/responses", post(respond))
        .route("/audits/{id}/questions", post(add_question))
        .route("/audits/{id}/follow-ups", post(assess_follow_ups))
        .route(
            "/audits/{id}/report",
            get(download_report).post(upload_report_form).layer(crate::web::files::upload_limit()),
        )
        .route("/questions/{id}/assessments", post(assess))
}

pub fn api() -> OpenApiRouter<AppState> {
    use api::*;
    OpenApiRouter::new()
        .routes(routes!(parse))
        .routes(routes!(list_audits, create_audit))
        .routes(routes!(get_audit, update_audit, delete_audit))
        .routes(routes!(add_recommendations))
        .routes(routes!(assess_follow_up))
        .routes(routes!(withdraw_follow_up))
        .routes(routes!(list_recommendations))
        .routes(routes!(get_recommendation, update_recommendation, delete_recommendation))
        .routes(routes!(set_response))
        .routes(routes!(list_questions, add_question))
        .routes(routes!(assess))
        .routes(routes!(get_settings, set_settings))
        .merge(OpenApiRouter::new().routes(routes!(get_report, put_report)).layer(crate::web::files::upload_limit()))
        .routes(routes!(set_status))
}
