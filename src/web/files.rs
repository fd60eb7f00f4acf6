//! Uploaded files: safe names, size limits, and downloads that browsers never render inline.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// Largest file accepted anywhere in Lisa.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The file name to store: its last path part, without control characters or quotes.
pub fn safe_name(file_name: &str, fallback: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(200).collect();
    if clean.trim().is_empty() { fallback.to_string() } else { clean.trim().to_string() }
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
