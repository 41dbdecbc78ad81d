//! `/api`: the JSON API described for people, from the same tables as the OpenAPI document.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};

use super::{PageContext, embeds_context};
use crate::web::api::openapi::{ENDPOINTS, Param, Values};
use crate::web::i18n::Lang;

pub struct ParamView {
    name: &'static str,
    values: String,
    description: &'static str,
}

pub struct EndpointView {
    path: &'static str,
    description: &'static str,
    params: Vec<ParamView>,
    example: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "api.html")]
pub struct ApiPage {
    ctx: PageContext,
    base_url: String,
    endpoints: Vec<EndpointView>,
}

fn values_text(lang: Lang, p: &Param) -> String {
    let t = lang.texts();
    let base = match p.values {
        Values::Text { .. } | Values::PlainText { .. } => t.api_values_text.to_string(),
        Values::Integer { min, max } => format!("{min}–{max}"),
        Values::OneOf(options) => options.join(" | "),
        Values::Pattern(_, example) => format!("{} {example}", t.api_values_example),
    };
    if p.repeats {
        format!("{base} ({})", t.api_repeats)
    } else {
        base
    }
}

/// `GET /api`: the API for people.
pub async fn page(ctx: PageContext) -> Response {
    let lang = ctx.lang();
    let endpoints = ENDPOINTS
        .iter()
        .map(|e| EndpointView {
            path: e.path,
            description: match lang {
                Lang::Nb => e.nb,
                Lang::En => e.en,
            },
            params: e
                .params
                .iter()
                .flat_map(|g| g.iter())
                .map(|p| ParamView {
                    name: p.name,
                    values: values_text(lang, p),
                    description: match lang {
                        Lang::Nb => p.nb,
                        Lang::En => p.en,
                    },
                })
                .collect(),
            example: e.example.to_string(),
        })
        .collect();
    ApiPage {
        base_url: ctx.base_url.to_string(),
        ctx,
        endpoints,
    }
    .into_response()
}

embeds_context!(ApiPage);
