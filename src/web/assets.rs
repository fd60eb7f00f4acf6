//! Static files, compiled into the binary so that Lisa runs from any folder.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

const FILES: &[(&str, &str, &[u8])] = &[
    ("lisa.css", "text/css; charset=utf-8", include_bytes!("../../static/lisa.css")),
    ("lisa.js", "text/javascript; charset=utf-8", include_bytes!("../../static/lisa.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../../static/favicon.svg")),
    ("icons.svg", "image/svg+xml", include_bytes!("../../static/icons.svg")),
];

pub async fn serve(Path(name): Path<String>) -> Result<Response, AppError> {
    let (_, content_type, body) = FILES.iter().find(|(n, _, _)| *n == name).ok_or(AppError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=3600")], *body)
        .into_response())
}
