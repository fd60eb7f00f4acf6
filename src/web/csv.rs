//! CSV export that opens correctly in Swedish Excel: UTF-8 with BOM, semicolons, and
//! cells that could be read as formulas neutralised.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppResult;

fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

pub fn to_bytes(headings: &[&str], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let mut writer = ::csv::WriterBuilder::new().delimiter(b';').from_writer(vec![0xEF, 0xBB, 0xBF]);
    writer.write_record(headings).map_err(anyhow::Error::from)?;
    for row in rows {
        writer.write_record(row.iter().map(|c| neutralise(c))).map_err(anyhow::Error::from)?;
    }
    Ok(writer.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?)
}

pub fn response(filename: &str, headings: &[&str], rows: &[Vec<String>]) -> AppResult<Response> {
    let body = to_bytes(headings, rows)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response())
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
