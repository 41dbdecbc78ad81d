//! Consultation records: the TOML files and their errors, the letter head that links a
//! reply to its consultation, the pages, the API, the iCalendar feed, the search filter,
//! and staff creating and editing records by form and API.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use arkiv::consultations::{Consultation, ConsultationError, Consultations};
use arkiv::library::Library;
use arkiv::tagging::letterhead;
use arkiv::web::{AppState, router};

use crate::staff::login;
use crate::support::{Answer, copy_samples, get, run_ingest, send, staff_app_with, write_pdf};

/// Parses `text` as `documents/consultations/<id>.toml`.
fn parse(id: &str, text: &str) -> Result<Consultation, ConsultationError> {
    Consultation::parse(&format!("consultations/{id}.toml"), id, text)
}

/// The error message of a file that must not parse.
fn parse_error(id: &str, text: &str) -> String {
    match parse(id, text) {
        Ok(c) => panic!("{id} parsed: {c:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_record_parses_with_only_a_title_and_with_every_field() {
    let c = parse("kun-tittel", "title = \"Høring om noe\"\n").unwrap();
    assert_eq!(c.id, "kun-tittel");
    assert_eq!(c.title, "Høring om noe");
    assert!(c.reference.is_none() && c.deadline.is_none() && c.outcome.is_empty());

    let full = parse(
        "full-2020",
        r#"title = "Høring – endringer i krisesenterlova"
department = "Barne- og familiedepartementet"
reference = "20/7513"
sent = 2020-03-01
deadline = "2020-06-01"
url = "https://example.org/horing"
kind = "stortingshoring"
notes = "Merknad"
sample = true

[[outcome]]
kind = "prop"
title = "Prop. L"
date = 2020-12-01
url = "https://example.org/prop"

[[outcome]]
kind = "lov"
title = "Lovvedtak"
"#,
    )
    .unwrap();
    assert_eq!(full.reference.as_deref(), Some("20/7513"));
    assert_eq!(full.deadline.unwrap().to_string(), "2020-06-01");
    assert_eq!(full.sent.unwrap().to_string(), "2020-03-01");
    assert_eq!(full.kind.id(), "stortingshoring");
    assert_eq!(full.outcome.len(), 2);
    assert_eq!(full.outcome[0].kind.id(), "prop");
    assert!(full.outcome[1].date.is_none());
    assert!(full.sample);
    // What is written reads back the same.
    assert_eq!(parse("full-2020", &full.to_toml()).unwrap(), full);
}

#[test]
fn a_bad_record_is_an_error_naming_file_line_and_field() {
    let wrong_type = parse_error("a", "title = \"T\"\ndeadline = 5\n");
    assert!(
        wrong_type.contains("consultations/a.toml, line 2, field `deadline`"),
        "{wrong_type}"
    );
    let unknown = parse_error("b", "title = \"T\"\n\nfrist = \"2020-01-01\"\n");
    assert!(
        unknown.contains("consultations/b.toml, line 3"),
        "{unknown}"
    );
    assert!(unknown.contains("frist"), "{unknown}");
    let missing = parse_error("c", "department = \"BFD\"\n");
    assert!(missing.contains("field `title`"), "{missing}");
    let bad_date = parse_error("d", "title = \"T\"\nsent = \"1. mars\"\n");
    assert!(bad_date.contains("line 2, field `sent`"), "{bad_date}");
    let bad_kind = parse_error("e", "title = \"T\"\nkind = \"lov\"\n");
    assert!(bad_kind.contains("line 2, field `kind`"), "{bad_kind}");
    let bad_step = parse_error(
        "f",
        "title = \"T\"\n[[outcome]]\nkind = \"prop\"\ntitle = \"P\"\nhvem = \"x\"\n",
    );
    assert!(bad_step.contains("line 5"), "{bad_step}");
    let empty_title = parse_error("g", "title = \"  \"\n");
    assert!(empty_title.contains("field `title`"), "{empty_title}");
    let bad_url = parse_error("h", "title = \"T\"\nurl = \"javascript:alert(1)\"\n");
    assert!(bad_url.contains("line 2, field `url`"), "{bad_url}");
    for id in ["Store-Bokstaver", "med mellomrom", "æøå", ""] {
        let e = parse_error(id, "title = \"T\"\n");
        assert!(e.contains("is not an id"), "{id}: {e}");
    }
}

#[test]
fn two_records_with_one_reference_are_an_error_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("alfa.toml", "title = \"A\"\nreference = \"20/7513\"\n");
    write("beta.toml", "title = \"B\"\nreference = \" 20/7513 \"\n");
    write("gamma.toml", "title = \"C\"\nreference = \"20/7514\"\n");
    write("delta.toml", "title = 5\n");
    write("Ugyldig.toml", "title = \"U\"\n");
    let (all, errors) = Consultations::load(dir.path());
    let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 3, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("consultations/alfa.toml")
                && m.contains("consultations/beta.toml")
                && m.contains("20/7513")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("delta.toml, line 1, field `title`"))
    );
    assert!(messages.iter().any(|m| m.contains("Ugyldig")));
    // The others are read; of the two, the first keeps the reference.
    assert_eq!(all.len(), 2);
    assert_eq!(all.by_reference("20/7513-4").unwrap().id, "alfa");
    assert_eq!(all.by_reference("20/7514").unwrap().id, "gamma");
    assert!(all.by_reference("20/751").is_none());
}

#[test]
fn the_letter_head_gives_the_case_numbers_and_the_recipient() {
    let check = |text: &str, theirs: Option<&str>, ours: Option<&str>, to: Option<&str>| {
        let head = letterhead::detect(text);
        assert_eq!(head.their_reference.as_deref(), theirs, "{text}");
        assert_eq!(head.our_reference.as_deref(), ours, "{text}");
        assert_eq!(head.recipient.as_deref(), to, "{text}");
    };
    check(
        "Krisesentersekretariatet\n\nJustis- og beredskapsdepartementet\nDeres ref.: 20/7513\nVår ref.: 20/1175\n\nOslo, 1. mars 2021\n\nHøringssvar – noe",
        Some("20/7513"),
        Some("20/1175"),
        Some("Justis- og beredskapsdepartementet"),
    );
    check(
        "Barne- og familiedepartementet\nv/ avdelingen\nDeres referanse: 20/7513-4\n",
        Some("20/7513-4"),
        None,
        Some("Barne- og familiedepartementet"),
    );
    check(
        "GREVIO Secretariat\nCouncil of Europe\nYour ref. 21/100\nOur ref.: 21/0112\n\nOslo, 12 January 2021",
        Some("21/100"),
        Some("21/0112"),
        Some("GREVIO Secretariat"),
    );
    // A letter laid out as a table: labels and values on separate lines, an empty
    // "Deres ref:" that must not take the next label's value, and the sender's address
    // above the recipient.
    check(
        "Nord-Odal kommune\n\nServicekontoret\nHerredsvegen 2, 2120 Sagstua\n62 97 81 00\nOrg. nr: 964 950 768\nProsjekt Åpne Valgdata\n\nDeres ref:\n\nVår ref:\n23/12600\n\nDato:\n15.08.2023\n",
        None,
        Some("23/12600"),
        Some("Prosjekt Åpne Valgdata"),
    );
    check(
        "Til: Helse- og omsorgsdepartementet\nDykkar ref.: 19/22\n",
        Some("19/22"),
        None,
        Some("Helse- og omsorgsdepartementet"),
    );
    // A reference in the body, far below the head, is not the letter head's.
    let body = format!(
        "Høringssvar\n{}Deres ref.: 20/7513\n",
        "Tekst.\n".repeat(80)
    );
    check(&body, None, None, None);
    // "Vår ref" without a case number, and prose, are not case numbers.
    check("Vi viser til vår referansegruppe 12.\n", None, None, None);
}

/// A documents folder with the consultations `a` (20/7513), `x` (19/1) and `ubesvart`
/// (no documents), and letters: one answering `a` by its head, one whose number differs,
/// one whose sidecar names `x` though its head says 20/7513, one whose sidecar names a
/// consultation that does not exist.
fn linked_archive(docs: &Path) {
    std::fs::create_dir_all(docs.join("consultations")).unwrap();
    let record = |id: &str, text: &str| {
        std::fs::write(docs.join("consultations").join(format!("{id}.toml")), text).unwrap()
    };
    record(
        "a",
        "title = \"Høring A\"\ndepartment = \"Justis- og beredskapsdepartementet\"\nreference = \"20/7513\"\ndeadline = 2020-06-01\n",
    );
    record("x", "title = \"Høring X\"\nreference = \"19/1\"\n");
    record(
        "ubesvart",
        "title = \"Høring uten svar\"\ndepartment = \"Barne- og familiedepartementet\"\ndeadline = 2031-02-03\nsample = true\n",
    );
    let letter = |name: &str, head: &str, word: &str| {
        write_pdf(
            docs,
            name,
            None,
            &[&format!(
                "Krisesentersekretariatet\n\nJustis- og beredskapsdepartementet\n{head}\n\nOslo, 1. mai 2020\n\nHøringssvar om {word}\n\nVi viser til høringen og mener mye om {word}."
            )],
        );
    };
    letter("svar-a.pdf", "Deres ref.: 20/7513-2", "alfasaken");
    letter("annet-nummer.pdf", "Deres ref.: 20/7514", "betasaken");
    letter("sidecar-x.pdf", "Deres ref.: 20/7513", "gammasaken");
    std::fs::write(docs.join("sidecar-x.toml"), "consultation = \"x\"\n").unwrap();
    letter("mangler.pdf", "Vår ref.: 20/1", "deltasaken");
    std::fs::write(
        docs.join("mangler.toml"),
        "consultation = \"finnes-ikke\"\n",
    )
    .unwrap();
}

fn id_of(index: &arkiv::index::ArchiveIndex, file: &str) -> String {
    index
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.submission.file == file)
        .unwrap_or_else(|| panic!("{file} is not indexed"))
        .submission
        .id
        .to_string()
}

/// The files of the documents a search finds.
fn files(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let mut files: Vec<String> = answer.json()["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["file"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn documents_find_their_consultation_by_sidecar_and_by_deres_ref() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    linked_archive(&docs);
    let (index, report) = run_ingest(&docs, &dir.path().join("index"));
    // The missing consultation is a warning; the document is indexed all the same.
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert_eq!(report.warnings[0].file, "mangler.pdf");
    assert!(report.warnings[0].error.contains("finnes-ikke"));
    assert_eq!(report.documents.len(), 4);

    let app = router(AppState::new(
        index.clone(),
        Library::new(&docs),
        "http://localhost",
    ));
    let consultation_of = |file: &str| {
        let uri = format!("/api/documents/{}", id_of(&index, file));
        let app = app.clone();
        async move { get(&app, &uri).await.json()["consultation"].clone() }
    };
    assert_eq!(consultation_of("svar-a.pdf").await["id"], "a");
    assert_eq!(consultation_of("svar-a.pdf").await["title"], "Høring A");
    assert!(consultation_of("annet-nummer.pdf").await.is_null());
    // The sidecar wins over the letter head's number.
    assert_eq!(consultation_of("sidecar-x.pdf").await["id"], "x");
    assert!(consultation_of("mangler.pdf").await.is_null());

    // The search filter, in the API and on the search page.
    assert_eq!(
        files(&get(&app, "/api/search?consultation=a").await),
        ["svar-a.pdf"]
    );
    assert_eq!(
        files(&get(&app, "/api/search?consultation=x").await),
        ["sidecar-x.pdf"]
    );
    assert!(files(&get(&app, "/api/search?consultation=ubesvart").await).is_empty());
    let page = get(&app, "/sok?consultation=a").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("alfasaken"), "{}", page.body);
    assert!(!page.body.contains("betasaken"));
    // The filter shows as a chip that removes it.
    assert!(page.body.contains("Høring: a"), "{}", page.body);
    // Bounded and checked like the other filters.
    let long = format!("/api/search?consultation={}", "a".repeat(81));
    assert_eq!(get(&app, &long).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        get(&app, "/api/search?consultation=Ikke%20en%20id")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // The record and its documents.
    let one = get(&app, "/api/consultations/a").await;
    assert_eq!(one.status, StatusCode::OK);
    let json = one.json();
    assert_eq!(json["reference"], "20/7513");
    let docs_of_a: Vec<&str> = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(docs_of_a, ["svar-a.pdf"]);
    assert_eq!(
        get(&app, "/api/consultations/finnes-ikke").await.status,
        StatusCode::NOT_FOUND
    );
    let list = get(&app, "/api/consultations").await.json();
    let ids: Vec<&str> = list["consultations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a", "ubesvart", "x"]);

    // The export has the column.
    let csv = get(&app, "/api/export?format=csv&sort=oldest").await;
    let records = crate::research::csv_records(&csv, b',');
    let column = records[0]
        .iter()
        .position(|c| c == "høring")
        .unwrap_or_else(|| panic!("no høring column: {:?}", records[0]));
    assert!(
        records[1..].iter().any(|r| r[column] == "a"),
        "{}",
        csv.body
    );

    // The pages: the list, filtered; the record as a timeline; the document names it.
    let list = get(&app, "/horinger").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Høring A") && list.body.contains("Høring uten svar"));
    let open = get(&app, "/horinger?answered=nei").await;
    assert!(open.body.contains("Høring uten svar"), "{}", open.body);
    assert!(!open.body.contains("Høring A"));
    let answered = get(
        &app,
        "/horinger?besvart=ja&department=Justis-+og+beredskapsdepartementet",
    )
    .await;
    assert!(answered.body.contains("Høring A"));
    assert!(!answered.body.contains("Høring X") && !answered.body.contains("uten svar"));
    let by_year = get(&app, "/horinger?year=2031").await;
    assert!(by_year.body.contains("Høring uten svar") && !by_year.body.contains("Høring A"));
    let english = get(&app, "/horinger?lang=en").await;
    assert!(
        english.body.contains("<h1>Consultations</h1>"),
        "{}",
        english.body
    );
    assert!(english.body.contains("Not answered"));

    let record = get(&app, "/horing/a").await;
    assert_eq!(record.status, StatusCode::OK);
    assert!(record.body.contains("class=\"moment deadline\""));
    assert!(record.body.contains("class=\"moment response\""));
    assert!(record.body.contains("Høringssvar om alfasaken"));
    assert!(!record.body.contains("betasaken"));
    assert_eq!(
        get(&app, "/horing/finnes-ikke").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/horing/..%2Fx").await.status,
        StatusCode::NOT_FOUND
    );
    let sample = get(&app, "/horing/ubesvart").await;
    assert!(sample.body.contains("class=\"sample-note\""));

    let document = get(&app, &format!("/dokument/{}", id_of(&index, "svar-a.pdf"))).await;
    assert!(
        document
            .body
            .contains("<a id=\"consultation-link\" href=\"/horing/a\">Høring A</a>"),
        "{}",
        document.body
    );
    let other = get(
        &app,
        &format!("/dokument/{}", id_of(&index, "annet-nummer.pdf")),
    )
    .await;
    assert!(!other.body.contains("consultation-link"));
}

/// The events of an iCalendar text, read by a parser other than the writer: (UID,
/// DTSTART, SUMMARY) of each.
fn calendar_events(text: &str) -> Vec<(String, String, String)> {
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = parser
        .next()
        .expect("one calendar")
        .unwrap_or_else(|e| panic!("{e}: {text}"));
    assert!(parser.next().is_none(), "one calendar only");
    let version = calendar
        .properties
        .iter()
        .find(|p| p.name == "VERSION")
        .and_then(|p| p.value.clone());
    assert_eq!(version.as_deref(), Some("2.0"));
    assert!(calendar.properties.iter().any(|p| p.name == "PRODID"));
    calendar
        .events
        .iter()
        .map(|e| {
            let prop = |name: &str| {
                e.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            (prop("UID"), prop("DTSTART"), prop("SUMMARY"))
        })
        .collect()
}

#[tokio::test]
async fn the_calendar_holds_the_deadlines_not_yet_answered() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    linked_archive(&docs);
    let (index, _) = run_ingest(&docs, &dir.path().join("index"));
    let app = router(AppState::new(
        index,
        Library::new(&docs),
        "https://arkiv.example",
    ));
    let answer = get(&app, "/horinger.ics").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.content_type().starts_with("text/calendar"));
    let events = calendar_events(&answer.body);
    // `a` is answered; `x` has no deadline; `ubesvart` is open.
    assert_eq!(events.len(), 1, "{}", answer.body);
    let (uid, start, summary) = &events[0];
    assert_eq!(uid, "horing-ubesvart@arkiv.example");
    assert_eq!(start, "20310203");
    assert!(summary.contains("Høring uten svar"), "{summary}");
    let english = get(&app, "/horinger.ics?lang=en").await;
    assert!(
        calendar_events(&english.body)[0]
            .2
            .starts_with("Consultation deadline")
    );

    // No consultations at all: a valid, empty calendar.
    let empty_dir = tempfile::tempdir().unwrap();
    let empty_docs = empty_dir.path().join("documents");
    std::fs::create_dir_all(&empty_docs).unwrap();
    let (index, _) = run_ingest(&empty_docs, &empty_dir.path().join("index"));
    let app = router(AppState::new(
        index,
        Library::new(&empty_docs),
        "http://localhost",
    ));
    let answer = get(&app, "/horinger.ics").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(calendar_events(&answer.body).is_empty());
    let page = get(&app, "/horinger").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ingen høringer passer."));
}

#[tokio::test]
async fn the_samples_show_consultations_with_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    copy_samples(&docs);
    let (index, report) = run_ingest(&docs, &dir.path().join("index"));
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let app = router(AppState::new(
        index,
        Library::new(&docs),
        "http://localhost",
    ));
    let list = get(&app, "/api/consultations").await.json();
    let all = list["consultations"].as_array().unwrap();
    assert!(all.len() >= 5);
    for c in all {
        // Samples say so, in the record and in its title.
        assert_eq!(c["sample"], true, "{c}");
        assert!(c["title"].as_str().unwrap().starts_with("Eksempel"), "{c}");
    }
    assert!(
        all.iter()
            .any(|c| c["outcome"].as_array().unwrap().len() >= 2)
    );
    // One sample reply is linked by its letter head alone.
    let by_head = get(&app, "/api/consultations/eksempel-okonomisk-vold")
        .await
        .json();
    assert_eq!(
        by_head["documents"][0]["file"],
        "2025-06-02-okonomisk-vold.pdf"
    );
    let by_sidecar = get(&app, "/api/consultations/eksempel-straffeloven-282")
        .await
        .json();
    assert_eq!(
        by_sidecar["documents"][0]["file"],
        "2018-10-24-straffeloven-282.pdf"
    );
    let page = get(&app, "/horing/eksempel-straffeloven-282").await;
    assert!(page.body.contains("class=\"moment outcome\""));
    assert!(page.body.contains("ikke en reell høringsprosess"));
}

fn json_request(method: &str, uri: &str, token: Option<&str>, body: &str) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

fn form_request(uri: &str, cookie: &str, pairs: &[(&str, &str)]) -> Request<Body> {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(s.finish()))
        .unwrap()
}

fn audit_actions(app: &crate::support::StaffApp) -> String {
    std::fs::read_to_string(app.data().audit_file()).unwrap_or_default()
}

async fn status_of(app: &Router, request: Request<Body>) -> (StatusCode, String) {
    let answer = send(app, request).await;
    (answer.status, answer.body)
}

#[tokio::test]
async fn staff_create_and_edit_consultations_by_api() {
    let s = staff_app_with(10 << 20, &[], |_| {});
    let app = &s.app;
    let body = r#"{"id": "ny-horing", "title": "Ny høring", "reference": "26/1234", "deadline": "2027-03-01",
        "outcome": [{"kind": "prop", "title": "Prop. 1 L", "date": "2027-06-01"}]}"#;
    // No token, a wrong token: 401, nothing written.
    assert_eq!(
        status_of(app, json_request("POST", "/api/consultations", None, body))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status_of(
            app,
            json_request("POST", "/api/consultations", Some("arkiv_feil"), body)
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    let file = s.documents().join("consultations/ny-horing.toml");
    assert!(!file.exists());

    let created = send(
        app,
        json_request("POST", "/api/consultations", Some(&s.token), body),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.location(), "/api/consultations/ny-horing");
    assert_eq!(created.json()["outcome"][0]["kind"], "prop");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("reference = \"26/1234\""), "{written}");
    assert!(
        !std::fs::read_dir(s.documents().join("consultations"))
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().starts_with('.')),
        "a temporary file was left behind"
    );
    assert_eq!(
        get(app, "/api/consultations/ny-horing").await.json()["title"],
        "Ny høring"
    );
    assert!(audit_actions(&s).contains("consultation-create"));

    // Refused: the id again, another with the same reference, bad ids, types and fields.
    for (clash, why) in [
        (body, "exists already"),
        (
            r#"{"id": "annen", "title": "T", "reference": "26/1234-5"}"#,
            "same reference",
        ),
    ] {
        let (status, answer) = status_of(
            app,
            json_request("POST", "/api/consultations", Some(&s.token), clash),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{clash}: {answer}");
        assert!(answer.contains(why), "{clash}: {answer}");
    }
    // Blank case numbers clash with nothing.
    for id in ["blank-1", "blank-2"] {
        let body = format!(r#"{{"id": "{id}", "title": "T", "reference": " "}}"#);
        let created = send(
            app,
            json_request("POST", "/api/consultations", Some(&s.token), &body),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert!(created.json()["reference"].is_null());
    }
    for (bad, why) in [
        (r#"{"id": "Stor", "title": "T"}"#, "not an id"),
        (
            r#"{"id": "ok", "title": "T", "deadline": "snart"}"#,
            "YYYY-MM-DD",
        ),
        (
            r#"{"id": "ok", "title": "T", "frist": "2027-01-01"}"#,
            "unknown field",
        ),
        (
            r#"{"id": "ok", "title": "T", "kind": "lov"}"#,
            "unknown variant",
        ),
        (r#"{"id": "ok"}"#, "title"),
        (r#"{"title": "T"}"#, "`id`"),
        ("[]", "JSON object"),
    ] {
        let (status, answer) = status_of(
            app,
            json_request("POST", "/api/consultations", Some(&s.token), bad),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {answer}");
        assert!(answer.contains(why), "{bad}: {answer}");
    }
    assert!(!s.documents().join("consultations/ok.toml").exists());

    // PATCH changes only what it names; null clears.
    let patched = send(
        app,
        json_request(
            "PATCH",
            "/api/consultations/ny-horing",
            Some(&s.token),
            r#"{"deadline": "2027-04-01", "reference": null}"#,
        ),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let json = patched.json();
    assert_eq!(json["deadline"], "2027-04-01");
    assert!(json["reference"].is_null());
    assert_eq!(json["title"], "Ny høring");
    assert_eq!(json["outcome"].as_array().unwrap().len(), 1);
    assert!(!std::fs::read_to_string(&file).unwrap().contains("26/1234"));
    assert!(audit_actions(&s).contains("consultation-edit"));
    for (uri, bad, status) in [
        (
            "/api/consultations/ny-horing",
            r#"{"frist": 1}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/consultations/ny-horing",
            r#"{"id": "annen"}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/consultations/ny-horing",
            r#"{"title": null}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/consultations/ny-horing",
            r#"{"": null}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/consultations/ny-horing",
            r#"{"nonsense": null}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/consultations/finnes-ikke",
            r#"{"title": "T"}"#,
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (got, answer) = status_of(app, json_request("PATCH", uri, Some(&s.token), bad)).await;
        assert_eq!(got, status, "{uri} {bad}: {answer}");
    }
    assert_eq!(
        status_of(
            app,
            json_request(
                "PATCH",
                "/api/consultations/ny-horing",
                None,
                r#"{"title": "X"}"#
            )
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );

    // A document may name only a consultation that exists (400), and then shows it.
    let id = s.id_of("2016-06-15-voldsoffererstatningsloven.pdf");
    let uri = format!("/api/documents/{id}");
    let (status, answer) = status_of(
        app,
        json_request(
            "PATCH",
            &uri,
            Some(&s.token),
            r#"{"consultation": "finnes-ikke"}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let answer = send(
        app,
        json_request(
            "PATCH",
            &uri,
            Some(&s.token),
            r#"{"consultation": "ny-horing"}"#,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json()["consultation"]["id"], "ny-horing");
    let sidecar = std::fs::read_to_string(
        s.documents()
            .join("2016-06-15-voldsoffererstatningsloven.toml"),
    )
    .unwrap();
    assert!(
        sidecar.contains("consultation = \"ny-horing\""),
        "{sidecar}"
    );
    let page = get(app, "/horing/ny-horing").await;
    assert!(page.body.contains("voldsoffererstatningsloven") || page.body.contains("Voldsoffer"));
}

#[tokio::test]
async fn staff_create_and_edit_consultations_by_form() {
    let s = staff_app_with(10 << 20, &[], |_| {});
    let app = &s.app;
    // Anonymous: to the sign-in page.
    let anonymous = get(app, "/horinger/ny").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location().starts_with("/logg-inn"));

    let (cookie, csrf) = login(app).await;
    let form_page = send(
        app,
        Request::get("/horinger/ny")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(form_page.status, StatusCode::OK);
    assert!(form_page.body.contains("id=\"consultation-form\""));
    let fields = [
        ("id", "skjema-horing"),
        ("title", "Høring fra skjema"),
        ("department", "Kulturdepartementet"),
        ("reference", "27/77"),
        ("sent", "2027-01-02"),
        ("deadline", "2027-02-03"),
        ("kind", "horing"),
        ("outcome", "prop | Prop. 9 L | 2027-05-06\nlov | Lovvedtak"),
        ("notes", ""),
    ];
    // Without the session's CSRF token: 403, nothing written.
    for token in ["", "feil"] {
        let mut with = fields.to_vec();
        with.push(("csrf", token));
        let answer = send(app, form_request("/horinger/ny", &cookie, &with)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
    }
    assert!(
        !s.documents()
            .join("consultations/skjema-horing.toml")
            .exists()
    );

    let mut with = fields.to_vec();
    with.push(("csrf", &csrf));
    let answer = send(app, form_request("/horinger/ny", &cookie, &with)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location(), "/horing/skjema-horing");
    let json = get(app, "/api/consultations/skjema-horing").await.json();
    assert_eq!(json["department"], "Kulturdepartementet");
    assert_eq!(json["outcome"][0]["date"], "2027-05-06");
    assert_eq!(json["outcome"][1]["kind"], "lov");
    assert!(json["notes"].is_null());
    assert!(audit_actions(&s).contains("consultation-create"));

    // A bad value is a 400 page; an outcome line with a bad kind too.
    let mut bad = fields.to_vec();
    bad[0] = ("id", "annen");
    bad[3] = ("reference", "28/1");
    bad[7] = ("outcome", "dom | Høyesterett");
    bad.push(("csrf", &csrf));
    let answer = send(app, form_request("/horinger/ny", &cookie, &bad)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);

    // Edit: the form shows the record, and saving changes it.
    let edit_page = send(
        app,
        Request::get("/horing/skjema-horing/rediger")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(edit_page.status, StatusCode::OK);
    assert!(edit_page.body.contains("prop | Prop. 9 L | 2027-05-06"));
    // Dates typed loosely in the form are taken and written as YYYY-MM-DD (the API
    // refuses them); a date that is none is refused.
    let mut not_a_date = fields.to_vec();
    not_a_date[7] = ("outcome", "prop | Prop. 9 L | 2027-13-06");
    not_a_date.push(("csrf", &csrf));
    let answer = send(
        app,
        form_request("/horing/skjema-horing/rediger", &cookie, &not_a_date),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    let mut edited = fields.to_vec();
    edited[5] = ("deadline", "2027-2-10");
    edited[7] = ("outcome", "prop | Prop. 9 L | 2027-5-6\nlov | Lovvedtak");
    edited.push(("csrf", &csrf));
    let answer = send(
        app,
        form_request("/horing/skjema-horing/rediger", &cookie, &edited),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let json = get(app, "/api/consultations/skjema-horing").await.json();
    assert_eq!(json["deadline"], "2027-02-10");
    assert_eq!(json["outcome"][0]["date"], "2027-05-06");
    assert_eq!(json["outcome"].as_array().map(Vec::len), Some(2), "{json}");
    assert!(audit_actions(&s).contains("consultation-edit"));
    let mut wrong = edited.clone();
    wrong.pop();
    wrong.push(("csrf", "feil"));
    let answer = send(
        app,
        form_request("/horing/skjema-horing/rediger", &cookie, &wrong),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);

    // The document editor offers the consultations, the detected one chosen.
    let id = s.id_of("2025-06-02-okonomisk-vold.pdf");
    let editor = send(
        app,
        Request::get(format!("/dokument/{id}/rediger"))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(
        editor
            .body
            .contains("<option value=\"eksempel-okonomisk-vold\" selected>"),
        "{}",
        editor.body
    );
    assert!(editor.body.contains("<option value=\"skjema-horing\">"));
}

#[test]
fn ingest_names_a_bad_consultation_file_and_indexes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(&docs).unwrap();
    linked_archive(&docs);
    let folder = docs.join("consultations");
    std::fs::write(
        folder.join("feil-type.toml"),
        "title = \"T\"\nsent = 2020\n",
    )
    .unwrap();
    std::fs::write(folder.join("ukjent.toml"), "title = \"T\"\nfrist = 1\n").unwrap();
    std::fs::write(folder.join("Ikke_slug.toml"), "title = \"T\"\n").unwrap();
    std::fs::write(
        folder.join("samme.toml"),
        "title = \"T\"\nreference = \"20/7513\"\n",
    )
    .unwrap();
    let (_, report) = run_ingest(&docs, &dir.path().join("index"));
    let failed: Vec<String> = report
        .failed
        .iter()
        .map(|f| format!("{}: {}", f.file, f.error))
        .collect();
    assert_eq!(failed.len(), 4, "{failed:?}");
    assert!(failed.iter().any(
        |f| f.starts_with("consultations/feil-type.toml") && f.contains("line 2, field `sent`")
    ));
    assert!(
        failed
            .iter()
            .any(|f| f.starts_with("consultations/ukjent.toml")
                && f.contains("line 2, field `frist`"))
    );
    assert!(
        failed
            .iter()
            .any(|f| f.contains("Ikke_slug") && f.contains("not an id"))
    );
    assert!(
        failed
            .iter()
            .any(|f| f.contains("consultations/a.toml") && f.contains("consultations/samme.toml"))
    );
    // Every document is indexed all the same.
    assert_eq!(report.documents.len(), 4);
}
