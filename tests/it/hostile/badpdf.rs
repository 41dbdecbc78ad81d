//! Hostile PDFs, generated: empty and random files, a good PDF cut at ten points, encrypted
//! files, 5,000 pages, deeply nested objects, decompression bombs, and files that make a
//! reader recurse or loop (XObject cycles, an exponential XObject fan-out, page-tree and
//! cross-reference cycles). Each comes with what arkiv must make of it.
//!
//! Everything is deterministic: the same call writes the same bytes.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use arkiv::pdfgen::{PdfSpec, render};

/// What ingest must make of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Indexed, and its text contains this word.
    Text(&'static str),
    /// Indexed with exactly this many pages, the last one containing the word.
    Pages(usize, &'static str),
    /// Fails with an error that contains this.
    Fails(&'static str),
    /// Indexed (with or without text) or failed with a clear reason; what matters is that
    /// it ends within the bounds and costs no other file.
    Either,
}

/// One generated file.
pub struct Generated {
    pub file: String,
    pub expect: Expect,
    pub what: &'static str,
}

/// The words the good files carry, so the tests can find them in the index.
pub const CONTROL_A: &str = "kontrollordalfa";
pub const CONTROL_B: &str = "kontrollordbeta";
pub const OWNER_ONLY: &str = "eierpassordord";
pub const LAST_PAGE: &str = "sisteside";

/// Writes the hostile files (and two good control files) into `dir`; `all` adds the
/// variants that only repeat a case in another form (kept out of the quick run).
pub fn generate(dir: &Path, all: bool) -> Vec<Generated> {
    std::fs::create_dir_all(dir).unwrap();
    let mut out = Vec::new();
    let mut put = |file: &str, bytes: &[u8], expect: Expect, what: &'static str| {
        std::fs::write(dir.join(file), bytes).unwrap();
        out.push(Generated {
            file: file.to_string(),
            expect,
            what,
        });
    };

    // Two good files: the rest of the batch must not cost them anything.
    put(
        "gen_control_a.pdf",
        &text_pdf(&[&format!(
            "Høringssvar om {CONTROL_A}\n\nOslo, 3. mars 2021\n\nVi viser til Istanbulkonvensjonen."
        )]),
        Expect::Text(CONTROL_A),
        "good control file",
    );
    put(
        "gen_control_b.pdf",
        &text_pdf(&[
            "Innspill, side 1",
            &format!("Side 2 om {CONTROL_B} og EMK artikkel 8"),
        ]),
        Expect::Text(CONTROL_B),
        "good control file with a sidecar",
    );
    std::fs::write(
        dir.join("gen_control_b.toml"),
        "title = \"Kontroll B\"\nkind = \"innspill\"\n",
    )
    .unwrap();

    put(
        "gen_zero_bytes.pdf",
        b"",
        Expect::Fails("empty file"),
        "0 bytes",
    );
    put(
        "gen_random_bytes.pdf",
        &random_bytes(64 * 1024, 7),
        Expect::Fails("not a PDF"),
        "64 KiB of random bytes",
    );
    let mut headed = b"%PDF-1.7\n".to_vec();
    headed.extend(random_bytes(64 * 1024, 11));
    put(
        "gen_random_after_header.pdf",
        &headed,
        Expect::Either,
        "a PDF header, then 64 KiB of random bytes",
    );

    // A good three-page PDF cut at ten points, from the header to just before `startxref`.
    let good = text_pdf(&[
        "Høringssvar om avkutting\n\nOslo, 1. februar 2020",
        "Side to om barnekonvensjonen artikkel 12",
        "Side tre om EMK artikkel 8",
    ]);
    let find = |needle: &[u8]| {
        good.windows(needle.len())
            .rposition(|w| w == needle)
            .unwrap()
    };
    let len = good.len();
    let cuts = [
        ("0016b", 16),
        ("10pct", len / 10),
        ("25pct", len / 4),
        ("40pct", len * 2 / 5),
        ("50pct", len / 2),
        ("60pct", len * 3 / 5),
        ("75pct", len * 3 / 4),
        ("90pct", len * 9 / 10),
        ("at-xref", find(b"xref")),
        ("at-startxref", find(b"startxref")),
    ];
    for (label, at) in cuts {
        put(
            &format!("gen_truncated_{label}.pdf"),
            &good[..at],
            Expect::Either,
            "a good PDF truncated",
        );
    }

    // Encrypted: with a user password nobody gave us, and with only an owner password
    // (opens with the empty password, so it must give its text).
    let plain = dir.join(".plain-for-qpdf.pdf");
    std::fs::write(
        &plain,
        text_pdf(&[&format!("Innspill om {OWNER_ONLY} og CEDAW")]),
    )
    .unwrap();
    for (file, user, expect, what) in [
        (
            "gen_encrypted_user_password.pdf",
            "hemmelig",
            Expect::Fails("encrypted"),
            "AES-256, user password",
        ),
        (
            "gen_encrypted_owner_only.pdf",
            "",
            Expect::Text(OWNER_ONLY),
            "AES-256, empty user password",
        ),
    ] {
        let encrypted = dir.join(".encrypted-by-qpdf.pdf");
        let status = Command::new("qpdf")
            .args(["--encrypt", user, "eierpassord", "256", "--"])
            .arg(&plain)
            .arg(&encrypted)
            .status()
            .expect("qpdf is installed (Debian package qpdf)");
        assert!(status.success(), "qpdf failed for {file}");
        put(file, &std::fs::read(&encrypted).unwrap(), expect, what);
        std::fs::remove_file(&encrypted).unwrap();
    }
    std::fs::remove_file(&plain).unwrap();

    let pages: Vec<String> = (1..=5000)
        .map(|n| {
            if n == 5000 {
                format!("Side {n} og {LAST_PAGE}")
            } else {
                format!("Side {n} om vold i nære relasjoner")
            }
        })
        .collect();
    let refs: Vec<&str> = pages.iter().map(String::as_str).collect();
    put(
        "gen_5000_pages.pdf",
        &text_pdf(&refs),
        Expect::Pages(5000, LAST_PAGE),
        "5,000 pages",
    );

    const DEPTH: usize = 100_000;
    put(
        "gen_nested_arrays.pdf",
        &with_extra_object(&format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH))),
        Expect::Either,
        "an array nested 100,000 deep",
    );
    put(
        "gen_nested_dictionaries.pdf",
        &with_extra_object(&format!(
            "{}{}",
            "<< /A ".repeat(DEPTH),
            ">> ".repeat(DEPTH)
        )),
        Expect::Either,
        "a dictionary nested 100,000 deep",
    );
    put(
        "gen_nested_string_parens.pdf",
        &with_extra_object(&format!("({}{})", "(".repeat(DEPTH), ")".repeat(DEPTH))),
        Expect::Either,
        "a string of 100,000 nested parentheses",
    );

    put(
        "gen_flate_bomb_4gib.pdf",
        &bomb_pdf(4 << 30, false),
        Expect::Either,
        "a FlateDecode page that inflates to 4 GiB",
    );
    if all {
        put(
            "gen_flate_bomb_double_4gib.pdf",
            &bomb_pdf(4 << 30, true),
            Expect::Either,
            "two FlateDecode layers, 4 GiB inflated",
        );
    }

    put(
        "gen_xobject_self_cycle.pdf",
        &xobject_cycle_pdf(1),
        Expect::Either,
        "a Form XObject that draws itself",
    );
    put(
        "gen_xobject_mutual_cycle.pdf",
        &xobject_cycle_pdf(2),
        Expect::Either,
        "two Form XObjects that draw each other",
    );
    put(
        "gen_xobject_fanout_2pow40.pdf",
        &xobject_fanout_pdf(40),
        Expect::Either,
        "40 Form XObjects, each drawing the next twice (2^40 draws)",
    );
    put(
        "gen_page_tree_cycle.pdf",
        &page_tree_cycle_pdf(),
        Expect::Either,
        "a page tree whose Kids contain itself",
    );
    put(
        "gen_xref_prev_cycle.pdf",
        &raw_pdf(&basic_objects(&page_content(&["Tekst"])), "/Prev SELF"),
        Expect::Either,
        "a trailer whose /Prev points at itself",
    );
    put(
        "gen_xref_huge_size.pdf",
        &raw_pdf_with_size(&basic_objects(&page_content(&["Tekst"])), "", 2_147_483_647),
        Expect::Either,
        "a trailer claiming 2^31 objects",
    );
    put(
        "gen_page_count_lie.pdf",
        &page_count_lie_pdf(),
        Expect::Either,
        "a page tree claiming 2^31 pages",
    );
    out
}

/// A good text PDF, one entry per page.
pub fn text_pdf(pages: &[&str]) -> Vec<u8> {
    render(&PdfSpec {
        title: None,
        author: None,
        creation_date: None,
        pages: pages.iter().map(|p| p.to_string()).collect(),
    })
}

/// Deterministic pseudo-random bytes (xorshift).
pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

/// A content stream that shows each line in Helvetica.
pub fn page_content(lines: &[&str]) -> String {
    let mut s = String::from("BT /F1 12 Tf 72 760 Td 14 TL\n");
    for line in lines {
        let escaped = line
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        s.push_str(&format!("({escaped}) Tj T*\n"));
    }
    s.push_str("ET\n");
    s
}

/// An uncompressed stream object body.
pub fn stream(dict_extra: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!("<< /Length {} {dict_extra} >>\nstream\n", data.len()).into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(b"\nendstream");
    body
}

/// Objects 1..=5 of a one-page PDF: catalog, pages, page, font, content. The page's
/// resources name the font `F1`.
pub fn basic_objects(content: &str) -> Vec<Vec<u8>> {
    vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        stream("", content.as_bytes()),
    ]
}

/// Writes objects numbered from 1, a classic cross-reference table and a trailer with
/// `/Root 1 0 R` and `trailer_extra` (where `SELF` is replaced by the xref's own offset).
pub fn raw_pdf(objects: &[Vec<u8>], trailer_extra: &str) -> Vec<u8> {
    raw_pdf_with_size(objects, trailer_extra, objects.len() as u64 + 1)
}

pub fn raw_pdf_with_size(objects: &[Vec<u8>], trailer_extra: &str, size: u64) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        writeln!(out, "{} 0 obj", i + 1).unwrap();
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).unwrap();
    for offset in offsets {
        writeln!(out, "{offset:010} 00000 n ").unwrap();
    }
    let extra = trailer_extra.replace("SELF", &xref.to_string());
    write!(
        out,
        "trailer\n<< /Size {size} /Root 1 0 R {extra} >>\nstartxref\n{xref}\n%%EOF\n"
    )
    .unwrap();
    out
}

/// A good page whose dictionary also points at `object` (object 6).
fn with_extra_object(object: &str) -> Vec<u8> {
    let mut objects = basic_objects(&page_content(&["Tekst ved siden av et dypt objekt"]));
    objects[2] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R /Hostile 6 0 R >>".to_vec();
    objects.push(object.as_bytes().to_vec());
    raw_pdf(&objects, "")
}

/// A zlib stream that inflates to `total` zero bytes (a multiple of 1 MiB), built without
/// compressing them all: one MiB compressed with a full flush (so it refers to nothing
/// before it) is repeated, then closed with an empty final block and the Adler-32 of the
/// whole.
pub fn zlib_bomb(total: u64) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    const CHUNK: usize = 1 << 20;
    assert_eq!(total % CHUNK as u64, 0);
    let zeros = vec![0u8; CHUNK];
    let mut compress = Compress::new(Compression::best(), false);
    let mut block = Vec::with_capacity(64 * 1024);
    compress
        .compress_vec(&zeros, &mut block, FlushCompress::Full)
        .unwrap();
    assert_eq!(
        compress.total_in(),
        CHUNK as u64,
        "the chunk fits the buffer"
    );
    let copies = (total / CHUNK as u64) as usize;
    let mut out = Vec::with_capacity(2 + block.len() * copies + 6);
    out.extend_from_slice(&[0x78, 0xDA]);
    for _ in 0..copies {
        out.extend_from_slice(&block);
    }
    // An empty final block with fixed Huffman codes.
    out.extend_from_slice(&[0x03, 0x00]);
    // Adler-32 of `total` zeros: a = 1, b = total mod 65521.
    let adler = ((total % 65521) << 16) as u32 | 1;
    out.extend_from_slice(&adler.to_be_bytes());
    out
}

/// Page 1 is good text; page 2's content inflates to `total` bytes (through two FlateDecode
/// layers when `double`).
fn bomb_pdf(total: u64, double: bool) -> Vec<u8> {
    let inner = zlib_bomb(total);
    let (data, filter) = if double {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&inner).unwrap();
        (
            encoder.finish().unwrap(),
            "/Filter [/FlateDecode /FlateDecode]",
        )
    } else {
        (inner, "/Filter /FlateDecode")
    };
    let objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        stream("", page_content(&["Side en før bomben"]).as_bytes()),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 7 0 R >>".to_vec(),
        stream(filter, &data),
    ];
    raw_pdf(&objects, "")
}

/// `n` Form XObjects in a ring, each drawing the next (1: a form that draws itself); the
/// page shows text, then draws the first.
fn xobject_cycle_pdf(n: usize) -> Vec<u8> {
    let mut objects = basic_objects(&format!(
        "{}/X0 Do\n",
        page_content(&["Tekst før syklusen"])
    ));
    // Forms are objects 6.. ; the page's resources name X0.
    objects[2] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> /XObject << /X0 6 0 R >> >> /Contents 5 0 R >>".to_vec();
    for i in 0..n {
        let next = 6 + (i + 1) % n;
        let content = format!("BT /F1 12 Tf 72 600 Td (syklus {i}) Tj ET\n/X0 Do\n");
        objects.push(stream(
            &format!(
                "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> /XObject << /X0 {next} 0 R >> >>"
            ),
            content.as_bytes(),
        ));
    }
    raw_pdf(&objects, "")
}

/// `levels` Form XObjects, each drawing the next twice: 2^levels draws of the last, at a
/// recursion depth of only `levels`.
fn xobject_fanout_pdf(levels: usize) -> Vec<u8> {
    let mut objects = basic_objects(&format!("{}/X0 Do\n", page_content(&["Tekst før vifta"])));
    objects[2] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> /XObject << /X0 6 0 R >> >> /Contents 5 0 R >>".to_vec();
    for i in 0..levels {
        let (content, resources) = if i + 1 < levels {
            (
                "q /X0 Do Q q /X0 Do Q\n".to_string(),
                format!("<< /XObject << /X0 {} 0 R >> >>", 6 + i + 1),
            )
        } else {
            (
                "BT /F1 1 Tf 0 0 Td (x) Tj ET\n".to_string(),
                "<< /Font << /F1 4 0 R >> >>".to_string(),
            )
        };
        objects.push(stream(
            &format!("/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources {resources}"),
            content.as_bytes(),
        ));
    }
    raw_pdf(&objects, "")
}

fn page_tree_cycle_pdf() -> Vec<u8> {
    let mut objects = basic_objects(&page_content(&["Tekst i en sirkulær sidetre"]));
    objects[1] = b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>".to_vec();
    raw_pdf(&objects, "")
}

fn page_count_lie_pdf() -> Vec<u8> {
    let mut objects = basic_objects(&page_content(&["Tekst med løgn om sidetallet"]));
    objects[1] = b"<< /Type /Pages /Kids [3 0 R] /Count 2147483647 >>".to_vec();
    raw_pdf(&objects, "")
}
