//! Registration letters as one printable PDF (A4, one page per parent): the school, the
//! parent's name and children, short instructions in the parent's language, the personal
//! activation link and its QR code. Uses the PDF standard font Helvetica, so no font files
//! are embedded and 1,000 letters stay small.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use qrcode::{Color, QrCode};

use crate::platform::outbox::templates::Texts;

/// One letter's content, already in the parent's language.
pub struct Letter {
    pub school: String,
    pub texts: Texts,
    pub activation_url: String,
}

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 64.0;
const BODY_SIZE: f32 = 11.0;
const QR_SIZE: f32 = 150.0;
/// Roughly what fits on a line of the body at 11 pt Helvetica.
const CHARS_PER_LINE: usize = 88;

const REGULAR: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");

/// The QR code of `text` as rows of modules (true = dark), with the 4-module quiet zone.
pub fn qr_modules(text: &str) -> anyhow::Result<(usize, Vec<bool>)> {
    let code = QrCode::new(text.as_bytes())?;
    let inner = code.width();
    let quiet = 4;
    let width = inner + 2 * quiet;
    let mut modules = vec![false; width * width];
    for y in 0..inner {
        for x in 0..inner {
            modules[(y + quiet) * width + x + quiet] = code[(x, y)] == Color::Dark;
        }
    }
    Ok((width, modules))
}

/// Renders the letters into one PDF.
pub fn render_pdf(letters: &[Letter]) -> anyhow::Result<Vec<u8>> {
    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let page_tree_id = Ref::new(2);
    let regular_id = Ref::new(3);
    let bold_id = Ref::new(4);
    let mut next_id = 5;
    let mut allocate = || {
        let id = Ref::new(next_id);
        next_id += 1;
        id
    };
    let pages: Vec<(Ref, Ref, Ref)> = letters
        .iter()
        .map(|_| (allocate(), allocate(), allocate()))
        .collect();

    pdf.catalog(catalog_id).pages(page_tree_id);
    pdf.pages(page_tree_id)
        .kids(pages.iter().map(|(page, _, _)| *page))
        .count(pages.len() as i32);
    for (font_id, name) in [(regular_id, "Helvetica"), (bold_id, "Helvetica-Bold")] {
        pdf.type1_font(font_id)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }

    for (letter, &(page_id, content_id, qr_id)) in letters.iter().zip(&pages) {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(page_tree_id);
        page.contents(content_id);
        let mut resources = page.resources();
        resources
            .fonts()
            .pair(REGULAR, regular_id)
            .pair(BOLD, bold_id);
        resources.x_objects().pair(Name(b"Qr"), qr_id);
        resources.finish();
        page.finish();

        let (width, modules) = qr_modules(&letter.activation_url)?;
        pdf.image_xobject(qr_id, &one_bit_rows(width, &modules))
            .width(width as i32)
            .height(width as i32)
            .color_space_name(Name(b"DeviceGray"))
            .bits_per_component(1);

        pdf.stream(content_id, &page_content(letter).finish());
    }
    Ok(pdf.finish())
}

fn page_content(letter: &Letter) -> Content {
    let mut content = Content::new();
    let mut y = PAGE_HEIGHT - MARGIN;
    write(&mut content, &mut y, BOLD, 10.0, &letter.school);
    y -= 36.0;
    write(&mut content, &mut y, BOLD, 18.0, &letter.texts.subject);
    y -= 14.0;
    write(
        &mut content,
        &mut y,
        REGULAR,
        BODY_SIZE,
        &letter.texts.greeting,
    );
    y -= 6.0;
    for paragraph in &letter.texts.paragraphs {
        write(&mut content, &mut y, REGULAR, BODY_SIZE, paragraph);
        y -= 6.0;
    }
    y -= 10.0;
    // The QR code, drawn as an image scaled to QR_SIZE points.
    content.save_state();
    content.transform([QR_SIZE, 0.0, 0.0, QR_SIZE, MARGIN, y - QR_SIZE]);
    content.x_object(Name(b"Qr"));
    content.restore_state();
    y -= QR_SIZE + 20.0;
    if let Some(action) = &letter.texts.action {
        write(&mut content, &mut y, BOLD, BODY_SIZE, action);
    }
    write(&mut content, &mut y, REGULAR, 9.0, &letter.activation_url);
    y -= 10.0;
    for line in &letter.texts.closing {
        write(&mut content, &mut y, REGULAR, BODY_SIZE, line);
    }
    content
}

/// Writes `text` wrapped to the page width from `y` down, moving `y` below it.
fn write(content: &mut Content, y: &mut f32, font: Name, size: f32, text: &str) {
    for line in wrap(text, (CHARS_PER_LINE as f32 * BODY_SIZE / size) as usize) {
        content.begin_text();
        content.set_font(font, size);
        content.next_line(MARGIN, *y);
        content.show(Str(&win_ansi(&line)));
        content.end_text();
        *y -= size * 1.45;
    }
}

/// Packs dark modules as 0 bits (black in DeviceGray), each row padded to whole bytes.
fn one_bit_rows(width: usize, modules: &[bool]) -> Vec<u8> {
    let row_bytes = width.div_ceil(8);
    let mut data = vec![0xFF; row_bytes * width];
    for (index, &dark) in modules.iter().enumerate() {
        if dark {
            let (y, x) = (index / width, index % width);
            data[y * row_bytes + x / 8] &= !(0x80 >> (x % 8));
        }
    }
    data
}

/// Breaks text into lines of at most `width` characters at spaces; longer words (links)
/// are cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The text in the standard fonts' WinAnsi encoding; characters it lacks become '?'.
fn win_ansi(text: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut buffer = [0u8; 4];
    for c in text.chars() {
        let (encoded, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buffer));
        if unmappable {
            bytes.push(b'?');
        } else {
            bytes.extend_from_slice(&encoded);
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_decodes_to_the_link() {
        let link = "https://ouders.example.nl/activate#token=AbC-123_xyz";
        let (width, modules) = qr_modules(link).unwrap();
        let scale = 4;
        let size = width * scale;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
            if modules[(y / scale) * width + x / scale] {
                0
            } else {
                255
            }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, link);
    }

    #[test]
    fn text_is_wrapped_and_encoded_for_the_standard_font() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(win_ansi("Müller €"), b"M\xfcller \x80");
        assert_eq!(win_ansi("Ł"), b"?");
    }

    #[test]
    fn dark_modules_become_zero_bits() {
        assert_eq!(one_bit_rows(9, &[true; 81])[..2], [0x00, 0x7F]);
    }
}
