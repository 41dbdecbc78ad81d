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
use super::server::{ClientAddr, Limits};
use super::{ApiError, AppState, PageError};
use crate::accounts::{Accounts, DataDir, constant_time_eq, random_hex};
use crate::audit::AuditEntry;

pub const SESSION_COOKIE: &str = "arkiv_session";
const LOGIN_CSRF_COOKIE: &str = "arkiv_login_csrf";
const SESSION_HOURS: i64 = 12;
/// Failed sign-ins an account may have before each further attempt waits, and failed
/// sign-ins per client address in a window: the defaults of [`Limits`].
pub const ACCOUNT_ATTEMPTS: usize = 5;
pub const ADDRESS_ATTEMPTS: usize = 20;

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

/// The sign-in limiter. Every attempt is counted *before* its password is checked, so
/// simultaneous guesses cannot all slip in before the first failure is recorded:
///
/// - per account: [`Limits::sign_in_free_failures`] attempts, then each further attempt
///   must wait [`Limits::sign_in_delay`], doubled with every failure up to
///   [`Limits::sign_in_max_delay`]; a successful sign-in forgets the account's failures.
///   The owner is slowed as the attacker is, but never for longer than the largest delay;
/// - per client address: [`Limits::sign_in_address_failures`] within
///   [`Limits::sign_in_window`], whatever names it tries.
///
/// Memory is bounded: accounts are keyed by a 16-byte hash of the name (an 8 KB name costs
/// what a short one does), entries expire, and at [`Limits::sign_in_tracked`] entries the
/// ones with the fewest failures are forgotten first, so spraying new names cannot push
/// out an account under attack. Password checks run [`Limits::password_checks`] at a time.
/// Failures and refusals reach the audit log one entry per name and address per
/// [`Limits::audit_window`], with a count.
#[derive(Debug)]
pub struct Limiter {
    limits: Limits,
    state: Mutex<LimiterState>,
    /// Turns at password checking: Argon2id takes 19 MiB and tens of milliseconds a check,
    /// and on the blocking pool each would have a thread of its own.
    hashing: tokio::sync::Semaphore,
}

#[derive(Debug, Default)]
struct LimiterState {
    accounts: HashMap<[u8; 16], AccountEntry>,
    addresses: HashMap<String, AddressEntry>,
    audit: HashMap<(&'static str, [u8; 16], String), AuditWindow>,
}

#[derive(Debug, Clone, Copy)]
struct AccountEntry {
    failures: u32,
    last: Instant,
    blocked_until: Option<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct AddressEntry {
    failures: u32,
    window_start: Instant,
}

/// Failures of one name from one address not yet written to the audit log.
#[derive(Debug)]
struct AuditWindow {
    started: Instant,
    since: DateTime<Utc>,
    user: String,
    unwritten: u64,
}

/// An attempt the limiter let through; report its outcome with [`Limiter::succeeded`] or
/// [`Limiter::failed`].
#[derive(Debug)]
pub struct Attempt {
    account: [u8; 16],
    address: String,
}

/// Why an attempt was refused, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub retry_after: Duration,
}

impl Default for Limiter {
    fn default() -> Limiter {
        Limiter::new(&Limits::default())
    }
}

impl Limiter {
    pub fn new(limits: &Limits) -> Limiter {
        Limiter {
            limits: limits.clone(),
            state: Mutex::new(LimiterState::default()),
            hashing: tokio::sync::Semaphore::new(limits.password_checks.max(1)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LimiterState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts an attempt of `name` from `address`, or refuses it. A refused attempt is not
    /// counted: only checked passwords make the wait grow.
    pub fn attempt(&self, name: &str, address: &str) -> Result<Attempt, Refused> {
        let now = Instant::now();
        let account = account_key(name);
        let limits = &self.limits;
        let mut state = self.lock();
        if let Some(entry) = state.accounts.get(&account)
            && let Some(until) = entry.blocked_until
            && until > now
        {
            return Err(Refused {
                retry_after: until - now,
            });
        }
        if let Some(entry) = state.addresses.get(address)
            && now.duration_since(entry.window_start) < limits.sign_in_window
            && entry.failures >= limits.sign_in_address_failures
        {
            return Err(Refused {
                retry_after: limits.sign_in_window - now.duration_since(entry.window_start),
            });
        }
        if !state.accounts.contains_key(&account) {
            self.make_room_for_account(&mut state, now);
        }
        if !state.addresses.contains_key(address) {
            self.make_room_for_address(&mut state, now);
        }
        let entry = state.accounts.entry(account).or_insert(AccountEntry {
            failures: 0,
            last: now,
            blocked_until: None,
        });
        if self.account_expired(entry, now) {
            entry.failures = 0;
        }
        entry.failures += 1;
        entry.last = now;
        entry.blocked_until = self.delay(entry.failures).map(|d| now + d);
        let entry = state
            .addresses
            .entry(address.to_string())
            .or_insert(AddressEntry {
                failures: 0,
                window_start: now,
            });
        if now.duration_since(entry.window_start) >= limits.sign_in_window {
            *entry = AddressEntry {
                failures: 0,
                window_start: now,
            };
        }
        entry.failures += 1;
        Ok(Attempt {
            account,
            address: address.to_string(),
        })
    }

    /// The right password: the account's failures are forgotten, and the attempt no longer
    /// counts against the address.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut state = self.lock();
        state.accounts.remove(&attempt.account);
        if let Some(entry) = state.addresses.get_mut(&attempt.address) {
            entry.failures = entry.failures.saturating_sub(1);
        }
    }

    /// A wrong password: it was counted already; nothing more to do but say so.
    pub fn failed(&self, attempt: Attempt) {
        drop(attempt);
    }

    /// Accounts and addresses remembered now.
    pub fn tracked(&self) -> usize {
        let state = self.lock();
        state.accounts.len() + state.addresses.len() + state.audit.len()
    }

    /// The wait before the next attempt of an account with `failures` counted.
    fn delay(&self, failures: u32) -> Option<Duration> {
        let free = self.limits.sign_in_free_failures.max(1);
        let doublings = failures.checked_sub(free)?;
        let factor = 2u32.saturating_pow(doublings.min(20));
        Some(
            self.limits
                .sign_in_delay
                .saturating_mul(factor)
                .min(self.limits.sign_in_max_delay),
        )
    }

    /// Whether an account's failures are old enough to forget.
    fn account_expired(&self, entry: &AccountEntry, now: Instant) -> bool {
        let quiet = now.duration_since(entry.last) >= self.limits.sign_in_window;
        let waited = entry.blocked_until.is_none_or(|until| until <= now);
        quiet && waited
    }

    fn make_room_for_account(&self, state: &mut LimiterState, now: Instant) {
        let cap = self.limits.sign_in_tracked.max(1);
        if state.accounts.len() < cap {
            return;
        }
        state.accounts.retain(|_, e| !self.account_expired(e, now));
        if state.accounts.len() >= cap {
            // Forget a tenth at once, fewest failures and oldest first, so that a spray of
            // new names costs one sort per thousand names, not one per name.
            let mut order: Vec<([u8; 16], u32, Instant)> = state
                .accounts
                .iter()
                .map(|(k, e)| (*k, e.failures, e.last))
                .collect();
            order.sort_unstable_by_key(|(_, failures, last)| (*failures, *last));
            for (key, _, _) in order.into_iter().take(cap / 10 + 1) {
                state.accounts.remove(&key);
            }
        }
    }

    fn make_room_for_address(&self, state: &mut LimiterState, now: Instant) {
        let cap = self.limits.sign_in_tracked.max(1);
        if state.addresses.len() < cap {
            return;
        }
        let window = self.limits.sign_in_window;
        state
            .addresses
            .retain(|_, e| now.duration_since(e.window_start) < window);
        if state.addresses.len() >= cap {
            let mut order: Vec<(String, u32, Instant)> = state
                .addresses
                .iter()
                .map(|(k, e)| (k.clone(), e.failures, e.window_start))
                .collect();
            order.sort_unstable_by_key(|(_, failures, start)| (*failures, *start));
            for (key, _, _) in order.into_iter().take(cap / 10 + 1) {
                state.addresses.remove(&key);
            }
        }
    }

    /// A failed (`login_failed`) or refused (`login_blocked`) sign-in, for the audit log:
    /// the first failure of a name from an address in a window (the first refusal of an
    /// address, whatever the name) is returned to be written at once, the rest are counted
    /// and come back from [`Limiter::due_audit`] when the window ends.
    pub fn audit(&self, action: &'static str, name: &str, address: &str) -> Vec<AuditEntry> {
        let now = Instant::now();
        let mut out = Vec::new();
        let mut state = self.lock();
        // Refusals cost nothing and come in floods of new names: one count per address.
        let account = if action == "login_blocked" {
            [0; 16]
        } else {
            account_key(name)
        };
        let key = (action, account, address.to_string());
        if let Some(window) = state.audit.get_mut(&key)
            && now.duration_since(window.started) < self.limits.audit_window
        {
            window.unwritten += 1;
            return out;
        }
        if let Some(window) = state.audit.remove(&key) {
            out.extend(summary(&key, window));
        }
        let cap = self.limits.sign_in_tracked.max(1);
        if state.audit.len() >= cap {
            self.take_audit(&mut state, now, &mut out, true);
        }
        state.audit.insert(
            key,
            AuditWindow {
                started: now,
                since: Utc::now(),
                user: shown_name(name),
                unwritten: 0,
            },
        );
        out.push(
            AuditEntry::now(shown_name(name), action)
                .address(address)
                .count(1),
        );
        out
    }

    /// The counts of audit windows that have ended, as entries to write.
    pub fn due_audit(&self) -> Vec<AuditEntry> {
        let mut out = Vec::new();
        let mut state = self.lock();
        self.take_audit(&mut state, Instant::now(), &mut out, false);
        out
    }

    /// Every count not yet written, ended or not (at shutdown).
    pub fn all_audit(&self) -> Vec<AuditEntry> {
        let mut state = self.lock();
        std::mem::take(&mut state.audit)
            .into_iter()
            .filter_map(|(key, window)| summary(&key, window))
            .collect()
    }

    /// Moves ended windows (or, with `crowded`, also the oldest tenth) to `out`.
    fn take_audit(
        &self,
        state: &mut LimiterState,
        now: Instant,
        out: &mut Vec<AuditEntry>,
        crowded: bool,
    ) {
        let window = self.limits.audit_window;
        let mut ended: Vec<_> = state
            .audit
            .iter()
            .filter(|(_, w)| now.duration_since(w.started) >= window)
            .map(|(k, _)| k.clone())
            .collect();
        if crowded && ended.len() < state.audit.len() / 10 + 1 {
            let mut order: Vec<_> = state
                .audit
                .iter()
                .map(|(k, w)| (k.clone(), w.started))
                .collect();
            order.sort_unstable_by_key(|(_, started)| *started);
            ended = order
                .into_iter()
                .take(state.audit.len() / 10 + 1)
                .map(|(k, _)| k)
                .collect();
        }
        for key in ended {
            if let Some(w) = state.audit.remove(&key) {
                out.extend(summary(&key, w));
            }
        }
    }
}

/// The entry that stands for the failures of a window not written one by one.
fn summary(key: &(&'static str, [u8; 16], String), window: AuditWindow) -> Option<AuditEntry> {
    (window.unwritten > 0).then(|| {
        AuditEntry::now(window.user, key.0)
            .address(key.2.clone())
            .count(window.unwritten)
            .detail(format!(
                "{} more since {}",
                window.unwritten,
                window.since.format("%H:%M:%S")
            ))
    })
}

/// Names are at most 64 characters (`accounts::check_name`); a longer one is nobody's and
/// is shown cut.
fn shown_name(name: &str) -> String {
    const SHOWN: usize = 64;
    match name.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    }
}

fn account_key(name: &str) -> [u8; 16] {
    let hash = blake3::hash(name.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&hash.as_bytes()[..16]);
    key
}

/// Writes the sign-in counts whose window has ended, every few seconds, for as long as the
/// server runs.
pub async fn flush_sign_in_audit(staff: std::sync::Arc<super::staff::Staff>) {
    let every = (staff.limiter.limits.audit_window / 4)
        .clamp(Duration::from_millis(250), Duration::from_secs(15));
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let entries = staff.limiter.due_audit();
        if entries.is_empty() {
            continue;
        }
        let staff = staff.clone();
        let _ = tokio::task::spawn_blocking(move || {
            for entry in entries {
                staff.record(entry);
            }
        })
        .await;
    }
}

/// Writes every sign-in count not yet written (at shutdown).
pub fn flush_all_sign_in_audit(staff: &super::staff::Staff) {
    for entry in staff.limiter.all_audit() {
        staff.record(entry);
    }
}

/// The client's address, when the server knows it: the address [`super::server`] put in
/// the request (the forwarded one behind a trusted proxy), else the peer's.
pub fn client_address(request_extensions: &axum::http::Extensions) -> String {
    if let Some(ClientAddr(ip)) = request_extensions.get::<ClientAddr>() {
        return ip.to_string();
    }
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

/// The staff member behind an optional bearer token on a public API route (which then
/// shows what only staff see): `Ok(None)` without a token, `Err` for a token that is not
/// valid, so a mistyped token is told rather than quietly answered as the public.
pub async fn optional_token_user(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<String>, ApiError> {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
    else {
        return Ok(None);
    };
    let Some(data) = state.staff.data.clone() else {
        return Err(ApiError::Unauthorized);
    };
    let user = tokio::task::spawn_blocking(move || {
        Accounts::load(&data)
            .ok()
            .and_then(|a| a.user_of_token(&token).map(str::to_string))
    })
    .await
    .ok()
    .flatten();
    user.map(Some).ok_or(ApiError::Unauthorized)
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
            // A name longer than any account's is not worth sending back.
            shown_name(&form.name),
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
    let limiter = &state.staff.limiter;
    let record = |entries: Vec<AuditEntry>| {
        for entry in entries {
            state.staff.record(entry);
        }
    };
    let attempt = match limiter.attempt(&form.name, &address) {
        Ok(attempt) => attempt,
        Err(refused) => {
            record(limiter.audit("login_blocked", &form.name, &address));
            let mut response = again(t.login_blocked, StatusCode::TOO_MANY_REQUESTS);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after(refused.retry_after));
            return Ok(response);
        }
    };
    // Argon2id takes 19 MiB and tens of milliseconds a check: a bounded number run at once,
    // and a sign-in that cannot get a turn soon is told to come back.
    let Ok(Ok(turn)) =
        tokio::time::timeout(limiter.limits.password_wait, limiter.hashing.acquire()).await
    else {
        limiter.failed(attempt);
        let mut response = again(t.login_busy, StatusCode::SERVICE_UNAVAILABLE);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return Ok(response);
    };
    let (name, password) = (form.name.clone(), form.password.clone());
    let verified = tokio::task::spawn_blocking(move || {
        Accounts::load(&data)
            .map(|a| a.verify(&name, &password))
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    drop(turn);
    if !verified {
        limiter.failed(attempt);
        record(limiter.audit("login_failed", &form.name, &address));
        return Ok(again(t.login_failed, StatusCode::UNAUTHORIZED));
    }
    limiter.succeeded(attempt);
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

/// Whole seconds, rounded up, for a `Retry-After` header.
fn retry_after(wait: Duration) -> HeaderValue {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    HeaderValue::from(seconds.max(1))
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
