//! The secretariat's focus areas (its own page names six) and which of them a document
//! treats.
//!
//! Each area is signalled by thesaurus concepts (`resources/thesaurus.toml`) and a few terms
//! of its own: the concepts carry the area's core vocabulary, the extra terms the groups and
//! settings it concerns that the thesaurus, written for search, has no concept for. A
//! document treats an area when the area's signals carry enough weight for its length and
//! recur in several parts of it: a passing mention in one paragraph of a letter, or a few
//! words in a long report, does not count. The thresholds are tuned on the judged documents
//! in `resources/topics/` (`cargo test --test it topics` measures them).

use std::sync::LazyLock;

use regex::Regex;

use super::normalize;
use crate::norwegian::thesaurus::Thesaurus;

/// One focus area.
#[derive(Debug)]
pub struct FocusArea {
    /// The id used in URLs, facets, sidecars and the API.
    pub id: &'static str,
    pub name_nb: &'static str,
    pub name_en: &'static str,
    /// Thesaurus concepts whose terms are the area's core signals.
    pub concepts: &'static [&'static str],
    /// Further core terms (lowercase), as strong as a concept's.
    pub core: &'static [&'static str],
    /// Thesaurus concepts that support the area without being its core.
    pub support_concepts: &'static [&'static str],
    /// Supporting terms (lowercase): the people and settings the area concerns. They weigh
    /// half as much, since they also occur where the area is not the subject.
    pub support: &'static [&'static str],
}

/// The focus areas in the order of the secretariat's page.
pub static FOCUS_AREAS: [FocusArea; 6] = [
    FocusArea {
        id: "vold-mot-kvinner-og-barn",
        name_nb: "Vold mot kvinner og deres barn",
        name_en: "Violence against women and their children",
        concepts: &["vold-mot-kvinner", "barn-som-lever-med-vold"],
        support_concepts: &[],
        core: &[
            "barn på krisesenter",
            "barn på krisesentrene",
            "barna på krisesenteret",
            "mødre og barn",
            "kvinner og barn",
            "born på krisesenter",
            "violence against women and girls",
            "women and children",
            "domestic violence",
        ],
        support: &[
            "kvinner", "kvinnene", "kvinnen", "mødre", "mor", "barn", "barna", "barnet", "born",
            "borna", "women", "woman", "girls", "mothers", "children",
        ],
    },
    FocusArea {
        id: "partnerdrap",
        name_nb: "Partnerdrap",
        name_en: "Intimate partner homicide",
        concepts: &["partnerdrap"],
        support_concepts: &[],
        core: &[
            "drept av",
            "drepes av partner",
            "dødelig vold",
            "killed by",
            "lethal violence",
        ],
        support: &["drap", "drapene", "drapet", "homicide", "murder", "murders"],
    },
    FocusArea {
        id: "sarbare-grupper",
        name_nb: "Sårbare grupper",
        name_en: "Vulnerable groups",
        concepts: &[
            "sarbare-grupper",
            "migrantkvinner",
            "samiske-voldsutsatte",
            "familieinnvandring",
        ],
        support_concepts: &[],
        core: &[
            "nedsatt funksjonsevne",
            "nedsett funksjonsevne",
            "funksjonsnedsettelse",
            "rusproblemer",
            "rusproblem",
            "psykiske lidelser",
            "psykiske lidingar",
            "selvstendig oppholdstillatelse",
            "midlertidig oppholdstillatelse",
            "urfolkskvinner",
            "nasjonale minoriteter",
            "disabilities",
            "substance abuse",
            "migrants",
            "minorities",
            "indigenous",
            "roma",
            "asylum seekers",
            "refugees",
        ],
        support: &[
            "sårbare",
            "samisk",
            "samiske",
            "minoritet",
            "minoriteter",
            "innvandrere",
            "oppholdstillatelse",
            "oppholdsstatus",
            "migrant",
            "minority",
            "sami",
            "residence permit",
        ],
    },
    FocusArea {
        id: "ungdom-og-forebygging",
        name_nb: "Ungdom og forebygging",
        name_en: "Youth and prevention",
        concepts: &["ungdom", "negativ-sosial-kontroll"],
        // Prevention is named everywhere (torture, crime, disease): it supports the area
        // only beside the young.
        support_concepts: &["forebygging"],
        core: &[
            "unge kvinner og menn",
            "unge over 18",
            "forebygge vold",
            "førebyggje vald",
            "prevent violence",
            "young women",
            "young men",
        ],
        support: &[
            "skole",
            "skolen",
            "skule",
            "skulen",
            "elever",
            "tvangsekteskap",
            "school",
            "schools",
            "adolescent",
        ],
    },
    FocusArea {
        id: "vold-mot-dyr",
        name_nb: "Vold mot dyr og vold i nære relasjoner",
        name_en: "Violence against animals and domestic violence",
        concepts: &["vold-mot-dyr"],
        support_concepts: &[],
        core: &[
            "kjæledyr",
            "dyrevelferd",
            "dyrevern",
            "mishandling av dyr",
            "pets",
            "animal welfare",
            "animal cruelty",
        ],
        support: &[
            "dyr", "dyra", "dyrene", "dyret", "husdyr", "animals", "animal",
        ],
    },
    FocusArea {
        id: "menneskehandel",
        name_nb: "Menneskehandel",
        name_en: "Human trafficking",
        concepts: &["menneskehandel"],
        support_concepts: &[],
        core: &[
            "palermoprotokollen",
            "palermo protocol",
            "handel med kvinner",
            "trafficked",
            "traffickers",
            "human beings",
        ],
        support: &[
            "prostitusjon",
            "utnytting",
            "tvangsarbeid",
            "prostitution",
            "sexual exploitation",
            "forced labour",
            "forced labor",
        ],
    },
];

/// The ids of [`FOCUS_AREAS`], as a constant list for the API's schema (a test keeps them
/// equal).
pub const TOPIC_IDS: [&str; 6] = [
    "vold-mot-kvinner-og-barn",
    "partnerdrap",
    "sarbare-grupper",
    "ungdom-og-forebygging",
    "vold-mot-dyr",
    "menneskehandel",
];

/// The focus area with this id.
pub fn focus_area(id: &str) -> Option<&'static FocusArea> {
    FOCUS_AREAS.iter().find(|a| a.id == id)
}

/// An area's position in the table, for sorting ids that came from elsewhere.
pub fn area_order(id: &str) -> usize {
    FOCUS_AREAS
        .iter()
        .position(|a| a.id == id)
        .unwrap_or(usize::MAX)
}

/// What decides that a document treats an area. The shipped values are [`Thresholds::TUNED`].
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// Weighted occurrences in the densest passage of [`WINDOW_WORDS`] words: a section or
    /// a few paragraphs given to the area, wherever it is in a long report.
    pub min_window: f64,
    /// Weighted core occurrences in the whole document.
    pub min_core: f64,
    /// Of the document's [`PARTS`] equal parts, how many must hold a core signal or more
    /// than one supporting one.
    pub min_parts: usize,
}

impl Thresholds {
    /// Tuned on the judged documents (`resources/topics/README.md` gives the figures).
    /// Every passage judged a passing mention weighs at most 6 in its window, or has no
    /// core signal; asking for two parts of the document lost a letter whose closing
    /// section is given to the area and removed no false area, so one part is enough.
    pub const TUNED: Thresholds = Thresholds {
        min_window: 7.0,
        min_core: 2.0,
        min_parts: 1,
    };
}

/// How many equal parts (by words) a document is cut into to see whether an area recurs.
pub const PARTS: usize = 5;

/// The length of the passage [`Thresholds::min_window`] is measured over.
pub const WINDOW_WORDS: usize = 250;

/// Core signals weigh this much, supporting ones 1.
const CORE_WEIGHT: f64 = 2.0;

/// The evidence for one area in one document.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaScore {
    pub id: &'static str,
    /// Weighted occurrences.
    pub weight: f64,
    /// Weighted occurrences per 1,000 words.
    pub density: f64,
    /// Parts of the document where the area shows.
    pub parts: usize,
    /// Weighted occurrences in the densest passage of [`WINDOW_WORDS`] words.
    pub window: f64,
    /// Weighted core occurrences.
    pub core: f64,
}

impl AreaScore {
    pub fn passes(&self, t: &Thresholds) -> bool {
        self.window >= t.min_window && self.core >= t.min_core && self.parts >= t.min_parts
    }
}

/// The ids of the focus areas the text treats, in table order.
pub fn detect_topics(text: &str) -> Vec<&'static str> {
    score_topics(text)
        .into_iter()
        .filter(|s| s.passes(&Thresholds::TUNED))
        .map(|s| s.id)
        .collect()
}

/// The evidence for every area, in table order (for tuning and for staff who ask why).
pub fn score_topics(text: &str) -> Vec<AreaScore> {
    let text = normalize(text).to_lowercase();
    let words: Vec<usize> = WORD_RE.find_iter(&text).map(|m| m.start()).collect();
    let word_count = words.len().max(1);
    // The byte offset where each part after the first begins.
    let bounds: Vec<usize> = (1..PARTS)
        .map(|i| {
            words
                .get(i * words.len() / PARTS)
                .copied()
                .unwrap_or(usize::MAX)
        })
        .collect();
    let part_of = |offset: usize| bounds.iter().take_while(|b| offset >= **b).count();
    MATCHERS
        .iter()
        .map(|(area, core, support)| {
            let mut per_part = [0.0f64; PARTS];
            let (mut weight, mut core_weight) = (0.0, 0.0);
            // (word position, weight) of every hit.
            let mut hits: Vec<(usize, f64)> = Vec::new();
            for (re, w) in [(core, CORE_WEIGHT), (support, 1.0)] {
                let Some(re) = re else { continue };
                for m in re.find_iter(&text) {
                    weight += w;
                    if w >= CORE_WEIGHT {
                        core_weight += w;
                    }
                    per_part[part_of(m.start())] += w;
                    hits.push((words.partition_point(|s| *s < m.start()), w));
                }
            }
            hits.sort_by_key(|h| h.0);
            let (mut window, mut inside, mut first) = (0.0f64, 0.0, 0);
            for i in 0..hits.len() {
                inside += hits[i].1;
                while hits[i].0 - hits[first].0 >= WINDOW_WORDS {
                    inside -= hits[first].1;
                    first += 1;
                }
                window = window.max(inside);
            }
            AreaScore {
                id: area.id,
                weight,
                density: weight * 1000.0 / word_count as f64,
                parts: per_part.iter().filter(|w| **w >= CORE_WEIGHT).count(),
                window,
                core: core_weight,
            }
        })
        .collect()
}

static WORD_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\w+").expect("word pattern is valid"));

type Matcher = (&'static FocusArea, Option<Regex>, Option<Regex>);

/// Per area, one pattern for its core signals and one for its supporting ones.
static MATCHERS: LazyLock<Vec<Matcher>> = LazyLock::new(|| {
    let thesaurus = Thesaurus::shipped();
    FOCUS_AREAS
        .iter()
        .map(|area| {
            let mut core: Vec<String> = area
                .concepts
                .iter()
                .filter_map(|id| thesaurus.concepts.iter().find(|c| c.id == *id))
                .flat_map(|c| c.terms())
                .collect();
            core.extend(area.core.iter().map(|t| t.to_string()));
            let mut support: Vec<String> = area
                .support_concepts
                .iter()
                .filter_map(|id| thesaurus.concepts.iter().find(|c| c.id == *id))
                .flat_map(|c| c.terms())
                .collect();
            support.extend(area.support.iter().map(|t| t.to_string()));
            (area, alternation(core), alternation(support))
        })
        .collect()
});

/// Long terms match as the start of a word, so compounds and inflections count
/// ("menneskehandelsofre", "kvinnedrapene"); short ones only with an inflectional ending,
/// so "roma" does not find "Romania" nor "mor" "moral".
fn alternation(mut terms: Vec<String>) -> Option<Regex> {
    if terms.is_empty() {
        return None;
    }
    // Longest first, so that a term inside a longer one is consumed with it.
    terms.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
    terms.dedup();
    let alternatives: Vec<String> = terms
        .iter()
        .map(|t| {
            let escaped = regex::escape(t).replace(' ', r"\s+");
            if t.chars().count() >= 7 {
                format!(r"\b{escaped}\w*")
            } else {
                format!(r"\b{escaped}(?:s|e|er|ene|en|et|a|ar|ane|ne)?\b")
            }
        })
        .collect();
    // The terms end in Unicode `\w*` and stand behind Unicode `\b`, so the lazy DFA has
    // many states; with its default 2 MB cache it kept throwing states away and building
    // them again, which was most of the time tagging took.
    regex::RegexBuilder::new(&alternatives.join("|"))
        .dfa_size_limit(TOPIC_DFA_CACHE_BYTES)
        .build()
        .ok()
}

/// The lazy DFA's cache of each area's pattern, per thread that uses it.
const TOPIC_DFA_CACHE_BYTES: usize = 16 << 20;
