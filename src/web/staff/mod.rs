//! Staff features: upload, correct metadata, delete and restore, the audit log, as pages
//! for people (`pages`) and as the write API for programs (`api`), with one validator of
//! metadata edits (`metadata`). Every route is in [`routes`], and the router is built from
//! that table alone, each route behind the guard of its audience; the tests walk the same
//! table to prove it.

pub mod api;
pub mod bulk;
pub mod bulk_pages;
pub mod consultations;
pub mod inbox;
pub mod metadata;
pub mod notes;
pub mod pages;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart};
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, delete, get, patch, post};

use super::AppState;
use super::auth;
use crate::accounts::DataDir;
use crate::archive::Archive;
use crate::audit::{AuditEntry, AuditLog};
use crate::extract::ExtractConfig;
use crate::index::ArchiveWriter;
use metadata::Fields;

/// What staff features need; absent pieces make the archive read-only.
pub struct Staff {
    pub data: Option<DataDir>,
    pub writer: Option<Mutex<ArchiveWriter>>,
    pub extract: Option<ExtractConfig>,
    pub sessions: auth::Sessions,
    pub limiter: auth::Limiter,
    pub audit: Option<AuditLog>,
    pub max_upload_bytes: usize,
    /// Cookies marked Secure when the archive is served over HTTPS.
    pub secure_cookies: bool,
    /// Slots for uploads in progress: each buffers up to `max_upload_bytes` and runs an
    /// extraction worker. Past [`CONCURRENT_UPLOADS`] an upload waits a little for a slot
    /// (its body not yet read), and past that a client is told to come back.
    pub uploads: Arc<tokio::sync::Semaphore>,
    /// Places to wait for an upload slot ([`WAITING_UPLOADS`]).
    pub upload_waiters: Arc<tokio::sync::Semaphore>,
    /// Bulk edits the pages run off the request.
    pub bulk: bulk::Jobs,
}

/// Default upload limit: 100 MB.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 100 * 1024 * 1024;

/// Uploads (form or API) handled at once.
pub const CONCURRENT_UPLOADS: usize = 2;

/// Uploads that may wait for a slot, for at most [`UPLOAD_WAIT`]; past either bound an
/// upload is answered 503 with `Retry-After` ([`UPLOAD_RETRY_AFTER_SECS`]).
pub const WAITING_UPLOADS: usize = 16;

/// How long an upload waits for a slot before it is answered 503.
pub const UPLOAD_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// What `Retry-After` says to an upload that found no slot, in seconds.
pub const UPLOAD_RETRY_AFTER_SECS: u64 = 10;

/// A slot among the uploads in progress, held until the upload's work (its blocking part
/// too) is done.
type UploadSlot = Arc<tokio::sync::OwnedSemaphorePermit>;

impl Staff {
    /// No accounts, no writer: every staff route refuses.
    pub fn disabled() -> Staff {
        Staff {
            data: None,
            writer: None,
            extract: None,
            sessions: auth::Sessions::default(),
            limiter: auth::Limiter::default(),
            audit: None,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            secure_cookies: false,
            uploads: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_UPLOADS)),
            upload_waiters: Arc::new(tokio::sync::Semaphore::new(WAITING_UPLOADS)),
            bulk: bulk::Jobs::default(),
        }
    }

    /// Staff features over a data directory, with the index's writer.
    pub fn new(
        data: DataDir,
        writer: ArchiveWriter,
        extract: ExtractConfig,
        max_upload_bytes: usize,
        secure_cookies: bool,
    ) -> Staff {
        Staff {
            sessions: auth::Sessions::load(&data),
            audit: Some(AuditLog::new(data.audit_file())),
            data: Some(data),
            writer: Some(Mutex::new(writer)),
            extract: Some(extract),
            limiter: auth::Limiter::default(),
            max_upload_bytes,
            secure_cookies,
            uploads: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_UPLOADS)),
            upload_waiters: Arc::new(tokio::sync::Semaphore::new(WAITING_UPLOADS)),
            bulk: bulk::Jobs::default(),
        }
    }

    /// A slot for one upload; `None` when [`CONCURRENT_UPLOADS`] stayed in progress for
    /// [`UPLOAD_WAIT`], or [`WAITING_UPLOADS`] already wait.
    async fn upload_slot(&self) -> Option<UploadSlot> {
        if let Ok(slot) = self.uploads.clone().try_acquire_owned() {
            return Some(Arc::new(slot));
        }
        let _waiting = self.upload_waiters.try_acquire().ok()?;
        let slot = tokio::time::timeout(UPLOAD_WAIT, self.uploads.clone().acquire_owned());
        slot.await.ok()?.ok().map(Arc::new)
    }

    /// Appends to the audit log; a failure to log is reported, not fatal to the request.
    pub fn record(&self, entry: AuditEntry) {
        if let Some(audit) = &self.audit
            && let Err(e) = audit.record(&entry)
        {
            tracing::error!("cannot write the audit log: {e}");
        }
    }
}

/// Who a staff route serves, and so how it is guarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Pages: a session cookie, else a redirect to sign-in; forms carry a CSRF token.
    People,
    /// The write API: a bearer token, else 401.
    Programs,
}

/// One staff route.
pub struct StaffRoute {
    pub method: Method,
    pub path: &'static str,
    pub audience: Audience,
    pub handler: MethodRouter<AppState>,
}

/// Every staff route. The router is built from this table, and the tests walk it.
pub fn routes(max_upload_bytes: usize) -> Vec<StaffRoute> {
    let upload_limit = DefaultBodyLimit::max(max_upload_bytes.saturating_add(1024 * 1024));
    let route = |method: Method, path, audience, handler| StaffRoute {
        method,
        path,
        audience,
        handler,
    };
    use Audience::{People, Programs};
    vec![
        route(Method::GET, "/last-opp", People, get(pages::upload_form)),
        route(
            Method::POST,
            "/last-opp",
            People,
            post(pages::upload).layer(upload_limit),
        ),
        route(
            Method::GET,
            "/dokument/{id}/rediger",
            People,
            get(pages::edit_form),
        ),
        route(
            Method::POST,
            "/dokument/{id}/rediger",
            People,
            post(pages::edit),
        ),
        route(
            Method::POST,
            "/dokument/{id}/slett",
            People,
            post(pages::delete),
        ),
        route(Method::GET, "/papirkurv", People, get(pages::trash)),
        route(
            Method::POST,
            "/papirkurv/{name}/gjenopprett",
            People,
            post(pages::restore),
        ),
        route(Method::GET, "/logg", People, get(pages::audit_log)),
        route(
            Method::POST,
            "/api/documents",
            Programs,
            post(api::upload).layer(upload_limit),
        ),
        route(
            Method::PATCH,
            "/api/documents/{id}",
            Programs,
            patch(api::patch),
        ),
        route(
            Method::DELETE,
            "/api/documents/{id}",
            Programs,
            delete(api::delete),
        ),
        // Consultation records.
        route(
            Method::GET,
            "/horinger/ny",
            People,
            get(consultations::new_form),
        ),
        route(
            Method::POST,
            "/horinger/ny",
            People,
            post(consultations::create),
        ),
        route(
            Method::GET,
            "/horing/{id}/rediger",
            People,
            get(consultations::edit_form),
        ),
        route(
            Method::POST,
            "/horing/{id}/rediger",
            People,
            post(consultations::edit),
        ),
        route(
            Method::POST,
            "/api/consultations",
            Programs,
            post(consultations::api_create),
        ),
        route(
            Method::PATCH,
            "/api/consultations/{id}",
            Programs,
            patch(consultations::api_patch),
        ),
        // Notes and new versions.
        route(
            Method::POST,
            "/dokument/{id}/notater",
            People,
            post(notes::add),
        ),
        route(
            Method::POST,
            "/dokument/{id}/notater/{note}",
            People,
            post(notes::edit),
        ),
        route(
            Method::POST,
            "/dokument/{id}/notater/{note}/slett",
            People,
            post(notes::delete),
        ),
        route(
            Method::POST,
            "/dokument/{id}/ny-versjon",
            People,
            post(notes::replace).layer(upload_limit),
        ),
        route(
            Method::POST,
            "/api/documents/{id}/notes",
            Programs,
            post(notes::api_add),
        ),
        route(
            Method::PATCH,
            "/api/documents/{id}/notes/{note}",
            Programs,
            patch(notes::api_patch),
        ),
        route(
            Method::DELETE,
            "/api/documents/{id}/notes/{note}",
            Programs,
            delete(notes::api_delete),
        ),
        route(
            Method::POST,
            "/api/documents/{id}/versions",
            Programs,
            post(notes::api_replace).layer(upload_limit),
        ),
        // Bulk edits and their undo.
        route(Method::POST, "/api/bulk", Programs, post(bulk::api_bulk)),
        route(
            Method::POST,
            "/api/bulk/{batch}/undo",
            Programs,
            post(bulk::api_undo),
        ),
        route(
            Method::POST,
            "/samleendring/{batch}/angre",
            People,
            post(pages::undo_bulk),
        ),
        route(
            Method::GET,
            "/api/bulk/{batch}",
            Programs,
            get(bulk::api_status),
        ),
        route(
            Method::GET,
            "/samleendring",
            People,
            get(bulk_pages::search_view),
        ),
        route(
            Method::POST,
            "/samleendring/forhandsvis",
            People,
            post(bulk_pages::preview),
        ),
        route(
            Method::POST,
            "/samleendring/utfor",
            People,
            post(bulk_pages::apply),
        ),
        route(
            Method::GET,
            "/samleendring/{batch}",
            People,
            get(bulk_pages::progress),
        ),
        // The inbox of documents to review.
        route(Method::GET, "/innboks", People, get(inbox::inbox)),
        route(
            Method::POST,
            "/innboks/{id}/bekreft",
            People,
            post(inbox::confirm),
        ),
    ]
}

/// The staff routes, each behind its audience's guard. The guard wraps the route's method
/// only, so another method on the same path is still answered 405 by the router.
pub fn staff_router(state: &AppState) -> Router<AppState> {
    routes(state.staff.max_upload_bytes)
        .into_iter()
        .fold(Router::new(), |router, r| {
            let guarded =
                match r.audience {
                    Audience::People => r.handler.route_layer(
                        axum::middleware::from_fn_with_state(state.clone(), auth::require_session),
                    ),
                    Audience::Programs => r.handler.route_layer(
                        axum::middleware::from_fn_with_state(state.clone(), auth::require_token),
                    ),
                };
            router.route(r.path, guarded)
        })
}

/// Every staff route as (method, path), for the tests that prove each is guarded.
pub fn staff_routes() -> Vec<(Method, &'static str)> {
    routes(DEFAULT_MAX_UPLOAD_BYTES)
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect()
}

/// A write asked of an archive served without staff features.
#[derive(Debug, thiserror::Error)]
#[error("the archive is read-only")]
pub struct ReadOnly;

impl From<ReadOnly> for super::PageError {
    fn from(e: ReadOnly) -> Self {
        super::PageError::Internal(e.to_string())
    }
}

impl From<ReadOnly> for super::ApiError {
    fn from(e: ReadOnly) -> Self {
        super::ApiError::Internal(e.to_string())
    }
}

fn archive(state: &AppState) -> Result<Archive<'_>, ReadOnly> {
    let staff = &state.staff;
    match (&staff.writer, &staff.extract, &staff.data) {
        (Some(writer), Some(extract), Some(data)) => Ok(Archive {
            library: &state.library,
            index: &state.index,
            writer,
            extract,
            incoming: data.incoming(),
            trash: data.trash(),
        }),
        _ => Err(ReadOnly),
    }
}

/// Why an upload was not received; each audience says it in its own way.
enum UploadRefused {
    /// Every upload slot stayed taken (503 with `Retry-After`).
    Busy,
    /// A file was larger than `Staff::max_upload_bytes`.
    TooLarge,
    /// The multipart body could not be read.
    Unreadable(String),
}

/// The start of every upload, from the form and the API alike: a slot first (held until
/// the extraction ends), then the multipart body within the size bound.
async fn receive_upload(
    staff: &Staff,
    multipart: Multipart,
) -> Result<(UploadSlot, UploadRequest), UploadRefused> {
    let slot = staff.upload_slot().await.ok_or(UploadRefused::Busy)?;
    match read_multipart(multipart, staff.max_upload_bytes).await {
        Ok(request) => Ok((slot, request)),
        Err((StatusCode::PAYLOAD_TOO_LARGE, _)) => Err(UploadRefused::TooLarge),
        Err((_, message)) => Err(UploadRefused::Unreadable(message)),
    }
}

/// One file and the metadata fields of a multipart request.
struct UploadRequest {
    files: Vec<(String, Bytes)>,
    fields: Fields,
}

async fn read_multipart(
    mut multipart: Multipart,
    max_bytes: usize,
) -> Result<UploadRequest, (StatusCode, String)> {
    let mut files = Vec::new();
    let mut fields = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err((e.status(), e.body_text())),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" || name == "files" {
            // The client's file name is shown back to staff, never used as a path.
            let client_name = field.file_name().unwrap_or("dokument.pdf").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| (e.status(), e.body_text()))?;
            if bytes.len() > max_bytes {
                return Err((StatusCode::PAYLOAD_TOO_LARGE, client_name));
            }
            if !bytes.is_empty() {
                files.push((client_name, bytes));
            }
        } else {
            let value = field
                .text()
                .await
                .map_err(|e| (e.status(), e.body_text()))?;
            fields.push((name, value));
        }
    }
    Ok(UploadRequest {
        files,
        fields: Fields(fields),
    })
}

/// Shared by the state builder: staff with nothing configured.
pub fn disabled() -> Arc<Staff> {
    Arc::new(Staff::disabled())
}
