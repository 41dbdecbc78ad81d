//! The HTML pages, for people. Every handler takes a [`PageContext`] (language, chrome,
//! staff user, base URL), builds every value and link its template shows, and fails with a
//! [`PageError`], which renders the friendly error pages. Templates only show what they
//! are given.

pub mod api_doc;
pub mod archive;
pub mod cite;
pub mod consultations;
pub mod conventions;
pub mod error;
pub mod feed;
pub mod laws;
pub mod notes;
pub mod reading;
pub mod sitemap;
pub mod stats;
pub mod subject;
pub mod svg;
pub mod topics;
pub mod views;

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::AppState;
use super::auth::{self, StaffUser};
use super::i18n::Lang;
use super::params::{ParamError, SearchParams};

pub use error::PageError;
pub use views::Chrome;

/// What every page needs from its request: the language, the chrome (header, footer, the
/// language switch), the signed-in staff member if any, and the archive's public address.
pub struct PageContext {
    pub chrome: Chrome,
    pub user: Option<StaffUser>,
    /// No trailing slash.
    pub base_url: Arc<str>,
    /// The raw query string ("" when there is none).
    pub query: String,
}

impl PageContext {
    pub fn lang(&self) -> Lang {
        self.chrome.lang
    }

    /// The search parameters of this page's URL, bad values dropped; a request past one
    /// of the limits is a 400 page.
    pub fn search_params(&self) -> Result<SearchParams, PageError> {
        SearchParams::parse_lenient(Some(&self.query))
            .map_err(|e: ParamError| PageError::from((e, self.lang())))
    }

    /// A parameter of the query string.
    pub fn param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

impl std::ops::Deref for PageContext {
    type Target = Chrome;
    fn deref(&self) -> &Chrome {
        &self.chrome
    }
}

impl FromRequestParts<AppState> for PageContext {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<PageContext, Infallible> {
        let query = parts.uri.query().unwrap_or("").to_string();
        let lang = Lang::from_query(Some(&query));
        // The staff guard has already found the user on staff routes; elsewhere a session
        // cookie is looked up (which reads the accounts file, so off the async workers).
        let user = match parts.extensions.get::<StaffUser>() {
            Some(user) => Some(user.clone()),
            None if parts.headers.contains_key(axum::http::header::COOKIE) => {
                let st = state.clone();
                let headers = parts.headers.clone();
                tokio::task::spawn_blocking(move || auth::session_user(&st, &headers))
                    .await
                    .ok()
                    .flatten()
            }
            None => None,
        };
        Ok(PageContext {
            chrome: Chrome::new(lang, parts.uri.path(), &query),
            user,
            base_url: state.base_url.clone(),
            query,
        })
    }
}

/// Page models embed a [`PageContext`] as `ctx`; this lets their templates read its
/// chrome (`t`, `lang`, `lang_switch`) as if it were their own.
macro_rules! embeds_context {
    ($($page:ty),+ $(,)?) => {
        $(impl std::ops::Deref for $page {
            type Target = $crate::web::pages::PageContext;
            fn deref(&self) -> &$crate::web::pages::PageContext {
                &self.ctx
            }
        })+
    };
}
pub(crate) use embeds_context;

/// Runs blocking work (search, file reads) off the async workers.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, PageError>
where
    F: FnOnce() -> Result<T, PageError> + Send + 'static,
    T: Send + 'static,
{
    super::run_blocking(work).await
}
