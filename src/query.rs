//! The query language people type, parsed into a small syntax tree. Pure text work: the
//! index turns the tree into tantivy queries.
//!
//! Grammar, forgiving by design (every input parses; nothing here can fail):
//! - `word`: must match (all words must match); `word*`: prefix;
//! - `"a phrase"`: the words in order; an unclosed quote runs to the end;
//! - `-word`, `-"phrase"`: must not match;
//! - `a OR b`: either (binds adjacent items);
//! - filters: `konvensjon:istanbul` (or any name of a convention), `år:2019`,
//!   `år:2015..2019`, `type:horingssvar`, `artikkel:istanbul:18`;
//! - fields: `tittel:word`, `tittel:"phrase"`, `mottaker:word`.
//!
//! Parentheses and `AND` are accepted and ignored; unknown `x:y` is searched as words.

use crate::model::{ArticleRef, Convention, Kind};
use crate::tagging;

/// Where a text item is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Title and text (and their ASCII-folded twins).
    Anywhere,
    Title,
    Recipient,
}

/// One searchable item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Word(String),
    Prefix(String),
    Phrase(String),
}

/// Items of which one must match (a single item unless joined by OR).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub target: Target,
    pub alternatives: Vec<Item>,
    pub negated: bool,
}

/// Filters a query may carry in its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryFilters {
    pub conventions: Vec<Convention>,
    pub kinds: Vec<Kind>,
    pub articles: Vec<ArticleRef>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub clauses: Vec<Clause>,
    pub filters: QueryFilters,
    /// A convention the free text as a whole names ("Istanbul Convention", "EMK"): documents
    /// tagged with it match too.
    pub names_convention: Option<Convention>,
}

impl ParsedQuery {
    pub fn has_text(&self) -> bool {
        self.clauses.iter().any(|c| !c.negated)
    }

    /// The positive words and phrases as plain text, for suggestions and highlighting.
    pub fn positive_words(&self) -> Vec<String> {
        self.clauses
            .iter()
            .filter(|c| !c.negated)
            .flat_map(|c| c.alternatives.iter())
            .filter_map(|item| match item {
                Item::Word(w) => Some(w.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Parses what a person typed.
pub fn parse(input: &str) -> ParsedQuery {
    let mut parsed = ParsedQuery::default();
    let mut free_text: Vec<String> = Vec::new();
    let mut join_next = false;

    for token in lex(input) {
        match token {
            Token::Or => {
                join_next = !parsed.clauses.is_empty();
                continue;
            }
            Token::Item {
                negated,
                field,
                item,
            } => {
                let target = match field.as_deref() {
                    None => Target::Anywhere,
                    Some(f) => match apply_filter(f, &item, &mut parsed.filters) {
                        FieldKind::Filter => {
                            join_next = false;
                            continue;
                        }
                        FieldKind::Text(target) => target,
                        FieldKind::Unknown => {
                            // Not a field we know: search the whole thing as words.
                            let words = format!("{f} {}", item_text(&item));
                            for w in words.split_whitespace() {
                                push_clause(
                                    &mut parsed.clauses,
                                    Target::Anywhere,
                                    Item::Word(w.to_string()),
                                    negated,
                                    false,
                                );
                            }
                            join_next = false;
                            continue;
                        }
                    },
                };
                if !negated && target == Target::Anywhere {
                    free_text.push(item_text(&item).to_string());
                }
                push_clause(&mut parsed.clauses, target, item, negated, join_next);
                join_next = false;
            }
        }
    }
    parsed.names_convention = tagging::convention_named_by(&free_text.join(" "));
    parsed
}

fn push_clause(clauses: &mut Vec<Clause>, target: Target, item: Item, negated: bool, join: bool) {
    if join
        && let Some(last) = clauses.last_mut()
        && !last.negated
        && !negated
        && last.target == target
    {
        last.alternatives.push(item);
        return;
    }
    clauses.push(Clause {
        target,
        alternatives: vec![item],
        negated,
    });
}

fn item_text(item: &Item) -> &str {
    match item {
        Item::Word(s) | Item::Prefix(s) | Item::Phrase(s) => s,
    }
}

enum FieldKind {
    Filter,
    Text(Target),
    Unknown,
}

fn apply_filter(field: &str, item: &Item, filters: &mut QueryFilters) -> FieldKind {
    let value = item_text(item).trim();
    match field.to_lowercase().as_str() {
        "konvensjon" | "convention" => {
            let found = Convention::from_id(&value.to_lowercase())
                .or_else(|| tagging::convention_named_by(value));
            if let Some(c) = found
                && !filters.conventions.contains(&c)
            {
                filters.conventions.push(c);
            }
            FieldKind::Filter
        }
        "år" | "ar" | "aar" | "year" => {
            if let Some((from, to)) = parse_year_range(value) {
                filters.year_from = Some(from);
                filters.year_to = Some(to);
            }
            FieldKind::Filter
        }
        "type" | "kind" | "dokumenttype" => {
            let id = value.to_lowercase().replace('ø', "o");
            if let Some(k) = Kind::from_id(&id)
                && !filters.kinds.contains(&k)
            {
                filters.kinds.push(k);
            }
            FieldKind::Filter
        }
        "artikkel" | "article" | "art" => {
            if let Ok(a) = value.to_lowercase().parse::<ArticleRef>()
                && !filters.articles.contains(&a)
            {
                filters.articles.push(a);
            }
            FieldKind::Filter
        }
        "tittel" | "title" => FieldKind::Text(Target::Title),
        "mottaker" | "recipient" => FieldKind::Text(Target::Recipient),
        _ => FieldKind::Unknown,
    }
}

/// `2019` or `2015..2019` (either end may be left open: `..2019`, `2015..`).
pub fn parse_year_range(value: &str) -> Option<(i32, i32)> {
    let year = |s: &str| -> Option<i32> {
        let y: i32 = s.trim().parse().ok()?;
        (1000..=9999).contains(&y).then_some(y)
    };
    match value.split_once("..") {
        Some((a, b)) => {
            let from = if a.trim().is_empty() { 1000 } else { year(a)? };
            let to = if b.trim().is_empty() { 9999 } else { year(b)? };
            (from <= to).then_some((from, to))
        }
        None => year(value).map(|y| (y, y)),
    }
}

#[derive(Debug)]
enum Token {
    Or,
    Item {
        negated: bool,
        field: Option<String>,
        item: Item,
    },
}

fn lex(input: &str) -> Vec<Token> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || c == '(' || c == ')' || c == '+' {
            i += 1;
            continue;
        }
        let negated = c == '-' || c == '!';
        if negated {
            i += 1;
        }
        // An optional `field:` before the value.
        let mut field = None;
        let start = i;
        let mut j = i;
        while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
            j += 1;
        }
        if j > start && j < chars.len() && chars[j] == ':' && j + 1 < chars.len() {
            field = Some(chars[start..j].iter().collect::<String>());
            i = j + 1;
        }
        let item = if i < chars.len() && chars[i] == '"' {
            let end = chars[i + 1..]
                .iter()
                .position(|&c| c == '"')
                .map(|p| i + 1 + p)
                .unwrap_or(chars.len());
            let phrase: String = chars[i + 1..end].iter().collect();
            i = (end + 1).min(chars.len());
            Item::Phrase(phrase)
        } else {
            let begin = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && chars[i] != '('
                && chars[i] != ')'
                && chars[i] != '"'
            {
                i += 1;
            }
            let word: String = chars[begin..i].iter().collect();
            if field.is_none() && !negated {
                if word == "OR" || word == "ELLER" || word == "|" {
                    tokens.push(Token::Or);
                    continue;
                }
                if word == "AND" || word == "OG" || word == "&&" {
                    continue;
                }
            }
            match word.strip_suffix('*') {
                Some(prefix) if prefix.chars().any(char::is_alphanumeric) => {
                    Item::Prefix(prefix.trim_end_matches('*').to_string())
                }
                _ => Item::Word(word),
            }
        };
        if item_text(&item).chars().any(char::is_alphanumeric) || field.is_some() {
            tokens.push(Token::Item {
                negated,
                field,
                item,
            });
        }
    }
    tokens
}
