//! Measured relevance: the judged evaluation set (`resources/relevance/judgements.toml`) and
//! the measures computed from it (nDCG@10, recall@20, MRR). The search engine is given as
//! a function from a query to a ranked list of file names, so arkiv and its peers
//! (PostgreSQL in the benchmark harness) are measured on the same judgements.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// The judged set as shipped in the repository.
pub const JUDGEMENTS: &str = include_str!("../resources/relevance/judgements.toml");

/// How deep the ranking is read for each measure.
pub const NDCG_DEPTH: usize = 10;
pub const RECALL_DEPTH: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum JudgementsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("bad judgements: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("query {query:?} grades {file:?} {grade}; grades are 0, 1 or 2")]
    Grade {
        query: String,
        file: String,
        grade: u8,
    },
}

/// One judged query: the words typed, what kind of query it is (convention, law, topic,
/// compound, english, nynorsk, misspelling), and the grade of each document (by file
/// name) that is not 0.
#[derive(Debug, Clone, Deserialize)]
pub struct JudgedQuery {
    pub q: String,
    pub kind: String,
    #[serde(default)]
    pub grades: BTreeMap<String, u8>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Judgements {
    #[serde(rename = "query")]
    pub queries: Vec<JudgedQuery>,
}

impl Judgements {
    /// The set shipped in the repository.
    pub fn shipped() -> Result<Judgements, JudgementsError> {
        Judgements::parse(JUDGEMENTS)
    }

    pub fn load(path: &Path) -> Result<Judgements, JudgementsError> {
        let text = std::fs::read_to_string(path).map_err(|source| JudgementsError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Judgements::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Judgements, JudgementsError> {
        let judgements: Judgements = toml::from_str(text)?;
        for q in &judgements.queries {
            if let Some((file, &grade)) = q.grades.iter().find(|(_, g)| **g > 2) {
                return Err(JudgementsError::Grade {
                    query: q.q.clone(),
                    file: file.clone(),
                    grade,
                });
            }
        }
        Ok(judgements)
    }
}

/// The measures of one query.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QueryScores {
    pub ndcg: f64,
    pub recall: f64,
    pub reciprocal_rank: f64,
}

/// The measures over a set, each the mean over its queries.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    pub ndcg: f64,
    pub recall: f64,
    pub mrr: f64,
    /// Each query's own measures, in the order of the set.
    pub per_query: Vec<(String, String, QueryScores)>,
}

impl Scores {
    /// The mean measures of the queries of one kind.
    pub fn of_kind(&self, kind: &str) -> (usize, QueryScores) {
        let of: Vec<&QueryScores> = self
            .per_query
            .iter()
            .filter(|(_, k, _)| k == kind)
            .map(|(_, _, s)| s)
            .collect();
        let n = of.len().max(1) as f64;
        let mean = QueryScores {
            ndcg: of.iter().map(|s| s.ndcg).sum::<f64>() / n,
            recall: of.iter().map(|s| s.recall).sum::<f64>() / n,
            reciprocal_rank: of.iter().map(|s| s.reciprocal_rank).sum::<f64>() / n,
        };
        (of.len(), mean)
    }
}

/// Measures one ranking (file names, best first) against a query's grades.
pub fn score(ranking: &[String], grades: &BTreeMap<String, u8>) -> QueryScores {
    let gain = |g: u8| (2f64.powi(g as i32)) - 1.0;
    let discount = |rank: usize| 1.0 / ((rank as f64) + 2.0).log2();
    let dcg: f64 = ranking
        .iter()
        .take(NDCG_DEPTH)
        .enumerate()
        .map(|(i, f)| gain(grades.get(f).copied().unwrap_or(0)) * discount(i))
        .sum();
    let mut ideal: Vec<u8> = grades.values().copied().filter(|g| *g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(NDCG_DEPTH)
        .enumerate()
        .map(|(i, g)| gain(*g) * discount(i))
        .sum();
    let relevant = grades.values().filter(|g| **g > 0).count();
    let found = ranking
        .iter()
        .take(RECALL_DEPTH)
        .filter(|f| grades.get(*f).is_some_and(|g| *g > 0))
        .count();
    let first = ranking
        .iter()
        .position(|f| grades.get(f).is_some_and(|g| *g > 0));
    QueryScores {
        ndcg: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        recall: if relevant > 0 {
            found as f64 / relevant as f64
        } else {
            0.0
        },
        reciprocal_rank: first.map(|p| 1.0 / (p as f64 + 1.0)).unwrap_or(0.0),
    }
}

/// Runs every judged query through `search` (a query → file names, best first) and
/// measures the rankings. Queries without a relevant document are left out of the means.
pub fn evaluate<E>(
    judgements: &Judgements,
    mut search: impl FnMut(&str) -> Result<Vec<String>, E>,
) -> Result<Scores, E> {
    let mut scores = Scores::default();
    for q in &judgements.queries {
        if !q.grades.values().any(|g| *g > 0) {
            continue;
        }
        let ranking = search(&q.q)?;
        scores
            .per_query
            .push((q.q.clone(), q.kind.clone(), score(&ranking, &q.grades)));
    }
    let n = scores.per_query.len().max(1) as f64;
    scores.ndcg = scores.per_query.iter().map(|(_, _, s)| s.ndcg).sum::<f64>() / n;
    scores.recall = scores
        .per_query
        .iter()
        .map(|(_, _, s)| s.recall)
        .sum::<f64>()
        / n;
    scores.mrr = scores
        .per_query
        .iter()
        .map(|(_, _, s)| s.reciprocal_rank)
        .sum::<f64>()
        / n;
    Ok(scores)
}

/// The documents the judged set reads, by folder: the sample archive and the shared
/// corpus's Norwegian and convention folders (paths relative to the project root).
pub const JUDGED_FOLDERS: [&str; 3] = [
    "documents",
    "../shared/corpus/norwegian",
    "../shared/corpus/conventions",
];
