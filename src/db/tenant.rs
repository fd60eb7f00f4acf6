//! Row-level security, Lisa's side. Every tenant table lets a connection see only the rows of
//! the municipality in its `app.municipality_id` setting (migration 0015), so a query that
//! forgot its `municipality_id = $1` still finds nothing of another municipality's.
//!
//! Whose data a request works with is a task-local `Context`, set by the session middleware
//! (`within`). The pool writes it into every connection when the connection is checked out
//! and clears it when the connection comes back, so a connection never carries one request's
//! municipality into another's, and reads outside a transaction are covered as well as
//! writes inside one. Work outside a request (the reminder job, a refresh in the background)
//! names its municipality with `within` itself; without a context a connection sees nothing.

use std::future::Future;

use sqlx::PgConnection;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

/// The municipality whose data a piece of work touches. A request gets it only from
/// `Principal::tenant()`; the few paths that legitimately choose a municipality themselves (the
/// CLI, the system administrator's pages, sign-in before a session exists, background jobs and
/// demo data) call [`MunicipalityId::chosen`], so every other way in stands out in review. Every
/// store function that touches tenant data takes one first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct MunicipalityId(Uuid);

impl MunicipalityId {
    /// A municipality chosen by trusted code rather than by the signed-in user's session.
    pub fn chosen(id: Uuid) -> MunicipalityId {
        MunicipalityId(id)
    }

    /// The id itself, to bind in a query.
    pub fn uuid(self) -> Uuid {
        self.0
    }
}

impl std::fmt::Display for MunicipalityId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

tokio::task_local! {
    static CONTEXT: Context;
}

/// Whose data the database may show: the current municipality, and the signed-in user (who
/// also sees their own role grants and invitations in other municipalities).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    pub municipality: Option<Uuid>,
    pub user: Option<Uuid>,
}

impl Context {
    pub fn municipality(m: MunicipalityId) -> Context {
        Context { municipality: Some(m.uuid()), user: None }
    }
}

/// Runs `work` with `context` as the database context of every connection it checks out.
pub async fn within<F: Future>(context: Context, work: F) -> F::Output {
    CONTEXT.scope(context, work).await
}

/// The context of the running task (empty outside any).
pub fn current() -> Context {
    CONTEXT.try_with(|context| *context).unwrap_or_default()
}

async fn apply(conn: &mut PgConnection, context: Context) -> Result<(), sqlx::Error> {
    let text = |id: Option<Uuid>| id.map(|id| id.to_string()).unwrap_or_default();
    sqlx::query("SELECT set_config('app.municipality_id', $1, false), set_config('app.user_id', $2, false)")
        .bind(text(context.municipality))
        .bind(text(context.user))
        .execute(conn)
        .await?;
    Ok(())
}

/// Pool options that give each checkout the task's context: one round trip, which doubles as
/// the liveness test sqlx would otherwise make. Every checkout sets it afresh (Lisa never calls
/// `try_acquire`, the one way past `before_acquire`), so a returned connection keeps its last
/// context until the next checkout replaces it, and clearing it on return would only cost a
/// second round trip per checkout.
pub fn with_context(options: PgPoolOptions) -> PgPoolOptions {
    options
        .test_before_acquire(false)
        .after_connect(|conn, _| Box::pin(apply(conn, current())))
        .before_acquire(|conn, _| Box::pin(async move { apply(conn, current()).await.map(|_| true) }))
}

/// Inside a transaction, works for municipality `m` until it ends: for the few changes that
/// legitimately reach past the current municipality (creating one, accepting an invitation
/// to one). Transaction-local, so the connection's own context returns at commit.
pub async fn act_for(tx: &mut PgConnection, m: MunicipalityId) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT set_config('app.municipality_id', $1, true)").bind(m.to_string()).execute(tx).await?;
    Ok(())
}
