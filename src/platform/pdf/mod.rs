//! Printable PDFs (registration letters, conference door lists): text set in DejaVu Sans,
//! embedded as a subset of the glyphs used (`font`), wrapped to a width, streams deflated.

pub mod font;

use pdf_writer::{Content, Name, Ref, Str};

use font::SubsetFont;

/// A font as the pages use it: the name their resources give it, and the subset it embeds.
pub struct PageFont {
    pub name: Name<'static>,
    pub id: Ref,
    pub subset: SubsetFont,
}

/// Writes `text` from `x`, wrapped to `width`, from `y` down, moving `y` below it.
pub fn write_wrapped(
    content: &mut Content,
    y: &mut f32,
    font: &mut PageFont,
    size: f32,
    x: f32,
    width: f32,
    text: &str,
) {
    for line in wrap(text, width, |line| font.subset.width(line, size)) {
        write_line(content, font, size, x, *y, &line);
        *y -= size * 1.45;
    }
}

/// Writes one line of text at (`x`, `y`) as it is.
pub fn write_line(
    content: &mut Content,
    font: &mut PageFont,
    size: f32,
    x: f32,
    y: f32,
    text: &str,
) {
    content.begin_text();
    content.set_font(font.name, size);
    content.next_line(x, y);
    content.show(Str(&font.subset.encode(text)));
    content.end_text();
}

/// Breaks text into lines no wider than `max_width` as `width_of` measures them, at spaces;
/// a word wider than a line (a link) is cut between characters.
pub fn wrap(text: &str, max_width: f32, width_of: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let joined = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if width_of(&joined) <= max_width {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            let longer = format!("{line}{c}");
            if !line.is_empty() && width_of(&longer) > max_width {
                lines.push(std::mem::replace(&mut line, c.to_string()));
            } else {
                line = longer;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Zlib-compresses a stream for the FlateDecode filter.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}
