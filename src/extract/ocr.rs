//! OCR for pages without a text layer (scans), with Tesseract.
//!
//! After the text extractors have run, every page with (almost) no text is read again from
//! its image: a worker process of the arkiv binary, bounded in memory like every extraction
//! worker and in time by what is left of the file's bound, renders the page with poppler's
//! `pdftoppm` and becomes `tesseract`, which prints one row per word with its confidence.
//! Pages run in parallel on the caller's rayon pool, and what OCR read is kept in a cache
//! folder by the PDF's content hash, so a re-ingest or a `reindex` never reads a page twice.
//! Without Tesseract (or pdftoppm) the pages stay empty, the document keeps its `no_text`
//! status, and the run says so once.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::coverage;
use super::process::{describe_failure, find_on_path, finish, spawn_worker};
use super::{Engine, ExtractConfig, ExtractError, Extracted};
use crate::model::{DocId, OcrInfo};

/// Tesseract's models for the archive's languages, in order of preference.
pub const LANGUAGES: [&str; 2] = ["nor", "eng"];

/// A page whose text layer has fewer letters and digits than this is read by OCR too: a
/// scan often carries a stamped page number or a few words of invisible text.
pub const MIN_LAYER_CHARS: usize = 20;

/// Resolution pages are rendered at: what Tesseract is trained for.
const DPI: f64 = 300.0;

/// Pages larger than A3 are rendered at less than [`DPI`] so that a poster does not become an
/// image of hundreds of megapixels (A3 at 300 dpi is 17 megapixels).
const MAX_PIXELS: f64 = 24e6;

/// Bump when what a cached page means changes (rendering, parsing), so old entries are
/// read again.
const CACHE_FORMAT: u32 = 1;

/// What OCR read on one page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageOcr {
    /// Words joined by spaces, lines by `\n`, paragraphs by a blank line.
    pub text: String,
    /// Words Tesseract gave a confidence for.
    pub words: usize,
    /// Their mean confidence, 0–100 (0 when there are none).
    pub mean_confidence: f64,
    /// Where each word is, for marking hits on the page's image (absent in entries cached
    /// before places were kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<WordPlace>,
}

/// One word OCR read and its box, as fractions (0–1) of the page image's width and height
/// from its top left corner, so they hold at whatever size the page is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WordPlace {
    pub text: String,
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

/// Reads Tesseract's `tsv` output: one row per layout element, words at level 5 with their
/// confidence; the block, paragraph and line numbers give the layout back.
pub fn parse_tsv(tsv: &str) -> PageOcr {
    let mut text = String::new();
    let mut words = 0usize;
    let mut confidence_sum = 0.0;
    let mut previous: Option<(u32, u32, u32)> = None;
    let mut places = Vec::new();
    // The page's size in pixels, from its level-1 row.
    let mut page_size: Option<(f64, f64)> = None;
    for row in tsv.lines() {
        let columns: Vec<&str> = row.split('\t').collect();
        let pixels = |i: usize| columns.get(i).and_then(|c| c.trim().parse::<f64>().ok());
        if columns.len() >= 10 && columns[0] == "1" {
            page_size = pixels(8)
                .zip(pixels(9))
                .filter(|(w, h)| *w > 0.0 && *h > 0.0);
        }
        if columns.len() < 12 || columns[0] != "5" {
            continue;
        }
        let word = columns[11..].join("\t");
        let word = word.trim();
        if word.is_empty() {
            continue;
        }
        let number = |i: usize| columns[i].trim().parse::<u32>().unwrap_or(0);
        let place = (number(2), number(3), number(4));
        match previous {
            Some((block, paragraph, _)) if (block, paragraph) != (place.0, place.1) => {
                text.push_str("\n\n")
            }
            Some(line) if line != place => text.push('\n'),
            Some(_) => text.push(' '),
            None => {}
        }
        previous = Some(place);
        text.push_str(word);
        if let (Some((width, height)), Some(left), Some(top), Some(w), Some(h)) =
            (page_size, pixels(6), pixels(7), pixels(8), pixels(9))
        {
            places.push(WordPlace {
                text: word.to_string(),
                left: left / width,
                top: top / height,
                right: (left + w) / width,
                bottom: (top + h) / height,
            });
        }
        if let Ok(confidence) = columns[10].trim().parse::<f64>()
            && confidence >= 0.0
        {
            words += 1;
            confidence_sum += confidence;
        }
    }
    PageOcr {
        text,
        words,
        mean_confidence: if words == 0 {
            0.0
        } else {
            confidence_sum / words as f64
        },
        places,
    }
}

/// The word places OCR found on the pages of document `id`, by page, from the OCR cache
/// (none when there is no cache or no entry).
pub fn cached_places(config: &ExtractConfig, id: &DocId) -> BTreeMap<u32, Vec<WordPlace>> {
    let Some(dir) = config.ocr_cache.as_ref() else {
        return BTreeMap::new();
    };
    load_cache(&dir.join(format!("{id}.json")), config)
        .into_iter()
        .filter(|(_, page)| !page.places.is_empty())
        .map(|(number, page)| (number, page.places))
        .collect()
}

/// Which of [`LANGUAGES`] the Tesseract at `tesseract` has models for, joined by `+`; `None`
/// when it has none of them (or cannot be run).
pub(crate) fn installed_languages(tesseract: &Path) -> Option<String> {
    let out = Command::new(tesseract)
        .arg("--list-langs")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    // Tesseract 4 printed the list on stderr, 5 prints it on stdout.
    let listed = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let have: Vec<&str> = LANGUAGES
        .into_iter()
        .filter(|lang| listed.lines().any(|l| l.trim() == *lang))
        .collect();
    (!have.is_empty()).then(|| have.join("+"))
}

/// The program OCR needs and cannot find, if any.
fn missing_tool(config: &ExtractConfig) -> Option<&'static str> {
    if config.tesseract.is_none() {
        Some("tesseract")
    } else if config.pdftoppm.is_none() {
        Some("pdftoppm")
    } else {
        None
    }
}

/// The body of `arkiv extract-worker --engine ocr --page N`, after the worker has bounded
/// itself: prints Tesseract's TSV for one page, or nothing for a page without any image (a
/// blank page, or vector drawings, which hold no scanned text). The process becomes
/// tesseract (exec), reading the page image from a pdftoppm child through a pipe, so the
/// caller's deadline stops the OCR itself and no temporary image is left on disk.
pub(crate) fn run_page_worker(path: &Path, page: u32, languages: &str) -> ExitCode {
    use std::os::unix::process::CommandExt;

    if !page_has_image(path, page) {
        return ExitCode::SUCCESS;
    }
    let dpi = render_dpi(path, page).to_string();
    let page = page.to_string();
    let pdftoppm = find_on_path("pdftoppm").unwrap_or_else(|| "pdftoppm".into());
    // PGM rather than PNG: compressing a noisy page image costs more than reading it.
    let render = Command::new(pdftoppm)
        .args(["-r", &dpi, "-f", &page, "-l", &page, "-gray"])
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // Not the caller's pipe: a renderer left behind by a killed tesseract must not keep
        // the caller waiting for the end of its stderr.
        .stderr(Stdio::null())
        .spawn();
    let mut render = match render {
        Ok(child) => child,
        Err(e) => {
            eprintln!("cannot run pdftoppm: {e}");
            return ExitCode::from(3);
        }
    };
    let Some(image) = render.stdout.take() else {
        eprintln!("cannot read pdftoppm's output");
        return ExitCode::from(3);
    };
    let tesseract = find_on_path("tesseract").unwrap_or_else(|| "tesseract".into());
    let err = Command::new(tesseract)
        .args(["stdin", "stdout", "-l", languages, "--dpi", &dpi, "tsv"])
        // Pages already run in parallel, one process per core; Tesseract's own threads
        // would only compete with them.
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::from(image))
        .exec();
    eprintln!("cannot run tesseract: {err}");
    let _ = render.kill();
    ExitCode::from(3)
}

/// Whether `pdfimages` lists an image on the page; true when it cannot tell.
fn page_has_image(path: &Path, page: u32) -> bool {
    let Some(pdfimages) = find_on_path("pdfimages") else {
        return true;
    };
    let page = page.to_string();
    let out = Command::new(pdfimages)
        .args(["-list", "-f", &page, "-l", &page])
        .arg(path)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match out {
        // Two header lines, then one line per image.
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .skip(2)
            .any(|l| !l.trim().is_empty()),
        _ => true,
    }
}

/// [`DPI`], or less for pages so large that [`MAX_PIXELS`] would be exceeded.
fn render_dpi(path: &Path, page: u32) -> u32 {
    let size = find_on_path("pdfinfo").and_then(|pdfinfo| {
        let page = page.to_string();
        let out = Command::new(pdfinfo)
            .args(["-f", &page, "-l", &page])
            .arg(path)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        page_size_points(&String::from_utf8_lossy(&out.stdout))
    });
    dpi_for(size)
}

/// The page size from pdfinfo's `Page    1 size: 595.276 x 841.89 pts (A4)` line.
fn page_size_points(pdfinfo: &str) -> Option<(f64, f64)> {
    let line = pdfinfo
        .lines()
        .find(|l| l.starts_with("Page") && l.contains("size:"))?;
    let rest = line.split("size:").nth(1)?;
    let mut numbers = rest
        .split_whitespace()
        .filter_map(|t| t.parse::<f64>().ok());
    let (w, h) = (numbers.next()?, numbers.next()?);
    (w > 0.0 && h > 0.0).then_some((w, h))
}

fn dpi_for(size: Option<(f64, f64)>) -> u32 {
    let Some((w, h)) = size else {
        return DPI as u32;
    };
    let square_inches = (w / 72.0) * (h / 72.0);
    let fitting = (MAX_PIXELS / square_inches).sqrt();
    fitting.clamp(36.0, DPI) as u32
}

/// Reads the pages of `extracted` that have (almost) no text with OCR, from the cache where
/// it already holds them, and records what came from OCR in the text source and in
/// `extracted.metadata.ocr`. Pages not read by `deadline` stay as they are; what was read
/// is cached, so the next extraction of the file goes on from there.
pub(crate) fn read_scanned_pages(
    path: &Path,
    extracted: &mut Extracted,
    config: &ExtractConfig,
    deadline: Instant,
) {
    let wanted: Vec<u32> = extracted
        .pages
        .iter()
        .enumerate()
        .filter(|(_, text)| text.chars().filter(|c| c.is_alphanumeric()).count() < MIN_LAYER_CHARS)
        .map(|(i, _)| i as u32 + 1)
        .collect();
    if wanted.is_empty() {
        return;
    }

    let cache_file = cache_file(path, config);
    let mut known = cache_file
        .as_deref()
        .map(|file| load_cache(file, config))
        .unwrap_or_default();
    let missing: Vec<u32> = wanted
        .iter()
        .copied()
        .filter(|p| !known.contains_key(p))
        .collect();

    let mut problems: Vec<String> = Vec::new();
    if !missing.is_empty() {
        match missing_tool(config) {
            Some(tool) => {
                if !config.ocr_warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "{tool} er ikke installert: skannede dokumenter indekseres uten tekst / \
                         {tool} is not installed: scanned documents are indexed without text"
                    );
                }
                problems.push(format!("no OCR: {tool} is not installed"));
            }
            None => {
                let mut fresh = 0;
                let mut failed: BTreeMap<String, Vec<u32>> = BTreeMap::new();
                for (page, result) in ocr_pages(path, &missing, config, deadline) {
                    match result {
                        Ok(Some(text)) => {
                            known.insert(page, text);
                            fresh += 1;
                        }
                        // Not worth a cache entry: finding that out is cheap.
                        Ok(None) => {}
                        Err(reason) => failed.entry(reason).or_default().push(page),
                    }
                }
                if fresh > 0
                    && let Some(file) = &cache_file
                    && let Err(e) = store_cache(file, config, &known)
                {
                    tracing::warn!("cannot write the OCR cache {}: {e}", file.display());
                }
                for (reason, pages) in failed {
                    problems.push(format!("OCR of {} failed: {reason}", page_list(&pages)));
                }
            }
        }
    }

    let mut pages_read = 0usize;
    let mut words = 0usize;
    let mut confidence_sum = 0.0;
    for page in &wanted {
        let Some(read) = known.get(page) else {
            continue;
        };
        if coverage::words(&read.text).is_empty() {
            continue;
        }
        let slot = &mut extracted.pages[*page as usize - 1];
        // The text layer's few words are kept unless OCR found them all: they are exact.
        *slot = if coverage::word_coverage(&read.text, slot) >= 1.0 {
            read.text.clone()
        } else {
            format!("{}\n\n{}", slot.trim_end(), read.text)
        };
        pages_read += 1;
        words += read.words;
        confidence_sum += read.mean_confidence * read.words as f64;
    }

    let total = extracted.pages.len();
    if pages_read > 0 {
        let mean_confidence = if words == 0 {
            0.0
        } else {
            confidence_sum / words as f64
        };
        extracted.metadata.ocr = Some(OcrInfo {
            pages: pages_read,
            mean_confidence: mean_confidence as f32,
        });
        let from_ocr = format!("OCR (tesseract {})", config.ocr_languages);
        extracted.source = if pages_read == total {
            from_ocr
        } else {
            format!(
                "{}; {pages_read} of {total} pages from {from_ocr}",
                extracted.source
            )
        };
    }
    for problem in problems {
        extracted.source = format!("{}; {problem}", extracted.source);
    }
}

/// Runs the OCR worker on each page, in parallel on the current rayon pool, until
/// `deadline`; `None` for a page without images.
fn ocr_pages(
    path: &Path,
    pages: &[u32],
    config: &ExtractConfig,
    deadline: Instant,
) -> Vec<(u32, Result<Option<PageOcr>, String>)> {
    let out_of_time = || {
        format!(
            "not read within the file's time bound of {} s",
            config.timeout.as_secs()
        )
    };
    pages
        .par_iter()
        .map(|&page| {
            // Starting a worker for less than a second would only waste it.
            let left = deadline.saturating_duration_since(Instant::now());
            if left < Duration::from_secs(1) {
                return (page, Err(out_of_time()));
            }
            let result = match ocr_page(config, path, page, deadline) {
                Ok(tsv) if tsv.is_empty() => Ok(None),
                Ok(tsv) => Ok(Some(parse_tsv(&String::from_utf8_lossy(&tsv)))),
                Err(ExtractError::Timeout(_)) => Err(out_of_time()),
                Err(ExtractError::Unreadable(reason)) => Err(reason),
                Err(e) => Err(e.to_string()),
            };
            (page, result)
        })
        .collect()
}

/// Tesseract's TSV for one page of `path` (empty for a page without images), from an OCR
/// worker bounded in memory like every worker and in time by the file's `deadline`.
fn ocr_page(
    config: &ExtractConfig,
    path: &Path,
    page: u32,
    deadline: Instant,
) -> Result<Vec<u8>, ExtractError> {
    let worker = spawn_worker(config, Engine::Ocr, path, Some(page), deadline)?;
    let result = finish(worker, config)?;
    if !result.status.success() {
        return Err(describe_failure(&result));
    }
    Ok(result.stdout)
}

/// `page 3` or `pages 1–4, 7`.
fn page_list(pages: &[u32]) -> String {
    let mut pages = pages.to_vec();
    pages.sort_unstable();
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for page in pages {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == page => *end = page,
            _ => runs.push((page, page)),
        }
    }
    let listed: Vec<String> = runs
        .iter()
        .map(|&(start, end)| {
            if start == end {
                start.to_string()
            } else {
                format!("{start}–{end}")
            }
        })
        .collect();
    let noun = if runs.len() == 1 && runs[0].0 == runs[0].1 {
        "page"
    } else {
        "pages"
    };
    format!("{noun} {}", listed.join(", "))
}

/// What the cache keeps for one PDF.
#[derive(Serialize, Deserialize)]
struct CacheEntry {
    format: u32,
    languages: String,
    /// By 1-based page number.
    pages: BTreeMap<u32, PageOcr>,
}

/// `<cache>/<document id>.json`, when a cache folder is configured.
fn cache_file(path: &Path, config: &ExtractConfig) -> Option<PathBuf> {
    let dir = config.ocr_cache.as_ref()?;
    let bytes = std::fs::read(path).ok()?;
    Some(dir.join(format!("{}.json", DocId::from_content(&bytes))))
}

/// The cached pages; none when the entry is missing, damaged, or made otherwise.
fn load_cache(file: &Path, config: &ExtractConfig) -> BTreeMap<u32, PageOcr> {
    let Ok(bytes) = std::fs::read(file) else {
        return BTreeMap::new();
    };
    match serde_json::from_slice::<CacheEntry>(&bytes) {
        Ok(entry) if entry.format == CACHE_FORMAT && entry.languages == config.ocr_languages => {
            entry.pages
        }
        _ => BTreeMap::new(),
    }
}

/// Written to a temporary file and renamed, so a reader never sees half an entry.
fn store_cache(
    file: &Path,
    config: &ExtractConfig,
    pages: &BTreeMap<u32, PageOcr>,
) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let entry = CacheEntry {
        format: CACHE_FORMAT,
        languages: config.ocr_languages.clone(),
        pages: pages.clone(),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(&mut temp, &entry).map_err(std::io::Error::other)?;
    temp.flush()?;
    temp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_gives_lines_paragraphs_and_mean_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tOslo,\n\
                   5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t80\t30.\n\
                   5\t1\t1\t1\t2\t1\t0\t0\t1\t1\t70\tnovember\n\
                   5\t1\t2\t1\t1\t1\t25\t50\t50\t10\t60\tHøringssvar\n\
                   5\t1\t2\t1\t1\t2\t0\t0\t1\t1\t-1\t \n";
        let page = parse_tsv(tsv);
        assert_eq!(page.text, "Oslo, 30.\nnovember\n\nHøringssvar");
        assert_eq!(page.places.len(), 4);
        assert_eq!(page.places[3].text, "Høringssvar");
        assert_eq!(
            (
                page.places[3].left,
                page.places[3].top,
                page.places[3].right
            ),
            (0.25, 0.5, 0.75)
        );
        assert_eq!(page.words, 4);
        assert!((page.mean_confidence - 75.0).abs() < 1e-9);
        assert_eq!(parse_tsv(""), PageOcr::default());
    }

    #[test]
    fn page_lists_are_short() {
        assert_eq!(page_list(&[3]), "page 3");
        assert_eq!(page_list(&[7, 1, 2, 3, 4]), "pages 1–4, 7");
    }

    #[test]
    fn large_pages_are_rendered_below_300_dpi() {
        let info =
            "Pages:           1\nPage    1 size:  595.276 x 841.89 pts (A4)\nPage    1 rot:   0\n";
        let a4 = page_size_points(info);
        assert_eq!(dpi_for(a4), 300);
        assert_eq!(dpi_for(None), 300);
        let poster = dpi_for(Some((2717.0, 3701.0)));
        assert!((90..=120).contains(&poster), "{poster}");
    }
}
