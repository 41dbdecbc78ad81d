//! arkiv's benchmark harness, a workspace member of its own so that the plain `cargo test`
//! of arkiv never compiles it or its peers (PostgreSQL's client, SQLite's C source,
//! criterion). This library is what the benchmark programs (`examples/bench-corpus`,
//! `bench-search`, `bench-extract`, `bench-sqlite`, `bench-postgres`) and the criterion
//! benches share: the synthetic corpus, the fixed query mix, latency statistics and the TSV
//! exchange format of the peers. `run.sh` runs them all; BENCHMARKS.md has the results.

pub mod corpus;
pub mod queries;
pub mod rng;
pub mod stats;
pub mod tsv;

use std::path::PathBuf;

/// The repository's `samples/` folder, whose letters give the synthetic corpus its words.
pub fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

/// The value after `--name` in an argument list, parsed.
pub fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

/// Whether `--name` is present.
pub fn flag(args: &[String], name: &str) -> bool {
    args.iter().any(|a| a == name)
}
