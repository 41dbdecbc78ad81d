//! The ranking weights, in one place: how much each field and each kind of match counts
//! when documents are scored, and how related documents are chosen. Changing one changes
//! the order of results everywhere (web, API, command line); `tests/it/search.rs` holds the
//! orders people rely on.

/// A word in the title counts this many times a word in the body.
pub(super) const TITLE_BOOST: f32 = 3.0;

/// The body, the recipient and page text: the unit the others are measured against.
pub(super) const BODY_BOOST: f32 = 1.0;

/// A match found only after ASCII folding ("sarbare" for "sårbare") counts for less than the
/// word as written, so exact spellings rank first.
pub(super) const FOLDED_WEIGHT: f32 = 0.3;

/// A compound found from its leading part ("voldsalarm" for "vold…") counts for less than
/// the word itself.
pub(super) const COMPOUND_HEAD_WEIGHT: f32 = 0.2;

/// A compound found from one of its parts ("kvinnedrapene" for "drap", through the
/// `_parts` fields) counts for less than the word itself.
pub(super) const COMPOUND_PART_WEIGHT: f32 = 0.3;

/// A compound asked for, found as its parts standing near each other ("barnevold" in
/// "vold mot barn"), counts for less than the compound itself.
pub(super) const COMPOUND_SPLIT_WEIGHT: f32 = 0.3;

/// How far apart (in words) the parts of a compound asked for may stand: the slop of the
/// sloppy phrases that look for them (`search::near` says what it allows in each order).
pub(super) const COMPOUND_SPLIT_SLOP: u32 = 3;

/// A word of the other written standard ("vald" for "vold") counts for less than the word
/// as typed, so exact forms rank first.
pub(super) const STANDARD_WEIGHT: f32 = 0.5;

/// A term of the thesaurus ("partnervold" for "familievold") counts for less than the
/// words typed.
pub(super) const THESAURUS_WEIGHT: f32 = 0.3;

/// At most this many thesaurus terms and other-standard forms are added to one search.
pub(super) const MAX_EXPANSIONS: usize = 24;

/// Compounds are found from their leading part only when the part (as stemmed) has at least
/// this many characters: long enough to be a word of its own.
pub(super) const MIN_COMPOUND_HEAD: usize = 7;

/// When a query names a convention ("Istanbul Convention"), a document tagged with it counts
/// as if it had the words, this much more.
pub(super) const CONVENTION_TAG_BOOST: f32 = 2.0;

/// Related documents (MoreLikeThis over a document's text): how much of the text is read,
/// and which of its words are asked for.
pub(super) const RELATED_TEXT_CHARS: usize = 20_000;
pub(super) const RELATED_MIN_DOC_FREQUENCY: u64 = 1;
pub(super) const RELATED_MIN_TERM_FREQUENCY: usize = 2;
pub(super) const RELATED_MIN_WORD_LENGTH: usize = 4;
pub(super) const RELATED_MAX_QUERY_TERMS: usize = 25;
