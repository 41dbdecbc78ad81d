//! Part 2: SIGKILL at random moments, during `arkiv ingest` and during uploads and edits to
//! a running server. After every kill the index opens at once and holds a committed state
//! (the one before the run or the one after it, never a mix), every acknowledged upload and
//! edit is in it, and the next ingest agrees exactly with `documents/`: every PDF once,
//! under the id of its bytes, with its sidecar's title, nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;

use arkiv::index::ArchiveIndex;
use arkiv::model::DocId;

use super::badpdf::text_pdf;
use super::server::{self, Server, api_patch, api_upload, pdf_with, word_for};
use super::{knob, seeded_rng};
use crate::support::{arkiv_bin, copy_samples};

/// file → (id, title)
type State = BTreeMap<String, (String, String)>;

/// Runs `arkiv ingest --json`; returns the report and the seconds it took.
fn cli_ingest(docs: &Path, index: &Path) -> (serde_json::Value, f64) {
    let started = Instant::now();
    let out = Command::new(arkiv_bin())
        .args(["ingest", "--json", "--documents"])
        .arg(docs)
        .arg("--index")
        .arg(index)
        .output()
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "ingest after a kill: {:?}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (serde_json::from_slice(&out.stdout).unwrap(), seconds)
}

fn state_of_report(report: &serde_json::Value) -> State {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                (
                    d["id"].as_str().unwrap().to_string(),
                    d["title"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

fn state_of_index(index: &ArchiveIndex) -> State {
    index
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| {
            (
                d.submission.file.clone(),
                (d.submission.id.to_string(), d.submission.title.clone()),
            )
        })
        .collect()
}

/// What the index must hold for `documents/` as it is: (lost files, duplicated or ghost
/// entries, other disagreements).
fn disagreements(
    docs: &Path,
    report: &serde_json::Value,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut lost = Vec::new();
    let mut duplicates = Vec::new();
    let mut other = Vec::new();
    for f in report["failed"].as_array().unwrap() {
        other.push(format!("failed: {f}"));
    }
    let state = state_of_report(report);
    let entries = arkiv::library::Library::new(docs).entries().unwrap();
    let files: BTreeSet<String> = entries.iter().map(|e| e.file.clone()).collect();
    for entry in &entries {
        let bytes = std::fs::read(&entry.pdf).unwrap();
        let id = DocId::from_content(&bytes).to_string();
        match state.get(&entry.file) {
            None => lost.push(entry.file.clone()),
            Some((indexed_id, title)) => {
                if indexed_id != &id {
                    other.push(format!(
                        "{}: indexed as {indexed_id}, bytes are {id}",
                        entry.file
                    ));
                }
                if let Ok(text) = std::fs::read_to_string(&entry.sidecar) {
                    let sidecar = arkiv::library::Sidecar::parse(&entry.file, &text).unwrap();
                    if let Some(t) = sidecar.title
                        && &t != title
                    {
                        other.push(format!(
                            "{}: title `{title}`, sidecar says `{t}`",
                            entry.file
                        ));
                    }
                }
            }
        }
    }
    for file in state.keys() {
        if !files.contains(file) {
            duplicates.push(format!("{file} is indexed but not in documents/"));
        }
    }
    let ids: BTreeSet<&String> = state.values().map(|(id, _)| id).collect();
    if ids.len() != state.len() {
        duplicates.push(format!(
            "{} entries, {} distinct ids",
            state.len(),
            ids.len()
        ));
    }
    (lost, duplicates, other)
}

/// Changes the library between trials, so every killed run has work to do: two new
/// PDFs, a changed PDF, a changed sidecar, and a removal.
fn change_library(docs: &Path, trial: usize) {
    for k in 0..2 {
        let word = word_for("tilskudd", trial * 2 + k);
        let pages: Vec<String> = (1..=3)
            .map(|p| format!("Innspill om {word}, side {p}, om barnekonvensjonen artikkel 12"))
            .collect();
        let refs: Vec<&str> = pages.iter().map(String::as_str).collect();
        std::fs::write(docs.join(format!("trial-{trial}-{k}.pdf")), text_pdf(&refs)).unwrap();
    }
    if trial > 0 {
        // The previous trial's first file gets new bytes; its second goes away.
        let word = word_for("endret", trial);
        std::fs::write(
            docs.join(format!("trial-{}-0.pdf", trial - 1)),
            text_pdf(&[&format!("Høringssvar om {word}")]),
        )
        .unwrap();
        std::fs::remove_file(docs.join(format!("trial-{}-1.pdf", trial - 1))).unwrap();
    }
    std::fs::write(
        docs.join(format!("trial-{trial}-0.toml")),
        format!("title = \"Tittel i forsøk {trial}\"\nkind = \"innspill\"\n"),
    )
    .unwrap();
}

#[test]
fn sigkill_during_ingest_leaves_a_committed_state_and_converges() {
    let trials = knob("ARKIV_HOSTILE_KILLS", 3) as usize;
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    let index_dir = dir.path().join("index");
    copy_samples(&docs);
    let (report, mut work) = cli_ingest(&docs, &index_dir);
    let mut previous = state_of_report(&report);
    // The delays also scale with how long the last ingest took, so a replay is close, not
    // exact.
    let (mut rng, seed) = seeded_rng("kills-ingest");
    let (mut mid_run, mut before_kill) = (0, 0);
    let (mut lost, mut duplicates, mut other, mut torn) = (0, 0, Vec::new(), 0);
    for trial in 0..trials {
        change_library(&docs, trial);
        let delay = Duration::from_secs_f64(rng.random_range(0.0..work * 1.2 + 0.05));
        let mut child = spawn_ingest(&docs, &index_dir);
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.code().is_some() {
            before_kill += 1;
        } else {
            mid_run += 1;
        }
        // The index opens at once and holds one committed state.
        let now = {
            let index = ArchiveIndex::open_or_create(&index_dir)
                .unwrap_or_else(|e| panic!("trial {trial}: the index does not open: {e}"));
            state_of_index(&index)
        };
        let (report, seconds) = cli_ingest(&docs, &index_dir);
        work = seconds;
        let after = state_of_report(&report);
        if now != previous && now != after {
            torn += 1;
        }
        let (l, d, o) = disagreements(&docs, &report);
        lost += l.len();
        duplicates += d.len();
        other.extend(o.into_iter().chain(l).chain(d));
        previous = after;
    }
    println!(
        "HOSTILE kills-ingest trials={trials} killed-mid-run={mid_run} finished-before-kill={before_kill} \
         torn-states={torn} lost={lost} duplicates={duplicates} other-disagreements={} seed={seed}",
        other.len()
    );
    assert_eq!(
        torn, 0,
        "an index after a kill was neither the old nor the new state"
    );
    assert!(other.is_empty(), "{other:#?}");
    assert_eq!((lost, duplicates), (0, 0));
}

/// What the clients were told.
#[derive(Default)]
struct Told {
    /// id → word, for every 201.
    uploads: BTreeMap<String, String>,
    /// id → title, for every 200 to a PATCH.
    edits: BTreeMap<String, String>,
    /// Words sent without an answer (the server died): sent again in the next trial.
    unanswered: Vec<String>,
    conflicts: usize,
}

#[test]
fn sigkill_during_uploads_loses_no_acknowledged_change() {
    let trials = knob("ARKIV_HOSTILE_KILLS", 3) as usize;
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    let index_dir = dir.path().join("index");
    let data = dir.path().join("data");
    copy_samples(&docs);
    let token = server::staff_token(&data);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let told = Arc::new(Mutex::new(Told::default()));
    let counter = Arc::new(AtomicUsize::new(0));
    let (mut rng, seed) = seeded_rng("kills-uploads");
    let (mut lost_uploads, mut lost_edits, mut duplicates, mut other) = (0, 0, 0, Vec::new());
    let mut retried = 0;
    for trial in 0..trials {
        let mut server = Server::start(&docs, &index_dir, &data);
        let url = server.url("");
        let stop = Arc::new(AtomicBool::new(false));
        let retry: Vec<String> = std::mem::take(&mut told.lock().unwrap().unanswered);
        retried += retry.len();
        let retry = Arc::new(Mutex::new(retry));
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let (url, token, told, counter, stop, retry) = (
                url.clone(),
                token.clone(),
                told.clone(),
                counter.clone(),
                stop.clone(),
                retry.clone(),
            );
            tasks.push(runtime.spawn(async move {
                let client = server::client();
                while !stop.load(Ordering::SeqCst) {
                    let again = retry.lock().unwrap().pop();
                    let word = again.unwrap_or_else(|| {
                        word_for("opplasting", counter.fetch_add(1, Ordering::SeqCst))
                    });
                    let reply =
                        api_upload(&client, &url, &token, &[], "x.pdf", &pdf_with(&word)).await;
                    let id = match reply {
                        Ok(r) if r.status == 201 => r.json()["id"].as_str().unwrap().to_string(),
                        Ok(r) if r.status == 409 => {
                            told.lock().unwrap().conflicts += 1;
                            continue;
                        }
                        Ok(r) => panic!("upload answered {}: {:?}", r.status, r.body),
                        Err(_) => {
                            told.lock().unwrap().unanswered.push(word);
                            break;
                        }
                    };
                    told.lock()
                        .unwrap()
                        .uploads
                        .insert(id.clone(), word.clone());
                    let title = format!("Redigert {word}");
                    let patch = serde_json::json!({ "title": title });
                    match api_patch(&client, &url, &token, &id, &patch).await {
                        Ok(r) if r.status == 200 => {
                            told.lock().unwrap().edits.insert(id, title);
                        }
                        Ok(r) => panic!("edit answered {}: {:?}", r.status, r.body),
                        Err(_) => break,
                    }
                }
            }));
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(300..2500)));
        server.kill();
        stop.store(true, Ordering::SeqCst);
        for task in tasks {
            runtime.block_on(task).unwrap();
        }
        let told = told.lock().unwrap();
        // Right after the kill, before any new ingest: acknowledged means committed.
        let index = ArchiveIndex::open_or_create(&index_dir)
            .unwrap_or_else(|e| panic!("trial {trial}: the index does not open: {e}"));
        for (id, word) in &told.uploads {
            match index.document(&DocId::parse(id).unwrap()).unwrap() {
                None => {
                    lost_uploads += 1;
                    other.push(format!(
                        "upload {id} ({word}) acknowledged, not in the index"
                    ));
                }
                Some(doc) => {
                    if let Some(title) = told.edits.get(id)
                        && &doc.title != title
                    {
                        lost_edits += 1;
                        other.push(format!("edit of {id} to `{title}` lost: `{}`", doc.title));
                    }
                }
            }
        }
        drop(index);
        let (report, _) = cli_ingest(&docs, &index_dir);
        let (l, d, o) = disagreements(&docs, &report);
        duplicates += d.len();
        other.extend(o.into_iter().chain(l).chain(d));
        let indexed: BTreeSet<String> = state_of_report(&report)
            .into_values()
            .map(|(id, _)| id)
            .collect();
        for id in told.uploads.keys() {
            if !indexed.contains(id) {
                lost_uploads += 1;
                other.push(format!("upload {id} lost after the next ingest"));
            }
        }
    }
    let told = told.lock().unwrap();
    println!(
        "HOSTILE kills-upload trials={trials} uploads-acknowledged={} edits-acknowledged={} \
         unanswered-then-retried={retried} retries-answered-409={} \
         unanswered-at-the-last-kill={} lost-uploads={lost_uploads} \
         lost-edits={lost_edits} duplicates={duplicates} other-disagreements={} seed={seed}",
        told.uploads.len(),
        told.edits.len(),
        told.conflicts,
        told.unanswered.len(),
        other.len()
    );
    assert!(other.is_empty(), "{other:#?}");
    assert_eq!((lost_uploads, lost_edits, duplicates), (0, 0, 0));
    assert!(
        !told.uploads.is_empty(),
        "no upload was acknowledged at all"
    );
}

/// One PDF in a fresh folder; returns the documents folder.
fn one_document(dir: &Path) -> std::path::PathBuf {
    let docs = dir.join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("a.pdf"), pdf_with("forsteindeks")).unwrap();
    docs
}

/// Starts `arkiv ingest`, silent, to be killed.
fn spawn_ingest(docs: &Path, index: &Path) -> std::process::Child {
    Command::new(arkiv_bin())
        .args(["ingest", "--documents"])
        .arg(docs)
        .arg("--index")
        .arg(index)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Runs `arkiv ingest`; returns its exit code and the last line of its stderr.
fn ingest_outcome(docs: &Path, index: &Path) -> (Option<i32>, String) {
    let out = Command::new(arkiv_bin())
        .args(["ingest", "--json", "--documents"])
        .arg(docs)
        .arg("--index")
        .arg(index)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    (
        out.status.code(),
        stderr.trim().lines().last().unwrap_or("").to_string(),
    )
}

/// The states a kill during the very first run can leave the index folder in: tantivy's
/// files without arkiv's version file, or with a torn one. The next run must take the
/// folder up, as it does after a kill at any later moment, rather than call it foreign.
#[test]
fn an_index_whose_creation_was_cut_short_opens() {
    let mut refused = Vec::new();
    for (state, version) in [
        ("no version file", None),
        ("empty version file", Some("")),
        ("half a version file", Some("{\"schema_ver")),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let docs = one_document(dir.path());
        let index = dir.path().join("index");
        drop(ArchiveIndex::open_or_create(&index).unwrap());
        let version_file = index.join("arkiv-index.json");
        match version {
            None => std::fs::remove_file(&version_file).unwrap(),
            Some(text) => std::fs::write(&version_file, text).unwrap(),
        }
        let (code, message) = ingest_outcome(&docs, &index);
        if code != Some(0) {
            refused.push(format!("{state}: {message}"));
        }
    }
    // A folder of someone else's files is still refused.
    let dir = tempfile::tempdir().unwrap();
    let docs = one_document(dir.path());
    let index = dir.path().join("index");
    std::fs::create_dir_all(&index).unwrap();
    std::fs::write(index.join("notes.txt"), "not an index").unwrap();
    assert_eq!(ingest_outcome(&docs, &index).0, Some(2));
    assert!(refused.is_empty(), "{refused:#?}");
}

#[test]
fn sigkill_while_a_fresh_index_is_created() {
    let trials = knob("ARKIV_HOSTILE_KILLS", 3) as usize * 5;
    let (mut rng, seed) = seeded_rng("kills-fresh-index");
    let mut refused = Vec::new();
    // Kills land at random in the first moments of a run, up to twice the time it takes
    // a first run to get as far as a complete index folder here.
    let created = {
        let dir = tempfile::tempdir().unwrap();
        let docs = one_document(dir.path());
        let index = dir.path().join("index");
        let started = Instant::now();
        let mut child = spawn_ingest(&docs, &index);
        while !index.join("arkiv-index.json").exists()
            && started.elapsed() < Duration::from_secs(30)
        {
            std::thread::sleep(Duration::from_micros(200));
        }
        let created = started.elapsed().as_micros() as u64;
        assert!(child.wait().unwrap().success());
        created
    };
    for _ in 0..trials {
        let dir = tempfile::tempdir().unwrap();
        let docs = one_document(dir.path());
        let index = dir.path().join("index");
        let mut child = spawn_ingest(&docs, &index);
        std::thread::sleep(Duration::from_micros(rng.random_range(0..created * 2)));
        let _ = child.kill();
        let _ = child.wait();
        let (code, message) = ingest_outcome(&docs, &index);
        if code != Some(0) {
            refused.push(message);
        }
    }
    println!(
        "HOSTILE kills-fresh-index trials={trials} refused-afterwards={} seed={seed}",
        refused.len()
    );
    assert!(refused.is_empty(), "{refused:#?}");
}

/// A kill during a commit, replayed exactly: the commit's new deletion files (`.del`) are
/// on disk and registered with tantivy, but `meta.json` still names the commit before. The
/// next run does the same work, reaches the same operation stamp and must write a file of
/// the same name; it must not fail for that (nor must every run after it).
#[test]
fn a_commit_cut_short_does_not_block_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    for word in ["forsta", "andra", "tredje"] {
        std::fs::write(docs.join(format!("{word}.pdf")), pdf_with(word)).unwrap();
    }
    let index = dir.path().join("index");
    cli_ingest(&docs, &index);
    // Work with deletions: a changed sidecar (delete and add) and a removed file.
    std::fs::write(docs.join("forsta.toml"), "title = \"Ny tittel\"\n").unwrap();
    std::fs::remove_file(docs.join("andra.pdf")).unwrap();

    let before = dir.path().join("index-before");
    copy_dir(&index, &before);
    cli_ingest(&docs, &index);
    let names = |d: &Path| -> BTreeSet<String> {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let written: Vec<String> = names(&index)
        .difference(&names(&before))
        .filter(|n| n.ends_with(".del"))
        .cloned()
        .collect();
    assert!(!written.is_empty(), "the commit wrote no deletion file");
    // The state a kill after those files and before `meta.json` leaves.
    let mut managed: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(before.join(".managed.json")).unwrap())
            .unwrap();
    for name in &written {
        std::fs::copy(index.join(name), before.join(name)).unwrap();
        managed.push(name.clone());
    }
    std::fs::write(
        before.join(".managed.json"),
        serde_json::to_string(&managed).unwrap(),
    )
    .unwrap();

    for run in 1..=2 {
        let (code, message) = ingest_outcome(&docs, &before);
        assert_eq!(code, Some(0), "run {run} after the cut commit: {message}");
    }
    let (report, _) = cli_ingest(&docs, &before);
    let (lost, duplicates, other) = disagreements(&docs, &report);
    assert!(lost.is_empty() && duplicates.is_empty() && other.is_empty());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}
