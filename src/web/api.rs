//! The JSON API: `/api/search` and `/api/documents/{id}`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};

use super::params::SearchParams;
use super::{AppError, AppState, blocking};
use crate::api::{DocumentWithText, SearchResponse};
use crate::model::DocId;

pub async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, AppError> {
    let params =
        SearchParams::parse(raw.as_deref()).map_err(|e| AppError::ApiBadRequest(e.to_string()))?;
    let request = params.request(3);
    let index = state.index.clone();
    let results = blocking(move || Ok(index.search(&request)?))
        .await
        .map_err(AppError::into_api)?;
    Ok(Json(SearchResponse::from(&results)))
}

pub async fn document(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<DocumentWithText>, AppError> {
    let id = DocId::parse(&id).ok_or(AppError::ApiNotFound)?;
    let index = state.index.clone();
    let doc = blocking(move || Ok(index.document(&id)?))
        .await
        .map_err(AppError::into_api)?
        .ok_or(AppError::ApiNotFound)?;
    Ok(Json(DocumentWithText::from(&doc)))
}
