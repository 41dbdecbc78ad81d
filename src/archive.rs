//! Changes staff make to a running archive: add a PDF, correct its metadata, delete it to
//! the trash and restore it. Each change is written to `documents/` durably first (temp
//! file, fsync, rename) and then indexed and committed, so once a call returns the
//! document is both safe on disk and searchable.
//!
//! No web code here: the web handlers and the API call these with the server's writer.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::extract::{self, ExtractConfig, ExtractError, Extracted, PdfMetadata};
use crate::index::{ArchiveIndex, ArchiveWriter, IndexError};
use crate::ingest::{describe, fingerprint};
use crate::library::{Entry, Library, LibraryError, Sidecar};
use crate::model::{DocId, Note, Submission, Version};

/// The pieces a change needs.
pub struct Archive<'a> {
    pub library: &'a Library,
    pub index: &'a ArchiveIndex,
    pub writer: &'a Mutex<ArchiveWriter>,
    pub extract: &'a ExtractConfig,
    /// Where uploads wait while they are checked.
    pub incoming: PathBuf,
    pub trash: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("not a PDF")]
    NotPdf,
    #[error("already in the archive as {0}")]
    Duplicate(DocId),
    #[error("the PDF cannot be read: {0}")]
    Unreadable(#[from] ExtractError),
    #[error("no document {0}")]
    NotFound(String),
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The index's folder was removed while serving and could not be made again; nothing
    /// was changed.
    #[error("{0}")]
    IndexLost(IndexError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A change staff asked for that cannot be made as asked (a note too long, …).
    #[error("{0}")]
    Invalid(String),
    /// A new version with the very bytes of the current one.
    #[error("the file is the same as the current version")]
    SameFile,
}

/// A document just added, with what detection made of it.
#[derive(Debug, Clone)]
pub struct Added {
    pub submission: Submission,
    /// Said when the PDF gave no text (a scan): staff should know at once.
    pub warning: Option<String>,
}

impl Archive<'_> {
    /// Adds an uploaded PDF with the metadata staff gave (anything left out is detected).
    /// The file name in `documents/` is chosen here, never taken from the client.
    pub fn add(&self, bytes: &[u8], metadata: Sidecar) -> Result<Added, ChangeError> {
        if !starts_as_pdf(bytes) {
            return Err(ChangeError::NotPdf);
        }
        let id = DocId::from_content(bytes);
        if self.index.metadata(&id)?.is_some() {
            return Err(ChangeError::Duplicate(id));
        }

        // Checked by the same bounded workers as ingest, before anything enters the library.
        // The staged copy is removed when it goes out of scope, whatever happens; `serve`
        // clears what a killed process left.
        std::fs::create_dir_all(&self.incoming)?;
        let mut staged = tempfile::Builder::new()
            .prefix(INCOMING_PREFIX)
            .suffix(".pdf")
            .tempfile_in(&self.incoming)?;
        std::io::Write::write_all(&mut staged, bytes)?;
        staged.as_file().sync_all()?;
        let extracted = extract::extract_file(staged.path(), self.extract)?;
        drop(staged);
        let warning = (!extracted.has_text()).then(|| "no text layer (scanned?)".to_string());

        let file = self.file_name_for(&id, &metadata, &extracted);
        let sidecar_text = metadata.to_toml();
        let mut writer = self.writer()?;
        // Checked again under the writer's lock: two uploads of the same file race.
        if self.index.metadata(&id)?.is_some() {
            return Err(ChangeError::Duplicate(id));
        }
        let entry = self.library.entry(&file);
        let undo = Undo::new(&entry);
        // The sidecar first: an interruption then leaves at worst a sidecar without a PDF,
        // which ingest ignores, never a PDF without the metadata staff typed.
        let written = (|| -> Result<Submission, ChangeError> {
            if !sidecar_text.trim().is_empty() {
                self.library
                    .write_atomically(&sidecar_name(&file), sidecar_text.as_bytes())?;
            }
            self.library.write_atomically(&file, bytes)?;
            let submission = describe(&file, id, extracted, metadata);
            writer.upsert(&submission, &fingerprint(&entry)?)?;
            writer.commit()?;
            Ok(submission)
        })();
        let submission = self.settle(&mut writer, written, || undo.apply(self.library))?;
        Ok(Added {
            submission,
            warning,
        })
    }

    /// Replaces a document's metadata and re-indexes it from the text already extracted.
    /// Its notes and versions are not metadata: they stay as the sidecar on disk has them.
    pub fn update(&self, id: &DocId, mut metadata: Sidecar) -> Result<Submission, ChangeError> {
        let _lock = self.sidecar_lock();
        // A sidecar that cannot be read is what this edit replaces.
        let on_disk = match self.current_sidecar(id) {
            Err(ChangeError::Invalid(_)) => Sidecar::default(),
            other => other?,
        };
        metadata.notes = on_disk.notes;
        metadata.versions = on_disk.versions;
        self.rewrite(id, metadata)
    }

    /// Changes a document's notes with `change`, then checks them (count, length, empty
    /// text) and writes and indexes the sidecar like a metadata edit.
    pub fn change_notes<T>(
        &self,
        id: &DocId,
        change: impl FnOnce(&mut Vec<Note>) -> Result<T, ChangeError>,
    ) -> Result<(Submission, T), ChangeError> {
        let _lock = self.sidecar_lock();
        let mut sidecar = self.current_sidecar(id)?;
        let value = change(&mut sidecar.notes)?;
        if let Some(problem) = crate::library::notes_problem(&sidecar.notes) {
            return Err(ChangeError::Invalid(problem));
        }
        Ok((self.rewrite(id, sidecar)?, value))
    }

    /// Replaces a document's PDF with a corrected one. The old PDF is kept under
    /// `documents/versions/` and listed in the sidecar as an earlier version; the document
    /// takes the new content's id, and the old id leads to it. Refuses what is not a PDF,
    /// the same bytes again, and a PDF that is another document already.
    pub fn replace(&self, id: &DocId, bytes: &[u8]) -> Result<Submission, ChangeError> {
        if !starts_as_pdf(bytes) {
            return Err(ChangeError::NotPdf);
        }
        let new_id = DocId::from_content(bytes);
        if &new_id == id {
            return Err(ChangeError::SameFile);
        }
        let current = self
            .index
            .metadata(id)?
            .ok_or_else(|| ChangeError::NotFound(id.to_string()))?
            .submission;
        if self.index.metadata(&new_id)?.is_some() {
            return Err(ChangeError::Duplicate(new_id));
        }
        std::fs::create_dir_all(&self.incoming)?;
        let mut staged = tempfile::Builder::new()
            .prefix(INCOMING_PREFIX)
            .suffix(".pdf")
            .tempfile_in(&self.incoming)?;
        std::io::Write::write_all(&mut staged, bytes)?;
        staged.as_file().sync_all()?;
        let extracted = extract::extract_file(staged.path(), self.extract)?;
        drop(staged);

        let _lock = self.sidecar_lock();
        let mut writer = self.writer()?;
        // Checked again under the writer's lock: the document may have changed meanwhile.
        if self.index.metadata(id)?.is_none() {
            return Err(ChangeError::NotFound(id.to_string()));
        }
        if self.index.metadata(&new_id)?.is_some() {
            return Err(ChangeError::Duplicate(new_id));
        }
        let entry = self.library.entry(&current.file);
        let undo = Undo::new(&entry);
        let mut sidecar = self.current_sidecar(id)?;
        // The old PDF is safe under `versions/` before anything else changes.
        let kept = self.library.keep_version(&current.file, id)?;
        sidecar.versions.push(Version {
            id: id.clone(),
            file: kept.clone(),
            replaced: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        });
        let written = (|| -> Result<Submission, ChangeError> {
            self.library
                .write_atomically(&sidecar_name(&current.file), sidecar.to_toml().as_bytes())?;
            self.library.write_atomically(&current.file, bytes)?;
            let submission = describe(&current.file, new_id.clone(), extracted, sidecar);
            writer.upsert(&submission, &fingerprint(&entry)?)?;
            writer.commit()?;
            Ok(submission)
        })();
        self.settle(&mut writer, written, || {
            undo.apply(self.library)?;
            let old = std::fs::read(self.library.root().join(&kept)).map_err(|source| {
                LibraryError::Write {
                    path: entry.pdf.clone(),
                    source,
                }
            })?;
            self.library.write_atomically(&current.file, &old)
        })
    }

    /// The sidecar of a document as it is on disk (empty when it has none).
    fn current_sidecar(&self, id: &DocId) -> Result<Sidecar, ChangeError> {
        let doc = self
            .index
            .metadata(id)?
            .ok_or_else(|| ChangeError::NotFound(id.to_string()))?
            .submission;
        let entry = self.library.entry(&doc.file);
        self.library
            .read_sidecar(&entry)
            .map(Option::unwrap_or_default)
            .map_err(|e| ChangeError::Invalid(e.to_string()))
    }

    /// Held while a sidecar is read, changed and written, so two changes of one sidecar
    /// never interleave and lose one another.
    fn sidecar_lock(&self) -> MutexGuard<'static, ()> {
        static SIDECARS: Mutex<()> = Mutex::new(());
        SIDECARS.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes a document's whole sidecar and re-indexes it from the text already extracted.
    fn rewrite(&self, id: &DocId, metadata: Sidecar) -> Result<Submission, ChangeError> {
        let current = self
            .index
            .document(id)?
            .ok_or_else(|| ChangeError::NotFound(id.to_string()))?;
        let extracted = Extracted {
            pages: current.pages.clone(),
            // The text stays what extraction (or OCR) made of it.
            metadata: PdfMetadata {
                ocr: current.ocr,
                ..PdfMetadata::default()
            },
            source: current.extraction_note.clone().unwrap_or_default(),
        };
        let mut writer = self.writer()?;
        let entry = self.library.entry(&current.file);
        let undo = Undo::new(&entry);
        let written = (|| -> Result<Submission, ChangeError> {
            self.library
                .write_atomically(&sidecar_name(&current.file), metadata.to_toml().as_bytes())?;
            let submission = describe(&current.file, id.clone(), extracted, metadata);
            writer.upsert(&submission, &fingerprint(&entry)?)?;
            writer.commit()?;
            Ok(submission)
        })();
        self.settle(&mut writer, written, || undo.apply(self.library))
    }

    /// Replaces the sidecars of many documents and re-indexes them with one commit: a bulk
    /// edit, or its undo. Each sidecar is written atomically; when any step fails, every
    /// sidecar already written is put back and nothing is committed.
    pub fn update_many(
        &self,
        changes: Vec<(DocId, Sidecar)>,
    ) -> Result<Vec<Submission>, ChangeError> {
        self.update_many_with(changes, |_| {})
    }

    /// [`Archive::update_many`], telling `written` how many sidecars are written so far
    /// after each one (before the commit that makes them all visible).
    pub fn update_many_with(
        &self,
        changes: Vec<(DocId, Sidecar)>,
        mut written: impl FnMut(usize),
    ) -> Result<Vec<Submission>, ChangeError> {
        let mut current = Vec::with_capacity(changes.len());
        for (id, sidecar) in changes {
            let doc = self
                .index
                .document(&id)?
                .ok_or_else(|| ChangeError::NotFound(id.to_string()))?;
            current.push((doc, sidecar));
        }
        let mut writer = self.writer()?;
        let undo: Vec<Undo> = current
            .iter()
            .map(|(doc, _)| Undo::new(&self.library.entry(&doc.file)))
            .collect();
        let outcome = (|| -> Result<Vec<Submission>, ChangeError> {
            let mut done = Vec::with_capacity(current.len());
            for (doc, sidecar) in current {
                let entry = self.library.entry(&doc.file);
                self.library
                    .write_atomically(&sidecar_name(&doc.file), sidecar.to_toml().as_bytes())?;
                let extracted = Extracted {
                    metadata: PdfMetadata {
                        ocr: doc.ocr,
                        ..PdfMetadata::default()
                    },
                    source: doc.extraction_note.clone().unwrap_or_default(),
                    pages: doc.pages,
                };
                let submission = describe(&doc.file, doc.id, extracted, sidecar);
                writer.upsert(&submission, &fingerprint(&entry)?)?;
                // The batch's result carries metadata only; the pages are in the index.
                done.push(Submission {
                    pages: Vec::new(),
                    ..submission
                });
                written(done.len());
            }
            writer.commit()?;
            Ok(done)
        })();
        self.settle(&mut writer, outcome, || {
            undo.iter().try_for_each(|u| u.apply(self.library))
        })
    }

    /// Moves a document's files to the trash and drops it from the index; returns the name
    /// it has in the trash.
    pub fn delete(&self, id: &DocId) -> Result<String, ChangeError> {
        let current = self
            .index
            .metadata(id)?
            .ok_or_else(|| ChangeError::NotFound(id.to_string()))?
            .submission;
        let mut writer = self.writer()?;
        let name = self.library.move_to_trash(&current.file, &self.trash)?;
        let written = (|| -> Result<(), ChangeError> {
            writer.remove_file(&current.file);
            writer.commit()?;
            Ok(())
        })();
        self.settle(&mut writer, written, || {
            self.library
                .restore_from_trash(&name, &self.trash)
                .map(drop)
        })?;
        if let Err(e) = crate::library::note_trash_title(&self.trash, &name, &current.title) {
            tracing::warn!("cannot note the title of {name} in the trash: {e}");
        }
        Ok(name)
    }

    /// Moves a document back from the trash and indexes it again.
    pub fn restore(&self, trash_name: &str) -> Result<Submission, ChangeError> {
        let mut writer = self.writer()?;
        let file = self.library.restore_from_trash(trash_name, &self.trash)?;
        let written = (|| -> Result<Submission, ChangeError> {
            let entry = self.library.entry(&file);
            let bytes = std::fs::read(&entry.pdf)?;
            let id = DocId::from_content(&bytes);
            let sidecar = self
                .library
                .read_sidecar(&entry)
                .ok()
                .flatten()
                .unwrap_or_default();
            let extracted = extract::extract_file(&entry.pdf, self.extract)?;
            let submission = describe(&file, id, extracted, sidecar);
            writer.upsert(&submission, &fingerprint(&entry)?)?;
            writer.commit()?;
            Ok(submission)
        })();
        self.settle(&mut writer, written, || {
            self.library
                .move_to_trash_as(&file, &self.trash, trash_name)
                .map(drop)
        })
    }

    /// The index's writer, locked, after making sure the index still has its folder: a
    /// folder removed while serving is made again from what the running index holds, so
    /// writes go on without a restart.
    fn writer(&self) -> Result<MutexGuard<'_, ArchiveWriter>, ChangeError> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if self.index.folder_lost() {
            tracing::warn!("the index folder was removed; making it again from the running index");
            *writer = self.index.recreate_lost().map_err(ChangeError::IndexLost)?;
            tracing::info!("the index folder was made again");
        }
        Ok(writer)
    }

    /// The outcome of a change whose files were written before it was indexed: on failure,
    /// `undo` puts the files back as they were and the index's pending changes are dropped,
    /// so a failed change leaves nothing behind.
    fn settle<T>(
        &self,
        writer: &mut ArchiveWriter,
        written: Result<T, ChangeError>,
        undo: impl FnOnce() -> Result<(), LibraryError>,
    ) -> Result<T, ChangeError> {
        let error = match written {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if let Err(e) = undo() {
            tracing::error!("a failed change could not be undone in the documents folder: {e}");
        }
        if self.index.folder_lost() {
            // The writer is replaced at the next change; a rollback needs the folder.
            return Err(ChangeError::IndexLost(IndexError::Lost {
                dir: self
                    .index
                    .folder()
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
                reason: error.to_string(),
            }));
        }
        if let Err(e) = writer.rollback() {
            tracing::error!("the index's pending changes could not be dropped: {e}");
        }
        Err(error)
    }

    /// `<date>-<slug of the title>-<id prefix>.pdf`: readable, unique by content, and made
    /// only of ASCII letters, digits and dashes.
    fn file_name_for(&self, id: &DocId, metadata: &Sidecar, extracted: &Extracted) -> String {
        let title = metadata
            .title
            .clone()
            .or_else(|| {
                extracted
                    .pages
                    .first()
                    .and_then(|p| crate::tagging::title_from_text(p))
            })
            .unwrap_or_default();
        let date = metadata
            .date
            .or_else(|| {
                let head: String = extracted.pages.iter().take(2).cloned().collect();
                crate::tagging::detect_date(&head)
            })
            .map(|d| format!("{}-", d.format("%Y-%m-%d")))
            .unwrap_or_default();
        let slug = slug(&title);
        let slug = if slug.is_empty() {
            "dokument".to_string()
        } else {
            slug
        };
        format!("{date}{slug}-{}.pdf", &id.as_str()[..8])
    }
}

/// Staged uploads in the incoming folder are named `upload-*.pdf`.
const INCOMING_PREFIX: &str = "upload-";

/// Whether an upload begins as a PDF does: `%PDF-`, after nothing but whitespace. Readers
/// that find the header further in would take an HTML page with `%PDF-` inside it.
pub fn starts_as_pdf(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0x0c)
        .unwrap_or(bytes.len());
    bytes[start..].starts_with(b"%PDF-")
}

/// Removes what uploads of an earlier run left in the incoming folder (a process killed
/// while it checked a file); returns how many files. Call it before serving.
pub fn clear_incoming(incoming: &Path) -> std::io::Result<usize> {
    let read = match std::fs::read_dir(incoming) {
        Ok(read) => read,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for item in read {
        let item = item?;
        let name = item.file_name();
        if name.to_string_lossy().starts_with(INCOMING_PREFIX) && item.file_type()?.is_file() {
            std::fs::remove_file(item.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// A document's files as they were before a change, to put back if it fails.
struct Undo {
    entry: Entry,
    pdf_existed: bool,
    sidecar: Option<Vec<u8>>,
}

impl Undo {
    fn new(entry: &Entry) -> Undo {
        Undo {
            entry: entry.clone(),
            pdf_existed: entry.pdf.exists(),
            sidecar: std::fs::read(&entry.sidecar).ok(),
        }
    }

    fn apply(&self, library: &Library) -> Result<(), LibraryError> {
        let wrap = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LibraryError::Write { path, source }
        };
        match &self.sidecar {
            Some(bytes) => library.write_atomically(&sidecar_name(&self.entry.file), bytes)?,
            None => remove_if_present(&self.entry.sidecar).map_err(wrap(&self.entry.sidecar))?,
        }
        if !self.pdf_existed {
            remove_if_present(&self.entry.pdf).map_err(wrap(&self.entry.pdf))?;
        }
        Ok(())
    }
}

fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The sidecar's name in the documents folder for a PDF's name there.
pub fn sidecar_name(file: &str) -> String {
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string());
    format!("{stem}.toml")
}

/// Lower-case ASCII words joined by dashes, at most about 60 characters.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        let mapped: &str = match c {
            'æ' => "ae",
            'ø' => "o",
            'å' => "a",
            'é' | 'è' | 'ê' => "e",
            'ä' => "a",
            'ö' => "o",
            'ü' => "u",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        out.push_str(mapped);
    }
    let words: Vec<&str> = out.split('-').filter(|w| !w.is_empty()).collect();
    let mut slug = String::new();
    for w in words {
        if slug.len() + w.len() > 60 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(w);
    }
    slug
}
