//! Users with their roles here, adding someone (granted or invited), their roles.

use crate::web::form::PageForm;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::super::model::{GrantForm, UserForm};
use super::super::service;
use super::super::store::{self, UserView};
use super::body_options;
use crate::AppState;
use crate::auth::accounts::{self, Account};
use crate::auth::{Principal, Role};
use crate::db::MunicipalityId;
use crate::error::{AppResult, FieldErrors};
use crate::web::pagination::{Asked, ListQuery, Pager};
use crate::web::{Chrome, Confirmation, SelectOption, confirm, flash, options, split_validation, unprocessable};

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
    /// Every account with a password must sign in with two factors.
    two_factor_required: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/user.html")]
struct UserPage {
    chrome: Chrome,
    user: UserView,
    errors: FieldErrors,
    bodies: Vec<SelectOption>,
    roles: Vec<SelectOption>,
    account: Account,
    /// The principal may disable the account, end its sessions and make a password link.
    may_manage_account: bool,
    tokens: Vec<crate::auth::tokens::Token>,
    /// A link to a new password just made: sent, or shown this once.
    reset_link: Option<accounts::ResetLink>,
}

/// A new account added where Lisa has no mail: its first-password link, shown this once.
#[derive(Template, WebTemplate)]
#[template(path = "org/user_added.html")]
struct UserAddedPage {
    chrome: Chrome,
    email: String,
    granted: bool,
    link: String,
    mail_failed: bool,
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

/// What the user page shows besides the form: filled in once for every way it is shown.
struct Shown {
    form: GrantForm,
    errors: FieldErrors,
    reset_link: Option<accounts::ResetLink>,
}

impl Shown {
    fn plain() -> Shown {
        Shown { form: GrantForm::default(), errors: FieldErrors::new(), reset_link: None }
    }
}

async fn user_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    shown: Shown,
) -> AppResult<UserPage> {
    let user = service::user(state, principal, id).await?;
    let m = principal.tenant()?;
    let (account, may_manage_account) = accounts::manageable(state, principal, id).await?;
    let bodies = body_options(store::list_bodies(&state.pool, m).await?, &shown.form.body_id);
    let roles = role_options(&shown.form.role);
    let tokens = service::tokens_of_account(state, principal, id).await?;
    Ok(UserPage {
        chrome,
        user,
        errors: shown.errors,
        bodies,
        roles,
        account,
        may_manage_account,
        tokens,
        reset_link: shown.reset_link,
    })
}

async fn user_form(
    state: &AppState,
    m: MunicipalityId,
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
    let m = principal.tenant()?;
    let mut conn = state.pool.acquire().await?;
    let asked = Asked::page(query.page.as_deref());
    let (users, pager) = service::users(&mut conn, &principal, query.search(), asked).await?;
    let invitations = store::sent_invitations(&mut *conn, m).await?;
    let at_least = crate::auth::pages::ACCOUNT_FAILURES_WORTH_A_WARNING;
    let failures = crate::auth::store::repeated_failures(&mut *conn, m, at_least).await?;
    let two_factor_required = crate::auth::two_factor::required_here(&mut *conn, m).await?;
    let q = query.search().to_string();
    let query_without_page = serde_urlencoded::to_string([("q", &q)]).unwrap_or_default();
    Ok(UsersPage { chrome, users, pager, q, query_without_page, invitations, failures, two_factor_required }
        .into_response())
}

pub async fn show_user(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(user_page(&state, &principal, chrome, id, Shown::plain()).await?.into_response())
}

pub async fn new_user(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    service::open_form(&principal)?;
    let form = UserForm { role: Role::Medarbetare.code().into(), ..UserForm::default() };
    Ok(user_form(&state, principal.tenant()?, chrome, form, FieldErrors::new()).await?.into_response())
}

pub async fn create_user(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<UserForm>,
) -> AppResult<Response> {
    let m = principal.tenant()?;
    let email = form.email.trim().to_lowercase();
    match split_validation(service::add_user(&state, &principal, m, &form).await)? {
        // Without mail, the new account's first-password link is shown here, once.
        Ok((added, Some(accounts::ResetLink::Shown { link, mail_failed }))) => {
            let granted = matches!(added, service::Added::Granted(_));
            Ok(UserAddedPage { chrome, email, granted, link, mail_failed }.into_response())
        }
        Ok((service::Added::Granted(user_id), _)) => {
            Ok(flash::see_other_with(&state, &format!("/org/users/{user_id}"), "Användaren har fått sin roll."))
        }
        Ok((service::Added::Invited, _)) => Ok(flash::see_other_with(
            &state,
            "/org/users",
            &format!(
                "{email} är inbjuden. Rollen gäller när personen har loggat in och tackat ja. \
                 Har personen inget konto i Lisa får hen en länk med e-post för att välja sitt lösenord."
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
    PageForm(form): PageForm<GrantForm>,
) -> AppResult<Response> {
    match split_validation(service::add_grant(&state, &principal, id, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/org/users/{id}"), "Rollen är tillagd.")),
        Err(errors) => {
            let shown = Shown { form, errors, reset_link: None };
            Ok(unprocessable(user_page(&state, &principal, chrome, id, shown).await?))
        }
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

// ---------------------------------------------------------------- the account over its life

pub async fn confirm_disable(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let account = service::manageable_account(&state, &principal, id).await?;
    let question = format!("Stänga av kontot för {}?", account.display_name);
    let asked = Confirmation {
        question: &question,
        consequence: "Personen loggas ut överallt, kan inte logga in (inte heller via kommunens inloggning) och alla API-nycklar återkallas. Kontot och dess historik finns kvar, och du kan öppna det igen.",
        button: "Ja, stäng av kontot",
    };
    Ok(confirm(chrome, asked, &format!("/org/users/{id}/disable"), &format!("/org/users/{id}")))
}

pub async fn disable(State(state): State<AppState>, principal: Principal, Path(id): Path<Uuid>) -> AppResult<Response> {
    let account = accounts::set_disabled(&state, &principal, id, true).await?;
    let message =
        format!("Kontot för {} är avstängt. Inloggningar och API-nycklar har tagits bort.", account.display_name);
    Ok(flash::see_other_with(&state, &format!("/org/users/{id}"), &message))
}

pub async fn enable(State(state): State<AppState>, principal: Principal, Path(id): Path<Uuid>) -> AppResult<Response> {
    let account = accounts::set_disabled(&state, &principal, id, false).await?;
    let message = format!("Kontot för {} är öppnat igen.", account.display_name);
    Ok(flash::see_other_with(&state, &format!("/org/users/{id}"), &message))
}

pub async fn end_sessions(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let ended = accounts::end_sessions(&state, &principal, id).await?;
    let message = format!("{ended} inloggningar avslutades. Personen behöver logga in igen.");
    Ok(flash::see_other_with(&state, &format!("/org/users/{id}"), &message))
}

/// Makes a link to a new password: emailed, or shown on the page once.
pub async fn reset_link(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let link = accounts::reset_link(&state, &principal, id).await?;
    let shown = Shown { reset_link: Some(link), ..Shown::plain() };
    Ok(user_page(&state, &principal, chrome, id, shown).await?.into_response())
}

#[derive(serde::Deserialize)]
pub struct TwoFactorRule {
    #[serde(default)]
    required: bool,
}

pub async fn set_two_factor_rule(
    State(state): State<AppState>,
    principal: Principal,
    PageForm(form): PageForm<TwoFactorRule>,
) -> AppResult<Response> {
    service::set_two_factor_rule(&state, &principal, form.required).await?;
    let message = if form.required {
        "Tvåstegsverifiering krävs nu. Den som inte har slagit på den gör det vid nästa sida."
    } else {
        "Tvåstegsverifiering är nu frivillig."
    };
    Ok(flash::see_other_with(&state, "/org/users", message))
}
