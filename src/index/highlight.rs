//! Highlights as text and ranges: which words of a text a query matches. The index says
//! where they are and nothing about how they look; `web` renders them as HTML and the
//! command line as terminal text.

use std::collections::HashSet;
use std::ops::Range;

use tantivy::tokenizer::TokenStream;

use super::analysis::{compound_parts, norwegian, norwegian_ascii, terms};
use super::ranking::MIN_COMPOUND_HEAD;
use crate::query::{Item, ParsedQuery};

/// A text and the **byte** ranges of its highlighted words. The ranges are in order, never
/// overlap, are never empty, and lie on character boundaries of the text, so
/// `&text()[range]` never panics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Highlighted {
    text: String,
    ranges: Vec<Range<usize>>,
}

impl Highlighted {
    /// `text` with the given ranges marked. Ranges outside the text, off a character
    /// boundary or empty are dropped; overlapping and touching ones are joined.
    pub fn new(text: String, ranges: impl IntoIterator<Item = Range<usize>>) -> Highlighted {
        let mut wanted: Vec<Range<usize>> = ranges
            .into_iter()
            .filter(|r| r.start < r.end && text.get(r.clone()).is_some())
            .collect();
        wanted.sort_by_key(|r| (r.start, r.end));
        let mut joined: Vec<Range<usize>> = Vec::with_capacity(wanted.len());
        for range in wanted {
            match joined.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => joined.push(range),
            }
        }
        Highlighted {
            text,
            ranges: joined,
        }
    }

    /// Text with nothing highlighted.
    pub fn plain(text: String) -> Highlighted {
        Highlighted {
            text,
            ranges: Vec::new(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The highlighted byte ranges of [`Highlighted::text`].
    pub fn ranges(&self) -> &[Range<usize>] {
        &self.ranges
    }

    /// The text in consecutive pieces, each with whether it is highlighted; joined, the
    /// pieces are the text. No piece is empty.
    pub fn pieces(&self) -> impl Iterator<Item = (&str, bool)> {
        let mut out = Vec::with_capacity(self.ranges.len() * 2 + 1);
        let mut at = 0;
        for range in &self.ranges {
            if range.start > at {
                out.push((&self.text[at..range.start], false));
            }
            out.push((&self.text[range.clone()], true));
            at = range.end;
        }
        if at < self.text.len() {
            out.push((&self.text[at..], false));
        }
        out.into_iter()
    }
}

/// Marks in `text` every word the query's words and phrases would match: the same stem,
/// the same ASCII-folded stem, (for long words and prefixes) a word starting with it, the
/// thesaurus terms and other-standard forms the search adds, and compounds holding one of
/// them as a part.
pub fn highlight(text: &str, query: &ParsedQuery) -> Highlighted {
    let mut exact = norwegian();
    let mut folded = norwegian_ascii();
    let mut exact_wanted = HashSet::new();
    let mut folded_wanted = HashSet::new();
    let mut prefixes = Vec::new();
    for clause in query.clauses.iter().filter(|c| !c.negated) {
        for item in &clause.alternatives {
            match item {
                Item::Word(s) | Item::Phrase(s) => {
                    let stems = terms(&mut exact, s);
                    // Searches find compounds from a long word's stem; mark them too.
                    if let (Item::Word(_), [stem]) = (item, stems.as_slice())
                        && stem.chars().count() >= MIN_COMPOUND_HEAD
                    {
                        prefixes.push(stem.clone());
                    }
                    exact_wanted.extend(stems);
                    folded_wanted.extend(terms(&mut folded, s));
                }
                Item::Prefix(p) => prefixes.push(p.to_lowercase()),
            }
        }
    }
    // Single words only: a word of a multi-word term ("partner" of "partner homicide") is
    // not that term.
    for (term, _) in super::search::expansions(query) {
        if term.split_whitespace().count() > 1 {
            continue;
        }
        exact_wanted.extend(terms(&mut exact, &term));
        folded_wanted.extend(terms(&mut folded, &term));
    }
    let mut ranges = Vec::new();
    let mut exact_stream = exact.token_stream(text);
    let mut folded_stream = folded.token_stream(text);
    while exact_stream.advance() && folded_stream.advance() {
        let token = exact_stream.token();
        let original = text
            .get(token.offset_from..token.offset_to)
            .unwrap_or_default()
            .to_lowercase();
        // A compound is split only when it holds a wanted stem at all: most words do not.
        let holds_part = || {
            exact_wanted.iter().any(|w| original.contains(w.as_str()))
                && compound_parts(&original)
                    .is_some_and(|parts| parts.iter().any(|p| exact_wanted.contains(p)))
        };
        if exact_wanted.contains(&token.text)
            || folded_wanted.contains(&folded_stream.token().text)
            || prefixes.iter().any(|p| original.starts_with(p.as_str()))
            || holds_part()
        {
            ranges.push(token.offset_from..token.offset_to);
        }
    }
    Highlighted::new(text.to_string(), ranges)
}
