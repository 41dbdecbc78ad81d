//! Norway's review cycles under the conventions: GREVIO's evaluations under the Istanbul
//! Convention and the CEDAW and CRC committees' periodic reviews, and which cycle a document
//! feeds.
//!
//! A document is in a cycle when it names the cycle itself ("Norges tiende periodiske
//! rapport", "CRC/C/NOR/5-6", "basisevalueringen"), or when it names the reviewing body or a
//! report of a review ("skyggerapport", "concluding observations") for the cycle's convention
//! and its date falls in the cycle's window. A document that only cites the convention is in
//! no cycle.

use std::sync::LazyLock;

use chrono::{Months, NaiveDate};
use regex::Regex;

use super::normalize;
use crate::model::Convention;

/// A document of a review with its public symbol and date; either may be unknown (`None`)
/// when no public source confirming it was found.
#[derive(Debug)]
pub struct KeyDocument {
    pub kind: KeyDocumentKind,
    pub symbol: Option<&'static str>,
    /// `YYYY-MM-DD`.
    pub date: Option<&'static str>,
}

/// What a key document of a review is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDocumentKind {
    StateReport,
    ListOfIssues,
    Dialogue,
    ConcludingObservations,
    EvaluationReport,
}

impl KeyDocumentKind {
    pub fn label_nb(self) -> &'static str {
        match self {
            KeyDocumentKind::StateReport => "Statens rapport",
            KeyDocumentKind::ListOfIssues => "Spørsmålsliste",
            KeyDocumentKind::Dialogue => "Dialog med komiteen",
            KeyDocumentKind::ConcludingObservations => "Avsluttende merknader",
            KeyDocumentKind::EvaluationReport => "Evalueringsrapport",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            KeyDocumentKind::StateReport => "State report",
            KeyDocumentKind::ListOfIssues => "List of issues",
            KeyDocumentKind::Dialogue => "Dialogue with the committee",
            KeyDocumentKind::ConcludingObservations => "Concluding observations",
            KeyDocumentKind::EvaluationReport => "Evaluation report",
        }
    }
}

/// One review cycle.
#[derive(Debug)]
pub struct Cycle {
    pub id: &'static str,
    pub convention: Convention,
    pub body: &'static str,
    pub name_nb: &'static str,
    pub name_en: &'static str,
    pub documents: &'static [KeyDocument],
    /// Patterns (lowercase regex over normalised text) that name this cycle itself.
    names: &'static [&'static str],
}

/// How far before the first known date of a cycle its window opens when the state report's
/// date is not known (shadow reports are written ahead of the dialogue), and how long after
/// its last known date it stays open (the follow-up). A rule of the archive, not a fact of
/// the review: it applies only to dates that are themselves verified.
const WINDOW_BEFORE: Months = Months::new(24);
const WINDOW_AFTER: Months = Months::new(24);

impl Cycle {
    /// From the state report (or two years before the earliest verified date) to two years
    /// after the latest verified date; `None` when no date of the cycle is verified.
    pub fn window(&self) -> Option<(NaiveDate, NaiveDate)> {
        let dates: Vec<(KeyDocumentKind, NaiveDate)> = self
            .documents
            .iter()
            .filter_map(|d| Some((d.kind, parse_date(d.date?)?)))
            .collect();
        let first = dates.iter().map(|(_, d)| *d).min()?;
        let last = dates.iter().map(|(_, d)| *d).max()?;
        let start = dates
            .iter()
            .find(|(k, _)| *k == KeyDocumentKind::StateReport)
            .map(|(_, d)| *d)
            .or_else(|| first.checked_sub_months(WINDOW_BEFORE))?;
        let end = last.checked_add_months(WINDOW_AFTER)?;
        Some((start, end))
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Every cycle arkiv knows, oldest first within each convention. The ECHR has no periodic
/// review of states (its court judges applications), so it has no cycle.
pub static CYCLES: [Cycle; 7] = [
    // coe.int (newsroom, "Norway: evaluation report on violence against women"): GREVIO
    // "a publié son rapport d'évaluation de référence sur la Norvège"; the page carries no
    // date and no symbol, and no other source for them was found, so both are empty.
    Cycle {
        id: "grevio-baseline",
        convention: Convention::Istanbul,
        body: "GREVIO",
        name_nb: "GREVIOs basisevaluering av Norge",
        name_en: "GREVIO's baseline evaluation of Norway",
        documents: &[KeyDocument {
            kind: KeyDocumentKind::EvaluationReport,
            symbol: None,
            date: None,
        }],
        names: &[
            r"basisevaluering(?:en|a)?",
            r"grunnlagsevaluering(?:en|a)?",
            r"baseline evaluation",
            r"baseline report",
        ],
    },
    // The cycle that follows the baseline: GREVIO's first thematic evaluation round. No
    // public source for Norway's dates was found.
    Cycle {
        id: "grevio-thematic-1",
        convention: Convention::Istanbul,
        body: "GREVIO",
        name_nb: "GREVIOs første tematiske evaluering av Norge",
        name_en: "GREVIO's first thematic evaluation of Norway",
        documents: &[
            KeyDocument {
                kind: KeyDocumentKind::StateReport,
                symbol: None,
                date: None,
            },
            KeyDocument {
                kind: KeyDocumentKind::EvaluationReport,
                symbol: None,
                date: None,
            },
        ],
        names: &[
            r"(?:første|fyrste) tematiske evaluering(?:en|a)?",
            r"first thematic evaluation",
        ],
    },
    // lawsdocbox.com, CEDAW/C/NOR/CO/9 (advance unedited version, "Distr.: General
    // 17 November 2017"): the Committee considered CEDAW/C/NOR/9 on 7 November 2017, list of
    // issues CEDAW/C/NOR/Q/9; docstore.ohchr.org CEDAW/C/SR.1552: "Held … on Tuesday,
    // 7 November 2017". The state report's date was not found.
    Cycle {
        id: "cedaw-9",
        convention: Convention::Cedaw,
        body: "CEDAW",
        name_nb: "CEDAW: Norges niende periodiske rapport",
        name_en: "CEDAW: Norway's ninth periodic report",
        documents: &[
            KeyDocument {
                kind: KeyDocumentKind::StateReport,
                symbol: Some("CEDAW/C/NOR/9"),
                date: None,
            },
            KeyDocument {
                kind: KeyDocumentKind::ListOfIssues,
                symbol: Some("CEDAW/C/NOR/Q/9"),
                date: None,
            },
            KeyDocument {
                kind: KeyDocumentKind::Dialogue,
                symbol: Some("CEDAW/C/SR.1552"),
                date: Some("2017-11-07"),
            },
            KeyDocument {
                kind: KeyDocumentKind::ConcludingObservations,
                symbol: Some("CEDAW/C/NOR/CO/9"),
                date: Some("2017-11-17"),
            },
        ],
        names: &[
            r"(?:norges )?niende periodiske rapport",
            r"ninth periodic report",
            r"cedaw/c/nor/(?:co/|q/)?9(?-u:\b)",
        ],
    },
    // docstore.ohchr.org CEDAW/C/SR.1946 ("Held … on Thursday, 9 February 2023"): "Tenth
    // periodic report of Norway (CEDAW/C/NOR/10; CEDAW/C/NOR/QPR/10)"; ungeneva.org meeting
    // summary, February 2023. The concluding observations' symbol and date were not found.
    Cycle {
        id: "cedaw-10",
        convention: Convention::Cedaw,
        body: "CEDAW",
        name_nb: "CEDAW: Norges tiende periodiske rapport",
        name_en: "CEDAW: Norway's tenth periodic report",
        documents: &[
            KeyDocument {
                kind: KeyDocumentKind::StateReport,
                symbol: Some("CEDAW/C/NOR/10"),
                date: None,
            },
            KeyDocument {
                kind: KeyDocumentKind::ListOfIssues,
                symbol: Some("CEDAW/C/NOR/QPR/10"),
                date: None,
            },
            KeyDocument {
                kind: KeyDocumentKind::Dialogue,
                symbol: Some("CEDAW/C/SR.1946"),
                date: Some("2023-02-09"),
            },
            KeyDocument {
                kind: KeyDocumentKind::ConcludingObservations,
                symbol: None,
                date: None,
            },
        ],
        names: &[
            r"(?:norges )?tiende periodiske rapport",
            r"tenth periodic report",
            r"cedaw/c/nor/(?:co/|qpr/)?10(?-u:\b)",
        ],
    },
    // The cycle after the tenth report; no public source for its dates was found.
    Cycle {
        id: "cedaw-11",
        convention: Convention::Cedaw,
        body: "CEDAW",
        name_nb: "CEDAW: Norges ellevte periodiske rapport",
        name_en: "CEDAW: Norway's eleventh periodic report",
        documents: &[KeyDocument {
            kind: KeyDocumentKind::StateReport,
            symbol: None,
            date: None,
        }],
        names: &[
            r"(?:norges )?ellevte periodiske rapport",
            r"eleventh periodic report",
            r"cedaw/c/nor/(?:co/|qpr/)?11(?-u:\b)",
        ],
    },
    // docstore.ohchr.org CRC/C/NOR/CO/5-6 ("Distr.: General 4 July 2018"): considered at
    // meetings "held on 23 and 24 May 2018"; written replies CRC/C/NOR/Q/5-6/Add.1;
    // docstore.ohchr.org CRC/C/NOR/5-6: "[Date received: 6 October 2016]".
    Cycle {
        id: "crc-5-6",
        convention: Convention::Crc,
        body: "CRC",
        name_nb: "Barnekomiteen: Norges femte og sjette periodiske rapport",
        name_en: "CRC: Norway's combined fifth and sixth periodic reports",
        documents: &[
            KeyDocument {
                kind: KeyDocumentKind::StateReport,
                symbol: Some("CRC/C/NOR/5-6"),
                date: Some("2016-10-06"),
            },
            KeyDocument {
                kind: KeyDocumentKind::ListOfIssues,
                symbol: Some("CRC/C/NOR/Q/5-6"),
                date: None,
            },
            KeyDocument {
                kind: KeyDocumentKind::Dialogue,
                symbol: Some("CRC/C/SR.2296"),
                date: Some("2018-05-23"),
            },
            KeyDocument {
                kind: KeyDocumentKind::ConcludingObservations,
                symbol: Some("CRC/C/NOR/CO/5-6"),
                date: Some("2018-07-04"),
            },
        ],
        names: &[
            r"femte og sjette periodiske rapport(?:er|ar)?",
            r"(?:combined )?fifth and sixth periodic reports?",
            r"crc/c/nor/(?:co/|q/)?5-6",
        ],
    },
    // The cycle after the fifth and sixth reports; no public source for its dates was found.
    Cycle {
        id: "crc-7",
        convention: Convention::Crc,
        body: "CRC",
        name_nb: "Barnekomiteen: Norges sjuende periodiske rapport",
        name_en: "CRC: Norway's seventh periodic report",
        documents: &[KeyDocument {
            kind: KeyDocumentKind::StateReport,
            symbol: None,
            date: None,
        }],
        names: &[
            r"(?:sjuende|syvende) periodiske rapport",
            r"seventh periodic report",
            r"crc/c/nor/(?:co/|q/|qpr/)?7(?-u:\b)",
        ],
    },
];

/// Every cycle id, in table order; a test holds it equal to [`CYCLES`].
pub const CYCLE_IDS: [&str; 7] = [
    "grevio-baseline",
    "grevio-thematic-1",
    "cedaw-9",
    "cedaw-10",
    "cedaw-11",
    "crc-5-6",
    "crc-7",
];

/// The cycle with this id.
pub fn cycle(id: &str) -> Option<&'static Cycle> {
    CYCLES.iter().find(|c| c.id == id)
}

/// The reviewing bodies, by convention, as they are named in text.
fn body_pattern(c: Convention) -> Option<&'static str> {
    match c {
        Convention::Istanbul => Some(r"grevio(?:s|'s)?"),
        Convention::Cedaw => Some(concat!(
            r"cedaw-?komit(?:e|é)(?:en|ens)?|kvinne(?:diskriminerings)?komit(?:e|é)(?:en|ens)?|",
            r"committee on the elimination of discrimination against women|cedaw committee"
        )),
        Convention::Crc => Some(concat!(
            r"barne(?:retts)?komit(?:e|é)(?:en|ens)?|fns barnekomit(?:e|é)|",
            r"committee on the rights of the child|crc committee"
        )),
        _ => None,
    }
}

/// Reports of a review, in any convention.
const REVIEW_REPORT: &str = concat!(
    r"skyggerapport(?:en|er|ene)?|supplerende rapport(?:en|er|ene)?|alternativ(?:e)? rapport(?:en|er|ene)?|",
    r"shadow reports?|supplementary reports?|alternative reports?|",
    r"periodiske rapport(?:en|er|ene)?|periodic reports?|",
    r"spørsmålsliste(?:n|r)?|lists? of issues|avsluttende merknader|concluding observations"
);

struct Matchers {
    names: Vec<Regex>,
    bodies: Vec<(Convention, Regex)>,
    report: Regex,
}

static MATCHERS: LazyLock<Matchers> = LazyLock::new(|| {
    let build =
        |p: &str| Regex::new(&format!(r"(?i)(?-u:\b)(?:{p})")).expect("cycle pattern is valid");
    Matchers {
        names: CYCLES.iter().map(|c| build(&c.names.join("|"))).collect(),
        bodies: Convention::ALL
            .into_iter()
            .filter_map(|c| body_pattern(c).map(|p| (c, build(p))))
            .collect(),
        report: build(REVIEW_REPORT),
    }
});

/// The cycles a document feeds, in table order: `conventions` are those it is tagged with,
/// `date` its date.
pub fn detect_cycles(
    text: &str,
    date: Option<NaiveDate>,
    conventions: &[Convention],
) -> Vec<&'static str> {
    let norm = normalize(text);
    let matchers = &*MATCHERS;
    let names_report = matchers.report.is_match(&norm);
    CYCLES
        .iter()
        .zip(&matchers.names)
        .filter(|(cycle, names)| {
            if names.is_match(&norm) {
                return true;
            }
            let names_body = matchers
                .bodies
                .iter()
                .any(|(c, re)| *c == cycle.convention && re.is_match(&norm));
            let about_review =
                names_body || (names_report && conventions.contains(&cycle.convention));
            let in_window = match (date, cycle.window()) {
                (Some(d), Some((start, end))) => start <= d && d <= end,
                _ => false,
            };
            about_review && in_window
        })
        .map(|(cycle, _)| cycle.id)
        .collect()
}
