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
