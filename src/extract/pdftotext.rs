//! poppler's `pdftotext`: run as a worker process, which becomes the program, and its output
//! read back page by page. As a separate program its GPL does not reach into arkiv.

use std::path::Path;
use std::process::{Command, ExitCode};

use super::ExtractError;
use super::process::{WorkerResult, describe_failure, find_on_path};

/// The body of `arkiv extract-worker --engine pdftotext`, after the worker has bounded
/// itself: becomes pdftotext (exec), so the bounds and the caller's deadline apply to it.
pub(super) fn run(path: &Path) -> ExitCode {
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

/// The pages pdftotext printed.
pub(super) fn parse_output(result: &WorkerResult) -> Result<Vec<String>, ExtractError> {
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
