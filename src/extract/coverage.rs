//! How much of one text's words another holds: what decides between extractors page by page,
//! and whether OCR adds to a page's text layer.

use std::collections::HashMap;

/// The fraction of `reference`'s words (as a multiset, case-folded) that `candidate` also
/// contains; 1.0 when `reference` has no words.
pub fn word_coverage(candidate: &str, reference: &str) -> f64 {
    let reference_words = words(reference);
    if reference_words.is_empty() {
        return 1.0;
    }
    let mut available: HashMap<String, usize> = HashMap::new();
    for w in words(candidate) {
        *available.entry(w).or_default() += 1;
    }
    let mut found = 0usize;
    for w in &reference_words {
        if let Some(n) = available.get_mut(w).filter(|n| **n > 0) {
            *n -= 1;
            found += 1;
        }
    }
    found as f64 / reference_words.len() as f64
}

/// The words of a text as compared for coverage: runs of letters and digits, lower-cased.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}
