//! The organisation's use cases. Each one checks permission, validates (rules in
//! `model.rs`), changes the data and its log entry in one transaction, and commits; the
//! pages and the API only translate HTTP into these calls and back, so both give the same
//! answers and messages.

use uuid::Uuid;

use super::may_manage;
use super::model::{BodyForm, GrantForm, MunicipalityForm, PersonForm, UnitForm, UserForm};
use super::store::{self, Body, Municipality, Person, Unit};
use crate::AppState;
use crate::audit_log::Actor;
use crate::auth::{Principal, accounts, password, tokens};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult};

// ---------------------------------------------------------------- reads

/// The bodies and units, read by everyone with a role in the municipality.
pub async fn bodies_and_units(state: &AppState, principal: &Principal) -> AppResult<(Vec<Body>, Vec<Unit>)> {
    principal.require(super::may_read(principal))?;
    let m = principal.tenant()?;
    Ok((store::list_bodies(&state.pool, m).await?, store::list_units(&state.pool, m).await?))
}

/// Whether the principal may open a form that adds to the organisation (saving checks again).
pub fn open_form(principal: &Principal) -> AppResult<()> {
    principal.require(may_manage(principal))
}

/// A body, for whoever keeps the organisation (to change or delete it).
pub async fn kept_body(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Body> {
    open_form(principal)?;
    store::get_body(&state.pool, principal.tenant()?, id).await
}

/// A unit, for whoever keeps the organisation.
pub async fn kept_unit(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Unit> {
    open_form(principal)?;
    store::get_unit(&state.pool, principal.tenant()?, id).await
}

/// A person, for whoever keeps the organisation.
pub async fn kept_person(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Person> {
    open_form(principal)?;
    store::get_person(&state.pool, principal.tenant()?, id).await
}

/// The staff directory: people whose name, title or email contains `search`, one page or all.
pub async fn people(
    db: &mut sqlx::PgConnection,
    principal: &Principal,
    search: &str,
    page: Option<i64>,
) -> AppResult<(Vec<Person>, crate::web::pagination::Pager)> {
    principal.require(super::may_read_directory(principal))?;
    store::search_people(db, principal.tenant()?, search, page).await
}

/// One person of the directory.
pub async fn person(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Person> {
    principal.require(super::may_read_directory(principal))?;
    store::get_person(&state.pool, principal.tenant()?, id).await
}

/// The accounts with a role in the municipality, a page at a time, for the coordinator.
pub async fn users(
    db: &mut sqlx::PgConnection,
    principal: &Principal,
    search: &str,
    asked: crate::web::pagination::Asked,
) -> AppResult<(Vec<store::UserView>, crate::web::pagination::Pager)> {
    principal.require(may_manage(principal))?;
    store::search_users(db, principal.tenant()?, search, asked).await
}

/// One account with its roles, for the coordinator.
pub async fn user(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<store::UserView> {
    principal.require(may_manage(principal))?;
    store::get_user(&state.pool, principal.tenant()?, id).await
}

/// An account the principal may disable, end the sessions of, or enable.
pub async fn manageable_account(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<accounts::Account> {
    let (account, may) = accounts::manageable(state, principal, id).await?;
    principal.require(may)?;
    Ok(account)
}

/// Every municipality, for the system administrator.
pub async fn municipalities(state: &AppState, principal: &Principal) -> AppResult<Vec<Municipality>> {
    open_municipality_form(principal)?;
    store::list_municipalities(&state.pool).await
}

/// One municipality, for the system administrator.
pub async fn municipality(state: &AppState, principal: &Principal, m: MunicipalityId) -> AppResult<Municipality> {
    open_municipality_form(principal)?;
    store::get_municipality(&state.pool, m).await
}

/// Whether the principal may open the municipality and IdP forms (system administrators).
pub fn open_municipality_form(principal: &Principal) -> AppResult<()> {
    principal.require(super::policy::may_administer(principal))
}

// ---------------------------------------------------------------- changes

pub async fn create_body(state: &AppState, principal: &Principal, form: &BodyForm) -> AppResult<Body> {
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let body = store::create_body(&mut tx, &Actor::from(principal), principal.tenant()?, &input).await?;
    tx.commit().await?;
    Ok(body)
}

pub async fn update_body(state: &AppState, principal: &Principal, id: Uuid, form: &BodyForm) -> AppResult<Body> {
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let body = store::update_body(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(body)
}

pub async fn delete_body(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    principal.require(may_manage(principal))?;
    let mut tx = state.pool.begin().await?;
    store::delete_body(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_unit(state: &AppState, principal: &Principal, form: &UnitForm) -> AppResult<Unit> {
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let unit = store::create_unit(&mut tx, &Actor::from(principal), principal.tenant()?, &input).await?;
    tx.commit().await?;
    Ok(unit)
}

pub async fn update_unit(state: &AppState, principal: &Principal, id: Uuid, form: &UnitForm) -> AppResult<Unit> {
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let unit = store::update_unit(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(unit)
}

pub async fn delete_unit(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    principal.require(may_manage(principal))?;
    let mut tx = state.pool.begin().await?;
    store::delete_unit(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_person(state: &AppState, principal: &Principal, form: &PersonForm) -> AppResult<Person> {
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let person = store::create_person(&mut tx, &Actor::from(principal), principal.tenant()?, &input).await?;
    tx.commit().await?;
    Ok(person)
}

pub async fn update_person(state: &AppState, principal: &Principal, id: Uuid, form: &PersonForm) -> AppResult<Person> {
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let person = store::update_person(&mut tx, &Actor::from(principal), principal.tenant()?, id, &input).await?;
    tx.commit().await?;
    Ok(person)
}

pub async fn delete_person(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    principal.require(may_manage(principal))?;
    let mut tx = state.pool.begin().await?;
    store::delete_person(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives a user who works here one more role.
pub async fn add_grant(state: &AppState, principal: &Principal, user_id: Uuid, form: &GrantForm) -> AppResult<()> {
    principal.require(may_manage(principal))?;
    let m = principal.tenant()?;
    store::get_user(&state.pool, m, user_id).await?;
    let input = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    store::add_grant(&mut tx, &Actor::from(principal), m, user_id, &input).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes one role from a user (404 unless the role is that user's).
pub async fn remove_grant(state: &AppState, principal: &Principal, user_id: Uuid, grant_id: Uuid) -> AppResult<()> {
    principal.require(may_manage(principal))?;
    let mut tx = state.pool.begin().await?;
    let holder = store::remove_grant(&mut tx, &Actor::from(principal), principal.tenant()?, grant_id).await?;
    if holder != user_id {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

pub async fn withdraw_invitation(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    principal.require(may_manage(principal))?;
    let mut tx = state.pool.begin().await?;
    store::withdraw_invitation(&mut tx, &Actor::from(principal), principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(())
}

/// A new municipality, in the caller's transaction: it starts with Lisa's requirement
/// catalogue, which it may then edit. The CLI, the demo data and the administrator's page all
/// make municipalities here.
pub async fn create_municipality(
    tx: &mut sqlx::PgConnection,
    actor: &Actor,
    input: &super::model::MunicipalityInput,
) -> AppResult<Municipality> {
    let created = store::insert_municipality(tx, actor, input).await?;
    crate::classification::store::add_starter_catalogue(tx, actor, created.id).await?;
    Ok(created)
}

/// Creates (no id) or changes a municipality (system administrators).
pub async fn save_municipality(
    state: &AppState,
    principal: &Principal,
    id: Option<Uuid>,
    form: &MunicipalityForm,
) -> AppResult<Municipality> {
    principal.require(super::policy::may_administer(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let actor = Actor::from(principal);
    let mut tx = state.pool.begin().await?;
    let saved = match id {
        Some(id) => store::update_municipality(&mut tx, &actor, MunicipalityId::chosen(id), &input).await?,
        None => create_municipality(&mut tx, &actor, &input).await?,
    };
    tx.commit().await?;
    Ok(saved)
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
/// revealed or changed until they accept. A new account has no password: its person chooses
/// one through a one-time link, mailed to them (or, without mail, returned to be shown once).
/// Until then the account is tied to this municipality: the link ends if it gains a role elsewhere.
pub async fn add_user(
    state: &AppState,
    principal: &Principal,
    m: MunicipalityId,
    form: &UserForm,
) -> AppResult<(Added, Option<accounts::ResetLink>)> {
    principal.require(may_manage(principal))?;
    let input = form.validate().map_err(AppError::Validation)?;
    let actor = Actor::from(principal);
    let mut tx = state.pool.begin().await?;
    let existing = store::find_user_id_by_email(&mut *tx, &input.email).await?;
    let works_here = match existing {
        Some(id) => store::has_role_in(&mut *tx, m, id).await?,
        None => false,
    };
    let mut first_password = None;
    let added = match existing {
        Some(id) if works_here || principal.is_admin => {
            store::add_grant(&mut tx, &actor, m, id, &input.grant).await?;
            Added::Granted(id)
        }
        Some(id) => {
            store::invite(&mut tx, &actor, m, id, &input).await?;
            Added::Invited
        }
        None => {
            let unset = password::unusable("unset");
            let id = store::create_account(&mut tx, &actor, &input.email, &input.display_name, &unset, false).await?;
            first_password = Some(accounts::insert_link(&mut tx, principal, m, id).await?);
            if principal.is_admin {
                store::add_grant(&mut tx, &actor, m, id, &input.grant).await?;
                Added::Granted(id)
            } else {
                store::invite(&mut tx, &actor, m, id, &input).await?;
                Added::Invited
            }
        }
    };
    tx.commit().await?;
    let link = match first_password {
        Some(secret) => Some(
            accounts::deliver_link(
                state,
                principal,
                &input.email,
                &input.display_name,
                &secret,
                accounts::LinkFor::FirstPassword,
            )
            .await,
        ),
        None => None,
    };
    Ok((added, link))
}

/// Accepts (or declines) one of the user's own invitations: accepting grants the role.
pub async fn answer_invitation(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    accept: bool,
) -> AppResult<MunicipalityId> {
    let mut tx = state.pool.begin().await?;
    let invitation = store::take_invitation(&mut tx, principal.user_id, id).await?;
    let m = MunicipalityId::chosen(invitation.municipality_id);
    // A session begun at one municipality's IdP acts only there; joining another takes a
    // sign-in under that municipality's own rules.
    if principal.via_idp() && !principal.municipalities.iter().any(|own| own.id == m.uuid()) {
        return Err(AppError::Refused(
            "Du loggade in via en annan kommuns inloggning. Logga in med lösenord (eller via den här kommunens \
             inloggning) för att svara på inbjudan."
                .into(),
        ));
    }
    let actor = Actor::from(principal);
    if accept {
        // The invitation is the user's way into that municipality.
        crate::db::tenant::act_for(&mut tx, m).await?;
        let grant = super::model::GrantInput { role: invitation.role, body_id: invitation.body_id };
        match store::add_grant(&mut tx, &actor, m, principal.user_id, &grant).await {
            // A role they already have (granted meanwhile) is simply kept.
            Ok(_) | Err(AppError::Validation(_)) => {}
            Err(other) => return Err(other),
        }
    }
    tx.commit().await?;
    // The answer changes the inviting municipality, which need not be the one the user works in
    // (the one the middleware marks as changed).
    crate::caches::changed(state, m);
    Ok(m)
}

// ---------------------------------------------------------------- the coordinator's account settings

/// A user's tokens in the municipality, for the coordinator.
pub async fn tokens_of_account(
    state: &AppState,
    principal: &Principal,
    user_id: Uuid,
) -> AppResult<Vec<tokens::Token>> {
    principal.require(may_manage(principal))?;
    tokens::of_user(&state.pool, user_id, Some(principal.tenant()?)).await
}

/// The coordinator requires it (or no longer does); those without it enrol at their next page.
pub async fn set_two_factor_rule(state: &AppState, principal: &Principal, required: bool) -> AppResult<()> {
    principal.require(may_manage(principal))?;
    let m = principal.tenant()?;
    let label = |on: bool| if on { "Krävs" } else { "Frivillig" };
    let mut tx = state.pool.begin().await?;
    // A subquery in RETURNING reads the row as it was before this statement.
    let before = sqlx::query_scalar!(
        "UPDATE municipalities SET require_totp = $2 WHERE id = $1
         RETURNING (SELECT require_totp FROM municipalities WHERE id = $1) AS \"before!\"",
        m.uuid(),
        required
    )
    .fetch_one(&mut *tx)
    .await?;
    let change = crate::audit_log::Change::updated(
        Some(m),
        crate::audit_log::EntityType::Municipality,
        m.uuid(),
        serde_json::json!({"Tvåstegsverifiering": label(before)}),
        serde_json::json!({"Tvåstegsverifiering": label(required)}),
    );
    crate::audit_log::record(&mut tx, &Actor::from(principal), change).await?;
    tx.commit().await?;
    Ok(())
}
