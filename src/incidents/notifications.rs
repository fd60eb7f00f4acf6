//! The use cases behind "Skriv anmälan", shared by the pages and the API: which reports an
//! incident needs, each one's text and what it lacks, the facts that fill it in, and marking
//! it sent with the text as sent. Only the incident's handlers reach any of it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::clocks::{Clock, ReportKind};
use super::model::SentReportForm;
use super::notices::{self, Draft, Field, Notice, NoticeFacts, NoticeFactsForm, Organisation, SystemLine};
use super::store::Incident;
use crate::AppState;
use crate::audit_log::Actor;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};

/// One report an incident needs, with its text.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Notification {
    /// imy, csirt, incidentanmalan, lagesrapport or slutrapport.
    pub kind: ReportKind,
    pub label: &'static str,
    pub due_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Field codes the authority asks for that Lisa lacks.
    pub missing: Vec<Field>,
    #[serde(skip)]
    pub clock: Clock,
    #[serde(skip)]
    pub text: String,
}

/// The incident, its facts and the municipality's postal address, for its handlers only.
pub async fn handled(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<(Incident, NoticeFacts, String)> {
    let incident = super::require_handle(state, principal, id).await?;
    let m = principal.tenant()?;
    let facts = super::notice_store::facts(&state.pool, m, id).await?;
    let address = crate::org::store::postal_address(&state.pool, m).await?;
    Ok((incident, facts, address))
}

/// Every report the incident needs, in deadline order, each with its text as it stands now.
pub async fn list(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<(Incident, Vec<Notification>)> {
    let (incident, facts, address) = handled(state, principal, id).await?;
    let m = principal.tenant()?;
    let municipality = crate::org::store::get_municipality(&state.pool, m).await?;
    let systems = system_lines(state, principal, &incident).await?;
    let now = Utc::now();
    let notifications = incident
        .clocks(now)
        .into_iter()
        .map(|clock| {
            let draft = Draft {
                kind: clock.kind,
                organisation: Organisation {
                    name: &municipality.name,
                    org_number: &municipality.org_number,
                    postal_address: &address,
                },
                incident: &incident,
                facts: &facts,
                systems: &systems,
                now,
            };
            let Notice { text, missing } = notices::compose(&draft);
            Notification {
                kind: clock.kind,
                label: clock.kind.label(),
                due_at: clock.due,
                sent_at: clock.sent_at,
                missing,
                clock,
                text,
            }
        })
        .collect();
    Ok((incident, notifications))
}

/// One report's text (404 when the incident does not need that report).
pub async fn one(state: &AppState, principal: &Principal, id: Uuid, kind: &str) -> AppResult<(Incident, Notification)> {
    let kind = ReportKind::parse(kind).ok_or(AppError::NotFound)?;
    let (incident, all) = list(state, principal, id).await?;
    let notification = all.into_iter().find(|n| n.kind == kind).ok_or(AppError::NotFound)?;
    Ok((incident, notification))
}

/// One report's text as a PDF, typeset off the request threads.
pub async fn pdf(state: &AppState, principal: &Principal, id: Uuid, kind: &str) -> AppResult<(String, Vec<u8>)> {
    let (incident, notification) = one(state, principal, id, kind).await?;
    let (title, text) = (notification.label.to_string(), notification.text);
    let bytes = tokio::task::spawn_blocking(move || crate::web::typst::plain_text(&title, &text))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    Ok((format!("{}-{}.pdf", incident.reference(), notification.kind.code()), bytes))
}

/// The affected systems with their levels and suppliers, as the texts name them.
async fn system_lines(state: &AppState, principal: &Principal, incident: &Incident) -> AppResult<Vec<SystemLine>> {
    if incident.systems.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = state.pool.acquire().await?;
    let today = crate::web::format::today();
    let all = crate::systems::store::list(&mut conn, principal.tenant()?, &Default::default(), today).await?;
    Ok(incident
        .systems
        .iter()
        .filter_map(|r| all.iter().find(|s| s.id == r.id))
        .map(|s| SystemLine {
            name: s.name.clone(),
            levels: match (s.level_k, s.level_r, s.level_t, s.level_s) {
                (Some(k), Some(r), Some(t), Some(l)) => format!("K{k} R{r} T{t} S{l}"),
                _ => String::new(),
            },
            suppliers: [s.supplier_name.as_str(), s.operator_name.as_str()]
                .into_iter()
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect())
}

/// Records the facts the texts need (and the municipality's postal address).
pub async fn save_facts(state: &AppState, principal: &Principal, id: Uuid, form: &NoticeFactsForm) -> AppResult<()> {
    super::require_handle(state, principal, id).await?;
    let (facts, address) = form.validate(Utc::now()).map_err(AppError::Validation)?;
    let m = principal.tenant()?;
    let actor = Actor::from(principal);
    let mut tx = state.pool.begin().await?;
    super::notice_store::save_facts(&mut tx, &actor, m, id, &facts).await?;
    crate::org::store::set_postal_address(&mut tx, &actor, m, &address).await?;
    tx.commit().await?;
    Ok(())
}

/// Marks a report sent now with the text as sent; the clock stops. A late one needs reasons.
pub async fn mark_sent(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    kind: &str,
    form: &SentReportForm,
) -> AppResult<Incident> {
    let (_, notification) = one(state, principal, id, kind).await?;
    let text = if form.text.trim().is_empty() { notification.text } else { form.text.clone() };
    let sent = SentReportForm {
        kind: notification.kind.code().into(),
        sent_at: if form.sent_at.trim().is_empty() {
            super::model::local_input(Utc::now())
        } else {
            form.sent_at.clone()
        },
        text,
        ..form.clone()
    };
    super::add_report(state, principal, id, &sent).await
}
