//! The JSON shapes of the public API, with stable English names. Shared by the web API and
//! `arkiv search --json`.

use serde::Serialize;

use crate::index::{FacetCounts, Hit, PageSnippet, SearchResults};
use crate::model::{ArticleRef, Convention, DocId, Kind, OcrInfo, Submission, TextStatus};
use crate::web::html;

#[derive(Debug, Serialize)]
pub struct SearchResponse {
    pub total: usize,
    pub took_ms: u64,
    pub hits: Vec<HitJson>,
    pub facets: FacetCounts,
    pub suggestion: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct HitJson {
    #[serde(flatten)]
    pub document: DocumentJson,
    pub score: f32,
    pub pages: Vec<PageSnippetJson>,
}

/// A page of a hit and its best passage, as HTML: escaped text, the matching words in `<b>`.
#[derive(Debug, Serialize)]
pub struct PageSnippetJson {
    pub page: u32,
    pub snippet: String,
}

impl From<&PageSnippet> for PageSnippetJson {
    fn from(p: &PageSnippet) -> Self {
        PageSnippetJson {
            page: p.page,
            snippet: html::snippet(&p.snippet),
        }
    }
}

/// A document's metadata.
#[derive(Debug, Serialize)]
pub struct DocumentJson {
    pub id: DocId,
    pub file: String,
    pub title: String,
    pub date: Option<String>,
    pub year: Option<i32>,
    pub kind: Kind,
    pub recipient: Option<String>,
    pub reference: Option<String>,
    pub language: Option<&'static str>,
    pub conventions: Vec<Convention>,
    pub articles: Vec<ArticleRef>,
    pub page_count: usize,
    pub status: TextStatus,
    /// Which extractor produced the text.
    pub extraction: Option<String>,
    /// Set when text came from OCR of page images.
    pub ocr: Option<OcrInfo>,
    pub sample: bool,
}

/// A document with its whole text.
#[derive(Debug, Serialize)]
pub struct DocumentWithText {
    #[serde(flatten)]
    pub document: DocumentJson,
    pub pages: Vec<PageText>,
}

#[derive(Debug, Serialize)]
pub struct PageText {
    pub page: usize,
    pub text: String,
}

impl DocumentJson {
    pub fn new(s: &Submission, page_count: usize) -> DocumentJson {
        DocumentJson {
            id: s.id.clone(),
            file: s.file.clone(),
            title: s.title.clone(),
            date: s.date.map(|d| d.format("%Y-%m-%d").to_string()),
            year: s.year(),
            kind: s.kind,
            recipient: s.recipient.clone(),
            reference: s.reference.clone(),
            language: s.language.map(|l| l.id()),
            conventions: s.conventions.clone(),
            articles: s.articles.clone(),
            page_count,
            status: s.status,
            extraction: s.extraction_note.clone(),
            ocr: s.ocr,
            sample: s.sample,
        }
    }
}

impl From<&Submission> for DocumentWithText {
    fn from(s: &Submission) -> Self {
        DocumentWithText {
            document: DocumentJson::new(s, s.pages.len()),
            pages: s
                .pages
                .iter()
                .enumerate()
                .map(|(i, text)| PageText {
                    page: i + 1,
                    text: text.clone(),
                })
                .collect(),
        }
    }
}

impl From<&Hit> for HitJson {
    fn from(hit: &Hit) -> Self {
        HitJson {
            document: DocumentJson::new(&hit.submission, hit.page_count),
            score: hit.score,
            pages: hit.pages.iter().map(PageSnippetJson::from).collect(),
        }
    }
}

impl From<&SearchResults> for SearchResponse {
    fn from(r: &SearchResults) -> Self {
        SearchResponse {
            total: r.total,
            took_ms: r.took_ms.round() as u64,
            hits: r.hits.iter().map(HitJson::from).collect(),
            facets: r.facets.clone(),
            suggestion: r.suggestion.clone(),
        }
    }
}
