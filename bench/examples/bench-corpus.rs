//! Writes the synthetic benchmark corpus (see `bench/src/corpus.rs`).
//!
//!     bench-corpus index   --docs N --out DIR [--tsv FILE] [--seed S]
//!     bench-corpus pdfs    --docs N --out DIR [--seed S]
//!     bench-corpus queries --out FILE [--seed S]
//!     bench-corpus show    [--docs N] [--seed S]
//!
//! `index` builds an arkiv index straight from the generated letters (no PDFs, no
//! extraction: the same `describe` that ingest uses does the tagging) and can write the
//! same documents as a TSV for the peers. `pdfs` writes the letters as PDFs for the
//! extraction and ingest runs. `queries` writes the query mix, one per line:
//! class, arkiv query, API path, search-page path. Each prints a JSON summary.
//! Part of the benchmark harness: `bench/run.sh`, results in BENCHMARKS.md.

use arkiv_bench as support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use arkiv::index::ArchiveIndex;
use rayon::prelude::*;
use serde_json::json;
use support::corpus::{self, Model};

const DEFAULT_SEED: u64 = 2025;
const BATCH: u64 = 2000;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seed = support::arg(&args, "--seed").unwrap_or(DEFAULT_SEED);
    let docs: u64 = support::arg(&args, "--docs").unwrap_or(1000);
    let out: Option<PathBuf> = support::arg(&args, "--out");
    let model = Model::from_samples(&support::samples_dir())?;
    match args.first().map(String::as_str) {
        Some("index") => index(
            &model,
            seed,
            docs,
            &out.context("--out DIR")?,
            support::arg::<PathBuf>(&args, "--tsv").as_deref(),
        ),
        Some("pdfs") => pdfs(&model, seed, docs, &out.context("--out DIR")?),
        Some("queries") => queries(&model, seed, &out.context("--out FILE")?),
        Some("show") => {
            for n in 0..docs.min(5) {
                let doc = corpus::document(&model, seed, n);
                let s = doc.submission(seed);
                println!(
                    "=== {} | {} | {:?} | {} | {:?} | {:?} | {} pages",
                    s.file,
                    s.title,
                    s.date,
                    s.kind,
                    s.conventions,
                    s.articles,
                    s.pages.len()
                );
                println!("{}", s.pages.join("\n---- page break ----\n"));
            }
            println!("rates {:?} english {}", model.rates, model.english_share);
            Ok(())
        }
        _ => bail!("usage: bench-corpus index|pdfs|queries|show [--docs N] [--out PATH]"),
    }
}

pub fn dir_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn index(model: &Model, seed: u64, docs: u64, out: &Path, tsv: Option<&Path>) -> Result<()> {
    let started = Instant::now();
    let index = ArchiveIndex::open_or_create(out)?;
    let mut writer = index.writer()?;
    let mut tsv = match tsv {
        Some(path) => Some(std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(path).with_context(|| format!("{}", path.display()))?,
        )),
        None => None,
    };
    let (mut pages, mut text_bytes, mut generate_s) = (0usize, 0usize, 0.0f64);
    let mut batch_start = 0;
    while batch_start < docs {
        let end = (batch_start + BATCH).min(docs);
        let t = Instant::now();
        let batch: Vec<_> = (batch_start..end)
            .into_par_iter()
            .map(|n| corpus::document(model, seed, n).submission(seed))
            .collect();
        generate_s += t.elapsed().as_secs_f64();
        for (i, s) in batch.iter().enumerate() {
            pages += s.pages.len();
            text_bytes += s.pages.iter().map(String::len).sum::<usize>();
            writer.upsert(s, "synthetic")?;
            if let Some(tsv) = tsv.as_mut() {
                support::tsv::write_row(
                    tsv,
                    &corpus::row((batch_start as usize + i) as i64 + 1, s),
                )?;
            }
        }
        batch_start = end;
        eprint!("\r  {end}/{docs} documents");
    }
    eprintln!();
    writer.commit()?;
    writer.finish()?;
    if let Some(mut tsv) = tsv {
        tsv.flush()?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let index_bytes = dir_bytes(out);
    println!(
        "{}",
        json!({
            "docs": docs,
            "pages": pages,
            "text_bytes": text_bytes,
            "seconds": seconds,
            "generate_seconds": generate_s,
            // Whether compounds were split into the `_parts` fields (the Hunspell word
            // lists were found).
            "splitting": arkiv::index::splitting(),
            "docs_per_s": docs as f64 / seconds,
            "pages_per_s": pages as f64 / seconds,
            "index_bytes": index_bytes,
            "index_to_text": index_bytes as f64 / text_bytes.max(1) as f64,
        })
    );
    Ok(())
}

fn pdfs(model: &Model, seed: u64, docs: u64, out: &Path) -> Result<()> {
    let started = Instant::now();
    std::fs::create_dir_all(out)?;
    let made: Vec<(usize, usize, usize)> = (0..docs)
        .into_par_iter()
        .map(|n| {
            let doc = corpus::document(model, seed, n);
            let pdf = doc.pdf();
            std::fs::write(out.join(&doc.file), &pdf)?;
            Ok((
                doc.pages.len(),
                doc.pages.iter().map(String::len).sum(),
                pdf.len(),
            ))
        })
        .collect::<std::io::Result<_>>()?;
    println!(
        "{}",
        json!({
            "docs": docs,
            "pages": made.iter().map(|m| m.0).sum::<usize>(),
            "text_bytes": made.iter().map(|m| m.1).sum::<usize>(),
            "pdf_bytes": made.iter().map(|m| m.2).sum::<usize>(),
            "seconds": started.elapsed().as_secs_f64(),
        })
    );
    Ok(())
}

fn queries(model: &Model, seed: u64, out: &Path) -> Result<()> {
    let mix = support::queries::mix(model, seed);
    let mut file = std::fs::File::create(out)?;
    let mut classes = std::collections::BTreeMap::<&str, usize>::new();
    for q in &mix {
        *classes.entry(q.class).or_default() += 1;
        writeln!(
            file,
            "{}\t{}\t{}\t{}",
            q.class,
            q.arkiv(),
            q.api_path(),
            q.page_path()
        )?;
    }
    println!("{}", json!({"queries": mix.len(), "classes": classes}));
    Ok(())
}
