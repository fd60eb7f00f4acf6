//! The dashboards: what each main role needs to see first. The start page after login is the
//! dashboard of the user's main role; the others are reachable by those allowed to read them.

use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use uuid::Uuid;

use super::figures::{KeyRow, SystemFigures};
use super::store::Report;
use super::worklist::{self, Item};
use crate::AppState;
use crate::audit_log::Entry;
use crate::audits::model::Status;
use crate::auth::{Principal, Role};
use crate::db::MunicipalityId;
use crate::error::AppResult;

crate::codes! {
    pub enum Dashboard {
        Coordinator = "samordnare" => "Samordnarens översikt",
        Owner = "systemagare" => "Mina system",
        Auditor = "revisor" => "Revisionens översikt",
        Board = "styrelse" => "Styrelsens översikt",
    }
}

impl Dashboard {
    /// Who may open it: the coordinator sees them all.
    pub fn may_open(self, principal: &Principal) -> bool {
        if principal.municipality.is_none() {
            return false;
        }
        principal.is_coordinator()
            || match self {
                Dashboard::Coordinator => false,
                Dashboard::Owner => principal.has_role(Role::Systemagare),
                Dashboard::Auditor => principal.is_auditor(),
                Dashboard::Board => principal.has_role(Role::Fortroendevald) || principal.is_auditor(),
            }
    }
}

/// The dashboard of the principal's main role, in the order roles are ranked; none for employees.
pub fn main_dashboard(principal: &Principal) -> Option<Dashboard> {
    principal.municipality.as_ref()?;
    if principal.is_coordinator() {
        return Some(Dashboard::Coordinator);
    }
    Role::ALL.into_iter().filter(|r| principal.has_role(*r)).find_map(|role| match role {
        Role::Systemagare => Some(Dashboard::Owner),
        // A lay auditor's audits are on the plain start page: the overview is the municipality's.
        Role::Revisor => principal.is_auditor().then_some(Dashboard::Auditor),
        Role::Fortroendevald => Some(Dashboard::Board),
        Role::Samordnare | Role::Medarbetare => None,
    })
}

/// A gap in coverage, with a link to the systems it concerns.
pub struct Gap {
    pub label: &'static str,
    pub count: usize,
    pub link: &'static str,
}

/// A first step for a municipality that has just started with Lisa.
pub struct Step {
    pub label: &'static str,
    pub link: &'static str,
    pub done: bool,
}

/// The first steps, while some are left: the organisation, the system inventory, the latest
/// audit with its recommendations, and the first report to the board.
pub fn getting_started(bodies: i64, systems: usize, audits: i64, reports: usize) -> Option<Vec<Step>> {
    let steps = vec![
        Step { label: "Lägg in nämnder, bolag och personer", link: "/org", done: bodies > 0 },
        Step { label: "Läs in systemförteckningen från en CSV-fil", link: "/systems/import", done: systems > 0 },
        Step {
            label: "Lägg in den senaste granskningen och klistra in dess rekommendationer",
            link: "/audits/new",
            done: audits > 0,
        },
        Step { label: "Ta fram den första årsrapporten till styrelsen", link: "/reports", done: reports > 0 },
    ];
    steps.iter().any(|s| !s.done).then_some(steps)
}

pub struct CoordinatorView {
    /// When the figures were computed (they are shared by the municipality's coordinators).
    pub computed_at: chrono::DateTime<Utc>,
    /// First steps for a municipality that has just started.
    pub getting_started: Option<Vec<Step>>,
    pub overdue: Vec<Item>,
    pub soon: Vec<Item>,
    pub changes_this_week: crate::audit_log::Counted,
    pub recent_changes: Vec<Entry>,
    pub week_start: NaiveDate,
    pub gaps: Vec<Gap>,
    /// What the audit register lacks (only the non-zero ones).
    pub audit_gaps: Vec<Gap>,
}

/// How long a computed coordinator dashboard is served as it is. Many read it at once before
/// a board meeting and it reads every area, so it is computed once per municipality and
/// shared; after this it is still served while one background task computes a fresh one.
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

pub async fn coordinator(state: &AppState, principal: &Principal) -> AppResult<Arc<CoordinatorView>> {
    principal.require(Dashboard::Coordinator.may_open(principal))?;
    shared_view(state, principal.tenant()?).await
}

/// Stores a computed view unless the municipality changed while it was computed.
fn store_view(state: &AppState, m: MunicipalityId, view: Arc<CoordinatorView>, computed_after: u64) {
    if state.changes.count(m) == computed_after {
        state.coordinator_views.insert(m, view);
    }
}

/// The municipality's computed view, shared by everyone it is shown to (callers check who).
/// What is due for this person alone (overdue first, then within 30 days), from the shared
/// worklist: for a start page without a dashboard, such as an information owner's who has been
/// asked to approve a classification.
pub async fn due_for(state: &AppState, m: MunicipalityId, me: Uuid) -> AppResult<Vec<Item>> {
    let shared = shared_view(state, m).await?;
    Ok(shared.overdue.iter().chain(&shared.soon).filter(|i| i.owner_user_id == Some(me)).cloned().collect())
}

async fn shared_view(state: &AppState, m: MunicipalityId) -> AppResult<Arc<CoordinatorView>> {
    if !state.changes.is_live() {
        return Ok(Arc::new(compute_coordinator(state, m).await?));
    }
    match state.coordinator_views.get_with_age(&m) {
        Some((view, age)) if age < STALE_AFTER => Ok(view),
        Some((view, _)) => {
            let first = state.refreshing.lock().map(|mut set| set.insert(m)).unwrap_or(false);
            if first {
                let state = state.clone();
                // A task of its own has no request: it names the municipality it reads.
                tokio::spawn(crate::db::tenant::within(crate::db::tenant::Context::municipality(m), async move {
                    let before = state.changes.count(m);
                    match compute_coordinator(&state, m).await {
                        Ok(fresh) => store_view(&state, m, Arc::new(fresh), before),
                        Err(err) => tracing::warn!(error = %err, "the coordinator dashboard could not be refreshed"),
                    }
                    if let Ok(mut set) = state.refreshing.lock() {
                        set.remove(&m);
                    }
                }));
            }
            Ok(view)
        }
        None => {
            let _only_one = state.computing.enter(&m).await;
            if let Some(view) = state.coordinator_views.get(&m) {
                return Ok(view);
            }
            let before = state.changes.count(m);
            let view = Arc::new(compute_coordinator(state, m).await?);
            store_view(state, m, view.clone(), before);
            Ok(view)
        }
    }
}

async fn compute_coordinator(state: &AppState, m: MunicipalityId) -> AppResult<CoordinatorView> {
    let today = crate::web::format::today();
    let mut conn = state.pool.acquire().await?;
    let (overdue, soon) = worklist::split(worklist::collect(&mut conn, m, today, Utc::now()).await?, today);
    let systems = crate::systems::store::list(&mut conn, m, &Default::default(), today).await?;
    let (_, total) = crate::systems::store::coverage(&systems, today);
    let reviews = crate::access_reviews::store::standings(&mut *conn, m).await?;
    let missing_reviews = reviews
        .iter()
        .filter(|r| r.is_critical && r.standing(today) == crate::access_reviews::model::Standing::Missing)
        .count();
    let audit_counts = crate::audits::store::gaps(&mut *conn, m).await?;
    let bodies = crate::org::store::counts(&mut *conn, m).await?.bodies;
    let reports = super::store::list(&mut *conn, m).await?.len();
    drop(conn);
    let week_start = today - Duration::days(6);
    let filter = crate::audit_log::Filter { from: week_start.to_string(), ..Default::default() };
    // Shared by the municipality's coordinators, who may read every entry.
    let recent = crate::audit_log::page(&state.pool, m, &filter, 8, &[]).await?;
    // Coverage gaps measure systems: a municipality without any has none to count.
    let gaps = if total.systems == 0 {
        Vec::new()
    } else {
        vec![
            Gap {
                label: "System som inte är helt klassade",
                count: total.systems - total.classified,
                link: "/coverage",
            },
            Gap {
                label: "System utan utsedd systemägare",
                count: total.systems - total.named_owner,
                link: "/systems?no_owner=1",
            },
            Gap {
                label: "System utan aktuell riskanalys",
                count: total.systems - total.current_risk_analysis,
                link: "/systems?no_risk_analysis=1",
            },
            Gap { label: "System med försenad översyn", count: total.overdue_reviews, link: "/systems?overdue=1" },
            Gap {
                label: "Verksamhetskritiska system utan behörighetsgenomgång",
                count: missing_reviews,
                link: "/access-reviews",
            },
        ]
    };
    let audit_gaps = [
        Gap {
            label: "Öppna rekommendationer som saknar ansvarig",
            count: audit_counts.without_responsible as usize,
            link: "/recommendations?missing=ansvarig",
        },
        Gap {
            label: "Öppna rekommendationer som saknar måldatum",
            count: audit_counts.without_target as usize,
            link: "/recommendations?missing=maldatum",
        },
        Gap {
            label: "Granskningar som saknar rapportdatum",
            count: audit_counts.audits_without_date as usize,
            link: "/audits#missing-report-date",
        },
    ]
    .into_iter()
    .filter(|gap| gap.count > 0)
    .collect();
    Ok(CoordinatorView {
        computed_at: Utc::now(),
        getting_started: getting_started(bodies, total.systems, audit_counts.audits, reports),
        overdue,
        soon,
        changes_this_week: recent.matching,
        recent_changes: recent.entries,
        week_start,
        gaps,
        audit_gaps,
    })
}

/// One of the owner's systems with its levels.
pub struct OwnedSystem {
    pub id: Uuid,
    pub name: String,
    pub levels: String,
    pub next_review: Option<NaiveDate>,
    pub review_overdue: bool,
}

pub struct OwnedRisk {
    pub id: Uuid,
    pub threat: String,
    pub object: String,
    pub level: &'static str,
    pub untreated: bool,
}

pub struct OwnerView {
    pub systems: Vec<OwnedSystem>,
    /// (system name, code, title, status label)
    pub unmet_measures: Vec<(String, String, String, &'static str)>,
    pub risks: Vec<OwnedRisk>,
    pub actions: Vec<crate::actions::store::Action>,
    /// The user's part of the municipality's shared worklist, and when that was computed.
    pub due: Vec<Item>,
    pub computed_at: chrono::DateTime<Utc>,
}

pub async fn owner(state: &AppState, principal: &Principal) -> AppResult<OwnerView> {
    principal.require(Dashboard::Owner.may_open(principal))?;
    let m = principal.tenant()?;
    let me = principal.user_id;
    let today = crate::web::format::today();
    let mut conn = state.pool.acquire().await?;
    // Only the user's own systems, risks and actions are read; what is due comes from the
    // municipality's shared worklist, so a large municipality costs each owner little.
    let mine: Vec<_> = crate::systems::store::kept_by(&mut conn, m, me)
        .await?
        .into_iter()
        .filter(|s| s.lifecycle != crate::systems::model::Lifecycle::Retired)
        .collect();
    let is_mine = |id: Option<Uuid>| id.is_some_and(|id| mine.iter().any(|s| s.id == id));
    let name_of = |id: Uuid| mine.iter().find(|s| s.id == id).map(|s| s.name.clone()).unwrap_or_default();
    let unmet_measures = crate::classification::store::unmet_measures_kept_by(&mut *conn, m, me)
        .await?
        .into_iter()
        .filter(|u| is_mine(Some(u.system_id)))
        .map(|u| (name_of(u.system_id), u.code, u.title, u.status.label()))
        .collect();
    let scale = crate::risks::store::scale(&mut *conn, m).await?;
    let risks = crate::risks::store::kept_by(&mut conn, m, me)
        .await?
        .into_iter()
        .filter(|r| !r.is_accepted())
        .map(|r| OwnedRisk {
            level: r.level(&scale).label(),
            untreated: r.is_untreated(),
            id: r.id,
            threat: r.threat,
            object: r.object,
        })
        .collect();
    let actions = crate::actions::store::kept_by(&mut conn, m, me)
        .await?
        .into_iter()
        .filter(|a| a.status != crate::actions::model::Status::Klar)
        .collect();
    drop(conn);
    let shared = shared_view(state, m).await?;
    let due = shared
        .overdue
        .iter()
        .chain(&shared.soon)
        .filter(|i| i.owner_user_id == Some(me) || is_mine(i.system_id))
        .cloned()
        .collect();
    let systems = mine
        .iter()
        .map(|s| OwnedSystem {
            id: s.id,
            name: s.name.clone(),
            levels: s.triple(),
            next_review: s.next_review(),
            review_overdue: s.is_review_overdue(today),
        })
        .collect();
    Ok(OwnerView { systems, unmet_measures, risks, actions, due, computed_at: shared.computed_at })
}

/// Recommendations of one audit, or to one body, by status.
pub struct StatusRow {
    pub id: Option<Uuid>,
    pub name: String,
    pub open: usize,
    pub claimed: usize,
    pub verified: usize,
}

pub struct AuditorView {
    pub per_audit: Vec<StatusRow>,
    /// The auditors' answers to each audit's questions, per body.
    pub answers: Vec<crate::audits::store::AnswerTally>,
    pub per_body: Vec<StatusRow>,
    pub awaiting_verification: Vec<crate::audits::store::Recommendation>,
    pub carried_over: Vec<crate::audits::store::Recommendation>,
}

fn tally(rows: &mut Vec<StatusRow>, id: Option<Uuid>, name: &str, status: Status) {
    let index = match rows.iter().position(|r| r.id == id) {
        Some(index) => index,
        None => {
            rows.push(StatusRow { id, name: name.into(), open: 0, claimed: 0, verified: 0 });
            rows.len() - 1
        }
    };
    match status {
        Status::Verifierad => rows[index].verified += 1,
        Status::Atgardad => rows[index].claimed += 1,
        Status::Oppen | Status::Ateroppnad => rows[index].open += 1,
    }
}

pub async fn auditor(state: &AppState, principal: &Principal) -> AppResult<AuditorView> {
    principal.require(Dashboard::Auditor.may_open(principal))?;
    let m = principal.tenant()?;
    let today = crate::web::format::today();
    let all = crate::audits::store::list_recommendations(&state.pool, m, &Default::default(), today).await?;
    let mut per_audit = Vec::new();
    let mut per_body = Vec::new();
    for r in &all {
        tally(&mut per_audit, Some(r.audit_id), &r.audit_title, r.status);
        for body in r.bodies.iter() {
            tally(&mut per_body, Some(body.id), &body.name, r.status);
        }
    }
    let order: Vec<Uuid> = crate::org::store::list_bodies(&state.pool, m).await?.into_iter().map(|b| b.id).collect();
    per_body.sort_by_key(|row| row.id.and_then(|id| order.iter().position(|b| *b == id)));
    let awaiting_verification = all.iter().filter(|r| r.status == Status::Atgardad).cloned().collect();
    let carried_over =
        all.into_iter().filter(|r| !r.carried_into.is_empty() && r.status != Status::Verifierad).collect();
    let answers = crate::audits::store::answer_tallies(&mut *state.pool.acquire().await?, m).await?;
    Ok(AuditorView { per_audit, answers, per_body, awaiting_verification, carried_over })
}

pub struct BoardView {
    pub report: Option<Report>,
    pub key_rows: Vec<KeyRow>,
    /// The bodies the member sits for; all of them for a member of the whole municipality.
    pub bodies: Vec<SystemFigures>,
    /// The open audit recommendations to those bodies in the report, oldest first.
    pub recommendations: Vec<super::figures::ReportedRecommendation>,
    /// The day the report's figures describe.
    pub as_of: Option<NaiveDate>,
    /// Whose picture it is: the bodies the member sits for, or the municipality.
    pub scope_name: String,
    pub lights: Vec<super::board::Light>,
    /// For a member of the whole municipality: what belongs to no body, and the totals.
    pub whole: Option<(SystemFigures, SystemFigures)>,
    /// The follow-up audits and how they judged what they followed up, newest first.
    pub follow_ups: Vec<super::figures::FollowUpFigures>,
}

pub async fn board(state: &AppState, principal: &Principal) -> AppResult<BoardView> {
    principal.require(Dashboard::Board.may_open(principal))?;
    let m = principal.tenant()?;
    let latest = super::store::list(&state.pool, m).await?.into_iter().find(|r| r.is_published());
    let Some(report) = latest else {
        return Ok(BoardView {
            report: None,
            key_rows: Vec::new(),
            bodies: Vec::new(),
            recommendations: Vec::new(),
            as_of: None,
            scope_name: String::new(),
            lights: Vec::new(),
            whole: None,
            follow_ups: Vec::new(),
        });
    };
    let contents = super::contents(state, principal, &report).await?;
    let own: Vec<Uuid> =
        principal.grants.iter().filter(|g| g.role == Role::Fortroendevald).filter_map(|g| g.body_id).collect();
    let mine = |id: Option<Uuid>| own.is_empty() || id.is_some_and(|id| own.contains(&id));
    let as_of = Some(contents.figures.described_on());
    let recommendations: Vec<_> = contents
        .figures
        .recommendation_list
        .into_iter()
        .filter(|r| own.is_empty() || r.body_ids.iter().any(|b| own.contains(b)))
        .collect();
    let bodies: Vec<SystemFigures> = contents.figures.bodies.into_iter().filter(|b| mine(b.body_id)).collect();
    let whole = own.is_empty().then(|| (contents.figures.unassigned, contents.figures.systems.clone()));
    let scope = super::board::scope(&bodies, &contents.figures.systems, !own.is_empty());
    let scope_name = if own.is_empty() {
        principal.municipality.as_ref().map(|m| m.name.clone()).unwrap_or_default()
    } else {
        scope.name.clone()
    };
    Ok(BoardView {
        report: Some(report),
        key_rows: contents.key_rows,
        lights: super::board::lights(&scope, &recommendations),
        bodies,
        recommendations,
        as_of,
        scope_name,
        whole,
        follow_ups: contents.figures.follow_ups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_steps_show_until_every_one_is_done() {
        let steps = getting_started(0, 0, 0, 0).expect("an empty municipality gets first steps");
        assert_eq!(steps.len(), 4);
        assert!(steps.iter().all(|s| !s.done));
        let steps = getting_started(5, 20, 0, 0).unwrap();
        assert_eq!(steps.iter().map(|s| s.done).collect::<Vec<_>>(), [true, true, false, false]);
        assert!(getting_started(5, 20, 1, 1).is_none());
    }

    #[test]
    fn status_rows_count_open_claimed_and_verified_per_key() {
        let mut rows = Vec::new();
        let a = Some(Uuid::from_u128(1));
        for status in [Status::Oppen, Status::Ateroppnad, Status::Atgardad, Status::Verifierad] {
            tally(&mut rows, a, "Granskning 2024", status);
        }
        tally(&mut rows, Some(Uuid::from_u128(2)), "Uppföljning 2026", Status::Oppen);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].open, rows[0].claimed, rows[0].verified), (2, 1, 1));
        assert_eq!((rows[1].name.as_str(), rows[1].open), ("Uppföljning 2026", 1));
    }
}
