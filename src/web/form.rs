//! Reading forms: `PageForm` deserializes a page's form into the input struct the API takes
//! (repeated fields into a `Vec`); `FormPairs` keeps name–value pairs where rows are indexed
//! (the paste previews) and for the forms not yet moved to `PageForm`. The helpers below turn
//! form text into typed values with Swedish messages.

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

/// Ids chosen in a form (a checkbox list): each must be an id, `"Välj i listan."` on `field`
/// otherwise; empty values skipped, repeats dropped, the order kept.
pub fn id_list(errors: &mut FieldErrors, field: &str, values: &[String]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = Vec::new();
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match Uuid::parse_str(value) {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(_) => {
                errors.insert(field.into(), "Välj i listan.".into());
            }
        }
    }
    ids
}

/// An optional whole number within `min..=max`: None when empty; a message on `field` when it
/// is not such a number.
pub fn optional_number(errors: &mut FieldErrors, field: &str, value: &str, min: i32, max: i32) -> Option<i32> {
    if value.trim().is_empty() {
        return None;
    }
    let before = errors.len();
    let n = number_in(errors, field, value, min, max, min);
    (errors.len() == before).then_some(n)
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

/// A page's form read into the same input struct the API takes (`PageForm(form): PageForm<XForm>`):
/// a field sent more than once (checkboxes of one name) fills a `Vec`; a field not sent takes
/// its serde default. Values are kept as typed; the struct's `validate` trims them.
pub struct PageForm<T>(pub T);

/// A pasted text (an export, a list, a report's recommendations), kept exactly as sent so
/// that its layout survives a preview.
#[derive(serde::Deserialize)]
pub struct PastedText {
    #[serde(default)]
    pub text: String,
}

/// A checkbox, for `#[serde(default, deserialize_with = "checkbox")]`: a page sends `1`, `on` or
/// `true` when ticked (`ja` from pages of older versions) and nothing when not; the API sends a
/// JSON bool.
pub fn checkbox<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    struct Checkbox;
    impl serde::de::Visitor<'_> for Checkbox {
        type Value = bool;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("true or false")
        }

        fn visit_bool<E>(self, ticked: bool) -> Result<bool, E> {
            Ok(ticked)
        }

        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<bool, E> {
            match value.trim() {
                "1" | "on" | "true" | "ja" => Ok(true),
                "" | "0" | "off" | "false" => Ok(false),
                other => Err(E::invalid_value(serde::de::Unexpected::Str(other), &self)),
            }
        }
    }
    deserializer.deserialize_any(Checkbox)
}

/// A number field, for `#[serde(default, deserialize_with = "text_or_number")]`: a page sends
/// text, the API may send a JSON number (or null for none); the form's `validate` reads either
/// as text, with its Swedish message when it is not a number.
pub fn text_or_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct TextOrNumber;
    impl serde::de::Visitor<'_> for TextOrNumber {
        type Value = String;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number, as text or a JSON number")
        }

        fn visit_str<E>(self, value: &str) -> Result<String, E> {
            Ok(value.to_string())
        }

        fn visit_i64<E>(self, value: i64) -> Result<String, E> {
            Ok(value.to_string())
        }

        fn visit_u64<E>(self, value: u64) -> Result<String, E> {
            Ok(value.to_string())
        }

        fn visit_f64<E>(self, value: f64) -> Result<String, E> {
            Ok(value.to_string())
        }

        fn visit_unit<E>(self) -> Result<String, E> {
            Ok(String::new())
        }

        fn visit_none<E>(self) -> Result<String, E> {
            Ok(String::new())
        }
    }
    deserializer.deserialize_any(TextOrNumber)
}

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let unreadable = || AppError::BadRequest("Formuläret kunde inte läsas.".into());
        // axum checks the content type and reads the body; serde_html_form reads repeated fields.
        let axum::extract::RawForm(body) =
            axum::extract::RawForm::from_request(request, state).await.map_err(|_| unreadable())?;
        serde_html_form::from_bytes(&body).map(PageForm).map_err(|_| unreadable())
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

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Sample {
        #[serde(default)]
        title: String,
        #[serde(default)]
        audience: Vec<String>,
        #[serde(default, deserialize_with = "checkbox")]
        shared: bool,
    }

    #[test]
    fn a_page_form_fills_vecs_from_repeated_fields_and_defaults_what_is_missing() {
        let read = |body: &str| serde_html_form::from_bytes::<Sample>(body.as_bytes());
        let typed = read("csrf_token=t&title=+Policy+&audience=revisor&audience=samordnare&shared=true").unwrap();
        assert_eq!(
            typed,
            Sample { title: " Policy ".into(), audience: vec!["revisor".into(), "samordnare".into()], shared: true }
        );
        assert_eq!(read("").unwrap(), Sample { title: String::new(), audience: vec![], shared: false });
        assert_eq!(read("audience=revisor").unwrap().audience, vec!["revisor".to_string()]);
        assert!(read("title=a&title=b").is_err(), "a single field sent twice is refused, not guessed at");
        assert!(read("shared=1").unwrap().shared && read("shared=on").unwrap().shared);
        assert!(read("shared=kanske").is_err());
        let json: Sample = serde_json::from_str(r#"{"shared": true}"#).unwrap();
        assert!(json.shared, "the API's JSON bool");
    }
}
