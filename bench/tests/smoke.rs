//! The benchmark harness (`bench/run.sh`) at smoke size, so it cannot rot: a 1k-document
//! corpus, 20 PDFs, 12 queries, one round, debug binaries (`run.py` builds arkiv and the
//! benchmark programs first), and the peers (PostgreSQL, SQLite FTS5) and wrk as in a full
//! run. Its figures mean nothing; what is checked is that every step ran and measured
//! something. `cargo test -p arkiv-bench` runs it (and `.ci/run`).

#[path = "../../tests/it/support/programs.rs"]
mod programs;

use std::path::Path;
use std::process::Command;

#[test]
fn the_benchmark_harness_runs_every_step_at_smoke_size() {
    let needed = [
        "python3",
        "pdftotext",
        "initdb",
        "pg_ctl",
        "postgres",
        "wrk",
    ];
    if programs::require(needed).is_none() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let work = tempfile::tempdir().unwrap();
    let out = Command::new("python3")
        .arg("bench/run.py")
        .args(["--smoke", "--work"])
        .arg(work.path())
        .current_dir(&root)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "bench/run.py --smoke failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(work.path().join("results.json")).unwrap();
    let results: serde_json::Value = serde_json::from_str(&text).unwrap();
    let size = &results["sizes"]["1000"];
    let positive = |v: &serde_json::Value, what: &str| {
        assert!(v.as_f64().is_some_and(|x| x > 0.0), "{what}: {v}");
    };
    positive(&size["index"]["docs"], "documents indexed");
    positive(&size["search"]["latency"]["samples"], "in-process search");
    positive(&size["http"]["api"]["latency"]["samples"], "HTTP search");
    assert_eq!(size["http"]["api"]["errors"], 0);
    for conns in ["16", "64"] {
        positive(&size["http"]["wrk"][conns]["rps"], "wrk");
        assert_eq!(size["http"]["wrk"][conns]["non_2xx"], 0);
    }
    positive(&size["sqlite"]["latency"]["samples"], "SQLite FTS5");
    positive(&size["postgres"]["latency"]["samples"], "PostgreSQL");
    positive(&results["ingest"]["synthetic"]["pages_per_s"], "ingest");
    positive(
        &results["extract"]["synthetic"]["modes"]["arkiv"]["1"]["pages_per_s"],
        "extraction",
    );
}
