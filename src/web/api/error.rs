//! The one error of the JSON API: `{"error": "…"}` with the status that says what went
//! wrong; an internal error is logged and answered without detail.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::super::TaskFailed;
use super::super::params::ParamError;
use crate::index::IndexError;
use crate::model::DocId;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("not found")]
    NotFound,
    /// No valid API token.
    #[error("a valid API token is required")]
    Unauthorized,
    /// The file is already in the archive, as the document `id`.
    #[error("already in the archive")]
    Conflict { id: DocId },
    /// The change would clash with what exists (a consultation's id or case number).
    #[error("{0}")]
    ConflictWith(String),
    #[error("not a PDF: a PDF begins with `%PDF-`")]
    NotPdf,
    #[error("the PDF cannot be read: {0}")]
    Unreadable(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// Not now: the server is busy or cannot write; `retry_after` in seconds, when known.
    #[error("{message}")]
    Unavailable {
        message: String,
        retry_after: Option<u64>,
    },
}

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    pub error: String,
    /// The document a conflicting upload duplicates (409 only; described there).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(ignore)]
    pub id: Option<String>,
}

impl From<IndexError> for ApiError {
    fn from(e: IndexError) -> Self {
        match e {
            // Paging too deep is the asker's mistake.
            IndexError::ResultWindow { .. } => ApiError::BadRequest(e.to_string()),
            e => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<TaskFailed> for ApiError {
    fn from(e: TaskFailed) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<ParamError> for ApiError {
    fn from(e: ParamError) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Conflict { .. } | ApiError::ConflictWith(_) => StatusCode::CONFLICT,
            ApiError::NotPdf => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unreadable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Internal(detail) => {
                tracing::error!("internal error: {detail}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        };
        let body = ErrorBody {
            error: match &self {
                ApiError::Internal(_) => "internal error".to_string(),
                other => other.to_string(),
            },
            id: match &self {
                ApiError::Conflict { id } => Some(id.to_string()),
                _ => None,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let ApiError::Unavailable {
            retry_after: Some(seconds),
            ..
        } = self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if matches!(self, ApiError::Unauthorized) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
