//! Worker processes, from the caller's side: start `arkiv extract-worker` for one engine,
//! bounded in memory by the worker itself and in time by a deadline the caller enforces, and
//! collect what it printed. The readers run inside them (see `worker.rs`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::Instant;

use wait_timeout::ChildExt;

use super::{Engine, ExtractConfig, ExtractError};

/// Marks the worker's stderr so the caller can tell a password problem from other errors.
pub(super) const ENCRYPTED_MARK: &str = "arkiv-worker: encrypted";

pub(super) struct RunningWorker {
    engine: Engine,
    /// When the caller stops waiting.
    deadline: Instant,
    child: Child,
    stdout: thread::JoinHandle<Vec<u8>>,
    stderr: thread::JoinHandle<Vec<u8>>,
}

pub(super) struct WorkerResult {
    engine: Engine,
    pub(super) status: std::process::ExitStatus,
    pub(super) stdout: Vec<u8>,
    stderr: String,
}

pub(super) fn spawn_worker(
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

pub(super) fn finish(
    mut worker: RunningWorker,
    config: &ExtractConfig,
) -> Result<WorkerResult, ExtractError> {
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

pub(super) fn describe_failure(result: &WorkerResult) -> ExtractError {
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

/// A program's path, the first on `PATH`.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}
