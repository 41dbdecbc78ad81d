//! The staff pages: the upload form, the metadata editor, delete and restore, the trash
//! and the audit log. Session-guarded; every form carries the session's CSRF token; every
//! failure is a [`PageError`].

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::metadata::{Fields, MetadataEdit};
use super::{UploadRefused, archive, receive_upload};
use crate::archive::ChangeError;
use crate::audit::{AuditEntry, AuditLog};
use crate::consultations::Consultations;
use crate::extract::ExtractError;
use crate::library::Sidecar;
use crate::model::{Convention, DocId, Kind, Submission};
use crate::web::AppState;
use crate::web::auth::{StaffUser, check_csrf, client_address};
use crate::web::i18n::Lang;
use crate::web::pages::views::{Chrome, article_label};
use crate::web::pages::{PageContext, PageError, blocking, embeds_context};

/// A posted staff form: its fields, once its CSRF token is the session's, and the
/// language it was filled in.
fn checked_form(user: &StaffUser, body: &[u8]) -> Result<(Fields, Lang), PageError> {
    let fields = Fields::parse(body);
    check_csrf(user, fields.get("csrf").unwrap_or(""))?;
    let lang = Lang::from_param(fields.get("lang").unwrap_or(""));
    Ok((fields, lang))
}

/// A failed change of a document, as a page.
fn change_failed(lang: Lang, e: ChangeError) -> PageError {
    match e {
        ChangeError::NotFound(_) => PageError::NotFound(lang),
        ChangeError::IndexLost(e) => {
            tracing::error!("a change failed: {e}");
            PageError::Unavailable {
                message: lang.texts().upload_index_lost.into(),
                lang,
                retry_after: None,
            }
        }
        e => PageError::Internal(e.to_string()),
    }
}

/// A metadata edit from a form, checked; a bad value is a 400 page in the form's language.
fn form_metadata(
    fields: &Fields,
    lang: Lang,
    sample: bool,
    consultations: &Consultations,
) -> Result<Sidecar, PageError> {
    MetadataEdit::from_form(fields)
        .apply(Sidecar {
            sample,
            ..Sidecar::default()
        })
        .and_then(|m| super::metadata::check_consultation(&m, consultations).map(|()| m))
        .map_err(|e| PageError::BadRequest {
            message: e.message(lang),
            lang,
        })
}

/// The fields of the metadata form, filled in.
pub struct MetaForm {
    pub action: String,
    pub csrf: String,
    pub title: String,
    pub kind: String,
    pub date: String,
    pub recipient: String,
    pub reference: String,
    pub language: String,
    pub source_url: String,
    pub manual_conventions: bool,
    pub conventions: Vec<(String, String, bool)>,
    /// Law ids chosen by hand, comma-separated; empty: detected.
    pub laws: String,
    /// What the document's laws are now, detected or chosen.
    pub current_laws: String,
    pub kinds: Vec<(String, String)>,
    /// The consultation chosen (an id, or empty), and every one to choose from:
    /// (id, title, chosen).
    pub consultation: String,
    pub consultations: Vec<(String, String, bool)>,
}

impl MetaForm {
    fn new(lang: Lang, action: String, csrf: String) -> MetaForm {
        MetaForm {
            action,
            csrf,
            title: String::new(),
            kind: String::new(),
            date: String::new(),
            recipient: String::new(),
            reference: String::new(),
            language: String::new(),
            source_url: String::new(),
            manual_conventions: false,
            conventions: Convention::ALL
                .iter()
                .map(|c| (c.id().to_string(), lang.convention(*c).to_string(), false))
                .collect(),
            laws: String::new(),
            current_laws: String::new(),
            kinds: Kind::ALL
                .iter()
                .map(|k| (k.id().to_string(), lang.kind(*k).to_string()))
                .collect(),
            consultation: String::new(),
            consultations: Vec::new(),
        }
    }

    /// The consultations to choose from, `chosen` selected.
    fn with_consultations(mut self, all: &Consultations, chosen: Option<&str>) -> MetaForm {
        self.consultation = chosen.unwrap_or_default().to_string();
        self.consultations = all
            .iter()
            .map(|c| (c.id.clone(), c.title.clone(), Some(c.id.as_str()) == chosen))
            .collect();
        self
    }

    /// Prefilled with a document's current values, so saving writes them all down.
    /// The consultation the document answers now (named or detected) is chosen.
    fn for_document(
        lang: Lang,
        s: &Submission,
        csrf: String,
        manual: bool,
        laws: Option<&[String]>,
        all: &Consultations,
    ) -> MetaForm {
        let linked = all.link(s.consultation.as_deref(), s.their_reference.as_deref());
        let mut form = MetaForm::new(lang, format!("/dokument/{}/rediger", s.id), csrf)
            .with_consultations(all, linked.map(|c| c.id.as_str()));
        form.title = s.title.clone();
        form.kind = s.kind.id().to_string();
        form.date = s
            .date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        form.recipient = s.recipient.clone().unwrap_or_default();
        form.reference = s.reference.clone().unwrap_or_default();
        form.language = s.language.map(|l| l.id().to_string()).unwrap_or_default();
        form.source_url = s.source_url.clone().unwrap_or_default();
        form.laws = laws.map(|l| l.join(", ")).unwrap_or_default();
        form.current_laws = s.laws.join(", ");
        form.manual_conventions = manual;
        for (id, _, checked) in &mut form.conventions {
            *checked = s.conventions.iter().any(|c| c.id() == id);
        }
        form
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "upload.html")]
pub struct UploadPage {
    ctx: PageContext,
    user: String,
    csrf: String,
    form: MetaForm,
    max_mb: usize,
    outcomes: Vec<Outcome>,
}

/// What became of one uploaded file.
pub struct Outcome {
    client_name: String,
    /// The document, with a form to correct what was detected.
    added: Option<AddedView>,
    error: Option<String>,
    existing_url: Option<String>,
}

pub struct AddedView {
    url: String,
    title: String,
    year: String,
    conventions: String,
    articles: String,
    pages: usize,
    warning: Option<String>,
    form: MetaForm,
}

/// The upload page in `lang` (a form's language field may differ from its URL's).
fn upload_page(
    mut ctx: PageContext,
    lang: Lang,
    user: &StaffUser,
    max_bytes: usize,
    outcomes: Vec<Outcome>,
    all: &Consultations,
) -> UploadPage {
    ctx.chrome = Chrome::new(lang, "/last-opp", "");
    UploadPage {
        ctx,
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        form: MetaForm::new(lang, "/last-opp".into(), user.csrf.clone())
            .with_consultations(all, None),
        max_mb: max_bytes / (1024 * 1024),
        outcomes,
    }
}

pub async fn upload_form(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    ctx: PageContext,
) -> Response {
    let lang = ctx.lang();
    upload_page(
        ctx,
        lang,
        &user,
        state.staff.max_upload_bytes,
        Vec::new(),
        &state.consultations.current(),
    )
    .into_response()
}

fn change_message(lang: Lang, error: &ChangeError) -> String {
    let t = lang.texts();
    match error {
        ChangeError::NotPdf => t.upload_not_pdf.to_string(),
        ChangeError::Duplicate(_) => t.upload_duplicate.to_string(),
        ChangeError::Unreadable(e) => match e {
            ExtractError::Encrypted => t.upload_encrypted.to_string(),
            ExtractError::Empty => t.upload_empty.to_string(),
            ExtractError::NotPdf => t.upload_not_pdf.to_string(),
            ExtractError::Timeout(_) | ExtractError::OutOfMemory(_) => {
                t.upload_too_hard.to_string()
            }
            _ => t.upload_unreadable.to_string(),
        },
        ChangeError::NotFound(_) => t.not_found_text.to_string(),
        ChangeError::IndexLost(_) => t.upload_index_lost.to_string(),
        _ => t.error_text.to_string(),
    }
}

pub async fn upload(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    ctx: PageContext,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (slot, request) = receive_upload(&state.staff, multipart)
        .await
        .map_err(|refused| match refused {
            UploadRefused::Busy => PageError::Unavailable {
                message: ctx.lang().texts().upload_busy.into(),
                lang: ctx.lang(),
                retry_after: Some(super::UPLOAD_RETRY_AFTER_SECS),
            },
            UploadRefused::TooLarge => PageError::TooLarge(Lang::Nb),
            UploadRefused::Unreadable(message) => PageError::BadRequest {
                message,
                lang: Lang::Nb,
            },
        })?;
    let lang = Lang::from_param(request.fields.get("lang").unwrap_or(""));
    check_csrf(&user, request.fields.get("csrf").unwrap_or(""))?;
    let mut metadata = form_metadata(&request.fields, lang, false, &state.consultations.current())?;
    if request.files.len() > 1 {
        // One title cannot name several documents.
        metadata.title = None;
    }
    if request.files.is_empty() {
        return Err(PageError::BadRequest {
            message: lang.texts().upload_no_file.into(),
            lang,
        });
    }
    let address = client_address(&extensions);
    let mut outcomes = Vec::new();
    let (mut not_pdf, mut index_lost) = (false, false);
    // Files are added one by one; each is durable and searchable before the next.
    for (client_name, bytes) in request.files {
        let st = state.clone();
        let meta = metadata.clone();
        let slot = slot.clone();
        let result = blocking(move || {
            let _slot = slot;
            let added = archive(&st)?.add(&bytes, meta);
            if let Ok(a) = &added {
                st.documents_added(std::slice::from_ref(&a.submission.id));
            }
            Ok(added)
        })
        .await?;
        outcomes.push(match result {
            Ok(added) => {
                let s = &added.submission;
                state.staff.record(
                    AuditEntry::now(user.name.clone(), "upload")
                        .target(s.id.to_string())
                        .detail(format!("{} ({client_name})", s.file))
                        .address(address.clone()),
                );
                Outcome {
                    client_name,
                    added: Some(added_view(
                        lang,
                        s,
                        &user,
                        added.warning.is_some(),
                        &state.consultations.current(),
                    )),
                    error: None,
                    existing_url: None,
                }
            }
            Err(e) => Outcome {
                client_name,
                existing_url: match &e {
                    ChangeError::NotPdf => {
                        not_pdf = true;
                        None
                    }
                    ChangeError::IndexLost(_) => {
                        index_lost = true;
                        None
                    }
                    ChangeError::Duplicate(id) => Some(format!("/dokument/{id}")),
                    _ => None,
                },
                error: Some(change_message(lang, &e)),
                added: None,
            },
        });
    }
    let status = if outcomes.iter().any(|o| o.added.is_some()) {
        StatusCode::CREATED
    } else if outcomes.iter().any(|o| o.existing_url.is_some()) {
        StatusCode::CONFLICT
    } else if not_pdf {
        StatusCode::BAD_REQUEST
    } else if index_lost {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        upload_page(
            ctx,
            lang,
            &user,
            state.staff.max_upload_bytes,
            outcomes,
            &state.consultations.current(),
        ),
    )
        .into_response())
}

fn added_view(
    lang: Lang,
    s: &Submission,
    user: &StaffUser,
    no_text: bool,
    all: &Consultations,
) -> AddedView {
    let url = format!("/dokument/{}", s.id);
    AddedView {
        url: match lang {
            Lang::Nb => url,
            Lang::En => format!("{url}?lang=en"),
        },
        title: s.title.clone(),
        year: s
            .year()
            .map(|y| y.to_string())
            .unwrap_or_else(|| lang.texts().unknown_date.into()),
        conventions: s
            .conventions
            .iter()
            .map(|c| lang.convention(*c))
            .collect::<Vec<_>>()
            .join(", "),
        articles: s
            .articles
            .iter()
            .map(|a| article_label(lang, *a))
            .collect::<Vec<_>>()
            .join(", "),
        pages: s.pages.len(),
        warning: no_text.then(|| lang.texts().no_text_badge.to_string()),
        form: MetaForm::for_document(lang, s, user.csrf.clone(), false, None, all),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "edit.html")]
pub struct EditPage {
    ctx: PageContext,
    user: String,
    csrf: String,
    title: String,
    url: String,
    form: MetaForm,
    delete_action: String,
    saved: bool,
}

pub async fn edit_form(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let lang = ctx.lang();
    let id = DocId::parse(&id).ok_or(PageError::NotFound(lang))?;
    let (index, library) = (state.index.clone(), state.library.clone());
    let (doc, sidecar) = blocking(move || {
        let doc = index.metadata(&id)?.map(|d| d.submission);
        let sidecar = doc
            .as_ref()
            .and_then(|d| library.read_sidecar(&library.entry(&d.file)).ok().flatten());
        Ok((doc, sidecar))
    })
    .await?;
    let doc = doc.ok_or(PageError::NotFound(lang))?;
    let manual = sidecar.as_ref().is_some_and(|s| s.conventions.is_some());
    let laws = sidecar.and_then(|s| s.laws);
    let saved = ctx.query.split('&').any(|p| p == "lagret=1");
    Ok(edit_page(
        ctx,
        &user,
        &doc,
        manual,
        laws.as_deref(),
        saved,
        &state.consultations.current(),
    )
    .into_response())
}

fn edit_page(
    mut ctx: PageContext,
    user: &StaffUser,
    doc: &Submission,
    manual: bool,
    laws: Option<&[String]>,
    saved: bool,
    all: &Consultations,
) -> EditPage {
    let lang = ctx.lang();
    // The other language's editor, without the "saved" notice.
    ctx.chrome = Chrome::new(lang, &format!("/dokument/{}/rediger", doc.id), "");
    let url = ctx.chrome.link(&format!("/dokument/{}", doc.id));
    EditPage {
        ctx,
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        title: doc.title.clone(),
        url,
        form: MetaForm::for_document(lang, doc, user.csrf.clone(), manual, laws, all),
        delete_action: format!("/dokument/{}/slett", doc.id),
        saved,
    }
}

pub async fn edit(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (fields, lang) = checked_form(&user, &body)?;
    let id = DocId::parse(&id).ok_or(PageError::NotFound(lang))?;
    let st = state.clone();
    let target = id.clone();
    let sample = blocking(move || {
        let doc = st.index.metadata(&target)?;
        Ok(doc.is_some_and(|d| d.submission.sample))
    })
    .await?;
    let metadata = form_metadata(&fields, lang, sample, &state.consultations.current())?;
    let st = state.clone();
    let target = id.clone();
    let result = blocking(move || Ok(archive(&st)?.update(&target, metadata))).await?;
    match result {
        Ok(s) => {
            state.staff.record(
                AuditEntry::now(user.name.clone(), "edit")
                    .target(s.id.to_string())
                    .detail(s.title.clone())
                    .address(client_address(&extensions)),
            );
            let suffix = if lang == Lang::En { "&lang=en" } else { "" };
            Ok(Redirect::to(&format!("/dokument/{id}/rediger?lagret=1{suffix}")).into_response())
        }
        Err(e) => Err(change_failed(lang, e)),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (fields, lang) = checked_form(&user, &body)?;
    let id = DocId::parse(&id).ok_or(PageError::NotFound(lang))?;
    // The form asks to confirm with a box (no script needed); the API's DELETE does not.
    if fields.get("confirm") != Some("1") {
        return Err(PageError::BadRequest {
            message: lang.texts().delete_unconfirmed.into(),
            lang,
        });
    }
    let st = state.clone();
    let target = id.clone();
    match blocking(move || Ok(archive(&st)?.delete(&target))).await? {
        Ok(name) => {
            state.staff.record(
                AuditEntry::now(user.name.clone(), "delete")
                    .target(id.to_string())
                    .detail(name)
                    .address(client_address(&extensions)),
            );
            let suffix = if lang == Lang::En { "?lang=en" } else { "" };
            Ok(Redirect::to(&format!("/papirkurv{suffix}")).into_response())
        }
        Err(e) => Err(change_failed(lang, e)),
    }
}

pub struct TrashRow {
    title: String,
    file: String,
    deleted: String,
    action: String,
}

/// A trash name's time stamp (`20261130T171200.123Z`) as people read it, in UTC.
fn trash_time(lang: Lang, stamp: &str) -> String {
    match chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%.3fZ") {
        Ok(t) => format!("{}, {} UTC", lang.date(t.date()), t.format("%H:%M")),
        Err(_) => stamp.to_string(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "trash.html")]
pub struct TrashPage {
    ctx: PageContext,
    user: String,
    csrf: String,
    rows: Vec<TrashRow>,
}

pub async fn trash(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let dir = state.staff.data.as_ref().map(|d| d.trash());
    let items = blocking(move || match dir {
        Some(dir) => {
            crate::library::trash_items(&dir).map_err(|e| PageError::Internal(e.to_string()))
        }
        None => Ok(Vec::new()),
    })
    .await?;
    let rows = items
        .into_iter()
        .map(|i| TrashRow {
            action: format!(
                "/papirkurv/{}/gjenopprett",
                form_urlencoded::byte_serialize(i.name.as_bytes()).collect::<String>()
            ),
            title: i.title.unwrap_or_else(|| i.file.clone()),
            file: i.file,
            deleted: trash_time(ctx.lang(), &i.deleted),
        })
        .collect();
    Ok(TrashPage {
        ctx,
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        rows,
    }
    .into_response())
}

pub async fn restore(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (_, lang) = checked_form(&user, &body)?;
    let st = state.clone();
    let trash_name = name.clone();
    match blocking(move || Ok(archive(&st)?.restore(&trash_name))).await? {
        Ok(s) => {
            state.staff.record(
                AuditEntry::now(user.name.clone(), "restore")
                    .target(s.id.to_string())
                    .detail(name)
                    .address(client_address(&extensions)),
            );
            let suffix = if lang == Lang::En { "&lang=en" } else { "" };
            Ok(
                Redirect::to(&format!("/dokument/{}?gjenopprettet=1{suffix}", s.id))
                    .into_response(),
            )
        }
        Err(ChangeError::Library(_)) => Err(PageError::BadRequest {
            message: lang.texts().restore_failed.into(),
            lang,
        }),
        // The files went back to the trash; staff should know why.
        Err(e @ ChangeError::Unreadable(_)) => Err(PageError::BadRequest {
            message: change_message(lang, &e),
            lang,
        }),
        Err(e) => Err(change_failed(lang, e)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    ctx: PageContext,
    user: String,
    csrf: String,
    entries: Vec<AuditRow>,
    /// The next page of older entries, when there is one.
    older: Option<String>,
}

/// An audit log entry as the page shows it: the action in words, a document linked.
pub struct AuditRow {
    time: String,
    user: String,
    action_id: String,
    action: String,
    target: Option<String>,
    target_url: Option<String>,
    detail: Option<String>,
    address: Option<String>,
    count: Option<u64>,
}

impl AuditRow {
    fn new(lang: Lang, e: AuditEntry) -> AuditRow {
        let target_url = e
            .target
            .as_deref()
            .and_then(DocId::parse)
            .map(|id| match lang {
                Lang::Nb => format!("/dokument/{id}"),
                Lang::En => format!("/dokument/{id}?lang=en"),
            });
        AuditRow {
            time: e.time.format("%Y-%m-%d %H:%M:%S").to_string(),
            user: e.user,
            action: lang.audit_action(&e.action),
            action_id: e.action,
            target: e.target,
            target_url,
            detail: e.detail,
            address: e.address,
            count: e.count,
        }
    }
}

/// Entries on a page of the audit log, and the pages that can be asked for.
const AUDIT_PAGE: usize = 500;
const AUDIT_PAGES: usize = 1000;

pub async fn audit_log(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let path = state.staff.data.as_ref().map(|d| d.audit_file());
    // `side=N` (1-based), read from the log's end; one entry more than a page tells
    // whether there is an older one.
    let side = ctx
        .param("side")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, AUDIT_PAGES);
    let mut entries = blocking(move || match path {
        Some(path) => AuditLog::new(path)
            .page((side - 1) * AUDIT_PAGE, AUDIT_PAGE + 1)
            .map_err(|e| PageError::Internal(e.to_string())),
        None => Ok(Vec::new()),
    })
    .await?;
    let older = (entries.len() > AUDIT_PAGE && side < AUDIT_PAGES).then(|| {
        let en = if ctx.lang() == Lang::En {
            "&lang=en"
        } else {
            ""
        };
        format!("/logg?side={}{en}", side + 1)
    });
    entries.truncate(AUDIT_PAGE);
    let lang = ctx.lang();
    let entries = entries
        .into_iter()
        .map(|e| AuditRow::new(lang, e))
        .collect();
    Ok(AuditPage {
        ctx,
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        entries,
        older,
    }
    .into_response())
}

embeds_context!(UploadPage, EditPage, TrashPage, AuditPage);
