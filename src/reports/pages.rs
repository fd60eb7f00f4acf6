//! Pages: the start page, the list of annual reports, one report (printable), its PDF.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use uuid::Uuid;

use super::charts::Chart;
use super::dashboards::{self, Dashboard};
use super::figures::{Figures, KeyRow};
use super::store::{Report, ReportText};
use super::{may_prepare, readable};
use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::org::store::Counts;
use crate::web::form::PageForm;
use crate::web::version::Version;
use crate::web::{Chrome, flash, refused_form, split_validation, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "reports/start.html")]
struct StartPage {
    chrome: Chrome,
    counts: Option<Counts>,
    /// The person's own due items (a request to approve, an action they own …).
    due: Vec<super::worklist::Item>,
    today: NaiveDate,
    is_coordinator: bool,
    /// Cards link only where the viewer may go: the directory of people is not everyone's.
    may_read_directory: bool,
    /// A lay auditor's audits, and whose they are.
    audits: Vec<crate::audits::store::AuditSummary>,
    reach_note: Option<String>,
}

/// The start page: the dashboard of the user's main role, or a plain welcome for the others.
pub async fn start(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    if let Some(main) = dashboards::main_dashboard(&principal) {
        return dashboard_page(&state, &principal, chrome, main, false).await;
    }
    // Read by everyone on every visit, so kept until the municipality changes (through any
    // instance), while this instance hears of every change.
    let counts = match principal.tenant().ok() {
        Some(m) => match state.overview.get(&m).filter(|_| state.changes.is_live()) {
            Some(counts) => Some(counts),
            None => {
                let before = state.changes.count(m);
                let counts = crate::org::store::counts(&state.pool, m).await?;
                if state.changes.is_live() && state.changes.count(m) == before {
                    state.overview.insert(m, counts.clone());
                }
                Some(counts)
            }
        },
        None => None,
    };
    let may_read_directory = crate::org::policy::may_read_directory(&principal);
    let due = match principal.tenant() {
        Ok(m) => dashboards::due_for(&state, m, principal.user_id).await?,
        Err(_) => Vec::new(),
    };
    let today = crate::web::format::today();
    let reach_note = crate::audits::reach_note(&state, &principal).await?;
    let audits = match (principal.tenant(), crate::audits::policy::read_reach(&principal)) {
        (Ok(m), crate::audits::policy::Reach::Bodies(bodies)) => {
            crate::audits::store::list_audits(&state.pool, m, Some(&bodies)).await?
        }
        _ => Vec::new(),
    };
    Ok(StartPage {
        chrome,
        counts,
        due,
        today,
        is_coordinator: principal.is_coordinator(),
        may_read_directory,
        audits,
        reach_note,
    }
    .into_response())
}

/// The other dashboards the user may open, for the links at the top.
fn others(principal: &Principal, shown: Dashboard) -> Vec<(&'static str, &'static str)> {
    Dashboard::ALL.into_iter().filter(|d| *d != shown && d.may_open(principal)).map(|d| (d.code(), d.label())).collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/dashboard_coordinator.html")]
struct CoordinatorPage {
    chrome: Chrome,
    view: std::sync::Arc<dashboards::CoordinatorView>,
    others: Vec<(&'static str, &'static str)>,
    today: NaiveDate,
    /// Every item of the worklist, not only the first `WORKLIST_SHOWN` of each part.
    all: bool,
}

/// How many overdue items, and how many due soon, the coordinator's dashboard lists unless
/// asked for all: a large municipality has thousands.
const WORKLIST_SHOWN: usize = 50;

impl CoordinatorPage {
    /// The part of `items` the page lists.
    fn shown<'a>(&self, items: &'a [super::worklist::Item]) -> &'a [super::worklist::Item] {
        if self.all { items } else { &items[..items.len().min(WORKLIST_SHOWN)] }
    }

    fn entity(&self, code: &str) -> String {
        audit_log::entity_label(code).to_string()
    }

    fn computed_at(&self) -> String {
        crate::web::format::datetime(self.view.computed_at)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/dashboard_owner.html")]
struct OwnerPage {
    chrome: Chrome,
    view: dashboards::OwnerView,
    others: Vec<(&'static str, &'static str)>,
    today: NaiveDate,
}

impl OwnerPage {
    fn computed_at(&self) -> String {
        crate::web::format::datetime(self.view.computed_at)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/dashboard_auditor.html")]
struct AuditorPage {
    chrome: Chrome,
    view: dashboards::AuditorView,
    others: Vec<(&'static str, &'static str)>,
    today: NaiveDate,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/dashboard_board.html")]
struct BoardPage {
    chrome: Chrome,
    view: dashboards::BoardView,
    others: Vec<(&'static str, &'static str)>,
}

impl BoardPage {
    /// Whether last year's published report gives figures to compare with.
    fn compared(&self) -> bool {
        self.view.key_rows.iter().any(|r| r.before != "–")
    }

    fn body_table(&self) -> super::figures::BodyTable {
        match &self.view.whole {
            Some((unassigned, total)) => super::figures::body_table(&self.view.bodies, unassigned, total),
            None => super::figures::body_table(&self.view.bodies, &Default::default(), &Default::default()),
        }
    }
}

async fn dashboard_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    which: Dashboard,
    all: bool,
) -> AppResult<Response> {
    let others = others(principal, which);
    let today = crate::web::format::today();
    Ok(match which {
        Dashboard::Coordinator => {
            CoordinatorPage { chrome, view: dashboards::coordinator(state, principal).await?, others, today, all }
                .into_response()
        }
        Dashboard::Owner => {
            OwnerPage { chrome, view: dashboards::owner(state, principal).await?, others, today }.into_response()
        }
        Dashboard::Auditor => {
            AuditorPage { chrome, view: dashboards::auditor(state, principal).await?, others, today }.into_response()
        }
        Dashboard::Board => {
            BoardPage { chrome, view: dashboards::board(state, principal).await?, others }.into_response()
        }
    })
}

#[derive(serde::Deserialize)]
pub struct Shown {
    /// "1" for the whole worklist.
    #[serde(default)]
    alla: String,
}

pub async fn dashboard(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(code): Path<String>,
    Query(shown): Query<Shown>,
) -> AppResult<Response> {
    let which = Dashboard::parse(&code).ok_or(crate::error::AppError::NotFound)?;
    dashboard_page(&state, &principal, chrome, which, shown.alla == "1").await
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/list.html")]
struct ListPage {
    chrome: Chrome,
    reports: Vec<Report>,
    may_prepare: bool,
    year: String,
    errors: FieldErrors,
}

async fn list_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    year: String,
    errors: FieldErrors,
) -> AppResult<ListPage> {
    Ok(ListPage {
        reports: super::visible(state, principal).await?,
        may_prepare: may_prepare(principal),
        chrome,
        year,
        errors,
    })
}

pub async fn list(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let year = chrono::Datelike::year(&crate::web::format::today()).to_string();
    Ok(list_page(&state, &principal, chrome, year, FieldErrors::new()).await?.into_response())
}

/// The year a new draft is for, as typed.
#[derive(serde::Deserialize)]
pub struct NewReportForm {
    #[serde(default)]
    year: String,
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(NewReportForm { year }): PageForm<NewReportForm>,
) -> AppResult<Response> {
    match split_validation(super::create(&state, &principal, &year).await)? {
        Ok(report) => Ok(flash::see_other_with(
            &state,
            &format!("/reports/{}", report.id),
            "Utkastet är skapat. Siffrorna räknas fram tills rapporten publiceras.",
        )),
        Err(errors) => Ok(unprocessable(list_page(&state, &principal, chrome, year, errors).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/report.html")]
struct ReportPage {
    chrome: Chrome,
    report: Report,
    figures: Figures,
    has_previous: bool,
    key_rows: Vec<KeyRow>,
    briefing: Vec<super::briefing::Point>,
    /// The chart read with the briefing: open recommendations by body and age.
    lead_chart: Option<Chart>,
    charts: Vec<Chart>,
    history: Vec<Entry>,
    may_prepare: bool,
    text: ReportText,
    errors: FieldErrors,
}

impl ReportPage {
    /// The key rows of one section, in order; sections in the order they first appear.
    fn sections(&self) -> Vec<(&'static str, Vec<&KeyRow>)> {
        let mut sections: Vec<(&'static str, Vec<&KeyRow>)> = Vec::new();
        for row in &self.key_rows {
            match sections.iter_mut().find(|(s, _)| *s == row.section) {
                Some((_, rows)) => rows.push(row),
                None => sections.push((row.section, vec![row])),
            }
        }
        sections
    }

    fn body_table(&self) -> super::figures::BodyTable {
        super::figures::body_table(&self.figures.bodies, &self.figures.unassigned, &self.figures.systems)
    }

    fn internal_control_table(&self) -> super::figures::BodyTable {
        super::figures::internal_control_table(&self.figures.bodies)
    }
}

async fn report_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    text: Option<ReportText>,
    errors: FieldErrors,
) -> AppResult<ReportPage> {
    let report = readable(state, principal, id).await?;
    let contents = super::contents(state, principal, &report).await?;
    let text = text.unwrap_or_else(|| ReportText {
        summary: report.summary.clone(),
        proposals: report.proposals.clone(),
        decisions: report.decisions.clone(),
        decision_reference: report.decision_reference.clone(),
        as_of: report.as_of.map(crate::web::format::date).unwrap_or_default(),
        version: Version::of(report.updated_at).to_string(),
    });
    let may_prepare = may_prepare(principal);
    let (lead_chart, charts) = super::charts::lead_and_rest(&contents.figures);
    Ok(ReportPage {
        briefing: super::briefing::briefing(&contents.figures, contents.previous.as_ref()),
        lead_chart,
        charts,
        history: if may_prepare {
            audit_log::history(&state.pool, principal.tenant()?, EntityType::AnnualReport, id).await?
        } else {
            Vec::new()
        },
        has_previous: contents.previous.is_some(),
        figures: contents.figures,
        key_rows: contents.key_rows,
        may_prepare,
        chrome,
        report,
        text,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(report_page(&state, &principal, chrome, id, None, FieldErrors::new()).await?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(text): PageForm<ReportText>,
) -> AppResult<Response> {
    let expected = Version::parse(&text.version);
    match split_validation(super::update(&state, &principal, id, &text, expected).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/reports/{id}"), "Rapporten är sparad.")),
        Err(errors) => {
            let page = report_page(&state, &principal, chrome, id, Some(text), errors.clone()).await?;
            Ok(refused_form(&errors, page))
        }
    }
}

/// The box the coordinator ticks to lock the figures.
#[derive(serde::Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    confirm: String,
}

pub async fn publish(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<PublishForm>,
) -> AppResult<Response> {
    // Publishing cannot be undone: the page asks the coordinator to confirm it.
    if form.confirm.trim() != "ja" {
        super::preparable(&state, &principal, id).await?;
        let errors = FieldErrors::from([(
            "confirm".to_string(),
            "Kryssa i att du vill låsa siffrorna för att publicera.".to_string(),
        )]);
        return Ok(unprocessable(report_page(&state, &principal, chrome, id, None, errors).await?));
    }
    super::publish(&state, &principal, id).await?;
    Ok(flash::see_other_with(
        &state,
        &format!("/reports/{id}"),
        "Rapporten är publicerad. Siffrorna är nu låsta och styrelsen och revisorerna kan läsa den.",
    ))
}

pub async fn propose_actions(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    match split_validation(super::propose_actions(&state, &principal, id).await)? {
        Ok(count) => {
            let year = readable(&state, &principal, id).await?.year + 1;
            Ok(flash::see_other_with(
                &state,
                &format!("/plans/{year}"),
                &format!(
                    "{} utifrån styrelsens beslut. Välj bland dem till handlingsplanen för {year}.",
                    if count == 1 {
                        "1 åtgärd är föreslagen".to_string()
                    } else {
                        format!("{count} åtgärder är föreslagna")
                    }
                ),
            ))
        }
        Err(errors) => Ok(unprocessable(report_page(&state, &principal, chrome, id, None, errors).await?)),
    }
}

pub async fn pdf(State(state): State<AppState>, principal: Principal, Path(id): Path<Uuid>) -> AppResult<Response> {
    let (report, bytes) = super::pdf(&state, &principal, id).await?;
    let name = format!("ledningens-genomgang-{}.pdf", report.year);
    Ok(crate::web::files::download(&name, "application/pdf", bytes))
}
