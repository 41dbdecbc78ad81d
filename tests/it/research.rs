//! The research features through the router (no socket): whole-set export (CSV and JSON),
//! the OpenAPI description checked against real answers, the Atom feed, the statistics
//! charts against the facet counts, citations, and the convention pages.

use std::collections::{BTreeMap, BTreeSet};

use axum::Router;
use axum::http::StatusCode;
use biblatex::{Bibliography, ChunksExt};
use scraper::{Html, Selector};
use serde_json::Value;

use arkiv::library::Library;
use arkiv::web::{AppState, router};

use crate::support::{Answer, copy_samples, get, run_ingest, sample_index, samples_dir, write_pdf};

const BASE: &str = "https://arkiv.example";
const CONVENTIONS: [&str; 4] = ["istanbul", "echr", "cedaw", "crc"];

fn sample_app() -> Router {
    router(AppState::new(
        sample_index().clone(),
        Library::new(samples_dir()),
        BASE,
    ))
}

/// `GET uri`, which must answer 200.
async fn ok(app: &Router, uri: &str) -> Answer {
    let answer = get(app, uri).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
    answer
}

/// `base?extra`, `base&extra` or `base` as the pieces require.
fn with(base: &str, extra: &str) -> String {
    match (base.contains('?'), extra.is_empty()) {
        (_, true) => base.to_string(),
        (true, false) => format!("{base}&{extra}"),
        (false, false) => format!("{base}?{extra}"),
    }
}

fn ids_of(hits: &Value) -> Vec<String> {
    hits.as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// The CSV body as records, after checking and removing the byte-order mark.
pub(crate) fn csv_records(answer: &Answer, delimiter: u8) -> Vec<Vec<String>> {
    assert!(
        answer.bytes.starts_with("\u{feff}".as_bytes()),
        "the CSV starts with a UTF-8 byte-order mark"
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(&answer.bytes[3..]);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

const FILTERS: [&str; 8] = [
    "",
    "convention=istanbul",
    "convention=crc&convention=cedaw",
    "q=vold",
    "q=vold&sort=oldest",
    "kind=horingssvar&from=2016&to=2022",
    "article=echr:8",
    "q=konvensjon:crc%20barn",
];

#[tokio::test]
async fn export_equals_the_search_for_several_filters() {
    let app = sample_app();
    for filter in FILTERS {
        let search = ok(
            &app,
            &with(&format!("/api/search?{filter}"), "per_page=1000"),
        )
        .await
        .json();
        let total = search["total"].as_u64().unwrap() as usize;
        let ids = ids_of(&search["hits"]);
        assert_eq!(ids.len(), total, "{filter}: the search fits one page");
        assert!(total > 0, "{filter} finds something in the samples");

        // Paging parameters are ignored: the export is every hit.
        let json = ok(
            &app,
            &format!("/api/export?{filter}&format=json&per_page=1&page=2"),
        )
        .await;
        assert!(json.header("content-type").starts_with("application/json"));
        assert!(json.header("content-disposition").starts_with("attachment"));
        let json = json.json();
        assert_eq!(json["total"].as_u64().unwrap() as usize, total, "{filter}");
        assert_eq!(
            ids_of(&json["documents"]),
            ids,
            "{filter}: JSON ids in order"
        );
        for doc in json["documents"].as_array().unwrap() {
            assert_eq!(
                doc["url"].as_str().unwrap(),
                format!("{BASE}/dokument/{}", doc["id"].as_str().unwrap())
            );
        }

        for (delimiter, extra) in [(b',', ""), (b';', "&delimiter=semicolon")] {
            let csv = ok(&app, &format!("/api/export?{filter}&format=csv{extra}")).await;
            assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
            assert!(csv.header("content-disposition").contains(".csv"));
            let records = csv_records(&csv, delimiter);
            assert_eq!(
                records[0],
                [
                    "id",
                    "tittel",
                    "dato",
                    "år",
                    "type",
                    "mottaker",
                    "konvensjoner",
                    "artikler",
                    "lover",
                    "paragrafer",
                    "sykluser",
                    "tema",
                    "sider",
                    "url",
                    "høring",
                    "notater"
                ]
            );
            let csv_ids: Vec<String> = records[1..].iter().map(|r| r[0].clone()).collect();
            assert_eq!(
                csv_ids, ids,
                "{filter}: CSV ids in order ({})",
                delimiter as char
            );
            for (record, hit) in records[1..].iter().zip(search["hits"].as_array().unwrap()) {
                assert_eq!(record.len(), 16);
                assert_eq!(record[2], hit["date"].as_str().unwrap_or(""));
                assert_eq!(record[4], hit["kind"].as_str().unwrap());
                let laws: Vec<&str> = hit["laws"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_str().unwrap())
                    .collect();
                assert_eq!(record[8], laws.join(", "));
                let topics: Vec<&str> = hit["topics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap())
                    .collect();
                assert_eq!(record[11], topics.join(", "));
                assert_eq!(record[12], hit["page_count"].to_string());
                assert_eq!(record[14], hit["consultation"]["id"].as_str().unwrap_or(""));
                // The samples have no notes.
                assert_eq!(record[15], "");
            }
        }
    }
    let english = ok(&app, "/api/export?lang=en").await;
    assert_eq!(csv_records(&english, b',')[0][1], "title");
    for bad in [
        "/api/export?format=xlsx",
        "/api/export?delimiter=tab",
        "/api/export?year=abc",
        "/api/export?convention=atlantis",
    ] {
        let answer = get(&app, bad).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(answer.json()["error"].as_str().is_some(), "{bad}");
    }
}

/// What a spreadsheet must not evaluate.
fn is_formula(cell: &str) -> bool {
    cell.trim_start_matches(' ')
        .starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[tokio::test]
async fn hostile_titles_survive_export_feed_and_citations() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    copy_samples(&docs);
    let titles = [
        "=HYPERLINK(\"http://evil.example\";\"klikk\")",
        "+47 22 00 00 00 ringte",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1:A9)",
        "  =1+1 med mellomrom først",
        "Semikolon; komma, \"sitat\" og <b>tagger</b> & {klammer} \\ 100 % #1 _x_ ~^",
        "Uavsluttet { klamme og en \\} til",
    ];
    for (i, title) in titles.iter().enumerate() {
        write_pdf(
            &docs,
            &format!("2020-01-0{}-fiendtlig-{i}.pdf", i + 1),
            None,
            &[&format!(
                "Fiendtligtittel nummer {i} om vold i nære relasjoner."
            )],
        );
        let mut sidecar = toml::Table::new();
        sidecar.insert("title".into(), toml::Value::String(title.to_string()));
        sidecar.insert("recipient".into(), toml::Value::String("=cmd()".into()));
        sidecar.insert(
            "date".into(),
            toml::Value::String(format!("2020-01-0{}", i + 1)),
        );
        std::fs::write(
            docs.join(format!("2020-01-0{}-fiendtlig-{i}.toml", i + 1)),
            toml::to_string(&sidecar).unwrap(),
        )
        .unwrap();
    }
    let (index, report) = run_ingest(&docs, &dir.path().join("index"));
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let app = router(AppState::new(index, Library::new(&docs), BASE));

    let search = ok(&app, "/api/search?q=fiendtligtittel&per_page=1000")
        .await
        .json();
    assert_eq!(search["total"], titles.len());
    let by_id: BTreeMap<String, String> = search["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["id"].as_str().unwrap().to_string(),
                h["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let formulas = by_id.values().filter(|t| is_formula(t)).count();
    assert!(
        formulas >= 4,
        "the index kept the formula titles: {by_id:?}"
    );

    for (delimiter, extra) in [(b',', ""), (b';', "&delimiter=semicolon")] {
        let csv = ok(&app, &format!("/api/export?q=fiendtligtittel{extra}")).await;
        let records = csv_records(&csv, delimiter);
        assert_eq!(records.len(), titles.len() + 1);
        for record in &records[1..] {
            let raw = &by_id[&record[0]];
            if is_formula(raw) {
                assert_eq!(record[1], format!("'{raw}"), "neutralised");
            } else {
                assert_eq!(&record[1], raw, "kept as it is");
            }
            assert_eq!(record[5], "'=cmd()", "the recipient is neutralised too");
            for cell in record {
                assert!(!is_formula(cell), "a formula cell survived: {cell:?}");
            }
        }
    }
    let json = ok(&app, "/api/export?q=fiendtligtittel&format=json")
        .await
        .json();
    for doc in json["documents"].as_array().unwrap() {
        assert_eq!(
            doc["title"].as_str().unwrap(),
            by_id[doc["id"].as_str().unwrap()],
            "JSON keeps titles unchanged"
        );
    }

    let feed = ok(&app, "/feed.atom?q=fiendtligtittel").await;
    let parsed = feed_rs::parser::parse(feed.bytes.as_slice()).expect("the feed parses");
    assert_eq!(parsed.entries.len(), titles.len());
    for entry in &parsed.entries {
        let id = entry.id.rsplit('/').next().unwrap();
        assert_eq!(entry.title.as_ref().unwrap().content, by_id[id]);
    }

    for (id, title) in &by_id {
        let bib = ok(&app, &format!("/dokument/{id}/cite.bib")).await;
        let parsed = Bibliography::parse(&bib.body)
            .unwrap_or_else(|e| panic!("BibTeX for {title:?} does not parse: {e:?}\n{}", bib.body));
        // BibTeX itself counts every brace, escaped or not, to find where a field ends.
        let mut depth = 0i32;
        for c in bib.body.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            assert!(depth >= 0, "a brace closes too early in {}", bib.body);
        }
        assert_eq!(depth, 0, "unbalanced braces in {}", bib.body);
        let entry = parsed.iter().next().expect("one entry");
        assert_eq!(parsed.len(), 1);
        // The fields after the title survived it: its braces were balanced.
        assert_eq!(
            entry.get("url").unwrap().format_verbatim(),
            format!("{BASE}/dokument/{id}")
        );
        let csl = ok(&app, &format!("/dokument/{id}/cite.json")).await.json();
        assert_eq!(csl[0]["title"].as_str().unwrap(), title);
    }
}

/// A JSON value checked against an OpenAPI 3.1 schema (the subset utoipa writes), both
/// ways: every field the answer has is documented, and every documented field is there.
fn conforms(schema: &Value, value: &Value, root: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
        let target = &root["components"]["schemas"][name];
        assert!(!target.is_null(), "{reference} does not resolve");
        return conforms(target, value, root, at, errors);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let fits = options.iter().any(|o| {
                let mut inner = Vec::new();
                conforms(o, value, root, at, &mut inner);
                inner.is_empty()
            });
            if !fits {
                errors.push(format!("{at}: {value} fits none of {key}"));
            }
            return;
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        // The parts describe one object together (a flattened struct): their properties
        // and required fields are merged before the value is checked against them.
        let mut merged = serde_json::json!({ "type": "object", "properties": {}, "required": [] });
        for part in all {
            let part = match part["$ref"].as_str() {
                Some(reference) => {
                    let name = reference.rsplit('/').next().unwrap();
                    &root["components"]["schemas"][name]
                }
                None => part,
            };
            assert!(part["allOf"].is_null(), "{at}: nested allOf");
            for (key, s) in part["properties"].as_object().into_iter().flatten() {
                merged["properties"][key] = s.clone();
            }
            for key in part["required"].as_array().into_iter().flatten() {
                merged["required"].as_array_mut().unwrap().push(key.clone());
            }
        }
        return conforms(&merged, value, root, at, errors);
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() {
        let fits = types.iter().any(|t| match *t {
            "null" => value.is_null(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            other => panic!("unknown type {other}"),
        });
        if !fits {
            errors.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
    }
    if let Some(options) = schema["enum"].as_array()
        && !value.is_null()
        && !options.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {options:?}"));
    }
    if let (Some(pattern), Some(s)) = (schema["pattern"].as_str(), value.as_str())
        && !regex::Regex::new(pattern).unwrap().is_match(s)
    {
        errors.push(format!("{at}: {s:?} does not match {pattern}"));
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_f64(), value.as_f64())
        && n < min
    {
        errors.push(format!("{at}: {n} < {min}"));
    }
    if let Some(object) = value.as_object() {
        let properties = schema["properties"].as_object();
        for (key, v) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(s) => conforms(s, v, root, &format!("{at}.{key}"), errors),
                None => match &schema["additionalProperties"] {
                    Value::Object(_) => conforms(
                        &schema["additionalProperties"],
                        v,
                        root,
                        &format!("{at}.{key}"),
                        errors,
                    ),
                    _ => errors.push(format!("{at}.{key} is not in the schema")),
                },
            }
        }
        for key in properties.into_iter().flat_map(|p| p.keys()) {
            if !object.contains_key(key) {
                errors.push(format!("{at}.{key} is documented but missing"));
            }
        }
        for key in schema["required"].as_array().into_iter().flatten() {
            if !object.contains_key(key.as_str().unwrap()) {
                errors.push(format!("{at}.{key} is required but missing"));
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, v) in array.iter().enumerate() {
            conforms(items, v, root, &format!("{at}[{i}]"), errors);
        }
    }
}

/// The schema an operation documents for `status` as JSON.
fn response_schema<'a>(doc: &'a Value, path: &str, status: &str) -> &'a Value {
    let schema =
        &doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"];
    assert!(!schema.is_null(), "{path} documents no JSON for {status}");
    schema
}

fn assert_conforms(doc: &Value, path: &str, status: &str, answer: &Answer) {
    let mut errors = Vec::new();
    conforms(
        response_schema(doc, path, status),
        &answer.json(),
        doc,
        path,
        &mut errors,
    );
    assert!(errors.is_empty(), "{path} {status}: {errors:#?}");
}

#[tokio::test]
async fn openapi_is_valid_covers_every_api_route_and_matches_the_answers() {
    let app = sample_app();
    let served = ok(&app, "/api/openapi.json").await;
    assert!(
        served
            .header("content-type")
            .starts_with("application/json")
    );
    let spec = oas3::from_json(&served.body).expect("a valid OpenAPI 3.1 document");
    spec.validate_version()
        .expect("a supported OpenAPI version");
    assert_eq!(spec.servers[0].url, BASE);

    // Every GET route under /api/ in the router is described.
    let router_source = include_str!("../../src/web/mod.rs");
    let routes: Vec<&str> = router_source
        .split(".route(\"")
        .skip(1)
        .filter(|rest| rest.contains("get("))
        .map(|rest| rest.split('"').next().unwrap())
        .filter(|path| path.starts_with("/api/"))
        .collect();
    assert!(routes.len() >= 4, "found the API routes: {routes:?}");
    for route in &routes {
        let op = spec
            .operation(&axum::http::Method::GET, route)
            .unwrap_or_else(|| panic!("{route} is not in the OpenAPI document"));
        assert!(op.responses.as_ref().is_some_and(|r| r.contains_key("200")));
    }
    // Every operation's schemas resolve.
    for (path, _, op) in spec.operations() {
        for (status, response) in op.responses.iter().flatten() {
            let response = response.resolve(&spec).unwrap();
            for (media, content) in &response.content {
                if let Some(schema) = &content.schema {
                    schema
                        .resolve(&spec)
                        .unwrap_or_else(|e| panic!("{path} {status} {media}: {e}"));
                }
            }
        }
    }

    // Real answers fit the documented schemas, field for field.
    let doc = served.json();
    let search = ok(&app, "/api/search?q=vold&per_page=50").await;
    assert_conforms(&doc, "/api/search", "200", &search);
    let all = ok(&app, "/api/search?per_page=1000").await;
    assert_conforms(&doc, "/api/search", "200", &all);
    let id = all.json()["hits"][0]["id"].as_str().unwrap().to_string();
    let document = ok(&app, &format!("/api/documents/{id}")).await;
    assert_conforms(&doc, "/api/documents/{id}", "200", &document);
    let export = ok(&app, "/api/export?format=json").await;
    assert_conforms(&doc, "/api/export", "200", &export);
    let suggest = ok(&app, "/api/suggest?q=vold").await;
    assert!(!suggest.json()["suggestions"].as_array().unwrap().is_empty());
    assert_conforms(&doc, "/api/suggest", "200", &suggest);
    let too_long = get(&app, &format!("/api/suggest?q={}", "v".repeat(101))).await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
    assert_conforms(&doc, "/api/suggest", "400", &too_long);
    let bad = get(&app, "/api/search?year=abc").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_conforms(&doc, "/api/search", "400", &bad);
    let missing = get(&app, &format!("/api/documents/{}", "0".repeat(32))).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_conforms(&doc, "/api/documents/{id}", "404", &missing);

    // The page for people names every endpoint, in both languages.
    for uri in ["/api", "/api?lang=en"] {
        let page = ok(&app, uri).await;
        for route in &routes {
            assert!(page.body.contains(route), "{uri} lacks {route}");
        }
        assert!(page.body.contains("/api/openapi.json"));
    }
    assert!(
        ok(&app, "/api?lang=en")
            .await
            .body
            .contains("No key is needed")
    );
}

#[tokio::test]
async fn feed_parses_and_follows_the_search_newest_first() {
    let app = sample_app();
    for filter in [
        "",
        "convention=istanbul&kind=horingssvar",
        "q=voldsalarm",
        "convention=crc",
    ] {
        let feed = ok(&app, &format!("/feed.atom?{filter}")).await;
        assert!(
            feed.header("content-type")
                .starts_with("application/atom+xml")
        );
        let parsed = feed_rs::parser::parse(feed.bytes.as_slice())
            .unwrap_or_else(|e| panic!("{filter}: the feed does not parse: {e}"));
        assert_eq!(parsed.feed_type, feed_rs::model::FeedType::Atom);
        let search = ok(
            &app,
            &with(
                &format!("/api/search?{filter}"),
                "sort=newest&per_page=1000",
            ),
        )
        .await
        .json();
        let dated: Vec<String> = search["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| !h["date"].is_null())
            .map(|h| format!("{BASE}/dokument/{}", h["id"].as_str().unwrap()))
            .take(50)
            .collect();
        assert!(!dated.is_empty(), "{filter}");
        let entry_ids: Vec<String> = parsed.entries.iter().map(|e| e.id.clone()).collect();
        assert_eq!(
            entry_ids, dated,
            "{filter}: the search's documents, newest first"
        );
        let updated: Vec<_> = parsed.entries.iter().map(|e| e.updated.unwrap()).collect();
        assert!(
            updated.windows(2).all(|w| w[0] >= w[1]),
            "{filter}: newest first"
        );
        for entry in &parsed.entries {
            assert!(
                entry
                    .links
                    .iter()
                    .any(|l| l.href == entry.id && l.rel.as_deref() == Some("alternate")),
                "each entry links to its document page"
            );
        }
        assert!(
            parsed.links.iter().any(|l| l.rel.as_deref() == Some("self")
                && l.href.starts_with(&format!("{BASE}/feed.atom"))),
            "the feed names its own address"
        );
    }
    let istanbul = ok(&app, "/feed.atom?convention=istanbul&kind=horingssvar").await;
    let title = feed_rs::parser::parse(istanbul.bytes.as_slice())
        .unwrap()
        .title
        .unwrap()
        .content;
    assert!(title.contains("Istanbulkonvensjonen") && title.contains("Høringssvar"));
    let english = ok(&app, "/feed.atom?convention=istanbul&lang=en").await;
    let parsed = feed_rs::parser::parse(english.bytes.as_slice()).unwrap();
    assert!(
        parsed
            .title
            .unwrap()
            .content
            .contains("Istanbul Convention")
    );
    assert!(parsed.entries[0].links[0].href.ends_with("?lang=en"));
}

/// The `data-` attributes of every element named `tag` that has `data-count`.
fn bars(svg: &str, tag: &str) -> Vec<BTreeMap<String, String>> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert!(
        root.children()
            .any(|c| c.tag_name().name() == "title" && c.text().is_some_and(|t| !t.is_empty())),
        "the chart has a <title>"
    );
    root.descendants()
        .filter(|n| n.tag_name().name() == tag && n.has_attribute("data-count"))
        .map(|n| {
            n.attributes()
                .filter(|a| a.name().starts_with("data-"))
                .map(|a| (a.name()["data-".len()..].to_string(), a.value().to_string()))
                .collect()
        })
        .collect()
}

fn count(map: &Value, key: &str) -> u64 {
    map[key].as_u64().unwrap_or(0)
}

/// The chart in an HTML page, which is well-formed XML on its own.
fn inline_svg<'a>(html: &'a str, id: &str) -> &'a str {
    let figure = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let start = figure + html[figure..].find("<svg").unwrap();
    let end = start + html[start..].find("</svg>").unwrap() + "</svg>".len();
    &html[start..end]
}

#[tokio::test]
async fn statistics_bars_equal_the_facet_counts() {
    let app = sample_app();
    for filter in [
        "",
        "kind=horingssvar",
        "q=vold",
        "from=2016&to=2022",
        "convention=istanbul",
    ] {
        let all = ok(&app, &format!("/api/search?{filter}")).await.json();
        let svg = ok(&app, &format!("/statistikk/aar.svg?{filter}")).await;
        assert!(svg.header("content-type").starts_with("image/svg+xml"));
        let doc = roxmltree::Document::parse(&svg.body).unwrap();
        let totals: BTreeMap<String, u64> = doc
            .descendants()
            .filter(|n| n.has_attribute("data-total"))
            .map(|n| {
                (
                    n.attribute("data-year").unwrap().to_string(),
                    n.attribute("data-total").unwrap().parse().unwrap(),
                )
            })
            .collect();
        for (year, n) in all["facets"]["year"].as_object().unwrap() {
            assert_eq!(
                totals.get(year),
                Some(&n.as_u64().unwrap()),
                "{filter}: {year}"
            );
        }
        assert_eq!(
            totals.values().sum::<u64>(),
            all["total"].as_u64().unwrap(),
            "{filter}: every document is in a year"
        );
        let segments = bars(&svg.body, "rect");
        assert!(!segments.is_empty());
        for c in CONVENTIONS {
            // A convention filter of its own would widen the search ("any of"), so the
            // per-convention facets are only comparable without one.
            if filter.contains("convention=") && !filter.contains(c) {
                continue;
            }
            let per = ok(
                &app,
                &with(&format!("/api/search?{filter}"), &format!("convention={c}")),
            )
            .await
            .json();
            let years = per["facets"]["year"].as_object().unwrap();
            let drawn: BTreeMap<&str, u64> = segments
                .iter()
                .filter(|b| b["convention"] == c)
                .map(|b| (b["year"].as_str(), b["count"].parse().unwrap()))
                .collect();
            let expected: BTreeMap<&str, u64> = years
                .iter()
                .map(|(y, n)| (y.as_str(), n.as_u64().unwrap()))
                .filter(|(_, n)| *n > 0)
                .collect();
            assert_eq!(drawn, expected, "{filter}: {c} per year");
        }

        // Articles: each bar is the article facet's count, and the top of each convention.
        let articles = ok(&app, &format!("/statistikk/artikler.svg?{filter}")).await;
        let facet = &all["facets"]["article"];
        let drawn = bars(&articles.body, "rect");
        for bar in &drawn {
            assert_eq!(
                bar["count"].parse::<u64>().unwrap(),
                count(facet, &bar["article"]),
                "{filter}: {}",
                bar["article"]
            );
        }
        for c in CONVENTIONS {
            let shown: BTreeSet<&str> = drawn
                .iter()
                .filter(|b| b["convention"] == c)
                .map(|b| b["article"].as_str())
                .collect();
            let least_shown = drawn
                .iter()
                .filter(|b| b["convention"] == c)
                .map(|b| b["count"].parse::<u64>().unwrap())
                .min()
                .unwrap_or(0);
            let in_facet: Vec<(&String, u64)> = facet
                .as_object()
                .unwrap()
                .iter()
                .filter(|(a, n)| a.starts_with(&format!("{c}:")) && n.as_u64().unwrap() > 0)
                .map(|(a, n)| (a, n.as_u64().unwrap()))
                .collect();
            assert_eq!(shown.len(), in_facet.len().min(10), "{filter}: {c}");
            for (a, n) in in_facet {
                assert!(
                    shown.contains(a.as_str()) || n <= least_shown,
                    "{filter}: {a} ({n}) belongs among the most cited"
                );
            }
        }

        // The page shows the same charts and the numbers in tables.
        let page = ok(&app, &format!("/statistikk?{filter}")).await;
        assert_eq!(inline_svg(&page.body, "chart-years"), svg.body);
        assert_eq!(inline_svg(&page.body, "chart-articles"), articles.body);
        assert!(
            page.body
                .contains(&format!("<span id=\"stats-total\">{}</span>", all["total"]))
        );
        assert!(page.body.contains("id=\"table-years\""));
    }
}

/// A table of numbers on a statistics page.
struct NumberTable {
    /// Each column header's text and link.
    headers: Vec<(String, Option<String>)>,
    /// Each row's label and numbers, the sum row last.
    rows: Vec<(String, Vec<u64>)>,
}

impl NumberTable {
    fn parse(html: &str, css: &str) -> NumberTable {
        let html = Html::parse_document(html);
        let select = |css: &str| Selector::parse(css).unwrap();
        let table = html
            .select(&select(css))
            .next()
            .unwrap_or_else(|| panic!("no {css}"));
        let headers = table
            .select(&select("thead th"))
            .map(|th| {
                let link = th
                    .select(&select("a"))
                    .next()
                    .and_then(|a| a.value().attr("href"))
                    .map(str::to_string);
                (th.text().collect::<String>(), link)
            })
            .collect();
        let rows = table
            .select(&select("tbody tr, tfoot tr"))
            .map(|tr| {
                let label = tr.select(&select("th")).next().unwrap().text().collect();
                let cells = tr
                    .select(&select("td"))
                    .map(|td| td.text().collect::<String>().parse().unwrap())
                    .collect();
                (label, cells)
            })
            .collect();
        NumberTable { headers, rows }
    }

    /// Each row's label and last number (its documents), without the sum row.
    fn totals(&self) -> Vec<(String, u64)> {
        self.rows[..self.rows.len() - 1]
            .iter()
            .map(|(label, cells)| (label.clone(), *cells.last().unwrap()))
            .collect()
    }
}

#[tokio::test]
async fn statistics_count_focus_areas_per_year_as_the_api_does() {
    use arkiv::tagging::topics::FOCUS_AREAS;
    let app = sample_app();
    let mut some_area = false;
    for filter in ["", "q=vold", "from=2016&to=2022", "kind=horingssvar"] {
        let all = ok(&app, &format!("/api/search?{filter}")).await.json();
        let page = ok(&app, &format!("/statistikk?{filter}")).await;
        let table = NumberTable::parse(&page.body, "section#stats-topics table#table-topics");
        let (headers, rows) = (&table.headers, &table.rows);
        // Year, the six areas in the secretariat's order, none, documents.
        assert_eq!(headers.len(), FOCUS_AREAS.len() + 3, "{filter}");
        assert_eq!(headers[0].0, "År");
        assert_eq!(
            headers[FOCUS_AREAS.len() + 1],
            ("Uten fokusområde".into(), None)
        );
        assert_eq!(headers[FOCUS_AREAS.len() + 2].0, "Dokumenter");
        let (sum_label, sums) = rows.last().unwrap();
        assert_eq!(sum_label, "Sum");
        assert_eq!(
            sums.last().copied(),
            all["total"].as_u64(),
            "{filter}: the documents counted"
        );
        for (i, area) in FOCUS_AREAS.iter().enumerate() {
            let (name, link) = &headers[i + 1];
            assert_eq!(name, area.name_nb);
            let link = link
                .as_deref()
                .expect("an area's column links to its search");
            assert!(
                link.starts_with("/sok?") && link.contains(&format!("topic={}", area.id)),
                "{filter}: {link}"
            );
            let expected = count(&all["facets"]["topic"], area.id);
            some_area |= expected > 0;
            assert_eq!(sums[i], expected, "{filter}: {} in all", area.id);
            // Per year, what the API's year facet says of the search narrowed to the area.
            let per = ok(
                &app,
                &with(
                    &format!("/api/search?{filter}"),
                    &format!("topic={}", area.id),
                ),
            )
            .await
            .json();
            for (label, cells) in &rows[..rows.len() - 1] {
                if label.parse::<i32>().is_ok() {
                    assert_eq!(
                        cells[i],
                        count(&per["facets"]["year"], label),
                        "{filter}: {} in {label}",
                        area.id
                    );
                }
            }
        }
        // The documents without an area are the rest.
        let any = FOCUS_AREAS
            .iter()
            .map(|a| format!("topic={}", a.id))
            .collect::<Vec<_>>()
            .join("&");
        let with_area = ok(&app, &with(&format!("/api/search?{filter}"), &any))
            .await
            .json()["total"]
            .as_u64()
            .unwrap();
        assert_eq!(
            sums[FOCUS_AREAS.len()] + with_area,
            all["total"].as_u64().unwrap(),
            "{filter}: none + some area = all"
        );
        // Both tables have the same years, each row counting the same documents.
        let years = NumberTable::parse(&page.body, "#table-years");
        assert_eq!(table.totals(), years.totals(), "{filter}");
    }
    assert!(some_area, "the samples treat some focus area");

    let english = ok(&app, "/statistikk?lang=en").await;
    assert!(english.body.contains("Documents per year and focus area"));
    let headers = NumberTable::parse(&english.body, "#table-topics").headers;
    assert_eq!(headers[1].0, FOCUS_AREAS[0].name_en);
    assert_eq!(headers[FOCUS_AREAS.len() + 1].0, "No focus area");
    assert!(headers[1].1.as_deref().unwrap().contains("lang=en"));
    let nb = ok(&app, "/statistikk").await;
    assert!(nb.body.contains("Dokumenter per år og fokusområde"));
    assert!(!nb.body.contains(FOCUS_AREAS[0].name_en));
}

#[tokio::test]
async fn statistics_and_convention_pages_in_both_languages() {
    let app = sample_app();
    let nb = ok(&app, "/statistikk").await;
    assert!(nb.body.contains("<html lang=\"nb\""));
    assert!(nb.body.contains("Dokumenter per år og konvensjon"));
    assert!(
        nb.body
            .contains("<table class=\"numbers\" id=\"table-years\">")
    );
    let en = ok(&app, "/statistikk?lang=en").await;
    assert!(en.body.contains("Documents per year and convention"));
    assert!(en.body.contains("Istanbul Convention"));
    // Nothing found: the page still renders, with an empty chart.
    let none = ok(&app, "/statistikk?q=xqzxqzxqz").await;
    assert!(none.body.contains("Ingen dokumenter å telle."));

    let facets = ok(&app, "/api/search").await.json()["facets"].clone();
    for (c, name, fact) in [
        ("istanbul", "Istanbulkonvensjonen", "2011"),
        ("echr", "EMK", "menneskerettsloven"),
        ("cedaw", "Kvinnekonvensjonen", "1979"),
        ("crc", "Barnekonvensjonen", "1989"),
    ] {
        let page = ok(&app, &format!("/konvensjon/{c}")).await;
        assert!(page.body.contains(&format!("<h1>{name}")), "{c}");
        assert!(page.body.contains(fact), "{c} tells {fact}");
        let cards = page.body.matches("<article class=\"card\">").count() as u64;
        assert_eq!(cards, count(&facets["convention"], c), "{c}: its documents");
        let per = ok(&app, &format!("/api/search?convention={c}"))
            .await
            .json();
        if page.body.contains("id=\"chart-articles\"") {
            for bar in bars(inline_svg(&page.body, "chart-articles"), "rect") {
                assert_eq!(bar["convention"], c);
                assert_eq!(
                    bar["count"].parse::<u64>().unwrap(),
                    count(&per["facets"]["article"], &bar["article"])
                );
            }
        }
        let english = ok(&app, &format!("/konvensjon/{c}?lang=en")).await;
        assert!(english.body.contains("<html lang=\"en\""));
        assert!(english.body.contains(fact) || c == "echr");
    }
    assert!(
        ok(&app, "/konvensjon/echr?lang=en")
            .await
            .body
            .contains("Human Rights Act")
    );
    assert_eq!(
        get(&app, "/konvensjon/atlantis").await.status,
        StatusCode::NOT_FOUND
    );
    let front = ok(&app, "/").await;
    assert!(front.body.contains("href=\"/konvensjon/istanbul\""));
    assert!(front.body.contains("href=\"/statistikk\""));
}

#[tokio::test]
async fn citations_parse_as_bibtex_and_csl_json() {
    let app = sample_app();
    let all = ok(&app, "/api/search?per_page=1000").await.json();
    for hit in all["hits"].as_array().unwrap() {
        let id = hit["id"].as_str().unwrap();
        let url = format!("{BASE}/dokument/{id}");
        let title = hit["title"].as_str().unwrap();

        let bib = ok(&app, &format!("/dokument/{id}/cite.bib")).await;
        assert!(
            bib.header("content-type")
                .starts_with("application/x-bibtex")
        );
        assert!(bib.header("content-disposition").contains(".bib"));
        let parsed =
            Bibliography::parse(&bib.body).unwrap_or_else(|e| panic!("{id}: {e:?}\n{}", bib.body));
        assert_eq!(parsed.len(), 1);
        let entry = parsed.iter().next().unwrap();
        assert_eq!(entry.entry_type, biblatex::EntryType::TechReport);
        assert!(entry.key.starts_with("krisesentersekretariatet"));
        assert_eq!(entry.get("url").unwrap().format_verbatim(), url);
        assert_eq!(
            entry.get("institution").unwrap().format_verbatim(),
            "Krisesentersekretariatet"
        );
        if !title.contains(['{', '}', '\\', '&', '%', '$', '#', '_', '~', '^']) {
            assert_eq!(entry.title().unwrap().format_verbatim(), title);
        }
        match hit["year"].as_i64() {
            Some(y) => assert_eq!(entry.get("year").unwrap().format_verbatim(), y.to_string()),
            None => assert!(entry.get("year").is_none()),
        }

        let csl = ok(&app, &format!("/dokument/{id}/cite.json")).await;
        assert!(
            csl.header("content-type")
                .starts_with("application/vnd.citationstyles.csl+json")
        );
        let item = &csl.json()[0];
        assert_eq!(item["type"], "report");
        assert_eq!(item["title"], title);
        assert_eq!(item["author"][0]["literal"], "Krisesentersekretariatet");
        assert_eq!(item["publisher"], "Krisesentersekretariatet");
        assert_eq!(item["publisher-place"], "Oslo");
        assert_eq!(item["URL"], url.as_str());
        assert!(item["accessed"]["date-parts"][0].as_array().unwrap().len() == 3);
        match hit["date"].as_str() {
            Some(date) => {
                let parts: Vec<u64> = date.split('-').map(|p| p.parse().unwrap()).collect();
                let issued: Vec<u64> = item["issued"]["date-parts"][0]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap())
                    .collect();
                assert_eq!(issued, parts);
            }
            None => assert!(item.get("issued").is_none()),
        }
        if let Some(recipient) = hit["recipient"].as_str() {
            assert_eq!(item["note"], format!("Til {recipient}"));
            let english = ok(&app, &format!("/dokument/{id}/cite.json?lang=en"))
                .await
                .json();
            assert_eq!(english[0]["note"], format!("To {recipient}"));
            let english_bib = ok(&app, &format!("/dokument/{id}/cite.bib?lang=en")).await;
            assert!(english_bib.body.contains("{To "));
        }
    }
    let any = all["hits"][0]["id"].as_str().unwrap();
    let page = ok(&app, &format!("/dokument/{any}")).await;
    assert!(
        page.body
            .contains(&format!("href=\"/dokument/{any}/cite.bib\""))
    );
    assert!(
        page.body
            .contains(&format!("href=\"/dokument/{any}/cite.json\""))
    );
    let english = ok(&app, &format!("/dokument/{any}?lang=en")).await;
    assert!(
        english
            .body
            .contains(&format!("href=\"/dokument/{any}/cite.bib?lang=en\""))
    );
    assert_eq!(
        get(&app, &format!("/dokument/{}/cite.bib", "0".repeat(32)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn search_page_links_to_export_statistics_and_feed_of_the_same_search() {
    let app = sample_app();
    let page = ok(
        &app,
        "/sok?q=vold&convention=istanbul&kind=horingssvar&page=1",
    )
    .await;
    let href = |id: &str| -> String {
        let marker = format!("id=\"{id}\" href=\"");
        let at = page
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no #{id}"));
        let rest = &page.body[at + marker.len()..];
        rest[..rest.find('"').unwrap()]
            .replace("&amp;", "&")
            .replace("&#38;", "&")
    };
    let total = ok(
        &app,
        "/api/search?q=vold&convention=istanbul&kind=horingssvar",
    )
    .await
    .json()["total"]
        .as_u64()
        .unwrap();
    assert!(total > 0);
    let csv = ok(&app, &href("export-csv")).await;
    assert_eq!(csv_records(&csv, b',').len() as u64, total + 1);
    let semicolon = ok(&app, &href("export-csv-semicolon")).await;
    assert_eq!(csv_records(&semicolon, b';').len() as u64, total + 1);
    let json = ok(&app, &href("export-json")).await.json();
    assert_eq!(json["total"].as_u64().unwrap(), total);
    let stats = ok(&app, &href("stats-link")).await;
    assert!(
        stats
            .body
            .contains(&format!("<span id=\"stats-total\">{total}</span>"))
    );
    let feed = ok(&app, &href("feed-link")).await;
    feed_rs::parser::parse(feed.bytes.as_slice()).expect("the feed link gives a feed");
    assert!(
        page.body
            .contains("<link rel=\"alternate\" type=\"application/atom+xml\"")
    );
    let english = ok(&app, "/sok?q=vold&lang=en").await;
    assert!(english.body.contains("Download CSV"));
    let unescaped = english.body.replace("&#38;", "&").replace("&amp;", "&");
    assert!(unescaped.contains("/statistikk?q=vold&lang=en"));
}
