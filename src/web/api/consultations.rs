//! `GET /api/consultations` and `GET /api/consultations/{id}`: the consultation records,
//! and one with the documents that answer it. (Staff write them through
//! `web::staff::api`.)

use axum::Json;
use axum::extract::{Path, State};

use super::super::AppState;
use super::ApiError;
use crate::api::{ConsultationJson, ConsultationList, ConsultationWithDocuments, DocumentJson};
use crate::index::{ConsultationFilter, SearchRequest, Sort};

/// Every consultation, by id.
pub async fn list(State(state): State<AppState>) -> Json<ConsultationList> {
    let consultations = state.consultations.current();
    Json(ConsultationList {
        consultations: consultations.iter().map(ConsultationJson::from).collect(),
    })
}

/// One consultation and its documents, oldest first.
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ConsultationWithDocuments>, ApiError> {
    let consultations = state.consultations.current();
    let c = consultations.get(&id).cloned().ok_or(ApiError::NotFound)?;
    let index = state.index.clone();
    let request = SearchRequest {
        sort: Sort::Oldest,
        consultation: Some(ConsultationFilter {
            id: c.id.clone(),
            reference: c.reference.clone(),
        }),
        ..SearchRequest::default()
    };
    let results = super::blocking(move || Ok(index.search_all(&request)?)).await?;
    let documents = results
        .hits
        .iter()
        .map(|h| DocumentJson::new(&h.submission, h.page_count, &consultations))
        .filter(|d| d.consultation.as_ref().is_some_and(|l| l.id == c.id))
        .collect();
    Ok(Json(ConsultationWithDocuments {
        consultation: ConsultationJson::from(&c),
        documents,
    }))
}
