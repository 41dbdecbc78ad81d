//! Measured relevance: the judged set (`resources/relevance/judgements.toml`) over the sample
//! archive and `../shared/corpus/{norwegian,conventions}`, measured with nDCG@10, recall@20
//! and MRR. The floors are set a little under the measured values (BENCHMARKS.md), so a
//! change to analysis or ranking that makes results worse fails here.

use std::path::PathBuf;
use std::sync::OnceLock;

use arkiv::index::{ArchiveIndex, SearchRequest};
use arkiv::relevance::{self, JUDGED_FOLDERS, Judgements, RECALL_DEPTH};

use crate::support::{programs, run_ingest};

/// nDCG@10 of arkiv on the judged set may not fall below this.
const NDCG_FLOOR: f64 = 0.84;
const MRR_FLOOR: f64 = 0.90;

/// The judged documents ingested once into a temporary index.
pub(crate) fn judged_index() -> &'static ArchiveIndex {
    static INDEX: OnceLock<(tempfile::TempDir, ArchiveIndex)> = OnceLock::new();
    let (_, index) = INDEX.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("documents");
        std::fs::create_dir_all(&docs).unwrap();
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        for folder in JUDGED_FOLDERS {
            for entry in std::fs::read_dir(root.join(folder)).unwrap() {
                let path = entry.unwrap().path();
                let keep = path.extension().is_some_and(|e| e == "pdf" || e == "toml");
                if keep {
                    std::fs::copy(&path, docs.join(path.file_name().unwrap())).unwrap();
                }
            }
        }
        let (index, report) = run_ingest(&docs, &dir.path().join("index"));
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        (dir, index)
    });
    index
}

/// arkiv's ranking of a query: file names, best first.
fn ranking(query: &str) -> Result<Vec<String>, arkiv::index::IndexError> {
    let results = judged_index().search(&SearchRequest {
        query: query.to_string(),
        limit: RECALL_DEPTH,
        ..SearchRequest::default()
    })?;
    Ok(results
        .hits
        .into_iter()
        .map(|h| h.submission.file)
        .collect())
}

#[test]
fn the_judged_set_is_whole() {
    let judgements = Judgements::shipped().unwrap();
    assert!(
        judgements.queries.len() >= 80,
        "{}",
        judgements.queries.len()
    );
    for kind in [
        "convention",
        "law",
        "topic",
        "compound",
        "english",
        "nynorsk",
        "misspelling",
    ] {
        assert!(
            judgements.queries.iter().any(|q| q.kind == kind),
            "no {kind} query"
        );
    }
    // Every judged file exists in the folders the set reads.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for q in &judgements.queries {
        assert!(
            q.grades.values().any(|g| *g > 0),
            "{}: nothing relevant",
            q.q
        );
        for file in q.grades.keys() {
            assert!(
                JUDGED_FOLDERS
                    .iter()
                    .any(|f| root.join(f).join(file).is_file()),
                "{}: {file} is not in the judged folders",
                q.q
            );
        }
    }
}

#[test]
fn measures_follow_their_definitions() {
    let grades = [("a".to_string(), 2u8), ("b".to_string(), 1)]
        .into_iter()
        .collect();
    let perfect = relevance::score(&["a".into(), "b".into()], &grades);
    assert!((perfect.ndcg - 1.0).abs() < 1e-9);
    assert!((perfect.recall - 1.0).abs() < 1e-9);
    assert!((perfect.reciprocal_rank - 1.0).abs() < 1e-9);
    let late = relevance::score(&["x".into(), "b".into()], &grades);
    assert!(late.ndcg < 0.5, "{late:?}");
    assert!((late.recall - 0.5).abs() < 1e-9);
    assert!((late.reciprocal_rank - 0.5).abs() < 1e-9);
    let none = relevance::score(&[], &grades);
    assert_eq!(none.ndcg, 0.0);
}

#[test]
fn relevance_stays_above_its_floor() {
    // The floor is measured with compound splitting, which needs the word lists.
    if programs::require(["pdftotext", "hunspell-no"]).is_none() {
        return;
    }
    let judgements = Judgements::shipped().unwrap();
    let scores = relevance::evaluate(&judgements, ranking).unwrap();
    for (q, kind, s) in &scores.per_query {
        eprintln!(
            "{kind:12} {:.3} {:.3} {:.3} {q}",
            s.ndcg, s.recall, s.reciprocal_rank
        );
    }
    eprintln!(
        "nDCG@10 {:.3}  recall@20 {:.3}  MRR {:.3}",
        scores.ndcg, scores.recall, scores.mrr
    );
    assert!(scores.ndcg >= NDCG_FLOOR, "nDCG@10 {:.3}", scores.ndcg);
    assert!(scores.mrr >= MRR_FLOOR, "MRR {:.3}", scores.mrr);
}
