//! The audit log: append-only JSON lines of who did what and when, in the data directory.

use std::fs::OpenOptions;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub time: DateTime<Utc>,
    /// The account, or the name tried at a failed login.
    pub user: String,
    /// `login`, `login_failed`, `logout`, `upload`, `edit`, `delete`, `restore`, `token_use`.
    pub action: String,
    /// What it was done to: a document id or a file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// How many events the entry stands for, when more than one may be (repeated sign-in
    /// failures are written once per name, address and minute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

impl AuditEntry {
    /// An entry stamped now; target, detail and address are added as they are known.
    pub fn now(user: impl Into<String>, action: &str) -> AuditEntry {
        AuditEntry {
            time: Utc::now(),
            user: user.into(),
            action: action.to_string(),
            target: None,
            detail: None,
            address: None,
            count: None,
        }
    }

    pub fn target(mut self, target: impl Into<String>) -> AuditEntry {
        self.target = Some(target.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> AuditEntry {
        self.detail = Some(detail.into());
        self
    }

    pub fn address(mut self, address: impl Into<String>) -> AuditEntry {
        self.address = Some(address.into());
        self
    }

    pub fn count(mut self, count: u64) -> AuditEntry {
        self.count = Some(count);
        self
    }
}

/// Appends entries; one writer at a time so lines never interleave.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    lock: Mutex<()>,
}

impl AuditLog {
    pub fn new(path: PathBuf) -> AuditLog {
        AuditLog {
            path,
            lock: Mutex::new(()),
        }
    }

    /// Appends one entry and syncs it to disk.
    pub fn record(&self, entry: &AuditEntry) -> io::Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut line = serde_json::to_vec(entry).expect("audit entries serialize");
        line.push(b'\n');
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(&line)?;
        file.sync_data()
    }

    /// The newest `limit` entries, newest first. Lines that do not parse are skipped.
    pub fn recent(&self, limit: usize) -> io::Result<Vec<AuditEntry>> {
        self.page(0, limit)
    }

    /// `limit` entries, newest first, after skipping the `skip` newest: read from the end
    /// of the file a block at a time, so a page costs what it shows and what it skips,
    /// never the whole log. Lines that do not parse, and lines over [`MAX_LINE`] bytes,
    /// are skipped and not counted.
    pub fn page(&self, skip: usize, limit: usize) -> io::Result<Vec<AuditEntry>> {
        let mut file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut entries = Vec::new();
        let mut to_skip = skip;
        let mut take = |line: &[u8]| -> bool {
            if line.is_empty() || line.len() > MAX_LINE {
                return true;
            }
            let Ok(entry) = serde_json::from_slice::<AuditEntry>(line) else {
                return true;
            };
            if to_skip > 0 {
                to_skip -= 1;
            } else {
                entries.push(entry);
            }
            entries.len() < limit
        };
        if limit == 0 {
            return Ok(entries);
        }
        let mut end = file.seek(SeekFrom::End(0))?;
        // The start of the line that runs past the block read last, kept until its own
        // start is found; `oversized` once it grew past MAX_LINE (then only its end is
        // looked for).
        let mut tail: Vec<u8> = Vec::new();
        let mut oversized = false;
        let mut block = vec![0u8; BLOCK];
        while end > 0 {
            let start = end.saturating_sub(BLOCK as u64);
            let len = usize::try_from(end - start).unwrap_or(BLOCK);
            file.seek(SeekFrom::Start(start))?;
            file.read_exact(&mut block[..len])?;
            end = start;
            let mut chunk = &block[..len];
            // Complete lines in this block, from its end; the first piece (before the
            // block's first newline) continues into the block before.
            while let Some(newline) = chunk.iter().rposition(|&b| b == b'\n') {
                let piece = &chunk[newline + 1..];
                let line: Vec<u8> = if oversized {
                    Vec::new()
                } else {
                    let mut line = piece.to_vec();
                    line.extend_from_slice(&tail);
                    line
                };
                tail.clear();
                let over = oversized;
                oversized = false;
                if !over && !take(&line) {
                    return Ok(entries);
                }
                chunk = &chunk[..newline];
            }
            if !oversized {
                let mut longer = chunk.to_vec();
                longer.extend_from_slice(&tail);
                tail = longer;
                if tail.len() > MAX_LINE {
                    tail.clear();
                    oversized = true;
                }
            }
        }
        if !oversized {
            take(&tail);
        }
        Ok(entries)
    }
}

/// Bytes read from the end of the log at a time.
const BLOCK: usize = 64 * 1024;

/// The longest line read back: entries are written with names cut to 64 characters, so
/// only a log written before that holds longer ones.
pub const MAX_LINE: usize = 64 * 1024;
