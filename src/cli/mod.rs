//! The command line: one file per subcommand. `main` parses, dispatches and maps the
//! outcome to an exit code.

mod ingest;
mod reindex;
mod search;
mod serve;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::extract::{Engine, ExtractConfig};

/// arkiv: a searchable archive of submissions and consultation responses.
#[derive(Debug, Parser)]
#[command(name = "arkiv", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index new and changed PDFs in the documents folder, and drop removed ones
    Ingest(ingest::IngestArgs),
    /// Rebuild the index from the documents folder in a fresh folder and swap it in
    Reindex(reindex::ReindexArgs),
    /// Search the index from the terminal
    Search(search::SearchArgs),
    /// Ingest what is new, then serve the web archive
    Serve(Box<serve::ServeArgs>),
    /// Manage staff accounts and API tokens
    User(user::UserArgs),
    /// Extract one PDF in a bounded process (used internally by ingest)
    #[command(hide = true)]
    ExtractWorker(WorkerArgs),
}

/// Where the archive lives on disk.
#[derive(Debug, Clone, Args)]
pub struct Paths {
    /// Folder of PDFs and their .toml sidecars (the source of truth)
    #[arg(long, env = "ARKIV_DOCUMENTS", default_value = "documents")]
    pub documents: PathBuf,
    /// Folder of the search index (derived; can be rebuilt at any time)
    #[arg(long, env = "ARKIV_INDEX", default_value = "index")]
    pub index: PathBuf,
}

/// Where staff data lives: accounts, sessions, the audit log, the trash.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Data folder (users, sessions, audit log, trash); outside documents/ and index/
    #[arg(
        long = "data",
        env = "ARKIV_DATA",
        default_value = "data",
        global = true
    )]
    pub data: PathBuf,
}

impl DataArgs {
    pub fn open(&self) -> anyhow::Result<crate::accounts::DataDir> {
        crate::accounts::DataDir::open(&self.data)
            .map_err(|e| anyhow::anyhow!("cannot use data folder {}: {e}", self.data.display()))
    }
}

/// Bounds on extraction.
#[derive(Debug, Clone, Args)]
pub struct ExtractArgs {
    /// Seconds one PDF may take before its extraction is stopped
    #[arg(long, env = "ARKIV_EXTRACT_TIMEOUT", default_value_t = 60)]
    pub extract_timeout: u64,
    /// Memory (MB) one extraction process may use
    #[arg(long, env = "ARKIV_EXTRACT_MEMORY_MB", default_value_t = 1024)]
    pub extract_memory_mb: u64,
    /// Parallel extractions (default: one per core)
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Folder where OCR results of scanned pages are kept, so no page is read twice (it
    /// survives `reindex`)
    #[arg(long, env = "ARKIV_OCR_CACHE", default_value = "data/ocr-cache")]
    pub ocr_cache: PathBuf,
}

impl ExtractArgs {
    pub fn config(&self) -> anyhow::Result<ExtractConfig> {
        let worker = std::env::current_exe()?;
        let mut config = ExtractConfig::new(worker);
        config.timeout = Duration::from_secs(self.extract_timeout.max(1));
        config.memory_limit_mb = self.extract_memory_mb.max(64);
        config.ocr_cache = Some(self.ocr_cache.clone());
        Ok(config)
    }

    pub fn options(&self) -> anyhow::Result<crate::ingest::IngestOptions> {
        let mut options = crate::ingest::IngestOptions::new(self.config()?);
        if let Some(jobs) = self.jobs {
            options.jobs = jobs.max(1);
        }
        Ok(options)
    }
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[arg(long)]
    engine: String,
    #[arg(long)]
    memory_mb: u64,
    #[arg(long)]
    cpu_secs: u64,
    /// The page OCR reads (1-based)
    #[arg(long)]
    page: Option<u32>,
    #[arg(long, default_value = "nor+eng")]
    ocr_languages: String,
    /// The last page of a run (words)
    #[arg(long)]
    last_page: Option<u32>,
    /// The longer side of a rendered page, in pixels
    #[arg(long)]
    scale: Option<u32>,
    file: PathBuf,
}

/// Runs a parsed command line; the exit code follows the command's own rules.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Ingest(args) => ingest::run(args),
        Command::Reindex(args) => reindex::run(args),
        Command::Search(args) => search::run(args),
        Command::Serve(args) => serve::run(*args),
        Command::User(args) => user::run(args),
        Command::ExtractWorker(args) => {
            let Some(engine) = Engine::from_id(&args.engine) else {
                anyhow::bail!("unknown engine `{}`", args.engine);
            };
            Ok(crate::extract::run_worker(&crate::extract::WorkerJob {
                engine,
                file: args.file,
                memory_limit_mb: args.memory_mb,
                cpu_secs: args.cpu_secs,
                page: args.page,
                last_page: args.last_page,
                scale: args.scale,
                ocr_languages: args.ocr_languages,
            }))
        }
    }
}

/// Opens the index for ingest or serve; one built by another version of arkiv is rebuilt
/// from `documents/` by the ingest that follows.
fn open_index(dir: &std::path::Path) -> anyhow::Result<crate::index::ArchiveIndex> {
    let (index, rebuilt) = crate::index::ArchiveIndex::open_or_rebuild(dir)?;
    if rebuilt {
        tracing::warn!(
            "the index in {} was built by another version of arkiv; rebuilding it from the documents",
            dir.display()
        );
    }
    Ok(index)
}
