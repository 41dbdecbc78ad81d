//! Part 5: the security checks `web.rs` and `staff.rs` do not already make. Through the
//! router in process (no socket):
//!
//! - every method on every route: what a route does not allow is refused, never 2xx or
//!   5xx; forged, foreign and misplaced credentials get nowhere;
//! - CSRF tokens bound to their session; the API deaf to cookies;
//! - session ids replaced at sign-in and dead after sign-out; no open redirect after it;
//! - hostile file names and metadata escaped on the staff pages, the audit log and the
//!   trash; CSV and Atom exports escaped;
//! - path traversal through every `{id}` and `{name}` and through upload file names;
//! - body size limits on every POST and PATCH;
//! - the security headers on every kind of response, and no inline script or style.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};

use arkiv::accounts::Accounts;
use arkiv::web::staff::staff_routes;

use super::server::{BOUNDARY, PASSWORD, USER};
use crate::support::{Answer, StaffApp, get, send, staff_app_with, write_pdf};

/// Script, markup and an attribute break-out in one string.
const PAYLOAD: &str = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";
/// The same without double quotes, for places a quote cannot go (multipart file names).
const PAYLOAD_NAME: &str = "'><script>alert(3)</script><img src=x onerror=alert(4)>";
/// A spreadsheet formula.
const FORMULA: &str = "=HYPERLINK(\"https://evil.example\",\"klikk\")";

/// Public routes and the methods they allow (the staff routes come from `staff_routes()`).
const PUBLIC_ROUTES: &[(&str, &[&str])] = &[
    ("/", &["GET"]),
    ("/sok", &["GET"]),
    ("/dokumenter", &["GET"]),
    ("/dokument/{id}", &["GET"]),
    ("/dokument/{id}/pdf", &["GET"]),
    ("/static/arkiv.css", &["GET"]),
    ("/api/search", &["GET"]),
    ("/api/documents/{id}", &["GET"]),
    ("/api/export", &["GET"]),
    ("/api/openapi.json", &["GET"]),
    ("/api", &["GET"]),
    ("/statistikk", &["GET"]),
    ("/statistikk/aar.svg", &["GET"]),
    ("/statistikk/artikler.svg", &["GET"]),
    ("/feed.atom", &["GET"]),
    ("/dokument/{id}/cite.bib", &["GET"]),
    ("/dokument/{id}/cite.json", &["GET"]),
    ("/konvensjon/{id}", &["GET"]),
    ("/horinger", &["GET"]),
    ("/horinger.ics", &["GET"]),
    ("/horing/{id}", &["GET"]),
    ("/api/consultations", &["GET"]),
    ("/api/consultations/{id}", &["GET"]),
    ("/logg-inn", &["GET", "POST"]),
    ("/logg-ut", &["POST"]),
];

/// The samples plus `extra`, with staff features and a second account, "ola".
fn app_with(max_upload_bytes: usize, extra: impl FnOnce(&Path)) -> StaffApp {
    staff_app_with(max_upload_bytes, &["ola"], extra)
}

fn app() -> StaffApp {
    app_with(1 << 20, |_| {})
}

fn request(method: &Method, uri: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Request<Body> {
    let mut builder = Request::builder().method(method.clone()).uri(uri);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(Body::from(body)).unwrap()
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

const MULTIPART: &str = "multipart/form-data; boundary=arkivhostilegrense";
const FORM: &str = "application/x-www-form-urlencoded";

/// Fetches the sign-in form; returns its CSRF cookie and field.
async fn login_form(app: &Router) -> (String, String) {
    let page = get(app, "/logg-inn").await;
    (
        page.cookie("arkiv_login_csrf").unwrap(),
        page.hidden("csrf"),
    )
}

/// Signs in, sending `extra_cookie` along (a planted session); returns the answer.
async fn sign_in(app: &Router, user: &str, next: &str, extra_cookie: Option<&str>) -> Answer {
    let (cookie, csrf) = login_form(app).await;
    let mut cookies = format!("arkiv_login_csrf={cookie}");
    if let Some(extra) = extra_cookie {
        cookies.push_str("; ");
        cookies.push_str(extra);
    }
    let body = form(&[
        ("name", user),
        ("password", PASSWORD),
        ("csrf", &csrf),
        ("next", next),
    ]);
    send(
        app,
        request(
            &Method::POST,
            "/logg-inn",
            &[("content-type", FORM), ("cookie", &cookies)],
            body,
        ),
    )
    .await
}

/// Signs in; returns the session cookie header value and the session's CSRF token.
async fn login(app: &Router, user: &str) -> (String, String) {
    let answer = sign_in(app, user, "/last-opp", None).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let cookie = format!("arkiv_session={}", answer.cookie("arkiv_session").unwrap());
    let csrf = csrf_of(app, &cookie).await;
    (cookie, csrf)
}

async fn csrf_of(app: &Router, cookie: &str) -> String {
    let page = send(
        app,
        request(&Method::GET, "/last-opp", &[("cookie", cookie)], Vec::new()),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "not signed in");
    page.hidden("csrf")
}

/// Whether a session cookie still opens a staff page.
async fn signed_in(app: &Router, cookie: &str) -> bool {
    let page = send(
        app,
        request(&Method::GET, "/last-opp", &[("cookie", cookie)], Vec::new()),
    )
    .await;
    page.status == StatusCode::OK
}

/// Every file under `dir` with its size and modification time.
fn snapshot(dir: &Path) -> BTreeSet<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else {
                out.insert((path, meta.len(), meta.modified().unwrap()));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_route_refuses_methods_it_does_not_allow_and_forged_credentials() {
    let s = app();
    let id = s.any_id();
    let before = snapshot(&s.documents());
    let mut routes: Vec<(String, Vec<String>)> = PUBLIC_ROUTES
        .iter()
        .map(|(p, m)| (p.to_string(), m.iter().map(|m| m.to_string()).collect()))
        .collect();
    for (method, path) in staff_routes() {
        match routes.iter_mut().find(|(p, _)| p == path) {
            Some((_, methods)) => methods.push(method.to_string()),
            None => routes.push((path.to_string(), vec![method.to_string()])),
        }
    }
    let mut tried = 0;
    for (path, allowed) in &routes {
        let uri = path
            .replace("{id}", &id)
            .replace("{name}", "20250101T000000Z--x.pdf");
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if allowed.iter().any(|m| m == method) {
                continue;
            }
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let answer = send(&s.app, request(&method, &uri, &[], b"x=1".to_vec())).await;
            tried += 1;
            assert!(
                !answer.status.is_success() && !answer.status.is_server_error(),
                "{method} {uri}: {}",
                answer.status
            );
        }
    }

    // Forged and misplaced credentials on every staff route.
    let (session, _) = login(&s.app, USER).await;
    let (ola_session, _) = login(&s.app, "ola").await;
    let mut accounts = Accounts::load(&s.data()).unwrap();
    let ola_token = accounts.new_token("ola").unwrap();
    accounts.remove("ola").unwrap();
    accounts.save(&s.data()).unwrap();
    let forged = format!("arkiv_session={}", "ab".repeat(32));
    let bearer = format!("Bearer {}", s.token);
    let lower = format!("bearer {}", s.token);
    let removed = format!("Bearer {ola_token}");
    for (method, path) in staff_routes() {
        let uri = path
            .replace("{id}", &id)
            .replace("{name}", "20250101T000000Z--x.pdf");
        let attempts: Vec<(&str, Vec<(&str, &str)>)> = if uri.starts_with("/api/") {
            vec![
                // A browser's cookies must not work the API: a cross-site form could send them.
                ("session cookie", vec![("cookie", session.as_str())]),
                ("forged cookie", vec![("cookie", forged.as_str())]),
                ("lower-case scheme", vec![("authorization", lower.as_str())]),
                (
                    "removed user's token",
                    vec![("authorization", removed.as_str())],
                ),
                (
                    "token as basic",
                    vec![("authorization", "Basic a2FyaTpyaWt0aWc=")],
                ),
            ]
        } else {
            vec![
                ("forged cookie", vec![("cookie", forged.as_str())]),
                (
                    "removed user's session",
                    vec![("cookie", ola_session.as_str())],
                ),
                // API tokens are for scripts; pages need a session.
                ("bearer token", vec![("authorization", bearer.as_str())]),
            ]
        };
        for (what, headers) in attempts {
            let target = if uri.starts_with("/api/") {
                format!("{uri}?token={}", s.token)
            } else {
                uri.clone()
            };
            let answer = send(&s.app, request(&method, &target, &headers, b"x=1".to_vec())).await;
            tried += 1;
            let refused = if uri.starts_with("/api/") {
                answer.status == StatusCode::UNAUTHORIZED
            } else {
                answer.status == StatusCode::SEE_OTHER && answer.location().starts_with("/logg-inn")
            };
            assert!(refused, "{what}: {method} {uri} → {}", answer.status);
        }
    }
    assert_eq!(snapshot(&s.documents()), before, "something changed");
    println!("HOSTILE security route-sweep requests={tried} let-through=0");
}

#[tokio::test]
async fn csrf_tokens_are_bound_to_their_session() {
    let s = app();
    let id = s.any_id();
    let (a, csrf_a) = login(&s.app, USER).await;
    let (b, csrf_b) = login(&s.app, USER).await;
    assert_ne!(csrf_a, csrf_b);
    let edit = format!("/dokument/{id}/rediger");
    for (cookie, csrf) in [(&a, &csrf_b), (&b, &csrf_a)] {
        let answer = send(
            &s.app,
            request(
                &Method::POST,
                &edit,
                &[("cookie", cookie), ("content-type", FORM)],
                form(&[("csrf", csrf), ("title", "Kapret")]),
            ),
        )
        .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
    }
    // The right pair works: the refusals above were about the token.
    let answer = send(
        &s.app,
        request(
            &Method::POST,
            &edit,
            &[("cookie", &a), ("content-type", FORM)],
            form(&[("csrf", &csrf_a), ("title", "Rettet tittel")]),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);

    // Sign-out needs the token too (else any site could sign staff out).
    for token in ["", "feil", csrf_b.as_str()] {
        let answer = send(
            &s.app,
            request(
                &Method::POST,
                "/logg-ut",
                &[("cookie", &a), ("content-type", FORM)],
                form(&[("csrf", token)]),
            ),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "logout with `{token}`"
        );
    }
    assert!(signed_in(&s.app, &a).await);

    // The sign-in form's token must match the cookie of the same browser.
    let (cookie_1, _) = login_form(&s.app).await;
    let (_, csrf_2) = login_form(&s.app).await;
    let answer = send(
        &s.app,
        request(
            &Method::POST,
            "/logg-inn",
            &[
                ("content-type", FORM),
                ("cookie", &format!("arkiv_login_csrf={cookie_1}")),
            ],
            form(&[("name", USER), ("password", PASSWORD), ("csrf", &csrf_2)]),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.cookie("arkiv_session").is_none());

    // A cross-site multipart form to the API, cookies and all, is refused.
    let answer = send(
        &s.app,
        request(
            &Method::POST,
            "/api/documents",
            &[("cookie", &a), ("content-type", MULTIPART)],
            multipart(
                &[("csrf", &csrf_a)],
                &[("x.pdf", &super::server::pdf_with("csrfapiprove"))],
            ),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn session_ids_change_at_sign_in_and_die_at_sign_out() {
    let s = app();
    // A value an attacker chose and planted before sign-in is neither kept nor honoured.
    let planted = format!("arkiv_session={}", "0f".repeat(32));
    let answer = sign_in(&s.app, USER, "/last-opp", Some(&planted)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let fresh = answer.cookie("arkiv_session").unwrap();
    assert_ne!(format!("arkiv_session={fresh}"), planted);
    assert!(!signed_in(&s.app, &planted).await);

    // A real id planted (the attacker's own session) dies when the victim signs in over it.
    let (attacker, _) = login(&s.app, USER).await;
    let answer = sign_in(&s.app, USER, "/last-opp", Some(&attacker)).await;
    let victim = format!("arkiv_session={}", answer.cookie("arkiv_session").unwrap());
    assert_ne!(victim, attacker);
    assert!(
        !signed_in(&s.app, &attacker).await,
        "the planted session survived"
    );
    assert!(signed_in(&s.app, &victim).await);

    // Signing out ends the session on the server, not just in the browser.
    let csrf = csrf_of(&s.app, &victim).await;
    let answer = send(
        &s.app,
        request(
            &Method::POST,
            "/logg-ut",
            &[("cookie", &victim), ("content-type", FORM)],
            form(&[("csrf", &csrf)]),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(
        !signed_in(&s.app, &victim).await,
        "the session outlived sign-out"
    );
}

/// Where a browser goes with a `Location` value: it drops tabs and line breaks first.
fn browser_target(location: &str) -> String {
    location
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .replace('\\', "/")
}

#[tokio::test]
async fn sign_in_never_redirects_off_site() {
    let s = app();
    let mut problems = Vec::new();
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        "/\r\nSet-Cookie: planted=1",
        " //evil.example/",
        "javascript:alert(1)",
    ] {
        let answer = sign_in(&s.app, USER, next, None).await;
        let location = answer.location();
        let target = browser_target(&location);
        let off_site = !target.starts_with('/') || target.starts_with("//");
        if answer.status.is_server_error() || off_site {
            problems.push(format!("next={next:?} → {} {location:?}", answer.status));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// `body` shows no live markup from the payloads: no tag they carry, no attribute they
/// break out of.
fn assert_inert(what: &str, body: &str) {
    for raw in [
        "<script>alert",
        "<img src=x",
        "\"><script",
        "'><script",
        "\"><img",
    ] {
        assert!(!body.contains(raw), "{what}: raw `{raw}` in\n{body}");
    }
}

#[tokio::test]
async fn hostile_names_and_metadata_come_out_escaped_on_staff_pages() {
    let bad_file = format!("rapport{PAYLOAD_NAME}.pdf").replace('/', "_");
    let s = app_with(1 << 20, |docs| {
        // No text layer: the title falls back to the file name.
        write_pdf(docs, &bad_file, None, &[""]);
    });
    let (cookie, csrf) = login(&s.app, USER).await;

    // Upload with a hostile client file name and hostile metadata.
    let bytes = super::server::pdf_with("skadeprove");
    let upload = send(
        &s.app,
        request(
            &Method::POST,
            "/last-opp",
            &[("cookie", &cookie), ("content-type", MULTIPART)],
            multipart(
                &[
                    ("csrf", &csrf),
                    ("title", &format!("Tittel {PAYLOAD}")),
                    ("recipient", PAYLOAD),
                    ("reference", PAYLOAD),
                    ("source_url", &format!("https://x.example/{PAYLOAD}")),
                ],
                &[(&format!("{PAYLOAD_NAME}.pdf"), &bytes)],
            ),
        ),
    )
    .await;
    assert_eq!(upload.status, StatusCode::CREATED, "{}", upload.body);
    assert_inert("upload answer", &upload.body);
    assert!(upload.body.contains("&lt;script&gt;") || upload.body.contains("&#60;script&#62;"));
    let id = arkiv::model::DocId::from_content(&bytes).to_string();

    let mut pages = vec![
        ("edit page", format!("/dokument/{id}/rediger")),
        ("document page", format!("/dokument/{id}")),
        ("search page", "/sok?q=skadeprove".to_string()),
        ("audit log", "/logg".to_string()),
    ];
    let bad_id = s.id_of(&bad_file);
    pages.push(("file-named document", format!("/dokument/{bad_id}")));
    pages.push(("browse", "/dokumenter".to_string()));
    pages.push(("search by file name", "/sok?q=rapport".to_string()));
    for (what, uri) in &pages {
        let answer = send(
            &s.app,
            request(&Method::GET, uri, &[("cookie", &cookie)], Vec::new()),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{what}");
        assert_inert(what, &answer.body);
    }

    // The file named with markup goes to the trash, whose page lists file names.
    let answer = send(
        &s.app,
        request(
            &Method::POST,
            &format!("/dokument/{bad_id}/slett"),
            &[("cookie", &cookie), ("content-type", FORM)],
            form(&[("csrf", &csrf), ("confirm", "1")]),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let trash = send(
        &s.app,
        request(
            &Method::GET,
            "/papirkurv",
            &[("cookie", &cookie)],
            Vec::new(),
        ),
    )
    .await;
    assert!(trash.body.contains("rapport"), "the trash lists the file");
    assert_inert("trash", &trash.body);

    // JSON carries the text as it is, as JSON, never sniffed as HTML.
    let json = send(
        &s.app,
        request(
            &Method::GET,
            &format!("/api/documents/{id}"),
            &[],
            Vec::new(),
        ),
    )
    .await;
    assert!(json.content_type().starts_with("application/json"));
    assert_eq!(json.headers["x-content-type-options"], "nosniff");
    let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(value["title"], format!("Tittel {PAYLOAD}"));
    assert_eq!(value["recipient"], PAYLOAD);
}

/// The CSV and Atom exports (`/api/export`, `/feed.atom`), when the router has them.
#[tokio::test]
async fn csv_and_atom_exports_escape_hostile_text() {
    let s = app_with(1 << 20, |docs| {
        write_pdf(
            docs,
            "eksport.pdf",
            None,
            &["Høringssvar om eksportprove\n\nOslo, 2. mai 2022\n\nTekst."],
        );
        std::fs::write(
            docs.join("eksport.toml"),
            format!(
                "title = {}\nrecipient = {}\ndate = \"2022-05-02\"\n",
                toml_string(&format!("{FORMULA} {PAYLOAD}")),
                toml_string(&format!("@SUM(1+1) {PAYLOAD}")),
            ),
        )
        .unwrap();
    });
    let csv = get(&s.app, "/api/export?q=eksportprove").await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(
        csv.content_type().starts_with("text/csv"),
        "{}",
        csv.content_type()
    );
    assert_eq!(csv.headers["x-content-type-options"], "nosniff");
    let mut reader =
        csv::ReaderBuilder::new().from_reader(csv.body.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    for cell in rows[0].iter() {
        let first = cell.trim_start().chars().next();
        assert!(
            !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')),
            "a cell a spreadsheet would run: {cell:?}"
        );
    }
    let joined: Vec<&str> = rows[0].iter().collect();
    assert!(
        joined
            .iter()
            .any(|c| c.contains("HYPERLINK") && c.contains(PAYLOAD))
    );
    let atom = get(&s.app, "/feed.atom?q=eksportprove").await;
    assert_eq!(atom.status, StatusCode::OK, "{}", atom.body);
    assert!(atom.content_type().starts_with("application/atom+xml"));
    let doc = roxmltree::Document::parse(&atom.body).expect("the feed is well-formed XML");
    let elements: BTreeSet<&str> = doc
        .descendants()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    assert!(
        !elements.contains("script") && !elements.contains("img"),
        "{elements:?}"
    );
    let titles: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text().map(str::to_string))
        .collect();
    assert!(
        titles.iter().any(|t| t == &format!("{FORMULA} {PAYLOAD}")),
        "{titles:?}"
    );
    // The query itself goes into the feed's title and links.
    let q: String = form_urlencoded::byte_serialize(PAYLOAD.as_bytes()).collect();
    let echo = get(&s.app, &format!("/feed.atom?q={q}")).await;
    assert_eq!(echo.status, StatusCode::OK);
    let doc = roxmltree::Document::parse(&echo.body).expect("well-formed with a hostile query");
    assert!(
        !doc.descendants()
            .any(|n| n.has_tag_name("script") || n.has_tag_name("img")),
        "{}",
        echo.body
    );
    println!("HOSTILE security exports-checked=[\"csv\", \"atom\"]");
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[tokio::test]
async fn path_traversal_through_ids_names_and_file_names_is_refused() {
    let s = app();
    let (cookie, csrf) = login(&s.app, USER).await;
    let bearer = format!("Bearer {}", s.token);
    let outside = s.dir.path().to_path_buf();
    std::fs::write(outside.join("secret.pdf"), b"%PDF-1.4 secret").unwrap();
    let before = snapshot(&outside);
    let ids = [
        "..",
        "..%2F..%2FCargo.toml",
        "%2e%2e%2f%2e%2e%2fsecret.pdf",
        "..%5C..%5Csecret.pdf",
        "%2Fetc%2Fpasswd",
        "0123456789abcdef0123456789abcdef%00",
        "0123456789ABCDEF0123456789ABCDEF",
        "0123456789abcdef0123456789abcdef0",
        "ffffffffffffffffffffffffffffffff",
        "%EF%BD%86%EF%BD%86",
    ];
    let names = [
        "..",
        "..%2F..%2Fsecret.pdf",
        "20250101T000000Z--..%2F..%2Fsecret.pdf",
        "20250101T000000Z--..%5C..%5Csecret.pdf",
        "20250101T000000Z--.hidden.pdf",
        "..--secret.pdf",
        "%2Ftmp--secret.pdf",
        "20250101T000000Z--Cargo.toml",
        "20250101T000000Z--x.pdf%00.toml",
    ];
    let mut routes: Vec<(Method, String)> = PUBLIC_ROUTES
        .iter()
        .filter(|(p, _)| p.contains('{'))
        .map(|(p, _)| (Method::GET, p.to_string()))
        .collect();
    routes.extend(
        staff_routes()
            .into_iter()
            .filter(|(_, p)| p.contains('{'))
            .map(|(m, p)| (m, p.to_string())),
    );
    let mut tried = 0;
    for (method, path) in &routes {
        let values: &[&str] = if path.contains("{name}") {
            &names
        } else {
            &ids
        };
        for value in values {
            let uri = path.replace("{id}", value).replace("{name}", value);
            let auth = if uri.starts_with("/api/") {
                ("authorization", bearer.as_str())
            } else {
                ("cookie", cookie.as_str())
            };
            let (content_type, body) = if uri.starts_with("/api/") {
                ("application/json", b"{\"title\":\"x\"}".to_vec())
            } else {
                (FORM, form(&[("csrf", &csrf), ("title", "x")]))
            };
            let answer = send(
                &s.app,
                request(method, &uri, &[auth, ("content-type", content_type)], body),
            )
            .await;
            tried += 1;
            assert!(
                matches!(answer.status.as_u16(), 400 | 404 | 405),
                "{method} {uri} → {}: {}",
                answer.status,
                answer.body
            );
        }
    }

    // Client file names are shown, never used as paths.
    let mut accepted = 0;
    for (n, client_name) in [
        "../../../../secret.pdf",
        "..\\..\\secret.pdf",
        "/etc/passwd",
        "a\u{0}b.pdf",
        ".hidden.pdf",
        "CON.pdf",
        "\u{202E}fdp.exe",
    ]
    .iter()
    .enumerate()
    {
        let bytes = super::server::pdf_with(&super::server::word_for("filnavn", n));
        let answer = send(
            &s.app,
            request(
                &Method::POST,
                "/api/documents",
                &[("authorization", &bearer), ("content-type", MULTIPART)],
                multipart(&[], &[(client_name, &bytes)]),
            ),
        )
        .await;
        tried += 1;
        assert!(
            matches!(answer.status.as_u16(), 201 | 400),
            "{client_name:?} → {}: {}",
            answer.status,
            answer.body
        );
        accepted += usize::from(answer.status == StatusCode::CREATED);
    }
    let after = snapshot(&outside);
    let docs = s.documents();
    for (path, _, _) in after.difference(&before) {
        let new_in_docs = path.parent() == Some(docs.as_path());
        let name = path.file_name().unwrap().to_string_lossy();
        let server_chosen = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        let data = path.starts_with(outside.join("data"));
        assert!(
            (new_in_docs && server_chosen) || data || path.starts_with(outside.join("index")),
            "a file appeared at {}",
            path.display()
        );
    }
    assert_eq!(
        std::fs::read(outside.join("secret.pdf")).unwrap(),
        b"%PDF-1.4 secret"
    );
    println!("HOSTILE security traversal requests={tried} uploads-accepted={accepted} escaped=0");
}

#[tokio::test]
async fn request_bodies_over_the_limits_are_refused() {
    let s = app_with(1 << 20, |_| {});
    let id = s.any_id();
    let (cookie, csrf) = login(&s.app, USER).await;
    let bearer = format!("Bearer {}", s.token);
    let before = snapshot(&s.documents());
    let big_form = {
        let filler = "x".repeat(100 * 1024);
        form(&[("csrf", &csrf), ("title", "Stor"), ("filler", &filler)])
    };
    let big_json =
        serde_json::to_vec(&serde_json::json!({ "title": "y".repeat(100 * 1024) })).unwrap();
    type Case<'a> = (&'a str, Method, String, Vec<(&'a str, &'a str)>, Vec<u8>);
    let cases: Vec<Case> = vec![
        (
            "sign-in",
            Method::POST,
            "/logg-inn".into(),
            vec![("content-type", FORM)],
            big_form.clone(),
        ),
        (
            "sign-out",
            Method::POST,
            "/logg-ut".into(),
            vec![("content-type", FORM), ("cookie", &cookie)],
            big_form.clone(),
        ),
        (
            "edit",
            Method::POST,
            format!("/dokument/{id}/rediger"),
            vec![("content-type", FORM), ("cookie", &cookie)],
            big_form.clone(),
        ),
        (
            "delete",
            Method::POST,
            format!("/dokument/{id}/slett"),
            vec![("content-type", FORM), ("cookie", &cookie)],
            big_form.clone(),
        ),
        (
            "restore",
            Method::POST,
            "/papirkurv/20250101T000000Z--x.pdf/gjenopprett".into(),
            vec![("content-type", FORM), ("cookie", &cookie)],
            big_form.clone(),
        ),
        (
            "api edit",
            Method::PATCH,
            format!("/api/documents/{id}"),
            vec![
                ("content-type", "application/json"),
                ("authorization", &bearer),
            ],
            big_json,
        ),
        (
            "page upload",
            Method::POST,
            "/last-opp".into(),
            vec![("content-type", MULTIPART), ("cookie", &cookie)],
            multipart(
                &[("csrf", &csrf)],
                &[(
                    "stor.pdf",
                    &[b"%PDF-1.4\n".as_slice(), &vec![b' '; 2 << 20]].concat(),
                )],
            ),
        ),
    ];
    for (what, method, uri, headers, body) in cases {
        let answer = send(&s.app, request(&method, &uri, &headers, body)).await;
        assert_eq!(
            answer.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{what}: {}",
            answer.body
        );
    }
    // A streamed upload without a length (chunked, over a real socket) is cut off at the
    // limit as well.
    assert_eq!(chunked_upload(&s.app, &bearer, 3 << 20).await, 413);
    // A long query up to the bound is not an error; past it, a clear 400 (issue 13).
    let search = |q: String| {
        request(
            &Method::GET,
            &format!(
                "/api/search?q={}",
                form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            ),
            &[],
            Vec::new(),
        )
    };
    let at_bound = "vold ".repeat(arkiv::web::params::limits::MAX_QUERY_TERMS);
    assert_eq!(send(&s.app, search(at_bound)).await.status, StatusCode::OK);
    let answer = send(&s.app, search("vold ".repeat(4000))).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.json()["error"].is_string());
    assert_eq!(snapshot(&s.documents()), before);
}

/// Serves the router on loopback and sends a chunked multipart upload of about `size`
/// bytes; returns the status code.
async fn chunked_upload(app: &Router, bearer: &str, size: usize) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(axum::serve(listener, app.clone()).into_future());
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let head = format!(
        "POST /api/documents HTTP/1.1\r\nHost: localhost\r\nAuthorization: {bearer}\r\n\
         Content-Type: {MULTIPART}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut chunks = vec![format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.pdf\"\r\n\r\n%PDF-1.4\n"
    )
    .into_bytes()];
    chunks.extend(std::iter::repeat_n(
        vec![b' '; 64 * 1024],
        size / (64 * 1024),
    ));
    chunks.push(format!("\r\n--{BOUNDARY}--\r\n").into_bytes());
    for chunk in chunks {
        let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
        framed.extend_from_slice(&chunk);
        framed.extend_from_slice(b"\r\n");
        // The server may answer and close before the body ends.
        if stream.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    server.abort();
    let text = String::from_utf8_lossy(&response);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Referrer policies that keep the archive's URLs (which carry searches) to itself.
const REFERRER_POLICIES: &[&str] = &[
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
];

/// Why a response's headers or HTML fall short, if they do.
fn header_problems(answer: &Answer) -> Vec<String> {
    let mut problems = Vec::new();
    let get = |name: &str| {
        answer
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap_or("").to_string())
    };
    match get("content-security-policy") {
        None => problems.push("no Content-Security-Policy".into()),
        Some(csp) => {
            if csp.contains("unsafe-inline") || csp.contains("unsafe-eval") {
                problems.push(format!("CSP allows unsafe code: {csp}"));
            }
            if !csp.contains("frame-ancestors 'none'") {
                problems.push(format!("CSP lets the page be framed: {csp}"));
            }
        }
    }
    if get("x-content-type-options").as_deref() != Some("nosniff") {
        problems.push("no X-Content-Type-Options: nosniff".into());
    }
    if get("x-frame-options").as_deref() != Some("DENY") {
        problems.push("no X-Frame-Options: DENY".into());
    }
    match get("referrer-policy") {
        Some(p) if REFERRER_POLICIES.contains(&p.as_str()) => {}
        other => problems.push(format!("Referrer-Policy {other:?}")),
    }
    if answer.content_type().starts_with("text/html") {
        let body = answer.body.to_lowercase();
        let tag = regex::Regex::new(r"<script\b[^>]*>").unwrap();
        for m in tag.find_iter(&body) {
            // A JSON-LD data block is never run (its type is not a script type), so it is
            // not inline script; its text is escaped for the element (`html::json_script`).
            if !m.as_str().contains("src=") && m.as_str() != "<script type=\"application/ld+json\">"
            {
                problems.push(format!("inline script: {}", m.as_str()));
            }
        }
        let handler = regex::Regex::new(r#"<[a-z][^>]*\son[a-z]+\s*="#).unwrap();
        if let Some(m) = handler.find(&body) {
            problems.push(format!("event handler attribute: {}", m.as_str()));
        }
        for needle in ["<style", " style=\"", "javascript:"] {
            if body.contains(needle) {
                problems.push(format!("inline `{needle}`"));
            }
        }
    }
    problems
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let s = app();
    let id = s.any_id();
    let (cookie, csrf) = login(&s.app, USER).await;
    let get = |uri: String| (Method::GET, uri, Vec::<(&str, String)>::new(), Vec::new());
    let with_cookie = |uri: String| {
        (
            Method::GET,
            uri,
            vec![("cookie", cookie.clone())],
            Vec::new(),
        )
    };
    let mut cases = vec![
        get("/".into()),
        get("/?lang=en".into()),
        get("/sok?q=vold".into()),
        get("/sok?q=%22".into()),
        get("/dokumenter".into()),
        get(format!("/dokument/{id}")),
        get(format!("/dokument/{id}/pdf")),
        get(format!("/dokument/{id}/pdf?download=1")),
        get(format!("/dokument/{id}/cite.bib")),
        get(format!("/dokument/{id}/cite.json")),
        get("/static/arkiv.css".into()),
        get("/api/search?q=vold".into()),
        get("/api/search?year=abc".into()),
        get(format!("/api/documents/{id}")),
        get("/api/documents/nope".into()),
        get("/api/export?q=vold".into()),
        get("/api/export?format=json".into()),
        get("/api/openapi.json".into()),
        get("/api".into()),
        get("/statistikk".into()),
        get("/statistikk/aar.svg".into()),
        get("/statistikk/artikler.svg".into()),
        get("/feed.atom".into()),
        get("/konvensjon/istanbul".into()),
        get("/finnes-ikke".into()),
        get("/logg-inn".into()),
        get("/last-opp".into()),
        with_cookie("/last-opp".into()),
        with_cookie(format!("/dokument/{id}/rediger")),
        with_cookie("/papirkurv".into()),
        with_cookie("/logg".into()),
    ];
    cases.push((
        Method::POST,
        "/logg-inn".into(),
        vec![("content-type", FORM.to_string())],
        form(&[("name", USER), ("password", "feil"), ("csrf", "x")]),
    ));
    cases.push((
        Method::POST,
        "/logg-inn".into(),
        vec![("content-type", FORM.to_string())],
        vec![b'x'; 100 * 1024],
    ));
    cases.push((Method::PUT, "/sok".into(), Vec::new(), Vec::new()));
    cases.push((
        Method::POST,
        "/api/documents".into(),
        Vec::new(),
        Vec::new(),
    ));
    cases.push((
        Method::POST,
        format!("/dokument/{id}/rediger"),
        vec![
            ("cookie", cookie.clone()),
            ("content-type", FORM.to_string()),
        ],
        form(&[("csrf", "feil")]),
    ));
    cases.push((
        Method::POST,
        format!("/dokument/{id}/rediger"),
        vec![
            ("cookie", cookie.clone()),
            ("content-type", FORM.to_string()),
        ],
        form(&[("csrf", &csrf), ("date", "i går")]),
    ));
    let mut failures = Vec::new();
    let mut statuses = BTreeSet::new();
    for (method, uri, headers, body) in &cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = send(&s.app, request(method, uri, &headers, body.clone())).await;
        statuses.insert(answer.status.as_u16());
        assert!(
            !answer.status.is_server_error(),
            "{method} {uri}: {}",
            answer.status
        );
        for problem in header_problems(&answer) {
            failures.push(format!("{method} {uri} ({}): {problem}", answer.status));
        }
    }
    println!(
        "HOSTILE security headers responses={} statuses={statuses:?} problems={}",
        cases.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
