//! View models: what the templates show, computed in Rust so templates stay plain.

use crate::index::{FacetCounts, Hit, MAX_RESULT_WINDOW, SearchResults};
use crate::model::{ArticleRef, Convention, Kind, Submission};

use std::collections::BTreeMap;

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
    /// The document's language when it is not the page's (`lang` on its title and
    /// snippets).
    pub lang: Option<&'static str>,
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
            lang: s.language.map(|l| l.id()).filter(|l| *l != lang.code()),
            thumb: None,
            url,
        }
    }
}

impl DocCard {
    /// Links to the document that carry the whole search it was found by (filters, years,
    /// sort and page, not only the words), so its page leads back to the same results.
    pub fn carry_search(&mut self, params: &SearchParams) {
        let path = self.url.split('?').next().unwrap_or_default().to_string();
        let query = params.to_query();
        self.url = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        let sep = if self.url.contains('?') { '&' } else { '?' };
        for p in &mut self.pages {
            p.url = format!("{}{sep}side={n}#side-{n}", self.url, n = p.page);
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

/// One facet of the search page, described once: how its values are counted, how the
/// page's parameters select them, and what a click does. Every facet gets the same rule
/// for its numbers from [`facet_groups`], so a new facet is one more entry in [`FACETS`].
///
/// What combining means is the facet's [`Combine`], as the index filters; facets combine
/// with each other (a document must match each). The number beside a value that is not
/// selected is the number of hits a click on it gives.
/// How the selected values of one facet combine.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Alternatives: a document with any of them matches (conventions, kinds).
    Any,
    /// A document must have all of them (articles).
    All,
    /// One at a time: a click replaces the selection (the year, or a range of years).
    One,
}

pub struct Facet {
    pub id: &'static str,
    title: fn(Lang) -> &'static str,
    counts: fn(&FacetCounts) -> &BTreeMap<String, u64>,
    /// The keys (as in `counts`) of the selected values.
    selected: fn(&SearchParams) -> Vec<String>,
    /// Drops the facet's whole selection.
    clear: fn(&mut SearchParams),
    /// Selects the value with this key (false when the key is not a value of the facet).
    select: fn(&mut SearchParams, &str) -> bool,
    /// Deselects the value with this key.
    deselect: fn(&mut SearchParams, &str),
    label: fn(Lang, &str) -> Option<String>,
    combine: Combine,
    /// Values shown at most (the most frequent first), or all in the facet's own order.
    top: Option<usize>,
    /// The order of values when `top` is `None`: the key's position in this list, or,
    /// when empty, keys in reverse order (newest year first).
    order: fn() -> Vec<&'static str>,
}

impl Facet {
    /// Whether a click on one of its values starts from the search without its selection
    /// (a search of its own), rather than from the current result.
    pub fn is_active(&self, p: &SearchParams) -> bool {
        self.combine != Combine::All && !(self.selected)(p).is_empty()
    }

    /// `p` without this facet's selection: the search whose counts say what choosing a
    /// value of this facet gives.
    pub fn cleared(&self, p: &SearchParams) -> SearchParams {
        p.with(|n| (self.clear)(n))
    }
}

fn convention_keys() -> Vec<&'static str> {
    Convention::ALL.iter().map(|c| c.id()).collect()
}

fn kind_keys() -> Vec<&'static str> {
    Kind::ALL.iter().map(|k| k.id()).collect()
}

fn law_keys() -> Vec<&'static str> {
    crate::tagging::laws::LAWS.iter().map(|l| l.id).collect()
}

fn cycle_keys() -> Vec<&'static str> {
    crate::tagging::cycles::CYCLES
        .iter()
        .map(|c| c.id)
        .collect()
}

fn topic_keys() -> Vec<&'static str> {
    crate::tagging::topics::FOCUS_AREAS
        .iter()
        .map(|a| a.id)
        .collect()
}

fn no_keys() -> Vec<&'static str> {
    Vec::new()
}

/// Every facet of the search page, in the order shown.
pub static FACETS: [Facet; 7] = [
    Facet {
        id: "convention",
        title: |lang| lang.texts().conventions,
        counts: |f| &f.convention,
        selected: |p| p.conventions.iter().map(|c| c.id().to_string()).collect(),
        clear: |p| p.conventions.clear(),
        select: |p, key| match Convention::from_id(key) {
            Some(c) if !p.conventions.contains(&c) => {
                p.conventions.push(c);
                true
            }
            Some(_) => true,
            None => false,
        },
        deselect: |p, key| p.conventions.retain(|c| c.id() != key),
        label: |lang, key| Convention::from_id(key).map(|c| lang.convention(c).to_string()),
        combine: Combine::Any,
        top: None,
        order: convention_keys,
    },
    Facet {
        id: "year",
        title: |lang| lang.texts().years,
        counts: |f| &f.year,
        selected: |p| match (p.year, p.from, p.to) {
            (Some(y), _, _) => vec![y.to_string()],
            // A range is a selection of this facet too (a click on a year replaces it),
            // but of no single value.
            (None, Some(_), _) | (None, _, Some(_)) => vec![String::new()],
            (None, None, None) => Vec::new(),
        },
        clear: |p| {
            p.year = None;
            p.from = None;
            p.to = None;
        },
        select: |p, key| match key.parse::<i32>() {
            Ok(y) => {
                p.year = Some(y);
                p.from = None;
                p.to = None;
                true
            }
            Err(_) => false,
        },
        deselect: |p, _| p.year = None,
        label: |_, key| key.parse::<i32>().ok().map(|y| y.to_string()),
        combine: Combine::One,
        top: None,
        order: no_keys,
    },
    Facet {
        id: "kind",
        title: |lang| lang.texts().kinds,
        counts: |f| &f.kind,
        selected: |p| p.kinds.iter().map(|k| k.id().to_string()).collect(),
        clear: |p| p.kinds.clear(),
        select: |p, key| match Kind::from_id(key) {
            Some(k) if !p.kinds.contains(&k) => {
                p.kinds.push(k);
                true
            }
            Some(_) => true,
            None => false,
        },
        deselect: |p, key| p.kinds.retain(|k| k.id() != key),
        label: |lang, key| Kind::from_id(key).map(|k| lang.kind(k).to_string()),
        combine: Combine::Any,
        top: None,
        order: kind_keys,
    },
    Facet {
        id: "law",
        title: |lang| match lang {
            Lang::Nb => "Lover",
            Lang::En => "Laws",
        },
        counts: |f| &f.law,
        selected: |p| p.laws.clone(),
        clear: |p| p.laws.clear(),
        select: |p, key| match crate::tagging::laws::law(key) {
            Some(law) => {
                if !p.laws.iter().any(|l| l == law.id) {
                    p.laws.push(law.id.to_string());
                }
                true
            }
            None => false,
        },
        deselect: |p, key| p.laws.retain(|l| l != key),
        label: |_, key| crate::tagging::laws::law(key).map(|l| l.name.to_string()),
        combine: Combine::Any,
        top: None,
        order: law_keys,
    },
    Facet {
        id: "cycle",
        title: |lang| match lang {
            Lang::Nb => "Rapporteringssykluser",
            Lang::En => "Review cycles",
        },
        counts: |f| &f.cycle,
        selected: |p| p.cycles.clone(),
        clear: |p| p.cycles.clear(),
        select: |p, key| match crate::tagging::cycles::cycle(key) {
            Some(cycle) => {
                if !p.cycles.iter().any(|c| c == cycle.id) {
                    p.cycles.push(cycle.id.to_string());
                }
                true
            }
            None => false,
        },
        deselect: |p, key| p.cycles.retain(|c| c != key),
        label: |lang, key| crate::tagging::cycles::cycle(key).map(|_| cycle_label(lang, key)),
        combine: Combine::Any,
        top: None,
        order: cycle_keys,
    },
    Facet {
        id: "topic",
        title: |lang| match lang {
            Lang::Nb => "Fokusområder",
            Lang::En => "Focus areas",
        },
        counts: |f| &f.topic,
        selected: |p| p.topics.clone(),
        clear: |p| p.topics.clear(),
        select: |p, key| match crate::tagging::topics::focus_area(key) {
            Some(area) => {
                if !p.topics.iter().any(|t| t == area.id) {
                    p.topics.push(area.id.to_string());
                }
                true
            }
            None => false,
        },
        deselect: |p, key| p.topics.retain(|t| t != key),
        label: |lang, key| crate::tagging::topics::focus_area(key).map(|_| topic_label(lang, key)),
        combine: Combine::Any,
        top: None,
        order: topic_keys,
    },
    Facet {
        id: "article",
        title: |lang| lang.texts().articles,
        counts: |f| &f.article,
        selected: |p| p.articles.iter().map(|a| a.to_string()).collect(),
        clear: |p| p.articles.clear(),
        select: |p, key| match key.parse::<ArticleRef>() {
            Ok(a) => {
                if !p.articles.contains(&a) {
                    p.articles.push(a);
                }
                true
            }
            Err(_) => false,
        },
        deselect: |p, key| p.articles.retain(|a| a.to_string() != key),
        label: |lang, key| {
            key.parse::<ArticleRef>()
                .ok()
                .map(|a| article_label(lang, a))
        },
        combine: Combine::All,
        top: Some(15),
        order: no_keys,
    },
];

/// The facet groups of a result, each value a link that changes its filter, each number
/// what a click on it gives (see [`Facet`]). `total` and `current` are the result's;
/// `without` gives, for a facet with a selection, the counts of the same search without
/// that selection (`Facet::cleared`), which is what a click on another of its values
/// starts from.
pub fn facet_groups(
    lang: Lang,
    p: &SearchParams,
    total: u64,
    current: &FacetCounts,
    without: &dyn Fn(&Facet) -> Option<FacetCounts>,
) -> Vec<FacetGroup> {
    FACETS
        .iter()
        .map(|facet| facet_group(lang, p, total, current, without, facet))
        .collect()
}

fn facet_group(
    lang: Lang,
    p: &SearchParams,
    total: u64,
    current: &FacetCounts,
    without: &dyn Fn(&Facet) -> Option<FacetCounts>,
    facet: &Facet,
) -> FacetGroup {
    let selected = (facet.selected)(p);
    let unselected_counts = if facet.is_active(p) {
        without(facet)
    } else {
        None
    };
    let here = (facet.counts)(current);
    // The values to offer: those some hit of the search without this facet's selection
    // has (a click can only reach those), and the selected ones.
    let base = unselected_counts
        .as_ref()
        .map(|c| (facet.counts)(c))
        .unwrap_or(here);
    let mut keys: Vec<&String> = base.keys().collect();
    for key in here.keys() {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let click_count = |key: &str| -> u64 {
        let alone = base.get(key).copied().unwrap_or(0);
        match &unselected_counts {
            // Nothing selected here, or all selected values required: a click narrows
            // the result to the value.
            None => here.get(key).copied().unwrap_or(0),
            // One at a time: a click replaces the selection.
            Some(_) if facet.combine == Combine::One => alone,
            // Alternatives: a click adds the hits that have this value but none of the
            // selected ones.
            Some(_) => total + alone - here.get(key).copied().unwrap_or(0).min(alone),
        }
    };
    let mut items: Vec<(FacetItem, &str)> = keys
        .into_iter()
        .filter_map(|key| {
            let label = (facet.label)(lang, key)?;
            let active = selected.iter().any(|s| s == key);
            let next = p.with(|n| {
                if active {
                    (facet.deselect)(n, key);
                } else {
                    if facet.combine == Combine::One {
                        (facet.clear)(n);
                    }
                    (facet.select)(n, key);
                }
            });
            let count = if active {
                here.get(key.as_str()).copied().unwrap_or(0)
            } else {
                click_count(key)
            };
            if count == 0 && !active {
                return None;
            }
            Some((
                FacetItem {
                    label,
                    count,
                    url: search_url(&next),
                    active,
                },
                key.as_str(),
            ))
        })
        .collect();
    match facet.top {
        Some(top) => {
            items.sort_by(|a, b| b.0.count.cmp(&a.0.count).then(a.1.cmp(b.1)));
            items.truncate(top);
        }
        None => {
            let order = (facet.order)();
            if order.is_empty() {
                items.sort_by(|a, b| b.1.cmp(a.1));
            } else {
                items.sort_by_key(|(_, key)| order.iter().position(|k| k == key));
            }
        }
    }
    FacetGroup {
        title: (facet.title)(lang),
        id: facet.id,
        items: items.into_iter().map(|(item, _)| item).collect(),
    }
}

/// A law's short name, or the id when unknown.
pub fn law_label(id: &str) -> String {
    crate::tagging::laws::law(id).map_or_else(|| id.to_string(), |l| l.name.to_string())
}

/// "straffeloven § 282" for `straffeloven:282`.
pub fn law_section_label(section: &str) -> String {
    match section.split_once(':') {
        Some((law, number)) => format!("{} § {number}", law_label(law)),
        None => section.to_string(),
    }
}

/// A review cycle's name in the page's language, or the id when unknown.
pub fn cycle_label(lang: Lang, id: &str) -> String {
    crate::tagging::cycles::cycle(id).map_or_else(
        || id.to_string(),
        |c| match lang {
            Lang::Nb => c.name_nb.to_string(),
            Lang::En => c.name_en.to_string(),
        },
    )
}

/// A focus area's name in the page's language, or the id when unknown.
pub fn topic_label(lang: Lang, id: &str) -> String {
    crate::tagging::topics::focus_area(id).map_or_else(
        || id.to_string(),
        |a| match lang {
            Lang::Nb => a.name_nb.to_string(),
            Lang::En => a.name_en.to_string(),
        },
    )
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
        for l in &p.laws {
            out.push(chip(law_label(l), &|n| n.laws.retain(|x| x != l)));
        }
        for l in &p.law_sections {
            out.push(chip(law_section_label(l), &|n| {
                n.law_sections.retain(|x| x != l)
            }));
        }
        for c in &p.cycles {
            out.push(chip(cycle_label(lang, c), &|n| n.cycles.retain(|x| x != c)));
        }
        for t in &p.topics {
            out.push(chip(topic_label(lang, t), &|n| n.topics.retain(|x| x != t)));
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
        if let Some(c) = &p.consultation {
            let label = super::consultations::texts(lang).consultation;
            out.push(chip(format!("{label}: {c}"), &|n| n.consultation = None));
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
