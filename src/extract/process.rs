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
    stdout: thread::JoinHandle<(Vec<u8>, bool)>,
    stderr: thread::JoinHandle<(Vec<u8>, bool)>,
}

pub(super) struct WorkerResult {
    engine: Engine,
    pub(super) status: std::process::ExitStatus,
    pub(super) stdout: Vec<u8>,
    /// Whether the worker printed more than it was allowed and `stdout` was cut.
    pub(super) truncated: bool,
    stderr: String,
}

pub(super) fn spawn_worker(
    config: &ExtractConfig,
    engine: Engine,
    path: &Path,
    page: Option<u32>,
    deadline: Instant,
) -> Result<RunningWorker, ExtractError> {
    let mut args = Vec::new();
    if let Some(page) = page {
        args.extend([
            "--page".to_string(),
            page.to_string(),
            "--ocr-languages".to_string(),
            config.ocr_languages.clone(),
        ]);
    }
    spawn_job(config, engine, path, args, deadline, usize::MAX)
}

/// Starts a worker for `engine` with extra arguments (`args`), keeping at most
/// `max_output` bytes of what it prints (the rest is read and dropped, so the worker is
/// never stuck on a full pipe, and the result says it was cut).
pub(super) fn spawn_job(
    config: &ExtractConfig,
    engine: Engine,
    path: &Path,
    args: Vec<String>,
    deadline: Instant,
    max_output: usize,
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
    command.args(args);
    command
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let programs: Vec<&PathBuf> = match engine {
        Engine::PdfExtract => Vec::new(),
        Engine::Pdftotext => config.pdftotext.iter().collect(),
        Engine::Ocr => config.pdftoppm.iter().chain(&config.tesseract).collect(),
        Engine::Render => config.pdftoppm.iter().collect(),
        Engine::Words => config.pdftotext.iter().collect(),
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
    let stdout = drain(child.stdout.take(), max_output);
    let stderr = drain(child.stderr.take(), MAX_STDERR);
    Ok(RunningWorker {
        engine,
        deadline,
        child,
        stdout,
        stderr,
    })
}

/// What is kept of a worker's stderr: its messages, never a flood.
const MAX_STDERR: usize = 1024 * 1024;

/// Reads a pipe to its end, keeping the first `max` bytes; the flag says more came.
fn drain<R: Read + Send + 'static>(
    pipe: Option<R>,
    max: usize,
) -> thread::JoinHandle<(Vec<u8>, bool)> {
    thread::spawn(move || {
        let mut buffer = Vec::new();
        let mut cut = false;
        if let Some(pipe) = pipe {
            let mut pipe = pipe.take(max as u64);
            let _ = pipe.read_to_end(&mut buffer);
            let mut rest = pipe.into_inner();
            cut = std::io::copy(&mut rest, &mut std::io::sink()).is_ok_and(|n| n > 0);
        }
        (buffer, cut)
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
    let (stdout, truncated) = worker.stdout.join().unwrap_or_default();
    let (stderr, _) = worker.stderr.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    if !status.success() && stderr.contains("memory allocation of") {
        return Err(ExtractError::OutOfMemory(config.memory_limit_mb));
    }
    Ok(WorkerResult {
        engine: worker.engine,
        status,
        stdout,
        truncated,
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
