//! Splits the recommendations section of an audit report, pasted from a PDF, into one
//! item per recommendation, each with the addressee named in the heading above it.
//!
//! Text copied out of PDFs is messy: bullets of many kinds (or none at all, leaving one
//! recommendation per paragraph), lines wrapped mid-sentence, words hyphenated at line
//! end, and page furniture (page numbers, dates, footers, running headers) in between.
//! This module is pure: no database, so every rule is tested on plain strings.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub text: String,
    /// The addressee as written in the heading above, e.g. "kommunstyrelsen".
    pub addressed_to: Option<String>,
    /// Lines Lisa removed from inside this item as page furniture, as they were written.
    pub removed: Vec<String>,
    /// The item as it stood in the pasted text, the removed lines included, so that the
    /// coordinator can restore it.
    pub original: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Parsed {
    pub items: Vec<Item>,
    /// Lines dropped as page furniture or headings without an addressee.
    pub ignored: Vec<String>,
}

/// The most lines a paste may have: a report's recommendations run to a few hundred.
pub const MAX_LINES: usize = 10_000;

/// The most running-header names taken into account besides the municipality's.
pub const MAX_HEADERS: usize = 20;

/// Characters that start a bullet point: dashes, bullets, arrows, squares and the
/// private-use glyphs that symbol fonts leave behind (e.g. U+F0B7).
fn is_bullet_char(c: char) -> bool {
    matches!(
        c,
        '—' | '–'
            | '-'
            | '•'
            | '►'
            | '▪'
            | '▫'
            | '●'
            | '○'
            | '◦'
            | '■'
            | '□'
            | '➢'
            | '➤'
            | '→'
            | '*'
            | '·'
            | '‣'
            | '⁃'
            | '∙'
    ) || ('\u{E000}'..='\u{F8FF}').contains(&c)
}

/// The line without its bullet or list number, if it has one.
fn strip_bullet(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    let mut chars = trimmed.chars();
    if let Some(first) = chars.next()
        && is_bullet_char(first)
    {
        let rest = chars.as_str();
        // "-" and "*" must be followed by a space to be bullets ("-talet", "**Rubrik**").
        if (first == '-' || first == '*') && !rest.starts_with(char::is_whitespace) {
            return None;
        }
        return Some(rest.trim_start());
    }
    // "1." "1)" "a)" "(a)" followed by a space.
    let token_end = trimmed.find(char::is_whitespace)?;
    let token = &trimmed[..token_end];
    let inner = token.trim_start_matches('(');
    let numbered = (inner.ends_with('.') || inner.ends_with(')')) && inner.len() <= 4 && {
        let core = &inner[..inner.len() - 1];
        (!core.is_empty() && core.chars().all(|c| c.is_ascii_digit()))
            || (core.chars().count() == 1 && core.chars().all(|c| c.is_ascii_lowercase()) && inner.ends_with(')'))
    };
    numbered.then(|| trimmed[token_end..].trim_start())
}

fn is_date(line: &str) -> bool {
    let l = line.trim();
    let iso = l.len() == 10
        && l.chars().enumerate().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
    const MONTHS: [&str; 12] = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ];
    let words: Vec<String> = l.split_whitespace().map(|w| w.to_lowercase()).collect();
    let written = words.len() == 3
        && words[0].chars().all(|c| c.is_ascii_digit())
        && MONTHS.contains(&words[1].as_str())
        && words[2].len() == 4
        && words[2].chars().all(|c| c.is_ascii_digit());
    iso || written
}

fn is_page_number(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    let l = l.trim_start_matches("sida").trim_start_matches("page").trim();
    let parts: Vec<&str> = l
        .split(|c: char| c == '/' || c.is_whitespace())
        .filter(|p| !p.is_empty() && *p != "av" && *p != "of")
        .collect();
    !parts.is_empty() && parts.len() <= 2 && parts.iter().all(|p| p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
}

/// Phrases of the legal small print that audit firms put in their footers.
const LEGAL: [&str; 6] = [
    "rättigheter förbehållna",
    "all rights reserved",
    "member firm",
    "limited by guarantee",
    "medlemsföretag",
    "document classification",
];

fn is_copyright(lower: &str) -> bool {
    lower.contains('©') || lower.starts_with("copyright") || lower.starts_with("(c) ")
}

/// What is left of a line once the names of running headers, dates and numbers are taken out.
fn words_besides(lower: &str, known: &[String]) -> usize {
    let mut rest = lower.to_string();
    for k in known.iter().filter(|k| !k.trim().is_empty()) {
        rest = rest.replace(&k.to_lowercase(), " ");
    }
    rest.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty() && !matches!(*w, "sida" | "av" | "page" | "of"))
        .count()
}

/// A line that says by itself that it is page furniture: a page number, a date, the firm's
/// copyright and legal text, or little else than a known header (the municipality, the
/// report's title, the firm).
fn header_signal(line: &str, known: &[String]) -> Option<&'static str> {
    let l = line.trim();
    let lower = l.to_lowercase();
    if is_page_number(l) {
        return Some("sidnummer");
    }
    if is_date(l) {
        return Some("datum");
    }
    if is_copyright(&lower)
        || LEGAL.iter().any(|p| lower.contains(p))
        || lower.starts_with("dokumentklassificering")
        || lower.starts_with("informationsklass:")
    {
        return Some("sidfot");
    }
    let names_a_header = known.iter().any(|k| !k.trim().is_empty() && lower.contains(&k.to_lowercase()));
    let starts_lower = l.chars().next().is_some_and(char::is_lowercase);
    (names_a_header && !starts_lower && strip_bullet(l).is_none() && words_besides(&lower, known) <= 2)
        .then_some("sidhuvud")
}

fn ends_sentence(line: &str) -> bool {
    line.trim_end().trim_end_matches('*').ends_with(['.', ':', ';', '!', '?'])
}

/// Page furniture: never part of a recommendation. A line seen more than once is a running
/// header or footer only when it looks like one, and never when it sits inside a sentence.
fn furniture(line: &str, previous: Option<&str>, repeated: &HashSet<&str>, known: &[String]) -> Option<&'static str> {
    let l = line.trim();
    if let Some(reason) = header_signal(l, known) {
        return Some(reason);
    }
    // A bold markdown line or a numbered section heading ("3.2 Rekommendationer").
    if (l.starts_with("**") && l.ends_with("**")) || l.starts_with('#') {
        return Some("rubrik");
    }
    let first = l.split_whitespace().next().unwrap_or("");
    if first.contains('.')
        && first.split('.').filter(|p| !p.is_empty()).count() >= 2
        && first.split('.').all(|p| p.chars().all(|c| c.is_ascii_digit()))
    {
        return Some("rubrik");
    }
    let title_like = l.chars().next().is_some_and(char::is_uppercase)
        && l.split_whitespace().count() <= 12
        && !ends_sentence(l)
        && !l.ends_with(',');
    let at_boundary = previous.is_none_or(|p| ends_sentence(p) || header_signal(p, known).is_some());
    (repeated.contains(l) && title_like && at_boundary).then_some("sidhuvud")
}

/// A single line that introduces recommendations (never furniture, never repeated-header).
fn is_heading(text: &str) -> bool {
    heading_at(&[text]).is_some()
}

/// The addressee named in a heading, as written.
pub fn addressee(heading: &str) -> Option<String> {
    let text = heading.trim().trim_matches('*').trim().trim_end_matches(':').trim();
    let lower = text.to_lowercase();
    // Report sentences slip ("rekommenderar vi styrelsen och att:"): stray joining words at
    // either end of the addressee are dropped.
    let cut = |start: usize, end: usize| -> Option<String> {
        let mut words: Vec<&str> = text.get(start..end)?.split_whitespace().collect();
        let stray = |w: &&str| {
            matches!(w.trim_matches(',').to_lowercase().as_str(), "och" | "samt" | "även" | "också" | "vi" | "")
        };
        while words.last().is_some_and(stray) {
            words.pop();
        }
        while words.first().is_some_and(stray) {
            words.remove(0);
        }
        let value = words.join(" ").trim_matches(',').trim().to_string();
        (!value.is_empty()).then_some(value)
    };
    // "... tillkommer följande rekommendation till kommunstyrelsen"
    if let Some(pos) = lower.find("rekommendation")
        && let Some(till) = lower[pos..].find(" till ")
    {
        return cut(pos + till + " till ".len(), text.len());
    }
    // "... [vi] rekommenderar [vi] [därför|även|också] kommunstyrelsen att [prioritera nedanstående]"
    if let Some(pos) = lower.find("rekommenderar ") {
        let mut start = pos + "rekommenderar ".len();
        for filler in ["vi ", "därför ", "även ", "också ", "dessutom "] {
            if lower[start..].starts_with(filler) {
                start += filler.len();
            }
        }
        let end = lower[start..].find(" att").map(|e| start + e).unwrap_or(text.len());
        return cut(start, end);
    }
    // "Kommunstyrelsen rekommenderas att"
    if let Some(pos) = lower.find(" rekommenderas") {
        let sentence_start = lower[..pos].rfind(". ").map(|p| p + 2).unwrap_or(0);
        return cut(sentence_start, pos);
    }
    None
}

/// Joins a wrapped line onto the text before it, mending words hyphenated at line end.
fn join(text: &mut String, next: &str) {
    let next = next.trim();
    if text.is_empty() {
        text.push_str(next);
        return;
    }
    if let Some(stem) = text.strip_suffix('-') {
        let fragment: String =
            stem.chars().rev().take_while(|c| c.is_alphanumeric()).collect::<Vec<_>>().into_iter().rev().collect();
        let next_word = next.split_whitespace().next().unwrap_or("").to_lowercase();
        let conjunction = matches!(next_word.as_str(), "och" | "eller" | "samt" | "respektive" | "som" | "till");
        let starts_lower = next.chars().next().is_some_and(char::is_lowercase);
        // "IT-", "2020-" and "e-" are real prefixes; "personuppgifts-" is a word split at line end.
        let prefix = fragment.chars().count() <= 1
            || fragment.chars().any(|c| c.is_ascii_digit())
            || fragment.chars().all(char::is_uppercase);
        if conjunction {
            text.push(' ');
        } else if starts_lower && !prefix {
            text.pop();
        }
        text.push_str(next);
        return;
    }
    text.push(' ');
    text.push_str(next);
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits pasted report text. `known_headers` are names that appear in running headers
/// (the municipality's name, the report's title, the audit firm) and are dropped when a line
/// holds little else.
pub fn parse(input: &str, known_headers: &[String]) -> Parsed {
    let lines: Vec<String> = input
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .lines()
        .map(|l| l.replace('\u{ad}', "").replace(['\u{a0}', '\t'], " ").trim_end().to_string())
        .collect();

    // Lines seen more than once may be running headers or footers, unless they are headings or
    // bullets. Counted in a map, so that the cost grows with the text, not with its square.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for line in &lines {
        *seen.entry(line.trim()).or_default() += 1;
    }
    let repeated: HashSet<&str> = seen
        .into_iter()
        .filter(|(t, n)| *n > 1 && !t.is_empty() && !is_heading(t) && strip_bullet(t).is_none())
        .map(|(t, _)| t)
        .collect();

    let mut parsed = Parsed::default();
    // Furniture goes first, so that it can never split or join recommendations; each kept
    // line remembers the furniture removed just before it.
    let mut kept: Vec<&str> = Vec::new();
    let mut removed_before: Vec<Vec<String>> = vec![Vec::new()];
    let mut previous: Option<&str> = None;
    let mut footer_lines_left = 0;
    for line in &lines {
        let t = line.trim();
        if t.is_empty() {
            footer_lines_left = 0;
            if !kept.last().is_some_and(|l: &&str| l.trim().is_empty()) {
                kept.push(line);
                removed_before.push(Vec::new());
            }
            continue;
        }
        // The small print of a footer runs on over lines of its own until its sentence ends.
        let continues_footer = footer_lines_left > 0 && strip_bullet(t).is_none() && !is_heading(t);
        let reason = if continues_footer {
            footer_lines_left = if ends_sentence(t) { 0 } else { footer_lines_left - 1 };
            Some("sidfot")
        } else if is_heading(t) {
            None
        } else {
            furniture(t, previous, &repeated, known_headers)
        };
        if !continues_footer && reason == Some("sidfot") && !ends_sentence(t) {
            footer_lines_left = 3;
        }
        match reason {
            Some(_) => {
                parsed.ignored.push(t.to_string());
                if let Some(before) = removed_before.last_mut() {
                    before.push(t.to_string());
                }
            }
            None => {
                kept.push(line);
                removed_before.push(Vec::new());
            }
        }
        previous = Some(line);
    }

    let bullets = kept.iter().any(|l| strip_bullet(l).is_some());
    let mut addressee_now: Option<String> = None;
    let mut current: Option<Open> = None;
    let mut after_blank = false;
    let mut last_text: Option<&str> = None;

    let mut i = 0;
    while i < kept.len() {
        let t = kept[i].trim();
        let removed_here = &removed_before[i];
        i += 1;
        if t.is_empty() {
            after_blank = true;
            continue;
        }
        // "Miljönämnden rekommenderas att …" right after an unfinished line continues that
        // sentence; only "(vi) rekommenderar (vi) …" starts a heading anywhere.
        let mid_sentence = current.is_some() && !after_blank && last_text.is_some_and(|l| !ends_sentence(l));
        let heading = heading_at(&kept[i - 1..]).filter(|_| {
            !mid_sentence || t.to_lowercase().contains("rekommenderar") || t.to_lowercase().contains("rekommendation")
        });
        last_text = Some(t);
        if let Some(consumed) = heading {
            finish(&mut current, &mut parsed, &addressee_now);
            let mut heading = String::new();
            for line in &kept[i - 1..i - 1 + consumed] {
                join(&mut heading, line);
            }
            match addressee(&heading) {
                Some(to) => addressee_now = Some(to),
                None => parsed.ignored.push(normalise(&heading)),
            }
            i += consumed - 1;
            after_blank = false;
            continue;
        }
        let continues_after_blank = t.chars().next().is_some_and(char::is_lowercase);
        match strip_bullet(t) {
            Some(rest) if bullets => {
                finish(&mut current, &mut parsed, &addressee_now);
                current = Some(Open::new(rest));
            }
            _ => match current.as_mut() {
                Some(open) if !after_blank || continues_after_blank => open.continue_with(removed_here, t),
                _ if bullets => {
                    // Text outside the bullet lists is not a recommendation.
                    finish(&mut current, &mut parsed, &addressee_now);
                    parsed.ignored.push(normalise(t));
                }
                _ => {
                    // Without bullets every paragraph is a recommendation.
                    finish(&mut current, &mut parsed, &addressee_now);
                    current = Some(Open::new(t));
                }
            },
        }
        after_blank = false;
    }
    finish(&mut current, &mut parsed, &addressee_now);
    parsed
}

/// The recommendation being read: its text, and its text as pasted with the furniture in it.
struct Open {
    text: String,
    original: String,
    removed: Vec<String>,
}

impl Open {
    fn new(first: &str) -> Self {
        Open { text: first.to_string(), original: first.to_string(), removed: Vec::new() }
    }

    /// A wrapped line continues the item; furniture removed between them was inside it.
    fn continue_with(&mut self, removed: &[String], line: &str) {
        for furniture in removed {
            self.original.push(' ');
            self.original.push_str(furniture);
            self.removed.push(furniture.clone());
        }
        join(&mut self.text, line);
        join(&mut self.original, line);
    }
}

fn finish(current: &mut Option<Open>, parsed: &mut Parsed, to: &Option<String>) {
    if let Some(open) = current.take() {
        let text = normalise(&open.text);
        if !text.is_empty() {
            parsed.items.push(Item {
                text,
                addressed_to: to.clone(),
                removed: open.removed,
                original: normalise(&open.original),
            });
        }
    }
}

/// Phrases that introduce a list of recommendations.
const HEADING_PHRASES: [&str; 7] = [
    "rekommenderar vi",
    "vi rekommenderar",
    "rekommenderas att",
    "rekommenderas följande",
    "rekommendation till",
    "rekommendationer till",
    "rekommendationer:",
];

/// How many lines (1–3) form a heading starting at `lines[0]`, if they do: a line with a
/// heading phrase that ends, possibly after wrapping, with a colon.
fn heading_at(lines: &[&str]) -> Option<usize> {
    let first = lines.first()?.trim();
    // A heading starts a sentence: "miljönämnden rekommenderas att:" wrapped mid-sentence does not.
    let starts_sentence = first.trim_start_matches(['*', '#', ' ']).chars().next().is_some_and(char::is_uppercase);
    if strip_bullet(first).is_some() || !starts_sentence {
        return None;
    }
    let mut joined = String::new();
    for (n, line) in lines.iter().take(3).enumerate() {
        let t = line.trim();
        if t.is_empty() || (n > 0 && strip_bullet(t).is_some()) {
            return None;
        }
        join(&mut joined, t);
        let lower = joined.to_lowercase();
        if joined.trim_end_matches('*').ends_with(':') {
            return HEADING_PHRASES.iter().any(|p| lower.contains(p)).then_some(n + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(parsed: &Parsed) -> Vec<&str> {
        parsed.items.iter().map(|i| i.text.as_str()).collect()
    }

    fn to(parsed: &Parsed) -> Vec<Option<&str>> {
        parsed.items.iter().map(|i| i.addressed_to.as_deref()).collect()
    }

    #[test]
    fn bullets_of_many_kinds_are_removed() {
        let input = "Vi rekommenderar kommunstyrelsen att:\n• Upprätta en informationssäkerhetspolicy.\n– Utse systemägare.\n— Klassa informationen.\n- Genomföra riskanalyser.\n► Följa upp incidenter.\n▪ Utbilda personalen.\n\u{F0B7} Säkerställa behörighetsgranskning.\n\u{F0A7} Teckna avtal.\n1. Anta en handlingsplan.\n2) Rapportera till styrelsen.";
        let parsed = parse(input, &[]);
        assert_eq!(parsed.items.len(), 10);
        assert_eq!(parsed.items[0].text, "Upprätta en informationssäkerhetspolicy.");
        assert_eq!(parsed.items[6].text, "Säkerställa behörighetsgranskning.");
        assert_eq!(parsed.items[9].text, "Rapportera till styrelsen.");
        assert!(parsed.items.iter().all(|i| i.addressed_to.as_deref() == Some("kommunstyrelsen")));
    }

    #[test]
    fn wrapped_lines_are_joined_and_hyphenation_mended() {
        let input = "Kommunstyrelsen rekommenderas att:\n\
            • säkerställa att den personuppgifts-\n\
            ansvariges ansvar för informations- och\n\
            IT-säkerheten tydliggörs i styrande\n\
            dokument, inklusive IT-\n\
            samordning med bolagen\n\
            • tillse att 2020-\n\
            talets krav på e-\n\
            tjänster beaktas";
        let parsed = parse(input, &[]);
        assert_eq!(
            texts(&parsed),
            [
                "säkerställa att den personuppgiftsansvariges ansvar för informations- och IT-säkerheten tydliggörs i styrande dokument, inklusive IT-samordning med bolagen",
                "tillse att 2020-talets krav på e-tjänster beaktas",
            ]
        );
        assert_eq!(to(&parsed), [Some("Kommunstyrelsen"), Some("Kommunstyrelsen")]);
    }

    #[test]
    fn without_bullets_each_paragraph_is_one_recommendation() {
        let input = "Utifrån granskningen rekommenderar vi kommunstyrelsen att:\n\n\
            Säkerställa att samtliga verksamhetssystem har en utsedd\nsystemägare.\n\n\
            Genomföra informationsklassning av alla system som hanterar\n\n\
            känsliga personuppgifter, i första hand inom vård och omsorg.\n\n\
            Ta fram en incidentrutin.";
        let parsed = parse(input, &[]);
        assert_eq!(
            texts(&parsed),
            [
                "Säkerställa att samtliga verksamhetssystem har en utsedd systemägare.",
                "Genomföra informationsklassning av alla system som hanterar känsliga personuppgifter, i första hand inom vård och omsorg.",
                "Ta fram en incidentrutin.",
            ]
        );
        assert!(parsed.items.iter().all(|i| i.addressed_to.as_deref() == Some("kommunstyrelsen")));
    }

    #[test]
    fn page_furniture_between_items_is_dropped_not_glued() {
        let input = "Vi rekommenderar kommunstyrelsen att:\n\
            • Upprätta rutiner för kontinuitetshantering som omfattar samtliga\n\
            \n\
            12\n\
            Exempelby kommun\n\
            2024-03-14\n\
            © 2024 Revisionsbyrån AB. Alla rättigheter förbehållna.\n\
            Document classification: KPMG Public\n\
            \n\
            verksamhetskritiska system.\n\
            • Genomföra återläsningstester årligen.\n\
            Sida 13 av 20\n\
            14 mars 2024";
        let parsed = parse(input, &["Exempelby kommun".to_string()]);
        assert_eq!(
            texts(&parsed),
            [
                "Upprätta rutiner för kontinuitetshantering som omfattar samtliga verksamhetskritiska system.",
                "Genomföra återläsningstester årligen."
            ]
        );
        assert_eq!(parsed.ignored.len(), 7, "{:?}", parsed.ignored);
        assert!(parsed.ignored.contains(&"Sida 13 av 20".to_string()));
    }

    #[test]
    fn repeated_running_headers_are_dropped() {
        let input = "Granskning av informationssäkerhet\n\
            Vi rekommenderar nämnderna att:\n\
            • Utse informationsägare för sina verksamheter.\n\
            Granskning av informationssäkerhet\n\
            • Följa upp att behörigheter tas bort när anställda slutar.\n\
            Granskning av informationssäkerhet";
        let parsed = parse(input, &[]);
        assert_eq!(parsed.items.len(), 2);
        assert_eq!(parsed.items[1].text, "Följa upp att behörigheter tas bort när anställda slutar.");
        assert_eq!(parsed.ignored, vec!["Granskning av informationssäkerhet"; 3]);
    }

    #[test]
    fn headings_change_the_addressee_in_every_phrasing() {
        let input = "**Rekommendationer**\n\
            Utifrån granskningens iakttagelser rekommenderar vi kommunstyrelsen att:\n\
            • Anta riktlinjer för informationssäkerhet.\n\
            Bildningsnämnden rekommenderas att:\n\
            • Genomföra riskanalys för lärplattformen.\n\
            Utifrån detta rekommenderar vi styrelsen för Exempelby\n\
            Bostäder AB att:\n\
            • Skriva in säkerhetskrav i avtalet med driftleverantören.\n\
            Utöver detta tillkommer följande rekommendation till kommunstyrelsen:\n\
            • Rapportera informationssäkerhetsarbetet årligen till fullmäktige.\n\
            Med anledning av ovanstående rekommenderar vi därför nämnderna att prioritera nedanstående:\n\
            • Delta i den årliga utbildningen.";
        let parsed = parse(input, &[]);
        assert_eq!(
            to(&parsed),
            [
                Some("kommunstyrelsen"),
                Some("Bildningsnämnden"),
                Some("styrelsen för Exempelby Bostäder AB"),
                Some("kommunstyrelsen"),
                Some("nämnderna"),
            ]
        );
        assert_eq!(parsed.ignored, ["**Rekommendationer**"]);
    }

    #[test]
    fn a_bold_markdown_heading_still_names_the_addressee() {
        let parsed = parse("**Kommunstyrelsen rekommenderas att:**\n- Anta en klassningsmodell.", &[]);
        assert_eq!(to(&parsed), [Some("Kommunstyrelsen")]);
        assert_eq!(texts(&parsed), ["Anta en klassningsmodell."]);
    }

    #[test]
    fn a_blank_line_inside_a_bulleted_item_is_bridged_when_the_text_continues_in_lower_case() {
        let input = "Vi rekommenderar kommunstyrelsen att:\n• Säkerställa att incidenter rapporteras\n\noch följs upp systematiskt.\n\nDen sammanfattande bedömningen är att arbetet har brister.\n• Utbilda förtroendevalda.";
        let parsed = parse(input, &[]);
        assert_eq!(
            texts(&parsed),
            ["Säkerställa att incidenter rapporteras och följs upp systematiskt.", "Utbilda förtroendevalda."]
        );
        assert_eq!(parsed.ignored, ["Den sammanfattande bedömningen är att arbetet har brister."]);
    }

    #[test]
    fn recommendations_that_mention_recommendations_are_not_headings() {
        let input = "Vi rekommenderar kommunstyrelsen att:\n\nFölja upp att tidigare rekommendationer från revisionen åtgärdas.\n\nBegära in en årlig rapport om informationssäkerheten.";
        let parsed = parse(input, &[]);
        assert_eq!(
            texts(&parsed),
            [
                "Följa upp att tidigare rekommendationer från revisionen åtgärdas.",
                "Begära in en årlig rapport om informationssäkerheten."
            ]
        );
    }

    #[test]
    fn windows_line_endings_odd_spaces_and_numbered_sections() {
        let input = "3.2 Rekommendationer\r\nKommunstyrelsen rekommenderas att:\r\n•\tUpprätta\u{a0}en   förteckning över\r\n  informationstillgångar.\r\n4.1.2 Bedömning\r\n• Utse en informationssäkerhets\u{ad}samordnare.";
        let parsed = parse(input, &[]);
        assert_eq!(
            texts(&parsed),
            ["Upprätta en förteckning över informationstillgångar.", "Utse en informationssäkerhetssamordnare."]
        );
        assert_eq!(parsed.ignored, ["3.2 Rekommendationer", "4.1.2 Bedömning"]);
    }

    #[test]
    fn items_before_any_heading_have_no_addressee() {
        let parsed = parse("• Ta fram en kontinuitetsplan.\n• Testa återläsning av säkerhetskopior.", &[]);
        assert_eq!(to(&parsed), [None, None]);
    }

    #[test]
    fn empty_and_furniture_only_input_gives_nothing() {
        assert_eq!(parse("", &[]), Parsed::default());
        let parsed = parse("\n\n12\n2024-01-01\n\n", &[]);
        assert!(parsed.items.is_empty());
        assert_eq!(parsed.ignored, ["12", "2024-01-01"]);
    }

    #[test]
    fn addressees_are_read_from_each_phrasing() {
        assert_eq!(addressee("Vi rekommenderar kommunstyrelsen att:").as_deref(), Some("kommunstyrelsen"));
        assert_eq!(
            addressee("Mot bakgrund av detta rekommenderar vi även Tekniska nämnden att:").as_deref(),
            Some("Tekniska nämnden")
        );
        assert_eq!(
            addressee("Sammanfattningsvis. Välfärdsnämnden rekommenderas att:").as_deref(),
            Some("Välfärdsnämnden")
        );
        assert_eq!(
            addressee("Vidare tillkommer följande rekommendation till kommunstyrelsen:").as_deref(),
            Some("kommunstyrelsen")
        );
        assert_eq!(addressee("Rekommendationer:"), None);
    }

    #[test]
    fn a_repeated_line_inside_sentences_is_kept() {
        let input = "Vi rekommenderar kommunstyrelsen att:\n\
            • säkerställa att systemägare utses för\n\
            samtliga verksamhetssystem\n\
            • säkerställa att riskanalyser görs för\n\
            samtliga verksamhetssystem\n\
            • följa upp att\n\
            Informationssäkerhetspolicyn efterlevs\n\
            • se över att\n\
            Informationssäkerhetspolicyn efterlevs";
        let parsed = parse(input, &[]);
        assert_eq!(
            texts(&parsed),
            [
                "säkerställa att systemägare utses för samtliga verksamhetssystem",
                "säkerställa att riskanalyser görs för samtliga verksamhetssystem",
                "följa upp att Informationssäkerhetspolicyn efterlevs",
                "se över att Informationssäkerhetspolicyn efterlevs",
            ]
        );
        assert!(parsed.ignored.is_empty(), "{:?}", parsed.ignored);
    }

    #[test]
    fn a_running_header_is_dropped_even_mid_sentence_when_it_names_the_report() {
        let known = ["Exempelby kommun".to_string(), "Granskning av informationssäkerhet".to_string()];
        let input = "Vi rekommenderar kommunstyrelsen att:\n\
            • upprätta rutiner som omfattar samtliga\n\
            Granskning av informationssäkerhet\n\
            Exempelby kommun\n\
            verksamhetskritiska system.\n\
            • Exempelby kommun ska säkerställa att\n\
            behörigheter granskas.";
        let parsed = parse(input, &known);
        assert_eq!(
            texts(&parsed),
            [
                "upprätta rutiner som omfattar samtliga verksamhetskritiska system.",
                "Exempelby kommun ska säkerställa att behörigheter granskas.",
            ]
        );
        assert_eq!(parsed.items[0].removed, ["Granskning av informationssäkerhet", "Exempelby kommun"]);
        assert_eq!(
            parsed.items[0].original,
            "upprätta rutiner som omfattar samtliga Granskning av informationssäkerhet Exempelby kommun verksamhetskritiska system."
        );
        assert!(parsed.items[1].removed.is_empty());
    }

    #[test]
    fn a_multi_line_footer_goes_with_its_copyright_line() {
        let input = "Vi rekommenderar kommunstyrelsen att:\n\
            • ta fram en kontinuitetsplan för\n\
            © 2023 KPMG AB, a Swedish limited liability company and a member firm of the KPMG global\n\
            organization of independent member firms affiliated with KPMG International Limited, a private\n\
            English company limited by guarantee. All rights reserved.\n\
            de verksamhetskritiska systemen.\n\
            • testa återläsning årligen.";
        let parsed = parse(input, &[]);
        assert_eq!(
            texts(&parsed),
            ["ta fram en kontinuitetsplan för de verksamhetskritiska systemen.", "testa återläsning årligen."]
        );
        assert_eq!(parsed.items[0].removed.len(), 3);
        assert_eq!(parsed.ignored.len(), 3);
    }

    #[test]
    fn a_wrapped_line_that_starts_with_a_body_continues_the_recommendation() {
        let input = "Vi rekommenderar kommunstyrelsen att:\n\
            • säkerställa att den rutin som\n\
            miljönämnden har beslutat om tillämpas i hela kommunen.\n\
            • följa upp de åtgärder som\n\
            Miljönämnden rekommenderas att vidta enligt\n\
            revisionens tidigare rapport:\n\
            kontinuitetsplaner och övningar.";
        let parsed = parse(input, &[]);
        assert_eq!(
            texts(&parsed),
            [
                "säkerställa att den rutin som miljönämnden har beslutat om tillämpas i hela kommunen.",
                "följa upp de åtgärder som Miljönämnden rekommenderas att vidta enligt revisionens tidigare rapport: kontinuitetsplaner och övningar.",
            ]
        );
        assert!(parsed.items.iter().all(|i| i.addressed_to.as_deref() == Some("kommunstyrelsen")));
    }

    #[test]
    fn clumsy_addressee_sentences_still_name_the_body() {
        assert_eq!(addressee("Utifrån granskningen rekommenderar vi styrelsen och att:").as_deref(), Some("styrelsen"));
        assert_eq!(addressee("Vi rekommenderar kommunstyrelsen, samt att:").as_deref(), Some("kommunstyrelsen"));
        assert_eq!(addressee("Vi rekommenderar vi även nämnderna att:").as_deref(), Some("nämnderna"));
    }
}
