//! What the pages say, in bokmål (the default) and English (`?lang=en`).

use chrono::{Datelike, NaiveDate};

use crate::model::{Convention, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Nb,
    En,
}

impl Lang {
    pub fn from_param(value: &str) -> Lang {
        if value.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Nb
        }
    }

    /// The `lang` attribute of the page.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::En => "en",
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Nb => &NB,
            Lang::En => &EN,
        }
    }

    pub fn convention(self, c: Convention) -> &'static str {
        match self {
            Lang::Nb => c.short_nb(),
            Lang::En => c.short_en(),
        }
    }

    pub fn kind(self, k: Kind) -> &'static str {
        match self {
            Lang::Nb => k.label_nb(),
            Lang::En => k.label_en(),
        }
    }

    pub fn date(self, d: NaiveDate) -> String {
        let month = (d.month0()) as usize;
        match self {
            Lang::Nb => format!("{}. {} {}", d.day(), NB_MONTHS[month], d.year()),
            Lang::En => format!("{} {} {}", d.day(), EN_MONTHS[month], d.year()),
        }
    }
}

const NB_MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Every fixed string a page shows.
pub struct Texts {
    pub site_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub nav_search: &'static str,
    pub nav_browse: &'static str,
    pub other_language: &'static str,
    pub other_language_name: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_button: &'static str,
    pub search_help: &'static str,
    pub conventions: &'static str,
    pub years: &'static str,
    pub kinds: &'static str,
    pub articles: &'static str,
    pub latest: &'static str,
    pub documents_word: &'static str,
    pub hits: &'static str,
    pub hits_took: &'static str,
    pub no_hits: &'static str,
    pub showing_instead: &'static str,
    pub filters: &'static str,
    pub remove_filter: &'static str,
    pub clear_filters: &'static str,
    pub sort_by: &'static str,
    pub sort_relevance: &'static str,
    pub sort_newest: &'static str,
    pub sort_oldest: &'static str,
    pub apply: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub page_of: &'static str,
    pub page_short: &'static str,
    pub year_word: &'static str,
    pub from_year: &'static str,
    pub to_year: &'static str,
    pub recipient: &'static str,
    pub reference: &'static str,
    pub date: &'static str,
    pub kind: &'static str,
    pub pages: &'static str,
    pub language: &'static str,
    pub file: &'static str,
    pub unknown_date: &'static str,
    pub sample_badge: &'static str,
    pub no_text_badge: &'static str,
    pub open_pdf: &'static str,
    pub download_pdf: &'static str,
    pub permalink: &'static str,
    pub cite: &'static str,
    pub cite_help: &'static str,
    pub cite_to: &'static str,
    pub page_abbrev: &'static str,
    pub text_by_page: &'static str,
    pub related: &'static str,
    pub open_at_page: &'static str,
    pub back_to_search: &'static str,
    pub browse_title: &'static str,
    pub all: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub bad_request_title: &'static str,
    pub error_title: &'static str,
    pub error_text: &'static str,
    pub front_page: &'static str,
    pub source_url: &'static str,
    pub extraction: &'static str,
}

pub static NB: Texts = Texts {
    site_name: "Krisesentersekretariatets arkiv",
    tagline: "Innspill og høringssvar om vold i nære relasjoner, med menneskerettighetene som grunnlag",
    skip_to_content: "Hopp til innholdet",
    nav_search: "Søk",
    nav_browse: "Alle dokumenter",
    other_language: "English",
    other_language_name: "Read this page in English",
    search_label: "Søk i arkivet",
    search_placeholder: "f.eks. besøksforbud, \"omvendt voldsalarm\", konvensjon:istanbul",
    search_button: "Søk",
    search_help: "Alle ordene må finnes. Bruk \"anførselstegn\" for uttrykk, -ord for å utelate, OR for enten–eller, ord* for ordstart, og filtre som konvensjon:istanbul, år:2019 eller år:2015..2019.",
    conventions: "Konvensjoner",
    years: "År",
    kinds: "Dokumenttype",
    articles: "Artikler",
    latest: "Nyeste dokumenter",
    documents_word: "dokumenter",
    hits: "treff",
    hits_took: "tid",
    no_hits: "Ingen treff.",
    showing_instead: "Ingen treff på søket ditt. Viser treff for",
    filters: "Aktive filtre",
    remove_filter: "Fjern filter",
    clear_filters: "Fjern alle filtre",
    sort_by: "Sorter etter",
    sort_relevance: "Relevans",
    sort_newest: "Nyeste først",
    sort_oldest: "Eldste først",
    apply: "Bruk",
    previous: "Forrige",
    next: "Neste",
    page_of: "Side {page} av {pages}",
    page_short: "side",
    year_word: "År",
    from_year: "Fra år",
    to_year: "Til år",
    recipient: "Mottaker",
    reference: "Saksnummer",
    date: "Dato",
    kind: "Type",
    pages: "Sider",
    language: "Språk",
    file: "Fil",
    unknown_date: "Ukjent dato",
    sample_badge: "Eksempeldokument",
    no_text_badge: "Ingen tekst (skannet?)",
    open_pdf: "Åpne PDF",
    download_pdf: "Last ned PDF",
    permalink: "Permanent lenke",
    cite: "Siter",
    cite_help: "Marker og kopier henvisningen:",
    cite_to: "Til",
    page_abbrev: "s.",
    text_by_page: "Tekst side for side",
    related: "Beslektede dokumenter",
    open_at_page: "Åpne PDF på denne siden",
    back_to_search: "Tilbake til søket",
    browse_title: "Alle dokumenter etter år",
    all: "Alle",
    not_found_title: "Fant ikke siden",
    not_found_text: "Siden eller dokumentet finnes ikke i arkivet. Prøv å søke.",
    bad_request_title: "Ugyldig forespørsel",
    error_title: "Noe gikk galt",
    error_text: "En feil oppsto hos oss. Prøv igjen om litt.",
    front_page: "Forsiden",
    source_url: "Kilde",
    extraction: "Tekstuttrekk",
};

pub static EN: Texts = Texts {
    site_name: "The Krisesentersekretariatet archive",
    tagline: "Submissions and consultation responses on violence in close relationships, grounded in human rights",
    skip_to_content: "Skip to content",
    nav_search: "Search",
    nav_browse: "All documents",
    other_language: "Norsk",
    other_language_name: "Les siden på norsk",
    search_label: "Search the archive",
    search_placeholder: "e.g. besøksforbud, \"omvendt voldsalarm\", convention:istanbul",
    search_button: "Search",
    search_help: "All words must match. Use \"quotes\" for phrases, -word to exclude, OR for either, word* for prefixes, and filters such as convention:istanbul, year:2019 or year:2015..2019.",
    conventions: "Conventions",
    years: "Years",
    kinds: "Document type",
    articles: "Articles",
    latest: "Latest documents",
    documents_word: "documents",
    hits: "hits",
    hits_took: "time",
    no_hits: "No hits.",
    showing_instead: "Nothing matched your search. Showing hits for",
    filters: "Active filters",
    remove_filter: "Remove filter",
    clear_filters: "Clear all filters",
    sort_by: "Sort by",
    sort_relevance: "Relevance",
    sort_newest: "Newest first",
    sort_oldest: "Oldest first",
    apply: "Apply",
    previous: "Previous",
    next: "Next",
    page_of: "Page {page} of {pages}",
    page_short: "page",
    year_word: "Year",
    from_year: "From year",
    to_year: "To year",
    recipient: "Recipient",
    reference: "Case number",
    date: "Date",
    kind: "Type",
    pages: "Pages",
    language: "Language",
    file: "File",
    unknown_date: "Unknown date",
    sample_badge: "Sample document",
    no_text_badge: "No text (scanned?)",
    open_pdf: "Open PDF",
    download_pdf: "Download PDF",
    permalink: "Permalink",
    cite: "Cite",
    cite_help: "Select and copy the citation:",
    cite_to: "To",
    page_abbrev: "p.",
    text_by_page: "Text page by page",
    related: "Related documents",
    open_at_page: "Open the PDF at this page",
    back_to_search: "Back to the search",
    browse_title: "All documents by year",
    all: "All",
    not_found_title: "Page not found",
    not_found_text: "The page or document is not in the archive. Try searching.",
    bad_request_title: "Bad request",
    error_title: "Something went wrong",
    error_text: "An error occurred on our side. Please try again shortly.",
    front_page: "Front page",
    source_url: "Source",
    extraction: "Text extraction",
};
