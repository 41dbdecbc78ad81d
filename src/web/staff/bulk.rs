//! Bulk edits: add or remove a convention, a law, a focus area or a consultation, or set the
//! kind, on a
//! chosen set of documents (by id, or every hit of a search), with a preview of what will
//! change, one index commit for the batch, one audit entry per document, and an undo of
//! the whole batch from the sidecars it replaced (kept under `data/bulk/<batch>.json`).

use std::collections::BTreeSet;

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{ReadOnly, archive, metadata};
use crate::archive::ChangeError;
use crate::audit::AuditEntry;
use crate::library::Sidecar;
use crate::model::{Convention, DocId, Kind, Submission};
use crate::web::AppState;
use crate::web::api::{ApiError, blocking};
use crate::web::auth::{StaffUser, client_address};
use crate::web::params::SearchParams;

/// The most documents one bulk edit may change; a larger set is refused with a message
/// saying to narrow the search.
pub const MAX_BATCH: usize = 500;

/// What a program (or the staff page) asks for.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// The documents, by id.
    #[serde(default)]
    pub ids: Vec<String>,
    /// Or every hit of a search: a query string as `/api/search` takes it
    /// (`q=vold&convention=cedaw`).
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    pub add: BulkTags,
    #[serde(default)]
    pub remove: BulkTags,
    /// A kind id to set.
    #[serde(default)]
    pub kind: Option<String>,
    /// Only say what would change.
    #[serde(default)]
    pub preview: bool,
}

/// Tags to add or remove.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkTags {
    #[serde(default)]
    pub conventions: Vec<String>,
    #[serde(default)]
    pub laws: Vec<String>,
    /// Focus area ids (`vold-mot-kvinner-og-barn`, `partnerdrap`, …).
    #[serde(default)]
    pub topics: Vec<String>,
    /// A consultation id: added, it becomes the documents' consultation; removed, it is
    /// cleared where the sidecar names it.
    #[serde(default)]
    pub consultation: Option<String>,
}

/// A bulk change, checked.
#[derive(Debug, Default)]
pub struct BulkEdit {
    add_conventions: Vec<Convention>,
    remove_conventions: Vec<Convention>,
    add_laws: Vec<String>,
    remove_laws: Vec<String>,
    add_topics: Vec<String>,
    remove_topics: Vec<String>,
    set_consultation: Option<String>,
    clear_consultation: Option<String>,
    kind: Option<Kind>,
}

/// What one document has before and after.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Tagged {
    pub conventions: Vec<String>,
    pub laws: Vec<String>,
    pub topics: Vec<String>,
    pub consultation: Option<String>,
    pub kind: String,
}

impl Tagged {
    fn of(s: &Submission) -> Tagged {
        Tagged {
            conventions: s.conventions.iter().map(|c| c.id().to_string()).collect(),
            laws: s.laws.clone(),
            topics: s.topics.clone(),
            consultation: s.consultation.clone(),
            kind: s.kind.id().to_string(),
        }
    }
}

/// One document a bulk edit changes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkChange {
    pub id: String,
    pub title: String,
    pub before: Tagged,
    pub after: Tagged,
}

/// What a bulk edit answers: the preview, or what was done.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkOutcome {
    /// The batch, for its undo (`POST /api/bulk/{batch}/undo`); absent in a preview.
    pub batch: Option<String>,
    /// Documents chosen.
    pub selected: usize,
    /// Documents that change (the others already are as asked).
    pub changed: usize,
    pub documents: Vec<BulkChange>,
    /// Time spent changing and committing, in milliseconds (0 in a preview).
    pub took_ms: u64,
}

impl BulkEdit {
    /// Checks every id; nothing to do is an error too.
    pub fn parse(request: &BulkRequest) -> Result<BulkEdit, String> {
        let conventions = |ids: &[String]| {
            ids.iter()
                .map(|id| {
                    Convention::from_id(id).ok_or_else(|| format!("unknown convention `{id}`"))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let laws = |ids: &[String]| {
            ids.iter()
                .map(|id| {
                    crate::tagging::laws::law(id)
                        .map(|l| l.id.to_string())
                        .ok_or_else(|| format!("unknown law `{id}`"))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let topics = |ids: &[String]| {
            ids.iter()
                .map(|id| {
                    crate::tagging::topics::focus_area(id)
                        .map(|a| a.id.to_string())
                        .ok_or_else(|| format!("unknown focus area `{id}`"))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let edit = BulkEdit {
            add_conventions: conventions(&request.add.conventions)?,
            remove_conventions: conventions(&request.remove.conventions)?,
            add_laws: laws(&request.add.laws)?,
            remove_laws: laws(&request.remove.laws)?,
            add_topics: topics(&request.add.topics)?,
            remove_topics: topics(&request.remove.topics)?,
            set_consultation: request.add.consultation.clone(),
            clear_consultation: request.remove.consultation.clone(),
            kind: request
                .kind
                .as_deref()
                .map(|k| Kind::from_id(k).ok_or_else(|| format!("unknown kind `{k}`")))
                .transpose()?,
        };
        if edit.add_conventions.is_empty()
            && edit.remove_conventions.is_empty()
            && edit.add_laws.is_empty()
            && edit.remove_laws.is_empty()
            && edit.add_topics.is_empty()
            && edit.remove_topics.is_empty()
            && edit.set_consultation.is_none()
            && edit.clear_consultation.is_none()
            && edit.kind.is_none()
        {
            return Err("nothing to change: name something to add, remove or set".into());
        }
        Ok(edit)
    }

    /// The sidecar a document gets. Tags the edit touches are written down as the document
    /// has them now, changed; the review state stays what it was.
    pub fn apply(&self, doc: &Submission, sidecar: Option<Sidecar>) -> Sidecar {
        let was_waiting = doc.to_review;
        let mut next = metadata::current(doc, sidecar);
        if !self.add_conventions.is_empty() || !self.remove_conventions.is_empty() {
            let mut list: BTreeSet<Convention> = doc.conventions.iter().copied().collect();
            list.extend(self.add_conventions.iter().copied());
            list.retain(|c| !self.remove_conventions.contains(c));
            next.conventions = Some(list.into_iter().collect());
        }
        if !self.add_laws.is_empty() || !self.remove_laws.is_empty() {
            let mut list = doc.laws.clone();
            list.extend(self.add_laws.iter().cloned());
            list.retain(|l| !self.remove_laws.contains(l));
            list.sort_by_key(|id| crate::tagging::laws::law_order(id));
            list.dedup();
            next.laws = Some(list);
        }
        if !self.add_topics.is_empty() || !self.remove_topics.is_empty() {
            let mut list = doc.topics.clone();
            list.extend(self.add_topics.iter().cloned());
            list.retain(|t| !self.remove_topics.contains(t));
            list.sort_by_key(|id| crate::tagging::topics::area_order(id));
            list.dedup();
            next.topics = Some(list);
        }
        if let Some(id) = &self.set_consultation {
            next.consultation = Some(id.clone());
        }
        if let Some(id) = &self.clear_consultation
            && next.consultation.as_deref() == Some(id)
        {
            next.consultation = None;
        }
        if let Some(kind) = self.kind {
            next.kind = Some(kind);
        }
        // Writing tags down must not take a document out of the inbox, nor put one in.
        next.reviewed = Some(!was_waiting);
        next
    }

    /// What the document would be tagged with after the edit.
    fn after(&self, doc: &Submission, next: &Sidecar) -> Tagged {
        let mut after = Tagged::of(doc);
        if let Some(c) = &next.conventions {
            after.conventions = c.iter().map(|c| c.id().to_string()).collect();
        }
        if let Some(l) = &next.laws {
            after.laws = l.clone();
        }
        if let Some(t) = &next.topics {
            after.topics = t.clone();
        }
        after.consultation = next.consultation.clone();
        if let Some(k) = next.kind {
            after.kind = k.id().to_string();
        }
        after
    }
}

/// One document's sidecar before a batch, kept for the undo.
#[derive(Debug, Serialize, Deserialize)]
struct Before {
    id: String,
    /// The sidecar's text, or none when the document had no sidecar.
    sidecar: Option<String>,
}

/// The documents a request chooses, at most [`MAX_BATCH`].
fn chosen(state: &AppState, request: &BulkRequest) -> Result<Vec<DocId>, ApiError> {
    let mut ids: Vec<DocId> = Vec::new();
    for id in &request.ids {
        ids.push(
            DocId::parse(id)
                .ok_or_else(|| ApiError::BadRequest(format!("`{id}` is not a document id")))?,
        );
    }
    if let Some(search) = &request.search {
        let mut params = SearchParams::parse(Some(search))?;
        params.page = 1;
        let mut search = state.search_request(&params, 0);
        search.offset = 0;
        search.limit = MAX_BATCH + 1;
        let results = state.index.search(&search)?;
        // Hits of a corrected query are not the hits of the search asked for.
        if results.suggestion.is_some() {
            return Err(ApiError::BadRequest(
                "no documents chosen: the search has no hits".into(),
            ));
        }
        if results.total > MAX_BATCH {
            return Err(too_many(results.total));
        }
        ids.extend(results.hits.into_iter().map(|h| h.submission.id));
    }
    ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    ids.dedup();
    if ids.len() > MAX_BATCH {
        return Err(too_many(ids.len()));
    }
    if ids.is_empty() {
        return Err(ApiError::BadRequest(
            "no documents chosen: give `ids` or a `search` with hits".into(),
        ));
    }
    Ok(ids)
}

fn too_many(n: usize) -> ApiError {
    ApiError::BadRequest(format!(
        "{n} documents chosen; a bulk edit changes at most {MAX_BATCH}: narrow the search"
    ))
}

/// Works out, and unless previewing makes, the change. Blocking.
pub fn run(
    state: &AppState,
    user: &str,
    address: Option<String>,
    request: &BulkRequest,
) -> Result<BulkOutcome, ApiError> {
    let edit = BulkEdit::parse(request).map_err(ApiError::BadRequest)?;
    if let Some(id) = &edit.set_consultation
        && state.consultations.current().get(id).is_none()
    {
        return Err(ApiError::BadRequest(format!("no consultation `{id}`")));
    }
    let ids = chosen(state, request)?;
    let mut changes = Vec::new();
    let mut before = Vec::new();
    let mut documents = Vec::new();
    for id in &ids {
        let doc = state
            .index
            .metadata(id)?
            .ok_or(ApiError::NotFound)?
            .submission;
        let entry = state.library.entry(&doc.file);
        let text = std::fs::read_to_string(&entry.sidecar).ok();
        let sidecar = state.library.read_sidecar(&entry).ok().flatten();
        let next = edit.apply(&doc, sidecar);
        let (was, will) = (Tagged::of(&doc), edit.after(&doc, &next));
        if was == will {
            continue;
        }
        documents.push(BulkChange {
            id: id.to_string(),
            title: doc.title.clone(),
            before: was,
            after: will,
        });
        before.push(Before {
            id: id.to_string(),
            sidecar: text,
        });
        changes.push((id.clone(), next));
    }
    let mut outcome = BulkOutcome {
        batch: None,
        selected: ids.len(),
        changed: documents.len(),
        documents,
        took_ms: 0,
    };
    if request.preview || changes.is_empty() {
        return Ok(outcome);
    }
    let started = std::time::Instant::now();
    let batch = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
    let dir = bulk_dir(state)?;
    std::fs::create_dir_all(&dir).map_err(|e| ApiError::Internal(e.to_string()))?;
    let kept = serde_json::to_vec(&before).map_err(|e| ApiError::Internal(e.to_string()))?;
    std::fs::write(dir.join(format!("{batch}.json")), kept)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    archive(state)?.update_many(changes).map_err(change_error)?;
    for d in &outcome.documents {
        let mut entry = AuditEntry::now(user, "bulk_edit")
            .target(d.id.clone())
            .detail(format!("{BATCH_PREFIX}{batch}: {}", d.title));
        if let Some(a) = &address {
            entry = entry.address(a.clone());
        }
        state.staff.record(entry);
    }
    outcome.took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    outcome.batch = Some(batch);
    Ok(outcome)
}

/// How an audit entry of a bulk edit names its batch, at the start of its detail.
pub const BATCH_PREFIX: &str = "batch ";

/// The batch an audit entry of a bulk edit belongs to.
pub fn batch_of(detail: &str) -> Option<&str> {
    detail
        .strip_prefix(BATCH_PREFIX)
        .and_then(|rest| rest.split(':').next())
        .filter(|b| is_batch(b))
}

fn is_batch(b: &str) -> bool {
    !b.is_empty() && b.len() <= 40 && b.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

fn bulk_dir(state: &AppState) -> Result<std::path::PathBuf, ApiError> {
    Ok(state
        .staff
        .data
        .as_ref()
        .ok_or(ReadOnly)?
        .root()
        .join("bulk"))
}

fn change_error(e: ChangeError) -> ApiError {
    match e {
        ChangeError::NotFound(_) => ApiError::NotFound,
        e => ApiError::Internal(format!("bulk edit failed: {e}")),
    }
}

/// Puts back the sidecars a batch replaced, with one commit; a batch is undone once.
/// Blocking.
pub fn undo(
    state: &AppState,
    user: &str,
    address: Option<String>,
    batch: &str,
) -> Result<BulkOutcome, ApiError> {
    if !is_batch(batch) {
        return Err(ApiError::NotFound);
    }
    let dir = bulk_dir(state)?;
    let path = dir.join(format!("{batch}.json"));
    let kept = match std::fs::read(&path) {
        Ok(k) => k,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(if dir.join(format!("{batch}.undone.json")).exists() {
                ApiError::ConflictWith(format!("batch {batch} was already undone"))
            } else {
                ApiError::NotFound
            });
        }
        Err(e) => return Err(ApiError::Internal(e.to_string())),
    };
    let before: Vec<Before> =
        serde_json::from_slice(&kept).map_err(|e| ApiError::Internal(e.to_string()))?;
    let started = std::time::Instant::now();
    let mut changes = Vec::new();
    let mut documents = Vec::new();
    for b in &before {
        let Some(id) = DocId::parse(&b.id) else {
            continue;
        };
        // A document deleted since is left alone.
        let Some(doc) = state.index.metadata(&id)? else {
            continue;
        };
        let sidecar = match &b.sidecar {
            Some(text) => {
                Sidecar::parse(&b.id, text).map_err(|e| ApiError::Internal(e.to_string()))?
            }
            None => Sidecar::default(),
        };
        documents.push(BulkChange {
            id: b.id.clone(),
            title: doc.submission.title.clone(),
            before: Tagged::of(&doc.submission),
            after: Tagged::of(&doc.submission),
        });
        changes.push((id, sidecar));
    }
    let done = archive(state)?.update_many(changes).map_err(change_error)?;
    for (d, s) in documents.iter_mut().zip(&done) {
        d.after = Tagged::of(s);
    }
    std::fs::rename(&path, dir.join(format!("{batch}.undone.json")))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    for d in &documents {
        let mut entry = AuditEntry::now(user, "bulk_undo")
            .target(d.id.clone())
            .detail(format!("{BATCH_PREFIX}{batch}: {}", d.title));
        if let Some(a) = &address {
            entry = entry.address(a.clone());
        }
        state.staff.record(entry);
    }
    Ok(BulkOutcome {
        batch: Some(batch.to_string()),
        selected: before.len(),
        changed: documents.len(),
        documents,
        took_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

/// `POST /api/bulk`: a [`BulkRequest`] as JSON.
pub async fn api_bulk(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: BulkRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not a bulk edit: {e}")))?;
    let address = client_address(&extensions);
    let st = state.clone();
    let outcome = blocking(move || run(&st, &user.name, Some(address), &request)).await?;
    Ok(Json(outcome).into_response())
}

/// `POST /api/bulk/{batch}/undo`.
pub async fn api_undo(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    Path(batch): Path<String>,
) -> Result<Response, ApiError> {
    let address = client_address(&extensions);
    let st = state.clone();
    let outcome = blocking(move || undo(&st, &user.name, Some(address), &batch)).await?;
    Ok(Json(outcome).into_response())
}
