//! Paging past the index's window (issue 13, attack 2). `/api/search?q=&page=100000&per_page=1000`
//! made tantivy reserve about 2 × (offset + limit) hits per segment before reading one
//! document: 4.8 GB asked for by one anonymous GET, and an abort under a 4 GB address-space
//! limit. The index now refuses a window past `MAX_RESULT_WINDOW` before tantivy sees it,
//! the web answers 400, and whole result sets (exports, statistics, the document list) come
//! from `search_all`, bounded by the archive's size instead.

use axum::http::StatusCode;

use arkiv::index::{ArchiveIndex, IndexError, MAX_RESULT_WINDOW, SearchRequest};
use arkiv::library::Library;
use arkiv::model::{DocId, Kind, Submission};
use arkiv::web::{AppState, router};

use crate::support::{self, get, sample_index, samples_dir};

fn window(offset: usize, limit: usize) -> SearchRequest {
    SearchRequest {
        offset,
        limit,
        pages_per_hit: 3,
        ..SearchRequest::default()
    }
}

#[test]
fn the_index_refuses_a_window_past_its_bound() {
    let index = sample_index();
    for (offset, limit) in [
        // page=100000&per_page=1000, as the API computed it.
        (99_999_000, 1000),
        (MAX_RESULT_WINDOW, 1),
        (0, MAX_RESULT_WINDOW + 1),
        // offset + limit overflows.
        (usize::MAX, 1000),
    ] {
        for answer in [
            index.search(&window(offset, limit)),
            index.search_uncached(&window(offset, limit)),
        ] {
            match answer {
                Err(IndexError::ResultWindow { max, .. }) => assert_eq!(max, MAX_RESULT_WINDOW),
                other => panic!(
                    "offset {offset}, limit {limit}: {:?}",
                    other.map(|r| r.total)
                ),
            }
        }
    }
    // The edge of the window still answers: past the last hit, with the true total.
    let edge = index
        .search(&window(MAX_RESULT_WINDOW - 20, 20))
        .expect("the last page of the window");
    assert!(edge.hits.is_empty());
    assert_eq!(edge.total, index.document_count().unwrap());
}

#[tokio::test]
async fn a_deep_page_answers_400() {
    let app = router(AppState::new(
        sample_index().clone(),
        Library::new(samples_dir()),
        "https://arkiv.example",
    ));
    let api = get(&app, "/api/search?q=&page=100000&per_page=1000").await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST, "{}", api.body);
    assert!(
        !api.json()["error"].as_str().unwrap_or_default().is_empty(),
        "{}",
        api.body
    );
    // The pages answer with the friendly error page, in the reader's language.
    for (uri, lang) in [
        ("/sok?q=&page=100000&per_page=1000", "nb"),
        ("/sok?q=vold&page=100000&per_page=1000&lang=en", "en"),
    ] {
        let page = get(&app, uri).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}: {}", page.body);
        assert!(page.content_type().starts_with("text/html"), "{uri}");
        assert!(
            page.body.contains(&format!("<html lang=\"{lang}\"")),
            "{uri}"
        );
    }
    // The last page inside the window answers; the first past it does not.
    let last = MAX_RESULT_WINDOW / 1000;
    let inside = get(&app, &format!("/api/search?q=&page={last}&per_page=1000")).await;
    assert_eq!(inside.status, StatusCode::OK, "{}", inside.body);
    let past = get(
        &app,
        &format!("/api/search?q=&page={}&per_page=1000", last + 1),
    )
    .await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST, "{}", past.body);
}

/// Whole sets are not paged, so the window does not cut them: an archive larger than the
/// window is listed whole.
#[test]
fn a_whole_set_may_be_larger_than_the_window() {
    let index = ArchiveIndex::create_in_ram().unwrap();
    let mut writer = index.writer().unwrap();
    let count = MAX_RESULT_WINDOW + 5;
    for i in 0..count {
        let name = format!("brev-{i}");
        writer
            .upsert(
                &Submission {
                    id: DocId::from_content(name.as_bytes()),
                    kind: Kind::Innspill,
                    ..support::submission(&format!("{name}.pdf"), &name, &[])
                },
                "fingerprint",
            )
            .unwrap();
    }
    writer.commit().unwrap();
    let all = index.search_all(&window(5, 10)).unwrap();
    assert_eq!(all.total, count);
    assert_eq!(all.hits.len(), count);
    assert!(matches!(
        index.search(&window(0, count)),
        Err(IndexError::ResultWindow { .. })
    ));
}
