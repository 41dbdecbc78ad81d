//! Staff accounts in the data directory: Argon2id password hashes and API tokens, kept in
//! `users.json` (mode 0600, written atomically). No web code here: the command line and the
//! server share it.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// The data directory: users, audit log, trash, caches. Outside `documents/` and `index/`.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Creates the folder (mode 0700) when missing.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<DataDir> {
        let root = root.into();
        fs::create_dir_all(&root)?;
        set_mode(&root, 0o700)?;
        Ok(DataDir { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn users_file(&self) -> PathBuf {
        self.root.join("users.json")
    }

    pub fn audit_file(&self) -> PathBuf {
        self.root.join("audit.jsonl")
    }

    pub fn trash(&self) -> PathBuf {
        self.root.join("trash")
    }

    /// Where uploads wait while they are checked, on the same disk as the data.
    pub fn incoming(&self) -> PathBuf {
        self.root.join("incoming")
    }
}

#[cfg(unix)]
pub(crate) fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
pub(crate) fn set_mode(_: &Path, _: u32) -> io::Result<()> {
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("users file {0} is damaged: {1}")]
    Damaged(PathBuf, String),
    #[error("user `{0}` already exists")]
    Exists(String),
    #[error("no user `{0}`")]
    NoSuchUser(String),
    #[error("a user name is 1 to 64 letters, digits, `.`, `-` or `_`")]
    BadName,
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

pub const MIN_PASSWORD_CHARS: usize = 10;

/// One staff member.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// PHC string: `$argon2id$v=19$…`.
    pub password_hash: String,
    pub created: DateTime<Utc>,
    /// BLAKE3 hashes of the user's API tokens. Tokens are long random strings, so a fast
    /// hash is enough (unlike passwords, they cannot be guessed from a dictionary).
    #[serde(default)]
    pub token_hashes: Vec<String>,
}

/// All accounts, as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Accounts {
    pub users: BTreeMap<String, User>,
}

impl Accounts {
    pub fn load(data: &DataDir) -> Result<Accounts, AccountError> {
        let path = data.users_file();
        match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| AccountError::Damaged(path.clone(), e.to_string())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Accounts::default()),
            Err(source) => Err(AccountError::Io { path, source }),
        }
    }

    /// Writes the users file atomically with mode 0600.
    pub fn save(&self, data: &DataDir) -> Result<(), AccountError> {
        let path = data.users_file();
        let io = |source| AccountError::Io {
            path: path.clone(),
            source,
        };
        let json = serde_json::to_vec_pretty(self).expect("accounts serialize");
        let mut temp = tempfile::Builder::new()
            .prefix(".users-")
            .tempfile_in(data.root())
            .map_err(io)?;
        set_mode(temp.path(), 0o600).map_err(io)?;
        temp.write_all(&json).map_err(io)?;
        temp.as_file().sync_all().map_err(io)?;
        temp.persist(&path).map_err(|e| io(e.error))?;
        Ok(())
    }

    pub fn add(&mut self, name: &str, password: &str) -> Result<(), AccountError> {
        check_name(name)?;
        if self.users.contains_key(name) {
            return Err(AccountError::Exists(name.into()));
        }
        let password_hash = hash_password(password)?;
        self.users.insert(
            name.to_string(),
            User {
                password_hash,
                created: Utc::now(),
                token_hashes: Vec::new(),
            },
        );
        Ok(())
    }

    pub fn remove(&mut self, name: &str) -> Result<(), AccountError> {
        self.users
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| AccountError::NoSuchUser(name.into()))
    }

    /// Whether `password` is the user's. Slow on purpose (Argon2id): call it off the async
    /// workers. An unknown user costs the same time as a known one.
    pub fn verify(&self, name: &str, password: &str) -> bool {
        match self.users.get(name) {
            Some(user) => verify_password(&user.password_hash, password),
            None => {
                let _ = verify_password(dummy_hash(), password);
                false
            }
        }
    }

    /// A new API token for the user; only its hash is kept.
    pub fn new_token(&mut self, name: &str) -> Result<String, AccountError> {
        let user = self
            .users
            .get_mut(name)
            .ok_or_else(|| AccountError::NoSuchUser(name.into()))?;
        let token = format!("arkiv_{}", random_hex(32));
        user.token_hashes.push(token_hash(&token));
        Ok(token)
    }

    /// Removes every token of the user; returns how many there were.
    pub fn revoke_tokens(&mut self, name: &str) -> Result<usize, AccountError> {
        let user = self
            .users
            .get_mut(name)
            .ok_or_else(|| AccountError::NoSuchUser(name.into()))?;
        Ok(std::mem::take(&mut user.token_hashes).len())
    }

    /// The user a token belongs to.
    pub fn user_of_token(&self, token: &str) -> Option<&str> {
        let hash = token_hash(token);
        self.users
            .iter()
            .find(|(_, u)| u.token_hashes.iter().any(|h| constant_time_eq(h, &hash)))
            .map(|(name, _)| name.as_str())
    }
}

fn check_name(name: &str) -> Result<(), AccountError> {
    let ok = (1..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(AccountError::BadName)
    }
}

pub fn hash_password(password: &str) -> Result<String, AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::WeakPassword);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A valid hash of no one's password, so that a login for an unknown user takes as long
/// as one for a known user.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        Argon2::default()
            .hash_password(random_hex(16).as_bytes())
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

pub fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

/// `bytes` random bytes from the operating system's generator, as hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
