//! The annual report as PDF, typeset by typst inside Lisa with the fonts compiled into the
//! binary: nothing is fetched at build or run time. The document is written as typst source
//! in which every piece of data is a string literal, so no text can act as markup.

use std::fmt::Write;

use super::briefing::Point;
use super::charts::Chart;
use super::figures::{Figures, KeyRow};
use super::store::Report;
use crate::web::typst::lit;

/// The writer's paragraphs, each with its own line breaks (numbered lines stay lines).
fn paragraphs(out: &mut String, text: &str, empty: &str) {
    let laid_out = crate::web::format::paragraphs(text);
    if laid_out.is_empty() {
        let _ = writeln!(out, "#emph({})\n", lit(empty));
    }
    for lines in laid_out {
        out.push_str("#par[");
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                out.push_str("#linebreak()");
            }
            let _ = write!(out, "#{}", lit(line));
        }
        out.push_str("]\n\n");
    }
}

/// `columns` is typst's column specification, e.g. `4` or `(2fr, 1fr)`. A table without
/// rows is left out: no page shows an empty table. Headings break between words only
/// ("Försena-de åtgär-der" read badly to the board).
fn table(out: &mut String, columns: &str, headings: &[String], rows: &[Vec<String>]) {
    if rows.is_empty() {
        return;
    }
    let _ = write!(out, "#table(columns: {columns}, stroke: 0.4pt + luma(180), inset: 4pt, table.header(");
    for h in headings {
        let _ = write!(out, "strong(text(hyphenate: false, {})), ", lit(h));
    }
    out.push_str("), ");
    for row in rows {
        for cell in row {
            let _ = write!(out, "{}, ", lit(cell));
        }
    }
    out.push_str(")\n\n");
}

fn chart(out: &mut String, chart: &Chart) {
    // A pixel is 0.75 pt; wide charts shrink to the text width.
    let width = (f64::from(chart.width) * 0.75).min(480.0);
    let _ = writeln!(
        out,
        "#figure(image(bytes({}), format: \"svg\", width: {width}pt), caption: {})\n",
        lit(&chart.svg),
        lit(&chart.title)
    );
}

/// The typst source of the report. Page one tells the board the essentials: the state of
/// things in a few sentences, the open recommendations by age, and what it is asked to decide.
pub fn source(
    municipality: &str,
    report: &Report,
    figures: &Figures,
    key: &[KeyRow],
    briefing: &[Point],
    charts: &[Chart],
) -> String {
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
        Some(at) => format!("Publicerad {} av {}", crate::web::format::datetime(at), report.publisher()),
        None => format!("Utkast – siffrorna beräknade {}", crate::web::format::date(figures.computed_on)),
    };
    let _ = writeln!(out, "#align(center)[#emph({})]\n", lit(&status));
    let _ = writeln!(
        out,
        "#align(center)[#{}]\n",
        lit(&format!(
            "Siffrorna avser läget den {}. Varje uppgift räknas från sitt eget datum (rapport-, analys- och upptäcktsdatum); det som saknar eget datum från när det registrerades i Lisa.",
            crate::web::format::date(figures.described_on())
        ))
    );

    let _ = writeln!(out, "== Läget i korthet\n");
    for point in briefing {
        let trend = point.trend.map(|t| format!(" ({})", t.label().to_lowercase())).unwrap_or_default();
        let _ = writeln!(out, "- #{}", lit(&format!("{}{trend}", point.text)));
    }
    out.push('\n');
    let (lead, rest): (Vec<&Chart>, Vec<&Chart>) = charts.iter().partition(|c| c.id == "chart-recommendation-age");
    for c in lead {
        chart(&mut out, c);
    }
    let _ = writeln!(out, "== Styrelsen ombeds besluta\n");
    paragraphs(&mut out, &report.proposals, "Inga förslag till beslut är skrivna.");

    let _ = writeln!(out, "== Sammanfattande bedömning\n");
    paragraphs(&mut out, &report.summary, "Ingen bedömning är skriven.");

    let _ = writeln!(out, "== Revisionens rekommendationer\n");
    let parts = figures.recommendation_parts();
    let on = crate::web::format::date(figures.described_on());
    if parts.is_empty() {
        let _ = writeln!(out, "#par({})\n", lit(&format!("Den {on} var ingen av revisionens rekommendationer öppen.")));
    }
    let headings = [
        "Rekommendation",
        "Granskning",
        &format!("Ålder den {on}"),
        "Ålder vid uppföljning",
        "Senaste bedömning",
        "Ansvarig",
    ]
    .map(String::from);
    for part in parts {
        let _ = writeln!(out, "=== #{}\n", lit(&part.body.name));
        let _ = writeln!(out, "#par({})\n", lit(&part.summary(report.year)));
        let rows: Vec<Vec<String>> = part
            .open
            .iter()
            .map(|r| {
                let verdict = match r.latest_follow_up_on {
                    Some(on) => format!("{} ({})", r.verdict_label(), crate::web::format::date(on)),
                    None => r.verdict_label().to_string(),
                };
                vec![
                    r.text.clone(),
                    r.audit_title.clone(),
                    r.age_text(),
                    r.age_at_follow_up_text(),
                    verdict,
                    r.responsible.clone().unwrap_or_else(|| "Ingen utsedd".into()),
                ]
            })
            .collect();
        out.push_str("#[#set text(size: 9pt)\n");
        table(&mut out, "(3fr, 1.5fr, 1fr, 1fr, 1.4fr, 1.2fr)", &headings, &rows);
        out.push_str("]\n\n");
    }
    if !figures.follow_ups.is_empty() {
        let _ = writeln!(out, "=== Revisionens uppföljningar\n");
        for f in &figures.follow_ups {
            let _ = writeln!(
                out,
                "- #strong({}): #{}",
                lit(&format!("{} ({})", f.title, crate::web::format::date(f.report_date))),
                lit(&f.verdicts_text())
            );
            if !f.overall_assessment.trim().is_empty() {
                let _ = writeln!(
                    out,
                    "  #emph({})",
                    lit(&format!("Revisorernas bedömning: {}", f.overall_assessment.trim()))
                );
            }
        }
        out.push('\n');
    }

    let _ = writeln!(out, "== Nyckeltal\n");
    // Without last year's published report there is nothing to compare with: no column of "–".
    let compared = key.iter().any(|r| r.before != "–");
    let mut headings = vec!["Område".to_string(), "Nyckeltal".to_string(), report.year.to_string()];
    if compared {
        headings.push((report.year - 1).to_string());
    } else {
        let _ = writeln!(
            out,
            "#par({})\n",
            lit(&format!("Det finns ingen publicerad rapport för {} att jämföra med.", report.year - 1))
        );
    }
    let rows: Vec<Vec<String>> = key
        .iter()
        .map(|r| {
            let mut row = vec![r.section.to_string(), r.label.clone(), r.now.clone()];
            if compared {
                row.push(r.before.clone());
            }
            row
        })
        .collect();
    let columns = if compared { "(1fr, 2.4fr, 1fr, 1fr)" } else { "(1fr, 2.4fr, 1fr)" };
    table(&mut out, columns, &headings, &rows);

    let bodies = super::figures::body_table(&figures.bodies, &figures.unassigned, &figures.systems);
    if !bodies.rows.is_empty() {
        // Eleven columns get a landscape page of their own: each figure's column is as wide as
        // its longest word, so no heading breaks inside one, and the bodies' names take the rest.
        out.push_str("#page(flipped: true)[\n#set text(size: 8.5pt)\n");
        let _ = writeln!(out, "== System per nämnd och bolag\n");
        let _ = writeln!(out, "#par({})\n", lit(super::figures::BODY_TABLE_NOTE));
        let headings: Vec<String> = bodies.headings.iter().map(|h| h.replace(' ', "\n")).collect();
        table(&mut out, "(1fr, ..(auto,) * 10)", &headings, &bodies.rows);
        out.push_str("]\n\n");
    }

    let controls = super::figures::internal_control_table(&figures.bodies);
    if !controls.rows.is_empty() {
        let _ = writeln!(out, "== Informationssäkerhet i internkontrollen\n");
        let headings: Vec<String> = controls.headings.iter().map(|h| h.to_string()).collect();
        table(&mut out, "(1fr, auto, auto, auto, auto)", &headings, &controls.rows);
    }

    if !rest.is_empty() {
        let _ = writeln!(out, "== Diagram\n");
        for c in rest {
            chart(&mut out, c);
        }
    }

    let _ = writeln!(out, "== Styrelsens beslut\n");
    paragraphs(&mut out, &report.decisions, "Inga beslut är registrerade än.");
    if !report.decision_reference.is_empty() {
        let _ = writeln!(out, "#par({})\n", lit(&format!("Beslut: {}", report.decision_reference)));
    }
    out
}
