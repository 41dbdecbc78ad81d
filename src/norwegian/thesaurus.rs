//! The thesaurus of the field (`resources/thesaurus.toml`): concepts, each with its terms in
//! bokmål, nynorsk and English. A search for one of a concept's terms also finds its other
//! terms, with a lower weight than the words typed; the index decides how a term is matched
//! (`src/index/search.rs`).

use std::sync::OnceLock;

use serde::Deserialize;

/// The thesaurus as shipped in the repository.
pub const THESAURUS: &str = include_str!("../../resources/thesaurus.toml");

#[derive(Debug, thiserror::Error)]
pub enum ThesaurusError {
    #[error("bad thesaurus: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("concept {0:?} has fewer than two terms")]
    Alone(String),
}

#[derive(Debug, Clone, Deserialize)]
pub struct Concept {
    pub id: String,
    #[serde(default)]
    pub nb: Vec<String>,
    #[serde(default)]
    pub nn: Vec<String>,
    #[serde(default)]
    pub en: Vec<String>,
}

impl Concept {
    /// Every term of the concept, lower case, without repeats, in the order nb, nn, en.
    pub fn terms(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for term in self.nb.iter().chain(&self.nn).chain(&self.en) {
            let term = term.to_lowercase();
            if !out.contains(&term) {
                out.push(term);
            }
        }
        out
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Thesaurus {
    pub version: u32,
    #[serde(rename = "concept")]
    pub concepts: Vec<Concept>,
}

impl Thesaurus {
    pub fn parse(text: &str) -> Result<Thesaurus, ThesaurusError> {
        let thesaurus: Thesaurus = toml::from_str(text)?;
        if let Some(c) = thesaurus.concepts.iter().find(|c| c.terms().len() < 2) {
            return Err(ThesaurusError::Alone(c.id.clone()));
        }
        Ok(thesaurus)
    }

    /// The shipped thesaurus, parsed once. A thesaurus that does not parse (a test catches
    /// it before a release) is logged and left empty rather than failing searches.
    pub fn shipped() -> &'static Thesaurus {
        static SHIPPED: OnceLock<Thesaurus> = OnceLock::new();
        SHIPPED.get_or_init(|| {
            Thesaurus::parse(THESAURUS).unwrap_or_else(|e| {
                tracing::error!("{e}; searching without the thesaurus");
                Thesaurus {
                    version: 0,
                    concepts: Vec::new(),
                }
            })
        })
    }
}
