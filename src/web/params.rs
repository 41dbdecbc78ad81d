//! Search parameters in URLs: parsed leniently for pages, strictly for the API, and written
//! back so every search state is a permalink.

use crate::index::{ConsultationFilter, SearchRequest, Sort};
use crate::model::{ArticleRef, Convention, Kind};

use super::i18n::Lang;

/// Hits per page unless asked otherwise.
pub const DEFAULT_PER_PAGE: usize = 20;

/// Bounds on what a URL may ask for. Every one sizes work or output (a chip per filter
/// value, each chip's link holding the others), so each is refused past its bound rather
/// than clipped.
pub mod limits {
    /// Values per filter kind (`convention`, `article`, `kind`, `law`, `law_section`, `cycle`,
    /// `topic`).
    pub const MAX_FILTER_VALUES: usize = 20;
    /// Characters of the query `q`.
    pub const MAX_QUERY_CHARS: usize = 500;
    /// Words (whitespace-separated terms) of the query `q`.
    pub const MAX_QUERY_TERMS: usize = 50;
    /// Digits of an article number (`istanbul:18`).
    pub const MAX_ARTICLE_DIGITS: usize = 4;
    /// Hits per page.
    pub const MAX_PER_PAGE: usize = 1000;
    /// The last page number.
    pub const MAX_PAGE: usize = 100_000;
    /// How deep paging may reach: offset plus page size. The index's own bound, checked
    /// here too so a URL past it gets a message about its parameters.
    pub use crate::index::MAX_RESULT_WINDOW;
}

pub use limits::MAX_PER_PAGE;

/// Everything a search URL can say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchParams {
    pub q: String,
    pub conventions: Vec<Convention>,
    pub articles: Vec<ArticleRef>,
    pub kinds: Vec<Kind>,
    /// Law ids (`straffeloven`), any of them.
    pub laws: Vec<String>,
    /// Sections (`straffeloven:282`), all of them.
    pub law_sections: Vec<String>,
    /// Review cycle ids (`cedaw-10`), any of them.
    pub cycles: Vec<String>,
    /// Focus area ids (`partnerdrap`), any of them.
    pub topics: Vec<String>,
    pub year: Option<i32>,
    pub from: Option<i32>,
    pub to: Option<i32>,
    pub sort: Sort,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
    pub lang: Lang,
    /// The id of a consultation (`consultation=<id>`): its documents only.
    pub consultation: Option<String>,
    /// `exact=1`: the words as typed, without thesaurus terms or the other written standard.
    pub exact: bool,
}

/// A parameter that does not parse, or a request past one of the [`limits`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid parameter `{name}`: {message}")]
pub struct ParamError {
    pub name: String,
    pub message: String,
    /// Past a bound: refused even where bad values are otherwise dropped.
    pub too_large: bool,
}

fn invalid(name: &str, message: impl Into<String>) -> ParamError {
    ParamError {
        name: name.to_string(),
        message: message.into(),
        too_large: false,
    }
}

fn too_large(name: &str, message: impl Into<String>) -> ParamError {
    ParamError {
        name: name.to_string(),
        message: message.into(),
        too_large: true,
    }
}

/// Adds `value` to a filter list once, refusing more than [`limits::MAX_FILTER_VALUES`].
/// Adds a filter value once; every occurrence in the URL counts toward the bound, repeats
/// included, so the bound is what the API's schema says (`maxItems`).
fn push_filter<T: PartialEq>(
    list: &mut Vec<T>,
    occurrences: &mut usize,
    value: T,
    name: &str,
) -> Result<(), ParamError> {
    *occurrences += 1;
    if *occurrences > limits::MAX_FILTER_VALUES {
        return Err(too_large(
            name,
            format!("at most {} values", limits::MAX_FILTER_VALUES),
        ));
    }
    if !list.contains(&value) {
        list.push(value);
    }
    Ok(())
}

/// `convention:number`, with the number's digits bounded.
fn parse_article(v: &str) -> Result<ArticleRef, ParamError> {
    let digits = v.split_once(':').map(|(_, n)| n).unwrap_or("");
    if digits.is_empty()
        || digits.len() > limits::MAX_ARTICLE_DIGITS
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid(
            "article",
            format!(
                "`{v}` is not convention:number with at most {} digits",
                limits::MAX_ARTICLE_DIGITS
            ),
        ));
    }
    v.parse::<ArticleRef>().map_err(|e| invalid("article", e))
}

impl SearchParams {
    /// Parses a raw query string. Unknown parameters are ignored; known ones with bad
    /// values are errors.
    pub fn parse(raw: Option<&str>) -> Result<SearchParams, ParamError> {
        let mut p = SearchParams {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            ..SearchParams::default()
        };
        // An empty value is refused like any other bad one (the API's schema says so);
        // pages, parsed leniently, drop it.
        let year = |name: &str, v: &str| -> Result<Option<i32>, ParamError> {
            v.parse::<i32>()
                .ok()
                .filter(|y| (1000..=9999).contains(y))
                .map(Some)
                .ok_or_else(|| invalid(name, format!("`{v}` is not a year")))
        };
        let (mut seen_conventions, mut seen_articles, mut seen_kinds) = (0, 0, 0);
        let (mut seen_laws, mut seen_sections, mut seen_cycles) = (0, 0, 0);
        let mut seen_topics = 0;
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let v = value.trim();
            match key.as_ref() {
                "q" => {
                    if value.chars().count() > limits::MAX_QUERY_CHARS {
                        return Err(too_large(
                            "q",
                            format!("at most {} characters", limits::MAX_QUERY_CHARS),
                        ));
                    }
                    if value.split_whitespace().count() > limits::MAX_QUERY_TERMS {
                        return Err(too_large(
                            "q",
                            format!("at most {} words", limits::MAX_QUERY_TERMS),
                        ));
                    }
                    p.q = value.into_owned();
                }
                "convention" | "konvensjon" => {
                    let c = Convention::from_id(v).ok_or_else(|| {
                        invalid("convention", format!("unknown convention `{v}`"))
                    })?;
                    push_filter(&mut p.conventions, &mut seen_conventions, c, "convention")?;
                }
                "article" | "artikkel" => {
                    push_filter(
                        &mut p.articles,
                        &mut seen_articles,
                        parse_article(v)?,
                        "article",
                    )?;
                }
                "kind" | "type" => {
                    let k = Kind::from_id(v)
                        .ok_or_else(|| invalid("kind", format!("unknown kind `{v}`")))?;
                    push_filter(&mut p.kinds, &mut seen_kinds, k, "kind")?;
                }
                "law" | "lov" => {
                    let law = crate::tagging::laws::law(v)
                        .ok_or_else(|| invalid("law", format!("unknown law `{v}`")))?;
                    push_filter(&mut p.laws, &mut seen_laws, law.id.to_string(), "law")?;
                }
                "law_section" | "paragraf" => {
                    let section = crate::tagging::laws::parse_law_section(v).ok_or_else(|| {
                        invalid(
                            "law_section",
                            format!("`{v}` is not law:section of a known law"),
                        )
                    })?;
                    push_filter(
                        &mut p.law_sections,
                        &mut seen_sections,
                        section.to_string(),
                        "law_section",
                    )?;
                }
                "cycle" | "syklus" => {
                    let cycle = crate::tagging::cycles::cycle(v)
                        .ok_or_else(|| invalid("cycle", format!("unknown review cycle `{v}`")))?;
                    push_filter(
                        &mut p.cycles,
                        &mut seen_cycles,
                        cycle.id.to_string(),
                        "cycle",
                    )?;
                }
                "topic" | "tema" => {
                    let area = crate::tagging::topics::focus_area(v)
                        .ok_or_else(|| invalid("topic", format!("unknown focus area `{v}`")))?;
                    push_filter(
                        &mut p.topics,
                        &mut seen_topics,
                        area.id.to_string(),
                        "topic",
                    )?;
                }
                "year" | "år" => p.year = year("year", v)?,
                "from" | "fra" => p.from = year("from", v)?,
                "to" | "til" => p.to = year("to", v)?,
                "sort" => {
                    p.sort = match v {
                        "relevance" => Sort::Relevance,
                        "newest" => Sort::Newest,
                        "oldest" => Sort::Oldest,
                        _ => {
                            return Err(invalid("sort", "expected relevance, newest or oldest"));
                        }
                    }
                }
                "exact" | "eksakt" => {
                    p.exact = match v {
                        "1" => true,
                        "0" => false,
                        _ => return Err(invalid("exact", "expected 1 or 0")),
                    }
                }
                "page" | "side" => {
                    p.page = v
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=limits::MAX_PAGE).contains(n))
                        .ok_or_else(|| invalid("page", "expected a page number from 1"))?;
                }
                "per_page" => {
                    p.per_page = v
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_PER_PAGE).contains(n))
                        .ok_or_else(|| {
                            invalid("per_page", format!("expected 1 to {MAX_PER_PAGE}"))
                        })?;
                }
                "lang" => {
                    p.lang = Lang::parse(v).ok_or_else(|| invalid("lang", "expected nb or en"))?
                }
                "consultation" | "horing" => {
                    if v.chars().count() > crate::consultations::MAX_ID_CHARS {
                        return Err(too_large(
                            "consultation",
                            format!("at most {} characters", crate::consultations::MAX_ID_CHARS),
                        ));
                    }
                    if !crate::consultations::is_slug(v) {
                        return Err(invalid(
                            "consultation",
                            format!("`{v}` is not a consultation id"),
                        ));
                    }
                    p.consultation = Some(v.to_string());
                }
                _ => {}
            }
        }
        if p.page.saturating_mul(p.per_page) > limits::MAX_RESULT_WINDOW {
            return Err(too_large(
                "page",
                format!("page × per_page may not pass {}", limits::MAX_RESULT_WINDOW),
            ));
        }
        Ok(p)
    }

    /// The same, but a bad value is dropped rather than refused (for pages people reach by
    /// hand-edited links). A request past one of the [`limits`] is still refused.
    pub fn parse_lenient(raw: Option<&str>) -> Result<SearchParams, ParamError> {
        match SearchParams::parse(raw) {
            Ok(p) => Ok(p),
            Err(e) if e.too_large => Err(e),
            Err(_) => {
                // Keep what parses by dropping the offending pairs one at a time.
                let pairs: Vec<(String, String)> =
                    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect();
                let good: Vec<(String, String)> = pairs
                    .into_iter()
                    .filter(|(k, v)| {
                        let one = form_urlencoded::Serializer::new(String::new())
                            .append_pair(k, v)
                            .finish();
                        SearchParams::parse(Some(&one)).is_ok()
                    })
                    .collect();
                let rebuilt = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(good)
                    .finish();
                match SearchParams::parse(Some(&rebuilt)) {
                    Ok(p) => Ok(p),
                    Err(e) if e.too_large => Err(e),
                    Err(_) => Ok(SearchParams::default()),
                }
            }
        }
    }

    pub fn request(&self, pages_per_hit: usize) -> SearchRequest {
        let (year_from, year_to) = match self.year {
            Some(y) => (Some(y), Some(y)),
            None => (self.from, self.to),
        };
        SearchRequest {
            query: self.q.clone(),
            conventions: self.conventions.clone(),
            articles: self.articles.clone(),
            kinds: self.kinds.clone(),
            laws: self.laws.clone(),
            law_sections: self.law_sections.clone(),
            cycles: self.cycles.clone(),
            topics: self.topics.clone(),
            year_from,
            year_to,
            sort: self.sort,
            offset: (self.page.saturating_sub(1)).saturating_mul(self.per_page),
            limit: self.per_page,
            pages_per_hit,
            // The consultation's case number is filled in by the web layer, which holds
            // the consultation records (`AppState::search_request`).
            consultation: self.consultation.clone().map(|id| ConsultationFilter {
                id,
                reference: None,
            }),
            exact: self.exact,
            internal_notes: false,
        }
    }

    /// The query string for these parameters (without the leading `?`), leaving defaults
    /// out so links stay short.
    pub fn to_query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            s.append_pair("q", &self.q);
        }
        for c in &self.conventions {
            s.append_pair("convention", c.id());
        }
        for a in &self.articles {
            s.append_pair("article", &a.to_string());
        }
        for k in &self.kinds {
            s.append_pair("kind", k.id());
        }
        for l in &self.laws {
            s.append_pair("law", l);
        }
        for l in &self.law_sections {
            s.append_pair("law_section", l);
        }
        for c in &self.cycles {
            s.append_pair("cycle", c);
        }
        for t in &self.topics {
            s.append_pair("topic", t);
        }
        if let Some(y) = self.year {
            s.append_pair("year", &y.to_string());
        }
        if let Some(y) = self.from {
            s.append_pair("from", &y.to_string());
        }
        if let Some(y) = self.to {
            s.append_pair("to", &y.to_string());
        }
        match self.sort {
            Sort::Relevance => {}
            Sort::Newest => {
                s.append_pair("sort", "newest");
            }
            Sort::Oldest => {
                s.append_pair("sort", "oldest");
            }
        }
        if self.exact {
            s.append_pair("exact", "1");
        }
        if self.page > 1 {
            s.append_pair("page", &self.page.to_string());
        }
        if self.per_page != DEFAULT_PER_PAGE {
            s.append_pair("per_page", &self.per_page.to_string());
        }
        if let Some(c) = &self.consultation {
            s.append_pair("consultation", c);
        }
        if self.lang == Lang::En {
            s.append_pair("lang", "en");
        }
        s.finish()
    }

    /// A copy with paging reset, after `change` is applied: what a filter link leads to.
    pub fn with(&self, change: impl FnOnce(&mut SearchParams)) -> SearchParams {
        let mut p = self.clone();
        change(&mut p);
        p.page = 1;
        p
    }

    /// The filters as (name, value) pairs for hidden form fields, so that they survive a
    /// new query typed into a page's search box.
    pub fn hidden_filters(&self) -> Vec<(String, String)> {
        let mut hidden: Vec<(String, String)> = Vec::new();
        for c in &self.conventions {
            hidden.push(("convention".into(), c.id().into()));
        }
        for a in &self.articles {
            hidden.push(("article".into(), a.to_string()));
        }
        for k in &self.kinds {
            hidden.push(("kind".into(), k.id().into()));
        }
        for l in &self.laws {
            hidden.push(("law".into(), l.clone()));
        }
        for l in &self.law_sections {
            hidden.push(("law_section".into(), l.clone()));
        }
        for c in &self.cycles {
            hidden.push(("cycle".into(), c.clone()));
        }
        for t in &self.topics {
            hidden.push(("topic".into(), t.clone()));
        }
        if let Some(y) = self.year {
            hidden.push(("year".into(), y.to_string()));
        }
        if let Some(c) = &self.consultation {
            hidden.push(("consultation".into(), c.clone()));
        }
        hidden
    }

    pub fn has_filters(&self) -> bool {
        !self.conventions.is_empty()
            || !self.articles.is_empty()
            || !self.kinds.is_empty()
            || !self.laws.is_empty()
            || !self.law_sections.is_empty()
            || !self.cycles.is_empty()
            || !self.topics.is_empty()
            || self.year.is_some()
            || self.from.is_some()
            || self.to.is_some()
            || self.consultation.is_some()
    }
}
