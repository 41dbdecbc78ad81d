//! The staff write API: upload a PDF, patch a document's metadata, delete a document.
//! Bearer-token only; answers JSON, and every failure is an [`ApiError`].

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::metadata::{self, MetadataEdit};
use super::{UploadRefused, archive, receive_upload};
use crate::api::DocumentJson;
use crate::archive::ChangeError;
use crate::audit::AuditEntry;
use crate::model::DocId;
use crate::web::AppState;
use crate::web::api::{ApiError, blocking};
use crate::web::auth::{StaffUser, client_address};
use crate::web::i18n::Lang;

/// What a failed write means to a program.
pub(super) fn api_error(e: ChangeError) -> ApiError {
    match e {
        ChangeError::Duplicate(id) => ApiError::Conflict { id },
        ChangeError::NotPdf => ApiError::NotPdf,
        ChangeError::Unreadable(e) => ApiError::Unreadable(e.to_string()),
        ChangeError::NotFound(_) => ApiError::NotFound,
        ChangeError::IndexLost(e) => {
            tracing::error!("a write failed: {e}");
            ApiError::Unavailable {
                message: "the search index could not be written, and nothing was changed: \
                          try again, or restart the archive"
                    .into(),
                retry_after: None,
            }
        }
        e => ApiError::Internal(format!("write failed: {e}")),
    }
}

/// Why an upload was not received, as the API says it.
pub(super) fn refusal(refused: UploadRefused, max_upload_bytes: usize) -> ApiError {
    match refused {
        UploadRefused::Busy => ApiError::Unavailable {
            message: "other uploads are under way: try again shortly".into(),
            retry_after: Some(super::UPLOAD_RETRY_AFTER_SECS),
        },
        UploadRefused::TooLarge => ApiError::TooLarge(format!(
            "the file is larger than {} MB",
            max_upload_bytes / (1024 * 1024)
        )),
        UploadRefused::Unreadable(message) => ApiError::BadRequest(message),
    }
}

/// `POST /api/documents`: one PDF in the multipart field `file`, with optional metadata
/// fields as the upload form has them.
pub async fn upload(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    // A body that is not multipart at all gets the API's JSON error, not axum's text.
    let multipart = multipart.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let (slot, request) = receive_upload(&state.staff, multipart)
        .await
        .map_err(|refused| refusal(refused, state.staff.max_upload_bytes))?;
    let metadata = MetadataEdit::from_form(&request.fields)
        .apply(Default::default())
        .and_then(|m| metadata::check_consultation(&m, &state.consultations.current()).map(|()| m))
        .map_err(|e| ApiError::BadRequest(e.message(Lang::En)))?;
    let mut files = request.files;
    if files.len() != 1 {
        return Err(ApiError::BadRequest(
            "send exactly one PDF in the field `file`".into(),
        ));
    }
    let (client_name, bytes) = files.remove(0);
    let st = state.clone();
    let added = blocking(move || {
        let _slot = slot;
        let added = archive(&st)?.add(&bytes, metadata);
        if let Ok(a) = &added {
            st.documents_added(std::slice::from_ref(&a.submission.id));
        }
        Ok(added)
    })
    .await?
    .map_err(api_error)?;
    let s = &added.submission;
    state.staff.record(
        AuditEntry::now(user.name.clone(), "upload")
            .target(s.id.to_string())
            .detail(format!("{} ({client_name})", s.file)),
    );
    let mut response = (
        StatusCode::CREATED,
        Json(DocumentJson::new(
            s,
            s.pages.len(),
            &state.consultations.current(),
        )),
    )
        .into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/documents/{}", s.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `PATCH /api/documents/{id}`: a JSON object of the fields to change. A field it names is
/// set (a string) or cleared so detection decides again (`null`); every other field keeps
/// its current value.
pub async fn patch(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = DocId::parse(&id).ok_or(ApiError::NotFound)?;
    let patch: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not a JSON object: {e}")))?;
    let mut edit =
        MetadataEdit::from_json(&patch).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    // A correction by staff reviews the document, unless the patch says otherwise
    // (`"reviewed": false` puts it back in the inbox).
    edit.reviewed.get_or_insert(true);
    let st = state.clone();
    let target = id.clone();
    let s = blocking(move || {
        let doc = st
            .index
            .metadata(&target)?
            .ok_or(ApiError::NotFound)?
            .submission;
        let sidecar = st
            .library
            .read_sidecar(&st.library.entry(&doc.file))
            .ok()
            .flatten();
        let changed = edit
            .apply(metadata::current(&doc, sidecar))
            .and_then(|m| metadata::check_consultation(&m, &st.consultations.current()).map(|()| m))
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        archive(&st)?.update(&target, changed).map_err(api_error)
    })
    .await?;
    state.staff.record(
        AuditEntry::now(user.name.clone(), "edit")
            .target(s.id.to_string())
            .detail(s.title.clone())
            .address(client_address(&extensions)),
    );
    Ok(Json(DocumentJson::new(
        &s,
        s.pages.len(),
        &state.consultations.current(),
    ))
    .into_response())
}

/// What `DELETE` answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Deleted {
    /// The document's id.
    pub deleted: String,
    /// The file's name in the trash, for a restore.
    pub trash: String,
}

/// `DELETE /api/documents/{id}`: the document goes to the trash.
pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    Path(id): Path<String>,
) -> Result<Json<Deleted>, ApiError> {
    let id = DocId::parse(&id).ok_or(ApiError::NotFound)?;
    let st = state.clone();
    let target = id.clone();
    let name = blocking(move || archive(&st)?.delete(&target).map_err(api_error)).await?;
    state.staff.record(
        AuditEntry::now(user.name.clone(), "delete")
            .target(id.to_string())
            .detail(name.clone())
            .address(client_address(&extensions)),
    );
    Ok(Json(Deleted {
        deleted: id.to_string(),
        trash: name,
    }))
}
