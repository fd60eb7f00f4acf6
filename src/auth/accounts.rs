//! An account over its life, for the coordinator and the system administrator: disabling and
//! re-enabling it, ending its sessions, a one-time link to a new password — and the person's
//! own use of that link. Taking access away ends every session, revokes every API token and
//! removes the link to the person at the municipality's IdP.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::model::{Credential, Principal, check_new_password, may_manage_account};
use super::{password, session, tokens};
use crate::AppState;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::error::{AppError, AppResult, FieldErrors};

/// How long a link to a new password works.
pub const RESET_LINK_HOURS: i64 = 24;

/// An account as its coordinator sees it.
#[derive(Clone, Debug)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub last_login_method: Option<String>,
    /// Roles in the coordinator's municipality and no other.
    pub works_only_here: bool,
    /// Linked to a person at an IdP (signs in through the municipality).
    pub linked_to_idp: bool,
    /// Sessions still in use (neither idle nor too old), so a leaver's can be seen to be gone.
    pub open_sessions: i64,
}

impl Account {
    /// "2026-12-01 08:30 med lösenord", or that it never signed in.
    pub fn last_login_label(&self) -> String {
        let Some(at) = self.last_login_at else { return "Har aldrig loggat in".into() };
        let how = match self.last_login_method.as_deref() {
            Some("sso") => " med kommunens inloggning",
            Some("losenord") => " med lösenord",
            _ => "",
        };
        format!("{}{how}", crate::web::format::datetime(at))
    }
}

/// An account with a role in the principal's municipality (404 for any other), and whether the
/// principal may take its access away.
pub async fn manageable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<(Account, bool)> {
    let m = principal.tenant()?;
    let now = Utc::now();
    let idle_since = now - chrono::Duration::from_std(state.config.session_idle).map_err(anyhow::Error::from)?;
    let begun_since = now - chrono::Duration::from_std(state.config.session_absolute).map_err(anyhow::Error::from)?;
    let account = sqlx::query_as!(
        Account,
        r#"SELECT u.id, u.email, u.display_name, u.is_admin, u.disabled, u.last_login_at, u.last_login_method,
                  works_only_in(u.id, $2) AS "works_only_here!",
                  EXISTS (SELECT 1 FROM sso_identities i WHERE i.user_id = u.id) AS "linked_to_idp!",
                  (SELECT count(*) FROM sessions s
                    WHERE s.user_id = u.id AND s.last_seen_at >= $3 AND s.created_at >= $4) AS "open_sessions!"
             FROM users u
            WHERE u.id = $1 AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.municipality_id = $2)"#,
        id,
        m.uuid(),
        idle_since,
        begun_since
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let may = may_manage_account(principal, id, account.is_admin, account.works_only_here);
    Ok((account, may))
}

async fn require_manageable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Account> {
    let (account, may) = manageable(state, principal, id).await?;
    principal.require(may)?;
    Ok(account)
}

fn status(disabled: bool) -> &'static str {
    if disabled { "Avstängd" } else { "Aktiv" }
}

/// Disables an account (every session ends, every token is revoked) or enables it again.
pub async fn set_disabled(state: &AppState, principal: &Principal, id: Uuid, disabled: bool) -> AppResult<Account> {
    let before = require_manageable(state, principal, id).await?;
    let actor = Actor::from(principal);
    let mut tx = state.pool.begin().await?;
    sqlx::query!("UPDATE users SET disabled = $2, updated_at = now() WHERE id = $1", id, disabled)
        .execute(&mut *tx)
        .await?;
    let mut after = json!({"Status": status(disabled)});
    if disabled {
        let ended = sqlx::query!("DELETE FROM sessions WHERE user_id = $1", id).execute(&mut *tx).await?;
        after["Avslutade inloggningar"] = json!(ended.rows_affected());
        // The link to the person at the IdP goes too: enabled again, they are linked anew by email.
        let unlinked = sqlx::query!("DELETE FROM sso_identities WHERE user_id = $1", id).execute(&mut *tx).await?;
        after["Borttagna kopplingar till kommunens inloggning"] = json!(unlinked.rows_affected());
    }
    let change = Change::updated(
        Some(principal.tenant()?),
        EntityType::User,
        id,
        json!({"Status": status(before.disabled)}),
        after,
    );
    audit_log::record(&mut tx, &actor, change).await?;
    if disabled {
        tokens::revoke_all_of(&mut tx, &actor, id, "Kontot stängdes av").await?;
    }
    tx.commit().await?;
    Ok(Account { disabled, ..before })
}

/// Ends every session of the account (they must sign in again); its tokens stay.
pub async fn end_sessions(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<u64> {
    require_manageable(state, principal, id).await?;
    let mut tx = state.pool.begin().await?;
    let ended = sqlx::query!("DELETE FROM sessions WHERE user_id = $1", id).execute(&mut *tx).await?.rows_affected();
    let change = Change::updated(
        Some(principal.tenant()?),
        EntityType::User,
        id,
        json!({}),
        json!({"Inloggningar": format!("{ended} avslutade")}),
    );
    audit_log::record(&mut tx, &Actor::from(principal), change).await?;
    tx.commit().await?;
    Ok(ended)
}

/// A one-time link to a new password, made.
pub enum ResetLink {
    /// Emailed to the person (SMTP is configured): the coordinator never sees it.
    Sent { to: String },
    /// To be shown once, because no email could be sent; `mail_failed`: SMTP is configured but
    /// the mail did not go.
    Shown { link: String, mail_failed: bool },
}

impl ResetLink {
    pub fn sent_to(&self) -> Option<&str> {
        match self {
            ResetLink::Sent { to } => Some(to),
            ResetLink::Shown { .. } => None,
        }
    }

    pub fn shown(&self) -> Option<&str> {
        match self {
            ResetLink::Shown { link, .. } => Some(link),
            ResetLink::Sent { .. } => None,
        }
    }

    pub fn mail_failed(&self) -> bool {
        matches!(self, ResetLink::Shown { mail_failed: true, .. })
    }
}

/// Makes a one-time link to a new password, of which only the hash is kept: emailed to the
/// person where SMTP is configured, else shown once (also when the mail server fails, so that
/// nothing is lost).
pub async fn reset_link(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<ResetLink> {
    let account = require_manageable(state, principal, id).await?;
    principal.require(!account.disabled)?;
    let mut tx = state.pool.begin().await?;
    let secret = insert_link(&mut tx, principal, principal.tenant()?, id).await?;
    tx.commit().await?;
    Ok(deliver_link(state, principal, &account.email, &account.display_name, &secret, LinkFor::NewPassword).await)
}

/// What a password link is for, which its mail says.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum LinkFor {
    /// A new account's first password, chosen by its person.
    FirstPassword,
    NewPassword,
}

/// Stores a link made by `principal` for municipality `m` (it works only while they may still
/// manage the account there: `password_link_holds`), with a change-log entry; returns the secret.
pub async fn insert_link(
    tx: &mut sqlx::PgConnection,
    principal: &Principal,
    m: crate::db::MunicipalityId,
    id: Uuid,
) -> AppResult<String> {
    let secret = session::random_token();
    let expires_at = Utc::now() + chrono::Duration::hours(RESET_LINK_HOURS);
    sqlx::query!(
        "INSERT INTO password_resets (token_hash, user_id, expires_at, made_by, made_in) VALUES ($1, $2, $3, $4, $5)",
        session::token_hash(&secret),
        id,
        expires_at,
        principal.user_id,
        m.uuid()
    )
    .execute(&mut *tx)
    .await?;
    let after = json!({"Länk för nytt lösenord": format!("giltig till {}", crate::web::format::datetime(expires_at))});
    audit_log::record(tx, &Actor::from(principal), Change::updated(Some(m), EntityType::User, id, json!({}), after))
        .await?;
    Ok(secret)
}

/// Mails the link to the person, or (without mail, or when the mail fails) gives it back to be shown once.
pub async fn deliver_link(
    state: &AppState,
    principal: &Principal,
    email: &str,
    display_name: &str,
    secret: &str,
    purpose: LinkFor,
) -> ResetLink {
    let link = format!("{}/password-reset/{secret}", state.config.public_url.trim_end_matches('/'));
    let Some(smtp_url) = &state.config.smtp_url else { return ResetLink::Shown { link, mail_failed: false } };
    let by = &principal.display_name;
    let (subject, text) = match purpose {
        LinkFor::FirstPassword => (
            "Ditt konto i Lisa",
            format!(
                "Hej {display_name}!\n\n{by} har lagt till dig i Lisa, kommunens stöd för informationssäkerhet. \
                 Välj ditt lösenord här:\n\n{link}\n\nLänken fungerar en gång, i {RESET_LINK_HOURS} timmar. \
                 Väntade du dig inte det här, hör av dig till {by}.\n"
            ),
        ),
        LinkFor::NewPassword => (
            "Nytt lösenord i Lisa",
            format!(
                "Hej {display_name}!\n\n{by} har skapat en länk så att du kan välja ett nytt lösenord i Lisa:\n\n{link}\n\n\
                 Länken fungerar en gång, i {RESET_LINK_HOURS} timmar. Har du inte bett om ett nytt lösenord, \
                 hör av dig till {by}.\n"
            ),
        ),
    };
    let sent = async {
        let mailer = crate::mail::Mailer::new(smtp_url, &state.config.mail_from)?;
        mailer.send(email, display_name, subject, text).await
    };
    match sent.await {
        Ok(()) => ResetLink::Sent { to: email.to_string() },
        Err(err) => {
            tracing::warn!(error = %err, "the password link was not emailed; shown instead");
            ResetLink::Shown { link, mail_failed: true }
        }
    }
}

/// Whether a link still works: unused, within its time, for an account not disabled that has
/// gained no role elsewhere, and its maker may still manage the account (`password_link_holds`).
pub async fn reset_is_valid(state: &AppState, secret: &str) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(r#"SELECT password_link_holds($1) AS "valid!""#, session::token_hash(secret))
        .fetch_one(&state.pool)
        .await?)
}

/// Changes the signed-in person's own password when the current one matches. Their other
/// sessions end and their API tokens are revoked, in one transaction with the change-log entry;
/// returns how many tokens were revoked.
pub async fn change_own_password(
    state: &AppState,
    principal: &Principal,
    current: &str,
    new: &str,
    repeated: &str,
) -> AppResult<usize> {
    let Credential::Session { token_hash, .. } = &principal.credential else { return Err(AppError::Forbidden) };
    let mut errors = FieldErrors::new();
    let stored = super::store::password_hash(&state.pool, principal.user_id).await?;
    if !password::verify(current.to_string(), Some(stored)).await {
        errors.insert("current".into(), "Det nuvarande lösenordet stämmer inte.".into());
    }
    if let Err(message) = check_new_password(new, repeated) {
        errors.insert("new".into(), message.into());
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let hash = password::hash(new.to_string(), state.config.password_cost).await?;
    let actor = Actor::from(principal);
    let mut tx = state.pool.begin().await?;
    sqlx::query!(
        "UPDATE users SET password_hash = $2, must_change_password = false, updated_at = now() WHERE id = $1",
        principal.user_id,
        hash
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2", principal.user_id, token_hash)
        .execute(&mut *tx)
        .await?;
    end_other_links(&mut tx, principal.user_id).await?;
    let change = Change::updated(None, EntityType::User, principal.user_id, json!({}), json!({"Lösenord": "Bytt"}));
    audit_log::record(&mut tx, &actor, change).await?;
    let revoked = tokens::revoke_all_of(&mut tx, &actor, principal.user_id, "Lösenordet byttes").await?;
    tx.commit().await?;
    Ok(revoked)
}

/// Sets a new password through a link: once. Every session ends and every token is revoked,
/// as after any change of password.
pub async fn use_reset(state: &AppState, secret: &str, new: &str, repeated: &str) -> AppResult<()> {
    if let Err(message) = check_new_password(new, repeated) {
        return Err(AppError::Validation(FieldErrors::from([("new".to_string(), message.to_string())])));
    }
    let hash = password::hash(new.to_string(), state.config.password_cost).await?;
    let mut tx = state.pool.begin().await?;
    // The row lock makes two submissions of one link set one password, not two.
    let user = sqlx::query!(
        r#"SELECT u.id, u.display_name FROM password_resets r JOIN users u ON u.id = r.user_id
            WHERE r.token_hash = $1 AND password_link_holds($1)
              FOR UPDATE OF r"#,
        session::token_hash(secret)
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    sqlx::query!("UPDATE password_resets SET used_at = now() WHERE token_hash = $1", session::token_hash(secret))
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "UPDATE users SET password_hash = $2, must_change_password = false, updated_at = now() WHERE id = $1",
        user.id,
        hash
    )
    .execute(&mut *tx)
    .await?;
    end_other_links(&mut tx, user.id).await?;
    sqlx::query!("DELETE FROM sessions WHERE user_id = $1", user.id).execute(&mut *tx).await?;
    let actor = Actor { user_id: Some(user.id), name: user.display_name, request_id: None };
    let change = Change::updated(None, EntityType::User, user.id, json!({}), json!({"Lösenord": "Nytt, via länk"}));
    audit_log::record(&mut tx, &actor, change).await?;
    tokens::revoke_all_of(&mut tx, &actor, user.id, "Lösenordet byttes").await?;
    tx.commit().await?;
    Ok(())
}

/// A new password ends every link to another one made before it.
async fn end_other_links(tx: &mut sqlx::PgConnection, user_id: Uuid) -> AppResult<()> {
    sqlx::query!("UPDATE password_resets SET expires_at = now() WHERE user_id = $1 AND used_at IS NULL", user_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
