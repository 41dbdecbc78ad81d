//! Part 4, the stable half: the checks of the cargo-fuzz targets (`fuzz/src/lib.rs`), run on
//! random and mutated inputs for a bounded time under plain `cargo test`; and regression
//! tests for what fuzzing found. `bench/hostile.sh` runs the coverage-guided targets.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::knob;

#[path = "../../../fuzz/src/lib.rs"]
mod checks;

/// Pieces the grammars care about.
const TOKENS: &[&str] = &[
    "\"",
    "'",
    "-",
    "*",
    ":",
    "..",
    " OR ",
    " AND ",
    "(",
    ")",
    "år:",
    "konvensjon:",
    "type:",
    "artikkel:",
    "tittel:",
    "mottaker:",
    "istanbul",
    "echr:8",
    "2019",
    "2015..2019",
    "=",
    "[",
    "]",
    "{",
    "}",
    "\"\"\"",
    "'''",
    "\n",
    "\r\n",
    "\t",
    "title = ",
    "date = ",
    "kind = ",
    "conventions = [",
    "sample = true",
    "1979-05-27T07:32:00Z",
    "artikkel 18",
    "art. 8",
    "Article 19 of the CRC",
    "EMK",
    "Istanbulkonvensjonen",
    "barnekonvensjonen",
    "FNs kvinnekonvensjon",
    "Oslo, 30. november 2019",
    "30.11.2019",
    "12 January 2021",
    "D:20191130120000+01'00'",
    "2019-11-30-",
    "Høringssvar – ",
    "Innspill",
    "Dato:",
    "æ",
    "ø",
    "å",
    "Å",
    "é",
    "\u{0}",
    "\u{FEFF}",
    "\u{200B}",
    "\u{0301}",
    "😀",
    "\\",
    "\\u",
    "\u{1F}",
    "#",
    "%",
    "&",
    "<",
    ">",
];

fn seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for dir in ["documents", "samples"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml" || e == "txt") {
                let mut bytes = std::fs::read(&path).unwrap();
                bytes.truncate(3000);
                seeds.push(bytes);
                seeds.push(path.file_name().unwrap().as_encoded_bytes().to_vec());
            }
        }
    }
    seeds
}

fn random_input(rng: &mut StdRng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut out: Vec<u8> = if rng.random_bool(0.5) {
        seeds.choose(rng).unwrap().clone()
    } else {
        Vec::new()
    };
    for _ in 0..rng.random_range(1..12) {
        let at = if out.is_empty() {
            0
        } else {
            rng.random_range(0..=out.len())
        };
        match rng.random_range(0..6) {
            0 | 1 => {
                let t = TOKENS.choose(rng).unwrap().as_bytes();
                out.splice(at..at, t.iter().copied());
            }
            2 => {
                let end = (at + rng.random_range(0..64)).min(out.len());
                out.drain(at..end);
            }
            3 => {
                let end = (at + rng.random_range(0..64)).min(out.len());
                let piece = out[at..end].to_vec();
                out.splice(at..at, piece);
            }
            4 => {
                let b: u8 = rng.random();
                out.insert(at, b);
            }
            _ => {
                let c: char = rng.random_range('\u{20}'..'\u{2FF}');
                let mut buf = [0u8; 4];
                out.splice(at..at, c.encode_utf8(&mut buf).bytes());
            }
        }
    }
    out
}

/// Runs `check` on random inputs for `millis`; returns (executions, failures).
fn run(name: &str, check: fn(&[u8]), millis: u64) -> (usize, Vec<String>) {
    let seeds = seeds();
    let (mut rng, seed) = super::seeded_rng(&format!("fuzz-stable target={name}"));
    let deadline = Instant::now() + Duration::from_millis(millis);
    let (mut runs, mut failures) = (0, Vec::new());
    let mut slowest = Duration::ZERO;
    while Instant::now() < deadline {
        let input = random_input(&mut rng, &seeds);
        let t = Instant::now();
        if catch_unwind(AssertUnwindSafe(|| check(&input))).is_err() && failures.len() < 5 {
            failures.push(format!("{:?}", String::from_utf8_lossy(&input)));
        }
        slowest = slowest.max(t.elapsed());
        runs += 1;
    }
    println!(
        "HOSTILE fuzz-stable target={name} executions={runs} failures={} slowest-input={:.1}ms seed={seed}",
        failures.len(),
        slowest.as_secs_f64() * 1000.0
    );
    (runs, failures)
}

#[test]
fn text_parsers_survive_random_and_mutated_input() {
    let millis = knob("ARKIV_HOSTILE_FUZZ_MILLIS", 3000);
    let mut all = Vec::new();
    for (name, check) in [
        ("query", checks::query as fn(&[u8])),
        ("sidecar", checks::sidecar),
        ("sidecar_fields", checks::sidecar_fields),
        ("tagging", checks::tagging),
        ("highlight", checks::highlight),
    ] {
        let (runs, failures) = run(name, check, millis);
        assert!(runs > 0);
        all.extend(failures.into_iter().map(|f| format!("{name}: {f}")));
    }
    assert!(all.is_empty(), "{all:#?}");
}

/// Inputs that once broke a check, or that sit on an edge the fuzzers found interesting.
#[test]
fn fuzz_regressions() {
    for input in [
        &b""[..],
        b"\"",
        b"-",
        b"OR",
        b"\xff\xfe",
        b"tittel:\"",
        b"artikkel:istanbul:",
        b"\xc3",
    ] {
        checks::query(input);
        checks::sidecar(input);
        checks::sidecar_fields(input);
        checks::tagging(input);
        checks::highlight(input);
    }
}
