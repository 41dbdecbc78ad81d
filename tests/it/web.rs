//! The web archive through its router (no socket): every page and the API, filters,
//! paging, lenient parsing, 404s, headers, and hostile input coming out escaped.

use axum::Router;
use axum::http::StatusCode;

use arkiv::library::Library;
use arkiv::web::{AppState, router};

use crate::support::{Answer, copy_samples, get, run_ingest, sample_index, samples_dir, write_pdf};

fn sample_app() -> Router {
    router(AppState::new(
        sample_index().clone(),
        Library::new(samples_dir()),
        "https://arkiv.example",
    ))
}

/// `uri` answers `status`, and its body contains each of `needles`.
async fn check(app: &Router, uri: &str, status: StatusCode, needles: &[&str]) -> Answer {
    let answer = get(app, uri).await;
    assert_eq!(answer.status, status, "{uri}: {}", answer.body);
    for needle in needles {
        assert!(answer.body.contains(needle), "{uri} lacks `{needle}`");
    }
    answer
}

fn first_id(app_answer: &Answer) -> String {
    app_answer.json()["hits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn pages_render_in_both_languages() {
    let app = sample_app();
    let front = check(
        &app,
        "/",
        StatusCode::OK,
        &["<html lang=\"nb\"", "Istanbulkonvensjonen", "name=\"q\""],
    )
    .await;
    assert!(
        front.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    check(
        &app,
        "/?lang=en",
        StatusCode::OK,
        &["<html lang=\"en\"", "Istanbul Convention", "Search"],
    )
    .await;
    check(
        &app,
        "/sok?q=voldsalarm",
        StatusCode::OK,
        &["class=\"card\"", "<b>", "s. "],
    )
    .await;
    check(
        &app,
        "/sok?q=voldsalarm&lang=en",
        StatusCode::OK,
        &["hits", "p. "],
    )
    .await;
    check(&app, "/dokumenter", StatusCode::OK, &["2019", "2014"]).await;
    check(
        &app,
        "/dokumenter?convention=crc",
        StatusCode::OK,
        &["Barnekonvensjonen"],
    )
    .await;
    check(&app, "/static/arkiv.css", StatusCode::OK, &["--accent"]).await;
}

#[tokio::test]
async fn document_page_pdf_and_citation() {
    let app = sample_app();
    let api = check(&app, "/api/search?q=voldsalarm", StatusCode::OK, &[]).await;
    let id = first_id(&api);
    let page = check(
        &app,
        &format!("/dokument/{id}?q=voldsalarm"),
        StatusCode::OK,
        &[
            "<mark>",
            "Krisesentersekretariatet (20",
            "https://arkiv.example/dokument/",
            "id=\"side-1\"",
            "#page=1",
        ],
    )
    .await;
    assert!(page.body.contains(&format!("/dokument/{id}/pdf")));
    // Arriving at a page from a snippet: the citation and the PDF link name that page.
    let at_page = check(
        &app,
        &format!("/dokument/{id}?q=voldsalarm&side=1"),
        StatusCode::OK,
        &[],
    )
    .await;
    assert!(
        at_page
            .body
            .contains(", s. 1. https://arkiv.example/dokument/"),
        "{}",
        at_page.body
    );
    assert!(at_page.body.contains(&format!(
        "id=\"open-pdf\" href=\"/dokument/{id}/pdf#page=1\""
    )));
    let search = check(&app, "/sok?q=voldsalarm", StatusCode::OK, &[]).await;
    assert!(
        search.body.contains("side=1#side-1"),
        "snippet links name their page"
    );
    let pdf = get(&app, &format!("/dokument/{id}/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.body.starts_with("%PDF"));
    let download = get(&app, &format!("/dokument/{id}/pdf?download=1")).await;
    assert!(
        download.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );

    let doc = check(&app, &format!("/api/documents/{id}"), StatusCode::OK, &[])
        .await
        .json();
    assert_eq!(doc["id"], id.as_str());
    let pages = doc["pages"].as_array().unwrap();
    assert_eq!(pages.len(), doc["page_count"].as_u64().unwrap() as usize);
    assert!(
        pages[0]["text"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("voldsalarm")
    );
}

#[tokio::test]
async fn api_filters_paging_facets_and_sorting() {
    let app = sample_app();
    let all = get(&app, "/api/search?per_page=1000").await.json();
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 15);
    assert_eq!(all["hits"].as_array().unwrap().len() as u64, total);
    // Empty q: newest first.
    let dates: Vec<&str> = all["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["date"].as_str())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);

    let istanbul = all["facets"]["convention"]["istanbul"].as_u64().unwrap();
    let filtered = get(&app, "/api/search?convention=istanbul&per_page=1000")
        .await
        .json();
    assert_eq!(filtered["total"].as_u64().unwrap(), istanbul);
    for hit in filtered["hits"].as_array().unwrap() {
        assert!(
            hit["conventions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "istanbul")
        );
    }
    // Repeated convention: any of them.
    let either = get(&app, "/api/search?convention=crc&convention=cedaw")
        .await
        .json();
    let crc = all["facets"]["convention"]["crc"].as_u64().unwrap();
    assert!(either["total"].as_u64().unwrap() >= crc);

    let year = get(&app, "/api/search?year=2019").await.json();
    for hit in year["hits"].as_array().unwrap() {
        assert_eq!(hit["year"], 2019);
    }
    let range = get(&app, "/api/search?from=2015&to=2017&per_page=1000")
        .await
        .json();
    for hit in range["hits"].as_array().unwrap() {
        let y = hit["year"].as_i64().unwrap();
        assert!((2015..=2017).contains(&y));
    }
    let kind = get(&app, "/api/search?kind=innspill&per_page=1000")
        .await
        .json();
    assert_eq!(kind["total"], all["facets"]["kind"]["innspill"]);

    let page1 = get(&app, "/api/search?per_page=5&page=1").await.json();
    let page2 = get(&app, "/api/search?per_page=5&page=2").await.json();
    assert_eq!(page1["hits"].as_array().unwrap().len(), 5);
    assert_ne!(page1["hits"][0]["id"], page2["hits"][0]["id"]);

    let oldest = get(&app, "/api/search?q=vold&sort=oldest&per_page=1000")
        .await
        .json();
    let dates: Vec<&str> = oldest["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["date"].as_str())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);

    let article = get(&app, "/api/search?article=echr:8").await.json();
    assert!(article["total"].as_u64().unwrap() > 0);
    for hit in article["hits"].as_array().unwrap() {
        assert!(
            hit["articles"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "echr:8")
        );
    }
}

#[tokio::test]
async fn bad_parameters_are_400_and_strange_queries_never_500() {
    let app = sample_app();
    for uri in [
        "/api/search?year=abc",
        "/api/search?convention=atlantis",
        "/api/search?per_page=5000",
        "/api/search?page=0",
        "/api/search?sort=sideways",
        "/api/search?article=istanbul:x",
        "/api/search?kind=brev",
    ] {
        let answer = get(&app, uri).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            answer.json()["error"]
                .as_str()
                .unwrap()
                .contains("invalid parameter"),
            "{uri}"
        );
    }
    for q in [
        "\"",
        "((",
        "AND",
        "OR OR",
        "-",
        "*",
        "tittel:",
        "år:abc",
        "konvensjon:",
        "a:b:c",
        "\"unclosed phrase",
        "vold^2",
        "~",
        "%00",
        "[1 TO 2]",
        "😀",
        "ø*",
    ] {
        let uri = format!("/api/search?q={}", urlencode(q));
        let answer = get(&app, &uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{q}: {}", answer.body);
        let page = get(&app, &format!("/sok?q={}", urlencode(q))).await;
        assert_eq!(page.status, StatusCode::OK, "{q}");
    }
    // The page forgives a bad filter value rather than refusing the whole search.
    check(
        &app,
        "/sok?q=vold&year=abc",
        StatusCode::OK,
        &["class=\"card\""],
    )
    .await;
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn unknown_pages_and_documents_are_friendly_404s() {
    let app = sample_app();
    check(
        &app,
        "/finnes-ikke",
        StatusCode::NOT_FOUND,
        &["Fant ikke siden"],
    )
    .await;
    check(
        &app,
        "/finnes-ikke?lang=en",
        StatusCode::NOT_FOUND,
        &["Page not found"],
    )
    .await;
    check(
        &app,
        "/dokument/00000000000000000000000000000000",
        StatusCode::NOT_FOUND,
        &["Fant ikke"],
    )
    .await;
    check(
        &app,
        "/dokument/..%2F..%2Fetc%2Fpasswd",
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
    check(
        &app,
        "/dokument/../Cargo.toml/pdf",
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
    let api = get(&app, "/api/documents/nope").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.json()["error"], "not found");
}

#[tokio::test]
async fn security_headers_are_set() {
    let app = sample_app();
    let answer = get(&app, "/sok?q=vold").await;
    let csp = answer.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(answer.headers["x-content-type-options"], "nosniff");
    assert!(answer.headers.contains_key("referrer-policy"));
    assert!(
        !answer.body.contains("style=\""),
        "inline style would break the CSP"
    );
    assert!(
        !answer.body.contains("<script>"),
        "inline script would break the CSP"
    );
}

#[tokio::test]
async fn a_misspelt_search_shows_the_suggestion() {
    let app = sample_app();
    check(
        &app,
        "/sok?q=partnerdarp",
        StatusCode::OK,
        &["partnerdrap", "class=\"suggestion\"", "class=\"card\""],
    )
    .await;
    let api = get(&app, "/api/search?q=partnerdarp").await.json();
    assert_eq!(api["suggestion"], "partnerdrap");
}

#[tokio::test]
async fn hostile_text_titles_and_queries_come_out_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    copy_samples(&docs);
    let payload = "<script>alert(1)</script>";
    write_pdf(
        &docs,
        "xss.pdf",
        None,
        &[&format!(
            "Angrep {payload} og \"anførsel\" & <img src=x onerror=alert(2)> slutt"
        )],
    );
    std::fs::write(
        docs.join("xss.toml"),
        "title = \"Tittel <img src=x onerror=alert(3)>\"\nrecipient = \"<b>mottaker</b>\"\n",
    )
    .unwrap();
    let index_dir = dir.path().join("index");
    let (index, report) = run_ingest(&docs, &index_dir);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let app = router(AppState::new(
        index,
        Library::new(&docs),
        "http://localhost",
    ));
    let search = check(&app, "/sok?q=angrep", StatusCode::OK, &[]).await;
    assert_escaped(&search.body, "<script>alert(1)</script>");
    assert_escaped(&search.body, "Tittel <img");
    let document_url = search
        .body
        .split("href=\"")
        .find(|s| s.starts_with("/dokument/"))
        .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
        .unwrap();
    let query_echo = check(
        &app,
        &format!("/sok?q={}", urlencode(payload)),
        StatusCode::OK,
        &[],
    )
    .await;
    assert_escaped(&query_echo.body, payload);
    for answer in [&search, &query_echo, &get(&app, &document_url).await] {
        assert_eq!(answer.status, StatusCode::OK);
        assert!(
            !answer.body.contains("<script>"),
            "raw script tag in {}",
            answer.body
        );
        assert!(!answer.body.contains("<img src=x"), "raw img tag");
        assert!(!answer.body.contains("<b>mottaker"), "raw recipient markup");
    }
    let json = get(&app, "/api/search?q=angrep").await;
    assert_eq!(
        json.json()["hits"][0]["title"],
        "Tittel <img src=x onerror=alert(3)>"
    );
    assert!(
        json.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}

/// `body` holds `raw` escaped, with named or numeric entities.
fn assert_escaped(body: &str, raw: &str) {
    let named = raw.replace('<', "&lt;").replace('>', "&gt;");
    let numeric = raw.replace('<', "&#60;").replace('>', "&#62;");
    assert!(
        body.contains(&named) || body.contains(&numeric),
        "`{raw}` is not in the page escaped"
    );
}
