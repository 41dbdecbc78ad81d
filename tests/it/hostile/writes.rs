//! Writes under attack or by accident (issue 13, items 9–11): uploads at once are bounded
//! (503 with `Retry-After` past the bound), writes go on after `index/` is removed under a
//! running server, a failed write leaves nothing behind, and an upload must begin as a PDF.

use std::collections::BTreeMap;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};

use super::badpdf::text_pdf;
use super::server::{self, BOUNDARY, Server, api_patch, api_upload, multipart, pdf_with};
use crate::support::{Answer, ServerLimits, send, staff_app_with};

fn api_upload_request(token: &str, file_name: &str, bytes: &[u8]) -> Request<Body> {
    Request::post("/api/documents")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(multipart(&[], file_name, bytes)))
        .unwrap()
}

fn form_upload_request(cookie: &str, csrf: &str, bytes: &[u8]) -> Request<Body> {
    Request::post("/last-opp")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(multipart(
            &[("csrf", csrf)],
            "skjema.pdf",
            bytes,
        )))
        .unwrap()
}

/// A request body that sends its first bytes and then nothing, like a client on a slow
/// line in the middle of a large upload. `started` counts the bodies the server began to
/// read: it reads an upload's body only once the upload has a slot.
struct Stalled {
    first: Option<Bytes>,
    started: Arc<AtomicUsize>,
}

impl http_body::Body for Stalled {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        match self.first.take() {
            Some(first) => {
                self.started.fetch_add(1, Ordering::SeqCst);
                Poll::Ready(Some(Ok(http_body::Frame::data(first))))
            }
            None => Poll::Pending,
        }
    }
}

fn stalled_upload(token: &str, started: &Arc<AtomicUsize>) -> Request<Body> {
    let whole = multipart(&[], "langsom.pdf", &pdf_with("langsomopplasting"));
    Request::post("/api/documents")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::new(Stalled {
            first: Some(Bytes::copy_from_slice(&whole[..whole.len() / 2])),
            started: started.clone(),
        }))
        .unwrap()
}

fn retry_after(answer: &Answer) -> u64 {
    answer
        .header(header::RETRY_AFTER)
        .parse()
        .unwrap_or_else(|_| panic!("no Retry-After in seconds: {:?}", answer.headers))
}

#[tokio::test]
async fn past_two_uploads_at_once_the_next_is_told_to_come_back() {
    let s = staff_app_with(10 << 20, &[], |_| {});
    let (cookie, csrf) = crate::staff::login(&s.app).await;
    let started = Arc::new(AtomicUsize::new(0));
    let mut stalled: Vec<_> = (0..2)
        .map(|_| {
            let app = s.app.clone();
            let request = stalled_upload(&s.token, &started);
            tokio::spawn(async move { send(&app, request).await })
        })
        .collect();
    // Both hold a slot once the server reads their bodies.
    while started.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // A third upload through the API and one through the form wait for a slot, in vain,
    // and are told to come back (the form with a page that says so).
    let (api, form) = tokio::join!(
        send(
            &s.app,
            api_upload_request(&s.token, "tredje.pdf", &pdf_with("tredjeopplasting")),
        ),
        send(
            &s.app,
            form_upload_request(&cookie, &csrf, &pdf_with("skjemaopplasting")),
        ),
    );
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE, "{}", api.body);
    assert!(retry_after(&api) > 0);
    assert!(api.json()["error"].as_str().unwrap().contains("try again"));
    assert_eq!(
        form.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        form.body
    );
    assert!(retry_after(&form) > 0);
    assert!(form.content_type().starts_with("text/html"));
    assert!(form.body.contains("Prøv igjen"), "{}", form.body);

    // An upload that waits gets the slot a client gives back by going away.
    let waiting = {
        let app = s.app.clone();
        let request = api_upload_request(&s.token, "venter.pdf", &pdf_with("venteropplasting"));
        tokio::spawn(async move { send(&app, request).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let gone = stalled.remove(0);
    gone.abort();
    let _ = gone.await;
    let waited = waiting.await.unwrap();
    assert_eq!(waited.status, StatusCode::CREATED, "{}", waited.body);
    for task in stalled {
        task.abort();
        let _ = task.await;
    }
}

/// Every file under `dir` (recursively) with its bytes; empty when `dir` is missing.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(read) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in read {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            for (inner, bytes) in snapshot(&path) {
                out.insert(format!("{name}/{inner}"), bytes);
            }
        } else {
            out.insert(name, std::fs::read(&path).unwrap());
        }
    }
    out
}

/// An HTML page of 100 bytes before a real PDF: a browser takes it as HTML.
fn html_then_pdf() -> Vec<u8> {
    let mut bytes = b"<!DOCTYPE html><html><body><script>alert(document.domain)</script>".to_vec();
    bytes.resize(100, b' ');
    bytes.extend_from_slice(&pdf_with("polyglottord"));
    assert_eq!(bytes.windows(5).position(|w| w == b"%PDF-"), Some(100));
    bytes
}

#[tokio::test]
async fn an_upload_must_begin_as_a_pdf() {
    let s = staff_app_with(10 << 20, &[], |_| {});
    let before = snapshot(&s.documents());

    let api = send(
        &s.app,
        api_upload_request(&s.token, "side.pdf", &html_then_pdf()),
    )
    .await;
    assert_eq!(
        api.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        api.body
    );
    assert!(
        api.json()["error"].as_str().unwrap().contains("%PDF-"),
        "{}",
        api.body
    );
    let (cookie, csrf) = crate::staff::login(&s.app).await;
    let form = send(
        &s.app,
        form_upload_request(&cookie, &csrf, &html_then_pdf()),
    )
    .await;
    assert_eq!(form.status, StatusCode::BAD_REQUEST, "{}", form.body);
    assert!(form.body.contains("%PDF-"), "{}", form.body);
    assert_eq!(
        snapshot(&s.documents()),
        before,
        "a refused upload left files"
    );

    // Whitespace before the header is what some writers put there: accepted.
    let mut padded = b" \r\n\t".to_vec();
    padded.extend_from_slice(&pdf_with("innrykketpdf"));
    let ok = send(&s.app, api_upload_request(&s.token, "ok.pdf", &padded)).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
}

#[tokio::test]
async fn writes_that_cannot_reach_the_index_fail_clearly_and_leave_nothing_behind() {
    let s = staff_app_with(10 << 20, &[], |_| {});
    let data = s.data();
    let id = s.any_id();
    let documents_before = snapshot(&s.documents());
    // The folder removed, and a file where it was: it cannot be made again.
    let index_dir = s.dir.path().join("index");
    std::fs::remove_dir_all(&index_dir).unwrap();
    std::fs::write(&index_dir, b"not a folder").unwrap();

    let upload = send(
        &s.app,
        api_upload_request(&s.token, "ny.pdf", &pdf_with("tapteindeksord")),
    )
    .await;
    let patch = send(
        &s.app,
        Request::patch(format!("/api/documents/{id}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", s.token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"title":"Ny tittel"}"#))
            .unwrap(),
    )
    .await;
    let delete = send(
        &s.app,
        Request::delete(format!("/api/documents/{id}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", s.token))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    for (what, answer) in [("upload", &upload), ("patch", &patch), ("delete", &delete)] {
        assert_eq!(
            answer.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{what}: {}",
            answer.body
        );
        let message = answer.json()["error"].as_str().unwrap().to_string();
        assert!(
            message.contains("index") && message.contains("nothing was changed"),
            "{what}: {message}"
        );
    }
    assert_eq!(
        snapshot(&s.documents()),
        documents_before,
        "failed writes changed documents/"
    );
    assert!(
        snapshot(&data.trash()).is_empty(),
        "copies left in the trash"
    );
    assert!(
        snapshot(&data.incoming()).is_empty(),
        "uploads left in incoming/"
    );
    // Reading goes on from the index the server holds open.
    let document = send(
        &s.app,
        Request::get(format!("/api/documents/{id}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(document.status, StatusCode::OK);
}

#[tokio::test]
async fn a_restore_that_fails_puts_the_files_back_in_the_trash() {
    let s = staff_app_with(10 << 20, &[], |_| {});
    let trash = s.data().trash();
    std::fs::create_dir_all(&trash).unwrap();
    let name = "20250101T000000.000Z--odelagt.pdf";
    let mut broken = b"%PDF-1.7\n".to_vec();
    broken.extend((0..4000u32).map(|i| (i * 7919 % 251) as u8));
    std::fs::write(trash.join(name), &broken).unwrap();
    std::fs::write(
        trash.join("20250101T000000.000Z--odelagt.toml"),
        "title = \"Ødelagt\"\n",
    )
    .unwrap();
    let trash_before = snapshot(&trash);
    let documents_before = snapshot(&s.documents());

    let (cookie, csrf) = crate::staff::login(&s.app).await;
    let answer = send(
        &s.app,
        Request::post(format!("/papirkurv/{name}/gjenopprett"))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}")))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert_eq!(snapshot(&trash), trash_before, "the trash lost the files");
    assert_eq!(
        snapshot(&s.documents()),
        documents_before,
        "a failed restore left files in documents/"
    );
}

async fn search_total(client: &server::Client, server: &Server, word: &str) -> u64 {
    let reply = server::call(
        client,
        axum::http::Method::GET,
        &server.url(&format!("/api/search?q={word}")),
        &[],
        Vec::new(),
    )
    .await
    .unwrap();
    assert_eq!(reply.status, 200);
    reply.json()["total"].as_u64().unwrap()
}

#[test]
fn writes_go_on_after_the_index_folder_is_removed_under_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    let index = dir.path().join("index");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&docs).unwrap();
    for (file, word) in [("a.pdf", "forsteordet"), ("b.pdf", "andreordet")] {
        std::fs::write(
            docs.join(file),
            text_pdf(&[&format!("Høringssvar om {word}\n\nOslo, 3. mars 2021")]),
        )
        .unwrap();
    }
    let token = server::staff_token(&data);
    // What a server killed in the middle of checking an upload leaves.
    let incoming = data.join("incoming");
    std::fs::create_dir_all(&incoming).unwrap();
    std::fs::write(incoming.join("upload-abc123.pdf"), b"%PDF-1.7 half").unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = server::client();
    let mut running = Server::start_with(&docs, &index, &data, ServerLimits::SmallVps, &[]);
    assert!(
        snapshot(&incoming).is_empty(),
        "serve did not clear incoming/"
    );
    std::fs::remove_dir_all(&index).unwrap();

    let url = running.url("");
    runtime.block_on(async {
        let added = api_upload(&client, &url, &token, &[], "ny.pdf", &pdf_with("nyttordet"))
            .await
            .unwrap();
        assert_eq!(
            added.status,
            201,
            "{}",
            String::from_utf8_lossy(&added.body)
        );
        let id = added.json()["id"].as_str().unwrap().to_string();
        assert_eq!(search_total(&client, &running, "nyttordet").await, 1);
        assert_eq!(search_total(&client, &running, "forsteordet").await, 1);
        let patched = api_patch(
            &client,
            &url,
            &token,
            &id,
            &serde_json::json!({ "title": "Rettet tittel" }),
        )
        .await
        .unwrap();
        assert_eq!(patched.status, 200);
        let b = added_id(&client, &running, "andreordet").await;
        let deleted = server::call(
            &client,
            axum::http::Method::DELETE,
            &format!("{url}/api/documents/{b}"),
            &[(header::AUTHORIZATION, format!("Bearer {token}"))],
            Vec::new(),
        )
        .await
        .unwrap();
        assert_eq!(deleted.status, 200);
        assert_eq!(search_total(&client, &running, "andreordet").await, 0);
    });
    assert!(
        index.join("meta.json").is_file(),
        "index/ was not made again"
    );
    assert!(snapshot(&incoming).is_empty(), "uploads left in incoming/");
    let trash = snapshot(&data.join("trash"));
    assert_eq!(trash.len(), 1, "{:?}", trash.keys());

    // The folder made again is a real index: a restarted server takes it up as it is.
    running.kill();
    let restarted = Server::start_with(&docs, &index, &data, ServerLimits::SmallVps, &[]);
    runtime.block_on(async {
        assert_eq!(search_total(&client, &restarted, "nyttordet").await, 1);
        assert_eq!(search_total(&client, &restarted, "rettet").await, 1);
        assert_eq!(search_total(&client, &restarted, "andreordet").await, 0);
    });
    let log = std::fs::read_to_string(&restarted.log).unwrap_or_default();
    assert!(!log.contains("ERROR"), "{log}");
}

async fn added_id(client: &server::Client, server: &Server, word: &str) -> String {
    let reply = server::call(
        client,
        axum::http::Method::GET,
        &server.url(&format!("/api/search?q={word}")),
        &[],
        Vec::new(),
    )
    .await
    .unwrap();
    reply.json()["hits"][0]["id"].as_str().unwrap().to_string()
}
