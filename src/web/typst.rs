//! Typst inside Lisa, with the fonts compiled into the binary (nothing fetched at build or
//! run time): the annual report and the reports to the authorities are written as typst source
//! in which every piece of data is a string literal (`lit`), so no text can act as markup.

use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

/// A typst string literal.
pub fn lit(text: &str) -> String {
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

/// Typesets the source; the error says what typst objected to.
pub fn render(source: String) -> anyhow::Result<Vec<u8>> {
    let engine = TypstEngine::builder().main_file(source).fonts(typst_assets::fonts()).build();
    let document: PagedDocument =
        engine.compile().output.map_err(|e| anyhow::anyhow!("the document could not be typeset: {e:?}"))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|e| anyhow::anyhow!("the document could not be written as PDF: {e:?}"))
}

/// Plain text as a PDF: a title and the text's lines as they stand (a report as sent).
pub fn plain_text(title: &str, text: &str) -> anyhow::Result<Vec<u8>> {
    let mut source = String::from("#set page(paper: \"a4\", margin: 2.2cm)\n#set text(lang: \"sv\", size: 10.5pt)\n");
    source.push_str(&format!("#heading({})\n", lit(title)));
    for line in text.lines() {
        if line.trim().is_empty() {
            source.push_str("#v(0.6em)\n");
        } else {
            source.push_str(&format!("#{}\\\n", lit(line)));
        }
    }
    render(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_becomes_string_literals_that_cannot_break_out() {
        assert_eq!(lit("Säg \"hej\" \\ #strong[x]\nrad"), "\"Säg \\\"hej\\\" \\\\ #strong[x]\\nrad\"");
    }

    #[test]
    fn plain_text_becomes_a_pdf() {
        let pdf = plain_text("Anmälan", "Rubrik: #strong[inte markup]\n\nSista raden").unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }
}
