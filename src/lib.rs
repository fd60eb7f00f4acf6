//! Lisa: the information-security management system for Swedish municipalities.
//! This crate builds the web application from its areas; `main.rs` is the CLI.

pub mod access_reviews;
pub mod actions;
pub mod audit_log;
pub mod audits;
pub mod auth;
pub mod caches;
pub mod change_log;
pub mod classification;
pub mod code;
pub mod config;
pub mod continuity;
pub mod db;
pub mod demo;
pub mod documents;
pub mod error;
pub mod incidents;
pub mod internal_control;
pub mod mail;
pub mod navigation;
pub mod org;
pub mod reminders;
pub mod reports;
pub mod risks;
pub mod suppliers;
pub mod systems;
pub mod training;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, Request, StatusCode};
use axum::middleware;
use axum::routing::get;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use config::Config;
use web::cache::TtlCache;

/// What every request shares. One `Arc`: every middleware and handler clones the state, and
/// one reference count is cheaper to bump from both cores than one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub pool: PgPool,
    pub config: Arc<Config>,
    /// Who is behind each session or token, for a few seconds while this instance hears every
    /// change to accounts, roles, tokens and sessions (see `auth::session::identity`).
    pub identities: Arc<TtlCache<Vec<u8>, auth::session::Identity>>,
    /// The start page's figures per municipality, for a few seconds while this instance hears
    /// every change to the municipality (see `caches::follow_changes`).
    pub overview: Arc<TtlCache<crate::db::MunicipalityId, org::store::Counts>>,
    /// The coordinator's dashboard per municipality (see `reports::dashboards`).
    pub coordinator_views: Arc<TtlCache<crate::db::MunicipalityId, Arc<reports::dashboards::CoordinatorView>>>,
    /// Municipalities whose coordinator dashboard is being computed for a waiting request;
    /// others asking for it meanwhile wait for that result.
    pub computing: Arc<web::cache::Flights<crate::db::MunicipalityId>>,
    /// Municipalities whose coordinator dashboard is being recomputed in the background.
    pub refreshing: Arc<std::sync::Mutex<std::collections::HashSet<crate::db::MunicipalityId>>>,
    /// How many changes each municipality has seen in this process, so that nothing
    /// computed before a change is served after it (see `caches::changed`).
    pub changes: Arc<web::cache::Changes>,
}

impl AppState {
    pub fn new(pool: PgPool, config: Config) -> Self {
        AppState(Arc::new(Shared {
            pool,
            config: Arc::new(config),
            identities: Arc::new(TtlCache::new(std::time::Duration::from_secs(5), 100_000)),
            overview: Arc::new(TtlCache::new(std::time::Duration::from_secs(5), 10_000)),
            coordinator_views: Arc::new(TtlCache::new(reports::dashboards::STALE_AFTER * 20, 10_000)),
            computing: Arc::default(),
            refreshing: Arc::default(),
            changes: Arc::default(),
        }))
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Lisa API", version = "1", description = "Lisa: ledningssystem för informationssäkerhet. \
        Authenticate with `Authorization: Bearer <token>` (create one with `lisa token create --email …`) \
        or a browser session (then send the session's CSRF token in `X-CSRF-Token` on changes)."),
    servers((url = "/api/v1"))
)]
struct ApiDoc;

/// The API routes of every area, with their OpenAPI description.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::api())
        .merge(org::api())
        .merge(audits::api())
        .merge(actions::api())
        .merge(systems::api())
        .merge(classification::api())
        .merge(risks::api())
        .merge(incidents::api())
        .merge(access_reviews::api())
        .merge(continuity::api())
        .merge(internal_control::api())
        .merge(suppliers::api())
        .merge(documents::api())
        .merge(training::api())
        .merge(reports::api())
        .merge(change_log::api())
}

/// The OpenAPI document (also served at `/api/v1/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api().into_openapi();
    web::openapi::refine(&mut doc);
    doc
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.pool).await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Largest request body: forms and JSON; uploads get their own, larger limits.
const BODY_LIMIT: usize = 4 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let (api_routes, mut openapi) = api().split_for_parts();
    web::openapi::refine(&mut openapi);
    let openapi = Arc::new(openapi);
    let api_routes =
        api_routes.route("/openapi.json", get(move || async move { axum::Json(openapi.as_ref().clone()) }));

    let app = Router::new()
        .merge(reports::router())
        .merge(auth::router())
        .merge(org::router())
        .merge(audits::router())
        .merge(actions::router())
        .merge(systems::router())
        .merge(reminders::router())
        .merge(classification::router())
        .merge(risks::router())
        .merge(incidents::router())
        .merge(access_reviews::router())
        .merge(continuity::router())
        .merge(internal_control::router())
        .merge(suppliers::router())
        .merge(documents::router())
        .merge(training::router())
        .merge(change_log::router())
        .nest("/api/v1", api_routes)
        .layer(middleware::from_fn(web::input::refuse_hostile_text))
        .layer(middleware::from_fn(navigation::attach))
        .layer(middleware::from_fn_with_state(state.clone(), caches::fresh_after_writes))
        .layer(middleware::from_fn_with_state(state.clone(), auth::session::middleware))
        .layer(middleware::from_fn_with_state(state.clone(), web::flash::clear_when_shown))
        .route("/static/{name}", get(web::assets::serve))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .layer(middleware::from_fn(web::errors::render))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    let https = state.config.secure_cookies;
    let request_id = HeaderName::from_static("x-request-id");
    web::headers::apply(app.with_state(state), https)
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(middleware::from_fn(web::headers::drop_unsafe_request_id))
}

/// Serves Lisa on `listener` until `shutdown` completes; also purges expired sessions periodically.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let purge_state = state.clone();
    let purger = tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            let config = &purge_state.config;
            if let Err(err) =
                auth::session::purge_expired(&purge_state.pool, config.session_idle, config.session_absolute).await
            {
                tracing::warn!(error = %err, "could not purge expired sessions");
            }
        }
    });
    let reminders = state.config.run_reminders.then(|| tokio::spawn(reminders::daily(state.clone())));
    let changes = tokio::spawn(caches::follow_changes(state.clone()));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // Without TCP_NODELAY a response's last small segment waits for the client's delayed ACK
    // (40 ms on Linux): pages over a few tens of kilobytes then took 40 ms or more under load.
    let listener = axum::serve::ListenerExt::tap_io(listener, |stream: &mut tokio::net::TcpStream| {
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(error = %err, "could not set TCP_NODELAY");
        }
    });
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    purger.abort();
    changes.abort();
    if let Some(job) = reminders {
        job.abort();
    }
    Ok(result?)
}
