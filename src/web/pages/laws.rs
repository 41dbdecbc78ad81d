//! `/lover` and `/lov/{id}`: the laws the submissions refer to. Like the convention pages:
//! the law, its Lovdata link, the sections our documents cite with counts, and the
//! documents themselves.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::views::{self, DocCard};
use super::{PageContext, PageError, embeds_context, subject};
use crate::index::Sort;
use crate::tagging::laws::{LAWS, LawSection, compare_sections, law, parse_law_section};
use crate::web::AppState;
use crate::web::i18n::Lang;

/// A section cited, with how many documents cite it.
pub struct SectionLine {
    label: String,
    count: u64,
    /// Our documents citing it.
    url: String,
    lovdata: Option<String>,
}

/// Words of the law pages, in the page's language.
pub struct LawTexts {
    laws: &'static str,
    sections: &'static str,
    documents: &'static str,
    no_identifier: &'static str,
    search: &'static str,
    none: &'static str,
}

fn texts(lang: Lang) -> LawTexts {
    match lang {
        Lang::Nb => LawTexts {
            laws: "Lover",
            sections: "Paragrafer vi viser til",
            documents: "Dokumenter",
            no_identifier: "Lovdata-identifikatoren er ikke bekreftet, så loven har ingen lenke.",
            search: "Søk i dokumentene",
            none: "Ingen dokumenter viser til loven ennå.",
        },
        Lang::En => LawTexts {
            laws: "Laws",
            sections: "Sections we refer to",
            documents: "Documents",
            no_identifier: "The Lovdata identifier is not confirmed, so the law has no link.",
            search: "Search these documents",
            none: "No document refers to this law yet.",
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "law.html")]
pub struct LawPage {
    ctx: PageContext,
    id: &'static str,
    name: &'static str,
    title: &'static str,
    identifier: Option<String>,
    lovdata: Option<String>,
    sections: Vec<SectionLine>,
    total: usize,
    cards: Vec<DocCard>,
    search_url: String,
    words: LawTexts,
}

pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut ctx: PageContext,
) -> Result<Response, PageError> {
    let params = ctx.search_params()?;
    let lang = params.lang;
    let law = law(&id).ok_or(PageError::NotFound(lang))?;
    let docs = subject::documents(&state, &mut ctx, lang, &format!("/lov/{}", law.id), |p| {
        p.laws = vec![law.id.to_string()];
    })
    .await?;
    let mut cited: Vec<(LawSection, u64)> = docs
        .results
        .facets
        .law_section
        .iter()
        .filter_map(|(k, n)| parse_law_section(k).map(|s| (s, *n)))
        .filter(|(s, _)| s.law == law.id)
        .collect();
    cited.sort_by(|a, b| compare_sections(&a.0, &b.0));
    let sections = cited
        .into_iter()
        .map(|(s, count)| SectionLine {
            label: format!("§ {}", s.section),
            count,
            url: views::search_url(&docs.only.with(|p| {
                p.law_sections = vec![s.to_string()];
                p.sort = Sort::Relevance;
            })),
            lovdata: law.lovdata_url(Some(&s.section)),
        })
        .collect();
    Ok(LawPage {
        ctx,
        id: law.id,
        name: law.name,
        title: law.title,
        identifier: law.identifier(),
        lovdata: law.lovdata_url(None),
        sections,
        total: docs.results.total,
        cards: docs.cards,
        search_url: docs.search_url,
        words: texts(lang),
    }
    .into_response())
}

/// A law of the index page: name, title, documents, link.
pub struct LawLine {
    name: &'static str,
    title: &'static str,
    count: u64,
    url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "laws.html")]
pub struct LawsPage {
    ctx: PageContext,
    laws: Vec<LawLine>,
    words: LawTexts,
}

/// Every law of the table with the number of our documents that refer to it.
pub async fn index(State(state): State<AppState>, ctx: PageContext) -> Result<Response, PageError> {
    let lang = ctx.search_params()?.lang;
    let counts = subject::archive_counts(&state, lang).await?;
    let laws = LAWS
        .iter()
        .map(|l| LawLine {
            name: l.name,
            title: l.title,
            count: counts.law.get(l.id).copied().unwrap_or(0),
            url: ctx.chrome.link(&format!("/lov/{}", l.id)),
        })
        .collect();
    Ok(LawsPage {
        ctx,
        laws,
        words: texts(lang),
    }
    .into_response())
}

embeds_context!(LawPage, LawsPage);
