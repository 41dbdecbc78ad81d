//! Searching: a parsed query and filters become tantivy queries over document records;
//! each hit's best pages are then found among its page records for snippets.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::time::Instant;

use aho_corasick::AhoCorasick;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, MoreLikeThisQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, Order, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term,
};

use super::facets::FacetCounter;
use super::highlight::Highlighted;
use super::ranking::{
    BODY_BOOST, COMPOUND_HEAD_WEIGHT, COMPOUND_PART_WEIGHT, COMPOUND_SPLIT_SLOP,
    COMPOUND_SPLIT_WEIGHT, CONVENTION_TAG_BOOST, FOLDED_WEIGHT, MAX_EXPANSIONS, MIN_COMPOUND_HEAD,
    RELATED_MAX_QUERY_TERMS, RELATED_MIN_DOC_FREQUENCY, RELATED_MIN_TERM_FREQUENCY,
    RELATED_MIN_WORD_LENGTH, RELATED_TEXT_CHARS, STANDARD_WEIGHT, THESAURUS_WEIGHT, TITLE_BOOST,
};
use super::within::{PrefixIn, RecordsOf, restricted};
use super::{ArchiveIndex, DOC_RECORD, Fields, IndexError, PAGE_RECORD, analysis};
use crate::model::{ArticleRef, Convention, DocId, Kind, Submission};
use crate::norwegian::{standards, thesaurus::Thesaurus};
use crate::query::{self, Clause, Item, ParsedQuery, Target};

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    Oldest,
}

/// A search as the web and the command line ask for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SearchRequest {
    pub query: String,
    /// Any of these (empty: no filter).
    pub conventions: Vec<Convention>,
    /// All of these.
    pub articles: Vec<ArticleRef>,
    pub kinds: Vec<Kind>,
    /// Any of these law ids.
    pub laws: Vec<String>,
    /// All of these sections, written `straffeloven:282`.
    pub law_sections: Vec<String>,
    /// Any of these review cycles.
    pub cycles: Vec<String>,
    /// Any of these focus areas (`tagging::topics`).
    pub topics: Vec<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    pub sort: Sort,
    /// How many hits to skip; `offset + limit` may not pass [`MAX_RESULT_WINDOW`].
    pub offset: usize,
    pub limit: usize,
    /// How many pages with snippets to return per hit (0: none).
    pub pages_per_hit: usize,
    /// The documents of one consultation.
    pub consultation: Option<ConsultationFilter>,
    /// The words as typed only: no thesaurus terms and no forms of the other written
    /// standard (stemming and compound parts still apply).
    pub exact: bool,
    /// Whether internal notes are searched too: only for staff, never for the public.
    pub internal_notes: bool,
}

/// The documents of one consultation: those whose sidecar names `id`, and those without
/// such a sidecar whose letter head carries `reference` as "Deres ref.".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ConsultationFilter {
    pub id: String,
    /// The consultation's case number, when it has one.
    pub reference: Option<String>,
}

/// The term of the `consultation` field a document is indexed with.
pub(super) fn consultation_key(s: &Submission) -> Option<String> {
    match (&s.consultation, &s.their_reference) {
        (Some(id), _) => Some(format!("id:{id}")),
        (None, Some(reference)) => Some(format!(
            "ref:{}",
            crate::consultations::normalize_reference(reference)
        )),
        (None, None) => None,
    }
}

/// A search that meets every lazily loaded part: a compound (the word lists), a thesaurus
/// term, a word with a form in the other written standard.
const WARM_UP_QUERY: &str = "voldsutsatte krisesenter";

/// The deepest a search can page: `offset + limit` of a [`SearchRequest`] must stay within
/// it. tantivy reserves room for about twice `offset + limit` hits per segment before it
/// looks at a single document, so without a bound one request for page 100,000 could ask
/// for gigabytes. [`ArchiveIndex::search_all`] gives every hit without paging.
pub const MAX_RESULT_WINDOW: usize = 10_000;

/// A page of a hit and the passage from it that matches best, as text with the matching
/// words' ranges; callers render it (`web` as HTML, the command line as terminal text).
#[derive(Debug, Clone)]
pub struct PageSnippet {
    pub page: u32,
    pub snippet: Highlighted,
}

#[derive(Debug, Clone)]
pub struct Hit {
    /// The document's metadata; `pages` is empty.
    pub submission: Submission,
    pub page_count: usize,
    pub score: f32,
    pub pages: Vec<PageSnippet>,
}

/// Counts per facet value over every document matching the query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FacetCounts {
    pub convention: BTreeMap<String, u64>,
    pub year: BTreeMap<String, u64>,
    pub kind: BTreeMap<String, u64>,
    pub article: BTreeMap<String, u64>,
    pub law: BTreeMap<String, u64>,
    /// `straffeloven:282` → documents.
    pub law_section: BTreeMap<String, u64>,
    pub cycle: BTreeMap<String, u64>,
    pub topic: BTreeMap<String, u64>,
}

#[derive(Debug, Clone)]
pub struct SearchResults {
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
    /// A corrected query, when the one asked found nothing and a close one finds something;
    /// `hits` are then that query's hits.
    pub suggestion: Option<String>,
    /// The thesaurus terms and other-standard forms the search also looked for, below the
    /// words typed (empty for an exact search).
    pub also: Vec<String>,
}

/// Sort key for dates: YYYYMMDD, 0 when unknown.
pub(super) fn date_sort_key(date: Option<NaiveDate>) -> i64 {
    date.map(|d| d.year() as i64 * 10_000 + d.month() as i64 * 100 + d.day() as i64)
        .unwrap_or(0)
}

/// The results of recent searches, for the ones people repeat (the same query from many
/// readers, paging back and forth). Each entry belongs to one generation of the index's
/// searcher, so a commit makes every entry stale; they are dropped when it is seen.
pub(super) struct ResultCache {
    /// Keyed by generation too, so a result a slow search inserts after a commit can never
    /// answer for the new generation. `None`: caching is off.
    entries: Option<quick_cache::sync::Cache<(u64, SearchRequest), SearchResults>>,
    generation: AtomicU64,
}

/// Searches asking for more hits than this (exports) are not kept.
const CACHED_HITS_AT_MOST: usize = 100;

impl ResultCache {
    /// A cache of `capacity` searches; 0 turns caching off.
    pub(super) fn new(capacity: usize) -> ResultCache {
        ResultCache {
            entries: (capacity > 0).then(|| quick_cache::sync::Cache::new(capacity)),
            generation: AtomicU64::new(u64::MAX),
        }
    }

    fn get(&self, generation: u64, request: &SearchRequest) -> Option<SearchResults> {
        let entries = self.entries.as_ref()?;
        let seen = self.generation.swap(generation, AtomicOrdering::AcqRel);
        if seen != generation && seen != u64::MAX {
            entries.clear();
        }
        entries.get(&(generation, request.clone()))
    }

    /// Forgets every result (the index was replaced).
    pub(super) fn clear(&self) {
        if let Some(entries) = &self.entries {
            entries.clear();
        }
    }

    fn insert(&self, generation: u64, request: &SearchRequest, results: &SearchResults) {
        if let Some(entries) = &self.entries {
            entries.insert((generation, request.clone()), results.clone());
        }
    }
}

impl ArchiveIndex {
    /// Runs a search, answering a repeated one from the [`ResultCache`]. Never fails on
    /// what a person typed; errors are the index's own.
    /// Refuses with [`IndexError::ResultWindow`] a request that pages past
    /// [`MAX_RESULT_WINDOW`].
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        check_window(request)?;
        self.search_cached(&self.reader.searcher(), request)
    }

    /// Every hit of a search, best first: `offset` and `limit` are ignored. The limit is
    /// the number of documents of the same snapshot of the index the search runs on, so
    /// the set is whole and the room tantivy reserves is bounded by the archive's size.
    pub fn search_all(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        let searcher = self.reader.searcher();
        let documents = searcher.search(&self.record_query(DOC_RECORD), &Count)?;
        let whole = SearchRequest {
            offset: 0,
            limit: documents.max(1),
            ..request.clone()
        };
        self.search_cached(&searcher, &whole)
    }

    /// Which of `ids` the search `request` finds (its query and filters; paging and
    /// sorting ignored): how a followed search learns whether new documents match it
    /// without running over the whole archive.
    pub fn matching(
        &self,
        request: &SearchRequest,
        ids: &[DocId],
    ) -> Result<Vec<DocId>, IndexError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let parsed = query::parse(&request.query);
        let terms = ids
            .iter()
            .map(|id| Term::from_field_text(self.fields.id, id.as_str()));
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                self.document_query(&searcher, request, &parsed),
            ),
            (Occur::Must, Box::new(TermSetQuery::new(terms))),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(ids.len()).order_by_score())?;
        top.into_iter()
            .map(|(_, address)| {
                let doc: TantivyDocument = searcher.doc(address)?;
                Ok(self.indexed_document(&doc)?.submission.id)
            })
            .collect()
    }

    /// The generation of the index a search would read now: it changes with every commit
    /// (and every reopen), so an answer built from one generation can be validated by it.
    pub fn generation(&self) -> u64 {
        self.reader.searcher().generation().generation_id()
    }

    /// The heap held by the facet tables of the segments searched so far, in bytes.
    pub fn facet_table_bytes(&self) -> usize {
        self.facet_tables.heap_bytes()
    }

    fn search_cached(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
    ) -> Result<SearchResults, IndexError> {
        let started = Instant::now();
        let generation = searcher.generation().generation_id();
        let cacheable = request.limit <= CACHED_HITS_AT_MOST;
        if cacheable && let Some(mut results) = self.results.get(generation, request) {
            results.took_ms = started.elapsed().as_secs_f64() * 1000.0;
            return Ok(results);
        }
        let results = self.search_in(searcher, request, started)?;
        if cacheable {
            self.results.insert(generation, request, &results);
        }
        Ok(results)
    }

    /// Does once what the first search would: loads the word lists, the thesaurus and the
    /// analyzers, and builds each segment's facet table. A search that fails here is
    /// the first visitor's to report, so its error is dropped.
    pub fn warm_up(&self) {
        let _ = self.search_uncached(&SearchRequest {
            query: WARM_UP_QUERY.into(),
            limit: 20,
            pages_per_hit: 3,
            ..SearchRequest::default()
        });
    }

    /// Runs a search without the cache: what every search costs the first time.
    pub fn search_uncached(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        check_window(request)?;
        self.search_in(&self.reader.searcher(), request, Instant::now())
    }

    fn search_in(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        started: Instant,
    ) -> Result<SearchResults, IndexError> {
        let _running = self.slicing.enter();
        let parsed = query::parse(&request.query);
        let mut results = self.run(searcher, request, &parsed)?;

        if results.total == 0
            && parsed.has_text()
            && let Some(corrected) = self.suggest(searcher, &parsed)?
        {
            let retry = SearchRequest {
                query: corrected.clone(),
                ..request.clone()
            };
            let retried = self.run(searcher, &retry, &query::parse(&corrected))?;
            if retried.total > 0 {
                results = retried;
                results.suggestion = Some(corrected);
            }
        }
        results.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(results)
    }

    /// Documents like `document` (as [`ArchiveIndex::document`] gives it, with its pages),
    /// best first: tantivy's MoreLikeThis over its text.
    pub fn related(
        &self,
        document: &Submission,
        limit: usize,
    ) -> Result<Vec<Submission>, IndexError> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let id = &document.id;
        // The body is not stored on document records; take the text of the pages.
        let text: String = document
            .pages
            .join("\n")
            .chars()
            .take(RELATED_TEXT_CHARS)
            .collect();
        let mlt = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(RELATED_MIN_DOC_FREQUENCY)
            .with_min_term_frequency(RELATED_MIN_TERM_FREQUENCY)
            .with_min_word_length(RELATED_MIN_WORD_LENGTH)
            .with_max_query_terms(RELATED_MAX_QUERY_TERMS)
            .with_document_fields(vec![(f.body, vec![tantivy::schema::OwnedValue::Str(text)])]);
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(mlt) as Box<dyn Query>),
            (Occur::Must, Box::new(self.record_query(DOC_RECORD))),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.id, id.as_str()),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        top.into_iter()
            .map(|(_, address)| {
                let doc: TantivyDocument = searcher.doc(address)?;
                Ok(self.indexed_document(&doc)?.submission)
            })
            .collect()
    }

    fn run(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        parsed: &ParsedQuery,
    ) -> Result<SearchResults, IndexError> {
        let query = self.document_query(searcher, request, parsed);

        self.facet_tables.keep_only(searcher);
        let counter = FacetCounter::new(self.facet_tables.clone());

        let limit = request.limit.max(1);
        let sort = if parsed.has_text() {
            request.sort
        } else if request.sort == Sort::Relevance {
            // Without words there is no relevance: newest first.
            Sort::Newest
        } else {
            request.sort
        };
        let (addresses, counted) = match sort {
            Sort::Relevance => {
                let top = TopDocs::with_limit(limit)
                    .and_offset(request.offset)
                    .order_by_score();
                self.slicing
                    .search(searcher, query.as_ref(), &(top, counter))?
            }
            Sort::Newest | Sort::Oldest => {
                let order = if sort == Sort::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let top = TopDocs::with_limit(limit)
                    .and_offset(request.offset)
                    .order_by_fast_field::<i64>("date_sort", order);
                let (top, counted) =
                    self.slicing
                        .search(searcher, query.as_ref(), &(top, counter))?;
                let top = top.into_iter().map(|(_, a)| (1.0f32, a)).collect();
                (top, counted)
            }
        };
        let total = counted.total as usize;

        let mut found = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            found.push((score, self.indexed_document(&doc)?));
        }
        let mut snippets = if request.pages_per_hit > 0 && !found.is_empty() {
            let ids: Vec<&DocId> = found.iter().map(|(_, d)| &d.submission.id).collect();
            let records = RecordsOf::find(searcher, self.fields.id, &ids)?;
            match self.page_text_query(searcher, parsed, request.exact, &records) {
                Some(page_query) => {
                    self.best_pages(searcher, &ids, page_query, request.pages_per_hit)?
                }
                None => Vec::new(),
            }
        } else {
            Vec::new()
        }
        .into_iter();
        let hits = found
            .into_iter()
            .map(|(score, indexed)| Hit {
                submission: indexed.submission,
                page_count: indexed.page_count,
                score,
                pages: snippets.next().unwrap_or_default(),
            })
            .collect();
        Ok(SearchResults {
            total,
            took_ms: 0.0,
            hits,
            facets: counted.facets,
            suggestion: None,
            also: if request.exact {
                Vec::new()
            } else {
                expansions(parsed).into_iter().map(|(t, _)| t).collect()
            },
        })
    }

    /// The query over document records: text clauses, filters, and the record kind.
    fn document_query(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        parsed: &ParsedQuery,
    ) -> Box<dyn Query> {
        let f = &self.fields;
        let mut must: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(self.record_query(DOC_RECORD)))];

        let fields = TextFields {
            expand: !request.exact,
            ..TextFields::document_with(f, request.internal_notes)
        };
        let text = self.text_query(searcher, parsed, fields);
        if let Some(text) = text {
            let text = match parsed.names_convention {
                // "Istanbul Convention" also finds a letter that only says
                // "Istanbulkonvensjonen": the tag stands in for the words.
                Some(c) => Box::new(BooleanQuery::new(vec![
                    (Occur::Should, text),
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(facet_term(f.convention, &[c.id()])),
                            CONVENTION_TAG_BOOST,
                        )),
                    ),
                ])) as Box<dyn Query>,
                None => text,
            };
            must.push((Occur::Must, text));
        }
        for clause in parsed.clauses.iter().filter(|c| c.negated) {
            let fields = TextFields::document_with(f, request.internal_notes);
            if let Some(q) = self.clause_query(searcher, clause, fields, None) {
                must.push((Occur::MustNot, q));
            }
        }

        let mut conventions = request.conventions.clone();
        for c in &parsed.filters.conventions {
            if !conventions.contains(c) {
                conventions.push(*c);
            }
        }
        if !conventions.is_empty() {
            let any: Vec<(Occur, Box<dyn Query>)> = conventions
                .iter()
                .map(|c| {
                    (
                        Occur::Should,
                        Box::new(facet_term(f.convention, &[c.id()])) as Box<dyn Query>,
                    )
                })
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        let mut kinds = request.kinds.clone();
        kinds.extend(parsed.filters.kinds.iter().copied());
        if !kinds.is_empty() {
            let any: Vec<(Occur, Box<dyn Query>)> = kinds
                .iter()
                .map(|k| {
                    (
                        Occur::Should,
                        Box::new(facet_term(f.kind, &[k.id()])) as Box<dyn Query>,
                    )
                })
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        for (values, field) in [
            (&request.laws, f.law),
            (&request.cycles, f.cycle),
            (&request.topics, f.topic),
        ] {
            if !values.is_empty() {
                let any: Vec<(Occur, Box<dyn Query>)> = values
                    .iter()
                    .map(|v| {
                        (
                            Occur::Should,
                            Box::new(facet_term(field, &[v.as_str()])) as Box<dyn Query>,
                        )
                    })
                    .collect();
                must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
        }
        for section in &request.law_sections {
            if let Some((law, number)) = section.split_once(':') {
                let path = [law.to_string(), number.to_string()];
                must.push((
                    Occur::Must,
                    Box::new(facet_term_owned(f.law_section, &path)),
                ));
            }
        }
        if let Some(filter) = &request.consultation {
            let mut keys = vec![format!("id:{}", filter.id)];
            if let Some(reference) = &filter.reference {
                keys.push(format!(
                    "ref:{}",
                    crate::consultations::normalize_reference(reference)
                ));
            }
            let any: Vec<(Occur, Box<dyn Query>)> = keys
                .iter()
                .map(|k| {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(f.consultation, k),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>,
                    )
                })
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        for article in request.articles.iter().chain(&parsed.filters.articles) {
            let path = [
                article.convention.id().to_string(),
                article.article.to_string(),
            ];
            must.push((Occur::Must, Box::new(facet_term_owned(f.article, &path))));
        }
        let year_from = parsed.filters.year_from.or(request.year_from);
        let year_to = parsed.filters.year_to.or(request.year_to);
        if year_from.is_some() || year_to.is_some() {
            let lower = year_from
                .map(|y| Bound::Included(Term::from_field_i64(f.year, y as i64)))
                .unwrap_or(Bound::Unbounded);
            let upper = year_to
                .map(|y| Bound::Included(Term::from_field_i64(f.year, y as i64)))
                .unwrap_or(Bound::Unbounded);
            must.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        Box::new(BooleanQuery::new(must))
    }

    /// The positive text clauses against page records, to find and highlight pages; each
    /// of its words is sought in `records` only.
    fn page_text_query(
        &self,
        searcher: &Searcher,
        parsed: &ParsedQuery,
        exact: bool,
        records: &RecordsOf,
    ) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let fields = TextFields {
            expand: !exact,
            ..TextFields::page(f)
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = parsed
            .clauses
            .iter()
            .filter(|c| !c.negated && c.target == Target::Anywhere)
            .filter_map(|c| self.clause_query(searcher, c, fields, Some(records)))
            .map(|q| (Occur::Should, q))
            .collect();
        if !exact {
            for (term, weight) in expansions(parsed) {
                if let Some(q) = term_queries(searcher, &term, &fields, weight, Some(records)) {
                    clauses.push((Occur::Should, q));
                }
            }
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    fn text_query(
        &self,
        searcher: &Searcher,
        parsed: &ParsedQuery,
        fields: TextFields,
    ) -> Option<Box<dyn Query>> {
        let positive: Vec<&Clause> = parsed.clauses.iter().filter(|c| !c.negated).collect();
        let windows = if fields.expand {
            concept_windows(&positive)
        } else {
            Vec::new()
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut i = 0;
        while i < positive.len() {
            if let Some((end, concept)) = windows
                .iter()
                .find(|(start, _, _)| *start == i)
                .map(|(_, e, c)| (*e, *c))
            {
                // The words of a thesaurus term as typed, or any other term of its concept,
                // lower.
                let typed: Vec<(Occur, Box<dyn Query>)> = positive[i..end]
                    .iter()
                    .filter_map(|c| self.clause_query(searcher, c, fields, None))
                    .map(|q| (Occur::Must, q))
                    .collect();
                let mut any: Vec<(Occur, Box<dyn Query>)> =
                    vec![(Occur::Should, Box::new(BooleanQuery::new(typed)))];
                for term in other_terms(concept, &positive[i..end]) {
                    if let Some(q) = term_queries(searcher, &term, &fields, THESAURUS_WEIGHT, None)
                    {
                        any.push((Occur::Should, q));
                    }
                }
                clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
                i = end;
            } else {
                if let Some(q) = self.clause_query(searcher, positive[i], fields, None) {
                    clauses.push((Occur::Must, q));
                }
                i += 1;
            }
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    fn clause_query(
        &self,
        searcher: &Searcher,
        clause: &Clause,
        fields: TextFields,
        within: Option<&RecordsOf>,
    ) -> Option<Box<dyn Query>> {
        let targets: Vec<TextField> = match clause.target {
            Target::Anywhere => fields.anywhere_targets(),
            Target::Title => fields.title.to_vec(),
            Target::Recipient => fields.recipient.to_vec(),
        };
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for item in &clause.alternatives {
            for target in &targets {
                for q in item_queries(searcher, item, target, Reach::Typed, within) {
                    alternatives.push((Occur::Should, q));
                }
                // The same word in the other written standard, below the form typed.
                if let Item::Word(word) = item
                    && fields.expand
                {
                    for other in standards::other_forms(&word.to_lowercase()) {
                        let other = Item::Word(other.clone());
                        for q in item_queries(searcher, &other, target, Reach::Expanded, within) {
                            alternatives.push((Occur::Should, boosted(q, STANDARD_WEIGHT)));
                        }
                    }
                }
            }
        }
        (!alternatives.is_empty())
            .then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
    }

    /// The best pages of each of the given documents, with snippets, in the documents'
    /// order: one search over the page records of all of them (`page_query` seeks each of
    /// its words in their records only).
    fn best_pages(
        &self,
        searcher: &Searcher,
        ids: &[&DocId],
        page_query: Box<dyn Query>,
        per_document: usize,
    ) -> Result<Vec<Vec<PageSnippet>>, IndexError> {
        let f = &self.fields;
        let passages = Passages::new(searcher, page_query.as_ref(), f.page_text, f.page_parts)?;
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(self.record_query(PAGE_RECORD)) as Box<dyn Query>,
            ),
            (Occur::Must, page_query),
        ]);
        let collector = BestPerDocument {
            keys: ids.iter().map(|id| super::id_key(id)).collect(),
            per_document,
        };
        let best = searcher.search(&query, &collector)?;
        let mut out = Vec::with_capacity(best.len());
        for pages in best {
            let mut snippets = Vec::with_capacity(pages.len());
            for (_, address) in pages {
                let doc: TantivyDocument = searcher.doc(address)?;
                let page = doc.get_first(f.page).and_then(|v| v.as_u64()).unwrap_or(1) as u32;
                let text = doc
                    .get_first(f.page_text)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                let snippet = passages.snippet(text);
                snippets.push(PageSnippet { page, snippet });
            }
            out.push(snippets);
        }
        Ok(out)
    }

    /// A correction for a query that found nothing: each word replaced by the closest
    /// frequent term of the index, when one is close enough.
    fn suggest(
        &self,
        searcher: &Searcher,
        parsed: &ParsedQuery,
    ) -> Result<Option<String>, IndexError> {
        let words = parsed.positive_words();
        if words.is_empty() {
            return Ok(None);
        }
        let mut analyzer = analysis::norwegian();
        let mut changed = false;
        let mut corrected = Vec::new();
        for word in words {
            let lower = word.to_lowercase();
            let Some(stem) = analysis::terms(&mut analyzer, &word).into_iter().next() else {
                continue;
            };
            let term = Term::from_field_text(self.fields.body, &stem);
            if searcher.doc_freq(&term)? > 0 {
                corrected.push(lower);
                continue;
            }
            match closest_term(searcher, self.fields.body, &lower)? {
                Some(better) => {
                    changed = true;
                    corrected.push(better);
                }
                None => corrected.push(lower),
            }
        }
        Ok(changed.then(|| corrected.join(" ")))
    }
}

/// A text field a query is run against, with its ASCII-folded twin.
#[derive(Clone, Copy)]
struct TextField {
    exact: Field,
    folded: Field,
    boost: f32,
    /// Whether `exact` has positions, for phrases (folded twins never do).
    positions: bool,
    /// The field of its compounds' parts, if it has one.
    parts: Option<Field>,
}

/// The text fields each kind of clause is run against.
#[derive(Clone, Copy)]
struct TextFields {
    anywhere: [TextField; 2],
    /// Also searched anywhere: the public notes, and the internal notes when staff search.
    notes: [Option<TextField>; 2],
    title: [TextField; 1],
    recipient: [TextField; 1],
    /// Whether words also find thesaurus terms and the other written standard.
    expand: bool,
}

impl TextFields {
    fn anywhere_targets(&self) -> Vec<TextField> {
        let mut targets = self.anywhere.to_vec();
        targets.extend(self.notes.iter().flatten().copied());
        targets
    }

    /// The text fields of document records; `internal_notes` adds the notes only staff
    /// may search.
    fn document_with(f: &Fields, internal_notes: bool) -> TextFields {
        let notes = |field| TextField {
            exact: field,
            folded: field,
            boost: BODY_BOOST,
            positions: true,
            parts: None,
        };
        TextFields {
            notes: [
                Some(notes(f.notes)),
                internal_notes.then(|| notes(f.notes_internal)),
            ],
            ..TextFields::document(f)
        }
    }

    fn document(f: &Fields) -> TextFields {
        let title = |boost| TextField {
            exact: f.title,
            folded: f.title_ascii,
            boost,
            positions: true,
            parts: None,
        };
        TextFields {
            anywhere: [
                title(TITLE_BOOST),
                TextField {
                    exact: f.body,
                    folded: f.body_ascii,
                    boost: BODY_BOOST,
                    positions: true,
                    parts: Some(f.body_parts),
                },
            ],
            notes: [None, None],
            // Asked for by name, the title is all there is: no extra weight.
            title: [title(BODY_BOOST)],
            expand: true,
            recipient: [TextField {
                exact: f.recipient,
                folded: f.recipient,
                boost: BODY_BOOST,
                positions: true,
                parts: None,
            }],
        }
    }

    /// Page records only rank the pages of documents already found (phrases included),
    /// so they keep no positions: all the words on the page is enough.
    fn page(f: &Fields) -> TextFields {
        let pages = TextField {
            exact: f.page_text,
            folded: f.page_text_ascii,
            boost: BODY_BOOST,
            positions: false,
            parts: Some(f.page_parts),
        };
        TextFields {
            anywhere: [pages, pages],
            notes: [None, None],
            title: [pages],
            recipient: [pages],
            expand: true,
        }
    }
}

/// How far a word reaches beyond itself.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// A word as typed: also the compounds it begins, the compounds it is a part of, and
    /// (a compound) its parts standing near each other.
    Typed,
    /// A thesaurus term or a form of the other written standard, already one step from what
    /// was typed: the word and the compounds it is a part of. Reaching further from it
    /// (its compound heads, its parts near each other) found little the typed words had not
    /// found, and cost most of an expanded search's time: prefix automata and sloppy
    /// phrases for each of up to [`MAX_EXPANSIONS`] terms.
    Expanded,
}

/// The queries an item is sought by in one field; within a few records, each is joined to
/// them, so it skips straight to them (a prefix also looks for its terms only there).
fn item_queries(
    searcher: &Searcher,
    item: &Item,
    target: &TextField,
    reach: Reach,
    within: Option<&RecordsOf>,
) -> Vec<Box<dyn Query>> {
    item_leaves(searcher, item, target, reach, within)
        .into_iter()
        .map(|q| restricted(q, within))
        .collect()
}

fn item_leaves(
    searcher: &Searcher,
    item: &Item,
    target: &TextField,
    reach: Reach,
    within: Option<&RecordsOf>,
) -> Vec<Box<dyn Query>> {
    let TextField {
        exact,
        folded,
        boost,
        positions,
        parts,
    } = *target;
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    match item {
        Item::Word(word) => {
            let exact_terms = analysis::stems(word);
            let folded_terms = analysis::folded_stems(word);
            let fold = folded != exact && twin_adds(searcher, target, &exact_terms, &folded_terms);
            // A "word" with inner punctuation (e.g. "9-2") analyses into several terms.
            if exact_terms.len() > 1 {
                out.extend(phrase(exact, &exact_terms, boost, positions));
                if fold {
                    out.extend(phrase(folded, &folded_terms, boost * FOLDED_WEIGHT, false));
                }
                return out;
            }
            if let Some(term) = exact_terms.first() {
                out.push(boosted(term_query(exact, term), boost));
                if reach == Reach::Typed && term.chars().count() >= MIN_COMPOUND_HEAD {
                    out.push(boosted(
                        prefix_query(exact, term, within),
                        boost * COMPOUND_HEAD_WEIGHT,
                    ));
                }
                if let Some(parts) = parts {
                    out.push(boosted(
                        term_query(parts, term),
                        boost * COMPOUND_PART_WEIGHT,
                    ));
                }
                if reach == Reach::Typed
                    && let Some(split) = analysis::compound_parts(&word.to_lowercase())
                {
                    out.extend(near(
                        exact,
                        &split,
                        boost * COMPOUND_SPLIT_WEIGHT,
                        positions,
                    ));
                }
            }
            if fold && let Some(term) = folded_terms.first() {
                out.push(boosted(term_query(folded, term), boost * FOLDED_WEIGHT));
            }
        }
        Item::Prefix(prefix) => {
            let lower = prefix.to_lowercase();
            out.push(boosted(prefix_query(exact, &lower, within), boost));
            if folded != exact
                && let Some(term) = analysis::folded_stems(&lower).first()
            {
                out.push(boosted(
                    prefix_query(folded, term, within),
                    boost * FOLDED_WEIGHT,
                ));
            }
        }
        Item::Phrase(text) => {
            let terms = analysis::stems(text);
            out.extend(phrase(exact, &terms, boost, positions));
            if folded != exact {
                let folded_terms = analysis::folded_stems(text);
                if twin_adds(searcher, target, &terms, &folded_terms) {
                    out.extend(phrase(folded, &folded_terms, boost * FOLDED_WEIGHT, false));
                }
            }
        }
    }
    out
}

/// The stems of a clause's words, when it is one word or one phrase searched anywhere.
fn clause_stems(clause: &Clause) -> Option<Vec<String>> {
    if clause.target != Target::Anywhere || clause.alternatives.len() != 1 {
        return None;
    }
    match &clause.alternatives[0] {
        Item::Word(text) | Item::Phrase(text) => Some(analysis::stems(text)),
        Item::Prefix(_) => None,
    }
}

/// Each thesaurus term as the stems of its words, as written and ASCII-folded (so
/// "horingssvar" names the concept of "høringssvar") → the concepts it belongs to.
fn concept_terms() -> &'static HashMap<Vec<String>, Vec<usize>> {
    static TERMS: std::sync::OnceLock<HashMap<Vec<String>, Vec<usize>>> =
        std::sync::OnceLock::new();
    TERMS.get_or_init(|| {
        let mut analyzer = analysis::norwegian();
        let mut ascii = analysis::norwegian_ascii();
        let mut map: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
        for (i, concept) in Thesaurus::shipped().concepts.iter().enumerate() {
            for term in concept.terms() {
                for stems in [
                    analysis::terms(&mut analyzer, &term),
                    analysis::terms(&mut ascii, &term),
                ] {
                    if !stems.is_empty() {
                        let concepts = map.entry(stems).or_default();
                        if !concepts.contains(&i) {
                            concepts.push(i);
                        }
                    }
                }
            }
        }
        map
    })
}

/// The stems of a clause's words ASCII-folded, to match a term typed without æ, ø, å.
fn clause_folded_stems(clause: &Clause) -> Option<Vec<String>> {
    if clause.target != Target::Anywhere || clause.alternatives.len() != 1 {
        return None;
    }
    match &clause.alternatives[0] {
        Item::Word(text) | Item::Phrase(text) => Some(analysis::folded_stems(text)),
        Item::Prefix(_) => None,
    }
}

/// The runs of clauses that spell a thesaurus term, longest first from each place, not
/// overlapping: (first clause, end, concept).
fn concept_windows(clauses: &[&Clause]) -> Vec<(usize, usize, usize)> {
    let stems: Vec<Option<Vec<String>>> = clauses.iter().map(|c| clause_stems(c)).collect();
    let folded: Vec<Option<Vec<String>>> = clauses.iter().map(|c| clause_folded_stems(c)).collect();
    let terms = concept_terms();
    let mut out = Vec::new();
    let mut i = 0;
    while i < clauses.len() {
        let mut found = None;
        'ends: for end in (i + 1..=clauses.len()).rev() {
            for spelling in [&stems, &folded] {
                if spelling[i..end].iter().any(Option::is_none) {
                    continue;
                }
                let words: Vec<String> = spelling[i..end]
                    .iter()
                    .flatten()
                    .flatten()
                    .cloned()
                    .collect();
                if let Some(concepts) = terms.get(&words) {
                    found = Some((end, concepts[0]));
                    break 'ends;
                }
            }
        }
        match found {
            Some((end, concept)) => {
                out.push((i, end, concept));
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// The terms of a concept other than the one typed.
fn other_terms(concept: usize, typed: &[&Clause]) -> Vec<String> {
    let typed: Vec<String> = typed
        .iter()
        .filter_map(|c| clause_stems(c))
        .flatten()
        .collect();
    Thesaurus::shipped()
        .concepts
        .get(concept)
        .map(|c| c.terms())
        .unwrap_or_default()
        .into_iter()
        .filter(|t| analysis::stems(t) != typed)
        .collect()
}

/// What a search also looks for besides the words typed, with the weight of each: the
/// other terms of the thesaurus concepts it names, and its words in the other written
/// standard. At most [`MAX_EXPANSIONS`].
pub(super) fn expansions(parsed: &ParsedQuery) -> Vec<(String, f32)> {
    let positive: Vec<&Clause> = parsed.clauses.iter().filter(|c| !c.negated).collect();
    let mut out: Vec<(String, f32)> = Vec::new();
    for (start, end, concept) in concept_windows(&positive) {
        for term in other_terms(concept, &positive[start..end]) {
            if !out.iter().any(|(t, _)| *t == term) {
                out.push((term, THESAURUS_WEIGHT));
            }
        }
    }
    for clause in &positive {
        for item in &clause.alternatives {
            if let Item::Word(word) = item {
                for other in standards::other_forms(&word.to_lowercase()) {
                    if !out.iter().any(|(t, _)| t == other) {
                        out.push((other.clone(), STANDARD_WEIGHT));
                    }
                }
            }
        }
    }
    out.truncate(MAX_EXPANSIONS);
    out
}

/// A term (a word or several, as a phrase) searched anywhere in `fields`, with `weight`.
fn term_queries(
    searcher: &Searcher,
    term: &str,
    fields: &TextFields,
    weight: f32,
    within: Option<&RecordsOf>,
) -> Option<Box<dyn Query>> {
    let item = if term.split_whitespace().count() > 1 {
        Item::Phrase(term.to_string())
    } else {
        Item::Word(term.to_string())
    };
    let queries: Vec<(Occur, Box<dyn Query>)> = fields
        .anywhere_targets()
        .iter()
        .flat_map(|target| item_queries(searcher, &item, target, Reach::Expanded, within))
        .map(|q| (Occur::Should, q))
        .collect();
    (!queries.is_empty()).then(|| boosted(Box::new(BooleanQuery::new(queries)), weight))
}

/// Whether the folded twin can find documents the exact field does not. When folding
/// changes no term and each term is in as many documents of the twin as of the exact
/// field, the twin would only match the same documents again, at twice the cost. (An
/// ASCII spelling such as "horingssvar" is rare as written but common folded: kept.)
fn twin_adds(searcher: &Searcher, target: &TextField, exact: &[String], folded: &[String]) -> bool {
    if exact != folded {
        return true;
    }
    let doc_freq = |field, text: &str| searcher.doc_freq(&Term::from_field_text(field, text)).ok();
    exact.iter().any(|t| {
        let in_exact = doc_freq(target.exact, t);
        in_exact.is_none() || in_exact != doc_freq(target.folded, t)
    })
}

/// A phrase query, or, in a field without positions, all of its words.
fn phrase(field: Field, terms: &[String], boost: f32, positions: bool) -> Option<Box<dyn Query>> {
    match terms {
        [] => None,
        [one] => Some(boosted(term_query(field, one), boost)),
        many if !positions => {
            let all = many
                .iter()
                .map(|t| (Occur::Must, term_query(field, t)))
                .collect();
            Some(boosted(Box::new(BooleanQuery::new(all)), boost))
        }
        many => {
            let terms = many
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect();
            Some(boosted(Box::new(PhraseQuery::new(terms)), boost))
        }
    }
}

/// The parts of a compound standing near each other, in either order ("barnevold" in
/// "vold mot barn"); in a field without positions, all of them.
fn near(field: Field, parts: &[String], boost: f32, positions: bool) -> Option<Box<dyn Query>> {
    if !positions || parts.len() < 2 {
        return phrase(field, parts, boost, false);
    }
    let sloppy = |order: &[String], slop: u32| {
        let terms = order
            .iter()
            .map(|t| Term::from_field_text(field, t))
            .collect();
        let mut query = PhraseQuery::new(terms);
        query.set_slop(slop);
        Box::new(query) as Box<dyn Query>
    };
    if let [_, _] = parts {
        // tantivy measures a sloppy phrase's slop as the distance between its two words'
        // places, either way round: with two more words of slop, one query in the written
        // order finds the reversed order (b … a) as far apart as a second reversed query
        // would, and the written order (a … b) two words further. Each phrase query reads
        // the positions of every document holding both words: one query halves that.
        return Some(boosted(sloppy(parts, COMPOUND_SPLIT_SLOP + 2), boost));
    }
    let orders: Vec<(Occur, Box<dyn Query>)> =
        [parts.to_vec(), parts.iter().rev().cloned().collect()]
            .into_iter()
            .map(|order| (Occur::Should, sloppy(&order, COMPOUND_SPLIT_SLOP)))
            .collect();
    Some(boosted(Box::new(BooleanQuery::new(orders)), boost))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// The terms of `field` beginning with `prefix`; within a few records, sought in those only.
fn prefix_query(field: Field, prefix: &str, within: Option<&RecordsOf>) -> Box<dyn Query> {
    if let Some(records) = within {
        return Box::new(PrefixIn::new(field, prefix, records));
    }
    Box::new(FuzzyTermQuery::new_prefix(
        Term::from_field_text(field, prefix),
        0,
        true,
    ))
}

fn facet_term(field: Field, path: &[&str]) -> TermQuery {
    TermQuery::new(
        Term::from_facet(field, &Facet::from_path(path)),
        IndexRecordOption::Basic,
    )
}

fn facet_term_owned(field: Field, path: &[String]) -> TermQuery {
    TermQuery::new(
        Term::from_facet(field, &Facet::from_path(path)),
        IndexRecordOption::Basic,
    )
}

/// The most frequent indexed term within a small edit distance of `word`, sharing its
/// first letter (people rarely mistype that, and it keeps the scan small).
fn closest_term(
    searcher: &Searcher,
    field: Field,
    word: &str,
) -> Result<Option<String>, IndexError> {
    let Some(first) = word.chars().next() else {
        return Ok(None);
    };
    let max_distance = match word.chars().count() {
        0..=3 => return Ok(None),
        4..=6 => 1,
        _ => 2,
    };
    let mut lower = [0u8; 4];
    let lower = first.encode_utf8(&mut lower).as_bytes().to_vec();
    let mut upper = lower.clone();
    if let Some(last) = upper.last_mut() {
        *last = last.saturating_add(1);
    }
    let mut best: Option<(usize, u64, String)> = None;
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .range()
            .ge(&lower)
            .lt(&upper)
            .into_stream()
            .map_err(tantivy::TantivyError::from)?;
        while stream.advance() {
            let Ok(term) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let distance = strsim::levenshtein(word, term);
            if distance > max_distance {
                continue;
            }
            let freq = stream.value().doc_freq as u64;
            let better = match &best {
                None => true,
                Some((d, f, _)) => distance < *d || (distance == *d && freq > *f),
            };
            if better {
                best = Some((distance, freq, term.to_string()));
            }
        }
    }
    Ok(best.map(|(_, _, term)| term))
}

fn leading_chars(text: &str, n: usize) -> String {
    let trimmed = text.trim();
    let mut out: String = trimmed.chars().take(n).collect();
    if trimmed.chars().count() > n {
        out.push('…');
    }
    out
}

/// The passages of page texts that show a query best.
struct Passages {
    /// tantivy's snippet generator for the query's terms, with an analyzer that stems only
    /// the words that can match.
    generator: SnippetGenerator,
    /// The same terms as one automaton (the one the generator's analyzer checks words
    /// with), to find where in a page they stand densest before anything is tokenized.
    stems: Arc<Option<AhoCorasick>>,
    /// Each stem's weight, in the automaton's pattern order.
    weights: Vec<Score>,
}

impl Passages {
    /// For `query`'s terms in `field` (and, when it searched them, in `parts_field`).
    fn new(
        searcher: &Searcher,
        query: &dyn Query,
        field: Field,
        parts_field: Field,
    ) -> Result<Passages, IndexError> {
        let mut terms = BTreeMap::new();
        let mut failure = None;
        let mut parts = false;
        query.query_terms(&mut |term, _| {
            if failure.is_some() {
                return;
            }
            if term.field() == parts_field {
                parts = true;
            } else if term.field() != field {
                return;
            }
            let value = term.value();
            let Some(text) = value.as_str() else {
                return;
            };
            match searcher.doc_freq(term) {
                // Rarer words weigh more when choosing the passage, as tantivy's own does.
                Ok(n) if n > 0 => {
                    terms.insert(text.to_string(), 1.0 / (1.0 + n as Score));
                }
                Ok(_) => {}
                Err(e) => failure = Some(e),
            }
        });
        if let Some(e) = failure {
            return Err(e.into());
        }
        let stems = Arc::new(analysis::candidate_automaton(terms.keys()));
        let weights = terms.values().copied().collect();
        let analyzer = analysis::norwegian_finding(Arc::clone(&stems), parts);
        Ok(Passages {
            generator: SnippetGenerator::new(terms, analyzer, field, SNIPPET_CHARS),
            stems,
            weights,
        })
    }

    /// The best passage of `text`, with its matching words marked; its first words when
    /// none match.
    fn snippet(&self, text: &str) -> Highlighted {
        // Tokenizing a whole page costs more than the rest of choosing its passage: the
        // generator reads only the stretch around the densest matches, and the whole page
        // when that stretch gives nothing.
        let around = self.densest(text);
        let mut snippet = self.generator.snippet(around);
        if snippet.is_empty() && around.len() < text.len() {
            snippet = self.generator.snippet(text);
        }
        if snippet.is_empty() {
            Highlighted::plain(leading_chars(text, SNIPPET_CHARS))
        } else {
            Highlighted::new(
                snippet.fragment().to_string(),
                snippet.highlighted().iter().cloned(),
            )
        }
    }

    /// The stretch of `text` that begins with the window where the terms' weights sum
    /// highest, and holds two passages' length: tantivy cuts a text into passages from its
    /// start, so its first passage is then that window. All of `text` when it is short or
    /// nothing is found.
    fn densest<'t>(&self, text: &'t str) -> &'t str {
        let Some(automaton) = self.stems.as_ref() else {
            return text;
        };
        if text.len() <= 3 * SNIPPET_CHARS {
            return text;
        }
        let found: Vec<(usize, Score)> = automaton
            .find_overlapping_iter(text)
            .map(|m| (m.start(), self.weights[m.pattern().as_usize()]))
            .collect();
        let width = SNIPPET_CHARS;
        let (mut best, mut best_sum, mut sum, mut first) = (None, 0.0, 0.0, 0);
        for &(start, weight) in &found {
            sum += weight;
            while found[first].0 + width <= start {
                sum -= found[first].1;
                first += 1;
            }
            if sum > best_sum {
                best_sum = sum;
                best = Some(found[first].0);
            }
        }
        let Some(start) = best else {
            return text;
        };
        // A match may begin inside a word (a compound's part): begin at that word.
        let from = text[..start]
            .rfind(char::is_whitespace)
            .map_or(0, |at| at + 1);
        let from = floor_char_boundary(text, from.max(start.saturating_sub(SNIPPET_CHARS / 4)));
        let to = floor_char_boundary(text, (from + 2 * SNIPPET_CHARS).min(text.len()));
        // Whole words only: the generator must not see a word cut in two.
        let to = if to == text.len() {
            to
        } else {
            text[..to].rfind(char::is_whitespace).unwrap_or(to)
        };
        if from < to { &text[from..to] } else { text }
    }
}

/// The largest character boundary of `text` at or before `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    (0..=at.min(text.len()))
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0)
}

const SNIPPET_CHARS: usize = 220;

/// Collects the best-scoring records of each of a few documents, told apart by the
/// `id_key` fast field: one pass over the page records of every hit instead of a search
/// per hit.
struct BestPerDocument {
    keys: Vec<u64>,
    per_document: usize,
}

type Scored = Vec<(Score, DocAddress)>;

struct BestPerDocumentInSegment {
    segment: SegmentOrdinal,
    keys: Option<Column<u64>>,
    /// Each wanted document's key and its place in the list.
    wanted: HashMap<u64, usize>,
    per_document: usize,
    best: Vec<Scored>,
}

impl Collector for BestPerDocument {
    type Fruit = Vec<Scored>;
    type Child = BestPerDocumentInSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<BestPerDocumentInSegment> {
        let keys = reader.fast_fields().u64("id_key").ok();
        let wanted = self.keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        Ok(BestPerDocumentInSegment {
            segment,
            keys,
            wanted,
            per_document: self.per_document,
            best: vec![Vec::new(); self.keys.len()],
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Scored>>) -> tantivy::Result<Vec<Scored>> {
        let mut merged: Vec<Scored> = vec![Vec::new(); self.keys.len()];
        for fruit in fruits {
            for (place, scored) in fruit.into_iter().enumerate() {
                for (score, address) in scored {
                    keep_best(&mut merged[place], (score, address), self.per_document);
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for BestPerDocumentInSegment {
    type Fruit = Vec<Scored>;

    fn collect(&mut self, doc: tantivy::DocId, score: Score) {
        let Some(key) = self.keys.as_ref().and_then(|c| c.first(doc)) else {
            return;
        };
        if let Some(&place) = self.wanted.get(&key) {
            let address = DocAddress::new(self.segment, doc);
            keep_best(&mut self.best[place], (score, address), self.per_document);
        }
    }

    fn harvest(self) -> Vec<Scored> {
        self.best
    }
}

/// Inserts into a short list kept in descending score order (ties: earlier pages first).
fn keep_best(list: &mut Scored, item: (Score, DocAddress), limit: usize) {
    let at = list
        .iter()
        .position(|(s, a)| item.0 > *s || (item.0 == *s && item.1 < *a))
        .unwrap_or(list.len());
    if at < limit {
        list.insert(at, item);
        list.truncate(limit);
    }
}

/// Refuses a request that pages past [`MAX_RESULT_WINDOW`] before tantivy reserves room.
fn check_window(request: &SearchRequest) -> Result<(), IndexError> {
    match request.offset.checked_add(request.limit.max(1)) {
        Some(end) if end <= MAX_RESULT_WINDOW => Ok(()),
        _ => Err(IndexError::ResultWindow {
            offset: request.offset,
            limit: request.limit,
            max: MAX_RESULT_WINDOW,
        }),
    }
}
