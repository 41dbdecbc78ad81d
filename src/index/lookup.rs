//! A document and its pages, looked up by id: one term of the `id` field, whose records are
//! told apart by the `id_key` fast field (page records have it, the document record does
//! not). No ranking, no top-n list: a document with 50,000 pages costs its pages, and its
//! metadata costs one stored record.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term};

use super::{ArchiveIndex, IndexError, IndexedDocument};
use crate::model::{DocId, Submission};

impl ArchiveIndex {
    /// A document's metadata (with `pages` left empty) and page count, looked up by id:
    /// only its document record is read.
    pub fn metadata(&self, id: &DocId) -> Result<Option<IndexedDocument>, IndexError> {
        let searcher = self.reader.searcher();
        let records = self.records(&searcher, id)?;
        self.metadata_of(&searcher, &records)
    }

    /// The text of a document's pages, in page order (empty for an unknown id): only its
    /// page records are read.
    pub fn pages(&self, id: &DocId) -> Result<Vec<String>, IndexError> {
        let searcher = self.reader.searcher();
        let records = self.records(&searcher, id)?;
        let pages = self.pages_of(&searcher, &records)?;
        Ok(pages.into_iter().map(|(_, text)| text).collect())
    }

    /// One document with the text of every page: [`ArchiveIndex::metadata`] and
    /// [`ArchiveIndex::pages`] from one lookup in one snapshot of the index.
    pub fn document(&self, id: &DocId) -> Result<Option<Submission>, IndexError> {
        let searcher = self.reader.searcher();
        let records = self.records(&searcher, id)?;
        let Some(indexed) = self.metadata_of(&searcher, &records)? else {
            return Ok(None);
        };
        let mut submission = indexed.submission;
        // One slot per page the document had when indexed, whatever records survive.
        submission.pages = vec![String::new(); indexed.page_count];
        for (number, text) in self.pages_of(&searcher, &records)? {
            if let Some(slot) = (number as usize)
                .checked_sub(1)
                .and_then(|i| submission.pages.get_mut(i))
            {
                *slot = text;
            }
        }
        Ok(Some(submission))
    }

    /// The current id of a document that had `former` as the id of an earlier version.
    pub fn current_id(&self, former: &DocId) -> Result<Option<DocId>, IndexError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.former_id, former.as_str()),
            IndexRecordOption::Basic,
        );
        let found = searcher.search(
            &query,
            &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
        )?;
        match found.first() {
            Some((_, address)) => {
                let doc: TantivyDocument = searcher.doc(*address)?;
                Ok(Some(self.indexed_document(&doc)?.submission.id))
            }
            None => Ok(None),
        }
    }

    /// Where the records of `id` are.
    fn records(&self, searcher: &Searcher, id: &DocId) -> Result<Records, IndexError> {
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id.as_str()),
            IndexRecordOption::Basic,
        );
        Ok(searcher.search(&query, &RecordsOf)?)
    }

    fn metadata_of(
        &self,
        searcher: &Searcher,
        records: &Records,
    ) -> Result<Option<IndexedDocument>, IndexError> {
        match records.document {
            Some(address) => {
                let doc: TantivyDocument = searcher.doc(address)?;
                Ok(Some(self.indexed_document(&doc)?))
            }
            None => Ok(None),
        }
    }

    /// The page records as (page number, text), in page order.
    fn pages_of(
        &self,
        searcher: &Searcher,
        records: &Records,
    ) -> Result<Vec<(u64, String)>, IndexError> {
        let mut addresses = records.pages.clone();
        // In address order, the document store is read front to back.
        addresses.sort_unstable();
        let mut pages = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let number = doc
                .get_first(self.fields.page)
                .and_then(|v| v.as_u64())
                .ok_or_else(|| IndexError::Damaged("page record without a number".into()))?;
            let text = doc
                .get_first(self.fields.page_text)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            pages.push((number, text.to_string()));
        }
        pages.sort_by_key(|(number, _)| *number);
        Ok(pages)
    }
}

/// The records of one document: its document record and its page records.
#[derive(Debug, Default)]
struct Records {
    document: Option<DocAddress>,
    pages: Vec<DocAddress>,
}

/// Sorts the records a query matches into the document record and page records, by
/// whether they carry an `id_key`; needs no scores.
struct RecordsOf;

struct RecordsInSegment {
    segment: SegmentOrdinal,
    keys: Option<Column<u64>>,
    records: Records,
}

impl Collector for RecordsOf {
    type Fruit = Records;
    type Child = RecordsInSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<RecordsInSegment> {
        Ok(RecordsInSegment {
            segment,
            keys: reader.fast_fields().u64("id_key").ok(),
            records: Records::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Records>) -> tantivy::Result<Records> {
        let mut merged = Records::default();
        for fruit in fruits {
            merged.document = merged.document.or(fruit.document);
            merged.pages.extend(fruit.pages);
        }
        Ok(merged)
    }
}

impl SegmentCollector for RecordsInSegment {
    type Fruit = Records;

    fn collect(&mut self, doc: tantivy::DocId, _score: Score) {
        let address = DocAddress::new(self.segment, doc);
        match self.keys.as_ref().and_then(|k| k.first(doc)) {
            Some(_) => self.records.pages.push(address),
            None => self.records.document = Some(address),
        }
    }

    fn harvest(self) -> Records {
        self.records
    }
}
