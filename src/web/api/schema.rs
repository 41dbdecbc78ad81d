//! How the model's and the index's types appear in the OpenAPI document. The API's own
//! types (`crate::api`, the export, the staff answers) derive `ToSchema`; the types they are
//! made of are described here, each from the type itself: enum values are what serde
//! writes for every variant, so a new variant shows up in the document without an edit.

use std::borrow::Cow;

use serde::Serialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::index::FacetCounts;
use crate::model::{ArticleRef, Convention, DocId, Kind, Language, OcrInfo, TextStatus};

/// A string schema whose values are what serde writes for `variants`.
fn enum_of<T: Serialize>(description: &str, variants: &[T]) -> RefOr<Schema> {
    let values: Vec<serde_json::Value> = variants
        .iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

fn string_with_pattern(description: &str, pattern: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(pattern))
        .into()
}

/// Implements `ToSchema` under the type's own name.
macro_rules! named {
    ($($t:ty => $name:literal),+ $(,)?) => {
        $(impl ToSchema for $t {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        })+
    };
}

named!(
    Convention => "Convention",
    Kind => "Kind",
    Language => "Language",
    TextStatus => "TextStatus",
    DocId => "DocId",
    ArticleRef => "ArticleRef",
    OcrInfo => "Ocr",
    FacetCounts => "Facets",
    LawId => "LawId",
    TopicId => "TopicId",
);

/// A law's id in `tagging::laws::LAWS`, as the API names it.
pub struct LawId;

impl PartialSchema for LawId {
    fn schema() -> RefOr<Schema> {
        enum_of(
            "A Norwegian law, by its common short name.",
            &crate::tagging::laws::LAW_IDS,
        )
    }
}

/// A focus area's id in `tagging::topics::FOCUS_AREAS`, as the API names it.
pub struct TopicId;

impl PartialSchema for TopicId {
    fn schema() -> RefOr<Schema> {
        enum_of(
            "A focus area of the secretariat, by its id.",
            &crate::tagging::topics::TOPIC_IDS,
        )
    }
}

impl PartialSchema for Convention {
    fn schema() -> RefOr<Schema> {
        enum_of(
            "A human-rights convention the archive tags documents with.",
            &Convention::ALL,
        )
    }
}

impl PartialSchema for Kind {
    fn schema() -> RefOr<Schema> {
        enum_of("What kind of text a document is.", &Kind::ALL)
    }
}

impl PartialSchema for Language {
    fn schema() -> RefOr<Schema> {
        enum_of(
            "The written language: bokmål, nynorsk or English.",
            &[Language::Nb, Language::Nn, Language::En],
        )
    }
}

impl PartialSchema for TextStatus {
    fn schema() -> RefOr<Schema> {
        enum_of(
            "Whether the PDF had a text layer.",
            &[TextStatus::Ok, TextStatus::NoText],
        )
    }
}

impl PartialSchema for DocId {
    fn schema() -> RefOr<Schema> {
        string_with_pattern("A document's id: 32 hex digits.", "^[0-9a-f]{32}$")
    }
}

impl PartialSchema for ArticleRef {
    fn schema() -> RefOr<Schema> {
        string_with_pattern(
            "An article of a convention, written convention:number.",
            "^(istanbul|echr|cedaw|crc|crpd|lanzarote|trafficking|palermo|iccpr|icescr|cerd):[0-9]+$",
        )
    }
}

/// An object of required fields, each with its schema.
fn object(description: &str, fields: Vec<(&str, RefOr<Schema>)>) -> RefOr<Schema> {
    let mut builder = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description));
    for (name, schema) in fields {
        builder = builder.property(name, schema).required(name);
    }
    builder.into()
}

fn counts() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(u64::schema()))
        .into()
}

impl PartialSchema for OcrInfo {
    fn schema() -> RefOr<Schema> {
        object(
            "Text read by OCR from page images: the pages, and Tesseract's mean word \
             confidence over them (0–100).",
            vec![("pages", u64::schema()), ("mean_confidence", f32::schema())],
        )
    }
}

impl PartialSchema for FacetCounts {
    fn schema() -> RefOr<Schema> {
        object(
            "Counts per value over every document the search matches: by convention id, \
             year (or `ukjent`), kind id, `convention:number`, law id, `law:section`, \
             review cycle id and focus area id.",
            vec![
                ("convention", counts()),
                ("year", counts()),
                ("kind", counts()),
                ("article", counts()),
                ("law", counts()),
                ("law_section", counts()),
                ("cycle", counts()),
                ("topic", counts()),
            ],
        )
    }
}
