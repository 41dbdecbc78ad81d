use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = arkiv::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match arkiv::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            // One line: the error and its causes.
            eprintln!("arkiv: {error:#}");
            ExitCode::from(2)
        }
    }
}
