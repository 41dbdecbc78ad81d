//! The fixed mix of 200 queries every engine runs: single words, two words, phrases,
//! prefixes, and words with a convention or a year filter. Words are drawn from the
//! samples' own sentences at several frequencies (very common, middling, rare), so the mix
//! has both queries that match most of the archive and queries that match a handful.
//!
//! Each query is kept as its parts and rendered for each engine: arkiv's query language,
//! PostgreSQL's `websearch_to_tsquery`/`to_tsquery` text, and an FTS5 MATCH expression.

use std::collections::{HashMap, HashSet};

use arkiv::index::SearchRequest;
use arkiv::model::Convention;
use serde::Serialize;

use crate::corpus::Model;
use crate::rng::Rng;

/// Hits per page (the web's default) and snippet pages per hit (what the web asks for).
pub const LIMIT: usize = 20;
pub const PAGES_PER_HIT: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct BenchQuery {
    pub class: &'static str,
    pub words: Vec<String>,
    pub phrase: Vec<String>,
    pub prefix: Option<String>,
    pub convention: Option<Convention>,
    pub years: Option<(i32, i32)>,
}

impl BenchQuery {
    fn new(class: &'static str) -> BenchQuery {
        BenchQuery {
            class,
            words: Vec::new(),
            phrase: Vec::new(),
            prefix: None,
            convention: None,
            years: None,
        }
    }

    /// The text part in arkiv's (and the web's) query language.
    pub fn arkiv(&self) -> String {
        let mut parts: Vec<String> = self.words.clone();
        if !self.phrase.is_empty() {
            parts.push(format!("\"{}\"", self.phrase.join(" ")));
        }
        if let Some(p) = &self.prefix {
            parts.push(format!("{p}*"));
        }
        if let Some(c) = self.convention {
            parts.push(format!("konvensjon:{}", c.id()));
        }
        match self.years {
            Some((a, b)) if a == b => parts.push(format!("år:{a}")),
            Some((a, b)) => parts.push(format!("år:{a}..{b}")),
            None => {}
        }
        parts.join(" ")
    }

    pub fn request(&self) -> SearchRequest {
        SearchRequest {
            query: self.arkiv(),
            limit: LIMIT,
            pages_per_hit: PAGES_PER_HIT,
            ..SearchRequest::default()
        }
    }

    fn encoded(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &self.arkiv())
            .finish()
    }

    pub fn api_path(&self) -> String {
        format!("/api/search?{}", self.encoded())
    }

    pub fn page_path(&self) -> String {
        format!("/sok?{}", self.encoded())
    }

    /// PostgreSQL: (text, true) for `to_tsquery`, (text, false) for
    /// `websearch_to_tsquery`. Only prefixes need the former (`word:*`).
    pub fn postgres(&self) -> (String, bool) {
        if let Some(p) = &self.prefix {
            let mut parts: Vec<String> = self.words.clone();
            parts.push(format!("{p}:*"));
            return (parts.join(" & "), true);
        }
        let mut parts: Vec<String> = self.words.clone();
        if !self.phrase.is_empty() {
            parts.push(format!("\"{}\"", self.phrase.join(" ")));
        }
        (parts.join(" "), false)
    }

    /// An FTS5 MATCH expression: quoted terms (all must match), a quoted phrase, `p*`.
    pub fn fts5(&self) -> String {
        let mut parts: Vec<String> = self.words.iter().map(|w| format!("\"{w}\"")).collect();
        if !self.phrase.is_empty() {
            parts.push(format!("\"{}\"", self.phrase.join(" ")));
        }
        if let Some(p) = &self.prefix {
            parts.push(format!("{p}*"));
        }
        parts.join(" ")
    }
}

/// Function words, kept out of the mix: PostgreSQL's `norwegian` configuration drops them,
/// so a query of one would find nothing there and everything in arkiv.
const STOP: &[&str] = &[
    "hadde", "kunne", "ville", "deres", "etter", "skulle", "denne", "meget", "hvorfor", "dette",
    "disse", "hvordan", "ingen", "samme", "hvilken", "hvilke", "mellom", "fordi", "mange", "siden",
    "ikkje", "korleis", "medan", "mykje", "nokon", "nokre", "begge", "blitt", "også", "andre",
    "annet", "under", "their", "there", "which", "these", "those", "about", "would", "should",
    "could", "other", "where", "while", "being", "after", "between", "through", "because",
    "before", "against",
];

fn tokens(sentence: &str) -> Vec<String> {
    sentence
        .split_whitespace()
        .map(|t| {
            t.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect()
}

fn content_word(w: &str) -> bool {
    w.chars().count() >= 5 && w.chars().all(char::is_alphabetic) && !STOP.contains(&w)
}

/// Content words by falling frequency.
fn ranked(sentences: &[String]) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for s in sentences {
        for t in tokens(s) {
            if content_word(&t) {
                *counts.entry(t).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
}

struct Picker {
    rng: Rng,
    used: HashSet<String>,
}

impl Picker {
    fn word(&mut self, pool: &[String]) -> String {
        for _ in 0..1000 {
            let w = self.rng.pick(pool).clone();
            if self.used.insert(w.clone()) {
                return w;
            }
        }
        self.rng.pick(pool).clone()
    }
}

/// The 200 queries, in a fixed shuffled order.
pub fn mix(model: &Model, seed: u64) -> Vec<BenchQuery> {
    let no = ranked(&model.sentences_no);
    let en = ranked(&model.sentences_en);
    let frequent: Vec<String> = no.iter().take(80).map(|(w, _)| w.clone()).collect();
    let medium: Vec<String> = no
        .iter()
        .skip(80)
        .take(520)
        .map(|(w, _)| w.clone())
        .collect();
    let rare: Vec<String> = no
        .iter()
        .filter(|(_, n)| *n <= 2)
        .map(|(w, _)| w.clone())
        .collect();
    let english: Vec<String> = en.iter().take(300).map(|(w, _)| w.clone()).collect();
    let common: Vec<String> = frequent.iter().chain(&medium).cloned().collect();
    let long: Vec<String> = common
        .iter()
        .filter(|w| w.chars().count() >= 8)
        .cloned()
        .collect();

    let mut p = Picker {
        rng: Rng::new(seed ^ 0x5155_4552),
        used: HashSet::new(),
    };
    let mut out = Vec::new();
    let single = |w: String| {
        let mut q = BenchQuery::new("word");
        q.words.push(w);
        q
    };
    for _ in 0..20 {
        out.push(single(p.word(&frequent)));
    }
    for _ in 0..17 {
        out.push(single(p.word(&medium)));
    }
    for _ in 0..8 {
        out.push(single(p.word(&rare)));
    }
    for _ in 0..5 {
        out.push(single(p.word(&english)));
    }
    for i in 0..40 {
        let mut q = BenchQuery::new("two words");
        let (a, b) = match i {
            0..15 => (&frequent, &frequent),
            15..30 => (&frequent, &medium),
            _ => (&medium, &medium),
        };
        q.words = vec![p.word(a), p.word(b)];
        out.push(q);
    }
    let mut phrases = 0;
    while phrases < 30 {
        let english = phrases >= 25;
        let pool = if english {
            &model.sentences_en
        } else {
            &model.sentences_no
        };
        let sentence: &String = p.rng.pick(pool);
        let t = tokens(sentence);
        let len = if phrases % 3 == 2 { 3 } else { 2 };
        if t.len() < len {
            continue;
        }
        let start = p.rng.below(t.len() - len + 1);
        let words = &t[start..start + len];
        let ok = words
            .iter()
            .all(|w| !w.is_empty() && w.chars().all(char::is_alphabetic))
            && words.iter().any(|w| content_word(w));
        if ok && p.used.insert(words.join(" ")) {
            let mut q = BenchQuery::new("phrase");
            q.phrase = words.to_vec();
            out.push(q);
            phrases += 1;
        }
    }
    let mut prefixes = 0;
    while prefixes < 30 {
        let w = p.rng.pick(&long).clone();
        let n = 5 + p.rng.below(2);
        let prefix: String = w.chars().take(n).collect();
        if p.used.insert(format!("{prefix}*")) {
            let mut q = BenchQuery::new("prefix");
            q.prefix = Some(prefix);
            out.push(q);
            prefixes += 1;
        }
    }
    for i in 0..25 {
        let mut q = BenchQuery::new("convention filter");
        q.words.push(p.word(&common));
        if i % 5 == 4 {
            q.words.push(p.word(&frequent));
        }
        q.convention = Some(Convention::ALL[i % 4]);
        out.push(q);
    }
    for i in 0..25 {
        let mut q = BenchQuery::new("year filter");
        q.words.push(p.word(&common));
        let from = p.rng.range(2000, 2025) as i32;
        q.years = Some(if i < 15 {
            (from, from)
        } else {
            (from, (from + 2 + p.rng.below(5) as i32).min(2025))
        });
        out.push(q);
    }
    // A fixed shuffle, so no class runs all at once.
    for i in (1..out.len()).rev() {
        let j = p.rng.below(i + 1);
        out.swap(i, j);
    }
    out
}
