//! Snapshots of the main pages' HTML over the sample archive (insta), so that a change to a
//! template or a page model shows up as a diff to review. Ids, CSRF tokens, search times
//! and today's date are redacted; everything else on these pages depends on the samples alone.
//!
//! After a deliberate change: `INSTA_UPDATE=always cargo test --test it html_snapshots`
//! (or `cargo insta review`), read the diff of `tests/it/snapshots/`, and commit it.

use axum::Router;
use axum::http::StatusCode;

use arkiv::library::Library;
use arkiv::web::{AppState, router};

use crate::support::{get, sample_index, samples_dir};

fn sample_app() -> Router {
    router(AppState::new(
        sample_index().clone(),
        Library::new(samples_dir()),
        "https://arkiv.example",
    ))
}

/// The id of the sample `file`.
fn id_of(file: &str) -> String {
    sample_index()
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.submission.file == file)
        .unwrap_or_else(|| panic!("{file} is not in the samples"))
        .submission
        .id
        .to_string()
}

/// `uri` answers `status` with HTML that matches the snapshot `name`, volatile parts
/// redacted.
async fn check(uri: &str, status: StatusCode, name: &str) {
    let answer = get(&sample_app(), uri).await;
    assert_eq!(answer.status, status, "{uri}: {}", answer.body);
    assert!(
        answer.content_type().starts_with("text/html"),
        "{uri}: {}",
        answer.content_type()
    );
    let ids = regex::Regex::new(r"\b[0-9a-f]{32}\b").unwrap();
    let today = regex::escape(&chrono::Local::now().date_naive().to_string());
    let filters = vec![
        // Document ids: content hashes, which change whenever a sample does.
        (r"\b[0-9a-f]{32}\b", "[id]"),
        // CSRF tokens.
        (
            r#"name="csrf" value="[0-9a-f]+""#,
            r#"name="csrf" value="[csrf]""#,
        ),
        // How long the search took.
        (
            r#"<span class="took">[^<]*</span>"#,
            r#"<span class="took">[took]</span>"#,
        ),
        // Today, as citations give it ("accessed").
        (today.as_str(), "[today]"),
    ];
    insta::with_settings!({ filters => filters, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, answer.body, &ids.replace_all(uri, "[id]"));
    });
}

#[tokio::test]
async fn front_page() {
    check("/", StatusCode::OK, "front").await;
}

#[tokio::test]
async fn search_results_with_filters() {
    // Compound parts change what is found and marked: the snapshot is taken with them.
    if crate::support::programs::require(["hunspell-no"]).is_none() {
        return;
    }
    check(
        "/sok?q=vold&convention=istanbul&kind=horingssvar",
        StatusCode::OK,
        "search-filtered",
    )
    .await;
}

#[tokio::test]
async fn search_results_in_english() {
    // Compound parts change what is found and marked: the snapshot is taken with them.
    if crate::support::programs::require(["hunspell-no"]).is_none() {
        return;
    }
    check(
        "/sok?q=voldsalarm&lang=en",
        StatusCode::OK,
        "search-english",
    )
    .await;
}

#[tokio::test]
async fn document_page_with_highlights() {
    // Compound parts change what is found and marked: the snapshot is taken with them.
    if crate::support::programs::require(["hunspell-no"]).is_none() {
        return;
    }
    let id = id_of("2019-11-30-partnerdrap.pdf");
    check(
        &format!("/dokument/{id}?q=partnerdrap"),
        StatusCode::OK,
        "document",
    )
    .await;
}

#[tokio::test]
async fn browse_page() {
    check("/dokumenter?convention=crc", StatusCode::OK, "browse").await;
}

#[tokio::test]
async fn statistics_page() {
    check("/statistikk", StatusCode::OK, "statistics").await;
}

#[tokio::test]
async fn convention_page() {
    check("/konvensjon/istanbul", StatusCode::OK, "convention").await;
}

#[tokio::test]
async fn sign_in_page() {
    check("/logg-inn", StatusCode::OK, "sign-in").await;
}

#[tokio::test]
async fn not_found_page() {
    check(
        "/dokument/00000000000000000000000000000000",
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
}
