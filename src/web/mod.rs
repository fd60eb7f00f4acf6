//! What every area's pages share: the layout, error pages, security headers, static
//! assets, cookies, pagination, CSV export and date formatting.

pub mod assets;
pub mod cache;
pub mod cookies;
pub mod csv;
pub mod errors;
pub mod files;
pub mod flash;
pub mod form;
pub mod format;
pub mod headers;
pub mod heavy;
pub mod input;
pub mod layout;
pub mod openapi;
pub mod pagination;
pub mod palette;
pub mod search;
pub mod typst;
pub mod version;

use axum::response::{IntoResponse, Redirect, Response};

pub use layout::Chrome;

/// Post/redirect/get: every successful form post answers with this.
pub fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}

/// Splits validation errors (and a save made from an older version), which the form shows
/// again with what was typed, from other errors, which become an error page.
pub fn split_validation<T>(
    result: crate::error::AppResult<T>,
) -> crate::error::AppResult<Result<T, crate::error::FieldErrors>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(crate::error::AppError::Validation(errors)) => Ok(Err(errors)),
        Err(crate::error::AppError::Stale { saved, current }) => Ok(Err(crate::error::stale_errors(saved, current))),
        Err(other) => Err(other),
    }
}

/// A form shown again after a stale save answers 409, after invalid input 422.
pub fn refused_form(errors: &crate::error::FieldErrors, page: impl IntoResponse) -> Response {
    let status = if errors.contains_key(crate::error::CURRENT_VERSION) {
        axum::http::StatusCode::CONFLICT
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, page).into_response()
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "confirm.html")]
struct Confirm<'a> {
    chrome: Chrome,
    question: &'a str,
    consequence: &'a str,
    button: &'a str,
    action: &'a str,
    back: &'a str,
}

/// What a confirmation page asks and says: "Återkalla nyckeln X?" and what follows.
pub struct Confirmation<'a> {
    pub question: &'a str,
    pub consequence: &'a str,
    pub button: &'a str,
}

/// The page that asks "are you sure?" before something that cannot simply be undone; it
/// posts to `action` and works without JavaScript.
pub fn confirm(chrome: Chrome, asked: Confirmation<'_>, action: &str, back: &str) -> Response {
    let Confirmation { question, consequence, button } = asked;
    Confirm { chrome, question, consequence, button, action, back }.into_response()
}

/// The confirmation before a delete.
pub fn confirm_delete(chrome: Chrome, what: &str, action: &str, back: &str) -> Response {
    let question = format!("Ta bort {what}?");
    let asked = Confirmation {
        question: &question,
        consequence: "Borttagningen går inte att ångra, men den finns kvar i ändringsloggen.",
        button: "Ja, ta bort",
    };
    confirm(chrome, asked, action, back)
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "refused.html")]
struct Refused<'a> {
    chrome: Chrome,
    title: &'a str,
    reasons: &'a [String],
    back: &'a str,
}

/// The confirmation before a delete, or, when anything holds the record (`holds`, in words),
/// why it cannot be deleted, said before anyone confirms: 409 within the layout, each reason
/// on its own line, and the way back.
pub fn confirm_delete_unless_held(chrome: Chrome, what: &str, holds: &[String], action: &str, back: &str) -> Response {
    if holds.is_empty() {
        return confirm_delete(chrome, what, action, back);
    }
    let title = format!("Det går inte att ta bort {what}");
    (axum::http::StatusCode::CONFLICT, Refused { chrome, title: &title, reasons: holds, back }).into_response()
}

/// A form page shown again with its errors.
pub fn unprocessable(page: impl IntoResponse) -> Response {
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// The API's answer to a "Be om …" request: whom Lisa asked (their work item and reminder are made).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Asked {
    pub asked: String,
}

/// One choice in a `<select>`, prepared for the template.
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Choices from (value, label) pairs, with `selected` marked.
pub fn options<V: ToString, L: ToString>(items: impl IntoIterator<Item = (V, L)>, selected: &str) -> Vec<SelectOption> {
    items
        .into_iter()
        .map(|(value, label)| {
            let value = value.to_string();
            SelectOption { selected: value == selected, value, label: label.to_string() }
        })
        .collect()
}

/// A checkbox in a list.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// Checkboxes from (id, label) pairs, with those in `checked` ticked.
pub fn choices(items: impl IntoIterator<Item = (uuid::Uuid, String)>, checked: &[String]) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(id, label)| {
            let value = id.to_string();
            Choice { checked: checked.contains(&value), value, label }
        })
        .collect()
}
