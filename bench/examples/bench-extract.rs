//! Extraction throughput and completeness: arkiv's extraction against poppler's
//! `pdftotext` on the same files, in the same run, on one core and on all cores.
//!
//!     bench-extract --arkiv target/release/arkiv [--threads 1,2] DIR_OR_PDF...
//!
//! Modes, each over every file with T parallel workers:
//! - `pdftotext`: `pdftotext -enc UTF-8 FILE -`, the reference;
//! - `arkiv`: `arkiv::extract::extract_file` as ingest runs it (the pdf-extract worker and
//!   the pdftotext worker, both bounded, merged page by page);
//! - `pdf_extract_only`: the same without pdftotext, to show what each half costs.
//!
//! Pages are pdftotext's page count of each file, the same for every mode. Coverage is
//! `arkiv::extract::word_coverage` of arkiv's text against pdftotext's, per file and over
//! all words, from the one-worker runs. Prints one JSON object. Part of the harness run by `bench/run.sh`.

use arkiv_bench as support;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use arkiv::extract::{ExtractConfig, extract_file, word_coverage, words};
use serde_json::{Value, json};

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for e in entries {
            collect(&e, out);
        }
    } else if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
    {
        out.push(path.to_path_buf());
    }
}

fn pdftotext(path: &Path) -> Option<String> {
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn page_count(text: &str) -> usize {
    let n = text.matches('\u{0C}').count();
    if text.ends_with('\u{0C}') { n } else { n + 1 }
}

/// Runs `work` on every file with `threads` workers; returns wall seconds and failures.
fn run_all<F>(files: &[PathBuf], threads: usize, work: F) -> (f64, usize)
where
    F: Fn(usize, &Path) -> bool + Sync,
{
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    if !work(i, file) {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    (started.elapsed().as_secs_f64(), failed.into_inner())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arkiv: PathBuf =
        support::arg(&args, "--arkiv").context("--arkiv PATH to the arkiv binary")?;
    let threads: Vec<usize> = support::arg::<String>(&args, "--threads")
        .unwrap_or_else(|| "1,2".into())
        .split(',')
        .filter_map(|t| t.parse().ok())
        .collect();
    let mut files = Vec::new();
    let mut skip = false;
    for a in &args {
        if skip {
            skip = false;
            continue;
        }
        if a.starts_with("--") {
            skip = true;
            continue;
        }
        collect(Path::new(a), &mut files);
    }

    // The reference: pdftotext's text and page count of every file.
    let reference: Vec<Option<String>> = files.iter().map(|f| pdftotext(f)).collect();
    let pages: usize = reference.iter().flatten().map(|t| page_count(t)).sum();
    let full = ExtractConfig::new(arkiv.clone());
    let mut alone = ExtractConfig::new(arkiv);
    alone.pdftotext = None;

    // The texts of the one-worker runs, for coverage: (arkiv, pdf-extract alone).
    let texts: [Vec<Mutex<Option<String>>>; 2] = [
        files.iter().map(|_| Mutex::new(None)).collect(),
        files.iter().map(|_| Mutex::new(None)).collect(),
    ];
    let mut modes = serde_json::Map::new();
    for (name, config, keep) in [
        ("pdftotext", None, None),
        ("arkiv", Some(&full), Some(&texts[0])),
        ("pdf_extract_only", Some(&alone), Some(&texts[1])),
    ] {
        let mut by_threads = serde_json::Map::new();
        for &t in &threads {
            let (seconds, failed) = run_all(&files, t, |i, f| match config {
                None => pdftotext(f).is_some(),
                Some(c) => match extract_file(f, c) {
                    Ok(e) => {
                        if let (1, Some(keep)) = (t, keep) {
                            *keep[i].lock().expect("lock") = Some(e.pages.join("\n"));
                        }
                        true
                    }
                    Err(_) => false,
                },
            });
            by_threads.insert(
                t.to_string(),
                json!({"seconds": seconds, "failed": failed, "pages_per_s": pages as f64 / seconds}),
            );
        }
        modes.insert(name.to_string(), Value::Object(by_threads));
    }

    // Completeness, file by file, of arkiv's text (and of pdf-extract's alone).
    let coverage = |texts: &[Mutex<Option<String>>]| {
        let (mut covered, mut total, mut per_file) = (0.0f64, 0usize, Vec::new());
        for (text, reference) in texts.iter().zip(&reference) {
            let Some(reference) = reference else { continue };
            let n = words(reference).len();
            if n == 0 {
                continue;
            }
            let text = text.lock().expect("lock").clone().unwrap_or_default();
            let c = word_coverage(&text, reference);
            covered += c * n as f64;
            total += n;
            per_file.push(c);
        }
        per_file.sort_by(|a, b| a.total_cmp(b));
        json!({
            "files": per_file.len(),
            "words": total,
            "overall": covered / total.max(1) as f64,
            "min_file": per_file.first(),
            "files_at_least_99pct": per_file.iter().filter(|c| **c >= 0.99).count(),
        })
    };
    println!(
        "{}",
        json!({
            "files": files.len(),
            "pdftotext_failed": reference.iter().filter(|r| r.is_none()).count(),
            "pages": pages,
            "modes": modes,
            "coverage_arkiv": coverage(&texts[0]),
            "coverage_pdf_extract_only": coverage(&texts[1]),
        })
    );
    Ok(())
}
