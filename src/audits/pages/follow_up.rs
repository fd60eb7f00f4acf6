//! A follow-up audit's verdicts on the recommendations it follows up.

use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

use crate::AppState;
use crate::audits::model::{self};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::web::flash;
use crate::web::form::FormPairs;

/// Saves a follow-up audit's verdicts on the recommendations it follows up.
pub async fn assess_follow_ups(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    pairs: FormPairs,
) -> AppResult<Response> {
    let mut verdicts = Vec::new();
    for (key, value) in pairs.0.iter().filter(|(k, _)| k.starts_with("result_")) {
        let Ok(recommendation_id) = Uuid::parse_str(&key["result_".len()..]) else { continue };
        // "Ej bedömd" (empty) withdraws a verdict given earlier.
        let result = match value.trim() {
            "" => None,
            code => Some(
                model::FollowUpResult::parse(code).ok_or_else(|| AppError::BadRequest("Okänd bedömning.".into()))?,
            ),
        };
        let comment = pairs.get(&format!("comment_{recommendation_id}"));
        verdicts.push(crate::audits::Verdict { recommendation_id, result, comment });
    }
    let changed = crate::audits::assess_follow_ups(&state, &principal, id, &verdicts).await?;
    let message = match changed {
        0 => "Inget ändrades: bedömningarna var redan som i formuläret.".to_string(),
        n => format!("{} sparade.", crate::web::format::count(n, "bedömning", "bedömningar")),
    };
    Ok(flash::see_other_with(&state, &format!("/audits/{id}"), &message))
}
