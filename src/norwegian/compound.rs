//! Splitting Norwegian compounds into their parts with the Hunspell word lists:
//! "kvinnedrapene" → kvinne + drapene, "voldsutsatt" → vold + (s) + utsatt, "barnevernet"
//! → barn + (e) + vernet. Every part but the last must be a word of the lists as written;
//! the last may be inflected (its stem is the stem of a word of the lists); a joining
//! letter (s or e) may stand between two parts. Of all the ways to cut a word, the one with
//! the fewest parts wins, then the one with fewer joining letters, then the one with the
//! longer first part.
//!
//! The rules (also in resources/compounds/README.md, with the hand-split list that measures
//! them):
//! - a part has at least [`MIN_PART`] letters;
//! - a part shorter than [`FREE_PART`] letters must carry the lists' compound flag, which
//!   keeps "handling" from being cut into "hand" + "ling";
//! - derivational endings that are also words ([`NOT_TAILS`]: "het", "ling", …) are never
//!   the last part, and after -ing, -het, -sjon, … the joining s is required;
//! - a part that is itself a compound of parts of [`MIN_INNER_PART`] letters or more, each
//!   with the compound flag, is cut again ("krisesenter" in "krisesenterlova");
//! - prepositions and particles ([`NOT_HEADS`]) do not begin compounds: "etterforskning"
//!   and "overgrep" are words of their own, not "etter" + "forskning";
//! - at most [`MAX_PARTS`] parts.

use std::collections::HashMap;

use fnv::FnvHashMap;

use super::Dictionaries;

pub const MIN_PART: usize = 3;
pub const FREE_PART: usize = 5;
/// A part is cut again into smaller parts only when each of those has this many letters.
pub const MIN_INNER_PART: usize = 4;
pub const MAX_PARTS: usize = 4;
/// Words shorter than this (in letters) are never split.
pub const MIN_COMPOUND: usize = 2 * MIN_PART + 1;

/// Prepositions and particles: derivations begin with them, compounds do not.
pub const NOT_HEADS: &[&str] = &[
    "etter", "over", "under", "mellom", "gjennom", "innen", "uten", "utenfor", "til", "fra", "for",
    "med", "mot", "opp", "ned", "inn", "inne", "ute", "av", "på", "om", "bak", "fram", "frem",
    "forbi", "hos", "sam", "mis", "van", "bort", "unn", "imot", "fore",
];

/// Derivational endings that are also words ("het", hot): never the last part.
pub const NOT_TAILS: &[&str] = &[
    "het", "heit", "else", "skap", "ling", "lig", "dom", "ning", "ing", "ens", "nes", "ikk", "ene",
    "ane", "ter", "sjon", "ere", "ert", "ingen", "inga",
];

/// Endings after which a compound always takes the joining s: "utlending-s-loven",
/// "likestilling-s-arbeid" (the rule of Norwegian grammar).
const TAKES_S: &[&str] = &[
    "ing", "ning", "het", "heit", "else", "sjon", "skap", "dom", "tet",
];

/// The joining letters that may stand between two parts.
const JOINERS: [char; 2] = ['s', 'e'];

#[derive(PartialEq, Eq)]
pub struct Splitter {
    /// Words as written → whether the lists allow them inside compounds.
    pub(super) heads: FnvHashMap<String, bool>,
    /// The stems of the same words, for an inflected last part.
    pub(super) stems: FnvHashMap<String, bool>,
}

impl std::fmt::Debug for Splitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Splitter")
            .field("words", &self.heads.len())
            .finish()
    }
}

/// A way to cut the rest of a word: byte ranges of the parts, and joining letters used.
type Cut = (Vec<(usize, usize)>, usize);

impl Splitter {
    /// A splitter over both written standards; `stem` is the stemmer the index uses.
    pub fn new(dictionaries: &Dictionaries, stem: &mut dyn FnMut(&str) -> String) -> Splitter {
        let mut heads = FnvHashMap::default();
        for list in [&dictionaries.bokmal, &dictionaries.nynorsk] {
            for (word, flag) in &list.entries {
                if word.chars().count() >= MIN_PART {
                    *heads.entry(word.clone()).or_insert(false) |= *flag;
                }
            }
        }
        let mut stems = FnvHashMap::default();
        for (word, flag) in &heads {
            let stemmed = stem(word);
            if stemmed.chars().count() >= MIN_PART {
                *stems.entry(stemmed).or_insert(false) |= *flag;
            }
        }
        for word in NOT_HEADS {
            heads.remove(*word);
        }
        Splitter { heads, stems }
    }

    /// The parts of `word` (lower case, as written) as they stand in it, joining letters
    /// left out; `None` when it is not a compound of known words. `stem` is the index's
    /// stemmer, for the last part.
    pub fn split<'a>(
        &self,
        word: &'a str,
        stem: &mut dyn FnMut(&str) -> String,
    ) -> Option<Vec<&'a str>> {
        if word.chars().count() < MIN_COMPOUND || !word.chars().all(char::is_alphabetic) {
            return None;
        }
        let mut memo = HashMap::new();
        let (cuts, _) = self.best(word, 0, stem, &mut memo)?;
        if cuts.len() < 2 {
            return None;
        }
        // A part that is itself a compound of words long enough ("krisesenter" in
        // "krisesenterlova") is cut again.
        let mut parts = Vec::new();
        for &(a, b) in &cuts {
            let part = &word[a..b];
            match self.split(part, stem) {
                Some(inner)
                    if parts.len() + inner.len() <= MAX_PARTS
                        && inner.iter().all(|p| {
                            p.chars().count() >= MIN_INNER_PART
                                && self.heads.get(*p).is_some_and(|flag| *flag)
                        }) =>
                {
                    parts.extend(inner)
                }
                _ => parts.push(part),
            }
        }
        Some(parts)
    }

    fn known(map: &FnvHashMap<String, bool>, part: &str) -> bool {
        let letters = part.chars().count();
        letters >= MIN_PART
            && map
                .get(part)
                .is_some_and(|flag| *flag || letters >= FREE_PART)
    }

    fn last_part(&self, part: &str, stem: &mut dyn FnMut(&str) -> String) -> bool {
        let stemmed = stem(part);
        if NOT_TAILS.contains(&part) || NOT_TAILS.contains(&stemmed.as_str()) {
            return false;
        }
        Splitter::known(&self.heads, part)
            || (stemmed.chars().count() >= MIN_PART && Splitter::known(&self.stems, &stemmed))
    }

    /// The best cut of `word[from..]`.
    fn best(
        &self,
        word: &str,
        from: usize,
        stem: &mut dyn FnMut(&str) -> String,
        memo: &mut HashMap<usize, Option<Cut>>,
    ) -> Option<Cut> {
        if let Some(known) = memo.get(&from) {
            return known.clone();
        }
        let rest = &word[from..];
        let mut best: Option<Cut> = None;
        if from > 0 && self.last_part(rest, stem) {
            best = Some((vec![(from, word.len())], 0));
        }
        if best.is_none() {
            for (offset, _) in rest.char_indices().skip(MIN_PART) {
                let end = from + offset;
                if !Splitter::known(&self.heads, &word[from..end]) {
                    continue;
                }
                let head = &word[from..end];
                let mut next = vec![(end, 0)];
                if let Some(c) = word[end..].chars().next()
                    && JOINERS.contains(&c)
                {
                    if c == 's' && TAKES_S.iter().any(|e| head.ends_with(e)) {
                        next.clear();
                    }
                    next.push((end + c.len_utf8(), 1));
                }
                for (start, joiner) in next {
                    if start >= word.len() {
                        continue;
                    }
                    let Some((tail, joiners)) = self.best(word, start, stem, memo) else {
                        continue;
                    };
                    if tail.len() + 1 > MAX_PARTS {
                        continue;
                    }
                    // Fewer parts, then the longer first part (a later `end`), then fewer
                    // joining letters.
                    let better = match &best {
                        None => true,
                        Some((b, j)) => {
                            tail.len() + 1 < b.len()
                                || (tail.len() + 1 == b.len()
                                    && (end > b[0].1 || (end == b[0].1 && joiners + joiner < *j)))
                        }
                    };
                    if better {
                        let mut cuts = vec![(from, end)];
                        cuts.extend(tail);
                        best = Some((cuts, joiners + joiner));
                    }
                }
            }
        }
        memo.insert(from, best.clone());
        best
    }
}
