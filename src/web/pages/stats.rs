//! `/statistikk`: submissions per year split by convention and by focus area, and the
//! articles and laws referred to most, for whatever search the URL describes. Counted from the whole result set rather
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
use crate::tagging::topics::FOCUS_AREAS;
use crate::web::i18n::Lang;
use crate::web::params::SearchParams;
use crate::web::{AppState, search_whole_set};

/// How many articles per convention the charts and tables show.
pub const TOP_ARTICLES: usize = 10;

/// The most years an axis spans because a range was asked for (past it, the axis spans
/// the years that have documents): a request cannot size the chart.
pub const MAX_AXIS_YEARS: i32 = 200;

/// The key of the row of documents without a date, in [`YearRow::key`].
const UNKNOWN_YEAR: &str = "ukjent";

/// The years a search asks for (`year`, or `from` and `to`), as the axis should show them.
pub fn asked_years(p: &SearchParams) -> (Option<i32>, Option<i32>) {
    match p.year {
        Some(y) => (Some(y), Some(y)),
        None => (p.from, p.to),
    }
}

/// Documents per year and convention, every year from the first to the last (a gap is a
/// year with nothing), then the documents without a date. The axis follows the range
/// asked for (`asked`): from its first year to its last, whatever years have documents.
pub fn year_rows(lang: Lang, hits: &[Hit], asked: (Option<i32>, Option<i32>)) -> Vec<YearRow> {
    let mut known: BTreeMap<i32, YearRow> = BTreeMap::new();
    let mut unknown: Option<YearRow> = None;
    let empty = |key: String, label: String| YearRow {
        key,
        label,
        by_convention: [0; Convention::ALL.len()],
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
                    UNKNOWN_YEAR.to_string(),
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
    let (data_first, data_last) = (
        known.keys().next().copied(),
        known.keys().next_back().copied(),
    );
    let first = asked.0.or(data_first);
    let last = asked.1.or(data_last);
    let (first, last) = match (first, last) {
        (Some(f), Some(l)) if f <= l && l - f < MAX_AXIS_YEARS => (Some(f), Some(l)),
        _ => (data_first, data_last),
    };
    if let (Some(first), Some(last)) = (first, last) {
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
        (_, Some(Convention::Crpd)) => "CRPD",
        (_, Some(Convention::Lanzarote)) => "Lanzarote",
        (Lang::Nb, Some(Convention::Trafficking)) => "Menneskeh.",
        (Lang::En, Some(Convention::Trafficking)) => "Trafficking",
        (_, Some(Convention::Palermo)) => "Palermo",
        (Lang::Nb, Some(Convention::Iccpr)) => "SP",
        (Lang::En, Some(Convention::Iccpr)) => "ICCPR",
        (Lang::Nb, Some(Convention::Icescr)) => "ØSK",
        (Lang::En, Some(Convention::Icescr)) => "ICESCR",
        (_, Some(Convention::Cerd)) => "CERD",
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
    law_stats: LawStats,
    topic_stats: TopicStats,
}

/// Documents per year and focus area, on the axis of the years table.
pub struct TopicStats {
    title: &'static str,
    /// Each focus area's name and the search narrowed to it, then the column of documents
    /// without one (no link).
    columns: Vec<(&'static str, Option<String>)>,
    lines: Vec<YearLine>,
    sums: Vec<u64>,
}

/// Counted from the whole result set like the conventions: a document counts once in each
/// of its focus areas, and once in the last column when it has none. `rows` gives the
/// years, so both tables share their axis.
fn topic_stats(lang: Lang, params: &SearchParams, hits: &[Hit], rows: &[YearRow]) -> TopicStats {
    let columns = FOCUS_AREAS.len() + 1;
    let mut per_year: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for hit in hits {
        let s = &hit.submission;
        let key = s
            .year()
            .map_or_else(|| UNKNOWN_YEAR.to_string(), |y| y.to_string());
        let cells = per_year.entry(key).or_insert_with(|| vec![0; columns]);
        let mut any = false;
        for (cell, area) in cells.iter_mut().zip(&FOCUS_AREAS) {
            if s.topics.iter().any(|t| t == area.id) {
                *cell += 1;
                any = true;
            }
        }
        if !any {
            cells[columns - 1] += 1;
        }
    }
    let mut sums = vec![0u64; columns];
    let lines = rows
        .iter()
        .map(|r| {
            let cells = per_year.remove(&r.key).unwrap_or_else(|| vec![0; columns]);
            for (sum, n) in sums.iter_mut().zip(&cells) {
                *sum += n;
            }
            YearLine {
                label: r.label.clone(),
                cells,
                total: r.total,
            }
        })
        .collect();
    let (title, none) = match lang {
        Lang::Nb => ("Dokumenter per år og fokusområde", "Uten fokusområde"),
        Lang::En => ("Documents per year and focus area", "No focus area"),
    };
    let columns = FOCUS_AREAS
        .iter()
        .map(|a| {
            let name = match lang {
                Lang::Nb => a.name_nb,
                Lang::En => a.name_en,
            };
            let url = views::search_url(&params.with(|p| {
                if !p.topics.iter().any(|t| t == a.id) {
                    p.topics.push(a.id.to_string());
                }
            }));
            (name, Some(url))
        })
        .chain([(none, None)])
        .collect();
    TopicStats {
        title,
        columns,
        lines,
        sums,
    }
}

/// The laws and sections the documents refer to most, and the review cycles they feed,
/// counted over the whole result set like the articles.
pub struct LawStats {
    title: &'static str,
    /// (caption, lines): laws, sections, cycles.
    tables: Vec<(&'static str, Vec<ArticleLine>)>,
}

/// How many laws and sections the tables show.
const TOP_LAWS: usize = 15;

fn law_stats(lang: Lang, params: &SearchParams, hits: &[Hit]) -> LawStats {
    use crate::tagging::laws::{compare_sections, law_order, parse_law_section};
    let mut laws: BTreeMap<String, u64> = BTreeMap::new();
    let mut sections: BTreeMap<String, u64> = BTreeMap::new();
    let mut cycles: BTreeMap<String, u64> = BTreeMap::new();
    for hit in hits {
        let s = &hit.submission;
        for l in s.laws.iter().collect::<BTreeSet<_>>() {
            *laws.entry(l.clone()).or_default() += 1;
        }
        for l in s.law_sections.iter().collect::<BTreeSet<_>>() {
            *sections.entry(l.clone()).or_default() += 1;
        }
        for c in s.cycles.iter().collect::<BTreeSet<_>>() {
            *cycles.entry(c.clone()).or_default() += 1;
        }
    }
    let mut laws: Vec<(String, u64)> = laws.into_iter().collect();
    laws.sort_by(|a, b| b.1.cmp(&a.1).then(law_order(&a.0).cmp(&law_order(&b.0))));
    laws.truncate(TOP_LAWS);
    let mut sections: Vec<(String, u64)> = sections.into_iter().collect();
    sections.sort_by(|a, b| {
        b.1.cmp(&a.1).then_with(
            || match (parse_law_section(&a.0), parse_law_section(&b.0)) {
                (Some(x), Some(y)) => compare_sections(&x, &y),
                _ => a.0.cmp(&b.0),
            },
        )
    });
    sections.truncate(TOP_LAWS);
    let cycle_lines = crate::tagging::cycles::CYCLES
        .iter()
        .filter_map(|c| cycles.get(c.id).map(|n| (c.id, *n)))
        .map(|(id, count)| ArticleLine {
            label: views::cycle_label(lang, id),
            count,
            url: views::search_url(&params.with(|p| {
                if !p.cycles.iter().any(|x| x == id) {
                    p.cycles.push(id.to_string());
                }
            })),
        })
        .collect();
    let (title, laws_caption, sections_caption, cycles_caption) = match lang {
        Lang::Nb => (
            "Lovene det vises til oftest",
            "Lover",
            "Paragrafer",
            "Rapporteringssykluser",
        ),
        Lang::En => (
            "The laws referred to most",
            "Laws",
            "Sections",
            "Review cycles",
        ),
    };
    let laws = laws
        .into_iter()
        .map(|(id, count)| ArticleLine {
            label: views::law_label(&id),
            count,
            url: views::search_url(&params.with(|p| {
                if !p.laws.contains(&id) {
                    p.laws.push(id.clone());
                }
            })),
        })
        .collect();
    let sections = sections
        .into_iter()
        .map(|(id, count)| ArticleLine {
            label: views::law_section_label(&id),
            count,
            url: views::search_url(&params.with(|p| {
                if !p.law_sections.contains(&id) {
                    p.law_sections.push(id.clone());
                }
            })),
        })
        .collect();
    LawStats {
        title,
        tables: vec![
            (laws_caption, laws),
            (sections_caption, sections),
            (cycles_caption, cycle_lines),
        ],
    }
}

pub async fn page(State(state): State<AppState>, ctx: PageContext) -> Result<Response, PageError> {
    let params = ctx.search_params()?;
    let lang = params.lang;
    let chrome = &ctx.chrome;
    let t = chrome.t;
    let filters = Filters::unordered(lang, &params, "/statistikk");
    let results = search_whole_set::<PageError>(&state, &params).await?;

    let rows = year_rows(lang, &results.hits, asked_years(&params));
    let groups = article_groups(&results.hits, TOP_ARTICLES);
    let series: Vec<(&'static str, &'static str)> = Convention::ALL
        .map(Some)
        .into_iter()
        .chain([None])
        .map(|c| column_name(lang, c))
        .collect();
    let mut year_sums = vec![0u64; Convention::ALL.len() + 1];
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
        law_stats: law_stats(lang, &params, &results.hits),
        topic_stats: topic_stats(lang, &params, &results.hits, &rows),
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
    let results = search_whole_set::<PageError>(&state, &params).await?;
    Ok(svg_response(svg::years_chart(
        params.lang,
        &year_rows(params.lang, &results.hits, asked_years(&params)),
    )))
}

/// `/statistikk/artikler.svg`: the articles chart alone.
pub async fn articles_svg(
    State(state): State<AppState>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let params = ctx.search_params()?;
    let results = search_whole_set::<PageError>(&state, &params).await?;
    Ok(svg_response(svg::articles_chart(
        params.lang,
        &article_groups(&results.hits, TOP_ARTICLES),
    )))
}

embeds_context!(StatsPage);
