//! Norwegian language data: the Hunspell word lists of bokmål and nynorsk (read from the
//! system, like pdftotext: Debian's `hunspell-no`), the compound splitter built on them,
//! the nynorsk ↔ bokmål word map and the thesaurus of the field (both shipped in `resources/`).
//!
//! The word lists are GPL-2 data and are never copied into the repository: they are read
//! at start from `ARKIV_HUNSPELL_DIR` or `/usr/share/hunspell/`. Without them compound
//! splitting is off (serve says so); everything else works.

pub mod cache;
pub mod compound;
pub mod standards;
pub mod thesaurus;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use compound::Splitter;

/// Where the Hunspell dictionaries are looked for when `ARKIV_HUNSPELL_DIR` is not set.
pub const SYSTEM_HUNSPELL_DIR: &str = "/usr/share/hunspell";

/// The two written standards, by their Hunspell file stems.
pub const BOKMAL: &str = "nb_NO";
pub const NYNORSK: &str = "nn_NO";

#[derive(Debug, thiserror::Error)]
pub enum DictionaryError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

/// One Hunspell word list: its lower-case stems (the entries before `/`), each with whether
/// its flags allow it inside a compound (the `.aff` file's `COMPOUNDFLAG`).
#[derive(Debug, Default)]
pub struct WordList {
    pub entries: HashMap<String, bool>,
}

impl WordList {
    /// Reads `<dir>/<name>.dic` and `.aff`. Entries that are names (a capital first letter)
    /// or hold anything but letters are left out: they are never parts of compounds.
    pub fn load(dir: &Path, name: &str) -> Result<WordList, DictionaryError> {
        let read = |ext: &str| {
            let path = dir.join(format!("{name}.{ext}"));
            std::fs::read(&path).map_err(|source| DictionaryError::Read {
                path: path.display().to_string(),
                source,
            })
        };
        let aff = read("aff")?;
        let dic = read("dic")?;
        let latin1 = aff
            .split(|b| *b == b'\n')
            .any(|l| l.starts_with(b"SET ISO8859-1"));
        let decode = |bytes: &[u8]| -> String {
            if latin1 {
                bytes.iter().map(|&b| b as char).collect()
            } else {
                String::from_utf8_lossy(bytes).into_owned()
            }
        };
        let aff = decode(&aff);
        let flag = aff
            .lines()
            .find_map(|l| l.strip_prefix("COMPOUNDFLAG "))
            .and_then(|f| f.trim().chars().next());
        let derivations = derivations(&aff);
        let dic = decode(&dic);
        let mut entries = HashMap::new();
        for line in dic.lines().skip(1) {
            let (word, flags) = line.split_once('/').unwrap_or((line, ""));
            let word = word.trim();
            if word.is_empty()
                || word.chars().next().is_some_and(char::is_uppercase)
                || !word.chars().all(char::is_alphabetic)
            {
                continue;
            }
            let word = word.to_lowercase();
            let compounds = flag.is_some_and(|f| flags.contains(f));
            // Nouns made by a suffix ("høre" → "høring") are words of their own and
            // compound freely ("høringssvar"), though the list holds only the verb.
            for rule in derivations.iter().filter(|r| flags.contains(r.flag)) {
                if let Some(derived) = rule.apply(&word) {
                    entries.insert(derived, true);
                }
            }
            let entry = entries.entry(word).or_insert(false);
            *entry |= compounds;
        }
        Ok(WordList { entries })
    }

    pub fn contains(&self, word: &str) -> bool {
        self.entries.contains_key(word)
    }
}

/// Endings of the nouns and adjectives a suffix rule makes that are words in their own right
/// (not inflections): "-ing" (høring), "-ning", "-else", "-het", "-skap", "-itet", "-lig".
const DERIVED_ENDINGS: &[&str] = &[
    "ing", "ning", "else", "lse", "het", "heit", "skap", "itet", "lig",
];

/// One suffix rule of an `.aff` file: strip `strip`, add `add`, where the word ends as
/// `condition` says (a Hunspell condition: letters and `[…]`/`[^…]` classes).
struct SuffixRule {
    flag: char,
    strip: String,
    add: String,
    condition: Vec<(bool, Vec<char>)>,
}

impl SuffixRule {
    fn apply(&self, word: &str) -> Option<String> {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() < self.condition.len() || !word.ends_with(self.strip.as_str()) {
            return None;
        }
        let tail = &chars[chars.len() - self.condition.len()..];
        let fits = tail
            .iter()
            .zip(&self.condition)
            .all(|(c, (negated, class))| class.contains(c) != *negated);
        fits.then(|| format!("{}{}", &word[..word.len() - self.strip.len()], self.add))
    }
}

/// The suffix rules of an `.aff` file that make words with [`DERIVED_ENDINGS`].
fn derivations(aff: &str) -> Vec<SuffixRule> {
    let mut rules = Vec::new();
    for line in aff.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [kind, flag, strip, add, condition, ..] = fields[..] else {
            continue;
        };
        let Some(flag) = flag.chars().next() else {
            continue;
        };
        let add = add.split('/').next().unwrap_or(add);
        if kind != "SFX" || !DERIVED_ENDINGS.iter().any(|e| add.ends_with(e)) {
            continue;
        }
        let Some(condition) = parse_condition(condition) else {
            continue;
        };
        rules.push(SuffixRule {
            flag,
            strip: if strip == "0" {
                String::new()
            } else {
                strip.to_string()
            },
            add: add.to_string(),
            condition,
        });
    }
    rules
}

/// A Hunspell condition as one (negated, letters) class per character; `.` matches all.
fn parse_condition(condition: &str) -> Option<Vec<(bool, Vec<char>)>> {
    if condition == "." {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    let mut chars = condition.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                let mut class = Vec::new();
                let mut negated = false;
                for (i, c) in chars.by_ref().enumerate() {
                    match c {
                        ']' => break,
                        '^' if i == 0 => negated = true,
                        c => class.push(c),
                    }
                }
                out.push((negated, class));
            }
            '.' => out.push((true, Vec::new())),
            c => out.push((false, vec![c])),
        }
    }
    Some(out)
}

/// Both word lists, when installed.
#[derive(Debug, Default)]
pub struct Dictionaries {
    pub bokmal: WordList,
    pub nynorsk: WordList,
    /// Where they were read from.
    pub dir: PathBuf,
}

impl Dictionaries {
    pub fn load(dir: &Path) -> Result<Dictionaries, DictionaryError> {
        Ok(Dictionaries {
            bokmal: WordList::load(dir, BOKMAL)?,
            nynorsk: WordList::load(dir, NYNORSK)?,
            dir: dir.to_path_buf(),
        })
    }

    /// The folder named by `ARKIV_HUNSPELL_DIR`, or the system's.
    pub fn dir() -> PathBuf {
        std::env::var_os("ARKIV_HUNSPELL_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(SYSTEM_HUNSPELL_DIR))
    }

    /// The system's dictionaries, read once per process; `None` when they are missing
    /// (the reason is logged once).
    pub fn system() -> Option<&'static Dictionaries> {
        static LOADED: OnceLock<Option<Dictionaries>> = OnceLock::new();
        LOADED
            .get_or_init(|| match Dictionaries::load(&Dictionaries::dir()) {
                Ok(d) => Some(d),
                Err(e) => {
                    tracing::warn!(
                        "Norwegian dictionaries not found ({e}); compound splitting is off \
                         (Debian: apt install hunspell-no)"
                    );
                    None
                }
            })
            .as_ref()
    }
}
