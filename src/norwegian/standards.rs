//! Nynorsk and bokmål meet: a map of frequent word forms between the two written standards
//! (`resources/nynorsk-bokmal.tsv`: vald/vold, born/barn, heim/hjem, ikkje/ikke,
//! relasjonar/relasjoner, …). A search in one standard also finds the other, below the
//! form typed.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The map as shipped: one pair a line, `bokmål<TAB>nynorsk`; `#` begins a comment.
pub const STANDARDS: &str = include_str!("../../resources/nynorsk-bokmal.tsv");

/// The pairs of the map, (bokmål, nynorsk), lower case.
pub fn pairs() -> Vec<(String, String)> {
    STANDARDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(nb, nn)| (nb.trim().to_lowercase(), nn.trim().to_lowercase()))
        .filter(|(nb, nn)| nb != nn)
        .collect()
}

/// Word forms → the forms of the other standard.
type Forms = HashMap<String, Vec<String>>;

/// The forms of the other standard for a lower-case word form, if it has any. A form
/// written without æ, ø and å ("horingssvar", "hoeringssvar") finds them too, as the
/// search finds the word itself.
pub fn other_forms(word: &str) -> &'static [String] {
    static MAPS: OnceLock<(Forms, Forms)> = OnceLock::new();
    let (exact, folded) = MAPS.get_or_init(|| {
        let mut exact: HashMap<String, Vec<String>> = HashMap::new();
        let mut folded: HashMap<String, Vec<String>> = HashMap::new();
        for (nb, nn) in pairs() {
            exact.entry(nb.clone()).or_default().push(nn.clone());
            exact.entry(nn.clone()).or_default().push(nb.clone());
            folded.entry(fold(&nb)).or_default().push(nn.clone());
            folded.entry(fold(&nn)).or_default().push(nb);
        }
        (exact, folded)
    });
    exact
        .get(word)
        .or_else(|| folded.get(&fold(word)))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// A word as the ASCII-folded fields hold it: æ → ae, ø → o, å → a, then aa → a, oe → o.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'æ' => out.push_str("ae"),
            'ø' => out.push('o'),
            'å' => out.push('a'),
            c => out.push(c),
        }
    }
    out.replace("aa", "a").replace("oe", "o")
}
