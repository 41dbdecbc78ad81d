//! Searching by meaning: the thesaurus (each concept found from each of its terms), nynorsk
//! and bokmål both ways (every form of the map in the Debian word list of its standard),
//! and exact matches ranked above compound parts, thesaurus terms and the other standard.

use std::io::Write;
use std::process::{Command, Stdio};

use arkiv::index::{ArchiveIndex, SearchRequest, SearchResults};
use arkiv::model::Submission;
use arkiv::norwegian::standards;
use arkiv::norwegian::thesaurus::{THESAURUS, Thesaurus};

use crate::support::{self, programs};

fn submission(file: &str, text: &str) -> Submission {
    support::submission(file, file.trim_end_matches(".pdf"), &[text])
}

/// An index in memory holding one document per (file, text).
fn index_of(documents: &[(String, String)]) -> ArchiveIndex {
    let index = ArchiveIndex::create_in_ram().unwrap();
    let mut writer = index.writer().unwrap();
    for (file, text) in documents {
        writer.upsert(&submission(file, text), "f").unwrap();
    }
    writer.commit().unwrap();
    index
}

fn search(index: &ArchiveIndex, query: &str, exact: bool) -> SearchResults {
    index
        .search(&SearchRequest {
            query: query.into(),
            limit: 50,
            pages_per_hit: 1,
            exact,
            ..SearchRequest::default()
        })
        .unwrap()
}

fn files(results: &SearchResults) -> Vec<String> {
    results
        .hits
        .iter()
        .map(|h| h.submission.file.clone())
        .collect()
}

#[test]
fn the_thesaurus_has_its_concepts_in_three_languages() {
    let thesaurus = Thesaurus::parse(THESAURUS).unwrap();
    assert!(
        thesaurus.concepts.len() >= 60,
        "{}",
        thesaurus.concepts.len()
    );
    for c in &thesaurus.concepts {
        assert!(
            !c.nb.is_empty() && !c.nn.is_empty() && !c.en.is_empty(),
            "{}",
            c.id
        );
    }
    assert!(Thesaurus::parse("version = 1\n[[concept]]\nid = \"x\"\nnb = [\"a\"]").is_err());
}

#[test]
fn each_concept_is_found_from_each_of_its_terms() {
    let thesaurus = Thesaurus::parse(THESAURUS).unwrap();
    // One document per concept, written with the concept's first term only.
    let documents: Vec<(String, String)> = thesaurus
        .concepts
        .iter()
        .map(|c| {
            (
                format!("{}.pdf", c.id),
                format!("Et brev om {}.", c.terms()[0]),
            )
        })
        .collect();
    let index = index_of(&documents);
    for c in &thesaurus.concepts {
        let want = format!("{}.pdf", c.id);
        for term in c.terms() {
            let found = files(&search(&index, &term, false));
            assert!(
                found.contains(&want),
                "`{term}` did not find {want}: {found:?}"
            );
        }
    }
}

#[test]
fn thesaurus_terms_rank_below_the_words_typed_and_exact_turns_them_off() {
    let index = index_of(&[
        ("typed.pdf".into(), "Om familievold i Norge.".into()),
        ("other.pdf".into(), "Om partnervold i Norge.".into()),
    ]);
    let results = search(&index, "familievold", false);
    assert_eq!(files(&results), ["typed.pdf", "other.pdf"]);
    assert!(
        results.also.iter().any(|t| t == "partnervold"),
        "{:?}",
        results.also
    );
    // The snippet of the document found through the thesaurus marks the term it holds.
    let snippet = &results.hits[1].pages[0].snippet;
    assert!(
        arkiv::web::html::snippet(snippet).contains("<b>partnervold</b>"),
        "{snippet:?}"
    );
    let exact = search(&index, "familievold", true);
    assert_eq!(files(&exact), ["typed.pdf"]);
    assert!(exact.also.is_empty());
}

#[test]
fn nynorsk_and_bokmal_find_each_other_exact_forms_first() {
    let index = index_of(&[
        (
            "bokmal.pdf".into(),
            "Barn som lever med vold i hjemmet.".into(),
        ),
        (
            "nynorsk.pdf".into(),
            "Born som lever med vald i heimen.".into(),
        ),
    ]);
    assert_eq!(
        files(&search(&index, "vold", false)),
        ["bokmal.pdf", "nynorsk.pdf"]
    );
    assert_eq!(
        files(&search(&index, "vald", false)),
        ["nynorsk.pdf", "bokmal.pdf"]
    );
    assert_eq!(
        files(&search(&index, "barn", false)),
        ["bokmal.pdf", "nynorsk.pdf"]
    );
    assert_eq!(
        files(&search(&index, "born", false)),
        ["nynorsk.pdf", "bokmal.pdf"]
    );
    assert_eq!(files(&search(&index, "vald", true)), ["nynorsk.pdf"]);
    let pairs = standards::pairs();
    assert!(pairs.len() >= 300, "{}", pairs.len());
    for (nb, nn) in &pairs {
        assert!(standards::other_forms(nb).contains(nn), "{nb} → {nn}");
        assert!(standards::other_forms(nn).contains(nb), "{nn} → {nb}");
    }
}

#[test]
fn compound_parts_rank_below_the_word_itself() {
    if programs::require(["hunspell-no"]).is_none() {
        return;
    }
    let index = index_of(&[
        ("exact.pdf".into(), "Saken gjaldt drap.".into()),
        ("compound.pdf".into(), "Saken gjaldt kvinnedrapene.".into()),
        ("apart.pdf".into(), "Vi skriver om vold mot barn.".into()),
        ("whole.pdf".into(), "Vi skriver om barnevold.".into()),
    ]);
    assert_eq!(
        files(&search(&index, "drap", true)),
        ["exact.pdf", "compound.pdf"]
    );
    assert_eq!(
        files(&search(&index, "barnevold", true))[..2],
        ["whole.pdf".to_string(), "apart.pdf".to_string()]
    );
    // The compound's snippet marks it for the part asked for.
    let results = search(&index, "drap", true);
    let snippet = arkiv::web::html::snippet(&results.hits[1].pages[0].snippet);
    assert!(snippet.contains("<b>kvinnedrapene</b>"), "{snippet}");
}

/// Every form of the map is in the word list of its standard, as `hunspell -l` (which
/// lists the words it does not know) reads them.
#[test]
fn every_form_of_the_map_is_a_word_of_its_standard() {
    let Some([hunspell, dir]) = programs::require(["hunspell", "hunspell-no"]) else {
        return;
    };
    let pairs = standards::pairs();
    for (dictionary, forms) in [
        (
            "nb_NO",
            pairs.iter().map(|(nb, _)| nb.as_str()).collect::<Vec<_>>(),
        ),
        ("nn_NO", pairs.iter().map(|(_, nn)| nn.as_str()).collect()),
    ] {
        let mut child = Command::new(&hunspell)
            .args(["-i", "utf-8", "-l", "-d"])
            .arg(dir.join(dictionary))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(forms.join("\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let unknown = String::from_utf8_lossy(&out.stdout);
        assert!(
            unknown.trim().is_empty(),
            "not in {dictionary}: {}",
            unknown.trim()
        );
    }
}

#[test]
fn the_document_page_marks_parts_terms_and_forms() {
    let text = "Kvinnedrapene og partnervold, vald og barn.";
    let marked = |q: &str| -> Vec<String> {
        let h = arkiv::index::highlight(text, &arkiv::query::parse(q));
        h.ranges()
            .iter()
            .map(|r| text[r.clone()].to_string())
            .collect()
    };
    assert!(marked("familievold").contains(&"partnervold".to_string()));
    assert!(marked("vold").contains(&"vald".to_string()));
    assert!(marked("born").contains(&"barn".to_string()));
    if programs::require(["hunspell-no"]).is_some() {
        assert!(
            marked("drap").contains(&"Kvinnedrapene".to_string()),
            "{:?}",
            marked("drap")
        );
    }
}

/// A misspelt query shows the corrected query's hits with their words marked.
#[test]
fn a_corrected_query_marks_its_hits() {
    let results = crate::support::sample_index()
        .search(&SearchRequest {
            query: "partnedrap".into(),
            limit: 5,
            pages_per_hit: 1,
            ..SearchRequest::default()
        })
        .unwrap();
    assert!(results.suggestion.is_some());
    assert!(results.total > 0);
    let hit = &results.hits[0];
    assert!(!hit.pages.is_empty(), "{hit:?}");
    assert!(
        !hit.pages[0].snippet.ranges().is_empty(),
        "{:?}",
        hit.pages[0]
    );
}
