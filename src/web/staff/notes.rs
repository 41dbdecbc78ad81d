//! Staff write notes on documents and their pages, and replace a document's PDF with a new
//! version: by form (session and CSRF token) and by the write API (bearer token). One
//! check of a note (`NoteDraft`) serves both; every change is audit-logged.

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::api::api_error;
use super::metadata::Fields;
use super::pages::{change_failed, change_message, checked_form};
use super::{UploadRefused, archive, receive_upload};
use crate::api::{DocumentJson, NoteJson};
use crate::archive::ChangeError;
use crate::audit::AuditEntry;
use crate::model::{DocId, Note, Submission};
use crate::web::AppState;
use crate::web::api::{ApiError, blocking};
use crate::web::auth::{StaffUser, client_address};
use crate::web::i18n::Lang;
use crate::web::pages::{PageContext, PageError, blocking as page_blocking};

/// A note as asked for: each part absent is left as it is (for a new note: public, on the
/// whole document). `page: Some(None)` puts a note on the whole document.
#[derive(Debug, Default)]
pub struct NoteDraft {
    text: Option<String>,
    page: Option<Option<u32>>,
    internal: Option<bool>,
}

/// Why a note was refused, said in the asker's language.
#[derive(Debug)]
enum NoteRefused {
    Empty,
    PageOutOfRange(usize),
    NotANumber(String),
    Json(String),
}

impl NoteRefused {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (NoteRefused::Empty, Lang::Nb) => "Merknaden er tom.".into(),
            (NoteRefused::Empty, Lang::En) => "the note is empty".into(),
            (NoteRefused::PageOutOfRange(n), Lang::Nb) => {
                format!("Dokumentet har sidene 1 til {n}.")
            }
            (NoteRefused::PageOutOfRange(n), Lang::En) => {
                format!("`page` must be a page of the document, 1 to {n}")
            }
            (NoteRefused::NotANumber(v), Lang::Nb) => format!("«{v}» er ikke et sidetall."),
            (NoteRefused::NotANumber(v), Lang::En) => format!("`page`: `{v}` is not a number"),
            (NoteRefused::Json(m), _) => m.clone(),
        }
    }
}

impl NoteDraft {
    /// From the note forms: `text`, `page` (empty: the whole document) and the box
    /// `internal`; `editing` forms have no page field, so the page stays.
    fn from_form(fields: &Fields, editing: bool) -> Result<NoteDraft, NoteRefused> {
        let page = match fields.get("page").map(str::trim) {
            _ if editing => None,
            None | Some("") => Some(None),
            Some(v) => Some(Some(
                v.parse::<u32>()
                    .map_err(|_| NoteRefused::NotANumber(v.to_string()))?,
            )),
        };
        Ok(NoteDraft {
            text: Some(fields.get("text").unwrap_or("").to_string()),
            page,
            internal: Some(fields.get("internal") == Some("1")),
        })
    }

    /// From a JSON object with the keys `text`, `page` (a number, or `null` for the whole
    /// document) and `internal`; any other key is refused.
    fn from_json(body: &[u8]) -> Result<NoteDraft, NoteRefused> {
        let json = |m: &str| NoteRefused::Json(m.to_string());
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body)
            .map_err(|e| NoteRefused::Json(format!("the body is not a JSON object: {e}")))?;
        let mut draft = NoteDraft::default();
        for (key, value) in object {
            match key.as_str() {
                "text" => {
                    draft.text = Some(
                        value
                            .as_str()
                            .ok_or_else(|| json("`text` must be a string"))?
                            .to_string(),
                    )
                }
                "page" => {
                    draft.page = Some(match value {
                        serde_json::Value::Null => None,
                        v => Some(
                            v.as_u64()
                                .and_then(|n| u32::try_from(n).ok())
                                .ok_or_else(|| json("`page` must be a page number or null"))?,
                        ),
                    })
                }
                "internal" => {
                    draft.internal = Some(
                        value
                            .as_bool()
                            .ok_or_else(|| json("`internal` must be true or false"))?,
                    )
                }
                other => {
                    return Err(NoteRefused::Json(format!(
                        "unknown field `{other}`: a note has `text`, `page` and `internal`"
                    )));
                }
            }
        }
        Ok(draft)
    }

    /// Checks the draft against the document: a page it has, some text.
    fn check(&self, page_count: usize, new: bool) -> Result<(), NoteRefused> {
        if let Some(Some(page)) = self.page
            && (page == 0 || page as usize > page_count)
        {
            return Err(NoteRefused::PageOutOfRange(page_count));
        }
        let text = self.text.as_deref();
        if text.is_some_and(crate::model::is_blank) || (new && text.is_none()) {
            return Err(NoteRefused::Empty);
        }
        Ok(())
    }

    fn apply(self, note: &mut Note, author: &str) {
        if let Some(text) = self.text {
            note.text = normalize(&text);
        }
        if let Some(page) = self.page {
            note.page = page;
        }
        if let Some(internal) = self.internal {
            note.internal = internal;
        }
        note.author = author.to_string();
        note.written = now();
    }
}

/// Line breaks as `\n` and no blanks around the text.
fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n").trim().to_string()
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// What a note change does.
enum NoteChange {
    Add(NoteDraft),
    Edit(u32, NoteDraft),
    Delete(u32),
}

impl NoteChange {
    fn action(&self) -> &'static str {
        match self {
            NoteChange::Add(_) => "note_add",
            NoteChange::Edit(..) => "note_edit",
            NoteChange::Delete(_) => "note_delete",
        }
    }
}

/// Why a note change failed.
enum NoteFailed {
    Refused(NoteRefused),
    Change(ChangeError),
}

/// Makes a note change; returns the document after it and the note (none once deleted).
fn change_note(
    state: &AppState,
    id: &DocId,
    change: NoteChange,
    author: &str,
) -> Result<(Submission, Option<Note>), NoteFailed> {
    let doc = state
        .index
        .metadata(id)
        .map_err(|e| NoteFailed::Change(e.into()))?
        .ok_or_else(|| NoteFailed::Change(ChangeError::NotFound(id.to_string())))?;
    match &change {
        NoteChange::Add(d) => d.check(doc.page_count, true),
        NoteChange::Edit(_, d) => d.check(doc.page_count, false),
        NoteChange::Delete(_) => Ok(()),
    }
    .map_err(NoteFailed::Refused)?;
    let archive =
        archive(state).map_err(|e| NoteFailed::Change(ChangeError::Invalid(e.to_string())))?;
    let missing = |n: u32| ChangeError::NotFound(format!("note {n}"));
    archive
        .change_notes(id, |notes| match change {
            NoteChange::Add(draft) => {
                let mut note = Note {
                    id: notes.iter().map(|n| n.id).max().unwrap_or(0) + 1,
                    page: None,
                    internal: false,
                    text: String::new(),
                    author: String::new(),
                    written: String::new(),
                };
                draft.apply(&mut note, author);
                notes.push(note.clone());
                Ok(Some(note))
            }
            NoteChange::Edit(n, draft) => {
                let note = notes.iter_mut().find(|x| x.id == n).ok_or(missing(n))?;
                draft.apply(note, author);
                Ok(Some(note.clone()))
            }
            NoteChange::Delete(n) => {
                let before = notes.len();
                notes.retain(|x| x.id != n);
                if notes.len() == before {
                    return Err(missing(n));
                }
                Ok(None)
            }
        })
        .map_err(NoteFailed::Change)
}

fn audit(user: &StaffUser, action: &'static str, id: &DocId, note: u32) -> AuditEntry {
    AuditEntry::now(user.name.clone(), action)
        .target(id.to_string())
        .detail(format!("note {note}"))
}

/// A note change by form, answered with the document page.
async fn note_form(
    state: AppState,
    user: StaffUser,
    extensions: axum::http::Extensions,
    id: String,
    body: Bytes,
    change: impl FnOnce(&Fields) -> Result<NoteChange, NoteRefused>,
) -> Result<Response, PageError> {
    let (fields, lang) = checked_form(&user, &body)?;
    let id = DocId::parse(&id).ok_or(PageError::NotFound(lang))?;
    let bad = |e: NoteRefused| PageError::BadRequest {
        message: e.message(lang),
        lang,
    };
    let change = change(&fields).map_err(bad)?;
    let action = change.action();
    let st = state.clone();
    let target = id.clone();
    let author = user.name.clone();
    let note_id = match &change {
        NoteChange::Edit(n, _) | NoteChange::Delete(n) => Some(*n),
        NoteChange::Add(_) => None,
    };
    let result = page_blocking(move || Ok(change_note(&st, &target, change, &author))).await?;
    let (s, note) = match result {
        Ok(done) => done,
        Err(NoteFailed::Refused(e)) => return Err(bad(e)),
        Err(NoteFailed::Change(ChangeError::Invalid(message))) => {
            return Err(PageError::BadRequest { message, lang });
        }
        Err(NoteFailed::Change(e)) => return Err(change_failed(lang, e)),
    };
    let n = note.as_ref().map(|n| n.id).or(note_id).unwrap_or(0);
    state
        .staff
        .record(audit(&user, action, &s.id, n).address(client_address(&extensions)));
    let suffix = if lang == Lang::En { "?lang=en" } else { "" };
    let anchor = match note {
        Some(note) => format!("notat-{}", note.id),
        None => "notater".into(),
    };
    Ok(Redirect::to(&format!("/dokument/{}{suffix}#{anchor}", s.id)).into_response())
}

/// `POST /dokument/{id}/notater`: a new note.
pub async fn add(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    note_form(state, user, extensions, id, body, |f| {
        NoteDraft::from_form(f, false).map(NoteChange::Add)
    })
    .await
}

/// `POST /dokument/{id}/notater/{note}`: a note changed.
pub async fn edit(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    Path((id, note)): Path<(String, u32)>,
    body: Bytes,
) -> Result<Response, PageError> {
    note_form(state, user, extensions, id, body, |f| {
        NoteDraft::from_form(f, true).map(|d| NoteChange::Edit(note, d))
    })
    .await
}

/// `POST /dokument/{id}/notater/{note}/slett`: a note deleted.
pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    Path((id, note)): Path<(String, u32)>,
    body: Bytes,
) -> Result<Response, PageError> {
    note_form(state, user, extensions, id, body, |_| {
        Ok(NoteChange::Delete(note))
    })
    .await
}

/// A note change by the API, answered with the note (or what was deleted).
async fn note_api(
    state: AppState,
    user: StaffUser,
    id: String,
    change: Result<NoteChange, NoteRefused>,
) -> Result<(DocId, Option<Note>, u32), ApiError> {
    let id = DocId::parse(&id).ok_or(ApiError::NotFound)?;
    let change = change.map_err(|e| ApiError::BadRequest(e.message(Lang::En)))?;
    let action = change.action();
    let note_id = match &change {
        NoteChange::Edit(n, _) | NoteChange::Delete(n) => Some(*n),
        NoteChange::Add(_) => None,
    };
    let st = state.clone();
    let target = id.clone();
    let author = user.name.clone();
    let (s, note) = blocking(move || {
        change_note(&st, &target, change, &author).map_err(|e| match e {
            NoteFailed::Refused(e) => ApiError::BadRequest(e.message(Lang::En)),
            NoteFailed::Change(ChangeError::Invalid(m)) => ApiError::BadRequest(m),
            NoteFailed::Change(e) => api_error(e),
        })
    })
    .await?;
    let n = note.as_ref().map(|n| n.id).or(note_id).unwrap_or(0);
    state.staff.record(audit(&user, action, &s.id, n));
    Ok((s.id, note, n))
}

/// `POST /api/documents/{id}/notes`: `{"text": …, "page": 2, "internal": true}`; answers
/// 201 with the note.
pub async fn api_add(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let change = NoteDraft::from_json(&body).map(NoteChange::Add);
    let (id, note, n) = note_api(state, user, id, change).await?;
    let note = note.ok_or_else(|| ApiError::Internal("the new note is missing".into()))?;
    let mut response = (StatusCode::CREATED, Json(NoteJson::from(&note))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/documents/{id}/notes/{n}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `PATCH /api/documents/{id}/notes/{note}`: the keys given are changed.
pub async fn api_patch(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path((id, note)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<NoteJson>, ApiError> {
    let note = note_number(&note)?;
    let change = NoteDraft::from_json(&body).map(|d| NoteChange::Edit(note, d));
    let (_, note, _) = note_api(state, user, id, change).await?;
    let note = note.ok_or_else(|| ApiError::Internal("the note is missing".into()))?;
    Ok(Json(NoteJson::from(&note)))
}

/// What deleting a note answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NoteDeleted {
    pub deleted: u32,
}

/// A note's number from the path: anything but a number a note can have is no such note
/// (a JSON 404, where the path extractor would answer in plain text).
fn note_number(text: &str) -> Result<u32, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

/// `DELETE /api/documents/{id}/notes/{note}`.
pub async fn api_delete(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path((id, note)): Path<(String, String)>,
) -> Result<Json<NoteDeleted>, ApiError> {
    let note = note_number(&note)?;
    let (_, _, n) = note_api(state, user, id, Ok(NoteChange::Delete(note))).await?;
    Ok(Json(NoteDeleted { deleted: n }))
}

// ---------------------------------------------------------------------------------------
// New versions
// ---------------------------------------------------------------------------------------

fn same_file_message(lang: Lang) -> &'static str {
    match lang {
        Lang::Nb => "Filen er den samme som gjeldende versjon: ingenting ble endret.",
        Lang::En => "The file is the same as the current version: nothing was changed.",
    }
}

fn version_audit(user: &StaffUser, old: &DocId, s: &Submission) -> AuditEntry {
    AuditEntry::now(user.name.clone(), "new_version")
        .target(s.id.to_string())
        .detail(format!(
            "version {} replaces {old} ({})",
            s.version_number(),
            s.file
        ))
}

/// `POST /dokument/{id}/ny-versjon`: a corrected PDF (multipart field `file`) replaces the
/// document's; answered with the document page under its new id.
pub async fn replace(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    Path(id): Path<String>,
    ctx: PageContext,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (slot, request) = receive_upload(&state.staff, multipart)
        .await
        .map_err(|refused| match refused {
            UploadRefused::Busy => PageError::Unavailable {
                message: ctx.lang().texts().upload_busy.into(),
                lang: ctx.lang(),
                retry_after: Some(super::UPLOAD_RETRY_AFTER_SECS),
            },
            UploadRefused::TooLarge => PageError::TooLarge(ctx.lang()),
            UploadRefused::Unreadable(message) => PageError::BadRequest {
                message,
                lang: ctx.lang(),
            },
        })?;
    let lang = Lang::from_param(request.fields.get("lang").unwrap_or(""));
    crate::web::auth::check_csrf(&user, request.fields.get("csrf").unwrap_or(""))?;
    let id = DocId::parse(&id).ok_or(PageError::NotFound(lang))?;
    let mut files = request.files;
    if files.len() != 1 {
        return Err(PageError::BadRequest {
            message: lang.texts().upload_no_file.into(),
            lang,
        });
    }
    let (_, bytes) = files.remove(0);
    let st = state.clone();
    let old = id.clone();
    let result = page_blocking(move || {
        let _slot = slot;
        Ok(archive(&st)?.replace(&old, &bytes))
    })
    .await?;
    let s = match result {
        Ok(s) => s,
        Err(e @ (ChangeError::NotPdf | ChangeError::Unreadable(_))) => {
            return Err(PageError::BadRequest {
                message: change_message(lang, &e),
                lang,
            });
        }
        Err(ChangeError::SameFile) => {
            return Ok((
                StatusCode::CONFLICT,
                PageError::BadRequest {
                    message: same_file_message(lang).into(),
                    lang,
                }
                .into_response(),
            )
                .into_response());
        }
        Err(e @ ChangeError::Duplicate(_)) => {
            return Ok((
                StatusCode::CONFLICT,
                PageError::BadRequest {
                    message: change_message(lang, &e),
                    lang,
                }
                .into_response(),
            )
                .into_response());
        }
        Err(e) => return Err(change_failed(lang, e)),
    };
    state
        .staff
        .record(version_audit(&user, &id, &s).address(client_address(&extensions)));
    let suffix = if lang == Lang::En { "?lang=en" } else { "" };
    Ok(Redirect::to(&format!("/dokument/{}{suffix}#versjoner", s.id)).into_response())
}

/// `POST /api/documents/{id}/versions`: a corrected PDF in the multipart field `file`;
/// answers 201 with the document under its new id (`Location`).
pub async fn api_replace(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let multipart = multipart.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let (slot, request) = receive_upload(&state.staff, multipart)
        .await
        .map_err(|refused| super::api::refusal(refused, state.staff.max_upload_bytes))?;
    let id = DocId::parse(&id).ok_or(ApiError::NotFound)?;
    let mut files = request.files;
    if files.len() != 1 {
        return Err(ApiError::BadRequest(
            "send exactly one PDF in the field `file`".into(),
        ));
    }
    let (_, bytes) = files.remove(0);
    let st = state.clone();
    let old = id.clone();
    let s = blocking(move || {
        let _slot = slot;
        archive(&st)?.replace(&old, &bytes).map_err(|e| match e {
            ChangeError::SameFile => ApiError::ConflictWith(
                "the file is the same as the current version: nothing was changed".into(),
            ),
            e => api_error(e),
        })
    })
    .await?;
    state.staff.record(version_audit(&user, &id, &s));
    let json = DocumentJson::new(&s, s.pages.len(), &state.consultations.current())
        .with_internal_notes(&s);
    let mut response = (StatusCode::CREATED, Json(json)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/documents/{}", s.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}
