//! Staff sign-in: server-side sessions behind an HttpOnly, SameSite=Strict cookie, a CSRF
//! token per session (and a double-submit cookie for the sign-in form itself), attempt
//! limits per account and per address, API tokens, and the middleware that guards every
//! staff route.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};

use super::i18n::{Lang, Texts};
use super::{ApiError, AppState, PageError};
use crate::accounts::{Accounts, DataDir, constant_time_eq, random_hex};
use crate::audit::AuditEntry;

pub const SESSION_COOKIE: &str = "arkiv_session";
const LOGIN_CSRF_COOKIE: &str = "arkiv_login_csrf";
const SESSION_HOURS: i64 = 12;
/// Failed sign-ins tolerated per account, and per client address, within [`LIMIT_WINDOW`].
pub const ACCOUNT_ATTEMPTS: usize = 5;
pub const ADDRESS_ATTEMPTS: usize = 20;
const LIMIT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The signed-in staff member, put in the request by [`require_session`] or [`require_token`].
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub name: String,
    /// The session's CSRF token (empty for API token requests, which carry no cookies).
    pub csrf: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Session {
    user: String,
    csrf: String,
    expires: DateTime<Utc>,
}

/// Sessions by the hash of their id, kept in memory and mirrored to `sessions.json` in the
/// data directory so a restart does not sign everyone out.
#[derive(Debug, Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    pub fn load(data: &DataDir) -> Sessions {
        let map: HashMap<String, Session> = std::fs::read_to_string(sessions_file(data))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let now = Utc::now();
        Sessions {
            map: Mutex::new(map.into_iter().filter(|(_, s)| s.expires > now).collect()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, id: &str) -> Option<Session> {
        let key = session_key(id);
        let mut map = self.lock();
        match map.get(&key) {
            Some(s) if s.expires > Utc::now() => Some(s.clone()),
            Some(_) => {
                map.remove(&key);
                None
            }
            None => None,
        }
    }

    /// A new session for `user`; returns its id (for the cookie) and CSRF token.
    fn create(&self, data: Option<&DataDir>, user: &str) -> (String, String) {
        let id = random_hex(32);
        let csrf = random_hex(32);
        let session = Session {
            user: user.to_string(),
            csrf: csrf.clone(),
            expires: Utc::now() + chrono::Duration::hours(SESSION_HOURS),
        };
        let mut map = self.lock();
        map.insert(session_key(&id), session);
        persist(data, &map);
        (id, csrf)
    }

    fn remove(&self, data: Option<&DataDir>, id: &str) {
        let mut map = self.lock();
        map.remove(&session_key(id));
        persist(data, &map);
    }
}

fn sessions_file(data: &DataDir) -> std::path::PathBuf {
    data.root().join("sessions.json")
}

/// Only hashes of session ids are written down: the file alone lets no one in.
fn session_key(id: &str) -> String {
    crate::accounts::token_hash(id)
}

fn persist(data: Option<&DataDir>, map: &HashMap<String, Session>) {
    let Some(data) = data else { return };
    let json = serde_json::to_vec(map).expect("sessions serialize");
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut temp = tempfile::Builder::new()
            .prefix(".sessions-")
            .tempfile_in(data.root())?;
        temp.write_all(&json)?;
        temp.as_file().sync_all()?;
        temp.persist(sessions_file(data)).map_err(|e| e.error)?;
        Ok(())
    };
    if let Err(e) = write() {
        tracing::warn!("cannot save sessions: {e}");
    }
}

/// Failed sign-ins per key ("user:NAME", "addr:IP") within the window.
#[derive(Debug, Default)]
pub struct Limiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Limiter {
    fn count(&self, key: &str) -> usize {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let list = map.entry(key.to_string()).or_default();
        list.retain(|t| now.duration_since(*t) < LIMIT_WINDOW);
        list.len()
    }

    fn fail(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(key.to_string()).or_default().push(Instant::now());
    }

    fn clear(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(key);
    }
}

/// The client's address, when the server knows it.
pub fn client_address(request_extensions: &axum::http::Extensions) -> String {
    request_extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

fn set_cookie(name: &str, value: String, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut cookie = Cookie::build((name.to_string(), value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/");
    if let Some(seconds) = max_age {
        cookie = cookie.max_age(cookie::time::Duration::seconds(seconds));
    }
    HeaderValue::from_str(&cookie.build().to_string()).expect("cookie header is valid")
}

/// The staff member behind a request's session cookie.
pub fn session_user(state: &AppState, headers: &HeaderMap) -> Option<StaffUser> {
    let id = cookie_value(headers, SESSION_COOKIE)?;
    let session = state.staff.sessions.get(&id)?;
    // An account removed on the command line loses its sessions at once.
    let data = state.staff.data.as_ref()?;
    let accounts = Accounts::load(data).ok()?;
    let known = accounts.users.contains_key(&session.user);
    known.then_some(StaffUser {
        name: session.user,
        csrf: session.csrf,
    })
}

/// Guards the staff API: a bearer token, else 401. Cookies do not count: a cross-site form
/// could send them.
pub async fn require_token(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_string);
    let user = match (token, state.staff.data.clone()) {
        (Some(token), Some(data)) => tokio::task::spawn_blocking(move || {
            Accounts::load(&data)
                .ok()
                .and_then(|a| a.user_of_token(&token).map(str::to_string))
        })
        .await
        .ok()
        .flatten(),
        _ => None,
    };
    let Some(name) = user else {
        return ApiError::Unauthorized.into_response();
    };
    let address = client_address(request.extensions());
    state.staff.record(
        AuditEntry::now(name.clone(), "token_use")
            .target(format!("{} {path}", request.method()))
            .address(address),
    );
    request.extensions_mut().insert(StaffUser {
        name,
        csrf: String::new(),
    });
    next.run(request).await
}

/// Guards the staff pages: a session, else a redirect to sign-in.
pub async fn require_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    match session_user(&state, request.headers()) {
        Some(user) => {
            request.extensions_mut().insert(user);
            next.run(request).await
        }
        None => {
            let lang = Lang::from_query(request.uri().query());
            let mut target = form_urlencoded::Serializer::new(String::new());
            target.append_pair("neste", &path);
            if lang == Lang::En {
                target.append_pair("lang", "en");
            }
            Redirect::to(&format!("/logg-inn?{}", target.finish())).into_response()
        }
    }
}

/// Refuses a form whose CSRF token is not the session's.
pub fn check_csrf(user: &StaffUser, token: &str) -> Result<(), PageError> {
    if !user.csrf.is_empty() && constant_time_eq(&user.csrf, token) {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

/// Where a sign-in may send people afterwards: only paths of this site. Browsers drop tabs
/// and line breaks from a URL (`/\t/evil.example` becomes `//evil.example`) and read `\` as
/// `/`, and a line break cannot go into a `Location` header at all: a path with any control
/// character or backslash is refused.
fn safe_next(next: &str) -> String {
    let plain = next.starts_with('/')
        && !next.starts_with("//")
        && !next.chars().any(|c| c == '\\' || c.is_control());
    if plain {
        next.to_string()
    } else {
        "/last-opp".into()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    t: &'static Texts,
    lang: Lang,
    lang_switch: String,
    csrf: String,
    next: String,
    name: String,
    message: Option<String>,
}

impl LoginPage {
    fn render_with(
        lang: Lang,
        csrf: String,
        next: String,
        name: String,
        message: Option<String>,
    ) -> LoginPage {
        LoginPage {
            t: lang.texts(),
            lang,
            lang_switch: if lang == Lang::En {
                "/logg-inn".into()
            } else {
                "/logg-inn?lang=en".into()
            },
            csrf,
            next,
            name,
            message,
        }
    }
}

pub async fn login_form(State(state): State<AppState>, request: Request) -> Response {
    let query = request.uri().query().map(str::to_string);
    let lang = Lang::from_query(query.as_deref());
    let next = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "neste")
        .map(|(_, v)| safe_next(&v))
        .unwrap_or_else(|| "/last-opp".into());
    let csrf = random_hex(32);
    let page = LoginPage::render_with(lang, csrf.clone(), next, String::new(), None);
    let mut response = page.into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LOGIN_CSRF_COOKIE,
            csrf,
            state.staff.secure_cookies,
            Some(3600),
        ),
    );
    response
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    lang: String,
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let lang = Lang::from_param(&form.lang);
    let t = lang.texts();
    let cookie_csrf = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie_csrf.is_empty() || !constant_time_eq(&cookie_csrf, &form.csrf) {
        return Err(PageError::Forbidden);
    }
    let address = client_address(&extensions);
    let next = safe_next(&form.next);
    let again = |message: &str, status: StatusCode| -> Response {
        let csrf = random_hex(32);
        let page = LoginPage::render_with(
            lang,
            csrf.clone(),
            next.clone(),
            form.name.clone(),
            Some(message.to_string()),
        );
        let mut response = (status, page).into_response();
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                LOGIN_CSRF_COOKIE,
                csrf,
                state.staff.secure_cookies,
                Some(3600),
            ),
        );
        response
    };
    let Some(data) = state.staff.data.clone() else {
        return Ok(again(t.staff_disabled, StatusCode::SERVICE_UNAVAILABLE));
    };
    let user_key = format!("user:{}", form.name);
    let address_key = format!("addr:{address}");
    let limiter = &state.staff.limiter;
    if limiter.count(&user_key) >= ACCOUNT_ATTEMPTS
        || limiter.count(&address_key) >= ADDRESS_ATTEMPTS
    {
        state
            .staff
            .record(AuditEntry::now(form.name.clone(), "login_blocked").address(address));
        return Ok(again(t.login_blocked, StatusCode::TOO_MANY_REQUESTS));
    }

    let (name, password) = (form.name.clone(), form.password.clone());
    let verified = tokio::task::spawn_blocking(move || {
        Accounts::load(&data)
            .map(|a| a.verify(&name, &password))
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    if !verified {
        limiter.fail(&user_key);
        limiter.fail(&address_key);
        state
            .staff
            .record(AuditEntry::now(form.name.clone(), "login_failed").address(address));
        return Ok(again(t.login_failed, StatusCode::UNAUTHORIZED));
    }
    limiter.clear(&user_key);
    // A fresh id at every sign-in: an id planted before it (session fixation) is worthless.
    if let Some(old) = cookie_value(&headers, SESSION_COOKIE) {
        state.staff.sessions.remove(state.staff.data.as_ref(), &old);
    }
    let (id, _csrf) = state
        .staff
        .sessions
        .create(state.staff.data.as_ref(), &form.name);
    state
        .staff
        .record(AuditEntry::now(form.name.clone(), "login").address(address));
    let mut response = Redirect::to(&next).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            id,
            state.staff.secure_cookies,
            Some(SESSION_HOURS * 3600),
        ),
    );
    headers.append(
        header::SET_COOKIE,
        set_cookie(
            LOGIN_CSRF_COOKIE,
            String::new(),
            state.staff.secure_cookies,
            Some(0),
        ),
    );
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Result<Response, PageError> {
    let Some(user) = session_user(&state, &headers) else {
        return Ok(Redirect::to("/").into_response());
    };
    check_csrf(&user, &form.csrf)?;
    if let Some(id) = cookie_value(&headers, SESSION_COOKIE) {
        state.staff.sessions.remove(state.staff.data.as_ref(), &id);
    }
    state.staff.record(AuditEntry::now(user.name, "logout"));
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            String::new(),
            state.staff.secure_cookies,
            Some(0),
        ),
    );
    Ok(response)
}
