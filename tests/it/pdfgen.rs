//! Round-trip tests for `arkiv::pdfgen`: what it renders must come back out of real text
//! extractors word for word, with Norwegian letters intact and no spaces inside words.

use std::process::Command;

use arkiv::pdfgen::*;
use chrono::NaiveDate;

use crate::support::programs;

const NORWEGIAN: &str = "Høringssvar – Krisesentersekretariatet: vold i nære relasjoner, \
                         særlig for barn og unge; Æ Ø Å";

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

fn three_pages() -> Vec<String> {
    vec![
        format!("{NORWEGIAN}\n\nSide én: «voldsutsatte» kvinner og “sårbare” barn."),
        format!(
            "Side to (med parentes), punkt 1) og en omvendt skråstrek \\ i teksten.\n{NORWEGIAN}\n\
             Kommunene må sikre rettigheter for voldsutsatte – også for dem med \
             midlertidig oppholdstillatelse."
        ),
        format!("Side tre, en siste linje.\n{NORWEGIAN}"),
    ]
}

fn spec(pages: Vec<String>) -> PdfSpec {
    PdfSpec {
        title: Some("Høringssvar – vold i nære relasjoner".to_string()),
        author: Some("Krisesentersekretariatet".to_string()),
        creation_date: NaiveDate::from_ymd_opt(2019, 11, 30),
        pages,
    }
}

#[test]
fn three_norwegian_pages_round_trip_through_pdf_extract() {
    let pages = three_pages();
    let pdf = render(&spec(pages.clone()));
    let extracted = pdf_extract::extract_text_from_mem_by_pages(&pdf).expect("pdf-extract");
    assert_eq!(extracted.len(), 3, "page count: {extracted:?}");
    for (n, (want, got)) in pages.iter().zip(&extracted).enumerate() {
        assert_eq!(words(got), words(want), "page {}", n + 1);
    }
    assert!(extracted[0].contains("Høringssvar – Krisesentersekretariatet"));
    assert!(extracted[0].contains("særlig"));
}

#[test]
fn three_norwegian_pages_round_trip_through_pdftotext() {
    let Some([pdftotext]) = programs::require(["pdftotext"]) else {
        return;
    };
    let pages = three_pages();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("three.pdf");
    std::fs::write(&path, render(&spec(pages.clone()))).unwrap();
    let out = Command::new(&pdftotext)
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // pdftotext ends every page with a form feed.
    let got: Vec<&str> = text
        .split('\u{0C}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(got.len(), 3, "{text}");
    for (n, (want, got)) in pages.iter().zip(&got).enumerate() {
        assert_eq!(words(got), words(want), "page {}", n + 1);
    }
}

#[test]
fn info_dictionary_carries_title_author_and_date() {
    let pdf = render(&spec(vec!["Tekst".to_string()]));
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    let text = |key: &[u8]| lopdf::decode_text_string(info.get(key).unwrap()).unwrap();
    assert_eq!(text(b"Title"), "Høringssvar – vold i nære relasjoner");
    assert_eq!(text(b"Author"), "Krisesentersekretariatet");
    assert_eq!(
        info.get(b"CreationDate").unwrap().as_str().unwrap(),
        b"D:20191130000000Z"
    );

    let bare = render(&PdfSpec {
        pages: vec!["Tekst".to_string()],
        ..PdfSpec::default()
    });
    let doc = lopdf::Document::load_mem(&bare).unwrap();
    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    assert!(!info.has(b"Title") && !info.has(b"Author") && !info.has(b"CreationDate"));
}

#[test]
fn render_is_deterministic() {
    let a = render(&spec(three_pages()));
    let b = render(&spec(three_pages()));
    assert_eq!(a, b);
}

#[test]
fn long_lines_wrap_without_losing_words() {
    let sentence = "Krisesentersekretariatet mener at kommunene må styrke tilbudet til \
                    voldsutsatte kvinner, menn og barn i hele landet. ";
    let long = sentence.repeat(8);
    let pdf = render(&PdfSpec {
        pages: vec![long.clone()],
        ..PdfSpec::default()
    });
    let extracted = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
    assert_eq!(extracted.len(), 1);
    assert_eq!(words(&extracted[0]), words(&long));
    // The wrapping shows up as several lines of text.
    assert!(
        extracted[0].trim().lines().count() > 5,
        "{:?}",
        extracted[0]
    );
}

/// pdftotext joins a line ending in a hyphen with the next one, so "Barne- og" must never be
/// broken after the hyphen, whatever column it lands in.
#[test]
fn wrapping_never_leaves_a_hyphen_at_the_end_of_a_line() {
    let mut text = String::new();
    for n in 0..40 {
        text.push_str(&"x".repeat(n));
        text.push_str(
            " Barne- og familiedepartementet, Helse- og omsorgsdepartementet og \
             Arbeids- og inkluderingsdepartementet svarer på innspill fra kommuner.\n",
        );
    }
    let pages = paginate(&text);
    let mut ends_checked = 0;
    for page in &pages {
        for line in page.lines() {
            assert!(!line.ends_with('-'), "line ends in a hyphen: {line:?}");
            ends_checked += 1;
        }
    }
    assert!(
        ends_checked > 80,
        "the text should wrap: {ends_checked} lines"
    );

    // The pdftotext half.
    let Some([pdftotext]) = programs::require(["pdftotext"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hyphens.pdf");
    std::fs::write(
        &path,
        render(&PdfSpec {
            pages,
            ..PdfSpec::default()
        }),
    )
    .unwrap();
    let out = Command::new(&pdftotext)
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(words(&String::from_utf8(out.stdout).unwrap()), words(&text));
}

#[test]
fn characters_outside_win_ansi_become_question_marks() {
    let pdf = render(&PdfSpec {
        pages: vec!["Sámi: čázi ŋ og € og … og é".to_string()],
        ..PdfSpec::default()
    });
    let extracted = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
    assert_eq!(words(&extracted[0]), words("Sámi: ?ázi ? og € og … og é"));
}

#[test]
fn no_pages_still_gives_one_blank_page() {
    let pdf = render(&PdfSpec::default());
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    assert_eq!(doc.get_pages().len(), 1);
}

#[test]
fn paginate_spreads_long_text_over_several_pages() {
    let text: String = (1..=180)
        .map(|n| format!("Linje {n} om krisesentertilbudet i kommunene.\n"))
        .collect();
    let pages = paginate(&text);
    assert_eq!(pages.len(), 4, "180 lines at {LINES_PER_PAGE} a page");
    for page in &pages {
        assert!(page.lines().count() <= LINES_PER_PAGE);
    }
    assert!(pages[0].starts_with("Linje 1 om"));
    assert!(pages[3].starts_with("Linje 151 om"));
    let joined: Vec<String> = pages.iter().flat_map(|p| words(p)).collect();
    assert_eq!(joined, words(&text));

    // Wrapped lines count towards the page too: 60 lines of about three printed lines each.
    let wide = format!("{}\n", "sårbare voldsutsatte ".repeat(20)).repeat(60);
    let pages = paginate(&wide);
    assert!(pages.len() >= 3, "{} pages", pages.len());
    for page in &pages {
        assert!(page.lines().count() <= LINES_PER_PAGE);
        for line in page.lines() {
            assert!(text_width(line) <= PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT);
        }
    }
    assert_eq!(
        pages.iter().flat_map(|p| words(p)).collect::<Vec<_>>(),
        words(&wide)
    );
}

#[test]
fn paginate_honours_form_feeds() {
    let pages = paginate("Side en\nmer tekst\u{0C}\nSide to\u{0C}Side tre\n\u{0C}\n");
    assert_eq!(pages, ["Side en\nmer tekst", "Side to", "Side tre"]);

    // Two form feeds in a row give a deliberately empty page.
    let pages = paginate("a\u{0C}\u{0C}b");
    assert_eq!(pages, ["a", "", "b"]);

    assert_eq!(paginate(""), [""]);
    assert_eq!(paginate("kort tekst"), ["kort tekst"]);
}

#[test]
fn paginated_text_renders_page_for_page() {
    let text = format!(
        "{NORWEGIAN}\n{}\u{0C}Etter sideskift.",
        "Barn som lever med vold har rett til beskyttelse.\n".repeat(70)
    );
    let pages = paginate(&text);
    assert_eq!(pages.len(), 3);
    let pdf = render(&PdfSpec {
        pages: pages.clone(),
        ..PdfSpec::default()
    });
    let extracted = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
    assert_eq!(extracted.len(), 3);
    for (want, got) in pages.iter().zip(&extracted) {
        assert_eq!(words(got), words(want));
    }
    assert_eq!(words(&extracted[2]), ["Etter", "sideskift."]);
}

#[test]
fn two_thousand_pages_render() {
    let pages: Vec<String> = (1..=2000)
        .map(|n| format!("Side {n}\n{NORWEGIAN}\n").repeat(10))
        .collect();
    let started = std::time::Instant::now();
    let pdf = render(&PdfSpec {
        pages,
        ..PdfSpec::default()
    });
    eprintln!("2000 pages: {} bytes in {:?}", pdf.len(), started.elapsed());
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let page_ids = doc.get_pages();
    assert_eq!(page_ids.len(), 2000);
    let last = doc.extract_text(&[2000]).unwrap();
    assert!(last.contains("Side 2000"), "{last}");
}

fn repo_path(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The sample stems, from `samples/*.txt`.
fn sample_stems() -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(repo_path("samples"))
        .expect("samples/ exists")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".txt").map(str::to_string)
        })
        .collect();
    stems.sort();
    stems
}

/// The shipped PDFs must be what `cargo run --example make-samples` makes from the current
/// sources; a letter edited without regenerating shows up here.
#[test]
fn shipped_samples_match_their_sources() {
    let stems = sample_stems();
    assert!(stems.len() >= 16, "only {} samples", stems.len());
    for stem in &stems {
        let source = std::fs::read_to_string(repo_path(&format!("samples/{stem}.txt"))).unwrap();
        let want: Vec<String> = words(&source).into_iter().filter(|w| w != "\\f").collect();
        let pdf = std::fs::read(repo_path(&format!("documents/{stem}.pdf")))
            .unwrap_or_else(|e| panic!("documents/{stem}.pdf: {e} (run make-samples)"));
        let pages = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
        assert!(
            (1..=4).contains(&pages.len()),
            "{stem}: {} pages",
            pages.len()
        );
        let got: Vec<String> = pages.iter().flat_map(|p| words(p)).collect();
        assert_eq!(got, want, "{stem}: the PDF is stale; run make-samples");

        let sidecar = std::fs::read(repo_path(&format!("samples/{stem}.toml"))).unwrap();
        let shipped = std::fs::read(repo_path(&format!("documents/{stem}.toml"))).unwrap();
        assert_eq!(sidecar, shipped, "{stem}.toml differs from samples/");
    }
}

/// The shipped consultation records are the sample ones, file for file.
#[test]
fn shipped_consultations_match_their_sources() {
    let names = |dir: &str| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(repo_path(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        names.sort();
        names
    };
    let sources = names("samples/consultations");
    assert!(sources.len() >= 5, "{sources:?}");
    assert_eq!(
        names("documents/consultations"),
        sources,
        "run make-samples"
    );
    for name in &sources {
        let source = std::fs::read(repo_path(&format!("samples/consultations/{name}"))).unwrap();
        let shipped = std::fs::read(repo_path(&format!("documents/consultations/{name}"))).unwrap();
        assert_eq!(
            source, shipped,
            "{name} differs from samples/consultations/"
        );
    }
}

/// The properties other modules' tests rely on when they run over the real samples.
#[test]
fn sample_corpus_has_the_promised_shape() {
    let stems = sample_stems();
    let mut languages = std::collections::BTreeMap::new();
    let mut city_trap = false;
    for stem in &stems {
        let year: i32 = stem[..4].parse().unwrap();
        assert!((2014..=2025).contains(&year), "{stem}");
        let text = std::fs::read_to_string(repo_path(&format!("samples/{stem}.txt"))).unwrap();
        let head: String = text.lines().take(8).collect::<Vec<_>>().join("\n");
        assert!(
            head.contains("arkiv-prosjektet") || head.contains("arkiv project"),
            "{stem}: no sample disclaimer near the top"
        );
        let sidecar: toml::Table =
            std::fs::read_to_string(repo_path(&format!("samples/{stem}.toml")))
                .unwrap()
                .parse()
                .unwrap();
        assert_eq!(
            sidecar.get("sample"),
            Some(&toml::Value::Boolean(true)),
            "{stem}"
        );
        assert!(
            !sidecar.contains_key("conventions"),
            "{stem}: conventions in a sample"
        );
        let lang = sidecar
            .get("language")
            .and_then(|v| v.as_str())
            .unwrap_or("nb")
            .to_string();
        *languages.entry(lang).or_insert(0) += 1;
        let lower = text.to_lowercase();
        if lower.contains("på en konferanse i istanbul")
            && !lower.contains("istanbulkonvensjon")
            && !lower.contains("istanbul-konvensjon")
            && !lower.contains("istanbul convention")
            && !lower.contains("grevio")
            && !lower.contains("vold mot kvinner og vold i nære relasjoner")
        {
            city_trap = true;
        }
    }
    assert_eq!(languages.get("en"), Some(&2), "{languages:?}");
    assert_eq!(languages.get("nn"), Some(&1), "{languages:?}");
    assert!(
        city_trap,
        "no sample mentions Istanbul the city without the convention"
    );
}
