//! Municipalities, their bodies (KF, KS, nämnder, bolag), units, people, user accounts
//! and role grants.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::audit_log::Actor;
use crate::auth::{Principal, password};
use crate::error::{AppError, AppResult};
use model::UserForm;

/// The coordinator (or a system administrator) changes the organisation; everyone with a role reads it.
pub fn may_manage(principal: &Principal) -> bool {
    principal.is_coordinator()
}

/// The staff directory (names with email addresses, titles and accounts) is read by the
/// coordinator, who keeps it; others see people's names where they are responsible for something.
pub fn may_read_directory(principal: &Principal) -> bool {
    principal.is_coordinator()
}

/// What adding a person to the municipality led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// The role was granted: a system administrator added them, or they already work here.
    Granted(Uuid),
    /// They were invited (a new account was made for them if the address had none); the role
    /// is theirs once they accept it at their next login.
    Invited,
}

/// Gives a person a role in the municipality. Unless the person already has a role here (or
/// a system administrator adds them), they are only invited, and the answer is the same whether
/// or not the address has an account in Lisa: nothing about another municipality's people is
/// revealed or changed until they accept.
pub async fn add_user(state: &AppState, principal: &Principal, m: Uuid, form: &UserForm) -> AppResult<Added> {
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    // Hashed whether or not it is used, so that the time taken tells nothing either.
    let hash = password::hash(input.password.clone(), state.config.password_cost).await?;
    let actor = Actor::from(principal);
    let mut tx = state.pool.begin().await?;
    let existing = store::find_user_id_by_email(&mut *tx, &input.email).await?;
    let works_here = match existing {
        Some(id) => store::has_role_in(&mut *tx, m, id).await?,
        None => false,
    };
    let added = match existing {
        Some(id) if works_here || principal.is_admin => {
            store::add_grant(&mut tx, &actor, m, id, &input.grant).await?;
            Added::Granted(id)
        }
        None if principal.is_admin => {
            let id = store::create_account(&mut tx, &actor, &input.email, &input.display_name, &hash, false).await?;
            store::add_grant(&mut tx, &actor, m, id, &input.grant).await?;
            Added::Granted(id)
        }
        Some(id) => {
            store::invite(&mut tx, &actor, m, id, &input).await?;
            Added::Invited
        }
        None => {
            let id = store::create_account(&mut tx, &actor, &input.email, &input.display_name, &hash, false).await?;
            store::invite(&mut tx, &actor, m, id, &input).await?;
            Added::Invited
        }
    };
    tx.commit().await?;
    if let Added::Granted(id) = added {
        crate::auth::session::forget_user(state, id);
    }
    Ok(added)
}

/// Accepts (or declines) one of the user's own invitations: accepting grants the role.
pub async fn answer_invitation(state: &AppState, principal: &Principal, id: Uuid, accept: bool) -> AppResult<Uuid> {
    let mut tx = state.pool.begin().await?;
    let invitation = store::take_invitation(&mut tx, principal.user_id, id).await?;
    let actor = Actor::from(principal);
    if accept {
        // The invitation is the user's way into that municipality.
        crate::db::tenant::act_for(&mut tx, invitation.municipality_id).await?;
        let grant = model::GrantInput { role: invitation.role, body_id: invitation.body_id };
        match store::add_grant(&mut tx, &actor, invitation.municipality_id, principal.user_id, &grant).await {
            // A role they already have (granted meanwhile) is simply kept.
            Ok(_) | Err(AppError::Validation(_)) => {}
            Err(other) => return Err(other),
        }
    }
    tx.commit().await?;
    crate::auth::session::forget_user(state, principal.user_id);
    Ok(invitation.municipality_id)
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
        .route("/org/users/{id}", get(show_user))
        .route("/org/users/{id}/grants", post(add_grant))
        .route("/org/users/{id}/grants/{grant_id}/delete", post(remove_grant))
        .route("/admin/municipalities", get(municipalities).post(save_municipality))
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
