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
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::auth::optional_token_user;
use super::params::SearchParams;
use crate::api::{DocumentWithText, SearchResponse};
use crate::model::DocId;

pub use error::ApiError;

/// `GET /api/search`; with a staff bearer token, internal notes are searched and shown too.
pub async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let params = SearchParams::parse(raw.as_deref())?;
    let staff = optional_token_user(&state, &headers).await?.is_some();
    let mut request = state.search_request(&params, 3);
    request.internal_notes = staff;
    let index = state.index.clone();
    let results = blocking(move || Ok(index.search(&request)?)).await?;
    let response = SearchResponse::new(&results, &state.consultations.current());
    Ok(Json(if staff {
        response.with_internal_notes(&results)
    } else {
        response
    }))
}

/// `GET /api/documents/{id}`; with a staff bearer token, internal notes too. The id of an
/// earlier version redirects to the document.
pub async fn document(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = DocId::parse(&id).ok_or(ApiError::NotFound)?;
    let staff = optional_token_user(&state, &headers).await?.is_some();
    let index = state.index.clone();
    let target = id.clone();
    let found = blocking(move || match index.document(&target)? {
        Some(doc) => Ok(Ok(doc)),
        None => Ok(Err(index.current_id(&target)?)),
    })
    .await?;
    let doc = match found {
        Ok(doc) => doc,
        Err(Some(current)) => {
            return Ok(Redirect::permanent(&format!("/api/documents/{current}")).into_response());
        }
        Err(None) => return Err(ApiError::NotFound),
    };
    let json = DocumentWithText::new(&doc, &state.consultations.current());
    Ok(Json(if staff {
        json.with_internal_notes(&doc)
    } else {
        json
    })
    .into_response())
}

/// Runs blocking work (search, file reads) off the async workers.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    super::run_blocking(work).await
}
