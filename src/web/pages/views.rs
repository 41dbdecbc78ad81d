//! View models: what the templates show, computed in Rust so templates stay plain.

use crate::index::{FacetCounts, Hit, MAX_RESULT_WINDOW, SearchResults};
use crate::model::{ArticleRef, Convention, Kind, Submission};

use crate::web::i18n::{Lang, Texts};
use crate::web::params::SearchParams;

/// Header and footer of every page.
pub struct Chrome {
    pub t: &'static Texts,
    pub lang: Lang,
    /// The same page in the other language.
    pub lang_switch: String,
    /// `?lang=en` or empty, appended to internal links.
    pub lang_query: &'static str,
}

impl Chrome {
    /// `path_and_query` is the current page's, used to build the language switch.
    pub fn new(lang: Lang, path: &str, query: &str) -> Chrome {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.extend_pairs(pairs);
        if lang == Lang::Nb {
            s.append_pair("lang", "en");
        }
        let rest = s.finish();
        let lang_switch = if rest.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{rest}")
        };
        Chrome {
            t: lang.texts(),
            lang,
            lang_switch,
            lang_query: match lang {
                Lang::Nb => "",
                Lang::En => "lang=en",
            },
        }
    }

    /// An internal link in the current language.
    pub fn link(&self, path: &str) -> String {
        if self.lang_query.is_empty() {
            path.to_string()
        } else if path.contains('?') {
            format!("{path}&{}", self.lang_query)
        } else {
            format!("{path}?{}", self.lang_query)
        }
    }
}

pub struct Badge {
    pub label: String,
    pub url: String,
}

pub struct PageLink {
    pub page: u32,
    pub url: String,
    /// Escaped text with `<b>` highlights.
    pub snippet_html: String,
}

/// One document in a list.
pub struct DocCard {
    pub url: String,
    pub title: String,
    pub date: String,
    pub kind: String,
    pub recipient: Option<String>,
    pub badges: Vec<Badge>,
    pub pages: Vec<PageLink>,
    pub sample: bool,
    pub no_text: bool,
    /// The OCR badge, when some of the text was read by OCR.
    pub ocr: Option<String>,
    /// The image of the hit's best page, when pages are shown as images.
    pub thumb: Option<super::reading::Thumb>,
}

impl DocCard {
    pub fn new(chrome: &Chrome, s: &Submission, query: &str, hit: Option<&Hit>) -> DocCard {
        let lang = chrome.lang;
        let mut doc_query = form_urlencoded::Serializer::new(String::new());
        if !query.is_empty() {
            doc_query.append_pair("q", query);
        }
        if lang == Lang::En {
            doc_query.append_pair("lang", "en");
        }
        let doc_query = doc_query.finish();
        let url = if doc_query.is_empty() {
            format!("/dokument/{}", s.id)
        } else {
            format!("/dokument/{}?{doc_query}", s.id)
        };
        let pages = hit
            .map(|h| {
                h.pages
                    .iter()
                    .map(|p| PageLink {
                        page: p.page,
                        url: format!(
                            "{url}{}side={page}#side-{page}",
                            if url.contains('?') { '&' } else { '?' },
                            page = p.page
                        ),
                        snippet_html: crate::web::html::snippet(&p.snippet),
                    })
                    .collect()
            })
            .unwrap_or_default();
        DocCard {
            title: s.title.clone(),
            date: date_text(lang, s),
            kind: lang.kind(s.kind).to_string(),
            recipient: s.recipient.clone(),
            badges: s
                .conventions
                .iter()
                .map(|c| Badge {
                    label: lang.convention(*c).to_string(),
                    url: chrome.link(&format!("/sok?convention={}", c.id())),
                })
                .collect(),
            pages,
            sample: s.sample,
            no_text: s.status == crate::model::TextStatus::NoText,
            ocr: lang.ocr_badge(s.ocr.as_ref(), hit.map(|h| h.page_count)),
            thumb: None,
            url,
        }
    }
}

pub fn date_text(lang: Lang, s: &Submission) -> String {
    match s.date {
        Some(d) => lang.date(d),
        None => lang.texts().unknown_date.to_string(),
    }
}

pub struct FacetItem {
    pub label: String,
    pub count: u64,
    pub url: String,
    pub active: bool,
}

pub struct FacetGroup {
    pub title: &'static str,
    pub id: &'static str,
    pub items: Vec<FacetItem>,
}

pub struct Chip {
    pub label: String,
    pub remove_url: String,
}

pub struct SortOption {
    pub label: &'static str,
    pub url: String,
    pub active: bool,
}

pub fn search_url(p: &SearchParams) -> String {
    let q = p.to_query();
    if q.is_empty() {
        "/sok".into()
    } else {
        format!("/sok?{q}")
    }
}

/// The facet groups of a result, each value a link that toggles its filter.
pub fn facet_groups(lang: Lang, p: &SearchParams, facets: &FacetCounts) -> Vec<FacetGroup> {
    let t = lang.texts();
    let mut groups = Vec::new();

    let mut items = Vec::new();
    for c in Convention::ALL {
        let count = facets.convention.get(c.id()).copied().unwrap_or(0);
        let active = p.conventions.contains(&c);
        if count == 0 && !active {
            continue;
        }
        let next = p.with(|n| {
            if active {
                n.conventions.retain(|x| *x != c);
            } else {
                n.conventions.push(c);
            }
        });
        items.push(FacetItem {
            label: lang.convention(c).to_string(),
            count,
            url: search_url(&next),
            active,
        });
    }
    groups.push(FacetGroup {
        title: t.conventions,
        id: "convention",
        items,
    });

    let mut items = Vec::new();
    let mut years: Vec<(&String, &u64)> = facets.year.iter().collect();
    years.sort_by(|a, b| b.0.cmp(a.0));
    for (year, count) in years {
        let Ok(y) = year.parse::<i32>() else {
            continue;
        };
        let active = p.year == Some(y);
        let next = p.with(|n| {
            n.year = if active { None } else { Some(y) };
            n.from = None;
            n.to = None;
        });
        items.push(FacetItem {
            label: year.clone(),
            count: *count,
            url: search_url(&next),
            active,
        });
    }
    groups.push(FacetGroup {
        title: t.years,
        id: "year",
        items,
    });

    let mut items = Vec::new();
    for k in Kind::ALL {
        let count = facets.kind.get(k.id()).copied().unwrap_or(0);
        let active = p.kinds.contains(&k);
        if count == 0 && !active {
            continue;
        }
        let next = p.with(|n| {
            if active {
                n.kinds.retain(|x| *x != k);
            } else {
                n.kinds.push(k);
            }
        });
        items.push(FacetItem {
            label: lang.kind(k).to_string(),
            count,
            url: search_url(&next),
            active,
        });
    }
    groups.push(FacetGroup {
        title: t.kinds,
        id: "kind",
        items,
    });

    let mut articles: Vec<(ArticleRef, u64)> = facets
        .article
        .iter()
        .filter_map(|(k, n)| k.parse::<ArticleRef>().ok().map(|a| (a, *n)))
        .collect();
    articles.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let items = articles
        .into_iter()
        .take(15)
        .map(|(a, count)| {
            let active = p.articles.contains(&a);
            let next = p.with(|n| {
                if active {
                    n.articles.retain(|x| *x != a);
                } else {
                    n.articles.push(a);
                }
            });
            FacetItem {
                label: article_label(lang, a),
                count,
                url: search_url(&next),
                active,
            }
        })
        .collect();
    groups.push(FacetGroup {
        title: t.articles,
        id: "article",
        items,
    });
    groups
}

pub fn article_label(lang: Lang, a: ArticleRef) -> String {
    format!("{} art. {}", lang.convention(a.convention), a.article)
}

/// The filter bar of a page of search results (search, statistics, document list): its
/// chips and its single-choice links, each leading to the same page with one filter
/// changed. One chip per active filter value, each link as long as the URL: with the
/// values per filter bounded (`params::limits`), so is the output.
pub struct Filters<'a> {
    lang: Lang,
    params: &'a SearchParams,
    path: &'static str,
    /// Links reset the sort and page size too (the statistics have neither).
    unordered: bool,
}

impl<'a> Filters<'a> {
    /// Links keep the sort and the page size.
    pub fn new(lang: Lang, params: &'a SearchParams, path: &'static str) -> Filters<'a> {
        Filters {
            lang,
            params,
            path,
            unordered: false,
        }
    }

    /// Links that keep only the filters and the query.
    pub fn unordered(lang: Lang, params: &'a SearchParams, path: &'static str) -> Filters<'a> {
        Filters {
            unordered: true,
            ..Filters::new(lang, params, path)
        }
    }

    /// The page at `p`.
    pub fn at(&self, p: &SearchParams) -> String {
        let query = if self.unordered {
            SearchParams {
                page: 1,
                per_page: crate::web::params::DEFAULT_PER_PAGE,
                sort: crate::index::Sort::Relevance,
                ..p.clone()
            }
            .to_query()
        } else {
            p.to_query()
        };
        if query.is_empty() {
            self.path.to_string()
        } else {
            format!("{}?{query}", self.path)
        }
    }

    /// Removable chips for the active filters.
    pub fn chips(&self) -> Vec<Chip> {
        let (lang, p) = (self.lang, self.params);
        let t = lang.texts();
        let chip = |label: String, change: &dyn Fn(&mut SearchParams)| Chip {
            label,
            remove_url: self.at(&p.with(change)),
        };
        let mut out = Vec::new();
        for c in &p.conventions {
            out.push(chip(lang.convention(*c).to_string(), &|n| {
                n.conventions.retain(|x| x != c)
            }));
        }
        for a in &p.articles {
            out.push(chip(article_label(lang, *a), &|n| {
                n.articles.retain(|x| x != a)
            }));
        }
        for k in &p.kinds {
            out.push(chip(lang.kind(*k).to_string(), &|n| {
                n.kinds.retain(|x| x != k)
            }));
        }
        if let Some(y) = p.year {
            out.push(chip(format!("{} {y}", t.year_word), &|n| n.year = None));
        }
        if let Some(y) = p.from {
            out.push(chip(format!("{} {y}", t.from_year), &|n| n.from = None));
        }
        if let Some(y) = p.to {
            out.push(chip(format!("{} {y}", t.to_year), &|n| n.to = None));
        }
        out
    }

    /// "All" and each convention alone: (label, link, active).
    pub fn single_choice_conventions(&self) -> Vec<(String, String, bool)> {
        let p = self.params;
        let mut links = vec![(
            self.lang.texts().all.to_string(),
            self.at(&p.with(|n| n.conventions.clear())),
            p.conventions.is_empty(),
        )];
        for c in Convention::ALL {
            links.push((
                self.lang.convention(c).to_string(),
                self.at(&p.with(|n| n.conventions = vec![c])),
                p.conventions == [c],
            ));
        }
        links
    }

    /// "All" and each kind alone: (label, link, active).
    pub fn single_choice_kinds(&self) -> Vec<(String, String, bool)> {
        let p = self.params;
        let mut links = vec![(
            self.lang.texts().all.to_string(),
            self.at(&p.with(|n| n.kinds.clear())),
            p.kinds.is_empty(),
        )];
        for k in Kind::ALL {
            links.push((
                self.lang.kind(k).to_string(),
                self.at(&p.with(|n| n.kinds = vec![k])),
                p.kinds == [k],
            ));
        }
        links
    }
}

pub fn sort_options(lang: Lang, p: &SearchParams) -> Vec<SortOption> {
    use crate::index::Sort;
    let t = lang.texts();
    [
        (Sort::Relevance, t.sort_relevance),
        (Sort::Newest, t.sort_newest),
        (Sort::Oldest, t.sort_oldest),
    ]
    .into_iter()
    .map(|(sort, label)| SortOption {
        label,
        url: search_url(&p.with(|n| n.sort = sort)),
        active: p.sort == sort,
    })
    .collect()
}

/// Paging links: (previous, next, "page X of Y").
pub fn paging(
    lang: Lang,
    p: &SearchParams,
    results: &SearchResults,
) -> (Option<String>, Option<String>, String) {
    let pages = results.total.div_ceil(p.per_page.max(1)).max(1);
    let prev = (p.page > 1).then(|| {
        let mut q = p.clone();
        q.page = p.page - 1;
        search_url(&q)
    });
    // No link to a page the index refuses to reach (see MAX_RESULT_WINDOW).
    let reachable = p.page.saturating_add(1).saturating_mul(p.per_page) <= MAX_RESULT_WINDOW;
    let next = (p.page < pages && reachable).then(|| {
        let mut q = p.clone();
        q.page = p.page + 1;
        search_url(&q)
    });
    let info = lang
        .texts()
        .page_of
        .replace("{page}", &p.page.to_string())
        .replace("{pages}", &pages.to_string());
    (prev, next, info)
}

/// Links from a page of results to the same search's export, statistics and feed.
pub struct ResearchLinks {
    pub csv: String,
    pub csv_semicolon: String,
    pub json: String,
    pub stats: String,
    pub feed: String,
}

impl ResearchLinks {
    pub fn for_params(params: &SearchParams) -> ResearchLinks {
        let unpaged = SearchParams {
            page: 1,
            per_page: crate::web::params::DEFAULT_PER_PAGE,
            ..params.clone()
        };
        let query = unpaged.to_query();
        let with = |path: &str, extra: &str| {
            let joined: Vec<&str> = [query.as_str(), extra]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            if joined.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", joined.join("&"))
            }
        };
        let feed_params = SearchParams {
            sort: crate::index::Sort::Relevance,
            ..unpaged.clone()
        };
        let feed_query = feed_params.to_query();
        ResearchLinks {
            csv: with("/api/export", "format=csv"),
            csv_semicolon: with("/api/export", "format=csv&delimiter=semicolon"),
            json: with("/api/export", "format=json"),
            stats: with("/statistikk", ""),
            feed: if feed_query.is_empty() {
                "/feed.atom".into()
            } else {
                format!("/feed.atom?{feed_query}")
            },
        }
    }
}
