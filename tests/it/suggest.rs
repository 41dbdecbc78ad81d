//! Suggestions as you type (`GET /api/suggest`, `arkiv::suggest`): what they offer and in
//! which order, the limit of 8, titles with markup and quotes, bad input, and suggestions
//! that follow a change to the index.

use std::path::Path;
use std::time::{Duration, Instant};

use arkiv::index::ArchiveIndex;
use arkiv::library::Library;
use arkiv::model::Submission;
use arkiv::web::{AppState, router};
use axum::http::StatusCode;
use serde_json::Value;

use crate::support::{self, get};

fn submission(file: &str, title: &str, text: &str) -> Submission {
    support::submission(file, title, &[text])
}

/// A title with markup and quotes in it.
const HOSTILE_TITLE: &str = "Svar om <script>alert(\"x\")</script> & «vold» 'i' \\ hjemmet";

/// Documents as (title, text): the words' document counts are krisesenteret 4,
/// krisesentrene 3, krisen 2, krisemøte 1 (too rare to suggest).
const DOCUMENTS: &[(&str, &str)] = &[
    (
        "Krisesenter og kommunen",
        "krisesenteret krisesentrene hjelp",
    ),
    ("Krisesenter og kommunen", "krisesenteret krisesentrene"),
    ("Om krisesenteret", "krisesenteret krisen"),
    ("Om krisesenteret", "krisen krisesentrene"),
    ("Om krisesenteret", "krisesenteret"),
    ("Krisesentertilbudet i Oslo", "krisemøte"),
    (HOSTILE_TITLE, "svarbrev"),
];

/// The documents in an index in memory, and two consultation records in `docs`.
fn archive(docs: &Path) -> (ArchiveIndex, axum::Router) {
    let folder = docs.join("consultations");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("krisesentre-nord.toml"),
        "title = \"Krisesentre i nord\"\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("krisesentertilbudet.toml"),
        "title = \"Høring om krisesentertilbudet\"\n",
    )
    .unwrap();
    let index = ArchiveIndex::create_in_ram().unwrap();
    let mut writer = index.writer().unwrap();
    for (i, (title, text)) in DOCUMENTS.iter().enumerate() {
        writer
            .upsert(&submission(&format!("d{i}.pdf"), title, text), "f")
            .unwrap();
    }
    writer.commit().unwrap();
    writer.finish().unwrap();
    let app = router(AppState::new(
        index.clone(),
        Library::new(docs),
        "http://localhost",
    ));
    (index, app)
}

/// The suggestions for `query` (URL-encoded) as (kind, text, url).
async fn suggestions(app: &axum::Router, query: &str) -> Vec<(String, String, String)> {
    let answer = get(app, &format!("/api/suggest?{query}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
    assert!(
        answer.content_type().starts_with("application/json"),
        "{}",
        answer.content_type()
    );
    answer.json()["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().to_string(),
                s["text"].as_str().unwrap().to_string(),
                s["url"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Checks the (kind, text) pairs of the suggestions for `query`, in order.
async fn check(app: &axum::Router, query: &str, expected: &[(&str, &str)]) {
    let got = suggestions(app, query).await;
    let got: Vec<(&str, &str)> = got
        .iter()
        .map(|(k, t, _)| (k.as_str(), t.as_str()))
        .collect();
    assert_eq!(got, expected, "suggestions for {query}");
}

#[tokio::test]
async fn every_source_in_kind_order_taking_turns_at_most_eight() {
    let dir = tempfile::tempdir().unwrap();
    let (_, app) = archive(dir.path());
    // Nine match: one law, two consultations, three titles, three words. The kinds take
    // turns, so the third word is the one left out; within a kind, names that start with
    // the text come first, then the weightier, then alphabetical.
    check(
        &app,
        "q=krise",
        &[
            ("law", "krisesenterlova"),
            ("consultation", "Krisesentre i nord"),
            ("consultation", "Høring om krisesentertilbudet"),
            ("title", "Krisesenter og kommunen"),
            ("title", "Krisesentertilbudet i Oslo"),
            ("title", "Om krisesenteret"),
            ("term", "krisesenteret"),
            ("term", "krisesentrene"),
        ],
    )
    .await;
    // With fewer candidates, the third word gets its place.
    check(
        &app,
        "q=krisesentere",
        &[("title", "Om krisesenteret"), ("term", "krisesenteret")],
    )
    .await;
    check(&app, "q=krisen", &[("term", "krisen")]).await;
    // Conventions by any of their names, shown in the page's language.
    check(
        &app,
        "q=istanbul",
        &[("convention", "Istanbulkonvensjonen")],
    )
    .await;
    check(
        &app,
        "q=istanbul&lang=en",
        &[("convention", "Istanbul Convention")],
    )
    .await;
    check(
        &app,
        "q=cedaw",
        &[("convention", "Kvinnekonvensjonen (CEDAW)")],
    )
    .await;
    // A law by a word of its title.
    let straff = suggestions(&app, "q=straff").await;
    assert!(
        straff.contains(&(
            "law".into(),
            "straffeloven".into(),
            "/sok?law=straffeloven".into()
        )),
        "{straff:?}"
    );
}

#[tokio::test]
async fn the_last_word_is_completed_after_the_words_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_, app) = archive(dir.path());
    check(
        &app,
        "q=om%20kris",
        &[
            ("consultation", "Høring om krisesentertilbudet"),
            ("title", "Om krisesenteret"),
            ("term", "om krisesenteret"),
            ("term", "om krisesentrene"),
            ("term", "om krisen"),
        ],
    )
    .await;
}

#[tokio::test]
async fn each_suggestion_leads_to_its_search() {
    let dir = tempfile::tempdir().unwrap();
    let (_, app) = archive(dir.path());
    let all = suggestions(&app, "q=krise").await;
    let url_of = |text: &str| {
        all.iter()
            .find(|(_, t, _)| t == text)
            .map(|(_, _, u)| u.clone())
            .unwrap_or_else(|| panic!("no {text} in {all:?}"))
    };
    assert_eq!(url_of("krisesenterlova"), "/sok?law=krisesenterlova");
    assert_eq!(
        url_of("Krisesentre i nord"),
        "/sok?consultation=krisesentre-nord"
    );
    assert_eq!(url_of("krisesenteret"), "/sok?q=krisesenteret");
    assert_eq!(
        url_of("Krisesenter og kommunen"),
        "/sok?q=Krisesenter+og+kommunen"
    );
    let english = suggestions(&app, "q=istanbul&lang=en").await;
    assert_eq!(english[0].2, "/sok?convention=istanbul&lang=en");
    // And the search it leads to finds what it promised.
    let hits = get(&app, "/api/search?q=krisesenteret").await.json();
    assert!(hits["total"].as_u64().unwrap() >= 4, "{hits}");
}

#[tokio::test]
async fn a_title_with_markup_and_quotes_is_escaped_json_text() {
    let dir = tempfile::tempdir().unwrap();
    let (_, app) = archive(dir.path());
    let answer = get(&app, "/api/suggest?q=svar").await;
    assert_eq!(answer.status, StatusCode::OK);
    // No markup survives in the body, not even inside a JSON string ...
    for raw in ["<", ">", "&"] {
        assert!(!answer.body.contains(raw), "{raw} in {}", answer.body);
    }
    assert!(answer.body.contains("\\\"x\\\""), "{}", answer.body);
    assert_eq!(answer.header("x-content-type-options"), "nosniff");
    // ... and a JSON parser reads the title exactly as written.
    let json: Value = answer.json();
    let texts: Vec<&str> = json["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    // "svarbrev" is in one document only: too rare to suggest.
    assert_eq!(texts, [HOSTILE_TITLE]);
}

#[tokio::test]
async fn bad_input_is_refused_and_short_input_gets_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, app) = archive(dir.path());
    let long = "k".repeat(arkiv::suggest::MAX_CHARS + 1);
    for (query, says) in [
        (format!("q={long}"), "at most 100 characters"),
        ("q=kri%00se".to_string(), "control characters"),
        ("q=kri%07se".to_string(), "control characters"),
        ("q=krise%0A".to_string(), "control characters"),
        ("q=krise&q=kris".to_string(), "more than once"),
        ("q=krise&lang=de".to_string(), "`lang`"),
        ("q=krise&limit=100".to_string(), "unknown parameter `limit`"),
    ] {
        let answer = get(&app, &format!("/api/suggest?{query}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        let error = answer.json()["error"].as_str().unwrap().to_string();
        assert!(error.contains(says), "{query}: {error}");
    }
    // At the bound, an answer (and nothing matches a hundred k's).
    let at_bound = "k".repeat(arkiv::suggest::MAX_CHARS);
    assert!(suggestions(&app, &format!("q={at_bound}")).await.is_empty());
    // Too short to suggest anything: an empty list, not an error.
    for query in ["", "q=", "q=k", "q=%20%20k%20", "q=%E2%80%93", "q=%FF%FE"] {
        let answer = get(&app, &format!("/api/suggest?{query}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{query}");
        assert_eq!(
            answer.json()["suggestions"],
            serde_json::json!([]),
            "{query}"
        );
    }
}

#[tokio::test]
async fn suggestions_follow_a_change_to_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let (index, app) = archive(dir.path());
    check(&app, "q=nyhet", &[]).await;
    let mut writer = index.writer().unwrap();
    writer
        .upsert(
            &submission("ny.pdf", "Nyheter fra sekretariatet", "nyhetsbrev"),
            "f",
        )
        .unwrap();
    writer
        .upsert(&submission("ny2.pdf", "Annet", "nyhetsbrev"), "f")
        .unwrap();
    writer.commit().unwrap();
    // The lists are rebuilt off the request's path: the first answers after the commit
    // may come from the lists before it.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = suggestions(&app, "q=nyhet").await;
        let texts: Vec<&str> = got.iter().map(|(_, t, _)| t.as_str()).collect();
        if texts == ["Nyheter fra sekretariatet", "nyhetsbrev"] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new title and word are not suggested: {got:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A deleted document's title goes too.
    writer.finish().unwrap();
    let mut writer = index.writer().unwrap();
    writer.remove_file("ny.pdf");
    writer.commit().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = suggestions(&app, "q=nyhet").await;
        if !got.iter().any(|(kind, _, _)| kind == "title") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the deleted title is still suggested: {got:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_search_box_works_without_its_script_and_loads_it_within_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let (_, app) = archive(dir.path());
    for uri in ["/", "/sok?q=krise", "/?lang=en"] {
        let page = get(&app, uri).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = scraper::Html::parse_document(&page.body);
        let form = scraper::Selector::parse("form.searchbox[action='/sok'][method=get]").unwrap();
        let form = html.select(&form).next().expect("a plain search form");
        let input = scraper::Selector::parse("input[name=q]").unwrap();
        let input = form.select(&input).next().expect("its text field");
        // The combobox roles are the script's to add: without it, a plain search field.
        assert_eq!(input.value().attr("role"), None, "{uri}");
        assert_eq!(input.value().attr("type"), Some("search"));
        let script = scraper::Selector::parse("script[src='/static/suggest.js'][defer]").unwrap();
        assert!(
            html.select(&script).next().is_some(),
            "{uri} loads no suggest.js"
        );
        let lang = if uri.contains("lang=en") { "en" } else { "nb" };
        assert_eq!(
            form.value().attr("data-suggest"),
            Some(format!("/api/suggest?lang={lang}").as_str())
        );
        // The script fetches from the archive itself, which the policy must allow.
        let csp = page.header("content-security-policy");
        assert!(csp.contains("connect-src 'self'"), "{csp}");
    }
    let script = get(&app, "/static/suggest.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.content_type().starts_with("text/javascript"));
    // Text from the server is set as text only.
    assert!(script.body.contains("textContent"));
    for unsafe_sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(
            !script.body.contains(unsafe_sink),
            "suggest.js uses {unsafe_sink}"
        );
    }
}
