//! Page images and word positions, for reading a document on the web.
//!
//! poppler's `pdftoppm` renders one page to a small PNG, and `pdftotext -bbox` gives the box
//! of every word on a run of pages; both run in the same bounded worker processes as
//! extraction (memory and CPU bounded by the worker, wall-clock time by the caller, output
//! by [`MAX_IMAGE_BYTES`] and [`MAX_WORDS_BYTES`]). What they make is kept in a cache folder
//! by the PDF's content hash (the document id), beside the OCR cache: derived data that can
//! be deleted at any time and is made again on the next view.
//!
//! Pages are rendered when first viewed, not at ingest: a 2,000-page report would otherwise
//! cost thousands of renderings for pages nobody opens, and ingest stays as fast as the text
//! needs. Each page is rendered once per size; every later view reads the file.

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::process::{describe_failure, find_on_path, finish, spawn_job};
use super::{Engine, ExtractConfig, ExtractError};
use crate::model::DocId;

/// The largest PNG a rendering may print; the pixel box of [`ImageSize`] keeps real pages
/// far below it.
pub const MAX_IMAGE_BYTES: usize = 16 * 1024 * 1024;

/// The largest word list one run of pages may print.
pub const MAX_WORDS_BYTES: usize = 16 * 1024 * 1024;

/// Pages whose words are read in one worker, at most.
pub const MAX_WORD_PAGES: u32 = 50;

/// The wall-clock bound of one rendering or word run (less when the extraction bound is
/// lower): a reader waits for it.
const RENDER_TIMEOUT: Duration = Duration::from_secs(20);

/// Bump when what a cached file means changes, so old files are made again.
const CACHE_FORMAT: u32 = 1;

/// The sizes a page is rendered at, by the longer side of the image in pixels: the page
/// fits in a square box, so no page shape (a strip 1 pt wide) makes a huge image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSize {
    /// Thumbnails in results.
    Thumb,
    /// The page viewer on a phone.
    Medium,
    /// The page viewer on a desktop (and sharp screens).
    Large,
}

impl ImageSize {
    pub const ALL: [ImageSize; 3] = [ImageSize::Thumb, ImageSize::Medium, ImageSize::Large];

    /// The longer side, in pixels.
    pub fn pixels(self) -> u32 {
        match self {
            ImageSize::Thumb => 240,
            ImageSize::Medium => 1000,
            ImageSize::Large => 1500,
        }
    }

    /// The name in URLs and cache files.
    pub fn id(self) -> &'static str {
        match self {
            ImageSize::Thumb => "liten",
            ImageSize::Medium => "middels",
            ImageSize::Large => "stor",
        }
    }

    pub fn from_id(id: &str) -> Option<ImageSize> {
        ImageSize::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The image's width and height in pixels for a page of `width` × `height` points.
    pub fn dimensions(self, width: f64, height: f64) -> (u32, u32) {
        let long = f64::from(self.pixels());
        if !(width > 0.0 && height > 0.0) {
            return (self.pixels(), self.pixels());
        }
        let scale = long / width.max(height);
        (
            ((width * scale).round() as u32).max(1),
            ((height * scale).round() as u32).max(1),
        )
    }
}

/// Where the words of one page are, for marking hits on its image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageWords {
    /// The page's size in points (1/72 inch).
    pub width: f64,
    pub height: f64,
    pub words: Vec<WordBox>,
}

/// One word and its box, in points from the page's top left corner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WordBox {
    pub text: String,
    pub x_min: f64,
    pub y_min: f64,
    pub x_max: f64,
    pub y_max: f64,
}

/// Why a page image or its words could not be had.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("pages cannot be shown as images: {0} is not installed")]
    NotInstalled(&'static str),
    #[error("the document has no page {page} (it has {pages})")]
    NoSuchPage { page: u32, pages: u32 },
    #[error("the page could not be rendered: {0}")]
    Failed(#[from] ExtractError),
    #[error("the renderer printed more than {0} bytes")]
    TooLarge(usize),
    #[error("the page cache cannot be used: {0}")]
    Cache(#[source] std::io::Error),
}

/// Renders pages and reads word boxes in bounded workers, keeping both in a cache folder.
#[derive(Debug, Clone)]
pub struct PageCache {
    dir: PathBuf,
    config: ExtractConfig,
}

impl PageCache {
    /// A cache in `dir` (made when first written), rendering with `config`'s worker, memory
    /// bound and programs.
    pub fn new(dir: impl Into<PathBuf>, config: ExtractConfig) -> PageCache {
        PageCache {
            dir: dir.into(),
            config,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The extraction settings it renders with (worker, bounds, programs, the OCR cache).
    pub fn config(&self) -> &ExtractConfig {
        &self.config
    }

    /// Whether pages can be rendered (poppler's `pdftoppm` is installed).
    pub fn can_render(&self) -> bool {
        self.config.pdftoppm.is_some()
    }

    /// Whether word boxes can be read (poppler's `pdftotext` is installed).
    pub fn can_read_words(&self) -> bool {
        self.config.pdftotext.is_some()
    }

    /// The cached image file of a page, if it has been rendered.
    pub fn cached_image(&self, id: &DocId, page: u32, size: ImageSize) -> Option<PathBuf> {
        let file = self.image_file(id, page, size);
        file.is_file().then_some(file)
    }

    /// Page `page` (1-based, of `pages`) of the PDF at `pdf`, whose id is `id`, as a PNG at
    /// `size`: from the cache, or rendered now and cached.
    pub fn image(
        &self,
        pdf: &Path,
        id: &DocId,
        page: u32,
        pages: u32,
        size: ImageSize,
    ) -> Result<Vec<u8>, RenderError> {
        if page == 0 || page > pages {
            return Err(RenderError::NoSuchPage { page, pages });
        }
        let file = self.image_file(id, page, size);
        if let Ok(bytes) = std::fs::read(&file) {
            return Ok(bytes);
        }
        if !self.can_render() {
            return Err(RenderError::NotInstalled("pdftoppm"));
        }
        let args = vec![
            "--page".to_string(),
            page.to_string(),
            "--scale".to_string(),
            size.pixels().to_string(),
        ];
        let png = self.run(Engine::Render, pdf, args, MAX_IMAGE_BYTES)?;
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(RenderError::Failed(ExtractError::Unreadable(
                "pdftoppm printed no PNG".into(),
            )));
        }
        store(&file, &png).map_err(RenderError::Cache)?;
        Ok(png)
    }

    /// Whether the words of every page of `wanted` are cached (so reading them runs no
    /// worker).
    pub fn has_words(&self, id: &DocId, wanted: RangeInclusive<u32>) -> bool {
        wanted
            .take(MAX_WORD_PAGES as usize)
            .all(|page| self.words_file(id, page).is_file())
    }

    /// The words of `wanted` pages (a run within 1..=`pages`, at most [`MAX_WORD_PAGES`]):
    /// from the cache, the missing ones read in one worker and cached.
    pub fn words(
        &self,
        pdf: &Path,
        id: &DocId,
        wanted: RangeInclusive<u32>,
        pages: u32,
    ) -> Result<BTreeMap<u32, PageWords>, RenderError> {
        let (first, last) = (*wanted.start(), *wanted.end());
        if first == 0 || first > last || last > pages {
            return Err(RenderError::NoSuchPage {
                page: if first == 0 { first } else { last },
                pages,
            });
        }
        let last = last.min(first + MAX_WORD_PAGES - 1);
        let mut found = BTreeMap::new();
        let mut missing = Vec::new();
        for page in first..=last {
            let cached = std::fs::read(self.words_file(id, page))
                .ok()
                .and_then(|bytes| serde_json::from_slice::<PageWords>(&bytes).ok());
            match cached {
                Some(words) => {
                    found.insert(page, words);
                }
                None => missing.push(page),
            }
        }
        let (Some(&from), Some(&to)) = (missing.first(), missing.last()) else {
            return Ok(found);
        };
        if !self.can_read_words() {
            return Err(RenderError::NotInstalled("pdftotext"));
        }
        let args = vec![
            "--page".to_string(),
            from.to_string(),
            "--last-page".to_string(),
            to.to_string(),
        ];
        let out = self.run(Engine::Words, pdf, args, MAX_WORDS_BYTES)?;
        let mut read = parse_bbox(&String::from_utf8_lossy(&out)).into_iter();
        // A page pdftotext printed nothing for is cached as empty, so it is not asked again.
        for page in from..=to {
            let words = read.next().unwrap_or_default();
            let json = serde_json::to_vec(&words)
                .map_err(|e| RenderError::Cache(std::io::Error::other(e)))?;
            store(&self.words_file(id, page), &json).map_err(RenderError::Cache)?;
            found.insert(page, words);
        }
        Ok(found)
    }

    fn run(
        &self,
        engine: Engine,
        pdf: &Path,
        args: Vec<String>,
        max_output: usize,
    ) -> Result<Vec<u8>, RenderError> {
        let deadline = Instant::now() + RENDER_TIMEOUT.min(self.config.timeout);
        let worker = spawn_job(&self.config, engine, pdf, args, deadline, max_output)?;
        let result = finish(worker, &self.config)?;
        if result.truncated {
            return Err(RenderError::TooLarge(max_output));
        }
        if !result.status.success() {
            return Err(RenderError::Failed(describe_failure(&result)));
        }
        Ok(result.stdout)
    }

    fn document_dir(&self, id: &DocId) -> PathBuf {
        self.dir.join(id.to_string())
    }

    fn image_file(&self, id: &DocId, page: u32, size: ImageSize) -> PathBuf {
        self.document_dir(id)
            .join(format!("v{CACHE_FORMAT}-{page}-{}.png", size.id()))
    }

    fn words_file(&self, id: &DocId, page: u32) -> PathBuf {
        self.document_dir(id)
            .join(format!("v{CACHE_FORMAT}-{page}-words.json"))
    }
}

/// Written to a temporary file and renamed, so a reader never sees half a file.
fn store(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    temp.flush()?;
    temp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

/// Reads `pdftotext -bbox` output: one `<page width height>` per page, then its
/// `<word xMin yMin xMax yMax>text</word>` elements. Read with a pattern rather than as
/// XML, so a stray character in a word costs that word, not the page.
pub fn parse_bbox(xhtml: &str) -> Vec<PageWords> {
    static PATTERN: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"<page width="([0-9.]+)" height="([0-9.]+)">|<word xMin="([-0-9.]+)" yMin="([-0-9.]+)" xMax="([-0-9.]+)" yMax="([-0-9.]+)">([^<]*)</word>"#,
        )
        .ok()
    });
    let Some(pattern) = PATTERN.as_ref() else {
        return Vec::new();
    };
    let mut pages: Vec<PageWords> = Vec::new();
    for caps in pattern.captures_iter(xhtml) {
        let number = |i: usize| {
            caps.get(i)
                .and_then(|m| m.as_str().parse::<f64>().ok())
                .filter(|n| n.is_finite())
        };
        if let (Some(width), Some(height)) = (number(1), number(2)) {
            pages.push(PageWords {
                width,
                height,
                words: Vec::new(),
            });
            continue;
        }
        let (Some(page), Some(x_min), Some(y_min), Some(x_max), Some(y_max)) =
            (pages.last_mut(), number(3), number(4), number(5), number(6))
        else {
            continue;
        };
        let text = caps
            .get(7)
            .map(|m| unescape(m.as_str()))
            .unwrap_or_default();
        if text.trim().is_empty() {
            continue;
        }
        page.words.push(WordBox {
            text,
            x_min,
            y_min,
            x_max,
            y_max,
        });
    }
    pages
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The body of `arkiv extract-worker --engine render --page N --scale PX`, after the worker
/// has bounded itself: becomes `pdftoppm`, printing the page as a PNG that fits in a
/// PX × PX box.
pub(crate) fn run_render_worker(path: &Path, page: u32, scale: u32) -> ExitCode {
    use std::os::unix::process::CommandExt;
    let pdftoppm = find_on_path("pdftoppm").unwrap_or_else(|| "pdftoppm".into());
    let page = page.to_string();
    let err = Command::new(pdftoppm)
        .args(["-png", "-singlefile", "-scale-to", &scale.to_string()])
        .args(["-f", &page, "-l", &page])
        .arg(path)
        .stdin(Stdio::null())
        .exec();
    eprintln!("cannot run pdftoppm: {err}");
    ExitCode::from(3)
}

/// The body of `arkiv extract-worker --engine words --page F --last-page L`: becomes
/// `pdftotext -bbox`, printing the boxes of the words of pages F to L.
pub(crate) fn run_words_worker(path: &Path, first: u32, last: u32) -> ExitCode {
    use std::os::unix::process::CommandExt;
    let pdftotext = find_on_path("pdftotext").unwrap_or_else(|| "pdftotext".into());
    let err = Command::new(pdftotext)
        .args(["-bbox", "-enc", "UTF-8"])
        .args(["-f", &first.to_string(), "-l", &last.to_string()])
        .arg(path)
        .arg("-")
        .stdin(Stdio::null())
        .exec();
    eprintln!("cannot run pdftotext: {err}");
    ExitCode::from(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_output_gives_pages_and_words() {
        let xhtml = r#"<!DOCTYPE html><html><body><doc>
  <page width="595.000000" height="842.000000">
    <word xMin="72.000000" yMin="64.102000" xMax="188.149000" yMax="74.277000">Krise &amp; vold</word>
    <word xMin="1" yMin="2" xMax="3" yMax="4"> </word>
  </page>
  <page width="842" height="595">
    <word xMin="10" yMin="20" xMax="30" yMax="40">&lt;§&gt;</word>
  </page>
</doc></body></html>"#;
        let pages = parse_bbox(xhtml);
        assert_eq!(pages.len(), 2);
        assert_eq!((pages[0].width, pages[0].height), (595.0, 842.0));
        assert_eq!(pages[0].words.len(), 1);
        assert_eq!(pages[0].words[0].text, "Krise & vold");
        assert_eq!(pages[0].words[0].x_max, 188.149);
        assert_eq!(pages[1].words[0].text, "<§>");
        assert!(
            parse_bbox("<word xMin=\"1\" yMin=\"1\" xMax=\"2\" yMax=\"2\">x</word>").is_empty()
        );
    }

    #[test]
    fn images_fit_their_box_whatever_the_page_shape() {
        assert_eq!(ImageSize::Medium.dimensions(595.0, 842.0), (707, 1000));
        assert_eq!(ImageSize::Thumb.dimensions(842.0, 595.0), (240, 170));
        assert_eq!(ImageSize::Large.dimensions(1.0, 14400.0), (1, 1500));
        assert_eq!(ImageSize::Large.dimensions(0.0, f64::NAN), (1500, 1500));
    }
}
