//! Browsing the log: coordinators and auditors of the municipality (and administrators).

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{Entry, Filter, search};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::pagination::Pager;
use crate::web::{Chrome, SelectOption, options};

/// Entity types as shown to people.
pub const ENTITY_TYPES: &[(&str, &str)] = &[
    ("municipality", "Kommun"),
    ("body", "Organ"),
    ("unit", "Förvaltning eller enhet"),
    ("person", "Person"),
    ("user", "Användare"),
    ("role_grant", "Roll"),
    ("audit", "Granskning"),
    ("recommendation", "Rekommendation"),
    ("action", "Åtgärd"),
    ("action_plan", "Handlingsplan"),
    ("system", "System"),
    ("system_dependency", "Systemberoende"),
    ("information_asset", "Informationsmängd"),
    ("classification", "Klassning"),
    ("measure", "Åtgärd i katalogen"),
    ("measure_assessment", "Självskattning"),
    ("risk_settings", "Riskskala"),
    ("risk_analysis", "Riskanalys"),
    ("risk", "Risk"),
    ("incident", "Incident"),
    ("incident_receivers", "Incidentmottagare"),
    ("access_review", "Behörighetsgranskning"),
    ("supplier", "Leverantör"),
    ("contract", "Avtal"),
    ("compliance_check", "Efterlevnadskontroll"),
    ("document", "Styrdokument"),
    ("training_campaign", "Utbildningsinsats"),
    ("annual_report", "Årsrapport"),
];

pub fn entity_label(code: &str) -> &str {
    ENTITY_TYPES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or(code)
}

fn may_read(principal: &Principal) -> bool {
    principal.is_coordinator() || principal.is_auditor()
}

/// The kinds of thing whose entries the principal may not read: an entry is shown only to
/// someone who may read what it is about, by the same rules as the areas' own pages, because an
/// entry carries the thing's contents before and after the change.
pub async fn hidden_entity_types(state: &AppState, principal: &Principal) -> AppResult<Vec<String>> {
    if principal.is_coordinator() {
        return Ok(Vec::new());
    }
    let mut hidden = vec![
        // Drafts of the annual report are the coordinator's until published.
        "annual_report",
        // The staff directory and accounts (names, email addresses, roles) are the coordinator's.
        "person",
        "role_grant",
        "invitation",
        "user",
        "municipality",
    ];
    // An incident's handling is read by those who handle it.
    if !crate::incidents::is_handler(state, principal).await? {
        hidden.push("incident");
    }
    Ok(hidden.into_iter().map(String::from).collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "audit_log/list.html")]
struct ListPage {
    chrome: Chrome,
    filter: Filter,
    entries: Vec<Entry>,
    pager: Pager,
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
    let hidden = hidden_entity_types(&state, &principal).await?;
    let (entries, pager) = search(&state.pool, principal.tenant()?, &filter, Some(filter.page()), &hidden).await?;
    let query_without_page = serde_urlencoded::to_string([
        ("entity_type", filter.entity_type.as_str()),
        ("actor", filter.actor.as_str()),
        ("from", filter.from.as_str()),
        ("to", filter.to.as_str()),
    ])
    .unwrap_or_default();
    let readable = ENTITY_TYPES.iter().copied().filter(|(code, _)| !hidden.iter().any(|h| h == code));
    let entity_types = options(readable, filter.entity_type.trim());
    Ok(ListPage { chrome, filter, entries, pager, query_without_page, entity_types, no_errors: FieldErrors::new() }
        .into_response())
}

pub async fn csv(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    principal.require(may_read(&principal))?;
    let hidden = hidden_entity_types(&state, &principal).await?;
    let (entries, _) = search(&state.pool, principal.tenant()?, &filter, None, &hidden).await?;
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

#[derive(Serialize, utoipa::ToSchema)]
pub struct EntryPage {
    pub entries: Vec<Entry>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// The municipality's audit log, newest first, 50 entries a page.
#[utoipa::path(get, path = "/audit-log", tag = "Ändringslogg", params(Filter),
    responses((status = 200, body = EntryPage), (status = 403, body = crate::error::Problem)))]
pub async fn api_list(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> AppResult<Json<EntryPage>> {
    principal.require(may_read(&principal))?;
    let hidden = hidden_entity_types(&state, &principal).await?;
    let (entries, pager) = search(&state.pool, principal.tenant()?, &filter, Some(filter.page()), &hidden).await?;
    Ok(Json(EntryPage { entries, total: pager.total, page: pager.page, pages: pager.pages }))
}
