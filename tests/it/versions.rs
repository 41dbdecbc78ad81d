//! New versions of a document: staff replace its PDF; the old PDF is kept under
//! `documents/versions/` and listed with its date, the old id redirects, citations name the
//! version, and ingest rebuilds the same state. A file that is not a PDF or is the current
//! one is refused with a clear error.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use arkiv::model::DocId;

use crate::staff::{BOUNDARY, login, multipart, pdf_with};
use crate::support::{Answer, StaffApp, get, run_ingest, send, staff_app_with};

fn app() -> StaffApp {
    staff_app_with(10 << 20, &[], |_| {})
}

async fn replace_by_form(app: &Router, cookie: &str, csrf: &str, id: &str, bytes: &[u8]) -> Answer {
    send(
        app,
        Request::post(format!("/dokument/{id}/ny-versjon"))
            .header(header::COOKIE, cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(multipart(
                &[("csrf", csrf)],
                &[("file", "rettet.pdf", bytes)],
            )))
            .unwrap(),
    )
    .await
}

async fn replace_by_api(app: &Router, token: &str, id: &str, bytes: &[u8]) -> Answer {
    send(
        app,
        Request::post(format!("/api/documents/{id}/versions"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(multipart(&[], &[("file", "rettet.pdf", bytes)])))
            .unwrap(),
    )
    .await
}

fn current_bytes(s: &StaffApp, id: &str) -> Vec<u8> {
    let doc = s
        .index
        .metadata(&DocId::parse(id).unwrap())
        .unwrap()
        .unwrap();
    std::fs::read(s.documents().join(&doc.submission.file)).unwrap()
}

#[tokio::test]
async fn a_new_version_keeps_the_address_the_old_pdf_and_names_itself_in_citations() {
    let s = app();
    let old = s.any_id();
    let old_bytes = current_bytes(&s, &old);
    let file = s
        .index
        .metadata(&DocId::parse(&old).unwrap())
        .unwrap()
        .unwrap()
        .submission
        .file;
    let (cookie, csrf) = login(&s.app).await;
    let corrected = pdf_with("rettelsesord");
    let new = DocId::from_content(&corrected).to_string();

    let answer = replace_by_form(&s.app, &cookie, &csrf, &old, &corrected).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location(), format!("/dokument/{new}#versjoner"));

    // The same file name in documents/ holds the new PDF; the old one is kept.
    assert_eq!(std::fs::read(s.documents().join(&file)).unwrap(), corrected);
    let kept = s.documents().join("versions").join(format!("{old}.pdf"));
    assert_eq!(std::fs::read(&kept).unwrap(), old_bytes);

    // Links to the old id lead to the document, keeping their query.
    let page = get(&s.app, &format!("/dokument/{old}?q=vold")).await;
    assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(page.location(), format!("/dokument/{new}?q=vold"));
    let api = get(&s.app, &format!("/api/documents/{old}")).await;
    assert_eq!(api.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(api.location(), format!("/api/documents/{new}"));
    // The old id's PDF is the old file, byte for byte (its id is its hash).
    let old_pdf = get(&s.app, &format!("/dokument/{old}/pdf")).await;
    assert_eq!(old_pdf.status, StatusCode::OK);
    assert_eq!(old_pdf.bytes, old_bytes);
    assert_eq!(old_pdf.header(header::ETAG), format!("\"{old}\""));
    let new_pdf = get(&s.app, &format!("/dokument/{new}/pdf")).await;
    assert_eq!(new_pdf.bytes, corrected);

    // The document page lists the earlier version with its date and a link to its PDF.
    let page = get(&s.app, &format!("/dokument/{new}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Versjon 2 (gjeldende versjon)"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!(
        "href=\"/dokument/{old}/pdf\">Versjon 1</a>, erstattet "
    )));
    let today = chrono::Utc::now().date_naive();
    assert!(page.body.contains(&arkiv::web::i18n::Lang::Nb.date(today)));
    // The citations name the version.
    assert!(page.body.contains(", versjon 2 ("), "{}", page.body);
    let bib = get(&s.app, &format!("/dokument/{new}/cite.bib")).await;
    assert!(bib.body.contains("version     = {2}"), "{}", bib.body);
    let csl = get(&s.app, &format!("/dokument/{new}/cite.json")).await;
    assert_eq!(csl.json()[0]["version"], "2");
    // The API says so too, and the new text is found.
    let json = get(&s.app, &format!("/api/documents/{new}")).await.json();
    assert_eq!(json["version"], 2);
    assert_eq!(json["versions"][0]["id"], old.as_str());
    assert_eq!(json["versions"][0]["pdf"], format!("/dokument/{old}/pdf"));
    let found = get(&s.app, "/api/search?q=rettelsesord").await.json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["hits"][0]["id"], new.as_str());

    let audit = std::fs::read_to_string(s.data().audit_file()).unwrap();
    assert!(audit.contains("new_version"), "{audit}");
    assert!(audit.contains(&format!("replaces {old}")), "{audit}");

    // A third version through the API; both earlier ids still lead to the document.
    let third = pdf_with("tredjeversjon");
    let third_id = DocId::from_content(&third).to_string();
    let answer = replace_by_api(&s.app, &s.token, &new, &third).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.location(), format!("/api/documents/{third_id}"));
    assert_eq!(answer.json()["version"], 3);
    for earlier in [&old, &new] {
        let page = get(&s.app, &format!("/dokument/{earlier}")).await;
        assert_eq!(page.location(), format!("/dokument/{third_id}"));
    }

    // The index is derived: ingest from documents/ rebuilds the same state.
    let fresh = tempfile::tempdir().unwrap();
    let (index, report) = run_ingest(&s.documents(), fresh.path());
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let doc = index
        .document(&DocId::parse(&third_id).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(doc.versions.len(), 2);
    assert_eq!(doc.file, file);
    for earlier in [&old, &new] {
        assert_eq!(
            index.current_id(&DocId::parse(earlier).unwrap()).unwrap(),
            Some(DocId::parse(&third_id).unwrap())
        );
        assert!(
            index
                .metadata(&DocId::parse(earlier).unwrap())
                .unwrap()
                .is_none()
        );
    }
    assert_eq!(
        index.document_count().unwrap(),
        s.index.document_count().unwrap(),
        "kept versions are not documents of their own"
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_pdf_or_is_the_current_one_is_refused() {
    let s = app();
    let id = s.any_id();
    let current = current_bytes(&s, &id);
    let (cookie, csrf) = login(&s.app).await;

    let not_pdf = replace_by_form(&s.app, &cookie, &csrf, &id, b"<html>ikke en pdf</html>").await;
    assert_eq!(not_pdf.status, StatusCode::BAD_REQUEST);
    assert!(
        not_pdf.body.contains("Filen er ikke en PDF"),
        "{}",
        not_pdf.body
    );
    let same = replace_by_form(&s.app, &cookie, &csrf, &id, &current).await;
    assert_eq!(same.status, StatusCode::CONFLICT);
    assert!(
        same.body.contains("samme som gjeldende versjon"),
        "{}",
        same.body
    );

    let not_pdf = replace_by_api(&s.app, &s.token, &id, b"%PDX-1.4 nei").await;
    // As for uploads: the API answers a file that is not a PDF with 415.
    assert_eq!(not_pdf.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        not_pdf.json()["error"]
            .as_str()
            .unwrap()
            .contains("not a PDF")
    );
    let same = replace_by_api(&s.app, &s.token, &id, &current).await;
    assert_eq!(same.status, StatusCode::CONFLICT);
    assert!(
        same.json()["error"]
            .as_str()
            .unwrap()
            .contains("same as the current version")
    );
    // Another document's PDF is not a version of this one.
    let other = s
        .index
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.submission.id.as_str() != id)
        .unwrap();
    let other_bytes = std::fs::read(s.documents().join(&other.submission.file)).unwrap();
    let clash = replace_by_api(&s.app, &s.token, &id, &other_bytes).await;
    assert_eq!(clash.status, StatusCode::CONFLICT);

    // Nothing changed.
    assert!(!s.documents().join("versions").exists());
    assert_eq!(current_bytes(&s, &id), current);
    let json = get(&s.app, &format!("/api/documents/{id}")).await.json();
    assert_eq!(json["version"], 1);
    assert!(json["versions"].as_array().unwrap().is_empty());
    let audit = std::fs::read_to_string(s.data().audit_file()).unwrap_or_default();
    assert!(!audit.contains("new_version"));
}
