//! The JSON API described: `/api/openapi.json` (OpenAPI 3.1, built with utoipa). Parameters
//! and endpoints are written once, here, and feed both this document and `/api`, the same
//! description as a page for people (`web/pages/api_doc.rs`).
//!
//! The response schemas are derived from the types the API answers with (`crate::api`,
//! `super::export`, `super::error`, the staff answers) and the types they are made of
//! (`super::schema`); the tests validate real responses against them field by field.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, Paths, PathsBuilder, Ref, RefOr, Required, ResponseBuilder, Server,
};

use super::super::AppState;
use super::super::params::limits;

/// Schemas of what the write API is sent: the request bodies are read field by field
/// (`web::staff::metadata`), not deserialised into a type, so they are described here.
#[allow(
    dead_code,
    reason = "schema-only descriptions of request bodies; never constructed"
)]
mod schema {
    use utoipa::ToSchema;

    use crate::model::{Convention, Kind, Language};

    /// The fields a `PATCH` changes: a string sets one, `null` clears it so detection
    /// decides again; a field left out keeps its value.
    #[derive(ToSchema, serde::Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct DocumentPatch {
        pub title: Option<String>,
        pub kind: Option<Kind>,
        #[schema(format = Date)]
        pub date: Option<String>,
        pub recipient: Option<String>,
        pub reference: Option<String>,
        pub language: Option<Language>,
        /// An `http://` or `https://` address.
        #[schema(pattern = "^https?://")]
        pub source_url: Option<String>,
        /// Chosen by hand; `null` lets detection decide again.
        pub conventions: Option<Vec<Convention>>,
        /// Law ids chosen by hand; `null` lets detection decide again.
        #[schema(value_type = Option<Vec<crate::web::api::schema::LawId>>)]
        pub laws: Option<Vec<String>>,
        /// Focus area ids chosen by hand; `null` lets detection decide again.
        #[schema(value_type = Option<Vec<crate::web::api::schema::TopicId>>)]
        pub topics: Option<Vec<String>>,
        /// The id of an existing consultation the document answers; `null` lets its
        /// letter head's case number decide.
        #[schema(pattern = "^[a-z0-9-]{1,80}$")]
        pub consultation: Option<String>,
    }

    /// A PDF and, optionally, the metadata the upload form takes. Multipart fields are
    /// text: a field left out means "detect", so none of them is nullable here.
    #[derive(ToSchema, serde::Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Upload {
        /// The PDF.
        #[schema(value_type = String, format = Binary)]
        pub file: Vec<u8>,
        #[schema(nullable = false)]
        pub title: Option<String>,
        #[schema(nullable = false)]
        pub kind: Option<Kind>,
        #[schema(format = Date, nullable = false)]
        pub date: Option<String>,
        #[schema(nullable = false)]
        pub recipient: Option<String>,
        #[schema(nullable = false)]
        pub reference: Option<String>,
        #[schema(nullable = false)]
        pub language: Option<Language>,
        /// An `http://` or `https://` address.
        #[schema(pattern = "^https?://", nullable = false)]
        pub source_url: Option<String>,
        /// The id of an existing consultation the document answers.
        #[schema(pattern = "^[a-z0-9-]{1,80}$", nullable = false)]
        pub consultation: Option<String>,
    }

    /// A new note: `text` is plain text (never HTML), at most 5,000 characters.
    #[derive(ToSchema, serde::Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct NoteCreate {
        #[schema(
            min_length = 1,
            max_length = 5000,
            pattern = "[^\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
        )]
        pub text: String,
        /// The page it is about; absent or `null` for the whole document.
        #[schema(minimum = 1)]
        pub page: Option<u32>,
        /// Shown to and searched by staff only (default false).
        #[schema(nullable = false)]
        pub internal: Option<bool>,
    }

    /// A note changed: the keys given change, the others stay.
    #[derive(ToSchema, serde::Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct NotePatch {
        #[schema(
            min_length = 1,
            max_length = 5000,
            pattern = "[^\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]",
            nullable = false
        )]
        pub text: Option<String>,
        /// `null` puts the note on the whole document.
        #[schema(minimum = 1)]
        pub page: Option<u32>,
        #[schema(nullable = false)]
        pub internal: Option<bool>,
    }

    /// A corrected PDF that replaces a document's.
    #[derive(ToSchema, serde::Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct VersionUpload {
        /// The PDF.
        #[schema(value_type = String, format = Binary)]
        pub file: Vec<u8>,
    }

    /// One outcome step as sent.
    #[derive(ToSchema, serde::Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct OutcomeStepInput {
        #[schema(pattern = "^(prop|innst|lov|forskrift|vedtak|annet)$")]
        pub kind: String,
        #[schema(
            min_length = 1,
            pattern = "[^\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
        )]
        pub title: String,
        #[schema(format = Date)]
        pub date: Option<String>,
        #[schema(pattern = "^https?://")]
        pub url: Option<String>,
    }

    /// A new consultation record: its id and its fields; only `title` is required.
    #[derive(ToSchema, serde::Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct ConsultationCreate {
        /// Lowercase letters, digits and hyphens.
        #[schema(pattern = "^[a-z0-9-]{1,80}$")]
        pub id: String,
        #[schema(
            min_length = 1,
            pattern = "[^\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
        )]
        pub title: String,
        pub department: Option<String>,
        /// The ministry's case number, e.g. `20/7513`; no two consultations share one.
        pub reference: Option<String>,
        #[schema(format = Date)]
        pub sent: Option<String>,
        #[schema(format = Date)]
        pub deadline: Option<String>,
        #[schema(pattern = "^https?://")]
        pub url: Option<String>,
        #[schema(pattern = "^(horing|stortingshoring|annet)$")]
        pub kind: Option<String>,
        #[schema(max_items = 50)]
        pub outcome: Option<Vec<OutcomeStepInput>>,
        pub notes: Option<String>,
        pub sample: Option<bool>,
    }

    /// How often a followed search is reported.
    #[derive(ToSchema, serde::Serialize)]
    #[serde(rename_all = "lowercase")]
    pub enum AlertFrequency {
        /// A message soon after a matching document arrives.
        Immediate,
        /// One message a day (06:00 UTC) with everything new since the last.
        Daily,
    }

    /// Follow a search by e-mail. Nothing is sent but the confirmation message until its
    /// link is used.
    #[derive(ToSchema, serde::Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct AlertCreate {
        /// One plain address, `user@domain` (no name, no list).
        #[schema(
            max_length = 254,
            pattern = "^[^\\s<>,\"@]+@[^\\s<>,\"@\\[\\]]+\\.[^\\s<>,\"@]+$"
        )]
        pub email: String,
        /// The parameters of `/api/search` (those of `/feed.atom`) as an object, a list
        /// for a repeated one: `{"q": "vold", "convention": ["istanbul"]}`. `page`,
        /// `per_page`, `sort` and `lang` are ignored. Left out: every new document.
        #[schema(value_type = Option<Object>)]
        pub search: Option<serde_json::Value>,
        /// Left out: `immediate`.
        pub frequency: Option<AlertFrequency>,
    }

    /// The answer to a sign-up.
    #[derive(ToSchema, serde::Serialize)]
    pub struct AlertAccepted {
        /// `confirmation_sent`.
        pub status: String,
        pub message: String,
    }

    /// The fields a `PATCH` of a consultation changes: a value sets one, `null` clears it;
    /// a field left out keeps its value. The id cannot change.
    #[derive(ToSchema, serde::Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct ConsultationPatch {
        #[schema(
            min_length = 1,
            pattern = "[^\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]",
            nullable = false
        )]
        pub title: Option<String>,
        pub department: Option<String>,
        pub reference: Option<String>,
        #[schema(format = Date)]
        pub sent: Option<String>,
        #[schema(format = Date)]
        pub deadline: Option<String>,
        #[schema(pattern = "^https?://")]
        pub url: Option<String>,
        #[schema(pattern = "^(horing|stortingshoring|annet)$")]
        pub kind: Option<String>,
        #[schema(max_items = 50)]
        pub outcome: Option<Vec<OutcomeStepInput>>,
        pub notes: Option<String>,
        pub sample: Option<bool>,
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "arkiv API",
        description = "The archive of submissions and consultation responses of \
            Krisesentersekretariatet: search, documents with their text, and whole result \
            sets for research, without a key; and, with a staff member's API token \
            (`arkiv user token`), the write API that adds, corrects and deletes documents.",
        license(name = "MIT")
    ),
    components(schemas(
        crate::api::SearchResponse,
        crate::api::HitJson,
        crate::api::DocumentJson,
        crate::api::DocumentWithText,
        crate::api::PageText,
        super::export::ExportRow,
        super::export::ExportJson,
        schema::DocumentPatch,
        schema::Upload,
        crate::api::ConsultationRef,
        crate::api::ConsultationJson,
        crate::api::OutcomeStepJson,
        crate::api::ConsultationWithDocuments,
        crate::api::ConsultationList,
        crate::api::SuggestResponse,
        crate::api::SuggestionJson,
        crate::api::SuggestionKindJson,
        schema::ConsultationCreate,
        schema::ConsultationPatch,
        schema::OutcomeStepInput,
        schema::AlertCreate,
        schema::AlertAccepted,
        schema::AlertFrequency,
        super::error::ErrorBody,
        crate::web::staff::api::Deleted,
        crate::api::NoteJson,
        crate::api::VersionJson,
        schema::NoteCreate,
        schema::NotePatch,
        schema::VersionUpload,
        crate::web::staff::notes::NoteDeleted,
        crate::web::staff::bulk::BulkRequest,
        crate::web::staff::bulk::BulkTags,
        crate::web::staff::bulk::BulkOutcome,
        crate::web::staff::bulk::BulkChange,
        crate::web::staff::bulk::Tagged,
        crate::web::staff::bulk::BulkStatus,
        crate::web::staff::bulk::BulkState
    ))
)]
struct ApiDoc;

/// The name of the bearer-token security scheme of the write API.
const BEARER: &str = "bearer";

/// The values a parameter takes.
#[derive(Clone, Copy)]
pub enum Values {
    Text {
        max_chars: usize,
    },
    /// Text without control characters.
    PlainText {
        max_chars: usize,
    },
    Integer {
        min: i64,
        max: i64,
    },
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

/// A consultation's id (a slug).
const CONSULTATION_ID: Values = Values::Pattern("^[a-z0-9-]{1,80}$", "eksempel-straffeloven-282");

const CONSULTATION: &[Param] = &[Param {
    name: "id",
    values: CONSULTATION_ID,
    repeats: false,
    in_path: true,
    en: "The consultation's id: lowercase letters, digits and hyphens.",
    nb: "Høringens id: små bokstaver, sifre og bindestrek.",
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
        values: Values::OneOf(&[
            "istanbul",
            "echr",
            "cedaw",
            "crc",
            "crpd",
            "lanzarote",
            "trafficking",
            "palermo",
            "iccpr",
            "icescr",
            "cerd",
        ]),
        repeats: true,
        in_path: false,
        en: "Documents referring to any of these conventions (at most 20 values).",
        nb: "Dokumenter som viser til minst én av disse konvensjonene.",
    },
    Param {
        name: "article",
        values: Values::Pattern(
            "^(istanbul|echr|cedaw|crc|crpd|lanzarote|trafficking|palermo|iccpr|icescr|cerd):[0-9]{1,4}$",
            "istanbul:18",
        ),
        repeats: true,
        in_path: false,
        en: "Documents citing all of these articles, written convention:number (at most 20).",
        nb: "Dokumenter som viser til alle disse artiklene, skrevet konvensjon:nummer (høyst 20).",
    },
    Param {
        name: "law",
        values: Values::OneOf(&crate::tagging::laws::LAW_IDS),
        repeats: true,
        in_path: false,
        en: "Documents referring to any of these Norwegian laws, by id (at most 20 values).",
        nb: "Dokumenter som viser til minst én av disse lovene, etter id (høyst 20).",
    },
    Param {
        name: "law_section",
        values: Values::Pattern(
            crate::tagging::laws::LAW_SECTION_PATTERN,
            "straffeloven:282",
        ),
        repeats: true,
        in_path: false,
        en: "Documents citing all of these sections, written law:section, as straffeloven:282 or straffeprosessloven:222a (at most 20).",
        nb: "Dokumenter som viser til alle disse paragrafene, skrevet lov:paragraf, som straffeloven:282 (høyst 20).",
    },
    Param {
        name: "cycle",
        values: Values::OneOf(&crate::tagging::cycles::CYCLE_IDS),
        repeats: true,
        in_path: false,
        en: "Documents feeding any of these review cycles (at most 20 values).",
        nb: "Dokumenter i minst én av disse rapporteringssyklusene (høyst 20).",
    },
    Param {
        name: "topic",
        values: Values::OneOf(&crate::tagging::topics::TOPIC_IDS),
        repeats: true,
        in_path: false,
        en: "Documents treating any of these focus areas of the secretariat (at most 20 values).",
        nb: "Dokumenter som behandler minst ett av disse fokusområdene (høyst 20).",
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
        name: "consultation",
        values: CONSULTATION_ID,
        repeats: false,
        in_path: false,
        en: "Documents answering this consultation: named in their sidecar, or carrying its case number as \"Deres ref.\".",
        nb: "Dokumenter som svarer på denne høringen: oppgitt i sidecar-filen, eller med høringens saksnummer som «Deres ref.».",
    },
    Param {
        name: "sort",
        values: Values::OneOf(&["relevance", "newest", "oldest"]),
        repeats: false,
        in_path: false,
        en: "The order. Relevance without words in q is newest first.",
        nb: "Rekkefølgen. Relevans uten ord i q gir nyeste først.",
    },
    Param {
        name: "exact",
        values: Values::OneOf(&["0", "1"]),
        repeats: false,
        in_path: false,
        en: "1: the words as typed only, without thesaurus terms or the other written standard (bokmål/nynorsk).",
        nb: "1: bare ordene slik de er skrevet, uten synonymer fra tesaurusen eller den andre målformen.",
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

const SUGGEST: &[Param] = &[
    Param {
        name: "q",
        values: Values::PlainText {
            max_chars: crate::suggest::MAX_CHARS,
        },
        repeats: false,
        in_path: false,
        en: "What has been typed so far; no control characters. Under 2 letters or digits: no suggestions.",
        nb: "Det som er skrevet så langt; ingen kontrolltegn. Under 2 bokstaver eller sifre: ingen forslag.",
    },
    Param {
        name: "lang",
        values: Values::OneOf(&["nb", "en"]),
        repeats: false,
        in_path: false,
        en: "The language of the conventions' names and of the links (default nb).",
        nb: "Språket i konvensjonenes navn og i lenkene (standard nb).",
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
        values: Values::OneOf(&["comma", "semicolon", ",", ";"]),
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
        path: "/api/suggest",
        operation_id: "suggest",
        params: &[SUGGEST],
        en: "Suggestions as you type: up to 8 completions from conventions, laws, consultation titles, document titles and frequent words, the kinds in that order, taking turns.",
        nb: "Forslag mens du skriver: opptil 8 fullføringer fra konvensjoner, lover, høringer, dokumenttitler og hyppige ord, i den rekkefølgen, etter tur.",
        example: "/api/suggest?q=vold",
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
        path: "/api/consultations",
        operation_id: "consultations",
        params: &[],
        en: "Every consultation record: the ministry, case number, sent, deadline, outcome steps.",
        nb: "Alle høringene: departement, saksnummer, sendt, frist og utfall.",
        example: "/api/consultations",
    },
    Endpoint {
        path: "/api/consultations/{id}",
        operation_id: "consultation",
        params: &[CONSULTATION],
        en: "One consultation and the documents that answer it, oldest first.",
        nb: "Én høring og dokumentene som svarer på den, eldste først.",
        example: "/api/consultations/eksempel-straffeloven-282",
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
        Values::PlainText { max_chars } => ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(max_chars))
            .pattern(Some("^[^\\u0000-\\u001F\\u007F-\\u009F]*$"))
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
            .max_items(Some(crate::web::params::limits::MAX_FILTER_VALUES))
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
            "suggest" => op
                .response(
                    "200",
                    json_response("The suggestions, best first.", "SuggestResponse"),
                )
                .response(
                    "400",
                    error_response(
                        "`q` is too long or holds control characters, or another parameter is bad.",
                    ),
                ),
            "consultations" => op.response(
                "200",
                json_response("Every consultation, by id.", "ConsultationList"),
            ),
            "consultation" => op
                .response(
                    "200",
                    json_response(
                        "The consultation and its documents.",
                        "ConsultationWithDocuments",
                    ),
                )
                .response("404", error_response("No consultation has this id.")),
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

fn json_response(description: &str, schema: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", json_content(schema))
        .build()
}

/// A write's 503: the index folder was lost and cannot be made again.
const INDEX_UNWRITABLE: &str = "The index cannot be written; nothing was changed.";

/// The staff write API: every operation needs a bearer token.
fn write_paths() -> Vec<(&'static str, HttpMethod, utoipa::openapi::path::Operation)> {
    let op = |id: &str, summary: &str| {
        OperationBuilder::new()
            .operation_id(Some(id))
            .summary(Some(summary))
            .tag("staff")
            .security(SecurityRequirement::new(BEARER, Vec::<String>::new()))
            .response("401", error_response("No valid API token."))
    };
    let id = || parameter(&DOCUMENT[0]);
    let note = || {
        ParameterBuilder::new()
            .name("note")
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .description(Some("The note's number within its document."))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(u32::MAX)),
            ))
            .build()
    };
    let batch = || {
        ParameterBuilder::new()
            .name("batch")
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .description(Some("The batch a bulk edit answered with."))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^[A-Za-z0-9.]{1,40}$")),
            ))
            .build()
    };
    vec![
        (
            "/api/bulk",
            HttpMethod::Post,
            op(
                "bulkEdit",
                "Add or remove conventions, laws, focus areas or a consultation, or set the \
                 kind, on chosen documents or every hit of a search (at most 500); `preview` only says what \
                 would change. One commit; one audit entry per document.",
            )
            .request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content("application/json", json_content("BulkRequest"))
                    .build(),
            ))
            .response(
                "200",
                json_response("What changed, or would change.", "BulkOutcome"),
            )
            .response(
                "400",
                error_response("A bad value, nothing to change, or more than 500 documents."),
            )
            .response("503", error_response(INDEX_UNWRITABLE))
            .build(),
        ),
        (
            "/api/bulk/{batch}",
            HttpMethod::Get,
            op(
                "bulkEditStatus",
                "How far a bulk edit is: `done` of `total` documents written while it runs, \
                 then done, failed (nothing changed) or undone.",
            )
            .parameter(batch())
            .response("200", json_response("The batch's progress.", "BulkStatus"))
            .response("404", error_response("No bulk edit has this batch."))
            .build(),
        ),
        (
            "/api/bulk/{batch}/undo",
            HttpMethod::Post,
            op(
                "undoBulkEdit",
                "Put back the sidecars a bulk edit replaced, in one commit.",
            )
            .parameter(batch())
            .response("200", json_response("What was put back.", "BulkOutcome"))
            .response("404", error_response("No bulk edit has this batch."))
            .response("409", error_response("The batch was already undone."))
            .response("503", error_response(INDEX_UNWRITABLE))
            .build(),
        ),
        (
            "/api/documents",
            HttpMethod::Post,
            op("upload", "Add one PDF, with optional metadata.")
                .request_body(Some(
                    RequestBodyBuilder::new()
                        .required(Some(Required::True))
                        .content("multipart/form-data", json_content("Upload"))
                        .build(),
                ))
                .response("201", json_response("The document as added.", "Document"))
                .response("400", error_response("A metadata field has a bad value."))
                .response(
                    "409",
                    error_response("The file is already in the archive (its `id` is given)."),
                )
                .response("413", error_response("The file is too large."))
                .response("415", error_response("Not a PDF."))
                .response("422", error_response("The PDF cannot be read."))
                .response(
                    "503",
                    error_response(
                        "Other uploads are under way (`Retry-After` says when to try again), \
                         or the index cannot be written; nothing was changed.",
                    ),
                )
                .build(),
        ),
        (
            "/api/documents/{id}",
            HttpMethod::Patch,
            op(
                "patch",
                "Correct a document's metadata: only the fields named change.",
            )
            .parameter(id())
            .request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content("application/json", json_content("DocumentPatch"))
                    .build(),
            ))
            .response(
                "200",
                json_response("The document as corrected.", "Document"),
            )
            .response("400", error_response("A field has a bad value."))
            .response("404", error_response("No document has this id."))
            .response("503", error_response(INDEX_UNWRITABLE))
            .build(),
        ),
        (
            "/api/consultations",
            HttpMethod::Post,
            op("createConsultation", "Add a consultation record.")
                .request_body(Some(
                    RequestBodyBuilder::new()
                        .required(Some(Required::True))
                        .content("application/json", json_content("ConsultationCreate"))
                        .build(),
                ))
                .response(
                    "201",
                    json_response("The consultation as saved.", "Consultation"),
                )
                .response("400", error_response("A field has a bad value."))
                .response(
                    "409",
                    error_response(
                        "The id is taken, or another consultation has the same reference.",
                    ),
                )
                .build(),
        ),
        (
            "/api/consultations/{id}",
            HttpMethod::Patch,
            op(
                "patchConsultation",
                "Correct a consultation record: only the fields named change.",
            )
            .parameter(parameter(&CONSULTATION[0]))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content("application/json", json_content("ConsultationPatch"))
                    .build(),
            ))
            .response(
                "200",
                json_response("The consultation as saved.", "Consultation"),
            )
            .response("400", error_response("A field has a bad value."))
            .response("404", error_response("No consultation has this id."))
            .response(
                "409",
                error_response("Another consultation has the same reference."),
            )
            .build(),
        ),
        (
            "/api/documents/{id}/notes",
            HttpMethod::Post,
            op("addNote", "Add a note to a document or one of its pages.")
                .parameter(id())
                .request_body(Some(
                    RequestBodyBuilder::new()
                        .required(Some(Required::True))
                        .content("application/json", json_content("NoteCreate"))
                        .build(),
                ))
                .response("201", json_response("The note as saved.", "NoteJson"))
                .response("400", error_response("A field has a bad value."))
                .response("404", error_response("No document has this id."))
                .response("503", error_response(INDEX_UNWRITABLE))
                .build(),
        ),
        (
            "/api/documents/{id}/notes/{note}",
            HttpMethod::Patch,
            op("patchNote", "Change a note: only the fields named change.")
                .parameter(id())
                .parameter(note())
                .request_body(Some(
                    RequestBodyBuilder::new()
                        .required(Some(Required::True))
                        .content("application/json", json_content("NotePatch"))
                        .build(),
                ))
                .response("200", json_response("The note as saved.", "NoteJson"))
                .response("400", error_response("A field has a bad value."))
                .response("404", error_response("No such document or note."))
                .response("503", error_response(INDEX_UNWRITABLE))
                .build(),
        ),
        (
            "/api/documents/{id}/notes/{note}",
            HttpMethod::Delete,
            op("deleteNote", "Delete a note.")
                .parameter(id())
                .parameter(note())
                .response("200", json_response("The note deleted.", "NoteDeleted"))
                .response("404", error_response("No such document or note."))
                .response("503", error_response(INDEX_UNWRITABLE))
                .build(),
        ),
        (
            "/api/documents/{id}/versions",
            HttpMethod::Post,
            op(
                "newVersion",
                "Replace a document's PDF with a corrected one; the old PDF is kept as an \
                 earlier version and its id redirects to the document's new id.",
            )
            .parameter(id())
            .request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content("multipart/form-data", json_content("VersionUpload"))
                    .build(),
            ))
            .response(
                "201",
                json_response("The document under its new id.", "Document"),
            )
            .response("400", error_response("No single file was sent."))
            .response("404", error_response("No document has this id."))
            .response(
                "409",
                error_response(
                    "The file is the current version, or another document of the archive.",
                ),
            )
            .response("413", error_response("The file is too large."))
            .response("415", error_response("Not a PDF."))
            .response("422", error_response("The PDF cannot be read."))
            .response("503", error_response(INDEX_UNWRITABLE))
            .build(),
        ),
        (
            "/api/documents/{id}",
            HttpMethod::Delete,
            op("delete", "Move a document to the trash.")
                .parameter(id())
                .response("200", json_response("Where the document went.", "Deleted"))
                .response("404", error_response("No document has this id."))
                .response("503", error_response(INDEX_UNWRITABLE))
                .build(),
        ),
    ]
}

/// `POST /api/alerts`: public, no token.
fn alert_operation() -> utoipa::openapi::path::Operation {
    OperationBuilder::new()
        .operation_id(Some("createAlert"))
        .summary(Some(
            "Follow a search by e-mail: a confirmation message is sent; its link confirms.",
        ))
        .tag("alerts")
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content("application/json", json_content("AlertCreate"))
                .build(),
        ))
        .response(
            "202",
            json_response(
                "Taken: a message with the confirmation link is on its way.",
                "AlertAccepted",
            ),
        )
        .response(
            "400",
            error_response("Not one usable address, or a search parameter has a bad value."),
        )
        .response(
            "429",
            error_response(
                "Too many sign-ups for this address or from this client (`Retry-After`).",
            ),
        )
        .response(
            "404",
            error_response("Alerts by e-mail are off on this archive (no SMTP server)."),
        )
        .response(
            "503",
            error_response("The alert cannot be stored now; try again later."),
        )
        .build()
}

/// The OpenAPI document, with `base_url` as its server.
pub fn document(base_url: &str) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let mut paths = paths();
    for (path, method, operation) in write_paths() {
        paths.add_path_operation(path, vec![method], operation);
    }
    paths.add_path_operation("/api/alerts", vec![HttpMethod::Post], alert_operation());
    doc.paths = paths;
    if let Some(components) = doc.components.as_mut() {
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
    doc.servers = Some(vec![Server::new(base_url)]);
    doc
}

/// `GET /api/openapi.json`.
pub async fn spec(State(state): State<AppState>) -> Response {
    Json(document(&state.base_url)).into_response()
}
