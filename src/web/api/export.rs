//! Whole result sets: `/api/export` as CSV (for spreadsheets) or JSON.

use std::borrow::Cow;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::super::i18n::Lang;
use super::super::params::SearchParams;
use super::super::{AppState, search_whole_set};
use super::ApiError;
use crate::api::DocumentJson;
use crate::consultations::Consultations;
use crate::model::{ArticleRef, Convention, Kind, Submission};

/// One exported document (a row of the CSV export): a view of the API's document. The
/// field names are the stable English ones of the JSON API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportRow {
    #[schema(pattern = "^[0-9a-f]{32}$")]
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub date: Option<String>,
    pub year: Option<i32>,
    pub kind: Kind,
    pub recipient: Option<String>,
    pub conventions: Vec<Convention>,
    pub articles: Vec<ArticleRef>,
    /// Law ids, sections (`straffeloven:282`) and review cycle ids.
    pub laws: Vec<String>,
    pub law_sections: Vec<String>,
    pub cycles: Vec<String>,
    /// Focus area ids.
    pub topics: Vec<String>,
    pub pages: usize,
    /// The document's permanent address.
    pub url: String,
    /// The id of the consultation the document answers.
    pub consultation: Option<String>,
    /// The public notes (with a staff token, the internal ones too, marked `[internal]`),
    /// each `[p. N] text` when it is about a page.
    pub notes: Vec<String>,
}

impl ExportRow {
    /// The row of a document: a view of what the API says of it, plus its address.
    pub fn new(
        s: &Submission,
        page_count: usize,
        base_url: &str,
        consultations: &Consultations,
    ) -> ExportRow {
        let d = DocumentJson::new(s, page_count, consultations);
        ExportRow {
            url: format!("{base_url}/dokument/{}", d.id),
            id: d.id.to_string(),
            title: d.title,
            date: d.date,
            year: d.year,
            kind: d.kind,
            recipient: d.recipient,
            conventions: d.conventions,
            articles: d.articles,
            laws: d.laws,
            law_sections: d.law_sections,
            cycles: d.cycles,
            topics: d.topics,
            pages: d.page_count,
            consultation: d.consultation.map(|c| c.id),
            notes: d
                .notes
                .iter()
                .map(|n| note_cell(n.page, n.internal, &n.text))
                .collect(),
        }
    }

    /// The same row with the internal notes too: only for staff.
    pub fn with_internal_notes(mut self, s: &Submission) -> ExportRow {
        self.notes = s
            .notes
            .iter()
            .map(|n| note_cell(n.page, n.internal, &n.text))
            .collect();
        self
    }
}

/// A note as the export writes it: `[p. N]` when it is about a page, `[internal]` when
/// only staff may read it.
fn note_cell(page: Option<u32>, internal: bool, text: &str) -> String {
    let mut cell = String::new();
    if internal {
        cell.push_str("[internal] ");
    }
    if let Some(page) = page {
        cell.push_str(&format!("[p. {page}] "));
    }
    cell.push_str(text);
    cell
}

/// Every hit of a search.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Export)]
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
                    "csv" => json = false,
                    "json" => json = true,
                    other => {
                        return Err(format!(
                            "invalid parameter `format`: `{other}` is not csv or json"
                        ));
                    }
                },
                "delimiter" => match value.trim() {
                    "comma" | "," => delimiter = b',',
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

/// A cell of the CSV from an exported row.
type Cell = fn(&ExportRow) -> String;

/// Lists within a cell are joined with ", ".
fn join<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The CSV's columns, in order: (bokmål header, English header, cell).
const COLUMNS: &[(&str, &str, Cell)] = &[
    ("id", "id", |r| r.id.clone()),
    ("tittel", "title", |r| r.title.clone()),
    ("dato", "date", |r| r.date.clone().unwrap_or_default()),
    ("år", "year", |r| {
        r.year.map(|y| y.to_string()).unwrap_or_default()
    }),
    ("type", "kind", |r| r.kind.id().to_string()),
    ("mottaker", "recipient", |r| {
        r.recipient.clone().unwrap_or_default()
    }),
    ("konvensjoner", "conventions", |r| {
        join(&r.conventions.iter().map(|c| c.id()).collect::<Vec<_>>())
    }),
    ("artikler", "articles", |r| join(&r.articles)),
    ("lover", "laws", |r| join(&r.laws)),
    ("paragrafer", "law_sections", |r| join(&r.law_sections)),
    ("sykluser", "cycles", |r| join(&r.cycles)),
    ("tema", "topics", |r| join(&r.topics)),
    ("sider", "pages", |r| r.pages.to_string()),
    ("url", "url", |r| r.url.clone()),
    ("høring", "consultation", |r| {
        r.consultation.clone().unwrap_or_default()
    }),
    ("notater", "notes", |r| r.notes.join("\n\n")),
];

/// The CSV file: UTF-8 with a byte-order mark, because Excel reads a file without one in
/// the machine's legacy code page and garbles æ, ø and å.
pub fn to_csv(rows: &[ExportRow], delimiter: u8, lang: Lang) -> Result<Vec<u8>, csv::Error> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        writer.write_record(COLUMNS.iter().map(|(nb, en, _)| match lang {
            Lang::Nb => *nb,
            Lang::En => *en,
        }))?;
        for row in rows {
            writer.write_record(
                COLUMNS
                    .iter()
                    .map(|(_, _, cell)| neutralise(&cell(row)).into_owned()),
            )?;
        }
        writer.flush()?;
    }
    Ok(out)
}

fn attachment(response: &mut Response, content_type: &'static str, file: &str) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
}

/// The longest part of a file name the filters may take, so the name stays well within
/// what file systems and browsers keep.
const MAX_FILTER_NAME: usize = 80;

/// `arkiv-eksport-2026-11-30-istanbul-2019-2021-vold.csv`: the day of the export, then what
/// was asked (conventions, articles, kinds, years, the words), in ASCII letters, digits and
/// hyphens only, so the name is safe on every system and in every header.
pub fn file_name(params: &SearchParams, today: chrono::NaiveDate, extension: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(params.conventions.iter().map(|c| c.id().to_string()));
    parts.extend(params.articles.iter().map(|a| a.to_string()));
    parts.extend(params.kinds.iter().map(|k| k.id().to_string()));
    match (params.year, params.from, params.to) {
        (Some(y), _, _) => parts.push(y.to_string()),
        (None, Some(f), Some(t)) => parts.push(format!("{f}-{t}")),
        (None, Some(f), None) => parts.push(format!("fra-{f}")),
        (None, None, Some(t)) => parts.push(format!("til-{t}")),
        (None, None, None) => {}
    }
    parts.push(params.q.clone());
    let mut filters = String::new();
    for c in parts.join("-").to_lowercase().chars() {
        let ascii = match c {
            'æ' => "ae",
            'ø' | 'ö' => "o",
            'å' | 'ä' | 'á' | 'à' => "a",
            'é' | 'è' | 'ê' => "e",
            'ü' => "u",
            c if c.is_ascii_alphanumeric() => {
                filters.push(c);
                continue;
            }
            _ => "-",
        };
        if ascii == "-" {
            if !filters.is_empty() && !filters.ends_with('-') {
                filters.push('-');
            }
        } else {
            filters.push_str(ascii);
        }
        if filters.len() >= MAX_FILTER_NAME {
            break;
        }
    }
    filters.truncate(MAX_FILTER_NAME);
    let filters = filters.trim_matches('-');
    let day = today.format("%Y-%m-%d");
    if filters.is_empty() {
        format!("arkiv-eksport-{day}.{extension}")
    } else {
        format!("arkiv-eksport-{day}-{filters}.{extension}")
    }
}

/// `GET /api/export?…`: every hit of the search the parameters describe, in the search's
/// order. Bad parameters answer 400 with `{"error": …}`, like the rest of the API.
pub async fn export(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = SearchParams::parse(raw.as_deref())?;
    let format = ExportFormat::parse(raw.as_deref()).map_err(ApiError::BadRequest)?;
    // With a staff token, internal notes are searched and exported too.
    let staff = super::super::auth::optional_token_user(&state, &headers)
        .await?
        .is_some();
    let results = if staff {
        let mut request = state.search_request(&params, 0);
        request.internal_notes = true;
        let index = state.index.clone();
        super::blocking(move || Ok(index.search_all(&request)?)).await?
    } else {
        search_whole_set::<ApiError>(&state, &params).await?
    };
    let consultations = state.consultations.current();
    let rows: Vec<ExportRow> = results
        .hits
        .iter()
        .map(|h| {
            let row = ExportRow::new(&h.submission, h.page_count, &state.base_url, &consultations);
            if staff {
                row.with_internal_notes(&h.submission)
            } else {
                row
            }
        })
        .collect();
    match format {
        ExportFormat::Json => {
            let mut response = Json(ExportJson {
                total: results.total,
                suggestion: results.suggestion.clone(),
                documents: rows,
            })
            .into_response();
            attachment(
                &mut response,
                "application/json",
                &file_name(&params, chrono::Utc::now().date_naive(), "json"),
            );
            Ok(response)
        }
        ExportFormat::Csv { delimiter } => {
            let body = to_csv(&rows, delimiter, params.lang)
                .map_err(|e| ApiError::Internal(format!("CSV export failed: {e}")))?;
            let mut response = body.into_response();
            attachment(
                &mut response,
                "text/csv; charset=utf-8",
                &file_name(&params, chrono::Utc::now().date_naive(), "csv"),
            );
            Ok(response)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_say_what_was_exported_in_safe_letters() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let plain = SearchParams::default();
        assert_eq!(
            file_name(&plain, day, "csv"),
            "arkiv-eksport-2026-11-30.csv"
        );
        let asked = SearchParams {
            q: "Vold i nære relasjoner \"/../\r\n".into(),
            conventions: vec![crate::model::Convention::Istanbul],
            from: Some(2019),
            to: Some(2021),
            ..SearchParams::default()
        };
        assert_eq!(
            file_name(&asked, day, "json"),
            "arkiv-eksport-2026-11-30-istanbul-2019-2021-vold-i-naere-relasjoner.json"
        );
        let long = SearchParams {
            q: "ord ".repeat(100),
            ..SearchParams::default()
        };
        let name = file_name(&long, day, "csv");
        assert!(name.len() <= "arkiv-eksport-2026-11-30-.csv".len() + MAX_FILTER_NAME);
        assert!(!name.contains("-.csv"), "{name}");
    }

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
