//! Writes simple text-only PDFs: A4 pages of 11 pt Helvetica in WinAnsiEncoding.
//!
//! The sample generator (`examples/make-samples.rs`) and the tests use this to make real PDFs
//! whose text any extractor can get back exactly. That is why the font dictionary carries the
//! standard Helvetica widths, every line is placed with its own `Td`/`Tj`, and nothing in the
//! output depends on the clock or on randomness: the same spec always gives the same bytes.

use chrono::NaiveDate;
use lopdf::xref::XrefType;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};

/// What to render: optional metadata for the Info dictionary and the text of each page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfSpec {
    pub title: Option<String>,
    pub author: Option<String>,
    /// Written as `D:YYYYMMDD000000Z`, so a letter's date survives into the PDF metadata.
    pub creation_date: Option<NaiveDate>,
    /// The text of each page; lines separated by `\n`; long lines are wrapped.
    pub pages: Vec<String>,
}

/// A4 in points, rounded to whole points.
pub const PAGE_WIDTH: f64 = 595.0;
pub const PAGE_HEIGHT: f64 = 842.0;
pub const FONT_SIZE: f64 = 11.0;
/// Distance between baselines. More than 1.5 × the font size would make pdf-extract see a
/// paragraph gap between every pair of lines; less than 0.5 × would hide line breaks from it.
pub const LEADING: f64 = 14.0;
pub const MARGIN_LEFT: f64 = 72.0;
pub const MARGIN_RIGHT: f64 = 72.0;
pub const MARGIN_TOP: f64 = 72.0;
/// How many lines [`paginate`] puts on a page; 50 × 14 pt fits between the A4 margins.
pub const LINES_PER_PAGE: usize = 50;

/// Columns a tab advances to; the font has no tab glyph.
const TAB_WIDTH: usize = 4;

/// Helvetica advance widths (1/1000 em) for WinAnsi codes 0x20..=0xFF, from the standard
/// Adobe AFM. Codes WinAnsi leaves undefined (0x7F, 0x81, 0x8D, 0x8F, 0x90, 0x9D) get the
/// bullet's width, as readers that show them draw a bullet; [`encode_win_ansi`] never emits them.
const HELVETICA_WIDTHS: [u16; 224] = [
    // 0x20..=0x2F
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    // 0x30..=0x3F
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    // 0x40..=0x4F
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    // 0x50..=0x5F
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    // 0x60..=0x6F
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    // 0x70..=0x7F
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 350,
    // 0x80..=0x8F
    556, 350, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
    // 0x90..=0x9F
    350, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 350, 500, 667,
    // 0xA0..=0xAF
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    // 0xB0..=0xBF
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    // 0xC0..=0xCF
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    // 0xD0..=0xDF
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    // 0xE0..=0xEF
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    // 0xF0..=0xFF
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

/// The WinAnsi byte for `c`, or `None` when the encoding has no such character.
pub fn win_ansi_byte(c: char) -> Option<u8> {
    let b = match c {
        ' '..='~' | '\u{A0}'..='\u{FF}' => c as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201C}' => 0x93,
        '\u{201D}' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(b)
}

/// Encodes one line (no `\n`) as WinAnsi; anything the encoding lacks becomes `?`.
pub fn encode_win_ansi(line: &str) -> Vec<u8> {
    line.chars()
        .map(|c| win_ansi_byte(c).unwrap_or(b'?'))
        .collect()
}

/// Width of WinAnsi-encoded text in 1/1000 em.
fn encoded_width(bytes: &[u8]) -> u32 {
    bytes.iter().map(|&b| u32::from(glyph_width(b))).sum()
}

fn glyph_width(b: u8) -> u16 {
    // Control bytes are never emitted (they are encoded as `?`), so they need no width.
    b.checked_sub(0x20)
        .map_or(0, |i| HELVETICA_WIDTHS[usize::from(i)])
}

/// Width of `line` in points at [`FONT_SIZE`], as a reader will lay it out.
pub fn text_width(line: &str) -> f64 {
    f64::from(encoded_width(&encode_win_ansi(line))) * FONT_SIZE / 1000.0
}

/// The widest a line may be, in 1/1000 em: the page width between the margins.
fn max_line_units() -> u32 {
    ((PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) * 1000.0 / FONT_SIZE) as u32
}

/// Tabs become spaces and carriage returns and other control characters go away, so that
/// what is measured is exactly what is drawn.
fn clean_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '\t' => {
                let col = out.chars().count();
                out.extend(std::iter::repeat_n(' ', TAB_WIDTH - col % TAB_WIDTH));
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn str_units(s: &str) -> u32 {
    encoded_width(&encode_win_ansi(s))
}

/// Breaks one line into pieces that fit between the margins, at spaces where possible.
/// A piece that already fits comes back unchanged, so wrapping is idempotent and
/// [`paginate`]'s line count matches what [`render`] draws.
fn wrap_line(line: &str, out: &mut Vec<String>) {
    let max = max_line_units();
    let line = clean_line(line);
    if str_units(&line) <= max {
        out.push(line);
        return;
    }
    let space = u32::from(glyph_width(b' '));
    let mut current = String::new();
    let mut current_units = 0u32;
    // Whether `current` has begun; it may still be empty when the line opens with spaces.
    let mut open = false;
    // Splitting on single spaces keeps runs of spaces (empty words) inside a line intact.
    for word in line.split(' ') {
        let word_units = str_units(word);
        if open {
            if current_units + space + word_units <= max {
                current.push(' ');
                current.push_str(word);
                current_units += space + word_units;
                continue;
            }
            // pdftotext reads a line ending in "Barne-" as a hyphenated word and joins it
            // with the next line ("Barneog"), so such a word moves down with its neighbour.
            let kept = current.trim_end();
            if kept.ends_with('-')
                && !word.is_empty()
                && let Some(cut) = kept.rfind(' ')
            {
                let head = kept[..cut].trim_end().to_string();
                let carried = kept[cut + 1..].to_string();
                let carried_units = str_units(&carried) + space + word_units;
                if !head.is_empty() && carried_units <= max {
                    out.push(head);
                    current = format!("{carried} {word}");
                    current_units = carried_units;
                    continue;
                }
            }
            out.push(current.trim_end().to_string());
            current.clear();
            current_units = 0;
            open = false;
        }
        if word.is_empty() && !out.is_empty() {
            // A continuation line does not start with the spaces it was broken at.
            continue;
        }
        open = true;
        if word_units <= max {
            current.push_str(word);
            current_units = word_units;
        } else {
            // A word wider than the page (a long URL) is cut wherever the page ends.
            for c in word.chars() {
                let w = str_units(c.encode_utf8(&mut [0; 4]));
                if current_units + w > max && !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                    current_units = 0;
                }
                current.push(c);
                current_units += w;
            }
        }
    }
    if open {
        out.push(current.trim_end().to_string());
    }
}

/// The wrapped lines of one page's (or one document's) text.
fn wrap_text(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for line in text.split('\n') {
        let mut pieces = Vec::new();
        wrap_line(line, &mut pieces);
        lines.append(&mut pieces);
    }
    lines
}

/// Wraps the text of one long document onto as many pages as needed ([`LINES_PER_PAGE`]
/// lines a page); a form feed `\u{0C}` forces a new page.
///
/// Blank lines that would open a page after an automatic break are dropped, and a form feed
/// at the very end does not add an empty page. Empty text gives one empty page.
pub fn paginate(text: &str) -> Vec<String> {
    let mut chunks: Vec<&str> = text.split('\u{0C}').collect();
    // Text files often end in "\f\n"; that asks for no further page.
    while chunks.len() > 1 && chunks.last().is_some_and(|c| c.trim().is_empty()) {
        chunks.pop();
    }
    let mut pages = Vec::new();
    for chunk in chunks {
        // The line break that usually follows a form feed belongs to it, not to the page.
        let chunk = chunk.strip_prefix("\r\n").unwrap_or(chunk);
        let chunk = chunk.strip_prefix('\n').unwrap_or(chunk);
        let chunk = chunk.trim_end_matches(['\n', '\r']);
        let lines = wrap_text(chunk);
        let mut page: Vec<String> = Vec::new();
        for line in lines {
            if page.len() == LINES_PER_PAGE {
                pages.push(page.join("\n"));
                page.clear();
            }
            let auto_broken = page.is_empty() && !pages.is_empty();
            if auto_broken && line.trim().is_empty() {
                continue;
            }
            page.push(line);
        }
        pages.push(page.join("\n"));
    }
    pages
}

/// Appends `bytes` as a PDF literal string, escaping what the syntax reserves.
fn push_literal(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'(');
    for &b in bytes {
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b')');
}

/// The content stream of one page: one text object, one `Td`/`Tj` pair per non-empty line.
fn page_content(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 64);
    out.extend_from_slice(format!("BT\n/F1 {FONT_SIZE} Tf\n").as_bytes());
    let top = PAGE_HEIGHT - MARGIN_TOP;
    // `Td` moves relative to the previous line's start, so blank lines just add to the
    // next move instead of drawing an empty string.
    let mut first = true;
    let mut pending_down = 0.0;
    for line in wrap_text(text) {
        let bytes = encode_win_ansi(&line);
        if bytes.iter().all(|&b| b == b' ') {
            pending_down += LEADING;
            continue;
        }
        if first {
            out.extend_from_slice(format!("{MARGIN_LEFT} {} Td\n", top - pending_down).as_bytes());
            first = false;
        } else {
            out.extend_from_slice(format!("0 {} Td\n", -(pending_down + LEADING)).as_bytes());
        }
        pending_down = 0.0;
        push_literal(&mut out, &bytes);
        out.extend_from_slice(b" Tj\n");
    }
    out.extend_from_slice(b"ET\n");
    out
}

fn info_string(text: &str) -> Object {
    // Non-ASCII metadata goes out as UTF-16BE with a BOM, the one text-string form every
    // reader understands.
    lopdf::text_string(text)
}

/// Renders the spec as a PDF with one page per entry of `pages` (A4, Helvetica, 11 pt,
/// WinAnsiEncoding so æøåÆØÅ and – “ ” « » é etc. come out right; characters outside WinAnsi
/// become `?`).
///
/// Lines wider than the text area are wrapped; a page with more lines than fit runs off the
/// bottom, so long text should go through [`paginate`] first. No pages at all still gives one
/// blank page, as a PDF without pages is useless to every reader.
pub fn render(spec: &PdfSpec) -> Vec<u8> {
    let mut doc = Document::with_version("1.4");
    // A classic xref table rather than lopdf's default xref stream: older tools read it too.
    doc.reference_table.cross_reference_type = XrefType::CrossReferenceTable;

    let pages_id = doc.new_object_id();
    let widths: Vec<Object> = HELVETICA_WIDTHS
        .iter()
        .map(|&w| Object::Integer(i64::from(w)))
        .collect();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
        "FirstChar" => 32,
        "LastChar" => 255,
        "Widths" => widths,
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });

    let blank = [String::new()];
    let texts: &[String] = if spec.pages.is_empty() {
        &blank
    } else {
        &spec.pages
    };
    let media_box: Vec<Object> = vec![
        0.into(),
        0.into(),
        (PAGE_WIDTH as i64).into(),
        (PAGE_HEIGHT as i64).into(),
    ];
    let mut kids: Vec<Object> = Vec::with_capacity(texts.len());
    for text in texts {
        let mut content = Stream::new(Dictionary::new(), page_content(text));
        // Compression cannot fail on an in-memory buffer; if it somehow did, the stream
        // simply stays uncompressed, which is still a valid PDF.
        let _ = content.compress();
        let content_id = doc.add_object(content);
        let page_id: ObjectId = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => media_box.clone(),
            "Resources" => resources_id,
            "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
        }),
    );
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });

    let mut info = Dictionary::new();
    if let Some(title) = &spec.title {
        info.set("Title", info_string(title));
    }
    if let Some(author) = &spec.author {
        info.set("Author", info_string(author));
    }
    if let Some(date) = spec.creation_date {
        let stamp = format!("D:{}000000Z", date.format("%Y%m%d"));
        info.set(
            "CreationDate",
            Object::String(stamp.into_bytes(), StringFormat::Literal),
        );
    }
    info.set("Producer", info_string("arkiv pdfgen"));
    let info_id = doc.add_object(info);

    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);

    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)
        .expect("writing a PDF into a Vec<u8> cannot fail");
    bytes
}
