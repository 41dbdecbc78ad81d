//! `arkiv search`: the web's search, in the terminal.

use std::fmt::Write;
use std::process::ExitCode;

use clap::Args;

use super::Paths;
use crate::index::{ArchiveIndex, Highlighted, SearchRequest, Sort};
use crate::model::{Convention, Kind};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words, "phrases", -exclusions, OR, prefix*, konvensjon:istanbul, år:2019
    query: Vec<String>,
    #[command(flatten)]
    paths: Paths,
    /// Only documents tagged with this convention (istanbul, echr, cedaw, crc); repeatable
    #[arg(long)]
    convention: Vec<Convention>,
    /// Only documents from this year
    #[arg(long)]
    year: Option<i32>,
    /// Only documents of this kind (horingssvar, innspill, rapport, annet)
    #[arg(long, value_parser = parse_kind)]
    kind: Vec<Kind>,
    /// relevance, newest or oldest
    #[arg(long, default_value = "relevance", value_parser = parse_sort)]
    sort: Sort,
    /// How many hits to show
    #[arg(long, short = 'n', default_value_t = 10)]
    limit: usize,
    /// Print the results as JSON
    #[arg(long)]
    json: bool,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::from_id(s).ok_or_else(|| format!("unknown kind `{s}`"))
}

fn parse_sort(s: &str) -> Result<Sort, String> {
    match s {
        "relevance" => Ok(Sort::Relevance),
        "newest" => Ok(Sort::Newest),
        "oldest" => Ok(Sort::Oldest),
        _ => Err(format!("unknown sort `{s}`: relevance, newest or oldest")),
    }
}

pub fn run(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let index = ArchiveIndex::open_or_create(&args.paths.index)?;
    let request = SearchRequest {
        query: args.query.join(" "),
        conventions: args.convention,
        kinds: args.kind,
        year_from: args.year,
        year_to: args.year,
        sort: args.sort,
        limit: args.limit.clamp(1, 1000),
        pages_per_hit: 2,
        ..SearchRequest::default()
    };
    let results = index.search(&request)?;
    if args.json {
        // A file that cannot be used is named by `arkiv ingest`; here it is left out.
        let library = crate::library::Library::new(&args.paths.documents);
        let (consultations, _) =
            crate::consultations::Consultations::load(&crate::consultations::folder(&library));
        println!(
            "{}",
            serde_json::to_string_pretty(&crate::api::SearchResponse::new(
                &results,
                &consultations
            ))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(suggestion) = &results.suggestion {
        println!("Ingen treff; viser treff for «{suggestion}» / No hits; showing «{suggestion}»");
    }
    println!("{} treff / hits ({:.1} ms)", results.total, results.took_ms);
    for hit in &results.hits {
        let s = &hit.submission;
        let year = s
            .year()
            .map(|y| y.to_string())
            .unwrap_or_else(|| "–".into());
        let conventions: Vec<&str> = s.conventions.iter().map(|c| c.id()).collect();
        println!();
        println!(
            "{}  ({year}, {})  [{}]",
            s.title,
            s.kind.label_nb(),
            conventions.join(", ")
        );
        println!("  {}  id {}", s.file, s.id);
        for page in &hit.pages {
            // anstream drops the styles when stdout is not a terminal or NO_COLOR is set.
            anstream::println!("  s. {}: {}", page.page, terminal_text(&page.snippet));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A snippet as one line of terminal text, the matching words in bold.
fn terminal_text(snippet: &Highlighted) -> String {
    let bold = anstyle::Style::new().bold();
    let mut out = String::with_capacity(snippet.text().len() + 16);
    for (piece, lit) in snippet.pieces() {
        let piece = piece.replace(['\n', '\r'], " ");
        if lit {
            let _ = write!(out, "{bold}{piece}{bold:#}");
        } else {
            out.push_str(&piece);
        }
    }
    out
}
