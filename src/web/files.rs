//! Uploaded files: safe names, size limits, and downloads that browsers never render inline.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, AppResult, field_error};

/// Largest file accepted anywhere in Lisa.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The file name to store: its last path part, without control characters or quotes.
pub fn safe_name(file_name: &str, fallback: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(200).collect();
    if clean.trim().is_empty() { fallback.to_string() } else { clean.trim().to_string() }
}

/// The file sent in the `file` field of a multipart form: (name, content type, content).
pub async fn read_upload(mut multipart: axum::extract::Multipart) -> AppResult<(String, String, Vec<u8>)> {
    let unreadable = || AppError::BadRequest("Filen är för stor eller kunde inte läsas.".into());
    let mut upload = (String::new(), String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let content_type = field.content_type().unwrap_or("").to_string();
            upload = (name, content_type, field.bytes().await.map_err(|_| unreadable())?.to_vec());
        }
    }
    Ok(upload)
}

/// Refuses an empty or too large file (a message on the `file` field); returns the name to store
/// and the content type to serve it with.
pub fn accept_upload(
    file_name: &str,
    content_type: &str,
    content: &[u8],
    fallback: &str,
) -> AppResult<(String, String)> {
    if content.is_empty() {
        return Err(field_error("file", "Välj en fil att bifoga."));
    }
    if content.len() > MAX_FILE_BYTES {
        return Err(field_error("file", "Filen får vara högst 20 MB."));
    }
    let content_type = if content_type.trim().is_empty() { "application/octet-stream" } else { content_type.trim() };
    Ok((safe_name(file_name, fallback), content_type.to_string()))
}

/// A download: always an attachment, with an ASCII name beside the UTF-8 one.
pub fn download(file_name: &str, content_type: &str, content: Vec<u8>) -> Response {
    let ascii: String =
        file_name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let encoded = serde_urlencoded::to_string([("f", file_name)]).unwrap_or_default().replace('+', "%20");
    let disposition =
        format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", encoded.trim_start_matches("f="));
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], content)
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(safe_name("../../etc/Rapport \"IS\".pdf", "x"), "Rapport IS.pdf");
        assert_eq!(safe_name("C:\\Users\\a\\bild\u{7}.png", "x"), "bild.png");
        assert_eq!(safe_name("  ", "underlag"), "underlag");
    }
}
