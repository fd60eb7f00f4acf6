//! Signing in through a municipality's IdP, on the accounts' side: auth checks what the IdP
//! says (`auth::sso::finish`), and here the account is found by issuer and subject once linked,
//! the first time by verified email (or a claim the municipality names) among the
//! municipality's accounts, or made with the employee role where the municipality allows it.
//! Where the IdP decides roles, it sets the person's municipality-wide roles at every sign-in.

use serde_json::json;
use uuid::Uuid;

use super::model::GrantInput;
use super::store;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::auth::sso::{Refused, Vouched};
use crate::auth::{Role, password};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult};
use crate::{AppState, caches};

/// The refusal when the municipality's IdP decides roles and gives the person none.
const NO_ROLE: &str = "Kommunens inloggning ger dig ingen roll i Lisa. Be IT lägga till dig i rätt grupp.";

/// The account the IdP vouched for, or why the person may not sign in with it.
pub async fn sign_in(state: &AppState, vouched: &Vouched) -> Result<Uuid, Refused> {
    let refused = |message: String| Refused(message);
    let user_id = account_for(state, vouched).await.map_err(|e| match e {
        AppError::Forbidden => refused("Kontot är avstängt i Lisa.".into()),
        AppError::Conflict(message) => refused(message),
        other => refused(format!("{other}")),
    })?;
    let user_id = user_id.ok_or_else(|| {
        refused(match &vouched.key {
            Some(key) => format!("Det finns inget konto i Lisa för {key} i kommunen. Be samordnaren lägga till dig."),
            None => vouched.no_key.clone(),
        })
    })?;
    // A system administrator acts in every municipality, so no municipality's IdP vouches for one.
    let is_admin = sqlx::query_scalar!("SELECT is_admin FROM users WHERE id = $1", user_id)
        .fetch_one(&state.pool)
        .await
        .map_err(|e| refused(format!("Inloggningen kunde inte slutföras ({e}).")))?;
    if is_admin {
        return Err(refused(
            "Systemadministratörer loggar in med lösenord och tvåstegsverifiering, inte via en kommuns inloggning."
                .into(),
        ));
    }
    Ok(user_id)
}

/// The account for a person at the IdP: linked by subject; else an account of the municipality
/// whose email is `key` (the verified email or the configured claim), linked now; else one
/// created if the municipality allows it. `roles`: where the IdP decides roles, the ones its
/// groups give, set now. `Forbidden` for a disabled account; `Conflict` when the IdP gives no role.
async fn account_for(state: &AppState, vouched: &Vouched) -> AppResult<Option<Uuid>> {
    let Vouched { municipality: m, issuer, subject, roles, .. } = vouched;
    let (m, key) = (*m, vouched.key.as_deref());
    let mut tx = state.pool.begin().await?;
    crate::db::tenant::act_for(&mut tx, m).await?;
    let linked = sqlx::query!(
        "SELECT u.id, u.disabled, u.display_name FROM sso_identities i JOIN users u ON u.id = i.user_id
          WHERE i.issuer = $1 AND i.subject = $2",
        issuer,
        subject
    )
    .fetch_optional(&mut *tx)
    .await?;
    let (user_id, actor_name, link) = match linked {
        Some(user) if user.disabled => return Err(AppError::Forbidden),
        Some(user) => (user.id, user.display_name, None),
        None => {
            let Some(key) = key else { return Ok(None) };
            let existing = sqlx::query!(
                "SELECT u.id, u.disabled, u.display_name FROM users u
                  WHERE lower(u.email) = $1
                    AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.municipality_id = $2)",
                key,
                m.uuid()
            )
            .fetch_optional(&mut *tx)
            .await?;
            match existing {
                Some(user) if user.disabled => return Err(AppError::Forbidden),
                Some(user) => (user.id, user.display_name, Some("Kopplad till kommunens inloggning")),
                None if vouched.create_accounts && roles.as_ref().is_some_and(Vec::is_empty) => {
                    return Err(AppError::Conflict(NO_ROLE.into()));
                }
                None if vouched.create_accounts => {
                    let display_name =
                        vouched.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| key.to_string());
                    // No password: this person signs in through the IdP (a coordinator may send a link).
                    let unusable = password::unusable("sso-only");
                    let actor = Actor::system("Inloggning via kommunen");
                    let id = store::create_account(&mut tx, &actor, key, &display_name, &unusable, false).await?;
                    if roles.is_none() {
                        let grant = GrantInput { role: Role::Medarbetare, body_id: None };
                        store::add_grant(&mut tx, &actor, m, id, &grant).await?;
                    }
                    (id, display_name, Some("Skapad vid inloggning via kommunen"))
                }
                None => return Ok(None),
            }
        }
    };
    let actor = Actor { user_id: Some(user_id), name: actor_name, request_id: None };
    if let Some(what) = link {
        sqlx::query!(
            "INSERT INTO sso_identities (issuer, subject, user_id) VALUES ($1, $2, $3)",
            issuer,
            subject,
            user_id
        )
        .execute(&mut *tx)
        .await?;
        let change = Change::updated(
            Some(m),
            EntityType::User,
            user_id,
            json!({}),
            json!({"Inloggning": what, "Utfärdare": issuer}),
        );
        audit_log::record(&mut tx, &actor, change).await?;
    }
    // A sign-in is a GET, which the middleware does not count as a change: it may have linked
    // or made an account, or set its roles, so the municipality's lists are made afresh.
    let Some(roles) = roles else {
        tx.commit().await?;
        caches::changed(state, m);
        return Ok(Some(user_id));
    };
    set_roles_from_idp(&mut tx, &actor, m, user_id, roles).await?;
    let keeps_a_role = store::has_role_in(&mut *tx, m, user_id).await?;
    // The change stands even when it leaves no role: the IdP no longer gives this person one here.
    tx.commit().await?;
    caches::changed(state, m);
    if keeps_a_role { Ok(Some(user_id)) } else { Err(AppError::Conflict(NO_ROLE.into())) }
}

/// Makes the person's municipality-wide roles the ones the IdP's groups give, each change in
/// the change log. Roles tied to a body (a board's members) stay managed in Lisa, and so do a
/// break-glass account's: it is the way back in when the IdP or its groups are wrong.
async fn set_roles_from_idp(
    tx: &mut sqlx::PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    user_id: Uuid,
    roles: &[Role],
) -> AppResult<()> {
    let break_glass =
        sqlx::query_scalar!("SELECT break_glass FROM users WHERE id = $1", user_id).fetch_one(&mut *tx).await?;
    if break_glass {
        return Ok(());
    }
    let held = sqlx::query!(
        r#"SELECT id, role AS "role: Role" FROM role_grants WHERE municipality_id = $1 AND user_id = $2 AND body_id IS NULL"#,
        m.uuid(),
        user_id
    )
    .fetch_all(&mut *tx)
    .await?;
    for grant in held.iter().filter(|g| !roles.contains(&g.role)) {
        store::remove_grant(&mut *tx, actor, m, grant.id).await?;
    }
    for role in roles.iter().filter(|r| !held.iter().any(|g| g.role == **r)) {
        let grant = GrantInput { role: *role, body_id: None };
        store::add_grant(&mut *tx, actor, m, user_id, &grant).await?;
    }
    Ok(())
}
