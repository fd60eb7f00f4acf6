//! Browsing the change log: coordinators and auditors of the municipality (and administrators).
//! The recording side is `audit_log`, below every area; browsing is an area above them, since
//! it hides the entries each area's own rule keeps from the reader.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{OriginalUri, Query, State};
use axum::response::{IntoResponse, Response};

use axum::Router;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::audit_log::{Counted, EntityType, Entry, Filter, entity_label, export, page};
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::layout::{MenuEntry, Task};
use crate::web::pagination::{Keyset, Limit, PER_PAGE};
use crate::web::{Chrome, SelectOption, options};

/// The coordinator and the auditors browse the change log.
pub fn may_read(principal: &Principal) -> bool {
    principal.is_coordinator() || principal.is_auditor()
}

/// The area's pages in the menu.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    MenuEntry::when(
        principal.in_municipality() && may_read(principal),
        Task::Administration,
        "/audit-log",
        "Ändringslogg",
    )
    .into_iter()
    .collect()
}

pub fn router() -> Router<AppState> {
    Router::new().route("/audit-log", get(list)).route("/audit-log.csv", get(csv))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(utoipa_axum::routes!(api_list))
}

/// The kinds of thing whose entries the principal may not read: an entry carries the thing's
/// contents before and after the change, so it is shown only to someone whom the area's own
/// rule lets read every thing of that kind.
pub fn hidden_entity_types(principal: &Principal) -> Vec<String> {
    let directory = crate::org::policy::may_read_directory(principal);
    use EntityType as E;
    let readable: [(&[EntityType], bool); 11] = [
        // Drafts of the annual report are the coordinator's until published.
        (&[E::AnnualReport], crate::reports::policy::may_prepare(principal)),
        // The staff directory and accounts (names, email addresses, roles).
        (&[E::Person, E::RoleGrant, E::Invitation, E::User, E::Municipality, E::ApiToken], directory),
        (&[E::Incident, E::IncidentReceivers], crate::incidents::policy::is_handler(principal)),
        (&[E::RiskAnalysis, E::Risk, E::RiskSettings], crate::risks::policy::may_read_details(principal)),
        (&[E::Audit, E::Recommendation], crate::audits::policy::may_read(principal)),
        (&[E::Action, E::ActionPlan], crate::actions::policy::may_read_all(principal)),
        (
            &[
                E::System,
                E::SystemDependency,
                E::InformationAsset,
                E::Classification,
                E::Measure,
                E::MeasureAssessment,
                E::AccessReview,
                E::ContinuityPlan,
                E::ContinuityExercise,
                E::ContinuityTargets,
            ],
            crate::systems::policy::may_read(principal),
        ),
        (&[E::Supplier, E::Contract, E::ComplianceCheck], crate::suppliers::policy::may_read(principal)),
        (&[E::Document], crate::documents::policy::may_manage(principal)),
        (&[E::TrainingCampaign], crate::training::policy::may_read(principal)),
        // Every body's plan, not only some bodies'.
        (&[E::ControlPoint, E::ControlResult], crate::internal_control::policy::may_read_every_body(principal)),
    ];
    readable
        .into_iter()
        .filter(|(_, may)| !may)
        .flat_map(|(kinds, _)| kinds.iter().map(|kind| kind.code().to_string()))
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "change_log/list.html")]
struct ListPage {
    chrome: Chrome,
    filter: Filter,
    entries: Vec<Entry>,
    matching: Counted,
    /// The next (older) page's address, when there is one.
    older: Option<String>,
    /// The filter without the cursor: the newest page, and the CSV export.
    query_without_page: String,
    entity_types: Vec<SelectOption>,
    no_errors: FieldErrors,
}

impl ListPage {
    fn entity_label(&self, code: &str) -> String {
        entity_label(code).to_string()
    }
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    principal.require(may_read(&principal))?;
    let hidden = hidden_entity_types(&principal);
    let found = page(&state.pool, principal.tenant()?, &filter, PER_PAGE, &hidden).await?;
    let query_without_page = serde_urlencoded::to_string([
        ("entity_type", filter.entity_type.as_str()),
        ("actor", filter.actor.as_str()),
        ("from", filter.from.as_str()),
        ("to", filter.to.as_str()),
    ])
    .unwrap_or_default();
    let older = found.older.map(|cursor| format!("?{query_without_page}&before={cursor}"));
    let readable = EntityType::ALL
        .into_iter()
        .filter(|kind| !hidden.iter().any(|h| h == kind.code()))
        .map(|kind| (kind.code(), kind.label()));
    let entity_types = options(readable, filter.entity_type.trim());
    Ok(ListPage {
        chrome,
        entries: found.entries,
        matching: found.matching,
        older,
        query_without_page,
        entity_types,
        no_errors: FieldErrors::new(),
        filter,
    }
    .into_response())
}

pub async fn csv(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    principal.require(may_read(&principal))?;
    let hidden = hidden_entity_types(&principal);
    let entries = export(&state.pool, principal.tenant()?, &filter, &hidden).await?;
    let rows: Vec<Vec<String>> = entries
        .into_iter()
        .map(|e| {
            let changes = e
                .changes
                .iter()
                .map(|c| format!("{}: {} → {}", c.field, c.before, c.after))
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                e.occurred_at_local,
                e.actor_name,
                entity_label(&e.entity_type).to_string(),
                e.entity_id.map(|id| id.to_string()).unwrap_or_default(),
                e.action_label.to_string(),
                changes,
                e.request_id.unwrap_or_default(),
            ]
        })
        .collect();
    crate::web::csv::response(
        "andringslogg.csv",
        &["Tidpunkt", "Vem", "Typ", "Id", "Händelse", "Ändringar", "Begäran"],
        &rows,
    )
}

/// The municipality's audit log, newest first: `limit` entries (100, at most 500) as a JSON
/// array; `Link: <…before=…>; rel="next"` leads to older ones. `X-Total-Count` is given when at
/// most 1,000 match (the log is long, and counting all of it on every page would cost more than the page).
#[utoipa::path(get, path = "/audit-log", tag = "Ändringslogg", params(Filter, Limit),
    responses((status = 200, body = Vec<Entry>, headers(("X-Total-Count" = i64), ("Link" = String))),
              (status = 403, body = crate::error::Problem)))]
pub async fn api_list(
    State(state): State<AppState>,
    principal: Principal,
    uri: OriginalUri,
    Query(filter): Query<Filter>,
    Query(limit): Query<Limit>,
) -> AppResult<Keyset<Entry>> {
    principal.require(may_read(&principal))?;
    let hidden = hidden_entity_types(&principal);
    let limit = limit.limit();
    let found = page(&state.pool, principal.tenant()?, &filter, limit, &hidden).await?;
    Ok(Keyset {
        items: found.entries,
        total: found.matching.exact(),
        next: found.older.map(|cursor| cursor.to_string()),
        limit,
        uri: uri.0,
    })
}
