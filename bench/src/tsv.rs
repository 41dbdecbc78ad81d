//! The corpus as the peers load it: one document a line, in PostgreSQL's COPY text format
//! (tab-separated, backslash escapes, `\N` for NULL, arrays as `{a,b}`), so `COPY … FROM`
//! reads it as it is and the SQLite loader parses the same file.
//!
//! Columns: rowid, id, title, date, year, kind, conventions, articles, body (the pages
//! joined by form feeds).

use std::io::{self, BufRead, Write};

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub rowid: i64,
    pub id: String,
    pub title: String,
    pub date: Option<String>,
    pub year: Option<i32>,
    pub kind: String,
    pub conventions: Vec<String>,
    pub articles: Vec<String>,
    pub body: String,
}

pub const COLUMNS: &str = "rowid, id, title, date, year, kind, conventions, articles, body";

fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{0C}' => out.push_str("\\f"),
            c => out.push(c),
        }
    }
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{0C}'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn array(items: &[String]) -> String {
    format!("{{{}}}", items.join(","))
}

fn parse_array(text: &str) -> Vec<String> {
    text.trim_start_matches('{')
        .trim_end_matches('}')
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl Row {
    pub fn line(&self) -> String {
        let mut out = String::with_capacity(self.body.len() + 256);
        out.push_str(&self.rowid.to_string());
        out.push('\t');
        escape(&mut out, &self.id);
        out.push('\t');
        escape(&mut out, &self.title);
        out.push('\t');
        out.push_str(self.date.as_deref().unwrap_or("\\N"));
        out.push('\t');
        match self.year {
            Some(y) => out.push_str(&y.to_string()),
            None => out.push_str("\\N"),
        }
        out.push('\t');
        escape(&mut out, &self.kind);
        out.push('\t');
        out.push_str(&array(&self.conventions));
        out.push('\t');
        out.push_str(&array(&self.articles));
        out.push('\t');
        escape(&mut out, &self.body);
        out.push('\n');
        out
    }

    pub fn parse(line: &str) -> Option<Row> {
        let f: Vec<&str> = line.trim_end_matches('\n').split('\t').collect();
        if f.len() != 9 {
            return None;
        }
        let null = |s: &str| (s != "\\N").then(|| s.to_string());
        Some(Row {
            rowid: f[0].parse().ok()?,
            id: unescape(f[1]),
            title: unescape(f[2]),
            date: null(f[3]),
            year: null(f[4]).and_then(|y| y.parse().ok()),
            kind: unescape(f[5]),
            conventions: parse_array(f[6]),
            articles: parse_array(f[7]),
            body: unescape(f[8]),
        })
    }
}

pub fn write_row(out: &mut impl Write, row: &Row) -> io::Result<()> {
    out.write_all(row.line().as_bytes())
}

/// Calls `each` for every row of the file.
pub fn read_rows(path: &std::path::Path, mut each: impl FnMut(Row)) -> io::Result<usize> {
    let file = std::fs::File::open(path)?;
    let reader = io::BufReader::with_capacity(1 << 20, file);
    let mut n = 0;
    for line in reader.lines() {
        let line = line?;
        let row = Row::parse(&line).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bad TSV line {}", n + 1),
            )
        })?;
        each(row);
        n += 1;
    }
    Ok(n)
}
