//! Reading classifications made in SKR's KLASSA (or kept by hand in a spreadsheet): the sheet as
//! copied from Excel or saved as CSV, its columns matched to what Lisa needs, each row checked
//! on its own. Pure rules; the preview against what Lisa holds and the saving are in `store`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::codes! {
    /// What a column of the sheet holds.
    pub enum Column {
        System = "system" => "System",
        Asset = "informationsmangd" => "Informationsmängd",
        K = "k" => "Konfidentialitet (K)",
        R = "r" => "Riktighet (R)",
        T = "t" => "Tillgänglighet (T)",
        S = "s" => "Spårbarhet (S)",
        Date = "datum" => "Datum",
        ClassifiedBy = "klassad_av" => "Klassad av",
        Owner = "systemagare" => "Systemägare",
        Body = "namnd" => "Nämnd",
        Requirement = "krav_id" => "Krav-id",
        Status = "status" => "Status",
        How = "hur" => "Hur",
    }
}

impl Column {
    /// Headings that name the column, as they are written after `normalised`.
    fn names(self) -> &'static [&'static str] {
        match self {
            Column::System => &["system", "systemnamn", "it system", "informationssystem", "systemets namn"],
            Column::Asset => &[
                "informationsmängd",
                "informationsmängder",
                "information",
                "informationstillgång",
                "informationstyp",
                "informationsslag",
            ],
            Column::K => &["k", "konfidentialitet"],
            Column::R => &["r", "riktighet"],
            Column::T => &["t", "tillgänglighet"],
            Column::S => &["s", "spårbarhet"],
            Column::Date => &["datum", "klassningsdatum", "klassad datum", "datum för klassning"],
            Column::ClassifiedBy => &["klassad av", "klassificerad av", "utförd av", "klassare"],
            Column::Owner => &["systemägare", "ägare"],
            Column::Body => &["nämnd", "nämnd bolag", "ansvarig nämnd", "organ", "förvaltning"],
            Column::Requirement => &["krav id", "kravid", "krav nr", "kravnummer", "kravnr", "id"],
            Column::Status => &["status", "uppfyllnad", "bedömning", "självskattning", "efterlevnad"],
            Column::How => &["hur", "kommentar", "hur uppfylls kravet", "beskrivning"],
        }
    }

    /// The four aspects, in K, R, T, S order.
    pub const ASPECTS: [Column; 4] = [Column::K, Column::R, Column::T, Column::S];

    /// The columns of a classification sheet.
    pub const CLASSIFICATION: [Column; 10] = [
        Column::System,
        Column::Asset,
        Column::K,
        Column::R,
        Column::T,
        Column::S,
        Column::Date,
        Column::ClassifiedBy,
        Column::Owner,
        Column::Body,
    ];

    /// The columns of a handlingsplan (the requirements and how each system meets them).
    pub const PLAN: [Column; 4] = [Column::System, Column::Requirement, Column::Status, Column::How];
}

/// Lower case, punctuation and brackets as spaces: "K – Konfidentialitet" is "k konfidentialitet".
fn normalised(heading: &str) -> String {
    heading
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `heading` names `column`: exactly, or its words start or end with a name of at
/// least two words' weight ("Konfidentialitet (K)", "K - Konfidentialitet", "System/tjänst").
fn names_column(heading: &str, column: Column) -> bool {
    let heading = normalised(heading);
    column.names().iter().any(|name| {
        heading == *name
            || (name.len() > 1 && (heading.starts_with(&format!("{name} ")) || heading.ends_with(&format!(" {name}"))))
    })
}

/// Which heading (by position) each column is read from.
pub type Mapping = HashMap<Column, usize>;

/// The columns guessed from the headings: the first heading that names each.
pub fn guess_mapping(headings: &[String]) -> Mapping {
    guess_mapping_of(headings, &Column::ALL)
}

/// The guess for some of the columns only.
pub fn guess_mapping_of(headings: &[String], columns: &[Column]) -> Mapping {
    let mut mapping = Mapping::new();
    let mut taken = HashSet::new();
    for column in columns.iter().copied() {
        if let Some(index) = (0..headings.len()).find(|i| !taken.contains(i) && names_column(&headings[*i], column)) {
            taken.insert(index);
            mapping.insert(column, index);
        }
    }
    mapping
}

/// A mapping given by its headings' names (as the API and the page send it) over the guess:
/// an empty name leaves the column out, an unknown one is an error.
pub fn mapping_from_names(
    headings: &[String],
    given: &BTreeMap<String, String>,
    mut mapping: Mapping,
) -> Result<Mapping, String> {
    for (code, heading) in given {
        let column = Column::parse(code).ok_or_else(|| format!("Okänd kolumn ”{code}”."))?;
        if heading.trim().is_empty() {
            mapping.remove(&column);
            continue;
        }
        let index = headings
            .iter()
            .position(|h| h.trim() == heading.trim())
            .ok_or_else(|| format!("Rubriken ”{heading}” finns inte i bladet."))?;
        mapping.insert(column, index);
    }
    Ok(mapping)
}

/// The sheet: its headings and its rows with their line numbers (the heading is line 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sheet {
    pub headings: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// The most rows one import reads: a large municipality has some thousand assets.
pub const MAX_ROWS: usize = 5_000;

/// How many of the first rows may hold the headings (below a title, say).
const HEADING_SEARCH: usize = 10;

/// Reads a sheet pasted from Excel (tab-separated) or saved as CSV (`;` or `,`), with a BOM or without.
pub fn read_sheet(text: &str) -> Result<Sheet, String> {
    let text = text.trim_start_matches('\u{feff}');
    let first: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(HEADING_SEARCH).collect();
    if first.is_empty() {
        return Err("Bladet är tomt. Den första raden ska vara rubrikerna.".into());
    }
    let delimiter = if first.iter().any(|l| l.contains('\t')) {
        b'\t'
    } else if first.iter().any(|l| l.contains(';')) {
        b';'
    } else {
        b','
    };
    // A blank row is a row in the spreadsheet: kept as one of empty cells, so that line numbers
    // match what the coordinator sees (the reader would otherwise skip it).
    let text: String = text
        .lines()
        .map(|line| if line.trim().is_empty() { char::from(delimiter).to_string() } else { line.to_string() })
        .collect::<Vec<_>>()
        .join("\n");
    let mut reader =
        ::csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(false).from_reader(text.as_bytes());
    let mut records: Vec<(usize, Vec<String>)> = Vec::new();
    for record in reader.records() {
        let (line, cells): (usize, Vec<String>) = match record {
            Ok(record) => (
                record.position().map(|p| p.line() as usize).unwrap_or(0),
                record.iter().map(|c| c.trim().to_string()).collect(),
            ),
            Err(err) => {
                let line = err.position().map(|p| p.line()).unwrap_or(0);
                return Err(format!("Rad {line} kunde inte läsas."));
            }
        };
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if records.len() > MAX_ROWS + HEADING_SEARCH {
            return Err(format!("Bladet har fler än {MAX_ROWS} rader. Dela upp det och läs in en del i taget."));
        }
        records.push((line, cells));
    }
    // The headings are the row among the first that names the most columns: an export may
    // start with a title ("Informationsklassning – Exempelby kommun").
    let heading = (0..records.len().min(HEADING_SEARCH))
        .max_by_key(|i| (guess_mapping(&records[*i].1).len(), std::cmp::Reverse(*i)))
        .unwrap_or(0);
    let mut records = records.into_iter().skip(heading);
    let headings = records.next().map(|(_, cells)| cells).unwrap_or_default();
    let rows: Vec<(usize, Vec<String>)> = records.collect();
    if rows.len() > MAX_ROWS {
        return Err(format!("Bladet har fler än {MAX_ROWS} rader. Dela upp det och läs in en del i taget."));
    }
    if rows.is_empty() {
        return Err("Bladet har inga rader under rubrikerna.".into());
    }
    Ok(Sheet { headings, rows })
}

/// The most an .xlsx may hold unpacked: a sheet of some thousand rows is a few megabytes, and
/// a file that claims more (or will not say) is refused before it is opened.
pub const MAX_XLSX_UNPACKED: u128 = 50 * 1024 * 1024;

/// The widest sheet read: KLASSA's exports have a dozen columns.
const MAX_COLUMNS: usize = 200;

/// The first worksheet of an .xlsx file as tab-separated text (every cell quoted), so that it
/// is read exactly as a sheet pasted from Excel. Numbers lose Excel's ".0"; dates read as ÅÅÅÅ-MM-DD.
pub fn xlsx_to_text(bytes: &[u8]) -> Result<String, String> {
    use calamine::{Data, DataType, Reader, Xlsx};
    let unreadable = || {
        "Filen kunde inte läsas som ett Excel-ark (.xlsx). Spara den som CSV, eller kopiera bladet och klistra in det."
            .to_string()
    };
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| unreadable())?;
    match archive.decompressed_size() {
        Some(size) if size <= MAX_XLSX_UNPACKED => {}
        _ => return Err("Arket är för stort (mer än 50 MB uppackat). Dela upp det eller spara det som CSV.".into()),
    }
    let mut workbook: Xlsx<_> = Reader::new(std::io::Cursor::new(bytes)).map_err(|_| unreadable())?;
    let range = workbook.worksheet_range_at(0).ok_or_else(unreadable)?.map_err(|_| unreadable())?;
    if range.height() > MAX_ROWS + 1 {
        return Err(format!("Bladet har fler än {MAX_ROWS} rader. Dela upp det och läs in en del i taget."));
    }
    if range.width() > MAX_COLUMNS {
        return Err(format!("Bladet har fler än {MAX_COLUMNS} kolumner."));
    }
    let cell = |cell: &Data| -> String {
        let text = match cell {
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::DateTime(_) | Data::DateTimeIso(_) => {
                cell.as_date().map(|d| d.to_string()).unwrap_or_else(|| cell.to_string())
            }
            Data::Empty => String::new(),
            other => other.to_string(),
        };
        format!("\"{}\"", text.replace(['\t', '\n', '\r'], " ").replace('"', "\"\""))
    };
    // Rows above the first used one still count, so that line numbers are Excel's row numbers.
    let mut text = "\n".repeat(range.start().map(|(row, _)| row as usize).unwrap_or(0));
    for row in range.rows() {
        text.push_str(&row.iter().map(cell).collect::<Vec<_>>().join("\t"));
        text.push('\n');
    }
    Ok(text)
}

/// The levels of one row, K, R, T, S.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Levels {
    pub k: i16,
    pub r: i16,
    pub t: i16,
    pub s: i16,
}

impl Levels {
    pub fn triple(&self) -> String {
        format!("{}-{}-{}-{}", self.k, self.r, self.t, self.s)
    }
}

/// One row as read: what it names, its levels, and what is wrong or worth a look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub system: String,
    pub asset: String,
    pub levels: Option<Levels>,
    pub classified_on: Option<NaiveDate>,
    pub classified_by: String,
    /// The system owner and the body named, for a system Lisa does not have yet.
    pub owner: String,
    pub body: String,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

/// A level as KLASSA writes it: "2", "Nivå 2", "2 – Måttlig"; only 0–4.
fn level(cell: &str) -> Option<i16> {
    let cell = cell.trim().to_lowercase();
    let rest = cell.strip_prefix("nivå").unwrap_or(&cell).trim_start();
    let mut chars = rest.chars();
    let digit = chars.next()?.to_digit(10).filter(|d| *d <= 4)?;
    match chars.next() {
        None => Some(digit as i16),
        Some(c) if c.is_whitespace() => Some(digit as i16),
        Some(_) => None,
    }
}

/// A date as Excel or a person writes it: 2024-03-01, 2024/03/01, 1/3/2024 is not guessed.
fn date(cell: &str) -> Option<NaiveDate> {
    let cell = cell.trim();
    let day = cell.get(..10).unwrap_or(cell);
    NaiveDate::parse_from_str(day, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(day, "%Y/%m/%d")).ok()
}

/// Level 4 lies outside KLASSA's requirement catalogues.
pub const LEVEL_4_WARNING: &str = "Nivå 4 är utanför KLASSA:s kravkataloger – gör en egen analys (Lisa föreslår den).";

/// Reads each row through the mapping. A row without system or with a level outside 0–4 has
/// errors; a row without an information asset names the system's own information; the same
/// system and asset twice is an error on the second.
pub fn read_rows(sheet: &Sheet, mapping: &Mapping) -> Result<Vec<Row>, String> {
    let missing: Vec<&str> = [Column::System]
        .into_iter()
        .chain(Column::ASPECTS)
        .filter(|c| !mapping.contains_key(c))
        .map(Column::label)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "Välj vilken kolumn som håller {}.",
            crate::web::format::list_and(&missing.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        ));
    }
    let mut seen = HashSet::new();
    let rows = sheet
        .rows
        .iter()
        .map(|(line, cells)| {
            let cell =
                |column: Column| mapping.get(&column).and_then(|i| cells.get(*i)).map(String::as_str).unwrap_or("");
            let mut errors = Vec::new();
            let mut warnings = Vec::new();
            let system = cell(Column::System).to_string();
            if system.is_empty() {
                errors.push("Systemets namn saknas.".to_string());
            }
            let asset = match cell(Column::Asset) {
                "" => system.clone(),
                named => named.to_string(),
            };
            let mut read = [0i16; 4];
            for (slot, column) in read.iter_mut().zip(Column::ASPECTS) {
                match (cell(column), level(cell(column))) {
                    ("", _) => errors.push(format!("{} saknas.", column.label())),
                    (_, Some(n)) => *slot = n,
                    (value, None) => errors.push(format!("{}: ”{value}” är inte en nivå 0–4.", column.label())),
                }
            }
            let levels = Levels { k: read[0], r: read[1], t: read[2], s: read[3] };
            if errors.is_empty() && read.contains(&4) {
                warnings.push(LEVEL_4_WARNING.to_string());
            }
            let classified_on = date(cell(Column::Date));
            if classified_on.is_none() && !cell(Column::Date).is_empty() {
                warnings.push(format!("Datumet ”{}” kunde inte läsas (skriv ÅÅÅÅ-MM-DD).", cell(Column::Date)));
            }
            if !system.is_empty() && !seen.insert((system.to_lowercase(), asset.to_lowercase())) {
                errors.push(format!("”{system}” / ”{asset}” finns redan längre upp i bladet."));
            }
            Row {
                line: *line,
                system,
                asset,
                levels: errors.is_empty().then_some(levels),
                classified_on,
                classified_by: cell(Column::ClassifiedBy).to_string(),
                owner: cell(Column::Owner).to_string(),
                body: cell(Column::Body).to_string(),
                errors,
                warnings,
            }
        })
        .collect();
    Ok(rows)
}

/// One row of a handlingsplan: which system, which requirement, how far it is met and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanRow {
    pub line: usize,
    pub system: String,
    pub requirement: String,
    pub status: Option<super::model::Assessment>,
    pub how: String,
    pub errors: Vec<String>,
}

/// A status as a handlingsplan writes it: "Uppfyllt", "Delvis", "Ej uppfyllt", "Ej tillämpligt".
fn status(cell: &str) -> Option<super::model::Assessment> {
    use super::model::Assessment;
    match normalised(cell).as_str() {
        "uppfyllt" | "uppfylld" | "uppfyllt krav" | "ja" | "klar" => Some(Assessment::Uppfylld),
        "delvis" | "delvis uppfyllt" | "delvis uppfylld" | "påbörjad" => Some(Assessment::Delvis),
        "ej uppfyllt" | "ej uppfylld" | "inte uppfyllt" | "nej" | "ej påbörjad" => Some(Assessment::EjUppfylld),
        "ej tillämpligt" | "ej tillämplig" | "ej aktuellt" | "ej relevant" | "ej applicerbart" => {
            Some(Assessment::EjTillampligt)
        }
        _ => None,
    }
}

/// Reads each row of a handlingsplan through the mapping; the same system and requirement
/// twice is an error on the second.
pub fn read_plan_rows(sheet: &Sheet, mapping: &Mapping) -> Result<Vec<PlanRow>, String> {
    let missing: Vec<String> = [Column::System, Column::Requirement, Column::Status]
        .into_iter()
        .filter(|c| !mapping.contains_key(c))
        .map(|c| c.label().to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!("Välj vilken kolumn som håller {}.", crate::web::format::list_and(&missing)));
    }
    let mut seen = HashSet::new();
    Ok(sheet
        .rows
        .iter()
        .map(|(line, cells)| {
            let cell =
                |column: Column| mapping.get(&column).and_then(|i| cells.get(*i)).map(String::as_str).unwrap_or("");
            let mut errors = Vec::new();
            let (system, requirement) = (cell(Column::System).to_string(), cell(Column::Requirement).to_string());
            if system.is_empty() {
                errors.push("Systemets namn saknas.".to_string());
            }
            if requirement.is_empty() {
                errors.push("Krav-id saknas.".to_string());
            }
            let status = status(cell(Column::Status));
            if status.is_none() {
                errors.push(format!(
                    "Status ”{}” är inte ett av: uppfyllt, delvis, ej uppfyllt, ej tillämpligt.",
                    cell(Column::Status)
                ));
            }
            if !system.is_empty()
                && !requirement.is_empty()
                && !seen.insert((system.to_lowercase(), requirement.to_lowercase()))
            {
                errors.push(format!("”{system}” / ”{requirement}” finns redan längre upp i bladet."));
            }
            PlanRow { line: *line, system, requirement, status, how: cell(Column::How).to_string(), errors }
        })
        .collect())
}

/// The reason each aspect of an imported version gives, so the classification says where it came from.
pub fn reason(row: &Row, today: NaiveDate) -> String {
    let mut reason = format!("Inläst från KLASSA {today}");
    match (row.classified_on, row.classified_by.as_str()) {
        (Some(on), "") => reason.push_str(&format!(" (klassad {on})")),
        (Some(on), by) => reason.push_str(&format!(" (klassad {on} av {by})")),
        (None, "") => {}
        (None, by) => reason.push_str(&format!(" (klassad av {by})")),
    }
    reason.push('.');
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHEET: &str = "\u{feff}Systemnamn;Informationsmängd;K – Konfidentialitet;Riktighet (R);T;S;Klassningsdatum;Klassad av\n\
        Procapita;Journaler;3;3;2;3;2024-03-01;Eva Dahl\n\
        Skolplattformen;;2;2;2;1;;\n\
        Ekonomisystemet;Leverantörsreskontra;1;5;2;1;;\n\
        ;Något;1;1;1;1;;\n\
        Trygghetslarm;Larm;2;4;4;2;2024-13-01;\n\
        Procapita;Journaler;3;3;2;3;;\n";

    fn rows() -> Vec<Row> {
        let sheet = read_sheet(SHEET).unwrap();
        read_rows(&sheet, &guess_mapping(&sheet.headings)).unwrap()
    }

    #[test]
    fn the_columns_are_guessed_from_swedish_headings() {
        let sheet = read_sheet(SHEET).unwrap();
        let mapping = guess_mapping(&sheet.headings);
        let at = |c: Column| mapping.get(&c).copied();
        assert_eq!(
            [
                Column::System,
                Column::Asset,
                Column::K,
                Column::R,
                Column::T,
                Column::S,
                Column::Date,
                Column::ClassifiedBy
            ]
            .map(at),
            [0, 1, 2, 3, 4, 5, 6, 7].map(Some)
        );
        assert_eq!(at(Column::Owner), None);
    }

    #[test]
    fn tabs_from_excel_and_commas_are_read_too() {
        let tabs = read_sheet("System\tK\tR\tT\tS\nA\t1\t2\t3\t0\n").unwrap();
        assert_eq!(tabs.rows, vec![(2, vec!["A", "1", "2", "3", "0"].into_iter().map(String::from).collect())]);
        let commas = read_sheet("System,K,R,T,S\n\nB,\"1\",2,3,0\n").unwrap();
        assert_eq!(commas.rows[0].0, 3, "lines count blank ones");
        assert!(read_sheet("System;K\n").unwrap_err().contains("inga rader"));
        assert!(read_sheet(" \n").unwrap_err().contains("tomt"));
    }

    #[test]
    fn a_title_above_the_headings_is_passed_over() {
        let sheet = read_sheet("Informationsklassning, Exempelby\n\nSystem;K;R;T;S\nA;1;2;3;0\n").unwrap();
        assert_eq!(sheet.headings, ["System", "K", "R", "T", "S"]);
        assert_eq!(sheet.rows, vec![(4, ["A", "1", "2", "3", "0"].map(String::from).to_vec())]);
    }

    #[test]
    fn an_xlsx_sheet_reads_as_the_same_sheet_pasted() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/klassa.xlsx")).unwrap();
        let sheet = read_sheet(&xlsx_to_text(&bytes).unwrap()).unwrap();
        assert_eq!(sheet.headings[0], "Systemnamn");
        let rows = read_rows(&sheet, &guess_mapping(&sheet.headings)).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].line, 4, "Excel's own row number");
        assert_eq!(rows[0].levels, Some(Levels { k: 2, r: 3, t: 1, s: 2 }));
        assert_eq!(rows[0].classified_on, NaiveDate::from_ymd_opt(2024, 4, 2));
        assert_eq!((rows[0].classified_by.as_str(), rows[0].body.as_str()), ("Karin Ström", "Kommunstyrelsen"));
        assert_eq!(rows[2].warnings, [LEVEL_4_WARNING]);
        assert_eq!(rows[3].errors, ["Spårbarhet (S): ”x” är inte en nivå 0–4."], "1.0 and \"2\" read as levels");
        assert!(xlsx_to_text(b"PK\x03\x04 not a zip").unwrap_err().contains("Excel-ark"));
        // 60 KB that would unpack to 60 MB is refused before it is opened.
        let bomb =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/unpacks_too_large.xlsx")).unwrap();
        assert!(bomb.len() < 200_000);
        assert!(xlsx_to_text(&bomb).unwrap_err().contains("för stort"));
        assert!(xlsx_to_text(b"System;K").unwrap_err().contains("Excel-ark"));
    }

    #[test]
    fn each_row_is_checked_on_its_own() {
        let rows = rows();
        assert_eq!(rows[0].levels, Some(Levels { k: 3, r: 3, t: 2, s: 3 }));
        assert_eq!(rows[0].classified_on, NaiveDate::from_ymd_opt(2024, 3, 1));
        assert_eq!(
            (rows[1].asset.as_str(), rows[1].errors.len()),
            ("Skolplattformen", 0),
            "the system's own information"
        );
        assert_eq!(rows[2].errors, ["Riktighet (R): ”5” är inte en nivå 0–4."]);
        assert_eq!(rows[2].levels, None);
        assert_eq!(rows[3].errors, ["Systemets namn saknas."]);
        assert_eq!(rows[4].warnings.len(), 2, "level 4 and an unreadable date: {:?}", rows[4].warnings);
        assert!(rows[4].warnings[0].contains("utanför KLASSA:s kravkataloger"));
        assert!(rows[5].errors[0].contains("längre upp i bladet"), "{:?}", rows[5].errors);
    }

    #[test]
    fn levels_are_read_as_klassa_writes_them() {
        assert_eq!(["2", "Nivå 3", "1 – Begränsad", " 0 "].map(level), [Some(2), Some(3), Some(1), Some(0)]);
        assert_eq!(["5", "-1", "hög", "", "2,5"].map(level), [None, None, None, None, None]);
    }

    #[test]
    fn a_mapping_by_heading_names_overrides_the_guess_and_must_name_the_aspects() {
        let sheet = read_sheet("Namn;Info;Konf;Rikt;Tillg;Spår\nA;x;1;1;1;1\n").unwrap();
        let guessed = guess_mapping(&sheet.headings);
        assert!(read_rows(&sheet, &guessed).unwrap_err().contains("System"));
        let given: BTreeMap<String, String> = [
            ("system", "Namn"),
            ("informationsmangd", "Info"),
            ("k", "Konf"),
            ("r", "Rikt"),
            ("t", "Tillg"),
            ("s", "Spår"),
        ]
        .into_iter()
        .map(|(c, h)| (c.to_string(), h.to_string()))
        .collect();
        let mapping = mapping_from_names(&sheet.headings, &given, guessed).unwrap();
        let rows = read_rows(&sheet, &mapping).unwrap();
        assert_eq!((rows[0].system.as_str(), rows[0].asset.as_str()), ("A", "x"));
        let wrong = BTreeMap::from([("k".to_string(), "Saknas".to_string())]);
        assert!(mapping_from_names(&sheet.headings, &wrong, Mapping::new()).unwrap_err().contains("Saknas"));
    }

    #[test]
    fn a_handlingsplan_is_read_row_by_row() {
        use crate::classification::model::Assessment;
        let sheet = read_sheet(
            "Handlingsplan 2024\nSystem;Krav-id;Kravtext;ÄR/SKA;Status;Hur;Ansvarig\n\
             Procapita;T-04;Säkerhetskopiering;SKA;Uppfyllt;Dagligen;IT\n\
             Procapita;K-01;Behörigheter;SKA;Delvis uppfyllt;Granskas årligen;\n\
             Procapita;R-02;Loggning;ÄR;kanske;;\n\
             Procapita;T-04;Säkerhetskopiering;SKA;Ej tillämpligt;;\n",
        )
        .unwrap();
        let mapping = guess_mapping_of(&sheet.headings, &Column::PLAN);
        assert_eq!(mapping.get(&Column::Status), Some(&4));
        let rows = read_plan_rows(&sheet, &mapping).unwrap();
        assert_eq!(rows[0].status, Some(Assessment::Uppfylld));
        assert_eq!((rows[0].line, rows[0].how.as_str()), (3, "Dagligen"));
        assert_eq!(rows[1].status, Some(Assessment::Delvis));
        assert!(rows[2].errors[0].contains("kanske"));
        assert!(rows[3].errors[0].contains("längre upp"));
        assert!(read_plan_rows(&sheet, &Mapping::new()).unwrap_err().contains("Krav-id"));
    }

    #[test]
    fn the_reason_says_where_and_when() {
        let row = rows().remove(0);
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(reason(&row, today), "Inläst från KLASSA 2026-12-07 (klassad 2024-03-01 av Eva Dahl).");
    }
}
