//! Latency percentiles and throughput, printed as JSON by every runner.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub samples: usize,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// One client, one query after the other: 1000 / mean.
    pub qps_sequential: f64,
}

impl Latency {
    pub fn from_ms(mut ms: Vec<f64>) -> Latency {
        ms.sort_by(|a, b| a.total_cmp(b));
        let n = ms.len().max(1);
        let pick = |p: f64| {
            if ms.is_empty() {
                return 0.0;
            }
            // Nearest rank.
            let rank = ((p * n as f64).ceil() as usize).clamp(1, ms.len());
            ms[rank - 1]
        };
        let mean = ms.iter().sum::<f64>() / n as f64;
        Latency {
            samples: ms.len(),
            mean_ms: mean,
            p50_ms: pick(0.50),
            p95_ms: pick(0.95),
            p99_ms: pick(0.99),
            max_ms: ms.last().copied().unwrap_or(0.0),
            qps_sequential: if mean > 0.0 { 1000.0 / mean } else { 0.0 },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    pub threads: usize,
    pub queries: usize,
    pub seconds: f64,
    pub qps: f64,
}

/// Runs the mix once to warm caches (keeping what each query returns, e.g. its number of
/// matches), then `rounds` more times timing each query, stopping early once `budget_s`
/// seconds have passed (at least one measured round).
pub fn measure<Q, F>(queries: &[Q], rounds: usize, budget_s: f64, mut run: F) -> (Latency, Vec<i64>)
where
    F: FnMut(&Q) -> i64,
{
    let totals: Vec<i64> = queries.iter().map(&mut run).collect();
    let started = std::time::Instant::now();
    let mut ms = Vec::with_capacity(queries.len() * rounds);
    for round in 0..rounds.max(1) {
        if round > 0 && started.elapsed().as_secs_f64() > budget_s {
            break;
        }
        for q in queries {
            let t = std::time::Instant::now();
            std::hint::black_box(run(q));
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    (Latency::from_ms(ms), totals)
}

/// `threads` workers take queries from the mix in turn (each starting at a different
/// offset) for `seconds`; returns the completed queries per second.
pub fn throughput<Q, W, F>(
    queries: &[Q],
    threads: usize,
    seconds: f64,
    make_worker: F,
) -> Throughput
where
    Q: Sync,
    W: FnMut(&Q),
    F: Fn(usize) -> W + Sync,
{
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let stop = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let started = std::time::Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let stop = &stop;
            let done = &done;
            let make_worker = &make_worker;
            s.spawn(move || {
                let mut work = make_worker(t);
                let mut i = t * queries.len() / threads.max(1);
                while !stop.load(Ordering::Relaxed) {
                    work(&queries[i % queries.len()]);
                    done.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            });
        }
        std::thread::sleep(std::time::Duration::from_secs_f64(seconds));
        stop.store(true, Ordering::Relaxed);
    });
    let elapsed = started.elapsed().as_secs_f64();
    let queries = done.load(Ordering::Relaxed);
    Throughput {
        threads,
        queries,
        seconds: elapsed,
        qps: queries as f64 / elapsed,
    }
}
