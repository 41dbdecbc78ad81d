//! Hostile inputs to the web layer (issue 13): URLs that would size work or output without
//! bound, API values outside the API's own schema, a `PATCH` that must change only what it
//! names, and methods nothing is routed for.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::NaiveDate;

use arkiv::pdfgen::{PdfSpec, render};
use arkiv::web::params::limits;

use crate::support::{Answer, StaffApp, get, send, staff_app_with};

/// A page of results must stay this small however many filters a URL repeats.
const SMALL_PAGE: usize = 256 * 1024;

fn app() -> StaffApp {
    staff_app_with(1 << 20, &[], |_| {})
}

/// `n` distinct article filters (about 55 KB of URL for 3,400, like the attack's 57 KB).
fn articles(n: usize) -> String {
    (1..=n)
        .map(|i| format!("article=crc:{i}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn bearer(s: &StaffApp, method: Method, uri: &str, json: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {}", s.token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json.to_string()))
        .unwrap()
}

async fn patch(s: &StaffApp, id: &str, json: &str) -> Answer {
    send(
        &s.app,
        bearer(s, Method::PATCH, &format!("/api/documents/{id}"), json),
    )
    .await
}

fn assert_json_400(answer: &Answer, what: &str) {
    assert_eq!(
        answer.status,
        StatusCode::BAD_REQUEST,
        "{what}: {}",
        answer.body
    );
    assert!(
        answer.json()["error"].is_string(),
        "{what}: {}",
        answer.body
    );
}

fn assert_html_400(answer: &Answer, what: &str) {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{what}");
    assert!(answer.content_type().starts_with("text/html"), "{what}");
    assert!(
        answer.body.len() < SMALL_PAGE,
        "{what}: {} bytes",
        answer.body.len()
    );
}

/// Attack 1: 3,400 `article=` filters made a page whose every chip linked all the others.
#[tokio::test]
async fn filters_past_their_bound_are_refused_with_a_small_answer() {
    let s = app();
    let many = articles(3400);
    for path in ["/sok", "/statistikk", "/dokumenter", "/feed.atom"] {
        let answer = get(&s.app, &format!("{path}?{many}")).await;
        if path == "/feed.atom" {
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}");
        } else {
            assert_html_400(&answer, path);
        }
        assert!(
            answer.body.len() < SMALL_PAGE,
            "{path}: {} bytes",
            answer.body.len()
        );
    }
    for path in ["/api/search", "/api/export"] {
        let answer = get(&s.app, &format!("{path}?{many}")).await;
        assert_json_400(&answer, path);
        assert!(answer.body.len() < SMALL_PAGE);
    }
    // One more than the bound is refused; the bound itself is served.
    let past = articles(limits::MAX_FILTER_VALUES + 1);
    assert_json_400(&get(&s.app, &format!("/api/search?{past}")).await, "21");
    let at = articles(limits::MAX_FILTER_VALUES);
    let answer = get(&s.app, &format!("/sok?{at}")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.body.len() < SMALL_PAGE,
        "{} bytes",
        answer.body.len()
    );
    assert_eq!(
        get(&s.app, &format!("/api/search?{at}")).await.status,
        StatusCode::OK
    );
    // So are long queries, in characters and in words.
    let long = "a".repeat(limits::MAX_QUERY_CHARS + 1);
    assert_json_400(
        &get(&s.app, &format!("/api/search?q={long}")).await,
        "chars",
    );
    assert_html_400(&get(&s.app, &format!("/sok?q={long}")).await, "chars");
    let words = "ord+".repeat(limits::MAX_QUERY_TERMS + 1);
    assert_json_400(
        &get(&s.app, &format!("/api/search?q={words}")).await,
        "words",
    );
}

/// Attack 2: one GET made tantivy reserve room for offset + limit hits.
#[tokio::test]
async fn paging_past_the_result_window_is_refused() {
    let s = app();
    let deep = get(&s.app, "/api/search?q=&page=100000&per_page=1000").await;
    assert_json_400(&deep, "page 100000");
    assert_json_400(
        &get(&s.app, "/api/search?page=11&per_page=1000").await,
        "page 11",
    );
    assert_eq!(
        get(&s.app, "/api/search?page=10&per_page=1000")
            .await
            .status,
        StatusCode::OK
    );
    assert_html_400(&get(&s.app, "/sok?page=100000&per_page=1000").await, "page");
}

/// Attack 7: a PATCH of `recipient` dropped the title and date read from the PDF's own
/// metadata.
#[tokio::test]
async fn a_patch_changes_only_the_fields_it_names() {
    let s = staff_app_with(1 << 20, &[], |docs| {
        let spec = PdfSpec {
            title: Some("Innspill om trygge krisesentre".into()),
            author: None,
            creation_date: NaiveDate::from_ymd_opt(2019, 5, 14),
            pages: vec!["Vi viser til Istanbulkonvensjonen artikkel 18.".into()],
        };
        std::fs::write(docs.join("metadata.pdf"), render(&spec)).unwrap();
    });
    let id = s.id_of("metadata.pdf");
    let before = get(&s.app, &format!("/api/documents/{id}")).await.json();
    assert_eq!(before["title"], "Innspill om trygge krisesentre");
    assert_eq!(before["date"], "2019-05-14");

    let patched = patch(&s, &id, r#"{"recipient":"Barne- og familiedepartementet"}"#).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let after = get(&s.app, &format!("/api/documents/{id}")).await.json();
    assert_eq!(after["recipient"], "Barne- og familiedepartementet");
    for field in ["title", "date", "kind", "conventions", "articles"] {
        assert_eq!(after[field], before[field], "{field}");
    }
}

/// Attack 11: the API took a `source_url` the form refuses.
#[tokio::test]
async fn the_api_validates_source_url_as_the_form_does() {
    let s = app();
    let id = s.any_id();
    let before = get(&s.app, &format!("/api/documents/{id}")).await.json();
    for url in [
        "javascript:alert(1)",
        "data:text/html,x",
        "ftp://x.example/",
    ] {
        let answer = patch(&s, &id, &format!(r#"{{"source_url":"{url}"}}"#)).await;
        assert_json_400(&answer, url);
    }
    let after = get(&s.app, &format!("/api/documents/{id}")).await.json();
    assert_eq!(after["source_url"], before["source_url"]);
    let fine = patch(&s, &id, r#"{"source_url":"https://www.regjeringen.no/x"}"#).await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.body);
}

/// Attack 12: values outside the schema were accepted, and the schema did not bound the
/// article number the server refused.
#[tokio::test]
async fn the_api_refuses_what_its_schema_does_not_allow() {
    let s = app();
    assert_json_400(&get(&s.app, "/api/search?lang=AAA").await, "lang=AAA");
    assert_json_400(
        &get(&s.app, "/api/export?lang=AAA").await,
        "export lang=AAA",
    );
    assert_json_400(&get(&s.app, "/api/search?kind=").await, "kind=");
    assert_json_400(&get(&s.app, "/api/search?convention=").await, "convention=");
    assert_json_400(
        &get(&s.app, "/api/search?article=istanbul:99999999999").await,
        "large article",
    );
    assert_eq!(
        get(&s.app, "/api/search?article=istanbul:9999&lang=en")
            .await
            .status,
        StatusCode::OK
    );
    // The schema says the same: its pattern takes the largest accepted number and not the
    // refused one.
    let spec = get(&s.app, "/api/openapi.json").await.json();
    let params = spec["paths"]["/api/search"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let article = params.iter().find(|p| p["name"] == "article").unwrap();
    let pattern = article["schema"]["items"]["pattern"].as_str().unwrap();
    let re = regex::Regex::new(pattern).unwrap();
    assert!(re.is_match("istanbul:9999"), "{pattern}");
    assert!(!re.is_match("istanbul:99999999999"), "{pattern}");
    // Pages are lenient with bad values as before: a bad `lang` is bokmål.
    assert_eq!(get(&s.app, "/sok?lang=AAA").await.status, StatusCode::OK);
}

/// Found by schemathesis (seed 2531097590363831377): a PATCH with `"kind": "\r"` and
/// `"language": ""` was answered 200, the blank values read as "clear", though the schema
/// lists only the codes (and `null` clears). A coded field now takes its value exactly.
#[tokio::test]
async fn a_patch_takes_coded_fields_exactly_as_the_schema_lists_them() {
    let s = app();
    let id = s.any_id();
    let ok = patch(
        &s,
        &id,
        r#"{"kind":"rapport","language":"nn","reference":"X-1"}"#,
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let before = get(&s.app, &format!("/api/documents/{id}")).await.json();
    for field in ["kind", "date", "language", "source_url", "consultation"] {
        for value in ["", r"\r", " ", r"\u00a0"] {
            let body = format!(r#"{{"{field}":"{value}"}}"#);
            assert_json_400(&patch(&s, &id, &body).await, &body);
        }
    }
    for body in [
        r#"{"kind":" rapport"}"#,
        r#"{"kind":"rapport\n"}"#,
        r#"{"language":"NB"}"#,
        r#"{"date":" 2024-01-02"}"#,
        r#"{"source_url":" https://x.example/"}"#,
    ] {
        assert_json_400(&patch(&s, &id, body).await, body);
    }
    let after = get(&s.app, &format!("/api/documents/{id}")).await.json();
    assert_eq!(before, after, "a refused patch changed the document");
    // `null` still clears, and blank free text still clears: detection decides again.
    let cleared = patch(&s, &id, r#"{"language":null,"reference":"  "}"#).await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    let cleared = cleared.json();
    assert_ne!(cleared["language"], "nn", "{cleared}");
    assert_ne!(cleared["reference"], "X-1", "{cleared}");
}

/// The consultation API's dates are the schema's `format: date` too: chrono alone took
/// `" 2024-01-02"` and `"2024-1-2"` for the sent date, the deadline and an outcome step's.
#[tokio::test]
async fn consultation_dates_are_taken_only_as_yyyy_mm_dd() {
    let s = app();
    let create = r#"{"id":"dated","title":"T","sent":"2024-01-02","deadline":"2024-03-01"}"#;
    let created = send(
        &s.app,
        bearer(&s, Method::POST, "/api/consultations", create),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let address = "/api/consultations/dated";
    let before = get(&s.app, address).await.json();
    for loose in [
        " 2024-01-02",
        "2024-1-2",
        "2024-01-02 ",
        "2024-01-2",
        "+2024-01-02",
    ] {
        for body in [
            format!(r#"{{"sent":"{loose}"}}"#),
            format!(r#"{{"deadline":"{loose}"}}"#),
            format!(r#"{{"outcome":[{{"kind":"annet","title":"S","date":"{loose}"}}]}}"#),
        ] {
            let answer = send(&s.app, bearer(&s, Method::PATCH, address, &body)).await;
            assert_json_400(&answer, &body);
        }
        let body = format!(r#"{{"id":"loose","title":"T","deadline":"{loose}"}}"#);
        let answer = send(
            &s.app,
            bearer(&s, Method::POST, "/api/consultations", &body),
        )
        .await;
        assert_json_400(&answer, &body);
    }
    assert_eq!(before, get(&s.app, address).await.json());
    let body =
        r#"{"deadline":"2024-02-29","outcome":[{"kind":"annet","title":"S","date":"2025-12-31"}]}"#;
    let answer = send(&s.app, bearer(&s, Method::PATCH, address, body)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let after = answer.json();
    assert_eq!(after["deadline"], "2024-02-29", "{after}");
    assert_eq!(after["outcome"][0]["date"], "2025-12-31", "{after}");
}

/// Found by schemathesis (seed 14370879941522091016): an outcome step titled "\u{85}" was
/// valid by the schema's `\S` (ECMAScript's blanks lack U+0085) and refused by the server,
/// whose `trim` counts it a blank. The schema now names the server's blanks one by one.
#[tokio::test]
async fn the_schema_and_the_server_agree_on_what_is_blank() {
    let blank = regex::Regex::new(arkiv::model::NOT_BLANK_PATTERN).unwrap();
    for c in (0..=0x3_0000).filter_map(char::from_u32) {
        let text = c.to_string();
        assert_eq!(
            blank.is_match(&text),
            !arkiv::model::is_blank(&text),
            "U+{:04X}",
            c as u32
        );
    }
    let s = app();
    let spec = get(&s.app, "/api/openapi.json").await.json();
    let mut patterns = Vec::new();
    collect_patterns(&spec, &mut patterns);
    assert!(!patterns.iter().any(|p| p.contains("\\S")), "{patterns:?}");
    let not_blank = patterns
        .iter()
        .filter(|p| *p == arkiv::model::NOT_BLANK_PATTERN)
        .count();
    assert_eq!(
        not_blank, 5,
        "note text (2), consultation title (2), step title"
    );
    let id = s.any_id();
    let notes = format!("/api/documents/{id}/notes");
    for text in [r"\u0085", r"\ufeff", r" \u3000\t"] {
        let body = format!(r#"{{"text":"{text}"}}"#);
        let answer = send(&s.app, bearer(&s, Method::POST, &notes, &body)).await;
        assert_json_400(&answer, &body);
    }
    // Not blanks to either: a note of one such character is a note.
    let answer = send(
        &s.app,
        bearer(&s, Method::POST, &notes, r#"{"text":"\u001c"}"#),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let consultation =
        r#"{"id":"blank-step","title":"T","outcome":[{"kind":"annet","title":"\u0085"}]}"#;
    let answer = send(
        &s.app,
        bearer(&s, Method::POST, "/api/consultations", consultation),
    )
    .await;
    assert_json_400(&answer, consultation);
}

fn collect_patterns(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("pattern", serde_json::Value::String(p)) => out.push(p.clone()),
                    _ => collect_patterns(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_patterns(v, out)),
        _ => {}
    }
}

async fn trace(app: &Router, uri: &str) -> StatusCode {
    let request = Request::builder()
        .method(Method::TRACE)
        .uri(uri)
        .body(Body::empty())
        .unwrap();
    send(app, request).await.status
}

/// Attack 12: TRACE on a staff path answered 401 (the guard ran before the router found no
/// route for the method).
#[tokio::test]
async fn unrouted_methods_answer_405_before_any_guard() {
    let s = app();
    let id = s.any_id();
    for path in arkiv::web::staff::staff_routes()
        .into_iter()
        .map(|(_, p)| p)
        .chain(["/sok", "/api/search"])
    {
        let uri = path
            .replace("{id}", &id)
            .replace("{name}", "20250101T000000Z--x.pdf");
        assert_eq!(
            trace(&s.app, &uri).await,
            StatusCode::METHOD_NOT_ALLOWED,
            "{uri}"
        );
    }
}

/// The keys of a JSON object, sorted.
fn keys(value: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

/// Attack 12: the OpenAPI document left out the write API. Now it describes each
/// operation behind its bearer scheme, and the live answers have the documented fields.
#[tokio::test]
async fn the_openapi_document_describes_the_write_api() {
    let s = app();
    let spec = get(&s.app, "/api/openapi.json").await.json();
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (path, method) in [
        ("/api/documents", "post"),
        ("/api/documents/{id}", "patch"),
        ("/api/documents/{id}", "delete"),
    ] {
        let op = &spec["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not described");
        assert!(op["security"][0]["bearer"].is_array(), "{method} {path}");
        assert!(op["responses"]["401"].is_object(), "{method} {path}");
    }
    // Every staff API route is described.
    for (method, path) in arkiv::web::staff::staff_routes() {
        if path.starts_with("/api/") {
            let method = method.as_str().to_lowercase();
            assert!(spec["paths"][path][&method].is_object(), "{method} {path}");
        }
    }
    let schema_keys = |name: &str| {
        let mut keys: Vec<String> = spec["components"]["schemas"][name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("no schema {name}"))
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    };
    let id = s.any_id();
    let patched = patch(&s, &id, r#"{"reference":"22/1234"}"#).await;
    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(keys(&patched.json()), schema_keys("Document"));
    let bad = patch(&s, &id, r#"{"kind":"brev"}"#).await;
    assert_json_400(&bad, "kind brev");
    assert_eq!(keys(&bad.json()), schema_keys("Error"));
    let deleted = send(
        &s.app,
        bearer(&s, Method::DELETE, &format!("/api/documents/{id}"), ""),
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(keys(&deleted.json()), schema_keys("Deleted"));
}
