//! The command line as people and scripts use it: JSON summaries, exit codes, the single
//! writer, reindex and schema versions.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{Server, arkiv_bin, copy_samples, write_pdf};

fn arkiv(args: &[&str], documents: &Path, index: &Path) -> Output {
    Command::new(arkiv_bin())
        .args(args)
        .arg("--documents")
        .arg(documents)
        .arg("--index")
        .arg(index)
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn ingest_json_summary_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    let index = dir.path().join("index");
    copy_samples(&docs);
    let first = arkiv(&["ingest", "--json"], &docs, &index);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let summary = json(&first);
    let documents = summary["documents"].as_array().unwrap();
    assert!(documents.len() >= 15);
    assert_eq!(
        summary["indexed"].as_u64().unwrap() as usize,
        documents.len()
    );
    for doc in documents {
        for key in [
            "id",
            "file",
            "title",
            "kind",
            "conventions",
            "articles",
            "pages",
            "status",
        ] {
            assert!(doc.get(key).is_some(), "{key} missing in {doc}");
        }
        assert_eq!(doc["id"].as_str().unwrap().len(), 32);
        if let Some(date) = doc["date"].as_str() {
            assert_eq!(doc["year"].as_i64().unwrap().to_string(), date[..4]);
        }
    }
    let second = json(&arkiv(&["ingest", "--json"], &docs, &index));
    assert_eq!(second["indexed"], 0);
    assert_eq!(
        second["unchanged"].as_u64().unwrap() as usize,
        documents.len()
    );

    std::fs::write(docs.join("broken.pdf"), b"%PDF-1.4 nothing else").unwrap();
    let third = arkiv(&["ingest", "--json"], &docs, &index);
    assert_eq!(third.status.code(), Some(1));
    let failed = json(&third)["failed"].clone();
    assert_eq!(failed[0]["file"], "broken.pdf");
    assert!(!failed[0]["error"].as_str().unwrap().is_empty());

    let plain = arkiv(&["ingest"], &docs, &index);
    let text = String::from_utf8_lossy(&plain.stdout);
    assert!(text.contains("failed: broken.pdf: "), "{text}");
}

#[test]
fn search_command_prints_hits() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    let index = dir.path().join("index");
    copy_samples(&docs);
    assert!(arkiv(&["ingest"], &docs, &index).status.success());
    let out = Command::new(arkiv_bin())
        .args(["search", "omvendt", "voldsalarm", "--json", "--index"])
        .arg(&index)
        .output()
        .unwrap();
    assert!(out.status.success());
    let results = json(&out);
    assert!(results["total"].as_u64().unwrap() >= 1);
    assert!(results["hits"][0]["pages"][0]["page"].as_u64().unwrap() >= 1);
    let text = Command::new(arkiv_bin())
        .args(["search", "voldsalarm", "--convention", "echr", "--index"])
        .arg(&index)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("treff"), "{text}");
    assert!(text.contains("echr"), "{text}");
    // Snippets are plain text: no markup, no entities, and (stdout is a pipe here) no
    // terminal styles.
    assert!(
        text.lines()
            .any(|l| l.starts_with("  s. ") && l.to_lowercase().contains("voldsalarm")),
        "{text}"
    );
    for needle in ["<b>", "&#", "&amp;", "&lt;", "\x1b["] {
        assert!(!text.contains(needle), "{needle:?} in {text}");
    }
}

/// A running server owns the index's writer: ingest refuses, and nothing is damaged.
#[test]
fn ingest_refuses_while_the_server_writes() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    let index = dir.path().join("index");
    std::fs::create_dir_all(&docs).unwrap();
    write_pdf(&docs, "a.pdf", None, &["Innspill om Istanbulkonvensjonen"]);
    let mut server = Server::start(&docs, &index, &dir.path().join("data"));
    let out = arkiv(&["ingest"], &docs, &index);
    server.kill();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("another process is writing"), "{stderr}");
    let after = json(&arkiv(&["ingest", "--json"], &docs, &index));
    assert_eq!(after["documents"].as_array().unwrap().len(), 1);
}

#[test]
fn other_schema_versions_are_rebuilt_by_ingest_and_reindex() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    let index = dir.path().join("index");
    std::fs::create_dir_all(&docs).unwrap();
    write_pdf(&docs, "a.pdf", None, &["Høringssvar om EMK artikkel 8"]);
    assert!(arkiv(&["ingest"], &docs, &index).status.success());
    std::fs::write(index.join(".gitkeep"), b"").unwrap();
    std::fs::write(index.join("arkiv-index.json"), br#"{"schema_version":0}"#).unwrap();

    // Reading commands name the way out; ingest (and serve) rebuild the derived index.
    let refused = arkiv(&["search", "EMK"], &docs, &index);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("arkiv reindex"));
    let ingested = arkiv(&["ingest", "--json"], &docs, &index);
    assert!(ingested.status.success());
    assert!(String::from_utf8_lossy(&ingested.stderr).contains("rebuilding"));
    assert_eq!(json(&ingested)["indexed"], 1);
    assert!(index.join(".gitkeep").exists());

    std::fs::write(index.join("arkiv-index.json"), br#"{"schema_version":0}"#).unwrap();
    let rebuilt = arkiv(&["reindex", "--json"], &docs, &index);
    assert!(
        rebuilt.status.success(),
        "{}",
        String::from_utf8_lossy(&rebuilt.stderr)
    );
    assert_eq!(json(&rebuilt)["indexed"], 1);
    assert!(
        index.join(".gitkeep").exists(),
        "reindex dropped the folder's dotfiles"
    );
    let again = json(&arkiv(&["ingest", "--json"], &docs, &index));
    assert_eq!(
        (again["indexed"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(1))
    );
}
