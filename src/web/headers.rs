//! Security headers on every response.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// No inline script anywhere: scripts, styles and images come only from `/static`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

pub fn apply<S: Clone + Send + Sync + 'static>(router: Router<S>, https: bool) -> Router<S> {
    let mut headers: Vec<(HeaderName, &'static str)> = vec![
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        // Pages and downloads hold the municipality's data: no cache keeps them (static files
        // set their own, public caching).
        (header::CACHE_CONTROL, "no-store"),
    ];
    if https {
        headers.push((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains"));
    }
    headers.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)))
    })
}

/// A request id a client may choose: short, of letters, digits, dots, dashes and underscores.
pub fn is_safe_request_id(id: &[u8]) -> bool {
    !id.is_empty() && id.len() <= 64 && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Middleware: a client-chosen `X-Request-Id` that is not a safe token is dropped, so that Lisa
/// makes its own (the id goes into logs, the change log and error pages).
pub async fn drop_unsafe_request_id(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let name = HeaderName::from_static("x-request-id");
    if request.headers().get(&name).is_some_and(|id| !is_safe_request_id(id.as_bytes())) {
        request.headers_mut().remove(&name);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_short_plain_request_ids_are_kept() {
        assert!(super::is_safe_request_id(b"3f2a-bc_1.x"));
        assert!(!super::is_safe_request_id(b""));
        assert!(!super::is_safe_request_id(b"<script>"));
        assert!(!super::is_safe_request_id(b"a b"));
        assert!(!super::is_safe_request_id(&[b'a'; 65]));
    }
}
