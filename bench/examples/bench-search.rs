//! Search latency and throughput over the fixed query mix, in-process and over HTTP.
//!
//!     bench-search inproc --index DIR [--rounds R] [--budget S] [--threads T] [--seconds S] [--queries K]
//!                         [--limit N] [--pages-per-hit N] [--expansion on|off]
//!                         [--search-threads N] [--sort relevance|newest|oldest]
//!     bench-search serve  --index DIR --addr 127.0.0.1:PORT [--no-cache]
//!     bench-search http   --url http://127.0.0.1:PORT [--rounds R] [--budget S] [--queries K]
//!     bench-search stats  --index DIR
//!     bench-search suggest --index DIR [--rounds R] [--budget S]
//!
//! `inproc` runs `ArchiveIndex::search_uncached` as the web runs a search it has not seen (20 hits, facets, 3 pages
//! of snippets per hit): per-query latency on one thread, then queries/s with T threads.
//! `--search-threads N` lets one search use N cores (1: its own thread only; default: the
//! index's own choice, every core from 100,000 records).
//! `--sort newest` ranks the same matches by date, which scores none of them: the mix's
//! time without relevance scoring, for profiling.
//! `--expansion off` searches the exact words only (no thesaurus terms, no other written
//! standard); with `ARKIV_HUNSPELL_DIR` naming a folder without the word lists, compounds
//! are not split either: the Norwegian analysis off, for the on/off comparison of
//! BENCHMARKS.md.
//! `serve` serves an existing index read-only (the web archive without staff features and
//! without ingest, so a synthetic index is not touched). `http` times `/api/search` over one
//! keep-alive connection. `stats` counts an index's documents, pages and text bytes.
//! `suggest` times the suggestions as you type as `/api/suggest` computes them (the index's
//! titles and words, the conventions, the laws and the sample consultations): every prefix
//! of 2 to 20 characters of the mix's query texts, as typed key by key, after building the
//! lists once (whose time it reports). Each
//! prints one JSON object. Part of the harness run by `bench/run.sh`.

use arkiv_bench as support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use arkiv::index::{ArchiveIndex, Sort};
use serde_json::json;
use support::queries::BenchQuery;
use support::stats::{self, Latency};

/// How many of the slowest queries `inproc` names, by their median time.
const SLOWEST: usize = 12;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let index_dir: Option<PathBuf> = support::arg(&args, "--index");
    let rounds = support::arg(&args, "--rounds").unwrap_or(5);
    let budget = support::arg(&args, "--budget").unwrap_or(60.0);
    match args.first().map(String::as_str) {
        Some("inproc") => {
            let mut index = ArchiveIndex::open_or_create(&index_dir.context("--index DIR")?)?;
            if let Some(threads) = support::arg::<usize>(&args, "--search-threads") {
                index = index.with_search_threads(threads, 0);
            }
            let mix = mix(&args)?;
            let threads = support::arg(&args, "--threads").unwrap_or(2);
            let seconds = support::arg(&args, "--seconds").unwrap_or(10.0);
            // Variants for profiling: fewer hits or snippet pages than the web asks for.
            let limit: Option<usize> = support::arg(&args, "--limit");
            let pages: Option<usize> = support::arg(&args, "--pages-per-hit");
            let expansion = match support::arg::<String>(&args, "--expansion").as_deref() {
                None | Some("on") => true,
                Some("off") => false,
                Some(other) => bail!("--expansion on|off, not {other}"),
            };
            let sort = match support::arg::<String>(&args, "--sort").as_deref() {
                None | Some("relevance") => Sort::Relevance,
                Some("newest") => Sort::Newest,
                Some("oldest") => Sort::Oldest,
                Some(other) => bail!("--sort relevance|newest|oldest, not {other}"),
            };
            let request = |q: &BenchQuery| {
                let mut r = q.request();
                r.limit = limit.unwrap_or(r.limit);
                r.pages_per_hit = pages.unwrap_or(r.pages_per_hit);
                r.exact = !expansion;
                r.sort = sort;
                r
            };
            let mut hits = 0usize;
            let mut per_class: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
            // Each query's times, to name the slowest (the queries behind p99).
            let mut per_query: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            let mut warm = true;
            let mut digests: Vec<String> = Vec::with_capacity(mix.len());
            let (latency, totals) = stats::measure(&mix, rounds, budget, |q| {
                let t = std::time::Instant::now();
                let r = index.search_uncached(&request(q)).expect("search");
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                if warm {
                    digests.push(digest(&r));
                } else {
                    per_class.entry(q.class).or_default().push(ms);
                    per_query
                        .entry(format!("{}: {}", q.class, q.arkiv()))
                        .or_default()
                        .push(ms);
                    hits += r.hits.len();
                }
                if std::ptr::eq(q, &mix[mix.len() - 1]) {
                    warm = false;
                }
                r.total as i64
            });
            let classes: BTreeMap<&str, Latency> = per_class
                .into_iter()
                .map(|(k, v)| (k, Latency::from_ms(v)))
                .collect();
            let mut slowest: Vec<(f64, String)> = per_query
                .into_iter()
                .map(|(query, mut ms)| {
                    ms.sort_by(f64::total_cmp);
                    (ms[ms.len() / 2], query)
                })
                .collect();
            slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
            slowest.truncate(SLOWEST);
            let throughput = (threads > 0).then(|| {
                stats::throughput(&mix, threads, seconds, |_| {
                    let index = index.clone();
                    let request = &request;
                    move |q: &BenchQuery| {
                        index.search_uncached(&request(q)).expect("search");
                    }
                })
            });
            println!(
                "{}",
                json!({
                    "documents": index.document_count()?,
                    "splitting": arkiv::index::splitting(),
                    "expansion": expansion,
                    "sort": sort,
                    "queries": mix.len(),
                    "hits_returned": hits,
                    "latency": latency,
                    "per_class": classes,
                    "slowest_median_ms": slowest
                        .iter()
                        .map(|(ms, query)| json!({"query": query, "median_ms": ms}))
                        .collect::<Vec<_>>(),
                    "throughput": throughput,
                    "facet_table_bytes": index.facet_table_bytes(),
                    "totals": totals,
                    "digests": digests,
                })
            );
        }
        Some("serve") => {
            let mut index = ArchiveIndex::open_or_create(&index_dir.context("--index DIR")?)?;
            if args.iter().any(|a| a == "--no-cache") {
                index = index.with_result_cache(0);
            }
            let addr: SocketAddr = support::arg(&args, "--addr").context("--addr ADDR")?;
            // An empty documents folder: the benchmark serves search and document pages only.
            let empty = tempfile::tempdir()?;
            let state = arkiv::web::AppState::new(
                index,
                arkiv::library::Library::new(empty.path()),
                &format!("http://{addr}"),
            );
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(arkiv::web::serve(addr, state))?;
        }
        Some("http") => {
            let url: String = support::arg(&args, "--url").context("--url URL")?;
            let addr = url
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string();
            let mix = mix(&args)?;
            let mut client = Client::connect(&addr)?;
            let mut errors = 0usize;
            let mut bytes = 0usize;
            let (latency, _) = stats::measure(&mix, rounds, budget, |q| {
                match client.get(&q.api_path()) {
                    Ok((200, n)) => bytes += n,
                    _ => errors += 1,
                }
                0
            });
            println!(
                "{}",
                json!({"queries": mix.len(), "errors": errors, "bytes": bytes, "latency": latency})
            );
        }
        Some("stats") => {
            let index = ArchiveIndex::open_or_create(&index_dir.context("--index DIR")?)?;
            let mut pages = 0usize;
            let mut text_bytes = 0usize;
            let docs = index.documents()?;
            for d in &docs {
                if let Some(s) = index.document(&d.submission.id)? {
                    pages += s.pages.len();
                    text_bytes += s.pages.iter().map(String::len).sum::<usize>();
                }
            }
            println!(
                "{}",
                json!({"docs": docs.len(), "pages": pages, "text_bytes": text_bytes})
            );
        }
        Some("suggest") => {
            let index = ArchiveIndex::open_or_create(&index_dir.context("--index DIR")?)?;
            let (consultations, _) = arkiv::consultations::Consultations::load(
                &support::samples_dir().join("consultations"),
            );
            let built = std::time::Instant::now();
            let lists = index.completions()?;
            let build_ms = built.elapsed().as_secs_f64() * 1000.0;
            let (titles, words) = lists.sizes();
            let mut typed: Vec<String> = Vec::new();
            for q in mix(&args)? {
                let mut text: Vec<String> = q.words.clone();
                text.extend(q.phrase.iter().cloned());
                text.extend(q.prefix.iter().cloned());
                let text = text.join(" ");
                let chars: Vec<char> = text.chars().collect();
                for n in 2..=chars.len().min(20) {
                    typed.push(chars[..n].iter().collect());
                }
            }
            let mut per_length: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
            let mut warm = true;
            let last = typed.len().saturating_sub(1);
            let (latency, counts) = stats::measure(&typed, rounds, budget, |t| {
                let start = std::time::Instant::now();
                let found = match arkiv::suggest::Prefix::parse(t).expect("typed text is valid") {
                    Some(prefix) => {
                        let matches = index
                            .suggestions(&prefix, arkiv::suggest::LIMIT)
                            .expect("suggestions");
                        arkiv::suggest::suggest(&prefix, false, &consultations, &matches).len()
                    }
                    None => 0,
                };
                if !warm {
                    per_length
                        .entry(t.chars().count().min(5))
                        .or_default()
                        .push(start.elapsed().as_secs_f64() * 1000.0);
                }
                if std::ptr::eq(t, &typed[last]) {
                    warm = false;
                }
                found as i64
            });
            let by_length: BTreeMap<String, Latency> = per_length
                .into_iter()
                .map(|(n, v)| {
                    let key = if n >= 5 {
                        "5+".to_string()
                    } else {
                        n.to_string()
                    };
                    (key, Latency::from_ms(v))
                })
                .collect();
            let empty = counts.iter().filter(|&&n| n == 0).count();
            println!(
                "{}",
                json!({
                    "documents": index.document_count()?,
                    "build_ms": build_ms,
                    "titles": titles,
                    "words": words,
                    "prefixes": typed.len(),
                    "prefixes_without_suggestions": empty,
                    "latency": latency,
                    "by_typed_chars": by_length,
                })
            );
        }
        _ => bail!("usage: bench-search inproc|serve|http|stats|suggest (see the file's header)"),
    }
    Ok(())
}

fn mix(args: &[String]) -> Result<Vec<BenchQuery>> {
    let model = support::corpus::Model::from_samples(&support::samples_dir())?;
    let seed = support::arg(args, "--seed").unwrap_or(2025);
    let mut mix = support::queries::mix(&model, seed);
    if let Some(k) = support::arg::<usize>(args, "--queries") {
        mix.truncate(k.max(1));
    }
    Ok(mix)
}

/// A minimal HTTP/1.1 client on one keep-alive connection: just enough for timing GETs
/// without a client library's own overhead in the numbers.
struct Client {
    host: String,
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: &str) -> Result<Client> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Client {
            host: addr.to_string(),
            reader: BufReader::new(stream),
        })
    }

    /// Status and body length.
    fn get(&mut self, path: &str) -> Result<(u16, usize)> {
        let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.host);
        self.reader.get_mut().write_all(request.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("bad status line")?;
        let mut length = None;
        let mut chunked = false;
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let lower = header.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse::<usize>().ok();
            } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)?;
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk)?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            body.resize(length.unwrap_or(0), 0);
            self.reader.read_exact(&mut body)?;
        }
        Ok((status, body.len()))
    }
}

/// What a search answered, as a short fingerprint (FNV-1a over the hits in order, their
/// pages and snippets, and the facet counts), so two runs of the mix can be compared for
/// the same results.
fn digest(r: &arkiv::index::SearchResults) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(r.total.to_string().as_bytes());
    for hit in &r.hits {
        eat(hit.submission.id.as_str().as_bytes());
        for page in &hit.pages {
            eat(&page.page.to_le_bytes());
            eat(format!("{:?}", page.snippet).as_bytes());
        }
    }
    eat(serde_json::to_string(&r.facets)
        .unwrap_or_default()
        .as_bytes());
    format!("{h:016x}")
}
