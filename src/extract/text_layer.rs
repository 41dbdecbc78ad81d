//! The text layer, read by the caller's side of the workers. The faster extractor for the
//! file goes first: pdf-extract for plainly made PDFs (standard fonts), poppler's
//! `pdftotext` for the rest when it is installed. The other reads the file only when the
//! first failed or left a page unread, and the two are merged page by page (see the module
//! above for the rules).

use std::io::Read;
use std::path::Path;
use std::time::Instant;

use super::coverage::word_coverage;
use super::pdf_extract_reader::WorkerOutput;
use super::process::{WorkerResult, describe_failure, finish, spawn_worker};
use super::{Engine, ExtractConfig, ExtractError, Extracted, PdfMetadata, pdftotext};

/// Share of pdftotext's words on a page that pdf-extract must also produce for its page to
/// be kept.
pub const MIN_PAGE_COVERAGE: f64 = 0.99;

/// The text of the PDF at `path`, page by page, within `deadline`.
pub(super) fn read(
    path: &Path,
    config: &ExtractConfig,
    deadline: Instant,
) -> Result<Extracted, ExtractError> {
    let head = check_header(path)?;
    // The first extractor gets half the time: the other may read at once what it loops on.
    let now = Instant::now();
    let half = now + deadline.saturating_duration_since(now) / 2;
    match &config.pdftotext {
        Some(_) if !made_simply(&head) => pdftotext_first(path, config, half, deadline),
        _ => pdf_extract_first(path, config, half, deadline),
    }
}

/// Whether a PDF looks machine-made in the plainest way: the standard fonts, none embedded,
/// no object streams (judged from its first bytes). pdf-extract reads such files whole and
/// faster than pdftotext; on everything else (embedded TrueType and CID fonts, designed
/// layouts) it is several times slower, so pdftotext reads those first.
fn made_simply(head: &[u8]) -> bool {
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    // "/BaseFont /Helvetica" or "/BaseFont/Helvetica": the name after any white space.
    let standard_font = head
        .windows(b"/BaseFont".len())
        .enumerate()
        .filter(|(_, w)| *w == b"/BaseFont")
        .any(|(at, _)| {
            let rest = &head[at + b"/BaseFont".len()..];
            let name = rest.trim_ascii_start();
            [b"/Helvetica".as_slice(), b"/Times", b"/Courier"]
                .iter()
                .any(|font| name.starts_with(font))
        });
    let designed = [
        b"/FontFile".as_slice(),
        b"/ObjStm",
        b"/Type0",
        b"/CIDFont",
        b"/Type /XRef",
        b"/Type/XRef",
    ]
    .iter()
    .any(|mark| contains(mark));
    standard_font && !designed
}

/// pdf-extract first; pdftotext only when pdf-extract failed or a page does not look whole
/// (see `PageText::looks_complete`), and the two merged page by page.
fn pdf_extract_first(
    path: &Path,
    config: &ExtractConfig,
    half: Instant,
    deadline: Instant,
) -> Result<Extracted, ExtractError> {
    let primary = finish(
        spawn_worker(config, Engine::PdfExtract, path, None, half)?,
        config,
    )
    .and_then(|out| parse_worker_output(&out));
    let complete = matches!(&primary, Ok(pe) if pe.complete);
    let fallback = match &config.pdftotext {
        Some(_) if !complete => Some(run_pdftotext(path, config, deadline)?),
        _ => None,
    };
    combine(primary, fallback)
}

/// pdftotext first; pdf-extract only when pdftotext failed or left a page's glyphs
/// undecoded, and then the two merged page by page as in [`pdf_extract_first`].
fn pdftotext_first(
    path: &Path,
    config: &ExtractConfig,
    half: Instant,
    deadline: Instant,
) -> Result<Extracted, ExtractError> {
    let first = run_pdftotext(path, config, half)?;
    if let Ok((pages, metadata)) = &first
        && pages.iter().all(|page| pdftotext::page_decoded(page))
    {
        return Ok(Extracted {
            pages: pages.clone(),
            metadata: metadata.clone(),
            source: "pdftotext".into(),
        });
    }
    let second = finish(
        spawn_worker(config, Engine::PdfExtract, path, None, deadline)?,
        config,
    )
    .and_then(|out| parse_worker_output(&out));
    combine(second, Some(first))
}

fn run_pdftotext(
    path: &Path,
    config: &ExtractConfig,
    deadline: Instant,
) -> Result<Result<(Vec<String>, PdfMetadata), ExtractError>, ExtractError> {
    Ok(finish(
        spawn_worker(config, Engine::Pdftotext, path, None, deadline)?,
        config,
    )
    .and_then(|out| pdftotext::parse_output(&out)))
}

/// pdf-extract's reading and pdftotext's (when it ran) as one text: page by page, a
/// pdf-extract page is kept when it holds pdftotext's words.
fn combine(
    pdf_extract: Result<WorkerOutput, ExtractError>,
    pdftotext: Option<Result<(Vec<String>, PdfMetadata), ExtractError>>,
) -> Result<Extracted, ExtractError> {
    match (pdf_extract, pdftotext) {
        (Ok(pe), Some(Ok((pt, _)))) => Ok(merge(pe, pt)),
        (Ok(pe), _) => Ok(Extracted {
            pages: pe.pages,
            metadata: pe.metadata,
            source: "pdf-extract".into(),
        }),
        (Err(_), Some(Ok((pt, metadata)))) => Ok(Extracted {
            pages: pt,
            metadata,
            source: "pdftotext".into(),
        }),
        (Err(primary_error), Some(Err(fallback_error))) => {
            Err(most_telling(primary_error, fallback_error))
        }
        (Err(primary_error), None) => Err(primary_error),
    }
}

/// Checks that the file is a PDF, and returns its first 64 KiB.
fn check_header(path: &Path) -> Result<Vec<u8>, ExtractError> {
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
    Ok(head)
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

fn parse_worker_output(result: &WorkerResult) -> Result<WorkerOutput, ExtractError> {
    if !result.status.success() {
        return Err(describe_failure(result));
    }
    serde_json::from_slice(&result.stdout).map_err(|e| {
        ExtractError::Unreadable(format!("pdf-extract worker gave malformed output: {e}"))
    })
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
