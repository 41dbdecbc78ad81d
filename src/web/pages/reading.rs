//! Reading a document as pages: page images (rendered on first view by the extractor's
//! bounded workers and cached, see `extract::render`), the hit words marked on them, a
//! search inside the document with hits counted per page, "previous/next hit" links, and
//! the page viewer in windows of [`WINDOW`] pages. No script: links, a form, and boxes drawn
//! as SVG over each image.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;

use super::{PageContext, PageError, blocking};
use crate::extract::render::{ImageSize, PageCache, PageWords, RenderError};
use crate::index::highlight;
use crate::model::{DocId, Submission};
use crate::query::ParsedQuery;
use crate::web::AppState;
use crate::web::i18n::Lang;

/// Pages shown at once in the viewer: a 2,000-page report is read ten pages at a time, so
/// one view never asks for more than ten images.
pub const WINDOW: usize = 10;

/// Pages listed with their hit counts, at most; the count of all is always given.
pub const MAX_LISTED_HIT_PAGES: usize = 200;

/// Renderings at once: each is a pdftoppm process, so about one per core.
const RENDERS_AT_ONCE: usize = 2;

/// How long a request waits for a rendering slot before a 503.
const RENDER_WAIT: Duration = Duration::from_secs(5);

/// What a page image says to caches: its URL names the PDF's content hash, the page and
/// the size, so it never changes.
const IMAGE_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// Page images for the web: the cache, and a bound on renderings at once.
pub struct PageImages {
    cache: PageCache,
    slots: tokio::sync::Semaphore,
}

impl PageImages {
    pub fn new(cache: PageCache) -> Arc<PageImages> {
        Arc::new(PageImages {
            cache,
            slots: tokio::sync::Semaphore::new(RENDERS_AT_ONCE),
        })
    }

    /// Whether pages can be shown as images at all (pdftoppm is installed).
    pub fn available(&self) -> bool {
        self.cache.can_render()
    }
}

/// The URL of a page's image.
pub fn image_url(id: &DocId, page: usize, size: ImageSize) -> String {
    format!("/dokument/{id}/bilde/{page}/{}", size.id())
}

/// `GET /dokument/{id}/bilde/{page}/{size}`: one page as a PNG, from the cache or rendered
/// now (at most [`RENDERS_AT_ONCE`] at a time), cached for a year as immutable.
pub async fn image(
    State(state): State<AppState>,
    Path((id, page, size)): Path<(String, String, String)>,
    ctx: PageContext,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let lang = ctx.lang();
    let id = DocId::parse(&id).ok_or(PageError::NotFound(lang))?;
    let size = ImageSize::from_id(&size).ok_or(PageError::NotFound(lang))?;
    let page: u32 = page.parse().map_err(|_| PageError::BadRequest {
        message: match lang {
            Lang::Nb => format!(
                "«{}» er ikke et sidetall",
                page.chars().take(20).collect::<String>()
            ),
            Lang::En => format!(
                "“{}” is not a page number",
                page.chars().take(20).collect::<String>()
            ),
        },
        lang,
    })?;
    let Some(images) = state.page_images.clone() else {
        return Err(PageError::NotFound(lang));
    };
    let (file, pages) = document_file(&state, &id, lang).await?;
    if page == 0 || page as usize > pages {
        return Err(PageError::NotFound(lang));
    }
    let etag = HeaderValue::from_str(&format!("\"{id}-{page}-{}\"", size.id()))
        .map_err(|e| PageError::Internal(format!("image ETag: {e}")))?;
    if request
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|asked| crate::web::conditional::matches(asked, &etag))
    {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(header::ETAG, etag);
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(IMAGE_CACHE_CONTROL),
        );
        return Ok(crate::web::conditional::not_modified(&headers));
    }
    let cached = images.cache.cached_image(&id, page, size);
    // Rendering waits for a slot; reading a cached image does not.
    let _slot = match cached {
        Some(_) => None,
        None => Some(
            tokio::time::timeout(RENDER_WAIT, images.slots.acquire())
                .await
                .ok()
                .and_then(Result::ok)
                .ok_or_else(|| PageError::Unavailable {
                    message: match lang {
                        Lang::Nb => {
                            "Serveren lager mange sidebilder nå. Prøv igjen om litt.".into()
                        }
                        Lang::En => {
                            "The server is rendering many pages now. Try again shortly.".into()
                        }
                    },
                    lang,
                    retry_after: Some(10),
                })?,
        ),
    };
    let render = images.clone();
    let pages_u32 = u32::try_from(pages).unwrap_or(u32::MAX);
    let png = blocking(move || {
        Ok(render
            .cache
            .image(&file, &id, page, pages_u32, size)
            .map_err(|e| render_error(e, lang)))
    })
    .await??;
    let mut response = Response::new(Body::from(png));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(IMAGE_CACHE_CONTROL),
    );
    headers.insert(header::ETAG, etag);
    Ok(response)
}

/// A failed rendering as a page: the page does not exist (404), or the PDF could not be
/// drawn (a 500 that names why in the log).
fn render_error(e: RenderError, lang: Lang) -> PageError {
    match e {
        RenderError::NoSuchPage { .. } | RenderError::NotInstalled(_) => PageError::NotFound(lang),
        e => PageError::Internal(e.to_string()),
    }
}

/// The PDF of a document in the index and its number of pages; 404 when there is none.
async fn document_file(
    state: &AppState,
    id: &DocId,
    lang: Lang,
) -> Result<(PathBuf, usize), PageError> {
    let index = state.index.clone();
    let lookup = id.clone();
    let found = blocking(move || Ok(index.metadata(&lookup)?)).await?;
    let doc = found.ok_or(PageError::NotFound(lang))?;
    let file = doc.submission.file;
    // The name comes from the index, which took it from a folder listing; one with a path
    // in it is refused all the same.
    if file.contains('/') || file.contains('\\') || file.starts_with('.') {
        return Err(PageError::NotFound(lang));
    }
    Ok((state.library.root().join(file), doc.page_count))
}

/// A thumbnail in the results list.
pub struct Thumb {
    /// Where a click on it goes: the page in the document.
    pub link: String,
    pub src: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
}

/// The thumbnail of page `page` of `s`, when pages are shown as images. An A4 page's
/// shape is assumed (the results list does not read page sizes); others fit inside it.
pub fn thumb(
    state: &AppState,
    lang: Lang,
    s: &Submission,
    page: usize,
    link: String,
) -> Option<Thumb> {
    let images = state.page_images.as_ref()?;
    if !images.available() {
        return None;
    }
    let (width, height) = ImageSize::Thumb.dimensions(A4.0, A4.1);
    Some(Thumb {
        link,
        src: image_url(&s.id, page, ImageSize::Thumb),
        alt: alt_text(lang, page, &s.title),
        width,
        height,
    })
}

/// A4 in points: the shape assumed when a page's own is not known.
const A4: (f64, f64) = (595.0, 842.0);

fn alt_text(lang: Lang, page: usize, title: &str) -> String {
    let t = lang.texts();
    match lang {
        Lang::Nb => format!("{} {page} {} «{title}»", t.page_abbrev, t.page_image_of),
        Lang::En => format!("{} {page} {} “{title}”", t.page_abbrev, t.page_image_of),
    }
}

/// One page in the viewer.
pub struct PageView {
    pub number: usize,
    pub html: String,
    pub pdf_url: String,
    /// Hits of the in-document search on this page.
    pub hits: usize,
    pub image: Option<PageImage>,
    pub previous_hit: Option<String>,
    pub next_hit: Option<String>,
    /// The notes on this page a reader may see (filled in by the document page).
    pub notes: Vec<super::notes::NoteView>,
}

/// A page's image, in two sizes, with the hit words' boxes in the page's own units.
pub struct PageImage {
    pub src: String,
    pub srcset: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    /// `0 0 W H` in points: the SVG over the image uses the page's coordinates.
    pub view_box: String,
    pub boxes: Vec<HitBox>,
}

/// One marked word, in points from the page's top left corner.
pub struct HitBox {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
}

/// The page viewer of a document: one window of pages, the ways to the others, and the
/// in-document search.
pub struct Viewer {
    pub pages: Vec<PageView>,
    /// "Sider 11–20 av 2000"
    pub showing: String,
    pub earlier: Option<String>,
    pub later: Option<String>,
    /// The form's target and the hidden language field.
    pub action: String,
    pub english: bool,
    pub q: String,
    pub page_count: usize,
    /// "12 treff på 4 sider", when something was searched.
    pub summary: Option<String>,
    /// (page, hits, link), in page order, at most [`MAX_LISTED_HIT_PAGES`].
    pub hit_pages: Vec<(usize, usize, String)>,
    pub more_hit_pages: bool,
}

/// What the viewer needs to know about the request.
pub struct ViewerRequest<'a> {
    pub lang: Lang,
    pub q: &'a str,
    pub query: &'a ParsedQuery,
    /// The page asked for (`?side=`), already within the document.
    pub side: Option<usize>,
}

/// Builds the viewer for `s` (with its pages' text): counts hits on every page, picks the
/// window (the asked page's, else the first hit's, else the first), reads the window's
/// word boxes when pages are shown as images, and marks the hit words on them.
pub async fn viewer(state: &AppState, s: &Submission, request: ViewerRequest<'_>) -> Viewer {
    let lang = request.lang;
    let t = lang.texts();
    let page_count = s.pages.len();
    let searched = !request.q.trim().is_empty();
    let marked: Vec<crate::index::Highlighted> = s
        .pages
        .iter()
        .map(|text| {
            if searched {
                highlight(text.trim(), request.query)
            } else {
                crate::index::Highlighted::plain(text.trim().to_string())
            }
        })
        .collect();
    let hits: Vec<usize> = marked.iter().map(|h| h.ranges().len()).collect();
    let hit_pages: Vec<usize> = (1..=page_count).filter(|p| hits[p - 1] > 0).collect();

    let target = request
        .side
        .or_else(|| hit_pages.first().copied())
        .unwrap_or(1);
    let first = (target.max(1) - 1) / WINDOW * WINDOW + 1;
    let last = (first + WINDOW - 1).min(page_count);
    let window = first..=last;

    let link = |page: usize| -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if searched {
            query.append_pair("q", request.q);
        }
        if lang == Lang::En {
            query.append_pair("lang", "en");
        }
        query.append_pair("side", &page.to_string());
        format!("/dokument/{}?{}#side-{page}", s.id, query.finish())
    };
    let hit_link = |page: usize| -> String {
        if window.contains(&page) {
            format!("#side-{page}")
        } else {
            link(page)
        }
    };

    let images = state
        .page_images
        .as_ref()
        .filter(|images| images.available() && page_count > 0);
    let words = match images {
        Some(images) if images.cache.can_read_words() => {
            window_words(state, images, s, first, last).await
        }
        _ => BTreeMap::new(),
    };

    let pdf_url = format!("/dokument/{}/pdf", s.id);
    let pages = window
        .clone()
        .map(|number| {
            let h = &marked[number - 1];
            let image = images.map(|_| {
                page_image(
                    lang,
                    s,
                    number,
                    words.get(&(number as u32)),
                    searched.then_some(request.query),
                )
            });
            PageView {
                number,
                html: crate::web::html::marked(h),
                pdf_url: format!("{pdf_url}#page={number}"),
                hits: hits[number - 1],
                image,
                previous_hit: hit_pages
                    .iter()
                    .rev()
                    .find(|&&p| p < number)
                    .map(|&p| hit_link(p)),
                next_hit: hit_pages
                    .iter()
                    .find(|&&p| p > number)
                    .map(|&p| hit_link(p)),
                notes: Vec::new(),
            }
        })
        .collect();

    let total_hits: usize = hits.iter().sum();
    let summary = searched.then(|| {
        if total_hits == 0 {
            t.no_hits_in_document.to_string()
        } else {
            match lang {
                Lang::Nb => format!(
                    "{total_hits} treff på {} {}",
                    hit_pages.len(),
                    if hit_pages.len() == 1 {
                        "side"
                    } else {
                        "sider"
                    }
                ),
                Lang::En => format!(
                    "{total_hits} {} on {} {}",
                    if total_hits == 1 { "hit" } else { "hits" },
                    hit_pages.len(),
                    if hit_pages.len() == 1 {
                        "page"
                    } else {
                        "pages"
                    }
                ),
            }
        }
    });
    let showing = match lang {
        Lang::Nb => format!("Sider {first}–{last} av {page_count}"),
        Lang::En => format!("Pages {first}–{last} of {page_count}"),
    };
    Viewer {
        pages,
        showing,
        earlier: (first > 1).then(|| link(first - WINDOW)),
        later: (last < page_count).then(|| link(last + 1)),
        action: format!("/dokument/{}", s.id),
        english: lang == Lang::En,
        q: request.q.to_string(),
        page_count,
        summary,
        more_hit_pages: hit_pages.len() > MAX_LISTED_HIT_PAGES,
        hit_pages: hit_pages
            .iter()
            .take(MAX_LISTED_HIT_PAGES)
            .map(|&p| (p, hits[p - 1], hit_link(p)))
            .collect(),
    }
}

/// The word boxes of the window's pages, from the cache or one bounded worker; none when
/// they cannot be read (the pages are still shown, without marks).
async fn window_words(
    state: &AppState,
    images: &Arc<PageImages>,
    s: &Submission,
    first: usize,
    last: usize,
) -> BTreeMap<u32, PageWords> {
    if s.file.contains('/') || s.file.contains('\\') || s.file.starts_with('.') {
        return BTreeMap::new();
    }
    let file = state.library.root().join(&s.file);
    let id = s.id.clone();
    let pages = u32::try_from(s.pages.len()).unwrap_or(u32::MAX);
    let (first, last) = (first as u32, last as u32);
    // Reading word boxes runs a worker like a rendering, and shares its bound; when every
    // slot stays busy the pages are shown without marks rather than late.
    let _slot = if images.cache.has_words(&id, first..=last) {
        None
    } else {
        match tokio::time::timeout(RENDER_WAIT, images.slots.acquire()).await {
            Ok(Ok(slot)) => Some(slot),
            _ => {
                tracing::warn!("no word positions for {id}: every rendering slot is busy");
                return BTreeMap::new();
            }
        }
    };
    let images = images.clone();
    let read = blocking(move || {
        Ok::<_, PageError>(crate::extract::page_words(
            &images.cache,
            &file,
            &id,
            first..=last,
            pages,
        ))
    })
    .await;
    match read {
        Ok(Ok(words)) => words,
        Ok(Err(e)) => {
            tracing::warn!("no word positions for {} pages {first}–{last}: {e}", s.id);
            BTreeMap::new()
        }
        Err(e) => {
            tracing::warn!("no word positions for {}: {e}", s.id);
            BTreeMap::new()
        }
    }
}

/// A page's image and, when searched, the boxes of the words the query matches.
fn page_image(
    lang: Lang,
    s: &Submission,
    page: usize,
    words: Option<&PageWords>,
    query: Option<&ParsedQuery>,
) -> PageImage {
    let (width, height) = words
        .filter(|w| w.width > 0.0 && w.height > 0.0)
        .map(|w| (w.width, w.height))
        .unwrap_or(A4);
    let (medium_w, medium_h) = ImageSize::Medium.dimensions(width, height);
    let (large_w, _) = ImageSize::Large.dimensions(width, height);
    let medium = image_url(&s.id, page, ImageSize::Medium);
    let boxes = match (words, query) {
        (Some(words), Some(query)) => hit_boxes(words, query),
        _ => Vec::new(),
    };
    PageImage {
        srcset: format!(
            "{medium} {medium_w}w, {} {large_w}w",
            image_url(&s.id, page, ImageSize::Large)
        ),
        src: medium,
        width: medium_w,
        height: medium_h,
        alt: alt_text(lang, page, &s.title),
        view_box: format!("0 0 {} {}", number(width), number(height)),
        boxes,
    }
}

/// The boxes of the words on a page the query matches: the words are joined into one text,
/// highlighted as the page text is, and each marked range mapped back to its words.
pub fn hit_boxes(words: &PageWords, query: &ParsedQuery) -> Vec<HitBox> {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(words.words.len());
    for word in &words.words {
        if !text.is_empty() {
            text.push(' ');
        }
        starts.push(text.len());
        text.push_str(&word.text);
    }
    let marked = highlight(&text, query);
    let mut boxes = Vec::new();
    let mut previous = None;
    for range in marked.ranges() {
        // The word a range starts in: the last whose start is not after it.
        let at = starts
            .partition_point(|&s| s <= range.start)
            .saturating_sub(1);
        let end = starts.partition_point(|&s| s < range.end);
        for i in at..end.max(at + 1) {
            if previous == Some(i) {
                continue;
            }
            previous = Some(i);
            let Some(w) = words.words.get(i) else {
                continue;
            };
            boxes.push(HitBox {
                x: number(w.x_min - 1.0),
                y: number(w.y_min - 1.0),
                width: number((w.x_max - w.x_min) + 2.0),
                height: number((w.y_max - w.y_min) + 2.0),
            });
        }
    }
    boxes
}

/// A coordinate for SVG: two decimals at most, never NaN.
fn number(n: f64) -> String {
    if !n.is_finite() {
        return "0".into();
    }
    let text = format!("{n:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
