//! poppler's `pdftotext`: run as a worker process, which becomes the program, and its output
//! read back page by page. As a separate program its GPL does not reach into arkiv.

use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode};

use super::process::{WorkerResult, describe_failure, find_on_path};
use super::{ExtractError, PdfMetadata};

/// Begins the line the worker prints before pdftotext's text: the file's metadata as JSON.
const METADATA_MARK: &str = "arkiv-metadata: ";

/// The body of `arkiv extract-worker --engine pdftotext`, after the worker has bounded
/// itself: prints the file's title and date (pdftotext gives only text), then becomes
/// pdftotext (exec), so the bounds and the caller's deadline apply to it.
pub(super) fn run(path: &Path) -> ExitCode {
    use std::os::unix::process::CommandExt;
    let metadata = super::pdf_extract_reader::read_metadata(path);
    let line = serde_json::to_string(&metadata).expect("metadata serializes");
    let mut stdout = std::io::stdout().lock();
    // exec drops whatever is still buffered.
    if writeln!(stdout, "{METADATA_MARK}{line}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::from(3);
    }
    drop(stdout);
    let program = find_on_path("pdftotext").unwrap_or_else(|| "pdftotext".into());
    let err = Command::new(program)
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .exec();
    eprintln!("cannot run pdftotext: {err}");
    ExitCode::from(3)
}

/// The pages pdftotext printed, and the metadata line before them.
pub(super) fn parse_output(
    result: &WorkerResult,
) -> Result<(Vec<String>, PdfMetadata), ExtractError> {
    if !result.status.success() {
        return Err(describe_failure(result));
    }
    let text = String::from_utf8_lossy(&result.stdout);
    let (metadata, text) = match text.strip_prefix(METADATA_MARK) {
        Some(rest) => {
            let (line, text) = rest.split_once('\n').unwrap_or((rest, ""));
            (serde_json::from_str(line).unwrap_or_default(), text)
        }
        None => (PdfMetadata::default(), &*text),
    };
    // pdftotext ends every page with a form feed.
    let mut pages: Vec<String> = text.split('\u{0C}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    Ok((pages, metadata))
}

/// Whether pdftotext turned (almost) every glyph of a page into a character: otherwise
/// pdf-extract, which decodes fonts its own way, is asked too.
pub(super) fn page_decoded(page: &str) -> bool {
    let (mut chars, mut undecoded) = (0usize, 0usize);
    for c in page.chars().filter(|c| !c.is_whitespace()) {
        chars += 1;
        if c == '\u{FFFD}' || c.is_control() || ('\u{E000}'..='\u{F8FF}').contains(&c) {
            undecoded += 1;
        }
    }
    undecoded * 100 <= chars
}
