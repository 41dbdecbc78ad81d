//! The SQLite FTS5 peer (rusqlite with the bundled SQLite): loads the benchmark corpus's
//! TSV and runs the same query mix with the same work per query as arkiv's search page:
//! all matching documents counted, facet counts per convention, year, kind and article,
//! the 20 best by bm25 (title weighted 3:1, as arkiv boosts titles) and a snippet for each.
//!
//!     bench-sqlite --tsv FILE --db FILE [--rounds R] [--budget S] [--threads T] [--seconds S] [--queries K]
//!
//! The database is built when the file does not exist yet (the load is timed). FTS5's
//! `unicode61` tokenizer has no Norwegian stemmer (kommunen and kommuner stay different
//! words), unlike arkiv and PostgreSQL; it does fold diacritics (å → a). Prints one JSON
//! object. Part of the harness run by `bench/run.sh`.

use arkiv_bench as support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use rusqlite::{Connection, OpenFlags, params};
use serde_json::json;
use support::queries::BenchQuery;
use support::stats;

const SEARCH: &str = "
WITH m AS MATERIALIZED (
  SELECT rowid AS id, rank AS r FROM fts WHERE fts MATCH ?1
    AND (?2 IS NULL OR rowid IN (SELECT doc FROM doc_conv WHERE conv = ?2))
    AND (?3 IS NULL OR rowid IN (SELECT rowid FROM docs WHERE year BETWEEN ?3 AND ?4))
)
SELECT 'total', NULL, count(*) FROM m
UNION ALL SELECT 'convention', c.conv, count(*) FROM m JOIN doc_conv c ON c.doc = m.id GROUP BY c.conv
UNION ALL SELECT 'year', d.year, count(*) FROM m JOIN docs d ON d.rowid = m.id GROUP BY d.year
UNION ALL SELECT 'kind', d.kind, count(*) FROM m JOIN docs d ON d.rowid = m.id GROUP BY d.kind
UNION ALL SELECT 'article', a.art, count(*) FROM m JOIN doc_art a ON a.doc = m.id GROUP BY a.art
UNION ALL SELECT * FROM (SELECT 'hit', m.id, m.r FROM m ORDER BY m.r LIMIT 20)";

const SNIPPET: &str = "
SELECT d.id, d.title, d.date, snippet(fts, 1, '<b>', '</b>', '…', 64)
FROM fts JOIN docs d ON d.rowid = fts.rowid
WHERE fts MATCH ?1 AND fts.rowid = ?2";

fn load(tsv: &Path, db: &Path) -> Result<serde_json::Value> {
    let started = Instant::now();
    let mut conn = Connection::open(db)?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;
         CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT, title TEXT, date TEXT, year INTEGER, kind TEXT);
         CREATE TABLE doc_conv(doc INTEGER, conv TEXT);
         CREATE TABLE doc_art(doc INTEGER, art TEXT);
         CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'unicode61');
         INSERT INTO fts(fts, rank) VALUES('rank', 'bm25(3.0, 1.0)');",
    )?;
    let tx = conn.transaction()?;
    let mut rows = 0usize;
    let mut text_bytes = 0usize;
    {
        let mut doc = tx.prepare("INSERT INTO docs VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        let mut conv = tx.prepare("INSERT INTO doc_conv VALUES (?1, ?2)")?;
        let mut art = tx.prepare("INSERT INTO doc_art VALUES (?1, ?2)")?;
        let mut fts = tx.prepare("INSERT INTO fts(rowid, title, body) VALUES (?1, ?2, ?3)")?;
        let mut failure = None;
        support::tsv::read_rows(tsv, |r| {
            let result = (|| -> rusqlite::Result<()> {
                doc.execute(params![r.rowid, r.id, r.title, r.date, r.year, r.kind])?;
                for c in &r.conventions {
                    conv.execute(params![r.rowid, c])?;
                }
                for a in &r.articles {
                    art.execute(params![r.rowid, a])?;
                }
                fts.execute(params![r.rowid, r.title, r.body])?;
                Ok(())
            })();
            if let Err(e) = result {
                failure.get_or_insert(e);
            }
            rows += 1;
            text_bytes += r.body.len();
        })?;
        if let Some(e) = failure {
            return Err(e.into());
        }
    }
    tx.commit()?;
    conn.execute_batch(
        "CREATE INDEX doc_conv_doc ON doc_conv(doc); CREATE INDEX doc_conv_conv ON doc_conv(conv, doc);
         CREATE INDEX doc_art_doc ON doc_art(doc); CREATE INDEX docs_year ON docs(year);
         INSERT INTO fts(fts) VALUES('optimize'); ANALYZE;",
    )?;
    drop(conn);
    let seconds = started.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(db)?.len();
    Ok(json!({
        "docs": rows, "seconds": seconds, "docs_per_s": rows as f64 / seconds,
        "db_bytes": bytes, "db_to_text": bytes as f64 / text_bytes.max(1) as f64,
    }))
}

fn open(db: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch("PRAGMA cache_size = -262144; PRAGMA mmap_size = 17179869184;")?;
    Ok(conn)
}

/// One search; returns the number of matching documents.
fn search(conn: &Connection, q: &BenchQuery) -> rusqlite::Result<i64> {
    let expr = q.fts5();
    let conv = q.convention.map(|c| c.id());
    let (from, to) = q.years.map_or((None, None), |(a, b)| (Some(a), Some(b)));
    let mut stmt = conn.prepare_cached(SEARCH)?;
    let mut rows = stmt.query(params![expr, conv, from, to])?;
    let mut total = 0i64;
    let mut hits: Vec<i64> = Vec::with_capacity(20);
    let mut facets = 0usize;
    while let Some(row) = rows.next()? {
        let kind: String = row.get(0)?;
        match kind.as_str() {
            "total" => total = row.get(2)?,
            "hit" => hits.push(row.get(1)?),
            _ => facets += 1,
        }
    }
    let mut snippet = conn.prepare_cached(SNIPPET)?;
    let mut bytes = facets;
    for id in hits {
        let mut rows = snippet.query(params![expr, id])?;
        if let Some(row) = rows.next()? {
            let s: String = row.get(3)?;
            bytes += s.len();
        }
    }
    std::hint::black_box(bytes);
    Ok(total)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tsv: PathBuf = support::arg(&args, "--tsv").context("--tsv FILE")?;
    let db: PathBuf = support::arg(&args, "--db").context("--db FILE")?;
    let rounds = support::arg(&args, "--rounds").unwrap_or(5);
    let budget = support::arg(&args, "--budget").unwrap_or(60.0);
    let threads = support::arg(&args, "--threads").unwrap_or(2);
    let seconds = support::arg(&args, "--seconds").unwrap_or(10.0);
    let loaded = if db.exists() {
        None
    } else {
        Some(load(&tsv, &db)?)
    };
    let model = support::corpus::Model::from_samples(&support::samples_dir())?;
    let mut mix = support::queries::mix(&model, support::arg(&args, "--seed").unwrap_or(2025));
    if let Some(k) = support::arg::<usize>(&args, "--queries") {
        mix.truncate(k.max(1));
    }
    let conn = open(&db)?;
    let (latency, totals) =
        stats::measure(&mix, rounds, budget, |q| search(&conn, q).expect("search"));
    let throughput = (threads > 0).then(|| {
        stats::throughput(&mix, threads, seconds, |_| {
            let conn = open(&db).expect("open");
            move |q: &BenchQuery| {
                search(&conn, q).expect("search");
            }
        })
    });
    println!(
        "{}",
        json!({"load": loaded, "latency": latency, "throughput": throughput, "totals": totals})
    );
    Ok(())
}
