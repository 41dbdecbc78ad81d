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

use std::collections::HashMap;
use std::mem;
use std::sync::{Arc, OnceLock};

use crate::norwegian::{Dictionaries, Splitter};

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
pub fn norwegian_finding(stems: Vec<String>, parts: bool) -> TextAnalyzer {
    let candidates = CandidateFilter {
        stems: stems.into(),
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

/// The compound splitter over the system's word lists, built once per process; `None`
/// when they are not installed.
pub fn splitter() -> Option<&'static Splitter> {
    static SPLITTER: OnceLock<Option<Splitter>> = OnceLock::new();
    SPLITTER
        .get_or_init(|| {
            let dictionaries = Dictionaries::system()?;
            let mut stemmer = norwegian();
            Some(Splitter::new(dictionaries, &mut |word| {
                terms(&mut stemmer, word)
                    .into_iter()
                    .next()
                    .unwrap_or_default()
            }))
        })
        .as_ref()
}

/// Whether compounds are split (the word lists were found).
pub fn splitting() -> bool {
    splitter().is_some()
}

/// The stems of the parts of a compound, given as a lower-case word as written: what the
/// `_parts` fields hold for it. `None` when it is not a compound.
pub fn compound_parts(word: &str) -> Option<Vec<String>> {
    let splitter = splitter()?;
    let mut stemmer = norwegian();
    let mut stem = |w: &str| {
        terms(&mut stemmer, w)
            .into_iter()
            .next()
            .unwrap_or_default()
    };
    let parts = splitter.split(word, &mut stem)?;
    Some(parts.iter().map(|part| stem(part)).collect())
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
#[derive(Clone)]
struct CandidateFilter {
    stems: std::sync::Arc<[String]>,
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
    stems: std::sync::Arc<[String]>,
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
    stems: &'a [String],
    inside: bool,
}

impl<S: TokenStream> TokenStream for CandidateStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let inside = self.inside;
        if !self.stems.iter().any(|s| {
            token.text.starts_with(s.as_str()) || (inside && token.text.contains(s.as_str()))
        }) {
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
    let splitter = splitter()?;
    let mut stemmer = norwegian();
    let mut stem = |w: &str| {
        terms(&mut stemmer, w)
            .into_iter()
            .next()
            .unwrap_or_default()
    };
    let parts = splitter.split(word, &mut stem)?;
    Some(parts.into_iter().map(str::to_string).collect())
}

/// Replaces (or, with `keep_whole`, follows) each compound with its parts, at
/// the compound's place and offsets. Splits are remembered per tokenizer (one per indexing
/// thread), since the same words come back page after page.
#[derive(Clone)]
struct PartsFilter {
    keep_whole: bool,
}

/// How many words' splits a tokenizer remembers before it starts again.
const REMEMBERED_SPLITS: usize = 100_000;

type Splits = HashMap<String, Option<Arc<[String]>>>;

impl TokenFilter for PartsFilter {
    type Tokenizer<T: Tokenizer> = PartsTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PartsTokenizer<T> {
        PartsTokenizer {
            inner: tokenizer,
            keep_whole: self.keep_whole,
            splits: HashMap::new(),
        }
    }
}

#[derive(Clone)]
struct PartsTokenizer<T> {
    inner: T,
    keep_whole: bool,
    splits: Splits,
}

impl<T: Tokenizer> Tokenizer for PartsTokenizer<T> {
    type TokenStream<'a> = PartsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.splits.len() > REMEMBERED_SPLITS {
            self.splits.clear();
        }
        PartsStream {
            tail: self.inner.token_stream(text),
            keep_whole: self.keep_whole,
            splits: &mut self.splits,
            pending: None,
            next_part: 0,
            token: Token::default(),
        }
    }
}

struct PartsStream<'a, S> {
    tail: S,
    keep_whole: bool,
    splits: &'a mut Splits,
    /// The parts of the current compound still to give.
    pending: Option<Arc<[String]>>,
    next_part: usize,
    token: Token,
}

impl<S: TokenStream> PartsStream<'_, S> {
    fn give_part(&mut self) -> bool {
        let Some(parts) = &self.pending else {
            return false;
        };
        match parts.get(self.next_part) {
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

impl<S: TokenStream> TokenStream for PartsStream<'_, S> {
    fn advance(&mut self) -> bool {
        if self.give_part() {
            return true;
        }
        loop {
            if !self.tail.advance() {
                return false;
            }
            let token = self.tail.token();
            let parts = match self.splits.get(&token.text) {
                Some(known) => known.clone(),
                None => {
                    let found = if token.text.is_empty() {
                        None
                    } else {
                        raw_parts(&token.text).map(Arc::from)
                    };
                    self.splits.insert(token.text.clone(), found.clone());
                    found
                }
            };
            self.token.clone_from(token);
            self.pending = parts;
            self.next_part = 0;
            if self.keep_whole {
                return true;
            }
            if self.give_part() {
                return true;
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
