//! The JSON API described: `/api/openapi.json` (OpenAPI 3.1, built with utoipa). Parameters
//! and endpoints are written once, here, and feed both this document and `/api`, the same
//! description as a page for people (`web/pages/api_doc.rs`).
//!
//! The response schemas mirror the shapes in `crate::api` and `super::export` rather than
//! deriving from them, so the JSON types stay free of documentation machinery; the tests
//! validate real responses against these schemas, so a field added on one side and not the
//! other fails them.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{
    ContentBuilder, Paths, PathsBuilder, Ref, RefOr, Required, ResponseBuilder, Server,
};

use super::super::AppState;
use super::super::params::limits;

/// Schemas of the JSON the API answers with. Never built: they exist to be described.
#[allow(
    dead_code,
    reason = "schema-only mirrors of the JSON shapes; never constructed"
)]
mod schema {
    use std::collections::BTreeMap;

    use utoipa::ToSchema;

    /// A human-rights convention the archive tags documents with.
    #[derive(ToSchema)]
    #[schema(rename_all = "lowercase")]
    pub enum Convention {
        Istanbul,
        Echr,
        Cedaw,
        Crc,
    }

    /// What kind of text a document is.
    #[derive(ToSchema)]
    #[schema(rename_all = "lowercase")]
    pub enum Kind {
        Horingssvar,
        Innspill,
        Rapport,
        Annet,
    }

    /// Whether the PDF had a text layer.
    #[derive(ToSchema)]
    #[schema(rename_all = "snake_case")]
    pub enum TextStatus {
        Ok,
        NoText,
    }

    /// The written language: bokmål, nynorsk or English.
    #[derive(ToSchema)]
    #[schema(rename_all = "lowercase")]
    pub enum Language {
        Nb,
        Nn,
        En,
    }

    /// A page of a hit with a highlighted passage (HTML: escaped text with `<b>`).
    #[derive(ToSchema)]
    pub struct PageSnippet {
        /// 1-based.
        pub page: u32,
        pub snippet: String,
    }

    /// A search hit: the document's metadata, its score and its best pages.
    #[derive(ToSchema)]
    pub struct Hit {
        #[schema(pattern = "^[0-9a-f]{32}$")]
        pub id: String,
        pub file: String,
        pub title: String,
        #[schema(format = Date)]
        pub date: Option<String>,
        pub year: Option<i32>,
        pub kind: Kind,
        pub recipient: Option<String>,
        pub reference: Option<String>,
        pub language: Option<Language>,
        pub conventions: Vec<Convention>,
        #[schema(pattern = "^(istanbul|echr|cedaw|crc):[0-9]+$")]
        pub articles: Vec<String>,
        pub page_count: u64,
        pub status: TextStatus,
        pub extraction: Option<String>,
        pub ocr: Option<Ocr>,
        pub sample: bool,
        /// Relevance (1 when sorted by date).
        pub score: f32,
        pub pages: Vec<PageSnippet>,
    }

    /// Text read by OCR from page images.
    #[derive(ToSchema)]
    pub struct Ocr {
        /// Pages whose text came from OCR.
        pub pages: u64,
        /// Tesseract's mean word confidence over those pages, 0–100.
        pub mean_confidence: f32,
    }

    /// Counts per value over every document the search matches.
    #[derive(ToSchema)]
    pub struct Facets {
        /// Convention id → documents.
        pub convention: BTreeMap<String, u64>,
        /// Year (or `ukjent`) → documents.
        pub year: BTreeMap<String, u64>,
        /// Kind id → documents.
        pub kind: BTreeMap<String, u64>,
        /// `convention:number` → documents.
        pub article: BTreeMap<String, u64>,
    }

    /// One page of search results.
    #[derive(ToSchema)]
    pub struct SearchResponse {
        /// Documents matching, over all pages.
        pub total: u64,
        pub took_ms: u64,
        pub hits: Vec<Hit>,
        pub facets: Facets,
        /// A corrected query, when the one asked found nothing; the hits are then its hits.
        pub suggestion: Option<String>,
    }

    /// The text of one page.
    #[derive(ToSchema)]
    pub struct PageText {
        /// 1-based.
        pub page: u64,
        pub text: String,
    }

    /// A document with its whole text.
    #[derive(ToSchema)]
    pub struct DocumentWithText {
        #[schema(pattern = "^[0-9a-f]{32}$")]
        pub id: String,
        pub file: String,
        pub title: String,
        #[schema(format = Date)]
        pub date: Option<String>,
        pub year: Option<i32>,
        pub kind: Kind,
        pub recipient: Option<String>,
        pub reference: Option<String>,
        pub language: Option<Language>,
        pub conventions: Vec<Convention>,
        #[schema(pattern = "^(istanbul|echr|cedaw|crc):[0-9]+$")]
        pub articles: Vec<String>,
        pub page_count: u64,
        pub status: TextStatus,
        pub extraction: Option<String>,
        pub ocr: Option<Ocr>,
        pub sample: bool,
        pub pages: Vec<PageText>,
    }

    /// One exported document (a row of the CSV export).
    #[derive(ToSchema)]
    pub struct ExportRow {
        #[schema(pattern = "^[0-9a-f]{32}$")]
        pub id: String,
        pub title: String,
        #[schema(format = Date)]
        pub date: Option<String>,
        pub year: Option<i32>,
        pub kind: Kind,
        pub recipient: Option<String>,
        pub conventions: Vec<Convention>,
        #[schema(pattern = "^(istanbul|echr|cedaw|crc):[0-9]+$")]
        pub articles: Vec<String>,
        /// Number of pages.
        pub pages: u64,
        /// The document's permanent address.
        pub url: String,
    }

    /// Every hit of a search.
    #[derive(ToSchema)]
    pub struct Export {
        pub total: u64,
        pub suggestion: Option<String>,
        pub documents: Vec<ExportRow>,
    }

    /// What a bad request or a missing document answers.
    #[derive(ToSchema)]
    pub struct Error {
        pub error: String,
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "arkiv API",
        description = "The archive of submissions and consultation responses of \
            Krisesentersekretariatet: search, documents with their text, and whole result \
            sets for research. Read-only; no key needed.",
        license(name = "MIT")
    ),
    components(schemas(
        schema::Convention,
        schema::Kind,
        schema::TextStatus,
        schema::Language,
        schema::PageSnippet,
        schema::Ocr,
        schema::Hit,
        schema::Facets,
        schema::SearchResponse,
        schema::PageText,
        schema::DocumentWithText,
        schema::ExportRow,
        schema::Export,
        schema::Error
    ))
)]
struct ApiDoc;

/// The values a parameter takes.
#[derive(Clone, Copy)]
pub enum Values {
    Text { max_chars: usize },
    Integer { min: i64, max: i64 },
    OneOf(&'static [&'static str]),
    Pattern(&'static str, &'static str),
}

/// One query parameter, described in English (the API's language) and bokmål.
#[derive(Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub values: Values,
    /// May be given more than once.
    pub repeats: bool,
    /// A segment of the path rather than a query parameter.
    pub in_path: bool,
    pub en: &'static str,
    pub nb: &'static str,
}

const DOCUMENT: &[Param] = &[Param {
    name: "id",
    values: Values::Pattern("^[0-9a-f]{32}$", "0f8e2c4b6a1d3e5f7a9b0c2d4e6f8a1b"),
    repeats: false,
    in_path: true,
    en: "The document's id: 32 hex digits, as in a search hit.",
    nb: "Dokumentets id: 32 heksadesimale sifre, som i et søketreff.",
}];

const FILTERS: &[Param] = &[
    Param {
        name: "q",
        values: Values::Text {
            max_chars: limits::MAX_QUERY_CHARS,
        },
        repeats: false,
        in_path: false,
        en: "The query: words (all must match), \"phrases\", -word to exclude, OR, prefix*, and filters such as konvensjon:istanbul, år:2015..2019, type:horingssvar. Empty: every document.",
        nb: "Søket: ord (alle må finnes), \"uttrykk\", -ord for å utelate, OR, ordstart*, og filtre som konvensjon:istanbul, år:2015..2019, type:horingssvar. Tomt: alle dokumenter.",
    },
    Param {
        name: "convention",
        values: Values::OneOf(&["istanbul", "echr", "cedaw", "crc"]),
        repeats: true,
        in_path: false,
        en: "Documents referring to any of these conventions (at most 20 values).",
        nb: "Dokumenter som viser til minst én av disse konvensjonene.",
    },
    Param {
        name: "article",
        values: Values::Pattern("^(istanbul|echr|cedaw|crc):[0-9]{1,4}$", "istanbul:18"),
        repeats: true,
        in_path: false,
        en: "Documents citing all of these articles, written convention:number (at most 20).",
        nb: "Dokumenter som viser til alle disse artiklene, skrevet konvensjon:nummer (høyst 20).",
    },
    Param {
        name: "kind",
        values: Values::OneOf(&["horingssvar", "innspill", "rapport", "annet"]),
        repeats: true,
        in_path: false,
        en: "Documents of any of these kinds (at most 20 values).",
        nb: "Dokumenter av en av disse typene.",
    },
    Param {
        name: "year",
        values: Values::Integer {
            min: 1000,
            max: 9999,
        },
        repeats: false,
        in_path: false,
        en: "Documents dated in this year (replaces from and to).",
        nb: "Dokumenter datert dette året (erstatter from og to).",
    },
    Param {
        name: "from",
        values: Values::Integer {
            min: 1000,
            max: 9999,
        },
        repeats: false,
        in_path: false,
        en: "Documents dated in this year or later.",
        nb: "Dokumenter datert dette året eller senere.",
    },
    Param {
        name: "to",
        values: Values::Integer {
            min: 1000,
            max: 9999,
        },
        repeats: false,
        in_path: false,
        en: "Documents dated in this year or earlier.",
        nb: "Dokumenter datert dette året eller tidligere.",
    },
    Param {
        name: "sort",
        values: Values::OneOf(&["relevance", "newest", "oldest"]),
        repeats: false,
        in_path: false,
        en: "The order. Relevance without words in q is newest first.",
        nb: "Rekkefølgen. Relevans uten ord i q gir nyeste først.",
    },
];

const PAGING: &[Param] = &[
    Param {
        name: "page",
        values: Values::Integer {
            min: 1,
            max: limits::MAX_PAGE as i64,
        },
        repeats: false,
        in_path: false,
        en: "The page of hits, from 1; page × per_page may not pass 10000.",
        nb: "Siden med treff, fra 1; side × per_page kan ikke passere 10000.",
    },
    Param {
        name: "per_page",
        values: Values::Integer {
            min: 1,
            max: limits::MAX_PER_PAGE as i64,
        },
        repeats: false,
        in_path: false,
        en: "Hits per page (default 20).",
        nb: "Treff per side (20 om ikke annet er oppgitt).",
    },
];

const EXPORT: &[Param] = &[
    Param {
        name: "format",
        values: Values::OneOf(&["csv", "json"]),
        repeats: false,
        in_path: false,
        en: "csv (default; UTF-8 with a byte-order mark, cells starting with = + - @ prefixed with ') or json.",
        nb: "csv (standard; UTF-8 med BOM, celler som begynner med = + - @ får ' foran) eller json.",
    },
    Param {
        name: "delimiter",
        values: Values::OneOf(&["comma", "semicolon"]),
        repeats: false,
        in_path: false,
        en: "The CSV delimiter: comma (default) or semicolon (what Excel expects in Norwegian).",
        nb: "Skilletegnet i CSV: komma (standard) eller semikolon (som norsk Excel venter).",
    },
    Param {
        name: "lang",
        values: Values::OneOf(&["nb", "en"]),
        repeats: false,
        in_path: false,
        en: "The language of the CSV header row (default nb).",
        nb: "Språket i CSV-filens overskriftsrad (standard nb).",
    },
];

/// One endpoint of the API.
pub struct Endpoint {
    pub path: &'static str,
    pub operation_id: &'static str,
    pub params: &'static [&'static [Param]],
    pub en: &'static str,
    pub nb: &'static str,
    pub example: &'static str,
}

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        path: "/api/search",
        operation_id: "search",
        params: &[FILTERS, PAGING],
        en: "Search: one page of hits, best first, with facet counts over all of them.",
        nb: "Søk: én side med treff, de beste først, med antall per filterverdi for alle treffene.",
        example: "/api/search?q=voldsalarm&convention=istanbul&per_page=5",
    },
    Endpoint {
        path: "/api/documents/{id}",
        operation_id: "document",
        params: &[DOCUMENT],
        en: "One document: its metadata and its text page by page.",
        nb: "Ett dokument: metadata og teksten side for side.",
        example: "",
    },
    Endpoint {
        path: "/api/export",
        operation_id: "export",
        params: &[FILTERS, EXPORT],
        en: "Export: every hit of a search (not one page), as CSV or JSON.",
        nb: "Eksport: alle treffene i et søk (ikke én side), som CSV eller JSON.",
        example: "/api/export?convention=istanbul&kind=horingssvar&format=csv&delimiter=semicolon",
    },
    Endpoint {
        path: "/api/openapi.json",
        operation_id: "openapi",
        params: &[],
        en: "This description of the API, as OpenAPI 3.1.",
        nb: "Denne beskrivelsen av API-et, som OpenAPI 3.1.",
        example: "/api/openapi.json",
    },
];

fn value_schema(values: Values) -> Schema {
    match values {
        Values::Text { max_chars } => ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(max_chars))
            .into(),
        Values::Integer { min, max } => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(min))
            .maximum(Some(max))
            .into(),
        Values::OneOf(options) => ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(options.iter().copied()))
            .into(),
        Values::Pattern(pattern, example) => ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(pattern))
            .examples([example])
            .into(),
    }
}

fn parameter(p: &Param) -> utoipa::openapi::path::Parameter {
    let schema: Schema = if p.repeats {
        ArrayBuilder::new()
            .items(RefOr::T(value_schema(p.values)))
            .into()
    } else {
        value_schema(p.values)
    };
    let (place, required) = if p.in_path {
        (ParameterIn::Path, Required::True)
    } else {
        (ParameterIn::Query, Required::False)
    };
    ParameterBuilder::new()
        .name(p.name)
        .parameter_in(place)
        .required(required)
        .description(Some(p.en))
        .schema(Some(schema))
        .build()
}

fn json_content(schema: &str) -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(RefOr::Ref(Ref::from_schema_name(schema))))
        .build()
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", json_content("Error"))
        .build()
}

fn paths() -> Paths {
    let mut paths = PathsBuilder::new();
    for e in ENDPOINTS {
        let mut op = OperationBuilder::new()
            .operation_id(Some(e.operation_id))
            .summary(Some(e.en))
            .tag("archive");
        for group in e.params {
            for p in *group {
                op = op.parameter(parameter(p));
            }
        }
        op = match e.operation_id {
            "search" => op
                .response(
                    "200",
                    ResponseBuilder::new()
                        .description("One page of hits.")
                        .content("application/json", json_content("SearchResponse"))
                        .build(),
                )
                .response("400", error_response("A parameter has a bad value.")),
            "document" => op
                .response(
                    "200",
                    ResponseBuilder::new()
                        .description("The document.")
                        .content("application/json", json_content("DocumentWithText"))
                        .build(),
                )
                .response("404", error_response("No document has this id.")),
            "export" => op
                .response(
                    "200",
                    ResponseBuilder::new()
                        .description("Every hit, in the search's order, as an attachment.")
                        .content(
                            "text/csv",
                            ContentBuilder::new()
                                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                                .build(),
                        )
                        .content("application/json", json_content("Export"))
                        .build(),
                )
                .response("400", error_response("A parameter has a bad value.")),
            _ => op.response(
                "200",
                ResponseBuilder::new()
                    .description("An OpenAPI 3.1 document.")
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(ObjectBuilder::new().schema_type(Type::Object)))
                            .build(),
                    )
                    .build(),
            ),
        };
        paths = paths.path(e.path, PathItem::new(HttpMethod::Get, op.build()));
    }
    paths.build()
}

/// The OpenAPI document, with `base_url` as its server.
pub fn document(base_url: &str) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.paths = paths();
    doc.servers = Some(vec![Server::new(base_url)]);
    doc
}

/// `GET /api/openapi.json`.
pub async fn spec(State(state): State<AppState>) -> Response {
    Json(document(&state.base_url)).into_response()
}
