//! The one integration-test binary: each module exercises one feature of arkiv.

mod support;

mod analysis;
mod browser;
mod cli;
mod ingest;
mod pdfgen;
mod search;
mod staff;
mod tagging;
mod web;
