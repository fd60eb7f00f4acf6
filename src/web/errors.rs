//! Turns every error response into a Swedish HTML page or a JSON problem body, depending
//! on who asked. Handlers and axum's own rejections only set a status (and a [`Problem`]).

use askama::Template;
use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::error::Problem;
use crate::web::Chrome;
use crate::web::layout::Viewer;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    problem: Problem,
    request_id: String,
}

fn wants_json(path: &str, headers: &HeaderMap) -> bool {
    path.starts_with("/api/")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json") && !v.contains("text/html"))
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

pub async fn render(request: Request, next: Next) -> Response {
    let json = wants_json(request.uri().path(), request.headers());
    let path_and_query = request.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let path = request.uri().path().to_string();
    let request_id =
        request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let response = next.run(request).await;
    let status = response.status();
    // Pages that show their own errors (a form with messages) are left as they are.
    if !(status.is_client_error() || status.is_server_error()) || is_html(&response) {
        return response;
    }
    let known = response.extensions().get::<Problem>().cloned();
    if json {
        return match known {
            Some(_) => response,
            None => (status, Json(Problem::new(status, None))).into_response(),
        };
    }
    if status == StatusCode::UNAUTHORIZED {
        let next = serde_urlencoded::to_string([("next", path_and_query)]).unwrap_or_default();
        return Redirect::to(&format!("/login?{next}")).into_response();
    }
    let problem = known.unwrap_or_else(|| Problem::new(status, None));
    // A signed-in person keeps the menu and their name (the navigation leaves who it was).
    let chrome = match response.extensions().get::<Viewer>() {
        Some(viewer) => Chrome::for_viewer(viewer, &path, None),
        None => Chrome::anonymous(""),
    };
    let page = ErrorPage { chrome, problem, request_id };
    let mut rendered = match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, "Ett fel uppstod").into_response(),
    };
    if let Some(retry) = response.headers().get(header::RETRY_AFTER) {
        rendered.headers_mut().insert(header::RETRY_AFTER, retry.clone());
    }
    rendered
}
