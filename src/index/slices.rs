//! One search on several cores: the index's records are cut into slices of about equal
//! size, a large segment into ranges of its document numbers, and each slice is searched
//! on a thread of its own with a collector of its own; the collectors' results are then
//! merged as tantivy merges those of whole segments.
//!
//! tantivy searches a segment on one thread, and its merge policy leaves most records in
//! one large segment (at 100,000 documents, 515,000 of 670,000 records), so searching
//! segments in parallel would gain little. Cutting a segment by document number works for
//! any query: each slice's scorer seeks to the slice's first document and stops at its
//! end, and BM25's statistics come from the whole index through the shared weight, so
//! every match keeps its score.
//!
//! Each slice opens its own scorers, which costs about an eighth more work in all (at
//! 100,000 documents a search on two cores takes 0.83× the time for 1.13× the CPU). So a
//! search is cut only while it is the only one running: on a busy server the cores are
//! already shared among searches, and cutting would only lower the queries per second.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocId, DocSet, Executor, Searcher, SegmentOrdinal, SegmentReader};

/// Slices per thread. More would let a thread that ends early take another, but each
/// slice opens its scorers anew: at 100,000 documents two per thread were slower than one.
const SLICES_PER_THREAD: u32 = 1;

/// How a search is spread over threads.
#[derive(Debug, Clone)]
pub(super) struct Slicing {
    /// The threads one search may use (1: the caller's alone).
    threads: usize,
    /// Below this many records in all, a search stays on the caller's thread: handing
    /// slices to other threads costs more than it saves.
    min_records: u32,
    /// The searches running now, over every clone of the index handle.
    running: Arc<AtomicUsize>,
}

impl Default for Slicing {
    fn default() -> Slicing {
        Slicing::new(pool_threads(), 100_000)
    }
}

/// Counts a search as running until it is dropped.
pub(super) struct Running<'a>(&'a AtomicUsize);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Slicing {
    pub(super) fn new(threads: usize, min_records: u32) -> Slicing {
        Slicing {
            threads: threads.max(1),
            min_records,
            running: Arc::default(),
        }
    }

    /// Counts a search as running, from its start to its last snippet, until the guard
    /// is dropped.
    pub(super) fn enter(&self) -> Running<'_> {
        self.running.fetch_add(1, Ordering::Relaxed);
        Running(&self.running)
    }

    /// Runs `query` over `searcher` with `collector`, as `Searcher::search` does; cut into
    /// slices only when no other search has [`Slicing::enter`]ed.
    pub(super) fn search<C: Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        collector: &C,
    ) -> tantivy::Result<C::Fruit> {
        let others = self.running.load(Ordering::Relaxed).saturating_sub(1);
        let readers = searcher.segment_readers();
        let total: u32 = readers.iter().map(SegmentReader::max_doc).sum();
        if self.threads <= 1 || total < self.min_records || others > 0 {
            return searcher.search(query, collector);
        }
        let scoring = if collector.requires_scoring() {
            EnableScoring::enabled_from_searcher(searcher)
        } else {
            EnableScoring::disabled_from_searcher(searcher)
        };
        let weight = query.weight(scoring)?;
        let slices = slices(
            readers,
            total.div_ceil(self.threads as u32 * SLICES_PER_THREAD),
        );
        let fruits = pool().map(
            |(segment, docs)| {
                collect_slice(
                    collector,
                    weight.as_ref(),
                    segment,
                    &readers[segment as usize],
                    docs,
                )
            },
            slices.into_iter(),
        )?;
        collector.merge_fruits(fruits)
    }
}

/// Each segment whole, or cut into ranges of about `size` records.
fn slices(readers: &[SegmentReader], size: u32) -> Vec<(SegmentOrdinal, Range<DocId>)> {
    let mut out = Vec::new();
    for (segment, reader) in readers.iter().enumerate() {
        let max_doc = reader.max_doc();
        let pieces = max_doc.div_ceil(size.max(1)).max(1);
        let step = max_doc.div_ceil(pieces).max(1);
        let mut start = 0;
        while start < max_doc {
            let end = (start + step).min(max_doc);
            out.push((segment as SegmentOrdinal, start..end));
            start = end;
        }
    }
    out
}

/// The matches of one slice, in a collector of their own: as tantivy collects a segment,
/// but starting at the slice's first record and stopping at its end.
fn collect_slice<C: Collector>(
    collector: &C,
    weight: &dyn Weight,
    segment: SegmentOrdinal,
    reader: &SegmentReader,
    docs: Range<DocId>,
) -> tantivy::Result<<C::Child as SegmentCollector>::Fruit> {
    if docs.start == 0 && docs.end >= reader.max_doc() {
        return collector.collect_segment(weight, segment, reader);
    }
    let mut child = collector.for_segment(segment, reader)?;
    let scoring = collector.requires_scoring();
    let alive = reader.alive_bitset();
    let mut scorer = weight.scorer(reader, 1.0)?;
    let mut doc = scorer.doc();
    if doc < docs.start {
        doc = scorer.seek(docs.start);
    }
    while doc < docs.end {
        if alive.is_none_or(|bits| bits.is_alive(doc)) {
            let score = if scoring { scorer.score() } else { 0.0 };
            child.collect(doc, score);
        }
        doc = scorer.advance();
    }
    Ok(child.harvest())
}

/// The cores this machine has, at most eight.
fn pool_threads() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .min(8)
}

/// One pool for every index handle in the process, made on the first search that is cut.
fn pool() -> &'static Executor {
    static POOL: OnceLock<Executor> = OnceLock::new();
    POOL.get_or_init(|| {
        Executor::multi_thread(pool_threads(), "arkiv-search-")
            .unwrap_or_else(|_| Executor::single_thread())
    })
}
