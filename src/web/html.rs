//! The one HTML escaper of the web layer, and highlights rendered as HTML. The index answers
//! text and ranges ([`Highlighted`]); only here do they become markup. Templates escape with
//! the same escaper (askama's), so text reads the same wherever it is shown.

use askama::filters::{Escaper, Html};

use crate::index::Highlighted;

/// `text` escaped for HTML content and attribute values alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// Appends `text` escaped for HTML to `out`.
pub fn push_escaped(out: &mut String, text: &str) {
    // Writing to a String cannot fail.
    let _ = Html.write_escaped_str(&mut *out, text);
}

/// A search snippet as HTML: escaped text, the matching words in `<b>`.
pub fn snippet(highlighted: &Highlighted) -> String {
    render(highlighted, "b")
}

/// A page of text as HTML: escaped text, the words the query matches in `<mark>`.
pub fn marked(highlighted: &Highlighted) -> String {
    render(highlighted, "mark")
}

fn render(highlighted: &Highlighted, tag: &str) -> String {
    let mut out = String::with_capacity(highlighted.text().len() + 16);
    for (piece, lit) in highlighted.pieces() {
        if lit {
            out.push('<');
            out.push_str(tag);
            out.push('>');
            push_escaped(&mut out, piece);
            out.push_str("</");
            out.push_str(tag);
            out.push('>');
        } else {
            push_escaped(&mut out, piece);
        }
    }
    out
}

/// A JSON value as the text of a `<script type="application/ld+json">` element. JSON may
/// hold `</script>` or `<!--` in a string; with `<`, `>` and `&` written as `\u` escapes
/// (the same string to a JSON reader) nothing inside can end the element or change how the
/// HTML parser reads it.
pub fn json_script(value: &serde_json::Value) -> String {
    let json = value.to_string();
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            // Line and paragraph separators end a line in older script parsers.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}
