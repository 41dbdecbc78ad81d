//! `/tema` and `/tema/{id}`: the secretariat's focus areas. Like the law pages: each area
//! with the number of our documents that treat it, and an area's page with its documents.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::views::DocCard;
use super::{PageContext, PageError, embeds_context, subject};
use crate::tagging::topics::{FOCUS_AREAS, FocusArea, focus_area};
use crate::web::AppState;
use crate::web::i18n::Lang;

/// Words of the focus-area pages, in the page's language.
pub struct TopicTexts {
    topics: &'static str,
    lead: &'static str,
    documents: &'static str,
    search: &'static str,
    none: &'static str,
}

fn texts(lang: Lang) -> TopicTexts {
    match lang {
        Lang::Nb => TopicTexts {
            topics: "Fokusområder",
            lead: "Krisesentersekretariatets fokusområder. Et dokument får et fokusområde når det \
                   behandler det, ikke når det bare nevner det.",
            documents: "Dokumenter",
            search: "Søk i dokumentene",
            none: "Ingen dokumenter behandler dette fokusområdet ennå.",
        },
        Lang::En => TopicTexts {
            topics: "Focus areas",
            lead: "The focus areas of Krisesentersekretariatet. A document has a focus area when \
                   it treats it, not when it only mentions it.",
            documents: "Documents",
            search: "Search these documents",
            none: "No document treats this focus area yet.",
        },
    }
}

fn name(lang: Lang, area: &FocusArea) -> &'static str {
    match lang {
        Lang::Nb => area.name_nb,
        Lang::En => area.name_en,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "topic.html")]
pub struct TopicPage {
    ctx: PageContext,
    id: &'static str,
    name: &'static str,
    total: usize,
    cards: Vec<DocCard>,
    search_url: String,
    index_url: String,
    words: TopicTexts,
}

pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut ctx: PageContext,
) -> Result<Response, PageError> {
    let params = ctx.search_params()?;
    let lang = params.lang;
    let area = focus_area(&id).ok_or(PageError::NotFound(lang))?;
    let docs = subject::documents(&state, &mut ctx, lang, &format!("/tema/{}", area.id), |p| {
        p.topics = vec![area.id.to_string()];
    })
    .await?;
    Ok(TopicPage {
        id: area.id,
        name: name(lang, area),
        total: docs.results.total,
        cards: docs.cards,
        search_url: docs.search_url,
        index_url: ctx.chrome.link("/tema"),
        words: texts(lang),
        ctx,
    }
    .into_response())
}

/// A focus area of the index page: name, documents, link.
pub struct TopicLine {
    id: &'static str,
    name: &'static str,
    count: u64,
    url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "topics.html")]
pub struct TopicsPage {
    ctx: PageContext,
    topics: Vec<TopicLine>,
    words: TopicTexts,
}

/// Every focus area with the number of our documents that treat it.
pub async fn index(State(state): State<AppState>, ctx: PageContext) -> Result<Response, PageError> {
    let lang = ctx.search_params()?.lang;
    let counts = subject::archive_counts(&state, lang).await?;
    let topics = FOCUS_AREAS
        .iter()
        .map(|a| TopicLine {
            id: a.id,
            name: name(lang, a),
            count: counts.topic.get(a.id).copied().unwrap_or(0),
            url: ctx.chrome.link(&format!("/tema/{}", a.id)),
        })
        .collect();
    Ok(TopicsPage {
        ctx,
        topics,
        words: texts(lang),
    }
    .into_response())
}

embeds_context!(TopicPage, TopicsPage);
