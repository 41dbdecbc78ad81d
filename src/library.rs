//! `documents/`, the source of truth: PDFs and their optional TOML metadata sidecars.
//!
//! Reading never changes anything here. Writes (used by staff uploads and edits) go through
//! a temporary file in the same folder, fsync and rename, so a crash leaves either the old
//! or the new file, never half of one.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Convention, DocId, Kind, Language, MAX_NOTE_CHARS, MAX_NOTES, Note, Version};

/// The folder of PDFs and sidecars.
#[derive(Debug, Clone)]
pub struct Library {
    root: PathBuf,
}

/// One PDF in the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// File name of the PDF, relative to the library root.
    pub file: String,
    pub pdf: PathBuf,
    /// The sidecar's path, whether or not it exists.
    pub sidecar: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("documents folder {path} cannot be read: {source}")]
    ReadDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// A sidecar that could not be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum SidecarError {
    #[error("cannot read sidecar {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: io::Error,
    },
    #[error("sidecar {file}, line {line}{field}: {message}")]
    Invalid {
        file: String,
        line: usize,
        /// `", field `x``, or empty when the problem is not in one field.
        field: String,
        message: String,
    },
}

/// The metadata a sidecar may hold; whatever is absent is derived from the PDF.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "date_from_toml",
        serialize_with = "date_to_toml"
    )]
    pub date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// When present, replaces the conventions detection found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conventions: Option<Vec<Convention>>,
    /// When present, replaces the laws detection found (ids of `tagging::laws::LAWS`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "law_ids"
    )]
    pub laws: Option<Vec<String>>,
    /// When present, replaces the focus areas detection found (ids of
    /// `tagging::topics::FOCUS_AREAS`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "topic_ids"
    )]
    pub topics: Option<Vec<String>>,
    /// When present, replaces the review cycles detection found (ids of
    /// `tagging::cycles::CYCLES`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "cycle_ids"
    )]
    pub cycles: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// Marks a sample written for the project rather than a real submission.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sample: bool,
    /// The consultation (its id under `documents/consultations/`) the document answers;
    /// wins over the one its letter head's case number points to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consultation: Option<String>,
    /// Notes staff wrote (`[[notes]]`), public and internal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Earlier versions of the PDF (`[[versions]]`), oldest first, kept under `versions/`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<Version>,
    /// Whether staff have reviewed what was detected: `true` once confirmed or corrected,
    /// `false` while it waits in the inbox. Absent, a sidecar that sets any metadata counts
    /// as reviewed (staff wrote it) and an empty one, or none, as waiting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<bool>,
}

impl Sidecar {
    /// Parses sidecar text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Sidecar, SidecarError> {
        let sidecar: Sidecar = toml::from_str(text).map_err(|e| {
            let (line, field) = toml_error_place(text, &e);
            SidecarError::Invalid {
                file: file.to_string(),
                line,
                field,
                message: e.message().trim().to_string(),
            }
        })?;
        let invalid = |field: &str, message: String| SidecarError::Invalid {
            file: file.to_string(),
            line: text
                .lines()
                .position(|l| l.trim() == format!("[[{field}]]"))
                .map_or(1, |i| i + 1),
            field: format!(", field `{field}`"),
            message,
        };
        if let Some(message) = notes_problem(&sidecar.notes) {
            return Err(invalid("notes", message));
        }
        if let Some(bad) = sidecar.versions.iter().find(|v| !version_is_valid(v)) {
            return Err(invalid(
                "versions",
                format!(
                    "version `{}` must have a 32-digit hex id and the file `versions/<id>.pdf`",
                    bad.id
                ),
            ));
        }
        Ok(sidecar)
    }

    /// Whether the document waits in the inbox for staff to confirm what was detected.
    pub fn to_review(&self) -> bool {
        match self.reviewed {
            Some(reviewed) => !reviewed,
            None => !self.sets_metadata(),
        }
    }

    /// Whether the sidecar sets any of what detection would otherwise decide.
    pub fn sets_metadata(&self) -> bool {
        self.title.is_some()
            || self.kind.is_some()
            || self.date.is_some()
            || self.recipient.is_some()
            || self.reference.is_some()
            || self.conventions.is_some()
            || self.laws.is_some()
            || self.topics.is_some()
            || self.cycles.is_some()
            || self.language.is_some()
            || self.consultation.is_some()
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a sidecar always serializes")
    }
}

/// What is wrong with a document's notes, if anything: too many, too long, empty, or two
/// with one id.
pub fn notes_problem(notes: &[Note]) -> Option<String> {
    if notes.len() > MAX_NOTES {
        return Some(format!("at most {MAX_NOTES} notes per document"));
    }
    for (i, note) in notes.iter().enumerate() {
        if crate::model::is_blank(&note.text) {
            return Some(format!("note {} is empty", note.id));
        }
        if note.text.chars().count() > MAX_NOTE_CHARS {
            return Some(format!(
                "note {} is longer than {MAX_NOTE_CHARS} characters",
                note.id
            ));
        }
        if notes[..i].iter().any(|n| n.id == note.id) {
            return Some(format!("two notes have the id {}", note.id));
        }
    }
    None
}

/// A kept version names a real id and lies where replacing puts it, so a sidecar can never
/// point a download at another file.
fn version_is_valid(v: &Version) -> bool {
    DocId::parse(v.id.as_str()).is_some_and(|id| v.file == version_file(&id))
}

/// Where the PDF of an earlier version is kept, relative to `documents/`.
pub fn version_file(id: &DocId) -> String {
    format!("{VERSIONS_FOLDER}/{id}.pdf")
}

/// The subfolder of `documents/` that keeps replaced PDFs (ingest reads only the top
/// folder, so they are never documents of their own).
pub const VERSIONS_FOLDER: &str = "versions";

/// Where a TOML error is: its line (from the error's span) and `", field `x``, the key
/// set on that line, or the field a "missing field" message names.
pub(crate) fn toml_error_place(text: &str, e: &toml::de::Error) -> (usize, String) {
    let line = e
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1)
        .unwrap_or(1);
    let missing = e
        .message()
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let field = match missing {
        Some(name) => format!(", field `{name}`"),
        None => text
            .lines()
            .nth(line - 1)
            .and_then(|l| l.split_once('='))
            .map(|(key, _)| format!(", field `{}`", key.trim()))
            .unwrap_or_default(),
    };
    (line, field)
}

pub(crate) fn date_from_toml<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDate>, D::Error> {
    use serde::de::Error;
    // Accept both a TOML date (`date = 2019-11-30`) and a string (`date = "2019-11-30"`).
    // JSON bodies (the staff API) may say `null` for "no date"; TOML has no null.
    let Some(value) = Option::<toml::Value>::deserialize(d)? else {
        return Ok(None);
    };
    let text = match &value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(dt) => dt.to_string(),
        other => {
            return Err(D::Error::custom(format!(
                "expected a date YYYY-MM-DD, found {}",
                other.type_str()
            )));
        }
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| D::Error::custom(format!("`{text}` is not a date of the form YYYY-MM-DD")))
}

fn law_ids<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    known_ids(d, "law", |id| crate::tagging::laws::law(id).is_some())
}

fn topic_ids<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    known_ids(d, "focus area", |id| {
        crate::tagging::topics::focus_area(id).is_some()
    })
}

fn cycle_ids<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    known_ids(d, "review cycle", |id| {
        crate::tagging::cycles::cycle(id).is_some()
    })
}

/// A list of ids, each of which must be known: an unknown one is an error naming it, like
/// any other wrong value in a sidecar.
fn known_ids<'de, D: serde::Deserializer<'de>>(
    d: D,
    what: &str,
    known: impl Fn(&str) -> bool,
) -> Result<Option<Vec<String>>, D::Error> {
    use serde::de::Error;
    let ids = Vec::<String>::deserialize(d)?;
    if let Some(bad) = ids.iter().find(|id| !known(id)) {
        return Err(D::Error::custom(format!("unknown {what} `{bad}`")));
    }
    Ok(Some(ids))
}

pub(crate) fn date_to_toml<S: serde::Serializer>(
    date: &Option<NaiveDate>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
        None => s.serialize_none(),
    }
}

impl Library {
    pub fn new(root: impl Into<PathBuf>) -> Library {
        Library { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every PDF in the folder (not its subfolders), sorted by file name. Hidden files and
    /// temporary files of interrupted writes are skipped.
    pub fn entries(&self) -> Result<Vec<Entry>, LibraryError> {
        let read_dir = fs::read_dir(&self.root).map_err(|source| LibraryError::ReadDir {
            path: self.root.clone(),
            source,
        })?;
        let mut entries = Vec::new();
        for item in read_dir {
            let item = item.map_err(|source| LibraryError::ReadDir {
                path: self.root.clone(),
                source,
            })?;
            let Some(name) = item.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if name.starts_with('.') || !has_pdf_extension(&name) {
                continue;
            }
            if item.file_type().map(|t| t.is_dir()).unwrap_or(true) {
                continue;
            }
            entries.push(self.entry(&name));
        }
        entries.sort_by(|a, b| a.file.cmp(&b.file));
        Ok(entries)
    }

    /// The entry for a PDF file name in this library.
    pub fn entry(&self, file: &str) -> Entry {
        let pdf = self.root.join(file);
        let stem = Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.to_string());
        Entry {
            file: file.to_string(),
            sidecar: self.root.join(format!("{stem}.toml")),
            pdf,
        }
    }

    /// The sidecar of an entry, if it has one.
    pub fn read_sidecar(&self, entry: &Entry) -> Result<Option<Sidecar>, SidecarError> {
        let text = match fs::read_to_string(&entry.sidecar) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(SidecarError::Read {
                    file: sidecar_name(entry),
                    source,
                });
            }
        };
        Sidecar::parse(&sidecar_name(entry), &text).map(Some)
    }

    /// Writes `bytes` to `file` in the library so that a crash leaves the old content or
    /// the new, never a mix: temp file, fsync, rename, fsync of the folder.
    /// `file` may lie in a subfolder (`consultations/x.toml`); the temp file is made beside
    /// it, so the rename never crosses folders.
    pub fn write_atomically(&self, file: &str, bytes: &[u8]) -> Result<(), LibraryError> {
        let target = self.root.join(file);
        let folder = target.parent().unwrap_or(&self.root).to_path_buf();
        let wrap = |source| LibraryError::Write {
            path: target.clone(),
            source,
        };
        let mut temp = tempfile::Builder::new()
            .prefix(".arkiv-tmp-")
            .tempfile_in(&folder)
            .map_err(wrap)?;
        temp.write_all(bytes).map_err(wrap)?;
        temp.as_file().sync_all().map_err(wrap)?;
        temp.persist(&target).map_err(|e| wrap(e.error))?;
        sync_dir(&folder).map_err(wrap)?;
        Ok(())
    }
}

impl Library {
    /// Copies a document's PDF to where its version `id` is kept, durably, before the PDF
    /// is replaced; returns that path relative to the library. A copy already there (the
    /// same bytes, since the name is their hash) is kept as it is.
    pub fn keep_version(&self, file: &str, id: &DocId) -> Result<String, LibraryError> {
        let kept = version_file(id);
        let target = self.root.join(&kept);
        if target.is_file() {
            return Ok(kept);
        }
        let folder = self.root.join(VERSIONS_FOLDER);
        let wrap = |source| LibraryError::Write {
            path: target.clone(),
            source,
        };
        fs::create_dir_all(&folder).map_err(wrap)?;
        let mut temp = tempfile::Builder::new()
            .prefix(".arkiv-tmp-")
            .tempfile_in(&folder)
            .map_err(wrap)?;
        let mut source = fs::File::open(self.root.join(file)).map_err(wrap)?;
        io::copy(&mut source, temp.as_file_mut()).map_err(wrap)?;
        temp.as_file().sync_all().map_err(wrap)?;
        temp.persist(&target).map_err(|e| wrap(e.error))?;
        sync_dir(&folder).map_err(wrap)?;
        Ok(kept)
    }
}

fn has_pdf_extension(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("pdf"))
}

fn sidecar_name(entry: &Entry) -> String {
    entry
        .sidecar
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A document in the trash: its PDF (and sidecar) moved out of the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrashItem {
    /// The name in the trash: `<UTC timestamp>--<original file name>`.
    pub name: String,
    /// The PDF's file name in the library before it was deleted.
    pub file: String,
    pub deleted: String,
    /// The document's title when it was deleted, from the note beside it (none for
    /// documents trashed before notes were kept).
    pub title: Option<String>,
}

impl Library {
    /// Moves a PDF and its sidecar into `trash`; returns the trash name. The sidecar goes
    /// first, so an interruption never leaves a PDF without the metadata staff gave it.
    pub fn move_to_trash(&self, file: &str, trash: &Path) -> Result<String, LibraryError> {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let name = format!("{stamp}--{file}");
        self.move_to_trash_as(file, trash, &name)?;
        Ok(name)
    }

    /// Moves a PDF and its sidecar into `trash` under the trash name given (to put back a
    /// document whose restore failed). When the PDF cannot be moved, the sidecar is moved
    /// back: a failed move leaves both where they were.
    pub fn move_to_trash_as(
        &self,
        file: &str,
        trash: &Path,
        name: &str,
    ) -> Result<(), LibraryError> {
        fs::create_dir_all(trash).map_err(write_error(trash))?;
        let entry = self.entry(file);
        let pdf_target = trash.join(name);
        let sidecar_target = trash.join(sidecar_file_name(name));
        move_pair((&entry.sidecar, &sidecar_target), (&entry.pdf, &pdf_target))?;
        sync_dir(trash).map_err(write_error(trash))?;
        sync_dir(&self.root).map_err(write_error(&self.root))?;
        Ok(())
    }

    /// Moves a trashed document back; refuses to overwrite a file of the same name. Like
    /// [`Library::move_to_trash_as`], a failed move leaves both files where they were.
    pub fn restore_from_trash(&self, name: &str, trash: &Path) -> Result<String, LibraryError> {
        let item = parse_trash_name(name).ok_or_else(|| LibraryError::Write {
            path: trash.join(name),
            source: io::Error::new(io::ErrorKind::InvalidInput, "not a trash entry"),
        })?;
        let entry = self.entry(&item.file);
        if entry.pdf.exists() {
            return Err(LibraryError::Write {
                path: entry.pdf.clone(),
                source: io::Error::new(io::ErrorKind::AlreadyExists, "a file of that name exists"),
            });
        }
        let trashed_sidecar = trash.join(sidecar_file_name(name));
        move_pair(
            (&trashed_sidecar, &entry.sidecar),
            (&trash.join(name), &entry.pdf),
        )?;
        sync_dir(&self.root).map_err(write_error(&self.root))?;
        // The title note is only for the trash page; a note left behind is harmless.
        let _ = fs::remove_file(trash_note_path(trash, name));
        Ok(item.file)
    }
}

/// Where the title of a trashed document is noted: in `trash-titles/` beside the trash
/// (the trash itself holds only what a restore puts back), `<trash name>.title`.
fn trash_note_path(trash: &Path, name: &str) -> PathBuf {
    trash
        .parent()
        .unwrap_or(trash)
        .join("trash-titles")
        .join(format!("{name}.title"))
}

/// Notes the title of a document just moved to the trash under `name`, for the trash
/// page (the index no longer has it). Best effort: the trash works without it.
pub fn note_trash_title(trash: &Path, name: &str, title: &str) -> io::Result<()> {
    let path = trash_note_path(trash, name);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, title)
}

fn write_error(path: &Path) -> impl FnOnce(io::Error) -> LibraryError + use<> {
    let path = path.to_path_buf();
    move |source| LibraryError::Write { path, source }
}

/// Moves a sidecar (when there is one) and then its PDF; when the PDF cannot be moved, the
/// sidecar goes back.
fn move_pair(sidecar: (&Path, &Path), pdf: (&Path, &Path)) -> Result<(), LibraryError> {
    let moved_sidecar = sidecar.0.exists();
    if moved_sidecar {
        move_file(sidecar.0, sidecar.1).map_err(write_error(sidecar.1))?;
    }
    if let Err(e) = move_file(pdf.0, pdf.1) {
        if moved_sidecar {
            let _ = move_file(sidecar.1, sidecar.0);
        }
        return Err(write_error(pdf.1)(e));
    }
    Ok(())
}

/// Every document in the trash, newest first.
pub fn trash_items(trash: &Path) -> io::Result<Vec<TrashItem>> {
    let read = match fs::read_dir(trash) {
        Ok(r) => r,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut items: Vec<TrashItem> = read
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| has_pdf_extension(n))
        .filter_map(|n| parse_trash_name(&n))
        .map(|mut item| {
            // Bounded: a title note is a few hundred bytes; anything longer is cut.
            item.title = fs::read_to_string(trash_note_path(trash, &item.name))
                .ok()
                .map(|t| t.chars().take(1000).collect::<String>())
                .filter(|t| !t.trim().is_empty());
            item
        })
        .collect();
    items.sort_by(|a, b| b.name.cmp(&a.name));
    Ok(items)
}

fn parse_trash_name(name: &str) -> Option<TrashItem> {
    let (stamp, file) = name.split_once("--")?;
    let plain =
        |s: &str| !s.is_empty() && !s.contains('/') && !s.contains('\\') && !s.starts_with('.');
    (plain(file) && plain(stamp) && has_pdf_extension(file)).then(|| TrashItem {
        name: name.to_string(),
        file: file.to_string(),
        deleted: stamp.to_string(),
        title: None,
    })
}

fn sidecar_file_name(pdf_name: &str) -> String {
    let stem = Path::new(pdf_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| pdf_name.to_string());
    format!("{stem}.toml")
}

/// Rename, or copy, sync and remove where the two folders are on different disks.
fn move_file(from: &Path, to: &Path) -> io::Result<()> {
    match fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {
            fs::copy(from, to)?;
            fs::File::open(to)?.sync_all()?;
            fs::remove_file(from)
        }
        Err(e) => Err(e),
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}
