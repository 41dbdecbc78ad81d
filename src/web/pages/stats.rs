//! `/statistikk`: submissions per year split by convention, and the articles referred to
//! most, for whatever search the URL describes. Counted from the whole result set rather
//! than from facets, because a convention filter typed into the query (`konvensjon:crc`)
//! would widen a per-convention facet search instead of narrowing it.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::svg::{self, YearRow};
use super::views::{self, Chip, Filters, ResearchLinks};
use super::{PageContext, PageError, embeds_context};
use crate::index::Hit;
use crate::model::{ArticleRef, Convention};
use crate::web::i18n::Lang;
use crate::web::params::SearchParams;
use crate::web::{AppState, search_whole_set};

/// How many articles per convention the charts and tables show.
pub const TOP_ARTICLES: usize = 10;

/// Documents per year and convention, every year from the first to the last (a gap is a
/// year with nothing), then the documents without a date.
pub fn year_rows(lang: Lang, hits: &[Hit]) -> Vec<YearRow> {
    let mut known: BTreeMap<i32, YearRow> = BTreeMap::new();
    let mut unknown: Option<YearRow> = None;
    let empty = |key: String, label: String| YearRow {
        key,
        label,
        by_convention: [0; 4],
        none: 0,
        total: 0,
    };
    for hit in hits {
        let s = &hit.submission;
        let row = match s.year() {
            Some(y) => known
                .entry(y)
                .or_insert_with(|| empty(y.to_string(), y.to_string())),
            None => unknown.get_or_insert_with(|| {
                empty(
                    "ukjent".to_string(),
                    lang.texts().stats_unknown_year.to_string(),
                )
            }),
        };
        row.total += 1;
        let mut any = false;
        for (i, c) in Convention::ALL.into_iter().enumerate() {
            if s.conventions.contains(&c) {
                row.by_convention[i] += 1;
                any = true;
            }
        }
        if !any {
            row.none += 1;
        }
    }
    let mut rows = Vec::new();
    if let (Some(first), Some(last)) = (
        known.keys().next().copied(),
        known.keys().next_back().copied(),
    ) {
        for y in first..=last {
            rows.push(
                known
                    .remove(&y)
                    .unwrap_or_else(|| empty(y.to_string(), y.to_string())),
            );
        }
    }
    rows.extend(unknown);
    rows
}

/// For each convention, its articles with the number of documents referring to each,
/// most referred to first (then by number), at most `top` of them.
pub fn article_groups(hits: &[Hit], top: usize) -> Vec<(Convention, Vec<(ArticleRef, u64)>)> {
    let mut counts: BTreeMap<ArticleRef, u64> = BTreeMap::new();
    for hit in hits {
        let distinct: BTreeSet<ArticleRef> = hit.submission.articles.iter().copied().collect();
        for a in distinct {
            *counts.entry(a).or_default() += 1;
        }
    }
    Convention::ALL
        .into_iter()
        .map(|c| {
            let mut list: Vec<(ArticleRef, u64)> = counts
                .iter()
                .filter(|(a, _)| a.convention == c)
                .map(|(a, n)| (*a, *n))
                .collect();
            list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            list.truncate(top);
            (c, list)
        })
        .collect()
}

/// Short column names, so the table fits beside the chart; the full name goes in `<abbr>`.
fn column_name(lang: Lang, c: Option<Convention>) -> (&'static str, &'static str) {
    let full = match c {
        Some(c) => lang.convention(c),
        None => lang.texts().stats_no_convention,
    };
    let short = match (lang, c) {
        (_, Some(Convention::Istanbul)) => "Istanbul",
        (Lang::Nb, Some(Convention::Echr)) => "EMK",
        (Lang::En, Some(Convention::Echr)) => "ECHR",
        (_, Some(Convention::Cedaw)) => "CEDAW",
        (Lang::Nb, Some(Convention::Crc)) => "Barnekonv.",
        (Lang::En, Some(Convention::Crc)) => "CRC",
        (Lang::Nb, None) => "Ingen",
        (Lang::En, None) => "None",
    };
    (short, full)
}

pub struct YearLine {
    label: String,
    cells: Vec<u64>,
    total: u64,
}

pub struct ArticleLine {
    label: String,
    count: u64,
    url: String,
}

pub struct ArticleTable {
    convention: String,
    page_url: String,
    lines: Vec<ArticleLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "stats.html")]
pub struct StatsPage {
    ctx: PageContext,
    lang_field: bool,
    q: String,
    from: String,
    to: String,
    hidden: Vec<(String, String)>,
    chips: Vec<Chip>,
    clear_url: String,
    convention_links: Vec<(String, String, bool)>,
    kind_links: Vec<(String, String, bool)>,
    total: usize,
    suggestion: Option<String>,
    search_url: String,
    links: ResearchLinks,
    years_svg: String,
    years_svg_url: String,
    /// (short, full) name of each column of the years table.
    series: Vec<(&'static str, &'static str)>,
    year_lines: Vec<YearLine>,
    year_sums: Vec<u64>,
    articles_svg: String,
    articles_svg_url: String,
    article_tables: Vec<ArticleTable>,
}

pub async fn page(State(state): State<AppState>, ctx: PageContext) -> Result<Response, PageError> {
    let params = ctx.search_params()?;
    let lang = params.lang;
    let chrome = &ctx.chrome;
    let t = chrome.t;
    let filters = Filters::unordered(lang, &params, "/statistikk");
    let results = search_whole_set::<PageError>(&state.index, &params).await?;

    let rows = year_rows(lang, &results.hits);
    let groups = article_groups(&results.hits, TOP_ARTICLES);
    let series: Vec<(&'static str, &'static str)> = Convention::ALL
        .map(Some)
        .into_iter()
        .chain([None])
        .map(|c| column_name(lang, c))
        .collect();
    let mut year_sums = vec![0u64; 5];
    let year_lines = rows
        .iter()
        .map(|r| {
            let cells: Vec<u64> = r.segments().map(|(_, n)| n).collect();
            for (sum, n) in year_sums.iter_mut().zip(&cells) {
                *sum += n;
            }
            YearLine {
                label: r.label.clone(),
                cells,
                total: r.total,
            }
        })
        .collect();
    let article_tables = groups
        .iter()
        .map(|(c, list)| ArticleTable {
            convention: lang.convention(*c).to_string(),
            page_url: chrome.link(&format!("/konvensjon/{}", c.id())),
            lines: list
                .iter()
                .map(|(a, n)| ArticleLine {
                    label: format!("{} {}", t.article_abbrev, a.article),
                    count: *n,
                    url: views::search_url(&params.with(|p| {
                        if !p.articles.contains(a) {
                            p.articles.push(*a);
                        }
                    })),
                })
                .collect(),
        })
        .collect();

    let hidden = params.hidden_filters();
    let convention_links = filters.single_choice_conventions();
    let kind_links = filters.single_choice_kinds();
    let clear_url = filters.at(&SearchParams {
        q: params.q.clone(),
        lang,
        ..SearchParams::default()
    });
    let years_svg_url = Filters::unordered(lang, &params, "/statistikk/aar.svg").at(&params);
    let articles_svg_url =
        Filters::unordered(lang, &params, "/statistikk/artikler.svg").at(&params);
    let chips = filters.chips();
    Ok(StatsPage {
        ctx,
        lang_field: lang == Lang::En,
        q: params.q.clone(),
        from: params.from.map(|y| y.to_string()).unwrap_or_default(),
        to: params.to.map(|y| y.to_string()).unwrap_or_default(),
        hidden,
        chips,
        clear_url,
        convention_links,
        kind_links,
        total: results.total,
        suggestion: results.suggestion.clone(),
        search_url: views::search_url(&SearchParams {
            page: 1,
            per_page: crate::web::params::DEFAULT_PER_PAGE,
            ..params.clone()
        }),
        links: ResearchLinks::for_params(&params),
        years_svg: svg::years_chart(lang, &rows),
        years_svg_url,
        series,
        year_lines,
        year_sums,
        articles_svg: svg::articles_chart(lang, &groups),
        articles_svg_url,
        article_tables,
    }
    .into_response())
}

fn svg_response(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            // Like the feed: a few minutes fresh, then revalidated by the `ETag` the
            // conditional layer gives it.
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

/// `/statistikk/aar.svg`: the per-year chart alone, for reuse in reports.
pub async fn years_svg(
    State(state): State<AppState>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let params = ctx.search_params()?;
    let results = search_whole_set::<PageError>(&state.index, &params).await?;
    Ok(svg_response(svg::years_chart(
        params.lang,
        &year_rows(params.lang, &results.hits),
    )))
}

/// `/statistikk/artikler.svg`: the articles chart alone.
pub async fn articles_svg(
    State(state): State<AppState>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let params = ctx.search_params()?;
    let results = search_whole_set::<PageError>(&state.index, &params).await?;
    Ok(svg_response(svg::articles_chart(
        params.lang,
        &article_groups(&results.hits, TOP_ARTICLES),
    )))
}

embeds_context!(StatsPage);
