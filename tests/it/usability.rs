//! The defects readers and staff hit, each checked through the router: facet numbers that
//! foretell a click, the filter panel reachable and named for what it holds, a skip link
//! to the results, the way back to the whole search, `lang` on text in the other language,
//! a focus ring that can be seen, year mistakes said out loud, staff links only for staff.
//! What needs a browser (widths, tab counts, axe) is in `browser.rs`.

use axum::Router;
use axum::http::StatusCode;
use scraper::{ElementRef, Html, Selector};

use arkiv::library::Library;
use arkiv::web::{AppState, router};

use crate::support::{Answer, get, sample_index, samples_dir};

fn sample_app() -> Router {
    router(AppState::new(
        sample_index().clone(),
        Library::new(samples_dir()),
        "https://arkiv.example",
    ))
}

async fn ok(app: &Router, uri: &str) -> Answer {
    let answer = get(app, uri).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
    answer
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

fn text(e: ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

/// The number of hits the API finds for a `/sok?…` link's parameters.
async fn hits_of(app: &Router, link: &str) -> u64 {
    let query = link.split_once('?').map(|(_, q)| q).unwrap_or("");
    let answer = ok(app, &format!("/api/search?{query}&per_page=1")).await;
    answer.json()["total"].as_u64().unwrap()
}

#[tokio::test]
async fn every_facet_number_is_what_a_click_gives() {
    let app = sample_app();
    let mut checked = 0;
    for search in [
        "/sok",
        "/sok?q=vold",
        "/sok?convention=cedaw",
        "/sok?q=vold&convention=cedaw",
        "/sok?convention=cedaw&convention=crc",
        "/sok?kind=horingssvar&convention=istanbul",
        "/sok?year=2019",
        "/sok?from=2016&to=2021&kind=horingssvar",
        "/sok?article=istanbul:18",
        "/sok?q=barn&convention=crc&kind=innspill&sort=newest",
    ] {
        let html = Html::parse_document(&ok(&app, search).await.body);
        for li in html.select(&sel("aside.facets section.facet li")) {
            let link = li.select(&sel("a")).next().unwrap();
            let href = link.value().attr("href").unwrap().replace("&amp;", "&");
            if link.value().attr("aria-current").is_some() {
                assert!(
                    li.select(&sel(".count")).next().is_none(),
                    "{search}: a selected value shows no number"
                );
                continue;
            }
            let shown: u64 = text(li.select(&sel(".count")).next().unwrap())
                .parse()
                .unwrap();
            let clicked = hits_of(&app, &href).await;
            assert_eq!(
                shown,
                clicked,
                "{search}: `{}` says {shown}, its link {href} gives {clicked}",
                text(link)
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} facet values checked");
}

#[tokio::test]
async fn the_page_says_what_combining_filters_means_and_names_the_panel_for_what_it_holds() {
    let app = sample_app();
    for (uri, panel, help, range) in [
        (
            "/sok?q=vold",
            "Avgrens søket",
            "minst ett av dem",
            "Periode",
        ),
        (
            "/sok?q=vold&lang=en",
            "Narrow the search",
            "at least one of them",
            "Period",
        ),
    ] {
        let html = Html::parse_document(&ok(&app, uri).await.body);
        let aside = html.select(&sel("aside.facets")).next().unwrap();
        let label_id = aside.value().attr("aria-labelledby").unwrap();
        let label = html.select(&sel(&format!("#{label_id}"))).next().unwrap();
        assert_eq!(text(label), panel, "{uri}");
        assert!(text(aside.select(&sel("#facet-help")).next().unwrap()).contains(help));
        // No two headings or legends in the panel say the same.
        let mut names: Vec<String> = aside.select(&sel("h2, legend")).map(text).collect();
        assert!(names.contains(&range.to_string()), "{uri}: {names:?}");
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(
            names.len(),
            count,
            "{uri}: a name twice in the filter panel"
        );
    }
}

#[tokio::test]
async fn the_filters_can_be_reached_from_the_top_of_the_results_and_the_results_skipped_to() {
    let app = sample_app();
    let html = Html::parse_document(&ok(&app, "/sok?q=vold").await.body);
    // Before the first result: a link to the filters (shown on narrow screens).
    let to_filters = html.select(&sel(".results .to-filters a")).next().unwrap();
    assert_eq!(to_filters.value().attr("href"), Some("#filtre"));
    assert!(html.select(&sel("aside.facets#filtre")).next().is_some());
    let css = ok(&app, "/static/arkiv.css").await.body;
    assert!(css.contains(".to-filters { display: block; }"));
    // A skip link, right after the one to the content, to the block of results.
    let skips: Vec<_> = html
        .select(&sel("body > a.skip"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(skips, ["#innhold", "#treff"]);
    let target = html.select(&sel("#treff")).next().unwrap();
    assert_eq!(target.value().attr("tabindex"), Some("-1"));
    // Nothing focusable inside the target before the first result's title.
    let first = target.select(&sel("a, button, input")).next().unwrap();
    assert!(
        first
            .value()
            .attr("href")
            .unwrap()
            .starts_with("/dokument/")
    );
    assert_eq!(
        first
            .parent()
            .and_then(ElementRef::wrap)
            .unwrap()
            .value()
            .name(),
        "h3"
    );
}

#[tokio::test]
async fn back_to_the_search_keeps_filters_years_sort_and_page() {
    let app = sample_app();
    let search = "/sok?q=vold&convention=istanbul&kind=horingssvar&from=2015&to=2025&sort=newest&per_page=2&page=2";
    let html = Html::parse_document(&ok(&app, search).await.body);
    let card = html
        .select(&sel("article.card h3 a"))
        .next()
        .expect("a hit on page 2");
    let doc = card.value().attr("href").unwrap().to_string();
    let doc_html = Html::parse_document(&ok(&app, &doc).await.body);
    let back = doc_html
        .select(&sel("a.back"))
        .next()
        .expect("a link back to the search");
    let back = back.value().attr("href").unwrap();
    let pairs = |url: &str| {
        let mut v: Vec<(String, String)> =
            form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        v.sort();
        v
    };
    assert_eq!(pairs(back), pairs(search));
    // The snippet's page link keeps it too, and the citation still cites the page only.
    let page_link = html.select(&sel("article.card a.page")).next().unwrap();
    let page_link = page_link.value().attr("href").unwrap();
    let doc_html = Html::parse_document(&ok(&app, page_link.split('#').next().unwrap()).await.body);
    let back_again = doc_html.select(&sel("a.back")).next().unwrap();
    assert_eq!(
        pairs(back_again.value().attr("href").unwrap()),
        pairs(search)
    );
    // In English too.
    let english = Html::parse_document(&ok(&app, &format!("{search}&lang=en")).await.body);
    let doc = english.select(&sel("article.card h3 a")).next().unwrap();
    let doc_html = Html::parse_document(&ok(&app, doc.value().attr("href").unwrap()).await.body);
    assert_eq!(doc_html.root_element().value().attr("lang"), Some("en"));
    let back = doc_html.select(&sel("a.back")).next().unwrap();
    assert!(pairs(back.value().attr("href").unwrap()).contains(&("lang".into(), "en".into())));
}

#[tokio::test]
async fn text_in_the_other_language_says_its_language() {
    let app = sample_app();
    let all = ok(&app, "/api/search?per_page=1000").await.json();
    let mut seen = 0;
    for hit in all["hits"].as_array().unwrap() {
        let (Some(id), Some(doc_lang)) = (hit["id"].as_str(), hit["language"].as_str()) else {
            continue;
        };
        for ui in ["nb", "en"] {
            let uri = if ui == "en" {
                format!("/dokument/{id}?lang=en")
            } else {
                format!("/dokument/{id}")
            };
            let html = Html::parse_document(&ok(&app, &uri).await.body);
            let expected = (doc_lang != ui).then_some(doc_lang);
            let h1 = html.select(&sel("article.document h1")).next().unwrap();
            assert_eq!(h1.value().attr("lang"), expected, "{uri}: the title");
            for text in html.select(&sel(".pagetext")) {
                assert_eq!(text.value().attr("lang"), expected, "{uri}: the text");
            }
            seen += 1;
        }
    }
    assert!(seen >= 20);
    // In lists too: an English document's card in the bokmål UI, a Norwegian one's in the
    // English UI.
    let html = Html::parse_document(&ok(&app, "/sok?q=GREVIO").await.body);
    let mut langs = Vec::new();
    for card in html.select(&sel("article.card")) {
        let h3 = card.select(&sel("h3")).next().unwrap();
        langs.push(h3.value().attr("lang").map(str::to_string));
    }
    assert!(langs.contains(&Some("en".to_string())), "{langs:?}");
    let html = Html::parse_document(&ok(&app, "/sok?q=GREVIO&lang=en").await.body);
    let mut langs = Vec::new();
    for card in html.select(&sel("article.card")) {
        let h3 = card.select(&sel("h3")).next().unwrap();
        langs.push(h3.value().attr("lang").map(str::to_string));
    }
    assert!(langs.contains(&Some("nb".to_string())), "{langs:?}");
}

/// The relative luminance of `#rrggbb` (WCAG 2.1).
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim().trim_start_matches('#');
    let channel = |i: usize| {
        let c = u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The value of a custom property in the stylesheet's `:root`.
fn css_var(css: &str, name: &str) -> String {
    let start = css
        .find(&format!("--{name}:"))
        .unwrap_or_else(|| panic!("no --{name}"));
    css[start..]
        .split_once(':')
        .unwrap()
        .1
        .split(';')
        .next()
        .unwrap()
        .trim()
        .to_string()
}

#[tokio::test]
async fn the_focus_ring_has_three_to_one_contrast_on_every_background() {
    let app = sample_app();
    let css = ok(&app, "/static/arkiv.css").await.body;
    let focus = css_var(&css, "focus");
    for background in ["paper", "tint"] {
        let c = contrast(&focus, &css_var(&css, background));
        assert!(c >= 3.0, "focus {focus} on --{background}: {c:.2}:1");
    }
    // On the dark header the ring has its own colour.
    let header_focus = css_var(&css, "focus-on-accent");
    assert!(css.contains("header.site :focus-visible { outline-color: var(--focus-on-accent); }"));
    let c = contrast(&header_focus, &css_var(&css, "accent"));
    assert!(c >= 3.0, "header focus {header_focus}: {c:.2}:1");
}

#[tokio::test]
async fn year_mistakes_in_the_search_form_are_said() {
    let app = sample_app();
    let checks = [
        ("/sok?q=vold&from=20x9", "«20x9» er ikke et årstall"),
        ("/sok?q=vold&to=99999", "«99999» er ikke et årstall"),
        (
            "/sok?q=vold&from=2023&to=2018",
            "Fra-året (2023) er etter til-året (2018)",
        ),
        (
            "/sok?q=vold&from=2023&to=2018&lang=en",
            "The from year (2023) is after the to year (2018)",
        ),
        ("/sok?q=vold&year=abc&lang=en", "«abc» is not a year"),
    ];
    for (uri, message) in checks {
        let html = Html::parse_document(&ok(&app, uri).await.body);
        let alert = html
            .select(&sel("[role=alert].year-error"))
            .next()
            .unwrap_or_else(|| panic!("{uri}: no message"));
        assert!(text(alert).contains(message), "{uri}: {}", text(alert));
    }
    // The reversed range still searches (nothing can match), the bad year is dropped.
    let reversed = Html::parse_document(&ok(&app, "/sok?q=vold&from=2023&to=2018").await.body);
    assert_eq!(text(reversed.select(&sel("#total")).next().unwrap()), "0");
    let fine = Html::parse_document(&ok(&app, "/sok?q=vold&from=2015&to=2020").await.body);
    assert!(fine.select(&sel(".year-error")).next().is_none());
}

#[tokio::test]
async fn the_edit_link_is_for_staff_only() {
    let app = sample_app();
    let all = ok(&app, "/api/search?per_page=1").await.json();
    let id = all["hits"][0]["id"].as_str().unwrap();
    for uri in [format!("/dokument/{id}"), format!("/dokument/{id}?lang=en")] {
        let body = ok(&app, &uri).await.body;
        assert!(
            !body.contains("/rediger"),
            "{uri} shows the edit link to everyone"
        );
    }
}

#[tokio::test]
async fn the_statistics_axis_follows_the_years_asked_for() {
    let app = sample_app();
    let years = |html: &Html| -> Vec<String> {
        html.select(&sel("#table-years tbody tr th"))
            .map(text)
            .filter(|y| y.parse::<i32>().is_ok())
            .collect()
    };
    let svg_years = |svg: &str| -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some("year"))
            .map(|n| n.attribute("data-year").unwrap().to_string())
            .collect()
    };
    let expected: Vec<String> = (2018..=2023).map(|y| y.to_string()).collect();
    for kind in ["horingssvar", "innspill"] {
        let query = format!("from=2018&to=2023&kind={kind}");
        let html = Html::parse_document(&ok(&app, &format!("/statistikk?{query}")).await.body);
        assert_eq!(years(&html), expected, "{kind}");
        let svg = ok(&app, &format!("/statistikk/aar.svg?{query}")).await.body;
        assert_eq!(svg_years(&svg), expected, "{kind}");
    }
    // One year asked: that year alone, even when it has nothing.
    let html = Html::parse_document(&ok(&app, "/statistikk?year=2013").await.body);
    assert_eq!(years(&html), ["2013"]);
    // A huge range does not size the chart: the years with documents instead.
    let html = Html::parse_document(&ok(&app, "/statistikk?from=1000&to=9999").await.body);
    let shown = years(&html);
    assert!(shown.len() < 30, "{} years", shown.len());
}
