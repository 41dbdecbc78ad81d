//! Facet counts over every match of a search, from a table of each document's facets.
//!
//! [`FacetCounter`] counts the eight facets a search answers with ([`FacetCounts`]) and the
//! number of matches. Each segment gets a [`SegmentTable`] the first time a search counts
//! in it, kept in [`FacetTables`] while the segment is searched (committed segments never
//! change): every term of each facet column's dictionary is mapped to a slot (a child of
//! one of the counted roots: a convention, `/crc/12` under `/crc`), and each document with
//! facets has the list of its slots. A match then costs one rank in a bit set and an
//! increment per slot, where reading the eight columns cost a rank in each column's
//! optional index and a read of its ordinals. Names are made only when a segment is
//! harvested, for the slots it counted.
//!
//! The counts are the ones tantivy's `FacetCollector` gives with the same roots: each
//! document counts once per child, however many of its values fall under that child.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::column_index::MultiValueIndex;
use tantivy::columnar::{Column, ColumnIndex};
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::search::FacetCounts;
use crate::model::Convention;
use crate::tagging::laws::LAWS;

/// Counts the facets of [`FacetCounts`] and the matches of a search. Needs no scores.
pub(super) struct FacetCounter {
    tables: Arc<FacetTables>,
}

/// What one collected segment found: its matches, and its facet counts by name.
pub(super) struct SegmentCounts {
    pub(super) total: u64,
    pub(super) facets: FacetCounts,
}

/// Which map of [`FacetCounts`] a facet fills.
#[derive(Debug, Clone, Copy)]
enum Target {
    Convention,
    Year,
    Kind,
    Article,
    Law,
    LawSection,
    Cycle,
    Topic,
}

/// A facet field and the facets whose children are counted in it.
struct Counted {
    field: &'static str,
    target: Target,
    /// Sorted by their encoded bytes; none is a prefix (as a facet) of another.
    roots: Vec<Root>,
}

struct Root {
    /// The facet's encoded bytes (empty for the root of the field).
    encoded: Vec<u8>,
    /// What a child's name is written after: `crc:` for the articles of `/crc`.
    prefix: String,
}

impl Counted {
    /// The children of the field's root (`/crc`, `/2021`), named by their value.
    fn top(field: &'static str, target: Target) -> Counted {
        Counted {
            field,
            target,
            roots: vec![Root {
                encoded: Vec::new(),
                prefix: String::new(),
            }],
        }
    }

    /// The children of each of `parents` (`/crc/12` under `/crc`), named `parent:child`.
    fn under(field: &'static str, target: Target, parents: &[&str]) -> Counted {
        let mut roots: Vec<Root> = parents
            .iter()
            .map(|parent| Root {
                encoded: Facet::from_path([*parent])
                    .encoded_str()
                    .as_bytes()
                    .to_vec(),
                prefix: format!("{parent}:"),
            })
            .collect();
        roots.sort_by(|a, b| a.encoded.cmp(&b.encoded));
        roots.dedup_by(|a, b| a.encoded == b.encoded);
        Counted {
            field,
            target,
            roots,
        }
    }

    /// The root `term` is a strict descendant of, and the name of the child of that root
    /// it falls under.
    fn child_of<'t>(&self, term: &'t [u8]) -> Option<(usize, &'t [u8])> {
        // The roots are no prefixes of each other, so a term can only descend from the
        // last root not after it.
        let place = self
            .roots
            .partition_point(|r| r.encoded.as_slice() <= term)
            .checked_sub(1)?;
        let root = &self.roots[place].encoded;
        let rest = if root.is_empty() {
            term
        } else if term.len() > root.len() && term.starts_with(root) && term[root.len()] == 0 {
            &term[root.len() + 1..]
        } else {
            return None;
        };
        if rest.is_empty() {
            return None;
        }
        let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
        Some((place, &rest[..end]))
    }
}

/// The facets counted, and the table of each segment searched so far. One per index,
/// shared by every search.
pub(super) struct FacetTables {
    facets: Vec<Counted>,
    built: Mutex<HashMap<SegmentId, Arc<SegmentTable>>>,
}

impl Default for FacetTables {
    /// The facets of the search page: the conventions, years, kinds, laws, review cycles
    /// and focus areas, each convention's articles and each known law's sections.
    fn default() -> FacetTables {
        let conventions: Vec<&str> = Convention::ALL.iter().map(|c| c.id()).collect();
        let laws: Vec<&str> = LAWS.iter().map(|l| l.id).collect();
        FacetTables {
            facets: vec![
                Counted::top("convention", Target::Convention),
                Counted::top("year_facet", Target::Year),
                Counted::top("kind", Target::Kind),
                Counted::under("article", Target::Article, &conventions),
                Counted::top("law", Target::Law),
                Counted::under("law_section", Target::LawSection, &laws),
                Counted::top("cycle", Target::Cycle),
                Counted::top("topic", Target::Topic),
            ],
            built: Mutex::default(),
        }
    }
}

impl FacetTables {
    /// Forgets the tables of segments `searcher` no longer holds (merged away or deleted).
    pub(super) fn keep_only(&self, searcher: &Searcher) {
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if built.len() > searcher.segment_readers().len() {
            let live: Vec<SegmentId> = searcher
                .segment_readers()
                .iter()
                .map(|r| r.segment_id())
                .collect();
            built.retain(|id, _| live.contains(id));
        }
    }

    /// The table of `reader`'s segment, built on first use.
    fn table(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentTable>> {
        let id = reader.segment_id();
        if let Some(table) = self
            .built
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
        {
            return Ok(table.clone());
        }
        // Built outside the lock: two searches meeting a new segment at once both build
        // it, and the second keeps the first one's.
        let table = Arc::new(SegmentTable::build(&self.facets, reader)?);
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        Ok(built.entry(id).or_insert(table).clone())
    }

    /// The heap the tables hold, in bytes.
    pub(super) fn heap_bytes(&self) -> usize {
        let built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        built.values().map(|t| t.heap_bytes()).sum()
    }
}

impl FacetCounter {
    pub(super) fn new(tables: Arc<FacetTables>) -> FacetCounter {
        FacetCounter { tables }
    }
}

/// No slot: a term under none of the counted roots.
const NO_SLOT: u32 = u32::MAX;

/// How many documents' columns are read together while a table is built.
const BLOCK: usize = 256;

/// The facets of every document of one segment.
struct SegmentTable {
    /// The names of each facet's slots; facet `i`'s slots follow facet `i - 1`'s.
    names: Vec<FacetNames>,
    /// A bit per document: has it any slot?
    with_slots: Vec<u64>,
    /// Per word of `with_slots`, how many documents before it have slots.
    ranks_before: Vec<u32>,
    /// Where each document with slots (by rank) starts in `slots`; one more at the end.
    starts: Vec<u32>,
    slots: Slots,
}

/// Each document's slots, as narrow as the segment's number of slots allows.
enum Slots {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

/// The names of one facet's slots in a segment.
struct FacetNames {
    target: Target,
    /// The slot of this facet's first child in the segment's numbering.
    first: u32,
    /// Per slot, its root and the end of its child's name in `names`.
    slot_roots: Vec<u32>,
    name_ends: Vec<usize>,
    names: Vec<u8>,
    prefixes: Vec<String>,
}

/// One facet's column in a segment while its table is built.
struct FacetColumn {
    ords: Column<u64>,
    /// Each term ordinal's slot, or [`NO_SLOT`].
    slot_of_ord: Vec<u32>,
}

/// Buffers reused from block to block.
#[derive(Default)]
struct Scratch {
    docs: Vec<DocId>,
    with_values: Vec<DocId>,
    rows: Vec<u32>,
    ranks: Vec<u32>,
    starts: Vec<u32>,
    ends: Vec<u32>,
    ords: Vec<u64>,
}

impl SegmentTable {
    /// Reads every facet column of the segment twice: once to size each document's list,
    /// once to fill it.
    fn build(facets: &[Counted], reader: &SegmentReader) -> tantivy::Result<SegmentTable> {
        let max_doc = reader.max_doc();
        let mut names = Vec::with_capacity(facets.len());
        let mut columns = Vec::with_capacity(facets.len());
        let mut first = 0u32;
        for counted in facets {
            // A segment without the column has no values to count.
            if let Some(column) = reader.fast_fields().str(counted.field)? {
                let (facet_names, column) = FacetColumn::open(counted, column, first)?;
                first += facet_names.slot_roots.len() as u32;
                names.push(facet_names);
                columns.push(column);
            }
        }

        let mut scratch = Scratch::default();
        let mut per_doc = vec![0u32; max_doc as usize];
        for column in &columns {
            column.for_each_slot(max_doc, &mut scratch, |doc, _| per_doc[doc as usize] += 1);
        }
        let words = (max_doc as usize).div_ceil(64);
        let mut with_slots = vec![0u64; words];
        let mut ranks_before = vec![0u32; words];
        let mut starts = Vec::new();
        let mut total = 0u32;
        for (doc, n) in per_doc.iter_mut().enumerate() {
            if doc % 64 == 0 {
                ranks_before[doc / 64] = starts.len() as u32;
            }
            if *n > 0 {
                with_slots[doc / 64] |= 1 << (doc % 64);
                starts.push(total);
                total += *n;
                // From here on, where this document's next slot goes.
                *n = starts[starts.len() - 1];
            }
        }
        starts.push(total);
        let mut filled = vec![0u32; total as usize];
        for column in &columns {
            column.for_each_slot(max_doc, &mut scratch, |doc, slot| {
                let at = &mut per_doc[doc as usize];
                filled[*at as usize] = slot;
                *at += 1;
            });
        }
        let slots = if first <= u32::from(u16::MAX) + 1 {
            Slots::Narrow(filled.into_iter().map(|s| s as u16).collect())
        } else {
            Slots::Wide(filled)
        };
        Ok(SegmentTable {
            names,
            with_slots,
            ranks_before,
            starts,
            slots,
        })
    }

    fn slot_count(&self) -> usize {
        self.names
            .last()
            .map_or(0, |n| n.first as usize + n.slot_roots.len())
    }

    /// Adds one to the count of each of `doc`'s slots.
    fn count(&self, doc: DocId, counts: &mut [u64]) {
        let word = (doc / 64) as usize;
        let bits = self.with_slots.get(word).copied().unwrap_or(0);
        let bit = 1u64 << (doc % 64);
        if bits & bit == 0 {
            return;
        }
        let rank = (self.ranks_before[word] + (bits & (bit - 1)).count_ones()) as usize;
        let (start, end) = (self.starts[rank] as usize, self.starts[rank + 1] as usize);
        match &self.slots {
            Slots::Narrow(slots) => slots[start..end]
                .iter()
                .for_each(|s| counts[usize::from(*s)] += 1),
            Slots::Wide(slots) => slots[start..end]
                .iter()
                .for_each(|s| counts[*s as usize] += 1),
        }
    }

    fn heap_bytes(&self) -> usize {
        let slots = match &self.slots {
            Slots::Narrow(s) => s.len() * 2,
            Slots::Wide(s) => s.len() * 4,
        };
        let names: usize = self
            .names
            .iter()
            .map(|n| n.names.len() + n.name_ends.len() * 8 + n.slot_roots.len() * 4)
            .sum();
        self.with_slots.len() * 8
            + self.ranks_before.len() * 4
            + self.starts.len() * 4
            + slots
            + names
    }
}

impl FacetColumn {
    /// The column, and the names of the slots of its dictionary's terms: one pass over
    /// the dictionary, in term order, so the terms under one child are neighbours.
    fn open(
        counted: &Counted,
        column: tantivy::columnar::StrColumn,
        first: u32,
    ) -> tantivy::Result<(FacetNames, FacetColumn)> {
        let dictionary = column.dictionary();
        let mut names = FacetNames {
            target: counted.target,
            first,
            slot_roots: Vec::new(),
            name_ends: Vec::new(),
            names: Vec::new(),
            prefixes: counted.roots.iter().map(|r| r.prefix.clone()).collect(),
        };
        let mut slot_of_ord = vec![NO_SLOT; dictionary.num_terms()];
        let mut terms = dictionary.stream()?;
        while terms.advance() {
            let Some((root, child)) = counted.child_of(terms.key()) else {
                continue;
            };
            let root = root as u32;
            let same = names.slot_roots.last() == Some(&root) && names.last_name() == child;
            if !same {
                names.slot_roots.push(root);
                names.names.extend_from_slice(child);
                names.name_ends.push(names.names.len());
            }
            let slot = first + (names.slot_roots.len() - 1) as u32;
            if let Some(entry) = slot_of_ord.get_mut(terms.term_ord() as usize) {
                *entry = slot;
            }
        }
        let column = FacetColumn {
            ords: column.ords().clone(),
            slot_of_ord,
        };
        Ok((names, column))
    }

    /// Calls `each` with every document of the segment and each of its slots in this
    /// column, once per slot, in document order.
    fn for_each_slot(
        &self,
        max_doc: DocId,
        scratch: &mut Scratch,
        mut each: impl FnMut(DocId, u32),
    ) {
        let mut block: Vec<DocId> = Vec::with_capacity(BLOCK);
        let mut from = 0;
        while from < max_doc {
            let to = max_doc.min(from + BLOCK as DocId);
            block.clear();
            block.extend(from..to);
            self.read(&block, scratch);
            // A document's values are sorted, so the values under one child are
            // neighbours: it counts once.
            let mut previous = (DocId::MAX, NO_SLOT);
            for (doc, ord) in scratch.docs.iter().zip(&scratch.ords) {
                let slot = self
                    .slot_of_ord
                    .get(*ord as usize)
                    .copied()
                    .unwrap_or(NO_SLOT);
                if slot != NO_SLOT && (*doc, slot) != previous {
                    each(*doc, slot);
                    previous = (*doc, slot);
                }
            }
            from = to;
        }
    }

    /// The term ordinals of a block of documents (in increasing order): `scratch.ords[i]`
    /// is a value of `scratch.docs[i]`.
    fn read(&self, docs: &[DocId], scratch: &mut Scratch) {
        scratch.docs.clear();
        scratch.rows.clear();
        match &self.ords.index {
            ColumnIndex::Empty { .. } => {}
            ColumnIndex::Full => {
                scratch.docs.extend_from_slice(docs);
                scratch.rows.extend_from_slice(docs);
            }
            ColumnIndex::Optional(optional) => {
                optional.rank_if_exists_batch(docs, &mut scratch.docs, &mut scratch.rows);
            }
            ColumnIndex::Multivalued(MultiValueIndex::MultiValueIndexV2(multi)) => {
                // Which documents have values, for the whole block at once; then where
                // each one's values start and end.
                scratch.with_values.clear();
                scratch.ranks.clear();
                multi.optional_index.rank_if_exists_batch(
                    docs,
                    &mut scratch.with_values,
                    &mut scratch.ranks,
                );
                let starts = &multi.start_index_column;
                scratch.starts.resize(scratch.ranks.len(), 0);
                starts.get_vals(&scratch.ranks, &mut scratch.starts);
                for rank in scratch.ranks.iter_mut() {
                    *rank += 1;
                }
                scratch.ends.resize(scratch.ranks.len(), 0);
                starts.get_vals(&scratch.ranks, &mut scratch.ends);
                for ((doc, start), end) in scratch
                    .with_values
                    .iter()
                    .zip(&scratch.starts)
                    .zip(&scratch.ends)
                {
                    for row in *start..*end {
                        scratch.docs.push(*doc);
                        scratch.rows.push(row);
                    }
                }
            }
            index => index.docids_to_rowids(docs, &mut scratch.docs, &mut scratch.rows),
        }
        scratch.ords.resize(scratch.rows.len(), 0);
        self.ords.values.get_vals(&scratch.rows, &mut scratch.ords);
    }
}

impl FacetNames {
    fn last_name(&self) -> &[u8] {
        let end = self.name_ends.last().copied().unwrap_or(0);
        let start = match self.name_ends.len() {
            0 | 1 => 0,
            n => self.name_ends[n - 2],
        };
        &self.names[start..end]
    }

    /// The children counted in `counts` (the segment's slots) by name.
    fn add_to(&self, counts: &[u64], facets: &mut FacetCounts) {
        let into = map_of(facets, self.target);
        let mine = &counts[self.first as usize..self.first as usize + self.slot_roots.len()];
        let mut start = 0;
        for (slot, n) in mine.iter().enumerate() {
            let end = self.name_ends[slot];
            if *n > 0
                && let Ok(child) = std::str::from_utf8(&self.names[start..end])
            {
                let prefix = &self.prefixes[self.slot_roots[slot] as usize];
                *into.entry(format!("{prefix}{child}")).or_insert(0) += n;
            }
            start = end;
        }
    }
}

/// The [`FacetCounter`] of one segment.
pub(super) struct FacetCounterInSegment {
    table: Arc<SegmentTable>,
    counts: Vec<u64>,
    total: u64,
}

impl Collector for FacetCounter {
    type Fruit = SegmentCounts;
    type Child = FacetCounterInSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetCounterInSegment> {
        let table = self.tables.table(reader)?;
        Ok(FacetCounterInSegment {
            counts: vec![0; table.slot_count()],
            table,
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentCounts>) -> tantivy::Result<SegmentCounts> {
        let mut merged = SegmentCounts {
            total: 0,
            facets: FacetCounts::default(),
        };
        for mut segment in segments {
            merged.total += segment.total;
            for target in TARGETS {
                let from = std::mem::take(map_of(&mut segment.facets, target));
                let into = map_of(&mut merged.facets, target);
                for (name, n) in from {
                    *into.entry(name).or_insert(0) += n;
                }
            }
        }
        Ok(merged)
    }
}

const TARGETS: [Target; 8] = [
    Target::Convention,
    Target::Year,
    Target::Kind,
    Target::Article,
    Target::Law,
    Target::LawSection,
    Target::Cycle,
    Target::Topic,
];

fn map_of(counts: &mut FacetCounts, target: Target) -> &mut BTreeMap<String, u64> {
    match target {
        Target::Convention => &mut counts.convention,
        Target::Year => &mut counts.year,
        Target::Kind => &mut counts.kind,
        Target::Article => &mut counts.article,
        Target::Law => &mut counts.law,
        Target::LawSection => &mut counts.law_section,
        Target::Cycle => &mut counts.cycle,
        Target::Topic => &mut counts.topic,
    }
}

impl SegmentCollector for FacetCounterInSegment {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        self.table.count(doc, &mut self.counts);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.total += docs.len() as u64;
        for doc in docs {
            self.table.count(*doc, &mut self.counts);
        }
    }

    fn harvest(self) -> SegmentCounts {
        let mut facets = FacetCounts::default();
        for names in &self.table.names {
            names.add_to(&self.counts, &mut facets);
        }
        SegmentCounts {
            total: self.total,
            facets,
        }
    }
}
