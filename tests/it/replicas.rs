//! Read scaling, rehearsed: two `arkiv serve --read-only` processes search the index that
//! one `arkiv serve` writes to. Each upload to the writer is found through both readers
//! within two seconds, and a reader never shows a half-written commit: its count of
//! documents never goes back, and every document it finds has its pages with it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::http::{Method, header};

use crate::hostile::server::{
    self, Client, Server, api_upload, call, pdf_with, staff_token, word_for,
};
use crate::support::ServerLimits;

/// The issue's bound from an upload's acknowledgement to a reader's answer.
const FOUND_WITHIN: Duration = Duration::from_secs(2);
const UPLOADS: usize = 6;
/// Every document made by `pdf_with` holds this word.
const SHARED_WORD: &str = "istanbulkonvensjonen";

async fn get_json(client: &Client, url: &str) -> (u16, serde_json::Value) {
    let reply = call(client, Method::GET, url, &[], Vec::new())
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let json = serde_json::from_slice(&reply.body).unwrap_or(serde_json::Value::Null);
    (reply.status, json)
}

async fn total(client: &Client, server: &Server, word: &str) -> u64 {
    let (status, json) = get_json(client, &server.url(&format!("/api/search?q={word}"))).await;
    assert_eq!(status, 200, "{json}");
    json["total"].as_u64().unwrap()
}

/// Searches a reader over and over while the writer commits, and returns every breach of
/// a whole commit it saw, and the last count.
async fn watch(client: Client, url: String, stop: Arc<AtomicBool>) -> (Vec<String>, u64) {
    let mut breaches = Vec::new();
    let mut last = 0;
    let mut checked = std::collections::HashSet::new();
    while !stop.load(Ordering::Relaxed) {
        let (status, json) = get_json(
            &client,
            &format!("{url}/api/search?q={SHARED_WORD}&per_page=50"),
        )
        .await;
        if status != 200 {
            breaches.push(format!("search answered {status}: {json}"));
            break;
        }
        let now = json["total"].as_u64().unwrap_or(0);
        if now < last {
            breaches.push(format!("the count went back from {last} to {now}"));
        }
        last = now;
        let hits = json["hits"].as_array().cloned().unwrap_or_default();
        if hits.len() as u64 != now {
            breaches.push(format!("{now} documents counted, {} listed", hits.len()));
        }
        for hit in hits {
            let id = hit["id"].as_str().unwrap_or_default().to_string();
            if hit["pages"].as_array().is_none_or(Vec::is_empty) {
                breaches.push(format!("{id} was found without its pages"));
            }
            if checked.insert(id.clone()) {
                let (status, document) =
                    get_json(&client, &format!("{url}/api/documents/{id}")).await;
                let pages = document["pages"].as_array().map_or(0, Vec::len);
                if status != 200 || pages == 0 {
                    breaches.push(format!(
                        "{id} found, then read as {status} with {pages} pages"
                    ));
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    (breaches, last)
}

#[test]
fn read_only_servers_follow_the_writer() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("forste.pdf"), pdf_with("replikastart")).unwrap();
    let index = tmp.path().join("index");
    let data = tmp.path().join("data");
    let token = staff_token(&data);
    let writer = Server::start(&docs, &index, &data);
    let readers: Vec<Server> = (0..2)
        .map(|n| {
            Server::start_with(
                &docs,
                &index,
                &tmp.path().join(format!("reader-{n}")),
                ServerLimits::Unlimited,
                &["--read-only"],
            )
        })
        .collect();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = server::client();
        for reader in &readers {
            assert_eq!(total(&client, reader, "replikastart").await, 1);
        }

        // A reader takes no writes.
        let refused = api_upload(
            &client,
            &readers[0].url(""),
            &token,
            &[],
            "til-leseren.pdf",
            &pdf_with("replikafeil"),
        )
        .await
        .unwrap();
        assert!(
            !(200..300).contains(&refused.status),
            "a read-only server took an upload: {}",
            refused.status
        );

        let stop = Arc::new(AtomicBool::new(false));
        let watchers: Vec<_> = readers
            .iter()
            .map(|r| tokio::spawn(watch(server::client(), r.url(""), stop.clone())))
            .collect();

        let mut waits = Vec::new();
        for n in 0..UPLOADS {
            let word = word_for("replika", n);
            let added = api_upload(
                &client,
                &writer.url(""),
                &token,
                &[],
                &format!("{word}.pdf"),
                &pdf_with(&word),
            )
            .await
            .unwrap();
            assert_eq!(
                added.status,
                201,
                "{}",
                String::from_utf8_lossy(&added.body)
            );
            let acknowledged = Instant::now();
            for reader in &readers {
                while total(&client, reader, &word).await == 0 {
                    assert!(
                        acknowledged.elapsed() < FOUND_WITHIN,
                        "upload {n} not found through {} within {FOUND_WITHIN:?}",
                        reader.url("")
                    );
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            waits.push(acknowledged.elapsed());
        }
        stop.store(true, Ordering::Relaxed);
        for watcher in watchers {
            let (breaches, last) = watcher.await.unwrap();
            assert!(breaches.is_empty(), "{breaches:#?}");
            assert_eq!(last, 1 + UPLOADS as u64);
        }
        waits.sort();
        println!(
            "REPLICAS uploads {UPLOADS}: found through both readers after median {:?}, max {:?}",
            waits[waits.len() / 2],
            waits[waits.len() - 1]
        );

        // Consultation records change without a commit; readers follow their folder.
        let created = call(
            &client,
            Method::POST,
            &writer.url("/api/consultations"),
            &[
                (header::AUTHORIZATION, format!("Bearer {token}")),
                (header::CONTENT_TYPE, "application/json".to_string()),
            ],
            r#"{"id": "replika-horing", "title": "Replikahøring"}"#
                .as_bytes()
                .to_vec(),
        )
        .await
        .unwrap();
        assert_eq!(
            created.status,
            201,
            "{}",
            String::from_utf8_lossy(&created.body)
        );
        let made = Instant::now();
        for reader in &readers {
            loop {
                let (status, json) =
                    get_json(&client, &reader.url("/api/consultations/replika-horing")).await;
                if status == 200 {
                    assert_eq!(json["title"], "Replikahøring");
                    break;
                }
                assert!(
                    made.elapsed() < Duration::from_secs(5),
                    "the new consultation is not seen through {}",
                    reader.url("")
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    });
}

#[test]
fn a_read_only_server_needs_an_index_to_follow() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    let index = tmp.path().join("index");
    let out = std::process::Command::new(crate::support::arkiv_bin())
        .arg("serve")
        .arg("--read-only")
        .arg("--documents")
        .arg(&docs)
        .arg("--index")
        .arg(&index)
        .arg("--data")
        .arg(tmp.path().join("data"))
        .args(["--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("holds no index yet"), "{stderr}");
    assert!(
        !index.exists(),
        "a read-only server made the index folder it was to follow"
    );
}
