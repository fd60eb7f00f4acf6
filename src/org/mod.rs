//! Municipalities, their bodies (KF, KS, nämnder, bolag), units, people, user accounts
//! and role grants.

pub mod api;
pub mod demo;
pub mod idp_accounts;
pub mod model;
pub mod pages;
pub mod policy;
pub mod service;
pub mod store;
mod view;

use axum::Router;
use axum::routing::{get, post};
pub use policy::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Principal;
use crate::web::layout::{MenuEntry, Task};

/// The area's pages in the menu. Everyone reads the organisation from the start page; the menu
/// leads to where it is kept.
pub fn menu(principal: &Principal) -> Vec<MenuEntry> {
    let manages = principal.in_municipality() && may_manage(principal);
    [
        MenuEntry::when(manages, Task::Administration, "/org", "Organisation"),
        MenuEntry::when(manages, Task::Administration, "/org/users", "Användare"),
        MenuEntry::when(may_administer(principal), Task::Administration, "/admin/municipalities", "Kommuner"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub fn router() -> Router<AppState> {
    use pages::*;
    Router::new()
        .route("/org", get(overview))
        .route("/org/bodies", post(create_body))
        .route("/org/bodies/new", get(new_body))
        .route("/org/bodies/{id}", get(show_body).post(update_body))
        .route("/org/bodies/{id}/edit", get(edit_body))
        .route("/org/bodies/{id}/delete", get(confirm_delete_body).post(delete_body))
        .route("/org/units", post(create_unit))
        .route("/org/units/new", get(new_unit))
        .route("/org/units/{id}", get(show_unit).post(update_unit))
        .route("/org/units/{id}/edit", get(edit_unit))
        .route("/org/units/{id}/delete", get(confirm_delete_unit).post(delete_unit))
        .route("/org/people", get(people).post(create_person))
        .route("/org/people.csv", get(people_csv))
        .route("/org/people/new", get(new_person))
        .route("/org/people/{id}", get(show_person).post(update_person))
        .route("/org/people/{id}/edit", get(edit_person))
        .route("/org/people/{id}/delete", get(confirm_delete_person).post(delete_person))
        .route("/org/users", get(users).post(create_user))
        .route("/org/invitations/{id}/withdraw", post(withdraw_invitation))
        .route("/invitations", get(my_invitations))
        .route("/invitations/{id}", post(answer_invitation))
        .route("/org/users/new", get(new_user))
        .route("/org/users/two-factor", post(set_two_factor_rule))
        .route("/org/users/{id}", get(show_user))
        .route("/org/users/{id}/grants", post(add_grant))
        .route("/org/users/{id}/disable", get(confirm_disable).post(disable))
        .route("/org/users/{id}/enable", post(enable))
        .route("/org/users/{id}/sessions/end", post(end_sessions))
        .route("/org/users/{id}/password-reset", post(reset_link))
        .route("/org/users/{id}/grants/{grant_id}/delete", post(remove_grant))
        .route("/admin/municipalities", get(municipalities).post(save_municipality))
        .route("/admin/municipalities/{id}/sso", get(sso_settings).post(save_sso_settings))
        .route(crate::auth::sso::CALLBACK_PATH, get(sso_callback))
        .route("/admin/municipalities/new", get(new_municipality))
        .route("/admin/municipalities/{id}", post(save_municipality))
        .route("/admin/municipalities/{id}/edit", get(edit_municipality))
}

pub fn api() -> OpenApiRouter<AppState> {
    use api::*;
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_bodies, create_body))
        .routes(routes!(get_body, update_body, delete_body))
        .routes(routes!(list_units, create_unit))
        .routes(routes!(get_unit, update_unit, delete_unit))
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person, update_person, delete_person))
        .routes(routes!(list_users, create_user))
        .routes(routes!(list_invitations))
        .routes(routes!(accept_invitation))
        .routes(routes!(decline_invitation))
        .routes(routes!(get_user))
        .routes(routes!(add_grant))
        .routes(routes!(remove_grant))
        .routes(routes!(list_municipalities, create_municipality))
        .routes(routes!(update_municipality))
}
