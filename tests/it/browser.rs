//! A real-browser end-to-end test of the web UI: it serves a temporary copy of the sample
//! archive with the `arkiv serve` binary, drives headless Chromium through ChromeDriver with
//! `fantoccini`, and walks the main path a reader takes: front page, a search, the Istanbul
//! Convention facet, a document page with highlighted terms and its citation, the PDF behind
//! it (fetched with plain HTTP, since headless Chromium may download rather than show a
//! PDF), the switch to English, the statistics page and a convention page; then, signed in
//! as staff, it uploads a PDF and clears the inbox, correcting one arrival in the editor and
//! confirming the other with the inbox's button. It saves a PNG screenshot of each step in
//! `target/screenshots/`. On every page, at desktop width and at a phone's 390 px, it runs
//! axe-core (vendored in `vendor/axe-core/`, WCAG 2.1 A and AA rules) and fails on any
//! violation, and checks that nothing scrolls sideways; it counts
//! the Tab presses to the first result, checks that the filters can be reached on a phone,
//! that the charts' text is readable, that facet numbers match the hits a click gives, and
//! `lang` on text in the other language. It needs `chromium` and `chromedriver` (Debian's
//! `chromium` and `chromium-driver` packages) and is skipped without them.

use std::future::Future;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::support::programs;
use crate::support::{Server, arkiv_bin, copy_samples, write_pdf};

/// How long the server (ingesting the samples) and ChromeDriver may take to start.
const STARTUP: Duration = Duration::from_secs(60);
/// How long one page may take to show what a step waits for.
const STEP: Duration = Duration::from_secs(15);
/// The whole browser session, start to finish (axe runs on every page at two widths).
const SESSION: Duration = Duration::from_secs(420);
/// The desktop and phone window sizes every page is checked at.
const DESKTOP: (u32, u32) = (1280, 1000);
const PHONE: (u32, u32) = (390, 844);
/// axe-core 4.14.1 from npm (MPL-2.0; see `vendor/axe-core/`).
const AXE: &str = include_str!("vendor/axe-core/axe.min.js");
/// The smallest text a chart may show, in CSS pixels.
const MIN_CHART_TEXT_PX: f64 = 12.0;
const QUERY: &str = "voldsutsatte";
const ISTANBUL: &str = "Istanbulkonvensjonen";
const STAFF_USER: &str = "nettleser";
const STAFF_PASSWORD: &str = "lang-og-trygg-passordfrase";
/// A word only the uploaded PDF has.
const UPLOAD_WORD: &str = "nettleseropplasting";
/// A word only the PDF ingested without a sidecar has.
const INBOX_WORD: &str = "nettleserinnboks";
/// The title staff give that PDF from the inbox.
const CORRECTED_TITLE: &str = "Brev om nettleserinnboks, rettet fra innboksen";

/// Child processes the test started; dropping it ends them, also when the test fails, and
/// then prints the tail of their logs to help with the diagnosis.
struct Processes {
    children: Vec<(&'static str, Child, PathBuf)>,
}

impl Processes {
    /// Starts `command` with stdout and stderr going to `log`.
    fn spawn(&mut self, name: &'static str, mut command: Command, log: PathBuf) -> &mut Child {
        let out = std::fs::File::create(&log).unwrap();
        let err = out.try_clone().unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({command:?}): {e}"));
        self.children.push((name, child, log));
        &mut self.children.last_mut().unwrap().1
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        for (name, child, log) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
            if std::thread::panicking() {
                let text = std::fs::read_to_string(&*log).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(30).collect();
                eprintln!("--- last lines of the {name} log ---");
                for line in tail.iter().rev() {
                    eprintln!("{line}");
                }
            }
        }
    }
}

/// A response read by [`http_get`].
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A plain HTTP/1.1 GET with `Connection: close` (ChromeDriver refuses HTTP/1.0).
fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    // Read up to the end of the headers.
    let mut raw = Vec::new();
    let mut buf = [0; 8192];
    let end = loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(invalid("no end of headers"));
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid("no status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    // Then the body: by its length when given (ChromeDriver keeps the connection open even
    // after `Connection: close`), else to the end of the stream.
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let mut body = raw.split_off(end + 4);
    match length {
        Some(length) => {
            while body.len() < length {
                let n = stream.read(&mut buf)?;
                if n == 0 {
                    return Err(invalid("body shorter than its content-length"));
                }
                body.extend_from_slice(&buf[..n]);
            }
            body.truncate(length);
        }
        None => {
            stream.read_to_end(&mut body)?;
        }
    }
    let mut response = Response {
        status,
        headers,
        body,
    };
    if response
        .header("transfer-encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    {
        response.body = dechunk(&response.body).ok_or_else(|| invalid("bad chunked body"))?;
    }
    Ok(response)
}

/// Decodes a `Transfer-Encoding: chunked` body.
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&raw[..line_end]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

/// The address ChromeDriver listens on, from the line it prints once it has bound the port
/// it was given ("ChromeDriver was started successfully on port 40123.").
fn chromedriver_addr(child: &mut Child, log: &Path) -> SocketAddr {
    let deadline = Instant::now() + STARTUP;
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let port = text
            .split("started successfully on port ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|digits| digits.parse::<u16>().ok());
        if let Some(port) = port {
            return SocketAddr::from(([127, 0, 0, 1], port));
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("chromedriver exited before it said its port: {status}\n{text}");
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not say its port within {STARTUP:?}:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Polls `GET path` until it answers 200, for at most [`STARTUP`]; fails early if `child`
/// exits.
fn wait_for_http(name: &str, child: &mut Child, addr: SocketAddr, path: &str) {
    let deadline = Instant::now() + STARTUP;
    loop {
        if let Ok(r) = http_get(addr, path)
            && r.status == 200
        {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{name} exited before it answered on {addr}: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "{name} did not answer 200 on http://{addr}{path} within {STARTUP:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Polls `probe` every 100 ms until it gives a value, for at most [`STEP`].
async fn wait_until<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + STEP;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {STEP:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for an element matching `css` on the current page.
async fn wait_for(client: &Client, css: &str) -> Element {
    wait_until(&format!("an element matching `{css}`"), || async {
        client.find(Locator::Css(css)).await.ok()
    })
    .await
}

/// Saves a PNG screenshot of the window as `target/screenshots/{name}.png` and checks it.
async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.png"));
    let png = client.screenshot().await.unwrap();
    std::fs::write(&path, &png).unwrap();
    let written = std::fs::metadata(&path).unwrap().len();
    assert!(written > 0, "{} is empty", path.display());
    assert!(
        png.starts_with(b"\x89PNG"),
        "{} is not a PNG",
        path.display()
    );
    path
}

/// The integer in the `#total` hit count.
async fn total(client: &Client) -> u64 {
    let text = wait_for(client, "#total").await.text().await.unwrap();
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("#total is not a number: {text:?}"))
}

/// The path (and query) of `url`, also when it is absolute.
fn path_of(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn search_filter_read_and_switch_language_in_chromium() {
    let Some([chromium, chromedriver]) = programs::require(["chromium", "chromedriver"]) else {
        return;
    };
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let documents = tmp.path().join("documents");
    copy_samples(&documents);
    // A letter ingested without a sidecar: it waits in the inbox, where staff correct it.
    write_pdf(
        &documents,
        "2025-09-03-innkommet.pdf",
        None,
        &[&format!(
            "Brev om {INBOX_WORD}\n\nBergen, 3. september 2025\n\nVi viser til kvinnekonvensjonen artikkel 5."
        )],
    );
    let mut processes = Processes {
        children: Vec::new(),
    };

    // A staff account for the upload step, made the way staff make one.
    let data = tmp.path().join("data");
    let mut add = Command::new(arkiv_bin())
        .args(["user", "add", STAFF_USER, "--password-stdin", "--data"])
        .arg(&data)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{STAFF_PASSWORD}").unwrap();
    assert!(add.wait().unwrap().success(), "arkiv user add failed");
    let upload = write_pdf(
        tmp.path(),
        "opplasting.pdf",
        None,
        &[&format!(
            "Høringssvar om {UPLOAD_WORD}\n\nOslo, 1. oktober 2025\n\nVi viser til barnekonvensjonen artikkel 12."
        )],
    );

    // The server and ChromeDriver both bind port 0 and say which port they got.
    let server = Server::start(&documents, &tmp.path().join("index"), &data);
    let server_addr = server.addr;

    let mut driver = Command::new(&chromedriver);
    driver.arg("--port=0");
    let log = tmp.path().join("chromedriver.log");
    let child = processes.spawn("chromedriver", driver, log.clone());
    let driver_addr = chromedriver_addr(child, &log);
    wait_for_http("chromedriver", child, driver_addr, "/status");
    let profile = tmp.path().join("chromium-profile");
    let capabilities = json!({
        "browserName": "chrome",
        "timeouts": { "pageLoad": 20_000, "script": 60_000, "implicit": 0 },
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!("json! of an object literal is an object")
    };
    let client = tokio::time::timeout(
        STARTUP,
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://{driver_addr}")),
    )
    .await
    .expect("chromedriver did not open a session in time")
    .expect("chromedriver opens a Chromium session");

    // The walk runs in its own task so that a failed assertion still lets us close the
    // browser (ChromeDriver would leave it running if it were merely killed).
    let walker = client.clone();
    let mut task = tokio::spawn(async move { walk(&walker, server_addr, &upload).await });
    let outcome = tokio::time::timeout(SESSION, &mut task).await;
    if outcome.is_err() {
        task.abort();
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
    let shots = match outcome {
        Ok(Ok(shots)) => shots,
        Ok(Err(failed)) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
        Ok(Err(failed)) => panic!("the browser session was cancelled: {failed}"),
        Err(_) => panic!("the browser session took over {SESSION:?}"),
    };
    drop(processes);
    drop(server);
    eprintln!(
        "browser test done in {:.1} s; screenshots: {}",
        started.elapsed().as_secs_f64(),
        shots
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// Sets the window so that the page's viewport is `size` wide, and checks that it is.
async fn set_width(client: &Client, size: (u32, u32)) {
    client.set_window_size(size.0, size.1).await.unwrap();
    let inner = client
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(0);
    if inner != u64::from(size.0) {
        // The window has borders in some modes: make up the difference once.
        let outer = size.0 + (size.0 - inner.min(u64::from(size.0)) as u32);
        client.set_window_size(outer, size.1).await.unwrap();
    }
    let inner = client
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap();
    assert_eq!(
        inner.as_u64(),
        Some(u64::from(size.0)),
        "the viewport width"
    );
}

/// axe-core's violations of the WCAG 2.1 A and AA rules on the current page, one line
/// each (rule, impact, the first few elements).
async fn axe_violations(client: &Client) -> Vec<String> {
    let loaded = client
        .execute(&format!("{AXE}\n;return typeof axe;"), vec![])
        .await
        .unwrap();
    assert_eq!(loaded.as_str(), Some("object"), "axe-core did not load");
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
               .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
                   + v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(', '))),
                     e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    result
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// How far the page scrolls sideways (0 when it does not), and the widest elements that
/// stick out, to say what to fix.
async fn sideways_scroll(client: &Client) -> (i64, String) {
    let found = client
        .execute(
            "const w = document.documentElement.clientWidth;
             const over = document.documentElement.scrollWidth - w;
             const culprits = [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > w + 1)
               .slice(0, 5)
               .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''));
             return [over, culprits.join(', ')];",
            vec![],
        )
        .await
        .unwrap();
    (
        found[0].as_i64().unwrap_or(0),
        found[1].as_str().unwrap_or_default().to_string(),
    )
}

/// The smallest text of the page's charts as drawn, in CSS pixels (none without charts).
async fn smallest_chart_text(client: &Client) -> Option<f64> {
    client
        .execute(
            "const sizes = [...document.querySelectorAll('svg.chart text')].map(t => {
               const m = t.getScreenCTM();
               return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
             });
             return sizes.length ? Math.min(...sizes) : null;",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
}

/// Every page in `paths`, at both widths: no axe violation, no sideways scrolling, chart
/// text readable. Saves a phone screenshot of each. Leaves the window at desktop width.
async fn sweep(client: &Client, base: &str, paths: &[(&str, String)]) -> Vec<PathBuf> {
    let mut problems = Vec::new();
    let mut shots = Vec::new();
    for (width_name, size) in [("desktop", DESKTOP), ("phone", PHONE)] {
        set_width(client, size).await;
        for (name, path) in paths {
            client.goto(&format!("{base}{path}")).await.unwrap();
            wait_for(client, "footer.site").await;
            for v in axe_violations(client).await {
                problems.push(format!("{width_name} {path}: {v}"));
            }
            let (over, culprits) = sideways_scroll(client).await;
            if over > 0 {
                problems.push(format!(
                    "{width_name} {path}: scrolls {over} px sideways ({culprits})"
                ));
            }
            if let Some(px) = smallest_chart_text(client).await
                && px < MIN_CHART_TEXT_PX
            {
                problems.push(format!("{width_name} {path}: chart text {px:.1} px"));
            }
            if width_name == "phone" {
                shots.push(screenshot(client, &format!("phone-{name}")).await);
            }
        }
    }
    set_width(client, DESKTOP).await;
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    shots
}

/// Presses a key (a WebDriver code point: Tab is U+E004, Enter U+E007) on the page.
async fn press(client: &Client, key: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(actions).await.unwrap();
}

/// The `href` of the focused element ("" when it has none).
async fn focused_href(client: &Client) -> String {
    client
        .execute(
            "const a = document.activeElement; return a && a.getAttribute('href') || '';",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

const TAB: char = '\u{E004}';
const ENTER: char = '\u{E007}';
const ESCAPE: char = '\u{E00C}';
const ARROW_UP: char = '\u{E013}';
const ARROW_DOWN: char = '\u{E015}';
/// What is typed to see suggestions: the samples' laws, titles and words complete it.
const TYPED: &str = "volds";
/// The most key presses from the top of a results page to its first result.
const MAX_KEYS_TO_FIRST_RESULT: usize = 4;

/// The reader's walk through the site; returns the screenshots it saved.
async fn walk(client: &Client, server: SocketAddr, upload: &Path) -> Vec<PathBuf> {
    let base = format!("http://{server}");
    let mut shots = Vec::new();

    shots.extend(suggestions(client, &base).await);

    // The front page: type the query and submit the form.
    client.goto(&format!("{base}/")).await.unwrap();
    let input = wait_for(client, "form.searchbox input#q").await;
    shots.push(screenshot(client, "front").await);
    input.send_keys(QUERY).await.unwrap();
    client
        .find(Locator::Css("form.searchbox button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The results page.
    let hits = total(client).await;
    let url = client.current_url().await.unwrap();
    assert_eq!(url.path(), "/sok", "the search form leads to /sok");
    assert!(
        url.query_pairs().any(|(k, v)| k == "q" && v == QUERY),
        "the query is in the results URL: {url}"
    );
    assert!(hits > 0, "`{QUERY}` finds documents in the samples");
    let cards = client.find_all(Locator::Css("article.card")).await.unwrap();
    assert!(!cards.is_empty(), "the results page shows cards");
    assert!(
        cards.len() as u64 <= hits,
        "{} cards but #total says {hits}",
        cards.len()
    );
    let snippets = client.find_all(Locator::Css("p.snippet")).await.unwrap();
    assert!(!snippets.is_empty(), "the hits have snippets");
    let input = client.find(Locator::Css("input#q")).await.unwrap();
    let value = input.prop("value").await.unwrap();
    assert_eq!(
        value.as_deref(),
        Some(QUERY),
        "the search box keeps the query"
    );
    shots.push(screenshot(client, "results").await);

    // From the top of the page to the first result by keyboard: the skip link to the
    // results, then one Tab.
    let first_result = client
        .find(Locator::Css("#treff article.card h3 a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    client.refresh().await.unwrap();
    wait_for(client, "#treff").await;
    let mut keys = 0;
    let mut reached = false;
    while keys < MAX_KEYS_TO_FIRST_RESULT {
        let href = focused_href(client).await;
        if href == first_result {
            reached = true;
            break;
        }
        keys += 1;
        press(client, if href == "#treff" { ENTER } else { TAB }).await;
        if href == "#treff" {
            // Enter on the skip link moves the focus to the results; Tab goes on from there.
            keys += 1;
            press(client, TAB).await;
        }
    }
    reached = reached || focused_href(client).await == first_result;
    assert!(
        reached,
        "the first result is not reached in {MAX_KEYS_TO_FIRST_RESULT} key presses (focus on {:?})",
        focused_href(client).await
    );

    // On a phone the filters come after the results; a link at their top leads there.
    set_width(client, PHONE).await;
    let to_filters = wait_for(client, ".to-filters a").await;
    assert!(
        to_filters.is_displayed().await.unwrap(),
        "no link to the filters on a phone"
    );
    let link_top = client
        .execute(
            "return document.querySelector('.to-filters a').getBoundingClientRect().top;",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(
        link_top < f64::from(PHONE.1),
        "the link to the filters is below the first screen: {link_top}"
    );
    to_filters.click().await.unwrap();
    let facets_top = wait_until("the filters in view", || async {
        let top = client
            .execute(
                "return document.getElementById('filtre').getBoundingClientRect().top;",
                vec![],
            )
            .await
            .ok()?
            .as_f64()?;
        (top.abs() < 50.0).then_some(top)
    })
    .await;
    assert!(facets_top.abs() < 50.0);
    shots.push(screenshot(client, "phone-filters").await);
    set_width(client, DESKTOP).await;
    client.goto(url.as_str()).await.unwrap();
    wait_for(client, "#facet-convention").await;

    // The Istanbul Convention facet.
    let facets = client
        .find_all(Locator::Css("#facet-convention li"))
        .await
        .unwrap();
    let mut facet = None;
    for li in facets {
        let link = li.find(Locator::Css("a")).await.unwrap();
        if link.text().await.unwrap().trim() == ISTANBUL {
            let count = li.find(Locator::Css(".count")).await.unwrap();
            facet = Some((link, count.text().await.unwrap()));
            break;
        }
    }
    let (link, facet_count) = facet.unwrap_or_else(|| panic!("no {ISTANBUL} facet link"));
    let facet_count: u64 = facet_count
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("the facet count is not a number: {facet_count:?}"));
    link.click().await.unwrap();

    let chip = wait_for(client, "a.chip").await;
    let chip_text = chip.text().await.unwrap();
    assert!(
        chip_text.contains(ISTANBUL),
        "the filter chip names the convention: {chip_text:?}"
    );
    let filtered = total(client).await;
    assert!(filtered > 0, "the facet had hits, so the filter has hits");
    assert!(
        filtered <= hits,
        "filtering can only narrow: {filtered} > {hits}"
    );
    assert_eq!(
        filtered, facet_count,
        "the facet count foretold the filtered total"
    );
    let active = client
        .find(Locator::Css("#facet-convention a.active"))
        .await
        .unwrap();
    assert_eq!(active.text().await.unwrap().trim(), ISTANBUL);
    let cards = client.find_all(Locator::Css("article.card")).await.unwrap();
    assert!(!cards.is_empty(), "the filtered page shows cards");
    for (i, card) in cards.iter().enumerate() {
        let mut badges = Vec::new();
        for badge in card.find_all(Locator::Css("a.badge")).await.unwrap() {
            badges.push(badge.text().await.unwrap().trim().to_string());
        }
        assert!(
            badges.iter().any(|b| b == ISTANBUL),
            "card {i} lacks the {ISTANBUL} badge: {badges:?}"
        );
    }
    shots.push(screenshot(client, "filtered").await);

    // With a convention chosen, another one's number is what clicking it gives.
    let mut other = None;
    for li in client
        .find_all(Locator::Css("#facet-convention li"))
        .await
        .unwrap()
    {
        let link = li.find(Locator::Css("a")).await.unwrap();
        if link.attr("aria-current").await.unwrap().is_none() {
            let count = li.find(Locator::Css(".count")).await.unwrap();
            other = Some((
                link.attr("href").await.unwrap().unwrap(),
                count.text().await.unwrap(),
            ));
            break;
        }
    }
    if let Some((href, count)) = other {
        let count: u64 = count.trim().parse().unwrap();
        let back = client.current_url().await.unwrap();
        client
            .goto(&format!("{base}{}", path_of(&href)))
            .await
            .unwrap();
        assert_eq!(
            total(client).await,
            count,
            "the number beside {href} foretold its hits"
        );
        client.goto(back.as_str()).await.unwrap();
        wait_for(client, "a.chip").await;
    }
    let cards = client.find_all(Locator::Css("article.card")).await.unwrap();

    // The first hit's document page.
    let title_link = cards[0].find(Locator::Css("h3 a")).await.unwrap();
    let card_title = title_link.text().await.unwrap();
    title_link.click().await.unwrap();
    let citation = wait_for(client, "textarea#citation").await;
    let url = client.current_url().await.unwrap();
    assert!(
        url.path().starts_with("/dokument/"),
        "the title leads to a document page: {url}"
    );
    let h1 = client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!h1.trim().is_empty(), "the document page has a title");
    assert_eq!(
        h1.trim(),
        card_title.trim(),
        "the card and page titles agree"
    );
    let marks = client
        .find_all(Locator::Css("section.page mark"))
        .await
        .unwrap();
    assert!(!marks.is_empty(), "the query terms are highlighted");
    let mut marked = Vec::new();
    for mark in &marks {
        marked.push(mark.text().await.unwrap().to_lowercase());
    }
    assert!(
        marked.iter().any(|m| m.contains(QUERY)),
        "some <mark> holds the query: {marked:?}"
    );
    let citation = citation.prop("value").await.unwrap().unwrap_or_default();
    assert!(
        citation.contains("Krisesentersekretariatet ("),
        "the citation names the author and year: {citation:?}"
    );
    shots.push(screenshot(client, "document").await);
    shots.extend(page_images(client).await);

    // The PDF behind "open PDF", over plain HTTP.
    let href = client
        .find(Locator::Css("a#open-pdf"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .expect("#open-pdf has an href");
    let pdf_path = path_of(&href).to_string();
    assert_eq!(
        pdf_path.split(['?', '#']).next().unwrap(),
        format!("{}/pdf", url.path()),
        "#open-pdf points at this document's PDF"
    );
    let pdf = tokio::task::spawn_blocking(move || http_get(server, &pdf_path))
        .await
        .unwrap()
        .expect("GET of the PDF");
    assert_eq!(pdf.status, 200, "the PDF answers 200");
    let content_type = pdf.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/pdf"),
        "the PDF's content-type is {content_type:?}"
    );
    assert!(pdf.body.starts_with(b"%PDF"), "the body is a PDF");

    // English, through the link in the header.
    let html_lang = client
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(
        html_lang.as_deref(),
        Some("nb"),
        "the UI starts in Norwegian"
    );
    client
        .find(Locator::Css("header.site nav a[hreflang=en]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let url = wait_until("the URL with lang=en", || async {
        let url = client.current_url().await.ok()?;
        url.query_pairs()
            .any(|(k, v)| k == "lang" && v == "en")
            .then_some(url)
    })
    .await;
    assert!(
        url.path().starts_with("/dokument/"),
        "the language switch stays on the document page: {url}"
    );
    wait_for(client, "textarea#citation").await;
    let html_lang = client
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(
        html_lang.as_deref(),
        Some("en"),
        "<html lang> after the switch"
    );
    shots.push(screenshot(client, "english").await);

    // The statistics page: the chart's bars and the table beside it.
    client.goto(&format!("{base}/statistikk")).await.unwrap();
    wait_for(client, "#chart-years svg rect[data-count]").await;
    let rows = client
        .find_all(Locator::Css("#table-years tbody tr"))
        .await
        .unwrap();
    assert!(!rows.is_empty(), "the statistics table has a row per year");
    let counted = wait_for(client, "#stats-total").await.text().await.unwrap();
    assert!(
        counted.trim().parse::<u64>().is_ok_and(|n| n > 0),
        "the statistics count the documents: {counted:?}"
    );
    shots.push(screenshot(client, "statistics").await);

    // A convention page: its description, articles and documents.
    client
        .goto(&format!("{base}/konvensjon/istanbul"))
        .await
        .unwrap();
    let h1 = wait_for(client, "#konvensjon-istanbul h1").await;
    assert_eq!(h1.text().await.unwrap().trim(), ISTANBUL);
    let cards = client.find_all(Locator::Css("article.card")).await.unwrap();
    assert!(!cards.is_empty(), "the convention page lists its documents");
    shots.push(screenshot(client, "convention").await);

    // A reply and its consultation: from the search filtered by the consultation, to the
    // document, and from the document's own link to the consultation's timeline.
    client
        .goto(&format!(
            "{base}/sok?consultation=eksempel-straffeloven-282"
        ))
        .await
        .unwrap();
    let card = wait_for(client, "article.card h3 a").await;
    card.click().await.unwrap();
    let link = wait_for(client, "a#consultation-link").await;
    link.click().await.unwrap();
    let h1 = wait_for(client, "#horing-eksempel-straffeloven-282 h1").await;
    assert!(
        h1.text().await.unwrap().contains("straffeloven § 282"),
        "the consultation's page"
    );
    assert_eq!(
        path_of(client.current_url().await.unwrap().as_str()),
        "/horing/eksempel-straffeloven-282"
    );
    let moments = client
        .find_all(Locator::Css("ol.timeline li.moment"))
        .await
        .unwrap();
    assert!(
        moments.len() >= 4,
        "sent, deadline, our response and outcome steps"
    );
    shots.push(screenshot(client, "consultation").await);
    // Back on the reply, its law leads to the law's own page.
    client.back().await.unwrap();
    let law = wait_for(client, "ul#laws li > a:first-child").await;
    law.click().await.unwrap();
    let h1 = wait_for(client, "main h1").await;
    assert!(
        h1.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("straffeloven"),
        "the law's page"
    );
    assert_eq!(
        path_of(client.current_url().await.unwrap().as_str()),
        "/lov/straffeloven"
    );
    shots.push(screenshot(client, "law").await);
    // Text in the other language says so: an English document in the bokmål pages, and a
    // Norwegian one in the English pages.
    let english_doc = first_hit_path(client, &base, "Secretariat").await;
    client.goto(&format!("{base}{english_doc}")).await.unwrap();
    let h1_lang = wait_for(client, "article.document h1")
        .await
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(
        h1_lang.as_deref(),
        Some("en"),
        "{english_doc}: the English title in the bokmål page"
    );
    let text_lang = client
        .find(Locator::Css(".pagetext"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(text_lang.as_deref(), Some("en"));
    let norwegian_doc = first_hit_path(client, &base, QUERY).await;
    client
        .goto(&format!("{base}{}", with_english(&norwegian_doc)))
        .await
        .unwrap();
    let h1_lang = wait_for(client, "article.document h1")
        .await
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(
        h1_lang.as_deref(),
        Some("nb"),
        "the Norwegian title in the English page"
    );

    // Every public page, at both widths: axe, sideways scrolling, chart text.
    let public: Vec<(&str, String)> = vec![
        ("front", "/".into()),
        ("front-en", "/?lang=en".into()),
        ("search", format!("/sok?q={QUERY}")),
        (
            "search-filtered",
            format!("/sok?q={QUERY}&convention=istanbul&from=2015&to=2024"),
        ),
        (
            "search-bad-years",
            format!("/sok?q={QUERY}&from=2023&to=2018"),
        ),
        ("search-en", format!("/sok?q={QUERY}&lang=en")),
        ("document", norwegian_doc.clone()),
        ("document-cited", format!("{norwegian_doc}&side=1")),
        ("document-en", english_doc.clone()),
        ("browse", "/dokumenter".into()),
        ("statistics", "/statistikk".into()),
        ("statistics-range", "/statistikk?from=2018&to=2023".into()),
        ("convention", "/konvensjon/istanbul".into()),
        ("convention-crc", "/konvensjon/crc?lang=en".into()),
        ("topics", "/tema".into()),
        (
            "topic",
            format!("/tema/{}", arkiv::tagging::topics::FOCUS_AREAS[0].id),
        ),
        ("api", "/api".into()),
        ("sign-in", "/logg-inn".into()),
        ("not-found", "/finnes-ikke".into()),
    ];
    shots.extend(sweep(client, &base, &public).await);

    // Staff: sign in, upload a PDF, find it by searching.
    client.goto(&format!("{base}/logg-inn")).await.unwrap();
    let name = wait_for(client, "input#name").await;
    name.send_keys(STAFF_USER).await.unwrap();
    client
        .find(Locator::Css("input#password"))
        .await
        .unwrap()
        .send_keys(STAFF_PASSWORD)
        .await
        .unwrap();
    client
        .find(Locator::Css("form.staff-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let file = wait_for(client, "input#file").await;
    assert_eq!(
        path_of(client.current_url().await.unwrap().as_str()),
        "/last-opp",
        "signing in leads to the upload page"
    );
    file.send_keys(upload.to_str().unwrap()).await.unwrap();
    shots.push(screenshot(client, "upload").await);
    client
        .find(Locator::Css(
            "form[enctype='multipart/form-data'] > button[type=submit]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let added = wait_for(client, "p.ok").await;
    let added_link = added
        .find(Locator::Css("a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        added_link.contains("/dokument/"),
        "the upload result links to the new document"
    );
    assert!(
        !added.text().await.unwrap().contains("/dokument/"),
        "the upload result names the document by its title, not its path"
    );
    shots.push(screenshot(client, "uploaded").await);
    client
        .goto(&format!("{base}/sok?q={UPLOAD_WORD}"))
        .await
        .unwrap();
    assert_eq!(
        total(client).await,
        1,
        "the uploaded PDF is found by searching"
    );
    shots.push(screenshot(client, "upload-found").await);

    // The staff pages and the public ones with the staff bar, at both widths.
    let uploaded = first_hit_path(client, &base, UPLOAD_WORD).await;
    let id = uploaded
        .trim_start_matches("/dokument/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let staff: Vec<(&str, String)> = vec![
        ("staff-upload", "/last-opp".into()),
        ("staff-edit", format!("/dokument/{id}/rediger")),
        ("staff-edit-en", format!("/dokument/{id}/rediger?lang=en")),
        ("staff-trash", "/papirkurv".into()),
        ("staff-audit", "/logg".into()),
        ("staff-front", "/".into()),
        ("staff-document", format!("/dokument/{id}")),
        ("staff-inbox", "/innboks".into()),
        ("staff-inbox-en", "/innboks?lang=en".into()),
    ];
    shots.extend(sweep(client, &base, &staff).await);

    shots.extend(inbox(client, &base, &id).await);
    shots
}

/// The inbox: the PDF uploaded without metadata (`uploaded`) and the one ingested without
/// a sidecar wait there with what was detected. Staff correct the ingested one's title
/// through the inbox's link to the editor and confirm the upload with the inbox's button;
/// both leave the inbox, and their public pages lose the "not yet reviewed" mark.
async fn inbox(client: &Client, base: &str, uploaded: &str) -> Vec<PathBuf> {
    let mut shots = Vec::new();
    client
        .goto(&format!("{base}/dokument/{uploaded}"))
        .await
        .unwrap();
    let mark = wait_for(client, "#unreviewed").await;
    assert!(
        mark.text().await.unwrap().contains("Ikke gjennomgått"),
        "the upload is marked as not yet reviewed"
    );

    // To the inbox through the staff menu.
    client.goto(&format!("{base}/last-opp")).await.unwrap();
    wait_for(client, "nav.staffnav a[href='/innboks']")
        .await
        .click()
        .await
        .unwrap();
    let upload_item = format!("#inbox-{uploaded}");
    wait_for(client, &upload_item).await;
    assert_eq!(
        path_of(client.current_url().await.unwrap().as_str()),
        "/innboks"
    );
    let facts = facts_of(client, &upload_item).await;
    let fact = |name: &str| {
        facts
            .iter()
            .find(|(dt, _)| dt == name)
            .map(|(_, dd)| dd.as_str())
            .unwrap_or_else(|| panic!("no {name} in the inbox item: {facts:?}"))
    };
    assert_eq!(fact("Dato"), "1. oktober 2025");
    assert_eq!(fact("Konvensjoner"), "Barnekonvensjonen");
    assert_eq!(fact("Artikler"), "Barnekonvensjonen art. 12");
    let heading = client
        .find(Locator::Css(&format!("{upload_item} h2")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        heading.contains(UPLOAD_WORD),
        "the detected title: {heading:?}"
    );
    let ingested = inbox_item_with(client, INBOX_WORD).await;
    let ingested_item = format!("#inbox-{ingested}");
    let facts = facts_of(client, &ingested_item).await;
    assert!(
        facts
            .iter()
            .any(|(dt, dd)| dt == "Dato" && dd == "3. september 2025"),
        "the ingested letter's date: {facts:?}"
    );
    assert!(
        facts
            .iter()
            .any(|(dt, dd)| dt == "Konvensjoner" && dd == "Kvinnekonvensjonen (CEDAW)"),
        "the ingested letter's convention: {facts:?}"
    );
    shots.push(screenshot(client, "inbox").await);

    // Correct the ingested letter's title in the editor the inbox links to.
    client
        .find(Locator::Css(&format!(
            "{ingested_item} a[href='/dokument/{ingested}/rediger']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let title = wait_for(client, "input#e-title").await;
    title.clear().await.unwrap();
    title.send_keys(CORRECTED_TITLE).await.unwrap();
    client
        .find(Locator::Css(
            "form.staff-form:not(.danger) > button[type=submit]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(client, "p.ok[role=status]").await;
    wait_for(client, "nav.staffnav a[href='/innboks']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, &upload_item).await;
    assert!(
        client.find(Locator::Css(&ingested_item)).await.is_err(),
        "the corrected letter left the inbox"
    );

    // Confirm the upload with the inbox's own button.
    client
        .find(Locator::Css(&format!("{upload_item} button.confirm")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let confirmed = wait_for(client, "p.ok[role=status]").await;
    assert_eq!(confirmed.text().await.unwrap().trim(), "Bekreftet.");
    assert_eq!(
        path_of(client.current_url().await.unwrap().as_str()),
        "/innboks?bekreftet=1"
    );
    wait_for(client, "#inbox-empty").await;
    assert!(
        client.find(Locator::Css(&upload_item)).await.is_err(),
        "the confirmed upload left the inbox"
    );
    assert!(
        client
            .find_all(Locator::Css("li.inbox-item"))
            .await
            .unwrap()
            .is_empty(),
        "nothing else waited"
    );
    shots.push(screenshot(client, "inbox-empty").await);

    // The public pages lose the mark; the corrected one shows its new title.
    for (id, title) in [(uploaded, None), (ingested.as_str(), Some(CORRECTED_TITLE))] {
        client.goto(&format!("{base}/dokument/{id}")).await.unwrap();
        let h1 = wait_for(client, "article.document h1").await;
        if let Some(title) = title {
            assert_eq!(h1.text().await.unwrap().trim(), title);
        }
        assert!(
            client.find(Locator::Css("#unreviewed")).await.is_err(),
            "/dokument/{id} is still marked as not reviewed"
        );
    }
    shots.extend(
        sweep(
            client,
            base,
            &[("staff-inbox-empty", "/innboks?bekreftet=1".to_string())],
        )
        .await,
    );
    shots
}

/// The `dt` and `dd` texts of the facts list in the element matching `css`.
async fn facts_of(client: &Client, css: &str) -> Vec<(String, String)> {
    let found = client
        .execute(
            "return [...document.querySelectorAll(arguments[0] + ' dl.facts dt')]
               .map(dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()]);",
            vec![json!(css)],
        )
        .await
        .unwrap();
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap().to_string(),
                pair[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The id of the inbox item whose title holds `word`.
async fn inbox_item_with(client: &Client, word: &str) -> String {
    for item in client
        .find_all(Locator::Css("li.inbox-item"))
        .await
        .unwrap()
    {
        let title = item
            .find(Locator::Css("h2"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if title.contains(word) {
            let id = item.attr("id").await.unwrap().unwrap();
            return id.trim_start_matches("inbox-").to_string();
        }
    }
    panic!("no inbox item titled with {word:?}")
}

/// The search box's suggestions (`suggest.js`) as a WAI-ARIA combobox: typing shows them,
/// the arrow keys move through them with the focus staying in the box, Escape closes them,
/// Enter picks one and lands on its search, and so does a click. axe runs on the open list.
async fn suggestions(client: &Client, base: &str) -> Vec<PathBuf> {
    client.goto(&format!("{base}/")).await.unwrap();
    let input = wait_for(client, "form.searchbox input#q").await;
    let attr = |name: &'static str| {
        let input = input.clone();
        async move { input.attr(name).await.unwrap() }
    };
    assert_eq!(attr("role").await.as_deref(), Some("combobox"));
    assert_eq!(attr("aria-autocomplete").await.as_deref(), Some("list"));
    assert_eq!(attr("aria-expanded").await.as_deref(), Some("false"));
    let list_id = attr("aria-controls").await.expect("aria-controls");
    let list = client
        .find(Locator::Id(&list_id))
        .await
        .expect("the listbox aria-controls names");
    assert_eq!(list.attr("role").await.unwrap().as_deref(), Some("listbox"));
    assert!(
        !list.is_displayed().await.unwrap(),
        "the list shows before typing"
    );

    input.send_keys(TYPED).await.unwrap();
    let options_css = format!("#{list_id} li[role=option]");
    let open = || async {
        let shown = client
            .find(Locator::Id(&list_id))
            .await
            .ok()?
            .is_displayed()
            .await
            .ok()?;
        let expanded = input.attr("aria-expanded").await.ok()??;
        let n = client
            .find_all(Locator::Css(&options_css))
            .await
            .ok()?
            .len();
        (shown && expanded == "true" && n > 0).then_some(n)
    };
    let count = wait_until("suggestions under the search box", open).await;
    assert!(count <= 8, "{count} suggestions, more than 8");
    let options = client.find_all(Locator::Css(&options_css)).await.unwrap();
    let mut texts = Vec::new();
    for o in &options {
        let text = o
            .find(Locator::Css(".text"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            arkiv::suggest::normalize(&text).contains(TYPED),
            "{text:?} does not complete {TYPED:?}"
        );
        texts.push(text);
    }
    // Bokmål labels for the kinds.
    let kinds = client
        .find_all(Locator::Css(&format!("{options_css} .kind")))
        .await
        .unwrap();
    let mut kind_labels = Vec::new();
    for k in kinds {
        kind_labels.push(k.text().await.unwrap());
    }
    assert!(
        kind_labels.iter().any(|k| k == "Lov") && kind_labels.iter().any(|k| k == "Ord"),
        "the samples' laws and words complete {TYPED:?}: {kind_labels:?}"
    );
    let violations = axe_violations(client).await;
    assert!(
        violations.is_empty(),
        "axe on the open suggestions:\n{}",
        violations.join("\n")
    );
    let shot = screenshot(client, "suggestions").await;

    // Escape closes the list and leaves the text.
    press(client, ESCAPE).await;
    wait_until("the list closed by Escape", || async {
        let expanded = input.attr("aria-expanded").await.ok()??;
        let shown = client
            .find(Locator::Id(&list_id))
            .await
            .ok()?
            .is_displayed()
            .await
            .ok()?;
        (expanded == "false" && !shown).then_some(())
    })
    .await;
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some(TYPED));

    // The arrow keys: down opens and moves, up moves back and wraps to the last.
    let active = || async {
        let id = input
            .attr("aria-activedescendant")
            .await
            .unwrap()
            .unwrap_or_default();
        let focused = client
            .execute("return document.activeElement.id;", vec![])
            .await
            .unwrap();
        assert_eq!(focused.as_str(), Some("q"), "the focus left the search box");
        if id.is_empty() {
            return None;
        }
        let option = client.find(Locator::Id(&id)).await.unwrap();
        assert_eq!(
            option.attr("aria-selected").await.unwrap().as_deref(),
            Some("true")
        );
        Some(options_index(&id))
    };
    press(client, ARROW_DOWN).await;
    assert_eq!(active().await, Some(0));
    if count > 1 {
        press(client, ARROW_DOWN).await;
        assert_eq!(active().await, Some(1));
        press(client, ARROW_UP).await;
        assert_eq!(active().await, Some(0));
    }
    press(client, ARROW_UP).await;
    assert_eq!(
        active().await,
        Some(count - 1),
        "ArrowUp from the first wraps to the last"
    );
    let last = client
        .find(Locator::Css(&format!("{options_css}:last-child")))
        .await
        .unwrap();
    assert_eq!(
        last.attr("data-kind").await.unwrap().as_deref(),
        Some("term")
    );
    let chosen = texts[count - 1].clone();
    press(client, ENTER).await;
    let url = wait_until("the search of the chosen suggestion", || async {
        let url = client.current_url().await.ok()?;
        (url.path() == "/sok").then_some(url)
    })
    .await;
    assert!(
        url.query_pairs().any(|(k, v)| k == "q" && v == chosen),
        "Enter on {chosen:?} leads to {url}"
    );
    total(client).await;

    // The mouse: a click on a convention leads to its filter.
    let input = wait_for(client, "input#q").await;
    input.clear().await.unwrap();
    input.send_keys("istanbul").await.unwrap();
    let option = wait_for(client, &format!("{options_css}[data-kind=convention]")).await;
    assert_eq!(
        option
            .find(Locator::Css(".text"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        ISTANBUL
    );
    option.click().await.unwrap();
    let url = wait_until("the convention's search", || async {
        let url = client.current_url().await.ok()?;
        url.query_pairs()
            .any(|(k, v)| k == "convention" && v == "istanbul")
            .then_some(url)
    })
    .await;
    assert_eq!(url.path(), "/sok");
    wait_for(client, "a.chip").await;
    vec![shot]
}

/// The position of an option in the list, from its id (`q-suggestions-3`).
fn options_index(id: &str) -> usize {
    id.rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("an option id without its position: {id}"))
}

/// The path of the first hit of a search for `q` (a URL-encoded query).
async fn first_hit_path(client: &Client, base: &str, q: &str) -> String {
    client.goto(&format!("{base}/sok?q={q}")).await.unwrap();
    let link = wait_for(client, "#treff article.card h3 a").await;
    let href = link.attr("href").await.unwrap().unwrap();
    path_of(&href).split('&').next().unwrap().to_string()
}

/// The same path in English.
fn with_english(path: &str) -> String {
    if path.contains('?') {
        format!("{path}&lang=en")
    } else {
        format!("{path}?lang=en")
    }
}

/// The document page's first page image, loaded (lazily, once scrolled to) with the hit
/// words boxed over it, at desktop and at phone width; returns the two screenshots.
async fn page_images(client: &Client) -> Vec<PathBuf> {
    let mut shots = Vec::new();
    for (width, height) in [(1280u32, 1000u32), (390, 844)] {
        client.set_window_size(width, height).await.unwrap();
        wait_for(client, "figure.pageimage img").await;
        client
            .execute(
                "document.querySelector('figure.pageimage').scrollIntoView()",
                vec![],
            )
            .await
            .unwrap();
        let loaded = wait_until("the first page image to load", || async {
            let size = client
                .execute(
                    "const i = document.querySelector('figure.pageimage img'); \
                     return i.complete ? [i.naturalWidth, i.getBoundingClientRect().width] : null;",
                    vec![],
                )
                .await
                .ok()?;
            let size = size.as_array()?;
            let natural = size.first()?.as_f64()?;
            (natural > 0.0).then(|| size.get(1).and_then(|w| w.as_f64()).unwrap_or(0.0))
        })
        .await;
        assert!(
            loaded > 100.0 && loaded <= f64::from(width),
            "the page image is {loaded} px wide in a {width} px window"
        );
        let boxes = client
            .find_all(Locator::Css("figure.pageimage svg.hits rect"))
            .await
            .unwrap();
        assert!(!boxes.is_empty(), "no hit boxed on the page images");
        // The reader (page images, text, the in-document search) fits the window; the site
        // header is another matter.
        let wide = client
            .execute(
                "const w = document.documentElement.clientWidth; \
                 return Array.from(document.querySelectorAll('section.reader *')) \
                   .filter(e => e.getBoundingClientRect().right > w + 1) \
                   .map(e => e.tagName + '.' + e.className);",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            wide.as_array().map(Vec::len),
            Some(0),
            "wider than {width} px: {wide}"
        );
        shots.push(screenshot(client, &format!("document-pages-{width}")).await);
    }
    client.set_window_size(1280, 1000).await.unwrap();
    shots
}
