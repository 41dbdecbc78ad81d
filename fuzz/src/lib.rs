//! What the fuzz targets check, one function per target. Each takes raw bytes and panics
//! when arkiv breaks a promise:
//!
//! - `query`: `query::parse` accepts every string (ARCHITECTURE.md: "nothing a person
//!   types can make a search fail");
//! - `sidecar`: `Sidecar::parse` never panics, and a sidecar it accepted, written back with
//!   `to_toml` (as staff edits do), parses again to the same value;
//! - `sidecar_fields`: whatever staff type into the metadata form's text fields is written
//!   to a sidecar that reads back the same;
//! - `tagging`: the date, convention, article, title and kind detection never panic;
//! - `highlight`: the highlighter gives the text back unchanged with ranges in order and on
//!   character boundaries, and the web's renderer, whose HTML pages mark safe, gives it back
//!   escaped, with nothing but `<mark>` and `</mark>` as markup.
//!
//! The same file is compiled into the integration tests (`tests/it/hostile/fuzz.rs`), which
//! run these checks on random and mutated inputs under plain `cargo test` on stable Rust.

use arkiv::library::Sidecar;

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

pub fn query(data: &[u8]) {
    let input = text(data);
    let parsed = arkiv::query::parse(&input);
    let _ = parsed.has_text();
    let _ = parsed.positive_words();
    let _ = arkiv::query::parse_year_range(&input);
}

pub fn sidecar(data: &[u8]) {
    let input = text(data);
    if let Ok(sidecar) = Sidecar::parse("fuzz.toml", &input) {
        round_trip(&sidecar);
    }
}

/// Splits the input at NUL bytes into the form's free-text fields.
pub fn sidecar_fields(data: &[u8]) {
    let mut parts = data.split(|b| *b == 0).map(|p| {
        let s = text(p);
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_string())
    });
    let sidecar = Sidecar {
        title: parts.next().flatten(),
        recipient: parts.next().flatten(),
        reference: parts.next().flatten(),
        source_url: parts.next().flatten(),
        ..Sidecar::default()
    };
    round_trip(&sidecar);
}

fn round_trip(sidecar: &Sidecar) {
    let written = sidecar.to_toml();
    match Sidecar::parse("fuzz.toml", &written) {
        Ok(again) => assert_eq!(
            &again, sidecar,
            "a sidecar reads back different:\n{written}"
        ),
        Err(e) => panic!("a sidecar arkiv wrote does not parse: {e}\n{written}"),
    }
}

pub fn tagging(data: &[u8]) {
    use arkiv::tagging::*;
    let input = text(data);
    let _ = detect_date(&input);
    let _ = detect_conventions(&input);
    let _ = detect_articles(&input);
    let _ = title_from_text(&input);
    let _ = parse_pdf_date(&input);
    let _ = date_from_file_name(&input);
    let _ = is_meaningful_title(&input);
    let _ = kind_from_title(&input);
    let _ = convention_named_by(&input);
}

/// Splits the input at its first NUL into a query and a page of text.
pub fn highlight(data: &[u8]) {
    let (query, page) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, data),
    };
    let page = text(page);
    let highlighted = arkiv::index::highlight(&page, &arkiv::query::parse(&text(query)));
    assert_eq!(highlighted.text(), page, "the highlighter changed the text");
    let mut at = 0;
    for range in highlighted.ranges() {
        assert!(
            at <= range.start && range.start < range.end,
            "ranges out of order"
        );
        assert!(
            page.get(range.clone()).is_some(),
            "range off the text: {range:?}"
        );
        at = range.end;
    }
    let html = arkiv::web::html::marked(&highlighted);
    let bare = html.replace("<mark>", "").replace("</mark>", "");
    assert!(
        !bare.contains(['<', '>', '"', '\'']),
        "markup escaped the highlighter: {html}"
    );
    let unescaped = bare
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert_eq!(unescaped, page, "the renderer changed the text");
}
