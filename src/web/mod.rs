//! The web archive: the only user of axum and askama. Thin handlers over one [`AppState`];
//! searches and file reads run on blocking threads.

mod api;
pub mod auth;
mod cite;
mod conventions;
mod error;
mod export;
mod feed;
pub mod i18n;
mod openapi;
mod pages;
pub mod params;
pub mod staff;
mod stats;
mod svg;
mod views;

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

use crate::index::ArchiveIndex;
use crate::library::Library;

pub use error::AppError;

/// What every handler shares: cheap handles only.
#[derive(Clone)]
pub struct AppState {
    pub index: ArchiveIndex,
    pub library: Library,
    /// The archive's public address, for permalinks and citations (no trailing slash).
    pub base_url: Arc<str>,
    /// Accounts, sessions, the index's writer: what staff pages need.
    pub staff: Arc<staff::Staff>,
}

impl AppState {
    /// A read-only archive: search and read, no staff features.
    pub fn new(index: ArchiveIndex, library: Library, base_url: &str) -> AppState {
        AppState {
            index,
            library,
            base_url: base_url.trim_end_matches('/').into(),
            staff: staff::disabled(),
        }
    }

    pub fn with_staff(mut self, staff: staff::Staff) -> AppState {
        self.staff = Arc::new(staff);
        self
    }
}

/// Content-Security-Policy: no inline script or style anywhere, no framing.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; \
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
        .route("/", get(pages::front))
        .route("/sok", get(pages::search))
        .route("/dokumenter", get(pages::browse))
        .route("/dokument/{id}", get(pages::document))
        .route("/dokument/{id}/pdf", get(pages::pdf))
        .route("/static/arkiv.css", get(pages::stylesheet))
        .route("/api/search", get(api::search))
        .route("/api/documents/{id}", get(api::document))
        .route("/api/export", get(export::export))
        .route("/api/openapi.json", get(openapi::spec))
        .route("/api", get(openapi::page))
        .route("/statistikk", get(stats::page))
        .route("/statistikk/aar.svg", get(stats::years_svg))
        .route("/statistikk/artikler.svg", get(stats::articles_svg))
        .route("/feed.atom", get(feed::atom))
        .route("/dokument/{id}/cite.bib", get(cite::bibtex_file))
        .route("/dokument/{id}/cite.json", get(cite::csl_json_file))
        .route("/konvensjon/{id}", get(conventions::page))
        .route("/logg-inn", get(auth::login_form).post(auth::login))
        .route("/logg-ut", axum::routing::post(auth::logout))
        .layer(timeout(30))
        // Uploads are large and each is extracted before the answer: a longer bound.
        .merge(staff::staff_router(&state).layer(timeout(600)))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(CompressionLayer::new())
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

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(addr: SocketAddr, state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("arkiv serves http://{}", listener.local_addr()?);
    // On stdout too, for whoever started `serve --addr 127.0.0.1:0` and needs the port.
    println!("serving http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
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

/// Runs blocking work (search, file reads) off the async workers.
async fn blocking<T, F>(work: F) -> Result<T, AppError>
where
    F: FnOnce() -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
}
