//! Password hashing with argon2id, off the async threads (it is slow on purpose).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::config::PasswordCost;

fn hasher(cost: PasswordCost) -> Argon2<'static> {
    let params = match cost {
        // OWASP's argon2id minimum: 19 MiB, 2 iterations, 1 lane.
        PasswordCost::Standard => Params::new(19 * 1024, 2, 1, None),
        PasswordCost::Fast => Params::new(1024, 1, 1, None),
    }
    .expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash(password: String, cost: PasswordCost) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        hasher(cost)
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
    })
    .await?
}

/// What an account without a password of its own holds instead (one made by a coordinator
/// whose person has not yet chosen one, or one that signs in only through its IdP): never a
/// valid hash, so no password matches it.
pub fn unusable(kind: &str) -> String {
    format!("{kind}:{}", super::session::random_token())
}

/// Checks `password` against a stored PHC string. Without a usable stored hash (no account,
/// or an account without a password) it still does the work of one verification, so that
/// response time does not tell which kind of account, if any, is behind an address.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match stored.as_deref().map(PasswordHash::new) {
        Some(Ok(parsed)) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        _ => {
            let _ = hasher(PasswordCost::Standard).hash_password(password.as_bytes());
            false
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let stored = hash("rätt lösenord".into(), PasswordCost::Fast).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("rätt lösenord".into(), Some(stored.clone())).await);
        assert!(!verify("fel lösenord".into(), Some(stored)).await);
        assert!(!verify("vad som helst".into(), None).await);
        assert!(!verify("x".into(), Some("inte en hash".into())).await);
    }
}
