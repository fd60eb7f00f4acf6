//! Queries for accounts and login throttling.

use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use super::model::{Failures, THROTTLE_WINDOW_MINUTES};
use crate::db::MunicipalityId;
use crate::error::AppResult;

pub struct Credentials {
    pub id: Uuid,
    pub password_hash: String,
    /// A code from an authenticator app is asked for after the password.
    pub has_two_factor: bool,
}

/// An enabled account by email (case-insensitive).
pub async fn find_credentials(pool: &PgPool, email: &str) -> AppResult<Option<Credentials>> {
    Ok(sqlx::query_as!(
        Credentials,
        r#"SELECT id, password_hash, totp_secret IS NOT NULL AS "has_two_factor!"
             FROM users WHERE lower(email) = lower($1) AND NOT disabled"#,
        email
    )
    .fetch_optional(pool)
    .await?)
}

/// How many invitations wait for the user (call with the user's database context: they are
/// the user's own in other municipalities).
pub async fn open_invitations(pool: &PgPool, user_id: Uuid) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM invitations WHERE user_id = $1"#, user_id)
        .fetch_one(pool)
        .await?)
}

pub async fn password_hash(pool: &PgPool, user_id: Uuid) -> AppResult<String> {
    Ok(sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user_id).fetch_one(pool).await?)
}

/// The keys a login attempt is throttled by: the typed email, the client's address, and the two together.
pub struct ThrottleKeys {
    pub account: String,
    pub address: String,
    pub pair: String,
}

impl ThrottleKeys {
    pub fn new(email: &str, address: &str) -> Self {
        ThrottleKeys {
            account: format!("account:{email}"),
            address: format!("address:{address}"),
            pair: format!("pair:{email}|{address}"),
        }
    }
}

/// Recent failures for each key, in the throttling window; the account's since its last login.
pub async fn recent_failures(pool: &PgPool, keys: &ThrottleKeys, email: &str) -> AppResult<Failures> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE throttle_key = $1) AS "pair!",
                  count(*) FILTER (WHERE throttle_key = $2) AS "address!",
                  count(*) FILTER (WHERE throttle_key = $3
                                     AND failed_at > COALESCE((SELECT last_login_at FROM users WHERE lower(email) = lower($5)),
                                                              '-infinity')) AS "account!"
             FROM login_failures
            WHERE throttle_key IN ($1, $2, $3) AND failed_at > now() - make_interval(mins => $4)"#,
        keys.pair,
        keys.address,
        keys.account,
        THROTTLE_WINDOW_MINUTES,
        email
    )
    .fetch_one(pool)
    .await?;
    Ok(Failures { pair: row.pair, address: row.address, account: row.account })
}

pub async fn record_failure(pool: &PgPool, keys: &ThrottleKeys) -> AppResult<()> {
    sqlx::query!(
        "INSERT INTO login_failures (throttle_key) VALUES ($1), ($2), ($3)",
        keys.account,
        keys.address,
        keys.pair
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A right password clears its address' failures for the account; the account's failures
/// stay (the coordinator sees them) but no longer slow it down.
pub async fn clear_failures(pool: &PgPool, keys: &ThrottleKeys) -> AppResult<()> {
    sqlx::query!("DELETE FROM login_failures WHERE throttle_key = $1", keys.pair).execute(pool).await?;
    Ok(())
}

/// Remembers a completed sign-in and how it was made; returns where the user last worked,
/// where their new session starts.
pub async fn record_sign_in(pool: &PgPool, user_id: Uuid, method: &str) -> AppResult<Option<Uuid>> {
    Ok(sqlx::query_scalar!(
        "UPDATE users SET last_login_at = now(), last_login_method = $2 WHERE id = $1 RETURNING last_municipality_id",
        user_id,
        method
    )
    .fetch_one(pool)
    .await?)
}

/// Failed logins in the last day against accounts with a role in the municipality, at least
/// `at_least` each, for the coordinator.
pub struct RepeatedFailures {
    pub email: String,
    pub display_name: String,
    pub failures: i64,
    pub latest: chrono::DateTime<chrono::Utc>,
}

pub async fn repeated_failures(
    db: impl PgExecutor<'_>,
    m: MunicipalityId,
    at_least: i64,
) -> AppResult<Vec<RepeatedFailures>> {
    Ok(sqlx::query_as!(
        RepeatedFailures,
        r#"SELECT u.email, u.display_name, count(*) AS "failures!", max(f.failed_at) AS "latest!"
             FROM users u
             JOIN login_failures f ON f.throttle_key = 'account:' || lower(u.email)
            WHERE f.failed_at > now() - interval '1 day'
              AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.municipality_id = $1)
            GROUP BY u.email, u.display_name
           HAVING count(*) >= $2
            ORDER BY count(*) DESC, u.email"#,
        m.uuid(),
        at_least
    )
    .fetch_all(db)
    .await?)
}

/// Remembers where the user works now, for their next session.
pub async fn set_last_municipality(pool: &PgPool, user_id: Uuid, m: MunicipalityId) -> AppResult<()> {
    sqlx::query!("UPDATE users SET last_municipality_id = $2 WHERE id = $1", user_id, m.uuid()).execute(pool).await?;
    Ok(())
}
