//! `GET /api/suggest?q=`: completions of what is typed into the search box, for the search
//! box's script (`templates/suggest.js`) and for programs. The order and the sources are
//! `crate::suggest`'s; this module checks the parameters and builds each suggestion's link.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::IntoResponse;

use super::super::AppState;
use super::super::html;
use super::super::i18n::Lang;
use super::super::params::{DEFAULT_PER_PAGE, SearchParams};
use super::ApiError;
use crate::api::{SuggestResponse, SuggestionJson};
use crate::suggest::{self, Prefix, Target};

/// How long a client may keep an answer: suggestions follow commits within a minute.
const CACHE_CONTROL: &str = "public, max-age=60";

pub async fn suggest(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let mut q: Option<String> = None;
    let mut lang = Lang::Nb;
    for (name, value) in form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "q" if q.is_some() => {
                return Err(ApiError::BadRequest(
                    "invalid parameter `q`: given more than once".into(),
                ));
            }
            "q" => q = Some(value.into_owned()),
            "lang" => {
                lang = Lang::parse(&value).ok_or_else(|| {
                    ApiError::BadRequest("invalid parameter `lang`: expected nb or en".into())
                })?;
            }
            other => {
                return Err(ApiError::BadRequest(format!(
                    "unknown parameter `{}`",
                    other.chars().take(40).collect::<String>()
                )));
            }
        }
    }
    let q = q.unwrap_or_default();
    let prefix = Prefix::parse(&q)
        .map_err(|e| ApiError::BadRequest(format!("invalid parameter `q`: {e}")))?;
    let q = q.trim().to_string();
    let Some(prefix) = prefix else {
        return Ok(answer(q, Vec::new()));
    };
    let index = state.index.clone();
    let consultations = state.consultations.current();
    let suggestions = super::blocking(move || {
        let matches = index.suggestions(&prefix, suggest::LIMIT)?;
        Ok(suggest::suggest(
            &prefix,
            lang == Lang::En,
            &consultations,
            &matches,
        ))
    })
    .await?;
    let suggestions = suggestions
        .into_iter()
        .map(|s| SuggestionJson {
            url: link(&s, lang),
            kind: s.kind.into(),
            text: s.text,
        })
        .collect();
    Ok(answer(q, suggestions))
}

/// The answer as JSON with `<`, `>` and `&` written as `\u` escapes (the same JSON to a
/// parser), so a title holding markup reads as text even to a careless reader of the body.
fn answer(q: String, suggestions: Vec<SuggestionJson>) -> impl IntoResponse {
    let body = serde_json::to_value(SuggestResponse { q, suggestions })
        .map(|value| html::json_script(&value))
        .unwrap_or_else(|_| r#"{"q":"","suggestions":[]}"#.to_string());
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, CACHE_CONTROL),
        ],
        body,
    )
}

/// The search page a suggestion leads to.
fn link(s: &suggest::Suggestion, lang: Lang) -> String {
    let params = SearchParams {
        page: 1,
        per_page: DEFAULT_PER_PAGE,
        lang,
        ..SearchParams::default()
    }
    .with(|p| match &s.target {
        Target::Convention(c) => p.conventions.push(*c),
        Target::Law(id) => p.laws.push((*id).to_string()),
        Target::Consultation(id) => p.consultation = Some(id.clone()),
        Target::Query => p.q = s.text.clone(),
    });
    format!("/sok?{}", params.to_query())
}
