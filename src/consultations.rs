//! Consultation records: one TOML file per consultation in `documents/consultations/<id>.toml`,
//! part of the source of truth beside the PDFs.
//!
//! A consultation (høring) is the process a submission answers: a ministry's case number
//! (`reference`), when it was sent and its deadline, and what came of it (`outcome`: the
//! proposition, the committee's recommendation, the law). A document belongs to a
//! consultation when its sidecar names it (`consultation = "<id>"`), or else when the
//! recipient's case number in its letter head ("Deres ref.") is a consultation's
//! `reference`. The link is decided when it is read ([`Consultations::link`]), never stored
//! in the index, so editing a consultation never needs a re-ingest.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::library::{self, Library, LibraryError};

/// The folder of consultation records under `documents/`.
pub const FOLDER: &str = "consultations";

/// The longest id a consultation may have.
pub const MAX_ID_CHARS: usize = 80;

/// What kind of process a consultation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsultationKind {
    /// A ministry's public consultation.
    #[default]
    Horing,
    /// A hearing in a committee of the Storting.
    Stortingshoring,
    Annet,
}

impl ConsultationKind {
    pub const ALL: [ConsultationKind; 3] = [
        ConsultationKind::Horing,
        ConsultationKind::Stortingshoring,
        ConsultationKind::Annet,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ConsultationKind::Horing => "horing",
            ConsultationKind::Stortingshoring => "stortingshoring",
            ConsultationKind::Annet => "annet",
        }
    }

    pub fn from_id(id: &str) -> Option<ConsultationKind> {
        ConsultationKind::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// What kind of step came of a consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// A proposition to the Storting (Prop. L, Prop. S).
    Prop,
    /// A committee's recommendation (Innst.).
    Innst,
    /// A law passed.
    Lov,
    /// A regulation.
    Forskrift,
    /// A decision.
    Vedtak,
    Annet,
}

impl StepKind {
    pub const ALL: [StepKind; 6] = [
        StepKind::Prop,
        StepKind::Innst,
        StepKind::Lov,
        StepKind::Forskrift,
        StepKind::Vedtak,
        StepKind::Annet,
    ];

    pub fn id(self) -> &'static str {
        match self {
            StepKind::Prop => "prop",
            StepKind::Innst => "innst",
            StepKind::Lov => "lov",
            StepKind::Forskrift => "forskrift",
            StepKind::Vedtak => "vedtak",
            StepKind::Annet => "annet",
        }
    }

    pub fn from_id(id: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// One step of what came of a consultation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeStep {
    pub kind: StepKind,
    pub title: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "library::date_from_toml",
        serialize_with = "library::date_to_toml"
    )]
    pub date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One consultation record. Only `title` is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consultation {
    /// The file's stem, a slug (`[a-z0-9-]+`); not written in the file.
    #[serde(skip)]
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The ministry's case number, e.g. `20/7513`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "library::date_from_toml",
        serialize_with = "library::date_to_toml"
    )]
    pub sent: Option<NaiveDate>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "library::date_from_toml",
        serialize_with = "library::date_to_toml"
    )]
    pub deadline: Option<NaiveDate>,
    /// The consultation's public page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default)]
    pub kind: ConsultationKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcome: Vec<OutcomeStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// A sample written for the project, not a real process.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sample: bool,
}

/// A consultation file that could not be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum ConsultationError {
    #[error("cannot read consultation {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: io::Error,
    },
    #[error("consultation {file}, line {line}{field}: {message}")]
    Invalid {
        file: String,
        line: usize,
        /// `", field `x``, or empty when the problem is not in one field.
        field: String,
        message: String,
    },
    #[error(
        "consultation {file}: `{id}` is not an id: use lowercase letters, digits and hyphens (at most {MAX_ID_CHARS})"
    )]
    BadId { file: String, id: String },
    #[error("consultations {first} and {second} have the same reference `{reference}`")]
    DuplicateReference {
        first: String,
        second: String,
        reference: String,
    },
    #[error("cannot write consultation {file}: {source}")]
    Write {
        file: String,
        #[source]
        source: LibraryError,
    },
}

impl ConsultationError {
    /// The file the error is about (the second of two with one reference).
    pub fn file(&self) -> &str {
        match self {
            ConsultationError::Read { file, .. }
            | ConsultationError::Invalid { file, .. }
            | ConsultationError::BadId { file, .. }
            | ConsultationError::Write { file, .. } => file,
            ConsultationError::DuplicateReference { second, .. } => second,
        }
    }
}

/// Whether `id` may name a consultation: `[a-z0-9-]+`, bounded.
pub fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= MAX_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A case number as compared: without spaces, lowercase, and without the document's
/// sequence number ("20/7513-12" is a letter in case 20/7513).
pub fn normalize_reference(reference: &str) -> String {
    let compact: String = reference
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    match compact.rsplit_once('-') {
        Some((case, seq))
            if case.contains('/') && !seq.is_empty() && seq.bytes().all(|b| b.is_ascii_digit()) =>
        {
            case.to_string()
        }
        _ => compact,
    }
}

impl Consultation {
    /// Parses a consultation file's text; `file` names it in errors and `id` is its stem.
    pub fn parse(file: &str, id: &str, text: &str) -> Result<Consultation, ConsultationError> {
        if !is_slug(id) {
            return Err(ConsultationError::BadId {
                file: file.to_string(),
                id: id.to_string(),
            });
        }
        let mut c: Consultation = toml::from_str(text).map_err(|e| {
            let (line, field) = library::toml_error_place(text, &e);
            ConsultationError::Invalid {
                file: file.to_string(),
                line,
                field,
                message: e.message().trim().to_string(),
            }
        })?;
        c.id = id.to_string();
        c.check()
            .map_err(|(field, message)| ConsultationError::Invalid {
                file: file.to_string(),
                line: line_of(text, field),
                field: format!(", field `{field}`"),
                message,
            })?;
        Ok(c)
    }

    /// The rules TOML's types do not say: a title with text, addresses that are web
    /// addresses. Returns the field and what is wrong.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if crate::model::is_blank(&self.title) {
            return Err(("title", "the title is empty".into()));
        }
        let web = |u: &str| u.starts_with("https://") || u.starts_with("http://");
        if let Some(u) = &self.url
            && !web(u)
        {
            return Err((
                "url",
                format!("`{u}` is not an http:// or https:// address"),
            ));
        }
        for step in &self.outcome {
            if crate::model::is_blank(&step.title) {
                return Err(("title", "an outcome step has an empty title".into()));
            }
            if let Some(u) = &step.url
                && !web(u)
            {
                return Err((
                    "url",
                    format!("`{u}` is not an http:// or https:// address"),
                ));
            }
        }
        Ok(())
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a consultation always serializes")
    }

    /// The file name under `documents/consultations/`.
    pub fn file_name(&self) -> String {
        format!("{}.toml", self.id)
    }
}

/// The first line of `text` that sets `field`, for errors found after parsing.
fn line_of(text: &str, field: &str) -> usize {
    text.lines()
        .position(|l| {
            l.split_once('=')
                .is_some_and(|(key, _)| key.trim() == field)
        })
        .map(|i| i + 1)
        .unwrap_or(1)
}

/// Every consultation of the archive, by id.
#[derive(Debug, Clone, Default)]
pub struct Consultations {
    by_id: BTreeMap<String, Consultation>,
    /// Normalised reference → id.
    by_reference: BTreeMap<String, String>,
}

impl Consultations {
    /// Reads every `*.toml` in `dir` (a missing folder is no consultations). A file that
    /// cannot be used is left out and reported; of two with the same reference, the first
    /// by id is kept.
    pub fn load(dir: &Path) -> (Consultations, Vec<ConsultationError>) {
        let mut errors = Vec::new();
        let mut all = Consultations::default();
        let read = match fs::read_dir(dir) {
            Ok(r) => r,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return (all, errors),
            Err(source) => {
                errors.push(ConsultationError::Read {
                    file: dir.display().to_string(),
                    source,
                });
                return (all, errors);
            }
        };
        let mut files: Vec<PathBuf> = read
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "toml")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                    && p.is_file()
            })
            .collect();
        files.sort();
        for path in files {
            let file = format!(
                "{FOLDER}/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            let id = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = match fs::read_to_string(&path) {
                Ok(t) => t,
                Err(source) => {
                    errors.push(ConsultationError::Read { file, source });
                    continue;
                }
            };
            match Consultation::parse(&file, &id, &text) {
                Ok(c) => {
                    if let Err(e) = all.insert(c) {
                        errors.push(e);
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        (all, errors)
    }

    /// Adds or replaces a consultation; refuses one whose reference another has.
    pub fn insert(&mut self, mut c: Consultation) -> Result<(), ConsultationError> {
        // A blank case number is none: it links nothing and clashes with nothing.
        if c.reference
            .as_deref()
            .is_some_and(|r| normalize_reference(r).is_empty())
        {
            c.reference = None;
        }
        if let Some(reference) = &c.reference {
            let key = normalize_reference(reference);
            if let Some(other) = self.by_reference.get(&key)
                && other != &c.id
            {
                return Err(ConsultationError::DuplicateReference {
                    first: format!("{FOLDER}/{other}.toml"),
                    second: format!("{FOLDER}/{}.toml", c.id),
                    reference: reference.clone(),
                });
            }
        }
        if let Some(old) = self.by_id.get(&c.id)
            && let Some(reference) = &old.reference
        {
            self.by_reference.remove(&normalize_reference(reference));
        }
        if let Some(reference) = &c.reference {
            self.by_reference
                .insert(normalize_reference(reference), c.id.clone());
        }
        self.by_id.insert(c.id.clone(), c);
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Consultation> {
        self.by_id.get(id)
    }

    /// Every consultation, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Consultation> {
        self.by_id.values()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The consultation whose reference is this case number.
    pub fn by_reference(&self, reference: &str) -> Option<&Consultation> {
        self.by_reference
            .get(&normalize_reference(reference))
            .and_then(|id| self.by_id.get(id))
    }

    /// The consultation a document belongs to: the one its sidecar names (`requested`),
    /// even when that one does not exist (the sidecar wins, and ingest warns), or else the
    /// one whose reference is the recipient's case number in its letter head.
    pub fn link(
        &self,
        requested: Option<&str>,
        their_reference: Option<&str>,
    ) -> Option<&Consultation> {
        match requested {
            Some(id) => self.get(id),
            None => their_reference.and_then(|r| self.by_reference(r)),
        }
    }
}

/// The folder of consultation records of a library.
pub fn folder(library: &Library) -> PathBuf {
    library.root().join(FOLDER)
}

/// Writes a consultation to `documents/consultations/<id>.toml` atomically (temp file,
/// fsync, rename), making the folder when it is missing.
pub fn write(library: &Library, c: &Consultation) -> Result<(), ConsultationError> {
    let wrap = |source| ConsultationError::Write {
        file: format!("{FOLDER}/{}", c.file_name()),
        source,
    };
    fs::create_dir_all(folder(library)).map_err(|source| {
        wrap(LibraryError::Write {
            path: folder(library),
            source,
        })
    })?;
    library
        .write_atomically(
            &format!("{FOLDER}/{}", c.file_name()),
            c.to_toml().as_bytes(),
        )
        .map_err(wrap)
}
