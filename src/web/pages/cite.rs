//! Citations: the downloads beside the plain line on a document page, BibTeX
//! (`/dokument/{id}/cite.bib`) and CSL-JSON (`/dokument/{id}/cite.json`), with the notes in
//! bokmål or, with `?lang=en`, in English, and a cited page with `?side=N`; and what the
//! document page's `<head>` says to reference managers and search engines ([`HeadMeta`]:
//! Highwire `citation_*` tags as Zotero and Google Scholar read them, schema.org JSON-LD,
//! Open Graph, the canonical URL and its language alternates) and COinS.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use super::blocking;
use super::{PageContext, PageError};
use crate::model::{DocId, Language, Submission};
use crate::web::AppState;
use crate::web::i18n::Lang;

/// The author and publisher of every document in the archive.
pub const AUTHOR: &str = "Krisesentersekretariatet";
/// Where Krisesentersekretariatet publishes from.
pub const PLACE: &str = "Oslo";

/// The citation downloads a document page offers, from its permalink (`…/dokument/{id}`),
/// naming the cited page when there is one.
pub struct CiteLinks {
    pub bibtex: String,
    pub csl_json: String,
}

impl CiteLinks {
    pub fn from_permalink(permalink: &str, lang: Lang, page: Option<usize>) -> CiteLinks {
        let id = permalink.rsplit('/').next().unwrap_or_default();
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(n) = page {
            query.append_pair("side", &n.to_string());
        }
        if lang == Lang::En {
            query.append_pair("lang", "en");
        }
        let query = query.finish();
        let suffix = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        CiteLinks {
            bibtex: format!("/dokument/{id}/cite.bib{suffix}"),
            csl_json: format!("/dokument/{id}/cite.json{suffix}"),
        }
    }
}

/// A BibTeX key: stable for a document (its id), readable (author and year).
fn key(s: &Submission) -> String {
    let year = s
        .year()
        .map(|y| y.to_string())
        .unwrap_or_else(|| "nd".into());
    format!("krisesentersekretariatet{year}_{}", &s.id.as_str()[..8])
}

/// Escapes text for a braced BibTeX field. Braces become commands rather than `\{`,
/// because BibTeX counts every brace, escaped or not, when it finds the end of a field.
pub fn bibtex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' => out.push_str("\\textbraceleft{}"),
            '}' => out.push_str("\\textbraceright{}"),
            '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            // One line per field: a line break in a title is only a space.
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `biblatex`'s `langid` for the document's language.
fn langid(l: Language) -> &'static str {
    match l {
        Language::Nb => "norsk",
        Language::Nn => "nynorsk",
        Language::En => "english",
    }
}

/// A `@techreport` entry, which has fields for both the institution and the report type
/// in BibTeX and biblatex alike.
pub fn bibtex(
    lang: Lang,
    s: &Submission,
    page: Option<usize>,
    url: &str,
    accessed: NaiveDate,
) -> String {
    let t = lang.texts();
    let mut fields: Vec<(&str, String)> = vec![
        ("author", format!("{{{AUTHOR}}}")),
        // Double braces keep the title's capitals (BibTeX styles lower-case titles).
        ("title", format!("{{{}}}", bibtex_escape(&s.title))),
        ("institution", AUTHOR.to_string()),
        ("address", PLACE.to_string()),
        ("type", bibtex_escape(lang.kind(s.kind))),
    ];
    if let Some(d) = s.date {
        fields.push(("year", d.year().to_string()));
        fields.push(("date", iso(d)));
    }
    if let Some(r) = &s.reference {
        fields.push(("number", bibtex_escape(r)));
    }
    if let Some(n) = page {
        fields.push(("pages", n.to_string()));
    }
    if let Some(v) = cited_version(s) {
        fields.push(("version", v.number.to_string()));
    }
    if let Some(r) = &s.recipient {
        fields.push(("note", bibtex_escape(&format!("{} {r}", t.cite_to))));
    }
    if let Some(l) = s.language {
        fields.push(("langid", langid(l).to_string()));
    }
    fields.push(("url", url.to_string()));
    fields.push(("urldate", iso(accessed)));
    let mut out = format!("@techreport{{{},\n", key(s));
    for (name, value) in fields {
        out.push_str(&format!("  {name:<11} = {{{value}}},\n"));
    }
    out.push_str("}\n");
    out
}

/// The version a citation names: only for a document that has had more than one (the
/// permanent address names the exact file either way, since an id is its content's hash).
pub struct CitedVersion {
    pub number: usize,
    /// When it became the current version.
    pub since: Option<NaiveDate>,
}

pub fn cited_version(s: &Submission) -> Option<CitedVersion> {
    let last = s.versions.last()?;
    Some(CitedVersion {
        number: s.version_number(),
        since: chrono::DateTime::parse_from_rfc3339(&last.replaced)
            .ok()
            .map(|d| d.date_naive()),
    })
}

fn date_parts(d: NaiveDate) -> Value {
    json!({ "date-parts": [[d.year(), d.month(), d.day()]] })
}

/// A CSL-JSON item (in an array, as CSL-JSON files hold), type `report`.
pub fn csl_json(
    lang: Lang,
    s: &Submission,
    page: Option<usize>,
    url: &str,
    accessed: NaiveDate,
) -> Value {
    let t = lang.texts();
    let mut item = json!({
        "id": key(s),
        "type": "report",
        "title": s.title,
        "author": [{ "literal": AUTHOR }],
        "publisher": AUTHOR,
        "publisher-place": PLACE,
        "genre": lang.kind(s.kind),
        "URL": url,
        "accessed": date_parts(accessed),
    });
    let map = item.as_object_mut().expect("an object literal");
    if let Some(d) = s.date {
        map.insert("issued".into(), date_parts(d));
    }
    if let Some(r) = &s.reference {
        map.insert("number".into(), json!(r));
    }
    if let Some(n) = page {
        map.insert("page".into(), json!(n.to_string()));
    }
    if let Some(v) = cited_version(s) {
        map.insert("version".into(), json!(v.number.to_string()));
    }
    if let Some(r) = &s.recipient {
        map.insert("note".into(), json!(format!("{} {r}", t.cite_to)));
    }
    if let Some(l) = s.language {
        let code = match l {
            Language::Nb => "nb-NO",
            Language::Nn => "nn-NO",
            Language::En => "en",
        };
        map.insert("language".into(), json!(code));
    }
    json!([item])
}

/// What a citation download cites: the document, the page (`?side=N`, dropped when the
/// document has no such page), the permalink, and today's date (the "accessed").
struct Cited {
    submission: Submission,
    page: Option<usize>,
    url: String,
    accessed: NaiveDate,
}

async fn load(state: &AppState, id: &str, ctx: &PageContext) -> Result<Cited, PageError> {
    let lang = ctx.lang();
    let id = DocId::parse(id).ok_or(PageError::NotFound(lang))?;
    let index = state.index.clone();
    let indexed = blocking(move || Ok(index.metadata(&id)?))
        .await?
        .ok_or(PageError::NotFound(lang))?;
    let page = cited_page(ctx.param("side").as_deref(), indexed.page_count);
    let url = format!("{}/dokument/{}", state.base_url, indexed.submission.id);
    Ok(Cited {
        submission: indexed.submission,
        page,
        url,
        accessed: chrono::Local::now().date_naive(),
    })
}

/// The page `side` names, when the document has it.
pub fn cited_page(side: Option<&str>, page_count: usize) -> Option<usize> {
    side.and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=page_count).contains(n))
}

fn download(body: String, content_type: &'static str, file: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

pub async fn bibtex_file(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let c = load(&state, &id, &ctx).await?;
    let body = bibtex(ctx.lang(), &c.submission, c.page, &c.url, c.accessed);
    Ok(download(
        body,
        "application/x-bibtex; charset=utf-8",
        format!("{}.bib", key(&c.submission)),
    ))
}

pub async fn csl_json_file(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let c = load(&state, &id, &ctx).await?;
    let body = csl_json(ctx.lang(), &c.submission, c.page, &c.url, c.accessed);
    let text = serde_json::to_string_pretty(&body)
        .map_err(|e| PageError::Internal(format!("CSL-JSON: {e}")))?;
    Ok(download(
        text,
        "application/vnd.citationstyles.csl+json",
        format!("{}.json", key(&c.submission)),
    ))
}

/// What a document page's `<head>` tells reference managers, search engines and link
/// previews. `url` is the permalink (one URL for every `?q=`, `?side=` and `?lang=` variant
/// of the page in bokmål; the English page's is `?lang=en`).
pub struct HeadMeta {
    pub canonical: String,
    /// `(hreflang, href)`: the page in each language, and `x-default`.
    pub alternates: Vec<(&'static str, String)>,
    /// `<meta name content>`: the description and the Highwire `citation_*` tags.
    pub names: Vec<(&'static str, String)>,
    /// `<meta property content>`: Open Graph.
    pub properties: Vec<(&'static str, String)>,
    /// schema.org JSON-LD (`Report`), escaped for a script element.
    pub json_ld: String,
    /// A COinS (OpenURL 1.0 KEV) context object, for the `title` of a `span.Z3988`.
    pub coins: String,
}

/// The longest meta description, in characters (what search engines show).
const DESCRIPTION_CHARS: usize = 200;

impl HeadMeta {
    pub fn new(lang: Lang, s: &Submission, page: Option<usize>, url: &str) -> HeadMeta {
        let english = format!("{url}?lang=en");
        let canonical = match lang {
            Lang::Nb => url.to_string(),
            Lang::En => english.clone(),
        };
        let pdf_url = format!("{url}/pdf");
        let description = description(s);
        let mut names: Vec<(&'static str, String)> = vec![
            ("description", description.clone()),
            ("citation_title", s.title.clone()),
            ("citation_author", AUTHOR.to_string()),
        ];
        if let Some(d) = s.date {
            // Google Scholar's form: the full date with slashes.
            names.push((
                "citation_publication_date",
                d.format("%Y/%m/%d").to_string(),
            ));
        }
        names.push(("citation_pdf_url", pdf_url.clone()));
        names.push(("citation_public_url", url.to_string()));
        if let Some(l) = s.language {
            names.push(("citation_language", l.id().to_string()));
        }
        // What makes Zotero and Scholar take it for a report rather than an article.
        names.push(("citation_technical_report_institution", AUTHOR.to_string()));
        if let Some(r) = &s.reference {
            names.push(("citation_technical_report_number", r.clone()));
        }
        names.push(("citation_publisher", AUTHOR.to_string()));
        if let Some(n) = page {
            names.push(("citation_firstpage", n.to_string()));
            names.push(("citation_lastpage", n.to_string()));
        }

        let mut properties: Vec<(&'static str, String)> = vec![
            ("og:type", "article".into()),
            ("og:site_name", lang.texts().site_name.to_string()),
            ("og:title", s.title.clone()),
            ("og:description", description.clone()),
            ("og:url", canonical.clone()),
            (
                "og:locale",
                match lang {
                    Lang::Nb => "nb_NO",
                    Lang::En => "en_GB",
                }
                .into(),
            ),
        ];
        if let Some(d) = s.date {
            properties.push(("article:published_time", iso(d)));
        }

        let mut report = json!({
            "@context": "https://schema.org",
            "@type": "Report",
            "@id": url,
            "url": url,
            "name": s.title,
            "headline": s.title,
            "description": description,
            "author": { "@type": "Organization", "name": AUTHOR },
            "publisher": { "@type": "Organization", "name": AUTHOR, "address": PLACE },
            "genre": lang.kind(s.kind),
            "encoding": {
                "@type": "MediaObject",
                "contentUrl": pdf_url,
                "encodingFormat": "application/pdf",
            },
            "numberOfPages": s.page_count(),
        });
        let map = report.as_object_mut().expect("an object literal");
        if let Some(d) = s.date {
            map.insert("datePublished".into(), json!(iso(d)));
        }
        if let Some(l) = s.language {
            map.insert("inLanguage".into(), json!(l.id()));
        }
        if let Some(r) = &s.reference {
            map.insert("reportNumber".into(), json!(r));
        }
        if let Some(r) = &s.recipient {
            map.insert(
                "recipient".into(),
                json!({ "@type": "Organization", "name": r }),
            );
        }
        if !s.conventions.is_empty() {
            map.insert(
                "about".into(),
                json!(
                    s.conventions
                        .iter()
                        .map(|c| Lang::En.convention(*c))
                        .collect::<Vec<_>>()
                ),
            );
        }

        let mut coins = form_urlencoded::Serializer::new(String::new());
        coins
            .append_pair("ctx_ver", "Z39.88-2004")
            .append_pair("rft_val_fmt", "info:ofi/fmt:kev:mtx:book")
            .append_pair("rft.genre", "report")
            .append_pair("rft.btitle", &s.title)
            .append_pair("rft.aucorp", AUTHOR)
            .append_pair("rft.pub", AUTHOR)
            .append_pair("rft.place", PLACE);
        if let Some(d) = s.date {
            coins.append_pair("rft.date", &iso(d));
        }
        if let Some(n) = page {
            coins
                .append_pair("rft.spage", &n.to_string())
                .append_pair("rft.epage", &n.to_string());
        }
        if let Some(l) = s.language {
            coins.append_pair("rft.language", l.id());
        }
        coins.append_pair("rft_id", url);

        HeadMeta {
            alternates: vec![
                ("nb", url.to_string()),
                ("en", english),
                ("x-default", url.to_string()),
            ],
            canonical,
            names,
            properties,
            json_ld: crate::web::html::json_script(&report),
            coins: coins.finish(),
        }
    }
}

/// The first lines of the text, up to [`DESCRIPTION_CHARS`] and cut between words; the
/// title when there is no text.
pub fn description(s: &Submission) -> String {
    let text: Vec<&str> = s
        .pages
        .iter()
        .flat_map(|p| p.split_whitespace())
        .take(DESCRIPTION_CHARS)
        .collect();
    if text.is_empty() {
        return s.title.clone();
    }
    let mut out = String::new();
    for word in text {
        let needed = out.chars().count() + word.chars().count() + 1;
        if needed > DESCRIPTION_CHARS {
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bibtex_specials_are_escaped_and_braces_stay_balanced() {
        let escaped = bibtex_escape("50 % & {x} \\y_z #1 $ ~^ a\nb");
        assert_eq!(
            escaped,
            "50 \\% \\& \\textbraceleft{}x\\textbraceright{} \\textbackslash{}y\\_z \\#1 \\$ \
             \\textasciitilde{}\\textasciicircum{} a b"
        );
        let open = escaped.matches('{').count();
        assert_eq!(open, escaped.matches('}').count());
    }

    #[test]
    fn links_come_from_the_permalink() {
        let links = CiteLinks::from_permalink("https://x.example/dokument/abc", Lang::En, None);
        assert_eq!(links.bibtex, "/dokument/abc/cite.bib?lang=en");
        assert_eq!(links.csl_json, "/dokument/abc/cite.json?lang=en");
        let links = CiteLinks::from_permalink("https://x.example/dokument/abc", Lang::Nb, Some(3));
        assert_eq!(links.bibtex, "/dokument/abc/cite.bib?side=3");
    }
}
