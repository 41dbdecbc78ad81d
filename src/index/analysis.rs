//! Norwegian text analysis, registered on every opened index (tantivy does not store
//! custom analyzers in the index).
//!
//! Two analyzers:
//! - [`NORWEGIAN`]: lower case, then bokmål Snowball stemming. æ, ø and å stay letters, so
//!   "sår" (wound) and "sar" never meet in the main fields.
//! - [`NORWEGIAN_ASCII`]: the same, then folded to ASCII (æ→ae, ø→o, å→a) and with the
//!   digraphs older spellings and foreign keyboards use (aa→a, oe→o) collapsed, so "saarbare"
//!   and "sarbare" find "sårbare". It feeds secondary fields that rank below the exact ones.

use std::mem;

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

pub const NORWEGIAN: &str = "arkiv_norwegian";
pub const NORWEGIAN_ASCII: &str = "arkiv_norwegian_ascii";

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
/// it, and every other word is emptied before stemming, which is most of the cost.
pub fn norwegian_finding(stems: Vec<String>) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(CandidateFilter {
            stems: stems.into(),
        })
        .filter(Stemmer::new(Language::Norwegian))
        .build()
}

pub fn register(index: &Index) {
    let manager = index.tokenizers();
    manager.register(NORWEGIAN, norwegian());
    manager.register(NORWEGIAN_ASCII, norwegian_ascii());
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

/// Empties tokens that do not start with one of `stems`.
#[derive(Clone)]
struct CandidateFilter {
    stems: std::sync::Arc<[String]>,
}

impl TokenFilter for CandidateFilter {
    type Tokenizer<T: Tokenizer> = CandidateTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CandidateTokenizer<T> {
        CandidateTokenizer {
            inner: tokenizer,
            stems: self.stems,
        }
    }
}

#[derive(Clone)]
struct CandidateTokenizer<T> {
    inner: T,
    stems: std::sync::Arc<[String]>,
}

impl<T: Tokenizer> Tokenizer for CandidateTokenizer<T> {
    type TokenStream<'a> = CandidateStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CandidateStream {
            tail: self.inner.token_stream(text),
            stems: &self.stems,
        }
    }
}

struct CandidateStream<'a, S> {
    tail: S,
    stems: &'a [String],
}

impl<S: TokenStream> TokenStream for CandidateStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if !self
            .stems
            .iter()
            .any(|s| token.text.starts_with(s.as_str()))
        {
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
