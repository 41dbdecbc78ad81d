//! `arkiv serve`: ingest what is new, then serve the web archive.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;

use super::{DataArgs, ExtractArgs, Paths};
use crate::ingest::ingest_with;
use crate::library::Library;
use crate::web::staff::Staff;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    paths: Paths,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    extract: ExtractArgs,
    /// Address to listen on
    #[arg(long, env = "ARKIV_ADDR", default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// The archive's public address, for permalinks and citations (default: http://ADDR)
    #[arg(long, env = "ARKIV_PUBLIC_URL")]
    public_url: Option<String>,
    /// Largest PDF staff may upload, in MB
    #[arg(long, env = "ARKIV_MAX_UPLOAD_MB", default_value_t = 100)]
    max_upload_mb: usize,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let library = Library::new(&args.paths.documents);
    let index = super::open_index(&args.paths.index)?;
    // The server owns the index's only writer for as long as it runs.
    let mut writer = index.writer()?;
    let mut options = args.extract.options()?;
    options.progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let report = ingest_with(&library, &index, &mut writer, &options)?;
    super::ingest::print_summary(&report);

    let base_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.addr));
    let data = args.data.open()?;
    // Uploads a killed server was checking; none of them was acknowledged.
    let leftovers = crate::archive::clear_incoming(&data.incoming())?;
    if leftovers > 0 {
        tracing::info!(
            "removed {leftovers} unfinished uploads from {}",
            data.incoming().display()
        );
    }
    let staff = Staff::new(
        data,
        writer,
        options.extract.clone(),
        args.max_upload_mb.max(1).saturating_mul(1024 * 1024),
        base_url.starts_with("https://"),
    );
    let state = crate::web::AppState::new(index, library, &base_url).with_staff(staff);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(crate::web::serve(args.addr, state))?;
    Ok(ExitCode::SUCCESS)
}
