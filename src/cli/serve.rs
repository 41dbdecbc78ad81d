//! `arkiv serve`: ingest what is new, then serve the web archive.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::{DataArgs, ExtractArgs, Paths};
use crate::ingest::ingest_with;
use crate::library::Library;
use crate::web::Limits;
use crate::web::auth::Limiter;
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
    /// Folder where page images and word positions are kept once rendered (derived; delete
    /// it at any time) [default: DATA/page-cache]
    #[arg(long, env = "ARKIV_PAGE_CACHE")]
    page_cache: Option<std::path::PathBuf>,
    /// Serve an index that another `arkiv serve` writes to: search and read only, with no
    /// ingest and no staff features; each of the writer's commits is seen within a second
    #[arg(long, env = "ARKIV_READ_ONLY")]
    read_only: bool,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    mail: MailArgs,
}

/// Alerts by e-mail: off unless an SMTP server is named.
#[derive(Debug, Args)]
struct MailArgs {
    /// SMTP server for alerts by e-mail: smtp://host:25, smtp://user:password@host:587?tls=required
    /// (STARTTLS) or smtps://user:password@host (TLS). Without it, alerts are off
    #[arg(long, env = "ARKIV_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of alert messages [default: arkiv <noreply@HOST of the public address>]
    #[arg(long, env = "ARKIV_MAIL_FROM")]
    mail_from: Option<String>,
}

/// The limits an operator may need to change; every other value is in `web::Limits`.
#[derive(Debug, Args)]
struct LimitArgs {
    /// A reverse proxy whose X-Forwarded-For names the client (repeat for several). Only
    /// requests from these addresses have the header read.
    #[arg(
        long = "trusted-proxy",
        env = "ARKIV_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<IpAddr>,
    /// Connections served at once [default: 768, less under a low descriptor limit]
    #[arg(long, env = "ARKIV_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Seconds a client has to send a request's headers (also the keep-alive time)
    #[arg(long, env = "ARKIV_HEADER_TIMEOUT", default_value = "10", value_parser = seconds)]
    header_timeout: Duration,
    /// Seconds a connection may stay open with no request in flight
    #[arg(long, env = "ARKIV_IDLE_TIMEOUT", default_value = "60", value_parser = seconds)]
    idle_timeout: Duration,
    /// Seconds an account waits after its first failed sign-ins; doubles with each failure
    #[arg(long, env = "ARKIV_SIGN_IN_DELAY", default_value = "15", value_parser = seconds)]
    sign_in_delay: Duration,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        let defaults = Limits::default();
        // Leave room for the index's files, PDFs being read and extraction workers.
        let by_descriptors = crate::web::server::descriptor_limit()
            .map(|n| {
                usize::try_from(n.saturating_sub(256))
                    .unwrap_or(usize::MAX)
                    .max(16)
            })
            .unwrap_or(usize::MAX);
        let max_connections = match self.max_connections {
            Some(n) => n.max(1),
            None => defaults.max_connections.min(by_descriptors),
        };
        if max_connections > by_descriptors {
            tracing::warn!(
                "--max-connections {max_connections} leaves little of the descriptor limit for files"
            );
        }
        Limits {
            max_connections,
            header_timeout: self.header_timeout,
            idle_timeout: self.idle_timeout,
            trusted_proxies: self.trusted_proxies.clone(),
            sign_in_delay: self.sign_in_delay,
            ..defaults
        }
    }
}

/// A duration in seconds, fractions allowed ("0.5"), from 1 ms to a day.
fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if (0.001..=86_400.0).contains(&value) {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(format!("{value} s is outside 0.001–86400"))
    }
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    if args.read_only {
        return run_read_only(args);
    }
    let library = Library::new(&args.paths.documents);
    let index = super::open_index(&args.paths.index)?;
    // The server owns the index's only writer for as long as it runs.
    let mut writer = index.writer()?;
    let mut options = args.extract.options()?;
    options.progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    // Reading the word lists says, once, when they are missing and splitting is off.
    if crate::index::splitting() {
        tracing::info!(
            "compound splitting on (Norwegian word lists from {})",
            crate::norwegian::Dictionaries::dir().display()
        );
    }
    // With alerts on, what this ingest adds is matched against them like an upload.
    let known: Option<std::collections::HashSet<crate::model::DocId>> = match args.mail.smtp_url {
        Some(_) => Some(
            index
                .documents()?
                .into_iter()
                .map(|d| d.submission.id)
                .collect(),
        ),
        None => None,
    };
    let data = args.data.open()?;
    // Bulk edits a stopped server was writing are finished first; the ingest below then
    // indexes the sidecars they wrote.
    for batch in crate::web::staff::bulk::recover(&data, &library) {
        tracing::info!("finished the bulk edit {batch} a stopped server was writing");
    }
    let report = ingest_with(&library, &index, &mut writer, &options)?;
    super::ingest::print_summary(&report);
    let ingested: Vec<crate::model::DocId> = known
        .map(|known| {
            report
                .documents
                .iter()
                .filter(|d| !known.contains(&d.id))
                .map(|d| d.id.clone())
                .collect()
        })
        .unwrap_or_default();

    let base_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.addr));
    // Uploads a killed server was checking; none of them was acknowledged.
    let leftovers = crate::archive::clear_incoming(&data.incoming())?;
    if leftovers > 0 {
        tracing::info!(
            "removed {leftovers} unfinished uploads from {}",
            data.incoming().display()
        );
    }
    let alert_store = crate::alerts::AlertStore::open(&data)?;
    let limits = args.limits.limits();
    let mut staff = Staff::new(
        data,
        writer,
        options.extract.clone(),
        args.max_upload_mb.max(1).saturating_mul(1024 * 1024),
        base_url.starts_with("https://"),
    );
    staff.limiter = Limiter::new(&limits);
    warm_suggestions(&index)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // The mailer's connection pool starts a task of its own: inside the runtime.
    let in_runtime = runtime.enter();
    let mut state = crate::web::AppState::new(index, library, &base_url)
        .with_staff(staff)
        .with_page_images(page_cache(&args, &options.extract));
    if let Some(url) = &args.mail.smtp_url {
        let from = args.mail.mail_from.clone().unwrap_or_else(|| {
            let host = base_url
                .split("://")
                .nth(1)
                .unwrap_or("localhost")
                .split(['/', ':'])
                .next()
                .unwrap_or("localhost");
            format!("arkiv <noreply@{host}>")
        });
        let mailer = crate::alerts::mail::Mailer::new(url, &from)?;
        state = state.with_alerts(crate::web::alerts::Alerts::new(
            alert_store,
            mailer,
            std::sync::Arc::new(crate::alerts::SystemClock),
        ));
        state.documents_added(&ingested);
        tracing::info!("alerts by e-mail on, sent as {from}");
    } else {
        tracing::info!(
            "varsler på e-post er av (ingen --smtp-url) / alerts by e-mail are off (no --smtp-url)"
        );
    }
    drop(in_runtime);
    runtime.block_on(crate::web::serve_with(args.addr, state, limits))?;
    Ok(ExitCode::SUCCESS)
}

/// `serve --read-only`: one of several processes that search an index a single writer
/// commits to. It takes no writer lock and writes nothing but page images, so as many run
/// as the machine has room for.
fn run_read_only(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let library = Library::new(&args.paths.documents);
    let index = crate::index::ArchiveIndex::open_read_only(&args.paths.index)?;
    let options = args.extract.options()?;
    let base_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.addr));
    warm_suggestions(&index)?;
    let state = crate::web::AppState::new(index, library, &base_url)
        .with_page_images(page_cache(&args, &options.extract));
    tracing::info!(
        "read-only: serving the index in {} as its writer commits",
        args.paths.index.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        // The writer changes consultation records without a commit; follow the folder.
        let follow = tokio::spawn(crate::web::follow_consultations(
            state.clone(),
            CONSULTATIONS_CHECKED_EVERY,
        ));
        let served = crate::web::serve_with(args.addr, state, args.limits.limits()).await;
        follow.abort();
        served
    })?;
    Ok(ExitCode::SUCCESS)
}

/// How often a read-only server looks for changed consultation records.
const CONSULTATIONS_CHECKED_EVERY: Duration = Duration::from_secs(1);

fn page_cache(
    args: &ServeArgs,
    extract: &crate::extract::ExtractConfig,
) -> crate::extract::render::PageCache {
    let dir = args
        .page_cache
        .clone()
        .unwrap_or_else(|| args.data.data.join("page-cache"));
    let cache = crate::extract::render::PageCache::new(dir, extract.clone());
    if !cache.can_render() {
        tracing::warn!(
            "pdftoppm er ikke installert: sidene vises som tekst / \
             pdftoppm is not installed: pages are shown as text only"
        );
    }
    cache
}

/// Builds the suggestions' lists on a thread of their own, before the first keystroke
/// rather than during it.
fn warm_suggestions(index: &crate::index::ArchiveIndex) -> std::io::Result<()> {
    let warm = index.clone();
    std::thread::Builder::new()
        .name("arkiv-suggest-warm".into())
        .spawn(move || {
            if let Err(e) = warm.completions() {
                tracing::warn!("suggestions not built: {e}");
            }
        })?;
    Ok(())
}
