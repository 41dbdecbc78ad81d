//! The JSON shapes of the public API, with stable English names: the one description of a
//! document as programs see it. Shared by the web API and `arkiv search --json`; the
//! OpenAPI document derives its schemas from these types (`ToSchema`).

use serde::Serialize;
use utoipa::ToSchema;

use crate::consultations::{Consultation, ConsultationKind, Consultations, StepKind};
use crate::index::{FacetCounts, Hit, PageSnippet, SearchResults};
use crate::model::{ArticleRef, Convention, DocId, Kind, Note, OcrInfo, Submission, TextStatus};
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
    /// Ids of the Norwegian laws the document refers to (`straffeloven`, …).
    pub laws: Vec<String>,
    /// Sections of those laws, `law:section` (`straffeloven:282`, `straffeprosessloven:222a`).
    pub law_sections: Vec<String>,
    /// Ids of the review cycles the document feeds (`cedaw-10`, `grevio-baseline`, …).
    pub cycles: Vec<String>,
    /// Ids of the secretariat's focus areas the document treats (`partnerdrap`, …).
    pub topics: Vec<String>,
    pub page_count: usize,
    pub status: TextStatus,
    /// Which extractor produced the text.
    pub extraction: Option<String>,
    /// Set when text came from OCR of page images.
    pub ocr: Option<OcrInfo>,
    pub sample: bool,
    /// The consultation the document answers: named by its sidecar, or found by the
    /// recipient's case number in its letter head ("Deres ref.").
    pub consultation: Option<ConsultationRef>,
    /// Waits in the staff inbox: what was detected has not yet been confirmed or
    /// corrected by staff.
    pub to_review: bool,
    /// Notes staff wrote: the public ones, and the internal ones only for a request with
    /// a staff token.
    pub notes: Vec<NoteJson>,
    /// The current version (1 for a document never replaced).
    pub version: usize,
    /// Earlier versions of the PDF, oldest first.
    pub versions: Vec<VersionJson>,
}

/// A note on a document or on one of its pages. `text` is plain text, never HTML.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoteJson {
    pub id: u32,
    /// The page it is about (1-based); none for the whole document.
    pub page: Option<u32>,
    /// Visible to staff only.
    pub internal: bool,
    pub text: String,
    pub author: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub written: String,
}

impl From<&Note> for NoteJson {
    fn from(n: &Note) -> Self {
        NoteJson {
            id: n.id,
            page: n.page,
            internal: n.internal,
            text: n.text.clone(),
            author: n.author.clone(),
            written: n.written.clone(),
        }
    }
}

/// An earlier version of a document's PDF.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionJson {
    /// 1 for the first.
    pub version: usize,
    /// The id the document had then; `/dokument/{id}` redirects to the document.
    pub id: DocId,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub replaced: String,
    /// The path of its PDF (its own id's: an id is its content's hash).
    pub pdf: String,
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
    pub fn new(s: &Submission, page_count: usize, consultations: &Consultations) -> DocumentJson {
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
            laws: s.laws.clone(),
            law_sections: s.law_sections.clone(),
            cycles: s.cycles.clone(),
            topics: s.topics.clone(),
            page_count,
            status: s.status,
            extraction: s.extraction_note.clone(),
            ocr: s.ocr,
            sample: s.sample,
            consultation: consultations
                .link(s.consultation.as_deref(), s.their_reference.as_deref())
                .map(ConsultationRef::from),
            notes: s.public_notes().map(NoteJson::from).collect(),
            version: s.version_number(),
            versions: s
                .versions
                .iter()
                .enumerate()
                .map(|(i, v)| VersionJson {
                    version: i + 1,
                    id: v.id.clone(),
                    replaced: v.replaced.clone(),
                    pdf: format!("/dokument/{}/pdf", v.id),
                })
                .collect(),
            to_review: s.to_review,
        }
    }

    /// The same, with the internal notes too: only for staff.
    pub fn with_internal_notes(mut self, s: &Submission) -> DocumentJson {
        self.notes = s.notes.iter().map(NoteJson::from).collect();
        self
    }
}

impl DocumentWithText {
    /// The same, with the internal notes too: only for staff.
    pub fn with_internal_notes(mut self, s: &Submission) -> Self {
        self.document = self.document.with_internal_notes(s);
        self
    }

    pub fn new(s: &Submission, consultations: &Consultations) -> Self {
        DocumentWithText {
            document: DocumentJson::new(s, s.pages.len(), consultations),
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

impl HitJson {
    pub fn new(hit: &Hit, consultations: &Consultations) -> Self {
        HitJson {
            document: DocumentJson::new(&hit.submission, hit.page_count, consultations),
            score: hit.score,
            pages: hit.pages.iter().map(PageSnippetJson::from).collect(),
        }
    }
}

impl SearchResponse {
    /// The same, with the internal notes of each hit too: only for staff.
    pub fn with_internal_notes(mut self, r: &SearchResults) -> Self {
        for (json, hit) in self.hits.iter_mut().zip(&r.hits) {
            json.document.notes = hit.submission.notes.iter().map(NoteJson::from).collect();
        }
        self
    }

    pub fn new(r: &SearchResults, consultations: &Consultations) -> Self {
        SearchResponse {
            total: r.total,
            took_ms: r.took_ms.round() as u64,
            hits: r
                .hits
                .iter()
                .map(|h| HitJson::new(h, consultations))
                .collect(),
            facets: r.facets.clone(),
            suggestion: r.suggestion.clone(),
            also: r.also.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Consultations
// ---------------------------------------------------------------------------------------

/// A consultation as a document names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultationRef {
    /// The consultation's id (`/horing/{id}`, `/api/consultations/{id}`).
    pub id: String,
    pub title: String,
}

impl From<&Consultation> for ConsultationRef {
    fn from(c: &Consultation) -> Self {
        ConsultationRef {
            id: c.id.clone(),
            title: c.title.clone(),
        }
    }
}

/// One step of what came of a consultation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OutcomeStep)]
pub struct OutcomeStepJson {
    #[schema(value_type = String, pattern = "^(prop|innst|lov|forskrift|vedtak|annet)$")]
    pub kind: &'static str,
    pub title: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub date: Option<String>,
    pub url: Option<String>,
}

/// A consultation record, as `documents/consultations/<id>.toml` holds it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Consultation)]
pub struct ConsultationJson {
    pub id: String,
    pub title: String,
    pub department: Option<String>,
    /// The ministry's case number.
    pub reference: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub sent: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub deadline: Option<String>,
    pub url: Option<String>,
    #[schema(value_type = String, pattern = "^(horing|stortingshoring|annet)$")]
    pub kind: &'static str,
    pub outcome: Vec<OutcomeStepJson>,
    pub notes: Option<String>,
    /// A sample written for the project, not a real process.
    pub sample: bool,
}

/// A consultation with the archive's documents that answer it, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationWithDocuments {
    #[serde(flatten)]
    pub consultation: ConsultationJson,
    pub documents: Vec<DocumentJson>,
}

/// Every consultation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationList {
    pub consultations: Vec<ConsultationJson>,
}

fn day(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

impl From<&Consultation> for ConsultationJson {
    fn from(c: &Consultation) -> Self {
        ConsultationJson {
            id: c.id.clone(),
            title: c.title.clone(),
            department: c.department.clone(),
            reference: c.reference.clone(),
            sent: day(c.sent),
            deadline: day(c.deadline),
            url: c.url.clone(),
            kind: c.kind.id(),
            outcome: c
                .outcome
                .iter()
                .map(|s| OutcomeStepJson {
                    kind: s.kind.id(),
                    title: s.title.clone(),
                    date: day(s.date),
                    url: s.url.clone(),
                })
                .collect(),
            notes: c.notes.clone(),
            sample: c.sample,
        }
    }
}

/// The kinds, for the schema's and the forms' lists.
pub fn consultation_kinds() -> impl Iterator<Item = &'static str> {
    ConsultationKind::ALL.into_iter().map(ConsultationKind::id)
}

/// The kinds of outcome step.
pub fn step_kinds() -> impl Iterator<Item = &'static str> {
    StepKind::ALL.into_iter().map(StepKind::id)
}

/// What `GET /api/suggest` answers: completions of the typed text, at most 8, in the order
/// `crate::suggest` defines (kinds in turn, grouped by kind).
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    /// The text the suggestions complete, as received (trimmed).
    pub q: String,
    pub suggestions: Vec<SuggestionJson>,
}

/// One completion.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Suggestion)]
pub struct SuggestionJson {
    /// What the list shows and the search box takes; plain text (escape it to show it).
    pub text: String,
    pub kind: SuggestionKindJson,
    /// The search it leads to: a filter for conventions, laws and consultations, a search
    /// for `text` for titles and terms.
    pub url: String,
}

/// Where a completion comes from.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = SuggestionKind)]
pub enum SuggestionKindJson {
    Convention,
    Law,
    Consultation,
    Title,
    Term,
}

impl From<crate::suggest::SuggestionKind> for SuggestionKindJson {
    fn from(kind: crate::suggest::SuggestionKind) -> Self {
        use crate::suggest::SuggestionKind as K;
        match kind {
            K::Convention => SuggestionKindJson::Convention,
            K::Law => SuggestionKindJson::Law,
            K::Consultation => SuggestionKindJson::Consultation,
            K::Title => SuggestionKindJson::Title,
            K::Term => SuggestionKindJson::Term,
        }
    }
}
