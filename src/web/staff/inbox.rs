//! The inbox: documents that arrived without metadata staff set, waiting for staff to
//! confirm what detection made of them (or correct it in the metadata editor). The state
//! lives in the sidecar (`Sidecar::reviewed`), so `documents/` stays the source of truth.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::archive;
use super::metadata;
use crate::archive::ChangeError;
use crate::audit::AuditEntry;
use crate::extract::render::ImageSize;
use crate::model::{DocId, Submission};
use crate::web::AppState;
use crate::web::auth::{StaffUser, client_address};
use crate::web::i18n::Lang;
use crate::web::pages::reading::image_url;
use crate::web::pages::views::article_label;
use crate::web::pages::{PageContext, PageError, blocking, embeds_context};

/// Documents the inbox page shows at once; the rest wait for the next visit.
pub const INBOX_PAGE: usize = 50;

/// One waiting document, as the inbox shows it.
pub struct InboxRow {
    id: String,
    url: String,
    edit_url: String,
    confirm_action: String,
    title: String,
    date: String,
    kind: String,
    recipient: String,
    conventions: String,
    articles: String,
    laws: String,
    consultation: String,
    /// Tesseract's mean confidence, for documents read by OCR.
    ocr: Option<String>,
    /// The first page's image, when pages are rendered.
    image: Option<String>,
    pages: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    ctx: PageContext,
    user: String,
    csrf: String,
    total: usize,
    rows: Vec<InboxRow>,
    confirmed: bool,
}

fn row(
    lang: Lang,
    s: &Submission,
    page_count: usize,
    all: &crate::consultations::Consultations,
    images: bool,
) -> InboxRow {
    let en = |url: String| match lang {
        Lang::Nb => url,
        Lang::En => format!("{url}?lang=en"),
    };
    let joined = |items: Vec<String>| {
        if items.is_empty() {
            "–".to_string()
        } else {
            items.join(", ")
        }
    };
    InboxRow {
        id: s.id.to_string(),
        url: en(format!("/dokument/{}", s.id)),
        edit_url: en(format!("/dokument/{}/rediger", s.id)),
        confirm_action: format!("/innboks/{}/bekreft", s.id),
        title: s.title.clone(),
        date: s
            .date
            .map(|d| lang.date(d))
            .unwrap_or_else(|| lang.texts().unknown_date.to_string()),
        kind: lang.kind(s.kind).to_string(),
        recipient: s.recipient.clone().unwrap_or_else(|| "–".into()),
        conventions: joined(
            s.conventions
                .iter()
                .map(|c| lang.convention(*c).to_string())
                .collect(),
        ),
        articles: joined(s.articles.iter().map(|a| article_label(lang, *a)).collect()),
        laws: joined(
            s.laws
                .iter()
                .map(|id| {
                    crate::tagging::laws::law(id)
                        .map(|l| l.name.to_string())
                        .unwrap_or_else(|| id.clone())
                })
                .collect(),
        ),
        consultation: all
            .link(s.consultation.as_deref(), s.their_reference.as_deref())
            .map(|c| c.title.clone())
            .unwrap_or_else(|| "–".into()),
        ocr: s
            .ocr
            .map(|o| format!("{:.0} % ({} s.)", o.mean_confidence, o.pages)),
        image: (images && page_count > 0).then(|| image_url(&s.id, 1, ImageSize::Medium)),
        pages: page_count,
    }
}

/// `GET /innboks`: the documents waiting for review, newest first.
pub async fn inbox(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let lang = ctx.lang();
    let index = state.index.clone();
    let (total, docs) = blocking(move || Ok(index.to_review(INBOX_PAGE)?)).await?;
    let all = state.consultations.current();
    let images = state.page_images.as_ref().is_some_and(|p| p.available());
    let rows = docs
        .iter()
        .map(|d| row(lang, &d.submission, d.page_count, &all, images))
        .collect();
    let confirmed = ctx.query.split('&').any(|p| p == "bekreftet=1");
    Ok(InboxPage {
        ctx,
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        total,
        rows,
        confirmed,
    }
    .into_response())
}

/// `POST /innboks/{id}/bekreft`: what was detected is right; the document leaves the
/// inbox. Its metadata stays as detected (title and date are written down, as any edit
/// does, since they may come from the PDF's own metadata).
pub async fn confirm(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (_, lang) = super::pages::checked_form(&user, &body)?;
    let id = DocId::parse(&id).ok_or(PageError::NotFound(lang))?;
    let st = state.clone();
    let target = id.clone();
    let result = blocking(move || {
        let doc = st
            .index
            .metadata(&target)?
            .ok_or(PageError::NotFound(lang))?
            .submission;
        let sidecar = st
            .library
            .read_sidecar(&st.library.entry(&doc.file))
            .ok()
            .flatten();
        let mut confirmed = metadata::current(&doc, sidecar);
        confirmed.reviewed = Some(true);
        Ok(archive(&st)?.update(&target, confirmed))
    })
    .await?;
    match result {
        Ok(s) => {
            state.staff.record(
                AuditEntry::now(user.name.clone(), "confirm")
                    .target(s.id.to_string())
                    .detail(s.title.clone())
                    .address(client_address(&extensions)),
            );
            let suffix = if lang == Lang::En { "&lang=en" } else { "" };
            Ok(Redirect::to(&format!("/innboks?bekreftet=1{suffix}")).into_response())
        }
        Err(ChangeError::NotFound(_)) => Err(PageError::NotFound(lang)),
        Err(e) => Err(PageError::Internal(e.to_string())),
    }
}

embeds_context!(InboxPage);
