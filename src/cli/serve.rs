//! `arkiv serve`: ingest what is new, then serve the web archive.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;

use super::{ExtractArgs, Paths};

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    paths: Paths,
    #[command(flatten)]
    extract: ExtractArgs,
    /// Address to listen on
    #[arg(long, env = "ARKIV_ADDR", default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// The archive's public address, for permalinks and citations (default: http://ADDR)
    #[arg(long, env = "ARKIV_PUBLIC_URL")]
    public_url: Option<String>,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    use crate::index::ArchiveIndex;
    use crate::ingest::ingest_with;
    use crate::library::Library;

    let library = Library::new(&args.paths.documents);
    let index = ArchiveIndex::open_or_create(&args.paths.index)?;
    // The server owns the index's only writer for as long as it runs.
    let mut writer = index.writer()?;
    let mut options = args.extract.options()?;
    options.progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let report = ingest_with(&library, &index, &mut writer, &options)?;
    super::ingest::print_summary(&report);

    let base_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.addr))
        .trim_end_matches('/')
        .to_string();
    let state = crate::web::AppState {
        index,
        library,
        base_url: base_url.into(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(crate::web::serve(args.addr, state))?;
    drop(writer);
    Ok(ExitCode::SUCCESS)
}
