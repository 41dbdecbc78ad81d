//! Search quality over the sample archive: stems, phrases, ASCII spellings, convention
//! names across languages, compounds, the query language and suggestions.

use arkiv::index::{SearchRequest, Sort};
use arkiv::model::Convention;

use crate::support::{self, sample_index};

/// The files of every hit for a query, best first.
fn files(query: &str) -> Vec<String> {
    let results = sample_index()
        .search(&SearchRequest {
            query: query.into(),
            limit: 100,
            ..SearchRequest::default()
        })
        .unwrap();
    results
        .hits
        .into_iter()
        .map(|h| h.submission.file)
        .collect()
}

/// `query` finds every file in `present` and none in `absent` (names without `.pdf`).
fn check(query: &str, present: &[&str], absent: &[&str]) {
    let found = files(query);
    for p in present {
        assert!(
            found.iter().any(|f| f == &format!("{p}.pdf")),
            "`{query}` did not find {p}: {found:?}"
        );
    }
    for a in absent {
        assert!(
            !found.iter().any(|f| f == &format!("{a}.pdf")),
            "`{query}` found {a}: {found:?}"
        );
    }
}

#[test]
fn stems_meet_inflections() {
    // The samples write "voldsutsatte"; the singular finds them.
    let plural = files("voldsutsatte");
    let singular = files("voldsutsatt");
    assert!(!plural.is_empty());
    assert_eq!(plural.len(), singular.len());
    check("kommunen", &["2020-06-10-krisesenterlova"], &[]);
}

#[test]
fn phrases_need_their_words_in_order() {
    check(
        "\"omvendt voldsalarm\"",
        &["2022-09-15-omvendt-voldsalarm"],
        &[],
    );
    let reversed = files("\"voldsalarm omvendt\"");
    assert!(reversed.is_empty(), "{reversed:?}");
}

#[test]
fn ascii_spellings_find_norwegian_words_and_exact_spelling_ranks_first() {
    let exact = files("sårbare");
    assert!(!exact.is_empty());
    for spelling in ["sarbare", "saarbare"] {
        let folded = files(spelling);
        for f in &exact {
            assert!(folded.contains(f), "`{spelling}` missed {f}");
        }
    }
    // "Høringssvar" spelt without ø.
    assert_eq!(files("horingssvar").len(), files("høringssvar").len());
    assert_eq!(files("hoeringssvar").len(), files("høringssvar").len());
}

#[test]
fn convention_names_in_any_language_find_tagged_documents() {
    let tagged = |c: Convention| -> Vec<String> {
        sample_index()
            .search(&SearchRequest {
                conventions: vec![c],
                limit: 100,
                ..SearchRequest::default()
            })
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.submission.file)
            .collect()
    };
    for (query, c) in [
        ("Istanbul Convention", Convention::Istanbul),
        ("Istanbulkonvensjonen", Convention::Istanbul),
        ("barnekonvensjonen", Convention::Crc),
        ("Convention on the Rights of the Child", Convention::Crc),
        ("EMK", Convention::Echr),
        ("European Convention on Human Rights", Convention::Echr),
        ("kvinnekonvensjonen", Convention::Cedaw),
    ] {
        let found = files(query);
        for f in tagged(c) {
            assert!(found.contains(&f), "`{query}` missed {f}");
        }
    }
}

#[test]
fn compounds_are_found_from_their_leading_part() {
    check(
        "voldsoffererstatning",
        &["2016-06-15-voldsoffererstatningsloven"],
        &[],
    );
    check(
        "voldsoffer*",
        &["2016-06-15-voldsoffererstatningsloven"],
        &[],
    );
}

#[test]
fn query_language_exclusion_or_and_filters() {
    let with = files("vold");
    let without = files("vold -barnekonvensjonen");
    assert!(without.len() < with.len());
    assert!(!without.is_empty());

    let either = files("voldsalarm OR menneskehandel");
    let a = files("voldsalarm");
    let b = files("menneskehandel");
    assert!(either.len() >= a.len().max(b.len()));
    for f in a.iter().chain(&b) {
        assert!(either.contains(f));
    }

    let filtered = sample_index()
        .search(&SearchRequest {
            query: "konvensjon:istanbul år:2015..2019".into(),
            limit: 100,
            ..SearchRequest::default()
        })
        .unwrap();
    assert!(filtered.total > 0);
    for hit in &filtered.hits {
        let year = hit.submission.year().unwrap();
        assert!((2015..=2019).contains(&year), "{year}");
        assert!(hit.submission.conventions.contains(&Convention::Istanbul));
    }
    check(
        "tittel:statsbudsjettet",
        &["2016-11-07-statsbudsjettet-2017"],
        &[],
    );
}

#[test]
fn facets_follow_the_query_and_sorting_orders_by_date() {
    let all = sample_index()
        .search(&SearchRequest {
            limit: 100,
            sort: Sort::Oldest,
            ..SearchRequest::default()
        })
        .unwrap();
    let dates: Vec<_> = all.hits.iter().map(|h| h.submission.date).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    let narrow = sample_index()
        .search(&SearchRequest {
            query: "menneskehandel".into(),
            limit: 100,
            ..SearchRequest::default()
        })
        .unwrap();
    let total_years: u64 = narrow.facets.year.values().sum();
    assert_eq!(total_years as usize, narrow.total);
    assert!(narrow.total < all.total);
}

#[test]
fn a_misspelt_query_gets_a_suggestion_with_hits() {
    let results = sample_index()
        .search(&SearchRequest {
            query: "partnerdarp".into(),
            limit: 10,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(results.suggestion.as_deref(), Some("partnerdrap"));
    assert!(results.total > 0);
}

#[test]
fn snippets_name_their_page() {
    let results = sample_index()
        .search(&SearchRequest {
            query: "voldsalarm".into(),
            limit: 10,
            pages_per_hit: 3,
            ..SearchRequest::default()
        })
        .unwrap();
    let hit = &results.hits[0];
    assert!(!hit.pages.is_empty());
    for page in &hit.pages {
        assert!(page.page >= 1 && page.page as usize <= hit.page_count);
        let html = arkiv::web::html::snippet(&page.snippet);
        assert!(html.to_lowercase().contains("<b>"), "{html}");
        // The index answers text and ranges; the ranges fall on the query's word.
        let snippet = &page.snippet;
        assert!(!snippet.ranges().is_empty(), "{snippet:?}");
        for range in snippet.ranges() {
            let word = snippet.text()[range.clone()].to_lowercase();
            assert!(word.contains("voldsalarm"), "{word:?} in {snippet:?}");
        }
        assert!(!snippet.text().contains("<b>"), "{snippet:?}");
    }
}

#[test]
fn the_city_alone_is_not_the_convention() {
    let docs = sample_index().documents().unwrap();
    let city = docs
        .iter()
        .find(|d| d.submission.file == "2014-05-20-menneskehandel.pdf")
        .unwrap();
    assert!(!city.submission.conventions.contains(&Convention::Istanbul));
}

#[test]
fn a_commit_is_seen_by_a_search_asked_before_it() {
    use arkiv::model::{DocId, Submission};
    let index = arkiv::index::ArchiveIndex::create_in_ram().unwrap();
    let request = SearchRequest {
        query: "fjordhest".into(),
        limit: 20,
        pages_per_hit: 3,
        ..SearchRequest::default()
    };
    assert_eq!(index.search(&request).unwrap().total, 0);
    // Asked twice: the second answer may come from the result cache.
    assert_eq!(index.search(&request).unwrap().total, 0);

    let mut writer = index.writer().unwrap();
    let submission = Submission {
        id: DocId::from_content(b"fjordhest"),
        ..support::submission(
            "fjordhest.pdf",
            "Om fjordhesten",
            &["Fjordhesten er en norsk hesterase."],
        )
    };
    writer.upsert(&submission, "fingerprint").unwrap();
    writer.commit().unwrap();
    let results = index.search(&request).unwrap();
    assert_eq!(results.total, 1);
    assert_eq!(results.hits[0].pages[0].page, 1);
    let snippet = &results.hits[0].pages[0].snippet;
    assert!(arkiv::web::html::snippet(snippet).contains("<b>Fjordhesten</b>"));
    // tantivy's passage ends with the last word it holds.
    assert_eq!(snippet.text(), "Fjordhesten er en norsk hesterase");
    let [only] = snippet.ranges() else {
        panic!("one word highlighted: {snippet:?}");
    };
    assert_eq!(*only, 0.."Fjordhesten".len());
}

#[test]
fn documents_and_their_pages_are_looked_up_by_id() {
    let index = sample_index();
    let all = index.documents().unwrap();
    assert!(all.len() > 3);
    for listed in &all {
        let id = &listed.submission.id;
        let meta = index.metadata(id).unwrap().expect("every listed document");
        assert_eq!(meta.submission.file, listed.submission.file);
        assert_eq!(meta.page_count, listed.page_count);
        assert!(meta.submission.pages.is_empty());
        let pages = index.pages(id).unwrap();
        assert_eq!(pages.len(), listed.page_count, "{}", listed.submission.file);
        let whole = index.document(id).unwrap().unwrap();
        assert_eq!(whole.pages, pages);
        assert_eq!(whole.title, meta.submission.title);
    }
    // Page order is the pages' numbers, whatever order tantivy keeps the records in.
    let ram = arkiv::index::ArchiveIndex::create_in_ram().unwrap();
    let mut writer = ram.writer().unwrap();
    let mut long = index.document(&all[0].submission.id).unwrap().unwrap();
    long.pages = (1..=12).map(|n| format!("Side {n}")).collect();
    writer.upsert(&long, "fingerprint").unwrap();
    writer.commit().unwrap();
    assert_eq!(ram.pages(&long.id).unwrap(), long.pages);
    // A document's pages are its own: no two documents share a page's text.
    let first = index.pages(&all[0].submission.id).unwrap();
    let second = index.pages(&all[1].submission.id).unwrap();
    assert_ne!(first, second);
    let unknown = arkiv::model::DocId::from_content(b"no such document");
    assert!(index.metadata(&unknown).unwrap().is_none());
    assert!(index.pages(&unknown).unwrap().is_empty());
    assert!(index.document(&unknown).unwrap().is_none());
}

#[test]
fn long_pages_show_the_passage_where_the_words_stand() {
    use arkiv::model::DocId;
    let filler = "Dette er en setning uten noe særskilt innhold om noe som helst. ";
    // The words sought stand once, deep into a long page: at the end, in the middle, and
    // written in capitals with Ø (which the quick search for the densest stretch reads
    // without folding case, so only the whole page finds it).
    let pages = [
        format!(
            "{}Fjordhesten trives best på Vestlandet.",
            filler.repeat(60)
        ),
        format!(
            "{}Om fjordhesten og gårdsdrift. {}",
            filler.repeat(30),
            filler.repeat(30)
        ),
        format!("{}HØNSEHUSET STÅR ÅPENT.", filler.repeat(50)),
    ];
    let index = arkiv::index::ArchiveIndex::create_in_ram().unwrap();
    let mut writer = index.writer().unwrap();
    let submission = arkiv::model::Submission {
        id: DocId::from_content(b"long pages"),
        ..support::submission(
            "lange-sider.pdf",
            "Lange sider",
            &pages.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    writer.upsert(&submission, "fingerprint").unwrap();
    writer.commit().unwrap();
    for (query, page, word) in [
        ("fjordhesten", 1, "fjordhesten"),
        ("gårdsdrift", 2, "gårdsdrift"),
        ("hønsehuset", 3, "hønsehuset"),
    ] {
        let results = index
            .search(&SearchRequest {
                query: query.into(),
                limit: 5,
                pages_per_hit: 3,
                ..SearchRequest::default()
            })
            .unwrap();
        let found = results.hits[0]
            .pages
            .iter()
            .find(|p| p.page == page)
            .unwrap_or_else(|| panic!("page {page} for {query}: {:?}", results.hits[0].pages));
        let snippet = &found.snippet;
        let marked: Vec<String> = snippet
            .ranges()
            .iter()
            .map(|r| snippet.text()[r.clone()].to_lowercase())
            .collect();
        assert!(
            marked.iter().any(|w| w == word),
            "{query}: {marked:?} in {snippet:?}"
        );
        assert!(snippet.text().len() < 300, "{snippet:?}");
    }
}
