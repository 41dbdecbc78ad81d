//! Shared helpers: paths, the real arkiv binary as extraction worker, generated PDFs,
//! documents built in memory, a running server, and the programs a test needs from the
//! system ([`programs`]).

pub mod programs;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use arkiv::extract::ExtractConfig;
use arkiv::index::ArchiveIndex;
use arkiv::ingest::{IngestOptions, IngestReport, ingest};
use arkiv::library::Library;
use arkiv::model::{DocId, Kind, Submission, TextStatus};
use arkiv::pdfgen::{PdfSpec, render};

/// The arkiv binary cargo built for these tests; it runs the extraction workers.
pub fn arkiv_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_arkiv"))
}

pub fn extract_config() -> ExtractConfig {
    let mut config = ExtractConfig::new(arkiv_bin());
    config.timeout = Duration::from_secs(60);
    config
}

pub fn ingest_options() -> IngestOptions {
    IngestOptions::new(extract_config())
}

/// `../shared/corpus/`, beside the project.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// The sample archive that ships in `documents/`.
pub fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("documents")
}

/// Every PDF of the shared corpus (all its folders), sorted by path.
pub fn corpus_pdfs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for folder in ["norwegian", "conventions", "tricky"] {
        let dir = corpus_dir().join(folder);
        for entry in std::fs::read_dir(&dir).expect("the shared corpus is beside the project") {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "pdf") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Copies files into a folder (flat), keeping their names.
pub fn copy_into(files: &[PathBuf], dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for f in files {
        std::fs::copy(f, dir.join(f.file_name().unwrap())).unwrap();
    }
}

/// Copies the sample archive (PDFs, sidecars and consultation records) into `dir`.
pub fn copy_samples(dir: &Path) {
    copy_plain_files(&samples_dir(), dir);
    copy_plain_files(
        &samples_dir().join(arkiv::consultations::FOLDER),
        &dir.join(arkiv::consultations::FOLDER),
    );
}

fn copy_plain_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && !path.file_name().unwrap().to_string_lossy().starts_with('.') {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// Writes a PDF with one entry of `pages` per page.
pub fn write_pdf(dir: &Path, name: &str, title: Option<&str>, pages: &[&str]) -> PathBuf {
    let spec = PdfSpec {
        title: title.map(str::to_string),
        author: None,
        creation_date: None,
        pages: pages.iter().map(|p| p.to_string()).collect(),
    };
    let path = dir.join(name);
    std::fs::write(&path, render(&spec)).unwrap();
    path
}

/// A document for an index in memory, without a PDF: its id from `file`'s name, the title
/// and the text of each page given, a plain letter (`Kind::Annet`) with nothing else
/// detected. A test sets what else it needs with struct update syntax.
pub fn submission(file: &str, title: &str, pages: &[&str]) -> Submission {
    Submission {
        id: DocId::from_content(file.as_bytes()),
        file: file.into(),
        title: title.into(),
        date: None,
        kind: Kind::Annet,
        recipient: None,
        reference: None,
        language: None,
        source_url: None,
        conventions: Vec::new(),
        mentions: Default::default(),
        articles: Vec::new(),
        laws: Vec::new(),
        law_sections: Vec::new(),
        cycles: Vec::new(),
        topics: Vec::new(),
        pages: pages.iter().map(|p| p.to_string()).collect(),
        status: TextStatus::Ok,
        extraction_note: None,
        ocr: None,
        sample: false,
        their_reference: None,
        consultation: None,
        notes: Vec::new(),
        versions: Vec::new(),
        to_review: false,
    }
}

/// Ingests `documents` into the index in `index_dir`.
pub fn run_ingest(documents: &Path, index_dir: &Path) -> (ArchiveIndex, IngestReport) {
    let index = ArchiveIndex::open_or_create(index_dir).unwrap();
    let report = ingest(&Library::new(documents), &index, &ingest_options()).unwrap();
    (index, report)
}

/// The sample archive ingested once into a temporary index shared by the tests that only
/// read it.
pub fn sample_index() -> &'static ArchiveIndex {
    static INDEX: OnceLock<(tempfile::TempDir, ArchiveIndex)> = OnceLock::new();
    let (_, index) = INDEX.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("documents");
        copy_samples(&docs);
        let (index, report) = run_ingest(&docs, &dir.path().join("index"));
        assert!(
            report.failed.is_empty(),
            "samples failed: {:?}",
            report.failed
        );
        (dir, index)
    });
    index
}

/// What the router answered, read whole.
pub struct Answer {
    pub status: axum::http::StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// A header's value, or "" when it is missing or not text.
    pub fn header(&self, name: impl axum::http::header::AsHeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub fn location(&self) -> String {
        self.headers
            .get(axum::http::header::LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default()
    }

    pub fn content_type(&self) -> String {
        self.header(axum::http::header::CONTENT_TYPE).to_string()
    }

    /// The value of a cookie this answer sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(axum::http::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v[name.len() + 1..].split(';').next().unwrap().to_string())
    }

    /// The value of a form field in the page (hidden inputs such as CSRF tokens).
    pub fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} field in {}", self.body))
            + marker.len();
        self.body[start..].split('"').next().unwrap().to_string()
    }
}

/// Sends one request through the router, in process.
pub async fn send(app: &axum::Router, request: axum::http::Request<axum::body::Body>) -> Answer {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

/// A GET through the router.
pub async fn get(app: &axum::Router, uri: &str) -> Answer {
    send(
        app,
        axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
}

/// Process limits for a server under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerLimits {
    /// Whatever the test process has.
    Unlimited,
    /// Like a small VPS: 1,024 file descriptors and 4 GiB of address space (util-linux
    /// `prlimit`, on every Debian system).
    SmallVps,
}

pub const SMALL_VPS_FILES: u64 = 1024;
pub const SMALL_VPS_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// A running `arkiv serve` on a port the system chose; SIGKILLed when dropped.
pub struct Server {
    child: std::process::Child,
    pub addr: std::net::SocketAddr,
    pub port: u16,
    /// What the server wrote to stderr.
    pub log: PathBuf,
}

impl Server {
    /// Starts a server over the three folders and waits until it accepts connections.
    pub fn start(docs: &Path, index: &Path, data: &Path) -> Server {
        Server::start_with(docs, index, data, ServerLimits::Unlimited, &[])
    }

    /// Starts a server as `start` does, under the process limits given and with extra
    /// command-line arguments for `arkiv serve`. The server binds port 0 and the address
    /// is read from its stdout, so no other process can take the port in between.
    ///
    /// Under [`ServerLimits::SmallVps`] the caller must have checked for `prlimit` with
    /// [`programs::require`].
    pub fn start_with(
        docs: &Path,
        index: &Path,
        data: &Path,
        limits: ServerLimits,
        extra_args: &[&str],
    ) -> Server {
        use std::io::BufRead;
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = data.with_extension(format!("serve-{n}.log"));
        // `ARKIV_SERVE_BIN` runs another build as the server (to measure a figure before a
        // change against the same test).
        let bin = std::env::var_os("ARKIV_SERVE_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(arkiv_bin);
        let mut command = match limits {
            ServerLimits::Unlimited => std::process::Command::new(&bin),
            ServerLimits::SmallVps => {
                let mut c = std::process::Command::new("prlimit");
                c.arg(format!("--nofile={SMALL_VPS_FILES}:{SMALL_VPS_FILES}"))
                    .arg(format!("--as={SMALL_VPS_BYTES}:{SMALL_VPS_BYTES}"))
                    .arg("--")
                    .arg(&bin);
                c
            }
        };
        let mut child = command
            .arg("serve")
            .arg("--documents")
            .arg(docs)
            .arg("--index")
            .arg(index)
            .arg("--data")
            .arg(data)
            .arg("--addr")
            .arg("127.0.0.1:0")
            .args(extra_args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        // The ingest summary comes first, then "serving http://ADDR"; the rest of stdout is
        // read and dropped so that the server never blocks on a full pipe.
        let stdout = child.stdout.take().unwrap();
        let (found, address) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.strip_prefix("serving http://")
                    && let Some(found) = found.take()
                {
                    let _ = found.send(addr.trim().to_string());
                }
            }
        });
        let started = std::time::Instant::now();
        let addr: std::net::SocketAddr = loop {
            match address.recv_timeout(std::time::Duration::from_millis(50)) {
                Ok(addr) => break addr.parse().unwrap(),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    let status = child.wait().unwrap();
                    panic!(
                        "arkiv serve exited with {status} before serving: {}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "arkiv serve exited with {status}: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            if started.elapsed() > std::time::Duration::from_secs(300) {
                let _ = child.kill();
                panic!("arkiv serve did not start in 300 s");
            }
        };
        Server {
            child,
            addr,
            port: addr.port(),
            log,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The server's process id (`prlimit` execs arkiv in place, so it is arkiv's).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the server is still running (it has not exited or been killed).
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGKILL: no shutdown, no flushing.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        // A failing test shows what the server said: how it began and how it ended.
        if std::thread::panicking() {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            eprintln!("--- the arkiv serve log ({}) ---", self.log.display());
            if lines.len() <= 60 {
                eprintln!("{text}");
            } else {
                eprintln!("{}", lines[..20].join("\n"));
                eprintln!("[{} lines]", lines.len() - 50);
                eprintln!("{}", lines[lines.len() - 30..].join("\n"));
            }
        }
    }
}

/// The staff account the tests that sign in use.
pub const USER: &str = "kari";
pub const PASSWORD: &str = "riktig-hest-batteri";

/// Creates the staff account in `data` with the CLI and returns a new API token.
pub fn staff_token(data: &Path) -> String {
    use std::io::Write;
    let mut add = std::process::Command::new(arkiv_bin())
        .args(["user", "add", USER, "--password-stdin", "--data"])
        .arg(data)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(add.wait().unwrap().success());
    let out = std::process::Command::new(arkiv_bin())
        .args(["user", "token", USER, "--data"])
        .arg(data)
        .output()
        .unwrap();
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("arkiv_"), "{token}");
    token
}

/// The sample archive behind a router with staff features, in a temporary folder.
pub struct StaffApp {
    pub dir: tempfile::TempDir,
    pub app: axum::Router,
    pub index: ArchiveIndex,
    /// An API token of [`USER`].
    pub token: String,
}

impl StaffApp {
    pub fn documents(&self) -> PathBuf {
        self.dir.path().join("documents")
    }

    pub fn data(&self) -> arkiv::accounts::DataDir {
        arkiv::accounts::DataDir::open(self.dir.path().join("data")).unwrap()
    }

    pub fn any_id(&self) -> String {
        self.index.documents().unwrap()[0].submission.id.to_string()
    }

    pub fn id_of(&self, file: &str) -> String {
        self.index
            .documents()
            .unwrap()
            .into_iter()
            .find(|d| d.submission.file == file)
            .unwrap_or_else(|| panic!("{file} is not indexed"))
            .submission
            .id
            .to_string()
    }
}

/// A [`StaffApp`] over the samples plus what `extra` writes into the documents folder, with
/// the staff account [`USER`] and the accounts in `more_users` (all with [`PASSWORD`]).
pub fn staff_app_with(
    max_upload_bytes: usize,
    more_users: &[&str],
    extra: impl FnOnce(&Path),
) -> StaffApp {
    use arkiv::accounts::{Accounts, DataDir};
    use arkiv::web::staff::Staff;
    use arkiv::web::{AppState, router};
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    copy_samples(&docs);
    extra(&docs);
    let data = DataDir::open(dir.path().join("data")).unwrap();
    let mut accounts = Accounts::default();
    accounts.add(USER, PASSWORD).unwrap();
    for name in more_users {
        accounts.add(name, PASSWORD).unwrap();
    }
    let token = accounts.new_token(USER).unwrap();
    accounts.save(&data).unwrap();
    let index = ArchiveIndex::open_or_create(&dir.path().join("index")).unwrap();
    let library = Library::new(&docs);
    let mut writer = index.writer().unwrap();
    let report =
        arkiv::ingest::ingest_with(&library, &index, &mut writer, &ingest_options()).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let staff = Staff::new(data, writer, extract_config(), max_upload_bytes, false);
    let app = router(AppState::new(index.clone(), library, "http://localhost").with_staff(staff));
    StaffApp {
        dir,
        app,
        index,
        token,
    }
}
