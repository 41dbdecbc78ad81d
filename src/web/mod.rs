//! The web archive: the only user of axum and askama. Thin handlers over one [`AppState`];
//! searches and file reads run on blocking threads.
//!
//! Split by audience, each part with one error type: [`pages`] renders HTML for people
//! (`PageError`), [`api`] answers JSON for programs (`ApiError`), and [`staff`] holds the
//! staff routes, their pages and their part of the API behind one guard.

pub mod alerts;
pub mod api;
pub mod auth;
pub mod conditional;
pub mod html;
pub mod i18n;
pub mod pages;
pub mod params;
pub mod server;
pub mod staff;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::consultations::Consultations;
use crate::index::{ArchiveIndex, SearchRequest, SearchResults};
use crate::library::Library;
use params::SearchParams;

pub use api::ApiError;
pub use pages::PageError;
pub use server::Limits;

/// What every handler shares: cheap handles only.
#[derive(Clone)]
pub struct AppState {
    pub index: ArchiveIndex,
    pub library: Library,
    /// The consultation records of `documents/consultations/`, as of the last change.
    pub consultations: Arc<ConsultationStore>,
    /// The archive's public address, for permalinks and citations (no trailing slash).
    pub base_url: Arc<str>,
    /// Accounts, sessions, the index's writer: what staff pages need.
    pub staff: Arc<staff::Staff>,
    /// Page images and word boxes; `None` shows documents as text only.
    pub page_images: Option<Arc<pages::reading::PageImages>>,
    /// Alerts by e-mail; `None` when no SMTP server is configured (the forms say so).
    pub alerts: Option<Arc<alerts::Alerts>>,
}

impl AppState {
    /// A read-only archive: search and read, no staff features.
    pub fn new(index: ArchiveIndex, library: Library, base_url: &str) -> AppState {
        AppState {
            consultations: Arc::new(ConsultationStore::load(&library)),
            index,
            library,
            base_url: base_url.trim_end_matches('/').into(),
            staff: staff::disabled(),
            page_images: None,
            alerts: None,
        }
    }

    /// Lets anyone follow a search by e-mail (see [`alerts`]).
    pub fn with_alerts(mut self, alerts: alerts::Alerts) -> AppState {
        self.alerts = Some(Arc::new(alerts));
        self
    }

    /// Documents just added: the alerts match them (blocking: a file write).
    pub fn documents_added(&self, ids: &[crate::model::DocId]) {
        if let Some(alerts) = &self.alerts {
            alerts.added(ids);
        }
    }

    /// Shows pages as images, rendered into (and read from) `cache`.
    pub fn with_page_images(mut self, cache: crate::extract::render::PageCache) -> AppState {
        self.page_images = Some(pages::reading::PageImages::new(cache));
        self
    }

    pub fn with_staff(mut self, staff: staff::Staff) -> AppState {
        self.staff = Arc::new(staff);
        self
    }

    /// The index's request for a search URL, with the case number of the consultation it
    /// asks for, so the letters that name it as "Deres ref." are found too.
    pub fn search_request(&self, params: &SearchParams, pages_per_hit: usize) -> SearchRequest {
        let mut request = params.request(pages_per_hit);
        if let Some(filter) = &mut request.consultation {
            filter.reference = self
                .consultations
                .current()
                .get(&filter.id)
                .and_then(|c| c.reference.clone());
        }
        request
    }
}

/// The consultation records, read from `documents/consultations/` when the server starts
/// and again after each change staff make. A file that cannot be used is logged and left
/// out (ingest names it with its line and field).
pub struct ConsultationStore {
    current: std::sync::RwLock<Arc<Consultations>>,
    /// Held while a change is checked and written, so two never interleave.
    pub writing: std::sync::Mutex<()>,
    /// How many times the records were read again: part of the validators of pages
    /// whose content they decide.
    version: std::sync::atomic::AtomicU64,
}

impl ConsultationStore {
    pub fn load(library: &Library) -> ConsultationStore {
        ConsultationStore {
            current: std::sync::RwLock::new(Arc::new(read_consultations(library))),
            writing: std::sync::Mutex::new(()),
            version: std::sync::atomic::AtomicU64::new(0),
        }
    }

    pub fn version(&self) -> u64 {
        self.version.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The records as they are now: a snapshot to read without holding a lock.
    pub fn current(&self) -> Arc<Consultations> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Reads the folder again (after a change was written).
    pub fn reload(&self, library: &Library) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) =
            Arc::new(read_consultations(library));
        self.version
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// Reads the consultation records again whenever their folder changes: for a read-only
/// server, whose records another process writes without telling it.
pub async fn follow_consultations(state: AppState, every: Duration) {
    let folder = crate::consultations::folder(&state.library);
    let mut seen = folder_state(folder.clone()).await;
    loop {
        tokio::time::sleep(every).await;
        let now = folder_state(folder.clone()).await;
        if now != seen {
            let store = state.consultations.clone();
            let library = state.library.clone();
            let _ = tokio::task::spawn_blocking(move || store.reload(&library)).await;
            seen = now;
        }
    }
}

/// The names, sizes and change times of a folder's files: what tells that one changed
/// (every write is a rename, which gives the file a new change time).
async fn folder_state(
    folder: std::path::PathBuf,
) -> Vec<(std::ffi::OsString, u64, std::time::SystemTime)> {
    tokio::task::spawn_blocking(move || {
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let meta = entry.metadata().ok()?;
                Some((entry.file_name(), meta.len(), meta.modified().ok()?))
            })
            .collect();
        files.sort();
        files
    })
    .await
    .unwrap_or_default()
}

fn read_consultations(library: &Library) -> Consultations {
    let (all, errors) = Consultations::load(&crate::consultations::folder(library));
    for e in errors {
        tracing::warn!("{e}");
    }
    all
}

/// Content-Security-Policy: no inline script or style anywhere, no framing; scripts may
/// fetch from the archive itself only (the search box's suggestions).
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Every route of the archive.
pub fn router(state: AppState) -> Router {
    let timeout = |seconds| {
        TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(seconds),
        )
    };
    Router::new()
        .route("/", get(pages::archive::front))
        .route("/sok", get(pages::archive::search))
        .route("/dokumenter", get(pages::archive::browse))
        .route("/dokument/{id}", get(pages::archive::document))
        .route("/dokument/{id}/pdf", get(pages::archive::pdf))
        .route(
            "/dokument/{id}/bilde/{page}/{size}",
            get(pages::reading::image),
        )
        .route("/static/arkiv.css", get(pages::archive::stylesheet))
        .route("/static/cite.js", get(pages::archive::cite_script))
        .route("/static/suggest.js", get(pages::archive::suggest_script))
        .route("/robots.txt", get(pages::sitemap::robots))
        .route("/sitemap.xml", get(pages::sitemap::sitemap))
        .route("/sitemap/{part}", get(pages::sitemap::sitemap_part))
        .route("/favicon.svg", get(pages::archive::favicon))
        .route("/favicon.ico", get(pages::archive::favicon))
        .route("/api/search", get(api::search))
        .route("/api/suggest", get(api::suggest::suggest))
        .route("/api/documents/{id}", get(api::document))
        .route("/api/export", get(api::export::export))
        .route("/api/openapi.json", get(api::openapi::spec))
        .route("/api", get(pages::api_doc::page))
        .route("/statistikk", get(pages::stats::page))
        .route("/statistikk/aar.svg", get(pages::stats::years_svg))
        .route("/statistikk/artikler.svg", get(pages::stats::articles_svg))
        .route("/feed.atom", get(pages::feed::atom))
        .route("/dokument/{id}/cite.bib", get(pages::cite::bibtex_file))
        .route("/dokument/{id}/cite.json", get(pages::cite::csl_json_file))
        .route("/konvensjon/{id}", get(pages::conventions::page))
        .route("/lover", get(pages::laws::index))
        .route("/lov/{id}", get(pages::laws::page))
        .route("/tema", get(pages::topics::index))
        .route("/tema/{id}", get(pages::topics::page))
        .route("/horinger", get(pages::consultations::list))
        .route("/horinger.ics", get(pages::consultations::ics))
        .route("/horing/{id}", get(pages::consultations::record))
        .route("/api/consultations", get(api::consultations::list))
        .route("/api/consultations/{id}", get(api::consultations::one))
        .route("/logg-inn", get(auth::login_form).post(auth::login))
        .route("/logg-ut", axum::routing::post(auth::logout))
        .merge(alerts::routes())
        .layer(timeout(30))
        // Uploads are large and each is extracted before the answer: a longer bound.
        .merge(staff::staff_router(&state).layer(timeout(600)))
        .fallback(pages::archive::not_found)
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
        .layer(CatchPanicLayer::custom(pages::error::panic_response))
        // Inside compression: the validator is of the content, whatever its encoding.
        .layer(axum::middleware::from_fn(conditional::validate))
        // gzip and brotli, whichever the client prefers (brotli when it accepts both
        // equally).
        .layer(CompressionLayer::new().compress_when(compress_predicate()))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http())
}

/// What the compression layer compresses: text it renders, never PDFs (large, already
/// compressed inside, and streamed from disk) nor a part of a file answered to a `Range`.
fn compress_predicate() -> impl tower_http::compression::Predicate {
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
    DefaultPredicate::new()
        .and(NotForContentType::const_new("application/pdf"))
        .and(
            |_: StatusCode,
             _: axum::http::Version,
             headers: &axum::http::HeaderMap,
             _: &axum::http::Extensions| {
                !headers.contains_key(header::CONTENT_RANGE)
            },
        )
}

/// Serves until Ctrl-C or SIGTERM, with the default [`Limits`].
pub async fn serve(addr: SocketAddr, state: AppState) -> std::io::Result<()> {
    serve_with(addr, state, Limits::default()).await
}

/// Serves until Ctrl-C or SIGTERM within `limits` (see [`server`]).
pub async fn serve_with(addr: SocketAddr, state: AppState, limits: Limits) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("arkiv serves http://{}", listener.local_addr()?);
    // On stdout too, for whoever started `serve --addr 127.0.0.1:0` and needs the port.
    println!("serving http://{}", listener.local_addr()?);
    // The first search loads the word lists, the thesaurus and each segment's facet table:
    // about 2 s at 100,000 documents, better spent now than by the first visitor.
    let index = state.index.clone();
    tokio::task::spawn_blocking(move || index.warm_up());
    let staff = state.staff.clone();
    let audit = tokio::spawn(auth::flush_sign_in_audit(staff.clone()));
    let sender = tokio::spawn(alerts::sender(state.clone()));
    let result = server::run(listener, router(state), limits, shutdown_signal()).await;
    audit.abort();
    sender.abort();
    auth::flush_all_sign_in_audit(&staff);
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// A blocking task that panicked or was cancelled.
#[derive(Debug, thiserror::Error)]
#[error("blocking task failed: {0}")]
pub struct TaskFailed(String);

/// Runs blocking work (search, file reads) off the async workers; `pages::blocking` and
/// `api::blocking` name the error.
async fn run_blocking<T, E, F>(work: F) -> Result<T, E>
where
    F: FnOnce() -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<TaskFailed> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| E::from(TaskFailed(e.to_string())))?
}

/// Every hit of the search `params` describe, without snippets, in one search
/// ([`ArchiveIndex::search_all`]): paging through several could see the index change
/// between pages and return a set that never existed. Serves the export and the research
/// pages (statistics, convention pages, feed).
async fn search_whole_set<E>(state: &AppState, params: &SearchParams) -> Result<SearchResults, E>
where
    E: From<TaskFailed> + From<crate::index::IndexError> + Send + 'static,
{
    let index = state.index.clone();
    let request = state.search_request(params, 0);
    run_blocking(move || Ok(index.search_all(&request)?)).await
}
