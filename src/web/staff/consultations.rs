//! Staff create and edit consultation records: the form (`/horinger/ny`,
//! `/horing/{id}/rediger`) and the API (`POST /api/consultations`,
//! `PATCH /api/consultations/{id}`). Both become one JSON object of the fields they set,
//! checked here the same way: laid over the record as it is, then read back as a
//! [`Consultation`] with its unknown-field and type rules. The file is written atomically
//! under `documents/consultations/`, and the change goes to the audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value};

use super::metadata::Fields;
use crate::api::ConsultationJson;
use crate::audit::AuditEntry;
use crate::consultations::{self, Consultation, ConsultationKind, StepKind};
use crate::web::AppState;
use crate::web::api::ApiError;
use crate::web::auth::{StaffUser, check_csrf, client_address};
use crate::web::i18n::Lang;
use crate::web::pages::consultations::{kind_label, step_label, texts};
use crate::web::pages::views::Chrome;
use crate::web::pages::{PageContext, PageError, blocking, embeds_context};

/// Outcome steps a form or a request may hold.
pub const MAX_OUTCOME_STEPS: usize = 50;

/// Why a consultation could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("{0}")]
    Invalid(String),
    #[error("no consultation `{0}`")]
    NotFound(String),
    #[error("consultation `{0}` exists already")]
    Exists(String),
    /// Another consultation has the same case number.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Write(String),
}

impl From<SaveError> for ApiError {
    fn from(e: SaveError) -> Self {
        match e {
            SaveError::NotFound(_) => ApiError::NotFound,
            SaveError::Write(m) => ApiError::Internal(m),
            e @ (SaveError::Exists(_) | SaveError::Conflict(_)) => {
                ApiError::ConflictWith(e.to_string())
            }
            e => ApiError::BadRequest(e.to_string()),
        }
    }
}

fn page_error(lang: Lang, e: SaveError) -> PageError {
    match e {
        SaveError::NotFound(_) => PageError::NotFound(lang),
        SaveError::Write(m) => PageError::Internal(m),
        e => PageError::BadRequest {
            message: e.to_string(),
            lang,
        },
    }
}

/// The fields of a record file, which are the fields a change may name.
const RECORD_FIELDS: &[&str] = &[
    "title",
    "department",
    "reference",
    "sent",
    "deadline",
    "url",
    "kind",
    "outcome",
    "notes",
    "sample",
];

/// Lays `changes` over `base` (a `null` clears a field) and reads the result back as a
/// record, so unknown fields, wrong types and empty titles are refused as in a file.
pub fn apply(
    id: &str,
    base: Option<&Consultation>,
    changes: Map<String, Value>,
) -> Result<Consultation, SaveError> {
    if !consultations::is_slug(id) {
        return Err(SaveError::Invalid(format!(
            "`{id}` is not an id: use lowercase letters, digits and hyphens (at most {})",
            consultations::MAX_ID_CHARS
        )));
    }
    let mut object = match base.map(serde_json::to_value) {
        Some(Ok(Value::Object(m))) => m,
        _ => Map::new(),
    };
    // A `null` clears a field, so it never reaches the record's own unknown-field check.
    if let Some(key) = changes
        .keys()
        .find(|k| !RECORD_FIELDS.contains(&k.as_str()))
    {
        return Err(SaveError::Invalid(format!("unknown field `{key}`")));
    }
    check_dates(&changes)?;
    for (key, value) in changes {
        // An empty free text is no value: a case number "" is no case number. (Dates,
        // addresses and kinds keep their rules: "" is not one.)
        let blank = matches!(key.as_str(), "department" | "reference" | "notes")
            && value.as_str().is_some_and(|v| v.trim().is_empty());
        if value.is_null() || blank {
            object.remove(&key);
        } else {
            object.insert(key, value);
        }
    }
    if object
        .get("outcome")
        .and_then(Value::as_array)
        .is_some_and(|a| a.len() > MAX_OUTCOME_STEPS)
    {
        return Err(SaveError::Invalid(format!(
            "at most {MAX_OUTCOME_STEPS} outcome steps"
        )));
    }
    let mut c: Consultation = serde_json::from_value(Value::Object(object))
        .map_err(|e| SaveError::Invalid(e.to_string()))?;
    c.id = id.to_string();
    c.check()
        .map_err(|(field, message)| SaveError::Invalid(format!("field `{field}`: {message}")))?;
    Ok(c)
}

/// Refuses a date in `changes` that is not exactly `YYYY-MM-DD`, as the schema's
/// `format: date` says; the record's own reading also takes the looser forms people
/// write in files.
fn check_dates(changes: &Map<String, Value>) -> Result<(), SaveError> {
    let steps = changes.get("outcome").and_then(Value::as_array);
    let step_dates = steps
        .into_iter()
        .flatten()
        .filter_map(|step| step.get("date"))
        .map(|date| ("outcome.date", date));
    let dates = ["sent", "deadline"]
        .into_iter()
        .filter_map(|key| changes.get(key).map(|date| (key, date)))
        .chain(step_dates);
    for (field, date) in dates {
        if let Some(text) = date.as_str()
            && crate::model::parse_full_date(text).is_none()
        {
            return Err(SaveError::Invalid(format!(
                "field `{field}`: `{text}` is not a date of the form YYYY-MM-DD"
            )));
        }
    }
    Ok(())
}

/// Creates (`create`) or replaces a record: checked against the others (one reference,
/// one consultation), written atomically, then read again by the server.
pub fn save(state: &AppState, c: Consultation, create: bool) -> Result<Consultation, SaveError> {
    let _writing = state
        .consultations
        .writing
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let mut all = (*state.consultations.current()).clone();
    match (create, all.get(&c.id).is_some()) {
        (true, true) => return Err(SaveError::Exists(c.id)),
        (false, false) => return Err(SaveError::NotFound(c.id)),
        _ => {}
    }
    all.insert(c.clone())
        .map_err(|e| SaveError::Conflict(e.to_string()))?;
    consultations::write(&state.library, &c).map_err(|e| SaveError::Write(e.to_string()))?;
    state.consultations.reload(&state.library);
    Ok(c)
}

fn record(state: &AppState, user: &StaffUser, action: &str, c: &Consultation, address: String) {
    state.staff.record(
        AuditEntry::now(user.name.clone(), action)
            .target(c.id.clone())
            .detail(c.title.clone())
            .address(address),
    );
}

// ---------------------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------------------

fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not a JSON object: {e}")))
}

/// `POST /api/consultations`: a JSON object with `id` and the record's fields.
pub async fn api_create(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut fields = json_object(&body)?;
    let id = match fields.remove("id") {
        Some(Value::String(id)) => id,
        _ => return Err(ApiError::BadRequest("`id` must be a string".into())),
    };
    let c = apply(&id, None, fields)?;
    let st = state.clone();
    let c = crate::web::api::blocking(move || Ok(save(&st, c, true)?)).await?;
    record(
        &state,
        &user,
        "consultation-create",
        &c,
        client_address(&extensions),
    );
    let mut response = (StatusCode::CREATED, Json(ConsultationJson::from(&c))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/consultations/{}", c.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `PATCH /api/consultations/{id}`: the fields to change; `null` clears one.
pub async fn api_patch(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Result<Response, ApiError> {
    let fields = json_object(&body)?;
    if fields.contains_key("id") {
        return Err(ApiError::BadRequest("the id cannot be changed".into()));
    }
    let current = state.consultations.current();
    let base = current.get(&id).ok_or(ApiError::NotFound)?;
    let c = apply(&id, Some(base), fields)?;
    let st = state.clone();
    let c = crate::web::api::blocking(move || Ok(save(&st, c, false)?)).await?;
    record(
        &state,
        &user,
        "consultation-edit",
        &c,
        client_address(&extensions),
    );
    Ok(Json(ConsultationJson::from(&c)).into_response())
}

// ---------------------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------------------

/// The fields of the consultation form, filled in.
pub struct Form {
    pub action: String,
    pub new: bool,
    pub id: String,
    pub title: String,
    pub department: String,
    pub reference: String,
    pub sent: String,
    pub deadline: String,
    pub url: String,
    pub kind: String,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub notes: String,
    pub sample: bool,
    /// One step a line: `kind | title | YYYY-MM-DD | URL`.
    pub outcome: String,
    pub step_kinds: String,
}

impl Form {
    fn new(lang: Lang, c: Option<&Consultation>) -> Form {
        let day = |d: Option<chrono::NaiveDate>| {
            d.map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        let text = |v: Option<&String>| v.cloned().unwrap_or_default();
        Form {
            action: match c {
                Some(c) => format!("/horing/{}/rediger", c.id),
                None => "/horinger/ny".into(),
            },
            new: c.is_none(),
            id: c.map(|c| c.id.clone()).unwrap_or_default(),
            title: c.map(|c| c.title.clone()).unwrap_or_default(),
            department: text(c.and_then(|c| c.department.as_ref())),
            reference: text(c.and_then(|c| c.reference.as_ref())),
            sent: day(c.and_then(|c| c.sent)),
            deadline: day(c.and_then(|c| c.deadline)),
            url: text(c.and_then(|c| c.url.as_ref())),
            kind: c.map(|c| c.kind).unwrap_or_default().id().to_string(),
            kinds: ConsultationKind::ALL
                .into_iter()
                .map(|k| (k.id(), kind_label(lang, k)))
                .collect(),
            notes: text(c.and_then(|c| c.notes.as_ref())),
            sample: c.is_some_and(|c| c.sample),
            outcome: c
                .map(|c| {
                    c.outcome
                        .iter()
                        .map(|s| {
                            format!(
                                "{} | {} | {} | {}",
                                s.kind.id(),
                                s.title,
                                day(s.date),
                                s.url.clone().unwrap_or_default()
                            )
                            .trim_end_matches([' ', '|'])
                            .to_string()
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            step_kinds: StepKind::ALL
                .into_iter()
                .map(|k| format!("{} ({})", k.id(), step_label(lang, k)))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// The posted form as the JSON object [`apply`] takes: an empty field clears.
fn form_changes(fields: &Fields) -> Result<Map<String, Value>, SaveError> {
    let mut m = Map::new();
    // The form's text fields; `sample` is a checkbox and `outcome` lines, read below.
    for &key in RECORD_FIELDS
        .iter()
        .filter(|k| !matches!(**k, "sample" | "outcome"))
    {
        let v = fields.get(key).unwrap_or("").trim();
        let v = match key {
            "sent" | "deadline" => typed_date(v),
            _ => v.to_string(),
        };
        m.insert(
            key.into(),
            if v.is_empty() {
                Value::Null
            } else {
                Value::String(v)
            },
        );
    }
    m.insert("sample".into(), Value::Bool(fields.get("sample").is_some()));
    let mut steps = Vec::new();
    for (i, line) in fields
        .get("outcome")
        .unwrap_or("")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
    {
        if i >= MAX_OUTCOME_STEPS {
            return Err(SaveError::Invalid(format!(
                "at most {MAX_OUTCOME_STEPS} outcome steps"
            )));
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let mut step = Map::new();
        let names = ["kind", "title", "date", "url"];
        if parts.len() > names.len() {
            return Err(SaveError::Invalid(format!(
                "outcome line {}: at most kind | title | date | url",
                i + 1
            )));
        }
        for (name, value) in names.iter().zip(&parts) {
            let value = match *name {
                "date" => typed_date(value),
                _ => value.to_string(),
            };
            if !value.is_empty() {
                step.insert((*name).into(), Value::String(value));
            }
        }
        steps.push(Value::Object(step));
    }
    m.insert("outcome".into(), Value::Array(steps));
    Ok(m)
}

/// A date as a person types it in the form ("2027-5-6" too), written as the API takes it;
/// anything else is left as typed, for [`check_dates`] to refuse with its message.
fn typed_date(text: &str) -> String {
    match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => date.format("%Y-%m-%d").to_string(),
        Err(_) => text.to_string(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "consultation_form.html")]
pub struct FormPage {
    ctx: PageContext,
    c: &'static crate::web::pages::consultations::Texts,
    user: String,
    csrf: String,
    form: Form,
    view_url: Option<String>,
}

fn form_page(mut ctx: PageContext, user: &StaffUser, c: Option<&Consultation>) -> FormPage {
    let lang = ctx.lang();
    let path = match c {
        Some(c) => format!("/horing/{}/rediger", c.id),
        None => "/horinger/ny".into(),
    };
    ctx.chrome = Chrome::new(lang, &path, "");
    FormPage {
        c: texts(lang),
        user: user.name.clone(),
        csrf: user.csrf.clone(),
        form: Form::new(lang, c),
        view_url: c.map(|c| ctx.link(&format!("/horing/{}", c.id))),
        ctx,
    }
}

/// `GET /horinger/ny`.
pub async fn new_form(Extension(user): Extension<StaffUser>, ctx: PageContext) -> Response {
    form_page(ctx, &user, None).into_response()
}

/// `GET /horing/{id}/rediger`.
pub async fn edit_form(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let current = state.consultations.current();
    let c = current.get(&id).ok_or(PageError::NotFound(ctx.lang()))?;
    Ok(form_page(ctx, &user, Some(c)).into_response())
}

/// A posted form, once its CSRF token is the session's.
fn checked(user: &StaffUser, body: &[u8]) -> Result<(Fields, Lang), PageError> {
    let fields = Fields::parse(body);
    check_csrf(user, fields.get("csrf").unwrap_or(""))?;
    let lang = Lang::from_param(fields.get("lang").unwrap_or(""));
    Ok((fields, lang))
}

fn after_save(lang: Lang, c: &Consultation) -> Response {
    let suffix = if lang == Lang::En { "?lang=en" } else { "" };
    Redirect::to(&format!("/horing/{}{suffix}", c.id)).into_response()
}

/// `POST /horinger/ny`.
pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Result<Response, PageError> {
    let (fields, lang) = checked(&user, &body)?;
    let id = fields.get("id").unwrap_or("").trim().to_string();
    let c = form_changes(&fields)
        .and_then(|m| apply(&id, None, m))
        .map_err(|e| page_error(lang, e))?;
    let st = state.clone();
    let c = blocking(move || save(&st, c, true).map_err(|e| page_error(lang, e))).await?;
    record(
        &state,
        &user,
        "consultation-create",
        &c,
        client_address(&extensions),
    );
    Ok(after_save(lang, &c))
}

/// `POST /horing/{id}/rediger`.
pub async fn edit(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Result<Response, PageError> {
    let (fields, lang) = checked(&user, &body)?;
    let current = state.consultations.current();
    let base = current.get(&id).ok_or(PageError::NotFound(lang))?;
    let c = form_changes(&fields)
        .and_then(|m| apply(&id, Some(base), m))
        .map_err(|e| page_error(lang, e))?;
    let st = state.clone();
    let c = blocking(move || save(&st, c, false).map_err(|e| page_error(lang, e))).await?;
    record(
        &state,
        &user,
        "consultation-edit",
        &c,
        client_address(&extensions),
    );
    Ok(after_save(lang, &c))
}

embeds_context!(FormPage);
