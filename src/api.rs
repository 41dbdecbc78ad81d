//! The JSON shapes of the public API, with stable English names: the one description of a
//! document as programs see it. Shared by the web API and `arkiv search --json`; the
//! OpenAPI document derives its schemas from these types (`ToSchema`).

use serde::Serialize;
use utoipa::ToSchema;

use crate::index::{FacetCounts, Hit, PageSnippet, SearchResults};
use crate::model::{ArticleRef, Convention, DocId, Kind, OcrInfo, Submission, TextStatus};
use crate::web::html;

/// One page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// Documents matching, over all pages.
    pub total: usize,
    pub took_ms: u64,
    pub hits: Vec<HitJson>,
    pub facets: FacetCounts,
    /// A corrected query, when the one asked found nothing; the hits are then its hits.
    pub suggestion: Option<String>,
    /// Thesaurus terms and forms of the other written standard (bokmål/nynorsk) also
    /// searched for, ranked below the words typed; empty with `exact=1`.
    pub also: Vec<String>,
}

/// A search hit: the document's metadata, its score and its best pages.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Hit)]
pub struct HitJson {
    #[serde(flatten)]
    pub document: DocumentJson,
    /// Relevance (1 when sorted by date).
    pub score: f32,
    pub pages: Vec<PageSnippetJson>,
}

/// A page of a hit with its best passage. The index gives the passage as text and ranges;
/// here it becomes HTML, through the web's one escaper.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PageSnippet)]
pub struct PageSnippetJson {
    /// The page (1-based).
    pub page: u32,
    /// The passage as HTML: escaped text, the matching words in `<b>`.
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
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Document)]
pub struct DocumentJson {
    pub id: DocId,
    pub file: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub date: Option<String>,
    pub year: Option<i32>,
    pub kind: Kind,
    pub recipient: Option<String>,
    pub reference: Option<String>,
    #[schema(value_type = Option<crate::model::Language>)]
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
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentWithText {
    #[serde(flatten)]
    pub document: DocumentJson,
    pub pages: Vec<PageText>,
}

/// The text of one page.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageText {
    /// 1-based.
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
            also: r.also.clone(),
        }
    }
}
