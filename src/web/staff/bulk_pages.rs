//! The staff pages of bulk edits: a search whose hits can be checked, a preview of what
//! a bulk edit would change, and the progress of a batch running off the request. The
//! work is [`super::bulk`]'s; these pages only turn forms into its requests and its
//! answers into pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::bulk::{
    self, BulkChange, BulkRequest, BulkState, BulkStatus, BulkTags, MAX_BATCH, PlanError,
};
use super::metadata::Fields;
use super::pages::checked_form;
use crate::model::{Convention, Kind, Submission};
use crate::tagging::topics::FOCUS_AREAS;
use crate::web::ApiError;
use crate::web::AppState;
use crate::web::auth::{StaffUser, client_address};
use crate::web::i18n::Lang;
use crate::web::pages::{PageContext, PageError, blocking, embeds_context};

/// Seconds between two looks of a running batch's page at its progress.
const REFRESH_SECS: u32 = 2;

/// The form fields that name the change, in the order the preview carries them on.
const CHANGE_FIELDS: [&str; 9] = [
    "add_convention",
    "add_law",
    "add_topic",
    "add_consultation",
    "remove_convention",
    "remove_law",
    "remove_topic",
    "remove_consultation",
    "kind",
];

/// One hit as the bulk-edit search shows it.
pub struct BulkRow {
    id: String,
    url: String,
    title: String,
    date: String,
    kind: String,
    conventions: String,
    laws: String,
    topics: String,
    consultation: String,
}

/// One choice of the form: a labelled list.
pub struct Pick {
    name: String,
    label: String,
    /// (id, label).
    options: Vec<(String, String)>,
}

/// What can be added, removed or set.
pub struct ChangeChoices {
    add: Vec<Pick>,
    remove: Vec<Pick>,
    kind: Pick,
}

#[derive(Template, WebTemplate)]
#[template(path = "bulk.html")]
pub struct BulkPage {
    ctx: PageContext,
    user: String,
    csrf: String,
    q: String,
    /// The search's filters, kept when a new query is typed.
    hidden: Vec<(String, String)>,
    /// The search as a query string, for "every hit of this search".
    search: String,
    total: usize,
    rows: Vec<BulkRow>,
    /// Said when the search has more hits than one bulk edit may change.
    too_many: Option<String>,
    max_batch: usize,
    choices: ChangeChoices,
    previous: Option<String>,
    next: Option<String>,
}

/// One document of a preview and what it will get.
pub struct PreviewRow {
    url: String,
    title: String,
    changes: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "bulk_preview.html")]
pub struct BulkPreviewPage {
    ctx: PageContext,
    user: String,
    csrf: String,
    selected: usize,
    rows: Vec<PreviewRow>,
    /// The chosen documents already as asked: (url, title).
    unchanged: Vec<(String, String)>,
    /// The confirm form's fields: the documents the preview chose and the change.
    confirm: Vec<(String, String)>,
    back: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "bulk_status.html")]
pub struct BulkStatusPage {
    ctx: PageContext,
    user: String,
    csrf: String,
    batch: String,
    state: &'static str,
    done: usize,
    total: usize,
    refresh: Option<u32>,
    message: Option<String>,
    /// The documents changed: (url, title).
    changed: Vec<(String, String)>,
    undo_action: Option<String>,
    log_url: String,
    new_url: String,
}

embeds_context!(BulkPage, BulkPreviewPage, BulkStatusPage);

fn with_lang(lang: Lang, url: String) -> String {
    match (lang, url.contains('?')) {
        (Lang::Nb, _) => url,
        (Lang::En, false) => format!("{url}?lang=en"),
        (Lang::En, true) => format!("{url}&lang=en"),
    }
}

fn doc_url(lang: Lang, id: &str) -> String {
    with_lang(lang, format!("/dokument/{id}"))
}

fn law_name(id: &str) -> String {
    crate::tagging::laws::law(id)
        .map(|l| l.name.to_string())
        .unwrap_or_else(|| id.to_string())
}

fn topic_name(lang: Lang, id: &str) -> String {
    crate::tagging::topics::focus_area(id)
        .map(|a| match lang {
            Lang::Nb => a.name_nb.to_string(),
            Lang::En => a.name_en.to_string(),
        })
        .unwrap_or_else(|| id.to_string())
}

fn convention_name(lang: Lang, id: &str) -> String {
    Convention::from_id(id)
        .map(|c| lang.convention(c).to_string())
        .unwrap_or_else(|| id.to_string())
}

fn kind_name(lang: Lang, id: &str) -> String {
    Kind::from_id(id)
        .map(|k| lang.kind(k).to_string())
        .unwrap_or_else(|| id.to_string())
}

fn consultation_name(state: &AppState, id: &str) -> String {
    state
        .consultations
        .current()
        .get(id)
        .map(|c| c.title.clone())
        .unwrap_or_else(|| id.to_string())
}

fn joined(items: Vec<String>) -> String {
    if items.is_empty() {
        "–".to_string()
    } else {
        items.join(", ")
    }
}

fn row(state: &AppState, lang: Lang, s: &Submission) -> BulkRow {
    BulkRow {
        id: s.id.to_string(),
        url: doc_url(lang, s.id.as_str()),
        title: s.title.clone(),
        date: s
            .date
            .map(|d| lang.date(d))
            .unwrap_or_else(|| lang.texts().unknown_date.to_string()),
        kind: lang.kind(s.kind).to_string(),
        conventions: joined(
            s.conventions
                .iter()
                .map(|c| lang.convention(*c).to_string())
                .collect(),
        ),
        laws: joined(s.laws.iter().map(|l| law_name(l)).collect()),
        topics: joined(s.topics.iter().map(|t| topic_name(lang, t)).collect()),
        consultation: s
            .consultation
            .as_deref()
            .map(|c| consultation_name(state, c))
            .unwrap_or_else(|| "–".into()),
    }
}

fn choices(state: &AppState, lang: Lang) -> ChangeChoices {
    let conventions: Vec<(String, String)> = Convention::ALL
        .iter()
        .map(|c| (c.id().to_string(), lang.convention(*c).to_string()))
        .collect();
    let laws: Vec<(String, String)> = crate::tagging::laws::LAWS
        .iter()
        .map(|l| (l.id.to_string(), l.name.to_string()))
        .collect();
    let topics: Vec<(String, String)> = FOCUS_AREAS
        .iter()
        .map(|a| (a.id.to_string(), topic_name(lang, a.id)))
        .collect();
    let consultations: Vec<(String, String)> = state
        .consultations
        .current()
        .iter()
        .map(|c| (c.id.clone(), c.title.clone()))
        .collect();
    let labels = match lang {
        Lang::Nb => ["Konvensjon", "Lov", "Fokusområde", "Høring", "Type"],
        Lang::En => ["Convention", "Law", "Focus area", "Consultation", "Kind"],
    };
    let picks = |prefix: &str| {
        [
            ("convention", labels[0], &conventions),
            ("law", labels[1], &laws),
            ("topic", labels[2], &topics),
            ("consultation", labels[3], &consultations),
        ]
        .into_iter()
        .map(|(name, label, options)| Pick {
            name: format!("{prefix}_{name}"),
            label: label.to_string(),
            options: options.clone(),
        })
        .collect()
    };
    ChangeChoices {
        add: picks("add"),
        remove: picks("remove"),
        kind: Pick {
            name: "kind".into(),
            label: labels[4].into(),
            options: Kind::ALL
                .iter()
                .map(|k| (k.id().to_string(), lang.kind(*k).to_string()))
                .collect(),
        },
    }
}

/// `GET /samleendring?q=…&<the search page's filters>`: the hits of a search, each with a
/// checkbox, and the form of a bulk edit.
pub async fn search_view(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let lang = ctx.lang();
    let mut params = ctx.search_params()?;
    // A page of checkboxes is never longer than one bulk edit.
    params.per_page = params.per_page.min(MAX_BATCH);
    let request = state.search_request(&params, 0);
    let index = state.index.clone();
    let results = blocking(move || Ok(index.search(&request)?))
        .await
        .map_err(|e| e.in_lang(lang))?;
    // Hits of a corrected query are not this search's: a bulk edit would refuse them.
    let hits = if results.suggestion.is_some() {
        Vec::new()
    } else {
        results.hits
    };
    let total = if hits.is_empty() { 0 } else { results.total };
    let rows = hits
        .iter()
        .map(|h| row(&state, lang, &h.submission))
        .collect();
    let search = params
        .with(|p| {
            p.lang = Lang::Nb;
            p.per_page = crate::web::params::DEFAULT_PER_PAGE;
        })
        .to_query();
    let page_url = |page: usize| {
        let mut p = params.clone();
        p.page = page;
        format!("/samleendring?{}", p.to_query())
    };
    let previous = (params.page > 1).then(|| page_url(params.page - 1));
    let next =
        (params.page.saturating_mul(params.per_page) < total).then(|| page_url(params.page + 1));
    let too_many = (total > MAX_BATCH).then(|| match lang {
        Lang::Nb => format!(
            "Søket har {total} treff, men en samleendring kan endre høyst {MAX_BATCH}. \
             Snevre inn søket for å endre alle treffene."
        ),
        Lang::En => format!(
            "The search has {total} hits, but a bulk edit changes at most {MAX_BATCH}. \
             Narrow the search to change every hit."
        ),
    });
    Ok(BulkPage {
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        q: params.q.clone(),
        hidden: params.hidden_filters(),
        search,
        total,
        rows,
        too_many,
        max_batch: MAX_BATCH,
        choices: choices(&state, lang),
        previous,
        next,
        ctx,
    }
    .into_response())
}

/// The bulk edit a posted form asks for: the checked documents (`scope=valgte`, `id`
/// repeated) or every hit of its search (`scope=alle`, `search`), and the change.
fn request_from(fields: &Fields, preview: bool) -> BulkRequest {
    let one = |name: &str| {
        fields
            .get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let list = |name: &str| one(name).into_iter().collect::<Vec<_>>();
    let all = fields.get("scope") == Some("alle");
    BulkRequest {
        ids: if all {
            Vec::new()
        } else {
            fields.all("id").into_iter().map(str::to_string).collect()
        },
        search: all.then(|| fields.get("search").unwrap_or_default().to_string()),
        add: BulkTags {
            conventions: list("add_convention"),
            laws: list("add_law"),
            topics: list("add_topic"),
            consultation: one("add_consultation"),
        },
        remove: BulkTags {
            conventions: list("remove_convention"),
            laws: list("remove_law"),
            topics: list("remove_topic"),
            consultation: one("remove_consultation"),
        },
        kind: one("kind"),
        preview,
    }
}

fn refused(lang: Lang, e: PlanError) -> PageError {
    match e {
        PlanError::Failed(e) => api_failed(lang, e),
        e => PageError::BadRequest {
            message: e.message(lang),
            lang,
        },
    }
}

fn api_failed(lang: Lang, e: ApiError) -> PageError {
    match e {
        ApiError::NotFound => PageError::NotFound(lang),
        ApiError::Unavailable {
            retry_after,
            message,
        } => PageError::Unavailable {
            message: match lang {
                Lang::Nb => "Andre samleendringer pågår. Prøv igjen om litt.".into(),
                Lang::En => message,
            },
            lang,
            retry_after,
        },
        e => PageError::Internal(e.to_string()),
    }
}

/// What one document gets, in words: `+ CEDAW`, `− Partnerdrap`, `Type: a → b`.
fn described(state: &AppState, lang: Lang, c: &BulkChange) -> Vec<String> {
    let mut out = Vec::new();
    let mut diff = |before: &[String], after: &[String], name: &dyn Fn(&str) -> String| {
        for added in after.iter().filter(|a| !before.contains(a)) {
            out.push(format!("+ {}", name(added)));
        }
        for removed in before.iter().filter(|b| !after.contains(b)) {
            out.push(format!("− {}", name(removed)));
        }
    };
    diff(&c.before.conventions, &c.after.conventions, &|id| {
        convention_name(lang, id)
    });
    diff(&c.before.laws, &c.after.laws, &law_name);
    diff(&c.before.topics, &c.after.topics, &|id| {
        topic_name(lang, id)
    });
    let (consultation, kind, none) = match lang {
        Lang::Nb => ("Høring", "Type", "ingen"),
        Lang::En => ("Consultation", "Kind", "none"),
    };
    if c.before.consultation != c.after.consultation {
        let name = |c: &Option<String>| {
            c.as_deref()
                .map(|id| consultation_name(state, id))
                .unwrap_or_else(|| none.to_string())
        };
        out.push(format!(
            "{consultation}: {} → {}",
            name(&c.before.consultation),
            name(&c.after.consultation)
        ));
    }
    if c.before.kind != c.after.kind {
        out.push(format!(
            "{kind}: {} → {}",
            kind_name(lang, &c.before.kind),
            kind_name(lang, &c.after.kind)
        ));
    }
    out
}

/// `POST /samleendring/forhandsvis`: what the bulk edit would change, per document, with
/// a button that confirms it. Nothing is written.
pub async fn preview(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    ctx: PageContext,
    body: Bytes,
) -> Result<Response, PageError> {
    // The form's action carries `?lang=en`, so the page's chrome is in its language.
    let (fields, _) = checked_form(&user, &body)?;
    let lang = ctx.lang();
    let request = request_from(&fields, true);
    let st = state.clone();
    let plan = blocking(move || Ok(bulk::plan(&st, &request)))
        .await?
        .map_err(|e| refused(lang, e))?;
    let rows = plan
        .documents
        .iter()
        .map(|c| PreviewRow {
            url: doc_url(lang, &c.id),
            title: c.title.clone(),
            changes: described(&state, lang, c),
        })
        .collect();
    let unchanged = plan
        .unchanged()
        .into_iter()
        .map(|(id, title)| (doc_url(lang, &id), title))
        .collect();
    // Confirming changes the documents previewed, even if the search would find others
    // by then.
    let mut confirm: Vec<(String, String)> = vec![("scope".into(), "valgte".into())];
    confirm.extend(
        plan.selected
            .iter()
            .map(|(id, _)| ("id".into(), id.clone())),
    );
    for name in CHANGE_FIELDS {
        if let Some(v) = fields.get(name).filter(|v| !v.trim().is_empty()) {
            confirm.push((name.to_string(), v.to_string()));
        }
    }
    let back = with_lang(
        lang,
        format!("/samleendring?{}", fields.get("search").unwrap_or_default()),
    );
    Ok(BulkPreviewPage {
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        selected: plan.selected.len(),
        rows,
        unchanged,
        confirm,
        back,
        ctx,
    }
    .into_response())
}

/// `POST /samleendring/utfor`: begins the bulk edit and sends the browser to its progress.
pub async fn apply(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Result<Response, PageError> {
    let (fields, lang) = checked_form(&user, &body)?;
    let request = request_from(&fields, false);
    let address = client_address(&extensions);
    let st = state.clone();
    let name = user.name.clone();
    let batch = blocking(move || {
        let plan = bulk::plan(&st, &request).map_err(|e| refused(lang, e))?;
        if plan.documents.is_empty() {
            return Err(PageError::BadRequest {
                message: match lang {
                    Lang::Nb => "Ingenting endres: dokumentene er allerede slik.".into(),
                    Lang::En => "Nothing changes: the documents already are so.".into(),
                },
                lang,
            });
        }
        bulk::start(&st, plan, &name, Some(address)).map_err(|e| api_failed(lang, e))
    })
    .await?;
    Ok(Redirect::to(&with_lang(lang, format!("/samleendring/{batch}"))).into_response())
}

/// `GET /samleendring/{batch}`: how far a batch is; it looks again every few seconds
/// while running (a refresh, no script needed), and once done links to the audit log
/// and offers the undo.
pub async fn progress(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    ctx: PageContext,
    Path(batch): Path<String>,
) -> Result<Response, PageError> {
    let lang = ctx.lang();
    let st = state.clone();
    let name = batch.clone();
    let status: BulkStatus = blocking(move || Ok(bulk::status(&st, &name)))
        .await?
        .map_err(|e| api_failed(lang, e))?;
    let changed = status
        .outcome
        .as_ref()
        .map(|o| {
            o.documents
                .iter()
                .map(|d| (doc_url(lang, &d.id), d.title.clone()))
                .collect()
        })
        .unwrap_or_default();
    let (state_id, refresh) = match status.state {
        BulkState::Running => ("running", Some(REFRESH_SECS)),
        BulkState::Done => ("done", None),
        BulkState::Failed => ("failed", None),
        BulkState::Undone => ("undone", None),
    };
    Ok(BulkStatusPage {
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        undo_action: (status.state == BulkState::Done)
            .then(|| format!("/samleendring/{batch}/angre")),
        batch,
        state: state_id,
        done: status.done,
        total: status.total,
        refresh,
        message: status.message,
        changed,
        log_url: with_lang(lang, "/logg".into()),
        new_url: with_lang(lang, "/samleendring".into()),
        ctx,
    }
    .into_response())
}
