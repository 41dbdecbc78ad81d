//! Part 3: many concurrent clients on loopback over the search page, the browse and
//! document pages and the JSON API, while uploads and edits go on. Every request must
//! answer 200 (or 201 for an upload, 200 for an edit): no transport errors, no 5xx.
//! Prints requests, errors, throughput and p50/p95/p99/max latency.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::Method;

use super::server::{self, Server, api_patch, api_upload, call, pdf_with, word_for};
use super::{knob, percentile};
use crate::support::copy_samples;

/// Queries people type, odd ones included.
const QUERIES: &[&str] = &[
    "vold",
    "voldsutsatte",
    "kommunene",
    "barn",
    "krisesenter",
    "\"vold i nære relasjoner\"",
    "istanbul convention",
    "barnekonvensjonen",
    "EMK artikkel 8",
    "sarbare",
    "voldsoffer*",
    "vold -barn",
    "menneskehandel OR tvangsekteskap",
    "konvensjon:istanbul år:2015..2019",
    "tittel:høringssvar",
    "partnerdarp",
    "\"",
    "((",
    "<script>alert(1)</script>",
    "ø*",
];

#[derive(Default)]
struct Tally {
    latencies_ms: Vec<f64>,
    by_kind: std::collections::BTreeMap<&'static str, Vec<f64>>,
    errors: Vec<String>,
    server_errors: usize,
}

#[test]
fn concurrent_clients_under_uploads_and_edits_get_no_errors() {
    let seconds = knob("ARKIV_HOSTILE_LOAD_SECS", 10);
    let clients = knob("ARKIV_HOSTILE_CLIENTS", 64) as usize;
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    let data = dir.path().join("data");
    copy_samples(&docs);
    let token = server::staff_token(&data);
    let server = Server::start(&docs, &dir.path().join("index"), &data);
    let url = server.url("");
    let runtime = tokio::runtime::Runtime::new().unwrap();

    let ids: Vec<String> = runtime.block_on(async {
        let reply = call(
            &server::client(),
            Method::GET,
            &format!("{url}/api/search?per_page=1000"),
            &[],
            Vec::new(),
        )
        .await
        .unwrap();
        reply.json()["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect()
    });
    assert!(ids.len() >= 15);
    let ids = Arc::new(ids);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();

    let mut tasks = Vec::new();
    for client_no in 0..clients {
        let (url, ids, tally) = (url.clone(), ids.clone(), tally.clone());
        tasks.push(runtime.spawn(async move {
            let client = server::client();
            let mut n = client_no * 7;
            while Instant::now() < deadline {
                n += 1;
                let q: String =
                    form_urlencoded::byte_serialize(QUERIES[n % QUERIES.len()].as_bytes())
                        .collect();
                let id = &ids[n % ids.len()];
                let (kind, path) = match n % 8 {
                    0..=2 => ("search page", format!("/sok?q={q}")),
                    3..=5 => ("search api", format!("/api/search?q={q}")),
                    6 => ("document api", format!("/api/documents/{id}")),
                    _ => match n % 3 {
                        0 => ("document page", format!("/dokument/{id}?q={q}")),
                        1 => ("browse page", "/dokumenter?convention=istanbul".to_string()),
                        _ => ("front page", "/".to_string()),
                    },
                };
                let t = Instant::now();
                let reply = call(
                    &client,
                    Method::GET,
                    &format!("{url}{path}"),
                    &[],
                    Vec::new(),
                )
                .await;
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                let mut tally = tally.lock().unwrap();
                match reply {
                    Ok(r) if r.status == 200 => {}
                    Ok(r) => {
                        if r.status >= 500 {
                            tally.server_errors += 1;
                        }
                        tally.errors.push(format!("{} {path}", r.status));
                    }
                    Err(e) => tally.errors.push(format!("{e}: {path}")),
                }
                tally.latencies_ms.push(ms);
                tally.by_kind.entry(kind).or_default().push(ms);
            }
        }));
    }

    // Staff at work meanwhile: one uploading new PDFs, one correcting titles.
    let uploads = Arc::new(AtomicUsize::new(0));
    let edits = Arc::new(AtomicUsize::new(0));
    let write_latencies = Arc::new(Mutex::new(Vec::<f64>::new()));
    {
        let (url, token, tally, uploads, lat) = (
            url.clone(),
            token.clone(),
            tally.clone(),
            uploads.clone(),
            write_latencies.clone(),
        );
        tasks.push(runtime.spawn(async move {
            let client = server::client();
            let mut n = 0;
            while Instant::now() < deadline {
                let word = word_for("lastprove", n);
                n += 1;
                let t = Instant::now();
                let reply =
                    api_upload(&client, &url, &token, &[], "last.pdf", &pdf_with(&word)).await;
                lat.lock().unwrap().push(t.elapsed().as_secs_f64() * 1000.0);
                match reply {
                    Ok(r) if r.status == 201 => {
                        uploads.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(r) => {
                        let mut tally = tally.lock().unwrap();
                        if r.status >= 500 {
                            tally.server_errors += 1;
                        }
                        tally.errors.push(format!("upload answered {}", r.status));
                    }
                    Err(e) => tally.lock().unwrap().errors.push(format!("upload: {e}")),
                }
            }
        }));
    }
    {
        let (url, token, tally, edits, ids, lat) = (
            url.clone(),
            token.clone(),
            tally.clone(),
            edits.clone(),
            ids.clone(),
            write_latencies.clone(),
        );
        tasks.push(runtime.spawn(async move {
            let client = server::client();
            let mut n = 0;
            while Instant::now() < deadline {
                let id = &ids[n % ids.len()];
                let patch = serde_json::json!({ "reference": format!("{n}/lasttest") });
                n += 1;
                let t = Instant::now();
                let reply = api_patch(&client, &url, &token, id, &patch).await;
                lat.lock().unwrap().push(t.elapsed().as_secs_f64() * 1000.0);
                match reply {
                    Ok(r) if r.status == 200 => {
                        edits.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(r) => {
                        let mut tally = tally.lock().unwrap();
                        if r.status >= 500 {
                            tally.server_errors += 1;
                        }
                        tally.errors.push(format!("edit answered {}", r.status));
                    }
                    Err(e) => tally.lock().unwrap().errors.push(format!("edit: {e}")),
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
    }
    for task in tasks {
        runtime.block_on(task).unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();

    let mut tally = tally.lock().unwrap();
    let tally = &mut *tally;
    tally.latencies_ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let all = &tally.latencies_ms;
    println!(
        "\nHOSTILE load: {clients} clients for {seconds} s on 127.0.0.1, with uploads and edits"
    );
    println!(
        "{:<16} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "kind", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    for (kind, values) in tally.by_kind.iter_mut() {
        values.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{kind:<16} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            values.len(),
            percentile(values, 50.0),
            percentile(values, 95.0),
            percentile(values, 99.0),
            values.last().copied().unwrap_or(0.0)
        );
    }
    let mut writes = write_latencies.lock().unwrap().clone();
    writes.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "HOSTILE load clients={clients} seconds={elapsed:.1} requests={} errors={} 5xx={} rps={:.0} \
         p50={:.1}ms p95={:.1}ms p99={:.1}ms max={:.1}ms uploads={} edits={} write-p99={:.0}ms",
        all.len(),
        tally.errors.len(),
        tally.server_errors,
        all.len() as f64 / elapsed,
        percentile(all, 50.0),
        percentile(all, 95.0),
        percentile(all, 99.0),
        all.last().copied().unwrap_or(0.0),
        uploads.load(Ordering::SeqCst),
        edits.load(Ordering::SeqCst),
        percentile(&writes, 99.0),
    );
    let sample: Vec<&String> = tally.errors.iter().take(10).collect();
    assert!(
        tally.errors.is_empty(),
        "{} errors, e.g. {sample:#?}",
        tally.errors.len()
    );
    assert_eq!(tally.server_errors, 0);
    assert!(uploads.load(Ordering::SeqCst) > 0 && edits.load(Ordering::SeqCst) > 0);
    drop(server);
}
