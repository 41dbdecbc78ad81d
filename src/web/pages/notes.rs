//! What a document page shows of its notes and its earlier versions: the public notes for
//! everyone, the internal ones and the forms to write, change and delete them only for
//! signed-in staff, and the list of earlier PDFs with their dates. Texts in both
//! languages live here, beside the views that use them.

use crate::index::{ArchiveIndex, IndexError};
use crate::model::{DocId, Note, Submission};
use crate::web::auth::StaffUser;
use crate::web::i18n::Lang;

/// One note as shown. Its text is plain text: the template escapes it like everything else.
pub struct NoteView {
    pub anchor: String,
    pub internal: bool,
    pub text: String,
    /// "Skrevet av … 30. november 2026"
    pub byline: String,
    /// The forms to change and delete it: only for staff.
    pub staff: Option<NoteForms>,
}

/// The forms staff change and delete a note with.
pub struct NoteForms {
    pub edit_action: String,
    pub delete_action: String,
    pub csrf: String,
    pub english: bool,
    /// The field ids must be unique on the page.
    pub field_id: String,
}

/// The notes section of a document page.
pub struct NotesView {
    /// Notes on the whole document.
    pub document: Vec<NoteView>,
    /// The form to add a note: only for staff.
    pub add: Option<AddNoteForm>,
    pub t: &'static NoteTexts,
}

pub struct AddNoteForm {
    pub action: String,
    pub csrf: String,
    pub english: bool,
    pub page_count: usize,
    pub max_chars: usize,
}

/// The document's versions: the current one's number and the earlier ones.
pub struct VersionsView {
    pub current: usize,
    /// (number, date replaced, link to its PDF), newest first.
    pub earlier: Vec<(usize, String, String)>,
    /// The form to upload a new version: only for staff.
    pub replace: Option<ReplaceForm>,
}

pub struct ReplaceForm {
    pub action: String,
    pub csrf: String,
    pub english: bool,
}

/// The notes a reader of `lang` may see, as views: staff see every note, with its forms.
pub fn notes_view(lang: Lang, s: &Submission, user: Option<&StaffUser>) -> NotesView {
    NotesView {
        document: visible(lang, s, user)
            .filter(|n| n.page.is_none())
            .map(|n| note_view(lang, &s.id, n, user))
            .collect(),
        add: user.map(|u| AddNoteForm {
            action: format!("/dokument/{}/notater", s.id),
            csrf: u.csrf.clone(),
            english: lang == Lang::En,
            page_count: s.page_count(),
            max_chars: crate::model::MAX_NOTE_CHARS,
        }),
        t: texts(lang),
    }
}

/// The notes on page `number` a reader may see.
pub fn page_notes(
    lang: Lang,
    s: &Submission,
    user: Option<&StaffUser>,
    number: usize,
) -> Vec<NoteView> {
    visible(lang, s, user)
        .filter(|n| n.page.is_some_and(|p| p as usize == number))
        .map(|n| note_view(lang, &s.id, n, user))
        .collect()
}

fn visible<'a>(
    _lang: Lang,
    s: &'a Submission,
    user: Option<&StaffUser>,
) -> impl Iterator<Item = &'a Note> {
    let staff = user.is_some();
    s.notes.iter().filter(move |n| staff || !n.internal)
}

fn note_view(lang: Lang, id: &DocId, n: &Note, user: Option<&StaffUser>) -> NoteView {
    let t = texts(lang);
    let when = chrono::DateTime::parse_from_rfc3339(&n.written)
        .map(|d| lang.date(d.date_naive()))
        .unwrap_or_else(|_| n.written.clone());
    NoteView {
        anchor: format!("notat-{}", n.id),
        internal: n.internal,
        text: n.text.clone(),
        byline: format!("{} {}, {when}", t.written_by, n.author),
        staff: user.map(|u| NoteForms {
            edit_action: format!("/dokument/{id}/notater/{}", n.id),
            delete_action: format!("/dokument/{id}/notater/{}/slett", n.id),
            csrf: u.csrf.clone(),
            english: lang == Lang::En,
            field_id: format!("notat-{}-tekst", n.id),
        }),
    }
}

/// The versions of a document as shown on its page.
pub fn versions_view(lang: Lang, s: &Submission, user: Option<&StaffUser>) -> VersionsView {
    VersionsView {
        current: s.version_number(),
        earlier: s
            .versions
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let when = chrono::DateTime::parse_from_rfc3339(&v.replaced)
                    .map(|d| lang.date(d.date_naive()))
                    .unwrap_or_else(|_| v.replaced.clone());
                (i + 1, when, format!("/dokument/{}/pdf", v.id))
            })
            .rev()
            .collect(),
        replace: user.map(|u| ReplaceForm {
            action: format!("/dokument/{}/ny-versjon", s.id),
            csrf: u.csrf.clone(),
            english: lang == Lang::En,
        }),
    }
}

/// The file of an earlier version whose id is `id`, relative to `documents/`.
pub fn earlier_version_file(
    index: &ArchiveIndex,
    id: &DocId,
) -> Result<Option<String>, IndexError> {
    let Some(current) = index.current_id(id)? else {
        return Ok(None);
    };
    let Some(doc) = index.metadata(&current)? else {
        return Ok(None);
    };
    Ok(doc
        .submission
        .versions
        .into_iter()
        .find(|v| &v.id == id)
        .map(|v| v.file))
}

/// What the notes and versions say, in one language.
pub struct NoteTexts {
    pub notes: &'static str,
    pub internal: &'static str,
    pub internal_help: &'static str,
    pub written_by: &'static str,
    pub add: &'static str,
    pub text: &'static str,
    pub page: &'static str,
    pub page_help: &'static str,
    pub save: &'static str,
    pub delete: &'static str,
    pub versions: &'static str,
    pub version: &'static str,
    pub current_version: &'static str,
    pub replaced: &'static str,
    pub new_version: &'static str,
    pub new_version_help: &'static str,
    pub upload: &'static str,
    pub page_notes: &'static str,
}

const NB: NoteTexts = NoteTexts {
    notes: "Merknader",
    internal: "Intern",
    internal_help: "Intern (bare for ansatte)",
    written_by: "Skrevet av",
    add: "Legg til merknad",
    text: "Tekst",
    page: "Side",
    page_help: "Side (tom: hele dokumentet)",
    save: "Lagre",
    delete: "Slett",
    versions: "Versjoner",
    version: "Versjon",
    current_version: "gjeldende versjon",
    replaced: "erstattet",
    new_version: "Last opp ny versjon",
    new_version_help: "En rettet PDF erstatter denne. Dokumentet beholder adressen sin, og den gamle PDF-en blir liggende som en tidligere versjon.",
    upload: "Last opp",
    page_notes: "Merknader til siden",
};

const EN: NoteTexts = NoteTexts {
    notes: "Notes",
    internal: "Internal",
    internal_help: "Internal (staff only)",
    written_by: "Written by",
    add: "Add a note",
    text: "Text",
    page: "Page",
    page_help: "Page (empty: the whole document)",
    save: "Save",
    delete: "Delete",
    versions: "Versions",
    version: "Version",
    current_version: "current version",
    replaced: "replaced",
    new_version: "Upload a new version",
    new_version_help: "A corrected PDF replaces this one. The document keeps its address, and the old PDF is kept as an earlier version.",
    upload: "Upload",
    page_notes: "Notes on this page",
};

pub fn texts(lang: Lang) -> &'static NoteTexts {
    match lang {
        Lang::Nb => &NB,
        Lang::En => &EN,
    }
}
