//! The secretariat's focus areas (`arkiv::tagging::topics`): detection on real text,
//! measured against the judged documents of `resources/topics/`, the sidecar that replaces
//! detection, and the areas through search, the API, export and their own pages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use arkiv::relevance::JUDGED_FOLDERS;
use arkiv::tagging::topics::{FOCUS_AREAS, detect_topics, focus_area, score_topics};
use serde::Deserialize;

use crate::support::programs;

/// Overall precision and recall of detection on the judged documents may not fall below
/// these (set a little under the measured values; README of `resources/topics/`).
const PRECISION_FLOOR: f64 = 0.95;
const RECALL_FLOOR: f64 = 0.85;

#[derive(Deserialize)]
struct Judged {
    document: Vec<JudgedDocument>,
}

#[derive(Deserialize)]
struct JudgedDocument {
    file: String,
    topics: Vec<String>,
}

fn judgements() -> Judged {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("resources/topics/judgements.toml");
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The areas detected in `text`.
fn check(text: &str, expected: &[&str]) {
    assert_eq!(detect_topics(text), expected, "in {:.200}", text);
}

fn sample_text(stem: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(format!("{stem}.txt"));
    std::fs::read_to_string(path).unwrap().replace("\\f", "\n")
}

#[test]
fn the_table_has_the_six_areas_and_every_concept_exists() {
    let ids: Vec<&str> = FOCUS_AREAS.iter().map(|a| a.id).collect();
    assert_eq!(
        ids,
        [
            "vold-mot-kvinner-og-barn",
            "partnerdrap",
            "sarbare-grupper",
            "ungdom-og-forebygging",
            "vold-mot-dyr",
            "menneskehandel"
        ]
    );
    let thesaurus = arkiv::norwegian::thesaurus::Thesaurus::shipped();
    for area in &FOCUS_AREAS {
        assert!(!area.concepts.is_empty(), "{}", area.id);
        for concept in area.concepts {
            assert!(
                thesaurus.concepts.iter().any(|c| c.id == *concept),
                "{}: no concept {concept}",
                area.id
            );
        }
    }
    assert!(focus_area("partnerdrap").is_some());
    assert!(focus_area("Partnerdrap").is_none());
}

#[test]
fn detection_on_sample_letters() {
    let trafficking = detect_topics(&sample_text("2014-05-20-menneskehandel"));
    assert!(trafficking.contains(&"menneskehandel"), "{trafficking:?}");
    check(
        &sample_text("2017-06-08-oppholdstillatelse"),
        &["vold-mot-kvinner-og-barn", "sarbare-grupper"],
    );
    check(
        &sample_text("2019-11-30-partnerdrap"),
        &["vold-mot-kvinner-og-barn", "partnerdrap"],
    );
    check(
        &sample_text("2024-03-18-negativ-sosial-kontroll"),
        &["ungdom-og-forebygging"],
    );
    // Nynorsk, with its own heading "Sårbare grupper".
    check(
        &sample_text("2020-06-10-krisesenterlova"),
        &["vold-mot-kvinner-og-barn", "sarbare-grupper"],
    );
}

#[test]
fn a_passing_mention_does_not_count() {
    // The omvendt voldsalarm letter treats protection orders; "drap" and "sårbare" are not
    // its subject. One sentence about trafficking added to it changes nothing.
    let letter = sample_text("2022-09-15-omvendt-voldsalarm");
    check(&letter, &[]);
    let with_aside = letter.replace(
        "Brudd på forbudet",
        "Vi har tidligere uttalt oss om menneskehandel.\n\nBrudd på forbudet",
    );
    check(&with_aside, &[]);
    let scores = score_topics(&with_aside);
    let trafficking = scores.iter().find(|s| s.id == "menneskehandel").unwrap();
    assert!(trafficking.weight > 0.0, "{trafficking:?}");
}

#[test]
fn violence_against_animals_is_found_where_it_is_the_subject() {
    let text = "Vold mot dyr og vold i nære relasjoner\n\n\
        Mange som kommer til krisesentrene, forteller at voldsutøveren har truet med å skade \
        kjæledyrene. Dyremishandling brukes for å kontrollere partneren.\n\n\
        Noen blir boende fordi krisesenteret ikke kan ta imot dyr. Vi ber om at krisesentrene \
        får midler til å samarbeide med dyrevernet.\n\n\
        Politiet bør se vold mot dyr som et varsel om vold i nære relasjoner, og \
        Mattilsynet bør varsle når dyr blir mishandlet i et hjem med barn.\n\n\
        Vi anbefaler at kjæledyr tas med i risikovurderingen.";
    let found = detect_topics(text);
    assert!(found.contains(&"vold-mot-dyr"), "{found:?}");
    // A word about pets in a letter about something else is not the area.
    let mut letter = sample_text("2021-03-01-barneloven");
    letter.push_str("\n\nEnkelte har også nevnt kjæledyr.");
    assert!(!detect_topics(&letter).contains(&"vold-mot-dyr"));
}

#[test]
fn the_judged_set_is_whole() {
    let judged = judgements();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut seen = BTreeSet::new();
    for doc in &judged.document {
        assert!(seen.insert(doc.file.clone()), "{} twice", doc.file);
        assert!(
            JUDGED_FOLDERS
                .iter()
                .any(|f| root.join(f).join(&doc.file).is_file()),
            "{} is not in the judged folders",
            doc.file
        );
        for t in &doc.topics {
            assert!(focus_area(t).is_some(), "{}: unknown area {t}", doc.file);
        }
    }
    // Every PDF of the judged folders is judged.
    for folder in JUDGED_FOLDERS {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".pdf") {
                assert!(seen.contains(&name), "{name} is not judged");
            }
        }
    }
}

/// Per area: (true positives, false positives, false negatives).
type Counts = BTreeMap<&'static str, (u32, u32, u32)>;

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        1.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

#[test]
fn detection_is_measured_against_the_judged_documents() {
    if programs::require(["pdftotext"]).is_none() {
        return;
    }
    let index = crate::relevance::judged_index();
    let judged: BTreeMap<String, Vec<String>> = judgements()
        .document
        .into_iter()
        .map(|d| (d.file, d.topics))
        .collect();
    let mut counts: Counts = FOCUS_AREAS.iter().map(|a| (a.id, (0, 0, 0))).collect();
    let documents = index.documents().unwrap();
    assert_eq!(documents.len(), judged.len());
    for doc in &documents {
        let s = &doc.submission;
        let expected = &judged[&s.file];
        let text = index.pages(&s.id).unwrap().join("\n\n");
        let scores: Vec<String> = score_topics(&text)
            .iter()
            .filter(|x| x.weight > 0.0)
            .map(|x| {
                format!(
                    "{}=w{:.0}/d{:.1}/p{}/win{:.0}/c{:.0}",
                    x.id, x.weight, x.density, x.parts, x.window, x.core
                )
            })
            .collect();
        eprintln!(
            "{:55} {:?} judged {:?}\n    {}",
            s.file,
            s.topics,
            expected,
            scores.join(" ")
        );
        for area in &FOCUS_AREAS {
            let found = s.topics.iter().any(|t| t == area.id);
            let right = expected.iter().any(|t| t == area.id);
            let c = counts.get_mut(area.id).unwrap();
            match (found, right) {
                (true, true) => c.0 += 1,
                (true, false) => c.1 += 1,
                (false, true) => c.2 += 1,
                (false, false) => {}
            }
        }
    }
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (id, (t, f, n)) in &counts {
        eprintln!(
            "{id:26} precision {:.3} recall {:.3} (tp {t} fp {f} fn {n})",
            ratio(*t, t + f),
            ratio(*t, t + n)
        );
        tp += t;
        fp += f;
        fn_ += n;
    }
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fn_);
    eprintln!("overall precision {precision:.3} recall {recall:.3} (tp {tp} fp {fp} fn {fn_})");
    assert!(precision >= PRECISION_FLOOR, "precision {precision:.3}");
    assert!(recall >= RECALL_FLOOR, "recall {recall:.3}");
}

#[test]
fn the_constant_id_list_matches_the_table() {
    let ids: Vec<&str> = FOCUS_AREAS.iter().map(|a| a.id).collect();
    assert_eq!(ids, arkiv::tagging::topics::TOPIC_IDS);
}

#[test]
fn a_sidecar_sets_topics_and_refuses_unknown_ones() {
    use crate::support::{run_ingest, write_pdf};
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    let letter = sample_text("2014-05-20-menneskehandel");
    write_pdf(&docs, "brev.pdf", None, &[&letter]);
    std::fs::write(
        docs.join("brev.toml"),
        "topics = [\"menneskehandel\", \"vold-mot-dyr\"]\n",
    )
    .unwrap();
    write_pdf(
        &docs,
        "uten.pdf",
        None,
        &[&sample_text("2019-11-30-partnerdrap")],
    );
    write_pdf(&docs, "feil.pdf", None, &["Menneskehandel."]);
    std::fs::write(docs.join("feil.toml"), "topics = [\"dyrevold\"]\n").unwrap();
    let (index, report) = run_ingest(&docs, &dir.path().join("index"));
    let failed: Vec<String> = report
        .failed
        .iter()
        .map(|f| format!("{} {}", f.file, f.error))
        .collect();
    assert!(
        failed
            .iter()
            .any(|f| f.contains("feil") && f.contains("dyrevold")),
        "{failed:?}"
    );
    let docs = index.documents().unwrap();
    let topics = |file: &str| {
        docs.iter()
            .find(|d| d.submission.file == file)
            .unwrap()
            .submission
            .topics
            .clone()
    };
    // The sidecar replaces detection, in table order.
    assert_eq!(topics("brev.pdf"), ["vold-mot-dyr", "menneskehandel"]);
    // Without one, detection decides.
    assert_eq!(
        topics("uten.pdf"),
        ["vold-mot-kvinner-og-barn", "partnerdrap"]
    );
}

mod web {
    use axum::http::StatusCode;

    use arkiv::library::Library;
    use arkiv::web::{AppState, router};

    use crate::support::{get, sample_index, samples_dir};

    fn sample_app() -> axum::Router {
        router(AppState::new(
            sample_index().clone(),
            Library::new(samples_dir()),
            "https://arkiv.example",
        ))
    }

    fn ids(v: &serde_json::Value) -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    }

    #[tokio::test]
    async fn the_api_filters_by_topic_and_counts_topics() {
        let app = sample_app();
        let all = get(&app, "/api/search?per_page=100").await.json();
        let total = all["total"].as_u64().unwrap();
        let by_topic = get(&app, "/api/search?topic=sarbare-grupper&per_page=100")
            .await
            .json();
        let n = by_topic["total"].as_u64().unwrap();
        assert!(n >= 3 && n < total, "{n}");
        for hit in by_topic["hits"].as_array().unwrap() {
            assert!(ids(&hit["topics"]).contains(&"sarbare-grupper".to_string()));
        }
        assert_eq!(
            by_topic["facets"]["topic"]["sarbare-grupper"].as_u64(),
            Some(n)
        );
        // Any of several.
        let either = get(
            &app,
            "/api/search?topic=partnerdrap&tema=menneskehandel&per_page=100",
        )
        .await
        .json();
        let files: Vec<&str> = either["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["file"].as_str().unwrap())
            .collect();
        assert!(files.contains(&"2019-11-30-partnerdrap.pdf"), "{files:?}");
        assert!(
            files.contains(&"2014-05-20-menneskehandel.pdf"),
            "{files:?}"
        );
        // Every document's topics are in the JSON, and the counts match the hits.
        let mut counted = std::collections::BTreeMap::<String, u64>::new();
        for hit in all["hits"].as_array().unwrap() {
            for t in ids(&hit["topics"]) {
                *counted.entry(t).or_default() += 1;
            }
        }
        for (t, c) in &counted {
            assert_eq!(all["facets"]["topic"][t].as_u64(), Some(*c), "{t}");
        }

        for bad in [
            "/api/search?topic=ukjent",
            "/api/search?topic=",
            "/api/export?topic=x",
        ] {
            let answer = get(&app, bad).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
            assert!(answer.body.contains("topic"), "{bad}: {}", answer.body);
        }
        let many: String = (0..21).map(|_| "topic=partnerdrap&").collect();
        assert_eq!(
            get(&app, &format!("/api/search?{many}")).await.status,
            StatusCode::BAD_REQUEST
        );
    }

    #[tokio::test]
    async fn export_has_a_topics_column_and_the_openapi_names_the_ids() {
        let app = sample_app();
        let csv = get(&app, "/api/export?topic=partnerdrap&format=csv").await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
        let mut lines = csv.body.lines();
        let head = lines.next().unwrap();
        assert!(head.contains("tema"), "{head}");
        let rows: Vec<&str> = lines.collect();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r.contains("partnerdrap")), "{rows:?}");
        let json = get(&app, "/api/export?topic=menneskehandel&format=json")
            .await
            .json();
        let rows = json["documents"].as_array().unwrap();
        assert!(!rows.is_empty());
        for r in rows {
            assert!(ids(&r["topics"]).contains(&"menneskehandel".to_string()));
        }
        let openapi = get(&app, "/api/openapi.json").await.body;
        assert!(openapi.contains("\"topic\""));
        assert!(openapi.contains("ungdom-og-forebygging"));
        assert!(openapi.contains("\"topics\""));
    }

    #[tokio::test]
    async fn the_topic_pages_list_areas_and_their_documents() {
        let app = sample_app();
        let index = get(&app, "/tema").await;
        assert_eq!(index.status, StatusCode::OK, "{}", index.body);
        for a in &arkiv::tagging::topics::FOCUS_AREAS {
            assert!(index.body.contains(&format!("/tema/{}", a.id)), "{}", a.id);
            assert!(index.body.contains(a.name_nb), "{}", a.name_nb);
        }
        let en = get(&app, "/tema?lang=en").await;
        assert!(en.body.contains("Human trafficking"));
        assert!(en.body.contains("Focus areas"));

        let page = get(&app, "/tema/partnerdrap").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Partnerdrap"));
        assert!(page.body.contains("Innspill til partnerdrapsutvalget"));
        assert!(
            !page
                .body
                .contains("Høringssvar – besøksforbud og omvendt voldsalarm")
        );
        assert!(page.body.contains("/sok?topic=partnerdrap"));
        let english = get(&app, "/tema/partnerdrap?lang=en").await;
        assert!(english.body.contains("Intimate partner homicide"));
        // An area no document treats has a page that says so.
        let animals = get(&app, "/tema/vold-mot-dyr").await;
        assert_eq!(animals.status, StatusCode::OK);
        assert!(animals.body.contains("Ingen dokumenter behandler"));
        assert_eq!(
            get(&app, "/tema/ukjent").await.status,
            StatusCode::NOT_FOUND
        );
    }

    #[tokio::test]
    async fn the_search_page_has_a_topic_facet_and_the_document_page_shows_topics() {
        let app = sample_app();
        let page = get(&app, "/sok").await;
        assert!(page.body.contains("Fokusområder"), "no topic facet");
        assert!(page.body.contains("/sok?topic=menneskehandel"));
        let filtered = get(&app, "/sok?topic=menneskehandel").await;
        assert_eq!(filtered.status, StatusCode::OK);
        assert!(filtered.body.contains("Menneskehandel"));
        let bad = get(&app, "/sok?topic=ukjent").await;
        assert_ne!(bad.status, StatusCode::INTERNAL_SERVER_ERROR);

        let hits = get(&app, "/api/search?topic=menneskehandel").await.json();
        let id = hits["hits"][0]["id"].as_str().unwrap().to_string();
        let doc = get(&app, &format!("/dokument/{id}")).await;
        assert!(
            doc.body.contains("href=\"/tema/menneskehandel\""),
            "no topic link"
        );
        let en = get(&app, &format!("/dokument/{id}?lang=en")).await;
        assert!(en.body.contains("Human trafficking"));
    }
}

mod staff {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};

    use crate::support::{send, staff_app_with};

    #[tokio::test]
    async fn staff_correct_topics_by_api_and_by_form() {
        let s = staff_app_with(1 << 20, &[], |_| {});
        let id = s.id_of("2022-09-15-omvendt-voldsalarm.pdf");
        let patch = |body: &'static str| {
            Request::patch(format!("/api/documents/{id}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {}", s.token))
                .body(Body::from(body))
                .unwrap()
        };
        let patched = send(&s.app, patch(r#"{"topics":["partnerdrap"]}"#)).await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
        assert_eq!(patched.json()["topics"], serde_json::json!(["partnerdrap"]));
        let sidecar =
            std::fs::read_to_string(s.documents().join("2022-09-15-omvendt-voldsalarm.toml"))
                .unwrap();
        assert!(sidecar.contains("topics = [\"partnerdrap\"]"), "{sidecar}");
        for bad in [r#"{"topics":["drap"]}"#, r#"{"topics":"partnerdrap"}"#] {
            let answer = send(&s.app, patch(bad)).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
            assert!(answer.body.contains("topics") || answer.body.contains("drap"));
        }
        // null lets detection decide again: the letter treats none of the areas.
        let back = send(&s.app, patch(r#"{"topics":null}"#)).await;
        assert_eq!(back.json()["topics"], serde_json::json!([]));

        let (cookie, csrf) = crate::staff::login(&s.app).await;
        let post = |form: String| {
            Request::post(format!("/dokument/{id}/rediger"))
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .unwrap()
        };
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf", &csrf)
            .append_pair("title", "Høringssvar – besøksforbud og omvendt voldsalarm")
            .append_pair("topics_shown", "1")
            .append_pair("topics", "menneskehandel, partnerdrap")
            .finish();
        let answer = send(&s.app, post(form)).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        let doc = s
            .index
            .document(&arkiv::model::DocId::parse(&id).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(doc.topics, vec!["partnerdrap", "menneskehandel"]);
        let edit = send(
            &s.app,
            Request::get(format!("/dokument/{id}/rediger"))
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert!(
            edit.body.contains("value=\"partnerdrap, menneskehandel\""),
            "the form shows the areas chosen by hand"
        );
        let bad = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf", &csrf)
            .append_pair("topics_shown", "1")
            .append_pair("topics", "tullball")
            .finish();
        let refused = send(&s.app, post(bad)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.body.contains("tullball"));
        assert!(refused.body.contains("Ukjent fokusområde"));
    }
}
