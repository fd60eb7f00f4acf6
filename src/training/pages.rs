//! Pages: the trend and the campaigns, one campaign with its figures, and the import of a
//! learning platform's export with a preview.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::model::{CampaignForm, Group, ImportSummary, YearRow};
use super::store::Campaign;
use super::{may_manage, readable};
use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::auth::Principal;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::form::{FormPairs, PageForm, PastedText};
use crate::web::{Chrome, flash, split_validation, unprocessable};

/// The group codes and labels, for table headings.
fn groups() -> Vec<(&'static str, &'static str)> {
    Group::ALL.map(|g| (g.code(), g.label())).to_vec()
}

#[derive(Template, WebTemplate)]
#[template(path = "training/overview.html")]
struct OverviewPage {
    chrome: Chrome,
    campaigns: Vec<Campaign>,
    trend: Vec<YearRow>,
    groups: Vec<(&'static str, &'static str)>,
    may_manage: bool,
    form: CampaignForm,
    errors: FieldErrors,
}

async fn overview_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    form: CampaignForm,
    errors: FieldErrors,
) -> AppResult<OverviewPage> {
    let (campaigns, trend) = super::overview(state, principal).await?;
    Ok(OverviewPage { groups: groups(), may_manage: may_manage(principal), chrome, campaigns, trend, form, errors })
}

pub async fn overview(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let form = CampaignForm { year: crate::web::format::today().format("%Y").to_string(), ..Default::default() };
    Ok(overview_page(&state, &principal, chrome, form, FieldErrors::new()).await?.into_response())
}

pub async fn new(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    super::open_new_form(&principal)?;
    overview(State(state), principal, chrome).await
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<CampaignForm>,
) -> AppResult<Response> {
    match split_validation(super::create(&state, &principal, &form).await)? {
        Ok(c) => Ok(flash::see_other_with(
            &state,
            &format!("/training/{}", c.id),
            "Utbildningen är tillagd. Fyll i målgrupperna eller läs in exporten från lärplattformen.",
        )),
        Err(errors) => Ok(unprocessable(overview_page(&state, &principal, chrome, form, errors).await?)),
    }
}

pub async fn export(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    let (campaigns, _) = super::overview(&state, &principal).await?;
    let rows: Vec<Vec<String>> = campaigns
        .iter()
        .flat_map(|c| {
            c.groups.iter().map(|g| {
                vec![
                    c.year.to_string(),
                    c.name.clone(),
                    g.label().into(),
                    g.in_group.to_string(),
                    g.completed.to_string(),
                    g.rate().to_string(),
                ]
            })
        })
        .collect();
    crate::web::csv::response(
        "utbildning.csv",
        &["År", "Utbildning", "Målgrupp", "I målgruppen", "Genomfört", "Andel genomfört (%)"],
        &rows,
    )
}

/// One row of the participation form.
pub struct GroupField {
    pub code: &'static str,
    pub label: &'static str,
    pub in_group: String,
    pub completed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "training/show.html")]
struct ShowPage {
    chrome: Chrome,
    campaign: Campaign,
    fields: Vec<GroupField>,
    form: CampaignForm,
    history: Vec<Entry>,
    may_manage: bool,
    errors: FieldErrors,
}

async fn show_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    typed: Option<Vec<(String, String, String)>>,
    errors: FieldErrors,
) -> AppResult<ShowPage> {
    let campaign = readable(state, principal, id).await?;
    let fields = Group::ALL
        .into_iter()
        .map(|group| {
            let (in_group, completed) = match &typed {
                Some(typed) => typed
                    .iter()
                    .find(|(g, _, _)| g == group.code())
                    .map(|(_, i, c)| (i.clone(), c.clone()))
                    .unwrap_or_default(),
                None => campaign
                    .groups
                    .iter()
                    .find(|g| g.target_group == group)
                    .map(|g| (g.in_group.to_string(), g.completed.to_string()))
                    .unwrap_or_default(),
            };
            GroupField { code: group.code(), label: group.label(), in_group, completed }
        })
        .collect();
    Ok(ShowPage {
        form: CampaignForm {
            name: campaign.name.clone(),
            year: campaign.year.to_string(),
            description: campaign.description.clone(),
        },
        history: audit_log::history(&state.pool, principal.tenant()?, EntityType::TrainingCampaign, id).await?,
        may_manage: may_manage(principal),
        chrome,
        campaign,
        fields,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(show_page(&state, &principal, chrome, id, None, FieldErrors::new()).await?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<CampaignForm>,
) -> AppResult<Response> {
    match split_validation(super::update(&state, &principal, id, &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/training/{id}"), "Utbildningen är sparad.")),
        Err(errors) => {
            let mut page = show_page(&state, &principal, chrome, id, None, errors).await?;
            page.form = form;
            Ok(unprocessable(page))
        }
    }
}

pub async fn set_participation(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    let typed: Vec<(String, String, String)> = Group::ALL
        .into_iter()
        .map(|g| (g.code().to_string(), pairs.get(&format!("in_group_{g}")), pairs.get(&format!("completed_{g}"))))
        .collect();
    match split_validation(super::set_participation(&state, &principal, id, &typed).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, &format!("/training/{id}"), "Deltagandet är sparat.")),
        Err(errors) => Ok(unprocessable(show_page(&state, &principal, chrome, id, Some(typed), errors).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "training/import.html")]
struct ImportPage {
    chrome: Chrome,
    campaign: Campaign,
    text: String,
    error: Option<String>,
    summary: Option<ImportSummary>,
}

async fn import_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    text: String,
    outcome: AppResult<Option<ImportSummary>>,
) -> AppResult<Response> {
    let campaign = super::kept(state, principal, id).await?;
    match outcome {
        Ok(summary) => Ok(ImportPage { chrome, campaign, text, error: None, summary }.into_response()),
        Err(AppError::BadRequest(message)) => {
            Ok(unprocessable(ImportPage { chrome, campaign, text, error: Some(message), summary: None }))
        }
        Err(other) => Err(other),
    }
}

pub async fn import_form(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    import_page(&state, &principal, chrome, id, String::new(), Ok(None)).await
}

pub async fn import_preview(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(PastedText { text }): PageForm<PastedText>,
) -> AppResult<Response> {
    let outcome = super::preview_import(&state, &principal, id, &text).await.map(Some);
    import_page(&state, &principal, chrome, id, text, outcome).await
}

pub async fn import_confirm(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(PastedText { text }): PageForm<PastedText>,
) -> AppResult<Response> {
    match super::confirm_import(&state, &principal, id, &text).await {
        Ok(summary) => {
            let mut message = format!(
                "Deltagandet är inläst från {}.",
                crate::web::format::count(summary.people, "person", "personer")
            );
            if !summary.errors.is_empty() {
                message.push_str(&format!(" {} rader kunde inte läsas och räknades inte.", summary.errors.len()));
            }
            Ok(flash::see_other_with(&state, &format!("/training/{id}"), &message))
        }
        Err(error) => import_page(&state, &principal, chrome, id, text, Err(error)).await,
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let c = super::kept(&state, &principal, id).await?;
    let back = format!("/training/{id}");
    Ok(crate::web::confirm_delete(
        chrome,
        &format!("utbildningen {} {}", c.name, c.year),
        &format!("{back}/delete"),
        &back,
    ))
}

pub async fn delete(State(state): State<AppState>, principal: Principal, Path(id): Path<Uuid>) -> AppResult<Response> {
    super::delete(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, "/training", "Utbildningen är borttagen."))
}
