//! Hostile conditions, measured (issue 7): bad PDFs, SIGKILL at random moments, load,
//! fuzzing of the text parsers, and the security checks the other modules do not make;
//! and from issue 13: URLs and API values that would size work or output without bound or
//! step outside the API's schema (`inputs`), large downloads (`downloads`), and uploads at
//! once, a removed index and files that are not PDFs (`writes`).
//!
//! Every test prints its figures (lines starting with `HOSTILE`). Under `cargo test` (and so
//! in CI) they run at smoke size: every file of `../shared/corpus/tricky/`, three kill
//! trials, ten seconds of load. `bench/hostile.sh` runs the same tests in a release build
//! with the full numbers, and cargo-fuzz on top, set through these variables:
//!
//! | variable | default | what |
//! |---|---|---|
//! | `ARKIV_HOSTILE_TIMEOUT` | 20 | extraction time bound (s) for the bad-PDF batch |
//! | `ARKIV_HOSTILE_TRICKY` | 1 | 1: add every file of `../shared/corpus/tricky/` (and a second bomb) to the batch; 0: generated files only |
//! | `ARKIV_HOSTILE_KILLS` | 3 | SIGKILL trials, each for ingest and for uploads |
//! | `ARKIV_HOSTILE_LOAD_SECS` | 10 | seconds of load |
//! | `ARKIV_HOSTILE_CLIENTS` | 64 | concurrent readers under load |
//! | `ARKIV_HOSTILE_FUZZ_MILLIS` | 3000 | time per target of the random-input loop |
//! | `ARKIV_HOSTILE_NAMES` | 10000 | distinct 8 KB user names in the sign-in flood |
//! | `ARKIV_HOSTILE_DOWNLOADERS` | 50 | concurrent downloads of the large PDF |
//! | `ARKIV_HOSTILE_PDF_MB` | 80 | size of the large PDF, in MB |
//! | `ARKIV_SERVE_BIN` | this build | the `arkiv` that runs as server (figures before a change) |
//! | `ARKIV_HOSTILE_SEED` | random | seed of the kill delays and of the random-input loop (each run prints its seed) |

mod api_fuzz;
mod badpdf;
mod connections;
mod crash;
mod downloads;
mod fuzz;
mod inputs;
mod load;
mod paging;
mod pdfs;
mod procmon;
mod security;
pub(crate) mod server;
mod signin;
mod writes;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A number from the environment, or its default.
pub fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// A random generator seeded from `ARKIV_HOSTILE_SEED` when set, else at random; the seed
/// is printed (shown with a failure, and by `bench/hostile.sh`) so that a failing run of
/// `what` can be replayed with the same random choices.
pub fn seeded_rng(what: &str) -> (StdRng, u64) {
    let seed = std::env::var("ARKIV_HOSTILE_SEED")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    println!("HOSTILE seed {what} seed={seed} (replay with ARKIV_HOSTILE_SEED={seed})");
    (StdRng::seed_from_u64(seed), seed)
}

/// The p-th percentile (0..=100) of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}
