//! Staff pages and the write API: upload, correct metadata, delete and restore, the audit
//! log. Every route here is built by [`staff_router`] behind [`auth::require_staff`], and
//! [`STAFF_ROUTES`] lists them for the tests that prove it.

use std::sync::{Arc, Mutex};

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, RawQuery, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;

use super::auth::{self, StaffUser, check_csrf, client_address};
use super::i18n::{Lang, Texts};
use super::{AppError, AppState, blocking};
use crate::accounts::DataDir;
use crate::api::DocumentJson;
use crate::archive::{Archive, ChangeError};
use crate::audit::{AuditEntry, AuditLog};
use crate::extract::{ExtractConfig, ExtractError};
use crate::index::ArchiveWriter;
use crate::library::Sidecar;
use crate::model::{Convention, DocId, Kind, Language, Submission};

/// What staff features need; absent pieces make the archive read-only.
pub struct Staff {
    pub data: Option<DataDir>,
    pub writer: Option<Mutex<ArchiveWriter>>,
    pub extract: Option<ExtractConfig>,
    pub sessions: auth::Sessions,
    pub limiter: auth::Limiter,
    pub audit: Option<AuditLog>,
    pub max_upload_bytes: usize,
    /// Cookies marked Secure when the archive is served over HTTPS.
    pub secure_cookies: bool,
}

/// Default upload limit: 100 MB.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 100 * 1024 * 1024;

impl Staff {
    /// No accounts, no writer: every staff route refuses.
    pub fn disabled() -> Staff {
        Staff {
            data: None,
            writer: None,
            extract: None,
            sessions: auth::Sessions::default(),
            limiter: auth::Limiter::default(),
            audit: None,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            secure_cookies: false,
        }
    }

    /// Staff features over a data directory, with the index's writer.
    pub fn new(
        data: DataDir,
        writer: ArchiveWriter,
        extract: ExtractConfig,
        max_upload_bytes: usize,
        secure_cookies: bool,
    ) -> Staff {
        Staff {
            sessions: auth::Sessions::load(&data),
            audit: Some(AuditLog::new(data.audit_file())),
            data: Some(data),
            writer: Some(Mutex::new(writer)),
            extract: Some(extract),
            limiter: auth::Limiter::default(),
            max_upload_bytes,
            secure_cookies,
        }
    }

    /// Appends to the audit log; a failure to log is reported, not fatal to the request.
    pub fn record(&self, entry: AuditEntry) {
        if let Some(audit) = &self.audit
            && let Err(e) = audit.record(&entry)
        {
            tracing::error!("cannot write the audit log: {e}");
        }
    }
}

/// Every staff route: (method, path). The router is built from the same table.
pub const STAFF_ROUTES: &[(&str, &str)] = &[
    ("GET", "/last-opp"),
    ("POST", "/last-opp"),
    ("GET", "/dokument/{id}/rediger"),
    ("POST", "/dokument/{id}/rediger"),
    ("POST", "/dokument/{id}/slett"),
    ("GET", "/papirkurv"),
    ("POST", "/papirkurv/{name}/gjenopprett"),
    ("GET", "/logg"),
    ("POST", "/api/documents"),
    ("PATCH", "/api/documents/{id}"),
    ("DELETE", "/api/documents/{id}"),
];

/// The staff routes, all behind the staff guard.
pub fn staff_router(state: &AppState) -> Router<AppState> {
    let upload_limit =
        DefaultBodyLimit::max(state.staff.max_upload_bytes.saturating_add(1024 * 1024));
    let mut router = Router::new();
    for (method, path) in STAFF_ROUTES {
        let handler = match (*method, *path) {
            ("GET", "/last-opp") => get(upload_form),
            ("POST", "/last-opp") => post(upload).layer(upload_limit),
            ("GET", "/dokument/{id}/rediger") => get(edit_form),
            ("POST", "/dokument/{id}/rediger") => post(edit),
            ("POST", "/dokument/{id}/slett") => post(delete),
            ("GET", "/papirkurv") => get(trash),
            ("POST", "/papirkurv/{name}/gjenopprett") => post(restore),
            ("GET", "/logg") => get(audit_log),
            ("POST", "/api/documents") => post(api_upload).layer(upload_limit),
            ("PATCH", "/api/documents/{id}") => axum::routing::patch(api_patch),
            ("DELETE", "/api/documents/{id}") => axum::routing::delete(api_delete),
            _ => unreachable!("every staff route has a handler: {method} {path}"),
        };
        router = router.route(path, handler);
    }
    router.route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::require_staff,
    ))
}

/// Methods of [`STAFF_ROUTES`], parsed.
pub fn staff_routes() -> Vec<(Method, &'static str)> {
    STAFF_ROUTES
        .iter()
        .map(|(m, p)| (Method::from_bytes(m.as_bytes()).expect("valid method"), *p))
        .collect()
}

fn archive(state: &AppState) -> Result<Archive<'_>, AppError> {
    let staff = &state.staff;
    match (&staff.writer, &staff.extract, &staff.data) {
        (Some(writer), Some(extract), Some(data)) => Ok(Archive {
            library: &state.library,
            index: &state.index,
            writer,
            extract,
            incoming: data.incoming(),
            trash: data.trash(),
        }),
        _ => Err(AppError::Internal("the archive is read-only".into())),
    }
}

/// Form fields in order, with repeats (checkboxes).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn parse(body: &[u8]) -> Fields {
        Fields(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Metadata fields of a form (upload or edit) as a sidecar; empty fields mean "detect".
fn sidecar_from(fields: &Fields, lang: Lang, keep_sample: bool) -> Result<Sidecar, String> {
    let t = lang.texts();
    let text = |name: &str| {
        fields
            .get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let kind = match text("kind") {
        Some(k) => Some(Kind::from_id(&k).ok_or_else(|| format!("{}: {k}", t.invalid_kind))?),
        None => None,
    };
    let date = match text("date") {
        Some(d) => Some(
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|_| format!("{}: {d}", t.invalid_date))?,
        ),
        None => None,
    };
    let language = match text("language") {
        Some(l) => {
            Some(Language::from_id(&l).ok_or_else(|| format!("{}: {l}", t.invalid_language))?)
        }
        None => None,
    };
    let source_url = text("source_url");
    if let Some(u) = &source_url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        return Err(format!("{}: {u}", t.invalid_url));
    }
    let conventions = if fields.get("conventions_mode") == Some("manual") {
        let mut list = Vec::new();
        for id in fields.all("conventions") {
            list.push(
                Convention::from_id(id).ok_or_else(|| format!("{}: {id}", t.invalid_convention))?,
            );
        }
        list.sort();
        list.dedup();
        Some(list)
    } else {
        None
    };
    Ok(Sidecar {
        title: text("title"),
        kind,
        date,
        recipient: text("recipient"),
        reference: text("reference"),
        conventions,
        language,
        source_url,
        sample: keep_sample,
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
    pub kinds: Vec<(String, String)>,
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
            kinds: Kind::ALL
                .iter()
                .map(|k| (k.id().to_string(), lang.kind(*k).to_string()))
                .collect(),
        }
    }

    /// Prefilled with a document's current values, so saving writes them all down.
    fn for_document(lang: Lang, s: &Submission, csrf: String, manual: bool) -> MetaForm {
        let mut form = MetaForm::new(lang, format!("/dokument/{}/rediger", s.id), csrf);
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
        form.manual_conventions = manual;
        for (id, _, checked) in &mut form.conventions {
            *checked = s.conventions.iter().any(|c| c.id() == id);
        }
        form
    }
}

fn lang_of(raw: &Option<String>) -> Lang {
    Lang::from_query(raw.as_deref())
}

#[derive(Template, WebTemplate)]
#[template(path = "upload.html")]
pub struct UploadPage {
    t: &'static Texts,
    lang: Lang,
    lang_switch: String,
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
    year: String,
    conventions: String,
    articles: String,
    pages: usize,
    warning: Option<String>,
    form: MetaForm,
}

fn upload_page(
    lang: Lang,
    user: &StaffUser,
    max_bytes: usize,
    outcomes: Vec<Outcome>,
) -> UploadPage {
    UploadPage {
        t: lang.texts(),
        lang,
        lang_switch: if lang == Lang::En {
            "/last-opp".into()
        } else {
            "/last-opp?lang=en".into()
        },
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        form: MetaForm::new(lang, "/last-opp".into(), user.csrf.clone()),
        max_mb: max_bytes / (1024 * 1024),
        outcomes,
    }
}

pub async fn upload_form(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    RawQuery(raw): RawQuery,
) -> Response {
    upload_page(
        lang_of(&raw),
        &user,
        state.staff.max_upload_bytes,
        Vec::new(),
    )
    .into_response()
}

/// One file and the metadata fields of a multipart request.
struct UploadRequest {
    files: Vec<(String, Bytes)>,
    fields: Fields,
}

async fn read_multipart(
    mut multipart: Multipart,
    max_bytes: usize,
) -> Result<UploadRequest, (StatusCode, String)> {
    let mut files = Vec::new();
    let mut fields = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err((e.status(), e.body_text())),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" || name == "files" {
            // The client's file name is shown back to staff, never used as a path.
            let client_name = field.file_name().unwrap_or("dokument.pdf").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| (e.status(), e.body_text()))?;
            if bytes.len() > max_bytes {
                return Err((StatusCode::PAYLOAD_TOO_LARGE, client_name));
            }
            if !bytes.is_empty() {
                files.push((client_name, bytes));
            }
        } else {
            let value = field
                .text()
                .await
                .map_err(|e| (e.status(), e.body_text()))?;
            fields.push((name, value));
        }
    }
    Ok(UploadRequest {
        files,
        fields: Fields(fields),
    })
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
        _ => t.error_text.to_string(),
    }
}

pub async fn upload(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let max = state.staff.max_upload_bytes;
    let request = match read_multipart(multipart, max).await {
        Ok(r) => r,
        Err((StatusCode::PAYLOAD_TOO_LARGE, _)) => {
            return Err(AppError::TooLarge(Lang::Nb));
        }
        Err((_, message)) => {
            return Err(AppError::BadRequest {
                message,
                lang: Lang::Nb,
            });
        }
    };
    let lang = Lang::from_param(request.fields.get("lang").unwrap_or(""));
    check_csrf(&user, request.fields.get("csrf").unwrap_or(""))?;
    let mut metadata = sidecar_from(&request.fields, lang, false)
        .map_err(|message| AppError::BadRequest { message, lang })?;
    if request.files.len() > 1 {
        // One title cannot name several documents.
        metadata.title = None;
    }
    if request.files.is_empty() {
        return Err(AppError::BadRequest {
            message: lang.texts().upload_no_file.into(),
            lang,
        });
    }
    let address = client_address(&extensions);
    let mut outcomes = Vec::new();
    // Files are added one by one; each is durable and searchable before the next.
    for (client_name, bytes) in request.files {
        let st = state.clone();
        let meta = metadata.clone();
        let result = blocking(move || Ok(archive(&st)?.add(&bytes, meta))).await?;
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
                    added: Some(added_view(lang, s, &user, added.warning.is_some())),
                    error: None,
                    existing_url: None,
                }
            }
            Err(e) => Outcome {
                client_name,
                existing_url: match &e {
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
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, upload_page(lang, &user, max, outcomes)).into_response())
}

fn added_view(lang: Lang, s: &Submission, user: &StaffUser, no_text: bool) -> AddedView {
    AddedView {
        url: format!("/dokument/{}", s.id),
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
            .map(|a| super::views::article_label(lang, *a))
            .collect::<Vec<_>>()
            .join(", "),
        pages: s.pages.len(),
        warning: no_text.then(|| lang.texts().no_text_badge.to_string()),
        form: MetaForm::for_document(lang, s, user.csrf.clone(), false),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "edit.html")]
pub struct EditPage {
    t: &'static Texts,
    lang: Lang,
    lang_switch: String,
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
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let lang = lang_of(&raw);
    let id = DocId::parse(&id).ok_or(AppError::NotFound(lang))?;
    let (index, library) = (state.index.clone(), state.library.clone());
    let (doc, sidecar) = blocking(move || {
        let doc = index.metadata(&id)?.map(|d| d.submission);
        let sidecar = doc
            .as_ref()
            .and_then(|d| library.read_sidecar(&library.entry(&d.file)).ok().flatten());
        Ok((doc, sidecar))
    })
    .await?;
    let doc = doc.ok_or(AppError::NotFound(lang))?;
    let manual = sidecar.is_some_and(|s| s.conventions.is_some());
    let saved = raw
        .as_deref()
        .unwrap_or("")
        .split('&')
        .any(|p| p == "lagret=1");
    Ok(edit_page(lang, &user, &doc, manual, saved).into_response())
}

fn edit_page(
    lang: Lang,
    user: &StaffUser,
    doc: &Submission,
    manual: bool,
    saved: bool,
) -> EditPage {
    EditPage {
        t: lang.texts(),
        lang,
        lang_switch: format!(
            "/dokument/{}/rediger{}",
            doc.id,
            if lang == Lang::En { "" } else { "?lang=en" }
        ),
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        title: doc.title.clone(),
        url: format!("/dokument/{}", doc.id),
        form: MetaForm::for_document(lang, doc, user.csrf.clone(), manual),
        delete_action: format!("/dokument/{}/slett", doc.id),
        saved,
    }
}

pub async fn edit(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let fields = Fields::parse(&body);
    check_csrf(&user, fields.get("csrf").unwrap_or(""))?;
    let lang = Lang::from_param(fields.get("lang").unwrap_or(""));
    let id = DocId::parse(&id).ok_or(AppError::NotFound(lang))?;
    let st = state.clone();
    let target = id.clone();
    let sample = blocking(move || {
        let doc = st.index.metadata(&target)?;
        Ok(doc.is_some_and(|d| d.submission.sample))
    })
    .await?;
    let metadata = sidecar_from(&fields, lang, sample)
        .map_err(|message| AppError::BadRequest { message, lang })?;
    let st = state.clone();
    let target = id.clone();
    let result = blocking(move || Ok(archive(&st)?.update(&target, metadata))).await?;
    match result {
        Ok(s) => {
            state.staff.record(
                AuditEntry::now(user.name.clone(), "edit")
                    .target(s.id.to_string())
                    .detail(s.title.clone()),
            );
            let suffix = if lang == Lang::En { "&lang=en" } else { "" };
            Ok(Redirect::to(&format!("/dokument/{id}/rediger?lagret=1{suffix}")).into_response())
        }
        Err(ChangeError::NotFound(_)) => Err(AppError::NotFound(lang)),
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let fields = Fields::parse(&body);
    check_csrf(&user, fields.get("csrf").unwrap_or(""))?;
    let lang = Lang::from_param(fields.get("lang").unwrap_or(""));
    let id = DocId::parse(&id).ok_or(AppError::NotFound(lang))?;
    let st = state.clone();
    let target = id.clone();
    match blocking(move || Ok(archive(&st)?.delete(&target))).await? {
        Ok(name) => {
            state.staff.record(
                AuditEntry::now(user.name.clone(), "delete")
                    .target(id.to_string())
                    .detail(name),
            );
            Ok(Redirect::to("/papirkurv").into_response())
        }
        Err(ChangeError::NotFound(_)) => Err(AppError::NotFound(lang)),
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}

pub struct TrashRow {
    file: String,
    deleted: String,
    action: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "trash.html")]
pub struct TrashPage {
    t: &'static Texts,
    lang: Lang,
    lang_switch: String,
    user: String,
    csrf: String,
    rows: Vec<TrashRow>,
}

pub async fn trash(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let lang = lang_of(&raw);
    let dir = state.staff.data.as_ref().map(|d| d.trash());
    let items = blocking(move || match dir {
        Some(dir) => {
            crate::library::trash_items(&dir).map_err(|e| AppError::Internal(e.to_string()))
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
            file: i.file,
            deleted: i.deleted,
        })
        .collect();
    Ok(TrashPage {
        t: lang.texts(),
        lang,
        lang_switch: if lang == Lang::En {
            "/papirkurv".into()
        } else {
            "/papirkurv?lang=en".into()
        },
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        rows,
    }
    .into_response())
}

pub async fn restore(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let fields = Fields::parse(&body);
    check_csrf(&user, fields.get("csrf").unwrap_or(""))?;
    let lang = Lang::from_param(fields.get("lang").unwrap_or(""));
    let st = state.clone();
    let trash_name = name.clone();
    match blocking(move || Ok(archive(&st)?.restore(&trash_name))).await? {
        Ok(s) => {
            state.staff.record(
                AuditEntry::now(user.name.clone(), "restore")
                    .target(s.id.to_string())
                    .detail(name),
            );
            Ok(Redirect::to(&format!("/dokument/{}", s.id)).into_response())
        }
        Err(ChangeError::Library(_)) => Err(AppError::BadRequest {
            message: lang.texts().restore_failed.into(),
            lang,
        }),
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    t: &'static Texts,
    lang: Lang,
    lang_switch: String,
    user: String,
    csrf: String,
    entries: Vec<AuditEntry>,
}

pub async fn audit_log(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let lang = lang_of(&raw);
    let path = state.staff.data.as_ref().map(|d| d.audit_file());
    let entries = blocking(move || match path {
        Some(path) => AuditLog::new(path)
            .recent(500)
            .map_err(|e| AppError::Internal(e.to_string())),
        None => Ok(Vec::new()),
    })
    .await?;
    Ok(AuditPage {
        t: lang.texts(),
        lang,
        lang_switch: if lang == Lang::En {
            "/logg".into()
        } else {
            "/logg?lang=en".into()
        },
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        entries,
    }
    .into_response())
}

/// The API's answer for a failed write.
fn api_error(status: StatusCode, message: &str, id: Option<&DocId>) -> Response {
    let mut body = serde_json::json!({ "error": message });
    if let Some(id) = id {
        body["id"] = serde_json::Value::String(id.to_string());
    }
    (status, Json(body)).into_response()
}

pub async fn api_upload(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    multipart: Multipart,
) -> Response {
    let max = state.staff.max_upload_bytes;
    let request = match read_multipart(multipart, max).await {
        Ok(r) => r,
        Err((StatusCode::PAYLOAD_TOO_LARGE, _)) => {
            return api_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the file is larger than {} MB", max / (1024 * 1024)),
                None,
            );
        }
        Err((status, message)) => return api_error(status, &message, None),
    };
    let metadata = match sidecar_from(&request.fields, Lang::En, false) {
        Ok(m) => m,
        Err(message) => return api_error(StatusCode::BAD_REQUEST, &message, None),
    };
    let mut files = request.files;
    if files.len() != 1 {
        return api_error(
            StatusCode::BAD_REQUEST,
            "send exactly one PDF in the field `file`",
            None,
        );
    }
    let (client_name, bytes) = files.remove(0);
    let st = state.clone();
    let result = match blocking(move || Ok(archive(&st)?.add(&bytes, metadata))).await {
        Ok(r) => r,
        Err(e) => return e.into_api().into_response(),
    };
    match result {
        Ok(added) => {
            let s = &added.submission;
            state.staff.record(
                AuditEntry::now(user.name.clone(), "upload")
                    .target(s.id.to_string())
                    .detail(format!("{} ({client_name})", s.file)),
            );
            let mut response = (
                StatusCode::CREATED,
                Json(DocumentJson::new(s, s.pages.len())),
            )
                .into_response();
            if let Ok(location) = HeaderValue::from_str(&format!("/api/documents/{}", s.id)) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Err(ChangeError::Duplicate(id)) => {
            api_error(StatusCode::CONFLICT, "already in the archive", Some(&id))
        }
        Err(ChangeError::NotPdf) => {
            api_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "not a PDF", None)
        }
        Err(ChangeError::Unreadable(e)) => api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("the PDF cannot be read: {e}"),
            None,
        ),
        Err(e) => {
            tracing::error!("upload failed: {e}");
            api_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error", None)
        }
    }
}

/// Applies a JSON patch of metadata to a sidecar: a key present replaces the value, `null`
/// clears it (so detection decides again).
fn apply_patch(
    mut sidecar: Sidecar,
    patch: &serde_json::Map<String, serde_json::Value>,
) -> Result<Sidecar, String> {
    use serde_json::Value;
    let text = |v: &Value, key: &str| -> Result<Option<String>, String> {
        match v {
            Value::Null => Ok(None),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            Value::String(s) => Ok(Some(s.trim().to_string())),
            _ => Err(format!("`{key}` must be a string or null")),
        }
    };
    for (key, value) in patch {
        match key.as_str() {
            "title" => sidecar.title = text(value, key)?,
            "recipient" => sidecar.recipient = text(value, key)?,
            "reference" => sidecar.reference = text(value, key)?,
            "source_url" => sidecar.source_url = text(value, key)?,
            "kind" => {
                sidecar.kind = match text(value, key)? {
                    Some(k) => {
                        Some(Kind::from_id(&k).ok_or_else(|| format!("unknown kind `{k}`"))?)
                    }
                    None => None,
                }
            }
            "language" => {
                sidecar.language = match text(value, key)? {
                    Some(l) => Some(
                        Language::from_id(&l).ok_or_else(|| format!("unknown language `{l}`"))?,
                    ),
                    None => None,
                }
            }
            "date" => {
                sidecar.date = match text(value, key)? {
                    Some(d) => Some(
                        NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                            .map_err(|_| format!("`{d}` is not a date YYYY-MM-DD"))?,
                    ),
                    None => None,
                }
            }
            "conventions" => {
                sidecar.conventions = match value {
                    Value::Null => None,
                    Value::Array(items) => {
                        let mut list = Vec::new();
                        for item in items {
                            let id = item
                                .as_str()
                                .ok_or("`conventions` must list convention ids")?;
                            list.push(
                                Convention::from_id(id)
                                    .ok_or_else(|| format!("unknown convention `{id}`"))?,
                            );
                        }
                        list.sort();
                        list.dedup();
                        Some(list)
                    }
                    _ => return Err("`conventions` must be a list or null".into()),
                }
            }
            other => return Err(format!("unknown field `{other}`")),
        }
    }
    Ok(sidecar)
}

pub async fn api_patch(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(id) = DocId::parse(&id) else {
        return api_error(StatusCode::NOT_FOUND, "not found", None);
    };
    let patch: serde_json::Map<String, serde_json::Value> = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                &format!("the body is not a JSON object: {e}"),
                None,
            );
        }
    };
    let st = state.clone();
    let target = id.clone();
    let result = blocking(move || {
        let Some(doc) = st.index.metadata(&target)?.map(|d| d.submission) else {
            return Ok(Err(ChangeError::NotFound(target.to_string())));
        };
        let current = st
            .library
            .read_sidecar(&st.library.entry(&doc.file))
            .ok()
            .flatten()
            .unwrap_or_default();
        let sidecar = match apply_patch(current, &patch) {
            Ok(s) => s,
            Err(message) => {
                return Ok(Err(ChangeError::Io(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    message,
                ))));
            }
        };
        Ok(archive(&st)?.update(&target, sidecar))
    })
    .await;
    match result {
        Ok(Ok(s)) => {
            state.staff.record(
                AuditEntry::now(user.name.clone(), "edit")
                    .target(s.id.to_string())
                    .detail(s.title.clone()),
            );
            (StatusCode::OK, Json(DocumentJson::new(&s, s.pages.len()))).into_response()
        }
        Ok(Err(ChangeError::NotFound(_))) => api_error(StatusCode::NOT_FOUND, "not found", None),
        Ok(Err(ChangeError::Io(e))) if e.kind() == std::io::ErrorKind::InvalidInput => {
            api_error(StatusCode::BAD_REQUEST, &e.to_string(), None)
        }
        Ok(Err(e)) => {
            tracing::error!("edit failed: {e}");
            api_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error", None)
        }
        Err(e) => e.into_api().into_response(),
    }
}

pub async fn api_delete(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = DocId::parse(&id) else {
        return api_error(StatusCode::NOT_FOUND, "not found", None);
    };
    let st = state.clone();
    let target = id.clone();
    match blocking(move || Ok(archive(&st)?.delete(&target))).await {
        Ok(Ok(name)) => {
            state.staff.record(
                AuditEntry::now(user.name.clone(), "delete")
                    .target(id.to_string())
                    .detail(name.clone()),
            );
            (
                StatusCode::OK,
                Json(serde_json::json!({ "deleted": id.to_string(), "trash": name })),
            )
                .into_response()
        }
        Ok(Err(ChangeError::NotFound(_))) => api_error(StatusCode::NOT_FOUND, "not found", None),
        Ok(Err(e)) => {
            tracing::error!("delete failed: {e}");
            api_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error", None)
        }
        Err(e) => e.into_api().into_response(),
    }
}

/// Shared by the state builder: staff with nothing configured.
pub fn disabled() -> Arc<Staff> {
    Arc::new(Staff::disabled())
}
