//! OCR: scans made in the test (text rendered to page images, slightly rotated and
//! speckled, wrapped in a PDF without a text layer) come back with their words, year and
//! conventions; OCR is cached by content hash; without Tesseract ingest goes on and marks
//! the scans.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use lopdf::{Document, Object, Stream, dictionary};
use tower::ServiceExt;

use arkiv::extract::{word_coverage, words};
use arkiv::index::{ArchiveIndex, SearchRequest};
use arkiv::ingest::ingest;
use arkiv::library::Library;
use arkiv::model::{Convention, TextStatus};
use arkiv::pdfgen::{PdfSpec, render};
use arkiv::web::{AppState, router};

use crate::support::{arkiv_bin, ingest_options, programs};

const LETTER: [&str; 2] = [
    "Krisesentersekretariatet\n\
     Storgata 10, 0155 Oslo\n\
     \n\
     Justis- og beredskapsdepartementet\n\
     Postboks 8005 Dep, 0030 Oslo\n\
     \n\
     Oslo, 30. november 2019\n\
     \n\
     Høringssvar om endringer i straffeloven og straffeprosessloven\n\
     \n\
     Krisesentersekretariatet takker for muligheten til å gi innspill i denne høringen. Vi \
     støtter forslaget om å styrke vernet av personer som utsettes for vold i nære \
     relasjoner, og vi viser særlig til Istanbulkonvensjonen artikkel 18 og artikkel 52.\n\
     \n\
     Norge har forpliktet seg til å forebygge og bekjempe vold mot kvinner og vold i \
     familien. Statens plikt til å beskytte gjelder også når volden skjer i hjemmet. Vi \
     mener at kontaktforbud med elektronisk kontroll, ofte kalt omvendt voldsalarm, må \
     brukes oftere enn i dag.",
    "Barn som lever med vold\n\
     \n\
     Barnekonvensjonen artikkel 19 pålegger staten å beskytte barn mot alle former for \
     vold. Mange barn som bor på krisesentrene har selv vært utsatt for vold, eller de har \
     sett og hørt vold mot mor. Disse barna må få egen oppfølging, og de må bli hørt i \
     saker som gjelder dem.\n\
     \n\
     Vi foreslår derfor at departementet utreder en egen rett til oppfølging for barn på \
     krisesenter, og at samarbeidet mellom krisesentrene, barnevernet og politiet blir \
     bedre.\n\
     \n\
     Med vennlig hilsen\n\
     Tone Åsheim Øverli\n\
     daglig leder",
];

/// How one page of a generated scan is made.
struct ScanPage {
    text: &'static str,
    dpi: u32,
    /// Degrees, counter-clockwise: no scanner feeds paper perfectly straight.
    rotation: f64,
}

/// A grayscale page image, one byte per pixel, rows top to bottom.
struct Gray {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

/// Renders `text` as an A4 page with pdfgen, then as pixels with poppler's pdftoppm.
fn rasterize(text: &str, dpi: u32, scratch: &Path) -> Gray {
    let pdf = scratch.join("page.pdf");
    let spec = PdfSpec {
        pages: vec![text.to_string()],
        ..PdfSpec::default()
    };
    std::fs::write(&pdf, render(&spec)).unwrap();
    let out = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray"])
        .arg(&pdf)
        .output()
        .expect("pdftoppm is installed (poppler-utils)");
    assert!(out.status.success());
    parse_pgm(&out.stdout)
}

/// Binary PGM (`P5`) as pdftoppm writes it: three header fields, one whitespace, pixels.
fn parse_pgm(bytes: &[u8]) -> Gray {
    let mut fields = Vec::new();
    let mut at = 2;
    while fields.len() < 3 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(
            std::str::from_utf8(&bytes[start..at])
                .unwrap()
                .parse::<usize>()
                .unwrap(),
        );
    }
    assert_eq!(&bytes[..2], b"P5");
    assert_eq!(fields[2], 255);
    let (width, height) = (fields[0], fields[1]);
    let pixels = bytes[at + 1..at + 1 + width * height].to_vec();
    Gray {
        width,
        height,
        pixels,
    }
}

/// Turns the page by `degrees` about its centre (bilinear, white where the paper ends) and
/// speckles it like a scanner glass: dust and a little sensor noise, the same every run.
fn scanned(page: &Gray, degrees: f64) -> Gray {
    let (w, h) = (page.width as f64, page.height as f64);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let at = |x: isize, y: isize| -> f64 {
        if x < 0 || y < 0 || x as usize >= page.width || y as usize >= page.height {
            255.0
        } else {
            f64::from(page.pixels[y as usize * page.width + x as usize])
        }
    };
    let mut seed: u64 = 0x2008_1130;
    let mut random = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as u32
    };
    let mut pixels = Vec::with_capacity(page.pixels.len());
    for y in 0..page.height {
        for x in 0..page.width {
            let (dx, dy) = (x as f64 - w / 2.0, y as f64 - h / 2.0);
            let sx = cos * dx - sin * dy + w / 2.0;
            let sy = sin * dx + cos * dy + h / 2.0;
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as isize, y0 as isize);
            let value = at(x0, y0) * (1.0 - fx) * (1.0 - fy)
                + at(x0 + 1, y0) * fx * (1.0 - fy)
                + at(x0, y0 + 1) * (1.0 - fx) * fy
                + at(x0 + 1, y0 + 1) * fx * fy;
            let r = random();
            let value = if r % 1500 == 0 {
                40.0
            } else {
                value + f64::from(r % 41) - 20.0
            };
            pixels.push(value.clamp(0.0, 255.0) as u8);
        }
    }
    Gray {
        width: page.width,
        height: page.height,
        pixels,
    }
}

/// A PDF whose pages are nothing but one grayscale image each, sized so the image has the
/// resolution it was rendered at.
fn image_pdf(images: &[(Gray, u32)]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for (image, dpi) in images {
        let width = image.width as f64 * 72.0 / f64::from(*dpi);
        let height = image.height as f64 * 72.0 / f64::from(*dpi);
        let image_id = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => image.width as i64,
                "Height" => image.height as i64,
                "ColorSpace" => "DeviceGray",
                "BitsPerComponent" => 8,
            },
            image.pixels.clone(),
        ));
        let content = format!("q {width:.3} 0 0 {height:.3} 0 0 cm /Im0 Do Q\n");
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::from(width), Object::from(height)],
            "Contents" => content_id,
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
        });
        kids.push(Object::from(page_id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// Writes a scanned PDF of `pages` to `path` and checks that it has no text layer.
fn write_scan(path: &Path, pages: &[ScanPage]) {
    let scratch = tempfile::tempdir().unwrap();
    let images: Vec<(Gray, u32)> = pages
        .iter()
        .map(|p| {
            let flat = rasterize(p.text, p.dpi, scratch.path());
            (scanned(&flat, p.rotation), p.dpi)
        })
        .collect();
    std::fs::write(path, image_pdf(&images)).unwrap();
    let text = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext is installed");
    assert!(text.status.success(), "pdftotext cannot read {path:?}");
    assert!(
        words(&String::from_utf8_lossy(&text.stdout)).is_empty(),
        "the scan has a text layer"
    );
}

async fn get(state: &AppState, uri: &str) -> String {
    let response = router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn scans_are_read_by_ocr_cached_by_content_and_shown_as_ocr() {
    if programs::require(["pdftoppm", "pdftotext", "tesseract"]).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    let pages = [
        ScanPage {
            text: LETTER[0],
            dpi: 300,
            rotation: 1.2,
        },
        ScanPage {
            text: LETTER[1],
            dpi: 200,
            rotation: -0.8,
        },
    ];
    write_scan(&docs.join("skannet-horingssvar-2019.pdf"), &pages);

    let cache = dir.path().join("ocr-cache");
    let mut options = ingest_options();
    options.extract.ocr_cache = Some(cache.clone());
    let index = ArchiveIndex::open_or_create(&dir.path().join("index")).unwrap();
    let started = Instant::now();
    let report = ingest(&Library::new(&docs), &index, &options).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(report.failed.is_empty(), "{:?}", report.failed);

    let summary = &report.documents[0];
    assert_eq!(summary.status, TextStatus::Ok);
    assert_eq!(summary.year, Some(2019));
    assert_eq!(summary.date.as_deref(), Some("2019-11-30"));
    assert!(
        summary.conventions.contains(&Convention::Istanbul)
            && summary.conventions.contains(&Convention::Crc),
        "{:?}",
        summary.conventions
    );
    let articles: Vec<String> = summary.articles.iter().map(|a| a.to_string()).collect();
    assert!(
        articles.contains(&"istanbul:18".to_string()) && articles.contains(&"crc:19".to_string()),
        "{articles:?}"
    );

    let doc = index.document(&summary.id).unwrap().unwrap();
    let ocr = doc.ocr.expect("the document records OCR");
    assert_eq!(ocr.pages, 2);
    assert!(ocr.mean_confidence > 70.0, "{ocr:?}");
    assert!(
        doc.extraction_note.as_deref().unwrap_or("").contains("OCR"),
        "{:?}",
        doc.extraction_note
    );
    let mut accuracy = Vec::new();
    for (page, expected) in doc.pages.iter().zip(LETTER) {
        accuracy.push(word_coverage(page, expected));
    }
    let overall = word_coverage(&doc.pages.join("\n"), &LETTER.join("\n"));
    eprintln!(
        "OCR: {} pages in {seconds:.1} s ({:.2} pages/s, whole ingest); word accuracy {:.1} % \
         (300 dpi page {:.1} %, 200 dpi page {:.1} %); mean confidence {:.1}",
        pages.len(),
        pages.len() as f64 / seconds,
        overall * 100.0,
        accuracy[0] * 100.0,
        accuracy[1] * 100.0,
        ocr.mean_confidence,
    );
    assert!(overall >= 0.95, "{overall}: {:?}", doc.pages);
    for (n, a) in accuracy.iter().enumerate() {
        assert!(*a >= 0.95, "page {}: {a}: {}", n + 1, doc.pages[n]);
    }

    // Found by its words, and shown as OCR text on the search and document pages.
    let hits = index
        .search(&SearchRequest {
            query: "omvendt voldsalarm".into(),
            limit: 10,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(hits.total, 1);
    let state = AppState::new(index.clone(), Library::new(&docs), "https://arkiv.example");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let search_page = runtime.block_on(get(&state, "/sok?q=voldsalarm"));
    assert!(
        search_page.contains("Tekst fra OCR (sikkerhet "),
        "{search_page}"
    );
    let document_page = runtime.block_on(get(&state, &format!("/dokument/{}?lang=en", doc.id)));
    assert!(
        document_page.contains("Text from OCR (confidence "),
        "{document_page}"
    );

    // Kept by content hash: a fresh index (as `reindex` builds) gets the same text from the
    // cache even with Tesseract gone, so the pages were not read again.
    assert!(cache.join(format!("{}.json", doc.id)).is_file());
    let mut without = ingest_options();
    without.extract.ocr_cache = Some(cache.clone());
    without.extract.tesseract = None;
    let fresh = ArchiveIndex::open_or_create(&dir.path().join("index2")).unwrap();
    let again = ingest(&Library::new(&docs), &fresh, &without).unwrap();
    assert!(again.failed.is_empty(), "{:?}", again.failed);
    let cached = fresh.document(&doc.id).unwrap().unwrap();
    assert_eq!(cached.pages, doc.pages);
    assert_eq!(cached.ocr, Some(ocr));
    assert_eq!(again.documents[0].year, Some(2019));
}

#[test]
fn documents_stored_before_ocr_existed_still_read() {
    let spec = PdfSpec {
        pages: vec!["Høringssvar".into()],
        ..PdfSpec::default()
    };
    let extracted = arkiv::extract::Extracted {
        pages: spec.pages.clone(),
        metadata: Default::default(),
        source: "pdf-extract".into(),
    };
    let id = arkiv::model::DocId::from_content(&render(&spec));
    let submission =
        arkiv::ingest::describe("a.pdf", id, extracted, arkiv::library::Sidecar::default());
    let mut stored = serde_json::to_value(&submission).unwrap();
    assert!(stored.as_object_mut().unwrap().remove("ocr").is_some());
    let read: arkiv::model::Submission = serde_json::from_value(stored).unwrap();
    assert_eq!(read, submission);
}

/// A folder holding links to the programs of `names` found on `PATH`, and nothing else.
fn bin_dir_with(dir: &Path, names: &[&str]) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in names {
        let found = std::env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{name} is installed"));
        std::os::unix::fs::symlink(found, bin.join(name)).unwrap();
    }
    bin
}

#[test]
fn without_tesseract_scans_are_indexed_without_text_and_ingest_says_so_once() {
    let poppler = ["pdftotext", "pdftoppm", "pdfimages", "pdfinfo"];
    if programs::require(poppler).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    for name in ["skann-a.pdf", "skann-b.pdf"] {
        let text = if name == "skann-a.pdf" {
            "Oslo, 2. mars 2008\n\nInnspill om vold i nære relasjoner."
        } else {
            "Bergen, 4. april 2008\n\nHøringssvar om barnekonvensjonen."
        };
        write_scan(
            &docs.join(name),
            &[ScanPage {
                text,
                dpi: 200,
                rotation: 0.5,
            }],
        );
    }
    let bin = bin_dir_with(dir.path(), &poppler);
    let cache = dir.path().join("ocr-cache");
    let out = Command::new(arkiv_bin())
        .args(["ingest", "--json", "--documents"])
        .arg(&docs)
        .arg("--index")
        .arg(dir.path().join("index"))
        .arg("--ocr-cache")
        .arg(&cache)
        .env("PATH", &bin)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr.matches("tesseract er ikke installert").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("tesseract is not installed"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let documents = summary["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 2, "{summary}");
    for doc in documents {
        assert_eq!(doc["status"], "no_text", "{doc}");
        assert!(doc["ocr"].is_null(), "{doc}");
    }
    assert!(!cache.exists(), "nothing was read, so nothing is cached");

    // The same through the library, with the document's note saying why there is no text.
    let mut options = ingest_options();
    options.extract.tesseract = None;
    let index = ArchiveIndex::open_or_create(&dir.path().join("index2")).unwrap();
    let report = ingest(&Library::new(&docs), &index, &options).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let doc = index.document(&report.documents[0].id).unwrap().unwrap();
    assert_eq!(doc.status, TextStatus::NoText);
    assert!(
        doc.extraction_note
            .as_deref()
            .unwrap_or("")
            .contains("tesseract is not installed"),
        "{:?}",
        doc.extraction_note
    );
}

#[tokio::test]
async fn hits_on_a_scanned_page_are_boxed_where_ocr_read_them() {
    if programs::require(["pdftoppm", "pdftotext", "tesseract"]).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    write_scan(
        &docs.join("skannet-2019.pdf"),
        &[ScanPage {
            text: LETTER[0],
            dpi: 200,
            rotation: 0.0,
        }],
    );
    let mut options = ingest_options();
    options.extract.ocr_cache = Some(dir.path().join("ocr-cache"));
    let index = ArchiveIndex::open_or_create(&dir.path().join("index")).unwrap();
    let report = ingest(&Library::new(&docs), &index, &options).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let id = report.documents[0].id.clone();
    let state = AppState::new(index, Library::new(&docs), "http://localhost").with_page_images(
        arkiv::extract::render::PageCache::new(dir.path().join("page-cache"), options.extract),
    );
    let page = get(&state, &format!("/dokument/{id}?q=Istanbulkonvensjonen")).await;
    let re = regex::Regex::new(
        r#"<rect x="([0-9.]+)" y="([0-9.]+)" width="([0-9.]+)" height="([0-9.]+)"/>"#,
    )
    .unwrap();
    let boxes: Vec<Vec<f64>> = re
        .captures_iter(&page)
        .map(|c| (1..=4).map(|i| c[i].parse().unwrap()).collect())
        .collect();
    // One mention, in the first paragraph of an A4 letter set an inch from the left edge.
    assert_eq!(boxes.len(), 1, "{page}");
    let (x, y, width, height) = (boxes[0][0], boxes[0][1], boxes[0][2], boxes[0][3]);
    assert!((55.0..400.0).contains(&x), "{boxes:?}");
    assert!((150.0..450.0).contains(&y), "{boxes:?}");
    assert!(
        (60.0..250.0).contains(&width) && (6.0..30.0).contains(&height),
        "{boxes:?}"
    );
}
