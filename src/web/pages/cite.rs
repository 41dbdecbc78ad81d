//! Citations to download beside the plain line on a document page: BibTeX
//! (`/dokument/{id}/cite.bib`) and CSL-JSON (`/dokument/{id}/cite.json`), with the notes in
//! bokmål or, with `?lang=en`, in English.

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

/// The citation downloads a document page offers, from its permalink (`…/dokument/{id}`).
pub struct CiteLinks {
    pub bibtex: String,
    pub csl_json: String,
}

impl CiteLinks {
    pub fn from_permalink(permalink: &str, lang: Lang) -> CiteLinks {
        let id = permalink.rsplit('/').next().unwrap_or_default();
        let suffix = match lang {
            Lang::Nb => "",
            Lang::En => "?lang=en",
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
pub fn bibtex(lang: Lang, s: &Submission, url: &str, accessed: NaiveDate) -> String {
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

fn date_parts(d: NaiveDate) -> Value {
    json!({ "date-parts": [[d.year(), d.month(), d.day()]] })
}

/// A CSL-JSON item (in an array, as CSL-JSON files hold), type `report`.
pub fn csl_json(lang: Lang, s: &Submission, url: &str, accessed: NaiveDate) -> Value {
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

/// The document `id` names, its permalink, and today's date (the citation's "accessed").
async fn load(
    state: &AppState,
    id: &str,
    lang: Lang,
) -> Result<(Submission, String, NaiveDate), PageError> {
    let id = DocId::parse(id).ok_or(PageError::NotFound(lang))?;
    let index = state.index.clone();
    let s = blocking(move || Ok(index.document(&id)?))
        .await?
        .ok_or(PageError::NotFound(lang))?;
    let url = format!("{}/dokument/{}", state.base_url, s.id);
    Ok((s, url, chrono::Local::now().date_naive()))
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
    let lang = ctx.lang();
    let (s, url, today) = load(&state, &id, lang).await?;
    let body = bibtex(lang, &s, &url, today);
    Ok(download(
        body,
        "application/x-bibtex; charset=utf-8",
        format!("{}.bib", key(&s)),
    ))
}

pub async fn csl_json_file(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let lang = ctx.lang();
    let (s, url, today) = load(&state, &id, lang).await?;
    let body = csl_json(lang, &s, &url, today);
    let text = serde_json::to_string_pretty(&body)
        .map_err(|e| PageError::Internal(format!("CSL-JSON: {e}")))?;
    Ok(download(
        text,
        "application/vnd.citationstyles.csl+json",
        format!("{}.json", key(&s)),
    ))
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
        let links = CiteLinks::from_permalink("https://x.example/dokument/abc", Lang::En);
        assert_eq!(links.bibtex, "/dokument/abc/cite.bib?lang=en");
        assert_eq!(links.csl_json, "/dokument/abc/cite.json?lang=en");
    }
}
