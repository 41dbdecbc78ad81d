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

// ---------------------------------------------------------------------------------------
// Review cycles
// ---------------------------------------------------------------------------------------

mod cycles {
    use arkiv::model::Convention;
    use arkiv::tagging::cycles::{CYCLES, cycle, detect_cycles};
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn check(text: &str, date: Option<NaiveDate>, conventions: &[Convention], expected: &[&str]) {
        assert_eq!(
            detect_cycles(text, date, conventions),
            expected,
            "cycles of {text:?} dated {date:?}"
        );
    }

    #[test]
    fn the_body_inside_the_window_is_the_cycle() {
        check(
            "Innspill til FNs barnekomité før eksaminasjonen av Norge.",
            day(2017, 9, 1),
            &[Convention::Crc],
            &["crc-5-6"],
        );
        check(
            "Submission to the Committee on the Elimination of Discrimination against Women.",
            day(2017, 10, 1),
            &[Convention::Cedaw],
            &["cedaw-9"],
        );
    }

    #[test]
    fn the_body_outside_the_window_is_no_cycle() {
        check(
            "Innspill til FNs barnekomité.",
            day(2012, 1, 1),
            &[Convention::Crc],
            &[],
        );
        check(
            "Innspill til FNs barnekomité.",
            None,
            &[Convention::Crc],
            &[],
        );
    }

    #[test]
    fn a_review_report_counts_for_the_conventions_the_document_names() {
        check(
            "Skyggerapport om kvinnekonvensjonen.",
            day(2022, 11, 1),
            &[Convention::Cedaw],
            &["cedaw-10"],
        );
        // The same words without the convention belong to no cycle of it.
        check("Skyggerapport.", day(2022, 11, 1), &[], &[]);
    }

    #[test]
    fn a_document_that_only_cites_the_convention_is_in_no_cycle() {
        check(
            "Barnekonvensjonen artikkel 19 forplikter staten til å beskytte barn mot vold.",
            day(2017, 9, 1),
            &[Convention::Crc],
            &[],
        );
    }

    #[test]
    fn naming_the_cycle_needs_no_date() {
        check(
            "Kommentarer til Norges tiende periodiske rapport til CEDAW.",
            None,
            &[],
            &["cedaw-10"],
        );
        check(
            "On the fifth and sixth periodic reports of Norway (CRC/C/NOR/5-6).",
            day(2030, 1, 1),
            &[],
            &["crc-5-6"],
        );
        check(
            "A contribution to GREVIO's baseline evaluation of Norway.",
            None,
            &[],
            &["grevio-baseline"],
        );
    }

    #[test]
    fn windows_come_from_verified_dates_only() {
        let crc = cycle("crc-5-6").expect("crc-5-6");
        let (start, end) = crc.window().expect("crc-5-6 has verified dates");
        assert_eq!(start, NaiveDate::from_ymd_opt(2016, 10, 6).unwrap());
        assert_eq!(end, NaiveDate::from_ymd_opt(2020, 7, 4).unwrap());
        for c in &CYCLES {
            let dated = c.documents.iter().any(|d| d.date.is_some());
            assert_eq!(c.window().is_some(), dated, "{}", c.id);
        }
        for id in ["grevio-baseline", "cedaw-9", "cedaw-10", "crc-5-6"] {
            assert!(cycle(id).is_some(), "{id} missing");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Through ingest and the router
// ---------------------------------------------------------------------------------------

mod web {
    use axum::http::StatusCode;

    use arkiv::library::Library;
    use arkiv::web::{AppState, router};

    use crate::support::{get, run_ingest, sample_index, samples_dir, write_pdf};

    fn sample_app() -> axum::Router {
        router(AppState::new(
            sample_index().clone(),
            Library::new(samples_dir()),
            "https://arkiv.example",
        ))
    }

    #[tokio::test]
    async fn the_law_page_lists_sections_documents_and_links_to_lovdata() {
        let app = sample_app();
        let page = get(&app, "/lov/straffeloven").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("https://lovdata.no/lov/2005-05-20-28"));
        assert!(
            page.body
                .contains("https://lovdata.no/lov/2005-05-20-28/§282")
        );
        assert!(page.body.contains("LOV-2005-05-20-28"));
        assert!(
            page.body
                .contains("Høringssvar – endringer i straffeloven § 282")
        );
        assert!(page.body.contains("law_section=straffeloven%3A282"));
        let en = get(&app, "/lov/straffeloven?lang=en").await;
        assert!(en.body.contains("Sections we refer to"));
        assert_eq!(get(&app, "/lov/ukjent").await.status, StatusCode::NOT_FOUND);
        // A law without a verified identifier has no Lovdata link.
        let grunnloven = get(&app, "/lov/grunnloven").await;
        assert_eq!(grunnloven.status, StatusCode::OK);
        assert!(!grunnloven.body.contains("lovdata.no"));
        let index = get(&app, "/lover").await;
        assert_eq!(index.status, StatusCode::OK);
        assert!(index.body.contains("/lov/barnevernsloven"));
        assert!(index.body.contains("/lov/barnevernloven"));
    }

    #[tokio::test]
    async fn the_api_filters_by_law_section_and_cycle() {
        let app = sample_app();
        let all = get(&app, "/api/search?per_page=100").await.json();
        let by_law = get(&app, "/api/search?law=straffeloven&per_page=100")
            .await
            .json();
        let n = by_law["total"].as_u64().unwrap();
        assert!(n >= 2 && n < all["total"].as_u64().unwrap(), "{n}");
        for hit in by_law["hits"].as_array().unwrap() {
            let laws: Vec<&str> = hit["laws"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert!(laws.contains(&"straffeloven"), "{laws:?}");
        }
        assert_eq!(by_law["facets"]["law"]["straffeloven"].as_u64(), Some(n));

        let section = get(&app, "/api/search?law_section=straffeprosessloven:222a").await;
        assert_eq!(section.status, StatusCode::OK);
        let section = section.json();
        assert!(section["total"].as_u64().unwrap() >= 1);
        for hit in section["hits"].as_array().unwrap() {
            assert!(
                hit["law_sections"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s == "straffeprosessloven:222a")
            );
        }

        let shadow = get(&app, "/api/search?cycle=grevio-baseline").await.json();
        assert_eq!(shadow["total"].as_u64(), Some(1), "{shadow}");
        assert_eq!(shadow["hits"][0]["cycles"][0], "grevio-baseline");

        for bad in [
            "/api/search?law=ukjent",
            "/api/search?law_section=straffeloven",
            "/api/search?law_section=ukjent:3",
            "/api/search?cycle=cedaw-99",
        ] {
            assert_eq!(
                get(&app, bad).await.status,
                StatusCode::BAD_REQUEST,
                "{bad}"
            );
        }
        let many: String = (0..21).map(|_| "law=straffeloven&").collect();
        assert_eq!(
            get(&app, &format!("/api/search?{many}")).await.status,
            StatusCode::BAD_REQUEST
        );
    }

    #[tokio::test]
    async fn the_search_page_has_law_and_cycle_facets_and_the_document_page_links_lovdata() {
        let app = sample_app();
        let page = get(&app, "/sok").await;
        assert!(page.body.contains("Lover"), "no Lover facet");
        assert!(page.body.contains("/sok?law=straffeloven"));
        assert!(page.body.contains("/sok?cycle=grevio-baseline"));
        let filtered = get(&app, "/sok?law=straffeloven").await;
        assert_eq!(filtered.status, StatusCode::OK);

        let hits = get(&app, "/api/search?law=straffeprosessloven")
            .await
            .json();
        let id = hits["hits"][0]["id"].as_str().unwrap().to_string();
        let doc = get(&app, &format!("/dokument/{id}")).await;
        assert!(doc.body.contains("href=\"/lov/straffeprosessloven\""));
        assert!(
            doc.body
                .contains("https://lovdata.no/lov/1981-05-22-25/§222a")
        );
    }

    #[tokio::test]
    async fn the_convention_page_shows_its_cycles_with_our_documents() {
        let app = sample_app();
        let page = get(&app, "/konvensjon/istanbul").await;
        assert!(page.body.contains("id=\"syklus-grevio-baseline\""));
        assert!(page.body.contains("/sok?cycle=grevio-baseline"));
        let crc = get(&app, "/konvensjon/crc").await;
        assert!(crc.body.contains("CRC/C/NOR/CO/5-6"));
        assert!(crc.body.contains("2016-10-06 – 2020-07-04"));
        let cedaw = get(&app, "/konvensjon/cedaw?lang=en").await;
        assert!(cedaw.body.contains("Review cycles"));
    }

    #[tokio::test]
    async fn statistics_count_laws_sections_and_cycles() {
        let app = sample_app();
        let page = get(&app, "/statistikk").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"stats-laws\""));
        assert!(page.body.contains("Lovene det vises til oftest"));
        assert!(page.body.contains("straffeloven § 282"));
        assert!(page.body.contains("/sok?law=straffeloven"));
        assert!(page.body.contains("GREVIOs basisevaluering av Norge"));
        // Narrowed to one law, only its documents are counted.
        let narrowed = get(&app, "/statistikk?law=krisesenterlova&lang=en").await;
        assert!(narrowed.body.contains("The laws referred to most"));
        let n = get(&app, "/api/search?law=krisesenterlova").await.json()["total"]
            .as_u64()
            .unwrap();
        assert!(n >= 1);
        assert!(
            narrowed
                .body
                .contains(&format!("krisesenterlova</a></th><td>{n}</td>")),
            "every document of the narrowed set refers to the law"
        );
    }

    #[test]
    fn a_sidecar_sets_laws_and_cycles_and_refuses_unknown_ones() {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("documents");
        std::fs::create_dir_all(&docs).unwrap();
        write_pdf(
            &docs,
            "brev.pdf",
            None,
            &["Høringssvar om straffeloven § 282 og barneloven § 43. Skyggerapport til GREVIO."],
        );
        std::fs::write(
            docs.join("brev.toml"),
            "laws = [\"straffeloven\"]\ncycles = [\"crc-5-6\"]\n",
        )
        .unwrap();
        write_pdf(&docs, "feil.pdf", None, &["Straffeloven § 282."]);
        std::fs::write(docs.join("feil.toml"), "laws = [\"tullball\"]\n").unwrap();
        let (index, report) = run_ingest(&docs, &dir.path().join("index"));
        let failed: Vec<&str> = report.failed.iter().map(|f| f.file.as_str()).collect();
        assert!(failed.iter().any(|f| f.contains("feil")), "{failed:?}");
        let doc = index
            .documents()
            .unwrap()
            .into_iter()
            .find(|d| d.submission.file == "brev.pdf")
            .expect("brev.pdf indexed");
        assert_eq!(doc.submission.laws, vec!["straffeloven"]);
        assert_eq!(doc.submission.law_sections, vec!["straffeloven:282"]);
        assert_eq!(doc.submission.cycles, vec!["crc-5-6"]);

        // Without a sidecar, detection decides.
        let plain = tempfile::tempdir().unwrap();
        let docs2 = plain.path().join("documents");
        std::fs::create_dir_all(&docs2).unwrap();
        write_pdf(
            &docs2,
            "brev.pdf",
            None,
            &["Høringssvar om straffeloven § 282 og barneloven § 43."],
        );
        let (index2, _) = run_ingest(&docs2, &plain.path().join("index"));
        let doc2 = &index2.documents().unwrap()[0];
        assert_eq!(doc2.submission.laws, vec!["straffeloven", "barneloven"]);
        assert_eq!(
            doc2.submission.law_sections,
            vec!["straffeloven:282", "barneloven:43"]
        );
    }
}

#[test]
fn the_constant_id_lists_match_the_tables() {
    use arkiv::tagging::cycles::{CYCLE_IDS, CYCLES};
    use arkiv::tagging::laws::{LAW_IDS, LAW_SECTION_PATTERN};
    let laws: Vec<&str> = LAWS.iter().map(|l| l.id).collect();
    assert_eq!(laws, LAW_IDS);
    let cycles: Vec<&str> = CYCLES.iter().map(|c| c.id).collect();
    assert_eq!(cycles, CYCLE_IDS);
    let re = regex::Regex::new(LAW_SECTION_PATTERN).unwrap();
    for ok in [
        "straffeloven:282",
        "straffeprosessloven:222a",
        "barnevernloven:4-12",
    ] {
        assert!(re.is_match(ok) && parse_law_section(ok).is_some(), "{ok}");
    }
    assert!(!re.is_match("ukjent:3"));
}

mod staff {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};

    use crate::support::{send, staff_app_with};

    #[tokio::test]
    async fn staff_correct_laws_by_api_and_by_form() {
        let s = staff_app_with(1 << 20, &[], |_| {});
        let id = s.id_of("2018-10-24-straffeloven-282.pdf");
        let patch = |body: &'static str, token: Option<&str>| {
            let mut r = Request::patch(format!("/api/documents/{id}"))
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(t) = token {
                r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
            r.body(Body::from(body)).unwrap()
        };
        assert_eq!(
            send(&s.app, patch(r#"{"laws":["barneloven"]}"#, None))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let patched = send(&s.app, patch(r#"{"laws":["barneloven"]}"#, Some(&s.token))).await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
        assert_eq!(patched.json()["laws"], serde_json::json!(["barneloven"]));
        // Sections of laws no longer listed go with them.
        assert_eq!(patched.json()["law_sections"], serde_json::json!([]));
        let sidecar =
            std::fs::read_to_string(s.documents().join("2018-10-24-straffeloven-282.toml"))
                .unwrap();
        assert!(sidecar.contains("laws = [\"barneloven\"]"), "{sidecar}");
        for bad in [r#"{"laws":["tullball"]}"#, r#"{"laws":"straffeloven"}"#] {
            assert_eq!(
                send(&s.app, patch(bad, Some(&s.token))).await.status,
                StatusCode::BAD_REQUEST,
                "{bad}"
            );
        }
        // null lets detection decide again.
        let back = send(&s.app, patch(r#"{"laws":null}"#, Some(&s.token))).await;
        assert_eq!(back.json()["laws"], serde_json::json!(["straffeloven"]));
        assert!(
            back.json()["law_sections"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s == "straffeloven:282")
        );

        let (cookie, csrf) = crate::staff::login(&s.app).await;
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf", &csrf)
            .append_pair("title", "Høringssvar om straffeloven")
            .append_pair("laws", "krisesenterlova, straffeloven")
            .finish();
        let answer = send(
            &s.app,
            Request::post(format!("/dokument/{id}/rediger"))
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .unwrap(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        let doc = s
            .index
            .document(&arkiv::model::DocId::parse(&id).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(doc.laws, vec!["straffeloven", "krisesenterlova"]);
        let edit = send(
            &s.app,
            Request::get(format!("/dokument/{id}/rediger"))
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert!(
            edit.body
                .contains("value=\"straffeloven, krisesenterlova\""),
            "the form shows the laws chosen by hand"
        );
        let bad = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf", &csrf)
            .append_pair("laws", "tullball")
            .finish();
        let refused = send(
            &s.app,
            Request::post(format!("/dokument/{id}/rediger"))
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(bad))
                .unwrap(),
        )
        .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.body.contains("tullball"));
    }
}

#[test]
fn a_law_named_by_its_date_and_number() {
    check(
        "Lov 20. mai 2005 nr. 28 om straff § 282 bør endres.",
        &["straffeloven"],
        &["straffeloven:282"],
    );
    check(
        "jf. lov 10. februar 1967 om behandlingsmåten i forvaltningssaker § 17",
        &["forvaltningsloven"],
        &["forvaltningsloven:17"],
    );
    check(
        "Vi viser til lov 20. mai 2005 nr. 28 om straff (straffeloven) § 282.",
        &["straffeloven"],
        &["straffeloven:282"],
    );
    // A dated law that is not in the table claims its sections.
    check(
        "Straffeloven gjelder. Lov 1. januar 2001 nr. 999 § 3 er noe annet.",
        &["straffeloven"],
        &[],
    );
}

#[test]
fn chapter_sections_with_a_dash_of_any_kind_and_unknown_abbreviations() {
    check(
        "(Barnevernloven § 6–4) ved mistanke om mishandling.",
        &["barnevernloven"],
        &["barnevernloven:6-4"],
    );
    // "sktfvl." is a law arkiv does not know: its section is not offentleglova's.
    check(
        "Offl. § 13, sktfvl. § 3-1",
        &["offentleglova"],
        &["offentleglova:13"],
    );
}

#[test]
fn the_samples_show_the_other_conventions_and_a_law_outside_the_four() {
    let index = crate::support::sample_index();
    let doc = index
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.submission.file == "2014-05-20-menneskehandel.pdf")
        .expect("the trafficking sample");
    let ids: Vec<&str> = doc.submission.conventions.iter().map(|c| c.id()).collect();
    assert!(
        ids.contains(&"trafficking") && ids.contains(&"palermo"),
        "{ids:?}"
    );
    assert!(
        doc.submission
            .articles
            .iter()
            .any(|a| a.to_string() == "trafficking:12")
    );
    assert!(
        doc.submission
            .law_sections
            .contains(&"utlendingsloven:38".to_string())
    );
    assert!(doc.submission.sample);
}
