//! Measured relevance on the judged set (`resources/relevance/judgements.toml`): nDCG@10,
//! recall@20 and MRR for arkiv, and on the same judgements for PostgreSQL's `norwegian`
//! full-text search (`websearch_to_tsquery`, ranked by `ts_rank`, title weighted above
//! body as in `bench-postgres`) over the same extracted text.
//!
//!     bench-relevance --index DIR [--conn "host=DIR port=P user=U dbname=D"] [--per-query]
//!
//! DIR is an arkiv index of the judged folders (`bench/run.sh --only relevance` builds it
//! with `arkiv ingest`). PostgreSQL is loaded from the text arkiv extracted, so both engines
//! rank the same words. Prints one line of JSON, then a table on stderr.

use std::path::PathBuf;

use anyhow::{Context, Result};
use arkiv::index::{ArchiveIndex, SearchRequest};
use arkiv::relevance::{self, Judgements, RECALL_DEPTH, Scores};
use arkiv_bench as support;
use postgres::{Client, NoTls};
use serde_json::json;

const TABLE: &str = "arkiv_relevance";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let index_dir: PathBuf = support::arg(&args, "--index").context("--index DIR")?;
    let conn: Option<String> = support::arg(&args, "--conn");
    let per_query = support::flag(&args, "--per-query");
    let judgements = Judgements::shipped()?;
    let index = ArchiveIndex::open_or_create(&index_dir)?;

    let arkiv = relevance::evaluate(&judgements, |q| -> Result<Vec<String>> {
        let results = index.search_uncached(&SearchRequest {
            query: q.to_string(),
            limit: RECALL_DEPTH,
            ..SearchRequest::default()
        })?;
        Ok(results
            .hits
            .into_iter()
            .map(|h| h.submission.file)
            .collect())
    })?;

    let postgres = match &conn {
        Some(conn) => {
            let mut client = Client::connect(conn, NoTls)?;
            load(&mut client, &index)?;
            let statement = client.prepare(&format!(
                "SELECT file FROM {TABLE}, websearch_to_tsquery('norwegian', $1) q
                 WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, file LIMIT {RECALL_DEPTH}"
            ))?;
            Some(relevance::evaluate(
                &judgements,
                |q| -> Result<Vec<String>> {
                    let rows = client.query(&statement, &[&q])?;
                    Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
                },
            )?)
        }
        None => None,
    };

    let summary = |s: &Scores| {
        let kinds: serde_json::Map<String, serde_json::Value> = [
            "convention",
            "law",
            "topic",
            "compound",
            "english",
            "nynorsk",
            "misspelling",
        ]
        .iter()
        .map(|k| {
            let (n, m) = s.of_kind(k);
            (
                k.to_string(),
                json!({"queries": n, "ndcg10": m.ndcg, "recall20": m.recall, "mrr": m.reciprocal_rank}),
            )
        })
        .collect();
        json!({"queries": s.per_query.len(), "ndcg10": s.ndcg, "recall20": s.recall, "mrr": s.mrr, "kinds": kinds})
    };
    println!(
        "{}",
        json!({"arkiv": summary(&arkiv), "postgres": postgres.as_ref().map(summary)})
    );
    eprintln!("engine       queries  nDCG@10  recall@20  MRR");
    for (name, s) in [("arkiv", Some(&arkiv)), ("postgres", postgres.as_ref())] {
        if let Some(s) = s {
            eprintln!(
                "{name:12} {:7}  {:7.3}  {:9.3}  {:.3}",
                s.per_query.len(),
                s.ndcg,
                s.recall,
                s.mrr
            );
        }
    }
    if per_query {
        for (i, (q, kind, a)) in arkiv.per_query.iter().enumerate() {
            let p = postgres.as_ref().map(|p| p.per_query[i].2.ndcg);
            eprintln!(
                "{kind:12} arkiv {:.3}  postgres {}  {q}",
                a.ndcg,
                p.map(|p| format!("{p:.3}")).unwrap_or_else(|| "-".into())
            );
        }
    }
    Ok(())
}

/// (Re)creates the table from the documents of the arkiv index: title and every page.
fn load(client: &mut Client, index: &ArchiveIndex) -> Result<()> {
    client.batch_execute(&format!(
        "DROP TABLE IF EXISTS {TABLE};
         CREATE TABLE {TABLE} (
           file text PRIMARY KEY, title text, body text,
           tsv tsvector GENERATED ALWAYS AS (
             setweight(to_tsvector('norwegian', coalesce(title, '')), 'A') ||
             setweight(to_tsvector('norwegian', body), 'B')) STORED);"
    ))?;
    let all = index.search_all(&SearchRequest::default())?;
    let insert = client.prepare(&format!(
        "INSERT INTO {TABLE} (file, title, body) VALUES ($1, $2, $3)"
    ))?;
    for hit in all.hits {
        let pages = index.pages(&hit.submission.id)?;
        // PostgreSQL refuses NUL in text; extraction may leave one in.
        let body = pages.join("\n").replace('\0', " ");
        client.execute(
            &insert,
            &[&hit.submission.file, &hit.submission.title, &body],
        )?;
    }
    Ok(())
}
