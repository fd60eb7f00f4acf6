//! Pages for the organisation: bodies, units, people, users with their roles, and (for
//! system administrators) municipalities. Anyone with a role in the municipality reads;
//! the coordinator changes, through the use cases in `org::service`.

mod bodies;
mod idp;
mod invitations;
mod municipalities;
mod people;
mod units;
mod users;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

pub use bodies::*;
pub use idp::*;
pub use invitations::*;
pub use municipalities::*;
pub use people::*;
pub use units::*;
pub use users::*;

use super::may_manage;
use super::store::{Body, Unit};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::web::{Chrome, SelectOption, options};

#[derive(Template, WebTemplate)]
#[template(path = "org/overview.html")]
struct Overview {
    chrome: Chrome,
    bodies: Vec<(Body, Vec<Unit>)>,
    may_manage: bool,
}

pub async fn overview(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let (bodies, units) = super::service::bodies_and_units(&state, &principal).await?;
    let bodies = bodies
        .into_iter()
        .map(|body| {
            let mine = units.iter().filter(|u| u.body_id == body.id).cloned().collect();
            (body, mine)
        })
        .collect();
    Ok(Overview { chrome, bodies, may_manage: may_manage(&principal) }.into_response())
}

/// The bodies as choices of a select.
fn body_options(bodies: Vec<Body>, selected: &str) -> Vec<SelectOption> {
    options(bodies.into_iter().map(|b| (b.id, b.name)), selected)
}
