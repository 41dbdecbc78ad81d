//! Reading a document (issue 16, items 1 and 3, defect 19): PDFs served with ranges and
//! validators, conditional requests answered 304 for every kind of response, brotli beside
//! gzip, the favicon, export file names, and page images with the hit words marked on them.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use arkiv::library::Library;
use arkiv::web::{AppState, router};

use crate::support::{Answer, get, sample_index, samples_dir, send};

fn sample_app() -> Router {
    router(AppState::new(
        sample_index().clone(),
        Library::new(samples_dir()),
        "https://arkiv.example",
    ))
}

/// A sample document's id, file and bytes.
fn a_sample() -> (String, Vec<u8>) {
    let doc = sample_index().documents().unwrap().remove(0).submission;
    let bytes = std::fs::read(samples_dir().join(&doc.file)).unwrap();
    (doc.id.to_string(), bytes)
}

async fn get_with(app: &Router, uri: &str, headers: &[(header::HeaderName, &str)]) -> Answer {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

/// `uri` answers 200 with a validator, and the same request with that validator answers
/// 304 with no body and the same validator.
async fn check_revalidates(app: &Router, uri: &str) -> Answer {
    let first = get(app, uri).await;
    assert_eq!(first.status, StatusCode::OK, "{uri}: {}", first.body);
    let etag = first.header(header::ETAG).to_string();
    assert!(!etag.is_empty(), "{uri}: no ETag in {:?}", first.headers);
    let again = get_with(app, uri, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
    assert!(again.bytes.is_empty(), "{uri}: a 304 with a body");
    assert_eq!(again.header(header::ETAG), etag, "{uri}");
    let other = get_with(app, uri, &[(header::IF_NONE_MATCH, "\"something-else\"")]).await;
    assert_eq!(other.status, StatusCode::OK, "{uri}");
    assert!(!other.bytes.is_empty(), "{uri}");
    first
}

#[tokio::test]
async fn a_pdf_answers_ranges_with_the_content_hash_as_validator() {
    let app = sample_app();
    let (id, bytes) = a_sample();
    let uri = format!("/dokument/{id}/pdf");
    let whole = get_with(&app, &uri, &[(header::ACCEPT_ENCODING, "br, gzip")]).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.bytes, bytes);
    assert_eq!(whole.header(header::ETAG), format!("\"{id}\""));
    assert_eq!(whole.header(header::ACCEPT_RANGES), "bytes");
    assert_eq!(
        whole.header(header::CONTENT_LENGTH),
        bytes.len().to_string()
    );
    assert!(!whole.header(header::LAST_MODIFIED).is_empty());
    assert_eq!(whole.header(header::CACHE_CONTROL), "public, no-cache");
    assert!(whole.headers.get(header::CONTENT_ENCODING).is_none());

    let part = get_with(&app, &uri, &[(header::RANGE, "bytes=10-109")]).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.header(header::CONTENT_RANGE),
        format!("bytes 10-109/{}", bytes.len())
    );
    assert_eq!(part.header(header::CONTENT_LENGTH), "100");
    assert_eq!(part.bytes, &bytes[10..110]);
    assert_eq!(part.header(header::ETAG), format!("\"{id}\""));

    // A range asked on condition that the content is the same: kept when it is, the whole
    // file when the client holds another version.
    let same = get_with(
        &app,
        &uri,
        &[
            (header::RANGE, "bytes=0-9"),
            (header::IF_RANGE, &format!("\"{id}\"")),
        ],
    )
    .await;
    assert_eq!(same.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(same.bytes, &bytes[..10]);
    let changed = get_with(
        &app,
        &uri,
        &[(header::RANGE, "bytes=0-9"), (header::IF_RANGE, "\"0000\"")],
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.bytes, bytes);

    let cached = check_revalidates(&app, &uri).await;
    assert_eq!(cached.bytes, bytes);
    // A cached copy is current also when a range is asked.
    let ranged_again = get_with(
        &app,
        &uri,
        &[
            (header::RANGE, "bytes=0-9"),
            (header::IF_NONE_MATCH, &format!("\"{id}\"")),
        ],
    )
    .await;
    assert_eq!(ranged_again.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn pages_stylesheet_charts_and_feeds_answer_304_when_unchanged() {
    let app = sample_app();
    // A fresh index's reader may reload once more after its first commit, which starts a
    // new generation (and so a new validator for the results page): wait for it to settle.
    let mut seen = sample_index().generation();
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        let now = sample_index().generation();
        if now == seen {
            break;
        }
        seen = now;
    }
    let (id, _) = a_sample();
    for uri in [
        "/".to_string(),
        "/sok?q=vold".to_string(),
        format!("/dokument/{id}"),
        "/statistikk".to_string(),
        "/feed.atom".to_string(),
        "/favicon.svg".to_string(),
    ] {
        check_revalidates(&app, &uri).await;
    }
    let css = check_revalidates(&app, "/static/arkiv.css").await;
    assert!(css.header(header::CACHE_CONTROL).contains("max-age="));
    for chart in ["/statistikk/aar.svg", "/statistikk/artikler.svg"] {
        let svg = check_revalidates(&app, chart).await;
        let cache = svg.header(header::CACHE_CONTROL);
        assert!(
            cache.contains("public") && cache.contains("max-age="),
            "{chart}: {cache}"
        );
    }
    // Another search is another page, with another validator.
    let a = get(&app, "/sok?q=vold").await;
    let b = get(&app, "/sok?q=barn").await;
    assert_ne!(a.header(header::ETAG), b.header(header::ETAG));
}

/// A results page without the time the search took, which differs between two requests.
fn strip_took(page: &[u8]) -> String {
    let text = String::from_utf8_lossy(page);
    let re = regex::Regex::new(r#"<span class="took">[^<]*</span>"#).unwrap();
    re.replace_all(&text, "").into_owned()
}

#[tokio::test]
async fn brotli_is_offered_beside_gzip_and_pdfs_are_never_compressed() {
    use std::io::Read;
    let app = sample_app();
    let plain = get(&app, "/").await;
    let br = get_with(&app, "/", &[(header::ACCEPT_ENCODING, "gzip, br")]).await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.header(header::CONTENT_ENCODING), "br");
    let mut unpacked = Vec::new();
    brotli::Decompressor::new(br.bytes.as_slice(), 4096)
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(strip_took(&unpacked), strip_took(&plain.bytes));
    assert!(
        br.bytes.len() < plain.bytes.len() / 2,
        "brotli saved little"
    );
    assert!(
        br.header(header::VARY)
            .to_lowercase()
            .contains("accept-encoding")
    );
    // The validator is the content's, whatever the encoding.
    assert_eq!(br.header(header::ETAG), plain.header(header::ETAG));

    let gzip = get_with(&app, "/", &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(gzip.header(header::CONTENT_ENCODING), "gzip");
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(gzip.bytes.as_slice())
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(strip_took(&unpacked), strip_took(&plain.bytes));

    let (id, bytes) = a_sample();
    let pdf = get_with(
        &app,
        &format!("/dokument/{id}/pdf"),
        &[(header::ACCEPT_ENCODING, "br")],
    )
    .await;
    assert!(pdf.headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(pdf.bytes, bytes);
}

#[tokio::test]
async fn the_favicon_is_served_and_named_by_every_page() {
    let app = sample_app();
    for uri in ["/favicon.svg", "/favicon.ico"] {
        let icon = get(&app, uri).await;
        assert_eq!(icon.status, StatusCode::OK, "{uri}");
        assert_eq!(icon.content_type(), "image/svg+xml", "{uri}");
        let svg = roxmltree::Document::parse(&icon.body).unwrap();
        assert_eq!(svg.root_element().tag_name().name(), "svg");
    }
    let front = get(&app, "/").await;
    assert!(
        front
            .body
            .contains("<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">")
    );
}

#[tokio::test]
async fn an_export_is_named_by_its_day_and_filters() {
    let app = sample_app();
    let today = chrono::Utc::now().date_naive().format("%Y-%m-%d");
    let cases = [
        (
            "/api/export?convention=istanbul&from=2015&to=2020&q=vold%20%C3%B8kt&format=csv"
                .to_string(),
            format!(
                "attachment; filename=\"arkiv-eksport-{today}-istanbul-2015-2020-vold-okt.csv\""
            ),
        ),
        (
            "/api/export?format=json".to_string(),
            format!("attachment; filename=\"arkiv-eksport-{today}.json\""),
        ),
        (
            "/api/export?q=%22..%2F..%2Fetc%2Fpasswd%22%0D%0A&format=csv".to_string(),
            format!("attachment; filename=\"arkiv-eksport-{today}-etc-passwd.csv\""),
        ),
    ];
    for (uri, disposition) in cases {
        let export = get(&app, &uri).await;
        assert_eq!(export.status, StatusCode::OK, "{uri}: {}", export.body);
        assert_eq!(
            export.header(header::CONTENT_DISPOSITION),
            disposition,
            "{uri}"
        );
    }
}

/// An archive of one 25-page document whose pages 3 and 17 speak of shelters, served with
/// page images cached in the returned folder.
struct Reading {
    _dir: tempfile::TempDir,
    app: Router,
    id: String,
    cache: std::path::PathBuf,
    pdf: std::path::PathBuf,
}

fn reading_app(render: bool) -> Reading {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    let pages: Vec<String> = (1..=25)
        .map(|n| match n {
            3 => "Krisesenter og krisesentertilbudet\nHvert krisesenter skal ha plass.".to_string(),
            17 => "Om tilsyn\nKommunen skal sikre at krisesenter drives godt.".to_string(),
            n => format!("Side {n} om tilskudd og forvaltning"),
        })
        .collect();
    let texts: Vec<&str> = pages.iter().map(String::as_str).collect();
    let pdf = crate::support::write_pdf(&docs, "lang-rapport.pdf", Some("Lang rapport"), &texts);
    let (index, report) = crate::support::run_ingest(&docs, &dir.path().join("index"));
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let id = index
        .documents()
        .unwrap()
        .remove(0)
        .submission
        .id
        .to_string();
    let cache = dir.path().join("page-cache");
    let mut config = crate::support::extract_config();
    if !render {
        config.pdftoppm = None;
    }
    let state = AppState::new(index, Library::new(&docs), "https://arkiv.example")
        .with_page_images(arkiv::extract::render::PageCache::new(&cache, config));
    Reading {
        _dir: dir,
        app: router(state),
        id,
        cache,
        pdf,
    }
}

/// Width and height from a PNG's header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

#[tokio::test]
async fn results_show_thumbnails_of_the_best_page_rendered_once_and_cached() {
    if crate::support::programs::require(["pdftoppm", "pdftotext"]).is_none() {
        return;
    }
    let r = reading_app(true);
    let results = get(&r.app, "/sok?q=krisesenter").await;
    let thumb = format!("/dokument/{}/bilde/3/liten", r.id);
    let img = results
        .body
        .split("<img ")
        .find(|tag| tag.contains(&thumb))
        .unwrap_or_else(|| panic!("no thumbnail of page 3 in {}", results.body));
    for needle in [
        "loading=\"lazy\"",
        "width=\"170\"",
        "height=\"240\"",
        "alt=\"s. 3 av «Lang rapport»\"",
    ] {
        assert!(img.contains(needle), "{needle} missing in <img {img}");
    }

    let first = get(&r.app, &thumb).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.content_type(), "image/png");
    assert_eq!(png_size(&first.bytes), (170, 240));
    assert_eq!(
        first.header(header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    let etag = first.header(header::ETAG).to_string();
    assert!(etag.contains(&r.id), "{etag}");
    let again = get_with(&r.app, &thumb, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty());

    // Rendered once: the next request reads the cache, whatever it holds.
    let cached: Vec<_> = walk(&r.cache)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with("-3-liten.png"))
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    assert_eq!(std::fs::read(&cached[0]).unwrap(), first.bytes);
    let mut marker = first.bytes.clone();
    marker.extend_from_slice(b"served from the cache");
    std::fs::write(&cached[0], &marker).unwrap();
    let third = get(&r.app, &thumb).await;
    assert_eq!(third.bytes, marker);

    let large = get(&r.app, &format!("/dokument/{}/bilde/3/stor", r.id)).await;
    assert_eq!(png_size(&large.bytes).1, 1500);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The `<rect>` boxes of the hit words over page `page`'s image.
fn boxes_on_page(body: &str, page: usize) -> Vec<(f64, f64, f64, f64)> {
    let start = body
        .find(&format!("id=\"side-{page}\""))
        .unwrap_or_else(|| panic!("no page {page}"));
    let section = &body[start..];
    let section = &section[..section.find("</section>").unwrap()];
    let re = regex::Regex::new(
        r#"<rect x="([0-9.]+)" y="([0-9.]+)" width="([0-9.]+)" height="([0-9.]+)"/>"#,
    )
    .unwrap();
    re.captures_iter(section)
        .map(|c| {
            let n = |i: usize| c[i].parse::<f64>().unwrap();
            (n(1), n(2), n(3), n(4))
        })
        .collect()
}

#[tokio::test]
async fn the_document_page_shows_page_images_with_hits_marked_and_counted() {
    if crate::support::programs::require(["pdftoppm", "pdftotext"]).is_none() {
        return;
    }
    let r = reading_app(true);
    let uri = format!("/dokument/{}?q=krisesenter", r.id);
    let page = get(&r.app, &uri).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;

    // The in-document search: hits counted on every page, not only those shown.
    assert!(body.contains("4 treff på 2 sider"), "{body}");
    assert!(
        body.contains("href=\"#side-3\">s. 3</a> <span class=\"count\">(3 treff)</span>"),
        "{body}"
    );
    assert!(body.contains(&format!("href=\"/dokument/{}?q=krisesenter&#38;side=17#side-17\">s. 17</a> <span class=\"count\">(1 treff)</span>", r.id)), "{body}");
    assert!(body.contains("name=\"q\" value=\"krisesenter\""));

    // One window of ten pages, never the whole document.
    assert!(body.contains("Sider 1–10 av 25"));
    assert_eq!(body.matches("<figure class=\"pageimage\">").count(), 10);
    assert!(!body.contains("id=\"side-11\""));
    assert!(body.contains(&format!(
        "/dokument/{}?q=krisesenter&#38;side=11#side-11",
        r.id
    )));

    // Each page's image in two sizes, lazily, with its size and a description.
    let img = body
        .split("<img ")
        .find(|t| t.contains(&format!("/dokument/{}/bilde/3/middels", r.id)))
        .unwrap();
    for needle in [
        format!(
            "srcset=\"/dokument/{id}/bilde/3/middels 707w, /dokument/{id}/bilde/3/stor 1060w\"",
            id = r.id
        ),
        "loading=\"lazy\"".into(),
        "width=\"707\" height=\"1000\"".into(),
        "alt=\"s. 3 av «Lang rapport»\"".into(),
    ] {
        assert!(img.contains(&needle), "{needle} missing in <img {img}");
    }

    // The hit words boxed where they are on the page (A4 is 595 × 842 points; the text
    // starts an inch from the left and the top): three on page 3, none on page 2.
    let boxes = boxes_on_page(body, 3);
    assert_eq!(boxes.len(), 3, "{boxes:?}");
    let (x, y, w, h) = boxes[0];
    assert!((60.0..90.0).contains(&x), "{boxes:?}");
    assert!((40.0..120.0).contains(&y), "{boxes:?}");
    assert!(
        (30.0..200.0).contains(&w) && (5.0..30.0).contains(&h),
        "{boxes:?}"
    );
    assert!(
        boxes
            .iter()
            .all(|b| b.0 + b.2 <= 595.0 && b.1 + b.3 <= 842.0)
    );
    assert!(boxes_on_page(body, 2).is_empty());
    assert!(body.contains("viewBox=\"0 0 595 842\""));

    // Next and previous hit, across windows.
    let next = format!(
        "href=\"/dokument/{}?q=krisesenter&#38;side=17#side-17\">Neste treff →</a>",
        r.id
    );
    assert!(body.contains(&next), "{body}");
    let later = get(&r.app, &format!("/dokument/{}?q=krisesenter&side=17", r.id)).await;
    assert!(later.body.contains("Sider 11–20 av 25"));
    assert!(later.body.contains(&format!(
        "href=\"/dokument/{}?q=krisesenter&#38;side=3#side-3\">← Forrige treff</a>",
        r.id
    )));
    assert_eq!(boxes_on_page(&later.body, 17).len(), 1);

    // The page images the viewer names are served.
    let image = get(&r.app, &format!("/dokument/{}/bilde/3/middels", r.id)).await;
    assert_eq!(png_size(&image.bytes), (707, 1000));
}

#[tokio::test]
async fn bad_page_numbers_and_broken_pdfs_get_clear_errors() {
    let r = reading_app(true);
    for (path, status) in [
        ("bilde/0/liten", StatusCode::NOT_FOUND),
        ("bilde/26/liten", StatusCode::NOT_FOUND),
        ("bilde/4294967296/liten", StatusCode::BAD_REQUEST),
        ("bilde/-1/liten", StatusCode::BAD_REQUEST),
        ("bilde/abc/liten", StatusCode::BAD_REQUEST),
        ("bilde/1/enorm", StatusCode::NOT_FOUND),
    ] {
        let answer = get(&r.app, &format!("/dokument/{}/{path}", r.id)).await;
        assert_eq!(answer.status, status, "{path}");
        assert!(answer.content_type().starts_with("text/html"), "{path}");
    }
    let unknown = get(
        &r.app,
        &format!("/dokument/{}/bilde/1/liten", "0".repeat(32)),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // A page past the end never reaches the renderer; a broken file fails with a reason.
    use arkiv::extract::render::{ImageSize, PageCache, RenderError};
    let cache = PageCache::new(r.cache.clone(), crate::support::extract_config());
    let id = arkiv::model::DocId::parse(&r.id).unwrap();
    assert!(matches!(
        cache.image(&r.pdf, &id, 26, 25, ImageSize::Thumb),
        Err(RenderError::NoSuchPage {
            page: 26,
            pages: 25
        })
    ));
    if crate::support::programs::require(["pdftoppm"]).is_none() {
        return;
    }
    std::fs::create_dir_all(&r.cache).unwrap();
    let broken = r.cache.join("broken.pdf");
    std::fs::write(
        &broken,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF",
    )
    .unwrap();
    match cache.image(&broken, &id, 1, 1, ImageSize::Thumb) {
        Err(RenderError::Failed(e)) => assert!(!e.to_string().is_empty()),
        other => panic!("a broken PDF rendered: {:?}", other.map(|b| b.len())),
    }
}

#[tokio::test]
async fn without_pdftoppm_documents_are_read_as_text() {
    let r = reading_app(false);
    let page = get(&r.app, &format!("/dokument/{}?q=krisesenter", r.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<img "), "an image without a renderer");
    assert!(
        page.body.contains("<mark>krisesenter</mark>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("4 treff på 2 sider"));
    let results = get(&r.app, "/sok?q=krisesenter").await;
    assert!(!results.body.contains("/bilde/"));
    let image = get(&r.app, &format!("/dokument/{}/bilde/1/liten", r.id)).await;
    assert_eq!(image.status, StatusCode::NOT_FOUND);
}
