//! Alerts by e-mail: anyone may follow a search and be told of new documents that match it.
//! This module keeps the subscriptions (`DATA/alerts.json`, mode 0600, written atomically
//! after every change, so a restart loses nothing that was acknowledged), decides when a
//! message is due (at once, or in the daily digest by an injectable [`Clock`]), and bounds
//! sign-ups ([`SignUpLimits`]). Sending is [`mail`]'s; matching and wording are the web
//! layer's (`web::alerts`), which knows what a search is.
//!
//! An address is stored only for its alerts: removing the last alert of an address removes
//! the address, and its owner can do that from the link in every message.

pub mod mail;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::accounts::{DataDir, constant_time_eq, random_hex};
use crate::model::DocId;

/// Alerts one address may have.
pub const MAX_ALERTS_PER_ADDRESS: usize = 20;
/// Alerts the archive keeps in all, confirmed or not.
pub const MAX_ALERTS: usize = 100_000;
/// Matched documents an alert holds until its next message; past it the oldest are dropped
/// (the message links to the search, which has them all).
pub const MAX_PENDING: usize = 200;
/// Documents listed in one message.
pub const MAX_LISTED: usize = 50;
/// An alert not confirmed within this is forgotten, with its address.
pub const CONFIRM_WITHIN: chrono::Duration = chrono::Duration::days(7);
/// Permanent refusals (bounces) after which an address and its alerts are removed.
pub const MAX_BOUNCES: u32 = 3;
/// The hour (UTC) of the daily digest.
pub const DIGEST_HOUR_UTC: u32 = 6;
/// Characters of a stored search (its URL query string).
pub const MAX_SEARCH_CHARS: usize = 4_000;

/// How often a followed search is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    /// A message soon after a matching document arrives.
    Immediate,
    /// One message a day, at [`DIGEST_HOUR_UTC`], with everything new since the last.
    Daily,
}

impl Frequency {
    pub fn parse(text: &str) -> Option<Frequency> {
        match text {
            "immediate" => Some(Frequency::Immediate),
            "daily" => Some(Frequency::Daily),
            _ => None,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Frequency::Immediate => "immediate",
            Frequency::Daily => "daily",
        }
    }
}

/// One followed search.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Alert {
    /// Random; names the alert on its owner's page.
    pub id: String,
    pub email: String,
    /// The search, as the query string of its URL (the parameters of `/feed.atom`).
    pub search: String,
    pub frequency: Frequency,
    pub created: DateTime<Utc>,
    pub confirmed: Option<DateTime<Utc>>,
    /// The secret of the alert's confirmation and unsubscribe links (256 random bits).
    pub token: String,
    /// Documents matched and not yet sent, oldest first.
    #[serde(default)]
    pub pending: Vec<DocId>,
    /// The last message sent (or the confirmation, before the first).
    pub last_sent: Option<DateTime<Utc>>,
    /// Permanent refusals in a row.
    #[serde(default)]
    pub bounces: u32,
}

/// What `alerts.json` holds.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    alerts: Vec<Alert>,
    /// Each address's secret for its page of alerts (`/varsler?token=…`).
    owners: BTreeMap<String, String>,
    /// Documents added and not yet matched against the alerts.
    #[serde(default)]
    queued: Vec<DocId>,
}

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("the alerts file {0} is damaged: {1}")]
    Damaged(PathBuf, String),
    #[error("this address follows {MAX_ALERTS_PER_ADDRESS} searches already")]
    TooManyForAddress,
    #[error("the archive keeps no more alerts")]
    Full,
    #[error("the search is longer than {MAX_SEARCH_CHARS} characters")]
    SearchTooLong,
}

/// A new subscription, or one asked for again.
#[derive(Debug, Clone)]
pub struct SignUp {
    pub alert: Alert,
    pub manage_token: String,
    /// Whether a confirmation message should go out (not for one already confirmed).
    pub needs_confirmation: bool,
}

/// The subscriptions, in memory and on disk.
#[derive(Debug)]
pub struct AlertStore {
    path: PathBuf,
    dir: PathBuf,
    stored: Mutex<Stored>,
}

impl AlertStore {
    /// Reads `DATA/alerts.json` (none yet: no alerts). A damaged file is an error, never
    /// silently replaced.
    pub fn open(data: &DataDir) -> Result<AlertStore, AlertError> {
        let path = data.root().join("alerts.json");
        let stored = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| AlertError::Damaged(path.clone(), e.to_string()))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Stored::default(),
            Err(source) => return Err(AlertError::Io { path, source }),
        };
        Ok(AlertStore {
            path,
            dir: data.root().to_path_buf(),
            stored: Mutex::new(stored),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Stored> {
        self.stored.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the whole file: temp file, fsync, rename. Called with the lock held, so
    /// writes never interleave and what is on disk is what was acknowledged.
    fn save(&self, stored: &Stored) -> Result<(), AlertError> {
        let io = |source| AlertError::Io {
            path: self.path.clone(),
            source,
        };
        let json = serde_json::to_vec(stored).map_err(|e| io(io::Error::other(e)))?;
        let mut temp = tempfile::Builder::new()
            .prefix(".alerts-")
            .tempfile_in(&self.dir)
            .map_err(io)?;
        crate::accounts::set_mode(temp.path(), 0o600).map_err(io)?;
        temp.write_all(&json).map_err(io)?;
        temp.as_file().sync_all().map_err(io)?;
        temp.persist(&self.path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// Changes the stored state and writes it; on a failed write the change is undone,
    /// so memory never holds what the disk does not.
    fn change<T>(&self, f: impl FnOnce(&mut Stored) -> T) -> Result<T, AlertError> {
        let mut stored = self.lock();
        let before = serde_json::to_vec(&*stored).ok();
        let out = f(&mut stored);
        if let Err(e) = self.save(&stored) {
            if let Some(before) = before.and_then(|b| serde_json::from_slice(&b).ok()) {
                *stored = before;
            }
            return Err(e);
        }
        Ok(out)
    }

    /// Follows `search` for `email` (checked by [`mail::check_address`]), unconfirmed
    /// until the link in the confirmation message is used. The same search asked for
    /// again by the same address is the same alert (its frequency updated while it is
    /// unconfirmed).
    pub fn subscribe(
        &self,
        email: &str,
        search: &str,
        frequency: Frequency,
        now: DateTime<Utc>,
    ) -> Result<SignUp, AlertError> {
        if search.chars().count() > MAX_SEARCH_CHARS {
            return Err(AlertError::SearchTooLong);
        }
        self.change(|s| {
            prune(s, now);
            let manage_token = s
                .owners
                .entry(email.to_string())
                .or_insert_with(|| random_hex(32))
                .clone();
            if let Some(existing) = s
                .alerts
                .iter_mut()
                .find(|a| a.email == email && a.search == search)
            {
                let needs_confirmation = existing.confirmed.is_none();
                if needs_confirmation {
                    existing.frequency = frequency;
                }
                return Ok(SignUp {
                    alert: existing.clone(),
                    manage_token,
                    needs_confirmation,
                });
            }
            if s.alerts.iter().filter(|a| a.email == email).count() >= MAX_ALERTS_PER_ADDRESS {
                forget_unused_owner(s, email);
                return Err(AlertError::TooManyForAddress);
            }
            if s.alerts.len() >= MAX_ALERTS {
                forget_unused_owner(s, email);
                return Err(AlertError::Full);
            }
            let alert = Alert {
                id: random_hex(16),
                email: email.to_string(),
                search: search.to_string(),
                frequency,
                created: now,
                confirmed: None,
                token: random_hex(32),
                pending: Vec::new(),
                last_sent: None,
                bounces: 0,
            };
            s.alerts.push(alert.clone());
            Ok(SignUp {
                alert,
                manage_token,
                needs_confirmation: true,
            })
        })?
    }

    /// The alert whose link carries `token`.
    pub fn by_token(&self, token: &str) -> Option<Alert> {
        self.lock()
            .alerts
            .iter()
            .find(|a| constant_time_eq(&a.token, token))
            .cloned()
    }

    /// Confirms the alert of `token`; `None` when there is none (unknown, expired or
    /// unsubscribed).
    pub fn confirm(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Alert>, AlertError> {
        self.change(|s| {
            let alert = s
                .alerts
                .iter_mut()
                .find(|a| constant_time_eq(&a.token, token))?;
            if alert.confirmed.is_none() {
                alert.confirmed = Some(now);
                alert.last_sent = Some(now);
            }
            Some(alert.clone())
        })
    }

    /// Removes the alert of `token`, and its address when no alert is left.
    pub fn unsubscribe(&self, token: &str) -> Result<Option<Alert>, AlertError> {
        self.change(|s| {
            let at = s
                .alerts
                .iter()
                .position(|a| constant_time_eq(&a.token, token))?;
            let alert = s.alerts.remove(at);
            forget_unused_owner(s, &alert.email);
            Some(alert)
        })
    }

    /// The address whose page `manage_token` opens, with its alerts.
    pub fn owner(&self, manage_token: &str) -> Option<(String, Vec<Alert>)> {
        let s = self.lock();
        let email = s
            .owners
            .iter()
            .find(|(_, t)| constant_time_eq(t, manage_token))
            .map(|(e, _)| e.clone())?;
        let alerts = s
            .alerts
            .iter()
            .filter(|a| a.email == email)
            .cloned()
            .collect();
        Some((email, alerts))
    }

    /// The secret of an address's page, when it has alerts.
    pub fn manage_token(&self, email: &str) -> Option<String> {
        self.lock().owners.get(email).cloned()
    }

    /// Removes one alert of the owner of `manage_token`.
    pub fn remove(&self, manage_token: &str, alert_id: &str) -> Result<bool, AlertError> {
        let Some((email, _)) = self.owner(manage_token) else {
            return Ok(false);
        };
        self.change(|s| {
            let before = s.alerts.len();
            s.alerts.retain(|a| !(a.email == email && a.id == alert_id));
            forget_unused_owner(s, &email);
            s.alerts.len() < before
        })
    }

    /// Sets the frequency of one alert of the owner of `manage_token`.
    pub fn set_frequency(
        &self,
        manage_token: &str,
        alert_id: &str,
        frequency: Frequency,
    ) -> Result<bool, AlertError> {
        let Some((email, _)) = self.owner(manage_token) else {
            return Ok(false);
        };
        self.change(|s| {
            match s
                .alerts
                .iter_mut()
                .find(|a| a.email == email && a.id == alert_id)
            {
                Some(a) => {
                    a.frequency = frequency;
                    true
                }
                None => false,
            }
        })
    }

    /// Removes the address of `manage_token` and every alert it has.
    pub fn forget_address(&self, manage_token: &str) -> Result<bool, AlertError> {
        let Some((email, _)) = self.owner(manage_token) else {
            return Ok(false);
        };
        self.change(|s| {
            s.alerts.retain(|a| a.email != email);
            s.owners.remove(&email);
            true
        })
    }

    /// Notes documents just added, to be matched by the sender. Written before the call
    /// returns, so a restart still matches them.
    pub fn queue(&self, ids: &[DocId]) -> Result<(), AlertError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.change(|s| {
            for id in ids {
                if !s.queued.contains(id) {
                    s.queued.push(id.clone());
                }
            }
            // The queue is drained at every wake of the sender; a bound keeps a stalled
            // sender from growing the file without end.
            let excess = s.queued.len().saturating_sub(MAX_QUEUED);
            s.queued.drain(..excess);
        })
    }

    /// The documents waiting to be matched, and the confirmed alerts' (id, search).
    pub fn to_match(&self) -> (Vec<DocId>, Vec<(String, String)>) {
        let s = self.lock();
        let alerts = s
            .alerts
            .iter()
            .filter(|a| a.confirmed.is_some())
            .map(|a| (a.id.clone(), a.search.clone()))
            .collect();
        (s.queued.clone(), alerts)
    }

    /// Records what matching found: `matches` (alert id → documents) join the alerts'
    /// pending lists and `done` leaves the queue.
    pub fn matched(
        &self,
        done: &[DocId],
        matches: &HashMap<String, Vec<DocId>>,
    ) -> Result<(), AlertError> {
        self.change(|s| {
            s.queued.retain(|id| !done.contains(id));
            for alert in &mut s.alerts {
                if let Some(ids) = matches.get(&alert.id) {
                    for id in ids {
                        if !alert.pending.contains(id) {
                            alert.pending.push(id.clone());
                        }
                    }
                    let excess = alert.pending.len().saturating_sub(MAX_PENDING);
                    alert.pending.drain(..excess);
                }
            }
        })
    }

    /// The confirmed alerts whose message is due at `now`: immediate ones with anything
    /// pending, daily ones with anything pending once the day's digest hour has passed
    /// since their last message.
    pub fn due(&self, now: DateTime<Utc>) -> Vec<Alert> {
        let slot = digest_slot(now);
        self.lock()
            .alerts
            .iter()
            .filter(|a| a.confirmed.is_some() && !a.pending.is_empty())
            .filter(|a| match a.frequency {
                Frequency::Immediate => true,
                Frequency::Daily => a.last_sent.is_none_or(|last| last < slot),
            })
            .cloned()
            .collect()
    }

    /// A message about `sent` went out for the alert `alert_id`.
    pub fn sent(
        &self,
        alert_id: &str,
        sent: &[DocId],
        now: DateTime<Utc>,
    ) -> Result<(), AlertError> {
        self.change(|s| {
            if let Some(a) = s.alerts.iter_mut().find(|a| a.id == alert_id) {
                a.pending.retain(|id| !sent.contains(id));
                a.last_sent = Some(now);
                a.bounces = 0;
            }
        })
    }

    /// The server refused a message to `email` for good. Past [`MAX_BOUNCES`] in a row
    /// the address is removed with its alerts; returns whether it was.
    pub fn bounced(&self, email: &str) -> Result<bool, AlertError> {
        self.change(|s| {
            let mut worst = 0;
            for a in s.alerts.iter_mut().filter(|a| a.email == email) {
                a.bounces += 1;
                worst = worst.max(a.bounces);
            }
            if worst >= MAX_BOUNCES {
                s.alerts.retain(|a| a.email != email);
                s.owners.remove(email);
                true
            } else {
                false
            }
        })
    }

    /// Every alert (for tests and the operator).
    pub fn all(&self) -> Vec<Alert> {
        self.lock().alerts.clone()
    }

    /// Whether the address is stored at all.
    pub fn knows_address(&self, email: &str) -> bool {
        let s = self.lock();
        s.owners.contains_key(email) || s.alerts.iter().any(|a| a.email == email)
    }
}

/// Documents waiting to be matched, at most.
const MAX_QUEUED: usize = 10_000;

/// Unconfirmed alerts past [`CONFIRM_WITHIN`] go, and so do addresses left without alerts.
fn prune(s: &mut Stored, now: DateTime<Utc>) {
    s.alerts
        .retain(|a| a.confirmed.is_some() || now - a.created < CONFIRM_WITHIN);
    let Stored { alerts, owners, .. } = s;
    owners.retain(|email, _| alerts.iter().any(|a| &a.email == email));
}

fn forget_unused_owner(s: &mut Stored, email: &str) {
    if !s.alerts.iter().any(|a| a.email == email) {
        s.owners.remove(email);
    }
}

/// The latest digest time at or before `now`.
pub fn digest_slot(now: DateTime<Utc>) -> DateTime<Utc> {
    let hour = NaiveTime::from_hms_opt(DIGEST_HOUR_UTC, 0, 0).unwrap_or_default();
    let today = now.date_naive().and_time(hour).and_utc();
    if today <= now {
        today
    } else {
        today - chrono::Duration::days(1)
    }
}

/// What time it is, for the daily digest; tests set their own.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Sign-ups per address and per client within a window: each sends a confirmation
/// message, so these bound what anyone can make the archive send to an address that did
/// not ask. Memory is bounded too: past [`MAX_TRACKED`] keys, sign-ups are refused until
/// old windows expire.
#[derive(Debug)]
pub struct SignUpLimits {
    pub per_address: usize,
    pub per_client: usize,
    pub window: Duration,
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Addresses and clients remembered at once.
pub const MAX_TRACKED: usize = 50_000;

/// Why a sign-up was refused by [`SignUpLimits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Limited {
    #[error("too many sign-ups for this address: try again later")]
    Address,
    #[error("too many sign-ups from this client: try again later")]
    Client,
}

impl Default for SignUpLimits {
    fn default() -> Self {
        SignUpLimits::new(3, 10, Duration::from_secs(3600))
    }
}

impl SignUpLimits {
    pub fn new(per_address: usize, per_client: usize, window: Duration) -> SignUpLimits {
        SignUpLimits {
            per_address,
            per_client,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a sign-up for `email` from `client`, or refuses it. Both are counted only
    /// when both are within their bounds.
    pub fn check(&self, email: &str, client: &str) -> Result<(), Limited> {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= MAX_TRACKED {
            seen.retain(|_, times| {
                times.retain(|t| now.duration_since(*t) < self.window);
                !times.is_empty()
            });
        }
        let address_key = format!("a:{}", email.to_lowercase());
        let client_key = format!("c:{client}");
        let count = |seen: &mut HashMap<String, VecDeque<Instant>>, key: &str| {
            seen.get_mut(key).map_or(0, |times| {
                times.retain(|t| now.duration_since(*t) < self.window);
                times.len()
            })
        };
        if count(&mut seen, &client_key) >= self.per_client {
            return Err(Limited::Client);
        }
        if count(&mut seen, &address_key) >= self.per_address {
            return Err(Limited::Address);
        }
        if seen.len() + 2 > MAX_TRACKED {
            return Err(Limited::Client);
        }
        seen.entry(client_key).or_default().push_back(now);
        seen.entry(address_key).or_default().push_back(now);
        Ok(())
    }
}
