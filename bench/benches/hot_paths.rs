//! Criterion benches for arkiv's small hot paths: query parsing, Norwegian analysis, tagging,
//! word coverage, a document's description, pdf-extract on one letter, and searches on a
//! small in-memory index of synthetic letters. `cargo bench -p arkiv-bench --bench hot_paths`.
//!
//! The whole runs (corpora of 1k–100k documents, the peers, HTTP) are `bench/run.sh`;
//! BENCHMARKS.md has the results.

use arkiv_bench as support;

use std::hint::black_box;

use arkiv::index::{ArchiveIndex, SearchRequest};
use criterion::{Criterion, criterion_group, criterion_main};
use support::corpus::{self, Model};

const SEED: u64 = 2025;

fn model() -> Model {
    Model::from_samples(&support::samples_dir()).expect("samples")
}

fn text_paths(c: &mut Criterion) {
    let model = model();
    let doc = corpus::document(&model, SEED, 7);
    let page = doc.pages[1].clone();
    let all = doc.pages.join("\n\n");

    c.bench_function("query_parse", |b| {
        b.iter(|| {
            black_box(arkiv::query::parse(black_box(
                "\"vold i nære relasjoner\" barn* -straff konvensjon:istanbul år:2015..2019",
            )))
        })
    });
    c.bench_function("analyze_page_norwegian", |b| {
        let mut analyzer = arkiv::index::norwegian();
        b.iter(|| black_box(arkiv::index::terms(&mut analyzer, black_box(&page))))
    });
    c.bench_function("detect_conventions_document", |b| {
        b.iter(|| black_box(arkiv::tagging::detect_conventions(black_box(&all))))
    });
    c.bench_function("detect_articles_document", |b| {
        b.iter(|| black_box(arkiv::tagging::detect_articles(black_box(&all))))
    });
    c.bench_function("word_coverage_page", |b| {
        b.iter(|| {
            black_box(arkiv::extract::word_coverage(
                black_box(&page),
                black_box(&page),
            ))
        })
    });
    c.bench_function("describe_document", |b| {
        b.iter(|| black_box(doc.described(SEED)))
    });
    c.bench_function("generate_document", |b| {
        b.iter(|| black_box(corpus::document(&model, SEED, black_box(11))))
    });
    let pdf = doc.pdf();
    c.bench_function("pdf_extract_document", |b| {
        b.iter(|| black_box(pdf_extract::extract_text_from_mem(black_box(&pdf)).ok()))
    });
}

fn search(c: &mut Criterion) {
    let model = model();
    let index = ArchiveIndex::create_in_ram().expect("index");
    let mut writer = index.writer().expect("writer");
    for n in 0..300 {
        writer
            .upsert(&corpus::document(&model, SEED, n).submission(SEED), "bench")
            .expect("upsert");
    }
    writer.commit().expect("commit");
    let mix = support::queries::mix(&model, SEED);
    let mut group = c.benchmark_group("search_300_docs");
    for class in [
        "word",
        "two words",
        "phrase",
        "prefix",
        "convention filter",
        "year filter",
    ] {
        let q = mix.iter().find(|q| q.class == class).expect("class in mix");
        let request = q.request();
        group.bench_function(class, |b| {
            b.iter(|| black_box(index.search(black_box(&request)).expect("search")))
        });
    }
    let bare = SearchRequest {
        pages_per_hit: 0,
        ..mix[0].request()
    };
    group.bench_function("word without snippets", |b| {
        b.iter(|| black_box(index.search(black_box(&bare)).expect("search")))
    });
    group.finish();
}

criterion_group!(benches, text_paths, search);
criterion_main!(benches);
