//! The staff inbox: documents that arrive without metadata staff set wait there until
//! staff confirm or correct them; the state is kept in the sidecar.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::staff::login;
use crate::support::{StaffApp, send, staff_app_with, write_pdf};

/// A staff archive with the samples (all with sidecars) and two PDFs without one.
fn app_with_arrivals() -> StaffApp {
    staff_app_with(10 << 20, &[], |docs| {
        write_pdf(
            docs,
            "2024-02-01-innkommet-a.pdf",
            None,
            &[
                "Høringssvar om innboksprøve alfa\n\nOslo, 1. februar 2024\n\nVi viser til Istanbulkonvensjonen artikkel 18 og straffeloven § 282.",
            ],
        );
        write_pdf(
            docs,
            "2024-03-01-innkommet-b.pdf",
            None,
            &[
                "Høringssvar om innboksprøve beta\n\nOslo, 1. mars 2024\n\nVi viser til barnekonvensjonen artikkel 19.",
            ],
        );
    })
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn get(s: &StaffApp, uri: &str, cookie: Option<&str>) -> crate::support::Answer {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(&s.app, request.body(Body::empty()).unwrap()).await
}

async fn post(s: &StaffApp, uri: &str, cookie: &str, body: String) -> crate::support::Answer {
    send(
        &s.app,
        Request::post(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn waiting(s: &StaffApp) -> Vec<String> {
    let (total, docs) = s.index.to_review(100).unwrap();
    assert_eq!(total, docs.len());
    docs.into_iter().map(|d| d.submission.file).collect()
}

fn sidecar(s: &StaffApp, file: &str) -> String {
    let stem = file.trim_end_matches(".pdf");
    std::fs::read_to_string(s.documents().join(format!("{stem}.toml"))).unwrap_or_default()
}

#[tokio::test]
async fn arrivals_without_a_sidecar_wait_and_the_public_sees_them_marked() {
    let s = app_with_arrivals();
    // Newest first; the samples, whose sidecars set their metadata, are not waiting.
    assert_eq!(
        waiting(&s),
        ["2024-03-01-innkommet-b.pdf", "2024-02-01-innkommet-a.pdf"]
    );
    let a = s.id_of("2024-02-01-innkommet-a.pdf");
    let sample = s
        .index
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.submission.sample)
        .unwrap()
        .submission
        .id
        .to_string();

    let page = get(&s, &format!("/dokument/{a}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ikke gjennomgått"), "{}", page.body);
    let page = get(&s, &format!("/dokument/{a}?lang=en"), None).await;
    assert!(page.body.contains("Not yet reviewed"));
    let page = get(&s, &format!("/dokument/{sample}"), None).await;
    assert!(!page.body.contains("id=\"unreviewed\""));

    let json = get(&s, &format!("/api/documents/{a}"), None).await.json();
    assert_eq!(json["to_review"], true);
    let json = get(&s, &format!("/api/documents/{sample}"), None)
        .await
        .json();
    assert_eq!(json["to_review"], false);

    // The inbox is for staff only.
    let anonymous = get(&s, "/innboks", None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_inbox_lists_what_was_detected_and_confirming_empties_it() {
    let s = app_with_arrivals();
    let (cookie, csrf) = login(&s.app).await;
    let a = s.id_of("2024-02-01-innkommet-a.pdf");
    let b = s.id_of("2024-03-01-innkommet-b.pdf");

    let page = get(&s, "/innboks", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = scraper::Html::parse_document(&page.body);
    let item = scraper::Selector::parse(&format!("#inbox-{a}")).unwrap();
    let item = html.select(&item).next().expect("document a in the inbox");
    let text = item.text().collect::<String>();
    assert!(text.contains("innboksprøve alfa"), "{text}");
    assert!(text.contains("Istanbul"), "{text}");
    assert!(text.contains("straffeloven"), "{text}");
    assert!(text.contains("1. februar 2024"), "{text}");
    let forms = scraper::Selector::parse("form").unwrap();
    let action = item
        .select(&forms)
        .next()
        .and_then(|f| f.value().attr("action"))
        .unwrap();
    assert_eq!(action, format!("/innboks/{a}/bekreft"));
    assert!(page.body.contains(&format!("/dokument/{a}/rediger")));
    let english = get(&s, "/innboks?lang=en", Some(&cookie)).await;
    assert!(english.body.contains("documents to review"));

    // Confirm a: it leaves the inbox, keeps what was detected, the sidecar says so.
    let before = s
        .index
        .document(&arkiv::model::DocId::parse(&a).unwrap())
        .unwrap()
        .unwrap();
    let answer = post(&s, action, &cookie, form(&[("csrf", &csrf)])).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location(), "/innboks?bekreftet=1");
    assert_eq!(waiting(&s), ["2024-03-01-innkommet-b.pdf"]);
    assert!(sidecar(&s, "2024-02-01-innkommet-a.pdf").contains("reviewed = true"));
    let after = s
        .index
        .document(&arkiv::model::DocId::parse(&a).unwrap())
        .unwrap()
        .unwrap();
    assert!(!after.to_review);
    assert_eq!(after.title, before.title);
    assert_eq!(after.conventions, before.conventions);
    assert_eq!(after.laws, before.laws);
    let page = get(&s, &format!("/dokument/{a}"), None).await;
    assert!(!page.body.contains("id=\"unreviewed\""));
    let log = get(&s, "/logg", Some(&cookie)).await;
    assert!(log.body.contains("Bekreftet fra innboksen"), "{}", log.body);

    // Correct b in the editor: saved corrections review it too.
    let editor = get(&s, &format!("/dokument/{b}/rediger"), Some(&cookie)).await;
    assert_eq!(editor.status, StatusCode::OK);
    let answer = post(
        &s,
        &format!("/dokument/{b}/rediger"),
        &cookie,
        form(&[
            ("csrf", &csrf),
            ("title", "Rettet tittel fra innboksen"),
            ("kind", "horingssvar"),
        ]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert!(waiting(&s).is_empty());
    let doc = s
        .index
        .document(&arkiv::model::DocId::parse(&b).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(doc.title, "Rettet tittel fra innboksen");
    let page = get(&s, "/innboks", Some(&cookie)).await;
    assert!(page.body.contains("id=\"inbox-empty\""));

    // A confirm of a document that does not exist is a 404, and needs the token.
    let missing = "0".repeat(32);
    let answer = post(
        &s,
        &format!("/innboks/{missing}/bekreft"),
        &cookie,
        form(&[("csrf", &csrf)]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_api_patch_reviews_and_can_put_a_document_back() {
    let s = app_with_arrivals();
    let a = s.id_of("2024-02-01-innkommet-a.pdf");
    let patch = |body: &str| {
        Request::patch(format!("/api/documents/{a}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", s.token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let answer = send(&s.app, patch(r#"{"kind": "horingssvar"}"#)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json()["to_review"], false);
    assert_eq!(waiting(&s), ["2024-03-01-innkommet-b.pdf"]);
    let answer = send(&s.app, patch(r#"{"reviewed": false}"#)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json()["to_review"], true);
    assert_eq!(waiting(&s).len(), 2);
    let answer = send(&s.app, patch(r#"{"reviewed": "ja"}"#)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let answer = send(&s.app, patch(r#"{}"#)).await;
    assert_eq!(answer.json()["to_review"], false);
}

#[tokio::test]
async fn an_api_upload_without_metadata_waits_and_one_with_a_title_does_not() {
    let s = app_with_arrivals();
    let dir = tempfile::tempdir().unwrap();
    let bare = std::fs::read(write_pdf(
        dir.path(),
        "u.pdf",
        None,
        &["Høringssvar om opplastingsprøve\n\nOslo, 5. mai 2025\n\nTekst."],
    ))
    .unwrap();
    let id = arkiv::model::DocId::from_content(&bare);
    let answer = send(
        &s.app,
        crate::staff::api_upload_request(&s.token, &[], "u.pdf", &bare),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.json()["to_review"], true);
    assert!(
        s.index
            .to_review(100)
            .unwrap()
            .1
            .iter()
            .any(|d| d.submission.id == id)
    );
    let titled = std::fs::read(write_pdf(
        dir.path(),
        "v.pdf",
        None,
        &["Høringssvar om en annen prøve\n\nOslo, 6. mai 2025\n\nTekst."],
    ))
    .unwrap();
    let answer = send(
        &s.app,
        crate::staff::api_upload_request(
            &s.token,
            &[("title", "Satt av redaksjonen")],
            "v.pdf",
            &titled,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.json()["to_review"], false);
}
