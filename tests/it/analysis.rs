//! Norwegian analysis: stemming meets inflections; æ/ø/å stay letters in the main fields.

use arkiv::index::{norwegian, norwegian_ascii, terms};

fn check(analyzer: &mut tantivy::tokenizer::TextAnalyzer, a: &str, b: &str, meet: bool) {
    let (ta, tb) = (terms(analyzer, a), terms(analyzer, b));
    assert_eq!(ta == tb, meet, "{a} → {ta:?}, {b} → {tb:?}");
}

#[test]
fn inflections_meet() {
    let mut n = norwegian();
    check(&mut n, "voldsutsatte", "voldsutsatt", true);
    check(&mut n, "kommunene", "kommuner", true);
    check(&mut n, "Kommunen", "kommunene", true);
    check(&mut n, "konvensjonen", "konvensjonene", true);
}

#[test]
fn norwegian_letters_stay_apart_in_the_main_field() {
    let mut n = norwegian();
    check(&mut n, "sår", "sar", false);
    check(&mut n, "før", "for", false);
    check(&mut n, "Sår", "sår", true);
}

#[test]
fn ascii_spellings_meet_in_the_folded_field() {
    let mut a = norwegian_ascii();
    check(&mut a, "sår", "sar", true);
    check(&mut a, "sårbare", "saarbare", true);
    check(&mut a, "sårbare", "sarbare", true);
    check(&mut a, "søknad", "soeknad", true);
    check(&mut a, "særlig", "saerlig", true);
}

/// The words of `text` that `query` highlights.
fn highlighted(query: &str, text: &str) -> Vec<String> {
    let found = arkiv::index::highlight(text, &arkiv::query::parse(query));
    assert_eq!(found.text(), text, "the text comes back as it was");
    found
        .ranges()
        .iter()
        .map(|r| text[r.clone()].to_string())
        .collect()
}

#[test]
fn highlights_are_ranges_of_the_words_a_query_matches() {
    // Inflections, ASCII spellings, compounds of a long word, prefixes; and nothing else.
    assert_eq!(
        highlighted("kommunen", "Kommunene og kommunen, ikke «kom»."),
        ["Kommunene", "kommunen"]
    );
    assert_eq!(highlighted("saarbare", "De sårbare <barna>."), ["sårbare"]);
    assert_eq!(
        highlighted("voldsalarm", "Voldsalarmen og voldsalarmordningen."),
        ["Voldsalarmen", "voldsalarmordningen"]
    );
    assert_eq!(highlighted("barn*", "barnehage & skole"), ["barnehage"]);
    assert!(highlighted("-barn", "barn").is_empty());
    // Multi-byte letters: the ranges fall on character boundaries.
    assert_eq!(highlighted("æøå", "ÆØÅ æøå"), ["ÆØÅ", "æøå"]);
}

#[test]
fn highlighted_text_is_rendered_by_the_web_alone() {
    let found = arkiv::index::highlight("<b>Barn</b> & \"barn\"", &arkiv::query::parse("barn"));
    assert_eq!(
        arkiv::web::html::marked(&found),
        "&#60;b&#62;<mark>Barn</mark>&#60;/b&#62; &#38; &#34;<mark>barn</mark>&#34;"
    );
    // Built from ranges that overlap, touch, fall outside or split a letter, a highlight
    // keeps only whole, ordered ranges.
    let text = "æble og pære".to_string();
    let h = arkiv::index::Highlighted::new(text, [10..14, 0..2, 1..2, 2..5, 3..8, 5..5, 40..41]);
    assert_eq!(h.ranges(), &[0..8, 10..14]);
    let pieces: Vec<(&str, bool)> = h.pieces().collect();
    assert_eq!(pieces, [("æble og", true), (" p", false), ("ære", true)]);
}
