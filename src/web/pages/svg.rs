//! Server-rendered SVG charts for the statistics and convention pages. Built as strings:
//! every piece of text goes through [`esc`], so the result may be inlined in a page as it
//! is. Each bar carries its numbers in `data-` attributes, so a reader of the file (and the
//! tests) get the values without measuring pixels.

use std::fmt::Write;

use crate::model::{ArticleRef, Convention};
use crate::web::i18n::Lang;

/// One colour per convention and one for "none", from the Okabe–Ito palette (and darker
/// shades of it for the last three), which stays distinguishable with the common
/// colour-vision deficiencies.
pub fn colour(c: Option<Convention>) -> &'static str {
    match c {
        Some(Convention::Istanbul) => "#0072b2",
        Some(Convention::Echr) => "#e69f00",
        Some(Convention::Cedaw) => "#009e73",
        Some(Convention::Crc) => "#cc79a7",
        Some(Convention::Crpd) => "#56b4e9",
        Some(Convention::Lanzarote) => "#d55e00",
        Some(Convention::Trafficking) => "#f0e442",
        Some(Convention::Palermo) => "#000000",
        Some(Convention::Iccpr) => "#004d80",
        Some(Convention::Icescr) => "#8f5a00",
        Some(Convention::Cerd) => "#006b4f",
        None => "#8c8c8c",
    }
}

/// Escapes text for XML content and attribute values alike: the web's one escaper, after
/// control characters (which XML 1.0 does not allow at all) become spaces.
pub fn esc(text: &str) -> String {
    let allowed: String = text
        .chars()
        .map(|c| {
            if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect();
    crate::web::html::escape(&allowed)
}

/// One year (or "unknown") of the submissions-per-year chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearRow {
    /// The year, or `ukjent` as in the index's year facet.
    pub key: String,
    /// What the page shows for it.
    pub label: String,
    /// Documents referring to each convention, in [`Convention::ALL`] order.
    pub by_convention: [u64; Convention::ALL.len()],
    /// Documents referring to none.
    pub none: u64,
    /// Documents of the year.
    pub total: u64,
}

impl YearRow {
    /// The segments of the stacked bar, bottom first: each convention, then "none".
    pub fn segments(&self) -> impl Iterator<Item = (Option<Convention>, u64)> + '_ {
        Convention::ALL
            .into_iter()
            .zip(self.by_convention)
            .map(|(c, n)| (Some(c), n))
            .chain(std::iter::once((None, self.none)))
    }

    fn stacked(&self) -> u64 {
        self.by_convention.iter().sum::<u64>() + self.none
    }
}

/// A round step for an axis from 0 to `max` with at most about six ticks.
fn tick_step(max: u64) -> u64 {
    let mut magnitude = 1;
    loop {
        for m in [1, 2, 5] {
            let step = m * magnitude;
            if max.div_ceil(step) <= 6 {
                return step;
            }
        }
        magnitude *= 10;
    }
}

fn series_name(lang: Lang, c: Option<Convention>) -> &'static str {
    match c {
        Some(c) => lang.convention(c),
        None => lang.texts().stats_no_convention,
    }
}

const FONT: &str = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\"";
/// The width of both charts (their viewBox), and the size of their text: 14 at full size
/// is 12.5 px on a 390 px phone.
pub const CHART_WIDTH: f64 = 400.0;
pub const FONT_SIZE: f64 = 14.0;
/// About how wide a character of the charts' text is, for laying out the legend.
const CHAR_WIDTH: f64 = 7.8;
const LINE_HEIGHT: f64 = 20.0;

/// Stacked bars: documents per year, one segment per convention referred to. A document
/// that refers to two conventions is in two segments, so a stack may be taller than the
/// year's document count, which each bar's group carries as `data-total`.
pub fn years_chart(lang: Lang, rows: &[YearRow]) -> String {
    let t = lang.texts();
    // Narrow, with large text: the chart is drawn at most at its own width and scaled
    // down on a phone (about 360 px wide), where the text stays near 12 px.
    let width = CHART_WIDTH;
    let (left, right, bottom) = (40.0, 8.0, 40.0);
    // The legend first, in as many lines as it needs; the plot starts below it.
    let mut legend = String::new();
    let (mut x, mut y) = (left, 14.0);
    for c in Convention::ALL.map(Some).into_iter().chain([None]) {
        let name = series_name(lang, c);
        let item_w = 18.0 + name.chars().count() as f64 * CHAR_WIDTH + 14.0;
        if x > left && x + item_w > width - right {
            x = left;
            y += LINE_HEIGHT;
        }
        let _ = write!(
            legend,
            "<rect x=\"{x}\" y=\"{y}\" width=\"13\" height=\"13\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            colour(c),
            x + 18.0,
            y + 12.0,
            esc(name)
        );
        x += item_w;
    }
    let top = y + LINE_HEIGHT + 16.0;
    let height = top + 240.0 + bottom;
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"years-title years-desc\" {FONT} font-size=\"{FONT_SIZE}\">\
         <title id=\"years-title\">{}</title><desc id=\"years-desc\">{}</desc>",
        esc(t.stats_years_title),
        esc(t.stats_years_desc)
    );
    s.push_str(&legend);
    let max = rows.iter().map(YearRow::stacked).max().unwrap_or(0);
    if rows.is_empty() || max == 0 {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></svg>",
            width / 2.0,
            top + plot_h / 2.0,
            esc(t.stats_nothing)
        );
        return s;
    }
    let step = tick_step(max);
    let axis_max = max.div_ceil(step) * step;
    let scale = plot_h / axis_max as f64;
    let base = top + plot_h;
    let mut tick = 0;
    while tick <= axis_max {
        let y = base - tick as f64 * scale;
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d5d9de\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{tick}</text>",
            width - right,
            left - 6.0,
            y + 4.0
        );
        tick += step;
    }
    let slot = plot_w / rows.len() as f64;
    let bar = (slot * 0.7).max(1.0);
    // Labels thin out when years crowd: about 44 px per label.
    let every = ((44.0 / slot).ceil() as usize).max(1);
    for (i, row) in rows.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let _ = write!(
            s,
            "<g class=\"year\" data-year=\"{}\" data-total=\"{}\">",
            esc(&row.key),
            row.total
        );
        let mut y = base;
        for (c, n) in row.segments() {
            if n == 0 {
                continue;
            }
            let h = n as f64 * scale;
            y -= h;
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{}\" \
                 data-year=\"{}\" data-convention=\"{}\" data-count=\"{n}\">\
                 <title>{}: {}: {n}</title></rect>",
                colour(c),
                esc(&row.key),
                c.map(|c| c.id()).unwrap_or("none"),
                esc(&row.label),
                esc(series_name(lang, c))
            );
        }
        if i % every == 0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x + bar / 2.0,
                base + 20.0,
                esc(&row.label)
            );
        }
        s.push_str("</g>");
    }
    let _ = write!(
        s,
        "<line x1=\"{left}\" x2=\"{}\" y1=\"{base}\" y2=\"{base}\" stroke=\"#1b1f24\"/></svg>",
        width - right
    );
    s
}

/// Horizontal bars: for each convention, the articles referred to by the most documents.
pub fn articles_chart(lang: Lang, groups: &[(Convention, Vec<(ArticleRef, u64)>)]) -> String {
    let t = lang.texts();
    let width = CHART_WIDTH;
    let (label_w, bar_x) = (64.0, 72.0);
    // Room for the count after the longest bar.
    let bar_max = width - bar_x - 40.0;
    let (heading_h, row_h) = (32.0, 24.0);
    let shown: Vec<&(Convention, Vec<(ArticleRef, u64)>)> =
        groups.iter().filter(|(_, a)| !a.is_empty()).collect();
    let rows: usize = shown.iter().map(|(_, a)| a.len()).sum();
    let height = if shown.is_empty() {
        60.0
    } else {
        shown.len() as f64 * heading_h + rows as f64 * row_h + 12.0
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"articles-title articles-desc\" {FONT} font-size=\"{FONT_SIZE}\">\
         <title id=\"articles-title\">{}</title><desc id=\"articles-desc\">{}</desc>",
        esc(t.stats_articles_title),
        esc(t.stats_articles_desc)
    );
    if shown.is_empty() {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"34\" text-anchor=\"middle\">{}</text></svg>",
            width / 2.0,
            esc(t.stats_no_articles)
        );
        return s;
    }
    let max = shown
        .iter()
        .flat_map(|(_, a)| a.iter().map(|(_, n)| *n))
        .max()
        .unwrap_or(1)
        .max(1);
    let scale = bar_max / max as f64;
    let mut y = 0.0;
    for (c, articles) in shown {
        y += heading_h;
        let _ = write!(
            s,
            "<g class=\"convention\" data-convention=\"{}\"><text x=\"0\" y=\"{:.1}\" font-weight=\"700\" font-size=\"15\">{}</text>",
            c.id(),
            y - 9.0,
            esc(lang.convention(*c))
        );
        for (a, n) in articles {
            let w = (*n as f64 * scale).max(1.0);
            let label = format!("{} {}", t.article_abbrev, a.article);
            let _ = write!(
                s,
                "<text x=\"{label_w}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
                 <rect x=\"{bar_x}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{}\" \
                 data-convention=\"{}\" data-article=\"{}\" data-count=\"{n}\">\
                 <title>{}: {n}</title></rect>\
                 <text x=\"{:.1}\" y=\"{:.1}\">{n}</text>",
                y + 16.0,
                esc(&label),
                y + 3.0,
                row_h - 6.0,
                colour(Some(*c)),
                c.id(),
                esc(&a.to_string()),
                esc(&format!("{} {}", lang.convention(*c), label)),
                bar_x + w + 6.0,
                y + 16.0
            );
            y += row_h;
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(3), 1);
        assert_eq!(tick_step(6), 1);
        assert_eq!(tick_step(7), 2);
        assert_eq!(tick_step(13), 5);
        assert_eq!(tick_step(45), 10);
        assert_eq!(tick_step(1000), 200);
    }

    #[test]
    fn text_is_escaped() {
        // The same escaper as the templates (askama's), which writes numeric references.
        assert_eq!(esc("a<b>&\"'\u{1}"), "a&#60;b&#62;&#38;&#34;&#39; ");
    }
}
