//! The JSON API, for programs: `/api/search`, `/api/documents/{id}`, `/api/suggest`, the
//! export and the OpenAPI document. Every answer is JSON (or the CSV export); every error is an
//! [`ApiError`]. The staff write API lives with the other staff routes in `web/staff/`
//! and answers with the same error.

pub mod consultations;
pub mod error;
pub mod export;
pub mod openapi;
pub mod schema;
pub mod suggest;

use axum::Json;
use axum::extract::{Path, RawQuery, State};

use super::AppState;
use super::params::SearchParams;
use crate::api::{DocumentWithText, SearchResponse};
use crate::model::DocId;

pub use error::ApiError;

pub async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let params = SearchParams::parse(raw.as_deref())?;
    let request = state.search_request(&params, 3);
    let index = state.index.clone();
    let results = blocking(move || Ok(index.search(&request)?)).await?;
    Ok(Json(SearchResponse::new(
        &results,
        &state.consultations.current(),
    )))
}

pub async fn document(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<DocumentWithText>, ApiError> {
    let id = DocId::parse(&id).ok_or(ApiError::NotFound)?;
    let index = state.index.clone();
    let doc = blocking(move || Ok(index.document(&id)?))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(DocumentWithText::new(
        &doc,
        &state.consultations.current(),
    )))
}

/// Runs blocking work (search, file reads) off the async workers.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    super::run_blocking(work).await
}
