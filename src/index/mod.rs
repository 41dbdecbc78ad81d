//! The search index under `index/`: the only user of tantivy.
//!
//! The index holds two kinds of records (field `record`):
//! - one **document record** per PDF, carrying the metadata (stored as JSON), the facets,
//!   the sort keys and the whole text (indexed, not stored). Searches rank and count these.
//! - one **page record** per page, carrying that page's text (indexed and stored). After a
//!   search, each hit's best pages are found among its page records, so a snippet can name
//!   its page and is built from one page of text rather than a whole book.
//!
//! Answers are data, never presentation: snippets and highlights come back as text plus the
//! byte ranges of the matching words ([`Highlighted`]), which `web` renders as HTML and the
//! command line as terminal text. A document and its pages are looked up by id directly
//! ([`ArchiveIndex::metadata`], [`ArchiveIndex::pages`]); searches page no deeper than
//! [`MAX_RESULT_WINDOW`]. The ranking weights live in `ranking.rs`.
//!
//! The index is derived data: `arkiv reindex` rebuilds it from `documents/` at any time. Its
//! schema version lives in `arkiv-index.json` beside tantivy's files.

mod analysis;
mod facets;
mod highlight;
mod lookup;
mod ranking;
mod search;
mod slices;
mod suggest;
mod within;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::model::{DocId, Submission};

pub use analysis::{
    NORWEGIAN, NORWEGIAN_ASCII, NORWEGIAN_PARTS, STEMMER, WORDS, compound_parts, norwegian,
    norwegian_ascii, raw_parts, splitting, stem, terms,
};
pub use highlight::{Highlighted, highlight};
pub use search::{
    ConsultationFilter, FacetCounts, Hit, MAX_RESULT_WINDOW, PageSnippet, SearchRequest,
    SearchResults, Sort,
};
pub use suggest::Completions;

/// Bump when the schema or the analysis changes; an index of another version must be
/// rebuilt with `arkiv reindex`.
pub const SCHEMA_VERSION: u32 = 5;

const VERSION_FILE: &str = "arkiv-index.json";
const WRITER_MEMORY: usize = 100_000_000;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(
        "the index in {dir} has schema version {found}, this arkiv needs {expected}: run `arkiv reindex`"
    )]
    SchemaVersion {
        dir: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error(
        "{0} holds files that are not an arkiv index: run `arkiv reindex`, or point --index at an empty folder"
    )]
    Foreign(PathBuf),
    #[error("another process is writing to the index in {0} (is `arkiv serve` running?)")]
    Busy(PathBuf),
    #[error(
        "{0} holds no index yet: start the server that writes it (`arkiv serve` or `arkiv ingest`) first"
    )]
    NotYet(PathBuf),
    #[error("cannot use index folder {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("stored document is damaged: {0}")]
    Damaged(String),
    #[error("the index folder {dir} was removed and cannot be made again: {reason}")]
    Lost { dir: PathBuf, reason: String },
    /// A search asked for hits past [`MAX_RESULT_WINDOW`]: the asker's mistake, not the
    /// index's (the web answers 400).
    #[error(
        "results {offset} to {offset}+{limit} are past the first {max}: narrow the search instead of paging this deep"
    )]
    ResultWindow {
        offset: usize,
        limit: usize,
        max: usize,
    },
}

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
struct Fields {
    record: Field,
    id: Field,
    /// A hash of `id` as a fast field, to tell records of a few documents apart.
    id_key: Field,
    file: Field,
    fingerprint: Field,
    meta: Field,
    title: Field,
    title_ascii: Field,
    body: Field,
    body_ascii: Field,
    /// The parts of the body's compounds ([`analysis::NORWEGIAN_PARTS`]).
    body_parts: Field,
    recipient: Field,
    page: Field,
    page_text: Field,
    page_text_ascii: Field,
    page_parts: Field,
    convention: Field,
    article: Field,
    kind: Field,
    year_facet: Field,
    law: Field,
    law_section: Field,
    cycle: Field,
    topic: Field,
    year: Field,
    date_sort: Field,
    /// The title as written, a fast field: each segment's dictionary of distinct titles is
    /// what title suggestions are built from.
    title_raw: Field,
    /// The text's words in lower case, unstemmed, stop words removed (document records
    /// only): the term dictionary word suggestions are built from.
    words: Field,
    /// What ties a document to a consultation: `id:<consultation>` when its sidecar names
    /// one, else `ref:<case number>` from its letter head (see [`ConsultationFilter`]).
    consultation: Field,
    /// The text of the public notes, searched by everyone.
    notes: Field,
    /// The text of the internal notes, searched only when staff ask.
    notes_internal: Field,
    /// The ids of earlier versions, so a link to one finds the document.
    former_id: Field,
    /// [`TO_REVIEW`] on documents that wait in the staff inbox.
    review: Field,
}

/// The `review` term of documents in the inbox.
const TO_REVIEW: &str = "pending";

const DOC_RECORD: &str = "doc";
const PAGE_RECORD: &str = "page";

fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Positions (for phrases) only where phrases are matched: the exact document fields.
    // Folded twins and page records rank by word frequencies alone.
    let text = |analyzer: &str, positions: bool, stored: bool| {
        let record = if positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(record),
        );
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let fields = Fields {
        record: builder.add_text_field("record", STRING),
        id: builder.add_text_field("id", STRING | STORED),
        id_key: builder.add_u64_field("id_key", FAST),
        file: builder.add_text_field("file", STRING | STORED),
        fingerprint: builder.add_text_field("fingerprint", STORED),
        meta: builder.add_text_field("meta", STORED),
        title: builder.add_text_field("title", text(NORWEGIAN, true, false)),
        title_ascii: builder.add_text_field("title_ascii", text(NORWEGIAN_ASCII, false, false)),
        body: builder.add_text_field("body", text(NORWEGIAN, true, false)),
        body_ascii: builder.add_text_field("body_ascii", text(NORWEGIAN_ASCII, false, false)),
        body_parts: builder.add_text_field("body_parts", text(NORWEGIAN_PARTS, false, false)),
        recipient: builder.add_text_field("recipient", text(NORWEGIAN, true, false)),
        page: builder.add_u64_field("page", INDEXED | STORED),
        page_text: builder.add_text_field("page_text", text(NORWEGIAN, false, true)),
        page_text_ascii: builder
            .add_text_field("page_text_ascii", text(NORWEGIAN_ASCII, false, false)),
        page_parts: builder.add_text_field("page_parts", text(NORWEGIAN_PARTS, false, false)),
        convention: builder.add_facet_field("convention", FacetOptions::default()),
        article: builder.add_facet_field("article", FacetOptions::default()),
        kind: builder.add_facet_field("kind", FacetOptions::default()),
        year_facet: builder.add_facet_field("year_facet", FacetOptions::default()),
        // Laws (`/straffeloven`), their sections (`/straffeloven/282`) and review cycles
        // (`/cedaw-10`).
        law: builder.add_facet_field("law", FacetOptions::default()),
        law_section: builder.add_facet_field("law_section", FacetOptions::default()),
        cycle: builder.add_facet_field("cycle", FacetOptions::default()),
        // The secretariat's focus areas (`/partnerdrap`).
        topic: builder.add_facet_field("topic", FacetOptions::default()),
        year: builder.add_i64_field("year", INDEXED | FAST),
        date_sort: builder.add_i64_field("date_sort", FAST),
        consultation: builder.add_text_field("consultation", STRING),
        notes: builder.add_text_field("notes", text(NORWEGIAN, true, false)),
        notes_internal: builder.add_text_field("notes_internal", text(NORWEGIAN, true, false)),
        former_id: builder.add_text_field("former_id", STRING),
        review: builder.add_text_field("review", STRING),
        title_raw: builder.add_text_field("title_raw", TextOptions::default().set_fast("raw")),
        words: builder.add_text_field(
            "words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(WORDS)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
    };
    (builder.build(), fields)
}

#[derive(Serialize, Deserialize)]
struct VersionFile {
    schema_version: u32,
}

/// Writes the version file through a temp file and a rename, so it is never torn.
fn write_version(dir: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let json = serde_json::to_string(&VersionFile {
        schema_version: SCHEMA_VERSION,
    })
    .expect("version serializes");
    let mut temp = tempfile::Builder::new()
        .prefix(".arkiv-index-")
        .tempfile_in(dir)?;
    temp.write_all(json.as_bytes())?;
    temp.as_file().sync_all()?;
    temp.persist(dir.join(VERSION_FILE)).map_err(|e| e.error)?;
    Ok(())
}

/// A document as the index holds it, for ingest's change detection.
#[derive(Debug, Clone)]
pub struct IndexedDocument {
    /// The metadata, with `pages` left empty.
    pub submission: Submission,
    pub page_count: usize,
    /// What ingest recorded about the source files, to skip unchanged ones.
    pub fingerprint: String,
}

/// The archive's search index: a cheap handle to clone and share.
#[derive(Clone)]
pub struct ArchiveIndex {
    /// The tantivy index and its reader, shared by every clone: when a folder removed while
    /// serving is made again, the new index replaces the old for every handle at once.
    reader: Live,
    fields: Fields,
    dir: Option<PathBuf>,
    results: std::sync::Arc<search::ResultCache>,
    /// Each searched segment's table of facets ([`facets`]).
    facet_tables: Arc<facets::FacetTables>,
    /// The titles and words suggestions are drawn from ([`suggest`]).
    suggest_lists: Arc<suggest::CompletionsCache>,
    /// How one search is spread over cores ([`slices`]).
    slicing: slices::Slicing,
}

/// How many recent searches the result cache keeps (a results page of 20 hits with
/// snippets is about 30 KB).
const CACHED_SEARCHES: usize = 256;

impl ArchiveIndex {
    /// Opens the index in `dir`, creating it when the folder is empty or missing.
    pub fn open_or_create(dir: &Path) -> Result<ArchiveIndex, IndexError> {
        let io = |source| IndexError::Io {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let version_path = dir.join(VERSION_FILE);
        let (schema, fields) = build_schema();
        let has_meta = dir.join("meta.json").exists();
        // A version file that is missing, empty or torn is what a kill during the very
        // first run leaves; the folder is still ours when tantivy's files hold our schema.
        let recorded = std::fs::read_to_string(&version_path)
            .ok()
            .and_then(|t| serde_json::from_str::<VersionFile>(&t).ok())
            .map(|v| v.schema_version);
        let index = match recorded {
            Some(found) if found != SCHEMA_VERSION => {
                return Err(IndexError::SchemaVersion {
                    dir: dir.to_path_buf(),
                    found,
                    expected: SCHEMA_VERSION,
                });
            }
            _ if has_meta => {
                let index = Index::open_in_dir(dir)?;
                if index.schema() != schema {
                    return Err(match recorded {
                        Some(found) => IndexError::SchemaVersion {
                            dir: dir.to_path_buf(),
                            found,
                            expected: SCHEMA_VERSION,
                        },
                        None => IndexError::Foreign(dir.to_path_buf()),
                    });
                }
                if recorded.is_none() {
                    write_version(dir).map_err(io)?;
                }
                index
            }
            _ => {
                let foreign = std::fs::read_dir(dir)
                    .map_err(io)?
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .any(|name| !name.starts_with('.') && name != VERSION_FILE);
                if foreign {
                    return Err(IndexError::Foreign(dir.to_path_buf()));
                }
                // The version first: a kill after it leaves a folder the next run takes up.
                write_version(dir).map_err(io)?;
                Index::create_in_dir(dir, schema)?
            }
        };
        Self::from_index(index, fields, Some(dir.to_path_buf()))
    }

    /// Opens an index that another process writes to, for searching and reading only: it
    /// never creates, rebuilds or writes a file there. Each of the writer's commits is seen
    /// within about a second, whole or not at all: tantivy replaces `meta.json` atomically
    /// and never changes a committed segment, and the reader reloads when `meta.json` does.
    pub fn open_read_only(dir: &Path) -> Result<ArchiveIndex, IndexError> {
        if !dir.join("meta.json").is_file() {
            return Err(IndexError::NotYet(dir.to_path_buf()));
        }
        let recorded = std::fs::read_to_string(dir.join(VERSION_FILE))
            .ok()
            .and_then(|t| serde_json::from_str::<VersionFile>(&t).ok())
            .map(|v| v.schema_version);
        let mismatch = |found: Option<u32>| match found {
            Some(found) => IndexError::SchemaVersion {
                dir: dir.to_path_buf(),
                found,
                expected: SCHEMA_VERSION,
            },
            None => IndexError::Foreign(dir.to_path_buf()),
        };
        if recorded.is_some_and(|found| found != SCHEMA_VERSION) {
            return Err(mismatch(recorded));
        }
        let (schema, fields) = build_schema();
        let index = Index::open_in_dir(dir)?;
        if index.schema() != schema {
            return Err(mismatch(recorded));
        }
        Self::from_index(index, fields, Some(dir.to_path_buf()))
    }

    /// Opens the index like [`ArchiveIndex::open_or_create`], but an index of another
    /// schema version is emptied and created afresh (it is derived data: the ingest that
    /// follows fills it from `documents/`). Returns whether that happened. Refuses with
    /// [`IndexError::Busy`] while another process writes to the old index.
    pub fn open_or_rebuild(dir: &Path) -> Result<(ArchiveIndex, bool), IndexError> {
        match Self::open_or_create(dir) {
            Err(IndexError::SchemaVersion { .. }) => {
                let old = Index::open_in_dir(dir)?;
                let lock = old
                    .writer::<TantivyDocument>(WRITER_MEMORY)
                    .map_err(|e| match e {
                        tantivy::TantivyError::LockFailure(..) => {
                            IndexError::Busy(dir.to_path_buf())
                        }
                        other => IndexError::Tantivy(other),
                    })?;
                let io = |source| IndexError::Io {
                    path: dir.to_path_buf(),
                    source,
                };
                // tantivy's files and our version file; dotfiles (locks, .gitkeep) stay.
                for entry in std::fs::read_dir(dir).map_err(io)?.flatten() {
                    let name = entry.file_name();
                    if !name.to_string_lossy().starts_with('.') && entry.path().is_file() {
                        std::fs::remove_file(entry.path()).map_err(io)?;
                    }
                }
                drop(lock);
                Ok((Self::open_or_create(dir)?, true))
            }
            other => other.map(|index| (index, false)),
        }
    }

    /// An index in memory, for tests and benchmarks.
    pub fn create_in_ram() -> Result<ArchiveIndex, IndexError> {
        let (schema, fields) = build_schema();
        Self::from_index(Index::create_in_ram(schema), fields, None)
    }

    fn from_index(
        index: Index,
        fields: Fields,
        dir: Option<PathBuf>,
    ) -> Result<ArchiveIndex, IndexError> {
        Ok(ArchiveIndex {
            reader: Live(Arc::new(RwLock::new(Current::new(index)?))),
            fields,
            dir,
            results: std::sync::Arc::new(search::ResultCache::new(CACHED_SEARCHES)),
            facet_tables: Arc::default(),
            suggest_lists: Arc::default(),
            slicing: slices::Slicing::default(),
        })
    }

    /// Takes the index's single writer; fails with [`IndexError::Busy`] while another
    /// process holds it.
    pub fn writer(&self) -> Result<ArchiveWriter, IndexError> {
        self.writer_of(&self.reader.current())
    }

    fn writer_of(&self, current: &Current) -> Result<ArchiveWriter, IndexError> {
        let writer = current.index.writer(WRITER_MEMORY).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => {
                IndexError::Busy(self.dir.clone().unwrap_or_default())
            }
            other => IndexError::Tantivy(other),
        })?;
        // A process killed during a commit can leave files the last commit does not name
        // (a deletion bitset `<segment>.<opstamp>.del`, new segments). The next run, doing
        // the same work, reaches the same opstamp and cannot create the same file again:
        // every run would fail until the work changed. Remove them before any work.
        writer.garbage_collect_files().wait()?;
        Ok(ArchiveWriter {
            writer,
            fields: self.fields,
            reader: current.reader.clone(),
        })
    }

    /// The folder the index lives in (none for an index in memory).
    pub fn folder(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Whether the index's folder has lost its files while this process held it open
    /// (`index/` removed under a running server). Searches still work from the files the
    /// reader holds open; writes cannot be committed.
    pub fn folder_lost(&self) -> bool {
        self.dir
            .as_ref()
            .is_some_and(|dir| !dir.join("meta.json").is_file())
    }

    /// Makes a lost folder again and fills it with every document this index still holds
    /// (the reader's files stay readable while they are open, so no PDF is read again); the
    /// new index then replaces the old for every handle. Returns the new index's writer,
    /// which replaces the old one.
    pub fn recreate_lost(&self) -> Result<ArchiveWriter, IndexError> {
        let dir = self.dir.clone().unwrap_or_default();
        let lost = |reason: String| IndexError::Lost {
            dir: dir.clone(),
            reason,
        };
        let fresh = ArchiveIndex::open_or_create(&dir).map_err(|e| lost(e.to_string()))?;
        let current = fresh.reader.current();
        let mut writer = self.writer_of(&current).map_err(|e| lost(e.to_string()))?;
        for indexed in self.documents()? {
            let id = indexed.submission.id.clone();
            let Some(submission) = self.document(&id)? else {
                continue;
            };
            writer
                .upsert(&submission, &indexed.fingerprint)
                .map_err(|e| lost(e.to_string()))?;
        }
        writer.commit().map_err(|e| lost(e.to_string()))?;
        *self.reader.0.write().unwrap_or_else(|e| e.into_inner()) = current;
        // Generations start again with the new reader: a cached result of the old index
        // could answer for the new one.
        self.results.clear();
        self.suggest_lists.clear();
        Ok(writer)
    }

    /// The same index with a result cache of `capacity` searches (0: none), for measuring
    /// what searches cost without it.
    pub fn with_result_cache(mut self, capacity: usize) -> ArchiveIndex {
        self.results = std::sync::Arc::new(search::ResultCache::new(capacity));
        self
    }

    /// The same index searching on up to `threads` cores per search (1: the caller's thread
    /// only) once it holds `min_records` records or more (documents and pages), while no
    /// other search runs. By default a search may use every core, up to eight, from 100,000
    /// records.
    pub fn with_search_threads(mut self, threads: usize, min_records: u32) -> ArchiveIndex {
        self.slicing = slices::Slicing::new(threads, min_records);
        self
    }

    /// Makes the latest commit visible to searches now, rather than at the next poll.
    pub fn reload(&self) -> Result<(), IndexError> {
        Ok(self.reader.reload()?)
    }

    /// Number of documents (not pages) in the index.
    pub fn document_count(&self) -> Result<usize, IndexError> {
        let searcher = self.reader.searcher();
        Ok(searcher.search(&self.record_query(DOC_RECORD), &tantivy::collector::Count)?)
    }

    /// Every document in the index, without page text.
    pub fn documents(&self) -> Result<Vec<IndexedDocument>, IndexError> {
        let searcher = self.reader.searcher();
        let query = self.record_query(DOC_RECORD);
        let count = searcher.search(&query, &tantivy::collector::Count)?;
        let addresses =
            searcher.search(&query, &TopDocs::with_limit(count.max(1)).order_by_score())?;
        let mut out = Vec::with_capacity(addresses.len());
        for (_, address) in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            out.push(self.indexed_document(&doc)?);
        }
        out.sort_by(|a, b| a.submission.file.cmp(&b.submission.file));
        Ok(out)
    }

    /// The documents waiting in the staff inbox: how many there are, and the newest
    /// `limit` of them by date.
    pub fn to_review(&self, limit: usize) -> Result<(usize, Vec<IndexedDocument>), IndexError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.review, TO_REVIEW),
            IndexRecordOption::Basic,
        );
        let count = searcher.search(&query, &tantivy::collector::Count)?;
        // Newest first by date, so the page reads the records it shows and no more.
        let addresses = searcher.search(
            &query,
            &TopDocs::with_limit(limit.max(1))
                .order_by_fast_field::<i64>("date_sort", tantivy::Order::Desc),
        )?;
        let mut out = Vec::with_capacity(addresses.len());
        for (_, address) in addresses.into_iter().take(limit) {
            let doc: TantivyDocument = searcher.doc(address)?;
            out.push(self.indexed_document(&doc)?);
        }
        Ok((count, out))
    }

    fn record_query(&self, record: &str) -> TermQuery {
        TermQuery::new(
            Term::from_field_text(self.fields.record, record),
            IndexRecordOption::Basic,
        )
    }

    fn indexed_document(&self, doc: &TantivyDocument) -> Result<IndexedDocument, IndexError> {
        let meta = doc
            .get_first(self.fields.meta)
            .and_then(|v| v.as_str())
            .ok_or_else(|| IndexError::Damaged("document record without metadata".into()))?;
        let stored: StoredMeta =
            serde_json::from_str(meta).map_err(|e| IndexError::Damaged(e.to_string()))?;
        let fingerprint = doc
            .get_first(self.fields.fingerprint)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        Ok(IndexedDocument {
            submission: stored.submission,
            page_count: stored.page_count,
            fingerprint,
        })
    }
}

/// The tantivy index and its reader as they are now.
#[derive(Clone)]
struct Current {
    index: Index,
    reader: IndexReader,
}

impl Current {
    fn new(index: Index) -> Result<Current, IndexError> {
        analysis::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Current { index, reader })
    }
}

/// The shared, replaceable [`Current`].
#[derive(Clone)]
struct Live(Arc<RwLock<Current>>);

impl Live {
    fn current(&self) -> Current {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn searcher(&self) -> Searcher {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .reader
            .searcher()
    }

    fn reload(&self) -> tantivy::Result<()> {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .reader
            .reload()
    }
}

/// A stable 64-bit hash of a document id (FNV-1a, fixed by its specification, so the keys
/// in an index stay valid across builds).
fn id_key(id: &DocId) -> u64 {
    use std::hash::Hasher;
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(id.as_str().as_bytes());
    hasher.finish()
}

/// What a document record stores as JSON.
#[derive(Serialize, Deserialize)]
struct StoredMeta {
    #[serde(flatten)]
    submission: Submission,
    page_count: usize,
}

/// The index's only writer. Changes become visible at [`ArchiveWriter::commit`].
pub struct ArchiveWriter {
    writer: IndexWriter,
    fields: Fields,
    reader: IndexReader,
}

impl ArchiveWriter {
    /// Adds a document, replacing whatever the index held for the same file or id.
    pub fn upsert(&self, submission: &Submission, fingerprint: &str) -> Result<(), IndexError> {
        let f = &self.fields;
        self.remove_file(&submission.file);
        self.writer
            .delete_term(Term::from_field_text(f.id, submission.id.as_str()));

        // Without the word lists the parts analyzer gives nothing: skip its pass.
        let splitting = analysis::splitting();
        let mut doc = TantivyDocument::default();
        doc.add_text(f.record, DOC_RECORD);
        doc.add_text(f.id, submission.id.as_str());
        doc.add_text(f.file, &submission.file);
        doc.add_text(f.fingerprint, fingerprint);
        let stored = StoredMeta {
            submission: Submission {
                pages: Vec::new(),
                ..submission.clone()
            },
            page_count: submission.pages.len(),
        };
        doc.add_text(
            f.meta,
            serde_json::to_string(&stored).expect("metadata serializes"),
        );
        doc.add_text(f.title, &submission.title);
        doc.add_text(f.title_ascii, &submission.title);
        doc.add_text(f.title_raw, &submission.title);
        if let Some(recipient) = &submission.recipient {
            doc.add_text(f.recipient, recipient);
        }
        for page in &submission.pages {
            doc.add_text(f.body, page);
            doc.add_text(f.body_ascii, page);
            doc.add_text(f.words, page);
            if splitting {
                doc.add_text(f.body_parts, page);
            }
        }
        for convention in &submission.conventions {
            doc.add_facet(f.convention, Facet::from_path([convention.id()]));
        }
        for article in &submission.articles {
            doc.add_facet(
                f.article,
                Facet::from_path([
                    article.convention.id().to_string(),
                    article.article.to_string(),
                ]),
            );
        }
        for law in &submission.laws {
            doc.add_facet(f.law, Facet::from_path([law.as_str()]));
        }
        for section in &submission.law_sections {
            if let Some((law, number)) = section.split_once(':') {
                doc.add_facet(f.law_section, Facet::from_path([law, number]));
            }
        }
        for cycle in &submission.cycles {
            doc.add_facet(f.cycle, Facet::from_path([cycle.as_str()]));
        }
        for topic in &submission.topics {
            doc.add_facet(f.topic, Facet::from_path([topic.as_str()]));
        }
        doc.add_facet(f.kind, Facet::from_path([submission.kind.id()]));
        match submission.year() {
            Some(year) => {
                doc.add_facet(f.year_facet, Facet::from_path([year.to_string()]));
                doc.add_i64(f.year, year as i64);
            }
            None => doc.add_facet(f.year_facet, Facet::from_path(["ukjent"])),
        }
        doc.add_i64(f.date_sort, search::date_sort_key(submission.date));
        if let Some(key) = search::consultation_key(submission) {
            doc.add_text(f.consultation, key);
        }
        for note in &submission.notes {
            let field = if note.internal {
                f.notes_internal
            } else {
                f.notes
            };
            doc.add_text(field, &note.text);
        }
        for version in &submission.versions {
            doc.add_text(f.former_id, version.id.as_str());
        }
        if submission.to_review {
            doc.add_text(f.review, TO_REVIEW);
        }
        self.writer.add_document(doc)?;

        for (i, text) in submission.pages.iter().enumerate() {
            let mut page = TantivyDocument::default();
            page.add_text(f.record, PAGE_RECORD);
            page.add_text(f.id, submission.id.as_str());
            page.add_u64(f.id_key, id_key(&submission.id));
            page.add_text(f.file, &submission.file);
            page.add_u64(f.page, i as u64 + 1);
            page.add_text(f.page_text, text);
            page.add_text(f.page_text_ascii, text);
            if splitting {
                page.add_text(f.page_parts, text);
            }
            self.writer.add_document(page)?;
        }
        Ok(())
    }

    /// Removes a document and its pages by the PDF's file name.
    pub fn remove_file(&self, file: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.file, file));
    }

    /// Drops every change since the last commit (after a write whose files could not be
    /// kept, so that the next commit does not index them).
    pub fn rollback(&mut self) -> Result<(), IndexError> {
        self.writer.rollback()?;
        Ok(())
    }

    /// Removes every document.
    pub fn clear(&mut self) -> Result<(), IndexError> {
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Makes every change since the last commit durable and visible.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        self.writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Waits for merges to finish and releases the writer's lock.
    pub fn finish(self) -> Result<(), IndexError> {
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}
