//! One error type for every handler: client errors get a useful 4xx page or JSON body;
//! internal errors are logged and shown without detail.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::i18n::{Lang, Texts};
use crate::index::IndexError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound(Lang),
    #[error("{message}")]
    BadRequest { message: String, lang: Lang },
    /// Like `BadRequest`, answered as JSON.
    #[error("{0}")]
    ApiBadRequest(String),
    #[error("not found")]
    ApiNotFound,
    /// No valid API token.
    #[error("unauthorized")]
    Unauthorized,
    /// A form without the right CSRF token.
    #[error("forbidden")]
    Forbidden,
    #[error("request too large")]
    TooLarge(Lang),
    #[error("internal error: {0}")]
    Internal(String),
    #[error("internal error: {0}")]
    ApiInternal(String),
}

impl From<IndexError> for AppError {
    fn from(e: IndexError) -> Self {
        match e {
            // Paging too deep is the asker's mistake: a 400 (in bokmål until a handler that
            // knows the reader's language says otherwise, see `AppError::in_lang`).
            IndexError::ResultWindow { .. } => AppError::BadRequest {
                message: e.to_string(),
                lang: Lang::Nb,
            },
            e => AppError::Internal(e.to_string()),
        }
    }
}

impl AppError {
    /// The same error, with its page in `lang`.
    pub fn in_lang(self, lang: Lang) -> AppError {
        match self {
            AppError::NotFound(_) => AppError::NotFound(lang),
            AppError::BadRequest { message, .. } => AppError::BadRequest { message, lang },
            AppError::TooLarge(_) => AppError::TooLarge(lang),
            other => other,
        }
    }

    /// The same error, answered as JSON.
    pub fn into_api(self) -> AppError {
        match self {
            AppError::NotFound(_) | AppError::ApiNotFound => AppError::ApiNotFound,
            AppError::BadRequest { message, .. } | AppError::ApiBadRequest(message) => {
                AppError::ApiBadRequest(message)
            }
            AppError::Internal(m) | AppError::ApiInternal(m) => AppError::ApiInternal(m),
            other => other,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub t: &'static Texts,
    pub lang: Lang,
    pub lang_switch: String,
    pub title: &'static str,
    pub message: String,
}

impl ErrorPage {
    pub fn new(lang: Lang, title: &'static str, message: String) -> ErrorPage {
        ErrorPage {
            t: lang.texts(),
            lang,
            lang_switch: match lang {
                Lang::Nb => "/?lang=en".into(),
                Lang::En => "/".into(),
            },
            title,
            message,
        }
    }
}

fn page(status: StatusCode, page: ErrorPage) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, page.message).into_response(),
    }
}

fn json(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound(lang) => {
                let t = lang.texts();
                page(
                    StatusCode::NOT_FOUND,
                    ErrorPage::new(lang, t.not_found_title, t.not_found_text.into()),
                )
            }
            AppError::BadRequest { message, lang } => page(
                StatusCode::BAD_REQUEST,
                ErrorPage::new(lang, lang.texts().bad_request_title, message),
            ),
            AppError::ApiBadRequest(message) => json(StatusCode::BAD_REQUEST, &message),
            AppError::ApiNotFound => json(StatusCode::NOT_FOUND, "not found"),
            AppError::Unauthorized => {
                json(StatusCode::UNAUTHORIZED, "a valid API token is required")
            }
            AppError::Forbidden => {
                let t = Lang::Nb.texts();
                page(
                    StatusCode::FORBIDDEN,
                    ErrorPage::new(Lang::Nb, t.forbidden_title, t.forbidden_text.into()),
                )
            }
            AppError::TooLarge(lang) => {
                let t = lang.texts();
                page(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorPage::new(lang, t.too_large_title, t.too_large_text.into()),
                )
            }
            AppError::Internal(detail) => {
                tracing::error!("internal error: {detail}");
                let t = Lang::Nb.texts();
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorPage::new(Lang::Nb, t.error_title, t.error_text.into()),
                )
            }
            AppError::ApiInternal(detail) => {
                tracing::error!("internal error: {detail}");
                json(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

/// What a panicking handler answers: the plain 500 page.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    AppError::Internal("a handler panicked".into()).into_response()
}
