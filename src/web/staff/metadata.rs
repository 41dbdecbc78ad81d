//! The one validator of a metadata edit, shared by the staff form (upload and edit) and the
//! API's `PATCH`: both say which fields they set or clear, and both are checked here the
//! same way before anything is written.

use crate::library::Sidecar;
use crate::model::{Convention, Kind, Language, Submission};
use crate::web::i18n::Lang;

/// A metadata value that does not validate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("unknown kind `{0}`")]
    Kind(String),
    #[error("`{0}` is not a date YYYY-MM-DD")]
    Date(String),
    #[error("unknown language `{0}`")]
    Language(String),
    #[error("`{0}` is not an http:// or https:// address")]
    SourceUrl(String),
    #[error("unknown convention `{0}`")]
    Convention(String),
    #[error("`{0}` must be a string or null")]
    NotText(String),
    #[error("`conventions` must be a list of convention ids or null")]
    NotConventions,
    #[error("unknown law `{0}`")]
    Law(String),
    #[error("`laws` must be a list of law ids or null")]
    NotLaws,
    #[error("unknown focus area `{0}`")]
    Topic(String),
    #[error("`topics` must be a list of focus area ids or null")]
    NotTopics,
    #[error("unknown field `{0}`")]
    UnknownField(String),
    #[error("no consultation `{0}`")]
    Consultation(String),
    #[error("`reviewed` must be true or false")]
    NotReviewed,
}

impl MetadataError {
    /// The message the staff form shows, in the page's language.
    pub fn message(&self, lang: Lang) -> String {
        let t = lang.texts();
        match self {
            MetadataError::Kind(v) => format!("{}: {v}", t.invalid_kind),
            MetadataError::Date(v) => format!("{}: {v}", t.invalid_date),
            MetadataError::Language(v) => format!("{}: {v}", t.invalid_language),
            MetadataError::SourceUrl(v) => format!("{}: {v}", t.invalid_url),
            MetadataError::Convention(v) => format!("{}: {v}", t.invalid_convention),
            MetadataError::Law(v) => match lang {
                Lang::Nb => format!("Ukjent lov: {v}"),
                Lang::En => format!("Unknown law: {v}"),
            },
            MetadataError::Topic(v) => match lang {
                Lang::Nb => format!("Ukjent fokusområde: {v}"),
                Lang::En => format!("Unknown focus area: {v}"),
            },
            other => other.to_string(),
        }
    }
}

/// One field of an edit: `None` leaves it as it is, `Some(None)` clears it (detection
/// decides again), `Some(Some(v))` sets it. Values are as typed, trimmed.
type Named<T> = Option<Option<T>>;

/// An edit of a document's metadata, not yet validated.
#[derive(Debug, Default)]
pub struct MetadataEdit {
    pub title: Named<String>,
    pub kind: Named<String>,
    pub date: Named<String>,
    pub recipient: Named<String>,
    pub reference: Named<String>,
    pub language: Named<String>,
    pub source_url: Named<String>,
    pub conventions: Named<Vec<String>>,
    /// Law ids (`tagging::laws`), replacing detection.
    pub laws: Named<Vec<String>>,
    /// The id of the consultation the document answers.
    pub consultation: Named<String>,
    /// Focus area ids (`tagging::topics`), replacing detection.
    pub topics: Named<Vec<String>>,
    /// Whether staff have reviewed the document (the inbox); `None` leaves it.
    pub reviewed: Option<bool>,
}

/// Law ids as typed in the form: separated by commas or spaces.
fn law_list(value: &str) -> Option<Vec<String>> {
    let ids: Vec<String> = value
        .split([',', ' ', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    (!ids.is_empty()).then_some(ids)
}

/// A list of ids in JSON, or `null` (detection decides again); anything else is `wrong`.
fn id_list(
    value: &serde_json::Value,
    wrong: MetadataError,
) -> Result<Option<Vec<String>>, MetadataError> {
    use serde_json::Value;
    match value {
        Value::Null => Ok(None),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or(wrong),
        _ => Err(wrong),
    }
}

/// Empty text means "not given".
fn text(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// The conventions a metadata form asks for: `None` to detect them. The boxes the form
/// showed ticked come back as `conventions_shown`; boxes ticked or cleared by hand are a
/// choice by hand even when "detect" stayed selected (without a script the boxes cannot
/// be disabled, and a correction must never be dropped).
fn form_conventions(fields: &Fields) -> Option<Vec<String>> {
    let ticked: Vec<String> = fields
        .all("conventions")
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut now: Vec<&str> = ticked.iter().map(String::as_str).collect();
    let mut shown = fields.all("conventions_shown");
    now.sort_unstable();
    now.dedup();
    shown.sort_unstable();
    shown.dedup();
    let manual = fields.get("conventions_mode") == Some("manual") || now != shown;
    manual.then_some(ticked)
}

impl MetadataEdit {
    /// The metadata form names every field; an empty one means "detect". Conventions are
    /// named only when chosen by hand.
    pub fn from_form(fields: &Fields) -> MetadataEdit {
        let named = |name: &str| Some(fields.get(name).and_then(text));
        MetadataEdit {
            title: named("title"),
            kind: named("kind"),
            date: named("date"),
            recipient: named("recipient"),
            reference: named("reference"),
            language: named("language"),
            source_url: named("source_url"),
            consultation: named("consultation"),
            conventions: Some(form_conventions(fields)),
            laws: Some(fields.get("laws").and_then(law_list)),
            // A form without the field (an older page) leaves the areas as they are.
            topics: fields
                .get("topics_shown")
                .map(|_| fields.get("topics").and_then(law_list)),
            reviewed: None,
        }
    }

    /// A JSON object names the fields it changes: a string sets, `null` clears. Free text
    /// (title, recipient, reference) is trimmed and clears when empty, as on the form; a
    /// coded field (kind, date, language, source_url, consultation) must be one of the
    /// values the OpenAPI document lists, exactly: `"\r"` or `""` is refused, not read as
    /// "clear", so the API never accepts what its schema calls invalid.
    pub fn from_json(
        patch: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<MetadataEdit, MetadataError> {
        use serde_json::Value;
        let text_of = |key: &str, v: &Value| -> Result<Option<String>, MetadataError> {
            match v {
                Value::Null => Ok(None),
                Value::String(s) if matches!(key, "title" | "recipient" | "reference") => {
                    Ok(text(s))
                }
                Value::String(s) => Ok(Some(s.clone())),
                _ => Err(MetadataError::NotText(key.to_string())),
            }
        };
        let mut edit = MetadataEdit::default();
        for (key, value) in patch {
            let slot = match key.as_str() {
                "title" => &mut edit.title,
                "kind" => &mut edit.kind,
                "date" => &mut edit.date,
                "recipient" => &mut edit.recipient,
                "reference" => &mut edit.reference,
                "language" => &mut edit.language,
                "source_url" => &mut edit.source_url,
                "laws" => {
                    edit.laws = Some(id_list(value, MetadataError::NotLaws)?);
                    continue;
                }
                "topics" => {
                    edit.topics = Some(id_list(value, MetadataError::NotTopics)?);
                    continue;
                }
                "consultation" => &mut edit.consultation,
                "reviewed" => {
                    edit.reviewed = Some(value.as_bool().ok_or(MetadataError::NotReviewed)?);
                    continue;
                }
                "conventions" => {
                    edit.conventions = Some(id_list(value, MetadataError::NotConventions)?);
                    continue;
                }
                other => return Err(MetadataError::UnknownField(other.to_string())),
            };
            *slot = Some(text_of(key, value)?);
        }
        Ok(edit)
    }

    /// Validates every named field and writes it over `base`; fields not named keep their
    /// value there.
    pub fn apply(self, mut base: Sidecar) -> Result<Sidecar, MetadataError> {
        fn each<T>(
            named: Named<String>,
            parse: impl Fn(&str) -> Option<T>,
            error: fn(String) -> MetadataError,
            slot: &mut Option<T>,
        ) -> Result<(), MetadataError> {
            if let Some(value) = named {
                *slot = match value {
                    Some(v) => Some(parse(&v).ok_or(error(v))?),
                    None => None,
                };
            }
            Ok(())
        }
        let same = |v: &str| Some(v.to_string());
        each(self.title, same, MetadataError::NotText, &mut base.title)?;
        each(
            self.recipient,
            same,
            MetadataError::NotText,
            &mut base.recipient,
        )?;
        each(
            self.reference,
            same,
            MetadataError::NotText,
            &mut base.reference,
        )?;
        each(
            self.kind,
            Kind::from_id,
            MetadataError::Kind,
            &mut base.kind,
        )?;
        each(
            self.date,
            crate::model::parse_full_date,
            MetadataError::Date,
            &mut base.date,
        )?;
        each(
            self.language,
            Language::from_id,
            MetadataError::Language,
            &mut base.language,
        )?;
        each(
            self.source_url,
            |u| (u.starts_with("https://") || u.starts_with("http://")).then(|| u.to_string()),
            MetadataError::SourceUrl,
            &mut base.source_url,
        )?;
        each(
            self.consultation,
            |id| crate::consultations::is_slug(id).then(|| id.to_string()),
            MetadataError::Consultation,
            &mut base.consultation,
        )?;
        if let Some(conventions) = self.conventions {
            base.conventions = match conventions {
                Some(ids) => {
                    let mut list = ids
                        .iter()
                        .map(|id| {
                            Convention::from_id(id)
                                .ok_or_else(|| MetadataError::Convention(id.clone()))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    list.sort();
                    list.dedup();
                    Some(list)
                }
                None => None,
            };
        }
        if let Some(reviewed) = self.reviewed {
            base.reviewed = Some(reviewed);
        }
        if let Some(laws) = self.laws {
            base.laws = match laws {
                Some(ids) => {
                    let mut list = ids
                        .iter()
                        .map(|id| {
                            crate::tagging::laws::law(id)
                                .map(|l| l.id.to_string())
                                .ok_or_else(|| MetadataError::Law(id.clone()))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    list.sort_by_key(|id| crate::tagging::laws::law_order(id));
                    list.dedup();
                    Some(list)
                }
                None => None,
            };
        }
        if let Some(topics) = self.topics {
            base.topics = match topics {
                Some(ids) => {
                    let mut list = ids
                        .iter()
                        .map(|id| {
                            crate::tagging::topics::focus_area(id)
                                .map(|a| a.id.to_string())
                                .ok_or_else(|| MetadataError::Topic(id.clone()))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    list.sort_by_key(|id| crate::tagging::topics::area_order(id));
                    list.dedup();
                    Some(list)
                }
                None => None,
            };
        }
        Ok(base)
    }
}

/// A sidecar may name only a consultation that exists.
pub fn check_consultation(
    sidecar: &Sidecar,
    consultations: &crate::consultations::Consultations,
) -> Result<(), MetadataError> {
    match &sidecar.consultation {
        Some(id) if consultations.get(id).is_none() => Err(MetadataError::Consultation(id.clone())),
        _ => Ok(()),
    }
}

/// What an edit starts from: the document's sidecar, plus the title and date it has now.
/// Those two may have come from the PDF's own metadata (/Title, /CreationDate), which
/// describing the document again from its stored text cannot read, so an edit that does
/// not name them writes them down to keep them. Everything else stays as the sidecar
/// says, detected or set.
pub fn current(doc: &Submission, sidecar: Option<Sidecar>) -> Sidecar {
    let mut base = sidecar.unwrap_or_default();
    if base.title.is_none() {
        base.title = Some(doc.title.clone());
    }
    if base.date.is_none() {
        base.date = doc.date;
    }
    base
}

/// Form fields in order, with repeats (checkboxes).
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        Fields(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}
