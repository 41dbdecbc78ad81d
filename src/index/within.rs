//! The page search restricted to the records of the documents a search found.
//!
//! Snippets come from each hit's best pages: a search over page records for the query's
//! words, among the records of (usually) 20 documents. tantivy runs such a union of many
//! words by refilling a window of the next 4,096 documents from every word whenever it is
//! asked for a far document, and a prefix word reads every posting of every term it
//! matches before the first page is seen; both read far more than the few pages wanted.
//! [`RecordsOf`] finds the records once per search, [`restricted`] joins it to each word
//! below the union, and [`PrefixIn`] seeks a prefix's terms in those records only.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{
    BooleanQuery, ConstScorer, EnableScoring, Explanation, Occur, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Score, Searcher, SegmentReader, TERMINATED, Term};

use super::IndexError;
use crate::model::DocId;

/// `query` sought only in `within`'s records, with its own score.
///
/// The page search is a union of many words' postings, and tantivy's union, asked for a
/// far document, refills a window of the next 4,096 documents from every word. Restricting
/// each word before the union makes every word skip straight to the few pages of the hits.
pub(super) fn restricted(query: Box<dyn Query>, within: Option<&RecordsOf>) -> Box<dyn Query> {
    match within {
        None => query,
        Some(records) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Must, Box::new(records.clone())),
        ])),
    }
}

/// The records (document and pages) of a few documents, per segment, found once per
/// search. As a query it matches them with a score of zero, so it filters without
/// changing what the query it is joined to scores.
#[derive(Clone, Debug)]
pub(super) struct RecordsOf {
    docs: Arc<HashMap<SegmentId, Vec<tantivy::DocId>>>,
}

impl RecordsOf {
    pub(super) fn find(
        searcher: &Searcher,
        id: Field,
        ids: &[&DocId],
    ) -> Result<RecordsOf, IndexError> {
        let mut docs = HashMap::new();
        for reader in searcher.segment_readers() {
            let inverted = reader.inverted_index(id)?;
            let mut found = Vec::new();
            for doc_id in ids {
                let term = Term::from_field_text(id, doc_id.as_str());
                if let Some(mut postings) = inverted
                    .read_postings(&term, IndexRecordOption::Basic)
                    .map_err(tantivy::TantivyError::from)?
                {
                    while postings.doc() != TERMINATED {
                        found.push(postings.doc());
                        postings.advance();
                    }
                }
            }
            found.sort_unstable();
            found.dedup();
            docs.insert(reader.segment_id(), found);
        }
        Ok(RecordsOf {
            docs: Arc::new(docs),
        })
    }
}

impl Query for RecordsOf {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for RecordsOf {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = self
            .docs
            .get(&reader.segment_id())
            .cloned()
            .unwrap_or_default();
        Ok(Box::new(ConstScorer::new(SortedDocs { docs, at: 0 }, 0.0)))
    }

    fn explain(&self, reader: &SegmentReader, doc: tantivy::DocId) -> tantivy::Result<Explanation> {
        let found = self
            .docs
            .get(&reader.segment_id())
            .is_some_and(|docs| docs.binary_search(&doc).is_ok());
        if found {
            Ok(Explanation::new("RecordsOf", 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not among the records"
            )))
        }
    }
}

/// Strictly increasing document ids as a tantivy doc set.
struct SortedDocs {
    docs: Vec<tantivy::DocId>,
    at: usize,
}

impl DocSet for SortedDocs {
    fn advance(&mut self) -> tantivy::DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn seek(&mut self, target: tantivy::DocId) -> tantivy::DocId {
        self.at += self.docs[self.at..].partition_point(|d| *d < target);
        self.doc()
    }

    fn doc(&self) -> tantivy::DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.at) as u32
    }
}

/// The terms of `field` beginning with `prefix`, as tantivy's prefix query finds them (a
/// constant score where any is found), sought only in `records`: each term's postings are
/// skipped through to the records, never read whole.
#[derive(Clone, Debug)]
pub(super) struct PrefixIn {
    field: Field,
    prefix: String,
    records: RecordsOf,
}

impl PrefixIn {
    pub(super) fn new(field: Field, prefix: &str, records: &RecordsOf) -> PrefixIn {
        PrefixIn {
            field,
            prefix: prefix.to_string(),
            records: records.clone(),
        }
    }

    fn found(&self, reader: &SegmentReader) -> tantivy::Result<Vec<tantivy::DocId>> {
        let Some(records) = self.records.docs.get(&reader.segment_id()) else {
            return Ok(Vec::new());
        };
        let mut found = vec![false; records.len()];
        let inverted = reader.inverted_index(self.field)?;
        let mut terms = inverted
            .terms()
            .range()
            .ge(self.prefix.as_bytes())
            .into_stream()?;
        while terms.advance() {
            if !terms.key().starts_with(self.prefix.as_bytes()) {
                break;
            }
            let mut postings =
                inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
            for (record, seen) in records.iter().zip(found.iter_mut()) {
                // Postings only seek forwards.
                let at = match postings.doc() {
                    doc if doc < *record => postings.seek(*record),
                    doc => doc,
                };
                if at == TERMINATED {
                    break;
                }
                *seen |= at == *record;
            }
            if found.iter().all(|seen| *seen) {
                break;
            }
        }
        Ok(records
            .iter()
            .zip(found)
            .filter(|(_, seen)| *seen)
            .map(|(record, _)| *record)
            .collect())
    }
}

impl Query for PrefixIn {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for PrefixIn {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = self.found(reader)?;
        Ok(Box::new(ConstScorer::new(
            SortedDocs { docs, at: 0 },
            boost,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: tantivy::DocId) -> tantivy::Result<Explanation> {
        if self.found(reader)?.binary_search(&doc).is_ok() {
            Ok(Explanation::new("PrefixIn", 1.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} has no term beginning with {}",
                self.prefix
            )))
        }
    }
}
