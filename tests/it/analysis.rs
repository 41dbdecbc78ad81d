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
