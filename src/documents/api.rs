//! JSON API for governing documents.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use uuid::Uuid;

use super::model::DocumentForm;
use super::store::{self, Document, Filter};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::web::pagination::{ApiPage, Paged};
use crate::web::version::{self, IfMatch, Version};

const TAG: &str = "Styrdokument";

/// A document with its derived review date.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    #[serde(flatten)]
    pub document: Document,
    pub next_review: Option<chrono::NaiveDate>,
    pub review_overdue: bool,
}

impl From<Document> for DocumentView {
    fn from(document: Document) -> Self {
        DocumentView {
            next_review: document.next_review(),
            review_overdue: document.is_review_overdue(crate::web::format::today()),
            document,
        }
    }
}

/// The documents the caller may see (drafts only for the coordinator and their owners).
#[utoipa::path(get, path = "/documents", tag = TAG, params(Filter, ApiPage),
    responses((status = 200, body = Vec<DocumentView>, headers(("X-Total-Count" = i64), ("Link" = String))),
              (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    uri: OriginalUri,
    Query(filter): Query<Filter>,
    Query(paging): Query<ApiPage>,
) -> AppResult<Paged<DocumentView>> {
    let reader = super::reader(&principal)?;
    let mut conn = state.pool.acquire().await?;
    let today = crate::web::format::today();
    let (documents, pager, _) =
        store::page(&mut conn, principal.tenant()?, &filter, reader, today, paging.asked()).await?;
    Ok(Paged { items: documents.into_iter().map(DocumentView::from).collect(), pager, uri: uri.0 })
}

/// Adds a document (coordinator).
#[utoipa::path(post, path = "/documents", tag = TAG, request_body = DocumentForm,
    responses((status = 201, body = DocumentView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<DocumentForm>,
) -> AppResult<(StatusCode, Json<DocumentView>)> {
    Ok((StatusCode::CREATED, Json(super::create(&state, &principal, &form).await?.into())))
}

#[utoipa::path(get, path = "/documents/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = DocumentView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<impl IntoResponse> {
    let document = super::readable(&state, &principal, id).await?;
    let etag = Version::of(document.updated_at).etag();
    Ok(([(header::ETAG, etag)], Json(DocumentView::from(document))))
}

/// Changes a document (coordinator or its owner). Send the ETag from GET as If-Match: a change
/// made from an older version is refused with 412.
#[utoipa::path(put, path = "/documents/{id}", tag = TAG, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = DocumentForm,
    responses((status = 200, body = DocumentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(form): Json<DocumentForm>,
) -> AppResult<impl IntoResponse> {
    let (expected, sent_if_match) = if_match.or(&form.version);
    let document = super::update(&state, &principal, id, &form, expected)
        .await
        .map_err(|err| version::precondition(err, sent_if_match))?;
    let etag = Version::of(document.updated_at).etag();
    Ok(([(header::ETAG, etag)], Json(DocumentView::from(document))))
}
