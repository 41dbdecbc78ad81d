//! The PostgreSQL full-text peer (the sync `postgres` client): loads the benchmark
//! corpus's TSV into a table with a stored `tsvector` (`norwegian` configuration, title
//! weighted above body) and a GIN index, then runs the same query mix with the same work per
//! query as arkiv's search page: all matches counted, facet counts per convention, year,
//! kind and article, the 20 best by `ts_rank`, and `ts_headline` snippets (3 fragments).
//! Everything for one query is one statement, one round trip.
//!
//!     bench-postgres --tsv FILE --conn "host=DIR port=P user=U dbname=D" --table NAME [--load]
//!                    [--rounds R] [--budget S] [--threads T] [--seconds S] [--queries K]
//!
//! `--load` (re)creates the table; the load runs one COPY per thread in parallel and is
//! timed with the index build. The server is started and stopped by `bench/run.py`.
//! Prints one JSON object.

use arkiv_bench as support;

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use postgres::{Client, NoTls, Statement};
use serde_json::json;
use support::queries::BenchQuery;
use support::stats;

fn search_sql(table: &str) -> String {
    format!(
        "WITH q AS (SELECT CASE WHEN $2 THEN to_tsquery('norwegian', $1)
                          ELSE websearch_to_tsquery('norwegian', $1) END AS q),
         m AS MATERIALIZED (
           SELECT t.rowid, t.year, t.kind, t.conventions, t.articles, ts_rank(t.tsv, q.q) AS r
           FROM {table} t, q
           WHERE t.tsv @@ q.q
             AND ($3::text IS NULL OR $3::text = ANY(t.conventions))
             AND ($4::int IS NULL OR t.year BETWEEN $4::int AND $5::int))
         SELECT
           (SELECT count(*) FROM m),
           (SELECT json_object_agg(c, n) FROM (SELECT unnest(conventions) c, count(*) n FROM m GROUP BY 1) x)::text,
           (SELECT json_object_agg(coalesce(year::text, 'ukjent'), n) FROM (SELECT year, count(*) n FROM m GROUP BY 1) x)::text,
           (SELECT json_object_agg(kind, n) FROM (SELECT kind, count(*) n FROM m GROUP BY 1) x)::text,
           (SELECT json_object_agg(a, n) FROM (SELECT unnest(articles) a, count(*) n FROM m GROUP BY 1) x)::text,
           (SELECT json_agg(json_build_object('id', d.id, 'title', d.title, 'date', d.date,
                   'snippet', ts_headline('norwegian', d.body, q.q, 'MaxFragments=3, MaxWords=30, MinWords=10'))
                   ORDER BY top.r DESC)
            FROM (SELECT rowid, r FROM m ORDER BY r DESC LIMIT 20) top
            JOIN {table} d ON d.rowid = top.rowid, q)::text"
    )
}

fn load(conn: &str, table: &str, tsv: &Path, threads: usize) -> Result<serde_json::Value> {
    let started = Instant::now();
    let mut client = Client::connect(conn, NoTls)?;
    client.batch_execute(&format!(
        "DROP TABLE IF EXISTS {table};
         CREATE TABLE {table} (
           rowid int PRIMARY KEY, id text, title text, date date, year int, kind text,
           conventions text[], articles text[], body text,
           tsv tsvector GENERATED ALWAYS AS (
             setweight(to_tsvector('norwegian', coalesce(title, '')), 'A') ||
             setweight(to_tsvector('norwegian', body), 'B')) STORED);"
    ))?;
    // One COPY per thread, each taking every n-th line: to_tsvector runs on all cores.
    let copy_started = Instant::now();
    std::thread::scope(|s| -> Result<()> {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|t| {
                s.spawn(move || -> Result<()> {
                    let mut client = Client::connect(conn, NoTls)?;
                    let mut writer = client.copy_in(&format!(
                        "COPY {table} ({}) FROM STDIN",
                        support::tsv::COLUMNS
                    ))?;
                    let file =
                        std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(tsv)?);
                    for (i, line) in file.lines().enumerate() {
                        let line = line?;
                        if i % threads.max(1) == t {
                            writer.write_all(line.as_bytes())?;
                            writer.write_all(b"\n")?;
                        }
                    }
                    writer.finish()?;
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join().expect("copy thread")?;
        }
        Ok(())
    })?;
    let copy_s = copy_started.elapsed().as_secs_f64();
    let index_started = Instant::now();
    client.batch_execute(&format!(
        "CREATE INDEX {table}_tsv ON {table} USING gin (tsv)"
    ))?;
    client.batch_execute(&format!("CREATE INDEX {table}_year ON {table} (year)"))?;
    client.batch_execute(&format!("VACUUM ANALYZE {table}"))?;
    let index_s = index_started.elapsed().as_secs_f64();
    let row = client.query_one(
        &format!(
            "SELECT count(*), pg_total_relation_size('{table}'), pg_relation_size('{table}_tsv'),
                    (SELECT sum(length(body)) FROM {table})::bigint FROM {table}"
        ),
        &[],
    )?;
    let (docs, bytes, gin, text): (i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    let seconds = started.elapsed().as_secs_f64();
    Ok(json!({
        "docs": docs, "seconds": seconds, "copy_seconds": copy_s, "index_seconds": index_s,
        "docs_per_s": docs as f64 / seconds, "db_bytes": bytes, "gin_bytes": gin,
        "db_to_text": bytes as f64 / text.max(1) as f64,
    }))
}

struct Session {
    client: Client,
    statement: Statement,
}

impl Session {
    fn new(conn: &str, table: &str) -> Result<Session> {
        let mut client = Client::connect(conn, NoTls)?;
        let statement = client.prepare(&search_sql(table))?;
        Ok(Session { client, statement })
    }

    fn search(&mut self, q: &BenchQuery) -> Result<i64> {
        let (text, tsquery) = q.postgres();
        let conv = q.convention.map(|c| c.id().to_string());
        let (from, to) = q.years.map_or((None, None), |(a, b)| (Some(a), Some(b)));
        let row = self
            .client
            .query_one(&self.statement, &[&text, &tsquery, &conv, &from, &to])?;
        let hits: Option<String> = row.get(5);
        std::hint::black_box(hits);
        Ok(row.get(0))
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tsv: PathBuf = support::arg(&args, "--tsv").context("--tsv FILE")?;
    let conn: String = support::arg(&args, "--conn").context("--conn STRING")?;
    let table: String = support::arg(&args, "--table").unwrap_or_else(|| "docs".into());
    let rounds = support::arg(&args, "--rounds").unwrap_or(5);
    let budget = support::arg(&args, "--budget").unwrap_or(60.0);
    let threads = support::arg(&args, "--threads").unwrap_or(2);
    let seconds = support::arg(&args, "--seconds").unwrap_or(10.0);
    let loaded = if support::flag(&args, "--load") {
        Some(load(&conn, &table, &tsv, threads.max(1))?)
    } else {
        None
    };
    let model = support::corpus::Model::from_samples(&support::samples_dir())?;
    let mut mix = support::queries::mix(&model, support::arg(&args, "--seed").unwrap_or(2025));
    if let Some(k) = support::arg::<usize>(&args, "--queries") {
        mix.truncate(k.max(1));
    }
    let mut session = Session::new(&conn, &table)?;
    let (latency, totals) =
        stats::measure(&mix, rounds, budget, |q| session.search(q).expect("search"));
    let throughput = (threads > 0).then(|| {
        stats::throughput(&mix, threads, seconds, |_| {
            let mut session = Session::new(&conn, &table).expect("connect");
            move |q: &BenchQuery| {
                session.search(q).expect("search");
            }
        })
    });
    println!(
        "{}",
        json!({"load": loaded, "latency": latency, "throughput": throughput, "totals": totals})
    );
    Ok(())
}
