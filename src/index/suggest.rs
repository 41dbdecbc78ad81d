//! The index's part of the suggestions as you type ([`crate::suggest`]): the archive's
//! document titles and its frequent words, held in memory as two [`PrefixList`]s so a
//! prefix costs a binary search and a short scan, never a search of the index.
//!
//! Titles come from the `title_raw` fast field (each segment's dictionary of distinct
//! titles, counted over its live documents); words from the term dictionary of the `words`
//! field (lower case, no stemming, stop words removed), weighted by how many documents hold
//! them. Deleted documents still count towards a word until their segment is merged.
//!
//! The lists belong to one generation of the index's reader. After a commit the first
//! request starts a rebuild on a thread of its own and is answered from the lists it has,
//! so no request waits for a rebuild except the very first one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::Searcher;

use super::{ArchiveIndex, Fields, IndexError};
use crate::suggest::{IndexMatches, Prefix, PrefixList};

/// Words kept at most: the most frequent ones.
const MAX_WORDS: usize = 100_000;
/// A word must appear in at least this many documents to be suggested.
const MIN_WORD_DOCUMENTS: u64 = 2;
/// Words shorter than this (in characters) are not suggested.
const MIN_WORD_CHARS: usize = 3;

/// The lists of one generation.
#[derive(Debug, Default)]
pub struct Completions {
    titles: PrefixList,
    words: PrefixList,
}

impl Completions {
    /// How many distinct titles and words the lists hold.
    pub fn sizes(&self) -> (usize, usize) {
        (self.titles.len(), self.words.len())
    }

    /// The best `limit` titles for the whole prefix and words for its last word.
    pub fn matches(&self, prefix: &Prefix, limit: usize) -> IndexMatches {
        let own = |m: crate::suggest::PrefixMatch<'_>| (m.text.to_string(), m.starts);
        IndexMatches {
            titles: self
                .titles
                .best(&prefix.normalized, limit)
                .into_iter()
                .map(own)
                .collect(),
            terms: if prefix.last_word.chars().count() >= crate::suggest::MIN_CHARS {
                self.words
                    .best(&prefix.last_word, limit)
                    .into_iter()
                    .map(own)
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// The lists of the latest generation built, and whether a rebuild is under way.
#[derive(Default)]
pub(super) struct CompletionsCache {
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    built: Option<(u64, Arc<Completions>)>,
    building: bool,
}

impl CompletionsCache {
    pub(super) fn clear(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).built = None;
    }
}

impl ArchiveIndex {
    /// The titles and words of the index for `prefix`, at most `limit` of each.
    pub fn suggestions(&self, prefix: &Prefix, limit: usize) -> Result<IndexMatches, IndexError> {
        Ok(self.completions()?.matches(prefix, limit))
    }

    /// The lists of the current generation, or of an earlier one while they are rebuilt.
    pub fn completions(&self) -> Result<Arc<Completions>, IndexError> {
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let cache = &self.suggest_lists;
        {
            let mut state = cache.state.lock().unwrap_or_else(|e| e.into_inner());
            match &state.built {
                Some((built, lists)) if *built == generation => return Ok(lists.clone()),
                Some((_, lists)) => {
                    let stale = lists.clone();
                    if !state.building {
                        state.building = true;
                        let cache = cache.clone();
                        let fields = self.fields;
                        let spawned = std::thread::Builder::new()
                            .name("arkiv-suggest".into())
                            .spawn(move || {
                                let built = build(&searcher, &fields);
                                let mut state =
                                    cache.state.lock().unwrap_or_else(|e| e.into_inner());
                                state.building = false;
                                match built {
                                    Ok(lists) => store(&mut state, generation, lists),
                                    Err(e) => tracing::warn!("suggestions not rebuilt: {e}"),
                                }
                            });
                        if spawned.is_err() {
                            state.building = false;
                        }
                    }
                    return Ok(stale);
                }
                None => {}
            }
        }
        let lists = build(&searcher, &self.fields)?;
        let mut state = cache.state.lock().unwrap_or_else(|e| e.into_inner());
        store(&mut state, generation, lists);
        Ok(state
            .built
            .as_ref()
            .map(|(_, lists)| lists.clone())
            .unwrap_or_default())
    }
}

/// Keeps `lists` unless lists of a later generation are there already.
fn store(state: &mut CacheState, generation: u64, lists: Completions) {
    if state.built.as_ref().is_none_or(|(g, _)| *g <= generation) {
        state.built = Some((generation, Arc::new(lists)));
    }
}

/// Builds the lists from one snapshot of the index.
fn build(searcher: &Searcher, fields: &Fields) -> Result<Completions, IndexError> {
    let mut titles: HashMap<String, u64> = HashMap::new();
    let mut words: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        if let Some(column) = segment.fast_fields().str("title_raw")? {
            let mut live = vec![0u32; column.num_terms()];
            for doc in segment.doc_ids_alive() {
                if let Some(ord) = column.ords().first(doc)
                    && let Some(n) = live.get_mut(ord as usize)
                {
                    *n += 1;
                }
            }
            let mut stream = column
                .dictionary()
                .stream()
                .map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                let n = live.get(stream.term_ord() as usize).copied().unwrap_or(0);
                if n > 0
                    && let Ok(title) = std::str::from_utf8(stream.key())
                {
                    *titles.entry(title.to_string()).or_default() += u64::from(n);
                }
            }
        }
        let inverted = segment.inverted_index(fields.words)?;
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(tantivy::TantivyError::from)?;
        while stream.advance() {
            let Ok(word) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if !word.chars().all(char::is_alphabetic) {
                continue;
            }
            let n = u64::from(stream.value().doc_freq);
            match words.get_mut(word) {
                Some(total) => *total += n,
                None => {
                    words.insert(word.to_string(), n);
                }
            }
        }
    }
    let mut words: Vec<(String, u64)> = words
        .into_iter()
        .filter(|(w, n)| *n >= MIN_WORD_DOCUMENTS && w.chars().count() >= MIN_WORD_CHARS)
        .collect();
    if words.len() > MAX_WORDS {
        words.select_nth_unstable_by(MAX_WORDS, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        words.truncate(MAX_WORDS);
    }
    Ok(Completions {
        titles: PrefixList::new(titles, true),
        words: PrefixList::new(words, false),
    })
}
