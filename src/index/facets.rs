//! Facet counts over every match of a search, in one pass over the facet columns.
//!
//! [`FacetCounter`] counts the eight facets a search answers with ([`FacetCounts`]) and the
//! number of matches. Per segment it opens each facet's column once and maps every term
//! ordinal of its dictionary to a slot (a child of one of the counted roots: a convention,
//! `/crc/12` under `/crc`) before the first match; a match then costs, per column, its
//! ordinals and an increment of an array indexed by slot. Matches are counted in blocks, so
//! each column finds the rows of a block of documents at once (tantivy's batched rank of its
//! optional index) instead of once per document and per column. Names are made only when a
//! segment is harvested, for the slots it counted.
//!
//! The counts are the ones tantivy's `FacetCollector` gives with the same roots: each
//! document counts once per child, however many of its values fall under that child.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::column_index::MultiValueIndex;
use tantivy::columnar::{Column, ColumnIndex};
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::search::FacetCounts;
use crate::model::Convention;
use crate::tagging::laws::LAWS;

/// Counts the facets of [`FacetCounts`] and the matches of a search. Needs no scores.
pub(super) struct FacetCounter {
    facets: Vec<Counted>,
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

impl FacetCounter {
    /// The facets of the search page: the conventions, years, kinds, laws, review cycles
    /// and focus areas, each convention's articles and each known law's sections.
    pub(super) fn new() -> FacetCounter {
        let conventions: Vec<&str> = Convention::ALL.iter().map(|c| c.id()).collect();
        let laws: Vec<&str> = LAWS.iter().map(|l| l.id).collect();
        FacetCounter {
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
        }
    }
}

/// No slot: a term under none of the counted roots.
const NO_SLOT: u32 = u32::MAX;

/// How many matches are gathered before their columns are read together.
const BLOCK: usize = 256;

/// The [`FacetCounter`] of one segment.
pub(super) struct FacetCounterInSegment {
    columns: Vec<SegmentFacet>,
    pending: Vec<DocId>,
    total: u64,
    scratch: Scratch,
}

/// One facet's column in a segment and its counts.
struct SegmentFacet {
    target: Target,
    ords: Column<u64>,
    /// Each term ordinal's slot, or [`NO_SLOT`].
    slot_of_ord: Vec<u32>,
    /// Documents counted per slot.
    counts: Vec<u64>,
    /// Per slot, its root and the end of its child's name in `names`.
    slot_roots: Vec<u32>,
    name_ends: Vec<usize>,
    names: Vec<u8>,
    prefixes: Vec<String>,
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

impl Collector for FacetCounter {
    type Fruit = SegmentCounts;
    type Child = FacetCounterInSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetCounterInSegment> {
        let mut columns = Vec::with_capacity(self.facets.len());
        for counted in &self.facets {
            // A segment without the column has no values to count.
            if let Some(column) = reader.fast_fields().str(counted.field)? {
                columns.push(SegmentFacet::open(counted, column)?);
            }
        }
        Ok(FacetCounterInSegment {
            columns,
            pending: Vec::with_capacity(BLOCK),
            total: 0,
            scratch: Scratch::default(),
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

impl SegmentFacet {
    /// The column and the slot of each term of its dictionary: one pass over the
    /// dictionary, in term order, so the terms under one child are neighbours.
    fn open(counted: &Counted, column: tantivy::columnar::StrColumn) -> tantivy::Result<Self> {
        let dictionary = column.dictionary();
        let mut facet = SegmentFacet {
            target: counted.target,
            ords: column.ords().clone(),
            slot_of_ord: vec![NO_SLOT; dictionary.num_terms()],
            counts: Vec::new(),
            slot_roots: Vec::new(),
            name_ends: Vec::new(),
            names: Vec::new(),
            prefixes: counted.roots.iter().map(|r| r.prefix.clone()).collect(),
        };
        let mut terms = dictionary.stream()?;
        while terms.advance() {
            let Some((root, child)) = counted.child_of(terms.key()) else {
                continue;
            };
            let root = root as u32;
            let same = facet.slot_roots.last() == Some(&root) && facet.last_name() == child;
            if !same {
                facet.slot_roots.push(root);
                facet.names.extend_from_slice(child);
                facet.name_ends.push(facet.names.len());
            }
            let slot = (facet.slot_roots.len() - 1) as u32;
            if let Some(entry) = facet.slot_of_ord.get_mut(terms.term_ord() as usize) {
                *entry = slot;
            }
        }
        facet.counts = vec![0; facet.slot_roots.len()];
        Ok(facet)
    }

    fn last_name(&self) -> &[u8] {
        let end = self.name_ends.last().copied().unwrap_or(0);
        let start = match self.name_ends.len() {
            0 | 1 => 0,
            n => self.name_ends[n - 2],
        };
        &self.names[start..end]
    }

    /// Counts a block of matching documents (in increasing order).
    fn count(&mut self, docs: &[DocId], scratch: &mut Scratch) {
        scratch.docs.clear();
        scratch.rows.clear();
        match &self.ords.index {
            ColumnIndex::Empty { .. } => return,
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
        // A document's values are sorted, so the values under one child are neighbours:
        // it counts once.
        let mut previous = (DocId::MAX, NO_SLOT);
        for (doc, ord) in scratch.docs.iter().zip(&scratch.ords) {
            let slot = self
                .slot_of_ord
                .get(*ord as usize)
                .copied()
                .unwrap_or(NO_SLOT);
            if slot == NO_SLOT {
                continue;
            }
            if (*doc, slot) != previous {
                self.counts[slot as usize] += 1;
                previous = (*doc, slot);
            }
        }
    }

    /// The counted children by name.
    fn add_to(&self, counts: &mut FacetCounts) {
        let into = map_of(counts, self.target);
        let mut start = 0;
        for (slot, n) in self.counts.iter().enumerate() {
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

impl FacetCounterInSegment {
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        for column in &mut self.columns {
            column.count(&self.pending, &mut self.scratch);
        }
        self.pending.clear();
    }
}

impl SegmentCollector for FacetCounterInSegment {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        self.pending.push(doc);
        if self.pending.len() >= BLOCK {
            self.flush();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.total += docs.len() as u64;
        self.pending.extend_from_slice(docs);
        if self.pending.len() >= BLOCK {
            self.flush();
        }
    }

    fn harvest(mut self) -> SegmentCounts {
        self.flush();
        let mut facets = FacetCounts::default();
        for column in &self.columns {
            column.add_to(&mut facets);
        }
        SegmentCounts {
            total: self.total,
            facets,
        }
    }
}
