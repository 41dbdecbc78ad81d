//! The synthetic archive: letters in the shape of the samples (letterhead, recipient, case
//! number, dated line, subject line, headed paragraphs, greeting), written with the
//! samples' own words.
//!
//! - Text comes from a word-bigram chain trained on the samples' sentences, one chain for
//!   Norwegian (bokmål and nynorsk) and one for English, in the samples' proportions. A few
//!   per cent of the words are joined into compounds, as Norwegian does, which gives the
//!   vocabulary the long tail a real archive has.
//! - Sentences that name a convention are kept out of the chain; each document instead
//!   quotes such sentences from the samples (with their article references) for each
//!   convention, at the rate the samples name that convention, more often in longer letters.
//! - 2 to 30 pages (most letters short, a few long), dated 2000–2025, kinds in plausible
//!   proportions. Pages are cut as `pdfgen::paginate` cuts them, so the PDF variant and the
//!   direct-to-index variant have the same pages.
//!
//! Everything is a pure function of (seed, document number).

use std::collections::HashMap;
use std::path::Path;

use arkiv::extract::{Extracted, PdfMetadata};
use arkiv::library::Sidecar;
use arkiv::model::{Convention, DocId, Kind, Submission, TextStatus};
use arkiv::pdfgen::{self, PdfSpec};
use arkiv::tagging;
use arkiv::web::i18n::Lang;
use chrono::NaiveDate;

use crate::rng::Rng;
use crate::tsv::Row;

const END: u32 = u32::MAX;
/// Characters of letter text that fill about one page once wrapped by `paginate`.
const CHARS_PER_PAGE: usize = 3300;

/// A word-bigram chain.
#[derive(Debug, Default)]
pub struct Chain {
    words: Vec<String>,
    next: Vec<Vec<u32>>,
    starts: Vec<u32>,
    ids: HashMap<String, u32>,
}

impl Chain {
    fn intern(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(w.to_string());
        self.next.push(Vec::new());
        self.ids.insert(w.to_string(), id);
        id
    }

    fn train(&mut self, sentence: &str) {
        let ids: Vec<u32> = sentence
            .split_whitespace()
            .map(|w| self.intern(w))
            .collect();
        let Some(&first) = ids.first() else { return };
        self.starts.push(first);
        for pair in ids.windows(2) {
            self.next[pair[0] as usize].push(pair[1]);
        }
        if let Some(&last) = ids.last() {
            self.next[last as usize].push(END);
        }
    }

    /// Appends one sentence to `out`.
    fn sentence(&self, rng: &mut Rng, compounds: &[String], out: &mut String) {
        let mut w = *rng.pick(&self.starts);
        let mut count = 0;
        let mut last = String::new();
        loop {
            let word = &self.words[w as usize];
            if count > 0 {
                out.push(' ');
            }
            let compound =
                word.len() >= 5 && word.chars().all(|c| c.is_lowercase()) && rng.chance(0.03);
            out.push_str(word);
            if compound {
                out.push_str(rng.pick::<String>(compounds));
            }
            last.clone_from(word);
            count += 1;
            let next = &self.next[w as usize];
            if next.is_empty() || count >= 40 {
                break;
            }
            let n = *rng.pick(next);
            if n == END {
                break;
            }
            w = n;
        }
        if !last.ends_with(['.', '?', '!']) {
            out.push('.');
        }
    }

    pub fn vocabulary(&self) -> &[String] {
        &self.words
    }
}

/// Everything the generator learned from the samples.
#[derive(Debug, Default)]
pub struct Model {
    pub norwegian: Chain,
    pub english: Chain,
    headings_no: Vec<String>,
    headings_en: Vec<String>,
    /// Sentences naming each convention, by language (0 Norwegian, 1 English).
    convention_sentences: [[Vec<String>; 4]; 2],
    /// Share of the samples that name each convention.
    pub rates: [f64; 4],
    pub english_share: f64,
    recipients: Vec<String>,
    compounds: Vec<String>,
    /// The body sentences of the samples, by language, for the query mix.
    pub sentences_no: Vec<String>,
    pub sentences_en: Vec<String>,
}

fn is_abbreviation(token: &str) -> bool {
    let stem = token.trim_end_matches('.');
    stem.len() <= 3 || stem.contains('.') || stem.chars().all(|c| c.is_ascii_digit())
}

fn sentences(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for token in paragraph.split_whitespace() {
        current.push(token);
        if token.ends_with(['.', '?', '!']) && !is_abbreviation(token) {
            out.push(current.join(" "));
            current.clear();
        }
    }
    if current.len() > 3 {
        out.push(current.join(" "));
    }
    out
}

/// The place of one of the four core conventions; the generated letters model those four,
/// so the conventions after them (CRPD, Lanzarote, …) are left out of the model.
fn convention_index(c: Convention) -> Option<usize> {
    Convention::ALL.iter().take(4).position(|x| *x == c)
}

impl Model {
    /// Learns from `samples/*.txt` and their sidecars.
    pub fn from_samples(dir: &Path) -> std::io::Result<Model> {
        let mut model = Model::default();
        let mut paths: Vec<_> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        paths.sort();
        let mut english_samples = 0;
        let mut mentions = [0usize; 4];
        for path in &paths {
            let text = std::fs::read_to_string(path)?;
            let sidecar = std::fs::read_to_string(path.with_extension("toml"))
                .ok()
                .and_then(|t| Sidecar::parse("sample.toml", &t).ok())
                .unwrap_or_default();
            let english = sidecar.language == Some(arkiv::model::Language::En);
            english_samples += usize::from(english);
            if let Some(r) = sidecar.recipient.filter(|r| !model.recipients.contains(r)) {
                model.recipients.push(r);
            }
            for i in tagging::detect_conventions(&text)
                .keys()
                .filter_map(|c| convention_index(*c))
            {
                mentions[i] += 1;
            }
            let lines: Vec<&str> = text.lines().collect();
            // The body starts after the dated line and the subject line.
            let dated = lines
                .iter()
                .position(|l| tagging::detect_date(l).is_some())
                .unwrap_or(0);
            let body = lines
                .iter()
                .skip(dated + 1)
                .skip_while(|l| l.trim().is_empty())
                .skip(1);
            let lang = usize::from(english);
            for line in body {
                let line = line.trim();
                let words = line.split_whitespace().count();
                if words >= 12 {
                    for s in sentences(line) {
                        let named = tagging::detect_conventions(&s);
                        if named.is_empty() {
                            if english {
                                model.english.train(&s);
                                model.sentences_en.push(s);
                            } else {
                                model.norwegian.train(&s);
                                model.sentences_no.push(s);
                            }
                        } else {
                            for i in named.keys().filter_map(|c| convention_index(*c)) {
                                model.convention_sentences[lang][i].push(s.clone());
                            }
                        }
                    }
                } else if (2..=10).contains(&words)
                    && !line.ends_with(['.', ',', ':'])
                    && line.chars().next().is_some_and(char::is_uppercase)
                    && !line.to_lowercase().contains("hilsen")
                    && !line.to_lowercase().contains("sincerely")
                {
                    let headings = if english {
                        &mut model.headings_en
                    } else {
                        &mut model.headings_no
                    };
                    headings.push(line.to_string());
                }
            }
        }
        let n = paths.len().max(1) as f64;
        model.english_share = english_samples as f64 / n;
        for (rate, count) in model.rates.iter_mut().zip(mentions) {
            *rate = count as f64 / n;
        }
        model.compounds = model
            .norwegian
            .words
            .iter()
            .filter(|w| w.len() >= 4 && w.chars().all(|c| c.is_lowercase()))
            .cloned()
            .collect();
        if model.recipients.is_empty() {
            model
                .recipients
                .push("Justis- og beredskapsdepartementet".into());
        }
        Ok(model)
    }
}

/// One synthetic letter.
#[derive(Debug, Clone)]
pub struct Doc {
    pub n: u64,
    pub file: String,
    pub title: String,
    pub date: NaiveDate,
    pub english: bool,
    pub pages: Vec<String>,
    /// The quoted sentences that name conventions, as one text.
    pub quotes: String,
}

/// Document `n` of the corpus with this seed.
pub fn document(model: &Model, seed: u64, n: u64) -> Doc {
    let mut rng = Rng::for_item(seed, n);
    let english = rng.chance(model.english_share);
    let chain = if english {
        &model.english
    } else {
        &model.norwegian
    };
    let headings = if english {
        &model.headings_en
    } else {
        &model.headings_no
    };
    let year = rng.range(2000, 2025) as i32;
    let month = rng.range(1, 12) as u32;
    let day = rng.range(1, 28) as u32;
    let date = NaiveDate::from_ymd_opt(year, month, day).expect("valid date");

    // Most letters are short; a few run long: 2 + an exponential tail, capped at 30.
    let target_pages = (2.0 + (-(1.0 - rng.unit()).ln() * 4.3)).min(30.0) as usize;
    let target_chars = target_pages * CHARS_PER_PAGE - CHARS_PER_PAGE / 3;

    let mut phrase = String::new();
    chain.sentence(&mut rng, &model.compounds, &mut phrase);
    let phrase: Vec<&str> = phrase
        .trim_end_matches(['.', '?', '!'])
        .split_whitespace()
        .take(4 + rng.below(6))
        .collect();
    let mut phrase = phrase.join(" ");
    if let Some(first) = phrase.chars().next() {
        phrase = first.to_lowercase().collect::<String>() + &phrase[first.len_utf8()..];
    }
    let kind_roll = rng.unit();
    let title = match (english, kind_roll) {
        (false, r) if r < 0.5 => format!("Høringssvar – {phrase}"),
        (false, r) if r < 0.8 => format!("Innspill til {phrase}"),
        (false, r) if r < 0.9 => format!("Rapport – {phrase}"),
        (false, _) => format!("Notat om {phrase}"),
        (true, r) if r < 0.5 => format!("Consultation response – {phrase}"),
        (true, r) if r < 0.8 => format!("Submission on {phrase}"),
        (true, r) if r < 0.9 => format!("Report – {phrase}"),
        (true, _) => format!("Note on {phrase}"),
    };
    let recipient = rng.pick(&model.recipients).clone();

    let mut text = String::with_capacity(target_chars + 2000);
    text.push_str("Krisesentersekretariatet\n\n");
    if english {
        text.push_str(&format!(
            "{recipient}\nOur ref.: {:02}/{}\n\nOslo, {}\n\n",
            year % 100,
            rng.range(100, 9999),
            Lang::En.date(date)
        ));
    } else {
        text.push_str(&format!(
            "{recipient}\nVår ref.: {:02}/{}\n\nOslo, {}\n\n",
            year % 100,
            rng.range(100, 9999),
            Lang::Nb.date(date)
        ));
    }
    text.push_str(&title);
    text.push_str("\n\n");

    // Which conventions this letter names, and how often.
    let lang = usize::from(english);
    let mut quotes: Vec<&String> = Vec::new();
    for (i, rate) in model.rates.iter().enumerate() {
        let pool = if model.convention_sentences[lang][i].is_empty() {
            &model.convention_sentences[1 - lang][i]
        } else {
            &model.convention_sentences[lang][i]
        };
        if !pool.is_empty() && rng.chance(*rate) {
            for _ in 0..1 + rng.below(1 + target_pages / 3) {
                quotes.push(rng.pick(pool));
            }
        }
    }

    let quoted: String = quotes
        .iter()
        .map(|q| q.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut paragraphs = 0;
    while text.len() < target_chars {
        if paragraphs > 0 && !headings.is_empty() && rng.chance(0.25) {
            text.push_str(rng.pick::<String>(headings));
            text.push_str("\n\n");
        }
        let sentences = 3 + rng.below(6);
        for s in 0..sentences {
            if s > 0 {
                text.push(' ');
            }
            let left = (target_chars.saturating_sub(text.len()) / 110).max(1);
            if !quotes.is_empty() && rng.chance(quotes.len() as f64 / left as f64) {
                let quote = quotes.swap_remove(rng.below(quotes.len()));
                text.push_str(quote);
            } else {
                chain.sentence(&mut rng, &model.compounds, &mut text);
            }
        }
        text.push_str("\n\n");
        paragraphs += 1;
    }
    for quote in quotes {
        text.push_str(quote);
        text.push_str("\n\n");
    }
    // The disclaimer closes the letter, below the signature, so it is never taken for the
    // title.
    if english {
        text.push_str("Yours sincerely,\nKrisesentersekretariatet\n\n");
        text.push_str("Synthetic document generated for the arkiv project's benchmarks.\n");
    } else {
        text.push_str("Med vennlig hilsen\nKrisesentersekretariatet\n\n");
        text.push_str("Syntetisk dokument laget for ytelsesmåling i arkiv-prosjektet.\n");
    }

    Doc {
        n,
        file: format!("{date}-synth-{n:06}.pdf"),
        title,
        date,
        english,
        pages: pdfgen::paginate(&text),
        quotes: quoted,
    }
}

impl Doc {
    /// The document as ingest would describe it, without extraction; its id is derived
    /// from the seed and number.
    ///
    /// Date, title, kind and language come from `arkiv::ingest::describe` on the first page.
    /// Conventions and articles come from `tagging` run on the quoted sentences only: the
    /// rest of the letter is chain text trained without convention names, and running the
    /// convention regex over every page would make generating 100k letters take most of an
    /// hour (it is `ingest`'s largest cost after extraction; see BENCHMARKS.md).
    pub fn submission(&self, seed: u64) -> Submission {
        let id = DocId::from_content(format!("arkiv-bench-{seed}-{}", self.n).as_bytes());
        let mut s = arkiv::ingest::describe(
            &self.file,
            id,
            Extracted {
                pages: self.pages[..1].to_vec(),
                metadata: PdfMetadata::default(),
                source: "synthetic".into(),
            },
            Sidecar::default(),
        );
        let tagging::Tags { mentions, articles } = tagging::detect(&self.quotes);
        s.conventions = mentions.keys().copied().collect();
        s.articles = articles
            .into_iter()
            .filter(|a| s.conventions.contains(&a.convention))
            .collect();
        s.mentions = mentions;
        s.pages = self.pages.clone();
        s.status = TextStatus::Ok;
        s
    }

    /// The document as `arkiv ingest` describes it: `describe` on every page.
    pub fn described(&self, seed: u64) -> Submission {
        let id = DocId::from_content(format!("arkiv-bench-{seed}-{}", self.n).as_bytes());
        arkiv::ingest::describe(
            &self.file,
            id,
            Extracted {
                pages: self.pages.clone(),
                metadata: PdfMetadata::default(),
                source: "synthetic".into(),
            },
            Sidecar::default(),
        )
    }

    /// The PDF of this letter, as `pdfgen` writes the samples.
    pub fn pdf(&self) -> Vec<u8> {
        pdfgen::render(&PdfSpec {
            title: self.n.is_multiple_of(2).then(|| self.title.clone()),
            author: Some("Krisesentersekretariatet".into()),
            creation_date: Some(self.date),
            pages: self.pages.clone(),
        })
    }
}

/// The peers' row for a described document.
pub fn row(rowid: i64, s: &Submission) -> Row {
    Row {
        rowid,
        id: s.id.to_string(),
        title: s.title.clone(),
        date: s.date.map(|d| d.to_string()),
        year: s.year(),
        kind: s.kind.id().to_string(),
        conventions: s.conventions.iter().map(|c| c.id().to_string()).collect(),
        articles: s.articles.iter().map(|a| a.to_string()).collect(),
        body: s.pages.join("\u{0C}"),
    }
}

/// Kind ids in the order the corpus uses them (for checks and reports).
pub fn kinds() -> [Kind; 4] {
    Kind::ALL
}
