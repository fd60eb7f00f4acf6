//! Accounts, passwords, sessions, API tokens, CSRF and login throttling.

pub mod accounts;
pub mod api;
pub mod forgot;
pub mod idp_claims;
pub mod model;
pub mod pages;
pub mod password;
pub mod sealed;
pub mod session;
pub mod sso;
pub mod store;
pub mod tokens;
pub mod two_factor;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use model::{Credential, Grant, MunicipalityRef, Principal, Role};

use crate::AppState;
use crate::web::layout::NavLink;

/// The user's own pages, beside the municipality switch.
pub fn menu() -> [NavLink; 3] {
    [
        NavLink { href: "/account/password", label: "Byt lösenord", current: false },
        NavLink { href: "/account/two-factor", label: "Tvåstegsverifiering", current: false },
        NavLink { href: "/account/tokens", label: "Mina API-nycklar", current: false },
    ]
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/login/code", get(pages::code_form).post(pages::answer_code))
        .route("/login/sso/{municipality}", get(pages::start_sso))
        .route("/logout", post(pages::logout))
        .route("/account/two-factor", get(pages::two_factor_settings).post(pages::enable_two_factor))
        .route("/account/two-factor/recovery-codes", post(pages::renew_recovery_codes))
        .route("/account/two-factor/off", post(pages::disable_two_factor))
        .route("/account/password", get(pages::password_form).post(pages::change_password))
        .route("/municipality", post(pages::switch_municipality))
        .route("/account/tokens", get(pages::my_tokens).post(pages::create_token))
        .route("/password-reset/{secret}", get(pages::reset_form).post(pages::reset_password))
        .route("/password/forgot", get(forgot::form).post(forgot::ask))
        .route("/account/tokens/{id}/revoke", get(pages::confirm_revoke_token).post(pages::revoke_token))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::list, api::create)).routes(routes!(api::revoke))
}
