//! Citations that tools pick up: the document page's `<head>` read the way Zotero's
//! "Embedded Metadata" translator and Google Scholar's inclusion guidelines read it, its
//! JSON-LD parsed as JSON, COinS, the canonical URL and its language alternates, the
//! meta description, BibTeX and CSL-JSON naming a cited page, the copy button, and
//! `/robots.txt` and `/sitemap.xml` listing every document.

use std::collections::BTreeSet;

use axum::Router;
use axum::http::StatusCode;
use biblatex::{Bibliography, ChunksExt};
use scraper::{Html, Selector};
use serde_json::Value;

use arkiv::library::Library;
use arkiv::web::pages::sitemap;
use arkiv::web::{AppState, router};

use crate::support::{Answer, get, run_ingest, sample_index, samples_dir, write_pdf};

const BASE: &str = "https://arkiv.example";

fn sample_app() -> Router {
    router(AppState::new(
        sample_index().clone(),
        Library::new(samples_dir()),
        BASE,
    ))
}

async fn ok(app: &Router, uri: &str) -> Answer {
    let answer = get(app, uri).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
    answer
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// The `<head>`'s `<meta>` tags as (name or property, content), in order: what Zotero's
/// translator reads (`doc.head.getElementsByTagName("meta")`, `name` else `property`,
/// tags without content skipped). Tags outside the head do not count for either reader.
fn head_meta(html: &Html) -> Vec<(String, String)> {
    html.select(&selector("head meta"))
        .filter_map(|m| {
            let e = m.value();
            let name = e.attr("name").or_else(|| e.attr("property"))?;
            let content = e.attr("content")?;
            Some((name.to_string(), content.to_string()))
        })
        .collect()
}

fn all<'a>(meta: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    meta.iter()
        .filter(|(n, _)| n == name)
        .map(|(_, c)| c.as_str())
        .collect()
}

fn one<'a>(meta: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let values = all(meta, name);
    assert!(values.len() <= 1, "`{name}` appears {} times", values.len());
    values.first().copied()
}

/// What Zotero's Embedded Metadata translator makes of Highwire tags: the item type from
/// the first tag that decides it, then its fields (`citation_*` names mapped as the
/// translator's HIGHWIRE_MAPPINGS do), creators split on `;`, pages from first and last
/// page, and the PDF attachment.
#[derive(Debug, Default)]
struct ZoteroItem {
    item_type: String,
    title: String,
    date: String,
    language: String,
    institution: String,
    number: String,
    creators: Vec<String>,
    pages: Option<String>,
    pdf: Option<String>,
}

fn zotero(meta: &[(String, String)]) -> ZoteroItem {
    let mut hw_type = None;
    let mut guess = None;
    for (name, _) in meta {
        match &name[name.rfind("citation_").unwrap_or(0)..] {
            "citation_journal_title" => hw_type = Some("journalArticle"),
            "citation_technical_report_institution" => hw_type = Some("report"),
            "citation_conference_title" | "citation_conference" => {
                hw_type = Some("conferencePaper")
            }
            "citation_book_title" => hw_type = Some("bookSection"),
            "citation_dissertation_institution" => hw_type = Some("thesis"),
            "citation_title" | "citation_series_title" => guess = guess.or(Some("journalArticle")),
            _ => {}
        }
    }
    let field = |name: &str| {
        one(meta, name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut date = field("citation_publication_date");
    if !field("citation_date").is_empty() {
        date = field("citation_date");
    }
    let creators = all(meta, "citation_author")
        .into_iter()
        .chain(all(meta, "citation_authors"))
        .flat_map(|a| a.split(';'))
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    let first = field("citation_firstpage");
    let last = field("citation_lastpage");
    ZoteroItem {
        item_type: hw_type.or(guess).unwrap_or("webpage").to_string(),
        title: field("citation_title"),
        date,
        language: field("citation_language"),
        institution: field("citation_technical_report_institution"),
        number: field("citation_technical_report_number"),
        creators,
        pages: (!first.is_empty()).then(|| {
            if last.is_empty() {
                first.clone()
            } else {
                format!("{first}-{last}")
            }
        }),
        pdf: all(meta, "citation_pdf_url").first().map(|s| s.to_string()),
    }
}

/// Google Scholar's inclusion guidelines: title, at least one author and the publication
/// date (`YYYY/MM/DD`, or the year alone) in the head; the PDF's address absolute on the
/// same site. Returns what is wrong, empty when nothing is.
fn scholar_problems(meta: &[(String, String)], page_url: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if one(meta, "citation_title").is_none_or(|t| t.trim().is_empty()) {
        problems.push("no citation_title".to_string());
    }
    if all(meta, "citation_author").is_empty() {
        problems.push("no citation_author".to_string());
    }
    match one(meta, "citation_publication_date") {
        None => problems.push("no citation_publication_date".to_string()),
        Some(d) => {
            let parts: Vec<&str> = d.split('/').collect();
            let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
            let good = match parts.as_slice() {
                [y] => digits(y, 4),
                [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
                _ => false,
            };
            if !good {
                problems.push(format!("citation_publication_date {d:?} is not YYYY/MM/DD"));
            }
        }
    }
    match one(meta, "citation_pdf_url") {
        None => problems.push("no citation_pdf_url".to_string()),
        Some(u) => {
            let site = |u: &str| u.split('/').take(3).collect::<Vec<_>>().join("/");
            if !u.starts_with("https://") || site(u) != site(page_url) {
                problems.push(format!(
                    "citation_pdf_url {u:?} is not absolute on this site"
                ));
            }
        }
    }
    problems
}

fn path_of(url: &str) -> &str {
    url.strip_prefix(BASE).unwrap_or(url)
}

fn sample_hits(body: &Value) -> Vec<Value> {
    body["hits"].as_array().unwrap().clone()
}

#[tokio::test]
async fn every_document_page_reads_as_a_report_to_zotero_and_scholar() {
    let app = sample_app();
    let hits = sample_hits(&ok(&app, "/api/search?per_page=1000").await.json());
    assert!(hits.len() > 10);
    let mut checked = 0;
    for hit in &hits {
        let id = hit["id"].as_str().unwrap();
        let page_url = format!("{BASE}/dokument/{id}");
        let answer = ok(&app, &format!("/dokument/{id}")).await;
        let html = Html::parse_document(&answer.body);
        let meta = head_meta(&html);
        let item = zotero(&meta);
        let title = hit["title"].as_str().unwrap();
        assert_eq!(item.item_type, "report", "{id}: {meta:?}");
        assert_eq!(item.title, title);
        assert_eq!(item.creators, ["Krisesentersekretariatet"]);
        assert_eq!(item.institution, "Krisesentersekretariatet");
        assert_eq!(item.pages, None, "{id}: no page is cited");
        assert_eq!(
            item.pdf.as_deref(),
            Some(format!("{page_url}/pdf").as_str())
        );
        match hit["date"].as_str() {
            Some(date) => {
                assert_eq!(item.date, date.replace('-', "/"));
                assert!(
                    scholar_problems(&meta, &page_url).is_empty(),
                    "{id}: {:?}",
                    scholar_problems(&meta, &page_url)
                );
            }
            None => assert_eq!(item.date, ""),
        }
        match hit["language"].as_str() {
            Some(l) => assert_eq!(item.language, l),
            None => assert_eq!(item.language, ""),
        }
        match hit["reference"].as_str() {
            Some(r) => assert_eq!(item.number, r),
            None => assert_eq!(item.number, ""),
        }
        // The PDF the tags point at is there.
        let pdf = get(&app, path_of(item.pdf.as_deref().unwrap())).await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert!(pdf.bytes.starts_with(b"%PDF"));
        checked += 1;
    }
    assert_eq!(checked, hits.len());
}

#[tokio::test]
async fn zotero_and_scholar_tag_check() {
    // One document, every tag printed with what each reader makes of it (the report's
    // "tag check"), and the cited page.
    let app = sample_app();
    let hits = sample_hits(&ok(&app, "/api/search?q=voldsalarm&per_page=1").await.json());
    let id = hits[0]["id"].as_str().unwrap();
    let page_url = format!("{BASE}/dokument/{id}");
    let answer = ok(&app, &format!("/dokument/{id}?q=voldsalarm&side=2")).await;
    let meta = head_meta(&Html::parse_document(&answer.body));
    let item = zotero(&meta);
    println!("tag check of /dokument/{id}?q=voldsalarm&side=2");
    for (name, content) in meta.iter().filter(|(n, _)| n.starts_with("citation_")) {
        println!("  <meta name=\"{name}\" content=\"{content}\">");
    }
    println!("Zotero (Embedded Metadata): {item:#?}");
    let problems = scholar_problems(&meta, &page_url);
    println!(
        "Google Scholar: {}",
        if problems.is_empty() {
            "all required tags present and well-formed".to_string()
        } else {
            problems.join("; ")
        }
    );
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(item.item_type, "report");
    assert_eq!(item.pages.as_deref(), Some("2-2"));
    assert_eq!(one(&meta, "citation_firstpage"), Some("2"));
    assert_eq!(one(&meta, "citation_lastpage"), Some("2"));
    // A page the document does not have is not cited.
    let answer = ok(&app, &format!("/dokument/{id}?side=999")).await;
    let meta = head_meta(&Html::parse_document(&answer.body));
    assert_eq!(zotero(&meta).pages, None);
}

/// The `href` of every `<link>` in the head with `rel`, as (hreflang, href).
fn links(html: &Html, rel: &str) -> Vec<(Option<String>, String)> {
    html.select(&selector("head link"))
        .filter(|l| l.value().attr("rel") == Some(rel))
        .map(|l| {
            (
                l.value().attr("hreflang").map(str::to_string),
                l.value().attr("href").unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn one_canonical_url_for_every_variant_and_language_alternates() {
    let app = sample_app();
    let hits = sample_hits(&ok(&app, "/api/search?q=voldsalarm&per_page=1").await.json());
    let id = hits[0]["id"].as_str().unwrap();
    let page_url = format!("{BASE}/dokument/{id}");
    for variant in [
        "",
        "?q=voldsalarm",
        "?side=2",
        "?q=voldsalarm&side=1&convention=istanbul&sort=newest&page=1",
    ] {
        let html = Html::parse_document(&ok(&app, &format!("/dokument/{id}{variant}")).await.body);
        assert_eq!(
            links(&html, "canonical"),
            [(None, page_url.clone())],
            "{variant}"
        );
        let alternates = links(&html, "alternate");
        assert_eq!(
            alternates,
            [
                (Some("nb".to_string()), page_url.clone()),
                (Some("en".to_string()), format!("{page_url}?lang=en")),
                (Some("x-default".to_string()), page_url.clone()),
            ],
            "{variant}"
        );
        let meta = head_meta(&html);
        assert_eq!(one(&meta, "og:url"), Some(page_url.as_str()));
        assert_eq!(one(&meta, "og:type"), Some("article"));
        assert_eq!(one(&meta, "og:title"), hits[0]["title"].as_str());
    }
    for variant in ["?lang=en", "?lang=en&q=voldsalarm&side=2"] {
        let html = Html::parse_document(&ok(&app, &format!("/dokument/{id}{variant}")).await.body);
        assert_eq!(
            links(&html, "canonical"),
            [(None, format!("{page_url}?lang=en"))],
            "{variant}"
        );
        assert_eq!(links(&html, "alternate").len(), 3);
    }
}

#[tokio::test]
async fn json_ld_is_a_report_and_meta_description_holds_the_first_lines() {
    let app = sample_app();
    let hits = sample_hits(&ok(&app, "/api/search?per_page=1000").await.json());
    for hit in &hits {
        let id = hit["id"].as_str().unwrap();
        let html = Html::parse_document(&ok(&app, &format!("/dokument/{id}")).await.body);
        let scripts: Vec<String> = html
            .select(&selector("head script[type='application/ld+json']"))
            .map(|s| s.text().collect())
            .collect();
        assert_eq!(scripts.len(), 1, "{id}: one JSON-LD block");
        let ld: Value = serde_json::from_str(&scripts[0]).unwrap();
        assert_eq!(ld["@context"], "https://schema.org");
        assert_eq!(ld["@type"], "Report");
        assert_eq!(ld["name"], hit["title"]);
        assert_eq!(ld["url"], format!("{BASE}/dokument/{id}"));
        assert_eq!(ld["author"]["@type"], "Organization");
        assert_eq!(ld["author"]["name"], "Krisesentersekretariatet");
        assert_eq!(
            ld["encoding"]["contentUrl"],
            format!("{BASE}/dokument/{id}/pdf")
        );
        assert_eq!(ld["encoding"]["encodingFormat"], "application/pdf");
        assert_eq!(ld["numberOfPages"], hit["page_count"]);
        assert_eq!(
            ld.get("datePublished"),
            hit.get("date").filter(|d| !d.is_null())
        );
        assert_eq!(
            ld.get("inLanguage"),
            hit.get("language").filter(|d| !d.is_null())
        );

        let meta = head_meta(&html);
        let description = one(&meta, "description").unwrap();
        assert!(description.chars().count() <= 201, "{description:?}");
        assert!(!description.trim().is_empty());
        assert_eq!(one(&meta, "og:description"), Some(description));
        // The first lines: the opening words of the page text, in order.
        let doc = ok(&app, &format!("/api/documents/{id}")).await.json();
        let text = doc["pages"][0]["text"]
            .as_str()
            .or(doc["pages"][0].as_str());
        if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
            let first: Vec<&str> = text.split_whitespace().take(3).collect();
            assert!(
                description.starts_with(&first.join(" ")),
                "{id}: {description:?} does not start with {first:?}"
            );
        }
    }
}

#[tokio::test]
async fn hostile_titles_stay_inside_their_tags_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    let title = "Høringssvar </script><script>alert(1)</script> \u{2028} <!-- & \"sitat\"";
    write_pdf(
        &docs,
        "farlig.pdf",
        None,
        &["Første linje om voldsutsatte.\n\nMer tekst."],
    );
    std::fs::write(
        docs.join("farlig.toml"),
        format!("title = {}\ndate = \"2024-03-05\"\n", toml_string(title)),
    )
    .unwrap();
    let (index, report) = run_ingest(&docs, &tmp.path().join("index"));
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let app = router(AppState::new(index, Library::new(&docs), BASE));
    let hits = sample_hits(&ok(&app, "/api/search").await.json());
    let id = hits[0]["id"].as_str().unwrap();
    let body = ok(&app, &format!("/dokument/{id}")).await.body;
    assert!(
        !body.contains("<script>alert"),
        "a title ends a script element"
    );
    let html = Html::parse_document(&body);
    let scripts: Vec<String> = html
        .select(&selector("script[type='application/ld+json']"))
        .map(|s| s.text().collect())
        .collect();
    assert_eq!(scripts.len(), 1);
    let ld: Value = serde_json::from_str(&scripts[0]).unwrap();
    assert_eq!(ld["name"], title);
    // No script element but the JSON-LD and the page's own script.
    let others: Vec<_> = html
        .select(&selector("script"))
        .filter(|s| s.value().attr("type") != Some("application/ld+json"))
        .map(|s| s.value().attr("src").unwrap_or("inline").to_string())
        .collect();
    assert_eq!(others, ["/static/cite.js"]);
    let meta = head_meta(&html);
    assert_eq!(one(&meta, "citation_title"), Some(title));
    assert_eq!(one(&meta, "citation_publication_date"), Some("2024/03/05"));
    assert_eq!(
        one(&meta, "description"),
        Some("Første linje om voldsutsatte. Mer tekst.")
    );
    let coins = coins(&html);
    assert!(coins.contains(&("rft.btitle".to_string(), title.to_string())));
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || c == '\u{2028}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The COinS context object of the page's `span.Z3988`, as key-value pairs.
fn coins(html: &Html) -> Vec<(String, String)> {
    let spans: Vec<_> = html.select(&selector("span.Z3988")).collect();
    assert_eq!(spans.len(), 1, "one COinS span");
    let title = spans[0].value().attr("title").unwrap();
    form_urlencoded::parse(title.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[tokio::test]
async fn coins_carry_the_report_and_its_cited_page() {
    let app = sample_app();
    let hits = sample_hits(&ok(&app, "/api/search?q=voldsalarm&per_page=1").await.json());
    let id = hits[0]["id"].as_str().unwrap();
    let html = Html::parse_document(&ok(&app, &format!("/dokument/{id}?side=2")).await.body);
    let kev = coins(&html);
    let get = |k: &str| kev.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("ctx_ver"), Some("Z39.88-2004"));
    assert_eq!(get("rft.genre"), Some("report"));
    assert_eq!(get("rft.btitle"), hits[0]["title"].as_str());
    assert_eq!(get("rft.aucorp"), Some("Krisesentersekretariatet"));
    assert_eq!(get("rft.spage"), Some("2"));
    assert_eq!(
        get("rft_id"),
        Some(format!("{BASE}/dokument/{id}").as_str())
    );
    assert_eq!(get("rft.date"), hits[0]["date"].as_str());
}

#[tokio::test]
async fn bibtex_and_csl_json_carry_the_cited_page() {
    let app = sample_app();
    let hits = sample_hits(&ok(&app, "/api/search?q=voldsalarm&per_page=1").await.json());
    let id = hits[0]["id"].as_str().unwrap();
    // The document page links to the downloads of the page it cites.
    let page = ok(&app, &format!("/dokument/{id}?q=voldsalarm&side=2")).await;
    let html = Html::parse_document(&page.body);
    let href = |css: &str| {
        html.select(&selector(css))
            .next()
            .unwrap()
            .value()
            .attr("href")
            .unwrap()
            .to_string()
    };
    assert_eq!(
        href("#cite-bibtex"),
        format!("/dokument/{id}/cite.bib?side=2")
    );
    assert_eq!(
        href("#cite-csl"),
        format!("/dokument/{id}/cite.json?side=2")
    );
    let citation: String = html
        .select(&selector("#citation"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(citation.contains(", s. 2."), "{citation}");

    let bib = ok(&app, &href("#cite-bibtex")).await.body;
    let parsed = Bibliography::parse(&bib).unwrap();
    let entry = parsed.iter().next().unwrap();
    assert_eq!(entry.get("pages").unwrap().format_verbatim(), "2");
    let csl = ok(&app, &href("#cite-csl")).await.json();
    assert_eq!(csl[0]["page"], "2");

    // Without a page, or with one the document lacks, none is named.
    for query in ["", "?side=999", "?side=x"] {
        let bib = ok(&app, &format!("/dokument/{id}/cite.bib{query}"))
            .await
            .body;
        let parsed = Bibliography::parse(&bib).unwrap();
        assert!(
            parsed.iter().next().unwrap().get("pages").is_none(),
            "{query}"
        );
        let csl = ok(&app, &format!("/dokument/{id}/cite.json{query}"))
            .await
            .json();
        assert!(csl[0].get("page").is_none(), "{query}");
    }
    let english = ok(&app, &format!("/dokument/{id}?lang=en&side=2"))
        .await
        .body;
    let english = Html::parse_document(&english);
    let bibtex = english.select(&selector("#cite-bibtex")).next().unwrap();
    assert_eq!(
        bibtex.value().attr("href"),
        Some(format!("/dokument/{id}/cite.bib?side=2&lang=en").as_str())
    );
}

#[tokio::test]
async fn any_page_can_be_cited_and_the_citation_copied() {
    let app = sample_app();
    let hits = sample_hits(&ok(&app, "/api/search?q=voldsalarm&per_page=1").await.json());
    let id = hits[0]["id"].as_str().unwrap();
    // Opened without a snippet: a form names the page to cite, keeping the search.
    let body = ok(&app, &format!("/dokument/{id}?q=voldsalarm")).await.body;
    let html = Html::parse_document(&body);
    let form = html
        .select(&selector("form.cite-page"))
        .next()
        .expect("a form to cite a page");
    assert_eq!(form.value().attr("method"), Some("get"));
    let inputs: Vec<(String, String)> = form
        .select(&selector("input"))
        .map(|i| {
            (
                i.value().attr("name").unwrap().to_string(),
                i.value().attr("value").unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        inputs.contains(&("q".into(), "voldsalarm".into())),
        "{inputs:?}"
    );
    assert!(inputs.iter().any(|(n, _)| n == "side"));
    let label = html.select(&selector("label[for=cite-side]")).count();
    assert_eq!(label, 1, "the page field has a label");
    // What the form sends: the citation then names the page.
    let cited = ok(&app, &format!("/dokument/{id}?q=voldsalarm&side=1"))
        .await
        .body;
    assert!(cited.contains(", s. 1."));
    // The copy button: hidden until the script shows it, beside a selectable textarea.
    let button = html
        .select(&selector("button#copy-citation"))
        .next()
        .unwrap();
    assert!(button.value().attr("hidden").is_some());
    assert_eq!(button.value().attr("type"), Some("button"));
    assert!(
        html.select(&selector("textarea#citation[readonly]"))
            .next()
            .is_some()
    );
    let script = ok(&app, "/static/cite.js").await;
    assert!(script.header("content-type").starts_with("text/javascript"));
    assert!(script.body.contains("copy-citation") && script.body.contains("clipboard"));
}

#[tokio::test]
async fn robots_and_sitemap_list_every_document_and_subject_page() {
    let app = sample_app();
    let robots = ok(&app, "/robots.txt").await;
    assert!(robots.header("content-type").starts_with("text/plain"));
    assert!(
        robots
            .body
            .contains(&format!("Sitemap: {BASE}/sitemap.xml"))
    );
    assert!(robots.body.lines().any(|l| l == "User-agent: *"));
    assert!(
        !robots
            .body
            .lines()
            .any(|l| l.trim() == "Disallow: /" || l.starts_with("Disallow: /dokument"))
    );

    let hits = sample_hits(&ok(&app, "/api/search?per_page=1000").await.json());
    let expected: BTreeSet<String> = hits
        .iter()
        .map(|h| format!("{BASE}/dokument/{}", h["id"].as_str().unwrap()))
        .collect();
    let answer = ok(&app, "/sitemap.xml").await;
    assert!(answer.header("content-type").starts_with("application/xml"));
    let (kind, all_listed) = parse_sitemap(&answer.body);
    assert_eq!(kind, "urlset");
    // The subject pages first, then the documents.
    let sections = sitemap::section_urls(BASE);
    assert_eq!(all_listed[..sections.len()], sections[..]);
    let listed = all_listed[sections.len()..].to_vec();
    assert_eq!(listed.len(), hits.len(), "no document twice");
    assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), expected);
    for listed in &expected {
        ok(&app, path_of(listed)).await;
    }
    // Every convention, law and focus area, with the indexes of the laws and the areas,
    // each answering.
    for path in [
        "/konvensjon/istanbul",
        "/konvensjon/crc",
        "/lover",
        "/lov/straffeloven",
        "/tema",
    ]
    .into_iter()
    .map(str::to_string)
    .chain(
        arkiv::tagging::topics::FOCUS_AREAS
            .iter()
            .map(|a| format!("/tema/{}", a.id)),
    ) {
        assert!(
            sections.contains(&format!("{BASE}{path}")),
            "{path} is not in the sitemap"
        );
    }
    assert_eq!(
        sections.len(),
        arkiv::model::Convention::ALL.len()
            + 1
            + arkiv::tagging::laws::LAWS.len()
            + 1
            + arkiv::tagging::topics::FOCUS_AREAS.len(),
        "no subject page twice"
    );
    for page in &sections {
        ok(&app, path_of(page)).await;
        ok(&app, &format!("{}?lang=en", path_of(page))).await;
    }

    // Past the bound of one file: an index of parts, which together list every document.
    let urls: Vec<String> = expected.iter().cloned().collect();
    let index = sitemap::render(BASE, &urls, None, 3).unwrap();
    let (kind, parts) = parse_sitemap(&index);
    assert_eq!(kind, "sitemapindex");
    assert_eq!(parts.len(), urls.len().div_ceil(3));
    let mut union = BTreeSet::new();
    for (i, part) in parts.iter().enumerate() {
        assert_eq!(part, &format!("{BASE}/sitemap/{}.xml", i + 1));
        let (kind, listed) = parse_sitemap(&sitemap::render(BASE, &urls, Some(i + 1), 3).unwrap());
        assert_eq!(kind, "urlset");
        assert!(listed.len() <= 3);
        union.extend(listed);
    }
    assert_eq!(union, expected);
    assert!(sitemap::render(BASE, &urls, Some(parts.len() + 1), 3).is_none());
    assert!(sitemap::render(BASE, &urls, Some(0), 3).is_none());
    assert_eq!(sitemap::URLS_PER_FILE, 50_000);
    // The parts are served too (one part here, since the samples fit in one file).
    let (_, one_part) = parse_sitemap(&ok(&app, "/sitemap/1.xml").await.body);
    assert_eq!(one_part.len(), sections.len() + hits.len());
    assert_eq!(one_part, all_listed);
    for missing in ["/sitemap/2.xml", "/sitemap/x.xml", "/sitemap/1"] {
        assert_eq!(
            get(&app, missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}

/// The root element's name and every `<loc>` of a sitemap or sitemap index.
fn parse_sitemap(xml: &str) -> (String, Vec<String>) {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let locs = root
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap_or_default().trim().to_string())
        .collect();
    (root.tag_name().name().to_string(), locs)
}
