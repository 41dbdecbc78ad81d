//! Plain data shared by every part of arkiv: ids, conventions, kinds and submissions.
//!
//! Nothing here knows about PDFs, tantivy or HTTP; the other modules translate to and from
//! these types at their edges.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The stable id of a document: the hex BLAKE3 hash of its PDF bytes, cut to 128 bits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocId(String);

impl DocId {
    /// Length of an id in hex digits.
    pub const LEN: usize = 32;

    pub fn from_content(bytes: &[u8]) -> DocId {
        let hash = blake3::hash(bytes);
        DocId(hash.to_hex()[..Self::LEN].to_string())
    }

    /// Accepts exactly [`DocId::LEN`] lowercase hex digits, so an id from a URL can never
    /// carry a path or a query fragment.
    pub fn parse(s: &str) -> Option<DocId> {
        let valid = s.len() == Self::LEN
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| DocId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The human-rights conventions the archive tags documents with: the four the
/// secretariat's work rests on first, then the other conventions it refers to. The order
/// of the variants is the order of every list and facet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Convention {
    Istanbul,
    Echr,
    Cedaw,
    Crc,
    /// The UN Convention on the Rights of Persons with Disabilities.
    Crpd,
    /// The Council of Europe Convention on the Protection of Children against Sexual
    /// Exploitation and Sexual Abuse.
    Lanzarote,
    /// The Council of Europe Convention on Action against Trafficking in Human Beings.
    Trafficking,
    /// The UN Protocol to Prevent, Suppress and Punish Trafficking in Persons.
    Palermo,
    /// The International Covenant on Civil and Political Rights.
    Iccpr,
    /// The International Covenant on Economic, Social and Cultural Rights.
    Icescr,
    /// The International Convention on the Elimination of All Forms of Racial Discrimination.
    Cerd,
}

impl Convention {
    pub const ALL: [Convention; 11] = [
        Convention::Istanbul,
        Convention::Echr,
        Convention::Cedaw,
        Convention::Crc,
        Convention::Crpd,
        Convention::Lanzarote,
        Convention::Trafficking,
        Convention::Palermo,
        Convention::Iccpr,
        Convention::Icescr,
        Convention::Cerd,
    ];

    /// The four the secretariat's work rests on.
    pub const CORE: [Convention; 4] = [
        Convention::Istanbul,
        Convention::Echr,
        Convention::Cedaw,
        Convention::Crc,
    ];

    /// The stable id used in URLs, the index and the JSON API.
    pub fn id(self) -> &'static str {
        match self {
            Convention::Istanbul => "istanbul",
            Convention::Echr => "echr",
            Convention::Cedaw => "cedaw",
            Convention::Crc => "crc",
            Convention::Crpd => "crpd",
            Convention::Lanzarote => "lanzarote",
            Convention::Trafficking => "trafficking",
            Convention::Palermo => "palermo",
            Convention::Iccpr => "iccpr",
            Convention::Icescr => "icescr",
            Convention::Cerd => "cerd",
        }
    }

    pub fn from_id(id: &str) -> Option<Convention> {
        Convention::ALL.into_iter().find(|c| c.id() == id)
    }

    /// Short name in bokmål, as shown on badges.
    pub fn short_nb(self) -> &'static str {
        match self {
            Convention::Istanbul => "Istanbulkonvensjonen",
            Convention::Echr => "EMK",
            Convention::Cedaw => "Kvinnekonvensjonen (CEDAW)",
            Convention::Crc => "Barnekonvensjonen",
            Convention::Crpd => "CRPD",
            Convention::Lanzarote => "Lanzarotekonvensjonen",
            Convention::Trafficking => "Menneskehandelkonvensjonen",
            Convention::Palermo => "Palermoprotokollen",
            Convention::Iccpr => "SP",
            Convention::Icescr => "ØSK",
            Convention::Cerd => "Rasediskrimineringskonvensjonen",
        }
    }

    /// Short name in English.
    pub fn short_en(self) -> &'static str {
        match self {
            Convention::Istanbul => "Istanbul Convention",
            Convention::Echr => "ECHR",
            Convention::Cedaw => "CEDAW",
            Convention::Crc => "CRC",
            Convention::Crpd => "CRPD",
            Convention::Lanzarote => "Lanzarote Convention",
            Convention::Trafficking => "Anti-Trafficking Convention",
            Convention::Palermo => "Palermo Protocol",
            Convention::Iccpr => "ICCPR",
            Convention::Icescr => "ICESCR",
            Convention::Cerd => "CERD",
        }
    }
}

impl fmt::Display for Convention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Convention {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Convention::from_id(s).ok_or_else(|| format!("unknown convention `{s}`"))
    }
}

/// A reference to one article of one convention, written `istanbul:18`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArticleRef {
    pub convention: Convention,
    pub article: u32,
}

impl fmt::Display for ArticleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.convention.id(), self.article)
    }
}

impl FromStr for ArticleRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (conv, art) = s
            .split_once(':')
            .ok_or_else(|| format!("article `{s}` is not of the form convention:number"))?;
        Ok(ArticleRef {
            convention: conv.parse()?,
            article: art
                .parse()
                .map_err(|_| format!("article number `{art}` is not a number"))?,
        })
    }
}

impl Serialize for ArticleRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ArticleRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What kind of text a submission is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A consultation response.
    Horingssvar,
    /// A submission to a ministry or the Storting.
    Innspill,
    Rapport,
    #[default]
    Annet,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Horingssvar,
        Kind::Innspill,
        Kind::Rapport,
        Kind::Annet,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Kind::Horingssvar => "horingssvar",
            Kind::Innspill => "innspill",
            Kind::Rapport => "rapport",
            Kind::Annet => "annet",
        }
    }

    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == id)
    }

    pub fn label_nb(self) -> &'static str {
        match self {
            Kind::Horingssvar => "Høringssvar",
            Kind::Innspill => "Innspill",
            Kind::Rapport => "Rapport",
            Kind::Annet => "Annet",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Kind::Horingssvar => "Consultation response",
            Kind::Innspill => "Submission",
            Kind::Rapport => "Report",
            Kind::Annet => "Other",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The written language of a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Nb,
    Nn,
    En,
}

impl Language {
    pub fn id(self) -> &'static str {
        match self {
            Language::Nb => "nb",
            Language::Nn => "nn",
            Language::En => "en",
        }
    }

    pub fn from_id(id: &str) -> Option<Language> {
        [Language::Nb, Language::Nn, Language::En]
            .into_iter()
            .find(|l| l.id() == id)
    }
}

/// Whether usable text came out of the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextStatus {
    Ok,
    /// No text layer (a scan, or an empty file): indexed by its metadata only.
    NoText,
}

impl TextStatus {
    pub fn id(self) -> &'static str {
        match self {
            TextStatus::Ok => "ok",
            TextStatus::NoText => "no_text",
        }
    }

    pub fn from_id(id: &str) -> Option<TextStatus> {
        match id {
            "ok" => Some(TextStatus::Ok),
            "no_text" => Some(TextStatus::NoText),
            _ => None,
        }
    }
}

/// Text that OCR read from page images, because the PDF has no text layer there.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OcrInfo {
    /// Pages whose text came from OCR.
    pub pages: usize,
    /// Tesseract's mean word confidence over those pages, 0–100.
    pub mean_confidence: f32,
}

/// One document of the archive, as indexed: metadata plus its text page by page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub id: DocId,
    /// The PDF's file name under `documents/`.
    pub file: String,
    pub title: String,
    pub date: Option<NaiveDate>,
    pub kind: Kind,
    pub recipient: Option<String>,
    pub reference: Option<String>,
    pub language: Option<Language>,
    pub source_url: Option<String>,
    pub conventions: Vec<Convention>,
    /// How often each convention is named in the text (empty for sidecar-only tags).
    pub mentions: BTreeMap<Convention, u32>,
    pub articles: Vec<ArticleRef>,
    /// Ids of the Norwegian laws the text refers to (`tagging::laws`), in table order.
    /// Absent in documents indexed before laws were detected, hence the default.
    #[serde(default)]
    pub laws: Vec<String>,
    /// Sections of those laws, written `straffeloven:282`.
    #[serde(default)]
    pub law_sections: Vec<String>,
    /// Ids of the review cycles the document feeds (`tagging::cycles`).
    #[serde(default)]
    pub cycles: Vec<String>,
    /// Ids of the focus areas the document treats (`tagging::topics`), in table order.
    #[serde(default)]
    pub topics: Vec<String>,
    /// The text of each page; page `n` (1-based) is `pages[n - 1]`.
    pub pages: Vec<String>,
    pub status: TextStatus,
    /// Which extractor produced the text, and anything worth telling staff about it.
    pub extraction_note: Option<String>,
    /// Set when some of the text came from OCR. Documents indexed before OCR existed have
    /// no such key in their stored JSON, hence the default.
    #[serde(default)]
    pub ocr: Option<OcrInfo>,
    /// A sample written for the project, not a real submission.
    pub sample: bool,
    /// The recipient's case number in the letter head ("Deres ref."): how a reply finds
    /// its consultation.
    #[serde(default)]
    pub their_reference: Option<String>,
    /// The consultation the sidecar names (it wins over `their_reference`). Which
    /// consultation a document belongs to is decided when it is read, against the
    /// consultation records of the moment (`Consultations::link`).
    #[serde(default)]
    pub consultation: Option<String>,
    /// Waits in the staff inbox: arrived without metadata staff set, not yet confirmed
    /// (`Sidecar::to_review`).
    #[serde(default)]
    pub to_review: bool,
    /// Notes staff wrote, public and internal alike: whoever shows them filters by
    /// [`Note::internal`] for its audience.
    #[serde(default)]
    pub notes: Vec<Note>,
    /// Earlier versions of the PDF, oldest first.
    #[serde(default)]
    pub versions: Vec<Version>,
}

/// Whether `text` holds nothing but blanks: Unicode white space, and the byte-order mark,
/// which JSON Schema's `\s` (ECMAScript's) counts as a blank and Rust's `trim` does not.
/// A title or a note that is blank is refused.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || c == '\u{feff}')
}

/// A date as the API's schema (`format: date`, RFC 3339's full-date) writes it: exactly
/// `YYYY-MM-DD`. chrono's own parsing also skips leading blanks and takes one-digit months
/// and days, which the schema forbids; files written by people keep that leniency.
pub fn parse_full_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|date| date.format("%Y-%m-%d").to_string() == text)
}

/// The OpenAPI pattern of a text that must not be blank: one character outside exactly the
/// blanks of [`is_blank`]. Spelled out rather than `\S`, whose blanks differ between the
/// regex dialects of the API's clients (ECMAScript's lack U+0085, Python's add U+001C–1F).
/// `#[schema(pattern = …)]` takes a literal, so the schema repeats it; a test checks that
/// every copy in the OpenAPI document is this one.
pub const NOT_BLANK_PATTERN: &str = "[^\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]";

/// At most this many notes on one document.
pub const MAX_NOTES: usize = 200;

/// At most this many characters in one note.
pub const MAX_NOTE_CHARS: usize = 5_000;

/// A note staff wrote on a document or on one of its pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// Unique within its document: one more than the highest in use when it was written.
    pub id: u32,
    /// The page it is about (1-based); none for the whole document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Shown to and searched by staff only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    pub text: String,
    pub author: String,
    /// When it was written or last changed: UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub written: String,
}

/// An earlier PDF of a document that staff replaced with a corrected one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Version {
    /// The id the document had with this PDF (its content hash): a link to it redirects
    /// to the document.
    pub id: DocId,
    /// Where the PDF is kept, relative to `documents/` (`versions/<id>.pdf`).
    pub file: String,
    /// When it was replaced: UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub replaced: String,
}

impl Submission {
    pub fn year(&self) -> Option<i32> {
        use chrono::Datelike;
        self.date.map(|d| d.year())
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// The notes everyone may read.
    pub fn public_notes(&self) -> impl Iterator<Item = &Note> {
        self.notes.iter().filter(|n| !n.internal)
    }

    /// The number of the current version: 1 for a document never replaced.
    pub fn version_number(&self) -> usize {
        self.versions.len() + 1
    }
}
