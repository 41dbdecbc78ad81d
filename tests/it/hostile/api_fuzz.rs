//! schemathesis against `/api/openapi.json` of a running `arkiv serve` under small-VPS limits:
//! every operation the document describes, with generated valid and invalid input, once
//! anonymously and once with a staff member's API token, and every check schemathesis has
//! (server errors, answers against the schema, invalid input refused, valid input accepted,
//! undeclared methods answered 405, ...). Zero failures expected. Each run is bounded by
//! examples per operation and by time (`ARKIV_SCHEMATHESIS_EXAMPLES`, default 25, and
//! `ARKIV_SCHEMATHESIS_SECONDS`, default 100); `ARKIV_HOSTILE_SEED` replays a run.

use std::path::Path;
use std::process::Command;

use super::knob;
use crate::support::{Server, ServerLimits, copy_samples, programs, staff_token};

/// Runs schemathesis against the server, with `headers`; returns whether it found nothing,
/// and what it printed.
fn schemathesis(
    program: &Path,
    server: &Server,
    headers: &[String],
    seed: u64,
    work: &Path,
) -> (bool, String) {
    let examples = knob("ARKIV_SCHEMATHESIS_EXAMPLES", 25);
    let seconds = knob("ARKIV_SCHEMATHESIS_SECONDS", 100);
    let mut command = Command::new(program);
    command
        // What the OpenAPI document cannot say (see the file).
        .arg(format!(
            "--config-file={}/tests/it/hostile/schemathesis.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg("run")
        .arg(server.url("/api/openapi.json"))
        // The document names the public address; the test server has its own.
        .arg("--url")
        .arg(server.url(""))
        .arg(format!("--max-examples={examples}"))
        .arg(format!("--max-time={seconds}"))
        .arg(format!("--seed={seed}"))
        // No `--checks`: every check is on by default, and one named on the command line
        // would override the per-operation settings of the file above.
        .args([
            "--workers=1",
            "--request-timeout=60",
            "--generation-database=none",
            "--no-color",
        ]);
    for header in headers {
        command.arg("--header").arg(header);
    }
    // Whatever schemathesis leaves behind stays in the temporary folder.
    let out = command.current_dir(work).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The server's peak resident memory in MiB (`VmHWM`), while it runs.
fn peak_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// The end of schemathesis's report, where its failures and summary are.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(120)..].join("\n")
}

#[test]
fn schemathesis_finds_nothing_anonymous_or_with_a_token() {
    let Some([program, _]) = programs::require(["schemathesis", "prlimit"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    let data = dir.path().join("data");
    copy_samples(&docs);
    let token = staff_token(&data);
    let mut server = Server::start_with(
        &docs,
        &dir.path().join("index"),
        &data,
        ServerLimits::SmallVps,
        &[],
    );
    let (_, seed) = super::seeded_rng("schemathesis");
    let mut failed = Vec::new();
    for (who, headers) in [
        ("anonymous", Vec::new()),
        ("token", vec![format!("Authorization: Bearer {token}")]),
    ] {
        let (ok, report) = schemathesis(&program, &server, &headers, seed, dir.path());
        let cases = report
            .lines()
            .find(|l| l.contains(" generated"))
            .unwrap_or("")
            .trim()
            .to_string();
        println!(
            "HOSTILE schemathesis client={who} ok={ok} cases=\"{cases}\" server-peak-rss={:.0}MiB seed={seed}",
            peak_mib(server.pid())
        );
        if !ok {
            failed.push(format!("--- schemathesis ({who}) ---\n{}", tail(&report)));
        }
    }
    assert!(
        server.running(),
        "the server died under schemathesis (its log follows)"
    );
    assert!(
        failed.is_empty(),
        "schemathesis found failures:\n{}",
        failed.join("\n")
    );
}
