//! Bulk edits through the staff API: preview, one commit for the batch, an audit entry per
//! document, the undo of a batch, and the bound on its size.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use arkiv::model::{Convention, DocId};

use arkiv::web::staff::bulk::MAX_BATCH;

use crate::support::{Answer, StaffApp, send, staff_app_with, write_pdf};

fn app() -> StaffApp {
    staff_app_with(10 << 20, &[], |docs| {
        for (i, name) in ["a", "b", "c"].iter().enumerate() {
            write_pdf(
                docs,
                &format!("2024-0{}-01-samle-{name}.pdf", i + 1),
                None,
                &[&format!(
                    "Høringssvar om samleprøve {name}\n\nOslo, 1. mars 2024\n\nVi viser til Istanbulkonvensjonen artikkel 18."
                )],
            );
        }
    })
}

async fn bulk(s: &StaffApp, uri: &str, body: Value) -> Answer {
    send(
        &s.app,
        Request::post(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", s.token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

/// The audit log's entries of one bulk edit: one per document it changed.
fn edits_of_batch(s: &StaffApp, batch: &str) -> Vec<arkiv::audit::AuditEntry> {
    arkiv::audit::AuditLog::new(s.data().audit_file())
        .recent(100)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "bulk_edit")
        .filter(|e| {
            arkiv::web::staff::bulk::batch_of(e.detail.as_deref().unwrap_or("")) == Some(batch)
        })
        .collect()
}

fn doc(s: &StaffApp, file: &str) -> arkiv::model::Submission {
    let id = DocId::parse(&s.id_of(file)).unwrap();
    s.index.document(&id).unwrap().unwrap()
}

const FILES: [&str; 3] = [
    "2024-01-01-samle-a.pdf",
    "2024-02-01-samle-b.pdf",
    "2024-03-01-samle-c.pdf",
];

#[tokio::test]
async fn a_bulk_edit_previews_changes_in_one_batch_and_is_undone() {
    let s = app();
    let request = json!({
        "search": "q=samleprøve",
        "add": {"conventions": ["cedaw"], "laws": ["barneloven"]},
        "preview": true,
    });
    let preview = bulk(&s, "/api/bulk", request.clone()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let p = preview.json();
    assert_eq!(p["selected"], 3);
    assert_eq!(p["changed"], 3);
    assert!(p["batch"].is_null());
    let first = &p["documents"][0];
    assert_eq!(first["before"]["conventions"], json!(["istanbul"]));
    assert_eq!(first["after"]["conventions"], json!(["istanbul", "cedaw"]));
    assert_eq!(first["after"]["laws"], json!(["barneloven"]));
    // A preview changes nothing.
    for file in FILES {
        assert_eq!(doc(&s, file).conventions, vec![Convention::Istanbul]);
    }

    let mut request = request;
    request["preview"] = json!(false);
    let done = bulk(&s, "/api/bulk", request.clone()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let d = done.json();
    let batch = d["batch"].as_str().unwrap().to_string();
    assert_eq!(d["changed"], 3);
    eprintln!("bulk edit of 3 documents: {} ms", d["took_ms"]);
    for file in FILES {
        let now = doc(&s, file);
        assert_eq!(
            now.conventions,
            vec![Convention::Istanbul, Convention::Cedaw]
        );
        assert_eq!(now.laws, ["barneloven"]);
        // Tags written down keep the document in the inbox.
        assert!(now.to_review, "{file}");
    }
    // Doing it again changes nothing and makes no batch.
    let again = bulk(&s, "/api/bulk", request).await.json();
    assert_eq!(again["changed"], 0);
    assert!(again["batch"].is_null());

    let log = s.data().audit_file();
    assert_eq!(edits_of_batch(&s, &batch).len(), 3);

    // Remove by ids, and set the kind.
    let a = s.id_of(FILES[0]);
    let b = s.id_of(FILES[1]);
    let second = bulk(
        &s,
        "/api/bulk",
        json!({"ids": [a, b], "remove": {"conventions": ["istanbul"]}, "kind": "rapport"}),
    )
    .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let second_batch = second.json()["batch"].as_str().unwrap().to_string();
    assert_eq!(doc(&s, FILES[0]).conventions, vec![Convention::Cedaw]);
    assert_eq!(doc(&s, FILES[0]).kind.id(), "rapport");
    assert_eq!(
        doc(&s, FILES[2]).conventions,
        vec![Convention::Istanbul, Convention::Cedaw]
    );

    // Undo the second batch: the two documents are as the first batch left them.
    let undone = bulk(&s, &format!("/api/bulk/{second_batch}/undo"), json!({})).await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    assert_eq!(undone.json()["changed"], 2);
    assert_eq!(
        doc(&s, FILES[0]).conventions,
        vec![Convention::Istanbul, Convention::Cedaw]
    );
    assert_ne!(doc(&s, FILES[0]).kind.id(), "rapport");
    let twice = bulk(&s, &format!("/api/bulk/{second_batch}/undo"), json!({})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // Undo the first: back to what detection found, still waiting for review.
    let undone = bulk(&s, &format!("/api/bulk/{batch}/undo"), json!({})).await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    for file in FILES {
        let now = doc(&s, file);
        assert_eq!(now.conventions, vec![Convention::Istanbul]);
        assert!(now.laws.is_empty(), "{file}: {:?}", now.laws);
        assert!(now.to_review);
    }
    let entries = arkiv::audit::AuditLog::new(log).recent(100).unwrap();
    assert_eq!(
        entries.iter().filter(|e| e.action == "bulk_undo").count(),
        5
    );
    let unknown = bulk(&s, "/api/bulk/20200101T000000.000Z/undo", json!({})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_bulk_edits_are_refused_with_a_reason() {
    let s = app();
    let too_many: Vec<String> = (0..501).map(|i| format!("{i:032x}")).collect();
    let cases = [
        (
            json!({"ids": too_many, "add": {"conventions": ["cedaw"]}}),
            "at most 500",
        ),
        (
            json!({"search": "q=samleprøve", "add": {"conventions": ["ukjent"]}}),
            "unknown convention",
        ),
        (
            json!({"search": "q=samleprøve", "add": {"laws": ["ukjentloven"]}}),
            "unknown law",
        ),
        (json!({"search": "q=samleprøve"}), "nothing to change"),
        (
            json!({"search": "q=samleprøve", "add": {"consultation": "finnes-ikke"}}),
            "no consultation",
        ),
        (
            json!({"search": "q=ingentingslikt", "kind": "rapport"}),
            "no documents",
        ),
        (
            json!({"ids": ["x"], "kind": "rapport"}),
            "not a document id",
        ),
        (
            json!({"ids": [], "kind": "rapport", "extra": 1}),
            "unknown field",
        ),
    ];
    for (body, message) in cases {
        let answer = bulk(&s, "/api/bulk", body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            answer.body
        );
        assert!(answer.body.contains(message), "{body}: {}", answer.body);
    }
    for file in FILES {
        assert_eq!(doc(&s, file).conventions, vec![Convention::Istanbul]);
    }
    // Without the token, nothing.
    let anonymous = send(
        &s.app,
        Request::post("/api/bulk")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"search": "q=samleprøve", "kind": "rapport"}).to_string(),
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_batch_is_undone_from_the_audit_log_page() {
    let s = app();
    let done = bulk(
        &s,
        "/api/bulk",
        json!({"search": "q=samleprøve", "add": {"conventions": ["crc"]}}),
    )
    .await
    .json();
    let batch = done["batch"].as_str().unwrap().to_string();
    assert_eq!(
        doc(&s, FILES[0]).conventions,
        vec![Convention::Istanbul, Convention::Crc]
    );
    let (cookie, csrf) = crate::staff::login(&s.app).await;
    let log = send(
        &s.app,
        Request::get("/logg")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let action = format!("/samleendring/{batch}/angre");
    // One button for the batch, though it has three entries.
    assert_eq!(log.body.matches(&action).count(), 1, "{}", log.body);
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf", &csrf)
        .finish();
    let answer = send(
        &s.app,
        Request::post(&action)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    for file in FILES {
        assert_eq!(doc(&s, file).conventions, vec![Convention::Istanbul]);
    }
}

#[tokio::test]
async fn focus_areas_are_added_and_removed_in_bulk_and_undone() {
    let s = app();
    let before: Vec<Vec<String>> = FILES.iter().map(|f| doc(&s, f).topics).collect();
    let preview = bulk(
        &s,
        "/api/bulk",
        json!({
            "search": "q=samleprøve",
            "add": {"topics": ["sarbare-grupper", "partnerdrap"]},
            "preview": true,
        }),
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let p = preview.json();
    assert_eq!(p["changed"], 3);
    // In the table's order, whatever order they were asked in.
    assert_eq!(
        p["documents"][0]["after"]["topics"],
        json!(["partnerdrap", "sarbare-grupper"])
    );
    for (file, was) in FILES.iter().zip(&before) {
        assert_eq!(&doc(&s, file).topics, was, "a preview changes nothing");
    }
    let added = bulk(
        &s,
        "/api/bulk",
        json!({"search": "q=samleprøve", "add": {"topics": ["sarbare-grupper", "partnerdrap"]}}),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    for file in FILES {
        assert_eq!(doc(&s, file).topics, ["partnerdrap", "sarbare-grupper"]);
    }
    let a = s.id_of(FILES[0]);
    let removed = bulk(
        &s,
        "/api/bulk",
        json!({"ids": [a], "remove": {"topics": ["partnerdrap"]}}),
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    let r = removed.json();
    assert_eq!(r["changed"], 1);
    assert_eq!(
        r["documents"][0]["before"]["topics"],
        json!(["partnerdrap", "sarbare-grupper"])
    );
    assert_eq!(
        r["documents"][0]["after"]["topics"],
        json!(["sarbare-grupper"])
    );
    assert_eq!(doc(&s, FILES[0]).topics, ["sarbare-grupper"]);
    assert_eq!(doc(&s, FILES[1]).topics, ["partnerdrap", "sarbare-grupper"]);
    // The archive's focus-area filter sees the change.
    let found = send(
        &s.app,
        Request::get("/api/search?topic=partnerdrap&q=samlepr%C3%B8ve")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .json();
    assert_eq!(found["total"], 2, "{found}");

    for batch in [&r["batch"], &added.json()["batch"]] {
        let batch = batch.as_str().unwrap();
        let undone = bulk(&s, &format!("/api/bulk/{batch}/undo"), json!({})).await;
        assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    }
    for (file, was) in FILES.iter().zip(&before) {
        assert_eq!(&doc(&s, file).topics, was, "{file}");
    }

    let unknown = bulk(
        &s,
        "/api/bulk",
        json!({"search": "q=samleprøve", "remove": {"topics": ["hagearbeid"]}}),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown.body.contains("unknown focus area `hagearbeid`"),
        "{}",
        unknown.body
    );
}

async fn page(s: &StaffApp, cookie: &str, uri: &str) -> Answer {
    send(
        &s.app,
        Request::get(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn post_form(s: &StaffApp, cookie: &str, uri: &str, pairs: &[(&str, &str)]) -> Answer {
    send(
        &s.app,
        Request::post(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(crate::staff::form(pairs)))
            .unwrap(),
    )
    .await
}

/// The hidden fields of the form posting to `action`, in order.
fn form_fields(body: &str, action: &str) -> Vec<(String, String)> {
    let start = body
        .find(&format!("action=\"{action}"))
        .unwrap_or_else(|| panic!("no form to {action} in {body}"));
    let form = &body[start..start + body[start..].find("</form>").unwrap()];
    form.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|rest| {
            let (name, rest) = rest.split_once('"').unwrap();
            let value = rest.split("value=\"").nth(1).unwrap().split('"').next();
            (name.to_string(), value.unwrap().to_string())
        })
        .collect()
}

fn sidecar_text(s: &StaffApp, file: &str) -> Option<String> {
    std::fs::read_to_string(s.documents().join(file.replace(".pdf", ".toml"))).ok()
}

#[tokio::test]
async fn the_bulk_page_lists_the_hits_with_checkboxes_for_staff_only() {
    let s = app();
    let uri = "/samleendring?q=samlepr%C3%B8ve";
    let anonymous = send(&s.app, Request::get(uri).body(Body::empty()).unwrap()).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location().starts_with("/logg-inn?neste="));
    let (cookie, _) = crate::staff::login(&s.app).await;
    let answer = page(&s, &cookie, uri).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    for file in FILES {
        let id = s.id_of(file);
        assert!(
            answer
                .body
                .contains(&format!("name=\"id\" value=\"{id}\" id=\"pick-{id}\"")),
            "{file}: {}",
            answer.body
        );
        assert!(answer.body.contains(&format!(
            "<label class=\"visually-hidden\" for=\"pick-{id}\">"
        )));
    }
    assert_eq!(answer.body.matches("name=\"id\"").count(), 3);
    assert!(
        answer.body.contains("Alle 3 treff i dette søket"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("name=\"add_topic\""));
    assert!(answer.body.contains("name=\"remove_law\""));
    assert!(answer.body.contains("<legend>Legg til</legend>"));
    assert!(
        answer.body.contains("href=\"/samleendring\""),
        "linked from the staff navigation"
    );
    let en = page(&s, &cookie, &format!("{uri}&lang=en")).await;
    assert!(en.body.contains("All 3 hits of this search"), "{}", en.body);
    assert!(
        en.body
            .contains("action=\"/samleendring/forhandsvis?lang=en\"")
    );
}

#[tokio::test]
async fn a_preview_page_changes_nothing_and_its_confirmation_runs_one_batch() {
    let s = app();
    let (a, b) = (s.id_of(FILES[0]), s.id_of(FILES[1]));
    // The first document already has the focus area.
    let first = bulk(
        &s,
        "/api/bulk",
        json!({"ids": [a], "add": {"topics": ["partnerdrap"]}}),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let sidecars: Vec<_> = FILES.iter().map(|f| sidecar_text(&s, f)).collect();
    let (cookie, csrf) = crate::staff::login(&s.app).await;
    let preview = post_form(
        &s,
        &cookie,
        "/samleendring/forhandsvis",
        &[
            ("csrf", &csrf),
            ("search", "q=samlepr%C3%B8ve"),
            ("scope", "valgte"),
            ("id", &a),
            ("id", &b),
            ("add_topic", "partnerdrap"),
            ("add_convention", ""),
        ],
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let title_a = doc(&s, FILES[0]).title;
    let title_b = doc(&s, FILES[1]).title;
    assert!(
        preview
            .body
            .contains("2 dokumenter valgt: 1 endres, 1 er allerede slik"),
        "{}",
        preview.body
    );
    let table = &preview.body[preview.body.find("id=\"bulk-preview\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(
        table.contains(&title_b) && table.contains("+ Partnerdrap"),
        "{table}"
    );
    assert!(!table.contains(&title_a), "{table}");
    let unchanged = &preview.body[preview.body.find("id=\"bulk-unchanged\"").unwrap()..];
    assert!(unchanged[..unchanged.find("</ul>").unwrap()].contains(&title_a));
    // Nothing changed: not the sidecars, not the index.
    let now: Vec<_> = FILES.iter().map(|f| sidecar_text(&s, f)).collect();
    assert_eq!(now, sidecars);
    assert!(
        !doc(&s, FILES[1])
            .topics
            .contains(&"partnerdrap".to_string())
    );

    let fields = form_fields(&preview.body, "/samleendring/utfor");
    assert!(fields.contains(&("id".into(), a.clone())));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let started = post_form(&s, &cookie, "/samleendring/utfor", &pairs).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let progress_url = started.location();
    let batch = progress_url
        .strip_prefix("/samleendring/")
        .unwrap()
        .to_string();
    // The page refreshes itself until the batch is done.
    let mut status = page(&s, &cookie, &progress_url).await;
    for _ in 0..200 {
        if !status.body.contains("data-state=\"running\"") {
            break;
        }
        assert!(status.body.contains("http-equiv=\"refresh\""));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        status = page(&s, &cookie, &progress_url).await;
    }
    assert!(
        status.body.contains("data-state=\"done\""),
        "{}",
        status.body
    );
    assert!(
        status.body.contains("Ferdig: 1 av 1 dokumenter endret"),
        "{}",
        status.body
    );
    assert!(!status.body.contains("http-equiv=\"refresh\""));
    assert!(status.body.contains("href=\"/logg\""));
    let undo = format!("/samleendring/{batch}/angre");
    assert!(status.body.contains(&undo), "{}", status.body);
    assert_eq!(doc(&s, FILES[1]).topics, ["partnerdrap"]);
    assert_eq!(sidecar_text(&s, FILES[2]), sidecars[2], "not chosen");

    let api = send(
        &s.app,
        Request::get(format!("/api/bulk/{batch}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", s.token))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let api = api.json();
    assert_eq!(
        (api["state"].as_str(), &api["done"], &api["total"]),
        (Some("done"), &json!(1), &json!(1))
    );

    let of_batch = edits_of_batch(&s, &batch);
    assert_eq!(of_batch.len(), 1);
    assert_eq!(of_batch[0].target.as_deref(), Some(b.as_str()));
    let log = page(&s, &cookie, "/logg").await;
    assert_eq!(log.body.matches(&undo).count(), 1);

    let undone = post_form(&s, &cookie, &undo, &[("csrf", &csrf)]).await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER, "{}", undone.body);
    assert!(doc(&s, FILES[1]).topics.is_empty());
    let after = page(&s, &cookie, &progress_url).await;
    assert!(
        after.body.contains("data-state=\"undone\""),
        "{}",
        after.body
    );
}

#[tokio::test]
async fn every_hit_past_the_bound_is_refused_with_a_word_to_narrow_the_search() {
    let s = staff_app_with(10 << 20, &[], |docs| {
        for i in 0..=MAX_BATCH {
            write_pdf(
                docs,
                &format!("2023-01-01-masse-{i}.pdf"),
                None,
                &[&format!("Massetest nummer {i}\n\nOslo, 1. mars 2023")],
            );
        }
    });
    let (cookie, csrf) = crate::staff::login(&s.app).await;
    let view = page(&s, &cookie, "/samleendring?q=massetest").await;
    assert_eq!(view.status, StatusCode::OK);
    assert!(view.body.contains("id=\"bulk-too-many\""), "{}", view.body);
    assert!(
        view.body
            .contains(&format!("Søket har {} treff", MAX_BATCH + 1))
    );
    for (uri, message) in [
        ("/samleendring/forhandsvis", "Snevre inn søket"),
        ("/samleendring/forhandsvis?lang=en", "Narrow the search"),
        ("/samleendring/utfor", "Snevre inn søket"),
    ] {
        let answer = post_form(
            &s,
            &cookie,
            uri,
            &[
                ("csrf", &csrf),
                ("search", "q=massetest"),
                ("scope", "alle"),
                ("add_topic", "partnerdrap"),
            ],
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{uri}: {}",
            answer.body
        );
        assert!(answer.body.contains(message), "{uri}: {}", answer.body);
        assert!(answer.body.contains(&format!("{}", MAX_BATCH + 1)), "{uri}");
    }
    assert!(sidecar_text(&s, "2023-01-01-masse-0.pdf").is_none());
    // Exactly the bound is one batch.
    let ids: Vec<String> = s
        .index
        .documents()
        .unwrap()
        .into_iter()
        .filter(|d| d.submission.file.starts_with("2023-01-01-masse-"))
        .take(MAX_BATCH)
        .map(|d| d.submission.id.to_string())
        .collect();
    let done = bulk(
        &s,
        "/api/bulk",
        json!({"ids": ids, "add": {"topics": ["partnerdrap"]}}),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let done = done.json();
    assert_eq!(done["changed"], MAX_BATCH);
    eprintln!("bulk edit of {MAX_BATCH} documents: {} ms", done["took_ms"]);
}

#[tokio::test]
async fn a_batch_a_stopped_server_was_writing_is_finished_when_it_starts() {
    let s = app();
    let done = bulk(
        &s,
        "/api/bulk",
        json!({"search": "q=samleprøve", "add": {"conventions": ["crc"]}}),
    )
    .await
    .json();
    let batch = done["batch"].as_str().unwrap().to_string();
    let written: Vec<_> = FILES.iter().map(|f| sidecar_text(&s, f).unwrap()).collect();
    // As if the server stopped after writing the first sidecar: the others are as they
    // were, the batch still marked running; the third was edited by hand since.
    let dir = s.data().root().join("bulk");
    let kept: Value =
        serde_json::from_slice(&std::fs::read(dir.join(format!("{batch}.json"))).unwrap()).unwrap();
    for file in &FILES[1..] {
        let path = s.documents().join(file.replace(".pdf", ".toml"));
        let before = kept
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["file"] == *file)
            .unwrap()["sidecar"]
            .clone();
        match before.as_str() {
            Some(text) => std::fs::write(&path, text).unwrap(),
            None => std::fs::remove_file(&path).unwrap(),
        }
    }
    let by_hand = "title = \"Endret for hånd\"\n";
    std::fs::write(
        s.documents().join(FILES[2].replace(".pdf", ".toml")),
        by_hand,
    )
    .unwrap();
    std::fs::write(dir.join(format!("{batch}.running")), r#"{"user":"per"}"#).unwrap();

    let finished =
        arkiv::web::staff::bulk::recover(&s.data(), &arkiv::library::Library::new(s.documents()));
    assert_eq!(finished, std::slice::from_ref(&batch));
    assert_eq!(
        sidecar_text(&s, FILES[0]).as_deref(),
        Some(written[0].as_str())
    );
    assert_eq!(
        sidecar_text(&s, FILES[1]).as_deref(),
        Some(written[1].as_str())
    );
    assert_eq!(sidecar_text(&s, FILES[2]).as_deref(), Some(by_hand));
    assert!(!dir.join(format!("{batch}.running")).exists());
    let entries = arkiv::audit::AuditLog::new(s.data().audit_file())
        .recent(100)
        .unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.user == "per" && e.action == "bulk_edit")
            .count(),
        2
    );
    // Nothing left to finish.
    assert!(
        arkiv::web::staff::bulk::recover(&s.data(), &arkiv::library::Library::new(s.documents()))
            .is_empty()
    );
}
