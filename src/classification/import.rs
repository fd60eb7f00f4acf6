//! "Läs in klassningar": a KLASSA sheet previewed against what Lisa holds, then saved in one
//! transaction as a new classification version per information asset (creating the systems and
//! assets it names that Lisa lacks). The sheet's rules are in `klassa`.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::klassa::{self, Column, Levels, Row};
use super::model::{ClassificationInput, ProtectionLevel};
use crate::AppState;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::auth::Principal;
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, field_error};

/// The coordinator brings in the municipality's classifications.
pub fn may_import(principal: &Principal) -> bool {
    principal.is_coordinator()
}

crate::codes! {
    /// What saving a row does.
    pub enum Action {
        Create = "create" => "Ny klassning",
        Update = "update" => "Ändrad klassning",
        Unchanged = "unchanged" => "Oförändrad",
    }
}

/// What the import asks: the sheet, the columns (column code to heading; the remembered or
/// guessed ones where left out) and whether to save.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ImportRequest {
    #[serde(default)]
    pub text: String,
    /// e.g. {"system": "Systemnamn", "k": "Konfidentialitet"}; "" leaves a column out.
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
    #[serde(default)]
    pub commit: bool,
}

/// One row of the preview (or, once saved, of what was saved).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ImportRow {
    /// The line in the sheet (the headings are line 1).
    pub line: usize,
    pub system: String,
    pub asset: String,
    /// The levels read; none when the row has errors.
    pub levels: Option<Levels>,
    /// The asset's current classification in Lisa.
    pub current: Option<Levels>,
    /// None when the row has errors and is left out.
    #[schema(value_type = Option<String>)]
    pub action: Option<Action>,
    /// The system, or the asset, is not in Lisa yet and will be created.
    pub new_system: bool,
    pub new_asset: bool,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub system_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    /// The version saved, once committed.
    pub classification_id: Option<Uuid>,
    /// What the saved version gives as its reason: where and when it was classified.
    #[serde(skip)]
    reason: String,
    /// A new system's body and owner, when the sheet names ones Lisa knows.
    #[serde(skip)]
    body_id: Option<Uuid>,
    #[serde(skip)]
    owner_person_id: Option<Uuid>,
}

impl ImportRow {
    pub fn action_label(&self) -> &'static str {
        self.action.map(Action::label).unwrap_or("Lämnas utanför")
    }

    pub fn levels_text(&self) -> String {
        self.levels.map(|l| l.triple()).unwrap_or_else(|| "–".into())
    }

    pub fn current_text(&self) -> String {
        self.current.map(|l| l.triple()).unwrap_or_else(|| "–".into())
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    pub headings: Vec<String>,
    /// Column code to the heading it is read from.
    pub mapping: BTreeMap<String, String>,
    pub rows: Vec<ImportRow>,
    /// How many classifications were saved (0 for a preview).
    pub saved: usize,
    pub committed: bool,
}

impl ImportResult {
    /// Rows that would be saved: new or changed classifications without errors.
    pub fn to_save(&self) -> usize {
        self.rows.iter().filter(|r| matches!(r.action, Some(Action::Create | Action::Update))).count()
    }

    pub fn with_errors(&self) -> usize {
        self.rows.iter().filter(|r| !r.errors.is_empty()).count()
    }

    /// The heading a column is read from ("" when none).
    pub fn heading_of_code(&self, code: &str) -> &str {
        self.mapping.get(code).map(String::as_str).unwrap_or("")
    }
}

/// Ids by the names the sheet may use for them.
struct Names {
    bodies: HashMap<String, Uuid>,
    people: HashMap<String, Uuid>,
}

async fn names(db: &mut PgConnection, m: MunicipalityId) -> AppResult<Names> {
    let mut bodies = HashMap::new();
    for body in crate::org::store::list_bodies(&mut *db, m).await? {
        bodies.entry(key(&body.name)).or_insert(body.id);
        if let Some(company) = &body.company_name {
            bodies.entry(key(company)).or_insert(body.id);
        }
    }
    let people = sqlx::query!("SELECT id, name FROM people WHERE municipality_id = $1 ORDER BY name, id", m.uuid())
        .fetch_all(&mut *db)
        .await?
        .into_iter()
        .map(|p| (key(&p.name), p.id))
        .rev()
        .collect();
    Ok(Names { bodies, people })
}

/// What Lisa holds of one asset, by lower-case system and asset name.
struct Held {
    system_id: Uuid,
    asset_id: Option<Uuid>,
    current: Option<Levels>,
}

fn key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

async fn held(
    db: &mut PgConnection,
    m: MunicipalityId,
) -> AppResult<(HashMap<String, Uuid>, HashMap<(String, String), Held>)> {
    let found = sqlx::query!(
        r#"SELECT s.id AS system_id, s.name AS system_name, a.id AS "asset_id?", a.name AS "asset_name?",
                  c.k AS "k?", c.r AS "r?", c.t AS "t?", c.s AS "s?"
             FROM systems s
             LEFT JOIN information_assets a ON a.system_id = s.id
             LEFT JOIN LATERAL (SELECT c.k, c.r, c.t, c.s FROM classifications c WHERE c.asset_id = a.id
                                 ORDER BY c.version DESC LIMIT 1) c ON true
            WHERE s.municipality_id = $1"#,
        m.uuid()
    )
    .fetch_all(&mut *db)
    .await?;
    let mut systems = HashMap::new();
    let mut assets = HashMap::new();
    for row in found {
        systems.entry(key(&row.system_name)).or_insert(row.system_id);
        if let (Some(asset_id), Some(asset_name)) = (row.asset_id, row.asset_name) {
            let current = match (row.k, row.r, row.t, row.s) {
                (Some(k), Some(r), Some(t), Some(s)) => Some(Levels { k, r, t, s }),
                _ => None,
            };
            assets.insert(
                (key(&row.system_name), key(&asset_name)),
                Held { system_id: row.system_id, asset_id: Some(asset_id), current },
            );
        }
    }
    Ok((systems, assets))
}

fn new_system(
    name: &str,
    body_id: Option<Uuid>,
    owner_person_id: Option<Uuid>,
) -> Result<crate::systems::model::SystemInput, crate::error::FieldErrors> {
    let id = |id: Option<Uuid>| id.map(|id| id.to_string()).unwrap_or_default();
    let form = crate::systems::model::SystemForm {
        name: name.to_string(),
        body_id: id(body_id),
        owner_person_id: id(owner_person_id),
        ..Default::default()
    };
    form.validate()
}

fn new_asset(name: &str) -> Result<crate::systems::store::AssetInput, crate::error::FieldErrors> {
    crate::systems::store::AssetForm { name: name.to_string(), ..Default::default() }.validate()
}

/// Each row against what Lisa holds: create, update or unchanged.
fn preview_row(
    row: Row,
    systems: &HashMap<String, Uuid>,
    assets: &HashMap<(String, String), Held>,
    names: &Names,
    today: chrono::NaiveDate,
) -> ImportRow {
    let mut row = row;
    let system_id = systems.get(&key(&row.system)).copied();
    let asset = assets.get(&(key(&row.system), key(&row.asset)));
    // What Lisa will create must pass the same rules as when typed in.
    if row.errors.is_empty()
        && system_id.is_none()
        && let Err(errors) = new_system(&row.system, None, None)
    {
        row.errors.extend(errors.into_values());
    }
    if row.errors.is_empty()
        && asset.is_none()
        && let Err(errors) = new_asset(&row.asset)
    {
        row.errors.extend(errors.into_values());
    }
    if !row.errors.is_empty() {
        row.levels = None;
    }
    // A new system takes the body and owner the sheet names, when Lisa knows them.
    let (mut body_id, mut owner_person_id) = (None, None);
    if row.errors.is_empty() && system_id.is_none() {
        if !row.body.is_empty() {
            body_id = names.bodies.get(&key(&row.body)).copied();
            if body_id.is_none() {
                row.warnings.push(format!("Nämnden ”{}” finns inte i Lisa: systemet skapas utan nämnd.", row.body));
            }
        }
        if !row.owner.is_empty() {
            owner_person_id = names.people.get(&key(&row.owner)).copied();
            if owner_person_id.is_none() {
                row.warnings.push(format!(
                    "Systemägaren ”{}” finns inte bland kommunens personer: systemet skapas utan ägare.",
                    row.owner
                ));
            }
        }
    }
    let current = asset.and_then(|a| a.current);
    let action = row.levels.map(|levels| match current {
        None => Action::Create,
        Some(current) if current == levels => Action::Unchanged,
        Some(_) => Action::Update,
    });
    ImportRow {
        reason: klassa::reason(&row, today),
        body_id,
        owner_person_id,
        line: row.line,
        new_system: row.errors.is_empty() && system_id.is_none(),
        new_asset: row.errors.is_empty() && asset.is_none(),
        system_id: system_id.or(asset.map(|a| a.system_id)),
        asset_id: asset.and_then(|a| a.asset_id),
        system: row.system,
        asset: row.asset,
        levels: row.levels,
        current,
        action,
        errors: row.errors,
        warnings: row.warnings,
        classification_id: None,
    }
}

/// Which sheet a remembered mapping belongs to: the classifications' columns are kept under
/// their codes, the handlingsplan's under "handlingsplan:" and its codes, in the same row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sheet {
    Classifications,
    Plan,
}

const PLAN_PREFIX: &str = "handlingsplan:";

impl Sheet {
    fn owns(self, key: &str) -> bool {
        key.starts_with(PLAN_PREFIX) == (self == Sheet::Plan)
    }

    fn key(self, code: &str) -> String {
        match self {
            Sheet::Classifications => code.to_string(),
            Sheet::Plan => format!("{PLAN_PREFIX}{code}"),
        }
    }
}

async fn remembered_all(db: &mut PgConnection, m: MunicipalityId) -> AppResult<BTreeMap<String, String>> {
    let found = sqlx::query_scalar!("SELECT mapping FROM klassa_mappings WHERE municipality_id = $1", m.uuid())
        .fetch_optional(&mut *db)
        .await?;
    Ok(found.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default())
}

/// One sheet's remembered columns: column code to heading.
async fn remembered(db: &mut PgConnection, m: MunicipalityId, sheet: Sheet) -> AppResult<BTreeMap<String, String>> {
    Ok(remembered_all(db, m)
        .await?
        .into_iter()
        .filter(|(key, _)| sheet.owns(key))
        .map(|(key, heading)| (key.trim_start_matches(PLAN_PREFIX).to_string(), heading))
        .collect())
}

/// Applies a sheet's remembered headings where this sheet has them.
fn with_remembered(
    mut mapping: klassa::Mapping,
    headings: &[String],
    remembered: BTreeMap<String, String>,
    columns: &[Column],
) -> klassa::Mapping {
    for (code, heading) in remembered {
        if let (Some(column), Some(index)) = (
            Column::parse(&code).filter(|c| columns.contains(c)),
            headings.iter().position(|h| h.trim() == heading.trim()),
        ) {
            mapping.insert(column, index);
        }
    }
    mapping
}

async fn remember(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    sheet: Sheet,
    mapping: &BTreeMap<String, String>,
) -> AppResult<()> {
    let before = remembered_all(&mut *tx, m).await?;
    let mut after: BTreeMap<String, String> =
        before.iter().filter(|(key, _)| !sheet.owns(key)).map(|(k, v)| (k.clone(), v.clone())).collect();
    after.extend(mapping.iter().map(|(code, heading)| (sheet.key(code), heading.clone())));
    if before == after {
        return Ok(());
    }
    let mapping = &after;
    sqlx::query!(
        "INSERT INTO klassa_mappings (municipality_id, mapping) VALUES ($1, $2)
         ON CONFLICT (municipality_id) DO UPDATE SET mapping = $2, updated_at = now()",
        m.uuid(),
        json!(mapping)
    )
    .execute(&mut *tx)
    .await?;
    let change = Change::updated(
        Some(m),
        EntityType::Municipality,
        m.uuid(),
        json!({"KLASSA-kolumner": before}),
        json!({"KLASSA-kolumner": mapping}),
    );
    audit_log::record(tx, actor, change).await
}

/// Whether the principal may bring in a sheet: the import forms are shown only then.
pub fn open_form(principal: &Principal) -> AppResult<()> {
    principal.require(may_import(principal))
}

/// The sheet in a file, for whoever may import it (refused before the file is read): an .xlsx
/// (its first worksheet) or a CSV or text file in UTF-8; a message on `file` when it cannot be read.
pub async fn sheet_text(principal: &Principal, bytes: Vec<u8>) -> AppResult<String> {
    open_form(principal)?;
    if bytes.is_empty() {
        return Err(field_error("file", "Välj en fil."));
    }
    if bytes.starts_with(b"PK") {
        return crate::web::heavy::run(move || klassa::xlsx_to_text(&bytes))
            .await?
            .map_err(|message| field_error("file", &message));
    }
    String::from_utf8(bytes).map_err(|_| {
        field_error("file", "Filen är inte sparad som UTF-8. Spara den som ”CSV UTF-8” i Excel, eller som .xlsx.")
    })
}

/// Reads the sheet, previews it and, when asked, saves it: all rows without errors, or nothing.
pub async fn import(state: &AppState, principal: &Principal, request: &ImportRequest) -> AppResult<ImportResult> {
    principal.require(may_import(principal))?;
    let m = principal.tenant()?;
    let sheet = klassa::read_sheet(&request.text).map_err(|message| field_error("text", &message))?;
    let mut tx = state.pool.begin().await?;
    // The remembered headings where this sheet has them, then the guess, then what was sent.
    let guessed = klassa::guess_mapping_of(&sheet.headings, &Column::CLASSIFICATION);
    let remembered = remembered(&mut tx, m, Sheet::Classifications).await?;
    let mapping = with_remembered(guessed, &sheet.headings, remembered, &Column::CLASSIFICATION);
    let mapping = klassa::mapping_from_names(&sheet.headings, &request.mapping, mapping)
        .map_err(|message| field_error("mapping", &message))?;
    let named: BTreeMap<String, String> =
        mapping.iter().map(|(column, index)| (column.code().to_string(), sheet.headings[*index].clone())).collect();
    let rows = klassa::read_rows(&sheet, &mapping).map_err(|message| field_error("mapping", &message))?;
    let (systems, assets) = held(&mut tx, m).await?;
    let names = names(&mut tx, m).await?;
    let today = crate::web::format::today();
    let mut rows: Vec<ImportRow> =
        rows.into_iter().map(|row| preview_row(row, &systems, &assets, &names, today)).collect();
    let mut saved = 0;
    if request.commit {
        let actor = Actor::from(principal);
        let mut created_systems: HashMap<String, Uuid> = HashMap::new();
        for row in rows.iter_mut() {
            let (Some(levels), Some(Action::Create | Action::Update)) = (row.levels, row.action) else { continue };
            let system_id = match row.system_id.or_else(|| created_systems.get(&key(&row.system)).copied()) {
                Some(id) => id,
                None => {
                    let input =
                        new_system(&row.system, row.body_id, row.owner_person_id).map_err(AppError::Validation)?;
                    let id = crate::systems::store::create(&mut tx, &actor, m, &input).await?.id;
                    created_systems.insert(key(&row.system), id);
                    id
                }
            };
            let asset_id = match row.asset_id {
                Some(id) => id,
                None => {
                    let input = new_asset(&row.asset).map_err(AppError::Validation)?;
                    crate::systems::store::add_asset(&mut tx, &actor, m, system_id, &input).await?.id
                }
            };
            let reason = row.reason.clone();
            let input = ClassificationInput {
                level: ProtectionLevel { k: levels.k, r: levels.r, t: levels.t, s: levels.s },
                reasons: [reason.clone(), reason.clone(), reason.clone(), reason],
            };
            let classification = super::store::classify(&mut tx, &actor, m, asset_id, &input, today).await?;
            (row.system_id, row.asset_id, row.classification_id) =
                (Some(system_id), Some(asset_id), Some(classification.id));
            saved += 1;
        }
        remember(&mut tx, &actor, m, Sheet::Classifications, &named).await?;
        tx.commit().await?;
    }
    Ok(ImportResult { headings: sheet.headings, mapping: named, rows, saved, committed: request.commit })
}

/// One row of a handlingsplan's preview (or, once saved, of what was saved).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlanImportRow {
    pub line: usize,
    pub system: String,
    /// The requirement's id, as the catalogue's measure code (e.g. T-04).
    pub requirement: String,
    /// uppfylld, delvis, ej_uppfylld or ej_tillampligt, as read.
    #[schema(value_type = Option<String>)]
    pub status: Option<super::model::Assessment>,
    /// The system's self-assessment of the measure in Lisa now.
    #[schema(value_type = Option<String>)]
    pub current: Option<super::model::Assessment>,
    pub how: String,
    #[schema(value_type = Option<String>)]
    pub action: Option<Action>,
    pub errors: Vec<String>,
    pub system_id: Option<Uuid>,
    pub measure_id: Option<Uuid>,
}

impl PlanImportRow {
    pub fn action_label(&self) -> &'static str {
        match self.action {
            Some(Action::Create) => "Ny självskattning",
            Some(Action::Update) => "Ändrad självskattning",
            Some(Action::Unchanged) => Action::Unchanged.label(),
            None => "Lämnas utanför",
        }
    }

    pub fn status_label(&self) -> &'static str {
        self.status.map_or("–", super::model::Assessment::label)
    }

    pub fn current_label(&self) -> &'static str {
        self.current.map_or("Ej bedömd", super::model::Assessment::label)
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlanImportResult {
    pub headings: Vec<String>,
    /// Column code to the heading it is read from.
    pub mapping: BTreeMap<String, String>,
    pub rows: Vec<PlanImportRow>,
    /// How many self-assessments were saved (0 for a preview).
    pub saved: usize,
    pub committed: bool,
}

impl PlanImportResult {
    pub fn to_save(&self) -> usize {
        self.rows.iter().filter(|r| matches!(r.action, Some(Action::Create | Action::Update))).count()
    }

    pub fn with_errors(&self) -> usize {
        self.rows.iter().filter(|r| !r.errors.is_empty()).count()
    }

    pub fn heading_of_code(&self, code: &str) -> &str {
        self.mapping.get(code).map(String::as_str).unwrap_or("")
    }
}

/// Reads a handlingsplan (requirement ids and how each system meets them) onto the systems'
/// self-assessments of the catalogue's measures, previewed like a classification sheet; saving
/// is one transaction, and unmet measures propose actions as a self-assessment typed in does.
pub async fn import_plan(
    state: &AppState,
    principal: &Principal,
    request: &ImportRequest,
) -> AppResult<PlanImportResult> {
    principal.require(may_import(principal))?;
    let m = principal.tenant()?;
    let sheet = klassa::read_sheet(&request.text).map_err(|message| field_error("text", &message))?;
    let mut tx = state.pool.begin().await?;
    let guessed = klassa::guess_mapping_of(&sheet.headings, &Column::PLAN);
    let remembered = remembered(&mut tx, m, Sheet::Plan).await?;
    let mapping = with_remembered(guessed, &sheet.headings, remembered, &Column::PLAN);
    let mapping = klassa::mapping_from_names(&sheet.headings, &request.mapping, mapping)
        .map_err(|message| field_error("mapping", &message))?;
    let read = klassa::read_plan_rows(&sheet, &mapping).map_err(|message| field_error("mapping", &message))?;
    let (systems, _) = held(&mut tx, m).await?;
    // A fixed number of queries whatever the sheet's size: the catalogue, every system's level
    // and every self-assessment, read once.
    let measures = super::store::catalogue(&mut *tx, m).await?;
    let catalogue: HashMap<String, &super::store::Measure> =
        measures.iter().map(|measure| (key(&measure.code), measure)).collect();
    let levels: HashMap<Uuid, ProtectionLevel> =
        crate::systems::store::list(&mut tx, m, &Default::default(), crate::web::format::today())
            .await?
            .into_iter()
            .filter_map(|s| s.protection_level().map(|level| (s.id, level)))
            .collect();
    let assessed = super::store::all_assessments(&mut *tx, m).await?;
    let mut rows = Vec::with_capacity(read.len());
    for row in read {
        let mut errors = row.errors;
        let system_id = systems.get(&key(&row.system)).copied();
        let measure = catalogue.get(&key(&row.requirement)).copied();
        let measure_id = measure.map(|measure| measure.id);
        if system_id.is_none() && !row.system.is_empty() {
            errors.push(format!("Systemet ”{}” finns inte i Lisa.", row.system));
        }
        if measure_id.is_none() && !row.requirement.is_empty() {
            errors.push(format!("Kravet ”{}” finns inte i kommunens katalog.", row.requirement));
        }
        let mut current = None;
        let mut same_comment = false;
        if let (Some(system_id), Some(measure)) = (system_id, measure) {
            let level = levels.get(&system_id);
            match level.filter(|level| super::model::is_required(level, &measure.requirement())) {
                Some(_) => {
                    let found = assessed.get(&(system_id, measure.id));
                    current = found.map(|(status, _)| *status);
                    same_comment = found.map_or("", |(_, comment)| comment.as_str()).trim() == row.how.trim();
                }
                None => errors.push(format!(
                    "Kravet ”{}” gäller inte systemet på dess skyddsnivå (eller systemet är inte klassat).",
                    row.requirement
                )),
            }
        }
        let action = match (errors.is_empty(), row.status) {
            (true, Some(status)) => Some(match current {
                None => Action::Create,
                Some(now) if now == status && same_comment => Action::Unchanged,
                Some(_) => Action::Update,
            }),
            _ => None,
        };
        rows.push(PlanImportRow {
            line: row.line,
            system: row.system,
            requirement: row.requirement,
            status: row.status,
            current,
            how: row.how,
            action,
            errors,
            system_id,
            measure_id,
        });
    }
    let named: BTreeMap<String, String> =
        mapping.iter().map(|(column, index)| (column.code().to_string(), sheet.headings[*index].clone())).collect();
    let mut saved = 0;
    if request.commit {
        let actor = Actor::from(principal);
        remember(&mut tx, &actor, m, Sheet::Plan, &named).await?;
        for row in rows.iter().filter(|r| matches!(r.action, Some(Action::Create | Action::Update))) {
            let (Some(system_id), Some(measure_id), Some(status)) = (row.system_id, row.measure_id, row.status) else {
                continue;
            };
            let input = super::model::AssessmentInput { status, comment: row.how.clone() };
            super::store::assess(&mut tx, &actor, m, system_id, measure_id, &input).await?;
            saved += 1;
        }
        tx.commit().await?;
    }
    Ok(PlanImportResult { headings: sheet.headings, mapping: named, rows, saved, committed: request.commit })
}
