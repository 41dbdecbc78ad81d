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

/// Facet counts over an index of several segments (one of them with no law at all, some
/// documents replaced) are what the hits' own metadata says, for every kind of search:
/// without words (hits by date, no scores), with words (scored), with filters.
#[test]
fn facet_counts_agree_with_the_metadata_of_every_hit() {
    use std::collections::{BTreeMap, BTreeSet};

    use arkiv::index::{ArchiveIndex, FacetCounts, Hit};
    use arkiv::model::{ArticleRef, DocId, Kind, Submission};
    use arkiv::tagging::{cycles::CYCLES, laws::LAWS, topics::FOCUS_AREAS};

    // A small deterministic generator, so a failure can be replayed.
    let mut seed: u64 = 0x5eed;
    let mut next = move |n: usize| -> usize {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % n
    };
    let words = ["vold", "barn", "skole", "helse", "bolig", "arbeid"];
    let make = |n: usize, with_laws: bool, next: &mut dyn FnMut(usize) -> usize| {
        let pick = |next: &mut dyn FnMut(usize) -> usize, k: usize, of: usize| -> Vec<usize> {
            (0..next(k + 1)).map(|_| next(of)).collect()
        };
        let text = format!(
            "Innspill om {} og {}.",
            words[next(words.len())],
            words[next(words.len())]
        );
        let mut s = Submission {
            id: DocId::from_content(format!("facets-{n}").as_bytes()),
            date: (next(5) > 0).then(|| {
                chrono::NaiveDate::from_ymd_opt(2010 + next(12) as i32, 1 + next(12) as u32, 1)
                    .unwrap()
            }),
            kind: Kind::ALL[next(Kind::ALL.len())],
            ..support::submission(&format!("facets-{n}.pdf"), "Innspill", &[&text])
        };
        s.conventions = pick(next, 3, Convention::ALL.len())
            .into_iter()
            .map(|i| Convention::ALL[i])
            .collect();
        // The same convention twice, as a careless sidecar may say it: counted once.
        if let Some(first) = s.conventions.first().copied() {
            s.conventions.push(first);
        }
        s.articles = pick(next, 4, Convention::ALL.len())
            .into_iter()
            .map(|i| ArticleRef {
                convention: Convention::ALL[i],
                article: 1 + next(12) as u32,
            })
            .collect();
        if with_laws {
            s.laws = pick(next, 2, LAWS.len())
                .into_iter()
                .map(|i| LAWS[i].id.to_string())
                .collect();
            s.law_sections = pick(next, 3, LAWS.len())
                .into_iter()
                .map(|i| format!("{}:{}", LAWS[i].id, 1 + next(30)))
                .collect();
            // A law arkiv does not know: its sections are not counted.
            if next(4) == 0 {
                s.law_sections.push("ukjentlova:7".into());
            }
        }
        s.cycles = pick(next, 2, CYCLES.len())
            .into_iter()
            .map(|i| CYCLES[i].id.to_string())
            .collect();
        s.topics = pick(next, 2, FOCUS_AREAS.len())
            .into_iter()
            .map(|i| FOCUS_AREAS[i].id.to_string())
            .collect();
        s
    };

    let index = ArchiveIndex::create_in_ram().unwrap();
    let mut writer = index.writer().unwrap();
    for batch in 0..4 {
        for n in batch * 40..(batch + 1) * 40 {
            // The second segment has no law at all.
            writer.upsert(&make(n, batch != 1, &mut next), "f").unwrap();
        }
        if batch == 3 {
            // Replaced documents leave deleted records behind in earlier segments.
            for n in (0..80).step_by(7) {
                writer.upsert(&make(n, true, &mut next), "g").unwrap();
            }
        }
        writer.commit().unwrap();
    }
    assert_eq!(index.document_count().unwrap(), 160);

    fn expected(hits: &[Hit]) -> FacetCounts {
        fn add(map: &mut BTreeMap<String, u64>, keys: BTreeSet<String>) {
            for key in keys {
                *map.entry(key).or_insert(0) += 1;
            }
        }
        let known: BTreeSet<&str> = LAWS.iter().map(|l| l.id).collect();
        let mut counts = FacetCounts::default();
        for hit in hits {
            let s = &hit.submission;
            add(
                &mut counts.convention,
                s.conventions.iter().map(|c| c.id().to_string()).collect(),
            );
            let year = s.year().map_or("ukjent".to_string(), |y| y.to_string());
            add(&mut counts.year, BTreeSet::from([year]));
            add(&mut counts.kind, BTreeSet::from([s.kind.id().to_string()]));
            add(
                &mut counts.article,
                s.articles
                    .iter()
                    .map(|a| format!("{}:{}", a.convention.id(), a.article))
                    .collect(),
            );
            add(&mut counts.law, s.laws.iter().cloned().collect());
            add(
                &mut counts.law_section,
                s.law_sections
                    .iter()
                    .filter(|s| s.split_once(':').is_some_and(|(l, _)| known.contains(l)))
                    .cloned()
                    .collect(),
            );
            add(&mut counts.cycle, s.cycles.iter().cloned().collect());
            add(&mut counts.topic, s.topics.iter().cloned().collect());
        }
        counts
    }

    let searches = [
        SearchRequest::default(),
        SearchRequest {
            query: "vold".into(),
            ..SearchRequest::default()
        },
        SearchRequest {
            query: "barn OR helse".into(),
            conventions: vec![Convention::ALL[0], Convention::ALL[1]],
            ..SearchRequest::default()
        },
        SearchRequest {
            year_from: Some(2014),
            year_to: Some(2018),
            kinds: vec![Kind::ALL[0], Kind::ALL[2]],
            sort: Sort::Oldest,
            ..SearchRequest::default()
        },
        SearchRequest {
            query: "skole".into(),
            laws: vec![LAWS[0].id.to_string(), LAWS[1].id.to_string()],
            ..SearchRequest::default()
        },
    ];
    let mut seen = 0;
    for request in searches {
        let all = index.search_all(&request).unwrap();
        assert_eq!(all.total, all.hits.len(), "{request:?}");
        assert_eq!(all.facets, expected(&all.hits), "{request:?}");
        // Counts are over every match, whatever page is shown.
        let page = index
            .search(&SearchRequest {
                limit: 3,
                offset: 2,
                ..request.clone()
            })
            .unwrap();
        assert_eq!(page.total, all.total, "{request:?}");
        assert_eq!(page.facets, all.facets, "{request:?}");
        seen += all.total;
    }
    // The searches found something, and every facet had something to count.
    let everything = index.search_all(&SearchRequest::default()).unwrap();
    assert_eq!(everything.total, 160);
    let f = &everything.facets;
    for (name, map) in [
        ("convention", &f.convention),
        ("year", &f.year),
        ("kind", &f.kind),
        ("article", &f.article),
        ("law", &f.law),
        ("law_section", &f.law_section),
        ("cycle", &f.cycle),
        ("topic", &f.topic),
    ] {
        assert!(map.len() > 1, "{name}: {map:?}");
    }
    assert!(f.year.contains_key("ukjent"));
    assert!(seen > everything.total);
}

#[test]
fn facet_tables_follow_commits_and_merges() {
    use arkiv::index::ArchiveIndex;

    let dir = tempfile::tempdir().unwrap();
    let index = ArchiveIndex::open_or_create(dir.path()).unwrap();
    let mut writer = index.writer().unwrap();
    let everything = SearchRequest::default();
    // Twelve commits: twelve segments, more than the merge policy leaves alone.
    for batch in 0..12 {
        for n in 0..5 {
            let mut s = support::submission(
                &format!("tables-{batch}-{n}.pdf"),
                "Høringssvar",
                &["Vold mot barn."],
            );
            s.conventions = vec![Convention::ALL[(batch + n) % Convention::ALL.len()]];
            writer.upsert(&s, "f").unwrap();
        }
        writer.commit().unwrap();
        index.reload().unwrap();
        let found = index.search_all(&everything).unwrap();
        assert_eq!(found.total, 5 * (batch + 1));
        // Each new segment's table is added to the ones already built.
        assert!(index.facet_table_bytes() > 0);
    }
    writer.finish().unwrap();
    index.reload().unwrap();
    let merged = index.search_all(&everything).unwrap();
    assert_eq!(merged.total, 60);
    let counted: u64 = merged.facets.convention.values().sum();
    assert_eq!(counted, 60, "{:?}", merged.facets.convention);

    // The tables of segments merged away are dropped: a fresh handle on the same folder
    // holds as much after one search.
    let fresh = ArchiveIndex::open_read_only(dir.path()).unwrap();
    assert_eq!(fresh.search_all(&everything).unwrap().facets, merged.facets);
    assert_eq!(index.facet_table_bytes(), fresh.facet_table_bytes());
}

#[test]
fn each_hit_shows_its_own_best_pages_across_segments() {
    use arkiv::index::ArchiveIndex;

    let index = ArchiveIndex::create_in_ram().unwrap();
    let mut writer = index.writer().unwrap();
    // Three segments of documents whose word stands on one page each, more often on a
    // later page in later documents; filler pages between them.
    for segment in 0..3 {
        for n in 0..6 {
            let k = segment * 6 + n;
            let mut pages: Vec<String> = (0..8)
                .map(|p| format!("Side {p} handler om bolig og arbeid."))
                .collect();
            let on = 1 + k % 7;
            pages[on] = "Krisesenteret ".repeat(1 + k) + "tar imot alle.";
            let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
            writer
                .upsert(
                    &support::submission(&format!("pages-{k}.pdf"), "Brev", &pages),
                    "f",
                )
                .unwrap();
        }
        writer.commit().unwrap();
    }
    index.reload().unwrap();
    // A prefix finds its pages as a word does.
    for (query, limit) in [
        ("krisesenteret", 1),
        ("krisesenteret", 4),
        ("krisesent*", 18),
    ] {
        let results = index
            .search(&SearchRequest {
                query: query.into(),
                limit,
                pages_per_hit: 2,
                ..SearchRequest::default()
            })
            .unwrap();
        assert_eq!(results.total, 18);
        assert_eq!(results.hits.len(), limit);
        for hit in &results.hits {
            let k: usize = hit
                .submission
                .file
                .trim_start_matches("pages-")
                .trim_end_matches(".pdf")
                .parse()
                .unwrap();
            // Only the page with the word matches; pages count from 1.
            let pages: Vec<u32> = hit.pages.iter().map(|p| p.page).collect();
            assert_eq!(pages, vec![(2 + k % 7) as u32], "{}", hit.submission.file);
            assert!(hit.pages[0].snippet.text().contains("Krisesenteret"));
        }
    }
}

#[test]
fn one_search_cut_into_slices_finds_what_one_thread_finds() {
    use arkiv::index::ArchiveIndex;

    let index = ArchiveIndex::create_in_ram().unwrap();
    let mut writer = index.writer().unwrap();
    // Three segments; the words recur more often in later documents, so scores differ.
    let words = ["vold", "barn", "krisesenteret", "bolig", "arbeid"];
    for segment in 0..3 {
        for n in 0..25 {
            let k = segment * 25 + n;
            let text = format!(
                "{} vold mot barn. {} og {}.",
                words[k % 5],
                "Krisesenteret tar imot. ".repeat(1 + k % 4),
                words[(k / 5) % 5]
            );
            let mut s =
                support::submission(&format!("slice-{k}.pdf"), "Brev", &[&text, "Side to."]);
            s.conventions = vec![Convention::ALL[k % Convention::ALL.len()]];
            s.date = chrono::NaiveDate::from_ymd_opt(2000 + (k % 20) as i32, 1, 1);
            writer.upsert(&s, "f").unwrap();
        }
        writer.commit().unwrap();
    }
    index.reload().unwrap();
    let one = index.clone().with_search_threads(1, 0);
    // Seven slices of about 33 records: every segment (75 records) is cut, whatever the
    // machine's cores, since the number of slices follows the threads asked for.
    let sliced = index.clone().with_search_threads(7, 0);
    for query in [
        "vold",
        "krisesent*",
        "\"vold mot barn\"",
        "bolig arbeid",
        "",
    ] {
        for sort in [Sort::Relevance, Sort::Newest] {
            for offset in [0, 5] {
                let request = SearchRequest {
                    query: query.into(),
                    sort,
                    offset,
                    limit: 9,
                    ..SearchRequest::default()
                };
                let a = one.search_uncached(&request).unwrap();
                let b = sliced.search_uncached(&request).unwrap();
                let hits = |r: &arkiv::index::SearchResults| -> Vec<(String, f32)> {
                    r.hits
                        .iter()
                        .map(|h| (h.submission.file.clone(), h.score))
                        .collect()
                };
                assert!(a.total > 0, "{query}");
                assert_eq!(a.total, b.total, "{query} {sort:?}");
                assert_eq!(hits(&a), hits(&b), "{query} {sort:?} {offset}");
                assert_eq!(a.facets, b.facets, "{query}");
            }
        }
    }
}

#[test]
fn warming_up_does_the_first_search_s_work() {
    use arkiv::index::ArchiveIndex;

    let index = ArchiveIndex::create_in_ram().unwrap();
    let mut writer = index.writer().unwrap();
    let mut s = support::submission("warm.pdf", "Brev", &["Vold mot barn."]);
    s.conventions = vec![Convention::ALL[0]];
    writer.upsert(&s, "f").unwrap();
    writer.commit().unwrap();
    index.reload().unwrap();
    assert_eq!(index.facet_table_bytes(), 0);
    index.warm_up();
    // The segment's facet table is built, so the first visitor's search finds it ready.
    assert!(index.facet_table_bytes() > 0);
}
