//! Watches the extraction workers of a running ingest through `/proc`: for each PDF, how
//! long its workers ran and the high-water mark of their resident memory (`VmHWM`, sampled
//! every few milliseconds, so only the last moments before a worker exits can escape it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const INTERVAL: Duration = Duration::from_millis(4);

/// What the workers of one file did.
#[derive(Debug, Clone, Default)]
pub struct FileStats {
    pub first_seen: Option<Instant>,
    pub last_seen: Option<Instant>,
    /// Peak resident memory per engine, KiB.
    pub peak_kib: HashMap<String, u64>,
    pub processes: usize,
}

impl FileStats {
    /// Wall time from the first worker seen to the last one gone.
    pub fn seconds(&self) -> f64 {
        match (self.first_seen, self.last_seen) {
            (Some(a), Some(b)) => (b - a).as_secs_f64(),
            _ => 0.0,
        }
    }

    pub fn peak_mib(&self, engine: &str) -> Option<f64> {
        self.peak_kib.get(engine).map(|k| *k as f64 / 1024.0)
    }

    pub fn max_peak_mib(&self) -> f64 {
        self.peak_kib.values().copied().max().unwrap_or(0) as f64 / 1024.0
    }
}

pub struct Monitor {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<HashMap<String, FileStats>>,
}

impl Monitor {
    /// Starts watching workers whose file lies in `dir`.
    pub fn start(dir: &Path) -> Monitor {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let dir = dir.to_path_buf();
        let handle = std::thread::spawn(move || watch(&dir, &flag));
        Monitor { stop, handle }
    }

    /// Stops and returns the statistics by file name.
    pub fn finish(self) -> HashMap<String, FileStats> {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.join().unwrap()
    }
}

fn watch(dir: &Path, stop: &AtomicBool) -> HashMap<String, FileStats> {
    let mut stats: HashMap<String, FileStats> = HashMap::new();
    // Processes already counted, by (pid, start time).
    let mut seen: std::collections::HashSet<(u32, u64)> = Default::default();
    while !stop.load(Ordering::SeqCst) {
        let now = Instant::now();
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for entry in entries.flatten() {
                let Some(pid) = entry
                    .file_name()
                    .to_str()
                    .and_then(|s| s.parse::<u32>().ok())
                else {
                    continue;
                };
                let Some((file, engine)) = worker_of(pid, dir) else {
                    continue;
                };
                let Some(hwm) = vm_hwm_kib(pid) else {
                    continue;
                };
                let s = stats.entry(file).or_default();
                if seen.insert((pid, start_time(pid).unwrap_or(0))) {
                    s.processes += 1;
                }
                s.first_seen.get_or_insert(now);
                s.last_seen = Some(now);
                let peak = s.peak_kib.entry(engine).or_default();
                *peak = (*peak).max(hwm);
            }
        }
        std::thread::sleep(INTERVAL);
    }
    stats
}

/// The file and engine of an extraction worker (before or after it became pdftotext).
fn worker_of(pid: u32, dir: &Path) -> Option<(String, String)> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let (engine, file) = if args.iter().any(|a| a == "extract-worker") {
        let engine = args
            .iter()
            .position(|a| a == "--engine")
            .and_then(|i| args.get(i + 1))?
            .clone();
        (engine, args.last()?.clone())
    } else if args
        .first()
        .is_some_and(|a| a == "pdftotext" || a.ends_with("/pdftotext"))
    {
        (
            "pdftotext".to_string(),
            args.get(args.len().checked_sub(2)?)?.clone(),
        )
    } else {
        return None;
    };
    let path = PathBuf::from(file);
    (path.parent() == Some(dir)).then(|| {
        (
            path.file_name().unwrap().to_string_lossy().into_owned(),
            engine,
        )
    })
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Field 22, counted after the command name (which may contain spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// `/usr/bin/time` (GNU time), when installed: its `%M` is the largest resident set of the
/// program and of every descendant it waited for, exactly (from `wait4`).
pub fn gnu_time() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/time");
    path.is_file().then_some(path)
}
