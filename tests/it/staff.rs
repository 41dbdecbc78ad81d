//! Staff: sign-in, the guard on every staff route, CSRF, attempt limits, uploads (bad,
//! hostile, duplicate, concurrent), edits, delete and restore, the API, the audit log, and
//! an upload that survives the server being killed right after its OK.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use arkiv::index::ArchiveIndex;
use arkiv::web::staff::staff_routes;

use crate::support::{
    Answer, PASSWORD, Server, StaffApp, USER, arkiv_bin, send, staff_app_with, staff_token,
    write_pdf,
};

fn staff_app(max_upload_bytes: usize) -> StaffApp {
    staff_app_with(max_upload_bytes, &[], |_| {})
}

pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

async fn try_login(app: &Router, name: &str, password: &str) -> Answer {
    let page = send(app, Request::get("/logg-inn").body(Body::empty()).unwrap()).await;
    let cookie = page.cookie("arkiv_login_csrf").expect("login csrf cookie");
    let csrf = page.hidden("csrf");
    let body = form(&[
        ("name", name),
        ("password", password),
        ("csrf", &csrf),
        ("next", "/last-opp"),
    ]);
    send(
        app,
        Request::post("/logg-inn")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("arkiv_login_csrf={cookie}"))
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// Signs in; returns the session cookie header and the session's CSRF token.
pub(crate) async fn login(app: &Router) -> (String, String) {
    let answer = try_login(app, USER, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let session = answer.cookie("arkiv_session").expect("session cookie");
    let cookie = format!("arkiv_session={session}");
    let page = send(
        app,
        Request::get("/last-opp")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    (cookie, page.hidden("csrf"))
}

pub(crate) const BOUNDARY: &str = "arkivtestgrense";

/// A multipart body: text fields, then files (field name, client file name, bytes).
pub(crate) fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub(crate) fn api_upload_request(
    token: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    bytes: &[u8],
) -> Request<Body> {
    Request::post("/api/documents")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(multipart(fields, &[("file", file_name, bytes)])))
        .unwrap()
}

/// A small PDF with a word no sample has.
pub(crate) fn pdf_with(word: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(
        dir.path(),
        "x.pdf",
        None,
        &[&format!(
            "Høringssvar om {word}\n\nOslo, 3. mars 2021\n\nVi viser til Istanbulkonvensjonen artikkel 18 og {word}."
        )],
    );
    std::fs::read(path).unwrap()
}

async fn search_total(app: &Router, q: &str) -> u64 {
    let uri = format!(
        "/api/search?q={}",
        form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
    );
    send(app, Request::get(uri).body(Body::empty()).unwrap())
        .await
        .json()["total"]
        .as_u64()
        .unwrap()
}

fn any_id(index: &ArchiveIndex) -> String {
    index.documents().unwrap()[0].submission.id.to_string()
}

#[tokio::test]
async fn every_staff_route_refuses_anonymous_requests() {
    let s = staff_app(10 << 20);
    let id = any_id(&s.index);
    let routes = staff_routes();
    assert!(routes.len() >= 11);
    for (method, path) in routes {
        let uri = path
            .replace("{id}", &id)
            .replace("{name}", "20250101T000000Z--x.pdf")
            .replace("{note}", "1")
            .replace("{batch}", "20250101T000000.000Z");
        let request = Request::builder()
            .method(method.clone())
            .uri(&uri)
            .body(Body::empty())
            .unwrap();
        let answer = send(&s.app, request).await;
        if uri.starts_with("/api/") {
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
            // A wrong token is no better than none.
            let request = Request::builder()
                .method(method.clone())
                .uri(&uri)
                .header(header::AUTHORIZATION, "Bearer arkiv_feil")
                .body(Body::empty())
                .unwrap();
            assert_eq!(
                send(&s.app, request).await.status,
                StatusCode::UNAUTHORIZED,
                "{method} {uri}"
            );
        } else {
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{method} {uri}");
            assert!(
                answer.location().starts_with("/logg-inn?neste="),
                "{method} {uri}"
            );
        }
    }
    // Nothing changed.
    assert!(
        s.index
            .document(&arkiv::model::DocId::parse(&id).unwrap())
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_forbidden() {
    let s = staff_app(10 << 20);
    let (cookie, csrf) = login(&s.app).await;
    let id = any_id(&s.index);
    for (method, path) in staff_routes() {
        if method != Method::POST || path.starts_with("/api/") {
            continue;
        }
        let uri = path
            .replace("{id}", &id)
            .replace("{name}", "20250101T000000Z--x.pdf")
            .replace("{note}", "1")
            .replace("{batch}", "20250101T000000.000Z");
        for token in ["", "feil"] {
            let request = if path == "/last-opp" || path.ends_with("/ny-versjon") {
                Request::post(&uri)
                    .header(header::COOKIE, &cookie)
                    .header(
                        header::CONTENT_TYPE,
                        format!("multipart/form-data; boundary={BOUNDARY}"),
                    )
                    .body(Body::from(multipart(
                        &[("csrf", token)],
                        &[("file", "a.pdf", &pdf_with("csrfprøve"))],
                    )))
                    .unwrap()
            } else {
                Request::post(&uri)
                    .header(header::COOKIE, &cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(form(&[("csrf", token), ("title", "Endret")])))
                    .unwrap()
            };
            let answer = send(&s.app, request).await;
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{uri} with token `{token}`"
            );
        }
    }
    assert!(!csrf.is_empty());
    // The sign-in form has its own token.
    let answer = send(
        &s.app,
        Request::post("/logg-inn")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form(&[
                ("name", USER),
                ("password", PASSWORD),
                ("csrf", "x"),
            ])))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(search_total(&s.app, "csrfprøve").await, 0);
}

#[tokio::test]
async fn sign_in_cookies_wrong_passwords_and_the_attempt_limit() {
    let s = staff_app(10 << 20);
    let wrong = try_login(&s.app, USER, "feil-passord-her").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Feil brukernavn eller passord"));
    assert!(wrong.cookie("arkiv_session").is_none());
    let unknown = try_login(&s.app, "ingen", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);

    let ok = try_login(&s.app, USER, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let set_cookie: Vec<&str> = ok
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = set_cookie
        .iter()
        .find(|c| c.starts_with("arkiv_session="))
        .unwrap();
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Strict"), "{session}");

    // Session fixation: a session id planted before sign-in is not kept.
    let planted = ok.cookie("arkiv_session").unwrap();
    let again = try_login(&s.app, USER, PASSWORD).await;
    assert_ne!(again.cookie("arkiv_session").unwrap(), planted);

    for _ in 0..arkiv::web::auth::ACCOUNT_ATTEMPTS {
        try_login(&s.app, USER, "feil-passord-her").await;
    }
    let blocked = try_login(&s.app, USER, PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.cookie("arkiv_session").is_none());

    let audit = std::fs::read_to_string(s.dir.path().join("data/audit.jsonl")).unwrap();
    assert!(audit.contains("\"action\":\"login_failed\""));
    assert!(audit.contains("\"action\":\"login\""));
}

#[tokio::test]
async fn upload_then_search_edit_delete_and_restore_through_the_pages() {
    let s = staff_app(10 << 20);
    let (cookie, csrf) = login(&s.app).await;
    let bytes = pdf_with("kvernsteinsprøve");
    let body = multipart(
        &[
            ("csrf", &csrf),
            ("kind", "horingssvar"),
            ("recipient", "Justis- og beredskapsdepartementet"),
        ],
        &[("file", "../../etc/passwd.pdf", &bytes)],
    );
    let answer = send(
        &s.app,
        Request::post("/last-opp")
            .header(header::COOKIE, &cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    // What was detected is shown, ready to be corrected.
    assert!(answer.body.contains("2021"));
    assert!(answer.body.contains("Istanbulkonvensjonen art. 18"));
    assert!(answer.body.contains("/rediger"));
    // The client's path was not used: the file is in documents/ under a name the server chose.
    let names: Vec<String> = std::fs::read_dir(s.documents())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("kvernsteinsprove"))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("2021-03-03-")));
    assert!(!s.dir.path().join("etc").exists());
    assert_eq!(search_total(&s.app, "kvernsteinsprøve").await, 1);

    let id = arkiv::model::DocId::from_content(&bytes);
    let edit = format!("/dokument/{id}/rediger");
    let answer = send(
        &s.app,
        Request::post(&edit)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form(&[
                ("csrf", &csrf),
                ("title", "Høringssvar om møllesteiner"),
                ("kind", "horingssvar"),
                ("date", "2021-03-03"),
                ("conventions_mode", "manual"),
                ("conventions", "echr"),
            ])))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(search_total(&s.app, "tittel:møllesteiner").await, 1);
    let doc = s.index.document(&id).unwrap().unwrap();
    assert_eq!(doc.conventions, vec![arkiv::model::Convention::Echr]);

    let answer = send(
        &s.app,
        Request::post(format!("/dokument/{id}/slett"))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form(&[("csrf", &csrf), ("confirm", "1")])))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(search_total(&s.app, "kvernsteinsprøve").await, 0);
    let trash = send(
        &s.app,
        Request::get("/papirkurv")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let action = trash
        .body
        .split("action=\"")
        .map(|s| s.split('"').next().unwrap())
        .find(|a| a.starts_with("/papirkurv/"))
        .expect("a restore button")
        .to_string();
    let answer = send(
        &s.app,
        Request::post(&action)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form(&[("csrf", &csrf)])))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(
        search_total(&s.app, "tittel:møllesteiner").await,
        1,
        "restored with its edited metadata"
    );

    let log = send(
        &s.app,
        Request::get("/logg")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    // Each action by its id, and in words (defect 15: no untranslated ids).
    for (action, words) in [
        ("upload", "Lastet opp"),
        ("edit", "Endret"),
        ("delete", "Flyttet til papirkurven"),
        ("restore", "Hentet fra papirkurven"),
        ("login", "Logget inn"),
    ] {
        assert!(
            log.body
                .contains(&format!("<td data-action=\"{action}\">{words}</td>")),
            "audit page lacks {action}"
        );
    }
}

#[tokio::test]
async fn the_api_validates_uploads_and_edits() {
    let s = staff_app(1 << 20);
    let ok = send(
        &s.app,
        api_upload_request(
            &s.token,
            &[("title", "API-prøve")],
            "a.pdf",
            &pdf_with("apiprøveord"),
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let id = ok.json()["id"].as_str().unwrap().to_string();
    assert_eq!(ok.json()["title"], "API-prøve");
    assert_eq!(search_total(&s.app, "apiprøveord").await, 1);

    let duplicate = send(
        &s.app,
        api_upload_request(&s.token, &[], "b.pdf", &pdf_with("apiprøveord")),
    )
    .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.json()["id"], id.as_str());

    let not_pdf = send(
        &s.app,
        api_upload_request(&s.token, &[], "c.pdf", b"GIF89a not a pdf at all"),
    )
    .await;
    assert_eq!(not_pdf.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(not_pdf.json()["error"].is_string());

    let mut big = pdf_with("storfil");
    big.extend(std::iter::repeat_n(b' ', 2 << 20));
    let too_big = send(&s.app, api_upload_request(&s.token, &[], "d.pdf", &big)).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(too_big.json()["error"].is_string());

    let bad_date = send(
        &s.app,
        api_upload_request(
            &s.token,
            &[("date", "i går")],
            "e.pdf",
            &pdf_with("datoprøve"),
        ),
    )
    .await;
    assert_eq!(bad_date.status, StatusCode::BAD_REQUEST);

    let patch = |body: &'static str| {
        Request::patch(format!("/api/documents/{id}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", s.token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let patched = send(
        &s.app,
        patch(r#"{"title":"Innspill om sjøorm","conventions":["crc"]}"#),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.json()["kind"], "innspill");
    assert_eq!(search_total(&s.app, "tittel:sjøorm").await, 1);
    assert_eq!(
        send(&s.app, patch(r#"{"kind":"brev"}"#)).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        send(&s.app, patch("not json")).await.status,
        StatusCode::BAD_REQUEST
    );

    let delete = Request::delete(format!("/api/documents/{id}"))
        .header(header::AUTHORIZATION, format!("Bearer {}", s.token))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&s.app, delete).await.status, StatusCode::OK);
    assert_eq!(search_total(&s.app, "apiprøveord").await, 0);
    let audit = std::fs::read_to_string(s.dir.path().join("data/audit.jsonl")).unwrap();
    assert!(audit.contains("\"action\":\"token_use\""));
}

#[tokio::test]
async fn concurrent_uploads_of_different_files_all_land() {
    let s = staff_app(10 << 20);
    // Unrelated words: no one is the start of another.
    let words = ["kvitveis", "hestehov", "løvetann", "blåklokke"];
    let mut tasks = Vec::new();
    for word in words {
        let app = s.app.clone();
        let token = s.token.clone();
        tasks.push(tokio::spawn(async move {
            send(
                &app,
                api_upload_request(&token, &[], "x.pdf", &pdf_with(word)),
            )
            .await
            .status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::CREATED);
    }
    for word in words {
        assert_eq!(search_total(&s.app, word).await, 1, "{word}");
    }
    let ids: std::collections::BTreeSet<_> = s
        .index
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| d.submission.id)
        .collect();
    assert_eq!(ids.len(), s.index.document_count().unwrap());
}

/// A raw HTTP/1.1 request to a real server; returns status and body.
fn http(port: u16, request: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn an_acknowledged_upload_survives_sigkill() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    let index = dir.path().join("index");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&docs).unwrap();
    write_pdf(&docs, "a.pdf", None, &["Innspill om EMK"]);

    let token = staff_token(&data);

    let mut server = Server::start(&docs, &index, &data);
    let port = server.port;
    let bytes = pdf_with("drapsprøveord");
    let body = multipart(
        &[("title", "Overlever SIGKILL")],
        &[("file", "k.pdf", &bytes)],
    );
    let mut request = format!(
        "POST /api/documents HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    let (status, answer) = http(port, &request);
    let acknowledged = Instant::now();
    assert_eq!(status, 201, "{answer}");
    let (_, found) = http(port, b"GET /api/search?q=drapspr%C3%B8veord HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let searchable_after = acknowledged.elapsed();
    assert!(found.contains("\"total\":1"), "{found}");
    eprintln!(
        "upload OK → found by search in {:.1} ms",
        searchable_after.as_secs_f64() * 1000.0
    );
    // SIGKILL: no shutdown, no flushing.
    server.kill();

    let out = Command::new(arkiv_bin())
        .args(["ingest", "--json", "--documents"])
        .arg(&docs)
        .arg("--index")
        .arg(&index)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = arkiv::model::DocId::from_content(&bytes).to_string();
    let documents = report["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 2);
    let kept = documents
        .iter()
        .find(|d| d["id"] == id.as_str())
        .expect("the upload is still there");
    assert_eq!(kept["title"], "Overlever SIGKILL");
    assert_eq!(
        report["indexed"], 0,
        "the acknowledged upload was committed before its OK"
    );
}

/// A form post from `addr` (as the accept loop records the peer) with the session cookie.
fn form_post(uri: &str, cookie: &str, body: String) -> Request<Body> {
    let mut request = Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 9],
            4000,
        ))));
    request
}

async fn staff_get(app: &Router, uri: &str, cookie: &str) -> Answer {
    let answer = send(
        app,
        Request::get(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
    answer
}

/// Defects 1, 14, 15, 16 and 17: corrections kept, the upload named by its title, the
/// trash and the audit log readable, the staff bar and links in the reader's language.
#[tokio::test]
async fn staff_corrections_are_kept_and_staff_pages_say_what_happened() {
    let s = staff_app(10 << 20);
    let (cookie, csrf) = login(&s.app).await;
    let bytes = pdf_with("rettelsesprøve");
    let answer = send(
        &s.app,
        Request::post("/last-opp")
            .header(header::COOKIE, &cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(multipart(
                &[("csrf", &csrf)],
                &[("file", "rettelse.pdf", &bytes)],
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let id = arkiv::model::DocId::from_content(&bytes);
    let doc = s.index.document(&id).unwrap().unwrap();
    // 16: the success message names the document by its title, linked.
    let html = scraper::Html::parse_document(&answer.body);
    let ok = html
        .select(&scraper::Selector::parse("p.ok a").unwrap())
        .next()
        .expect("a link to the new document");
    assert_eq!(
        ok.value().attr("href"),
        Some(format!("/dokument/{id}").as_str())
    );
    assert_eq!(ok.text().collect::<String>(), doc.title);
    assert_eq!(doc.conventions, vec![arkiv::model::Convention::Istanbul]);

    // 1: CEDAW ticked while "detect" stays selected is kept, with what was shown.
    let shown: Vec<(String, String)> = html
        .select(&scraper::Selector::parse("form.staff-form input").unwrap())
        .filter_map(|i| {
            let e = i.value();
            let name = e.attr("name")?;
            let kind = e.attr("type").unwrap_or("text");
            if matches!(kind, "checkbox" | "radio") && e.attr("checked").is_none() {
                return None;
            }
            Some((name.to_string(), e.attr("value").unwrap_or("").to_string()))
        })
        .collect();
    assert!(
        shown.contains(&("conventions_mode".into(), "auto".into())),
        "{shown:?}"
    );
    let action = format!("/dokument/{id}/rediger");
    let mut fields = shown.clone();
    fields.push(("conventions".into(), "cedaw".into()));
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let saved = send(&s.app, form_post(&action, &cookie, body)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let doc = s.index.document(&id).unwrap().unwrap();
    assert_eq!(
        doc.conventions,
        vec![
            arkiv::model::Convention::Istanbul,
            arkiv::model::Convention::Cedaw
        ],
        "the correction was dropped"
    );
    // The form as shown, sent back unchanged, still means "detect".
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(shown)
        .finish();
    let saved = send(&s.app, form_post(&action, &cookie, body)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let doc = s.index.document(&id).unwrap().unwrap();
    assert_eq!(doc.conventions, vec![arkiv::model::Convention::Istanbul]);

    // 17: the staff bar on public pages, the edit link, both in English in English.
    let front = staff_get(&s.app, "/?lang=en", &cookie).await;
    assert!(front.body.contains("class=\"staffnav\""));
    assert!(front.body.contains("href=\"/last-opp?lang=en\""));
    let page = staff_get(&s.app, &format!("/dokument/{id}?lang=en"), &cookie).await;
    assert!(
        page.body
            .contains(&format!("href=\"/dokument/{id}/rediger?lang=en\""))
    );
    let edit_en = staff_get(&s.app, &format!("/dokument/{id}/rediger?lang=en"), &cookie).await;
    assert!(
        edit_en
            .body
            .contains(&format!("href=\"/dokument/{id}?lang=en\""))
    );

    // 14: deleting asks to confirm; the trash names the title and a readable time.
    let delete = format!("/dokument/{id}/slett");
    let refused = send(
        &s.app,
        form_post(&delete, &cookie, form(&[("csrf", &csrf)])),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("Kryss av for å bekrefte"));
    assert_eq!(search_total(&s.app, "rettelsesprøve").await, 1);
    let edit_page = staff_get(&s.app, &action, &cookie).await;
    assert!(
        edit_page
            .body
            .contains("name=\"confirm\" value=\"1\" required")
    );
    let deleted = send(
        &s.app,
        form_post(&delete, &cookie, form(&[("csrf", &csrf), ("confirm", "1")])),
    )
    .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let trash = staff_get(&s.app, "/papirkurv", &cookie).await;
    let trash_html = scraper::Html::parse_document(&trash.body);
    let headers: Vec<String> = trash_html
        .select(&scraper::Selector::parse("thead th").unwrap())
        .map(|th| th.text().collect::<String>())
        .collect();
    assert_eq!(headers[0], "Tittel");
    let row: Vec<String> = trash_html
        .select(&scraper::Selector::parse("tbody tr td").unwrap())
        .map(|td| td.text().collect::<String>().trim().to_string())
        .collect();
    assert_eq!(row[0], doc.title);
    assert!(
        row[2].ends_with("UTC") && row[2].contains(" 20"),
        "{:?}",
        row[2]
    );
    assert!(
        !row[2]
            .split(['T', ' '])
            .next()
            .unwrap()
            .bytes()
            .all(|b| b.is_ascii_digit()),
        "a raw time stamp: {:?}",
        row[2]
    );
    let restore = trash_html
        .select(&scraper::Selector::parse("tbody form").unwrap())
        .next()
        .unwrap()
        .value()
        .attr("action")
        .unwrap()
        .to_string();
    let restored = send(
        &s.app,
        form_post(&restore, &cookie, form(&[("csrf", &csrf)])),
    )
    .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    let back = restored.location();
    assert_eq!(back, format!("/dokument/{id}?gjenopprettet=1"));
    let page = staff_get(&s.app, &back, &cookie).await;
    assert!(page.body.contains("hentet tilbake fra papirkurven"));
    assert!(!page.body.contains("Tilbake til søket"), "not a search");

    // 15: the audit log in words, documents linked, the address of every change.
    let log = staff_get(&s.app, "/logg", &cookie).await;
    let log_html = scraper::Html::parse_document(&log.body);
    let mut changes = 0;
    for tr in log_html.select(&scraper::Selector::parse("tbody tr").unwrap()) {
        let cells: Vec<_> = tr
            .select(&scraper::Selector::parse("td").unwrap())
            .collect();
        let action = cells[2].value().attr("data-action").unwrap();
        let words = cells[2].text().collect::<String>();
        assert_ne!(words, action, "{action} is not in words");
        if ["edit", "delete", "restore"].contains(&action) {
            assert_eq!(cells[4].text().collect::<String>(), "127.0.0.9", "{action}");
            let link = cells[3]
                .select(&scraper::Selector::parse("a").unwrap())
                .next()
                .unwrap_or_else(|| panic!("{action}: the document is not linked"));
            assert_eq!(
                link.value().attr("href"),
                Some(format!("/dokument/{id}").as_str())
            );
            changes += 1;
        }
    }
    assert_eq!(changes, 4, "two edits, a delete, a restore");
    let english = staff_get(&s.app, "/logg?lang=en", &cookie).await;
    assert!(english.body.contains(">Moved to the trash<"));
}
