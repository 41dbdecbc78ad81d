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

/// The forms of the other standard for a lower-case word form, if it has any.
pub fn other_forms(word: &str) -> &'static [String] {
    static MAP: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (nb, nn) in pairs() {
            map.entry(nb.clone()).or_default().push(nn.clone());
            map.entry(nn).or_default().push(nb);
        }
        map
    });
    map.get(word).map(Vec::as_slice).unwrap_or(&[])
}
