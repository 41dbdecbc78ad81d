//! Alerts by e-mail, end to end against a real SMTP server on loopback (aiosmtpd, started
//! from `support/smtp_sink.py`): sign up by the API and by the search page's form, confirm
//! by the link in the message received, upload documents and read what arrives, stop an
//! alert, manage and delete an address, and the limits on sign-ups.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arkiv::alerts::{AlertStore, Clock};
use arkiv::index::ArchiveIndex;
use arkiv::library::Library;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};

use crate::support::{self, Answer, programs, send};

/// The SMTP server of a test; killed when dropped.
struct Sink {
    child: std::process::Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Sink {
    /// Starts the server, or `None` (the test is skipped) without aiosmtpd.
    fn start() -> Option<Sink> {
        use std::io::BufRead;
        let [python] = programs::require([programs::AIOSMTPD])?;
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/support/smtp_sink.py");
        let mut child = std::process::Command::new(python)
            .arg(script)
            .arg(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("port ")
            .unwrap_or_else(|| panic!("the SMTP server said {line:?}"))
            .parse()
            .unwrap();
        Some(Sink { child, dir, port })
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, oldest first.
    fn messages(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names.iter().map(|p| Received::read(p)).collect()
    }

    /// The messages to `to`, waiting until there are at least `n` (at most 30 s).
    fn wait_for(&self, to: &str, n: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got: Vec<Received> = self.messages().into_iter().filter(|m| m.to == to).collect();
            if got.len() >= n {
                return got;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{to} got {} messages, not {n}: {:?}",
                got.len(),
                got.iter().map(|m| &m.subject).collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// How many messages `to` has now.
    fn count(&self, to: &str) -> usize {
        self.messages().iter().filter(|m| m.to == to).count()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One message as received, decoded.
#[derive(Debug, Clone)]
struct Received {
    to: String,
    subject: String,
    list_unsubscribe: String,
    text: String,
    html: String,
    /// When the server wrote it down.
    received_ns: u128,
}

impl Received {
    fn read(path: &Path) -> Received {
        use mailparse::MailHeaderMap;
        let raw = std::fs::read(path).unwrap();
        let mail = mailparse::parse_mail(&raw).unwrap();
        let header = |name: &str| mail.headers.get_first_value(name).unwrap_or_default();
        let mut text = String::new();
        let mut html = String::new();
        for part in mail.subparts.iter().chain(std::iter::once(&mail)) {
            match part.ctype.mimetype.as_str() {
                "text/plain" => text = part.get_body().unwrap(),
                "text/html" => html = part.get_body().unwrap(),
                _ => {}
            }
        }
        Received {
            to: header("To"),
            subject: header("Subject"),
            list_unsubscribe: header("List-Unsubscribe"),
            text,
            html,
            received_ns: header("X-Received-Ns").parse().unwrap(),
        }
    }

    /// The path and query of the first link in the text that starts with `prefix`
    /// (`http://localhost/varsler/bekreft`).
    fn link(&self, path: &str) -> String {
        let marker = format!("http://localhost{path}?token=");
        let start = self
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("no {path} link in {}", self.text));
        let rest = &self.text[start + "http://localhost".len()..];
        rest.split_whitespace().next().unwrap().to_string()
    }
}

/// A clock the test sets.
struct ManualClock(Mutex<DateTime<Utc>>);

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

impl ManualClock {
    fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap() = t;
    }
}

/// The sample archive with staff and alerts, its sender running.
struct App {
    dir: tempfile::TempDir,
    app: axum::Router,
    state: arkiv::web::AppState,
    token: String,
}

impl App {
    fn data(&self) -> arkiv::accounts::DataDir {
        arkiv::accounts::DataDir::open(self.dir.path().join("data")).unwrap()
    }
}

/// Builds the app; `smtp` None leaves alerts off.
fn app(smtp: Option<&str>, clock: Arc<dyn Clock>) -> App {
    use arkiv::accounts::{Accounts, DataDir};
    use arkiv::web::staff::Staff;
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    support::copy_samples(&docs);
    let data = DataDir::open(dir.path().join("data")).unwrap();
    let mut accounts = Accounts::default();
    accounts.add(support::USER, support::PASSWORD).unwrap();
    let token = accounts.new_token(support::USER).unwrap();
    accounts.save(&data).unwrap();
    let index = ArchiveIndex::open_or_create(&dir.path().join("index")).unwrap();
    let library = Library::new(&docs);
    let mut writer = index.writer().unwrap();
    arkiv::ingest::ingest_with(&library, &index, &mut writer, &support::ingest_options()).unwrap();
    let store = AlertStore::open(&data).unwrap();
    let staff = Staff::new(
        data,
        writer,
        support::extract_config(),
        10 * 1024 * 1024,
        false,
    );
    let mut state = arkiv::web::AppState::new(index, library, "http://localhost").with_staff(staff);
    if let Some(url) = smtp {
        let mailer =
            arkiv::alerts::mail::Mailer::new(url, "arkiv <noreply@arkiv.example>").unwrap();
        state = state.with_alerts(arkiv::web::alerts::Alerts::new(store, mailer, clock));
        tokio::spawn(arkiv::web::alerts::sender(state.clone()));
    }
    App {
        app: arkiv::web::router(state.clone()),
        dir,
        state,
        token,
    }
}

fn system_clock() -> Arc<dyn Clock> {
    Arc::new(arkiv::alerts::SystemClock)
}

async fn api_alert(app: &App, body: serde_json::Value) -> Answer {
    send(
        &app.app,
        Request::post("/api/alerts")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

/// A form posted from the archive's own page.
async fn post_form(app: &App, path: &str, body: &str) -> Answer {
    send(
        &app.app,
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

/// Follows a confirmation or unsubscribe link as a person does: the page, then its button.
async fn follow(app: &App, link: &str) -> Answer {
    let page = support::get(&app.app, link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let action = link.split('?').next().unwrap();
    let token = page.hidden("token");
    post_form(app, action, &format!("token={token}")).await
}

const BOUNDARY: &str = "arkivvarselgrense";

/// Uploads a one-page PDF with `text` and the title `title` through the API.
async fn upload(app: &App, title: &str, text: &str) -> Answer {
    let dir = tempfile::tempdir().unwrap();
    let path = support::write_pdf(dir.path(), "x.pdf", None, &[text]);
    let bytes = std::fs::read(path).unwrap();
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n{title}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let answer = send(
        &app.app,
        Request::post("/api/documents")
            .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer
}

fn now_ns() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_and_form_sign_ups_confirm_then_new_matching_documents_arrive_by_mail() {
    let Some(sink) = Sink::start() else { return };
    let app = app(Some(&sink.url()), system_clock());

    // By the API: 202, and a confirmation message with the link and List-Unsubscribe.
    let anne = "anne@example.org";
    let answer = api_alert(
        &app,
        serde_json::json!({"email": anne, "search": {"q": "fiskeoppdrett"}, "frequency": "immediate"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
    let confirmation = sink.wait_for(anne, 1).remove(0);
    assert!(
        confirmation.subject.contains("Bekreft"),
        "{}",
        confirmation.subject
    );
    assert!(
        confirmation
            .list_unsubscribe
            .starts_with("<http://localhost/varsler/avmeld?token="),
        "{}",
        confirmation.list_unsubscribe
    );
    assert!(confirmation.text.find("Bekreft") < confirmation.text.find("Confirm"));
    assert!(confirmation.text.contains("fiskeoppdrett"));

    // Nothing is sent for an alert not yet confirmed.
    upload(
        &app,
        "Før bekreftelsen",
        "Et brev om fiskeoppdrett før bekreftelsen.",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.count(anne), 1, "an unconfirmed alert sent a message");

    let link = confirmation.link("/varsler/bekreft");
    let confirmed = follow(&app, &link).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert!(confirmed.body.contains("bekreftet"), "{}", confirmed.body);

    // By the search page's form: the form is there, with the search in hidden fields.
    let page = support::get(&app.app, "/sok?q=fiskeoppdrett&convention=istanbul").await;
    assert!(
        page.body.contains("action=\"/varsler/ny\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("name=\"q\" value=\"fiskeoppdrett\""));
    let bob = "bob@example.org";
    let posted = post_form(
        &app,
        "/varsler/ny",
        "q=fiskeoppdrett&email=bob%40example.org&frequency=immediate",
    )
    .await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    let bob_confirmation = sink.wait_for(bob, 1).remove(0);
    let confirmed = follow(&app, &bob_confirmation.link("/varsler/bekreft")).await;
    assert_eq!(confirmed.status, StatusCode::OK);

    // A document that does not match sends nothing; one that matches is in the next
    // message, escaped, and the one that did not match is not.
    upload(&app, "Om kantareller", "Et brev om kantareller og sopp.").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        sink.count(anne),
        1,
        "a document that does not match sent a message"
    );
    let hostile = "<script>alert(1)</script> Fiskeoppdrett & <b>laks</b>";
    upload(&app, hostile, "Høringssvar om fiskeoppdrett langs kysten.").await;
    let digest = sink.wait_for(anne, 2).remove(1);
    assert!(
        digest.subject.contains("Nye dokumenter"),
        "{}",
        digest.subject
    );
    assert!(!digest.html.contains("<script>"), "{}", digest.html);
    assert!(!digest.html.contains("<b>laks"), "{}", digest.html);
    assert!(
        digest
            .html
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || digest
                .html
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        digest.html
    );
    assert!(digest.text.contains(hostile), "{}", digest.text);
    assert!(!digest.text.contains("kantarell"), "{}", digest.text);
    assert!(!digest.html.contains("kantarell"));
    assert!(digest.list_unsubscribe.contains("/varsler/avmeld?token="));
    assert!(digest.text.contains("/varsler?token="), "{}", digest.text);
    sink.wait_for(bob, 2);

    // The time from an upload to the e-mail of an immediate alert, over several uploads.
    // Measured from the upload's request (extraction and commit included) and from its
    // answer (matching and sending only).
    let (mut from_request, mut from_answer) = (Vec::new(), Vec::new());
    for n in 0..7 {
        let before = sink.count(anne);
        let started = now_ns();
        upload(
            &app,
            &format!("Måling {n}"),
            &format!("Fiskeoppdrett i fjord nummer {n} og merd {}", n * 7 + 3),
        )
        .await;
        let answered = now_ns();
        let got = sink.wait_for(anne, before + 1);
        let message = got.last().unwrap();
        assert!(
            message.text.contains(&format!("Måling {n}")),
            "{}",
            message.text
        );
        from_request.push((message.received_ns - started) as f64 / 1e6);
        from_answer.push(message.received_ns.saturating_sub(answered) as f64 / 1e6);
    }
    for (what, times) in [("request", &mut from_request), ("answer", &mut from_answer)] {
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        eprintln!(
            "upload {what} → e-mail received (immediate alert), ms: median {:.0}, all {:?}",
            times[times.len() / 2],
            times.iter().map(|t| t.round()).collect::<Vec<_>>()
        );
    }

    // Unsubscribe by the link of a message: anne gets no more, bob still does.
    let stopped = follow(&app, &digest.link("/varsler/avmeld")).await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.body);
    let anne_had = sink.count(anne);
    let bob_had = sink.count(bob);
    upload(&app, "Etter avmelding", "Fiskeoppdrett etter avmeldingen.").await;
    sink.wait_for(bob, bob_had + 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sink.count(anne),
        anne_had,
        "an unsubscribed address got mail"
    );
    // The address with no alert left is gone from the store.
    let store = AlertStore::open(&app.data()).unwrap();
    assert!(!store.knows_address(anne));
    assert!(store.knows_address(bob), "a restart lost a confirmed alert");
    assert!(store.all().iter().all(|a| a.confirmed.is_some()));

    // Bob's page, by the link in his messages: his alert, then the address deleted.
    let bob_mail = sink.wait_for(bob, 1).pop().unwrap();
    let manage = bob_mail.link("/varsler");
    let page = support::get(&app.app, &manage).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("bob@example.org"), "{}", page.body);
    assert!(page.body.contains("fiskeoppdrett"));
    let token = page.hidden("token");
    let forgotten = post_form(&app, "/varsler/endre", &format!("token={token}&forget=1")).await;
    assert_eq!(forgotten.status, StatusCode::OK, "{}", forgotten.body);
    let stored = std::fs::read_to_string(app.data().root().join("alerts.json")).unwrap();
    assert!(!stored.contains("bob@example.org"), "{stored}");
    let after = support::get(&app.app, &manage).await;
    assert!(!after.body.contains("bob@"), "{}", after.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daily_digest_waits_for_its_hour() {
    let Some(sink) = Sink::start() else { return };
    let clock = Arc::new(ManualClock(Mutex::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 4, 0, 0).unwrap(),
    )));
    let app = app(Some(&sink.url()), clock.clone());
    let carl = "carl@example.org";
    let answer = api_alert(
        &app,
        serde_json::json!({"email": carl, "search": {"q": "reindrift"}, "frequency": "daily"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
    let confirmation = sink.wait_for(carl, 1).remove(0);
    follow(&app, &confirmation.link("/varsler/bekreft")).await;

    upload(&app, "Reindrift i nord", "Et høringssvar om reindrift.").await;
    upload(
        &app,
        "Reindrift i sør",
        "Enda et høringssvar om reindrift og beite.",
    )
    .await;
    clock.set(Utc.with_ymd_and_hms(2026, 3, 2, 5, 59, 0).unwrap());
    app.state.alerts.as_ref().unwrap().wake();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.count(carl), 1, "the digest came before its hour");

    clock.set(Utc.with_ymd_and_hms(2026, 3, 2, 6, 1, 0).unwrap());
    app.state.alerts.as_ref().unwrap().wake();
    let digest = sink.wait_for(carl, 2).remove(1);
    assert!(digest.text.contains("Reindrift i nord"), "{}", digest.text);
    assert!(digest.text.contains("Reindrift i sør"), "{}", digest.text);
    assert!(digest.subject.contains("reindrift"));

    // Once a day: another document waits for tomorrow's hour.
    upload(&app, "Reindrift igjen", "Reindrift, tredje brev.").await;
    clock.set(Utc.with_ymd_and_hms(2026, 3, 2, 18, 0, 0).unwrap());
    app.state.alerts.as_ref().unwrap().wake();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.count(carl), 2, "a second digest the same day");
    clock.set(Utc.with_ymd_and_hms(2026, 3, 3, 6, 0, 0).unwrap());
    app.state.alerts.as_ref().unwrap().wake();
    let next = sink.wait_for(carl, 3).remove(2);
    assert!(next.text.contains("Reindrift igjen"));
    assert!(!next.text.contains("Reindrift i nord"));

    // One-click unsubscribe (RFC 8058), as a mail program does it from the header.
    let url = next
        .list_unsubscribe
        .trim_start_matches("<http://localhost")
        .trim_end_matches('>')
        .to_string();
    let one_click = send(
        &app.app,
        Request::post(url.as_str())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("List-Unsubscribe=One-Click"))
            .unwrap(),
    )
    .await;
    assert_eq!(
        one_click.status,
        StatusCode::OK,
        "{url}: {}",
        one_click.body
    );
    assert!(!app.state.alerts.as_ref().unwrap().store.knows_address(carl));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_addresses_floods_and_foreign_forms_are_refused() {
    let Some(sink) = Sink::start() else { return };
    let app = app(Some(&sink.url()), system_clock());

    // Addresses that are not one address.
    for bad in [
        "",
        "not-an-address",
        "a@b",
        "anne@example.org\r\nBcc: victim@example.org",
        "Anne <anne@example.org>",
        "anne@example.org, bob@example.org",
        &format!("{}@example.org", "a".repeat(300)),
    ] {
        let answer = api_alert(
            &app,
            serde_json::json!({"email": bad, "search": {"q": "x"}}),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{bad:?}: {}",
            answer.body
        );
    }
    let form = post_form(&app, "/varsler/ny", "q=x&email=not-an-address").await;
    assert_eq!(form.status, StatusCode::BAD_REQUEST);

    // Bad requests otherwise.
    for body in [
        serde_json::json!({"email": "d@example.org", "search": {"convention": "nope"}}),
        serde_json::json!({"email": "d@example.org", "frequency": "hourly"}),
        serde_json::json!({"email": "d@example.org", "cc": "e@example.org"}),
        serde_json::json!({"email": "d@example.org", "search": "q=x"}),
        serde_json::json!({"email": "d@example.org", "search": {"q": "x".repeat(600)}}),
    ] {
        let answer = api_alert(&app, body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            answer.body
        );
    }

    // A form from another site is refused.
    let foreign = send(
        &app.app,
        Request::post("/varsler/ny")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(Body::from("q=x&email=victim%40example.org"))
            .unwrap(),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let foreign = send(
        &app.app,
        Request::post("/varsler/ny")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "https://evil.example")
            .body(Body::from("q=x&email=victim%40example.org"))
            .unwrap(),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    // Every other form of the alerts is refused from another site too.
    for path in [
        "/varsler/bekreft",
        "/varsler/avmeld",
        "/varsler/endre",
        "/varsler/lenke",
    ] {
        let foreign = send(
            &app.app,
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "cross-site")
                .body(Body::from("token=x&email=victim%40example.org&forget=1"))
                .unwrap(),
        )
        .await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN, "{path}");
    }

    // A flood for one address: the first three sign-ups (three messages), then 429.
    let victim = "victim@example.org";
    for n in 0..3 {
        let answer = api_alert(
            &app,
            serde_json::json!({"email": victim, "search": {"q": format!("ord{n}")}}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
    }
    let flooded = api_alert(
        &app,
        serde_json::json!({"email": victim, "search": {"q": "ord9"}}),
    )
    .await;
    assert_eq!(
        flooded.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        flooded.body
    );
    assert_eq!(flooded.header(header::RETRY_AFTER), "3600");
    sink.wait_for(victim, 3);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.count(victim), 3, "the flood reached the address");

    // A flood from one client with many addresses: ten sign-ups in all (three above),
    // then 429, by the API and the form alike.
    for n in 0..7 {
        let answer = api_alert(
            &app,
            serde_json::json!({"email": format!("p{n}@example.org"), "search": {"q": "x"}}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{n}: {}", answer.body);
    }
    let flooded = api_alert(
        &app,
        serde_json::json!({"email": "p99@example.org", "search": {"q": "x"}}),
    )
    .await;
    assert_eq!(flooded.status, StatusCode::TOO_MANY_REQUESTS);
    let form = post_form(&app, "/varsler/ny", "q=x&email=p98%40example.org").await;
    assert_eq!(form.status, StatusCode::TOO_MANY_REQUESTS, "{}", form.body);
    assert!(sink.count("p99@example.org") == 0 && sink.count("p98@example.org") == 0);

    // Unknown links.
    let unknown = support::get(&app.app, "/varsler/bekreft?token=0123").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let unknown = post_form(&app, "/varsler/avmeld", "token=0123").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let no_token = support::get(&app.app, "/varsler").await;
    assert_eq!(no_token.status, StatusCode::OK);
    assert!(no_token.body.contains("action=\"/varsler/lenke\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_that_bounces_is_removed() {
    let Some(sink) = Sink::start() else { return };
    let app = app(Some(&sink.url()), system_clock());
    let gone = "nobody@bounce.example";
    let answer = api_alert(
        &app,
        serde_json::json!({"email": gone, "search": {"q": "x"}}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);
    let alerts = app.state.alerts.clone().unwrap();
    let started = Instant::now();
    while alerts.store.all().iter().all(|a| a.bounces == 0) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the refusal was not seen"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for _ in 0..arkiv::alerts::MAX_BOUNCES {
        alerts.store.bounced(gone).unwrap();
    }
    assert!(!alerts.store.knows_address(gone));
    assert_eq!(sink.count(gone), 0);
}

#[tokio::test]
async fn without_an_smtp_server_the_form_says_alerts_are_off() {
    let app = app(None, system_clock());
    let page = support::get(&app.app, "/sok?q=vold").await;
    assert!(
        page.body.contains("id=\"alert-unavailable\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("action=\"/varsler/ny\""));
    let answer = api_alert(
        &app,
        serde_json::json!({"email": "a@example.org", "search": {"q": "x"}}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    let form = post_form(&app, "/varsler/ny", "q=x&email=a%40example.org").await;
    assert_eq!(form.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_openapi_document_describes_post_api_alerts() {
    let app = app(None, system_clock());
    let doc = support::get(&app.app, "/api/openapi.json").await.json();
    let op = &doc["paths"]["/api/alerts"]["post"];
    for status in ["202", "400", "404", "429", "503"] {
        assert!(op["responses"][status].is_object(), "no {status}: {op}");
    }
    assert!(op.get("security").is_none(), "alerts need no token: {op}");
    let body = &doc["components"]["schemas"]["AlertCreate"];
    assert_eq!(body["required"], serde_json::json!(["email"]), "{body}");
    assert!(body["properties"]["search"].is_object());
    assert!(body["properties"]["frequency"].is_object());
    // The answer of a bad request is the documented error body.
    let bad = api_alert(&app, serde_json::json!({"email": "nope"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"].is_string());
}

/// One request to a running server over a fresh connection: (status, body).
fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = String::new();
        let mut rest = rest;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            out.push_str(&after[..size]);
            rest = &after[size + 2..];
        }
        out
    } else {
        rest.to_string()
    };
    (status, body)
}

/// `arkiv serve --smtp-url`: a confirmed alert survives a SIGKILL, and what the next start
/// ingests and what is uploaded after it both reach the subscriber.
#[test]
fn serve_with_smtp_url_keeps_confirmed_alerts_across_a_kill() {
    let Some(sink) = Sink::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    let index = dir.path().join("index");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&docs).unwrap();
    support::write_pdf(&docs, "a.pdf", None, &["Et brev om havbruk og merder."]);
    let token = support::staff_token(&data);
    let smtp = sink.url();
    let args = [
        "--smtp-url",
        smtp.as_str(),
        "--public-url",
        "http://localhost",
    ];
    let mut server = support::Server::start_with(
        &docs,
        &index,
        &data,
        support::ServerLimits::Unlimited,
        &args,
    );

    let dora = "dora@example.org";
    let body = serde_json::json!({"email": dora, "search": {"q": "tareskog"}}).to_string();
    let (status, answer) = http(
        server.addr,
        "POST",
        "/api/alerts",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(status, 202, "{answer}");
    let link = sink.wait_for(dora, 1).remove(0).link("/varsler/bekreft");
    let token_value = link.split("token=").nth(1).unwrap();
    let (status, page) = http(
        server.addr,
        "POST",
        "/varsler/bekreft",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("token={token_value}").as_bytes(),
    );
    assert_eq!(status, 200, "{page}");
    server.kill();

    // A document put in the folder while the server was down is ingested at the start.
    support::write_pdf(
        &docs,
        "b.pdf",
        None,
        &["Høringssvar om tareskog og kråkeboller."],
    );
    let server = support::Server::start_with(
        &docs,
        &index,
        &data,
        support::ServerLimits::Unlimited,
        &args,
    );
    let ingested = sink.wait_for(dora, 2).remove(1);
    assert!(ingested.text.contains("tareskog"), "{}", ingested.text);

    // And an upload.
    let pdf_dir = tempfile::tempdir().unwrap();
    let pdf = std::fs::read(support::write_pdf(
        pdf_dir.path(),
        "c.pdf",
        None,
        &["Tareskog i nord, tredje brev."],
    ))
    .unwrap();
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nTareskog i nord\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&pdf);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let auth = format!("Bearer {token}");
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let (status, answer) = http(
        server.addr,
        "POST",
        "/api/documents",
        &[("Authorization", &auth), ("Content-Type", &content_type)],
        &body,
    );
    assert_eq!(status, 201, "{answer}");
    let uploaded = sink.wait_for(dora, 3).remove(2);
    assert!(
        uploaded.text.contains("Tareskog i nord"),
        "{}",
        uploaded.text
    );
    assert!(
        !uploaded.text.contains("kråkeboller"),
        "sent twice: {}",
        uploaded.text
    );
}
