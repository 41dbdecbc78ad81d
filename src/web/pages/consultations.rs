//! The consultations: `/horinger` (the list, filtered by year, department and whether we
//! answered), `/horing/{id}` (one record as a timeline, with our documents) and
//! `/horinger.ics` (the deadlines of the consultations not yet answered, as iCalendar).
//!
//! Which documents answer a consultation is decided here, from the records of the moment
//! (`Consultations::link`), so a consultation edited by staff shows its documents at once.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};

use super::views::DocCard;
use super::{PageContext, PageError, blocking, embeds_context};
use crate::consultations::{Consultation, ConsultationKind, Consultations, StepKind};
use crate::index::{ConsultationFilter, SearchRequest, Sort};
use crate::model::Submission;
use crate::web::AppState;
use crate::web::i18n::Lang;

/// The longest department a filter may name.
const MAX_DEPARTMENT_CHARS: usize = 200;

/// What the consultation pages say, in bokmål and English.
pub struct Texts {
    pub heading: &'static str,
    pub lead: &'static str,
    pub department: &'static str,
    pub reference: &'static str,
    pub deadline: &'static str,
    pub sent: &'static str,
    pub our_responses: &'static str,
    pub our_response: &'static str,
    pub outcome: &'static str,
    pub none: &'static str,
    pub not_answered: &'static str,
    pub answered: &'static str,
    pub all: &'static str,
    pub year: &'static str,
    pub filter: &'static str,
    pub no_consultations: &'static str,
    pub timeline: &'static str,
    pub our_documents: &'static str,
    pub public_page: &'static str,
    pub sample: &'static str,
    pub sample_note: &'static str,
    pub notes: &'static str,
    pub calendar: &'static str,
    pub search_documents: &'static str,
    pub consultation: &'static str,
    pub new_consultation: &'static str,
    pub edit: &'static str,
    pub deadline_prefix: &'static str,
    pub kind: &'static str,
}

pub const NB: Texts = Texts {
    heading: "Høringer",
    lead: "Høringene og prosessene sekretariatets innspill er svar på: frist, våre svar og hva som kom ut av dem.",
    department: "Departement",
    reference: "Saksnummer",
    deadline: "Høringsfrist",
    sent: "Sendt på høring",
    our_responses: "Våre svar",
    our_response: "Vårt svar",
    outcome: "Utfall så langt",
    none: "ingen",
    not_answered: "Ikke besvart",
    answered: "Besvart",
    all: "Alle",
    year: "År",
    filter: "Filtrer",
    no_consultations: "Ingen høringer passer.",
    timeline: "Tidslinje",
    our_documents: "Våre dokumenter",
    public_page: "Høringssiden",
    sample: "Eksempel",
    sample_note: "Eksempel laget for arkiv-prosjektet: ikke en reell høringsprosess.",
    notes: "Merknader",
    calendar: "Frister i kalenderen (iCalendar)",
    search_documents: "Søk i dokumentene",
    consultation: "Høring",
    new_consultation: "Ny høring",
    edit: "Rediger høringen",
    deadline_prefix: "Høringsfrist",
    kind: "Type",
};

pub const EN: Texts = Texts {
    heading: "Consultations",
    lead: "The consultations and processes the secretariat's submissions answer: the deadline, our responses and what came of them.",
    department: "Ministry",
    reference: "Case number",
    deadline: "Deadline",
    sent: "Sent for consultation",
    our_responses: "Our responses",
    our_response: "Our response",
    outcome: "Outcome so far",
    none: "none",
    not_answered: "Not answered",
    answered: "Answered",
    all: "All",
    year: "Year",
    filter: "Filter",
    no_consultations: "No consultations match.",
    timeline: "Timeline",
    our_documents: "Our documents",
    public_page: "Consultation page",
    sample: "Sample",
    sample_note: "A sample written for the arkiv project: not a real consultation process.",
    notes: "Notes",
    calendar: "Deadlines in your calendar (iCalendar)",
    search_documents: "Search the documents",
    consultation: "Consultation",
    new_consultation: "New consultation",
    edit: "Edit the consultation",
    deadline_prefix: "Consultation deadline",
    kind: "Kind",
};

pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Nb => &NB,
        Lang::En => &EN,
    }
}

pub fn kind_label(lang: Lang, k: ConsultationKind) -> &'static str {
    match (lang, k) {
        (Lang::Nb, ConsultationKind::Horing) => "Høring",
        (Lang::Nb, ConsultationKind::Stortingshoring) => "Stortingshøring",
        (Lang::Nb, ConsultationKind::Annet) => "Annet",
        (Lang::En, ConsultationKind::Horing) => "Public consultation",
        (Lang::En, ConsultationKind::Stortingshoring) => "Hearing in the Storting",
        (Lang::En, ConsultationKind::Annet) => "Other",
    }
}

pub fn step_label(lang: Lang, k: StepKind) -> &'static str {
    match (lang, k) {
        (Lang::Nb, StepKind::Prop) => "Proposisjon",
        (Lang::Nb, StepKind::Innst) => "Innstilling",
        (Lang::Nb, StepKind::Lov) => "Lov",
        (Lang::Nb, StepKind::Forskrift) => "Forskrift",
        (Lang::Nb, StepKind::Vedtak) => "Vedtak",
        (Lang::Nb, StepKind::Annet) => "Annet",
        (Lang::En, StepKind::Prop) => "Proposition",
        (Lang::En, StepKind::Innst) => "Committee recommendation",
        (Lang::En, StepKind::Lov) => "Law",
        (Lang::En, StepKind::Forskrift) => "Regulation",
        (Lang::En, StepKind::Vedtak) => "Decision",
        (Lang::En, StepKind::Annet) => "Other",
    }
}

/// Every document of the archive that answers a consultation, by consultation id, oldest
/// first. Read from the index's metadata (no page text).
pub fn documents_by_consultation(
    state: &AppState,
    consultations: &Consultations,
) -> Result<BTreeMap<String, Vec<Submission>>, PageError> {
    let mut by: BTreeMap<String, Vec<Submission>> = BTreeMap::new();
    for d in state.index.documents()? {
        let s = d.submission;
        if let Some(c) = consultations.link(s.consultation.as_deref(), s.their_reference.as_deref())
        {
            by.entry(c.id.clone()).or_default().push(s);
        }
    }
    for docs in by.values_mut() {
        docs.sort_by(|a, b| a.date.cmp(&b.date).then(a.title.cmp(&b.title)));
    }
    Ok(by)
}

/// The year a consultation is filed under: its deadline's, else when it was sent.
fn year_of(c: &Consultation) -> Option<i32> {
    c.deadline.or(c.sent).map(|d| d.year())
}

/// One row of the list.
pub struct Row {
    pub url: String,
    pub title: String,
    pub department: Option<String>,
    pub deadline: Option<String>,
    /// (date, title, link) of each of our responses.
    pub responses: Vec<(String, String, String)>,
    /// The last outcome step: (kind, title).
    pub outcome: Option<(String, String)>,
    pub sample: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "consultations.html")]
pub struct ListPage {
    ctx: PageContext,
    c: &'static Texts,
    rows: Vec<Row>,
    years: Vec<(i32, bool)>,
    departments: Vec<(String, bool)>,
    /// "", "ja" or "nei".
    answered: String,
    ics_url: String,
    new_url: Option<String>,
}

/// The filters of the list: (year, department, answered).
fn list_filters(ctx: &PageContext) -> (Option<i32>, Option<String>, Option<bool>) {
    let year = ctx
        .param("year")
        .or_else(|| ctx.param("år"))
        .and_then(|v| v.trim().parse::<i32>().ok())
        .filter(|y| (1000..=9999).contains(y));
    let department = ctx
        .param("department")
        .or_else(|| ctx.param("departement"))
        .map(|v| {
            v.trim()
                .chars()
                .take(MAX_DEPARTMENT_CHARS)
                .collect::<String>()
        })
        .filter(|v| !v.is_empty());
    let answered = ctx
        .param("answered")
        .or_else(|| ctx.param("besvart"))
        .and_then(|v| match v.trim() {
            "ja" | "yes" | "true" => Some(true),
            "nei" | "no" | "false" => Some(false),
            _ => None,
        });
    (year, department, answered)
}

/// `GET /horinger`.
pub async fn list(State(state): State<AppState>, ctx: PageContext) -> Result<Response, PageError> {
    let lang = ctx.lang();
    let consultations = state.consultations.current();
    let st = state.clone();
    let all = consultations.clone();
    let by = blocking(move || documents_by_consultation(&st, &all)).await?;
    let (year, department, answered) = list_filters(&ctx);
    let years: BTreeSet<i32> = consultations.iter().filter_map(year_of).collect();
    let departments: BTreeSet<String> = consultations
        .iter()
        .filter_map(|c| c.department.clone())
        .collect();
    let mut shown: Vec<&Consultation> = consultations
        .iter()
        .filter(|c| year.is_none_or(|y| year_of(c) == Some(y)))
        .filter(|c| {
            department
                .as_ref()
                .is_none_or(|d| c.department.as_deref() == Some(d.as_str()))
        })
        .filter(|c| answered.is_none_or(|a| by.contains_key(&c.id) == a))
        .collect();
    // Newest deadline first; those without one last.
    shown.sort_by(|a, b| {
        b.deadline
            .or(b.sent)
            .cmp(&a.deadline.or(a.sent))
            .then(a.title.cmp(&b.title))
    });
    let rows = shown
        .into_iter()
        .map(|c| Row {
            url: ctx.link(&format!("/horing/{}", c.id)),
            title: c.title.clone(),
            department: c.department.clone(),
            deadline: c.deadline.map(|d| lang.date(d)),
            responses: by
                .get(&c.id)
                .map(|docs| {
                    docs.iter()
                        .map(|s| {
                            (
                                s.date.map(|d| lang.date(d)).unwrap_or_default(),
                                s.title.clone(),
                                ctx.link(&format!("/dokument/{}", s.id)),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            outcome: c
                .outcome
                .last()
                .map(|s| (step_label(lang, s.kind).to_string(), s.title.clone())),
            sample: c.sample,
        })
        .collect();
    let new_url = ctx.user.as_ref().map(|_| ctx.link("/horinger/ny"));
    Ok(ListPage {
        c: texts(lang),
        rows,
        years: years
            .into_iter()
            .rev()
            .map(|y| (y, Some(y) == year))
            .collect(),
        departments: departments
            .into_iter()
            .map(|d| {
                let chosen = department.as_deref() == Some(d.as_str());
                (d, chosen)
            })
            .collect(),
        answered: match answered {
            Some(true) => "ja".into(),
            Some(false) => "nei".into(),
            None => String::new(),
        },
        ics_url: "/horinger.ics".into(),
        new_url,
        ctx,
    }
    .into_response())
}

/// One moment of a consultation's timeline.
pub struct Moment {
    /// `sent`, `deadline`, `response` or `outcome`: the CSS class.
    pub class: &'static str,
    pub label: String,
    pub date: Option<String>,
    pub title: String,
    pub url: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "consultation.html")]
pub struct RecordPage {
    ctx: PageContext,
    c: &'static Texts,
    id: String,
    title: String,
    kind: &'static str,
    department: Option<String>,
    reference: Option<String>,
    url: Option<String>,
    notes: Option<String>,
    sample: bool,
    timeline: Vec<Moment>,
    cards: Vec<DocCard>,
    search_url: String,
    edit_url: Option<String>,
}

/// `GET /horing/{id}`.
pub async fn record(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let lang = ctx.lang();
    let consultations = state.consultations.current();
    let c = consultations
        .get(&id)
        .cloned()
        .ok_or(PageError::NotFound(lang))?;
    let index = state.index.clone();
    let request = SearchRequest {
        sort: Sort::Oldest,
        consultation: Some(ConsultationFilter {
            id: c.id.clone(),
            reference: c.reference.clone(),
        }),
        ..SearchRequest::default()
    };
    let results = blocking(move || Ok(index.search_all(&request)?)).await?;
    // The index finds the candidates; the records decide (a sidecar naming another
    // consultation wins over a matching case number).
    let docs: Vec<&Submission> = results
        .hits
        .iter()
        .map(|h| &h.submission)
        .filter(|s| {
            consultations
                .link(s.consultation.as_deref(), s.their_reference.as_deref())
                .is_some_and(|l| l.id == c.id)
        })
        .collect();
    let t = texts(lang);
    let mut timeline = Vec::new();
    if let Some(d) = c.sent {
        timeline.push(Moment {
            class: "sent",
            label: t.sent.into(),
            date: Some(lang.date(d)),
            title: c.department.clone().unwrap_or_default(),
            url: c.url.clone(),
        });
    }
    if let Some(d) = c.deadline {
        timeline.push(Moment {
            class: "deadline",
            label: t.deadline.into(),
            date: Some(lang.date(d)),
            title: String::new(),
            url: None,
        });
    }
    for s in &docs {
        timeline.push(Moment {
            class: "response",
            label: t.our_response.into(),
            date: s.date.map(|d| lang.date(d)),
            title: s.title.clone(),
            url: Some(ctx.link(&format!("/dokument/{}", s.id))),
        });
    }
    for step in &c.outcome {
        timeline.push(Moment {
            class: "outcome",
            label: step_label(lang, step.kind).into(),
            date: step.date.map(|d| lang.date(d)),
            title: step.title.clone(),
            url: step.url.clone(),
        });
    }
    let cards = docs
        .iter()
        .map(|s| DocCard::new(&ctx.chrome, s, "", None))
        .collect();
    let edit_url = ctx
        .user
        .as_ref()
        .map(|_| ctx.link(&format!("/horing/{}/rediger", c.id)));
    Ok(RecordPage {
        c: t,
        search_url: ctx.link(&format!("/sok?consultation={}", c.id)),
        kind: kind_label(lang, c.kind),
        id: c.id,
        title: c.title,
        department: c.department,
        reference: c.reference,
        url: c
            .url
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        notes: c.notes,
        sample: c.sample,
        timeline,
        cards,
        edit_url,
        ctx,
    }
    .into_response())
}

/// `GET /horinger.ics`: one all-day event on the deadline of each consultation that has
/// one and that no document of ours answers yet. With none, a valid empty calendar.
pub async fn ics(State(state): State<AppState>, ctx: PageContext) -> Result<Response, PageError> {
    let lang = ctx.lang();
    let consultations = state.consultations.current();
    let st = state.clone();
    let all = consultations.clone();
    let by = blocking(move || documents_by_consultation(&st, &all)).await?;
    let open: Vec<(&Consultation, NaiveDate)> = consultations
        .iter()
        .filter(|c| !by.contains_key(&c.id))
        .filter_map(|c| c.deadline.map(|d| (c, d)))
        .collect();
    let body = calendar(lang, &ctx.base_url, &open);
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline; filename=\"horinger.ics\""),
    );
    Ok(response)
}

/// The iCalendar text of the open deadlines.
fn calendar(lang: Lang, base_url: &str, open: &[(&Consultation, NaiveDate)]) -> String {
    use icalendar::{Calendar, Component, Event, EventLike};
    let t = texts(lang);
    let host = base_url
        .split("://")
        .nth(1)
        .unwrap_or(base_url)
        .split(['/', ':'])
        .next()
        .unwrap_or("arkiv");
    let mut cal = Calendar::new();
    cal.name(t.heading);
    for (c, deadline) in open {
        let url = format!("{base_url}/horing/{}", c.id);
        let mut description = Vec::new();
        if let Some(d) = &c.department {
            description.push(d.clone());
        }
        if let Some(r) = &c.reference {
            description.push(format!("{}: {r}", t.reference));
        }
        if c.sample {
            description.push(t.sample_note.to_string());
        }
        description.push(url.clone());
        let event = Event::new()
            .uid(&format!("horing-{}@{host}", c.id))
            .summary(&format!("{}: {}", t.deadline_prefix, c.title))
            .description(&description.join("\n"))
            .url(&url)
            .all_day(*deadline)
            .done();
        cal.push(event);
    }
    cal.done().to_string()
}

embeds_context!(ListPage, RecordPage);
