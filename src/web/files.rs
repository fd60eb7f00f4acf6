//! Uploaded files: safe names, size limits, and downloads that browsers never render inline.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, AppResult, field_error};

/// Largest file accepted anywhere in Lisa.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The body limit of every upload route, page or API: the file and a little form around it.
pub fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(MAX_FILE_BYTES + 64 * 1024)
}

/// Characters that reorder text on screen, so that "rapport\u{202e}fdp.exe" reads as
/// "rapportexe.pdf": never part of a stored name.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The file name to store: its last path part, without control characters, direction marks or quotes.
pub fn safe_name(file_name: &str, fallback: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String =
        base.chars().filter(|c| !c.is_control() && !is_bidi_control(*c) && *c != '"').take(200).collect();
    if clean.trim().is_empty() { fallback.to_string() } else { clean.trim().to_string() }
}

/// The content types served as themselves: documents, images and plain text. Anything else
/// (HTML, SVG, scripts, whatever a client claimed) is served as `application/octet-stream`.
pub fn served_type(content_type: &str) -> &'static str {
    const ALLOWED: [&str; 17] = [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/rtf",
    ];
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    ALLOWED.iter().find(|allowed| **allowed == essence).copied().unwrap_or("application/octet-stream")
}

/// How much one compressed stream of an uploaded PDF may inflate to while it is checked.
const PDF_STREAM_LIMIT: usize = 1024 * 1024;

/// How many object streams of an uploaded PDF are inflated to check them; the rest are
/// passed over, so a check inflates at most this many times `PDF_STREAM_LIMIT` in all.
const PDF_OBJECT_STREAMS_CHECKED: usize = 8;

std::thread_local! {
    static OBJECT_STREAMS_SEEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// lopdf's object filter (a plain function, called on the loading thread before it inflates an
/// object stream): keeps the first object streams and drops the others uninflated.
fn bounded_object_streams(id: lopdf::ObjectId, object: &mut lopdf::Object) -> Option<(lopdf::ObjectId, lopdf::Object)> {
    if object.as_stream().is_ok_and(|stream| stream.dict.has_type(b"ObjStm")) {
        let seen = OBJECT_STREAMS_SEEN.get() + 1;
        OBJECT_STREAMS_SEEN.set(seen);
        if seen > PDF_OBJECT_STREAMS_CHECKED {
            return None;
        }
    }
    // lopdf goes on with `object` for the document's own objects and takes the returned copy
    // for those inside object streams, so both must be the object.
    Some((id, object.clone()))
}

/// Whether the content is a PDF a reader can open: it must parse, not just start like one.
/// The check inflates a few megabytes at most (a decompression bomb is refused, not inflated)
/// and runs as heavy work, off the request threads.
pub async fn parses_as_pdf(content: Vec<u8>) -> bool {
    if !content.starts_with(b"%PDF-") {
        return false;
    }
    let check = move || {
        OBJECT_STREAMS_SEEN.set(0);
        let options = lopdf::LoadOptions {
            filter: Some(bounded_object_streams),
            max_decompressed_size: Some(PDF_STREAM_LIMIT),
            ..Default::default()
        };
        lopdf::Document::load_mem_with_options(&content, options).is_ok()
    };
    crate::web::heavy::run(check).await.unwrap_or(false)
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
    (
        [(header::CONTENT_TYPE, served_type(content_type).to_string()), (header::CONTENT_DISPOSITION, disposition)],
        content,
    )
        .into_response()
}

/// The flash message after an upload: `done`, or `failed` with the reasons the upload was refused.
pub fn attached_message(result: AppResult<()>, done: &str, failed: &str) -> AppResult<String> {
    Ok(match super::split_validation(result)? {
        Ok(()) => done.to_string(),
        Err(errors) => format!("{failed}: {}", errors.into_values().collect::<Vec<_>>().join(" ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_control_characters_and_direction_marks() {
        assert_eq!(safe_name("../../etc/Rapport \"IS\".pdf", "x"), "Rapport IS.pdf");
        assert_eq!(safe_name("C:\\Users\\a\\bild\u{7}.png", "x"), "bild.png");
        assert_eq!(safe_name("  ", "underlag"), "underlag");
        assert_eq!(safe_name("faktura\u{202e}fdp.exe", "x"), "fakturafdp.exe");
        assert_eq!(safe_name("\u{2066}a\u{2069}\u{200f}.pdf", "x"), "a.pdf");
    }

    #[test]
    fn only_documents_images_and_text_are_served_as_themselves() {
        assert_eq!(served_type("application/pdf"), "application/pdf");
        assert_eq!(served_type("Image/PNG; charset=binary"), "image/png");
        for risky in ["text/html", "image/svg+xml", "application/javascript", "", "text/html; charset=utf-8"] {
            assert_eq!(served_type(risky), "application/octet-stream", "{risky}");
        }
    }
}
