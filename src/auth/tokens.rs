//! Personal API tokens over their life: made with a name, a lifetime and a scope, listed for
//! their owner (and for the municipality's coordinator on the user's page), revoked by either,
//! and all revoked when the account is disabled or its password changes. Only hashes are kept.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{Credential, Principal, TokenState, may_revoke_token, token_lifetime, token_state};
use super::session;
use crate::AppState;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, FieldErrors};

/// A token as its owner and the coordinator see it: never the token itself.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Token {
    pub id: Uuid,
    pub name: String,
    pub user_id: Uuid,
    pub user_name: String,
    pub municipality_id: Uuid,
    pub municipality_name: String,
    /// Only reads: every change is refused.
    pub read_only: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub state: TokenState,
}

impl Token {
    pub fn scope_label(&self) -> &'static str {
        scope_label(self.read_only)
    }

    /// When it was last used, or "Aldrig".
    pub fn last_used_label(&self) -> String {
        self.last_used_at.map_or_else(|| "Aldrig".to_string(), crate::web::format::datetime)
    }
}

fn scope_label(read_only: bool) -> &'static str {
    if read_only { "Läsa" } else { "Läsa och ändra" }
}

/// A new token as asked for on the page or through the API.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TokenForm {
    /// What the token is for, e.g. "Rapport till ledningsgruppen".
    #[serde(default)]
    pub name: String,
    /// Days until it stops working: 1–365; empty for 90.
    #[serde(default)]
    pub expires_in_days: String,
    /// Only reads (GET); every change made with it is refused.
    #[serde(default)]
    pub read_only: bool,
}

pub struct NewToken {
    pub name: String,
    pub days: i64,
    pub read_only: bool,
}

impl TokenForm {
    pub fn validate(&self) -> Result<NewToken, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.insert("name".into(), "Ge nyckeln ett namn, till exempel vad den används till.".into());
        } else if name.chars().count() > 100 {
            errors.insert("name".into(), "Namnet får ha högst 100 tecken.".into());
        }
        let days = token_lifetime(&self.expires_in_days).unwrap_or_else(|message| {
            errors.insert("expires_in_days".into(), message.into());
            0
        });
        if errors.is_empty() {
            Ok(NewToken { name: name.to_string(), days, read_only: self.read_only })
        } else {
            Err(errors)
        }
    }
}

// ---------------------------------------------------------------- queries

struct Row {
    id: Uuid,
    name: String,
    user_id: Uuid,
    user_name: String,
    municipality_id: Uuid,
    municipality_name: String,
    read_only: bool,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<Row> for Token {
    fn from(r: Row) -> Token {
        Token {
            state: token_state(r.expires_at, r.revoked_at, Utc::now()),
            id: r.id,
            name: r.name,
            user_id: r.user_id,
            user_name: r.user_name,
            municipality_id: r.municipality_id,
            municipality_name: r.municipality_name,
            read_only: r.read_only,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// Tokens by id, newest first.
async fn by_ids(db: impl PgExecutor<'_>, ids: &[Uuid]) -> AppResult<Vec<Token>> {
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT t.id, t.name, t.user_id, u.display_name AS user_name, t.municipality_id,
                  m.name AS municipality_name, t.read_only, t.created_at, t.expires_at, t.last_used_at, t.revoked_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN municipalities m ON m.id = t.municipality_id
            WHERE t.id = ANY($1)
            ORDER BY t.created_at DESC, t.id"#,
        ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Token::from).collect())
}

async fn one(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Token> {
    by_ids(db, &[id]).await?.pop().ok_or(AppError::NotFound)
}

/// A user's tokens: in every municipality (`None`), or in one.
pub async fn of_user(pool: &sqlx::PgPool, user_id: Uuid, m: Option<MunicipalityId>) -> AppResult<Vec<Token>> {
    let ids = match m {
        None => sqlx::query_scalar!("SELECT id FROM api_tokens WHERE user_id = $1", user_id).fetch_all(pool).await?,
        Some(m) => {
            sqlx::query_scalar!(
                "SELECT id FROM api_tokens WHERE user_id = $1 AND municipality_id = $2",
                user_id,
                m.uuid()
            )
            .fetch_all(pool)
            .await?
        }
    };
    by_ids(pool, &ids).await
}

/// Makes a token; returns its id and the token itself, which is shown once and never stored.
pub async fn insert(
    conn: &mut PgConnection,
    actor: &Actor,
    user_id: Uuid,
    m: MunicipalityId,
    new: &NewToken,
) -> AppResult<(Uuid, String)> {
    let id = Uuid::new_v4();
    let secret = format!("lisa_{}", session::random_token());
    let expires_at = Utc::now() + chrono::Duration::days(new.days);
    sqlx::query!(
        "INSERT INTO api_tokens (id, user_id, municipality_id, token_hash, name, expires_at, read_only)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        user_id,
        m.uuid(),
        session::token_hash(&secret),
        new.name,
        expires_at,
        new.read_only,
    )
    .execute(&mut *conn)
    .await?;
    let after = json!({"Namn": new.name, "Giltig till": crate::web::format::date(expires_at.date_naive()),
                       "Behörighet": scope_label(new.read_only)});
    audit_log::record(conn, actor, Change::created(Some(m), EntityType::ApiToken, id, after)).await?;
    Ok((id, secret))
}

/// Revokes a token that still works; one already revoked is left as it was. Call it last in
/// a transaction: it leaves the transaction working for the token's municipality.
async fn revoke_one(conn: &mut PgConnection, actor: &Actor, token: &Token, why: &str) -> AppResult<()> {
    let revoked =
        sqlx::query!("UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", token.id)
            .execute(&mut *conn)
            .await?;
    if revoked.rows_affected() == 1 {
        // The entry belongs to the token's municipality, which need not be the one worked in.
        let m = MunicipalityId::chosen(token.municipality_id);
        crate::db::tenant::act_for(conn, m).await?;
        let change = Change::updated(
            Some(m),
            EntityType::ApiToken,
            token.id,
            json!({"Namn": token.name, "Status": "Giltig"}),
            json!({"Namn": token.name, "Status": "Återkallad", "Orsak": why}),
        );
        audit_log::record(conn, actor, change).await?;
    }
    Ok(())
}

/// Revokes every token of a user (their account was disabled or their password changed);
/// last in a transaction, as `revoke_one`.
pub async fn revoke_all_of(conn: &mut PgConnection, actor: &Actor, user_id: Uuid, why: &str) -> AppResult<usize> {
    let ids = sqlx::query_scalar!("SELECT id FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL", user_id)
        .fetch_all(&mut *conn)
        .await?;
    let tokens = by_ids(&mut *conn, &ids).await?;
    for token in &tokens {
        revoke_one(conn, actor, token, why).await?;
    }
    Ok(tokens.len())
}

/// The token a secret or an id names, for the command line.
pub async fn find(pool: &sqlx::PgPool, secret_or_id: &str) -> AppResult<Token> {
    let id = match Uuid::parse_str(secret_or_id.trim()) {
        Ok(id) => id,
        Err(_) => sqlx::query_scalar!(
            "SELECT id FROM api_tokens WHERE token_hash = $1",
            session::token_hash(secret_or_id.trim())
        )
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?,
    };
    one(pool, id).await
}

// ---------------------------------------------------------------- use cases

/// A token of one's own for the municipality one works in now.
/// Only a browser session makes tokens: a token that made tokens could outlive its own
/// revocation through them. Not where the municipality requires two-factor of an account
/// without it (a session begun at the IdP may lack Lisa's).
pub async fn create(state: &AppState, principal: &Principal, form: &TokenForm) -> AppResult<(Token, String)> {
    principal.require(principal.is_member())?;
    if !matches!(principal.credential, Credential::Session { .. }) {
        return Err(AppError::Refused("API-nycklar skapas i webbläsaren, under Mina API-nycklar.".into()));
    }
    let m = principal.tenant()?;
    if !principal.two_factor_enabled && super::two_factor::required_here(&state.pool, m).await? {
        return Err(AppError::Refused(session::TOKEN_NEEDS_TWO_FACTOR.into()));
    }
    let new = form.validate().map_err(AppError::Validation)?;
    let mut tx = state.pool.begin().await?;
    let (id, secret) = insert(&mut tx, &Actor::from(principal), principal.user_id, principal.tenant()?, &new).await?;
    let token = one(&mut *tx, id).await?;
    tx.commit().await?;
    Ok((token, secret))
}

/// One's own tokens in every municipality.
pub async fn mine(state: &AppState, principal: &Principal) -> AppResult<Vec<Token>> {
    of_user(&state.pool, principal.user_id, None).await
}

/// The token, if the principal may revoke it (404 for one they may not even know of).
pub async fn revocable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Token> {
    let token = one(&state.pool, id).await?;
    if !may_revoke_token(principal, token.user_id, token.municipality_id) {
        return Err(AppError::NotFound);
    }
    Ok(token)
}

pub async fn revoke(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Token> {
    let token = revocable(state, principal, id).await?;
    let why = if token.user_id == principal.user_id { "Återkallad av ägaren" } else { "Återkallad av samordnaren" };
    let mut tx = state.pool.begin().await?;
    revoke_one(&mut tx, &Actor::from(principal), &token, why).await?;
    let token = one(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(token)
}

/// A token made outside a request (the command line, the tests), in its own transaction.
pub async fn issue(
    pool: &sqlx::PgPool,
    actor: &Actor,
    user_id: Uuid,
    m: MunicipalityId,
    new: &NewToken,
) -> AppResult<String> {
    let mut tx = pool.begin().await?;
    let (_, secret) = insert(&mut tx, actor, user_id, m, new).await?;
    tx.commit().await?;
    Ok(secret)
}

/// Revokes a token from the command line.
pub async fn revoke_from_cli(state: &AppState, actor: &Actor, secret_or_id: &str) -> AppResult<Token> {
    let token = find(&state.pool, secret_or_id).await?;
    let mut tx = state.pool.begin().await?;
    revoke_one(&mut tx, actor, &token, "Återkallad från kommandoraden").await?;
    let token = one(&mut *tx, token.id).await?;
    tx.commit().await?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_needs_a_name_and_a_lifetime_within_a_year() {
        let form =
            |name: &str, days: &str| TokenForm { name: name.into(), expires_in_days: days.into(), read_only: true };
        let made = form(" Power BI ", "").validate().ok().unwrap();
        assert_eq!((made.name.as_str(), made.days, made.read_only), ("Power BI", 90, true));
        let errors = form(" ", "400").validate().err().unwrap();
        assert!(errors.contains_key("name") && errors.contains_key("expires_in_days"), "{errors:?}");
        assert!(form(&"x".repeat(101), "30").validate().is_err());
    }
}
