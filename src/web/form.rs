//! Forms with repeated fields (a list of checkboxes, rows of a preview), which a plain
//! struct cannot hold: the body is read as name–value pairs.

use axum::extract::{FromRequest, Request};
use uuid::Uuid;

use crate::error::{AppError, FieldErrors};

/// An optional date from a form field (YYYY-MM-DD): None when empty; a message on `field` when unreadable.
pub fn optional_date(errors: &mut FieldErrors, field: &str, value: &str) -> Option<chrono::NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let parsed = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.insert(field.into(), "Ange ett datum som ÅÅÅÅ-MM-DD.".into());
    }
    parsed
}

/// An optional id from a form field: None when empty; `message` on `field` when it is not an id.
pub fn optional_id(errors: &mut FieldErrors, field: &str, value: &str, message: &str) -> Option<Uuid> {
    match value.trim() {
        "" => None,
        id => Uuid::parse_str(id).ok().or_else(|| {
            errors.insert(field.into(), message.into());
            None
        }),
    }
}

/// An optional code from a form field (a `codes!` enum's `parse`): None when empty;
/// `message` on `field` when it is not one of the codes.
pub fn optional_code<T>(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    message: &str,
) -> Option<T> {
    match value.trim() {
        "" => None,
        code => parse(code).or_else(|| {
            errors.insert(field.into(), message.into());
            None
        }),
    }
}

/// A code that must be chosen: `message` on `field` when it is empty or not one of the codes.
pub fn required_code<T>(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    message: &str,
) -> Option<T> {
    let code = parse(value.trim());
    if code.is_none() {
        errors.insert(field.into(), message.into());
    }
    code
}

/// A code from a form field: `default` when empty; `message` on `field` (and `default`)
/// when it is not one of the codes.
pub fn code_or<T>(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    default: T,
    message: &str,
) -> T {
    optional_code(errors, field, value, parse, message).unwrap_or(default)
}

/// A whole number from a form field within `min..=max`; `default` when empty; a message on
/// `field` when it is not such a number.
pub fn number_in(errors: &mut FieldErrors, field: &str, value: &str, min: i32, max: i32, default: i32) -> i32 {
    match value.trim() {
        "" => default,
        n => n.parse::<i32>().ok().filter(|n| (min..=max).contains(n)).unwrap_or_else(|| {
            let message = if max == i32::MAX {
                format!("Ange ett antal, {min} eller fler.")
            } else {
                format!("Ange ett heltal från {min} till {max}.")
            };
            errors.insert(field.into(), message);
            default
        }),
    }
}

pub struct FormPairs(pub Vec<(String, String)>);

impl FormPairs {
    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default()
    }

    /// The first value of `name` exactly as sent (pasted text keeps its layout); empty when absent.
    pub fn raw(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormPairs {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas.".into()))?;
        Ok(FormPairs(pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yes_no(code: &str) -> Option<bool> {
        match code {
            "ja" => Some(true),
            "nej" => Some(false),
            _ => None,
        }
    }

    #[test]
    fn codes_are_empty_chosen_or_an_error() {
        let mut errors = FieldErrors::new();
        assert_eq!(optional_code(&mut errors, "a", "  ", yes_no, "Välj."), None);
        assert!(!code_or(&mut errors, "b", "", yes_no, false, "Välj."));
        assert!(code_or(&mut errors, "c", " ja ", yes_no, false, "Välj."));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(required_code(&mut errors, "d", "", yes_no, "Välj d."), None);
        assert!(!code_or(&mut errors, "e", "kanske", yes_no, false, "Välj e."));
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["d", "e"]);
    }
}
