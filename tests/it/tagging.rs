//! Table-driven tests for `arkiv::tagging`: one `check_*` helper per feature, then cases.

use std::collections::BTreeMap;

use arkiv::model::*;
use arkiv::tagging::*;
use chrono::NaiveDate;

fn conv(id: &str) -> Convention {
    Convention::from_id(id).unwrap_or_else(|| panic!("bad convention id {id}"))
}

fn check_conventions(text: &str, expected: &[(&str, u32)]) {
    let expected: BTreeMap<Convention, u32> =
        expected.iter().map(|&(id, n)| (conv(id), n)).collect();
    assert_eq!(detect_conventions(text), expected, "text: {text:?}");
}

fn check_articles(text: &str, expected: &[&str]) {
    let expected: Vec<ArticleRef> = expected
        .iter()
        .map(|s| s.parse().expect("valid article ref"))
        .collect();
    assert_eq!(detect_articles(text), expected, "text: {text:?}");
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    Some(NaiveDate::from_ymd_opt(y, m, d).expect("valid test date"))
}

fn check_date(text: &str, expected: Option<NaiveDate>) {
    assert_eq!(detect_date(text), expected, "text: {text:?}");
}

fn check_pdf_date(s: &str, expected: Option<NaiveDate>) {
    assert_eq!(parse_pdf_date(s), expected, "pdf date: {s:?}");
}

fn check_file_date(name: &str, expected: Option<NaiveDate>) {
    assert_eq!(date_from_file_name(name), expected, "file name: {name:?}");
}

fn check_meaningful(title: &str, expected: bool) {
    assert_eq!(is_meaningful_title(title), expected, "title: {title:?}");
}

fn check_title(text: &str, expected: Option<&str>) {
    assert_eq!(title_from_text(text).as_deref(), expected, "text: {text:?}");
}

fn check_kind(title: &str, expected: Option<Kind>) {
    assert_eq!(kind_from_title(title), expected, "title: {title:?}");
}

fn check_named_by(phrase: &str, expected: Option<&str>) {
    assert_eq!(
        convention_named_by(phrase),
        expected.map(conv),
        "phrase: {phrase:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Conventions
// ---------------------------------------------------------------------------------------

#[test]
fn istanbul_names_and_inflections() {
    for text in [
        "Istanbulkonvensjonen",
        "Istanbulkonvensjonens krav",
        "jf. Istanbulkonvensjon",
        "Istanbul-konvensjonen",
        "Istanbul konvensjonen",
        "ISTANBULKONVENSJONEN",
        "the Istanbul Convention",
        "the Istanbul Convention's monitoring",
        "Europarådets konvensjon om forebygging og bekjempelse av vold mot kvinner og vold i nære relasjoner",
        "Europarådet sin konvensjon om førebygging og kamp mot vald mot kvinner og vald i nære relasjonar",
        "Council of Europe Convention on preventing and combating violence against women and domestic violence",
    ] {
        check_conventions(text, &[("istanbul", 1)]);
    }
}

#[test]
fn istanbul_city_alone_is_not_the_convention() {
    check_conventions("Vi deltok på en konferanse i Istanbul i fjor.", &[]);
    check_conventions("The meeting was held in Istanbul.", &[]);
    check_conventions(
        "Etter møtet i Istanbul ble Istanbulkonvensjonen drøftet.",
        &[("istanbul", 1)],
    );
}

#[test]
fn echr_names_and_inflections() {
    for text in [
        "EMK",
        "etter EMK.",
        "EMKs vern",
        "Den europeiske menneskerettskonvensjon",
        "Den europeiske menneskerettskonvensjonen",
        "den europeiske menneskerettskonvensjonens artikler",
        "Den europeiske menneskerettighetskonvensjonen",
        "the European Convention on Human Rights",
        "ECHR",
        "Convention for the Protection of Human Rights and Fundamental Freedoms",
    ] {
        check_conventions(text, &[("echr", 1)]);
    }
}

#[test]
fn emk_must_be_a_whole_word() {
    check_conventions("SEMKO og EMKA og DEMKO", &[]);
    check_conventions("(EMK)", &[("echr", 1)]);
}

#[test]
fn the_court_is_not_the_convention() {
    check_conventions(
        "Den europeiske menneskerettsdomstolen (EMD) har avsagt dom.",
        &[],
    );
    check_conventions("The European Court of Human Rights ruled.", &[]);
    check_conventions(
        "EMD har tolket EMK artikkel 8 i flere saker.",
        &[("echr", 1)],
    );
}

#[test]
fn cedaw_names_and_inflections() {
    for text in [
        "CEDAW",
        "FNs kvinnekonvensjon",
        "FNs kvinnekonvensjonen",
        "FN's kvinnekonvensjon",
        "FN’s kvinnekonvensjon",
        "kvinnekonvensjonen",
        "Kvinnekonvensjonens krav",
        "kvinnediskrimineringskonvensjonen",
        "FNs kvinnediskrimineringskonvensjon",
        "the Convention on the Elimination of All Forms of Discrimination against Women",
    ] {
        check_conventions(text, &[("cedaw", 1)]);
    }
}

#[test]
fn crc_names_and_inflections() {
    for text in [
        "CRC",
        "FNs barnekonvensjon",
        "FNs barnekonvensjonen",
        "barnekonvensjonen",
        "Barnekonvensjonens artikkel",
        "barnerettskonvensjonen",
        "the Convention on the Rights of the Child",
        "the UN Convention on the Rights of the Child",
        "FNs konvensjon om barnets rettigheter",
    ] {
        check_conventions(text, &[("crc", 1)]);
    }
}

#[test]
fn crc_must_be_uppercase_and_whole() {
    check_conventions("crc-sjekksum og CRCs og CRCX", &[("crc", 1)]);
    check_conventions("the crc checksum", &[]);
    check_conventions("ACRCB", &[]);
}

#[test]
fn nynorsk_forms_count_like_bokmal() {
    check_conventions(
        "Barnekonvensjonen og kvinnekonvensjonen gjeld for alle barn og kvinner.",
        &[("cedaw", 1), ("crc", 1)],
    );
    check_conventions(
        "FN sin barnekonvensjon og Istanbulkonvensjonen",
        &[("crc", 1), ("istanbul", 1)],
    );
}

#[test]
fn a_long_name_counts_once() {
    check_conventions("FNs barnekonvensjon", &[("crc", 1)]);
    check_conventions(
        "the UN Convention on the Rights of the Child and the CRC Committee",
        &[("crc", 2)],
    );
    check_conventions("FNs kvinnekonvensjon (CEDAW)", &[("cedaw", 1)]);
    check_conventions(
        "Den europeiske menneskerettskonvensjonen (EMK) og EMK",
        &[("echr", 2)],
    );
}

#[test]
fn counts_add_up_across_conventions() {
    check_conventions(
        "Istanbulkonvensjonen, EMK og barnekonvensjonen. Istanbulkonvensjonen igjen, \
         og CEDAW. Istanbul-konvensjonens artikkel 18.",
        &[("istanbul", 3), ("echr", 1), ("cedaw", 1), ("crc", 1)],
    );
}

#[test]
fn pdf_whitespace_and_hyphenation_inside_names() {
    check_conventions("Istanbul-\nkonvensjonen", &[("istanbul", 1)]);
    check_conventions("Istanbulkon-\nvensjonen", &[("istanbul", 1)]);
    check_conventions("barne-\r\nkonvensjonen", &[("crc", 1)]);
    check_conventions("FNs   barne\u{00AD}konvensjon", &[("crc", 1)]);
    check_conventions(
        "the Convention on\nthe  Rights of\tthe Child",
        &[("crc", 1)],
    );
    check_conventions(
        "Europarådets konvensjon om forebygging og\nbekjempelse av vold mot kvinner og vold i\nnære relasjoner",
        &[("istanbul", 1)],
    );
}

#[test]
fn text_without_conventions_is_empty() {
    check_conventions("", &[]);
    check_conventions(
        "Vold i nære relasjoner rammer mange. Konvensjonen er viktig.",
        &[],
    );
}

#[test]
fn every_alias_is_detected_and_named() {
    for c in Convention::ALL {
        assert!(!convention_aliases(c).is_empty(), "{c} has no aliases");
        for alias in convention_aliases(c) {
            assert_eq!(
                alias,
                &alias.to_lowercase(),
                "alias {alias:?} is not lowercase"
            );
            let counts = detect_conventions(&alias.to_uppercase());
            assert_eq!(counts, BTreeMap::from([(c, 1)]), "alias {alias:?}");
            assert_eq!(convention_named_by(alias), Some(c), "alias {alias:?}");
        }
    }
}

#[test]
fn aliases_include_the_common_names() {
    assert!(convention_aliases(conv("istanbul")).contains(&"istanbulkonvensjonen"));
    assert!(convention_aliases(conv("echr")).contains(&"emk"));
    assert!(convention_aliases(conv("cedaw")).contains(&"fns kvinnekonvensjon"));
    assert!(convention_aliases(conv("crc")).contains(&"barnekonvensjonen"));
}

#[test]
fn phrases_that_name_a_convention() {
    check_named_by("istanbul convention", Some("istanbul"));
    check_named_by("The Istanbul Convention", Some("istanbul"));
    check_named_by("Istanbulkonvensjonens", Some("istanbul"));
    check_named_by("emk", Some("echr"));
    check_named_by("EMK", Some("echr"));
    check_named_by("den europeiske menneskerettskonvensjonen", Some("echr"));
    check_named_by("barnekonvensjonen", Some("crc"));
    check_named_by("crc", Some("crc"));
    check_named_by("fns kvinnekonvensjon", Some("cedaw"));
    check_named_by("«FN’s kvinnekonvensjon»", Some("cedaw"));
    check_named_by("cedaw", Some("cedaw"));
}

#[test]
fn phrases_that_do_not_name_a_convention() {
    check_named_by("istanbul", None);
    check_named_by("emd", None);
    check_named_by("barnekonvensjonen artikkel 3", None);
    check_named_by("vold mot kvinner", None);
    check_named_by("", None);
    check_named_by("   ", None);
}

// ---------------------------------------------------------------------------------------
// Articles
// ---------------------------------------------------------------------------------------

#[test]
fn article_before_convention() {
    check_articles("artikkel 18 i Istanbulkonvensjonen", &["istanbul:18"]);
    check_articles("art. 18 i Istanbulkonvensjonen", &["istanbul:18"]);
    check_articles(
        "Artikkel 3 i barnekonvensjonen gjeld alle barn.",
        &["crc:3"],
    );
    check_articles("Article 19 of the CRC", &["crc:19"]);
    check_articles(
        "article 3 of the Convention on the Rights of the Child",
        &["crc:3"],
    );
    check_articles("artikkel 2 i FNs kvinnekonvensjon", &["cedaw:2"]);
    check_articles(
        "artikkel 8 i Den europeiske menneskerettskonvensjonen",
        &["echr:8"],
    );
}

#[test]
fn convention_before_article() {
    check_articles("Istanbulkonvensjonen artikkel 18", &["istanbul:18"]);
    check_articles("Istanbulkonvensjonens artikkel 18", &["istanbul:18"]);
    check_articles("EMK art. 8", &["echr:8"]);
    check_articles("EMK artikkel 8 nr. 1", &["echr:8"]);
    check_articles("barnekonvensjonen artikkel 3", &["crc:3"]);
    check_articles("barnekonvensjonen art. 3 nr. 1", &["crc:3"]);
    check_articles("CEDAW article 2(e)", &["cedaw:2"]);
}

#[test]
fn convention_right_after_without_a_connector() {
    check_articles("jf. art. 8 EMK", &["echr:8"]);
    check_articles(
        "Istanbulkonvensjonen nevnes. Se art. 3 barnekonvensjonen.",
        &["crc:3"],
    );
}

#[test]
fn articles_survive_pdf_line_breaks() {
    check_articles("Istanbul-\nkonvensjonen  artikkel\n18", &["istanbul:18"]);
    check_articles("artikkel 12 i FN’s\nbarnekonvensjon", &["crc:12"]);
}

#[test]
fn article_lists() {
    check_articles(
        "artiklene 3 og 12 i barnekonvensjonen",
        &["crc:3", "crc:12"],
    );
    check_articles(
        "artikkel 5, 18 og 51 i Istanbulkonvensjonen",
        &["istanbul:5", "istanbul:18", "istanbul:51"],
    );
    check_articles("EMK artikkel 8 og 14", &["echr:8", "echr:14"]);
    check_articles("EMK art. 8 nr. 1 og art. 14", &["echr:8", "echr:14"]);
    check_articles(
        "articles 3, 12, and 19 of the CRC",
        &["crc:3", "crc:12", "crc:19"],
    );
    check_articles(
        "artikkel 3–5 i Istanbulkonvensjonen",
        &["istanbul:3", "istanbul:4", "istanbul:5"],
    );
}

#[test]
fn results_are_sorted_and_deduplicated() {
    check_articles(
        "EMK artikkel 14. Barnekonvensjonen artikkel 3. EMK art. 8 og EMK artikkel 8.",
        &["echr:8", "echr:14", "crc:3"],
    );
}

#[test]
fn two_conventions_in_one_sentence() {
    check_articles(
        "barnekonvensjonen artikkel 3 og EMK artikkel 8",
        &["echr:8", "crc:3"],
    );
    check_articles(
        "EMK gjelder, men artikkel 19 i barnekonvensjonen er klarere",
        &["crc:19"],
    );
}

#[test]
fn bare_article_uses_the_convention_named_before_it() {
    check_articles(
        "Barnekonvensjonen gir barn rett til å bli hørt. Etter artikkel 12 skal barnets \
         mening tillegges vekt.",
        &["crc:12"],
    );
    check_articles(
        "Istanbulkonvensjonen er tydelig. EMK er også relevant. Art. 8 verner privatlivet.",
        &["echr:8"],
    );
    check_articles(
        "The CRC is clear on this.\n\nArticle 12 requires that children are heard.",
        &["crc:12"],
    );
}

#[test]
fn bare_article_without_a_convention_is_ignored() {
    check_articles("Etter artikkel 12 skal barnet høres.", &[]);
    check_articles("Artikkel 12 nevnes før barnekonvensjonen blir nevnt.", &[]);
}

#[test]
fn bare_article_outside_the_passage_is_ignored() {
    let filler = "Dette avsnittet handler om noe helt annet. ".repeat(12);
    let text = format!("Barnekonvensjonen er viktig.\n\n{filler}\n\nArtikkel 12 er nevnt her.");
    check_articles(&text, &[]);
    let same_paragraph = format!("Barnekonvensjonen er viktig. {filler} Artikkel 12 er nevnt her.");
    check_articles(&same_paragraph, &["crc:12"]);
}

#[test]
fn article_numbers_out_of_range_are_rejected() {
    check_articles("artikkel 0 i EMK", &[]);
    check_articles("artikkel 999 i EMK", &[]);
    check_articles("artikkel 2019 i EMK", &[]);
    check_articles("artikkel 200 i EMK", &["echr:200"]);
}

#[test]
fn norwegian_law_paragraphs_are_not_articles() {
    check_articles("Barnekonvensjonen og barneloven § 3 og § 31.", &[]);
    check_articles("EMK og straffeloven § 282", &[]);
}

#[test]
fn words_that_merely_contain_art_are_not_articles() {
    check_articles("EMK. Start 8 ganger, smart 12 ganger.", &[]);
    check_articles("EMK. I denne artikkelen drøfter vi 12 saker.", &[]);
}

// ---------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------

#[test]
fn dated_lines_in_every_form() {
    for (text, expected) in [
        ("Oslo, 30. november 2019", date(2019, 11, 30)),
        ("Oslo 30.11.2019", date(2019, 11, 30)),
        ("30. november 2019", date(2019, 11, 30)),
        ("12 January 2021", date(2021, 1, 12)),
        ("January 12, 2021", date(2021, 1, 12)),
        ("30.11.2019", date(2019, 11, 30)),
        ("2019-11-30", date(2019, 11, 30)),
        ("30. nov. 2019", date(2019, 11, 30)),
        ("Dato: 1. mars 2020", date(2020, 3, 1)),
        ("Tromsø, den 2. mai 2018", date(2018, 5, 2)),
        ("Bergen, 15. juni 2017", date(2017, 6, 15)),
        ("Oslo, 3. juli 2016", date(2016, 7, 3)),
        ("Oslo, 31. oktober 2015", date(2015, 10, 31)),
        ("Oslo, 24. desember 2014", date(2014, 12, 24)),
        ("Oslo, 1. februar 2013", date(2013, 2, 1)),
        ("Oslo, 9. sept. 2012", date(2012, 9, 9)),
    ] {
        check_date(text, expected);
    }
}

#[test]
fn dated_line_in_a_letterhead() {
    let letter = "Krisesentersekretariatet\nPostboks 1234 Sentrum\n0150 Oslo\n\n\
                  Justis- og beredskapsdepartementet\n\n\
                  Vår ref: 19/123       Deres ref: 19/4567      Deres dato: 01.10.2019\n\n\
                  Oslo, 30. november 2019\n\n\
                  Høringssvar – endringer i straffeloven\n\n\
                  Vi viser til høringsbrev av 1. oktober 2019.";
    check_date(letter, date(2019, 11, 30));
}

#[test]
fn dated_line_beats_law_references() {
    check_date(
        "Etter lov 17. juli 1998 nr. 61 om grunnskolen skal ...\n\nOslo, 2. mars 2020",
        date(2020, 3, 2),
    );
    check_date(
        "Høringsfrist: 1. desember 2019\nBergen, 28. november 2019",
        date(2019, 11, 28),
    );
}

#[test]
fn dated_line_at_the_end_beats_a_reference_early() {
    let body = "Vi viser til brev av 1. oktober 2019. ".to_string() + &"Tekst. ".repeat(400);
    check_date(
        &format!("{body}\nOslo, 30. november 2019"),
        date(2019, 11, 30),
    );
}

#[test]
fn falls_back_to_a_plain_date_in_the_text() {
    check_date(
        "Regjeringen la 15. mars 2019 fram en ny handlingsplan mot vold.",
        date(2019, 3, 15),
    );
    check_date(
        "Etter lov 17. juli 1998 nr. 61 om grunnskolen skal alle barn gå på skole.",
        date(1998, 7, 17),
    );
    check_date(
        "Etter lov 17. juli 1998 nr. 61 om grunnskolen ble det 15. mars 2019 foreslått endringer.",
        date(2019, 3, 15),
    );
    check_date(
        "Vi viser til høringsbrev av 1. oktober 2019. Møtet 3. november 2019 var nyttig.",
        date(2019, 11, 3),
    );
}

#[test]
fn invalid_dates_are_rejected() {
    check_date("31.02.2019", None);
    check_date("Oslo, 31. april 2019", None);
    check_date("2019-13-01", None);
    check_date("30.11.1899", None);
    check_date("30.11.2101", None);
    check_date("Ingen dato her.", None);
    check_date("", None);
    check_date("Oslo, 31.02.2019\n\n12.03.2019", date(2019, 3, 12));
}

#[test]
fn file_name_dates() {
    check_file_date("2019-11-30-partnerdrap.pdf", date(2019, 11, 30));
    check_file_date("20191130_x.pdf", date(2019, 11, 30));
    check_file_date("2019_11_30 høringssvar.pdf", date(2019, 11, 30));
    check_file_date("documents/2019-11-30-partnerdrap.pdf", date(2019, 11, 30));
    check_file_date("2019-11-31-x.pdf", None);
    check_file_date("201911301.pdf", None);
    check_file_date("2019-1130.pdf", None);
    check_file_date("partnerdrap-2019-11-30.pdf", None);
    check_file_date("høringssvar.pdf", None);
    check_file_date("æøå", None);
    check_file_date("", None);
}

#[test]
fn pdf_metadata_dates() {
    check_pdf_date("D:20191130120000+01'00'", date(2019, 11, 30));
    check_pdf_date("D:20191130", date(2019, 11, 30));
    check_pdf_date("20191130120000Z", date(2019, 11, 30));
    check_pdf_date("2019-11-30T12:00:00+01:00", date(2019, 11, 30));
    check_pdf_date("D:20190231120000", None);
    check_pdf_date("D:2019", None);
    check_pdf_date("D:", None);
    check_pdf_date("", None);
    check_pdf_date("D:ææææææææ", None);
    check_pdf_date("D:1899113012", None);
}

// ---------------------------------------------------------------------------------------
// Titles and kinds
// ---------------------------------------------------------------------------------------

#[test]
fn meaningful_titles() {
    for title in [
        "Høringssvar – endringer i straffeloven",
        "Innspill til statsbudsjettet 2021",
        "Skyggerapport til CEDAW-komiteen",
        "Partnerdrap i Norge",
        "Rapport",
    ] {
        check_meaningful(title, true);
    }
}

#[test]
fn meaningless_titles() {
    for title in [
        "",
        "   ",
        "Microsoft Word - Høringssvar partnerdrap.docx",
        "Microsoft Word - x",
        "untitled",
        "Untitled document",
        "Dokument1",
        "Document 2",
        "Uten tittel",
        "høringssvar_partnerdrap_final.docx",
        "hs_2019_final",
        "C:\\Users\\ks\\Documents\\brev.pdf",
        "scan0001",
        "HÃ¸ringssvar om vold",
        "Title \u{FFFD}\u{FFFD}",
        "þÿ\u{0}H\u{0}ø",
        "Brev",
        "2019-11-30",
    ] {
        check_meaningful(title, false);
    }
}

#[test]
fn title_skips_the_letterhead() {
    let letter = "Krisesentersekretariatet\nPostboks 1234 Sentrum\n0150 Oslo\n\n\
                  Til Justis- og beredskapsdepartementet\n\n\
                  Vår ref: 19/123\nDeres ref: 19/4567\n\n\
                  Oslo, 30. november 2019\n\n\
                  Høringssvar – endringer i straffeloven\n\n\
                  Vi viser til høringsbrev av 1. oktober 2019 og takker for muligheten.";
    check_title(letter, Some("Høringssvar – endringer i straffeloven"));
}

#[test]
fn title_skips_page_numbers_and_contact_lines() {
    check_title(
        "1\nSide 2 av 5\npost@krisesenter.com\nTlf. 23 01 03 00\nStorgata 1\n\
         Innspill til Barne- og familiedepartementet\nMer tekst.",
        Some("Innspill til Barne- og familiedepartementet"),
    );
}

#[test]
fn title_joins_a_heading_broken_over_two_lines() {
    check_title(
        "Høringssvar – forslag til endringer i\nstraffeloven om partnerdrap\n\nTekst.",
        Some("Høringssvar – forslag til endringer i straffeloven om partnerdrap"),
    );
}

#[test]
fn title_is_none_when_nothing_fits() {
    check_title("", None);
    check_title("Vår ref: 19/123\n30.11.2019\n1\nOslo", None);
    check_title(
        "dette er bare en lang setning med små bokstaver som ikke er en overskrift.",
        None,
    );
    let long = "Dette er en veldig lang setning som fortsetter og fortsetter. ".repeat(4);
    check_title(&long, None);
}

#[test]
fn kinds_from_titles() {
    for (title, expected) in [
        (
            "Høringssvar – endringer i straffeloven",
            Some(Kind::Horingssvar),
        ),
        (
            "Høringsuttalelse om voldsoffererstatning",
            Some(Kind::Horingssvar),
        ),
        (
            "Krisesentersekretariatets høringssvar",
            Some(Kind::Horingssvar),
        ),
        (
            "Høyringssvar frå Krisesentersekretariatet",
            Some(Kind::Horingssvar),
        ),
        (
            "Consultation response on domestic violence",
            Some(Kind::Horingssvar),
        ),
        ("Innspill til statsbudsjettet 2021", Some(Kind::Innspill)),
        ("Submission to the CEDAW Committee", Some(Kind::Innspill)),
        ("Rapport om partnerdrap", Some(Kind::Rapport)),
        ("Skyggerapport til CEDAW-komiteen", Some(Kind::Rapport)),
        ("Report on shelters in Norway", Some(Kind::Rapport)),
        ("Innspill til rapport om krisesentre", Some(Kind::Innspill)),
        ("Rapport med innspill fra sentrene", Some(Kind::Rapport)),
        ("Partnerdrap i Norge", None),
        ("Rapportering av vold", None),
        ("", None),
    ] {
        check_kind(title, expected);
    }
}

// ---------------------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------------------

#[test]
fn multibyte_input_never_panics() {
    let samples = [
        "æøå",
        "ÆØÅ-\nåø",
        "D:2019æ",
        "D:20191130æ",
        "2019-11-3ø",
        "2019æ11æ30",
        "ø2019-11-30",
        "Oslo, 3ø. november 2019",
        "artikkel ø i EMK",
        "EMK artikkel 8ø",
        "Kelvin o\u{212A}t 2019 og 1. o\u{212A}t. 2019",
        "1. ſep 2019",
        "\u{FFFD}\u{0}\u{C}\r\n\u{2028}",
        "Høringssvar –",
        "«»“”’",
    ];
    for s in samples {
        let _ = detect_conventions(s);
        let _ = detect_articles(s);
        let _ = detect_date(s);
        let _ = parse_pdf_date(s);
        let _ = date_from_file_name(s);
        let _ = is_meaningful_title(s);
        let _ = title_from_text(s);
        let _ = kind_from_title(s);
        let _ = convention_named_by(s);
        // Every prefix cut on a char boundary, as a truncated extraction would be.
        for (i, _) in s.char_indices() {
            let cut = &s[..i];
            let _ = detect_date(cut);
            let _ = parse_pdf_date(cut);
            let _ = date_from_file_name(cut);
            let _ = title_from_text(cut);
        }
    }
    check_date("Oslo, 1. o\u{212A}tober 2019", date(2019, 10, 1));
}

#[test]
fn title_prefers_the_subject_line_over_a_note_above_it() {
    check_title(
        "Krisesentersekretariatet\n\nEksempeldokument laget for arkiv-prosjektet – ikke et reelt høringssvar.\n\nJustis- og beredskapsdepartementet\nVår ref.: 16/1842\n\nOslo, 15. juni 2016\n\nHøringssvar – endringer i voldsoffererstatningsloven\n\nKrisesentersekretariatet viser til høringsnotatet.",
        Some("Høringssvar – endringer i voldsoffererstatningsloven"),
    );
}

#[test]
fn detect_finds_what_the_separate_detectors_find() {
    let mut tagged = 0;
    for entry in std::fs::read_dir(crate::support::samples_dir().join("../samples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let tags = detect(&text);
        assert_eq!(
            tags.mentions,
            detect_conventions(&text),
            "{}",
            path.display()
        );
        assert_eq!(tags.articles, detect_articles(&text), "{}", path.display());
        tagged += usize::from(!tags.articles.is_empty());
    }
    assert!(tagged > 5, "only {tagged} samples cite articles");
}

// ---------------------------------------------------------------------------------------
// The other conventions the work rests on
// ---------------------------------------------------------------------------------------

#[test]
fn the_other_conventions_by_name_in_three_languages() {
    check_conventions(
        "Vi viser til FNs konvensjon om rettighetene til mennesker med nedsatt funksjonsevne (CRPD).",
        &[("crpd", 1)],
    );
    check_conventions(
        "Konvensjonen om rettane til menneske med nedsett funksjonsevne gjeld òg.",
        &[("crpd", 1)],
    );
    check_conventions(
        "The Convention on the Rights of Persons with Disabilities and the CRPD's article 16.",
        &[("crpd", 2)],
    );
    check_conventions(
        "Lanzarotekonvensjonen og Lanzarote-konvensjonens krav; the Lanzarote Convention.",
        &[("lanzarote", 3)],
    );
    check_conventions(
        "Europarådets konvensjon om tiltak mot menneskehandel og Council of Europe Convention on Action against Trafficking in Human Beings.",
        &[("trafficking", 2)],
    );
    check_conventions(
        "Palermoprotokollen, Palermo-protokollen og the Palermo Protocol.",
        &[("palermo", 3)],
    );
    check_conventions(
        "FNs konvensjon om sivile og politiske rettigheter (SP) og ICCPR.",
        &[("iccpr", 2)],
    );
    check_conventions(
        "FNs konvensjon om økonomiske, sosiale og kulturelle rettigheter (ØSK), ØSK artikkel 11 og ICESCR.",
        &[("icescr", 3)],
    );
    check_conventions(
        "Rasediskrimineringskonvensjonen og FNs konvensjon om avskaffelse av alle former for rasediskriminering (CERD).",
        &[("cerd", 2)],
    );
}

#[test]
fn articles_tie_to_the_other_conventions_too() {
    check_articles("CRPD artikkel 16 krever vern mot vold.", &["crpd:16"]);
    check_articles(
        "Etter artikkel 4 i Europarådets konvensjon om tiltak mot menneskehandel.",
        &["trafficking:4"],
    );
    check_articles("ØSK artikkel 11 om retten til bolig.", &["icescr:11"]);
}

#[test]
fn the_other_conventions_keep_their_traps() {
    // The island, the city, a party and a word are not conventions.
    check_conventions("En konferanse på Lanzarote i fjor.", &[]);
    check_conventions("Møtet ble holdt i Palermo.", &[]);
    check_conventions("Sp og Ap er partier; se sp. 3.", &[]);
    check_conventions("Bekreftelse, vil SP som signerer med Signer1.", &[]);
    check_articles("SP artikkel 7 forbyr tortur.", &["iccpr:7"]);
    check_conventions("Menneskehandel er et alvorlig problem.", &[]);
    check_conventions("RØSKE og BØSKE er ikke ord.", &[]);
    check_conventions("Rasediskriminering skjer.", &[]);
    // The Universal Declaration is none of them.
    check_articles("Menneskerettighetenes artikkel 9 om vilkårlig arrest.", &[]);
    // A GDPR article after a convention is not the convention's.
    check_articles(
        "Istanbulkonvensjonen gjelder. GDPR artikkel 9 gjelder helseopplysninger.",
        &[],
    );
}

#[test]
fn the_four_stay_first() {
    let ids: Vec<&str> = Convention::ALL.iter().map(|c| c.id()).collect();
    assert_eq!(&ids[..4], ["istanbul", "echr", "cedaw", "crc"]);
    assert_eq!(
        &ids[4..],
        [
            "crpd",
            "lanzarote",
            "trafficking",
            "palermo",
            "iccpr",
            "icescr",
            "cerd"
        ]
    );
    check_named_by("øsk", Some("icescr"));
    check_named_by("Lanzarotekonvensjonen", Some("lanzarote"));
    check_named_by("palermo", None);
}
