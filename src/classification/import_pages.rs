//! Pages of "Läs in klassningar": paste the KLASSA sheet, check the columns and the preview, save.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::import::{self, ImportRequest, ImportResult, PlanImportResult};
use super::klassa::Column;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, FieldErrors};
use crate::web::form::FormPairs;
use crate::web::{Chrome, SelectOption, flash, options, split_validation, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "classification/import.html")]
struct ImportPage {
    chrome: Chrome,
    text: String,
    errors: FieldErrors,
    /// The preview, once the sheet could be read.
    preview: Option<ImportResult>,
    /// Per column: its code, its name and the headings to choose from.
    columns: Vec<(&'static str, &'static str, Vec<SelectOption>)>,
}

impl ImportPage {
    fn new(chrome: Chrome, text: String, errors: FieldErrors, preview: Option<ImportResult>) -> ImportPage {
        let columns = match &preview {
            Some(result) => column_choices(&Column::CLASSIFICATION, &result.headings, &result.mapping),
            None => Vec::new(),
        };
        ImportPage { chrome, text, errors, preview, columns }
    }
}

/// Per column of a sheet: its code, its name, and the headings to choose from (the one it is
/// read from chosen).
fn column_choices(
    columns: &[Column],
    headings: &[String],
    mapping: &std::collections::BTreeMap<String, String>,
) -> Vec<(&'static str, &'static str, Vec<SelectOption>)> {
    columns
        .iter()
        .map(|column| {
            let chosen = mapping.get(column.code()).map(String::as_str).unwrap_or("");
            (column.code(), column.label(), options(headings.iter().map(|h| (h.clone(), h.clone())), chosen))
        })
        .collect()
}

/// The sheet and the columns as the form sends them: `text`, and `col_<code>` per column.
fn request(pairs: &FormPairs, commit: bool) -> ImportRequest {
    let mapping = pairs
        .0
        .iter()
        .filter_map(|(name, value)| name.strip_prefix("col_").map(|code| (code.to_string(), value.trim().to_string())))
        .collect();
    ImportRequest { text: pairs.raw("text"), mapping, commit }
}

pub async fn form(principal: Principal, chrome: Chrome) -> AppResult<Response> {
    import::open_form(&principal)?;
    Ok(ImportPage::new(chrome, String::new(), FieldErrors::new(), None).into_response())
}

pub async fn preview(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    pairs: FormPairs,
) -> AppResult<Response> {
    let asked = request(&pairs, false);
    match split_validation(import::import(&state, &principal, &asked).await)? {
        Ok(result) => Ok(ImportPage::new(chrome, asked.text, FieldErrors::new(), Some(result)).into_response()),
        Err(errors) => Ok(unprocessable(ImportPage::new(chrome, asked.text, errors, None))),
    }
}

pub async fn preview_file(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    import::open_form(&principal)?;
    let (_, _, bytes) = crate::web::files::read_upload(multipart).await?;
    let text = match split_validation(import::sheet_text(&principal, bytes).await)? {
        Ok(text) => text,
        Err(errors) => return Ok(unprocessable(ImportPage::new(chrome, String::new(), errors, None))),
    };
    let asked = ImportRequest { text, ..ImportRequest::default() };
    match split_validation(import::import(&state, &principal, &asked).await)? {
        Ok(result) => Ok(ImportPage::new(chrome, asked.text, FieldErrors::new(), Some(result)).into_response()),
        Err(errors) => Ok(unprocessable(ImportPage::new(chrome, asked.text, errors, None))),
    }
}

pub async fn save(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    pairs: FormPairs,
) -> AppResult<Response> {
    let asked = request(&pairs, true);
    match split_validation(import::import(&state, &principal, &asked).await)? {
        Ok(result) => {
            let message = format!(
                "{} inlästa från KLASSA.{}",
                crate::web::format::count(result.saved, "klassning", "klassningar"),
                match result.with_errors() {
                    0 => String::new(),
                    n => format!(" {} med fel lämnades utanför.", crate::web::format::count(n, "rad", "rader")),
                }
            );
            Ok(flash::see_other_with(&state, "/coverage", &message))
        }
        Err(errors) => Ok(unprocessable(ImportPage::new(chrome, asked.text, errors, None))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "classification/plan_import.html")]
struct PlanPage {
    chrome: Chrome,
    text: String,
    errors: FieldErrors,
    preview: Option<PlanImportResult>,
    columns: Vec<(&'static str, &'static str, Vec<SelectOption>)>,
}

impl PlanPage {
    fn new(chrome: Chrome, text: String, errors: FieldErrors, preview: Option<PlanImportResult>) -> PlanPage {
        let columns = match &preview {
            Some(result) => column_choices(&Column::PLAN, &result.headings, &result.mapping),
            None => Vec::new(),
        };
        PlanPage { chrome, text, errors, preview, columns }
    }
}

pub async fn plan_form(principal: Principal, chrome: Chrome) -> AppResult<Response> {
    import::open_form(&principal)?;
    Ok(PlanPage::new(chrome, String::new(), FieldErrors::new(), None).into_response())
}

pub async fn plan_preview(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    pairs: FormPairs,
) -> AppResult<Response> {
    let asked = request(&pairs, false);
    match split_validation(import::import_plan(&state, &principal, &asked).await)? {
        Ok(result) => Ok(PlanPage::new(chrome, asked.text, FieldErrors::new(), Some(result)).into_response()),
        Err(errors) => Ok(unprocessable(PlanPage::new(chrome, asked.text, errors, None))),
    }
}

pub async fn plan_save(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    pairs: FormPairs,
) -> AppResult<Response> {
    let asked = request(&pairs, true);
    match split_validation(import::import_plan(&state, &principal, &asked).await)? {
        Ok(result) => {
            let message = format!(
                "{} inlästa från handlingsplanen.",
                crate::web::format::count(result.saved, "självskattning", "självskattningar")
            );
            Ok(flash::see_other_with(&state, "/coverage", &message))
        }
        Err(errors) => Ok(unprocessable(PlanPage::new(chrome, asked.text, errors, None))),
    }
}
