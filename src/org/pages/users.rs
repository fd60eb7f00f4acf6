//! Users with their roles here, adding someone (granted or invited), their roles.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::super::model::{GrantForm, UserForm};
use super::super::store::{self, UserView};
use super::super::{may_manage, service};
use super::body_options;
use crate::AppState;
use crate::auth::{Principal, Role};
use crate::error::{AppResult, FieldErrors};
use crate::web::pagination::{Asked, ListQuery, Pager};
use crate::web::{Chrome, SelectOption, flash, options, split_validation, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "org/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserView>,
    pager: Pager,
    q: String,
    query_without_page: String,
    invitations: Vec<store::SentInvitation>,
    /// Accounts here with repeated failed logins in the last day.
    failures: Vec<crate::auth::store::RepeatedFailures>,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/user.html")]
struct UserPage {
    chrome: Chrome,
    user: UserView,
    errors: FieldErrors,
    bodies: Vec<SelectOption>,
    roles: Vec<SelectOption>,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/user_form.html")]
struct UserFormPage {
    chrome: Chrome,
    form: UserForm,
    errors: FieldErrors,
    bodies: Vec<SelectOption>,
    roles: Vec<SelectOption>,
}

fn role_options(selected: &str) -> Vec<SelectOption> {
    options(Role::ALL.map(|r| (r.code(), r.label())), selected)
}

async fn user_page(
    state: &AppState,
    m: Uuid,
    chrome: Chrome,
    user: UserView,
    form: GrantForm,
    errors: FieldErrors,
) -> AppResult<UserPage> {
    let bodies = body_options(store::list_bodies(&state.pool, m).await?, &form.body_id);
    let roles = role_options(&form.role);
    Ok(UserPage { chrome, user, errors, bodies, roles })
}

async fn user_form(
    state: &AppState,
    m: Uuid,
    chrome: Chrome,
    form: UserForm,
    errors: FieldErrors,
) -> AppResult<UserFormPage> {
    let bodies = body_options(store::list_bodies(&state.pool, m).await?, &form.body_id);
    let roles = role_options(&form.role);
    Ok(UserFormPage { chrome, form, errors, bodies, roles })
}

pub async fn users(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let mut conn = state.pool.acquire().await?;
    let asked = Asked::page(query.page.as_deref());
    let (users, pager) = store::search_users(&mut conn, m, query.search(), asked).await?;
    let invitations = store::sent_invitations(&mut *conn, m).await?;
    let at_least = crate::auth::pages::ACCOUNT_FAILURES_WORTH_A_WARNING;
    let failures = crate::auth::store::repeated_failures(&mut *conn, m, at_least).await?;
    let q = query.search().to_string();
    let query_without_page = serde_urlencoded::to_string([("q", &q)]).unwrap_or_default();
    Ok(UsersPage { chrome, users, pager, q, query_without_page, invitations, failures }.into_response())
}

pub async fn show_user(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let user = store::get_user(&state.pool, m, id).await?;
    Ok(user_page(&state, m, chrome, user, GrantForm::default(), FieldErrors::new()).await?.into_response())
}

pub async fn new_user(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let form = UserForm { role: Role::Medarbetare.code().into(), ..UserForm::default() };
    Ok(user_form(&state, principal.tenant()?, chrome, form, FieldErrors::new()).await?.into_response())
}

pub async fn create_user(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    match split_validation(service::add_user(&state, &principal, m, &form).await)? {
        Ok(service::Added::Granted(user_id)) => {
            Ok(flash::see_other_with(&state, &format!("/org/users/{user_id}"), "Användaren har fått sin roll."))
        }
        Ok(service::Added::Invited) => Ok(flash::see_other_with(
            &state,
            "/org/users",
            &format!(
                "{} är inbjuden. Rollen gäller när personen har loggat in och tackat ja.",
                form.email.trim().to_lowercase()
            ),
        )),
        Err(errors) => Ok(unprocessable(user_form(&state, m, chrome, form, errors).await?)),
    }
}

/// Takes back an invitation that has not been answered.
pub async fn withdraw_invitation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    service::withdraw_invitation(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, "/org/users", "Inbjudan är återtagen."))
}

pub async fn add_grant(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    Form(form): Form<GrantForm>,
) -> AppResult<Response> {
    principal.require(may_manage(&principal))?;
    let m = principal.tenant()?;
    let user = store::get_user(&state.pool, m, id).await?;
    match split_validation(service::add_grant(&state, &principal, id, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/org/users/{id}"), "Rollen är tillagd.")),
        Err(errors) => Ok(unprocessable(user_page(&state, m, chrome, user, form, errors).await?)),
    }
}

pub async fn remove_grant(
    State(state): State<AppState>,
    principal: Principal,
    Path((user_id, grant_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    service::remove_grant(&state, &principal, user_id, grant_id).await?;
    let m = principal.tenant()?;
    // With its last role gone the user is no longer visible here.
    let still_here = store::get_user(&state.pool, m, user_id).await.is_ok();
    let back = if still_here { format!("/org/users/{user_id}") } else { "/org/users".into() };
    Ok(flash::see_other_with(&state, &back, "Rollen är borttagen."))
}
