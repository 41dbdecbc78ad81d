//! Whole result sets: `/api/export` as CSV (for spreadsheets) or JSON, and the one way the
//! research pages (statistics, convention pages, feed) ask the index for every hit of a
//! search.

use std::borrow::Cow;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::i18n::Lang;
use super::params::SearchParams;
use super::{AppError, AppState, blocking};
use crate::index::{ArchiveIndex, SearchResults};
use crate::model::{ArticleRef, Convention, Kind, Submission};

/// Every hit of the search `params` describe, without snippets, in one search
/// ([`ArchiveIndex::search_all`]): paging through several could see the index change
/// between pages and return a set that never existed.
pub async fn search_whole_set(
    index: &ArchiveIndex,
    params: &SearchParams,
) -> Result<SearchResults, AppError> {
    let index = index.clone();
    let request = params.request(0);
    blocking(move || Ok(index.search_all(&request)?)).await
}

/// One exported document. The field names are the stable English ones of the JSON API.
#[derive(Debug, Clone, Serialize)]
pub struct ExportRow {
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    pub year: Option<i32>,
    pub kind: Kind,
    pub recipient: Option<String>,
    pub conventions: Vec<Convention>,
    pub articles: Vec<ArticleRef>,
    pub pages: usize,
    /// The document's permanent address.
    pub url: String,
}

impl ExportRow {
    pub fn new(s: &Submission, page_count: usize, base_url: &str) -> ExportRow {
        ExportRow {
            id: s.id.to_string(),
            title: s.title.clone(),
            date: s.date.map(|d| d.format("%Y-%m-%d").to_string()),
            year: s.year(),
            kind: s.kind,
            recipient: s.recipient.clone(),
            conventions: s.conventions.clone(),
            articles: s.articles.clone(),
            pages: page_count,
            url: format!("{base_url}/dokument/{}", s.id),
        }
    }
}

/// The JSON export.
#[derive(Debug, Serialize)]
pub struct ExportJson {
    pub total: usize,
    /// The corrected query whose hits these are, when the one asked found nothing.
    pub suggestion: Option<String>,
    pub documents: Vec<ExportRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv { delimiter: u8 },
    Json,
}

impl ExportFormat {
    /// `format=csv|json` (default csv) and `delimiter=comma|semicolon` (also `,` and `;`).
    pub fn parse(raw: Option<&str>) -> Result<ExportFormat, String> {
        let mut json = false;
        let mut delimiter = b',';
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match key.as_ref() {
                "format" => match value.trim() {
                    "" | "csv" => json = false,
                    "json" => json = true,
                    other => {
                        return Err(format!(
                            "invalid parameter `format`: `{other}` is not csv or json"
                        ));
                    }
                },
                "delimiter" => match value.trim() {
                    "" | "comma" | "," => delimiter = b',',
                    "semicolon" | ";" => delimiter = b';',
                    other => {
                        return Err(format!(
                            "invalid parameter `delimiter`: `{other}` is not comma or semicolon"
                        ));
                    }
                },
                _ => {}
            }
        }
        Ok(if json {
            ExportFormat::Json
        } else {
            ExportFormat::Csv { delimiter }
        })
    }
}

/// A spreadsheet evaluates a cell that starts with one of these as a formula (OWASP's
/// "CSV injection"); leading blanks do not stop some of them.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell a spreadsheet will show as text: a leading apostrophe stops the formula, and
/// spreadsheets hide it.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let first = cell.trim_start_matches(' ').chars().next();
    let leading_control = cell.starts_with(['\t', '\r']);
    if leading_control || first.is_some_and(|c| FORMULA_STARTS.contains(&c)) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn csv_header(lang: Lang) -> [&'static str; 10] {
    match lang {
        Lang::Nb => [
            "id",
            "tittel",
            "dato",
            "år",
            "type",
            "mottaker",
            "konvensjoner",
            "artikler",
            "sider",
            "url",
        ],
        Lang::En => [
            "id",
            "title",
            "date",
            "year",
            "kind",
            "recipient",
            "conventions",
            "articles",
            "pages",
            "url",
        ],
    }
}

/// The CSV file: UTF-8 with a byte-order mark, because Excel reads a file without one in
/// the machine's legacy code page and garbles æ, ø and å. Lists within a cell are joined
/// with ", ".
pub fn to_csv(rows: &[ExportRow], delimiter: u8, lang: Lang) -> Result<Vec<u8>, csv::Error> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        writer.write_record(csv_header(lang))?;
        for row in rows {
            let join = |items: Vec<String>| items.join(", ");
            let cells = [
                row.id.clone(),
                row.title.clone(),
                row.date.clone().unwrap_or_default(),
                row.year.map(|y| y.to_string()).unwrap_or_default(),
                row.kind.id().to_string(),
                row.recipient.clone().unwrap_or_default(),
                join(row.conventions.iter().map(|c| c.id().to_string()).collect()),
                join(row.articles.iter().map(|a| a.to_string()).collect()),
                row.pages.to_string(),
                row.url.clone(),
            ];
            writer.write_record(cells.iter().map(|c| neutralise(c).into_owned()))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

fn attachment(response: &mut Response, content_type: &'static str, file: &'static str) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
}

/// `GET /api/export?…`: every hit of the search the parameters describe, in the search's
/// order. Bad parameters answer 400 with `{"error": …}`, like the rest of the API.
pub async fn export(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let params =
        SearchParams::parse(raw.as_deref()).map_err(|e| AppError::ApiBadRequest(e.to_string()))?;
    let format = ExportFormat::parse(raw.as_deref()).map_err(AppError::ApiBadRequest)?;
    let results = search_whole_set(&state.index, &params)
        .await
        .map_err(AppError::into_api)?;
    let rows: Vec<ExportRow> = results
        .hits
        .iter()
        .map(|h| ExportRow::new(&h.submission, h.page_count, &state.base_url))
        .collect();
    match format {
        ExportFormat::Json => {
            let mut response = Json(ExportJson {
                total: results.total,
                suggestion: results.suggestion.clone(),
                documents: rows,
            })
            .into_response();
            attachment(&mut response, "application/json", "arkiv-eksport.json");
            Ok(response)
        }
        ExportFormat::Csv { delimiter } => {
            let body = to_csv(&rows, delimiter, params.lang)
                .map_err(|e| AppError::ApiInternal(format!("CSV export failed: {e}")))?;
            let mut response = body.into_response();
            attachment(
                &mut response,
                "text/csv; charset=utf-8",
                "arkiv-eksport.csv",
            );
            Ok(response)
        }
    }
}

/// Links from a search page to the same search's export, statistics and feed. Built from
/// what the search page already shows, so its handler needs no change.
pub struct ResearchLinks {
    pub csv: String,
    pub csv_semicolon: String,
    pub json: String,
    pub stats: String,
    pub feed: String,
}

impl ResearchLinks {
    /// `filters` are the search page's hidden (name, value) pairs; `from`/`to` its year
    /// range; `sort` its sort id. (`lang` by reference: templates pass their fields so.)
    pub fn for_search(
        q: &str,
        filters: &[(String, String)],
        from: &str,
        to: &str,
        sort: &str,
        lang: &Lang,
    ) -> ResearchLinks {
        let mut raw = form_urlencoded::Serializer::new(String::new());
        raw.append_pair("q", q);
        raw.extend_pairs(filters.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        raw.append_pair("from", from);
        raw.append_pair("to", to);
        raw.append_pair("sort", sort);
        let mut params = SearchParams::parse_lenient(Some(&raw.finish()));
        params.lang = *lang;
        ResearchLinks::for_params(&params)
    }

    pub fn for_params(params: &SearchParams) -> ResearchLinks {
        let unpaged = SearchParams {
            page: 1,
            per_page: super::params::DEFAULT_PER_PAGE,
            ..params.clone()
        };
        let query = unpaged.to_query();
        let with = |path: &str, extra: &str| {
            let joined: Vec<&str> = [query.as_str(), extra]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            if joined.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", joined.join("&"))
            }
        };
        let feed_params = SearchParams {
            sort: crate::index::Sort::Relevance,
            ..unpaged.clone()
        };
        let feed_query = feed_params.to_query();
        ResearchLinks {
            csv: with("/api/export", "format=csv"),
            csv_semicolon: with("/api/export", "format=csv&delimiter=semicolon"),
            json: with("/api/export", "format=json"),
            stats: with("/statistikk", ""),
            feed: if feed_query.is_empty() {
                "/feed.atom".into()
            } else {
                format!("/feed.atom?{feed_query}")
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_text_is_not() {
        assert_eq!(neutralise("=1+1"), "'=1+1");
        assert_eq!(neutralise("  =1+1"), "'  =1+1");
        assert_eq!(neutralise("+47 22"), "'+47 22");
        assert_eq!(neutralise("-2"), "'-2");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\t=x"), "'\t=x");
        assert_eq!(neutralise("Høringssvar – NOU"), "Høringssvar – NOU");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn format_parameters() {
        assert_eq!(
            ExportFormat::parse(None),
            Ok(ExportFormat::Csv { delimiter: b',' })
        );
        assert_eq!(
            ExportFormat::parse(Some("format=csv&delimiter=%3B")),
            Ok(ExportFormat::Csv { delimiter: b';' })
        );
        assert_eq!(
            ExportFormat::parse(Some("format=json")),
            Ok(ExportFormat::Json)
        );
        assert!(ExportFormat::parse(Some("format=xlsx")).is_err());
        assert!(ExportFormat::parse(Some("delimiter=tab")).is_err());
    }
}
