//! Dashboards and (later) the annual report. For now: the start page, which shows the
//! signed-in user where they are and what the municipality has registered.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::org::store::{self, Counts};
use crate::web::Chrome;

#[derive(Template, WebTemplate)]
#[template(path = "reports/start.html")]
struct StartPage {
    chrome: Chrome,
    counts: Option<Counts>,
    is_coordinator: bool,
}

async fn start(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    // Read by everyone on every visit, so served from a cache a few seconds old at most.
    let counts = match &principal.municipality {
        Some(m) => match state.overview.get(&m.id) {
            Some(counts) => Some(counts),
            None => {
                let counts = store::counts(&state.pool, m.id).await?;
                state.overview.insert(m.id, counts.clone());
                Some(counts)
            }
        },
        None => None,
    };
    Ok(StartPage { chrome, counts, is_coordinator: principal.is_coordinator() }.into_response())
}

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(start))
}
