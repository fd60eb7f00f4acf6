//! What the caches shared by every request hold is dropped when what it was computed from
//! changes: the identities (`auth::session`), the start page's counts and the coordinator's
//! dashboard (`reports::dashboards`), all kept in `AppState`. A change through this instance
//! drops them at once (`fresh_after_writes`, or `changed` for a change made outside a write
//! request); changes through other instances and the CLI arrive by LISTEN/NOTIFY
//! (`follow_changes`).

use crate::AppState;
use crate::auth::{self, Principal};
use crate::db::MunicipalityId;

/// Marks the municipality's data as changed: the next read computes its view afresh, and a
/// computation already under way does not store its older result. Every instance hears of
/// every change when it commits (`follow_changes`).
pub fn changed(state: &AppState, m: MunicipalityId) {
    state.changes.bump(m);
    state.coordinator_views.remove(&m);
    state.overview.remove(&m);
}

/// Every municipality and account may have changed: nothing computed before is served again.
fn forget_everything(state: &AppState) {
    auth::session::forget_identities(state, None);
    state.changes.bump_all();
    state.coordinator_views.remove_where(|_| true);
    state.overview.remove_where(|_| true);
}

/// The channel on which every committed change is announced with its municipality (migration
/// 0026: each change-log entry announces itself; `*` for a change of no one municipality).
const CHANGES_CHANNEL: &str = "lisa_changed";

/// The channel on which every change to who someone is (account, roles, tokens, sessions, the
/// municipalities' two-factor rules) is announced with the account it concerns, or `*`.
const IDENTITY_CHANNEL: &str = "lisa_identity";

/// Listens, on a connection of its own, for the changes every instance and the CLI announce,
/// and drops what was computed from the changed municipality's data. While it is not listening
/// (at start, or after the connection was lost) `changes.is_live()` is false and everything
/// is computed afresh; back, it forgets everything, since anything may have changed meanwhile.
pub async fn follow_changes(state: AppState) {
    let options = state.pool.connect_options().as_ref().clone();
    let own = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect_lazy_with(options);
    loop {
        if let Err(err) = listen(&state, &own).await {
            tracing::warn!(error = %err, "not hearing changes from other instances; computing afresh until back");
        }
        state.changes.set_live(false);
        forget_everything(&state);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

async fn listen(state: &AppState, own: &sqlx::PgPool) -> anyhow::Result<()> {
    let mut listener = sqlx::postgres::PgListener::connect_with(own).await?;
    listener.listen_all([CHANGES_CHANNEL, IDENTITY_CHANNEL]).await?;
    forget_everything(state);
    state.changes.set_live(true);
    // `try_recv` answers None when the connection was lost; what was announced meanwhile is lost too.
    while let Some(note) = listener.try_recv().await? {
        let id = note.payload().parse::<uuid::Uuid>().ok();
        match (note.channel(), id) {
            (IDENTITY_CHANNEL, user) => auth::session::forget_identities(state, user),
            (_, Some(id)) => changed(state, MunicipalityId::chosen(id)),
            (_, None) => forget_everything(state),
        }
    }
    anyhow::bail!("the connection that hears changes was lost")
}

/// After every successful change (any method but GET and HEAD) by a signed-in user, the
/// municipality's shared dashboard is recomputed, so whoever just saved sees it at once.
pub async fn fresh_after_writes(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let writes = !matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    let municipality = request.extensions().get::<Principal>().and_then(|p| p.tenant().ok());
    let response = next.run(request).await;
    let saved = writes && (response.status().is_success() || response.status().is_redirection());
    if saved {
        // This instance sees its own change at once; others when PostgreSQL announces it.
        auth::session::forget_identities(&state, None);
    }
    if let (true, Some(m)) = (saved, municipality) {
        changed(&state, m);
    }
    response
}
