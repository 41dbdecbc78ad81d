//! Bulk edits: add or remove a convention, a law, a focus area or a consultation, or set the
//! kind, on a
//! chosen set of documents (by id, or every hit of a search), with a preview of what will
//! change, one index commit for the batch, one audit entry per document, and an undo of
//! the whole batch from the sidecars it replaced (kept under `data/bulk/<batch>.json`).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{ReadOnly, archive, metadata};
use crate::accounts::DataDir;
use crate::archive::ChangeError;
use crate::audit::{AuditEntry, AuditLog};
use crate::library::{Library, Sidecar};
use crate::model::{Convention, DocId, Kind, Submission};
use crate::web::AppState;
use crate::web::api::{ApiError, blocking};
use crate::web::auth::{StaffUser, client_address};
use crate::web::i18n::Lang;
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkChange {
    pub id: String,
    pub title: String,
    pub before: Tagged,
    pub after: Tagged,
}

/// What a bulk edit answers: the preview, or what was done.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    /// Checks every id.
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
        Ok(BulkEdit {
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
        })
    }

    /// Whether the edit names nothing to add, remove or set.
    pub fn is_empty(&self) -> bool {
        self.add_conventions.is_empty()
            && self.remove_conventions.is_empty()
            && self.add_laws.is_empty()
            && self.remove_laws.is_empty()
            && self.add_topics.is_empty()
            && self.remove_topics.is_empty()
            && self.set_consultation.is_none()
            && self.clear_consultation.is_none()
            && self.kind.is_none()
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

/// One document's sidecar before a batch and the one the batch writes, kept for the undo
/// and to finish a batch the server stopped in.
#[derive(Debug, Serialize, Deserialize)]
struct Before {
    id: String,
    /// The sidecar's text, or none when the document had no sidecar.
    sidecar: Option<String>,
    /// The PDF's name in the documents folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    /// The sidecar the batch writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<String>,
}

/// Why a bulk edit is refused before anything is written.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{0} documents chosen; a bulk edit changes at most {MAX_BATCH}: narrow the search")]
    TooMany(usize),
    #[error("no documents chosen: give `ids` or a `search` with hits")]
    NoneChosen,
    #[error("nothing to change: name something to add, remove or set")]
    NothingToChange,
    /// A bad id or parameter, said in English (a form offers only good ones).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Failed(ApiError),
}

impl PlanError {
    /// The refusal in the reader's language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (PlanError::TooMany(n), Lang::Nb) => format!(
                "{n} dokumenter er valgt, men en samleendring kan endre høyst {MAX_BATCH}. \
                 Snevre inn søket, eller velg dokumentene enkeltvis."
            ),
            (PlanError::TooMany(n), Lang::En) => format!(
                "{n} documents are chosen, but a bulk edit changes at most {MAX_BATCH}. \
                 Narrow the search, or check the documents one by one."
            ),
            (PlanError::NoneChosen, Lang::Nb) => {
                "Ingen dokumenter er valgt: kryss av for dokumenter, eller velg alle treff i et \
                 søk med treff."
                    .into()
            }
            (PlanError::NoneChosen, Lang::En) => {
                "No documents are chosen: check some, or choose every hit of a search with hits."
                    .into()
            }
            (PlanError::NothingToChange, Lang::Nb) => {
                "Ingenting å endre: velg noe å legge til, fjerne eller sette.".into()
            }
            (PlanError::NothingToChange, Lang::En) => {
                "Nothing to change: choose something to add, remove or set.".into()
            }
            (PlanError::Invalid(m), Lang::Nb) => format!("Ugyldig samleendring ({m})."),
            (PlanError::Invalid(m), Lang::En) => format!("Invalid bulk edit ({m})."),
            (PlanError::Failed(e), _) => e.to_string(),
        }
    }
}

impl From<PlanError> for ApiError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::Failed(e) => e,
            e => ApiError::BadRequest(e.to_string()),
        }
    }
}

impl From<crate::index::IndexError> for PlanError {
    fn from(e: crate::index::IndexError) -> Self {
        match ApiError::from(e) {
            ApiError::BadRequest(m) => PlanError::Invalid(m),
            e => PlanError::Failed(e),
        }
    }
}

/// The documents a request chooses, at most [`MAX_BATCH`].
fn chosen(state: &AppState, request: &BulkRequest) -> Result<Vec<DocId>, PlanError> {
    let mut ids: Vec<DocId> = Vec::new();
    for id in &request.ids {
        ids.push(
            DocId::parse(id)
                .ok_or_else(|| PlanError::Invalid(format!("`{id}` is not a document id")))?,
        );
    }
    if let Some(search) = &request.search {
        let mut params =
            SearchParams::parse(Some(search)).map_err(|e| PlanError::Invalid(e.to_string()))?;
        params.page = 1;
        let mut search = state.search_request(&params, 0);
        search.offset = 0;
        search.limit = MAX_BATCH + 1;
        let results = state.index.search(&search)?;
        // Hits of a corrected query are not the hits of the search asked for.
        if results.suggestion.is_some() {
            return Err(PlanError::NoneChosen);
        }
        if results.total > MAX_BATCH {
            return Err(PlanError::TooMany(results.total));
        }
        ids.extend(results.hits.into_iter().map(|h| h.submission.id));
    }
    ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    ids.dedup();
    if ids.len() > MAX_BATCH {
        return Err(PlanError::TooMany(ids.len()));
    }
    if ids.is_empty() {
        return Err(PlanError::NoneChosen);
    }
    Ok(ids)
}

/// A bulk edit worked out: what every chosen document becomes. Nothing is written yet.
pub struct Plan {
    /// Every chosen document: (id, title).
    pub selected: Vec<(String, String)>,
    /// The documents that change.
    pub documents: Vec<BulkChange>,
    changes: Vec<(DocId, Sidecar)>,
    before: Vec<Before>,
}

impl Plan {
    /// The chosen documents already as asked: (id, title).
    pub fn unchanged(&self) -> Vec<(String, String)> {
        self.selected
            .iter()
            .filter(|(id, _)| !self.documents.iter().any(|d| &d.id == id))
            .cloned()
            .collect()
    }

    fn outcome(self, batch: Option<String>, took_ms: u64) -> BulkOutcome {
        BulkOutcome {
            batch,
            selected: self.selected.len(),
            changed: self.documents.len(),
            documents: self.documents,
            took_ms,
        }
    }
}

/// Works out what a request would change. Blocking.
pub fn plan(state: &AppState, request: &BulkRequest) -> Result<Plan, PlanError> {
    let edit = BulkEdit::parse(request).map_err(PlanError::Invalid)?;
    if edit.is_empty() {
        return Err(PlanError::NothingToChange);
    }
    if let Some(id) = &edit.set_consultation
        && state.consultations.current().get(id).is_none()
    {
        return Err(PlanError::Invalid(format!("no consultation `{id}`")));
    }
    let ids = chosen(state, request)?;
    let mut plan = Plan {
        selected: Vec::with_capacity(ids.len()),
        documents: Vec::new(),
        changes: Vec::new(),
        before: Vec::new(),
    };
    for id in &ids {
        let doc = state
            .index
            .metadata(id)?
            .ok_or(PlanError::Failed(ApiError::NotFound))?
            .submission;
        plan.selected.push((id.to_string(), doc.title.clone()));
        let entry = state.library.entry(&doc.file);
        let text = std::fs::read_to_string(&entry.sidecar).ok();
        let sidecar = state.library.read_sidecar(&entry).ok().flatten();
        let next = edit.apply(&doc, sidecar);
        let (was, will) = (Tagged::of(&doc), edit.after(&doc, &next));
        if was == will {
            continue;
        }
        plan.documents.push(BulkChange {
            id: id.to_string(),
            title: doc.title.clone(),
            before: was,
            after: will,
        });
        plan.before.push(Before {
            id: id.to_string(),
            sidecar: text,
            file: Some(doc.file.clone()),
            title: Some(doc.title.clone()),
            after: Some(next.to_toml()),
        });
        plan.changes.push((id.clone(), next));
    }
    Ok(plan)
}

/// Works out, and unless previewing makes, the change. Blocking.
pub fn run(
    state: &AppState,
    user: &str,
    address: Option<String>,
    request: &BulkRequest,
) -> Result<BulkOutcome, ApiError> {
    let plan = plan(state, request)?;
    if request.preview || plan.documents.is_empty() {
        return Ok(plan.outcome(None, 0));
    }
    let batch = begin(state, &plan, user, address.as_deref())?;
    finish(state, &batch, plan, user, address, |_| {})
}

/// Who asked for a running batch, kept in its marker so that a batch finished after a
/// restart is logged under their name.
#[derive(Debug, Serialize, Deserialize)]
struct Running {
    user: String,
    #[serde(default)]
    address: Option<String>,
}

/// Starts a batch: marks it running and keeps every document's sidecar before and after
/// (for the undo, and to finish the batch should the server stop). Nothing is changed
/// yet. Returns the batch's name.
pub fn begin(
    state: &AppState,
    plan: &Plan,
    user: &str,
    address: Option<&str>,
) -> Result<String, ApiError> {
    let internal = |e: std::io::Error| ApiError::Internal(e.to_string());
    let dir = bulk_dir(state)?;
    std::fs::create_dir_all(&dir).map_err(internal)?;
    let running = serde_json::to_vec(&Running {
        user: user.to_string(),
        address: address.map(str::to_string),
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    // The marker's exclusive creation makes the name unique, even for two batches begun
    // within the same millisecond.
    let mut batch = String::new();
    for attempt in 0..50 {
        let name = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join(format!("{name}.running")))
        {
            Ok(mut file) => {
                std::io::Write::write_all(&mut file, &running).map_err(internal)?;
                batch = name;
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 49 => {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            Err(e) => return Err(internal(e)),
        }
    }
    let kept = serde_json::to_vec(&plan.before).map_err(|e| ApiError::Internal(e.to_string()))?;
    // Whole or absent: a marker without its kept file is a batch that changed nothing.
    let partial = dir.join(format!("{batch}.json.partial"));
    std::fs::write(&partial, kept).map_err(internal)?;
    std::fs::rename(&partial, dir.join(format!("{batch}.json"))).map_err(internal)?;
    Ok(batch)
}

/// Makes a begun batch's change with one commit, logs one audit entry per document and
/// clears the batch's marker. `progress` hears how many documents are written so far.
/// When the change fails, every sidecar is put back and the batch is kept as failed.
/// Blocking.
pub fn finish(
    state: &AppState,
    batch: &str,
    plan: Plan,
    user: &str,
    address: Option<String>,
    progress: impl FnMut(usize),
) -> Result<BulkOutcome, ApiError> {
    let started = std::time::Instant::now();
    let dir = bulk_dir(state)?;
    let marker = dir.join(format!("{batch}.running"));
    let Plan {
        selected,
        documents,
        changes,
        before,
    } = plan;
    let changed = archive(state)
        .map_err(ApiError::from)
        .and_then(|a| a.update_many_with(changes, progress).map_err(change_error));
    if let Err(e) = changed {
        let failed = std::fs::rename(
            dir.join(format!("{batch}.json")),
            dir.join(format!("{batch}.failed.json")),
        )
        .and_then(|()| std::fs::remove_file(&marker));
        if let Err(io) = failed {
            tracing::error!("cannot mark the failed bulk edit {batch}: {io}");
        }
        return Err(e);
    }
    for d in &documents {
        let mut entry = AuditEntry::now(user, "bulk_edit")
            .target(d.id.clone())
            .detail(format!("{BATCH_PREFIX}{batch}: {}", d.title));
        if let Some(a) = &address {
            entry = entry.address(a.clone());
        }
        state.staff.record(entry);
    }
    if let Err(e) = std::fs::remove_file(&marker) {
        tracing::error!("cannot clear the marker of bulk edit {batch}: {e}");
    }
    drop(before);
    let plan = Plan {
        selected,
        documents,
        changes: Vec::new(),
        before: Vec::new(),
    };
    Ok(plan.outcome(
        Some(batch.to_string()),
        u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    ))
}

/// Finishes the batches a stopped server left running: writes each sidecar the batch had
/// not yet written (where the document's sidecar is still the one from before the batch;
/// one changed since is left alone), logs the audit entries and clears the marker. Runs
/// before the start-up ingest, which indexes what the batch wrote: `documents/` is the
/// truth, so the index never needed what the stopped batch had not committed. Returns the
/// batches finished.
pub fn recover(data: &DataDir, library: &Library) -> Vec<String> {
    let dir = dir_of(data);
    let Ok(listing) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let audit = AuditLog::new(data.audit_file());
    let mut finished = Vec::new();
    for item in listing.flatten() {
        let name = item.file_name().to_string_lossy().into_owned();
        let Some(batch) = name.strip_suffix(".running").filter(|b| is_batch(b)) else {
            continue;
        };
        match recover_one(&dir, batch, library, &audit) {
            Ok(()) => finished.push(batch.to_string()),
            Err(e) => tracing::error!("cannot finish the bulk edit {batch}: {e}"),
        }
    }
    finished
}

fn recover_one(
    dir: &std::path::Path,
    batch: &str,
    library: &Library,
    audit: &AuditLog,
) -> Result<(), String> {
    let marker = dir.join(format!("{batch}.running"));
    let running: Running = std::fs::read(&marker)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))?;
    let kept = match std::fs::read(dir.join(format!("{batch}.json"))) {
        Ok(k) => k,
        // Stopped before its kept file was whole: nothing was written.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let _ = std::fs::remove_file(dir.join(format!("{batch}.json.partial")));
            return std::fs::remove_file(&marker).map_err(|e| e.to_string());
        }
        Err(e) => return Err(e.to_string()),
    };
    let before: Vec<Before> = serde_json::from_slice(&kept).map_err(|e| e.to_string())?;
    for b in &before {
        let (Some(file), Some(after)) = (&b.file, &b.after) else {
            continue;
        };
        let now = std::fs::read_to_string(library.entry(file).sidecar).ok();
        if now.as_deref() != Some(after.as_str()) {
            if now != b.sidecar {
                tracing::warn!("bulk edit {batch}: {file} changed since; left as it is");
                continue;
            }
            library
                .write_atomically(&crate::archive::sidecar_name(file), after.as_bytes())
                .map_err(|e| e.to_string())?;
        }
        let mut entry = AuditEntry::now(running.user.clone(), "bulk_edit")
            .target(b.id.clone())
            .detail(format!(
                "{BATCH_PREFIX}{batch}: {}",
                b.title.as_deref().unwrap_or(file)
            ));
        if let Some(a) = &running.address {
            entry = entry.address(a.clone());
        }
        if let Err(e) = audit.record(&entry) {
            tracing::error!("cannot write the audit log: {e}");
        }
    }
    std::fs::remove_file(&marker).map_err(|e| e.to_string())
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
    Ok(dir_of(state.staff.data.as_ref().ok_or(ReadOnly)?))
}

/// Where batches are kept: `<batch>.json` (the sidecars before and after), renamed
/// `.undone.json` once undone or `.failed.json` when the change failed, and
/// `<batch>.running` while the batch is being written.
fn dir_of(data: &DataDir) -> std::path::PathBuf {
    data.root().join("bulk")
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
    if dir.join(format!("{batch}.running")).exists() {
        return Err(ApiError::ConflictWith(format!(
            "batch {batch} is still being written"
        )));
    }
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

/// Batches the staff pages run off the request, with their progress. Bounded: at most
/// [`RUNNING_BATCHES`] run at once, and the newest [`KEPT_JOBS`] are remembered.
#[derive(Default)]
pub struct Jobs {
    jobs: std::sync::Mutex<std::collections::VecDeque<(String, Arc<Job>)>>,
}

/// Batches that may run at once; each holds a blocking thread and waits for the writer.
pub const RUNNING_BATCHES: usize = 2;

/// Finished batches whose outcome stays in memory for their progress page.
const KEPT_JOBS: usize = 64;

/// One batch running off the request.
pub struct Job {
    pub total: usize,
    done: AtomicUsize,
    result: std::sync::Mutex<Option<Result<BulkOutcome, String>>>,
}

impl Job {
    fn finished(&self) -> bool {
        self.result.lock().map(|r| r.is_some()).unwrap_or(true)
    }
}

impl Jobs {
    /// Begins a batch and remembers it; refused while [`RUNNING_BATCHES`] run.
    fn start(
        &self,
        state: &AppState,
        plan: &Plan,
        user: &str,
        address: Option<&str>,
    ) -> Result<(String, Arc<Job>), ApiError> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        if jobs.iter().filter(|(_, j)| !j.finished()).count() >= RUNNING_BATCHES {
            return Err(ApiError::Unavailable {
                message: format!("{RUNNING_BATCHES} bulk edits are running; try again soon"),
                retry_after: Some(5),
            });
        }
        let batch = begin(state, plan, user, address)?;
        let job = Arc::new(Job {
            total: plan.documents.len(),
            done: AtomicUsize::new(0),
            result: std::sync::Mutex::new(None),
        });
        jobs.push_back((batch.clone(), job.clone()));
        while jobs.len() > KEPT_JOBS {
            match jobs.iter().position(|(_, j)| j.finished()) {
                Some(i) => {
                    jobs.remove(i);
                }
                None => break,
            }
        }
        Ok((batch, job))
    }

    fn get(&self, batch: &str) -> Option<Arc<Job>> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.iter()
            .find(|(b, _)| b == batch)
            .map(|(_, j)| j.clone())
    }
}

/// Begins a batch and makes its change on a blocking thread, off the request; its progress
/// is [`status`]. Returns the batch's name at once.
pub fn start(
    state: &AppState,
    plan: Plan,
    user: &str,
    address: Option<String>,
) -> Result<String, ApiError> {
    let (batch, job) = state
        .staff
        .bulk
        .start(state, &plan, user, address.as_deref())?;
    let (st, name, user) = (state.clone(), batch.clone(), user.to_string());
    tokio::task::spawn_blocking(move || {
        let outcome = finish(&st, &name, plan, &user, address, |n| {
            job.done.store(n, Ordering::Relaxed)
        });
        if let Err(e) = &outcome {
            tracing::error!("bulk edit {name} failed: {e}");
        }
        let mut result = job.result.lock().unwrap_or_else(|e| e.into_inner());
        *result = Some(outcome.map_err(|e| e.to_string()));
    });
    Ok(batch)
}

/// Where a batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BulkState {
    /// Its sidecars are being written; `done` of `total` are.
    Running,
    /// Written and committed; undoable.
    Done,
    /// The change failed and every sidecar was put back.
    Failed,
    /// Undone.
    Undone,
}

/// A batch's progress, for its page and `GET /api/bulk/{batch}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkStatus {
    pub batch: String,
    pub state: BulkState,
    /// Documents written so far.
    pub done: usize,
    /// Documents the batch changes.
    pub total: usize,
    /// Why it failed.
    pub message: Option<String>,
    /// What changed, while this server remembers it.
    pub outcome: Option<BulkOutcome>,
}

/// A batch's progress: from memory while this server runs it, else from what is kept of
/// it. Blocking.
pub fn status(state: &AppState, batch: &str) -> Result<BulkStatus, ApiError> {
    if !is_batch(batch) {
        return Err(ApiError::NotFound);
    }
    let dir = bulk_dir(state)?;
    let kept = |suffix: &str| -> Result<Option<Vec<Before>>, ApiError> {
        match std::fs::read(dir.join(format!("{batch}{suffix}"))) {
            Ok(k) => serde_json::from_slice(&k)
                .map(Some)
                .map_err(|e| ApiError::Internal(e.to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ApiError::Internal(e.to_string())),
        }
    };
    let mut status = BulkStatus {
        batch: batch.to_string(),
        state: BulkState::Done,
        done: 0,
        total: 0,
        message: None,
        outcome: None,
    };
    if let Some(job) = state.staff.bulk.get(batch) {
        status.total = job.total;
        status.done = job.done.load(Ordering::Relaxed);
        let result = job.result.lock().unwrap_or_else(|e| e.into_inner());
        match &*result {
            None => status.state = BulkState::Running,
            Some(Err(message)) => {
                status.state = BulkState::Failed;
                status.message = Some(message.clone());
            }
            Some(Ok(outcome)) => {
                status.outcome = Some(outcome.clone());
                status.done = outcome.changed;
            }
        }
        // Undone since, perhaps.
        if status.state == BulkState::Done && kept(".undone.json")?.is_some() {
            status.state = BulkState::Undone;
        }
        return Ok(status);
    }
    let running = dir.join(format!("{batch}.running")).exists();
    if let Some(before) = kept(".json")? {
        status.total = before.len();
        status.done = before.len();
        if running {
            // Running in a request of the API: count what is written.
            status.state = BulkState::Running;
            status.done = before
                .iter()
                .filter(|b| match (&b.file, &b.after) {
                    (Some(file), Some(after)) => {
                        std::fs::read_to_string(state.library.entry(file).sidecar)
                            .ok()
                            .as_ref()
                            == Some(after)
                    }
                    _ => false,
                })
                .count();
        }
    } else if let Some(before) = kept(".undone.json")? {
        status.state = BulkState::Undone;
        (status.total, status.done) = (before.len(), before.len());
    } else if let Some(before) = kept(".failed.json")? {
        status.state = BulkState::Failed;
        status.total = before.len();
    } else if running {
        status.state = BulkState::Running;
    } else {
        return Err(ApiError::NotFound);
    }
    Ok(status)
}

/// `GET /api/bulk/{batch}`: a batch's progress.
pub async fn api_status(
    State(state): State<AppState>,
    Path(batch): Path<String>,
) -> Result<Response, ApiError> {
    let st = state.clone();
    let status = blocking(move || status(&st, &batch)).await?;
    Ok(Json(status).into_response())
}
