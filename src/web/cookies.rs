//! Reading and writing the few cookies Lisa uses.

use axum::http::{HeaderMap, HeaderValue, header};

pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// An HttpOnly, SameSite=Lax cookie for the whole site; `Secure` when Lisa is served over HTTPS.
pub fn set(name: &str, value: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"))
        .expect("cookie values are hex tokens")
}

pub fn clear(name: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"))
        .expect("static cookie text")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; lisa_session=abc; b=2"));
        assert_eq!(get(&headers, "lisa_session").as_deref(), Some("abc"));
        assert_eq!(get(&headers, "missing"), None);
        assert!(set("x", "y", true).to_str().unwrap().contains("; Secure"));
        assert!(!set("x", "y", false).to_str().unwrap().contains("Secure"));
    }
}
