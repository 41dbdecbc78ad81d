//! Programs the tests take from the system: poppler's `pdftotext` and `pdftoppm`,
//! `tesseract`, `qpdf`, `chromium` and `chromedriver`, PostgreSQL, `wrk`, `schemathesis`,
//! `prlimit`, one package of data, the Norwegian word lists of `hunspell-no`, and one Python
//! module, `aiosmtpd` (the loopback SMTP server of the alert tests). A test that needs one asks for it first with [`require`]; when one is missing
//! the test is skipped with a line on stderr, and the skips are listed again when the test
//! binary exits. With `ARKIV_REQUIRE_ALL_PROGRAMS=1` (which `.ci/run` sets after installing
//! them all) a missing program fails the test instead, so CI cannot pass by skipping.
//!
//! The benchmark member's smoke test (`bench/tests/smoke.rs`) includes this file by path.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The variable under which a missing program is a failure, not a skip.
pub const REQUIRE_ALL: &str = "ARKIV_REQUIRE_ALL_PROGRAMS";

/// Where each program comes from (Debian packages, PyPI), for the skip message.
const SOURCES: &[(&str, &str)] = &[
    ("pdftotext", "poppler-utils"),
    ("pdftoppm", "poppler-utils"),
    ("pdfimages", "poppler-utils"),
    ("pdfinfo", "poppler-utils"),
    ("tesseract", "tesseract-ocr, tesseract-ocr-nor"),
    ("qpdf", "qpdf"),
    ("chromium", "chromium"),
    ("chromedriver", "chromium-driver"),
    ("postgres", "postgresql"),
    ("initdb", "postgresql"),
    ("pg_ctl", "postgresql"),
    ("wrk", "wrk"),
    ("python3", "python3"),
    ("schemathesis", "pip install schemathesis"),
    ("prlimit", "util-linux"),
    ("hunspell-no", "hunspell-no"),
    ("hunspell", "hunspell"),
    (AIOSMTPD, "python3-aiosmtpd, or pip install aiosmtpd"),
];

/// Data rather than programs: the Norwegian Hunspell word lists, found where arkiv reads
/// them (`ARKIV_HUNSPELL_DIR`, else `/usr/share/hunspell`).
const HUNSPELL: &str = "hunspell-no";

/// A Python module rather than a program: the SMTP server of the alert tests. Found as the
/// path of a Python 3 that imports it (`python3` on `PATH`, else the system's).
pub const AIOSMTPD: &str = "aiosmtpd";

/// The tests skipped so far: (test, missing programs).
static SKIPPED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// The paths of the programs `names`, in order; or `None` when one is missing, after
/// saying so on stderr, and then the caller returns at once:
///
/// ```ignore
/// let Some([pdftotext]) = programs::require(["pdftotext"]) else { return };
/// ```
///
/// # Panics
///
/// When a program is missing and [`REQUIRE_ALL`] is set to anything but `0`.
pub fn require<const N: usize>(names: [&str; N]) -> Option<[PathBuf; N]> {
    let found = names.map(find);
    let missing: Vec<String> = names
        .iter()
        .zip(&found)
        .filter(|(_, path)| path.is_none())
        .map(|(name, _)| match SOURCES.iter().find(|(n, _)| n == name) {
            Some((_, source)) => format!("{name} ({source})"),
            None => name.to_string(),
        })
        .collect();
    if missing.is_empty() {
        return Some(found.map(|p| p.unwrap_or_default()));
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let missing = missing.join(", ");
    assert!(
        !required(),
        "{test} needs {missing}, which is not installed, and {REQUIRE_ALL} is set"
    );
    // Straight to stderr: libtest captures `eprintln!` of a passing test, not this.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: not installed: {missing}"
    );
    if let Ok(mut skipped) = SKIPPED.lock() {
        skipped.push((test, missing));
    }
    None
}

/// Whether a missing program fails the test ([`REQUIRE_ALL`] set, and not to `0`).
pub fn required() -> bool {
    std::env::var_os(REQUIRE_ALL).is_some_and(|v| !v.is_empty() && v != "0")
}

/// A program on `PATH`; PostgreSQL's server programs also where Debian keeps them, off
/// `PATH` (`/usr/lib/postgresql/VERSION/bin`).
pub fn find(name: &str) -> Option<PathBuf> {
    if name == AIOSMTPD {
        let on_path = find("python3");
        return on_path
            .into_iter()
            .chain([PathBuf::from("/usr/bin/python3")])
            .find(|python| {
                std::process::Command::new(python)
                    .args(["-c", "import aiosmtpd"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            });
    }
    if name == HUNSPELL {
        let dir = std::env::var_os("ARKIV_HUNSPELL_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/share/hunspell"));
        return ["nb_NO.dic", "nn_NO.dic"]
            .iter()
            .all(|f| dir.join(f).is_file())
            .then_some(dir);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    if matches!(name, "postgres" | "initdb" | "pg_ctl") {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .collect();
        versions.sort();
        dirs.extend(versions.into_iter().rev());
    }
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Lists the skipped tests once more after libtest's summary, where they cannot be missed.
fn recap() {
    let skipped = match SKIPPED.lock() {
        Ok(skipped) => skipped.clone(),
        Err(_) => return,
    };
    if skipped.is_empty() {
        return;
    }
    let mut out = format!(
        "\n{} test(s) skipped because a program is not installed (`.ci/run` installs them all; \
         {REQUIRE_ALL}=1 makes a missing program a failure):\n",
        skipped.len()
    );
    for (test, missing) in &skipped {
        out.push_str(&format!("    {test}: {missing}\n"));
    }
    let _ = std::io::stderr().write_all(out.as_bytes());
}

// libtest offers no hook after its summary; a destructor of the test binary runs after `main`
// returns, and also after libtest's `exit(101)` when a test failed. It touches only a static
// and stderr, both of which outlive `main`.
dtor::declarative::dtor! {
    #[dtor(unsafe)]
    fn recap_at_exit() {
        recap();
    }
}
