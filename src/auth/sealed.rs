//! Secrets Lisa must read back (an IdP's client secret, an account's TOTP secret), encrypted
//! with XChaCha20-Poly1305 under LISA_SECRET_KEY and bound to what they belong to (the
//! municipality, the account), so that a sealed value copied to another row does not open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

fn cipher(key: &[u8; 32]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.into())
}

/// Encrypts `secret` for `owner`: nonce (24 bytes) followed by the ciphertext.
pub fn seal(key: &[u8; 32], owner: &[u8], secret: &str) -> Vec<u8> {
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).expect("the system's random source");
    let sealed = cipher(key)
        .encrypt(&XNonce::from(nonce), Payload { msg: secret.as_bytes(), aad: owner })
        .expect("encryption of a short secret");
    [nonce.as_slice(), &sealed].concat()
}

/// Decrypts what `seal` made for the same owner with the same key.
pub fn open(key: &[u8; 32], owner: &[u8], sealed: &[u8]) -> Option<String> {
    let (nonce, body) = sealed.split_at_checked(24)?;
    let nonce = XNonce::from(<[u8; 24]>::try_from(nonce).ok()?);
    let plain = cipher(key).decrypt(&nonce, Payload { msg: body, aad: owner }).ok()?;
    String::from_utf8(plain).ok()
}

/// How a sealed text secret is kept in a text column.
const TEXT_PREFIX: &str = "sealed:";

/// A secret for a text column: sealed where a key is set, else as it is (a demo without
/// LISA_SECRET_KEY); `open_text` reads both.
pub fn seal_text(key: Option<&[u8; 32]>, owner: &[u8], secret: &str) -> String {
    match key {
        Some(key) => format!("{TEXT_PREFIX}{}", hex::encode(seal(key, owner, secret))),
        None => secret.to_string(),
    }
}

/// What `seal_text` kept: None when it is sealed and the key is missing or wrong.
pub fn open_text(key: Option<&[u8; 32]>, owner: &[u8], stored: &str) -> Option<String> {
    match stored.strip_prefix(TEXT_PREFIX) {
        Some(sealed) => open(key?, owner, &hex::decode(sealed).ok()?),
        None => Some(stored.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_for_its_owner() {
        let key = [7; 32];
        let stored = seal_text(Some(&key), b"user-1", "JBSWY3DPEHPK3PXP");
        assert!(stored.starts_with("sealed:") && !stored.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(open_text(Some(&key), b"user-1", &stored).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(open_text(Some(&key), b"user-2", &stored), None, "bound to its owner");
        assert_eq!(open_text(Some(&[8; 32]), b"user-1", &stored), None, "and to its key");
        assert_eq!(open_text(None, b"user-1", &stored), None);
        assert_eq!(seal_text(None, b"user-1", "PLAIN"), "PLAIN", "without a key, as it is");
        assert_eq!(open_text(Some(&key), b"user-1", "PLAIN").as_deref(), Some("PLAIN"), "older secrets still read");
    }
}
