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
//! read with OCR in the same kind of worker (see [`crate::ocr`]).

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

use crate::model::OcrInfo;

/// Share of pdftotext's words on a page that pdf-extract must also produce for its page to
/// be kept.
pub const MIN_PAGE_COVERAGE: f64 = 0.99;

/// Bounds and programs for extraction.
#[derive(Debug, Clone)]
pub struct ExtractConfig {
    /// The arkiv binary that runs `extract-worker` (normally the running executable).
    pub worker: PathBuf,
    /// poppler's `pdftotext`, when installed.
    pub pdftotext: Option<PathBuf>,
    /// Tesseract, when installed with a model for at least one of [`crate::ocr::LANGUAGES`].
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
        let languages = tesseract
            .as_deref()
            .and_then(crate::ocr::installed_languages);
        ExtractConfig {
            worker,
            pdftotext: find_on_path("pdftotext"),
            tesseract: tesseract.filter(|_| languages.is_some()),
            pdftoppm: find_on_path("pdftoppm"),
            ocr_languages: languages.unwrap_or_else(|| crate::ocr::LANGUAGES.join("+")),
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
    let mut extracted = extract_text_layer(path, config, deadline)?;
    crate::ocr::read_scanned_pages(path, &mut extracted, config, deadline);
    Ok(extracted)
}

fn extract_text_layer(
    path: &Path,
    config: &ExtractConfig,
    deadline: Instant,
) -> Result<Extracted, ExtractError> {
    check_header(path)?;

    // pdf-extract first; pdftotext only when pdf-extract failed or a page does not look
    // whole (see `PageText::looks_complete`). Run one after the other, the pair costs no
    // more than one of them on most files. pdf-extract may loop where pdftotext reads the
    // file at once: it gets half the time.
    let now = Instant::now();
    let half = now + deadline.saturating_duration_since(now) / 2;
    let primary = finish(
        spawn_worker(config, Engine::PdfExtract, path, None, half)?,
        config,
    )
    .and_then(|out| parse_worker_output(&out));
    let complete = matches!(&primary, Ok(pe) if pe.complete);
    let fallback = match &config.pdftotext {
        Some(_) if !complete => Some(
            finish(
                spawn_worker(config, Engine::Pdftotext, path, None, deadline)?,
                config,
            )
            .and_then(|out| parse_pdftotext_output(&out)),
        ),
        _ => None,
    };

    match (primary, fallback) {
        (Ok(pe), Some(Ok(pt))) => Ok(merge(pe, pt)),
        (Ok(pe), _) => Ok(Extracted {
            pages: pe.pages,
            metadata: pe.metadata,
            source: "pdf-extract".into(),
        }),
        (Err(_), Some(Ok(pt))) => Ok(Extracted {
            pages: pt,
            metadata: PdfMetadata::default(),
            source: "pdftotext".into(),
        }),
        (Err(primary_error), Some(Err(fallback_error))) => {
            Err(most_telling(primary_error, fallback_error))
        }
        (Err(primary_error), None) => Err(primary_error),
    }
}

/// The fraction of `reference`'s words (as a multiset, case-folded) that `candidate` also
/// contains; 1.0 when `reference` has no words.
pub fn word_coverage(candidate: &str, reference: &str) -> f64 {
    let reference_words = words(reference);
    if reference_words.is_empty() {
        return 1.0;
    }
    let mut available: HashMap<String, usize> = HashMap::new();
    for w in words(candidate) {
        *available.entry(w).or_default() += 1;
    }
    let mut found = 0usize;
    for w in &reference_words {
        if let Some(n) = available.get_mut(w).filter(|n| **n > 0) {
            *n -= 1;
            found += 1;
        }
    }
    found as f64 / reference_words.len() as f64
}

/// The words of a text as compared for coverage: runs of letters and digits, lower-cased.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The programs a worker can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    PdfExtract,
    Pdftotext,
    /// Tesseract on one page rendered by pdftoppm.
    Ocr,
}

impl Engine {
    pub fn id(self) -> &'static str {
        match self {
            Engine::PdfExtract => "pdf-extract",
            Engine::Pdftotext => "pdftotext",
            Engine::Ocr => "ocr",
        }
    }

    pub fn from_id(id: &str) -> Option<Engine> {
        [Engine::PdfExtract, Engine::Pdftotext, Engine::Ocr]
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
    /// The page to read (1-based); only OCR reads a single page.
    pub page: Option<u32>,
    /// Tesseract's models, for OCR.
    pub ocr_languages: String,
}

/// The body of `arkiv extract-worker`: bounds this process, then runs one engine on one
/// file and writes the result to stdout. For pdftotext (and for OCR, tesseract) this process
/// becomes that program (exec), so the bounds and the caller's deadline apply to it directly.
pub fn run_worker(job: &WorkerJob) -> ExitCode {
    let path = job.file.as_path();
    if let Err(e) = limit_self(job.memory_limit_mb, job.cpu_secs) {
        eprintln!("cannot set resource limits: {e}");
        return ExitCode::from(3);
    }
    match job.engine {
        Engine::Ocr => match job.page {
            Some(page) => crate::ocr::run_page_worker(path, page, &job.ocr_languages),
            None => {
                eprintln!("the ocr engine reads one page: give --page");
                ExitCode::from(3)
            }
        },
        Engine::Pdftotext => {
            use std::os::unix::process::CommandExt;
            let program = find_on_path("pdftotext").unwrap_or_else(|| "pdftotext".into());
            let err = Command::new(program)
                .args(["-enc", "UTF-8"])
                .arg(path)
                .arg("-")
                .exec();
            eprintln!("cannot run pdftotext: {err}");
            ExitCode::from(3)
        }
        Engine::PdfExtract => match pdf_extract_pages(path) {
            Ok(output) => {
                let json = serde_json::to_string(&output).expect("worker output serializes");
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("{message}");
                ExitCode::from(2)
            }
        },
    }
}

/// What the pdf-extract worker prints.
#[derive(Debug, Serialize, Deserialize)]
struct WorkerOutput {
    pages: Vec<String>,
    metadata: PdfMetadata,
    /// Every page came out whole and looks like text: no need to ask pdftotext.
    #[serde(default)]
    complete: bool,
}

/// Marks the worker's stderr so the caller can tell a password problem from other errors.
const ENCRYPTED_MARK: &str = "arkiv-worker: encrypted";

fn pdf_extract_pages(path: &Path) -> Result<WorkerOutput, String> {
    use pdf_extract::{Document, Object};

    // pdf-extract reports its panics on stderr, which the caller shows; keep them short.
    std::panic::set_hook(Box::new(|info| eprintln!("pdf-extract panicked: {info}")));

    let bytes = std::fs::read(path).map_err(|e| format!("cannot read file: {e}"))?;
    let mut doc = std::panic::catch_unwind(|| Document::load_mem(&bytes))
        .map_err(|_| "pdf-extract panicked while parsing".to_string())?
        .map_err(|e| format!("cannot parse: {e}"))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(ENCRYPTED_MARK.to_string());
    }

    let info_string = |doc: &Document, key: &[u8]| -> Option<String> {
        let info = doc.trailer.get(b"Info").ok()?;
        let info = match info {
            Object::Reference(id) => doc.get_dictionary(*id).ok()?,
            Object::Dictionary(d) => d,
            _ => return None,
        };
        match info.get(key).ok()? {
            Object::String(bytes, _) => Some(decode_pdf_string(bytes)),
            _ => None,
        }
    };
    let metadata = PdfMetadata {
        title: info_string(&doc, b"Title").filter(|t| !t.trim().is_empty()),
        creation_date: info_string(&doc, b"CreationDate"),
        ocr: None,
    };

    let page_numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    // One pass over the whole document: pdf-extract's per-page call walks the page tree
    // each time, which makes a long document cost the square of its length.
    let mut paged = PagedText::default();
    let whole = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pdf_extract::output_doc(&doc, &mut paged)
    }));
    // Form fields' values are drawn from the form, which pdf-extract does not read.
    let has_form = doc
        .catalog()
        .is_ok_and(|catalog| catalog.get(b"AcroForm").is_ok());
    let read_whole = matches!(whole, Ok(Ok(())));
    let complete = !has_form
        && read_whole
        && paged.finished.len() == page_numbers.len()
        && paged.finished.iter().all(|page| page.looks_complete());
    let mut texts: BTreeMap<u32, String> = paged
        .finished
        .into_iter()
        .map(|page| (page.number, page.text))
        .collect();
    if !read_whole {
        // One page's failure must not cost the others: the pages after the one that
        // failed are taken one at a time, through the same output device.
        let failed = paged.current;
        for &number in &page_numbers {
            if Some(number) == failed || texts.contains_key(&number) {
                continue;
            }
            let mut one = PagedText::default();
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pdf_extract::output_doc_page(&doc, &mut one, number)
            }));
            if matches!(read, Ok(Ok(())))
                && let Some(page) = one.finished.pop()
            {
                texts.insert(number, page.text);
            }
        }
    }
    let pages = page_numbers
        .iter()
        .map(|n| texts.remove(n).unwrap_or_default())
        .collect();
    Ok(WorkerOutput {
        pages,
        metadata,
        complete,
    })
}

/// An output device that keeps each page's plain text apart, by running pdf-extract's own
/// plain-text device afresh for every page.
#[derive(Default)]
struct PagedText {
    finished: Vec<PageText>,
    /// The page begun and not yet ended: after a failure, the page that failed.
    current: Option<u32>,
    page: Option<pdf_extract::PlainTextOutput<PageSink>>,
    sink: PageSink,
    glyphs: usize,
    undecoded: usize,
}

/// One page as pdf-extract read it, with what tells whether it read the page well.
struct PageText {
    number: u32,
    text: String,
    /// Characters drawn on the page.
    glyphs: usize,
    /// Of those, the ones pdf-extract could not turn into a character (nothing, U+FFFD,
    /// control characters, private-use code points) or puts out of reading order (it
    /// writes right-to-left scripts in the order they are drawn).
    undecoded: usize,
}

/// Pages with fewer letters than this are read by pdftotext too (and then by OCR): blank,
/// scanned, or drawn in a way pdf-extract does not follow.
const MIN_PAGE_LETTERS: usize = 20;

impl PageText {
    /// Whether pdftotext could add nothing: enough letters, (almost) every glyph decoded,
    /// and words separated, since pdf-extract's spacing comes from glyph positions and a
    /// font with odd metrics glues words together.
    fn looks_complete(&self) -> bool {
        let letters = self.text.chars().filter(|c| c.is_alphanumeric()).count();
        if letters < MIN_PAGE_LETTERS || self.undecoded * 100 > self.glyphs {
            return false;
        }
        let lengths: Vec<usize> = self
            .text
            .split_whitespace()
            .map(|w| w.chars().filter(|c| c.is_alphanumeric()).count())
            .filter(|&n| n > 0)
            .collect();
        let words = lengths.len().max(1);
        let glued = lengths.iter().filter(|&&n| n > GLUED_WORD_CHARS).count();
        // Spurious spaces inside words ("p erso n vern et") leave many one-letter pieces.
        let split = lengths.iter().filter(|&&n| n == 1).count();
        glued * 100 <= words
            && split * 100 <= words * MAX_ONE_LETTER_PERCENT
            && letters / words <= MAX_MEAN_WORD_LETTERS
    }
}

/// Longer than any Norwegian compound a letter uses, give or take.
const GLUED_WORD_CHARS: usize = 30;
const MAX_MEAN_WORD_LETTERS: usize = 12;
/// Norwegian and English prose has a few per cent of one-letter words ("i", "å", "a").
const MAX_ONE_LETTER_PERCENT: usize = 10;

fn is_undecoded(text: &str) -> bool {
    text.is_empty()
        || text.chars().any(|c| {
            c == '\u{FFFD}'
                || (c.is_control() && !c.is_whitespace())
                || ('\u{E000}'..='\u{F8FF}').contains(&c)
                || ('\u{0590}'..='\u{08FF}').contains(&c)
                || ('\u{FB1D}'..='\u{FDFF}').contains(&c)
                || ('\u{FE70}'..='\u{FEFF}').contains(&c)
        })
}

/// Where the plain-text device of the current page writes.
#[derive(Clone, Default)]
struct PageSink(std::rc::Rc<std::cell::RefCell<String>>);

impl std::fmt::Write for PageSink {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.borrow_mut().push_str(s);
        Ok(())
    }
}

impl pdf_extract::ConvertToFmt for PageSink {
    type Writer = PageSink;
    fn convert(self) -> PageSink {
        self
    }
}

impl PagedText {
    fn page(&mut self) -> &mut pdf_extract::PlainTextOutput<PageSink> {
        let sink = &self.sink;
        self.page
            .get_or_insert_with(|| pdf_extract::PlainTextOutput::new(sink.clone()))
    }
}

impl pdf_extract::OutputDev for PagedText {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &pdf_extract::MediaBox,
        art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        self.current = Some(page_num);
        self.sink.0.borrow_mut().clear();
        self.page = None;
        self.glyphs = 0;
        self.undecoded = 0;
        self.page().begin_page(page_num, media_box, art_box)
    }

    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.page().end_page()?;
        if let Some(number) = self.current.take() {
            let text = std::mem::take(&mut *self.sink.0.borrow_mut());
            self.finished.push(PageText {
                number,
                text,
                glyphs: self.glyphs,
                undecoded: self.undecoded,
            });
        }
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        self.glyphs += 1;
        self.undecoded += usize::from(is_undecoded(char));
        if char.is_ascii() {
            return self
                .page()
                .output_character(trm, width, spacing, font_size, char);
        }
        // Ligatures ("ﬁ") and presentation forms become the letters they stand for, as
        // pdftotext writes them, so that words are found as typed.
        let plain: String = unicode_normalization::UnicodeNormalization::nfkc(char).collect();
        self.page()
            .output_character(trm, width, spacing, font_size, &plain)
    }

    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.page().begin_word()
    }

    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.page().end_word()
    }

    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.page().end_line()
    }
}

/// PDF text strings are UTF-16BE with a byte-order mark, or PDFDocEncoding (close enough to
/// Latin-1 for titles).
fn decode_pdf_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        s.to_string()
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

fn limit_self(memory_limit_mb: u64, cpu_secs: u64) -> io::Result<()> {
    use rlimit::Resource;
    let bytes = memory_limit_mb.saturating_mul(1024 * 1024);
    Resource::AS.set(bytes, bytes)?;
    // The CPU bound catches a process the caller's deadline would otherwise orphan.
    Resource::CPU.set(cpu_secs, cpu_secs + 1)?;
    Ok(())
}

fn check_header(path: &Path) -> Result<(), ExtractError> {
    let mut file = std::fs::File::open(path).map_err(ExtractError::Read)?;
    let mut head = Vec::with_capacity(64 * 1024);
    file.by_ref()
        .take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(ExtractError::Read)?;
    if head.is_empty() {
        return Err(ExtractError::Empty);
    }
    if !looks_like_pdf(&head) {
        return Err(ExtractError::NotPdf);
    }
    Ok(())
}

/// Whether the first bytes of a file are a PDF's: the `%PDF-` header within the first KiB
/// (the specification lets junk precede it), or, for files with a damaged header, PDF
/// objects that a repairing reader can still use.
pub fn looks_like_pdf(head: &[u8]) -> bool {
    let contains =
        |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
    let first_kib = &head[..head.len().min(1024)];
    contains(first_kib, b"%PDF-") || (contains(head, b" obj") && contains(head, b"endobj"))
}

struct RunningWorker {
    engine: Engine,
    /// When the caller stops waiting.
    deadline: Instant,
    child: Child,
    stdout: thread::JoinHandle<Vec<u8>>,
    stderr: thread::JoinHandle<Vec<u8>>,
}

struct WorkerResult {
    engine: Engine,
    status: std::process::ExitStatus,
    stdout: Vec<u8>,
    stderr: String,
}

fn spawn_worker(
    config: &ExtractConfig,
    engine: Engine,
    path: &Path,
    page: Option<u32>,
    deadline: Instant,
) -> Result<RunningWorker, ExtractError> {
    let left = deadline.saturating_duration_since(Instant::now());
    let cpu_secs = left.as_secs().max(1) + 1;
    let mut command = Command::new(&config.worker);
    command
        .arg("extract-worker")
        .arg("--engine")
        .arg(engine.id())
        .arg("--memory-mb")
        .arg(config.memory_limit_mb.to_string())
        .arg("--cpu-secs")
        .arg(cpu_secs.to_string());
    if let Some(page) = page {
        command
            .arg("--page")
            .arg(page.to_string())
            .arg("--ocr-languages")
            .arg(&config.ocr_languages);
    }
    command
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let programs: Vec<&PathBuf> = match engine {
        Engine::PdfExtract => Vec::new(),
        Engine::Pdftotext => config.pdftotext.iter().collect(),
        Engine::Ocr => config.pdftoppm.iter().chain(&config.tesseract).collect(),
    };
    let dirs: Vec<PathBuf> = programs
        .iter()
        .filter_map(|p| p.parent())
        .map(Path::to_path_buf)
        .collect();
    if !dirs.is_empty() {
        // The worker finds its programs on PATH; make sure the configured ones come first.
        let path_var = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = dirs;
        paths.extend(std::env::split_paths(&path_var));
        if let Ok(joined) = std::env::join_paths(paths) {
            command.env("PATH", joined);
        }
    }
    let mut child = command.spawn().map_err(ExtractError::Worker)?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    Ok(RunningWorker {
        engine,
        deadline,
        child,
        stdout,
        stderr,
    })
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buffer = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut buffer);
        }
        buffer
    })
}

fn finish(mut worker: RunningWorker, config: &ExtractConfig) -> Result<WorkerResult, ExtractError> {
    // Waiting for the second of two workers must not start its own full timeout after the
    // first has used up the bound.
    let left = worker.deadline.saturating_duration_since(Instant::now());
    let status = match worker.child.wait_timeout(left) {
        Ok(Some(status)) => status,
        Ok(None) | Err(_) => {
            let _ = worker.child.kill();
            let _ = worker.child.wait();
            let _ = worker.stdout.join();
            let _ = worker.stderr.join();
            return Err(ExtractError::Timeout(config.timeout.as_secs()));
        }
    };
    let stdout = worker.stdout.join().unwrap_or_default();
    let stderr = worker.stderr.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    if !status.success() && stderr.contains("memory allocation of") {
        return Err(ExtractError::OutOfMemory(config.memory_limit_mb));
    }
    Ok(WorkerResult {
        engine: worker.engine,
        status,
        stdout,
        stderr,
    })
}

/// The line of a tool's stderr that says most: its last error, else its last line.
fn telling_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let line = lines
        .iter()
        .rev()
        .find(|l| l.contains("Error") || l.contains("error"))
        .or(lines.last())
        .copied()
        .unwrap_or("no message");
    line.chars().take(300).collect()
}

fn describe_failure(result: &WorkerResult) -> ExtractError {
    let stderr = &result.stderr;
    if stderr.contains(ENCRYPTED_MARK) || stderr.contains("Incorrect password") {
        return ExtractError::Encrypted;
    }
    let reason = match result.status.code() {
        Some(_) => telling_line(stderr),
        None => format!("{} was stopped by a signal", result.engine.id()),
    };
    ExtractError::Unreadable(format!("{}: {reason}", result.engine.id()))
}

/// Tesseract's TSV for one page of `path` (empty for a page without images), from an OCR
/// worker bounded in memory like every worker and in time by the file's `deadline`.
pub(crate) fn ocr_page(
    config: &ExtractConfig,
    path: &Path,
    page: u32,
    deadline: Instant,
) -> Result<Vec<u8>, ExtractError> {
    let worker = spawn_worker(config, Engine::Ocr, path, Some(page), deadline)?;
    let result = finish(worker, config)?;
    if !result.status.success() {
        return Err(describe_failure(&result));
    }
    Ok(result.stdout)
}

fn parse_worker_output(result: &WorkerResult) -> Result<WorkerOutput, ExtractError> {
    if !result.status.success() {
        return Err(describe_failure(result));
    }
    serde_json::from_slice(&result.stdout).map_err(|e| {
        ExtractError::Unreadable(format!("pdf-extract worker gave malformed output: {e}"))
    })
}

fn parse_pdftotext_output(result: &WorkerResult) -> Result<Vec<String>, ExtractError> {
    if !result.status.success() {
        return Err(describe_failure(result));
    }
    let text = String::from_utf8_lossy(&result.stdout);
    // pdftotext ends every page with a form feed.
    let mut pages: Vec<String> = text.split('\u{0C}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    Ok(pages)
}

fn merge(primary: WorkerOutput, fallback: Vec<String>) -> Extracted {
    let metadata = primary.metadata;
    if primary.pages.len() != fallback.len() {
        // Without a page-for-page match, keep whichever carries more of the other's words.
        let primary_text = primary.pages.join("\n");
        let fallback_text = fallback.join("\n");
        let keep_primary = word_coverage(&primary_text, &fallback_text) >= MIN_PAGE_COVERAGE;
        return if keep_primary {
            Extracted {
                pages: primary.pages,
                metadata,
                source: "pdf-extract".into(),
            }
        } else {
            Extracted {
                pages: fallback,
                metadata,
                source: "pdftotext".into(),
            }
        };
    }

    let total = fallback.len();
    let mut replaced = 0;
    let pages = primary
        .pages
        .into_iter()
        .zip(fallback)
        .map(|(pe, pt)| {
            if word_coverage(&pe, &pt) >= MIN_PAGE_COVERAGE {
                pe
            } else {
                replaced += 1;
                pt
            }
        })
        .collect();
    let source = match replaced {
        0 => "pdf-extract".to_string(),
        n if n == total => "pdftotext".to_string(),
        n => format!("pdf-extract; {n} of {total} pages from pdftotext"),
    };
    Extracted {
        pages,
        metadata,
        source,
    }
}

/// Of two failures, the one that tells the user more.
fn most_telling(primary: ExtractError, fallback: ExtractError) -> ExtractError {
    use ExtractError::*;
    match (&primary, &fallback) {
        (Encrypted, _) | (_, Encrypted) => Encrypted,
        (Timeout(_), _) => primary,
        (_, Timeout(_)) => fallback,
        (OutOfMemory(_), _) => primary,
        (Unreadable(a), Unreadable(b)) => Unreadable(format!("{a}; {b}")),
        _ => primary,
    }
}

pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}
