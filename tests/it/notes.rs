//! Notes on documents and pages: public notes for everyone, internal notes for staff only
//! (never found or shown by an anonymous search, page, API call, export or feed), escaped
//! everywhere, bounded, kept in the sidecar and rebuilt by ingest.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use arkiv::library::Sidecar;
use arkiv::model::DocId;

use crate::staff::{form, login};
use crate::support::{Answer, StaffApp, get, run_ingest, send, staff_app_with};

const PUBLIC_WORD: &str = "kolibrimerknad";
const INTERNAL_WORD: &str = "zebrafinkeplan";

fn app() -> StaffApp {
    staff_app_with(10 << 20, &[], |_| {})
}

async fn post_form(app: &Router, cookie: &str, uri: &str, pairs: &[(&str, &str)]) -> Answer {
    send(
        app,
        Request::post(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form(pairs)))
            .unwrap(),
    )
    .await
}

async fn as_staff(app: &Router, cookie: &str, uri: &str) -> Answer {
    send(
        app,
        Request::get(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn with_token(app: &Router, token: &str, method: &str, uri: &str, json: &str) -> Answer {
    send(
        app,
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_string()))
            .unwrap(),
    )
    .await
}

async fn total(app: &Router, uri: &str) -> u64 {
    let answer = get(app, uri).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
    answer.json()["total"].as_u64().unwrap()
}

/// A staff app whose first document has a public note on the whole document and an
/// internal note on page 1, both added through the forms.
async fn with_two_notes() -> (StaffApp, String, String) {
    let s = app();
    let id = s.any_id();
    let (cookie, csrf) = login(&s.app).await;
    let public = post_form(
        &s.app,
        &cookie,
        &format!("/dokument/{id}/notater"),
        &[
            ("csrf", &csrf),
            (
                "text",
                &format!("Regjeringen fulgte opp i Prop. 12 L (2021–2022) {PUBLIC_WORD}."),
            ),
        ],
    )
    .await;
    assert_eq!(public.status, StatusCode::SEE_OTHER, "{}", public.body);
    assert_eq!(public.location(), format!("/dokument/{id}#notat-1"));
    let internal = post_form(
        &s.app,
        &cookie,
        &format!("/dokument/{id}/notater"),
        &[
            ("csrf", &csrf),
            ("text", &format!("Ring departementet om {INTERNAL_WORD}")),
            ("page", "1"),
            ("internal", "1"),
        ],
    )
    .await;
    assert_eq!(internal.status, StatusCode::SEE_OTHER, "{}", internal.body);
    (s, id, cookie)
}

#[tokio::test]
async fn an_anonymous_search_never_finds_or_shows_an_internal_note() {
    let (s, id, cookie) = with_two_notes().await;
    let q = |w: &str| format!("/api/search?q={w}");

    // The public note is found by everyone, the internal one by nobody without a token.
    assert_eq!(total(&s.app, &q(PUBLIC_WORD)).await, 1);
    assert_eq!(total(&s.app, &q(INTERNAL_WORD)).await, 0);
    let hit = get(&s.app, &q(PUBLIC_WORD)).await;
    assert!(!hit.body.contains(INTERNAL_WORD), "{}", hit.body);
    assert_eq!(hit.json()["hits"][0]["notes"].as_array().unwrap().len(), 1);

    // With a staff token, the internal note is searched and shown.
    let staff = with_token(&s.app, &s.token, "GET", &q(INTERNAL_WORD), "").await;
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
    assert_eq!(staff.json()["total"], 1);
    assert_eq!(staff.json()["hits"][0]["id"], id.as_str());
    assert!(staff.body.contains(INTERNAL_WORD));
    // A wrong token is refused rather than answered as the public.
    let wrong = with_token(&s.app, "arkiv_feil", "GET", &q(INTERNAL_WORD), "").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    // The document in the API.
    let public_doc = get(&s.app, &format!("/api/documents/{id}")).await;
    assert_eq!(public_doc.json()["notes"].as_array().unwrap().len(), 1);
    assert!(!public_doc.body.contains(INTERNAL_WORD));
    let staff_doc = with_token(&s.app, &s.token, "GET", &format!("/api/documents/{id}"), "").await;
    let notes = staff_doc.json()["notes"].as_array().unwrap().clone();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[1]["internal"], true);
    assert_eq!(notes[1]["page"], 1);

    // The search page: staff find the document by its internal note, the public do not.
    let path = format!("/dokument/{id}");
    let anonymous = get(&s.app, &format!("/sok?q={INTERNAL_WORD}")).await;
    assert!(!anonymous.body.contains(&path));
    let signed_in = as_staff(&s.app, &cookie, &format!("/sok?q={INTERNAL_WORD}")).await;
    assert!(signed_in.body.contains(&path), "{}", signed_in.body);

    // The document page and its page view.
    let page = get(&s.app, &path).await;
    assert!(page.body.contains(PUBLIC_WORD));
    assert!(!page.body.contains(INTERNAL_WORD));
    let staff_page = as_staff(&s.app, &cookie, &path).await;
    let side_1 = staff_page.body.find("id=\"side-1\"").unwrap();
    let internal_at = staff_page.body.find(INTERNAL_WORD).unwrap();
    assert!(internal_at > side_1, "the page note is shown with its page");

    // Export, feed, and a search that excludes the word: nothing betrays the note.
    let export = get(&s.app, "/api/export?format=json").await;
    assert!(export.body.contains(PUBLIC_WORD));
    assert!(!export.body.contains(INTERNAL_WORD));
    let csv = get(&s.app, "/api/export").await;
    assert!(csv.body.contains(PUBLIC_WORD));
    assert!(!csv.body.contains(INTERNAL_WORD));
    assert_eq!(
        total(
            &s.app,
            &format!("/api/export?format=json&q={INTERNAL_WORD}")
        )
        .await,
        0
    );
    // With the staff token the export has both, the internal one marked.
    let staff_export = with_token(
        &s.app,
        &s.token,
        "GET",
        &format!("/api/export?format=json&q={INTERNAL_WORD}"),
        "",
    )
    .await;
    assert_eq!(staff_export.json()["total"], 1);
    let cells = staff_export.json()["documents"][0]["notes"].clone();
    assert_eq!(cells.as_array().unwrap().len(), 2);
    assert!(
        cells[1]
            .as_str()
            .unwrap()
            .starts_with("[internal] [p. 1] Ring departementet")
    );
    let feed = get(&s.app, &format!("/feed.atom?q={INTERNAL_WORD}")).await;
    assert!(!feed.body.contains(&id));
    let everything = total(&s.app, "/api/search").await;
    let without = total(&s.app, &format!("/api/search?q=-{INTERNAL_WORD}")).await;
    let without_public = total(&s.app, &format!("/api/search?q=-{PUBLIC_WORD}")).await;
    assert_eq!(
        without_public + 1,
        everything,
        "negation works on public notes"
    );
    assert_eq!(without, everything);
}

#[tokio::test]
async fn notes_are_kept_in_the_sidecar_audited_and_rebuilt_by_ingest() {
    let (s, id, _) = with_two_notes().await;
    let file = s
        .index
        .metadata(&DocId::parse(&id).unwrap())
        .unwrap()
        .unwrap();
    let library = arkiv::library::Library::new(s.documents());
    let sidecar = library
        .read_sidecar(&library.entry(&file.submission.file))
        .unwrap()
        .unwrap();
    assert_eq!(sidecar.notes.len(), 2);
    assert!(sidecar.notes[1].internal);
    assert_eq!(sidecar.notes[1].author, crate::support::USER);

    let audit = std::fs::read_to_string(s.data().audit_file()).unwrap();
    assert_eq!(audit.matches("note_add").count(), 2, "{audit}");

    // A metadata edit keeps the notes: they are not metadata.
    let patched = with_token(
        &s.app,
        &s.token,
        "PATCH",
        &format!("/api/documents/{id}"),
        r#"{"title": "Ny tittel"}"#,
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(
        total(&s.app, &format!("/api/search?q={PUBLIC_WORD}")).await,
        1
    );

    // The index is derived: a fresh one from documents/ has the same notes.
    let fresh = tempfile::tempdir().unwrap();
    let (index, report) = run_ingest(&s.documents(), fresh.path());
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let doc = index
        .document(&DocId::parse(&id).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(doc.notes.len(), 2);
    assert_eq!(doc.title, "Ny tittel");
}

#[tokio::test]
async fn notes_are_escaped_everywhere() {
    let s = app();
    let id = s.any_id();
    let (cookie, csrf) = login(&s.app).await;
    let hostile = "<script>alert('notat')</script><b onmouseover=x>fet</b> & \"sitat\"";
    for page in ["", "1"] {
        let answer = post_form(
            &s.app,
            &cookie,
            &format!("/dokument/{id}/notater"),
            &[("csrf", &csrf), ("text", hostile), ("page", page)],
        )
        .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    }
    for answer in [
        get(&s.app, &format!("/dokument/{id}")).await,
        as_staff(&s.app, &cookie, &format!("/dokument/{id}")).await,
    ] {
        assert!(!answer.body.contains("<script>alert"), "{}", answer.body);
        assert!(!answer.body.contains("<b onmouseover"));
        let escaped = arkiv::web::html::escape(hostile);
        assert_eq!(
            answer.body.matches(&escaped).count(),
            // The document note and the page note, and for staff the edit forms' text too.
            if answer.body.contains("note-edit") {
                4
            } else {
                2
            },
            "{}",
            answer.body
        );
    }
    // JSON carries the text as it was typed: plain text, never HTML.
    let json = get(&s.app, &format!("/api/documents/{id}")).await.json();
    assert_eq!(json["notes"][0]["text"], hostile);
}

#[tokio::test]
async fn bad_notes_are_refused_and_the_api_edits_and_deletes() {
    let s = app();
    let id = s.any_id();
    let (cookie, csrf) = login(&s.app).await;
    let uri = format!("/dokument/{id}/notater");
    let long = "ord ".repeat(2_000);
    for (text, page) in [
        ("   ", ""),
        (long.as_str(), ""),
        ("Gyldig", "999"),
        ("Gyldig", "x"),
    ] {
        let answer = post_form(
            &s.app,
            &cookie,
            &uri,
            &[("csrf", &csrf), ("text", text), ("page", page)],
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{text:.20} {page}");
    }
    let api = format!("/api/documents/{id}/notes");
    for body in [
        r#"{"text": ""}"#,
        r#"{"text": "x", "colour": "red"}"#,
        r#"{"text": "x", "page": 0}"#,
        r#"{"page": 1}"#,
        "not json",
    ] {
        let answer = with_token(&s.app, &s.token, "POST", &api, body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(answer.json()["error"].is_string());
    }
    assert!(
        with_token(&s.app, &s.token, "GET", &format!("/api/documents/{id}"), "")
            .await
            .json()["notes"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Add, make internal, delete.
    let added = with_token(
        &s.app,
        &s.token,
        "POST",
        &api,
        &format!(r#"{{"text": "Se også {PUBLIC_WORD}", "page": 1}}"#),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(added.location(), format!("{api}/1"));
    assert_eq!(added.json()["internal"], false);
    assert_eq!(
        total(&s.app, &format!("/api/search?q={PUBLIC_WORD}")).await,
        1
    );
    let patched = with_token(
        &s.app,
        &s.token,
        "PATCH",
        &format!("{api}/1"),
        r#"{"internal": true, "page": null}"#,
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.json()["internal"], true);
    assert!(patched.json()["page"].is_null());
    assert_eq!(
        total(&s.app, &format!("/api/search?q={PUBLIC_WORD}")).await,
        0
    );
    let missing = with_token(
        &s.app,
        &s.token,
        "PATCH",
        &format!("{api}/9"),
        r#"{"text": "x"}"#,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let deleted = with_token(&s.app, &s.token, "DELETE", &format!("{api}/1"), "").await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(deleted.json()["deleted"], 1);
    let again = with_token(&s.app, &s.token, "DELETE", &format!("{api}/1"), "").await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let staff = with_token(
        &s.app,
        &s.token,
        "GET",
        &format!("/api/search?q={PUBLIC_WORD}"),
        "",
    )
    .await;
    assert_eq!(staff.json()["total"], 0);
    let audit = std::fs::read_to_string(s.data().audit_file()).unwrap();
    for action in ["note_add", "note_edit", "note_delete"] {
        assert!(audit.contains(action), "{action}: {audit}");
    }
}

#[test]
fn a_sidecar_bounds_its_notes() {
    let note = |id: u32, text: &str| {
        format!(
            "[[notes]]\nid = {id}\ntext = \"{text}\"\nauthor = \"a\"\nwritten = \"2026-11-30T12:00:00Z\"\n"
        )
    };
    let ok = note(1, "Kort");
    assert_eq!(Sidecar::parse("a.toml", &ok).unwrap().notes.len(), 1);
    let too_many: String = (1..=201).map(|i| note(i, "x")).collect();
    let e = Sidecar::parse("a.toml", &too_many).unwrap_err().to_string();
    assert!(e.contains("at most 200 notes"), "{e}");
    let too_long = note(1, &"x".repeat(5_001));
    let e = Sidecar::parse("a.toml", &too_long).unwrap_err().to_string();
    assert!(e.contains("longer than 5000"), "{e}");
    let twice = format!("{}{}", note(1, "a"), note(1, "b"));
    let e = Sidecar::parse("a.toml", &twice).unwrap_err().to_string();
    assert!(e.contains("two notes have the id 1"), "{e}");
    // A note written to the sidecar and read back is the same note.
    let sidecar = Sidecar::parse("a.toml", &format!("title = \"T\"\n{ok}")).unwrap();
    assert_eq!(
        Sidecar::parse("a.toml", &sidecar.to_toml()).unwrap(),
        sidecar
    );
}
