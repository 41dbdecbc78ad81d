//! The pdf-extract reader, run inside a worker process (`arkiv extract-worker --engine
//! pdf-extract`): the only user of the pdf-extract crate. Reads every page in one pass with
//! an output device that keeps pages apart and says whether each looks whole, and prints
//! [`WorkerOutput`] as JSON for the caller.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::PdfMetadata;
use super::process::ENCRYPTED_MARK;

/// What the pdf-extract worker prints.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct WorkerOutput {
    pub(super) pages: Vec<String>,
    pub(super) metadata: PdfMetadata,
    /// Every page came out whole and looks like text: no need to ask pdftotext.
    #[serde(default)]
    pub(super) complete: bool,
}

/// Reads the PDF at `path`; an error is a message for the caller (on stderr).
pub(super) fn read_pages(path: &Path) -> Result<WorkerOutput, String> {
    use pdf_extract::{Document, Object};

    // pdf-extract reports its panics on stderr, which the caller shows; keep them short.
    std::panic::set_hook(Box::new(|info| eprintln!("pdf-extract panicked: {info}")));

    let bytes = std::fs::read(path).map_err(|e| format!("cannot read file: {e}"))?;
    let mut doc = std::panic::catch_unwind(|| Document::load_mem(&bytes))
        .map_err(|_| "pdf-extract panicked while parsing".to_string())?
        .map_err(|e| format!("cannot parse: {e}"))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(ENCRYPTED_MARK.to_string());
    }

    let info_string = |doc: &Document, key: &[u8]| -> Option<String> {
        let info = doc.trailer.get(b"Info").ok()?;
        let info = match info {
            Object::Reference(id) => doc.get_dictionary(*id).ok()?,
            Object::Dictionary(d) => d,
            _ => return None,
        };
        match info.get(key).ok()? {
            Object::String(bytes, _) => Some(decode_pdf_string(bytes)),
            _ => None,
        }
    };
    let metadata = PdfMetadata {
        title: info_string(&doc, b"Title").filter(|t| !t.trim().is_empty()),
        creation_date: info_string(&doc, b"CreationDate"),
        ocr: None,
    };

    let page_numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    // One pass over the whole document: pdf-extract's per-page call walks the page tree
    // each time, which makes a long document cost the square of its length.
    let mut paged = PagedText::default();
    let whole = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pdf_extract::output_doc(&doc, &mut paged)
    }));
    // Form fields' values are drawn from the form, which pdf-extract does not read.
    let has_form = doc
        .catalog()
        .is_ok_and(|catalog| catalog.get(b"AcroForm").is_ok());
    let read_whole = matches!(whole, Ok(Ok(())));
    let complete = !has_form
        && read_whole
        && paged.finished.len() == page_numbers.len()
        && paged.finished.iter().all(|page| page.looks_complete());
    let mut texts: BTreeMap<u32, String> = paged
        .finished
        .into_iter()
        .map(|page| (page.number, page.text))
        .collect();
    if !read_whole {
        // One page's failure must not cost the others: the pages after the one that
        // failed are taken one at a time, through the same output device.
        let failed = paged.current;
        for &number in &page_numbers {
            if Some(number) == failed || texts.contains_key(&number) {
                continue;
            }
            let mut one = PagedText::default();
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pdf_extract::output_doc_page(&doc, &mut one, number)
            }));
            if matches!(read, Ok(Ok(())))
                && let Some(page) = one.finished.pop()
            {
                texts.insert(number, page.text);
            }
        }
    }
    let pages = page_numbers
        .iter()
        .map(|n| texts.remove(n).unwrap_or_default())
        .collect();
    Ok(WorkerOutput {
        pages,
        metadata,
        complete,
    })
}

/// The title and creation date of the PDF at `path` from its Info dictionary, reading only
/// the cross-reference tables and that dictionary (lopdf, under pdf-extract): what the
/// pdftotext worker prints before the text. Anything it cannot read is `None`.
pub(super) fn read_metadata(path: &Path) -> PdfMetadata {
    let read = std::panic::catch_unwind(|| pdf_extract::Document::load_metadata(path));
    match read {
        Ok(Ok(info)) => PdfMetadata {
            title: info.title.filter(|t| !t.trim().is_empty()),
            creation_date: info.creation_date,
            ocr: None,
        },
        _ => PdfMetadata::default(),
    }
}

/// An output device that keeps each page's plain text apart, by running pdf-extract's own
/// plain-text device afresh for every page.
#[derive(Default)]
struct PagedText {
    finished: Vec<PageText>,
    /// The page begun and not yet ended: after a failure, the page that failed.
    current: Option<u32>,
    page: Option<pdf_extract::PlainTextOutput<PageSink>>,
    sink: PageSink,
    glyphs: usize,
    undecoded: usize,
}

/// One page as pdf-extract read it, with what tells whether it read the page well.
struct PageText {
    number: u32,
    text: String,
    /// Characters drawn on the page.
    glyphs: usize,
    /// Of those, the ones pdf-extract could not turn into a character (nothing, U+FFFD,
    /// control characters, private-use code points) or puts out of reading order (it
    /// writes right-to-left scripts in the order they are drawn).
    undecoded: usize,
}

/// Pages with fewer letters than this are read by pdftotext too (and then by OCR): blank,
/// scanned, or drawn in a way pdf-extract does not follow.
const MIN_PAGE_LETTERS: usize = 20;

impl PageText {
    /// Whether pdftotext could add nothing: enough letters, (almost) every glyph decoded,
    /// and words separated, since pdf-extract's spacing comes from glyph positions and a
    /// font with odd metrics glues words together.
    fn looks_complete(&self) -> bool {
        let letters = self.text.chars().filter(|c| c.is_alphanumeric()).count();
        if letters < MIN_PAGE_LETTERS || self.undecoded * 100 > self.glyphs {
            return false;
        }
        let lengths: Vec<usize> = self
            .text
            .split_whitespace()
            .map(|w| w.chars().filter(|c| c.is_alphanumeric()).count())
            .filter(|&n| n > 0)
            .collect();
        let words = lengths.len().max(1);
        let glued = lengths.iter().filter(|&&n| n > GLUED_WORD_CHARS).count();
        // Spurious spaces inside words ("p erso n vern et") leave many one-letter pieces.
        let split = lengths.iter().filter(|&&n| n == 1).count();
        glued * 100 <= words
            && split * 100 <= words * MAX_ONE_LETTER_PERCENT
            && letters / words <= MAX_MEAN_WORD_LETTERS
    }
}

/// Longer than any Norwegian compound a letter uses, give or take.
const GLUED_WORD_CHARS: usize = 30;
const MAX_MEAN_WORD_LETTERS: usize = 12;
/// Norwegian and English prose has a few per cent of one-letter words ("i", "å", "a").
const MAX_ONE_LETTER_PERCENT: usize = 10;

fn is_undecoded(text: &str) -> bool {
    text.is_empty()
        || text.chars().any(|c| {
            c == '\u{FFFD}'
                || (c.is_control() && !c.is_whitespace())
                || ('\u{E000}'..='\u{F8FF}').contains(&c)
                || ('\u{0590}'..='\u{08FF}').contains(&c)
                || ('\u{FB1D}'..='\u{FDFF}').contains(&c)
                || ('\u{FE70}'..='\u{FEFF}').contains(&c)
        })
}

/// Where the plain-text device of the current page writes.
#[derive(Clone, Default)]
struct PageSink(std::rc::Rc<std::cell::RefCell<String>>);

impl std::fmt::Write for PageSink {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.borrow_mut().push_str(s);
        Ok(())
    }
}

impl pdf_extract::ConvertToFmt for PageSink {
    type Writer = PageSink;
    fn convert(self) -> PageSink {
        self
    }
}

impl PagedText {
    fn page(&mut self) -> &mut pdf_extract::PlainTextOutput<PageSink> {
        let sink = &self.sink;
        self.page
            .get_or_insert_with(|| pdf_extract::PlainTextOutput::new(sink.clone()))
    }
}

impl pdf_extract::OutputDev for PagedText {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &pdf_extract::MediaBox,
        art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        self.current = Some(page_num);
        self.sink.0.borrow_mut().clear();
        self.page = None;
        self.glyphs = 0;
        self.undecoded = 0;
        self.page().begin_page(page_num, media_box, art_box)
    }

    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.page().end_page()?;
        if let Some(number) = self.current.take() {
            let text = std::mem::take(&mut *self.sink.0.borrow_mut());
            self.finished.push(PageText {
                number,
                text,
                glyphs: self.glyphs,
                undecoded: self.undecoded,
            });
        }
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        self.glyphs += 1;
        self.undecoded += usize::from(is_undecoded(char));
        if char.is_ascii() {
            return self
                .page()
                .output_character(trm, width, spacing, font_size, char);
        }
        // Ligatures ("ﬁ") and presentation forms become the letters they stand for, as
        // pdftotext writes them, so that words are found as typed.
        let plain: String = unicode_normalization::UnicodeNormalization::nfkc(char).collect();
        self.page()
            .output_character(trm, width, spacing, font_size, &plain)
    }

    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.page().begin_word()
    }

    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.page().end_word()
    }

    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.page().end_line()
    }
}

/// PDF text strings are UTF-16BE with a byte-order mark, or PDFDocEncoding (close enough to
/// Latin-1 for titles).
fn decode_pdf_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        s.to_string()
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}
