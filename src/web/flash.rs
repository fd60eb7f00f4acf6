//! One-time messages ("Ändringarna är sparade.") carried to the next page in a short-lived
//! cookie, so that showing one needs no database write and works on any instance.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::web::{cookies, see_other};

pub const COOKIE: &str = "lisa_flash";

/// Redirects (post/redirect/get) and leaves `message` for the page redirected to.
pub fn see_other_with(state: &AppState, location: &str, message: &str) -> Response {
    let mut response = see_other(location);
    let encoded = serde_urlencoded::to_string([("m", message)]).unwrap_or_default();
    let value = encoded.trim_start_matches("m=");
    response.headers_mut().append(header::SET_COOKIE, cookies::set(COOKIE, value, state.config.secure_cookies));
    response
}

/// The message waiting for this request, if any.
pub fn read(headers: &HeaderMap) -> Option<String> {
    let value = cookies::get(headers, COOKIE)?;
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("m={value}")).ok()?.pop().map(|(_, m)| m)
}

/// Middleware: once a page has shown the message, the cookie is cleared.
pub async fn clear_when_shown(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let had_message = cookies::get(request.headers(), COOKIE).is_some();
    let mut response = next.run(request).await;
    let sets_new = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.starts_with(&format!("{COOKIE}="))));
    if had_message && !sets_new && response.status().is_success() {
        response.headers_mut().append(header::SET_COOKIE, cookies::clear(COOKIE, state.config.secure_cookies));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn messages_survive_the_cookie_round_trip() {
        let message = "Bildningsnämnden har lagts till; 100 % klart.";
        let encoded = serde_urlencoded::to_string([("m", message)]).unwrap();
        let mut headers = HeaderMap::new();
        let cookie = format!("lisa_flash={}", encoded.trim_start_matches("m="));
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert_eq!(read(&headers).as_deref(), Some(message));
    }
}
