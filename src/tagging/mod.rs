//! Tagging owns everything arkiv infers from a document's own words and metadata: which
//! conventions it names and how often, which of their articles it cites, the date of the
//! letter, a usable title, and the kind of text. Detection is table-driven: each convention
//! is a list of name patterns (bokmål, nynorsk and English, inflected), and every other
//! function is a small set of patterns plus rules for choosing between candidates.
//!
//! All matching runs on text whose whitespace has been collapsed, because PDF extraction
//! breaks lines and pads with spaces in the middle of names.

pub mod letterhead;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::model::{ArticleRef, Convention, Kind};

pub mod cycles;
pub mod laws;
pub mod topics;

// ---------------------------------------------------------------------------------------
// Convention names
// ---------------------------------------------------------------------------------------

/// One row of the detection table.
struct ConventionNames {
    convention: Convention,
    /// Regex alternatives over whitespace-normalised text, matched case-insensitively.
    /// A name that contains a shorter one is listed first so it is consumed as one mention.
    patterns: &'static [&'static str],
    /// Every literal form the patterns accept that search should recognise (lowercase).
    aliases: &'static [&'static str],
}

/// The Norwegian genitive of "FN" in its common spellings, as an optional prefix.
macro_rules! fn_prefix {
    () => {
        r"(?:fn(?:'?s)?(?: sin| si| sitt)? |fn- ?|de forente nasjoners )?"
    };
}

/// Definite, genitive and indefinite genitive endings of "konvensjon".
macro_rules! konv {
    () => {
        r"konvensjon(?:en|ens|s)?"
    };
}

static TABLE: [ConventionNames; 11] = [
    ConventionNames {
        convention: Convention::Istanbul,
        patterns: &[
            concat!(
                r"(?:europarådet(?:s| sin) )?konvensjon(?:en)? om (?:fore|føre)bygging(?: av)? og ",
                r"(?:bekjempelse(?: av)?|bekjemping(?: av)?|kamp mot) (?:vold|vald) mot kvinner ",
                r"og (?:vold|vald) i nære relasjon(?:er|ar|ane|ene)"
            ),
            concat!(
                r"(?:council of europe )?convention on preventing and combating violence ",
                r"against women and domestic violence"
            ),
            concat!(r"istanbul(?:- ?| )?", konv!()),
            r"istanbul(?:- ?| )?convention(?:'s)?",
        ],
        aliases: &[
            "istanbulkonvensjonen",
            "istanbulkonvensjon",
            "istanbulkonvensjonens",
            "istanbulkonvensjons",
            "istanbul-konvensjonen",
            "istanbul-konvensjon",
            "istanbul-konvensjonens",
            "istanbul konvensjonen",
            "istanbul konvensjon",
            "istanbul convention",
            "istanbul-convention",
            "europarådets konvensjon om forebygging og bekjempelse av vold mot kvinner og vold i nære relasjoner",
            "europarådet sin konvensjon om førebygging og kamp mot vald mot kvinner og vald i nære relasjonar",
            "council of europe convention on preventing and combating violence against women and domestic violence",
            "convention on preventing and combating violence against women and domestic violence",
        ],
    },
    ConventionNames {
        convention: Convention::Echr,
        patterns: &[
            concat!(
                r"(?:european )?convention for the protection of human rights",
                r"(?: and fundamental freedoms)?"
            ),
            r"european convention on human rights(?:'s)?",
            concat!(
                r"(?:den europeiske )?konvensjon(?:en)? om beskyttelse av menneskerettighetene ",
                r"og de grunnleggende friheter(?:ne)?"
            ),
            concat!(
                r"(?:den )?europeiske menneskerett(?:s|ighets)?-? ?",
                konv!()
            ),
            r"emk(?:'?s)?",
            r"echr(?:'?s)?",
        ],
        aliases: &[
            "emk",
            "emks",
            "echr",
            "den europeiske menneskerettskonvensjon",
            "den europeiske menneskerettskonvensjonen",
            "den europeiske menneskerettskonvensjonens",
            "europeiske menneskerettskonvensjonen",
            "den europeiske menneskerettighetskonvensjon",
            "den europeiske menneskerettighetskonvensjonen",
            "european convention on human rights",
            "convention for the protection of human rights and fundamental freedoms",
            "european convention for the protection of human rights and fundamental freedoms",
            "konvensjon om beskyttelse av menneskerettighetene og de grunnleggende friheter",
        ],
    },
    ConventionNames {
        convention: Convention::Cedaw,
        patterns: &[
            concat!(
                r"(?:(?:un|united nations) )?convention on the elimination of all forms of ",
                r"discrimination against women"
            ),
            concat!(
                fn_prefix!(),
                r"konvensjon(?:en)? om (?:avskaffelse|å avskaffe|eliminering) av ",
                r"(?:alle former for )?diskriminering av kvinner"
            ),
            concat!(fn_prefix!(), r"kvinne(?:diskriminerings)?-? ?", konv!()),
            r"cedaw(?:'?s)?",
        ],
        aliases: &[
            "cedaw",
            "kvinnekonvensjonen",
            "kvinnekonvensjon",
            "kvinnekonvensjonens",
            "fns kvinnekonvensjon",
            "fns kvinnekonvensjonen",
            "fn's kvinnekonvensjon",
            "fn's kvinnekonvensjonen",
            "fn sin kvinnekonvensjon",
            "fn-kvinnekonvensjonen",
            "kvinnediskrimineringskonvensjonen",
            "kvinnediskrimineringskonvensjon",
            "fns kvinnediskrimineringskonvensjon",
            "fns kvinnediskrimineringskonvensjonen",
            "convention on the elimination of all forms of discrimination against women",
            "un convention on the elimination of all forms of discrimination against women",
            "fns konvensjon om avskaffelse av alle former for diskriminering av kvinner",
        ],
    },
    ConventionNames {
        convention: Convention::Crc,
        patterns: &[
            r"(?:(?:un|united nations) )?convention on the rights of the child",
            concat!(fn_prefix!(), r"konvensjon(?:en)? om barnets rettigheter"),
            concat!(fn_prefix!(), r"barne(?:retts|rettighets)?-? ?", konv!()),
            // Only uppercase: lowercase "crc" is usually a checksum or a typo.
            r"(?-i:UNCRC|CRC)(?:'?s)?",
        ],
        aliases: &[
            "crc",
            "uncrc",
            "barnekonvensjonen",
            "barnekonvensjon",
            "barnekonvensjonens",
            "fns barnekonvensjon",
            "fns barnekonvensjonen",
            "fn's barnekonvensjon",
            "fn's barnekonvensjonen",
            "fn sin barnekonvensjon",
            "fn-barnekonvensjonen",
            "barnerettskonvensjonen",
            "barnerettskonvensjon",
            "barnerettighetskonvensjonen",
            "convention on the rights of the child",
            "un convention on the rights of the child",
            "fns konvensjon om barnets rettigheter",
            "konvensjonen om barnets rettigheter",
        ],
    },
    ConventionNames {
        convention: Convention::Crpd,
        patterns: &[
            r"(?:(?:un|united nations) )?convention on the rights of persons with disabilities",
            concat!(
                fn_prefix!(),
                r"konvensjon(?:en)? om (?:rettighetene til mennesker|rettane til menneske) med ",
                r"(?:nedsatt|nedsett) funksjonsevne"
            ),
            r"crpd(?:'?s)?(?:-konvensjonen)?",
        ],
        aliases: &[
            "crpd",
            "convention on the rights of persons with disabilities",
            "fns konvensjon om rettighetene til mennesker med nedsatt funksjonsevne",
            "konvensjonen om rettighetene til mennesker med nedsatt funksjonsevne",
        ],
    },
    ConventionNames {
        convention: Convention::Lanzarote,
        patterns: &[
            concat!(
                r"(?:council of europe )?convention on the protection of children against ",
                r"sexual exploitation and sexual abuse"
            ),
            concat!(
                r"(?:europarådet(?:s| sin) )?konvensjon(?:en)? om (?:beskyttelse|vern) av barn mot ",
                r"seksuell utnytt(?:ing|else) og seksuel(?:t|le) (?:misbruk|overgrep)"
            ),
            concat!(r"lanzarote(?:- ?| )?", konv!()),
            r"lanzarote(?:- ?| )?convention(?:'s)?",
        ],
        aliases: &[
            "lanzarotekonvensjonen",
            "lanzarote-konvensjonen",
            "lanzarote convention",
            "convention on the protection of children against sexual exploitation and sexual abuse",
        ],
    },
    ConventionNames {
        convention: Convention::Trafficking,
        patterns: &[
            concat!(
                r"(?:council of europe )?convention on action against trafficking in human ",
                r"beings"
            ),
            r"(?:europarådet(?:s| sin) )?konvensjon(?:en)? om tiltak mot menneskehandel",
            concat!(r"menneskehandel(?:s)?-? ?", konv!()),
        ],
        aliases: &[
            "menneskehandelkonvensjonen",
            "europarådets konvensjon om tiltak mot menneskehandel",
            "konvensjonen om tiltak mot menneskehandel",
            "convention on action against trafficking in human beings",
            "council of europe convention on action against trafficking in human beings",
        ],
    },
    ConventionNames {
        convention: Convention::Palermo,
        patterns: &[
            r"protocol to prevent, suppress and punish trafficking in persons",
            r"protokoll(?:en)? om å forebygge, bekjempe og straffe handel med mennesker",
            r"palermo(?:- ?| )?protokoll(?:en)?",
            r"palermo(?:- ?| )?protocol(?:'s)?",
        ],
        aliases: &[
            "palermoprotokollen",
            "palermo-protokollen",
            "palermo protocol",
            "protocol to prevent, suppress and punish trafficking in persons",
        ],
    },
    ConventionNames {
        convention: Convention::Iccpr,
        patterns: &[
            r"international covenant on civil and political rights",
            concat!(
                fn_prefix!(),
                r"(?:internasjonale )?konvensjon(?:en)? om sivile og politiske rett(?:igheter|ar)"
            ),
            r"iccpr(?:'?s)?",
            // Only uppercase and whole: "Sp" is a party and "sp." an abbreviation.
            r"(?-i:SP)",
        ],
        aliases: &[
            "iccpr",
            "international covenant on civil and political rights",
            "fns konvensjon om sivile og politiske rettigheter",
            "konvensjonen om sivile og politiske rettigheter",
        ],
    },
    ConventionNames {
        convention: Convention::Icescr,
        patterns: &[
            r"international covenant on economic, social and cultural rights",
            concat!(
                fn_prefix!(),
                r"(?:internasjonale )?konvensjon(?:en)? om økonomiske, sosiale og kulturelle ",
                r"rett(?:igheter|ar)"
            ),
            r"icescr(?:'?s)?",
            // Never matches on its own (see CONVENTION_RE), only as the bracketed short form
            // after the long name.
            r"(?-i:ØSK)",
        ],
        aliases: &[
            "icescr",
            "øsk",
            "international covenant on economic, social and cultural rights",
            "fns konvensjon om økonomiske, sosiale og kulturelle rettigheter",
            "konvensjonen om økonomiske, sosiale og kulturelle rettigheter",
        ],
    },
    ConventionNames {
        convention: Convention::Cerd,
        patterns: &[
            concat!(
                r"(?:(?:un|united nations) )?international convention on the elimination of all ",
                r"forms of racial discrimination"
            ),
            concat!(
                fn_prefix!(),
                r"(?:internasjonale )?konvensjon(?:en)? om (?:avskaffelse|å avskaffe|eliminering) ",
                r"av alle former for rasediskriminering"
            ),
            concat!(fn_prefix!(), r"rasediskriminerings-? ?", konv!()),
            r"cerd(?:'?s)?",
        ],
        aliases: &[
            "cerd",
            "rasediskrimineringskonvensjonen",
            "rasediskrimineringskonvensjon",
            "international convention on the elimination of all forms of racial discrimination",
            "fns konvensjon om avskaffelse av alle former for rasediskriminering",
        ],
    },
];

/// Word boundaries in the convention and article patterns are ASCII ones, `(?-u:\b)`: a
/// Unicode `\b` stops the regex engine's fast DFA at the first "ø" and made tagging most of
/// ingest's CPU time. No pattern begins or ends with a non-ASCII letter, so the two agree
/// wherever a name can stand.
///
/// All conventions in one alternation, one named group each, so that mentions never overlap
/// and a long name always wins over a short name inside it. A long name directly followed by
/// its own short form in brackets ("FNs kvinnekonvensjon (CEDAW)") is one mention.
static CONVENTION_RE: LazyLock<Regex> = LazyLock::new(|| {
    let groups: Vec<String> = TABLE
        .iter()
        .map(|row| {
            let alts = row.patterns.join("|");
            format!(
                r"(?P<{}>(?:{alts})(?-u:\b)(?: ?\((?:{alts})\))?)",
                row.convention.id()
            )
        })
        .collect();
    // "ØSK" begins with a letter the ASCII boundary does not see; it is matched as its own
    // alternative (uppercase only), and `mentions` checks the character before it.
    Regex::new(&format!(
        r"(?i)(?:(?-u:\b)(?:{})|(?P<icescr_short>(?-i:ØSK))(?-u:\b))",
        groups.join("|")
    ))
    .expect("convention table is valid")
});

/// A convention named at a byte range of normalised text.
#[derive(Debug, Clone, Copy)]
struct Mention {
    convention: Convention,
    start: usize,
    end: usize,
}

fn mentions(norm: &str) -> Vec<Mention> {
    CONVENTION_RE
        .captures_iter(norm)
        .filter_map(|caps| {
            if let Some(m) = caps.name("icescr_short") {
                let after_letter = norm[..m.start()]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric);
                return (!after_letter).then_some(Mention {
                    convention: Convention::Icescr,
                    start: m.start(),
                    end: m.end(),
                });
            }
            TABLE.iter().find_map(|row| {
                caps.name(row.convention.id())
                    .filter(|m| m.as_str() != "SP" || names_iccpr(&norm[m.end()..]))
                    .map(|m| Mention {
                        convention: row.convention,
                        start: m.start(),
                        end: m.end(),
                    })
            })
        })
        .collect()
}

/// "SP" alone is a convention only when an article or "-konvensjonen" follows it; elsewhere
/// it is too often something else (a signing party, a product). After the long name, in
/// brackets, it is part of that mention and never comes here alone.
fn names_iccpr(after: &str) -> bool {
    let after = after.to_lowercase();
    ["-konvensjonen", " art", "-art", " artikkel", " article"]
        .iter()
        .any(|p| after.starts_with(p))
}

/// Collapses whitespace so names broken over lines still match: a run with a blank line (or a
/// page break) becomes "\n", the paragraph separator; any other run becomes one space. A hyphen
/// at a line end between two lowercase letters is a hyphenation and is removed. Typographic
/// apostrophes and hyphens become ASCII so patterns need only one spelling.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{00AD}' => {}
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' | '`' => out.push('\''),
            '\u{2010}' | '\u{2011}' => out.push('-'),
            c if c.is_whitespace() => {
                let mut newlines = usize::from(c == '\n' || c == '\r');
                let mut page_break = c == '\u{000C}';
                let mut crlf_pending = c == '\r';
                while let Some(&next) = chars.peek() {
                    if !next.is_whitespace() {
                        break;
                    }
                    // "\r\n" is one line break, not two.
                    if !(next == '\n' && crlf_pending) && (next == '\n' || next == '\r') {
                        newlines += 1;
                    }
                    crlf_pending = next == '\r';
                    page_break |= next == '\u{000C}';
                    chars.next();
                }
                if newlines >= 2 || page_break {
                    out.push('\n');
                } else if newlines == 1 && is_hyphenation(&out, chars.peek().copied()) {
                    out.pop();
                } else {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn is_hyphenation(before: &str, next: Option<char>) -> bool {
    let mut tail = before.chars().rev();
    tail.next() == Some('-')
        && tail.next().is_some_and(char::is_lowercase)
        && next.is_some_and(char::is_lowercase)
}

/// Counts mentions of each convention in the text (case-insensitive, inflected forms).
pub fn detect_conventions(text: &str) -> BTreeMap<Convention, u32> {
    count_mentions(&mentions(&normalize(text)))
}

fn count_mentions(mentions: &[Mention]) -> BTreeMap<Convention, u32> {
    let mut counts = BTreeMap::new();
    for m in mentions {
        *counts.entry(m.convention).or_insert(0) += 1;
    }
    counts
}

/// What a text names: conventions with their mention counts, and article references.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags {
    pub mentions: BTreeMap<Convention, u32>,
    pub articles: Vec<ArticleRef>,
}

/// [`detect_conventions`] and [`detect_articles`] at once, normalising the text and finding
/// the mentions once.
pub fn detect(text: &str) -> Tags {
    let norm = normalize(text);
    let mentions = mentions(&norm);
    Tags {
        mentions: count_mentions(&mentions),
        articles: articles_in(&norm, &mentions),
    }
}

/// Every way of naming one convention that the detector knows (lowercase), for use by search:
/// query words that name a convention can be mapped to the convention id.
pub fn convention_aliases(c: Convention) -> &'static [&'static str] {
    TABLE
        .iter()
        .find(|row| row.convention == c)
        .map_or(&[], |row| row.aliases)
}

/// If the whole query phrase names a convention ("istanbul convention", "emk",
/// "barnekonvensjonen", "fns kvinnekonvensjon"…) return it.
pub fn convention_named_by(phrase: &str) -> Option<Convention> {
    let norm = normalize(phrase).replace('\n', " ").to_lowercase();
    let norm = norm.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '«' | '»' | '“' | '”' | '.' | ',' | ';' | ':' | '!' | '?'
            )
    });
    let norm = ["the ", "den "]
        .iter()
        .find_map(|article| norm.strip_prefix(article))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(norm);
    if norm.is_empty() {
        return None;
    }
    if let Some(row) = TABLE.iter().find(|row| row.aliases.contains(&norm)) {
        return Some(row.convention);
    }
    // Queries are typed in any case, so the uppercase-only short forms are tried uppercased.
    [norm.to_string(), norm.to_uppercase()]
        .iter()
        .find_map(|candidate| {
            mentions(candidate)
                .first()
                .filter(|m| m.start == 0 && m.end == candidate.len())
                .map(|m| m.convention)
        })
}

// ---------------------------------------------------------------------------------------
// Articles
// ---------------------------------------------------------------------------------------

const ARTICLE_WORD: &str =
    r"(?:artikkel(?:en)?|artiklene|artiklane|artikler|artiklar|articles?|arts?)(?-u:\b)\.?";

/// Sub-divisions after an article number ("nr. 1", "(1)", "første ledd", "bokstav a") that
/// must not be read as further article numbers.
const ARTICLE_SUB: &str = concat!(
    r"(?: ?\(\d{1,3}\))*(?: ?\([a-z]\))?",
    r"(?: (?:nr|no|para|paragraph|ledd|punkt)\.? ?\d{1,3}(?-u:\b)",
    r"| (?:første|andre|annet|tredje|fjerde|femte|first|second|third) (?:ledd|paragraph)",
    r"| (?:bokstav|litra|letter|lit\.) ?[a-z](?-u:\b))*"
);

const ARTICLE_SEP: &str =
    r" ?(?:, ?(?:(?:og|and|or|eller|samt) )?|(?:og|and|or|eller|samt|&|til|to|-|–) ?)";

/// An article word followed by a list of numbers: "artiklene 3 og 12", "art. 8 nr. 1 og 14".
static ARTICLE_LIST_RE: LazyLock<Regex> = LazyLock::new(|| {
    let num = format!(r"\d{{1,3}}(?:\.\d{{1,2}})?(?-u:\b){ARTICLE_SUB}");
    Regex::new(&format!(
        r"(?i)(?-u:\b){ARTICLE_WORD} ?(?P<list>{num}(?:{ARTICLE_SEP}(?:{ARTICLE_WORD} ?)?{num})*)"
    ))
    .expect("article list pattern is valid")
});

/// One number inside a matched list; a leading range word makes it the end of a range.
static ARTICLE_ITEM_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?P<range>(?:-|–|(?-u:\b)til|(?-u:\b)to) ?)?(?:{ARTICLE_WORD} ?)?(?P<n>\d{{1,3}})(?:\.\d{{1,2}})?(?-u:\b){ARTICLE_SUB}"
    ))
    .expect("article item pattern is valid")
});

/// What may stand between an article list and a convention named after it.
static AFTER_GAP_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^ ?(?P<connector>(?:i|in|of|under|etter|ifølge|ifølgje|jf\.?|jfr\.?|cf\.?) )?(?:(?:the|den|det) )?$",
    )
    .expect("gap pattern is valid")
});

/// What may stand between a convention and an article list right after it.
static BEFORE_GAP_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^ ?(?:(?:sin|si|sitt) |[,:(] ?)?$").expect("gap pattern is valid")
});

const MAX_ARTICLE: u32 = 200;
/// A range wider than this is more likely two unrelated numbers than a span of articles.
const MAX_ARTICLE_RANGE: u32 = 10;
/// How far back a bare article may look for its convention across paragraph breaks.
const NEARBY_CHARS: usize = 400;
/// Within one paragraph; bounded because some extractions have no paragraph breaks at all.
const SAME_PARAGRAPH_CHARS: usize = 2000;

/// Article references tied to a convention, sorted and deduplicated.
pub fn detect_articles(text: &str) -> Vec<ArticleRef> {
    let norm = normalize(text);
    articles_in(&norm, &mentions(&norm))
}

/// An instrument that is not a convention of the table, right before an article list:
/// its articles ("GDPR artikkel 9") belong to no convention named nearby.
static OTHER_INSTRUMENT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:gdpr|personvernforordning(?:en|a)?|forordning(?:en|a)?|",
        r"direktiv(?:et)?|regulation|directive)(?:'?s)? ?$"
    ))
    .expect("instrument pattern is valid")
});

fn articles_in(norm: &str, mentions: &[Mention]) -> Vec<ArticleRef> {
    let mut found = BTreeSet::new();
    for caps in ARTICLE_LIST_RE.captures_iter(norm) {
        let (Some(whole), Some(list)) = (caps.get(0), caps.name("list")) else {
            continue;
        };
        let before_start = norm[..whole.start()]
            .char_indices()
            .rev()
            .nth(40)
            .map_or(0, |(i, _)| i);
        if OTHER_INSTRUMENT_RE.is_match(&norm[before_start..whole.start()]) {
            continue;
        }
        let Some(convention) = convention_for_article(norm, mentions, whole.start(), list.end())
        else {
            continue;
        };
        for article in article_numbers(list.as_str()) {
            found.insert(ArticleRef {
                convention,
                article,
            });
        }
    }
    found.into_iter().collect()
}

fn article_numbers(list: &str) -> Vec<u32> {
    let mut numbers = Vec::new();
    let mut previous: Option<u32> = None;
    for caps in ARTICLE_ITEM_RE.captures_iter(list) {
        let Some(n) = caps.name("n").and_then(|m| m.as_str().parse::<u32>().ok()) else {
            continue;
        };
        match previous {
            Some(lo) if caps.name("range").is_some() && n > lo && n - lo <= MAX_ARTICLE_RANGE => {
                numbers.extend(lo + 1..=n);
            }
            _ => numbers.push(n),
        }
        previous = Some(n);
    }
    numbers.retain(|n| (1..=MAX_ARTICLE).contains(n));
    numbers
}

/// Chooses the convention an article list belongs to: one named right after it with a
/// connector ("artikkel 3 i barnekonvensjonen"), then one right before it ("EMK art. 8"), then
/// one right after it without a connector ("art. 8 EMK"), then the one most recently named
/// in the same passage.
fn convention_for_article(
    norm: &str,
    mentions: &[Mention],
    start: usize,
    end: usize,
) -> Option<Convention> {
    let first_after = mentions.partition_point(|m| m.start < end);
    let after = mentions
        .get(first_after)
        .and_then(|m| AFTER_GAP_RE.captures(&norm[end..m.start]).map(|c| (m, c)))
        .map(|(m, caps)| (m.convention, caps.name("connector").is_some()));
    if let Some((c, true)) = after {
        return Some(c);
    }
    let before = mentions[..mentions.partition_point(|m| m.end <= start)].last();
    if let Some(m) = before
        && BEFORE_GAP_RE.is_match(&norm[m.end..start])
    {
        return Some(m.convention);
    }
    if let Some((c, false)) = after {
        return Some(c);
    }
    let m = before?;
    let gap = &norm[m.end..start];
    let distance = gap.chars().take(SAME_PARAGRAPH_CHARS + 1).count();
    let same_paragraph = !gap.contains('\n');
    (distance <= NEARBY_CHARS || (same_paragraph && distance <= SAME_PARAGRAPH_CHARS))
        .then_some(m.convention)
}

// ---------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------

const MONTH: &str = concat!(
    r"(?P<month>jan(?:uar|uary)?|feb(?:ruar|ruary)?|mar(?:s|ch)?|apr(?:il)?|mai|may|",
    r"jun(?:i|e)?|jul(?:i|y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|o[kc]t(?:ober)?|nov(?:ember)?|",
    r"de[sc](?:ember)?)\b\.?"
);

static DATE_RES: LazyLock<[Regex; 4]> = LazyLock::new(|| {
    let build = |p: &str| Regex::new(&format!("(?i){p}")).expect("date pattern is valid");
    [
        // "30. november 2019", "12 January 2021", "30. nov. 2019", "1st March 2020"
        build(&format!(
            r"\b(?P<day>\d{{1,2}})(?:\.|st|nd|rd|th)? ?{MONTH},? ?(?P<year>\d{{4}})\b"
        )),
        // "January 12, 2021"
        build(&format!(
            r"\b{MONTH} (?P<day>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<year>\d{{4}})\b"
        )),
        // "30.11.2019", "30/11/2019"
        build(r"\b(?P<day>\d{1,2})(?:\. ?|/)(?P<mon>\d{1,2})(?:\. ?|/)(?P<year>\d{4})\b"),
        // "2019-11-30"
        build(r"\b(?P<year>\d{4})-(?P<mon>\d{1,2})-(?P<day>\d{1,2})\b"),
    ]
});

/// What comes before a date that refers to something other than the letter itself.
static DATE_REFERENCE_BEFORE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:\blov(?:en|a)?|\bforskrift(?:en|a)?|\bnr\.?|\bno\.|\bfrist|frist:?|",
        r"\bderes (?:dato|brev|ref\.?)|\bbrev(?:et)?|\bdatert|\bdated|\bav|\bof|\bfra|",
        r"\bsist endret|\bendret|\bvedtatt|\bbefore|\bfør|\binnen|\bwithin) ?:? ?$"
    ))
    .expect("reference pattern is valid")
});

static DATE_REFERENCE_AFTER_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^ ?(?:nr\.?|no\.) ?\d").expect("reference pattern is valid"));

/// What may stand before the date on a dated line: a place ("Oslo,", "Mo i Rana,") or a label.
static DATED_LINE_PREFIX_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:(?P<label>(?i:(?:vår |var )?dato|date|dated) ?:?)|",
        r"(?P<place>\p{Lu}[\p{L}-]+(?: \p{L}[\p{L}-]*){0,3},?(?: (?i:den))?))$"
    ))
    .expect("dated line pattern is valid")
});

static CELL_SPLIT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\t| {3,}").expect("cell split pattern is valid"));

const DATED_LINE_CHARS: usize = 1500;
const EARLY_DATE_CHARS: usize = 3000;

fn month_number(name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    let key = lower.get(..3)?;
    let n = match key {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "mai" | "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "okt" | "oct" => 10,
        "nov" => 11,
        "des" | "dec" => 12,
        _ => return None,
    };
    Some(n)
}

fn make_date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if !(1990..=2100).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A valid date found at a byte range of a string.
struct DateHit {
    start: usize,
    end: usize,
    date: NaiveDate,
}

/// All valid dates in a string, in order, without overlaps.
fn find_dates(s: &str) -> Vec<DateHit> {
    let mut hits: Vec<DateHit> = Vec::new();
    for re in DATE_RES.iter() {
        for caps in re.captures_iter(s) {
            let Some(whole) = caps.get(0) else { continue };
            let num = |name: &str| caps.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
            let month = match caps.name("month") {
                Some(m) => month_number(m.as_str()),
                None => num("mon"),
            };
            let (Some(day), Some(month), Some(year)) = (num("day"), month, num("year")) else {
                continue;
            };
            let Some(date) = i32::try_from(year)
                .ok()
                .and_then(|y| make_date(y, month, day))
            else {
                continue;
            };
            if hits
                .iter()
                .all(|h| whole.end() <= h.start || whole.start() >= h.end)
            {
                hits.push(DateHit {
                    start: whole.start(),
                    end: whole.end(),
                    date,
                });
            }
        }
    }
    hits.sort_by_key(|h| h.start);
    hits
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The date of a letter from its dated line, e.g. "Oslo, 30. november 2019", "12 January 2021",
/// "30.11.2019", "2019-11-30".
///
/// Candidates are ranked: a dated line (place or "Dato:" label, or a date alone) early in the
/// text; a place- or label-dated line anywhere (letters dated at the signature); any other
/// early date; and last an early date that reads like a reference ("lov 17. juli 1998 nr. 61",
/// "Deres dato", "høringsfrist"). The first candidate of the best rank wins.
pub fn detect_date(text: &str) -> Option<NaiveDate> {
    let mut best: Option<(u8, usize, NaiveDate)> = None;
    let mut offset = 0usize;
    for line in text.lines() {
        let line_offset = offset;
        offset += line.chars().count() + 1;
        for cell in CELL_SPLIT_RE.split(line) {
            let cell = collapse_spaces(cell);
            for (i, hit) in find_dates(&cell).into_iter().enumerate() {
                let before = &cell[..hit.start];
                let after = &cell[hit.end..];
                let pos = line_offset + before.chars().count();
                let rank = date_rank(i == 0, before, after, pos);
                let Some(rank) = rank else { continue };
                if best.is_none_or(|(r, p, _)| (rank, pos) < (r, p)) {
                    best = Some((rank, pos, hit.date));
                }
                if rank == 0 {
                    return Some(hit.date);
                }
            }
        }
    }
    best.map(|(_, _, date)| date)
}

fn date_rank(first_in_cell: bool, before: &str, after: &str, pos: usize) -> Option<u8> {
    let before_trim = before.trim();
    let after_trim = after.trim().trim_end_matches(['.', ',']);
    if first_in_cell && after_trim.is_empty() {
        if before_trim.is_empty() && pos < DATED_LINE_CHARS {
            return Some(0);
        }
        if let Some(caps) = DATED_LINE_PREFIX_RE.captures(before_trim) {
            let is_reference = DATE_REFERENCE_BEFORE_RE.is_match(before_trim);
            if caps.name("label").is_some() || !is_reference {
                return Some(if pos < DATED_LINE_CHARS { 0 } else { 1 });
            }
        }
    }
    if pos >= EARLY_DATE_CHARS {
        return None;
    }
    let is_reference =
        DATE_REFERENCE_BEFORE_RE.is_match(before) || DATE_REFERENCE_AFTER_RE.is_match(after);
    Some(if is_reference { 3 } else { 2 })
}

/// A date from a PDF metadata date string like "D:20191130120000+01'00'".
pub fn parse_pdf_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let s = s.strip_prefix("D:").unwrap_or(s).trim_start();
    let digits = s.get(..8)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        // Some producers write ISO 8601 instead of the PDF format.
        return iso_date_prefix(s);
    }
    // A ninth digit that is not an hour would mean this is not YYYYMMDD at all.
    let rest = &s[8..];
    if let Some(next) = rest.chars().next()
        && !next.is_ascii_digit()
        && !matches!(next, 'Z' | '+' | '-' | '\'' | ' ')
    {
        return None;
    }
    ymd(&digits[..4], &digits[4..6], &digits[6..8])
}

fn iso_date_prefix(s: &str) -> Option<NaiveDate> {
    let head = s.get(..10)?;
    let b = head.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if s[10..].chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    ymd(&head[..4], &head[5..7], &head[8..10])
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    make_date(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

static FILE_NAME_DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<y>\d{4})([-_. ]?)(?P<m>\d{2})([-_. ]?)(?P<d>\d{2})(?:$|\D)")
        .expect("file name date pattern is valid")
});

/// A date at the start of a file name: "2019-11-30-partnerdrap.pdf", "20191130_x.pdf".
pub fn date_from_file_name(name: &str) -> Option<NaiveDate> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let caps = FILE_NAME_DATE_RE.captures(base)?;
    // "2019-1130" mixes styles and is more likely a number than a date.
    let (sep1, sep2) = (caps.get(2)?.as_str(), caps.get(4)?.as_str());
    if sep1 != sep2 {
        return None;
    }
    ymd(
        caps.name("y")?.as_str(),
        caps.name("m")?.as_str(),
        caps.name("d")?.as_str(),
    )
}

// ---------------------------------------------------------------------------------------
// Titles and kinds
// ---------------------------------------------------------------------------------------

static PLACEHOLDER_TITLE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:(?:microsoft )?(?:word|powerpoint|excel)(?: ?-.*)?|",
        r"(?:dokument|document|doc|bok|book|presentasjon|presentation|mappe|ark|sheet|",
        r"lysbilde|slide|brevmal|mal|template|untitled|uten tittel|uten navn|ingen tittel|",
        r"no title|title|tittel|new document|nytt dokument|untitled document|",
        r"powerpoint-presentasjon|powerpoint presentation|pdf|scan|skann|skannet dokument)",
        r"[ _-]?\d*)$"
    ))
    .expect("placeholder pattern is valid")
});

static FILE_NAME_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\.(?:docx?|dotx?|odt|rtf|txt|pdf|pages|xlsx?|pptx?|indd|html?|tmp)$|",
        r"^[a-z]:\\|^/|\\"
    ))
    .expect("file name pattern is valid")
});

const MIN_TITLE_CHARS: usize = 6;
const MAX_TITLE_CHARS: usize = 250;

/// Whether a PDF Title metadata value is a meaningful title (not "Microsoft Word - x.docx",
/// "untitled", "Dokument1", a file name, empty, mojibake, very short).
pub fn is_meaningful_title(title: &str) -> bool {
    let title = collapse_spaces(title);
    let chars = title.chars().count();
    if !(MIN_TITLE_CHARS..=MAX_TITLE_CHARS).contains(&chars) {
        return false;
    }
    if PLACEHOLDER_TITLE_RE.is_match(&title) || FILE_NAME_RE.is_match(&title) {
        return false;
    }
    if looks_like_mojibake(&title) {
        return false;
    }
    let letters = title.chars().filter(|c| c.is_alphabetic()).count();
    let visible = title.chars().filter(|c| !c.is_whitespace()).count();
    if letters < 4 || letters * 2 < visible {
        return false;
    }
    // One token with underscores or digits ("hs_2019_final", "scan0001") is a file-ish name.
    if !title.contains(' ') && (title.contains('_') || title.chars().any(|c| c.is_ascii_digit())) {
        return false;
    }
    true
}

fn looks_like_mojibake(s: &str) -> bool {
    if s.starts_with("þÿ") || s.starts_with("ÿþ") {
        return true;
    }
    let mut prev: Option<char> = None;
    for c in s.chars() {
        let bad = c == '\u{FFFD}'
            || c.is_control()
            || ('\u{E000}'..='\u{F8FF}').contains(&c)
            // UTF-8 read as Latin-1: "Ã¸" for "ø", "Ã¥" for "å", "Â " for a no-break space.
            || (matches!(prev, Some('Ã' | 'Â')) && !c.is_ascii_alphanumeric() && c != ' ');
        if bad {
            return true;
        }
        prev = Some(c);
    }
    false
}

static LETTERHEAD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:vår|var|deres|your|our) (?:ref|referanse|dato|saksbehandler)|",
        r"^(?:ref|referanse|saksnr|sak nr|saksbehandler|arkivnr|arkivkode|postadresse|",
        r"besøksadresse|postboks|pb|p\.o\. box|telefon|tlf|phone|mobil|faks|fax|e-post|epost|",
        r"email|e-mail|org\.? ?nr|organisasjonsnummer|bankkonto|kontonr|unntatt offentlighet|",
        r"med vennlig hilsen|vennlig hilsen|mvh|kjære|dear)\b|",
        // Words that also open real titles ("Fra ord til handling") count only as labels.
        r"^(?:dato|date|til|to|fra|from|kopi|cc|att|attn|emne|subject|re|sak|adresse|address|tel) ?:|",
        r"@|https?://|www\.|(?:^|, ?)\d{4} \p{Lu}\p{L}+|",
        r"\p{L}(?:gate|gata|gaten|veien|vegen|vei|veg|plass|allé|alle|torg|torget|gt\.) \d+"
    ))
    .expect("letterhead pattern is valid")
});

/// A short line ending in an organisation word is a letterhead or an addressee.
static ORGANISATION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:\S+ ){0,3}\S*(?:departementet|direktoratet|sekretariatet|tilsynet|etaten|",
        r"ombudet|stortinget|komiteen|kommune|fylkeskommune|krisesenter|krisesenteret)$"
    ))
    .expect("organisation pattern is valid")
});

static PAGE_NUMBER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:side|page|s\.) ?)?-? ?\d{1,4} ?-?(?: ?(?:av|of|/) ?\d{1,4})?$")
        .expect("page number pattern is valid")
});

const TITLE_MIN_CHARS: usize = 8;
const TITLE_MAX_CHARS: usize = 160;
const TITLE_SCAN_LINES: usize = 60;

/// The first heading-like line of the text (skips letterhead-ish lines: addresses, "Vår ref",
/// "Deres ref", dates, page numbers, lines that are too short/long); None if nothing fits.
pub fn title_from_text(text: &str) -> Option<String> {
    let lines: Vec<String> = text
        .lines()
        .map(collapse_spaces)
        .filter(|l| !l.is_empty())
        .take(TITLE_SCAN_LINES)
        .collect();
    // A letter's subject line names its kind ("Høringssvar – …"); it beats any heading-like
    // line above it, such as a note under the letterhead.
    let subject = lines
        .iter()
        .position(|l| is_heading_like(l) && starts_with_kind_word(l));
    let first_heading = lines.iter().position(|l| is_heading_like(l));
    if let Some(i) = subject.or(first_heading) {
        let line = &lines[i];
        let mut title = line.clone();
        // A heading broken over two lines continues in lowercase.
        if let Some(next) = lines.get(i + 1)
            && next.chars().next().is_some_and(char::is_lowercase)
            && !title.ends_with(['.', ':', ';'])
            && title.chars().count() + next.chars().count() < TITLE_MAX_CHARS
        {
            title.push(' ');
            title.push_str(next);
        }
        let title = title.trim_end_matches([',', ';']).trim().to_string();
        return Some(title);
    }
    None
}

fn starts_with_kind_word(line: &str) -> bool {
    const KIND_WORDS: [&str; 10] = [
        "høringssvar",
        "høyringssvar",
        "høringsuttalelse",
        "høring",
        "innspill",
        "innspel",
        "submission",
        "consultation response",
        "rapport",
        "report",
    ];
    let lower = line.to_lowercase();
    KIND_WORDS.iter().any(|w| lower.starts_with(w))
}

fn is_heading_like(line: &str) -> bool {
    let chars = line.chars().count();
    if !(TITLE_MIN_CHARS..=TITLE_MAX_CHARS).contains(&chars) {
        return false;
    }
    let Some(first_letter) = line.chars().find(|c| c.is_alphanumeric()) else {
        return false;
    };
    if !first_letter.is_uppercase() {
        return false;
    }
    let letters = line.chars().filter(|c| c.is_alphabetic()).count();
    let visible = line.chars().filter(|c| !c.is_whitespace()).count();
    if letters < 5 || letters * 2 < visible {
        return false;
    }
    // Body sentences, labels and list fragments are not headings.
    if line.ends_with([',', ':', ';']) || (line.ends_with('.') && chars > 80) {
        return false;
    }
    if LETTERHEAD_RE.is_match(line) || PAGE_NUMBER_RE.is_match(line) {
        return false;
    }
    if ORGANISATION_RE.is_match(line) && kind_from_title(line).is_none() {
        return false;
    }
    let dates = find_dates(line);
    if let Some(first) = dates.first() {
        let rest: usize = line[..first.start]
            .chars()
            .chain(line[first.end..].chars())
            .filter(|c| c.is_alphabetic())
            .count();
        if rest < 12 {
            return false;
        }
    }
    true
}

static KIND_RES: LazyLock<[(Kind, Regex); 3]> = LazyLock::new(|| {
    let build = |p: &str| Regex::new(&format!("(?i){p}")).expect("kind pattern is valid");
    [
        (
            Kind::Horingssvar,
            build(concat!(
                r"h(?:ø|o|oe)y?rings(?:svar|uttalelse|uttale|fråsegn|innspill|innspel)|",
                r"\bconsultation (?:response|reply|submission)|",
                r"\bresponse to (?:the |a )?(?:public )?consultation"
            )),
        ),
        (
            Kind::Innspill,
            build(r"\binnspill|\binnspel|\bsubmissions?\b|\binput to\b"),
        ),
        (
            Kind::Rapport,
            build(r"rapport(?:en|er|ene)?\b|\breports?\b"),
        ),
    ]
});

/// Kind from a title: "Høringssvar – …"/"Høringsuttalelse"/"Consultation response" →
/// Horingssvar, "Innspill …"/"Submission" → Innspill, "Rapport"/"Report" → Rapport; else None.
///
/// When a title has several kind words, the earliest decides: "Innspill til rapport" is a
/// submission, "Rapport med innspill" a report.
pub fn kind_from_title(title: &str) -> Option<Kind> {
    KIND_RES
        .iter()
        .filter_map(|(kind, re)| re.find(title).map(|m| (m.start(), *kind)))
        .min()
        .map(|(_, kind)| kind)
}
