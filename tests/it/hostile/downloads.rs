//! PDF downloads under attack (issue 13, item 4): a PDF is streamed from disk with ranges
//! and a length, never read whole and never compressed on the fly, so fifty clients
//! fetching a large file cost the server little memory; PDF responses are sandboxed.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use super::{knob, percentile};
use crate::support::{Server, ServerLimits, send, staff_app_with};

#[tokio::test]
async fn a_pdf_is_served_from_disk_with_ranges_uncompressed_and_sandboxed() {
    let s = staff_app_with(10 << 20, &[], |_| {});
    let doc = s.index.documents().unwrap().remove(0).submission;
    let bytes = std::fs::read(s.documents().join(&doc.file)).unwrap();
    assert!(bytes.len() > 1000, "{} is too small to slice", doc.file);
    let uri = format!("/dokument/{}/pdf", doc.id);

    // A client that accepts gzip still gets the file's own bytes, with their length.
    let whole = send(
        &s.app,
        Request::get(&uri)
            .header(header::ACCEPT_ENCODING, "gzip, br")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(whole.status, StatusCode::OK);
    assert!(
        whole.headers.get(header::CONTENT_ENCODING).is_none(),
        "a PDF is compressed on the fly: {:?}",
        whole.headers
    );
    assert_eq!(whole.bytes, bytes);
    assert_eq!(
        whole.header(header::CONTENT_LENGTH),
        bytes.len().to_string()
    );
    assert_eq!(whole.header(header::ACCEPT_RANGES), "bytes");
    assert_eq!(whole.content_type(), "application/pdf");
    assert!(!whole.header(header::LAST_MODIFIED).is_empty());
    assert!(!whole.header(header::CACHE_CONTROL).is_empty());
    let csp = whole.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        csp.split(';').any(|d| d.trim() == "sandbox"),
        "no sandbox: {csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        whole
            .header(header::CONTENT_DISPOSITION)
            .starts_with("inline; filename=\""),
        "{}",
        whole.header(header::CONTENT_DISPOSITION)
    );
    let etag = whole.header(header::ETAG).to_string();
    assert!(!etag.is_empty(), "no ETag");

    // A range is answered with exactly the bytes asked, also when gzip is acceptable.
    let part = send(
        &s.app,
        Request::get(&uri)
            .header(header::RANGE, "bytes=100-1099")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert!(part.headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(part.bytes, &bytes[100..1100]);
    assert_eq!(part.header(header::CONTENT_LENGTH), "1000");
    assert_eq!(
        part.header(header::CONTENT_RANGE),
        format!("bytes 100-1099/{}", bytes.len())
    );
    assert_eq!(part.content_type(), "application/pdf");
    assert!(
        part.header(header::CONTENT_SECURITY_POLICY)
            .contains("sandbox")
    );

    // The last bytes of the file, as a PDF reader asks for them first.
    let tail = send(
        &s.app,
        Request::get(&uri)
            .header(header::RANGE, "bytes=-32")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(tail.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.bytes, &bytes[bytes.len() - 32..]);

    // A cache that holds the file asks again cheaply.
    let again = send(
        &s.app,
        Request::get(&uri)
            .header(header::IF_NONE_MATCH, &etag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty());

    // Downloads keep their name; a trashed document is gone at once.
    let download = send(
        &s.app,
        Request::get(format!("{uri}?download=1"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(
        download
            .header(header::CONTENT_DISPOSITION)
            .starts_with("attachment; filename=\"")
    );
    let deleted = send(
        &s.app,
        Request::delete(format!("/api/documents/{}", doc.id))
            .header(header::AUTHORIZATION, format!("Bearer {}", s.token))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let gone = send(
        &s.app,
        Request::get(&uri)
            .header(header::RANGE, "bytes=0-99")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

/// A valid PDF of about `megabytes` MB: one page of text and an unreferenced stream of
/// incompressible bytes (what a scanned report weighs).
fn large_pdf(word: &str, megabytes: usize) -> Vec<u8> {
    let small = super::badpdf::text_pdf(&[&format!(
        "Stor rapport om {word}\n\nOslo, 3. mars 2021\n\nVedlegg med skannede sider."
    )]);
    let mut doc = lopdf::Document::load_mem(&small).unwrap();
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut noise = Vec::with_capacity(megabytes << 20);
    while noise.len() < megabytes << 20 {
        // xorshift64: fast in a debug build and incompressible enough for gzip.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        noise.extend_from_slice(&state.to_le_bytes());
    }
    doc.add_object(lopdf::Object::Stream(lopdf::Stream::new(
        lopdf::Dictionary::new(),
        noise,
    )));
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// What one raw HTTP/1.1 GET got: status, whether it was compressed, body bytes.
struct Fetched {
    status: u16,
    gzip: bool,
    body_bytes: u64,
}

fn fetch(port: u16, path: &str, accept_gzip: bool) -> std::io::Result<Fetched> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let encoding = if accept_gzip {
        "Accept-Encoding: gzip\r\n"
    } else {
        ""
    };
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{encoding}Connection: close\r\n\r\n"
    )?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut buf = vec![0u8; 256 * 1024];
    let mut body_bytes = 0u64;
    loop {
        match stream.read(&mut buf)? {
            0 => break,
            n => body_bytes += n as u64,
        }
    }
    Ok(Fetched {
        status,
        gzip: head.contains("content-encoding: gzip"),
        body_bytes,
    })
}

fn status_field_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn open_descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn fifty_concurrent_downloads_of_a_large_pdf_keep_the_server_small() {
    let clients = knob("ARKIV_HOSTILE_DOWNLOADERS", 50) as usize;
    let megabytes = knob("ARKIV_HOSTILE_PDF_MB", 80) as usize;
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    let word = "kjempestorrapport";
    let pdf = large_pdf(word, megabytes);
    let size = pdf.len() as u64;
    std::fs::write(docs.join("stor-rapport.pdf"), &pdf).unwrap();
    drop(pdf);
    let server = Server::start_with(
        &docs,
        &dir.path().join("index"),
        &dir.path().join("data"),
        ServerLimits::SmallVps,
        &[],
    );
    let port = server.port;
    let pid = server.pid();
    let found = fetch_json(port, &format!("/api/search?q={word}"));
    let id = found["hits"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{word} not found: {found}"))
        .to_string();
    let path = format!("/dokument/{id}/pdf");
    let baseline_kib = status_field_kib(pid, "VmRSS:").unwrap_or(0);

    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut most_fds = 0;
            while !done.load(Ordering::Relaxed) {
                most_fds = most_fds.max(open_descriptors(pid));
                std::thread::sleep(Duration::from_millis(20));
            }
            most_fds
        })
    };
    // A normal reader meanwhile: the front page and a search, again and again.
    let reader = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut latencies = Vec::new();
            let mut failures = 0;
            while !done.load(Ordering::Relaxed) {
                for path in ["/", "/api/search?q=rapport"] {
                    let started = Instant::now();
                    match fetch(port, path, true) {
                        Ok(f) if f.status == 200 => {
                            latencies.push(started.elapsed().as_secs_f64() * 1000.0)
                        }
                        _ => failures += 1,
                    }
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            (latencies, failures)
        })
    };

    let started = Instant::now();
    let downloads: Vec<_> = (0..clients)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || fetch(port, &path, true))
        })
        .collect();
    let results: Vec<_> = downloads.into_iter().map(|h| h.join().unwrap()).collect();
    let seconds = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let most_fds = sampler.join().unwrap();
    let (mut latencies, failures) = reader.join().unwrap();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let peak_kib = status_field_kib(pid, "VmHWM:").expect("the server is running");
    let peak_mib = peak_kib as f64 / 1024.0;
    println!(
        "HOSTILE downloads: {clients} clients × {:.0} MB PDF in {seconds:.1} s; server VmHWM {peak_mib:.0} MiB (RSS before {:.0} MiB); at most {most_fds} descriptors; reader p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} requests, {failures} failed",
        size as f64 / 1e6,
        baseline_kib as f64 / 1024.0,
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(0.0),
        latencies.len(),
    );

    for (i, result) in results.iter().enumerate() {
        let fetched = result
            .as_ref()
            .unwrap_or_else(|e| panic!("download {i} failed: {e}"));
        assert_eq!(fetched.status, 200, "download {i}");
        assert!(!fetched.gzip, "download {i} was compressed on the fly");
        assert_eq!(fetched.body_bytes, size, "download {i} is cut short");
    }
    // Read whole per client, fifty copies would be 4 GB; streamed, the server keeps a few
    // buffers per client. The bound is generous: the index, the runtime and a search.
    assert!(
        peak_mib < 512.0,
        "the server peaked at {peak_mib:.0} MiB serving {clients} downloads of {size} bytes"
    );
    assert_eq!(
        failures, 0,
        "the normal reader got errors during the downloads"
    );
    drop(server);
}

fn fetch_json(port: u16, path: &str) -> serde_json::Value {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut all = Vec::new();
    stream.read_to_end(&mut all).unwrap();
    let text = String::from_utf8_lossy(&all);
    let (_, body) = text.split_once("\r\n\r\n").unwrap();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}
