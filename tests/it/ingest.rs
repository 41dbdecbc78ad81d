//! Ingest: the shared corpus end to end, completeness against pdftotext, idempotence,
//! removal, changed sidecars, bad inputs, and kills mid-run.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use arkiv::extract::word_coverage;
use arkiv::index::ArchiveIndex;
use arkiv::ingest::IngestReport;
use arkiv::model::TextStatus;

use crate::support::*;

struct CorpusRun {
    _dir: tempfile::TempDir,
    index: ArchiveIndex,
    first: IngestReport,
    second: IngestReport,
}

/// The shared corpus ingested twice into one temporary index.
fn corpus_run() -> &'static CorpusRun {
    static RUN: OnceLock<CorpusRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("documents");
        copy_into(&corpus_pdfs(), &docs);
        let (index, first) = run_ingest(&docs, &dir.path().join("index"));
        let (_, second) = run_ingest(&docs, &dir.path().join("index"));
        CorpusRun {
            _dir: dir,
            index,
            first,
            second,
        }
    })
}

#[test]
fn corpus_every_file_has_an_outcome_and_a_second_run_changes_nothing() {
    // Damaged files the corpus expects to be read are read by pdftotext.
    if programs::require(["pdftotext"]).is_none() {
        return;
    }
    let run = corpus_run();
    let files = corpus_pdfs().len();
    assert_eq!(run.first.indexed + run.first.failed.len(), files);
    assert_eq!(run.first.documents.len(), run.first.indexed);
    for failure in &run.first.failed {
        assert!(
            !failure.error.is_empty(),
            "{} failed without a reason",
            failure.file
        );
    }
    // The corpus holds files nobody can read (0 bytes, not PDFs, unknown passwords) and
    // files every reader can: both kinds must be there.
    let failed: BTreeSet<&str> = run.first.failed.iter().map(|f| f.file.as_str()).collect();
    assert!(failed.contains("huridocs_not_a_pdf.pdf"));
    assert!(!failed.contains("no_fhi_smittestopp2_innspill_personvern.pdf"));

    assert_eq!(run.second.indexed, 0, "second run re-indexed files");
    assert_eq!(run.second.unchanged, run.first.indexed);
    assert_eq!(run.second.removed, 0);
    assert_eq!(run.second.failed, run.first.failed);
}

#[test]
fn corpus_scans_are_read_by_ocr_and_blank_pages_stay_without_text() {
    if programs::require(["pdftotext", "pdftoppm", "tesseract"]).is_none() {
        return;
    }
    let run = corpus_run();
    let find = |file: &str| {
        run.first
            .documents
            .iter()
            .find(|d| d.file == file)
            .unwrap_or_else(|| panic!("{file} is indexed"))
    };
    // An image-only page saying "Test text OCR".
    let scan = find("huridocs_ocr-sample-english.pdf");
    assert_eq!(scan.status, TextStatus::Ok);
    assert_eq!(scan.pages, 1);
    assert_eq!(scan.ocr.map(|o| o.pages), Some(1));
    let text = run
        .index
        .document(&scan.id)
        .unwrap()
        .unwrap()
        .pages
        .concat();
    assert!(word_coverage(&text, "Test text OCR") == 1.0, "{text:?}");
    let blank = find("huridocs_blank.pdf");
    assert_eq!(blank.status, TextStatus::NoText);
    assert_eq!(blank.ocr, None);
}

fn pdftotext(path: &Path) -> Option<String> {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-q"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext is installed (poppler-utils)");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn corpus_words_cover_what_pdftotext_finds() {
    if programs::require(["pdftotext"]).is_none() {
        return;
    }
    let run = corpus_run();
    let by_file: HashMap<&str, &arkiv::ingest::DocumentSummary> = run
        .first
        .documents
        .iter()
        .map(|d| (d.file.as_str(), d))
        .collect();
    let mut below = Vec::new();
    let mut measured = 0;
    for path in corpus_pdfs() {
        let Some(reference) = pdftotext(&path) else {
            continue;
        };
        if arkiv::extract::words(&reference).is_empty() {
            continue;
        }
        measured += 1;
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let coverage = match by_file.get(file.as_str()) {
            Some(summary) => {
                let doc = run.index.document(&summary.id).unwrap().unwrap();
                word_coverage(&doc.pages.join("\n"), &reference)
            }
            None => 0.0,
        };
        eprintln!("coverage {coverage:.4} {file}");
        if coverage < 0.99 {
            below.push((file, coverage));
        }
    }
    assert!(measured > 80, "only {measured} files measured");
    assert!(
        below.is_empty(),
        "below 99 % of pdftotext's words: {below:?}"
    );
}

#[test]
fn removed_and_changed_files_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    write_pdf(
        &docs,
        "a.pdf",
        None,
        &["Høringssvar om barnekonvensjonen artikkel 12"],
    );
    write_pdf(&docs, "b.pdf", None, &["Innspill om EMK artikkel 8"]);
    std::fs::write(docs.join("b.toml"), "title = \"Første tittel\"\n").unwrap();
    let index_dir = dir.path().join("index");
    let (_, first) = run_ingest(&docs, &index_dir);
    assert_eq!((first.indexed, first.failed.len()), (2, 0));

    std::fs::remove_file(docs.join("a.pdf")).unwrap();
    std::fs::write(
        docs.join("b.toml"),
        "title = \"Ny tittel\"\nkind = \"innspill\"\n",
    )
    .unwrap();
    let (index, second) = run_ingest(&docs, &index_dir);
    assert_eq!(
        (second.indexed, second.removed, second.unchanged),
        (1, 1, 0)
    );
    let docs_now = index.documents().unwrap();
    assert_eq!(docs_now.len(), 1);
    assert_eq!(docs_now[0].submission.title, "Ny tittel");
    assert_eq!(docs_now[0].submission.kind, arkiv::model::Kind::Innspill);
    assert_eq!(
        docs_now[0]
            .submission
            .articles
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>(),
        vec!["echr:8"]
    );
}

#[test]
fn bad_inputs_fail_one_by_one_and_the_rest_is_indexed() {
    let Some([qpdf, _]) = programs::require(["qpdf", "pdftotext"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();

    let good = write_pdf(
        &docs,
        "good.pdf",
        None,
        &["Høringssvar om Istanbulkonvensjonen"],
    );
    std::fs::write(docs.join("zero.pdf"), b"").unwrap();
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(docs.join("random.pdf"), &random).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(docs.join("truncated.pdf"), &bytes[..bytes.len() / 3]).unwrap();
    let long: Vec<String> = (1..=2000)
        .map(|n| format!("Side {n} om vold i nære relasjoner"))
        .collect();
    let long_refs: Vec<&str> = long.iter().map(String::as_str).collect();
    write_pdf(&docs, "long.pdf", None, &long_refs);
    // A symlink to a folder is a file name that cannot be read as a file.
    std::os::unix::fs::symlink(dir.path(), docs.join("unreadable.pdf")).unwrap();
    write_pdf(&docs, "wrongtype.pdf", None, &["Tekst"]);
    std::fs::write(docs.join("wrongtype.toml"), "title = \"x\"\ndate = 5\n").unwrap();
    write_pdf(&docs, "badkind.pdf", None, &["Tekst to"]);
    std::fs::write(
        docs.join("badkind.toml"),
        "title = \"y\"\nkind = \"brev\"\n",
    )
    .unwrap();
    // Encrypted with a user password nobody gave us (qpdf from Debian's qpdf package).
    let encrypted = docs.join("encrypted.pdf");
    let status = Command::new(&qpdf)
        .args(["--encrypt", "hemmelig", "eier", "256", "--"])
        .arg(&good)
        .arg(&encrypted)
        .status()
        .expect("qpdf is installed");
    assert!(status.success());
    // pdf-extract panics on a page of this letter (in a Type 1 font parser); pdftotext
    // reads it.
    copy_into(
        &[corpus_dir().join("norwegian/no_skatteetaten_mva_kvittering.pdf")],
        &docs,
    );

    let (index, report) = run_ingest(&docs, &dir.path().join("index"));
    let failed: HashMap<&str, &str> = report
        .failed
        .iter()
        .map(|f| (f.file.as_str(), f.error.as_str()))
        .collect();
    let expect = |file: &str, needle: &str| {
        let error = failed
            .get(file)
            .unwrap_or_else(|| panic!("{file} did not fail: {failed:?}"));
        assert!(error.contains(needle), "{file}: `{error}` lacks `{needle}`");
    };
    expect("zero.pdf", "empty file");
    expect("random.pdf", "not a PDF");
    expect("unreadable.pdf", "cannot read");
    expect("wrongtype.pdf", "line 2, field `date`");
    expect("badkind.pdf", "field `kind`");
    expect("encrypted.pdf", "encrypted");
    expect("truncated.pdf", "unreadable PDF");
    assert_eq!(report.failed.len(), 7, "{:?}", report.failed);

    let indexed: BTreeSet<String> = report.documents.iter().map(|d| d.file.clone()).collect();
    let expected: BTreeSet<String> = ["good.pdf", "long.pdf", "no_skatteetaten_mva_kvittering.pdf"]
        .map(String::from)
        .into();
    assert_eq!(indexed, expected);
    let long = report
        .documents
        .iter()
        .find(|d| d.file == "long.pdf")
        .unwrap();
    assert_eq!(long.pages, 2000);
    let panicky = report
        .documents
        .iter()
        .find(|d| d.file == "no_skatteetaten_mva_kvittering.pdf")
        .unwrap();
    let panicky = index.document(&panicky.id).unwrap().unwrap();
    assert!(panicky.pages.concat().contains("Skatteetaten"));
    let long_doc = index.document(&long.id).unwrap().unwrap();
    assert!(long_doc.pages[1999].contains("Side 2000"));
}

#[test]
fn killed_ingests_leave_an_index_that_converges() {
    use rand::Rng;
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    copy_samples(&docs);
    let index_dir = dir.path().join("index");
    let mut rng = rand::rng();
    for _ in 0..5 {
        let mut child = Command::new(arkiv_bin())
            .arg("ingest")
            .arg("--documents")
            .arg(&docs)
            .arg("--index")
            .arg(&index_dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(rng.random_range(0..1500)));
        let _ = child.kill();
        let _ = child.wait();
    }
    let (index, report) = run_ingest(&docs, &index_dir);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let pdfs = std::fs::read_dir(&docs)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "pdf")
        })
        .count();
    assert!(pdfs >= 15, "the sample archive has {pdfs} PDFs");
    let documents = index.documents().unwrap();
    assert_eq!(documents.len(), pdfs);
    let ids: BTreeSet<_> = documents.iter().map(|d| d.submission.id.clone()).collect();
    assert_eq!(ids.len(), pdfs, "duplicate documents after kills");
    let (_, again) = run_ingest(&docs, &index_dir);
    assert_eq!((again.indexed, again.unchanged), (0, pdfs));
}

/// A `pdftotext` that leaves a mark each time it runs, then runs the real one.
fn marking_pdftotext(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let real = arkiv::extract::find_on_path("pdftotext").expect("pdftotext is installed");
    let marks = dir.join("pdftotext-ran");
    let script = dir.join("bin").join("pdftotext");
    std::fs::create_dir_all(script.parent().unwrap()).unwrap();
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            marks.display(),
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, marks)
}

/// Designed PDFs (embedded TrueType and CID fonts, object streams) are read by pdftotext
/// first, since pdf-extract is several times slower on them; pdf-extract is not asked when
/// pdftotext read every page, and the file's title still comes from its Info dictionary.
#[test]
fn pdftotext_reads_designed_pdfs_first() {
    if programs::require(["pdftotext"]).is_none() {
        return;
    }
    let config = extract_config();
    let designed = [
        "norwegian/no_nordodal_innsyn_valgprotokoll_2021_brev.pdf",
        "norwegian/no_skatteetaten_regler_mvamelding.pdf",
        "norwegian/no_fhi_smittestopp2_vedlegg.pdf",
        "conventions/en_un_upr_report_norway2014.pdf",
    ];
    for file in designed {
        let path = corpus_dir().join(file);
        let extracted = arkiv::extract::extract_file(&path, &config).unwrap();
        assert_eq!(extracted.source, "pdftotext", "{file}");
        let reference = pdftotext(&path).unwrap();
        let coverage = word_coverage(&extracted.pages.join("\n"), &reference);
        assert!(coverage >= 0.99, "{file}: {coverage}");
    }
    let letter = corpus_dir().join(designed[0]);
    let extracted = arkiv::extract::extract_file(&letter, &config).unwrap();
    assert_eq!(
        extracted.metadata.title.as_deref(),
        Some("Innsyn i valgprotokoll for storting og sameting valget 2021")
    );
    assert_eq!(
        extracted
            .metadata
            .creation_date
            .as_deref()
            .and_then(arkiv::tagging::parse_pdf_date),
        chrono::NaiveDate::from_ymd_opt(2015, 5, 13)
    );
}

/// When pdftotext leaves a page's glyphs undecoded, pdf-extract reads the file too and
/// its pages are used where they hold pdftotext's words.
#[test]
fn pdf_extract_reads_what_pdftotext_left_undecoded() {
    use std::os::unix::fs::PermissionsExt;
    if programs::require(["pdftotext"]).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("bin").join("pdftotext");
    std::fs::create_dir_all(script.parent().unwrap()).unwrap();
    // A pdftotext whose one page is private-use code points, as an undecodable font gives.
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf '\\357\\200\\201\\357\\200\\202\\357\\200\\203 \\357\\200\\204\\014'\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut config = extract_config();
    config.pdftotext = Some(script);
    let letter = corpus_dir().join("norwegian/no_nordodal_innsyn_valgprotokoll_2021_brev.pdf");
    let extracted = arkiv::extract::extract_file(&letter, &config).unwrap();
    assert!(
        extracted.source.contains("pdf-extract"),
        "{}",
        extracted.source
    );
    assert!(
        extracted.pages.join(" ").contains("Nord-Odal"),
        "{:?}",
        extracted.pages
    );
}

#[test]
fn pdftotext_reads_only_what_pdf_extract_does_not_read_whole() {
    if programs::require(["pdftotext"]).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (script, marks) = marking_pdftotext(dir.path());
    let mut config = extract_config();
    config.pdftotext = Some(script);

    // Machine-made letters: pdf-extract alone, and every word pdftotext would find.
    let samples: Vec<_> = std::fs::read_dir(samples_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    assert!(samples.len() > 10);
    for path in &samples {
        let extracted = arkiv::extract::extract_file(path, &config).unwrap();
        assert_eq!(extracted.source, "pdf-extract", "{}", path.display());
        let reference = pdftotext(path).unwrap();
        let coverage = word_coverage(&extracted.pages.join("\n"), &reference);
        assert!(coverage >= 0.99, "{}: {coverage}", path.display());
    }
    assert!(
        !marks.exists(),
        "pdftotext ran on a letter pdf-extract read whole"
    );

    // Spurious spaces inside words ("p erso n vern et"): pdftotext is asked and wins.
    let split = corpus_dir().join("norwegian/no_fhi_smittestopp2_innspill_personvern.pdf");
    let extracted = arkiv::extract::extract_file(&split, &config).unwrap();
    assert!(marks.exists(), "pdftotext was not asked about split words");
    let reference = pdftotext(&split).unwrap();
    let coverage = word_coverage(&extracted.pages.join("\n"), &reference);
    assert!(coverage >= 0.99, "coverage {coverage}");
}
