//! The annual report as PDF, typeset by typst inside Lisa with the fonts compiled into the
//! binary: nothing is fetched at build or run time. The document is written as typst source
//! in which every piece of data is a string literal, so no text can act as markup.

use std::fmt::Write;

use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

use super::charts::Chart;
use super::figures::{Figures, KeyRow};
use super::store::Report;

/// A typst string literal.
fn lit(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn paragraphs(out: &mut String, text: &str, empty: &str) {
    let text = text.trim();
    if text.is_empty() {
        let _ = writeln!(out, "#emph({})\n", lit(empty));
    }
    for paragraph in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let _ = writeln!(out, "#par({})\n", lit(paragraph.trim()));
    }
}

/// `columns` is typst's column specification, e.g. `4` or `(2fr, 1fr)`.
fn table(out: &mut String, columns: &str, headings: &[String], rows: &[Vec<String>]) {
    let _ = write!(out, "#table(columns: {columns}, stroke: 0.4pt + luma(180), inset: 4pt, table.header(");
    for h in headings {
        let _ = write!(out, "strong({}), ", lit(h));
    }
    out.push_str("), ");
    for row in rows {
        for cell in row {
            let _ = write!(out, "{}, ", lit(cell));
        }
    }
    out.push_str(")\n\n");
}

/// The typst source of the report.
pub fn source(municipality: &str, report: &Report, figures: &Figures, key: &[KeyRow], charts: &[Chart]) -> String {
    let mut out = String::new();
    out.push_str(
        "#set document(title: \"Ledningens genomgång av informationssäkerheten\")\n\
         #set page(paper: \"a4\", margin: 2cm, numbering: \"1 / 1\")\n\
         #set text(font: \"Libertinus Serif\", size: 10.5pt, lang: \"sv\")\n\
         #set heading(numbering: none)\n\
         #show heading.where(level: 2): it => block(above: 1.4em, below: 0.6em, it)\n\n",
    );
    let _ = writeln!(
        out,
        "#align(center)[#text(size: 20pt, weight: \"bold\", {})]",
        lit("Ledningens genomgång av informationssäkerheten")
    );
    let _ = writeln!(out, "#align(center)[#text(size: 14pt, {})]\n", lit(&format!("{municipality} – {}", report.year)));
    let status = match report.published_at {
        Some(at) => format!(
            "Publicerad {} av {}",
            crate::web::format::datetime(at),
            report.published_by.as_deref().unwrap_or("")
        ),
        None => format!("Utkast – siffrorna beräknade {}", crate::web::format::date(figures.computed_on)),
    };
    let _ = writeln!(out, "#align(center)[#emph({})]\n", lit(&status));

    let _ = writeln!(out, "== Sammanfattande bedömning\n");
    paragraphs(&mut out, &report.summary, "Ingen bedömning är skriven.");

    let _ = writeln!(out, "== Nyckeltal\n");
    let headings = ["Område", "Nyckeltal", &report.year.to_string(), &(report.year - 1).to_string()].map(String::from);
    let rows: Vec<Vec<String>> =
        key.iter().map(|r| vec![r.section.to_string(), r.label.clone(), r.now.clone(), r.before.clone()]).collect();
    table(&mut out, &headings.len().to_string(), &headings, &rows);

    let _ = writeln!(out, "== Per nämnd och bolag\n");
    let bodies = super::figures::body_table(&figures.bodies);
    let headings = bodies.headings.map(String::from);
    // Ten columns fit the page in a smaller size, with long words hyphenated and the
    // bodies' names given the widest column.
    out.push_str("#[#set text(size: 8pt, hyphenate: true)\n");
    table(&mut out, "(2fr, ..(1fr,) * 9)", &headings, &bodies.rows);
    out.push_str("]\n\n");

    let _ = writeln!(out, "#pagebreak()\n== Diagram\n");
    for chart in charts {
        // A pixel is 0.75 pt; wide charts shrink to the text width.
        let width = (f64::from(chart.width) * 0.75).min(480.0);
        let _ = writeln!(
            out,
            "#figure(image(bytes({}), format: \"svg\", width: {width}pt), caption: {})\n",
            lit(&chart.svg),
            lit(&chart.title)
        );
    }

    let _ = writeln!(out, "== Förslag till beslut\n");
    paragraphs(&mut out, &report.proposals, "Inga förslag.");
    let _ = writeln!(out, "== Styrelsens beslut\n");
    paragraphs(&mut out, &report.decisions, "Inga beslut är registrerade än.");
    if !report.decision_reference.is_empty() {
        let _ = writeln!(out, "#par({})\n", lit(&format!("Beslut: {}", report.decision_reference)));
    }
    out
}

/// Typesets the source; the error says what typst objected to.
pub fn render(source: String) -> anyhow::Result<Vec<u8>> {
    let engine = TypstEngine::builder().main_file(source).fonts(typst_assets::fonts()).build();
    let document: PagedDocument =
        engine.compile().output.map_err(|e| anyhow::anyhow!("the report could not be typeset: {e:?}"))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|e| anyhow::anyhow!("the report could not be written as PDF: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_becomes_string_literals_that_cannot_break_out() {
        assert_eq!(lit("Säg \"hej\" \\ #strong[x]\nrad"), "\"Säg \\\"hej\\\" \\\\ #strong[x]\\nrad\"");
    }
}
