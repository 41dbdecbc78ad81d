//! The one integration-test binary: each module exercises one feature of arkiv.

mod support;

mod alerts;
mod analysis;
mod browser;
mod bulk;
mod citations;
mod cli;
mod compounds;
mod consultations;
mod hostile;
mod html_snapshots;
mod inbox;
mod ingest;
mod laws;
mod meaning;
mod notes;
mod ocr;
mod pdfgen;
mod reading;
mod relevance;
mod replicas;
mod research;
mod search;
mod staff;
mod suggest;
mod tagging;
mod topics;
mod usability;
mod versions;
mod web;
