//! `arkiv ingest`.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Args;

use super::{ExtractArgs, Paths};
use crate::ingest::{IngestReport, ingest};
use crate::library::Library;

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    paths: Paths,
    #[command(flatten)]
    extract: ExtractArgs,
    /// Print the summary as one JSON object on stdout
    #[arg(long)]
    json: bool,
}

/// Exit code 0 when every file went in, 1 when some failed; errors that stop the run
/// become 2 in `main`.
pub fn run(args: IngestArgs) -> anyhow::Result<ExitCode> {
    let library = Library::new(&args.paths.documents);
    let index = super::open_index(&args.paths.index)?;
    let mut options = args.extract.options()?;
    options.progress = !args.json && std::io::stderr().is_terminal();
    let report = ingest(&library, &index, &options)?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_summary(&report);
    }
    Ok(exit_code(&report))
}

pub fn exit_code(report: &IngestReport) -> ExitCode {
    if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub fn print_summary(report: &IngestReport) {
    println!(
        "indexed {}, unchanged {}, removed {}, failed {} ({} documents in the index, {:.1} s)",
        report.indexed,
        report.unchanged,
        report.removed,
        report.failed.len(),
        report.documents.len(),
        report.seconds,
    );
    for failure in &report.failed {
        println!("failed: {}: {}", failure.file, failure.error);
    }
    for warning in &report.warnings {
        println!("warning: {}: {}", warning.file, warning.error);
    }
}
