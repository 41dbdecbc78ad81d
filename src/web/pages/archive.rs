//! The archive's own pages: the front page, search, the document list, a document and
//! its PDF.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::PageError;
use super::blocking;
use super::cite::{CiteLinks, HeadMeta};
use super::reading::{self, Viewer, ViewerRequest};
use super::views::{self, Badge, Chip, DocCard, FacetGroup, ResearchLinks, SortOption};
use super::{PageContext, embeds_context};
use crate::index::{SearchRequest, Sort};
use crate::model::{Convention, DocId};
use crate::query;
use crate::web::i18n::Lang;
use crate::web::params::SearchParams;
use crate::web::{AppState, conditional};

#[derive(Template, WebTemplate)]
#[template(path = "front.html")]
pub struct FrontPage {
    ctx: PageContext,
    lang_field: bool,
    total: usize,
    conventions: Vec<(String, u64, String)>,
    years: Vec<(String, u64, String)>,
    latest: Vec<DocCard>,
    /// (convention, link to its page)
    about_links: Vec<(&'static str, String)>,
}

pub async fn front(State(state): State<AppState>, ctx: PageContext) -> Result<Response, PageError> {
    let lang = ctx.lang();
    let chrome = &ctx.chrome;
    let index = state.index.clone();
    let results = blocking(move || {
        Ok(index.search(&SearchRequest {
            sort: Sort::Newest,
            limit: 8,
            ..SearchRequest::default()
        })?)
    })
    .await?;
    let conventions = Convention::ALL
        .into_iter()
        .map(|c| {
            (
                lang.convention(c).to_string(),
                results.facets.convention.get(c.id()).copied().unwrap_or(0),
                chrome.link(&format!("/sok?convention={}", c.id())),
            )
        })
        .collect();
    let mut years: Vec<(String, u64, String)> = results
        .facets
        .year
        .iter()
        .filter(|(y, _)| y.parse::<i32>().is_ok())
        .map(|(y, n)| (y.clone(), *n, chrome.link(&format!("/sok?year={y}"))))
        .collect();
    years.sort_by(|a, b| b.0.cmp(&a.0));
    let latest = results
        .hits
        .iter()
        .map(|h| DocCard::new(chrome, &h.submission, "", None))
        .collect();
    Ok(FrontPage {
        about_links: super::conventions::links(lang),
        ctx,
        lang_field: lang == Lang::En,
        total: results.total,
        conventions,
        years,
        latest,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
pub struct SearchPage {
    ctx: PageContext,
    lang_field: bool,
    q: String,
    total: usize,
    took: String,
    suggestion: Option<(String, String)>,
    /// Thesaurus terms and other-standard forms also searched, and the link to search the
    /// exact words only.
    also: Option<(String, String)>,
    cards: Vec<DocCard>,
    groups: Vec<FacetGroup>,
    chips: Vec<Chip>,
    clear_url: String,
    sorts: Vec<SortOption>,
    sort_id: &'static str,
    prev: Option<String>,
    next: Option<String>,
    page_info: String,
    from: String,
    to: String,
    /// What is wrong with the years asked for, said rather than silently dropped.
    year_errors: Vec<String>,
    hidden: Vec<(String, String)>,
    research: ResearchLinks,
    /// The form to follow the search by e-mail.
    alert: crate::web::alerts::AlertForm,
}

pub async fn search(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: axum::http::HeaderMap,
) -> Result<Response, PageError> {
    let if_none_match = headers.get(header::IF_NONE_MATCH).cloned();
    let params = ctx.search_params()?;
    let lang = params.lang;
    let chrome = &ctx.chrome;
    // The page shows how long the search took, so its body differs each time: it is
    // validated by the index's generation instead, and a 304 costs no search.
    // The consultation records decide which documents `consultation=` finds: their
    // version is part of the tag too.
    let etag = conditional::index_etag(
        state.index.generation(),
        &format!("{}#c{}", ctx.query, state.consultations.version()),
        ctx.user.as_ref().map(|u| u.name.as_str()),
    );
    if if_none_match.is_some_and(|asked| conditional::matches(&asked, &etag)) {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(header::ETAG, etag);
        return Ok(conditional::not_modified(&headers));
    }
    // Staff search their internal notes too; the public never does.
    let staff = ctx.user.is_some();
    let mut request = state.search_request(&params, 3);
    request.internal_notes = staff;
    // For each facet with a selection, the same search without it: what a click on
    // another of its values starts from (see `views::Facet`).
    let unselected: Vec<(&'static str, SearchRequest)> = views::FACETS
        .iter()
        .filter(|f| f.is_active(&params))
        .map(|f| {
            let mut r = state.search_request(&f.cleared(&params), 0);
            r.internal_notes = staff;
            r.offset = 0;
            r.limit = 1;
            (f.id, r)
        })
        .collect();
    let index = state.index.clone();
    let (results, without) = blocking(move || {
        let results = index.search(&request)?;
        let mut without = Vec::new();
        for (id, r) in unselected {
            without.push((id, index.search(&r)?.facets));
        }
        Ok((results, without))
    })
    .await
    .map_err(|e| e.in_lang(lang))?;

    let shown_query = results
        .suggestion
        .clone()
        .unwrap_or_else(|| params.q.clone());
    let carried = SearchParams {
        q: shown_query.clone(),
        ..params.clone()
    };
    let cards = results
        .hits
        .iter()
        .map(|h| {
            let mut card = DocCard::new(chrome, &h.submission, &shown_query, Some(h));
            card.carry_search(&carried);
            // The best page of the hit, else its first.
            let page = h.pages.first().map_or(1, |p| p.page as usize);
            if h.page_count > 0 {
                let link = card.pages.first().map_or(&card.url, |p| &p.url).clone();
                card.thumb = reading::thumb(&state, lang, &h.submission, page, link);
            }
            card
        })
        .collect();
    let (prev, next, page_info) = views::paging(lang, &params, &results);
    let suggestion = results.suggestion.as_ref().map(|s| {
        let p = params.with(|n| n.q = s.clone());
        (s.clone(), views::search_url(&p))
    });
    let also = (!results.also.is_empty()).then(|| {
        let exact = SearchParams {
            exact: true,
            page: 1,
            ..params.clone()
        };
        (results.also.join(", "), views::search_url(&exact))
    });
    // Filters survive a new query typed into the box: carried as hidden fields.
    let hidden = params.hidden_filters();
    let clear_url = views::search_url(&SearchParams {
        q: params.q.clone(),
        lang,
        sort: params.sort,
        page: 1,
        per_page: params.per_page,
        ..SearchParams::default()
    });
    let filters = views::Filters::new(lang, &params, "/sok");
    // A year the parse dropped stays in its field, to be corrected.
    let from = params
        .from
        .map(|y| y.to_string())
        .or_else(|| ctx.param("from").or_else(|| ctx.param("fra")))
        .unwrap_or_default();
    let to = params
        .to
        .map(|y| y.to_string())
        .or_else(|| ctx.param("to").or_else(|| ctx.param("til")))
        .unwrap_or_default();
    let year_errors = year_errors(&ctx, &params);
    let mut response = SearchPage {
        research: ResearchLinks::for_params(&params),
        alert: crate::web::alerts::form(&state, &params),
        ctx,
        lang_field: lang == Lang::En,
        q: params.q.clone(),
        total: results.total,
        took: format!("{:.0} ms", results.took_ms.max(1.0)),
        suggestion,
        also,
        cards,
        groups: views::facet_groups(
            lang,
            &params,
            results.total as u64,
            &results.facets,
            &|facet: &views::Facet| {
                without
                    .iter()
                    .find(|(id, _)| *id == facet.id)
                    .map(|(_, counts)| counts.clone())
            },
        ),
        chips: filters.chips(),
        clear_url,
        sorts: views::sort_options(lang, &params),
        sort_id: match params.sort {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        },
        prev,
        next,
        page_info,
        from,
        to,
        year_errors,
        hidden,
    }
    .into_response();
    response.headers_mut().insert(header::ETAG, etag);
    Ok(response)
}

/// The year parameters the lenient parse dropped, and a range that ends before it starts.
fn year_errors(ctx: &PageContext, params: &SearchParams) -> Vec<String> {
    let t = ctx.t;
    let mut errors = Vec::new();
    for name in ["year", "år", "from", "fra", "to", "til"] {
        if let Some(value) = ctx.param(name) {
            let value = value.trim();
            let good = value
                .parse::<i32>()
                .is_ok_and(|y| (1000..=9999).contains(&y));
            if !value.is_empty() && !good {
                let shown: String = value.chars().take(40).collect();
                errors.push(t.not_a_year.replace("{value}", &shown));
            }
        }
    }
    if let (None, Some(from), Some(to)) = (params.year, params.from, params.to)
        && from > to
    {
        errors.push(
            t.reversed_years
                .replace("{from}", &from.to_string())
                .replace("{to}", &to.to_string()),
        );
    }
    errors
}

#[derive(Template, WebTemplate)]
#[template(path = "document.html")]
pub struct DocumentPage {
    ctx: PageContext,
    title: String,
    date: String,
    kind: String,
    recipient: Option<String>,
    reference: Option<String>,
    language: Option<&'static str>,
    source_url: Option<String>,
    file: String,
    page_count: usize,
    badges: Vec<Badge>,
    articles: Vec<Badge>,
    laws: Vec<LawReference>,
    laws_title: &'static str,
    cycles: Vec<Badge>,
    cycles_title: &'static str,
    topics: Vec<Badge>,
    topics_title: &'static str,
    sample: bool,
    no_text: bool,
    ocr: Option<String>,
    extraction: Option<String>,
    pdf_url: String,
    download_url: String,
    permalink: String,
    citation: String,
    viewer: Viewer,
    related: Vec<DocCard>,
    back_url: Option<String>,
    /// Only for signed-in staff.
    edit_url: Option<String>,
    cite_links: CiteLinks,
    /// The consultation the document answers: (label, title, link).
    consultation: Option<(&'static str, String, String)>,
    head: HeadMeta,
    /// The cited page, for the citation form.
    side: Option<usize>,
    /// The search the page was opened from, for the citation form to keep.
    search_hidden: Vec<(String, String)>,
    /// This page citing the whole document.
    whole_url: String,
    /// Just restored from the trash (said to staff).
    restored: bool,
    /// The document's language when it differs from the page's (`lang` on its title and
    /// text, WCAG 3.1.2).
    doc_lang: Option<&'static str>,
    notes: super::notes::NotesView,
    versions: super::notes::VersionsView,
    /// Said while staff have not yet confirmed what was detected.
    review_badge: Option<&'static str>,
}

pub async fn document(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let lang = ctx.lang();
    let chrome = &ctx.chrome;
    let id = DocId::parse(&id).ok_or(PageError::NotFound(lang))?;
    // The search the document was opened from rides along in its URL (so "back to the
    // search" keeps filters, years, sort and page); `side` is this page's own parameter
    // (the cited page), not the search's page.
    let search_query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            form_urlencoded::parse(ctx.query.as_bytes())
                .filter(|(k, _)| !matches!(k.as_ref(), "side" | "lang" | "gjenopprettet")),
        )
        .finish();
    let search =
        SearchParams::parse_lenient(Some(&search_query)).map_err(|e| PageError::from((e, lang)))?;
    let q = search.q.clone();
    let side_param = ctx.param("side");
    let index = state.index.clone();
    let lookup = id.clone();
    let (submission, related, current) = blocking(move || {
        let doc = index.document(&lookup)?;
        let (related, current) = match &doc {
            Some(doc) => (index.related(doc, 5)?, None),
            None => (Vec::new(), index.current_id(&lookup)?),
        };
        Ok((doc, related, current))
    })
    .await?;
    if let Some(current) = current {
        // The id of an earlier version: the document lives on under its current id.
        let query = if ctx.query.is_empty() {
            String::new()
        } else {
            format!("?{}", ctx.query)
        };
        return Ok(
            axum::response::Redirect::permanent(&format!("/dokument/{current}{query}"))
                .into_response(),
        );
    }
    let s = submission.ok_or(PageError::NotFound(lang))?;

    let parsed = query::parse(&q);
    let pdf_url = format!("/dokument/{}/pdf", s.id);
    let permalink = format!("{}/dokument/{}", ctx.base_url, s.id);
    let side = super::cite::cited_page(side_param.as_deref(), s.pages.len());
    let viewer = reading::viewer(
        &state,
        &s,
        ViewerRequest {
            lang,
            q: &q,
            query: &parsed,
            side,
        },
    )
    .await;
    let mut viewer = viewer;
    for page in &mut viewer.pages {
        page.notes = super::notes::page_notes(lang, &s, ctx.user.as_ref(), page.number);
    }
    let citation = citation(lang, &s, side, &permalink);
    let badges = s
        .conventions
        .iter()
        .map(|c| Badge {
            label: lang.convention(*c).to_string(),
            url: chrome.link(&format!("/sok?convention={}", c.id())),
        })
        .collect();
    let articles = s
        .articles
        .iter()
        .map(|a| Badge {
            label: views::article_label(lang, *a),
            url: chrome.link(&format!("/sok?article={a}")),
        })
        .collect();
    let laws = law_references(chrome, &s);
    let cycles = s
        .cycles
        .iter()
        .map(|c| Badge {
            label: views::cycle_label(lang, c),
            url: chrome.link(&format!("/sok?cycle={c}")),
        })
        .collect();
    let topics = s
        .topics
        .iter()
        .map(|t| Badge {
            label: views::topic_label(lang, t),
            url: chrome.link(&format!("/tema/{t}")),
        })
        .collect();
    let search = SearchParams { lang, ..search };
    let back_url = (!search_query.is_empty()).then(|| views::search_url(&search));
    let mut search_hidden: Vec<(String, String)> = form_urlencoded::parse(search_query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if lang == Lang::En {
        search_hidden.push(("lang".into(), "en".into()));
    }
    let whole_url = {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(search_hidden.iter())
            .finish();
        let path = format!("/dokument/{}", s.id);
        if query.is_empty() {
            format!("{path}#sitering")
        } else {
            format!("{path}?{query}#sitering")
        }
    };
    let related = related
        .iter()
        .map(|r| DocCard::new(chrome, r, "", None))
        .collect();
    let consultation = state
        .consultations
        .current()
        .link(s.consultation.as_deref(), s.their_reference.as_deref())
        .map(|c| {
            (
                super::consultations::texts(lang).consultation,
                c.title.clone(),
                chrome.link(&format!("/horing/{}", c.id)),
            )
        });
    let restored = ctx.user.is_some() && ctx.param("gjenopprettet").as_deref() == Some("1");
    let edit_url = ctx
        .user
        .is_some()
        .then(|| ctx.chrome.link(&format!("/dokument/{}/rediger", s.id)));
    let doc_lang = s
        .language
        .map(|l| l.id())
        .filter(|code| *code != lang.code());
    Ok(DocumentPage {
        notes: super::notes::notes_view(lang, &s, ctx.user.as_ref()),
        versions: super::notes::versions_view(lang, &s, ctx.user.as_ref()),
        consultation,
        cite_links: CiteLinks::from_permalink(&permalink, lang, side),
        head: HeadMeta::new(lang, &s, side, &permalink),
        side,
        search_hidden,
        whole_url,
        restored,
        doc_lang,
        review_badge: s.to_review.then_some(match lang {
            Lang::Nb => "Ikke gjennomgått: opplysningene er funnet automatisk",
            Lang::En => "Not yet reviewed: the details were detected automatically",
        }),
        ctx,
        title: s.title.clone(),
        date: views::date_text(lang, &s),
        kind: lang.kind(s.kind).to_string(),
        recipient: s.recipient.clone(),
        reference: s.reference.clone(),
        language: s.language.map(|l| match (l, lang) {
            (crate::model::Language::Nb, Lang::Nb) => "bokmål",
            (crate::model::Language::Nn, Lang::Nb) => "nynorsk",
            (crate::model::Language::En, Lang::Nb) => "engelsk",
            (crate::model::Language::Nb, Lang::En) => "Norwegian (Bokmål)",
            (crate::model::Language::Nn, Lang::En) => "Norwegian (Nynorsk)",
            (crate::model::Language::En, Lang::En) => "English",
        }),
        source_url: s
            .source_url
            .clone()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        file: s.file.clone(),
        page_count: s.pages.len(),
        badges,
        articles,
        laws,
        laws_title: match lang {
            Lang::Nb => "Lover",
            Lang::En => "Laws",
        },
        cycles,
        cycles_title: match lang {
            Lang::Nb => "Rapporteringssyklus",
            Lang::En => "Review cycle",
        },
        topics,
        topics_title: match lang {
            Lang::Nb => "Fokusområder",
            Lang::En => "Focus areas",
        },
        sample: s.sample,
        no_text: s.status == crate::model::TextStatus::NoText,
        ocr: lang.ocr_badge(s.ocr.as_ref(), Some(s.pages.len())),
        extraction: s.extraction_note.clone(),
        download_url: format!("{pdf_url}?download=1"),
        pdf_url: match side {
            Some(n) => format!("{pdf_url}#page={n}"),
            None => pdf_url,
        },
        permalink,
        citation,
        viewer,
        related,
        back_url,
        edit_url,
    }
    .into_response())
}

/// A law the document refers to, with its page here, its Lovdata link and its sections.
pub struct LawReference {
    pub label: String,
    pub url: String,
    pub lovdata: Option<String>,
    /// (label, Lovdata link when the law's identifier is known).
    pub sections: Vec<(String, Option<String>)>,
}

fn law_references(chrome: &views::Chrome, s: &crate::model::Submission) -> Vec<LawReference> {
    s.laws
        .iter()
        .filter_map(|id| crate::tagging::laws::law(id))
        .map(|law| LawReference {
            label: law.name.to_string(),
            url: chrome.link(&format!("/lov/{}", law.id)),
            lovdata: law.lovdata_url(None),
            sections: s
                .law_sections
                .iter()
                .filter_map(|sec| sec.split_once(':'))
                .filter(|(l, _)| *l == law.id)
                .map(|(_, number)| (format!("§ {number}"), law.lovdata_url(Some(number))))
                .collect(),
        })
        .collect()
}

/// "Krisesentersekretariatet (2019). Høringssvar – …. Til Justis- og
/// beredskapsdepartementet. <URL>"
fn citation(lang: Lang, s: &crate::model::Submission, page: Option<usize>, url: &str) -> String {
    let year = s
        .year()
        .map(|y| y.to_string())
        .unwrap_or_else(|| match lang {
            Lang::Nb => "u.å.".into(),
            Lang::En => "n.d.".into(),
        });
    let title = s.title.trim_end_matches('.');
    let mut out = format!("Krisesentersekretariatet ({year}). {title}");
    if let Some(v) = super::cite::cited_version(s) {
        let word = super::notes::texts(lang).version.to_lowercase();
        out.push_str(&format!(", {word} {}", v.number));
        if let Some(since) = v.since {
            out.push_str(&format!(" ({})", lang.date(since)));
        }
    }
    if let Some(r) = &s.recipient {
        out.push_str(&format!(
            ". {} {}",
            lang.texts().cite_to,
            r.trim_end_matches('.')
        ));
    }
    if let Some(n) = page {
        out.push_str(&format!(", {} {n}", lang.texts().page_abbrev));
    }
    out.push_str(". ");
    out.push_str(url);
    out
}

/// What PDF responses say to caches: keep, but ask again each time (a cheap 304 by
/// `ETag`), so a document moved to the trash stops being served at once.
const PDF_CACHE_CONTROL: &str = "public, no-cache";

/// A document's PDF, streamed from disk by tower-http's file service: ranges, length,
/// `ETag` and `Last-Modified`, never read whole into memory (and never compressed: see the
/// predicate in [`super::router`]).
pub async fn pdf(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ctx: PageContext,
    mut request: axum::extract::Request,
) -> Result<Response, PageError> {
    let lang = ctx.lang();
    let download = ctx.query.split('&').any(|p| p == "download=1");
    let id = DocId::parse(&id).ok_or(PageError::NotFound(lang))?;
    // The document's id is the BLAKE3 hash of its bytes: a validator that stays the same
    // when the file is copied, restored from the trash or touched.
    let etag = HeaderValue::from_str(&format!("\"{id}\""))
        .map_err(|e| PageError::Internal(format!("document id as ETag: {e}")))?;
    let index = state.index.clone();
    let file = blocking(move || {
        let Some(doc) = index.metadata(&id)?.map(|d| d.submission) else {
            // The id of an earlier version: its own bytes, kept under `versions/` (the
            // sidecar's reader allows no other path there).
            return Ok(super::notes::earlier_version_file(&index, &id)?);
        };
        // The file name comes from the index, which took it from a folder listing; a name
        // with a path in it is refused all the same.
        if doc.file.contains('/') || doc.file.contains('\\') || doc.file.starts_with('.') {
            return Ok(None);
        }
        Ok(Some(doc.file))
    })
    .await?;
    let file = file.ok_or(PageError::NotFound(lang))?;
    let headers = request.headers_mut();
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|asked| crate::web::conditional::matches(asked, &etag));
    // tower-http compares `If-Range` with its own validator (time and size); ours is the
    // content hash, so the range is decided here: the same content keeps the range, another
    // gets the whole file.
    if let Some(if_range) = headers.remove(header::IF_RANGE)
        && if_range != etag
    {
        headers.remove(header::RANGE);
    }
    headers.remove(header::IF_NONE_MATCH);
    let served = tower_http::services::ServeFile::new(state.library.root().join(&file))
        .try_call(request)
        .await
        .map_err(|e| PageError::Internal(format!("cannot serve {file}: {e}")))?;
    if served.status() == axum::http::StatusCode::NOT_FOUND {
        return Err(PageError::NotFound(lang));
    }
    let ascii_name: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "{}; filename=\"{ascii_name}\"",
        if download { "attachment" } else { "inline" }
    );
    let mut response = served.map(axum::body::Body::new);
    if cached && response.status().is_success() {
        response.headers_mut().insert(header::ETAG, etag.clone());
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(PDF_CACHE_CONTROL),
        );
        return Ok(crate::web::conditional::not_modified(response.headers()));
    }
    let headers = response.headers_mut();
    headers.insert(header::ETAG, etag);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(PDF_CACHE_CONTROL),
    );
    // A PDF can carry script and forms: as a document of its own origin it gets no
    // privileges (sandbox), and it may not be framed.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; frame-ancestors 'none'"),
    );
    Ok(response)
}

pub struct YearGroup {
    year: String,
    cards: Vec<DocCard>,
}

#[derive(Template, WebTemplate)]
#[template(path = "browse.html")]
pub struct BrowsePage {
    ctx: PageContext,
    total: usize,
    groups: Vec<YearGroup>,
    convention_links: Vec<(String, String, bool)>,
    kind_links: Vec<(String, String, bool)>,
}

pub async fn browse(
    State(state): State<AppState>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let params = ctx.search_params()?;
    let lang = params.lang;
    let chrome = &ctx.chrome;
    let request = SearchRequest {
        conventions: params.conventions.clone(),
        kinds: params.kinds.clone(),
        sort: Sort::Newest,
        ..SearchRequest::default()
    };
    let index = state.index.clone();
    let results = blocking(move || Ok(index.search_all(&request)?)).await?;
    let mut groups: Vec<YearGroup> = Vec::new();
    for hit in &results.hits {
        let year = hit
            .submission
            .year()
            .map(|y| y.to_string())
            .unwrap_or_else(|| chrome.t.unknown_date.to_string());
        if groups.last().is_none_or(|g| g.year != year) {
            groups.push(YearGroup {
                year: year.clone(),
                cards: Vec::new(),
            });
        }
        if let Some(g) = groups.last_mut() {
            g.cards
                .push(DocCard::new(chrome, &hit.submission, "", None));
        }
    }
    let filters = views::Filters::new(lang, &params, "/dokumenter");
    let convention_links = filters.single_choice_conventions();
    let kind_links = filters.single_choice_kinds();
    Ok(BrowsePage {
        ctx,
        total: results.total,
        groups,
        convention_links,
        kind_links,
    }
    .into_response())
}

pub async fn not_found(ctx: PageContext) -> PageError {
    PageError::NotFound(ctx.lang())
}

embeds_context!(FrontPage, SearchPage, DocumentPage, BrowsePage);

/// The small script of the document page: the citation's copy button (without it the
/// citation stays selectable text).
pub async fn cite_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../templates/cite.js"),
    )
}

/// The search box's script: suggestions as you type, as a combobox (without it the search
/// box is a plain form).
pub async fn suggest_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../templates/suggest.js"),
    )
}

/// The stylesheet: an hour fresh, then revalidated by its `ETag` (from the conditional
/// layer), so a new version reaches readers within the hour without a download each visit.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../templates/arkiv.css"),
    )
}

/// The site's icon, at `/favicon.svg` (named by every page) and `/favicon.ico` (where
/// browsers look when a page names none), so no visit ends in a 404.
pub async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../../templates/favicon.svg"),
    )
}
