//! Law references (`arkiv::tagging::laws`): every form a letter uses, and the traps.

use arkiv::tagging::laws::{LAWS, detect_laws, law, normalize_section, parse_law_section};

/// The laws and `law:section` strings detected in `text`.
fn check(text: &str, laws: &[&str], sections: &[&str]) {
    let found = detect_laws(text);
    assert_eq!(found.laws, laws, "laws in {text:?}");
    assert_eq!(found.section_ids(), sections, "sections in {text:?}");
}

#[test]
fn a_law_named_before_its_section() {
    check(
        "Vi viser til straffeloven § 282 om mishandling i nære relasjoner.",
        &["straffeloven"],
        &["straffeloven:282"],
    );
    check(
        "Grunnloven § 104 sier at barnets beste skal være et grunnleggende hensyn.",
        &["grunnloven"],
        &["grunnloven:104"],
    );
    check(
        "barnelova § 43 gjeld samvær.",
        &["barneloven"],
        &["barneloven:43"],
    );
}

#[test]
fn a_section_named_before_its_law() {
    check(
        "Etter § 282 i straffeloven kan den som mishandler straffes.",
        &["straffeloven"],
        &["straffeloven:282"],
    );
}

#[test]
fn several_sections_at_once() {
    check(
        "Det følger av straffeloven §§ 282 og 283 at grov mishandling straffes strengere.",
        &["straffeloven"],
        &["straffeloven:282", "straffeloven:283"],
    );
}

#[test]
fn abbreviations_count_before_a_section() {
    check(
        "Forholdet rammes av strl. § 282.",
        &["straffeloven"],
        &["straffeloven:282"],
    );
    // "bl.a." is not barneloven.
    check("Vi har bl.a. sett på dette.", &[], &[]);
}

#[test]
fn section_letters_are_normalised() {
    check(
        "Besøksforbud etter straffeprosessloven § 222 a må kunne kontrolleres.",
        &["straffeprosessloven"],
        &["straffeprosessloven:222a"],
    );
    assert_eq!(normalize_section("222 a").as_deref(), Some("222a"));
    assert_eq!(normalize_section("4 - 12").as_deref(), Some("4-12"));
    assert_eq!(normalize_section("abc"), None);
}

#[test]
fn a_full_title_with_its_short_name_in_brackets() {
    check(
        "Kommunen har plikt etter lov om krisesentertilbod (krisesenterlova) § 2.",
        &["krisesenterlova"],
        &["krisesenterlova:2"],
    );
}

#[test]
fn subdivisions_are_not_sections() {
    check(
        "Vilkåret i utlendingsloven § 53 første ledd bokstav b er for strengt.",
        &["utlendingsloven"],
        &["utlendingsloven:53"],
    );
}

#[test]
fn bokmal_and_nynorsk_inflections() {
    check(
        "Krisesenterloven og krisesenterlova er same lova; utlendingslova § 53.",
        &["krisesenterlova", "utlendingsloven"],
        &["utlendingsloven:53"],
    );
    check(
        "Straffelovens § 282 og barnevernslovens formål.",
        &["straffeloven", "barnevernsloven"],
        &["straffeloven:282"],
    );
}

#[test]
fn a_bare_section_needs_a_law_in_the_same_passage() {
    check("Bestemmelsen i § 282 bør skjerpes.", &[], &[]);
    check(
        "Straffeloven bør endres. Bestemmelsen i § 282 bør skjerpes.",
        &["straffeloven"],
        &["straffeloven:282"],
    );
    let far = format!(
        "Straffeloven bør endres.\n\n{}\n\nBestemmelsen i § 282 bør skjerpes.",
        "Annen tekst. ".repeat(60)
    );
    check(&far, &["straffeloven"], &[]);
}

#[test]
fn the_two_child_welfare_acts_are_kept_apart() {
    check(
        "Barnevernloven § 4-12 ble videreført i barnevernsloven § 5-1.",
        &["barnevernsloven", "barnevernloven"],
        &["barnevernsloven:5-1", "barnevernloven:4-12"],
    );
    // A year picks the act of that year whichever spelling is used.
    check(
        "barnevernloven (2021) § 1-3",
        &["barnevernsloven"],
        &["barnevernsloven:1-3"],
    );
}

#[test]
fn an_older_law_of_the_same_name_is_not_the_current_one() {
    check("straffeloven 1902 § 219 er opphevet.", &[], &[]);
}

#[test]
fn a_regulation_section_is_not_a_law_section() {
    check(
        "Utlendingsloven gjelder, men utlendingsforskriften § 10-8 er for streng.",
        &["utlendingsloven"],
        &[],
    );
    check(
        "Etter utlendingsloven er forskriften viktig: § 3 i forskriften bør endres.",
        &["utlendingsloven"],
        &[],
    );
}

#[test]
fn gdpr_is_not_a_law_of_the_table() {
    check(
        "Personopplysningsloven § 1 gjennomfører GDPR artikkel 9 om helseopplysninger.",
        &["personopplysningsloven"],
        &["personopplysningsloven:1"],
    );
    check("GDPR artikkel 9 og personvernforordningen § 6.", &[], &[]);
}

#[test]
fn odd_section_signs_and_unknown_laws_are_ignored() {
    for text in [
        "§",
        "§§",
        "§ §",
        "§ -",
        "§§ og",
        "§ 99999",
        "tullball-loven § 3",
        "Straffeloven §",
        "§\u{0}282",
        "lov om ingenting § 7",
    ] {
        let found = detect_laws(text);
        assert!(
            found.sections.is_empty(),
            "no sections expected in {text:?}: {found:?}"
        );
    }
    check("Straffeloven §", &["straffeloven"], &[]);
}

#[test]
fn every_law_has_a_lovdata_link_only_when_its_identifier_is_known() {
    let straffeloven = law("straffeloven").expect("straffeloven is in the table");
    assert_eq!(
        straffeloven.lovdata_url(Some("282")).as_deref(),
        Some("https://lovdata.no/lov/2005-05-20-28/§282")
    );
    assert_eq!(
        straffeloven.identifier().as_deref(),
        Some("LOV-2005-05-20-28")
    );
    for l in &LAWS {
        match l.lovdata {
            Some(id) => {
                let parts: Vec<&str> = id.split('-').collect();
                assert!(
                    parts.len() == 3 || parts.len() == 4,
                    "{}: identifier {id} is not YYYY-MM-DD[-N]",
                    l.id
                );
                assert!(l.lovdata_url(None).is_some());
            }
            None => assert_eq!(l.lovdata_url(Some("1")), None, "{}", l.id),
        }
    }
}

#[test]
fn the_laws_the_issue_names_are_all_in_the_table() {
    for id in [
        "straffeloven",
        "straffeprosessloven",
        "barneloven",
        "barnevernsloven",
        "barnevernloven",
        "krisesenterlova",
        "utlendingsloven",
        "voldsoffererstatningsloven",
        "likestillings-og-diskrimineringsloven",
        "menneskerettsloven",
        "grunnloven",
        "helse-og-omsorgstjenesteloven",
        "sosialtjenesteloven",
        "politiloven",
        "ekteskapsloven",
        "opplaeringslova",
        "domstolloven",
        "tvisteloven",
        "forvaltningsloven",
        "offentleglova",
        "personopplysningsloven",
        "pasient-og-brukerrettighetsloven",
        "integreringsloven",
        "statsborgerloven",
        "folketrygdloven",
        "arbeidsmiljoloven",
    ] {
        let l = law(id).unwrap_or_else(|| panic!("{id} missing"));
        // Its own short name is found in a sentence.
        let text = format!("Vi viser til {} § 12.", l.name);
        assert_eq!(detect_laws(&text).laws, vec![id], "{text}");
    }
}

#[test]
fn law_sections_parse_and_refuse() {
    let s = parse_law_section("straffeloven:282").expect("valid");
    assert_eq!(s.to_string(), "straffeloven:282");
    assert!(parse_law_section("straffeloven").is_none());
    assert!(parse_law_section("ukjent:3").is_none());
    assert!(parse_law_section("straffeloven:abc").is_none());
}
