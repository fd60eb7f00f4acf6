//! Queries for accounts and login throttling.

use sqlx::PgPool;
use uuid::Uuid;

use super::model::THROTTLE_WINDOW_MINUTES;
use crate::error::AppResult;

pub struct Credentials {
    pub id: Uuid,
    pub password_hash: String,
}

/// An enabled account by email (case-insensitive).
pub async fn find_credentials(pool: &PgPool, email: &str) -> AppResult<Option<Credentials>> {
    Ok(sqlx::query_as!(
        Credentials,
        "SELECT id, password_hash FROM users WHERE lower(email) = lower($1) AND NOT disabled",
        email
    )
    .fetch_optional(pool)
    .await?)
}

pub async fn password_hash(pool: &PgPool, user_id: Uuid) -> AppResult<String> {
    Ok(sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user_id).fetch_one(pool).await?)
}

pub async fn set_password_hash(pool: &PgPool, user_id: Uuid, hash: &str) -> AppResult<()> {
    sqlx::query!("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", user_id, hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Recent failures for each key, in the throttling window.
pub async fn recent_failures(pool: &PgPool, account_key: &str, address_key: &str) -> AppResult<(i64, i64)> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE throttle_key = $1) AS "account!",
                  count(*) FILTER (WHERE throttle_key = $2) AS "address!"
             FROM login_failures
            WHERE throttle_key IN ($1, $2) AND failed_at > now() - make_interval(mins => $3)"#,
        account_key,
        address_key,
        THROTTLE_WINDOW_MINUTES,
    )
    .fetch_one(pool)
    .await?;
    Ok((row.account, row.address))
}

pub async fn record_failure(pool: &PgPool, account_key: &str, address_key: &str) -> AppResult<()> {
    sqlx::query!("INSERT INTO login_failures (throttle_key) VALUES ($1), ($2)", account_key, address_key)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn clear_failures(pool: &PgPool, account_key: &str) -> AppResult<()> {
    sqlx::query!("DELETE FROM login_failures WHERE throttle_key = $1", account_key).execute(pool).await?;
    Ok(())
}
