//! Pages for classifying an information asset, the self-assessment of required measures,
//! and the requirement catalogue.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::model::{
    AppliesTo, Aspect, Assessment, AssessmentForm, CATALOGUE_COLUMNS, ClassificationForm, LEVELS, MeasureForm,
};
use super::store::{self, Classification, Measure, RequiredMeasure};
use super::{is_information_owner, may_classify, readable_asset};
use crate::AppState;
use crate::audit_log::{self, EntityType, Entry};
use crate::auth::Principal;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::systems::store::{Asset, System};
use crate::web::form::{PageForm, PastedText};
use crate::web::{Chrome, SelectOption, flash, options, split_validation, unprocessable};

// ---------------------------------------------------------------- classifying an asset

/// One aspect's row in the classification form.
pub struct AspectField {
    pub code: &'static str,
    pub label: &'static str,
    pub levels: Vec<SelectOption>,
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "classification/asset.html")]
struct AssetPage {
    chrome: Chrome,
    asset: Asset,
    system: System,
    versions: Vec<Classification>,
    fields: Vec<AspectField>,
    people: Vec<SelectOption>,
    may_classify: bool,
    may_approve: bool,
    /// Who must approve, or why the information owner cannot, while it is not approved.
    approval_note: Option<String>,
    /// "Be om godkännande" is offered.
    may_request_approval: bool,
    /// Who was asked to approve the current version, by whom and when.
    approval_request: Option<String>,
    may_edit_asset: bool,
    errors: FieldErrors,
    history: Vec<Entry>,
}

impl AssetPage {
    fn current(&self) -> Option<&Classification> {
        self.versions.first()
    }
}

fn fields(form: &ClassificationForm) -> Vec<AspectField> {
    let values =
        [(&form.k, &form.k_reason), (&form.r, &form.r_reason), (&form.t, &form.t_reason), (&form.s, &form.s_reason)];
    Aspect::ALL
        .into_iter()
        .zip(values)
        .map(|(aspect, (level, reason))| AspectField {
            code: aspect.code(),
            label: aspect.label(),
            levels: options(LEVELS, level),
            reason: reason.clone(),
        })
        .collect()
}

async fn asset_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    form: Option<ClassificationForm>,
    errors: FieldErrors,
) -> AppResult<AssetPage> {
    let (asset, system) = readable_asset(state, principal, id).await?;
    let m = principal.tenant()?;
    let versions = store::versions(&state.pool, m, None, Some(id)).await?;
    // The form starts from the current classification, so a review changes only what changed.
    let form = form.unwrap_or_else(|| match versions.first() {
        Some(c) => ClassificationForm {
            k: c.k.to_string(),
            r: c.r.to_string(),
            t: c.t.to_string(),
            s: c.s.to_string(),
            k_reason: c.k_reason.clone(),
            r_reason: c.r_reason.clone(),
            t_reason: c.t_reason.clone(),
            s_reason: c.s_reason.clone(),
        },
        None => ClassificationForm::default(),
    });
    let owner = asset.owner_person_id.map(|p| p.to_string()).unwrap_or_default();
    let is_owner = is_information_owner(principal, &asset);
    let unapproved = versions.first().filter(|c| c.approved_by.is_none());
    // One rule decides the button and the store's check (model::approval_refused).
    let approval =
        unapproved.map(|c| super::model::approval_refused(is_owner, c.classified_by_user_id, false, principal.user_id));
    let approval_note = match (unapproved, is_owner, &asset.owner_name) {
        (None, _, _) => None,
        (Some(_), true, _) => approval.flatten().map(str::to_string),
        (Some(_), false, Some(name)) if asset.owner_user_id.is_none() => Some(format!(
            "Informationsägaren {name} godkänner klassningen men har inget konto i Lisa: samordnaren bjuder in hen."
        )),
        (Some(_), false, Some(name)) => Some(format!("Informationsägaren {name} godkänner klassningen.")),
        (Some(_), false, None) => {
            Some("Informationen har ingen informationsägare som kan godkänna klassningen: samordnaren utser en.".into())
        }
    };
    // Whoever may classify and cannot approve asks the owner (model::approval_request_refused).
    let approval_request = match unapproved {
        Some(c) => store::approval_request(&state.pool, m, c.id).await?,
        None => None,
    };
    let may_request_approval = approval_request.is_none()
        && unapproved.is_some_and(|c| {
            may_classify(principal, &system, &asset)
                && super::model::approval_request_refused(
                    principal.user_id,
                    asset.owner_user_id,
                    c.classified_by_user_id,
                )
                .is_none()
        });
    Ok(AssetPage {
        approval_request: approval_request.map(|r| r.text()),
        may_request_approval,
        fields: fields(&form),
        people: options(crate::org::store::person_choices(&state.pool, m).await?, &owner),
        may_classify: may_classify(principal, &system, &asset),
        may_approve: approval.is_some_and(|refused| refused.is_none()),
        approval_note,
        may_edit_asset: crate::systems::policy::may_edit(principal, &system),
        history: audit_log::history(&state.pool, m, EntityType::InformationAsset, id).await?,
        chrome,
        asset,
        system,
        versions,
        errors,
    })
}

pub async fn asset(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(asset_page(&state, &principal, chrome, id, None, FieldErrors::new()).await?.into_response())
}

pub async fn classify(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<ClassificationForm>,
) -> AppResult<Response> {
    match split_validation(super::classify(&state, &principal, id, &form).await)? {
        Ok(c) => Ok(flash::see_other_with(
            &state,
            &format!("/assets/{id}"),
            &format!("Klassningen {} är sparad som version {}.", c.triple(), c.version),
        )),
        Err(errors) => Ok(unprocessable(asset_page(&state, &principal, chrome, id, Some(form), errors).await?)),
    }
}

pub async fn request_approval(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let message = match super::request_approval(&state, &principal, id).await {
        Ok(name) => format!("{name} är ombedd att godkänna klassningen och har fått en påminnelse."),
        Err(AppError::Conflict(message)) => message,
        Err(other) => return Err(other),
    };
    Ok(flash::see_other_with(&state, &format!("/assets/{id}"), &message))
}

pub async fn approve(State(state): State<AppState>, principal: Principal, Path(id): Path<Uuid>) -> AppResult<Response> {
    let message = match super::approve(&state, &principal, id).await {
        Ok(c) => format!("Du har godkänt klassningen {} (version {}).", c.triple(), c.version),
        Err(AppError::Conflict(message)) => message,
        Err(AppError::Validation(errors)) => errors.into_values().collect::<Vec<_>>().join(" "),
        Err(other) => return Err(other),
    };
    Ok(flash::see_other_with(&state, &format!("/assets/{id}"), &message))
}

// ---------------------------------------------------------------- required measures

#[derive(Template, WebTemplate)]
#[template(path = "classification/measures.html")]
struct MeasuresPage {
    chrome: Chrome,
    system: System,
    measures: Vec<RequiredMeasure>,
    statuses: Vec<(&'static str, &'static str)>,
    may_assess: bool,
    errors: FieldErrors,
    /// The measure whose form had errors.
    failed: Option<Uuid>,
}

impl MeasuresPage {
    fn failed_on(&self, id: &Uuid) -> bool {
        self.failed.as_ref() == Some(id)
    }

    fn count(&self, status: &str) -> usize {
        self.measures.iter().filter(|m| m.status_code() == status).count()
    }
}

async fn measures_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    errors: FieldErrors,
    failed: Option<Uuid>,
) -> AppResult<MeasuresPage> {
    let system = crate::systems::readable(state, principal, id).await?;
    let mut conn = state.pool.acquire().await?;
    Ok(MeasuresPage {
        measures: store::required_measures(&mut conn, principal.tenant()?, id).await?,
        statuses: Assessment::ALL.map(|a| (a.code(), a.label())).to_vec(),
        may_assess: crate::systems::policy::may_edit(principal, &system),
        chrome,
        system,
        errors,
        failed,
    })
}

pub async fn measures(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(measures_page(&state, &principal, chrome, id, FieldErrors::new(), None).await?.into_response())
}

pub async fn assess(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path((id, measure_id)): Path<(Uuid, Uuid)>,
    PageForm(form): PageForm<AssessmentForm>,
) -> AppResult<Response> {
    match split_validation(super::assess(&state, &principal, id, measure_id, &form).await)? {
        Ok(assessed) => {
            let message = if assessed.status.is_some_and(Assessment::is_unmet) {
                format!(
                    "Självskattningen av {} är sparad. Åtgärden är föreslagen i handlingsplanen.",
                    assessed.measure.code
                )
            } else {
                format!("Självskattningen av {} är sparad.", assessed.measure.code)
            };
            Ok(flash::see_other_with(&state, &format!("/systems/{id}/measures#measure-{measure_id}"), &message))
        }
        Err(errors) => {
            Ok(unprocessable(measures_page(&state, &principal, chrome, id, errors, Some(measure_id)).await?))
        }
    }
}

// ---------------------------------------------------------------- catalogue

#[derive(Template, WebTemplate)]
#[template(path = "classification/catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    measures: Vec<Measure>,
    may_edit: bool,
    form: MeasureForm,
    errors: FieldErrors,
    aspects: Vec<SelectOption>,
    min_levels: Vec<SelectOption>,
    applies: Vec<SelectOption>,
    columns: String,
    import_error: Option<String>,
}

fn measure_choices(form: &MeasureForm) -> (Vec<SelectOption>, Vec<SelectOption>, Vec<SelectOption>) {
    (
        Aspect::options(&form.aspect),
        options([("1", "1 Måttlig skada"), ("2", "2 Betydande skada"), ("3", "3 Allvarlig skada")], &form.min_level),
        options(AppliesTo::ALL.map(|a| (a.code(), a.explained())), &form.applies_to),
    )
}

async fn catalogue_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    form: MeasureForm,
    errors: FieldErrors,
    import_error: Option<String>,
) -> AppResult<CataloguePage> {
    let measures = super::catalogue(state, principal).await?;
    let (aspects, min_levels, applies) = measure_choices(&form);
    Ok(CataloguePage {
        measures,
        may_edit: super::may_keep_catalogue(principal),
        columns: CATALOGUE_COLUMNS.join(";"),
        chrome,
        form,
        errors,
        aspects,
        min_levels,
        applies,
        import_error,
    })
}

pub async fn catalogue(State(state): State<AppState>, principal: Principal, chrome: Chrome) -> AppResult<Response> {
    let form = MeasureForm { min_level: "2".into(), applies_to: "leverantor".into(), ..MeasureForm::default() };
    Ok(catalogue_page(&state, &principal, chrome, form, FieldErrors::new(), None).await?.into_response())
}

pub async fn catalogue_csv(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    let rows: Vec<Vec<String>> = super::catalogue(&state, &principal)
        .await?
        .into_iter()
        .map(|m| {
            vec![
                m.code.clone(),
                m.title.clone(),
                m.category.clone(),
                m.aspect.code().to_uppercase(),
                m.min_level.to_string(),
                m.applies_to_label().to_string(),
                m.description,
            ]
        })
        .collect();
    crate::web::csv::response("atgardskatalog.csv", &CATALOGUE_COLUMNS, &rows)
}

pub async fn add_measure(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(form): PageForm<MeasureForm>,
) -> AppResult<Response> {
    match split_validation(super::save_measure(&state, &principal, None, &form).await)? {
        Ok(measure) => {
            Ok(flash::see_other_with(&state, "/catalogue", &format!("Åtgärden {} är tillagd.", measure.code)))
        }
        Err(errors) => Ok(unprocessable(catalogue_page(&state, &principal, chrome, form, errors, None).await?)),
    }
}

pub async fn add_starter(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    let added = super::add_starter_catalogue(&state, &principal).await?;
    Ok(flash::see_other_with(&state, "/catalogue", &format!("{added} åtgärder ur Lisas startkatalog är tillagda.")))
}

pub async fn import(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    PageForm(PastedText { text }): PageForm<PastedText>,
) -> AppResult<Response> {
    match super::import_catalogue(&state, &principal, &text).await {
        Ok(count) => Ok(flash::see_other_with(
            &state,
            "/catalogue",
            &if count == 1 {
                "1 åtgärd är inläst.".to_string()
            } else {
                format!("{count} åtgärder är inlästa.")
            },
        )),
        Err(AppError::BadRequest(message)) => Ok(unprocessable(
            catalogue_page(&state, &principal, chrome, MeasureForm::default(), FieldErrors::new(), Some(message))
                .await?,
        )),
        Err(other) => Err(other),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "classification/measure.html")]
struct MeasurePage {
    chrome: Chrome,
    id: Uuid,
    form: MeasureForm,
    errors: FieldErrors,
    aspects: Vec<SelectOption>,
    min_levels: Vec<SelectOption>,
    applies: Vec<SelectOption>,
    history: Vec<Entry>,
}

async fn measure_page(
    state: &AppState,
    principal: &Principal,
    chrome: Chrome,
    id: Uuid,
    form: Option<MeasureForm>,
    errors: FieldErrors,
) -> AppResult<MeasurePage> {
    let measure = super::kept_measure(state, principal, id).await?;
    let m = principal.tenant()?;
    let form = form.unwrap_or(MeasureForm {
        code: measure.code,
        title: measure.title,
        description: measure.description,
        category: measure.category,
        aspect: measure.aspect.code().into(),
        min_level: measure.min_level.to_string(),
        applies_to: measure.applies_to.code().into(),
    });
    let (aspects, min_levels, applies) = measure_choices(&form);
    Ok(MeasurePage {
        history: audit_log::history(&state.pool, m, EntityType::Measure, id).await?,
        chrome,
        id,
        form,
        errors,
        aspects,
        min_levels,
        applies,
    })
}

pub async fn measure(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    Ok(measure_page(&state, &principal, chrome, id, None, FieldErrors::new()).await?.into_response())
}

pub async fn update_measure(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm<MeasureForm>,
) -> AppResult<Response> {
    match split_validation(super::save_measure(&state, &principal, Some(id), &form).await)? {
        Ok(_) => Ok(flash::see_other_with(&state, "/catalogue", "Åtgärden är ändrad.")),
        Err(errors) => Ok(unprocessable(measure_page(&state, &principal, chrome, id, Some(form), errors).await?)),
    }
}

pub async fn confirm_delete_measure(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let measure = super::kept_measure(&state, &principal, id).await?;
    let what = format!("åtgärden {} {} och alla självskattningar av den", measure.code, measure.title);
    Ok(crate::web::confirm_delete(chrome, &what, &format!("/catalogue/{id}/delete"), &format!("/catalogue/{id}")))
}

pub async fn delete_measure(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    super::delete_measure(&state, &principal, id).await?;
    Ok(flash::see_other_with(&state, "/catalogue", "Åtgärden är borttagen ur katalogen."))
}
