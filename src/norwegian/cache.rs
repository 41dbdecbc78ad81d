//! The compound splitter kept on disk between runs. Building it reads both Hunspell word
//! lists and stems every word of them, about a second of CPU in a release build: more than
//! pdftotext takes over a small batch of PDFs, and paid again by every `arkiv` process. A
//! built splitter is written once to the cache folder and read back by later processes.
//!
//! The file's name is a BLAKE3 hash of everything the splitter is made from: the four
//! dictionary files, the code that builds it and the stemmer's (given by the caller), and
//! `Cargo.lock` (the stemmer crate's version). A change to any of them names another file,
//! so a stale splitter is never read. A file that does not parse is built again and
//! replaced; a cache folder that cannot be written only costs the time of building.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{BOKMAL, NYNORSK, Splitter};

/// A kept splitter of today's lists is about 11 MB; a file past this bound is not read but
/// built again and replaced.
const MAX_FILE_BYTES: u64 = 64 << 20;

/// The files' first line, with the format's version.
const HEADER: &str = "arkiv compound splitter 1";

/// Where splitters are kept: `ARKIV_CACHE_DIR`, else `$XDG_CACHE_HOME/arkiv`, else
/// `$HOME/.cache/arkiv`; `None` when none is set.
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    var("ARKIV_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| var("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("arkiv")))
        .or_else(|| var("HOME").map(|d| PathBuf::from(d).join(".cache").join("arkiv")))
}

/// The splitter of the word lists in `dictionaries`: read from `cache` when a splitter of
/// the same lists and code is there, else made by `build` and written there. `stemmer` is
/// the source of the stemmer `build` uses. `None` when the word lists cannot be read.
pub fn splitter(
    cache: Option<&Path>,
    dictionaries: &Path,
    stemmer: &str,
    build: impl FnOnce() -> Option<Splitter>,
) -> Option<Splitter> {
    let Some(file) = cache.and_then(|dir| Some(dir.join(file_name(dictionaries, stemmer)?))) else {
        return build();
    };
    let fits = std::fs::metadata(&file).is_ok_and(|m| m.len() <= MAX_FILE_BYTES);
    if let Some(kept) = fits
        .then(|| std::fs::read(&file).ok())
        .flatten()
        .and_then(|bytes| Splitter::from_bytes(&bytes))
    {
        return Some(kept);
    }
    let built = build()?;
    match write(&file, &built.to_bytes()) {
        Ok(()) => forget_old(&file),
        Err(e) => tracing::debug!(
            "the compound splitter was not kept in {}: {e}",
            file.display()
        ),
    }
    Some(built)
}

/// At most this many splitters are kept: each change of the word lists or of the code
/// writes another file of about 10 MB.
const KEPT: usize = 4;

/// Removes the oldest splitters past [`KEPT`], never `newest`.
fn forget_old(newest: &Path) {
    let Some(dir) = newest.parent() else { return };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut others: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("splitter-") && name.ends_with(".bin")
        })
        .map(|e| e.path())
        .filter(|p| p != newest)
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    others.sort();
    let past = others.len().saturating_sub(KEPT - 1);
    for (_, old) in &others[..past] {
        let _ = std::fs::remove_file(old);
    }
}

/// `splitter-<hash>.bin`, or `None` when a dictionary file cannot be read.
fn file_name(dictionaries: &Path, stemmer: &str) -> Option<String> {
    let mut hash = blake3::Hasher::new();
    for name in [BOKMAL, NYNORSK] {
        for ext in ["aff", "dic"] {
            let bytes = std::fs::read(dictionaries.join(format!("{name}.{ext}"))).ok()?;
            hash.update(&(bytes.len() as u64).to_le_bytes());
            hash.update(&bytes);
        }
    }
    for code in [
        HEADER,
        include_str!("mod.rs"),
        include_str!("compound.rs"),
        include_str!("../../Cargo.lock"),
        stemmer,
    ] {
        hash.update(&(code.len() as u64).to_le_bytes());
        hash.update(code.as_bytes());
    }
    Some(format!("splitter-{}.bin", &hash.finalize().to_hex()[..32]))
}

/// Written beside and renamed into place, so a reader never sees half a file and two
/// processes writing at once leave one whole file.
fn write(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    temporary.write_all(bytes)?;
    temporary.persist(file).map_err(|e| e.error)?;
    Ok(())
}

impl Splitter {
    /// The header, then each of the two word maps as its size and one line per word: `1`
    /// or `0` for its compound flag, then the word. Words are letters only (see
    /// [`super::WordList::load`]), so a line never holds a line break.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{HEADER}\n");
        for map in [&self.heads, &self.stems] {
            out.push_str(&format!("{}\n", map.len()));
            for (word, flag) in map {
                out.push(if *flag { '1' } else { '0' });
                out.push_str(word);
                out.push('\n');
            }
        }
        out.into_bytes()
    }

    /// The splitter [`Splitter::to_bytes`] wrote; `None` for anything else.
    pub fn from_bytes(bytes: &[u8]) -> Option<Splitter> {
        let text = std::str::from_utf8(bytes).ok()?;
        let mut lines = text.split('\n');
        if lines.next()? != HEADER {
            return None;
        }
        let mut map = || {
            let count: usize = lines.next()?.parse().ok()?;
            // The size is read from the file: it may reserve no more than the file holds.
            let mut words = fnv::FnvHashMap::with_capacity_and_hasher(
                count.min(bytes.len() / 2),
                Default::default(),
            );
            for _ in 0..count {
                let line = lines.next()?;
                let (flag, word) = (line.get(..1)?, line.get(1..)?);
                let flag = match flag {
                    "1" => true,
                    "0" => false,
                    _ => return None,
                };
                if word.is_empty() || words.insert(word.to_string(), flag).is_some() {
                    return None;
                }
            }
            Some(words)
        };
        let heads = map()?;
        let stems = map()?;
        (lines.next() == Some("") && lines.next().is_none()).then_some(Splitter { heads, stems })
    }
}
