//! arkiv: a searchable archive of policy submissions and consultation responses.
//!
//! Reading order: [`model`] (plain data), [`library`] (the `documents/` folder, the source of
//! truth), [`consultations`] (the consultation records beside the PDFs), [`extract`] (PDF →
//! pages of text, in bounded worker processes), [`tagging`] (conventions, articles, dates,
//! titles, the letter head), [`ingest`] (library → index), [`query`] (the query language),
//! [`relevance`] (the judged set and its measures), [`index`] (tantivy: schema, analysis,
//! search), [`api`] (JSON shapes), and [`cli`] (the subcommands).

pub mod accounts;
pub mod alerts;
pub mod api;
pub mod archive;
pub mod audit;
pub mod cli;
pub mod consultations;
pub mod extract;
pub mod index;
pub mod ingest;
pub mod library;
pub mod model;
pub mod norwegian;
pub mod pdfgen;
pub mod query;
pub mod relevance;
pub mod suggest;
pub mod tagging;
pub mod web;
