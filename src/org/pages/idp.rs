//! The municipality's IdP: its settings, for the system administrator, and the way back from
//! it, where the account it vouches for is found, linked or made (`org::idp_accounts`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::super::store::Municipality;
use super::super::{idp_accounts, service};
use crate::AppState;
use crate::auth::pages::{CallbackQuery, refused_sso, signed_in_at_idp, vouched};
use crate::auth::{Principal, sso};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::form::PageForm;
use crate::web::{Chrome, flash, unprocessable};

/// The IdP sends the person back here with a code (or why not).
pub async fn sso_callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> AppResult<Response> {
    let vouched = match vouched(&state, &headers, query).await? {
        Ok(vouched) => vouched,
        Err(refusal) => return Ok(refusal),
    };
    match idp_accounts::sign_in(&state, &vouched).await {
        Ok(user_id) => signed_in_at_idp(&state, user_id, vouched).await,
        Err(refused) => refused_sso(&state, &headers, refused).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "org/sso_settings.html")]
struct SsoSettingsPage {
    chrome: Chrome,
    municipality: Municipality,
    form: sso::SettingsForm,
    has_secret: bool,
    callback_url: String,
    errors: FieldErrors,
}

async fn sso_settings_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    m: MunicipalityId,
    typed: Option<sso::SettingsForm>,
    errors: FieldErrors,
) -> AppResult<SsoSettingsPage> {
    let municipality = service::municipality(state, principal, m).await?;
    let (stored, has_secret) = sso::settings_form(&state.pool, m).await?;
    let callback_url = format!("{}{}", state.config.public_url.trim_end_matches('/'), sso::CALLBACK_PATH);
    Ok(SsoSettingsPage { chrome, municipality, form: typed.unwrap_or(stored), has_secret, callback_url, errors })
}

/// A municipality's IdP, for the system administrator.
pub async fn sso_settings(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(m): Path<Uuid>,
) -> AppResult<Response> {
    let m = MunicipalityId::chosen(m);
    Ok(sso_settings_page(&state, &principal, chrome, m, None, FieldErrors::new()).await?.into_response())
}

pub async fn save_sso_settings(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(m): Path<Uuid>,
    PageForm(form): PageForm<sso::SettingsForm>,
) -> AppResult<Response> {
    let m = MunicipalityId::chosen(m);
    match sso::save(&state, &principal, m, &form).await {
        Ok(()) => {
            Ok(flash::see_other_with(&state, "/admin/municipalities", "Inloggningen via kommunens IdP är sparad."))
        }
        Err(AppError::Validation(errors)) => {
            let typed = sso::SettingsForm { client_secret: String::new(), ..form };
            Ok(unprocessable(sso_settings_page(&state, &principal, chrome, m, Some(typed), errors).await?))
        }
        Err(other) => Err(other),
    }
}
