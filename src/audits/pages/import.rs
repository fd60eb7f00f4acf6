//! The paste import: recommendations pasted from a report, an editable preview, then saved.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::AppState;
use crate::audits::model::NewRecommendation;
use crate::audits::store::{self, Audit};
use crate::audits::{parse_for, require_reach};
use crate::auth::Principal;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::org::store::{Body, list_bodies};
use crate::web::form::{FormPairs, PageForm, PastedText};
use crate::web::{Choice, Chrome, choices, flash, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "audits/import.html")]
struct ImportPage {
    chrome: Chrome,
    audit: Audit,
    text: String,
    errors: FieldErrors,
}

pub async fn import_form(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    require_reach(&state.pool, &principal, store::Record::Audit(id), true).await?;
    let audit = store::get_audit(&state.pool, principal.tenant()?, id).await?;
    Ok(ImportPage { chrome, audit, text: String::new(), errors: FieldErrors::new() }.into_response())
}

/// One editable row of the preview.
pub struct Row {
    pub index: usize,
    pub text: String,
    pub addressed_to: String,
    pub include: bool,
    pub bodies: Vec<Choice>,
    pub error: Option<String>,
    /// Lines Lisa removed from inside the row as page furniture, and the row as pasted.
    pub removed: Vec<String>,
    pub original: String,
    /// The carried recommendation this row repeats, and where it was first made.
    pub repeats: Option<(Uuid, String)>,
}

impl Row {
    fn new(index: usize, text: String, addressed_to: String, bodies: &[Body], checked: &[String]) -> Self {
        let bodies = choices(bodies.iter().map(|b| (b.id, b.name.clone())), checked);
        Row {
            index,
            text,
            addressed_to,
            include: true,
            bodies,
            error: None,
            removed: Vec::new(),
            original: String::new(),
            repeats: None,
        }
    }

    fn has_body(&self) -> bool {
        self.bodies.iter().any(|b| b.checked)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/preview.html")]
struct PreviewPage {
    chrome: Chrome,
    audit: Audit,
    rows: Vec<Row>,
    ignored: Vec<String>,
    /// Bodies for every row that has none of its own.
    all_bodies: Vec<Choice>,
    /// One message per row in error, keyed by the row's text field, for the summary on top.
    errors: FieldErrors,
}

impl PreviewPage {
    fn new(
        chrome: Chrome,
        audit: Audit,
        rows: Vec<Row>,
        ignored: Vec<String>,
        bodies: &[Body],
        all: &[String],
    ) -> Self {
        let errors = rows
            .iter()
            .filter_map(|r| Some((format!("text_{}", r.index), format!("Rad {}: {}", r.index + 1, r.error.as_ref()?))))
            .collect();
        let all_bodies = choices(bodies.iter().map(|b| (b.id, b.name.clone())), all);
        PreviewPage { chrome, audit, rows, ignored, all_bodies, errors }
    }

    /// Rows that repeat a recommendation the follow-up carries.
    fn repeated(&self) -> usize {
        self.rows.iter().filter(|r| r.repeats.is_some()).count()
    }

    /// No row has a body: Lisa found no addressee in the text.
    fn no_addressee(&self) -> bool {
        !self.rows.iter().any(Row::has_body)
    }
}

/// Names that appear in the report's running headers besides the municipality's.
fn headers_of(audit: &Audit) -> Vec<String> {
    vec![audit.title.clone(), audit.audit_firm.clone()]
}

pub async fn import_preview(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    PageForm(PastedText { text }): PageForm<PastedText>,
) -> AppResult<Response> {
    require_reach(&state.pool, &principal, store::Record::Audit(id), true).await?;
    let m = principal.tenant()?;
    let audit = store::get_audit(&state.pool, m, id).await?;
    let parsed = parse_for(&state, &principal, &text, &headers_of(&audit), Some(&audit)).await?;
    if parsed.items.is_empty() {
        let errors = FieldErrors::from([("text".to_string(), "Hittade inga rekommendationer i texten.".to_string())]);
        return Ok(unprocessable(ImportPage { chrome, audit, text, errors }));
    }
    let bodies = list_bodies(&state.pool, m).await?;
    let rows = parsed
        .items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let checked: Vec<String> = item.body_ids.iter().map(Uuid::to_string).collect();
            // A repeat of a carried recommendation exists already: offered unticked.
            Row {
                include: item.repeats.is_none(),
                repeats: item.repeats.zip(item.repeats_from),
                removed: item.removed,
                original: item.original,
                ..Row::new(index, item.text, item.addressed_to.unwrap_or_default(), &bodies, &checked)
            }
        })
        .collect();
    Ok(PreviewPage::new(chrome, audit, rows, parsed.ignored, &bodies, &[]).into_response())
}

/// Saves the rows of the preview as edited; shows it again, as typed, when a row is
/// incomplete, or with one row's pasted text restored when the coordinator asks for it.
pub async fn import_save(
    State(state): State<AppState>,
    principal: Principal,
    chrome: Chrome,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    require_reach(&state.pool, &principal, store::Record::Audit(id), true).await?;
    let m = principal.tenant()?;
    let audit = store::get_audit(&state.pool, m, id).await?;
    let bodies = list_bodies(&state.pool, m).await?;
    let count: usize =
        pairs.get("rows").parse().map_err(|_| AppError::BadRequest("Förhandsvisningen saknar rader.".into()))?;
    let all = pairs.all("all_bodies");
    let restore: Option<usize> = pairs.get("restore").parse().ok();
    let mut rows = Vec::new();
    let mut items = Vec::new();
    for index in 0..count.min(500) {
        let original = pairs.raw(&format!("original_{index}"));
        let restored = restore == Some(index) && !original.trim().is_empty();
        let text = if restored { original.clone() } else { pairs.raw(&format!("text_{index}")) };
        let include = pairs.get(&format!("include_{index}")) == "1";
        let own = pairs.all(&format!("bodies_{index}"));
        let checked = if own.is_empty() { all.clone() } else { own };
        let item = NewRecommendation {
            text: text.trim().to_string(),
            body_ids: checked.iter().filter_map(|v| Uuid::parse_str(v).ok()).collect(),
            priority: None,
            target_date: None,
        };
        let error =
            if include { item.check().err().map(|e| e.into_values().collect::<Vec<_>>().join(" ")) } else { None };
        if include && error.is_none() {
            items.push(item);
        }
        let repeats = Uuid::parse_str(&pairs.get(&format!("repeats_{index}"))).ok();
        rows.push(Row {
            include,
            repeats: repeats.map(|id| (id, pairs.get(&format!("repeats_from_{index}")))),
            error: error.filter(|_| restore.is_none()),
            removed: if restored { Vec::new() } else { pairs.all(&format!("removed_{index}")) },
            original,
            ..Row::new(index, text, pairs.get(&format!("addressed_to_{index}")), &bodies, &checked)
        });
    }
    let ignored = pairs.all("ignored");
    if restore.is_some() {
        return Ok(PreviewPage::new(chrome, audit, rows, ignored, &bodies, &all).into_response());
    }
    if rows.iter().any(|r| r.error.is_some()) || items.is_empty() {
        let mut page = PreviewPage::new(chrome, audit, rows, ignored, &bodies, &all);
        if items.is_empty() && page.errors.is_empty() {
            page.errors.insert("include_0".into(), "Välj minst en rad att spara.".into());
        }
        return Ok(unprocessable(page));
    }
    crate::audits::add_recommendations(&state, &principal, id, &items).await?;
    let message = match items.len() {
        1 => "1 rekommendation är sparad.".to_string(),
        n => format!("{n} rekommendationer är sparade."),
    };
    Ok(flash::see_other_with(&state, &format!("/recommendations?audit_id={id}"), &message))
}
