//! CSV export that opens correctly in Swedish Excel: UTF-8 with BOM, semicolons, and
//! cells that could be read as formulas neutralised. Long lists stream (`stream`): they are
//! read a chunk of rows at a time while the download is written.

use std::future::Future;
use std::pin::Pin;

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::AppResult;

/// How many rows a streamed export reads at a time.
pub const CHUNK: usize = 500;

fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// `rows` as CSV lines appended to `start`.
fn write(start: Vec<u8>, rows: impl IntoIterator<Item = Vec<String>>) -> AppResult<Vec<u8>> {
    let mut writer = ::csv::WriterBuilder::new().delimiter(b';').from_writer(start);
    for row in rows {
        writer.write_record(row.iter().map(|c| neutralise(c))).map_err(anyhow::Error::from)?;
    }
    Ok(writer.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?)
}

/// The byte-order mark and the heading line.
fn head(headings: &[&str]) -> AppResult<Vec<u8>> {
    write(vec![0xEF, 0xBB, 0xBF], [headings.iter().map(|h| h.to_string()).collect()])
}

pub fn to_bytes(headings: &[&str], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    write(head(headings)?, rows.iter().cloned())
}

fn attachment(filename: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response()
}

pub fn response(filename: &str, headings: &[&str], rows: &[Vec<String>]) -> AppResult<Response> {
    Ok(attachment(filename, Body::from(to_bytes(headings, rows)?)))
}

/// Reads the records of some ids, in their order, on the given connection.
pub type Reader<T> = Box<
    dyn for<'c> Fn(&'c mut PgConnection, &'c [Uuid]) -> Pin<Box<dyn Future<Output = AppResult<Vec<T>>> + Send + 'c>>
        + Send,
>;

/// A CSV download of the records `ids` names, written while it is read: `read` fetches
/// [`CHUNK`] records at a time and `row` turns each into its cells. Memory stays at one chunk
/// however long the list, and the first rows leave before the last are read. The reading
/// runs in a task of its own, with the request's municipality as its database context; if it
/// fails half-way the download breaks off (the browser reports it failed) rather than ending
/// as if complete.
pub fn stream<T: Send + 'static>(
    pool: PgPool,
    filename: &str,
    headings: &[&str],
    ids: Vec<Uuid>,
    read: Reader<T>,
    row: impl Fn(&T) -> Vec<String> + Send + 'static,
) -> AppResult<Response> {
    let head = head(headings)?;
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
    let work = async move {
        if sender.send(Ok(head)).await.is_err() {
            return;
        }
        let mut conn = match pool.acquire().await {
            Ok(conn) => conn,
            Err(error) => return fail(&sender, error.into()).await,
        };
        for chunk in ids.chunks(CHUNK) {
            let bytes =
                match read(&mut conn, chunk).await.and_then(|records| write(Vec::new(), records.iter().map(&row))) {
                    Ok(bytes) => bytes,
                    Err(error) => return fail(&sender, error).await,
                };
            if sender.send(Ok(bytes)).await.is_err() {
                return; // The client went away.
            }
        }
    };
    // Without the request's context the connection would see no rows of any municipality.
    tokio::spawn(crate::db::tenant::within(crate::db::tenant::current(), work));
    let chunks = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    Ok(attachment(filename, Body::from_stream(chunks)))
}

async fn fail(sender: &tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>, error: crate::error::AppError) {
    tracing::error!(error = ?error, "a CSV export broke off");
    let _ = sender.send(Err(std::io::Error::other("the export broke off"))).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_bom_semicolons_and_neutralises_formulas() {
        let bytes = to_bytes(&["Namn", "Not"], &[vec!["Åsa; Öberg".into(), "=SUM(A1)".into()]]).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert_eq!(text.trim_start_matches('\u{feff}'), "Namn;Not\n\"Åsa; Öberg\";'=SUM(A1)\n");
    }
}
