//! The one error of the HTML pages: a client error gets the friendly 404/400/403/413 page
//! in the reader's language; an internal error is logged and shown without detail.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::super::TaskFailed;
use super::super::i18n::{Lang, Texts};
use crate::index::IndexError;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("not found")]
    NotFound(Lang),
    #[error("{message}")]
    BadRequest { message: String, lang: Lang },
    /// A form without the right CSRF token.
    #[error("forbidden")]
    Forbidden,
    #[error("request too large")]
    TooLarge(Lang),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<IndexError> for PageError {
    fn from(e: IndexError) -> Self {
        PageError::Internal(e.to_string())
    }
}

impl From<TaskFailed> for PageError {
    fn from(e: TaskFailed) -> Self {
        PageError::Internal(e.to_string())
    }
}

impl From<(super::super::params::ParamError, Lang)> for PageError {
    fn from((e, lang): (super::super::params::ParamError, Lang)) -> Self {
        PageError::BadRequest {
            message: e.to_string(),
            lang,
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

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound(lang) => {
                let t = lang.texts();
                page(
                    StatusCode::NOT_FOUND,
                    ErrorPage::new(lang, t.not_found_title, t.not_found_text.into()),
                )
            }
            PageError::BadRequest { message, lang } => page(
                StatusCode::BAD_REQUEST,
                ErrorPage::new(lang, lang.texts().bad_request_title, message),
            ),
            PageError::Forbidden => {
                let t = Lang::Nb.texts();
                page(
                    StatusCode::FORBIDDEN,
                    ErrorPage::new(Lang::Nb, t.forbidden_title, t.forbidden_text.into()),
                )
            }
            PageError::TooLarge(lang) => {
                let t = lang.texts();
                page(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorPage::new(lang, t.too_large_title, t.too_large_text.into()),
                )
            }
            PageError::Internal(detail) => {
                tracing::error!("internal error: {detail}");
                let t = Lang::Nb.texts();
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorPage::new(Lang::Nb, t.error_title, t.error_text.into()),
                )
            }
        }
    }
}

/// What a panicking handler answers: the plain 500 page.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    PageError::Internal("a handler panicked".into()).into_response()
}
