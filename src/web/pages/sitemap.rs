//! `/robots.txt` and `/sitemap.xml`: for search engines, the pages of the conventions,
//! laws and focus areas, then every document's page. A sitemap
//! file holds at most [`URLS_PER_FILE`] addresses (the protocol's limit); past that
//! `/sitemap.xml` is a sitemap index of the parts `/sitemap/{n}.xml`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::blocking;
use super::{PageContext, PageError};
use crate::index::{SearchRequest, Sort};
use crate::model::Convention;
use crate::tagging::laws::LAWS;
use crate::tagging::topics::FOCUS_AREAS;
use crate::web::AppState;

/// The most addresses one sitemap file may list (sitemaps.org).
pub const URLS_PER_FILE: usize = 50_000;

#[derive(Template)]
#[template(path = "sitemap.xml")]
struct UrlSet<'a> {
    urls: &'a [String],
}

#[derive(Template)]
#[template(path = "sitemap-index.xml")]
struct SitemapIndex {
    parts: Vec<String>,
}

/// The sitemap of `urls`, `per_file` to a file. `part` `None` is `/sitemap.xml`: the list
/// itself when it fits in one file, else an index of the parts; `Some(n)` is part `n`
/// (1-based), `None` past the last.
pub fn render(
    base_url: &str,
    urls: &[String],
    part: Option<usize>,
    per_file: usize,
) -> Option<String> {
    let per_file = per_file.max(1);
    let rendered = match part {
        None if urls.len() <= per_file => UrlSet { urls }.render(),
        None => SitemapIndex {
            parts: (1..=urls.len().div_ceil(per_file))
                .map(|n| format!("{base_url}/sitemap/{n}.xml"))
                .collect(),
        }
        .render(),
        Some(n) => {
            let chunk = urls.chunks(per_file).nth(n.checked_sub(1)?)?;
            UrlSet { urls: chunk }.render()
        }
    };
    rendered.ok()
}

/// The pages that gather documents by subject, in the order of their index pages: each
/// convention, the laws and each law, the focus areas and each area.
pub fn section_urls(base_url: &str) -> Vec<String> {
    let conventions = Convention::ALL
        .iter()
        .map(|c| format!("/konvensjon/{}", c.id()));
    let laws =
        std::iter::once("/lover".to_string()).chain(LAWS.iter().map(|l| format!("/lov/{}", l.id)));
    let topics = std::iter::once("/tema".to_string())
        .chain(FOCUS_AREAS.iter().map(|a| format!("/tema/{}", a.id)));
    conventions
        .chain(laws)
        .chain(topics)
        .map(|path| format!("{base_url}{path}"))
        .collect()
}

/// The subject pages, then the page of every document, newest first.
async fn page_urls(state: &AppState) -> Result<Vec<String>, PageError> {
    let mut urls = section_urls(&state.base_url);
    urls.extend(document_urls(state).await?);
    Ok(urls)
}

/// The page of every document, newest first.
async fn document_urls(state: &AppState) -> Result<Vec<String>, PageError> {
    let index = state.index.clone();
    let results = blocking(move || {
        Ok(index.search_all(&SearchRequest {
            sort: Sort::Newest,
            ..SearchRequest::default()
        })?)
    })
    .await?;
    Ok(results
        .hits
        .iter()
        .map(|h| format!("{}/dokument/{}", state.base_url, h.submission.id))
        .collect())
}

fn xml(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

pub async fn sitemap(State(state): State<AppState>) -> Result<Response, PageError> {
    let urls = page_urls(&state).await?;
    render(&state.base_url, &urls, None, URLS_PER_FILE)
        .map(xml)
        .ok_or_else(|| PageError::Internal("the sitemap did not render".into()))
}

pub async fn sitemap_part(
    State(state): State<AppState>,
    Path(part): Path<String>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let not_found = PageError::NotFound(ctx.lang());
    let Some(n) = part
        .strip_suffix(".xml")
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return Err(not_found);
    };
    let urls = page_urls(&state).await?;
    render(&state.base_url, &urls, Some(n), URLS_PER_FILE)
        .map(xml)
        .ok_or(not_found)
}

/// Crawlers may read documents, their PDFs and the convention pages; the endless
/// variations of a search, its exports and the staff pages are not for them.
pub async fn robots(State(state): State<AppState>) -> impl IntoResponse {
    let body = format!(
        "User-agent: *\n\
         Disallow: /sok\n\
         Disallow: /api/export\n\
         Disallow: /statistikk\n\
         Disallow: /feed.atom\n\
         Disallow: /logg-inn\n\
         Disallow: /last-opp\n\
         Disallow: /papirkurv\n\
         Disallow: /logg\n\
         Allow: /\n\
         \n\
         Sitemap: {}/sitemap.xml\n",
        state.base_url
    );
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
