//! Builds the sample archive: turns each `samples/<stem>.txt` letter into
//! `documents/<stem>.pdf` with `arkiv::pdfgen`, and copies `samples/<stem>.toml` beside it.
//!
//! Run with `cargo run --example make-samples [-- --out DIR] [--samples DIR]`. The output is
//! byte-for-byte deterministic, so regenerating never shows up as a change in version control.
//! Every sample is checked before anything is written (date line, disclaimer, sidecar), so a
//! typo in a letter fails here rather than as a puzzling search result later.
//!
//! Page breaks: a line holding only `\f` (a backslash and an `f`) in a `.txt` file starts a new
//! page; everything else is wrapped and paginated by `pdfgen::paginate`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use arkiv::library::Sidecar;
use arkiv::model::Kind;
use arkiv::pdfgen::{PdfSpec, paginate, render};
use chrono::NaiveDate;

const AUTHOR: &str = "Krisesentersekretariatet";
/// Page count the samples are written to; a letter outside it was edited too far.
const PAGES: std::ops::RangeInclusive<usize> = 1..=4;

struct Args {
    samples: PathBuf,
    out: PathBuf,
}

fn parse_args() -> Result<Args> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = Args {
        samples: root.join("samples"),
        out: root.join("documents"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out" => args.out = it.next().context("--out needs a directory")?.into(),
            "--samples" => args.samples = it.next().context("--samples needs a directory")?.into(),
            "-h" | "--help" => {
                println!("usage: make-samples [--out DIR] [--samples DIR]");
                std::process::exit(0);
            }
            other => bail!("unknown argument `{other}` (try --help)"),
        }
    }
    Ok(args)
}

/// The date a sample's file name starts with: `2019-11-30-partnerdrap` → 2019-11-30.
fn stem_date(stem: &str) -> Result<NaiveDate> {
    let prefix = stem.get(..10).unwrap_or(stem);
    let date = NaiveDate::parse_from_str(prefix, "%Y-%m-%d")
        .with_context(|| format!("`{stem}` does not start with a YYYY-MM-DD date"))?;
    ensure!(
        stem.as_bytes().get(10) == Some(&b'-') && stem.len() > 11,
        "`{stem}` is not of the form YYYY-MM-DD-slug"
    );
    Ok(date)
}

/// Turns the `\f` marker lines into the form feeds `paginate` understands.
fn with_form_feeds(text: &str) -> String {
    text.lines()
        .map(|line| if line.trim() == "\\f" { "\u{0C}" } else { line })
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_letter(stem: &str, text: &str, date: NaiveDate) -> Result<()> {
    ensure!(
        text.lines().next() == Some("Krisesentersekretariatet"),
        "{stem}: the letterhead line `Krisesentersekretariatet` must come first"
    );
    let head: Vec<&str> = text.lines().take(8).collect();
    ensure!(
        head.iter()
            .any(|l| l.contains("arkiv-prosjektet") || l.contains("arkiv project")),
        "{stem}: the sample disclaimer is missing near the top"
    );
    ensure!(
        text.lines()
            .any(|l| l.starts_with("Vår ref.:") || l.starts_with("Our ref.:")),
        "{stem}: no `Vår ref.:` line"
    );
    // The archive's own date detection must read the letter as its file name says.
    match arkiv::tagging::detect_date(text) {
        Some(d) if d == date => Ok(()),
        Some(d) => bail!("{stem}: the letter is dated {d}, the file name says {date}"),
        None => bail!("{stem}: no date line like `Oslo, 30. november 2019`"),
    }
}

fn check_sidecar(stem: &str, raw: &str, text: &str, date: NaiveDate) -> Result<(Sidecar, Kind)> {
    let sidecar = Sidecar::parse(&format!("{stem}.toml"), raw)?;
    ensure!(
        sidecar.conventions.is_none(),
        "{stem}.toml: samples never list conventions: detection must find them"
    );
    let Some(kind) = sidecar.kind else {
        bail!("{stem}.toml: samples say their `kind`");
    };
    ensure!(
        sidecar.sample,
        "{stem}.toml: samples must say `sample = true`"
    );
    ensure!(
        sidecar.source_url.is_none(),
        "{stem}.toml: a sample has no source_url"
    );
    if let Some(d) = sidecar.date {
        ensure!(
            d == date,
            "{stem}.toml: date {d} differs from the file name"
        );
    }
    if let Some(title) = &sidecar.title {
        ensure!(
            text.lines().any(|l| l.trim() == title),
            "{stem}.toml: the title is not a line of the letter"
        );
    }
    Ok((sidecar, kind))
}

/// Writes only when the bytes differ, so an unchanged sample keeps its modification time
/// and does not look new to anything watching `documents/`.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let mut stems: Vec<String> = fs::read_dir(&args.samples)
        .with_context(|| format!("reading {}", args.samples.display()))?
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".txt").map(str::to_string)
        })
        .collect();
    // Sorted, so the run (and its log) is the same on every file system.
    stems.sort();
    ensure!(
        !stems.is_empty(),
        "no samples in {}",
        args.samples.display()
    );

    // Check everything first: a half-written archive is worse than none.
    let mut jobs = Vec::new();
    for stem in &stems {
        let date = stem_date(stem)?;
        let txt = args.samples.join(format!("{stem}.txt"));
        let text =
            fs::read_to_string(&txt).with_context(|| format!("reading {}", txt.display()))?;
        check_letter(stem, &text, date)?;
        let toml_path = args.samples.join(format!("{stem}.toml"));
        let raw = fs::read_to_string(&toml_path)
            .with_context(|| format!("reading {}", toml_path.display()))?;
        let (sidecar, kind) = check_sidecar(stem, &raw, &text, date)?;
        let spec = PdfSpec {
            title: sidecar.title.clone(),
            author: Some(AUTHOR.to_string()),
            creation_date: Some(date),
            pages: paginate(&with_form_feeds(&text)),
        };
        ensure!(
            PAGES.contains(&spec.pages.len()),
            "{stem}: {} pages, samples should have {}..={}",
            spec.pages.len(),
            PAGES.start(),
            PAGES.end()
        );
        jobs.push((stem, spec, raw, kind));
    }

    fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let mut changed = 0;
    for (stem, spec, raw, kind) in &jobs {
        let pdf = render(spec);
        let wrote_pdf = write_if_changed(&args.out.join(format!("{stem}.pdf")), &pdf)?;
        let wrote_toml = write_if_changed(&args.out.join(format!("{stem}.toml")), raw.as_bytes())?;
        if wrote_pdf || wrote_toml {
            changed += 1;
        }
        println!(
            "{stem}: {} page(s), {kind}, {} bytes{}",
            spec.pages.len(),
            pdf.len(),
            if wrote_pdf || wrote_toml {
                ""
            } else {
                " (unchanged)"
            }
        );
    }
    println!(
        "{} samples in {}, {changed} written",
        jobs.len(),
        args.out.display()
    );
    copy_consultations(&args.samples, &args.out)
}

/// Copies the sample consultation records (`samples/consultations/*.toml`) to
/// `<out>/consultations/`, each checked first: it parses, it says `sample = true`, and its
/// title and notes say it is a sample, so no invented process passes for a real one.
fn copy_consultations(samples: &Path, out: &Path) -> Result<()> {
    let from = samples.join(arkiv::consultations::FOLDER);
    let (all, errors) = arkiv::consultations::Consultations::load(&from);
    if let Some(e) = errors.first() {
        bail!("{e}");
    }
    let to = out.join(arkiv::consultations::FOLDER);
    fs::create_dir_all(&to).with_context(|| format!("creating {}", to.display()))?;
    for c in all.iter() {
        ensure!(
            c.sample,
            "{}: sample consultations say `sample = true`",
            c.id
        );
        ensure!(
            c.title.starts_with("Eksempel"),
            "{}: a sample consultation's title begins with `Eksempel`",
            c.id
        );
        ensure!(
            c.notes
                .as_deref()
                .is_some_and(|n| n.contains("Ikke en reell")),
            "{}: a sample consultation's notes say it is not a real process",
            c.id
        );
        let raw = fs::read(from.join(c.file_name()))?;
        write_if_changed(&to.join(c.file_name()), &raw)?;
    }
    println!("{} sample consultations in {}", all.len(), to.display());
    Ok(())
}
