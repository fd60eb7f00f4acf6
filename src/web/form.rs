//! Forms with repeated fields (a list of checkboxes, rows of a preview), which a plain
//! struct cannot hold: the body is read as name–value pairs.

use axum::extract::{FromRequest, Request};

use crate::error::AppError;

pub struct FormPairs(pub Vec<(String, String)>);

impl FormPairs {
    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default()
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
