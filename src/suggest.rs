//! Suggestions as you type: what the search box offers for the first letters of a query.
//! Pure text work; the index supplies its part (document titles and frequent words) through
//! [`PrefixList`], the web layer the consultation records.
//!
//! Sources, in the order the list shows them ([`SuggestionKind`]): conventions (their
//! bokmål and English names and ids), laws (`tagging::laws::LAWS`: short name and title),
//! consultation titles, document titles, and the frequent words of the archive's text.
//!
//! Matching: the typed text, [normalized](normalize) (NFC, lower case, every run of
//! characters other than letters and digits one space), must be the start of a word of the
//! suggestion's name ("straff" finds "Lov om straff", "konv" finds nothing in
//! "Istanbulkonvensjonen" since only word starts count). A word is completed from the last
//! word typed, and the words before it are kept ("vold nær" → "vold nærstående").
//!
//! Order, within a kind: names that start with the typed text before names with a later word
//! that does; then by weight (documents with that title, documents with that word; table
//! order for conventions and laws, which carry no weight); then alphabetically. Across
//! kinds: the [`LIMIT`] places are dealt out in turns, one to each kind that has
//! suggestions left, in kind order, so every kind that matches is seen; the list is shown
//! grouped by kind, in kind order.

use unicode_normalization::UnicodeNormalization;

use crate::consultations::Consultations;
use crate::model::Convention;
use crate::tagging::laws::LAWS;

/// At most this many suggestions are given.
pub const LIMIT: usize = 8;
/// Fewer characters than this (after trimming) get no suggestions.
pub const MIN_CHARS: usize = 2;
/// More characters than this are refused.
pub const MAX_CHARS: usize = 100;

/// Where a suggestion comes from; the order of the variants is the order of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SuggestionKind {
    Convention,
    Law,
    Consultation,
    Title,
    Term,
}

impl SuggestionKind {
    pub const ALL: [SuggestionKind; 5] = [
        SuggestionKind::Convention,
        SuggestionKind::Law,
        SuggestionKind::Consultation,
        SuggestionKind::Title,
        SuggestionKind::Term,
    ];

    /// The stable id used in the JSON API.
    pub fn id(self) -> &'static str {
        match self {
            SuggestionKind::Convention => "convention",
            SuggestionKind::Law => "law",
            SuggestionKind::Consultation => "consultation",
            SuggestionKind::Title => "title",
            SuggestionKind::Term => "term",
        }
    }
}

/// What choosing a suggestion searches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The documents that refer to the convention (a filter).
    Convention(Convention),
    /// The documents that cite the law (a filter), by its id.
    Law(&'static str),
    /// The documents that answer the consultation (a filter), by its id.
    Consultation(String),
    /// A search for the suggestion's text.
    Query,
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// What the list shows and the search box takes.
    pub text: String,
    pub kind: SuggestionKind,
    pub target: Target,
}

/// Why typed text gets no suggestions and an error instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrefixError {
    #[error("at most {MAX_CHARS} characters")]
    TooLong,
    #[error("control characters are not allowed")]
    Control,
}

/// Typed text, checked and normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    /// The whole text, [normalized](normalize).
    pub normalized: String,
    /// The last word, normalized: what a word suggestion completes.
    pub last_word: String,
    /// The words before the last as typed (whitespace collapsed), kept in front of a word
    /// suggestion.
    pub head: String,
}

impl Prefix {
    /// Checks typed text: `Ok(None)` when it is too short to suggest anything, an error when
    /// it is too long or holds control characters.
    pub fn parse(typed: &str) -> Result<Option<Prefix>, PrefixError> {
        if typed.chars().count() > MAX_CHARS {
            return Err(PrefixError::TooLong);
        }
        if typed.chars().any(char::is_control) {
            return Err(PrefixError::Control);
        }
        let normalized = normalize(typed);
        if normalized.chars().count() < MIN_CHARS {
            return Ok(None);
        }
        let typed_words: Vec<&str> = typed.split_whitespace().collect();
        let (head, last) = match typed_words.split_last() {
            Some((last, head)) => (head.join(" "), normalize(last)),
            None => (String::new(), String::new()),
        };
        Ok(Some(Prefix {
            normalized,
            last_word: last,
            head,
        }))
    }
}

/// The form names are compared in: NFC, lower case, every run of characters other than
/// letters and digits one space, no space at either end. æ, ø and å stay themselves.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

/// Whether `prefix` (normalized) starts a word of `name` (normalized): `Some(true)` when it
/// starts the name itself, `Some(false)` when it starts a later word, `None` when neither.
pub fn word_start_match(name: &str, prefix: &str) -> Option<bool> {
    if name.starts_with(prefix) {
        return Some(true);
    }
    name.match_indices(' ')
        .any(|(i, _)| name[i + 1..].starts_with(prefix))
        .then_some(false)
}

/// A match found by a [`PrefixList`]: the item's text, whether it starts with the prefix,
/// and its weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixMatch<'a> {
    pub text: &'a str,
    pub starts: bool,
    pub weight: u64,
}

/// Many weighted names (document titles, words) found by the start of any of their words:
/// every word start of every name's normalized form, sorted, so a prefix is two binary
/// searches. The names are numbered in the order of the module's documentation (weight,
/// then text), so the best of a range is found from the numbers alone, without reading a
/// name: a scan of a range of 8-byte entries, however short the prefix.
#[derive(Debug, Default)]
pub struct PrefixList {
    /// Best first: by weight, then text.
    items: Vec<Item>,
    /// (item, byte offset of a word start in its key), sorted by the key from that offset.
    starts: Vec<(u32, u32)>,
}

#[derive(Debug)]
struct Item {
    text: String,
    key: String,
    weight: u64,
}

impl PrefixList {
    /// Builds the list from names and their weights; names that normalize to nothing are
    /// left out. With `every_word`, each word start of a name is a key; else only its start.
    pub fn new(names: impl IntoIterator<Item = (String, u64)>, every_word: bool) -> PrefixList {
        let mut items: Vec<Item> = names
            .into_iter()
            .filter_map(|(text, weight)| {
                let key = normalize(&text);
                (!key.is_empty()).then_some(Item { text, key, weight })
            })
            .collect();
        items.sort_unstable_by(|a, b| b.weight.cmp(&a.weight).then_with(|| a.text.cmp(&b.text)));
        items.shrink_to_fit();
        let mut starts = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { break };
            starts.push((i, 0));
            if every_word {
                starts.extend(
                    item.key
                        .match_indices(' ')
                        .filter_map(|(at, _)| u32::try_from(at + 1).ok())
                        .map(|at| (i, at)),
                );
            }
        }
        let key = |&(i, at): &(u32, u32)| &items[i as usize].key[at as usize..];
        starts.sort_unstable_by(|a, b| key(a).cmp(key(b)));
        starts.shrink_to_fit();
        PrefixList { items, starts }
    }

    /// How many names the list holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The best `limit` names with a word starting with `prefix` (normalized), best first,
    /// in the module's order; each name once.
    pub fn best(&self, prefix: &str, limit: usize) -> Vec<PrefixMatch<'_>> {
        if prefix.is_empty() || limit == 0 {
            return Vec::new();
        }
        let key = |&(i, at): &(u32, u32)| &self.items[i as usize].key[at as usize..];
        // Keys below the prefix, then those starting with it, then the rest: two binary
        // searches give the range.
        let first = self.starts.partition_point(|s| key(s) < prefix);
        let end = first + self.starts[first..].partition_point(|s| key(s).starts_with(prefix));
        // (does not start the name, item number): smaller is better.
        let mut best: Vec<(bool, u32)> = Vec::with_capacity(limit + 1);
        for &(item, at) in &self.starts[first..end] {
            let found = (at != 0, item);
            if best.len() == limit && best.last().is_some_and(|worst| found >= *worst) {
                continue;
            }
            // A name matched at several word starts counts once, at its best.
            if let Some(seen) = best.iter().position(|&(_, i)| i == item) {
                if found >= best[seen] {
                    continue;
                }
                best.remove(seen);
            }
            let at = best.partition_point(|m| *m < found);
            best.insert(at, found);
            best.truncate(limit);
        }
        best.into_iter()
            .map(|(later, item)| {
                let item = &self.items[item as usize];
                PrefixMatch {
                    text: &item.text,
                    starts: !later,
                    weight: item.weight,
                }
            })
            .collect()
    }
}

/// What the index offers for a prefix: its best titles and its best words (for the last word
/// typed), each in the order of [`PrefixList::best`].
#[derive(Debug, Clone, Default)]
pub struct IndexMatches {
    pub titles: Vec<(String, bool)>,
    pub terms: Vec<(String, bool)>,
}

/// The suggestions for `prefix`, at most [`LIMIT`], in the module's order. `english` picks
/// the names of conventions shown.
pub fn suggest(
    prefix: &Prefix,
    english: bool,
    consultations: &Consultations,
    index: &IndexMatches,
) -> Vec<Suggestion> {
    let mut by_kind: Vec<Vec<Suggestion>> = Vec::with_capacity(SuggestionKind::ALL.len());

    // Conventions and laws: table order, those whose shown name starts with the text first.
    let mut conventions: Vec<(bool, Suggestion)> = Vec::new();
    for c in Convention::ALL {
        let shown = if english { c.short_en() } else { c.short_nb() };
        let names = [shown, c.short_nb(), c.short_en(), c.id()];
        let found = names
            .iter()
            .filter_map(|n| word_start_match(&normalize(n), &prefix.normalized))
            .max();
        if let Some(starts) = found {
            conventions.push((
                starts,
                Suggestion {
                    text: shown.to_string(),
                    kind: SuggestionKind::Convention,
                    target: Target::Convention(c),
                },
            ));
        }
    }
    by_kind.push(starts_first(conventions));

    let mut laws: Vec<(bool, Suggestion)> = Vec::new();
    for law in &LAWS {
        let found = [law.name, law.title]
            .iter()
            .filter_map(|n| word_start_match(&normalize(n), &prefix.normalized))
            .max();
        if let Some(starts) = found {
            laws.push((
                starts,
                Suggestion {
                    text: law.name.to_string(),
                    kind: SuggestionKind::Law,
                    target: Target::Law(law.id),
                },
            ));
        }
    }
    by_kind.push(starts_first(laws));

    let mut records: Vec<(bool, &str, &str)> = consultations
        .iter()
        .filter_map(|c| {
            word_start_match(&normalize(&c.title), &prefix.normalized)
                .map(|starts| (starts, c.title.as_str(), c.id.as_str()))
        })
        .collect();
    records.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)).then(a.2.cmp(b.2)));
    by_kind.push(
        records
            .into_iter()
            .map(|(_, title, id)| Suggestion {
                text: title.to_string(),
                kind: SuggestionKind::Consultation,
                target: Target::Consultation(id.to_string()),
            })
            .collect(),
    );

    by_kind.push(
        index
            .titles
            .iter()
            .map(|(title, _)| Suggestion {
                text: title.clone(),
                kind: SuggestionKind::Title,
                target: Target::Query,
            })
            .collect(),
    );
    by_kind.push(
        index
            .terms
            .iter()
            .map(|(term, _)| Suggestion {
                text: if prefix.head.is_empty() {
                    term.clone()
                } else {
                    format!("{} {term}", prefix.head)
                },
                kind: SuggestionKind::Term,
                target: Target::Query,
            })
            .collect(),
    );
    choose(by_kind)
}

/// Those that start with the text first, each group in its given order.
fn starts_first(mut found: Vec<(bool, Suggestion)>) -> Vec<Suggestion> {
    found.sort_by_key(|(starts, _)| !*starts);
    found.into_iter().map(|(_, s)| s).collect()
}

/// The places dealt out in turns, one to each kind with suggestions left, in kind order,
/// until [`LIMIT`] are given or none are left; each list is already in its kind's order.
fn choose(by_kind: Vec<Vec<Suggestion>>) -> Vec<Suggestion> {
    let mut taken = vec![0usize; by_kind.len()];
    let mut total = 0;
    while total < LIMIT {
        let before = total;
        for (list, taken) in by_kind.iter().zip(taken.iter_mut()) {
            if total < LIMIT && *taken < list.len() {
                *taken += 1;
                total += 1;
            }
        }
        if total == before {
            break;
        }
    }
    by_kind
        .into_iter()
        .zip(taken)
        .flat_map(|(list, n)| list.into_iter().take(n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_keeps_letters_and_splits_on_the_rest() {
        assert_eq!(
            normalize("  Høringssvar – Lov om «straff» "),
            "høringssvar lov om straff"
        );
    }

    #[test]
    fn best_orders_starts_then_weight_then_text() {
        let list = PrefixList::new(
            [
                ("Vold i nære relasjoner".to_string(), 1),
                ("Om vold".to_string(), 9),
                ("Voldsoffer".to_string(), 5),
                ("vold og vold".to_string(), 5),
            ],
            true,
        );
        let texts: Vec<&str> = list.best("vold", 8).iter().map(|m| m.text).collect();
        assert_eq!(
            texts,
            [
                "Voldsoffer",
                "vold og vold",
                "Vold i nære relasjoner",
                "Om vold"
            ]
        );
        assert_eq!(list.best("vold", 2).len(), 2);
    }
}
