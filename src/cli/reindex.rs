//! `arkiv reindex`: a fresh index built beside the old one, then swapped in.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::{ExtractArgs, Paths};
use crate::index::ArchiveIndex;
use crate::ingest::ingest;
use crate::library::Library;

#[derive(Debug, Args)]
pub struct ReindexArgs {
    #[command(flatten)]
    paths: Paths,
    #[command(flatten)]
    extract: ExtractArgs,
    /// Print the summary as one JSON object on stdout
    #[arg(long)]
    json: bool,
}

pub fn run(args: ReindexArgs) -> anyhow::Result<ExitCode> {
    let target = &args.paths.index;
    // A running server holds the writer: refuse rather than pull the index from under it.
    if let Ok(existing) = ArchiveIndex::open_or_create(target) {
        drop(existing.writer()?);
    }
    let fresh = sibling(target, "rebuild")?;
    let old = sibling(target, "old")?;
    let _ = std::fs::remove_dir_all(&fresh);
    let _ = std::fs::remove_dir_all(&old);

    let library = Library::new(&args.paths.documents);
    let report = {
        let index = ArchiveIndex::open_or_create(&fresh)?;
        let mut options = args.extract.options()?;
        options.progress = !args.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
        ingest(&library, &index, &options)?
    };

    // Keep the folder's dotfiles (such as .gitkeep) where they were.
    if target.exists() {
        std::fs::rename(target, &old)
            .with_context(|| format!("cannot move {} aside", target.display()))?;
        for entry in std::fs::read_dir(&old)?.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') && entry.path().is_file() {
                std::fs::copy(entry.path(), fresh.join(entry.file_name()))?;
            }
        }
    }
    std::fs::rename(&fresh, target)
        .with_context(|| format!("cannot move the new index to {}", target.display()))?;
    let _ = std::fs::remove_dir_all(&old);

    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        super::ingest::print_summary(&report);
    }
    Ok(super::ingest::exit_code(&report))
}

fn sibling(dir: &Path, suffix: &str) -> anyhow::Result<PathBuf> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "index".into());
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty());
    let parent = parent
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Ok(parent.join(format!(".{name}.{suffix}")))
}
