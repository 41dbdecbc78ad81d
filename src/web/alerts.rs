//! Alerts by e-mail on the web: the sign-up form on every search page (`POST /varsler/ny`),
//! `POST /api/alerts` for programs, the confirmation and unsubscribe links, the owner's page
//! `/varsler` (reached by the link in every message), and the sender task that matches new
//! documents against the confirmed alerts and sends the messages. The subscriptions are
//! `crate::alerts`'s; the SMTP conversation is `crate::alerts::mail`'s.
//!
//! Every form that changes something carries a secret the page was given (an alert's or an
//! address's token), and is refused when the browser says it comes from another site
//! (`Sec-Fetch-Site`, else `Origin`): the sign-up form on the cacheable search pages
//! carries no token, and that check is its CSRF protection.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::auth::client_address;
use super::i18n::Lang;
use super::pages::{PageContext, PageError, embeds_context, feed};
use super::params::{DEFAULT_PER_PAGE, SearchParams};
use crate::alerts::mail::{self, Mail, MailError, Mailer};
use crate::alerts::{
    Alert, AlertError, AlertStore, Clock, Frequency, MAX_LISTED, SignUp, SignUpLimits,
};
use crate::index::Sort;
use crate::model::{DocId, Submission};

/// How long the sender sleeps when nothing wakes it: the daily digest's resolution.
pub const DEFAULT_TICK: Duration = Duration::from_secs(60);

/// Alerts on a running archive: the subscriptions, the SMTP server, the clock of the daily
/// digest and the sign-up limits.
pub struct Alerts {
    pub store: AlertStore,
    pub mailer: Mailer,
    pub clock: Arc<dyn Clock>,
    pub limits: SignUpLimits,
    /// How long the sender waits between looks when nothing wakes it.
    pub tick: Duration,
    wake: tokio::sync::Notify,
}

impl Alerts {
    pub fn new(store: AlertStore, mailer: Mailer, clock: Arc<dyn Clock>) -> Alerts {
        Alerts {
            store,
            mailer,
            clock,
            limits: SignUpLimits::default(),
            tick: DEFAULT_TICK,
            wake: tokio::sync::Notify::new(),
        }
    }

    /// Documents just added to the archive: queued durably, then the sender is woken.
    /// Blocking (a file write).
    pub fn added(&self, ids: &[DocId]) {
        if let Err(e) = self.store.queue(ids) {
            tracing::error!("cannot queue new documents for alerts: {e}");
        }
        self.wake.notify_one();
    }

    /// Makes the sender look now (after the clock was moved, in tests).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Runs the sender until the process ends: match what was added, send what is due, sleep
/// until woken or [`Alerts::tick`] passes. Does nothing when alerts are off.
pub async fn sender(state: AppState) {
    let Some(alerts) = state.alerts.clone() else {
        return;
    };
    loop {
        if let Err(e) = match_queued(&state, &alerts).await {
            tracing::error!("alerts: matching failed: {e}");
        }
        send_due(&state, &alerts).await;
        tokio::select! {
            _ = alerts.wake.notified() => {}
            _ = tokio::time::sleep(alerts.tick) => {}
        }
    }
}

/// Matches the queued documents against every confirmed alert, in one blocking task.
async fn match_queued(state: &AppState, alerts: &Arc<Alerts>) -> Result<(), String> {
    let st = state.clone();
    let al = alerts.clone();
    tokio::task::spawn_blocking(move || {
        let (queued, searches) = al.store.to_match();
        if queued.is_empty() {
            return Ok(());
        }
        let mut matches: HashMap<String, Vec<DocId>> = HashMap::new();
        for (id, search) in searches {
            let params = stored_params(&search);
            let request = st.search_request(&params, 0);
            match st.index.matching(&request, &queued) {
                Ok(found) if !found.is_empty() => {
                    matches.insert(id, found);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("alerts: the search of alert {id} failed: {e}"),
            }
        }
        al.store
            .matched(&queued, &matches)
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Sends every message that is due; a server that cannot be reached ends the round (the
/// next one tries again).
async fn send_due(state: &AppState, alerts: &Arc<Alerts>) {
    let now = alerts.clock.now();
    for alert in alerts.store.due(now) {
        let st = state.clone();
        let pending = alert.pending.clone();
        let documents = tokio::task::spawn_blocking(move || {
            pending
                .iter()
                .filter_map(|id| st.index.metadata(id).ok().flatten())
                .map(|d| d.submission)
                .collect::<Vec<Submission>>()
        })
        .await
        .unwrap_or_default();
        let manage = alerts.store.manage_token(&alert.email).unwrap_or_default();
        let result = if documents.is_empty() {
            // Everything it held was deleted since: nothing to say.
            Ok(())
        } else {
            alerts
                .mailer
                .send(&digest_mail(&state.base_url, &alert, &manage, &documents))
                .await
        };
        match result {
            Ok(()) => {
                if let Err(e) = alerts.store.sent(&alert.id, &alert.pending, now) {
                    tracing::error!("alerts: {e}");
                }
            }
            Err(MailError::Refused(reason)) => {
                tracing::warn!("alerts: the mail server refused a message: {reason}");
                if let Err(e) = alerts.store.bounced(&alert.email) {
                    tracing::error!("alerts: {e}");
                }
            }
            Err(e) => {
                tracing::warn!("alerts: {e}");
                return;
            }
        }
    }
}

/// A stored search as parameters: what the feed of the same search shows.
fn stored_params(search: &str) -> SearchParams {
    SearchParams::parse_lenient(Some(search)).unwrap_or_default()
}

/// The canonical form of a search to follow: its query and filters, without paging,
/// ordering or language.
fn canonical(params: &SearchParams) -> String {
    SearchParams {
        page: 1,
        per_page: DEFAULT_PER_PAGE,
        sort: Sort::Relevance,
        lang: Lang::Nb,
        ..params.clone()
    }
    .to_query()
}

/// What the search says, bounded (it is part of a message to someone who may not have
/// asked for it, so it cannot carry a long text of a stranger's choosing).
fn description(lang: Lang, search: &str) -> String {
    let text = feed::describe(lang, &stored_params(search));
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text
    }
}

fn search_url(base: &str, search: &str) -> String {
    if search.is_empty() {
        format!("{base}/sok?sort=newest")
    } else {
        format!("{base}/sok?{search}&sort=newest")
    }
}

fn token_url(base: &str, path: &str, token: &str) -> String {
    format!("{base}{path}?token={token}")
}

/// One line of a message.
pub struct MailItem {
    title: String,
    url: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "alert_mail.html")]
struct MailHtml {
    heading_nb: String,
    heading_en: String,
    lead_nb: String,
    lead_en: String,
    action: Option<(String, &'static str, &'static str)>,
    items: Vec<MailItem>,
    more: usize,
    search_url: String,
    unsubscribe_url: String,
    manage_url: String,
}

fn render_mail(html: MailHtml, to: &str, subject: String) -> Mail {
    let mut text = format!(
        "{}\n{}\n\n{}\n{}\n\n",
        html.heading_nb, html.lead_nb, html.heading_en, html.lead_en
    );
    if let Some((url, nb, en)) = &html.action {
        text.push_str(&format!("{nb} / {en}:\n{url}\n\n"));
    }
    for item in &html.items {
        text.push_str(&format!(
            "* {}\n  {}\n  {}\n",
            item.title, item.detail, item.url
        ));
    }
    if html.more > 0 {
        text.push_str(&format!("… + {}\n", html.more));
    }
    if !html.items.is_empty() {
        text.push_str(&format!(
            "\nHele søket / The whole search:\n{}\n",
            html.search_url
        ));
    }
    text.push_str(&format!(
        "\n--\nAvslutt dette varselet / Unsubscribe from this alert:\n{}\n\
         Dine varsler / Your alerts:\n{}\n",
        html.unsubscribe_url, html.manage_url
    ));
    let unsubscribe = html.unsubscribe_url.clone();
    let html = html.render().unwrap_or_else(|e| {
        tracing::error!("alerts: the message cannot be rendered: {e}");
        String::new()
    });
    Mail {
        to: to.to_string(),
        subject,
        text,
        html,
        unsubscribe,
    }
}

/// The message with the confirmation link.
fn confirmation_mail(base: &str, signup: &SignUp) -> Mail {
    let a = &signup.alert;
    let html = MailHtml {
        heading_nb: "Bekreft varselet".into(),
        heading_en: "Confirm the alert".into(),
        lead_nb: format!(
            "Noen (forhåpentlig du) ba om e-post om nye dokumenter i arkivet for søket: {}. \
             Ingenting sendes før du bekrefter. Ba du ikke om dette, kan du se bort fra \
             meldingen.",
            description(Lang::Nb, &a.search)
        ),
        lead_en: format!(
            "Someone (hopefully you) asked for e-mail about new documents in the archive for \
             the search: {}. Nothing is sent until you confirm. If you did not ask, ignore \
             this message.",
            description(Lang::En, &a.search)
        ),
        action: Some((
            token_url(base, "/varsler/bekreft", &a.token),
            "Bekreft",
            "Confirm",
        )),
        items: Vec::new(),
        more: 0,
        search_url: search_url(base, &a.search),
        unsubscribe_url: token_url(base, "/varsler/avmeld", &a.token),
        manage_url: token_url(base, "/varsler", &signup.manage_token),
    };
    render_mail(
        html,
        &a.email,
        "Bekreft varsel fra arkivet / Confirm your alert".into(),
    )
}

/// The message with the documents an alert found.
fn digest_mail(base: &str, alert: &Alert, manage: &str, documents: &[Submission]) -> Mail {
    let items = documents
        .iter()
        .rev()
        .take(MAX_LISTED)
        .map(|s| MailItem {
            title: s.title.clone(),
            url: format!("{base}/dokument/{}", s.id),
            detail: format!(
                "{} · {}",
                Lang::Nb.kind(s.kind),
                super::pages::views::date_text(Lang::Nb, s)
            ),
        })
        .collect();
    let nb = description(Lang::Nb, &alert.search);
    let en = description(Lang::En, &alert.search);
    let html = MailHtml {
        heading_nb: format!("{} nye dokumenter", documents.len()),
        heading_en: format!("{} new documents", documents.len()),
        lead_nb: format!("Nytt i arkivet for søket du følger: {nb}."),
        lead_en: format!("New in the archive for the search you follow: {en}."),
        action: None,
        items,
        more: documents.len().saturating_sub(MAX_LISTED),
        search_url: search_url(base, &alert.search),
        unsubscribe_url: token_url(base, "/varsler/avmeld", &alert.token),
        manage_url: token_url(base, "/varsler", manage),
    };
    let subject = format!("Nye dokumenter / New documents: {nb}");
    render_mail(html, &alert.email, subject)
}

/// Sends a confirmation message without holding up the answer; a refusal counts as a
/// bounce of the address.
fn send_confirmation(state: &AppState, alerts: &Arc<Alerts>, signup: SignUp) {
    let mail = confirmation_mail(&state.base_url, &signup);
    let alerts = alerts.clone();
    tokio::spawn(async move {
        match alerts.mailer.send(&mail).await {
            Ok(()) => {}
            Err(MailError::Refused(reason)) => {
                tracing::warn!("alerts: a confirmation was refused: {reason}");
                let store_alerts = alerts.clone();
                let email = signup.alert.email.clone();
                let _ =
                    tokio::task::spawn_blocking(move || store_alerts.store.bounced(&email)).await;
            }
            Err(e) => tracing::warn!("alerts: a confirmation could not be sent: {e}"),
        }
    });
}

/// Why a sign-up was not taken.
enum Refusal {
    Off,
    BadAddress(String),
    BadSearch(String),
    Limited(String),
    Store(AlertError),
}

/// The one path of every sign-up, from the form and the API alike.
async fn sign_up(
    state: &AppState,
    email: &str,
    params: &SearchParams,
    frequency: Frequency,
    client: &str,
) -> Result<(), Refusal> {
    // A bad request is a 400 whether or not alerts are on.
    let email = mail::check_address(email).map_err(|e| Refusal::BadAddress(e.to_string()))?;
    let Some(alerts) = state.alerts.clone() else {
        return Err(Refusal::Off);
    };
    let search = canonical(params);
    alerts
        .limits
        .check(&email, client)
        .map_err(|e| Refusal::Limited(e.to_string()))?;
    let al = alerts.clone();
    let now = alerts.clock.now();
    let signup =
        tokio::task::spawn_blocking(move || al.store.subscribe(&email, &search, frequency, now))
            .await
            .map_err(|e| Refusal::Store(AlertError::Damaged("alerts".into(), e.to_string())))?
            .map_err(|e| match e {
                AlertError::SearchTooLong => Refusal::BadSearch(e.to_string()),
                AlertError::TooManyForAddress | AlertError::Full => Refusal::Limited(e.to_string()),
                e => Refusal::Store(e),
            })?;
    if signup.needs_confirmation {
        send_confirmation(state, &alerts, signup);
    }
    Ok(())
}

/// Whether the browser says the request comes from another site.
fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let bare = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or(origin);
    host.is_empty() || bare != host
}

/// `POST /api/alerts`: `{"email": …, "search": {the /api/search parameters}, "frequency":
/// "immediate" | "daily"}` → 202, and the confirmation message goes out.
pub async fn api_create(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Response {
    let refuse = |status: StatusCode, message: String| {
        (status, Json(json!({ "error": message }))).into_response()
    };
    let body: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v @ serde_json::Value::Object(_)) => v,
        Ok(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "the body is not a JSON object".into(),
            );
        }
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("the body is not JSON: {e}"),
            );
        }
    };
    if let Some(unknown) = body
        .as_object()
        .into_iter()
        .flat_map(|o| o.keys())
        .find(|k| !matches!(k.as_str(), "email" | "search" | "frequency"))
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("unknown field `{unknown}`"),
        );
    }
    let Some(email) = body.get("email").and_then(|v| v.as_str()) else {
        return refuse(StatusCode::BAD_REQUEST, "`email` is required".into());
    };
    let frequency = match body.get("frequency") {
        None => Frequency::Immediate,
        Some(v) => match v.as_str().and_then(Frequency::parse) {
            Some(f) => f,
            None => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "`frequency` is \"immediate\" or \"daily\"".into(),
                );
            }
        },
    };
    let params = match search_object(body.get("search")) {
        Ok(p) => p,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, message),
    };
    let client = client_address(&extensions);
    match sign_up(&state, email, &params, frequency, &client).await {
        Ok(()) => (
            StatusCode::ACCEPTED,
            Json(json!({
                "status": "confirmation_sent",
                "message": "a message with a confirmation link was sent to the address; \
                            nothing else is sent until it is used",
            })),
        )
            .into_response(),
        // Not a 5xx: nothing failed, and nothing will change by trying again.
        Err(Refusal::Off) => refuse(
            StatusCode::NOT_FOUND,
            "alerts by e-mail are not available on this archive".into(),
        ),
        Err(Refusal::BadAddress(m)) | Err(Refusal::BadSearch(m)) => {
            refuse(StatusCode::BAD_REQUEST, m)
        }
        Err(Refusal::Limited(m)) => {
            let mut response = refuse(StatusCode::TOO_MANY_REQUESTS, m);
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from_static("3600"),
            );
            response
        }
        Err(Refusal::Store(e)) => {
            tracing::error!("alerts: {e}");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the alert could not be stored: try again later".into(),
            )
        }
    }
}

/// The `search` object of `POST /api/alerts` as search parameters, checked as strictly as
/// `/api/search` checks its URL.
fn search_object(value: Option<&serde_json::Value>) -> Result<SearchParams, String> {
    let object = match value {
        None | Some(serde_json::Value::Null) => return Ok(SearchParams::default()),
        Some(serde_json::Value::Object(o)) => o,
        Some(_) => return Err("`search` is an object of /api/search parameters".into()),
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    let scalar = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_string()),
        _ => None,
    };
    for (name, v) in object {
        if matches!(name.as_str(), "page" | "per_page" | "sort" | "lang") {
            continue;
        }
        match v {
            serde_json::Value::Array(values) => {
                for item in values {
                    let text =
                        scalar(item).ok_or_else(|| format!("`search.{name}` holds a non-value"))?;
                    query.append_pair(name, &text);
                }
            }
            other => {
                let text =
                    scalar(other).ok_or_else(|| format!("`search.{name}` is not a value"))?;
                query.append_pair(name, &text);
            }
        }
    }
    let query = query.finish();
    SearchParams::parse(Some(&query)).map_err(|e| e.to_string())
}

// ---- pages ----

/// The sign-up form's texts and state, shown on every search page.
pub struct AlertForm {
    pub available: bool,
    pub hidden: Vec<(String, String)>,
    pub words: &'static Words,
}

/// The form for the search `params`, for the search page.
pub fn form(state: &AppState, params: &SearchParams) -> AlertForm {
    let mut hidden = vec![];
    if !params.q.is_empty() {
        hidden.push(("q".to_string(), params.q.clone()));
    }
    hidden.extend(params.hidden_filters());
    if let Some(y) = params.from {
        hidden.push(("from".into(), y.to_string()));
    }
    if let Some(y) = params.to {
        hidden.push(("to".into(), y.to_string()));
    }
    if params.exact {
        hidden.push(("exact".into(), "1".into()));
    }
    if params.lang == Lang::En {
        hidden.push(("lang".into(), "en".into()));
    }
    AlertForm {
        available: state.alerts.is_some(),
        hidden,
        words: words(params.lang),
    }
}

pub struct Words {
    pub title: &'static str,
    pub lead: &'static str,
    pub email: &'static str,
    pub immediate: &'static str,
    pub daily: &'static str,
    pub frequency: &'static str,
    pub submit: &'static str,
    pub unavailable: &'static str,
    sent_title: &'static str,
    sent: &'static str,
    confirm_title: &'static str,
    confirm_lead: &'static str,
    confirm_button: &'static str,
    confirmed: &'static str,
    unsubscribe_title: &'static str,
    unsubscribe_lead: &'static str,
    unsubscribe_button: &'static str,
    unsubscribed: &'static str,
    manage_title: &'static str,
    manage_lead: &'static str,
    manage_none: &'static str,
    manage_unconfirmed: &'static str,
    remove: &'static str,
    change: &'static str,
    forget: &'static str,
    forget_lead: &'static str,
    forgotten: &'static str,
    no_link: &'static str,
    link_lead: &'static str,
    link_button: &'static str,
    link_sent: &'static str,
    unknown_link: &'static str,
    limited: &'static str,
    cross_site: &'static str,
    store_failed: &'static str,
    bad_address: &'static str,
    your_manage: &'static str,
}

static NB: Words = Words {
    title: "Følg søket på e-post",
    lead: "Få e-post når nye dokumenter passer med dette søket. Du må bekrefte adressen først, og hver e-post har en lenke for å avslutte.",
    email: "E-postadresse",
    immediate: "Med en gang",
    daily: "Én gang om dagen",
    frequency: "Hvor ofte",
    submit: "Følg søket",
    unavailable: "Varsler på e-post er ikke tilgjengelig i dette arkivet.",
    sent_title: "Sjekk e-posten din",
    sent: "Hvis adressen kan brukes, har vi sendt en e-post med en lenke. Varselet starter først når du har bekreftet det.",
    confirm_title: "Bekreft varselet",
    confirm_lead: "Du får e-post om nye dokumenter for søket:",
    confirm_button: "Bekreft",
    confirmed: "Varselet er bekreftet. Du får e-post når nye dokumenter passer med søket.",
    unsubscribe_title: "Avslutt varselet",
    unsubscribe_lead: "Du får ikke lenger e-post om søket:",
    unsubscribe_button: "Avslutt varselet",
    unsubscribed: "Varselet er avsluttet. Har adressen ingen varsler igjen, er den slettet.",
    manage_title: "Dine varsler",
    manage_lead: "Varslene for",
    manage_none: "Adressen har ingen varsler.",
    manage_unconfirmed: "ikke bekreftet",
    remove: "Slett",
    change: "Endre",
    forget: "Slett adressen og alle varslene",
    forget_lead: "Adressen lagres bare for varslene. Du kan slette den med alle varslene her.",
    forgotten: "Adressen og alle varslene er slettet.",
    no_link: "Siden for varslene dine åpnes med lenken nederst i hver e-post fra arkivet.",
    link_lead: "Har du ikke e-posten? Skriv adressen, så sender vi lenken dit hvis den har varsler.",
    link_button: "Send lenken",
    link_sent: "Hvis adressen har varsler, har vi sendt lenken dit.",
    unknown_link: "Lenken er ukjent eller utløpt. Kanskje varselet alt er avsluttet?",
    limited: "For mange forsøk. Prøv igjen om en time.",
    cross_site: "Skjemaet må sendes fra arkivets egne sider.",
    store_failed: "Varselet kunne ikke lagres nå. Prøv igjen senere.",
    bad_address: "Dette er ikke en e-postadresse vi kan bruke.",
    your_manage: "Dine varsler",
};

static EN: Words = Words {
    title: "Follow this search by e-mail",
    lead: "Get e-mail when new documents match this search. You confirm the address first, and every message has a link to stop.",
    email: "E-mail address",
    immediate: "At once",
    daily: "Once a day",
    frequency: "How often",
    submit: "Follow the search",
    unavailable: "Alerts by e-mail are not available on this archive.",
    sent_title: "Check your e-mail",
    sent: "If the address can be used, we sent it a message with a link. The alert starts only once you confirm it.",
    confirm_title: "Confirm the alert",
    confirm_lead: "You will get e-mail about new documents for the search:",
    confirm_button: "Confirm",
    confirmed: "The alert is confirmed. You will get e-mail when new documents match the search.",
    unsubscribe_title: "Stop the alert",
    unsubscribe_lead: "You will no longer get e-mail about the search:",
    unsubscribe_button: "Stop the alert",
    unsubscribed: "The alert is stopped. An address with no alerts left is deleted.",
    manage_title: "Your alerts",
    manage_lead: "The alerts of",
    manage_none: "The address has no alerts.",
    manage_unconfirmed: "not confirmed",
    remove: "Delete",
    change: "Change",
    forget: "Delete the address and every alert",
    forget_lead: "The address is stored only for its alerts. You can delete it with all of them here.",
    forgotten: "The address and all its alerts are deleted.",
    no_link: "The page of your alerts opens from the link at the bottom of every message from the archive.",
    link_lead: "No message at hand? Type the address and we send the link there if it has alerts.",
    link_button: "Send the link",
    link_sent: "If the address has alerts, we sent the link there.",
    unknown_link: "The link is unknown or has expired. Perhaps the alert was already stopped?",
    limited: "Too many attempts. Try again in an hour.",
    cross_site: "The form must be sent from the archive's own pages.",
    store_failed: "The alert could not be stored now. Try again later.",
    bad_address: "This is not an e-mail address we can use.",
    your_manage: "Your alerts",
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Nb => &NB,
        Lang::En => &EN,
    }
}

/// One alert on its owner's page.
pub struct AlertLine {
    id: String,
    description: String,
    search_url: String,
    daily: bool,
    confirmed: bool,
}

/// What an alerts page shows: a message, and the forms that apply.
#[derive(Template, WebTemplate)]
#[template(path = "alerts.html")]
pub struct AlertsPage {
    ctx: PageContext,
    w: &'static Words,
    heading: &'static str,
    message: String,
    /// A form to confirm or stop one alert: (action, token, its search, button).
    token_form: Option<(&'static str, String, String, &'static str)>,
    /// The owner's page: the manage token, the address and its alerts.
    owner: Option<(String, String, Vec<AlertLine>)>,
    /// The form that sends the page's link to an address.
    link_form: bool,
    lang_field: bool,
}
embeds_context!(AlertsPage);

fn page(ctx: PageContext, heading: &'static str, message: String) -> AlertsPage {
    let lang = ctx.lang();
    AlertsPage {
        w: words(lang),
        heading,
        message,
        token_form: None,
        owner: None,
        link_form: false,
        lang_field: lang == Lang::En,
        ctx,
    }
}

fn with_status(status: StatusCode, page: AlertsPage) -> Response {
    (status, page).into_response()
}

/// The fields of a posted form.
fn form_fields(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn lang_of(fields: &HashMap<String, String>, ctx: &PageContext) -> Lang {
    match fields.get("lang") {
        Some(v) => Lang::from_param(v),
        None => ctx.lang(),
    }
}

fn in_lang(mut ctx: PageContext, lang: Lang) -> PageContext {
    if ctx.lang() != lang {
        let query = if lang == Lang::En { "lang=en" } else { "" };
        ctx.chrome = super::pages::Chrome::new(lang, "/varsler", query);
    }
    ctx
}

/// What every form of these pages starts with: its fields and the page context in the
/// form's language. A post from another site is refused before anything is read.
struct Posted {
    fields: HashMap<String, String>,
    ctx: PageContext,
    w: &'static Words,
}

impl Posted {
    /// `heading` names the page a refusal is shown on.
    fn read(
        ctx: PageContext,
        headers: &HeaderMap,
        body: &[u8],
        heading: fn(&Words) -> &'static str,
    ) -> Result<Posted, Refused> {
        let fields = form_fields(body);
        let lang = lang_of(&fields, &ctx);
        let ctx = in_lang(ctx, lang);
        let w = words(lang);
        if cross_site(headers) {
            return Err(Refused::with(with_status(
                StatusCode::FORBIDDEN,
                page(ctx, heading(w), w.cross_site.into()),
            )));
        }
        Ok(Posted { fields, ctx, w })
    }

    fn field(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// A form's answer before it did anything: from another site, or alerts are off.
pub struct Refused(Box<Response>);

impl Refused {
    fn with(response: Response) -> Refused {
        Refused(Box::new(response))
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// Runs a change of the alert store on the blocking threads; a failure of the store or of
/// its task comes back as the text to log.
async fn in_store<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, AlertError> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(job).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// The page when the alert store could not do what was asked: logged, and "try again later".
fn store_failed(ctx: PageContext, heading: &'static str, error: &str) -> Response {
    tracing::error!("alerts: {error}");
    let w = words(ctx.lang());
    with_status(
        StatusCode::SERVICE_UNAVAILABLE,
        page(ctx, heading, w.store_failed.into()),
    )
}

/// `POST /varsler/ny`: the form of a search page.
pub async fn create(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Result<Response, Refused> {
    let Posted { fields, ctx, w } = Posted::read(ctx, &headers, &body, |w| w.title)?;
    let raw = std::str::from_utf8(&body).unwrap_or("");
    let params = match SearchParams::parse_lenient(Some(raw)) {
        Ok(p) => p,
        Err(e) => {
            return Ok(with_status(
                StatusCode::BAD_REQUEST,
                page(ctx, w.title, e.to_string()),
            ));
        }
    };
    let frequency = fields
        .get("frequency")
        .and_then(|f| Frequency::parse(f))
        .unwrap_or(Frequency::Immediate);
    let email = fields.get("email").map(String::as_str).unwrap_or("");
    let client = client_address(&extensions);
    Ok(
        match sign_up(&state, email, &params, frequency, &client).await {
            Ok(()) => with_status(StatusCode::OK, page(ctx, w.sent_title, w.sent.into())),
            Err(Refusal::Off) => with_status(
                StatusCode::NOT_FOUND,
                page(ctx, w.title, w.unavailable.into()),
            ),
            Err(Refusal::BadAddress(_)) => with_status(
                StatusCode::BAD_REQUEST,
                page(ctx, w.title, w.bad_address.into()),
            ),
            Err(Refusal::BadSearch(m)) => {
                with_status(StatusCode::BAD_REQUEST, page(ctx, w.title, m))
            }
            Err(Refusal::Limited(_)) => with_status(
                StatusCode::TOO_MANY_REQUESTS,
                page(ctx, w.title, w.limited.into()),
            ),
            Err(Refusal::Store(e)) => store_failed(ctx, w.title, &e.to_string()),
        },
    )
}

/// The archive's alerts; without an SMTP server there are none, and their pages are 404.
fn store(state: &AppState) -> Result<Arc<Alerts>, Refused> {
    state
        .alerts
        .clone()
        .ok_or_else(|| Refused::with(PageError::NotFound(Lang::Nb).into_response()))
}

/// `GET /varsler/bekreft?token=…`: the page with the button that confirms (a link alone
/// changes nothing, so a mail scanner that follows links confirms nothing).
pub async fn confirm_page(State(state): State<AppState>, ctx: PageContext) -> Response {
    token_page(&state, ctx, "/varsler/bekreft", true)
}

/// `GET /varsler/avmeld?token=…`: the page with the button that stops the alert.
pub async fn unsubscribe_page(State(state): State<AppState>, ctx: PageContext) -> Response {
    token_page(&state, ctx, "/varsler/avmeld", false)
}

fn token_page(state: &AppState, ctx: PageContext, action: &'static str, confirm: bool) -> Response {
    let lang = ctx.lang();
    let w = words(lang);
    let alert = match store(state) {
        Ok(alerts) => ctx.param("token").and_then(|t| alerts.store.by_token(&t)),
        Err(refused) => return refused.into_response(),
    };
    let Some(alert) = alert else {
        return with_status(
            StatusCode::NOT_FOUND,
            page(ctx, w.unsubscribe_title, w.unknown_link.into()),
        );
    };
    let (heading, lead, button) = if confirm {
        (w.confirm_title, w.confirm_lead, w.confirm_button)
    } else {
        (
            w.unsubscribe_title,
            w.unsubscribe_lead,
            w.unsubscribe_button,
        )
    };
    let mut p = page(ctx, heading, lead.into());
    p.token_form = Some((
        action,
        alert.token,
        description(lang, &alert.search),
        button,
    ));
    with_status(StatusCode::OK, p)
}

/// `POST /varsler/bekreft`: the token in the form.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refused> {
    let form = Posted::read(ctx, &headers, &body, |w| w.confirm_title)?;
    let alerts = store(&state)?;
    let token = form.field("token");
    let Posted { ctx, w, .. } = form;
    let now = alerts.clock.now();
    let al = alerts.clone();
    Ok(
        match in_store(move || al.store.confirm(&token, now)).await {
            Ok(Some(alert)) => {
                let mut p = page(ctx, w.confirm_title, w.confirmed.into());
                if let Some(manage) = alerts.store.manage_token(&alert.email) {
                    p.owner = Some((manage, String::new(), Vec::new()));
                }
                with_status(StatusCode::OK, p)
            }
            Ok(None) => with_status(
                StatusCode::NOT_FOUND,
                page(ctx, w.confirm_title, w.unknown_link.into()),
            ),
            Err(e) => store_failed(ctx, w.confirm_title, &e),
        },
    )
}

/// `POST /varsler/avmeld`: the token in the form, or (RFC 8058 one-click, from a mail
/// program) in the URL with `List-Unsubscribe=One-Click` in the body.
pub async fn unsubscribe(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refused> {
    let form = Posted::read(ctx, &headers, &body, |w| w.unsubscribe_title)?;
    let alerts = store(&state)?;
    let token = form
        .fields
        .get("token")
        .cloned()
        .or_else(|| form.ctx.param("token"))
        .unwrap_or_default();
    let Posted { ctx, w, .. } = form;
    Ok(
        match in_store(move || alerts.store.unsubscribe(&token)).await {
            Ok(Some(_)) => with_status(
                StatusCode::OK,
                page(ctx, w.unsubscribe_title, w.unsubscribed.into()),
            ),
            Ok(None) => with_status(
                StatusCode::NOT_FOUND,
                page(ctx, w.unsubscribe_title, w.unknown_link.into()),
            ),
            Err(e) => store_failed(ctx, w.unsubscribe_title, &e),
        },
    )
}

/// `GET /varsler?token=…`: an address's alerts, to change or delete; without a (known)
/// token, how to get the link.
pub async fn manage(State(state): State<AppState>, ctx: PageContext) -> Response {
    let lang = ctx.lang();
    let w = words(lang);
    let Some(alerts) = state.alerts.clone() else {
        return with_status(
            StatusCode::OK,
            page(ctx, w.manage_title, w.unavailable.into()),
        );
    };
    let owner = ctx
        .param("token")
        .and_then(|t| alerts.store.owner(&t).map(|o| (t, o)));
    let Some((token, (email, list))) = owner else {
        let mut p = page(ctx, w.manage_title, w.no_link.into());
        p.link_form = true;
        return with_status(StatusCode::OK, p);
    };
    owner_page(ctx, &state.base_url, token, email, list, String::new())
}

fn owner_page(
    ctx: PageContext,
    base: &str,
    token: String,
    email: String,
    list: Vec<Alert>,
    message: String,
) -> Response {
    let lang = ctx.lang();
    let w = words(lang);
    let lines = list
        .iter()
        .map(|a| AlertLine {
            id: a.id.clone(),
            description: description(lang, &a.search),
            search_url: search_url(base, &a.search),
            daily: a.frequency == Frequency::Daily,
            confirmed: a.confirmed.is_some(),
        })
        .collect();
    let mut p = page(ctx, w.manage_title, message);
    p.owner = Some((token, email, lines));
    with_status(StatusCode::OK, p)
}

/// `POST /varsler/endre`: on the owner's page, delete one alert (`remove`), change its
/// frequency (`frequency`), or delete the address with every alert (`forget`).
pub async fn change(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refused> {
    let form = Posted::read(ctx, &headers, &body, |w| w.manage_title)?;
    let alerts = store(&state)?;
    let token = form.field("token");
    let alert = form.field("alert");
    let frequency = form
        .fields
        .get("frequency")
        .and_then(|f| Frequency::parse(f));
    let forget = form.fields.contains_key("forget");
    let Posted { ctx, w, .. } = form;
    let al = alerts.clone();
    let t = token.clone();
    let result = in_store(move || {
        if forget {
            al.store.forget_address(&t)
        } else if let Some(f) = frequency {
            al.store.set_frequency(&t, &alert, f)
        } else {
            al.store.remove(&t, &alert)
        }
    })
    .await;
    Ok(match result {
        Ok(true) if forget => with_status(
            StatusCode::OK,
            page(ctx, w.manage_title, w.forgotten.into()),
        ),
        Ok(true) => match alerts.store.owner(&token) {
            Some((email, list)) => {
                owner_page(ctx, &state.base_url, token, email, list, String::new())
            }
            None => with_status(
                StatusCode::OK,
                page(ctx, w.manage_title, w.forgotten.into()),
            ),
        },
        Ok(false) => with_status(
            StatusCode::NOT_FOUND,
            page(ctx, w.manage_title, w.unknown_link.into()),
        ),
        Err(e) => store_failed(ctx, w.manage_title, &e),
    })
}

/// `POST /varsler/lenke`: sends the link to an address's page there, when it has alerts.
/// The answer is the same either way, so it tells no one which addresses are stored.
pub async fn send_link(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Result<Response, Refused> {
    let Posted { fields, ctx, w } = Posted::read(ctx, &headers, &body, |w| w.manage_title)?;
    let alerts = store(&state)?;
    let Ok(email) = mail::check_address(fields.get("email").map(String::as_str).unwrap_or(""))
    else {
        return Ok(with_status(
            StatusCode::BAD_REQUEST,
            page(ctx, w.manage_title, w.bad_address.into()),
        ));
    };
    if alerts
        .limits
        .check(&email, &client_address(&extensions))
        .is_err()
    {
        return Ok(with_status(
            StatusCode::TOO_MANY_REQUESTS,
            page(ctx, w.manage_title, w.limited.into()),
        ));
    }
    if let Some(manage) = alerts.store.manage_token(&email) {
        let base = &state.base_url;
        let manage_url = token_url(base, "/varsler", &manage);
        let html = MailHtml {
            heading_nb: "Dine varsler".into(),
            heading_en: "Your alerts".into(),
            lead_nb: "Her er lenken til siden med varslene dine.".into(),
            lead_en: "Here is the link to the page of your alerts.".into(),
            action: Some((manage_url.clone(), "Dine varsler", "Your alerts")),
            items: Vec::new(),
            more: 0,
            search_url: format!("{base}/sok"),
            unsubscribe_url: manage_url.clone(),
            manage_url,
        };
        let mail = render_mail(html, &email, "Dine varsler / Your alerts".into());
        let al = alerts.clone();
        tokio::spawn(async move {
            if let Err(e) = al.mailer.send(&mail).await {
                tracing::warn!("alerts: the link could not be sent: {e}");
            }
        });
    }
    Ok(with_status(
        StatusCode::OK,
        page(ctx, w.manage_title, w.link_sent.into()),
    ))
}

/// Every public alert route, for the router.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/varsler", get(manage))
        .route("/varsler/ny", post(create))
        .route("/varsler/bekreft", get(confirm_page).post(confirm))
        .route("/varsler/avmeld", get(unsubscribe_page).post(unsubscribe))
        .route("/varsler/endre", post(change))
        .route("/varsler/lenke", post(send_link))
        .route("/api/alerts", post(api_create))
}
