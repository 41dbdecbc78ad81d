//! Norwegian text analysis, registered on every opened index (tantivy does not store
//! custom analyzers in the index).
//!
//! Two analyzers:
//! - [`NORWEGIAN`]: lower case, then bokmål Snowball stemming. æ, ø and å stay letters, so
//!   "sår" (wound) and "sar" never meet in the main fields.
//! - [`NORWEGIAN_ASCII`]: the same, then folded to ASCII (æ→ae, ø→o, å→a) and with the
//!   digraphs older spellings and foreign keyboards use (aa→a, oe→o) collapsed, so "saarbare"
//!   and "sarbare" find "sårbare". It feeds secondary fields that rank below the exact ones.
//! - [`NORWEGIAN_PARTS`]: the same as [`NORWEGIAN`], then each compound replaced by the stems
//!   of its parts ("kvinnedrapene" → kvinn, drap), from the Hunspell word lists
//!   ([`crate::norwegian::compound`]). It feeds the `_parts` fields, which rank below the
//!   exact ones; without the word lists it gives no terms.

use std::cell::RefCell;
use std::mem;
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, Anchored, Input, StartKind};

use crate::norwegian::compound::MIN_COMPOUND;
use crate::norwegian::{Dictionaries, Splitter, cache};

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

pub const NORWEGIAN: &str = "arkiv_norwegian";
pub const NORWEGIAN_ASCII: &str = "arkiv_norwegian_ascii";
pub const NORWEGIAN_PARTS: &str = "arkiv_norwegian_parts";
/// The words as written, for suggestions: lower case, no stemming, no stop words.
pub const WORDS: &str = "arkiv_words";

/// Words longer than this are noise from broken extraction, not words.
const MAX_TOKEN_BYTES: usize = 60;

pub fn norwegian() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::Norwegian))
        .build()
}

pub fn norwegian_ascii() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::Norwegian))
        .filter(AsciiFoldingFilter)
        .filter(DigraphFilter)
        .build()
}

/// [`norwegian`] for finding the given stems in text, as snippets do: the Snowball stemmer
/// only ever removes a suffix, so a word can stem to one of `stems` only if it starts with
/// it, and every other word is emptied before stemming, which is most of the cost. With
/// `parts`, a compound holding one of `stems` is kept too and also gives its parts' stems
/// at its place, so "drap" marks "kvinnedrapene".
pub fn norwegian_finding(stems: Arc<Option<AhoCorasick>>, parts: bool) -> TextAnalyzer {
    let candidates = CandidateFilter {
        stems,
        inside: parts,
    };
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(candidates);
    if parts {
        builder
            .filter(PartsFilter { keep_whole: true })
            .filter(Stemmer::new(Language::Norwegian))
            .build()
    } else {
        builder.filter(Stemmer::new(Language::Norwegian)).build()
    }
}

/// The automaton [`norwegian_finding`] checks tokens with: anchored searches ask whether a
/// token starts with a stem, unanchored ones whether it holds one. ASCII case is ignored so
/// the same automaton also finds the stems in a page's text as written (tokens are
/// lower-cased before it sees them).
pub fn candidate_automaton<S: AsRef<[u8]>>(
    stems: impl IntoIterator<Item = S>,
) -> Option<AhoCorasick> {
    // Only a pattern set too large for the automaton's state ids fails; a query's stems
    // are bounded far below that. No automaton finds nothing, the safe answer then.
    AhoCorasick::builder()
        .start_kind(StartKind::Both)
        .ascii_case_insensitive(true)
        .build(stems)
        .ok()
}

/// [`norwegian`] with compounds replaced by their parts (split before stemming, so the
/// last part is stemmed as a word of its own).
pub fn norwegian_parts() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(PartsFilter { keep_whole: false })
        .filter(Stemmer::new(Language::Norwegian))
        .build()
}

pub fn register(index: &Index) {
    let manager = index.tokenizers();
    manager.register(NORWEGIAN, norwegian());
    manager.register(NORWEGIAN_ASCII, norwegian_ascii());
    manager.register(NORWEGIAN_PARTS, norwegian_parts());
    manager.register(WORDS, words());
}

/// The analyzer of the `words` field: what a word suggestion can complete to. Norwegian and
/// English stop words are left out ("ikke" and "the" are no suggestions).
pub fn words() -> TextAnalyzer {
    let mut builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .dynamic();
    for language in [Language::Norwegian, Language::English] {
        if let Some(stop) = StopWordFilter::new(language) {
            builder = builder.filter_dynamic(stop);
        }
    }
    builder.build()
}

/// The compound splitter over the system's word lists, once per process: read from the
/// cache folder when an earlier process kept it, else built; `None` when the lists are not
/// installed.
pub fn splitter() -> Option<&'static Splitter> {
    static SPLITTER: OnceLock<Option<Splitter>> = OnceLock::new();
    SPLITTER
        .get_or_init(|| {
            let build = || Some(Splitter::new(Dictionaries::system()?, &mut stem));
            let kept = cache::default_dir();
            cache::splitter(kept.as_deref(), &Dictionaries::dir(), STEMMER, build)
        })
        .as_ref()
}

/// The code of this module, whose [`stem`] the splitter's stems come from: part of the
/// name of a kept splitter, so a change to the stemmer never reads a stale one.
pub const STEMMER: &str = include_str!("analysis.rs");

/// The index's stem of one word, from an analyzer built once per thread: building one
/// (boxing its filters, making the Snowball stemmer) costs more than stemming a word, and
/// the splitter stems every candidate last part of every word it tries.
pub fn stem(word: &str) -> String {
    thread_local! {
        static STEMMER: RefCell<TextAnalyzer> = RefCell::new(norwegian());
    }
    STEMMER.with_borrow_mut(|analyzer| {
        let mut stream = analyzer.token_stream(word);
        if stream.advance() {
            mem::take(&mut stream.token_mut().text)
        } else {
            String::new()
        }
    })
}

/// [`terms`] of [`norwegian`] on an analyzer built once per thread, for query building.
pub fn stems(text: &str) -> Vec<String> {
    thread_local! {
        static ANALYZER: RefCell<TextAnalyzer> = RefCell::new(norwegian());
    }
    ANALYZER.with_borrow_mut(|analyzer| terms(analyzer, text))
}

/// [`terms`] of [`norwegian_ascii`] on an analyzer built once per thread.
pub fn folded_stems(text: &str) -> Vec<String> {
    thread_local! {
        static ANALYZER: RefCell<TextAnalyzer> = RefCell::new(norwegian_ascii());
    }
    ANALYZER.with_borrow_mut(|analyzer| terms(analyzer, text))
}

/// A compound's parts as written in it and their stems.
struct Split {
    raw: Arc<[String]>,
    stems: Arc<[String]>,
}

/// How many words' splits the process remembers (about 100 bytes each): the same words
/// come back page after page, in every indexing thread, snippet and query.
const REMEMBERED_SPLITS: usize = 200_000;

/// The split of a lower-case word as written, remembered in one bounded map shared by
/// every thread. Words too short to be compounds, or holding anything but letters, are
/// refused before the map is asked.
fn split(word: &str) -> Option<Arc<Split>> {
    static SPLITS: OnceLock<quick_cache::sync::Cache<String, Option<Arc<Split>>>> = OnceLock::new();
    if word.len() < MIN_COMPOUND {
        return None;
    }
    let mut letters = 0;
    for c in word.chars() {
        if !c.is_alphabetic() {
            return None;
        }
        letters += 1;
    }
    if letters < MIN_COMPOUND {
        return None;
    }
    let splitter = splitter()?;
    let splits = SPLITS.get_or_init(|| quick_cache::sync::Cache::new(REMEMBERED_SPLITS));
    if let Some(known) = splits.get(word) {
        return known;
    }
    let found = splitter.split(word, &mut stem).map(|parts| {
        Arc::new(Split {
            stems: parts.iter().map(|part| stem(part)).collect(),
            raw: parts.into_iter().map(str::to_string).collect(),
        })
    });
    splits.insert(word.to_string(), found.clone());
    found
}

/// Whether compounds are split (the word lists were found).
pub fn splitting() -> bool {
    splitter().is_some()
}

/// The stems of the parts of a compound, given as a lower-case word as written: what the
/// `_parts` fields hold for it. `None` when it is not a compound.
pub fn compound_parts(word: &str) -> Option<Vec<String>> {
    split(word).map(|s| s.stems.to_vec())
}

/// The terms `analyzer` makes of `text`, for tests and query building.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Collapses "aa" to "a" and "oe" to "o" in already folded tokens.
#[derive(Clone)]
struct DigraphFilter;

impl TokenFilter for DigraphFilter {
    type Tokenizer<T: Tokenizer> = DigraphTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DigraphTokenizer<T> {
        DigraphTokenizer { inner: tokenizer }
    }
}

#[derive(Clone)]
struct DigraphTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for DigraphTokenizer<T> {
    type TokenStream<'a> = DigraphStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DigraphStream {
            tail: self.inner.token_stream(text),
            buffer: String::new(),
        }
    }
}

struct DigraphStream<S> {
    tail: S,
    buffer: String,
}

impl<S: TokenStream> TokenStream for DigraphStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let text = &self.tail.token().text;
        if text.contains("aa") || text.contains("oe") {
            self.buffer.clear();
            self.buffer
                .push_str(&text.replace("aa", "a").replace("oe", "o"));
            mem::swap(&mut self.tail.token_mut().text, &mut self.buffer);
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Empties tokens that do not start with one of `stems` (or, with `inside`, hold one).
/// The stems are one Aho-Corasick automaton, so a token is checked in one pass over it
/// whatever the number of stems: an expanded query has dozens, and every word of every
/// snippet page is checked.
#[derive(Clone)]
struct CandidateFilter {
    stems: Arc<Option<AhoCorasick>>,
    inside: bool,
}

impl TokenFilter for CandidateFilter {
    type Tokenizer<T: Tokenizer> = CandidateTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CandidateTokenizer<T> {
        CandidateTokenizer {
            inner: tokenizer,
            stems: self.stems,
            inside: self.inside,
        }
    }
}

#[derive(Clone)]
struct CandidateTokenizer<T> {
    inner: T,
    stems: Arc<Option<AhoCorasick>>,
    inside: bool,
}

impl<T: Tokenizer> Tokenizer for CandidateTokenizer<T> {
    type TokenStream<'a> = CandidateStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CandidateStream {
            tail: self.inner.token_stream(text),
            stems: &self.stems,
            inside: self.inside,
        }
    }
}

struct CandidateStream<'a, S> {
    tail: S,
    stems: &'a Option<AhoCorasick>,
    inside: bool,
}

impl<S: TokenStream> TokenStream for CandidateStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let anchored = if self.inside {
            Anchored::No
        } else {
            Anchored::Yes
        };
        let candidate = self
            .stems
            .as_ref()
            .is_some_and(|s| s.is_match(Input::new(token.text.as_str()).anchored(anchored)));
        if !candidate {
            token.text.clear();
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The parts of a lower-case word as written in it, unstemmed (the analyzer stems them).
pub fn raw_parts(word: &str) -> Option<Vec<String>> {
    split(word).map(|s| s.raw.to_vec())
}

/// Replaces (or, with `keep_whole`, follows) each compound with its parts, at
/// the compound's place and offsets, from the shared map of splits.
#[derive(Clone)]
struct PartsFilter {
    keep_whole: bool,
}

impl TokenFilter for PartsFilter {
    type Tokenizer<T: Tokenizer> = PartsTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PartsTokenizer<T> {
        PartsTokenizer {
            inner: tokenizer,
            keep_whole: self.keep_whole,
        }
    }
}

#[derive(Clone)]
struct PartsTokenizer<T> {
    inner: T,
    keep_whole: bool,
}

impl<T: Tokenizer> Tokenizer for PartsTokenizer<T> {
    type TokenStream<'a> = PartsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PartsStream {
            tail: self.inner.token_stream(text),
            keep_whole: self.keep_whole,
            pending: None,
            next_part: 0,
            token: Token::default(),
        }
    }
}

struct PartsStream<S> {
    tail: S,
    keep_whole: bool,
    /// The current compound, whose parts are still to give.
    pending: Option<Arc<Split>>,
    next_part: usize,
    token: Token,
}

impl<S: TokenStream> PartsStream<S> {
    fn give_part(&mut self) -> bool {
        let Some(split) = &self.pending else {
            return false;
        };
        match split.raw.get(self.next_part) {
            Some(part) => {
                self.token.text.clear();
                self.token.text.push_str(part);
                self.next_part += 1;
                true
            }
            None => {
                self.pending = None;
                false
            }
        }
    }
}

impl<S: TokenStream> TokenStream for PartsStream<S> {
    fn advance(&mut self) -> bool {
        if self.give_part() {
            return true;
        }
        loop {
            if !self.tail.advance() {
                return false;
            }
            let token = self.tail.token();
            self.pending = split(&token.text);
            if self.keep_whole {
                self.token.clone_from(token);
                self.next_part = 0;
                return true;
            }
            if self.pending.is_some() {
                self.token.clone_from(token);
                self.next_part = 0;
                if self.give_part() {
                    return true;
                }
            }
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}
