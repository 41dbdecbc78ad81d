//! `/feed.atom`: an Atom feed of any search, newest first, so a journalist can follow
//! "Istanbul, høringssvar" or a query in a feed reader.

use atom_syndication::{Category, Entry, Feed, Generator, Link, Person, Text};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::blocking;
use super::{PageContext, PageError, views};
use crate::index::{SearchRequest, Sort};
use crate::model::Submission;
use crate::web::AppState;
use crate::web::i18n::Lang;
use crate::web::params::SearchParams;

/// Entries per feed: feed readers keep what they have seen, so the newest suffice.
pub const FEED_ENTRIES: usize = 50;

fn midnight(date: NaiveDate) -> DateTime<FixedOffset> {
    date.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .fixed_offset()
}

/// What the feed follows, in words: "«vold» · Istanbulkonvensjonen · Høringssvar".
pub fn describe(lang: Lang, p: &SearchParams) -> String {
    let t = lang.texts();
    let mut parts: Vec<String> = Vec::new();
    if !p.q.trim().is_empty() {
        parts.push(format!("«{}»", p.q.trim()));
    }
    parts.extend(
        p.conventions
            .iter()
            .map(|c| lang.convention(*c).to_string()),
    );
    parts.extend(p.articles.iter().map(|a| views::article_label(lang, *a)));
    parts.extend(p.kinds.iter().map(|k| lang.kind(*k).to_string()));
    if let Some(y) = p.year {
        parts.push(format!("{} {y}", t.year_word));
    }
    if let Some(y) = p.from {
        parts.push(format!("{} {y}", t.from_year));
    }
    if let Some(y) = p.to {
        parts.push(format!("{} {y}", t.to_year));
    }
    if parts.is_empty() {
        t.feed_everything.to_string()
    } else {
        parts.join(" · ")
    }
}

fn entry(lang: Lang, s: &Submission, base_url: &str) -> Option<Entry> {
    // Atom requires a date on every entry, and the archive never invents one: a document
    // without a known date stays out of the feed (it is in the search and the export).
    let updated = midnight(s.date?);
    let t = lang.texts();
    let mut url = format!("{base_url}/dokument/{}", s.id);
    if lang == Lang::En {
        url.push_str("?lang=en");
    }
    let mut summary = vec![lang.kind(s.kind).to_string(), views::date_text(lang, s)];
    if let Some(r) = &s.recipient {
        summary.push(format!("{} {r}", t.cite_to));
    }
    if !s.conventions.is_empty() {
        summary.push(
            s.conventions
                .iter()
                .map(|c| lang.convention(*c))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    let mut categories: Vec<Category> = s
        .conventions
        .iter()
        .map(|c| Category {
            term: c.id().to_string(),
            scheme: Some(format!("{base_url}/konvensjon/")),
            label: Some(lang.convention(*c).to_string()),
        })
        .collect();
    categories.push(Category {
        term: s.kind.id().to_string(),
        scheme: Some(format!("{base_url}/dokumenter?kind=")),
        label: Some(lang.kind(s.kind).to_string()),
    });
    Some(Entry {
        title: Text::plain(s.title.clone()),
        id: format!("{base_url}/dokument/{}", s.id),
        updated,
        published: Some(updated),
        links: vec![
            Link {
                href: url,
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            },
            Link {
                href: format!("{base_url}/dokument/{}/pdf", s.id),
                rel: "related".into(),
                mime_type: Some("application/pdf".into()),
                title: Some(t.open_pdf.to_string()),
                ..Link::default()
            },
        ],
        categories,
        summary: Some(Text::plain(summary.join(" · "))),
        ..Entry::default()
    })
}

/// Builds the feed for a search; `self_url` is the feed's own address.
pub fn build(
    lang: Lang,
    params: &SearchParams,
    hits: &[&Submission],
    base_url: &str,
    self_url: &str,
) -> Feed {
    let t = lang.texts();
    let entries: Vec<Entry> = hits
        .iter()
        .filter_map(|s| entry(lang, s, base_url))
        .collect();
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_else(|| Utc::now().fixed_offset());
    let search_query = SearchParams {
        page: 1,
        per_page: crate::web::params::DEFAULT_PER_PAGE,
        sort: Sort::Newest,
        ..params.clone()
    }
    .to_query();
    Feed {
        title: Text::plain(format!("{}: {}", t.site_name, describe(lang, params))),
        id: self_url.to_string(),
        updated,
        authors: vec![Person {
            name: "Krisesentersekretariatet".into(),
            uri: Some(base_url.to_string()),
            ..Person::default()
        }],
        generator: Some(Generator {
            value: "arkiv".into(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        links: vec![
            Link {
                href: self_url.to_string(),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Link::default()
            },
            Link {
                href: format!("{base_url}/sok?{search_query}"),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            },
        ],
        subtitle: Some(Text::plain(t.tagline)),
        entries,
        lang: Some(lang.code().into()),
        ..Feed::default()
    }
}

/// `GET /feed.atom?…`: the newest documents of the search the parameters describe.
pub async fn atom(State(state): State<AppState>, ctx: PageContext) -> Result<Response, PageError> {
    let params = ctx.search_params()?;
    let lang = params.lang;
    let request = SearchRequest {
        sort: Sort::Newest,
        offset: 0,
        limit: FEED_ENTRIES,
        pages_per_hit: 0,
        ..state.search_request(&params, 0)
    };
    let index = state.index.clone();
    let results = blocking(move || Ok(index.search(&request)?)).await?;
    let self_query = SearchParams {
        page: 1,
        per_page: crate::web::params::DEFAULT_PER_PAGE,
        sort: Sort::Relevance,
        ..params.clone()
    }
    .to_query();
    let self_url = if self_query.is_empty() {
        format!("{}/feed.atom", state.base_url)
    } else {
        format!("{}/feed.atom?{self_query}", state.base_url)
    };
    let hits: Vec<&Submission> = results.hits.iter().map(|h| &h.submission).collect();
    let feed = build(lang, &params, &hits, &state.base_url, &self_url);
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        feed.to_string(),
    )
        .into_response())
}
