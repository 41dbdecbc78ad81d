//! PDF bytes → text, page by page. The only user of pdf-extract (and of poppler's
//! `pdftotext`).
//!
//! pdf-extract panics, loops and allocates without bound on real-world files, so it never
//! runs inside the calling process: every extraction runs in a worker subprocess of the
//! arkiv binary itself (`arkiv extract-worker`), which caps its own address space and CPU
//! time before touching the file, while the caller enforces a wall-clock deadline.
//!
//! pdf-extract reads every file first, with half the time bound. When it fails, or any page
//! does not look whole (few letters, glyphs it could not decode, words glued together), and
//! poppler's `pdftotext` is installed, pdftotext reads the file too under the same bounds,
//! and the two are merged page by page: pdf-extract's page is kept where it carries at
//! least [`MIN_PAGE_COVERAGE`] of the words pdftotext finds on that page, and pdftotext's
//! page is used otherwise (broken cross-reference tables, fonts pdf-extract cannot decode,
//! words split by spurious spaces). Pages left with (almost) no text, as in scans, are then
//! read with OCR in the same kind of worker (see [`ocr`]).

//! The parts, each reading on its own (none imports the pipeline here, and none imports
//! another in a circle):
//! - `text_layer`: the caller's side of the text layer: the two readers' workers, merged;
//! - `pdf_extract_reader` and `pdftotext`: the two readers of the text layer, as they run
//!   inside a worker (and, for pdftotext, its output read back);
//! - [`ocr`]: pages without a text layer, read from their image by Tesseract;
//! - [`render`]: page images and word boxes for the web, and their cache;
//! - `worker`: the body of `arkiv extract-worker`, which runs one of the readers;
//! - `process`: starting a worker and collecting what it printed, within a deadline;
//! - `coverage`: how much of one text's words another holds.

mod coverage;
pub mod ocr;
mod pdf_extract_reader;
mod pdftotext;
mod process;
pub mod render;
mod text_layer;
mod worker;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::model::OcrInfo;

pub use coverage::{word_coverage, words};
pub use process::find_on_path;
pub use text_layer::{MIN_PAGE_COVERAGE, looks_like_pdf};
pub use worker::run_worker;

/// Bounds and programs for extraction.
#[derive(Debug, Clone)]
pub struct ExtractConfig {
    /// The arkiv binary that runs `extract-worker` (normally the running executable).
    pub worker: PathBuf,
    /// poppler's `pdftotext`, when installed.
    pub pdftotext: Option<PathBuf>,
    /// Tesseract, when installed with a model for at least one of [`ocr::LANGUAGES`].
    /// Without it, pages without a text layer stay empty.
    pub tesseract: Option<PathBuf>,
    /// poppler's `pdftoppm`, which renders pages for OCR.
    pub pdftoppm: Option<PathBuf>,
    /// Tesseract's models, joined by `+` (`nor+eng`).
    pub ocr_languages: String,
    /// Folder where OCR results are kept by document id, so a page is never read twice;
    /// `None` keeps nothing.
    pub ocr_cache: Option<PathBuf>,
    /// Wall-clock bound for one file, OCR included.
    pub timeout: Duration,
    /// Address-space bound for each extraction process.
    pub memory_limit_mb: u64,
    /// Whether this configuration's run has said that OCR is unavailable; said once, not
    /// once per scan.
    pub(crate) ocr_warned: Arc<AtomicBool>,
}

impl ExtractConfig {
    /// Bounds of 60 s and 1 GiB a file, with `pdftotext`, `pdftoppm` and `tesseract` taken
    /// from `PATH` when present, and no OCR cache.
    pub fn new(worker: PathBuf) -> ExtractConfig {
        let tesseract = find_on_path("tesseract");
        let languages = tesseract.as_deref().and_then(ocr::installed_languages);
        ExtractConfig {
            worker,
            pdftotext: find_on_path("pdftotext"),
            tesseract: tesseract.filter(|_| languages.is_some()),
            pdftoppm: find_on_path("pdftoppm"),
            ocr_languages: languages.unwrap_or_else(|| ocr::LANGUAGES.join("+")),
            ocr_cache: None,
            timeout: Duration::from_secs(60),
            memory_limit_mb: 1024,
            ocr_warned: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// What is known about a PDF besides its text: its Info dictionary, and whether OCR read
/// some of its pages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PdfMetadata {
    pub title: Option<String>,
    /// The raw `/CreationDate` string, e.g. `D:20191130120000+01'00'`.
    pub creation_date: Option<String>,
    /// Set when some pages' text came from OCR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr: Option<OcrInfo>,
}

/// The text of one PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// One entry per page, in order.
    pub pages: Vec<String>,
    pub metadata: PdfMetadata,
    /// Which extractor produced the text, in words for staff ("pdf-extract", "pdftotext",
    /// "pdf-extract; 3 of 12 pages from pdftotext", "OCR (tesseract nor+eng)").
    pub source: String,
}

impl Extracted {
    /// Whether any page carries text.
    pub fn has_text(&self) -> bool {
        self.pages
            .iter()
            .any(|p| p.chars().any(char::is_alphanumeric))
    }
}

/// Why a file gave no text.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The file could not be read from disk.
    #[error("cannot read file: {0}")]
    Read(#[source] io::Error),
    #[error("empty file (0 bytes)")]
    Empty,
    #[error("not a PDF: no PDF header or objects in the file")]
    NotPdf,
    #[error("encrypted PDF: it cannot be opened without a password")]
    Encrypted,
    #[error("extraction did not finish within {0} s")]
    Timeout(u64),
    #[error("extraction needed more than the memory limit of {0} MB")]
    OutOfMemory(u64),
    /// Every extractor failed to make sense of the file.
    #[error("unreadable PDF: {0}")]
    Unreadable(String),
    /// The worker process could not be started.
    #[error("cannot start the extraction worker: {0}")]
    Worker(#[source] io::Error),
}

/// Extracts the text of the PDF at `path` within the configured bounds, reading pages
/// without a text layer with OCR.
pub fn extract_file(path: &Path, config: &ExtractConfig) -> Result<Extracted, ExtractError> {
    // One deadline for every process the file needs (the extractors side by side, then
    // OCR), so no file, however hostile, costs more than the bound.
    let deadline = Instant::now() + config.timeout;
    let mut extracted = text_layer::read(path, config, deadline)?;
    ocr::read_scanned_pages(path, &mut extracted, config, deadline);
    Ok(extracted)
}

/// Where the words of pages `wanted` of document `id` (the PDF at `pdf`, of `pages` pages)
/// are: the text layer's word boxes (see [`render::PageCache::words`]), and on a page
/// without any, the words OCR read there, from the OCR cache.
pub fn page_words(
    cache: &render::PageCache,
    pdf: &Path,
    id: &crate::model::DocId,
    wanted: std::ops::RangeInclusive<u32>,
    pages: u32,
) -> Result<std::collections::BTreeMap<u32, render::PageWords>, render::RenderError> {
    let mut found = cache.words(pdf, id, wanted, pages)?;
    if found.values().all(|page| !page.words.is_empty()) {
        return Ok(found);
    }
    let scanned = ocr::cached_places(cache.config(), id);
    for (number, page) in found.iter_mut() {
        let Some(places) = scanned.get(number).filter(|_| page.words.is_empty()) else {
            continue;
        };
        if !(page.width > 0.0 && page.height > 0.0) {
            // Size unknown: A4, the shape the viewer assumes too.
            (page.width, page.height) = (595.0, 842.0);
        }
        page.words = places
            .iter()
            .map(|p| render::WordBox {
                text: p.text.clone(),
                x_min: p.left * page.width,
                y_min: p.top * page.height,
                x_max: p.right * page.width,
                y_max: p.bottom * page.height,
            })
            .collect();
    }
    Ok(found)
}

/// The programs a worker can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    PdfExtract,
    Pdftotext,
    /// Tesseract on one page rendered by pdftoppm.
    Ocr,
    /// pdftoppm: one page as a small PNG, for reading on the web.
    Render,
    /// `pdftotext -bbox`: where each word of some pages is.
    Words,
}

impl Engine {
    pub fn id(self) -> &'static str {
        match self {
            Engine::PdfExtract => "pdf-extract",
            Engine::Pdftotext => "pdftotext",
            Engine::Ocr => "ocr",
            Engine::Render => "render",
            Engine::Words => "words",
        }
    }

    pub fn from_id(id: &str) -> Option<Engine> {
        [
            Engine::PdfExtract,
            Engine::Pdftotext,
            Engine::Ocr,
            Engine::Render,
            Engine::Words,
        ]
        .into_iter()
        .find(|e| e.id() == id)
    }
}

/// What one worker process is asked to do.
#[derive(Debug, Clone)]
pub struct WorkerJob {
    pub engine: Engine,
    pub file: PathBuf,
    pub memory_limit_mb: u64,
    pub cpu_secs: u64,
    /// The page to read (1-based): OCR and rendering read one page, words a run of pages
    /// from here.
    pub page: Option<u32>,
    /// The last page of a run of pages (words).
    pub last_page: Option<u32>,
    /// The longer side of a rendered page, in pixels.
    pub scale: Option<u32>,
    /// Tesseract's models, for OCR.
    pub ocr_languages: String,
}
