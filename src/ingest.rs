//! `documents/` → extraction → tagging → index, with a report per file.
//!
//! A run compares the library with the index: new and changed PDFs are extracted (in
//! parallel, each in its bounded worker), unchanged ones are skipped without being read
//! again, and documents whose PDF is gone are removed. Everything is committed once at the
//! end, so a run killed at any moment leaves the index as the previous run left it, and
//! the next run converges. A file that fails is reported and the run goes on; a document
//! indexed earlier stays in the index while its file fails.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Instant, UNIX_EPOCH};

use rayon::prelude::*;
use serde::Serialize;

use crate::consultations::{self, Consultations};
use crate::extract::{self, ExtractConfig, Extracted, PdfMetadata};
use crate::index::{ArchiveIndex, ArchiveWriter, IndexError};
use crate::library::{Entry, Library, LibraryError, Sidecar};
use crate::model::{
    ArticleRef, Convention, DocId, Kind, Language, OcrInfo, Submission, TextStatus,
};
use crate::tagging;

/// How an ingest runs.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub extract: ExtractConfig,
    /// Parallel extractions (default: the number of cores).
    pub jobs: usize,
    /// Draw a progress bar on stderr (only shown on a terminal).
    pub progress: bool,
}

impl IngestOptions {
    pub fn new(extract: ExtractConfig) -> IngestOptions {
        IngestOptions {
            extract,
            jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            progress: false,
        }
    }
}

/// Why a run could not proceed at all (per-file problems are [`Failure`]s instead).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// One file that could not be ingested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub file: String,
    pub error: String,
}

/// A document as listed in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentSummary {
    pub id: DocId,
    pub file: String,
    pub title: String,
    pub date: Option<String>,
    pub year: Option<i32>,
    pub kind: Kind,
    pub conventions: Vec<Convention>,
    pub articles: Vec<ArticleRef>,
    pub pages: usize,
    pub status: TextStatus,
    /// Set when some of the text came from OCR.
    pub ocr: Option<OcrInfo>,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestReport {
    pub indexed: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub failed: Vec<Failure>,
    /// Documents indexed with a problem worth fixing (a sidecar naming a consultation that
    /// does not exist).
    pub warnings: Vec<Failure>,
    /// Every document in the index after the run.
    pub documents: Vec<DocumentSummary>,
    /// Pages extracted in this run.
    #[serde(skip)]
    pub pages_extracted: usize,
    #[serde(skip)]
    pub seconds: f64,
}

/// Brings the index in line with the library.
pub fn ingest(
    library: &Library,
    index: &ArchiveIndex,
    options: &IngestOptions,
) -> Result<IngestReport, IngestError> {
    let mut writer = index.writer()?;
    let report = ingest_with(library, index, &mut writer, options)?;
    writer.finish()?;
    Ok(report)
}

/// Like [`ingest`], with a writer the caller already holds (the server keeps one).
pub fn ingest_with(
    library: &Library,
    index: &ArchiveIndex,
    writer: &mut ArchiveWriter,
    options: &IngestOptions,
) -> Result<IngestReport, IngestError> {
    let started = Instant::now();
    let entries = library.entries()?;
    let known: HashMap<String, crate::index::IndexedDocument> = index
        .documents()?
        .into_iter()
        .map(|d| (d.submission.file.clone(), d))
        .collect();

    let mut report = IngestReport::default();
    let mut work: Vec<Pending> = Vec::new();
    for entry in &entries {
        match plan(library, entry, known.get(&entry.file)) {
            Plan::Unchanged => report.unchanged += 1,
            Plan::Fail(error) => report.failed.push(Failure {
                file: entry.file.clone(),
                error,
            }),
            Plan::Work(pending) => work.push(*pending),
        }
    }

    // Two files with the same bytes would share an id; the first by name wins.
    let mut owner_of_id: HashMap<DocId, String> = known
        .values()
        .filter(|d| entries.iter().any(|e| e.file == d.submission.file))
        .map(|d| (d.submission.id.clone(), d.submission.file.clone()))
        .collect();
    work.retain(|p| {
        match owner_of_id.get(&p.id) {
            Some(owner) if owner != &p.entry.file => {
                report.failed.push(Failure {
                    file: p.entry.file.clone(),
                    error: format!("same content as {owner}, which is already in the archive"),
                });
                return false;
            }
            _ => {}
        }
        owner_of_id.insert(p.id.clone(), p.entry.file.clone());
        true
    });

    // The word lists take about a second of one core to read; read them while the
    // workers extract, not after (indexing needs them first).
    if !work.is_empty() {
        std::thread::spawn(crate::index::splitting);
    }
    let progress = progress_bar(options.progress, work.len());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build()
        .expect("a thread pool can be built");
    // The largest files first, handed out one at a time: the longest extraction starts at
    // once rather than last, while the other workers go through the small files. The index
    // still receives the documents in the folder's order.
    let mut queue: Vec<(usize, Pending)> = work.into_iter().enumerate().collect();
    queue.sort_by_cached_key(|(place, pending)| {
        (std::cmp::Reverse(extraction_size(pending)), *place)
    });
    let mut done: Vec<(usize, Pending, Result<Submission, String>)> = pool.install(|| {
        queue
            .into_par_iter()
            .with_max_len(1)
            .map(|(place, pending)| {
                let result = build(index, &pending, &options.extract);
                progress.inc(1);
                (place, pending, result)
            })
            .collect()
    });
    progress.finish_and_clear();
    done.sort_by_key(|(place, ..)| *place);

    for (_, pending, result) in done {
        match result {
            Ok(submission) => {
                report.pages_extracted += submission.pages.len();
                writer.upsert(&submission, &pending.fingerprint)?;
                report.indexed += 1;
            }
            Err(error) => report.failed.push(Failure {
                file: pending.entry.file,
                error,
            }),
        }
    }

    for file in known.keys() {
        if !entries.iter().any(|e| &e.file == file) {
            writer.remove_file(file);
            report.removed += 1;
        }
    }

    if report.indexed > 0 || report.removed > 0 {
        writer.commit()?;
    }
    let indexed = index.documents()?;
    check_consultations(library, &indexed, &mut report);
    report.failed.sort_by(|a, b| a.file.cmp(&b.file));
    report.documents = indexed
        .into_iter()
        .map(|d| summarize(&d.submission, d.page_count))
        .collect();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The consultation records are read on every run: a file that cannot be used fails (with
/// its line and field), and a document whose sidecar names a consultation that does not
/// exist is indexed with a warning.
fn check_consultations(
    library: &Library,
    indexed: &[crate::index::IndexedDocument],
    report: &mut IngestReport,
) {
    let (consultations, errors) = Consultations::load(&consultations::folder(library));
    for e in errors {
        report.failed.push(Failure {
            file: e.file().to_string(),
            error: e.to_string(),
        });
    }
    for d in indexed {
        if let Some(id) = &d.submission.consultation
            && consultations.get(id).is_none()
        {
            report.warnings.push(Failure {
                file: d.submission.file.clone(),
                error: format!("the sidecar names consultation `{id}`, which does not exist"),
            });
        }
    }
}

/// A document's entry in the report.
pub fn summarize(s: &Submission, pages: usize) -> DocumentSummary {
    DocumentSummary {
        id: s.id.clone(),
        file: s.file.clone(),
        title: s.title.clone(),
        date: s.date.map(|d| d.format("%Y-%m-%d").to_string()),
        year: s.year(),
        kind: s.kind,
        conventions: s.conventions.clone(),
        articles: s.articles.clone(),
        pages,
        status: s.status,
        ocr: s.ocr,
    }
}

/// How much extracting `pending` reads: its PDF's size, or nothing when its text is reused.
fn extraction_size(pending: &Pending) -> u64 {
    match pending.reuse {
        Some(_) => 0,
        None => std::fs::metadata(&pending.entry.pdf).map_or(0, |m| m.len()),
    }
}

struct Pending {
    entry: Entry,
    id: DocId,
    sidecar: Option<Sidecar>,
    fingerprint: String,
    /// The indexed document, when its PDF is unchanged and only the sidecar changed: its
    /// text is reused rather than extracted again.
    reuse: Option<DocId>,
}

enum Plan {
    Unchanged,
    Fail(String),
    Work(Box<Pending>),
}

/// What change detection records about a document's files as they are now: the PDF's size
/// and modification time, and a hash of the sidecar's content.
pub fn fingerprint(entry: &Entry) -> std::io::Result<String> {
    let sidecar = match std::fs::read(&entry.sidecar) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    fingerprint_with(entry, sidecar.as_deref())
}

fn fingerprint_with(entry: &Entry, sidecar: Option<&[u8]>) -> std::io::Result<String> {
    let stat = std::fs::metadata(&entry.pdf)?;
    let mtime = stat
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let sidecar_hash = sidecar
        .map(|b| blake3::hash(b).to_hex()[..16].to_string())
        .unwrap_or_else(|| "none".into());
    Ok(format!("pdf:{}:{mtime};sidecar:{sidecar_hash}", stat.len()))
}

fn plan(library: &Library, entry: &Entry, known: Option<&crate::index::IndexedDocument>) -> Plan {
    let sidecar_bytes = match std::fs::read(&entry.sidecar) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Plan::Fail(format!("cannot read sidecar: {e}")),
    };
    let fingerprint = match fingerprint_with(entry, sidecar_bytes.as_deref()) {
        Ok(f) => f,
        Err(e) => return Plan::Fail(format!("cannot read file: {e}")),
    };
    if known.is_some_and(|k| k.fingerprint == fingerprint) {
        return Plan::Unchanged;
    }

    let sidecar = match library.read_sidecar(entry) {
        Ok(s) => s,
        Err(e) => return Plan::Fail(e.to_string()),
    };
    let bytes = match std::fs::read(&entry.pdf) {
        Ok(b) => b,
        Err(e) => return Plan::Fail(format!("cannot read file: {e}")),
    };
    let id = DocId::from_content(&bytes);
    let reuse = known
        .filter(|k| k.submission.id == id && k.submission.status == TextStatus::Ok)
        .map(|k| k.submission.id.clone());
    Plan::Work(Box::new(Pending {
        entry: entry.clone(),
        id,
        sidecar,
        fingerprint,
        reuse,
    }))
}

fn build(
    index: &ArchiveIndex,
    pending: &Pending,
    config: &ExtractConfig,
) -> Result<Submission, String> {
    let reused = match &pending.reuse {
        Some(id) => index.document(id).ok().flatten().map(|s| Extracted {
            pages: s.pages,
            metadata: PdfMetadata {
                ocr: s.ocr,
                ..PdfMetadata::default()
            },
            source: s.extraction_note.unwrap_or_default(),
        }),
        None => None,
    };
    let extracted = match reused {
        Some(e) => e,
        None => extract::extract_file(&pending.entry.pdf, config).map_err(|e| e.to_string())?,
    };
    Ok(describe(
        &pending.entry.file,
        pending.id.clone(),
        extracted,
        pending.sidecar.clone().unwrap_or_default(),
    ))
}

/// Combines extracted text, the sidecar and the file name into a document. What the
/// sidecar says wins; what it leaves out is detected.
pub fn describe(file: &str, id: DocId, extracted: Extracted, sidecar: Sidecar) -> Submission {
    let pages = extracted.pages;
    let status = if pages.iter().any(|p| p.chars().any(char::is_alphanumeric)) {
        TextStatus::Ok
    } else {
        TextStatus::NoText
    };
    let text = pages.join("\n\n");
    let head: String = pages.iter().take(2).cloned().collect::<Vec<_>>().join("\n");
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string());

    let date = sidecar
        .date
        .or_else(|| tagging::detect_date(&head))
        .or_else(|| {
            extracted
                .metadata
                .creation_date
                .as_deref()
                .and_then(tagging::parse_pdf_date)
        })
        .or_else(|| tagging::date_from_file_name(file));

    let title = sidecar
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| {
            extracted
                .metadata
                .title
                .clone()
                .filter(|t| tagging::is_meaningful_title(t))
        })
        .or_else(|| pages.first().and_then(|p| tagging::title_from_text(p)))
        .unwrap_or_else(|| stem.clone());

    let kind = sidecar
        .kind
        .or_else(|| tagging::kind_from_title(&title))
        .unwrap_or(Kind::Annet);

    let tagging::Tags { mentions, articles } = tagging::detect(&text);
    let letter_head = pages
        .first()
        .map(|p| tagging::letterhead::detect(p))
        .unwrap_or_default();
    let conventions: Vec<Convention> = match &sidecar.conventions {
        Some(listed) => {
            let mut listed = listed.clone();
            listed.sort();
            listed.dedup();
            listed
        }
        None => mentions.keys().copied().collect(),
    };
    let articles = articles
        .into_iter()
        .filter(|a| conventions.contains(&a.convention))
        .collect();

    let detected = tagging::laws::detect_laws(&text);
    let laws: Vec<String> = match &sidecar.laws {
        Some(listed) => {
            let mut listed = listed.clone();
            listed.sort_by_key(|id| tagging::laws::law_order(id));
            listed.dedup();
            listed
        }
        None => detected.laws.iter().map(|l| l.to_string()).collect(),
    };
    let law_sections = detected
        .sections
        .iter()
        .filter(|s| laws.iter().any(|l| l == s.law))
        .map(ToString::to_string)
        .collect();
    let cycles = match &sidecar.cycles {
        Some(listed) => {
            let mut listed = listed.clone();
            listed.sort_by_key(|id| tagging::cycles::CYCLES.iter().position(|c| c.id == id));
            listed.dedup();
            listed
        }
        None => tagging::cycles::detect_cycles(&text, date, &conventions)
            .into_iter()
            .map(str::to_string)
            .collect(),
    };

    let topics = match &sidecar.topics {
        Some(listed) => {
            let mut listed = listed.clone();
            listed.sort_by_key(|id| tagging::topics::area_order(id));
            listed.dedup();
            listed
        }
        None => tagging::topics::detect_topics(&text)
            .into_iter()
            .map(str::to_string)
            .collect(),
    };

    let to_review = sidecar.to_review();
    let ocr = extracted.metadata.ocr;
    let extraction_note = (!extracted.source.is_empty()).then_some(extracted.source);
    let id_of_pdf = id.clone();
    Submission {
        id,
        file: file.to_string(),
        title: title.trim().to_string(),
        date,
        kind,
        recipient: sidecar.recipient.or(letter_head.recipient),
        reference: sidecar.reference.or(letter_head.our_reference),
        language: sidecar.language.or_else(|| guess_language(&text)),
        source_url: sidecar.source_url,
        conventions,
        mentions,
        articles,
        laws,
        law_sections,
        cycles,
        topics,
        pages,
        status,
        extraction_note,
        ocr,
        sample: sidecar.sample,
        their_reference: letter_head.their_reference,
        consultation: sidecar.consultation,
        notes: sidecar.notes,
        // A replacement interrupted after its sidecar was written lists the PDF that is
        // still current: it is not an earlier version of itself.
        versions: sidecar
            .versions
            .into_iter()
            .filter(|v| v.id != id_of_pdf)
            .collect(),
        to_review,
    }
}

/// Bokmål, nynorsk or English from a few frequent words that tell them apart.
fn guess_language(text: &str) -> Option<Language> {
    let mut counts = [0usize; 3];
    for word in text.split(|c: char| !c.is_alphabetic()).take(5000) {
        match word.to_lowercase().as_str() {
            "ikke" | "jeg" | "hva" | "hvordan" | "vold" | "bare" | "mot" | "hvis" | "fra" => {
                counts[0] += 1
            }
            "ikkje" | "eg" | "kva" | "korleis" | "vald" | "berre" | "dei" | "eit" | "frå" => {
                counts[1] += 1
            }
            "the" | "and" | "of" | "which" | "with" | "women" | "violence" => counts[2] += 1,
            _ => {}
        }
    }
    let (best, &n) = counts.iter().enumerate().max_by_key(|(_, n)| **n)?;
    if n < 3 {
        return None;
    }
    Some([Language::Nb, Language::Nn, Language::En][best])
}

fn progress_bar(enabled: bool, len: usize) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} filer {elapsed} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}
