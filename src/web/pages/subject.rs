//! What the pages of one subject share (a convention, a law, a focus area): the subject's
//! own address for the language switch, its documents newest first, the search that lists
//! them by relevance, and the archive-wide counts their index pages show.

use super::views::{self, DocCard};
use super::{PageContext, PageError, blocking};
use crate::index::{FacetCounts, SearchResults, Sort};
use crate::web::AppState;
use crate::web::i18n::Lang;
use crate::web::params::{DEFAULT_PER_PAGE, SearchParams};
use crate::web::search_whole_set;

/// A subject's documents, as its page shows them.
pub struct SubjectDocuments {
    /// The search narrowed to the subject, newest first.
    pub only: SearchParams,
    pub results: SearchResults,
    /// A card per document, in the page's language.
    pub cards: Vec<DocCard>,
    /// The same documents on the search page, by relevance.
    pub search_url: String,
}

/// The documents `narrow` selects for the subject at `path`. The page's language switch
/// leads to `path`, the subject's own address, whatever address was typed.
pub async fn documents(
    state: &AppState,
    ctx: &mut PageContext,
    lang: Lang,
    path: &str,
    narrow: impl FnOnce(&mut SearchParams),
) -> Result<SubjectDocuments, PageError> {
    ctx.chrome = views::Chrome::new(lang, path, &ctx.query);
    let mut only = SearchParams {
        sort: Sort::Newest,
        lang,
        page: 1,
        per_page: DEFAULT_PER_PAGE,
        ..SearchParams::default()
    };
    narrow(&mut only);
    let results = search_whole_set::<PageError>(state, &only).await?;
    let cards = results
        .hits
        .iter()
        .map(|h| DocCard::new(&ctx.chrome, &h.submission, "", None))
        .collect();
    let search_url = views::search_url(&SearchParams {
        sort: Sort::Relevance,
        ..only.clone()
    });
    Ok(SubjectDocuments {
        only,
        results,
        cards,
        search_url,
    })
}

/// The facet counts of the whole archive, from one search that keeps a single hit.
pub async fn archive_counts(state: &AppState, lang: Lang) -> Result<FacetCounts, PageError> {
    let request = SearchParams {
        lang,
        page: 1,
        per_page: 1,
        ..SearchParams::default()
    }
    .request(0);
    let index = state.index.clone();
    let results = blocking(move || Ok(index.search(&request)?)).await?;
    Ok(results.facets)
}
