//! The letter head: the recipient's case number ("Deres ref.", "Deres referanse", "Dykkar
//! ref.", "Your ref."), our own ("Vår ref.", "Our ref.") and the recipient's name. A reply
//! to a consultation carries the ministry's case number as "Deres ref.", which is how a
//! document finds its consultation (`crate::consultations`).
//!
//! Only the head is read: the lines before the subject, at most [`HEAD_LINES`] of the first
//! page. Labels and values may stand on separate lines, as in letters laid out in tables.

use std::sync::LazyLock;

use regex::Regex;

/// How many lines of the first page the head may take.
pub const HEAD_LINES: usize = 60;

/// What a letter head says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LetterHead {
    /// The recipient's case number ("Deres ref.: 20/7513").
    pub their_reference: Option<String>,
    /// Our case number ("Vår ref.: 20/1175").
    pub our_reference: Option<String>,
    /// The first line of the recipient's address.
    pub recipient: Option<String>,
}

/// A case number: year and serial, with an optional document number ("20/7513-4").
const CASE_NUMBER: &str = r"(\d{2,4} ?/ ?\d{1,7}(?: ?- ?\d{1,4})?)";

static THEIR_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:deres|dykkar|your)\s+(?:ref(?:eranse)?\.?|reference)(?:\s*(?:nr|no)\.?)?\s*[:.]?\s*{CASE_NUMBER}"
    ))
    .expect("their reference pattern is valid")
});

static OUR_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?:v[åa]r|our)\s+(?:ref(?:eranse)?\.?|reference)(?:\s*(?:nr|no)\.?)?\s*[:.]?\s*{CASE_NUMBER}"
    ))
    .expect("our reference pattern is valid")
});

/// A line that is a reference label (with or without its value): the end of the address.
static LABEL_LINE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:deres|dykkar|your|vår|our)\s+(?:ref|referanse|reference)")
        .expect("label pattern is valid")
});

/// The dated line of a letter ("Oslo, 1. mars 2021", "Dato: 15.08.2023").
static DATE_LINE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:[\p{L} -]{2,30},\s*(?:den\s+)?\d{1,2}[. ]|dato\s*:?\s*$|dato\s*:?\s*\d)")
        .expect("date line pattern is valid")
});

/// "Til: Justis- og beredskapsdepartementet".
static TO_LINE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:til|mottaker|to)\s*:\s*(\S.{1,120})$").expect("to pattern is valid")
});

/// A line of a postal or contact address, not a name: a postcode and place, a street and
/// number, a phone number, an organisation number, a PO box, an e-mail or web address.
static ADDRESS_LINE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:^\d{4}\s+\p{L}|\b\d{4}\s+\p{Lu}\p{Ll}+$|^postboks|^pb\.?\s|^p\.?o\.? box|",
        r"\borg\.?\s*n(?:r|o)\b|^(?:tlf|tel|telefon|phone)\b|^[+\d][\d ]{6,}$|@|www\.|https?://|",
        r"^\p{L}[\p{L}.-]*(?:vegen|veien|gata|gate|gaten|vei|veg|plass)\s+\d)"
    ))
    .expect("address pattern is valid")
});

/// Reads the head of a letter from its first page.
pub fn detect(first_page: &str) -> LetterHead {
    let lines: Vec<String> = first_page
        .lines()
        .take(HEAD_LINES)
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let head = lines.join("\n");
    let case = |re: &Regex| {
        re.captures(&head)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().split_whitespace().collect::<String>())
    };
    LetterHead {
        their_reference: case(&THEIR_RE),
        our_reference: case(&OUR_RE),
        recipient: recipient(&lines),
    }
}

/// The recipient: a "Til:" line, or else the address block just above the first reference
/// label or dated line. In that block, lines of an address (the sender's, in letters that
/// print it there) end the sender's part, so the name is the first line after the last of
/// them, and "v/" and "att." lines are the recipient's care-of, never its name.
fn recipient(lines: &[String]) -> Option<String> {
    if let Some(to) = lines
        .iter()
        .find_map(|l| TO_LINE_RE.captures(l).and_then(|c| c.get(1)))
    {
        return Some(to.as_str().trim().to_string());
    }
    let anchor = lines
        .iter()
        .position(|l| LABEL_LINE_RE.is_match(l) || DATE_LINE_RE.is_match(l))?;
    // Blank lines may stand between the address and the labels.
    let mut end = anchor;
    while end > 0 && lines[end - 1].is_empty() {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && is_address_block_line(&lines[start - 1]) {
        start -= 1;
    }
    let block = &lines[start..end];
    let after_address = block
        .iter()
        .rposition(|l| ADDRESS_LINE_RE.is_match(l))
        .map(|i| i + 1)
        .unwrap_or(0);
    block[after_address..]
        .iter()
        .find(|l| {
            let lower = l.to_lowercase();
            !(lower.starts_with("v/") || lower.starts_with("att"))
        })
        .cloned()
}

/// A line that can stand in an address block: not empty, not a sentence.
fn is_address_block_line(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty()
        && line.chars().count() <= 90
        && !line.ends_with('.')
        && !line.ends_with(':')
        && line.chars().any(char::is_alphabetic)
}
