//! Accounts, passwords, sessions, API tokens, CSRF and login throttling.

pub mod model;
pub mod pages;
pub mod password;
pub mod session;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

pub use model::{Credential, Grant, MunicipalityRef, Principal, Role};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/account/password", get(pages::password_form).post(pages::change_password))
        .route("/municipality", post(pages::switch_municipality))
}
