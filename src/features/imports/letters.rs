//! Registration letters as one printable PDF (A4, one page per parent): the school, the
//! parent's name and children, short instructions in the parent's language, the personal
//! activation link and its QR code. The text is set in DejaVu Sans, embedded as a subset of
//! the glyphs used (see `font`), so names in Latin, Greek and Cyrillic print as written and
//! 1,000 letters stay small.

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref};
use qrcode::{Color, QrCode};

use crate::platform::outbox::templates::Texts;
use crate::platform::pdf::{PageFont, deflate, font, font::SubsetFont, write_wrapped};

/// One letter's content, already in the parent's language.
pub struct Letter {
    pub school: String,
    pub texts: Texts,
    pub activation_url: String,
}

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 64.0;
const LINE_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const BODY_SIZE: f32 = 11.0;
const LINK_SIZE: f32 = 9.0;
const MIN_LINK_SIZE: f32 = 7.0;
const QR_SIZE: f32 = 150.0;

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
    let mut regular = PageFont {
        name: Name(b"F1"),
        id: Ref::new(3),
        subset: SubsetFont::new(font::REGULAR)?,
    };
    let mut bold = PageFont {
        name: Name(b"F2"),
        id: Ref::new(4),
        subset: SubsetFont::new(font::BOLD)?,
    };
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

    for (letter, &(page_id, content_id, qr_id)) in letters.iter().zip(&pages) {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(page_tree_id);
        page.contents(content_id);
        let mut resources = page.resources();
        resources
            .fonts()
            .pair(regular.name, regular.id)
            .pair(bold.name, bold.id);
        resources.x_objects().pair(Name(b"Qr"), qr_id);
        resources.finish();
        page.finish();

        let (width, modules) = qr_modules(&letter.activation_url)?;
        pdf.image_xobject(qr_id, &one_bit_rows(width, &modules))
            .width(width as i32)
            .height(width as i32)
            .color_space_name(Name(b"DeviceGray"))
            .bits_per_component(1);

        let content = page_content(letter, &mut regular, &mut bold).finish();
        pdf.stream(content_id, &deflate(&content))
            .filter(Filter::FlateDecode);
    }

    // Last, once the pages have drawn every glyph they need.
    for font in [&regular, &bold] {
        font.subset.write(&mut pdf, font.id, &mut allocate)?;
    }
    Ok(pdf.finish())
}

fn page_content(letter: &Letter, regular: &mut PageFont, bold: &mut PageFont) -> Content {
    let mut content = Content::new();
    let mut y = PAGE_HEIGHT - MARGIN;
    write(&mut content, &mut y, bold, 10.0, &letter.school);
    y -= 36.0;
    write(&mut content, &mut y, bold, 18.0, &letter.texts.subject);
    y -= 14.0;
    write(
        &mut content,
        &mut y,
        regular,
        BODY_SIZE,
        &letter.texts.greeting,
    );
    y -= 6.0;
    for paragraph in &letter.texts.paragraphs {
        write(&mut content, &mut y, regular, BODY_SIZE, paragraph);
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
        write(&mut content, &mut y, bold, BODY_SIZE, action);
    }
    let link = &letter.activation_url;
    let size = link_size(&regular.subset, link);
    write(&mut content, &mut y, regular, size, link);
    y -= 10.0;
    for line in &letter.texts.closing {
        write(&mut content, &mut y, regular, BODY_SIZE, line);
    }
    content
}

/// Writes `text` wrapped to the page width from `y` down, moving `y` below it.
fn write(content: &mut Content, y: &mut f32, font: &mut PageFont, size: f32, text: &str) {
    write_wrapped(content, y, font, size, MARGIN, LINE_WIDTH, text);
}

/// The size that fits the link on one line, as parents may type it in, between
/// `MIN_LINK_SIZE` and `LINK_SIZE`; a longer link wraps.
fn link_size(font: &SubsetFont, link: &str) -> f32 {
    // A little short of the full width, so rounding cannot push the last character over.
    let fitting = 0.99 * LINE_WIDTH / font.width(link, 1.0);
    fitting.clamp(MIN_LINK_SIZE, LINK_SIZE)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::pdf::wrap;

    const NAMES: [&str; 6] = [
        "Ayşe Şahin",
        "Łukasz Wiśniewski",
        "Erdős Pál",
        "Müller",
        "Ελένη",
        "Ольга",
    ];

    /// A registration letter as the Dutch template fills it in, with `names` as the closing
    /// lines.
    fn letter(names: &[&str]) -> Letter {
        let school = "Basisschool De Regenboog";
        Letter {
            school: school.into(),
            texts: Texts {
                subject: format!("Uw account bij {school}"),
                greeting: "Beste ouder,".into(),
                paragraphs: vec![
                    format!("{school} gebruikt Schoolgate om u nieuws, berichten en spoedberichten over uw kinderen te sturen."),
                    "1. Scan de QR-code met uw telefoon, of typ de link hieronder in uw browser.".into(),
                    "2. Kies uw wachtwoord en ga akkoord met de privacyverklaring.".into(),
                    "3. Zet de app op uw beginscherm en sta meldingen toe, zodat spoedberichten u direct bereiken.".into(),
                    "De link is persoonlijk, werkt één keer en is 14 dagen geldig. Houd deze brief voor uzelf.".into(),
                ],
                action: Some("Uw persoonlijke activatielink".into()),
                closing: names.iter().map(|name| name.to_string()).collect(),
                unread: None,
                unsubscribe: None,
            },
            activation_url: "https://ouders.example.nl/activate#token=AbC-123_xyz-0123456789abcdefghij".into(),
        }
    }

    #[test]
    fn names_in_any_european_alphabet_are_printed_as_written() {
        let pdf = render_pdf(&[letter(&NAMES)]).unwrap();
        let text = lopdf::Document::load_mem(&pdf)
            .unwrap()
            .extract_text(&[1])
            .unwrap();
        for name in NAMES {
            assert!(text.contains(name), "{name} not in {text:?}");
        }
        assert!(!text.contains('?'), "{text:?}");
        assert!(text.contains("werkt één keer"), "{text:?}");
    }

    #[test]
    fn a_character_the_font_lacks_prints_as_its_box() {
        let mut font = SubsetFont::new(font::REGULAR).unwrap();
        // Glyph 0 is .notdef; the others are numbered in the order they are first used.
        assert_eq!(font.encode("Li 李 i"), [0, 1, 0, 2, 0, 3, 0, 0, 0, 3, 0, 2]);
    }

    #[test]
    fn only_the_glyphs_used_are_embedded() {
        let one = render_pdf(&[letter(&NAMES)]).unwrap().len();
        let letters: Vec<Letter> = (0..100).map(|_| letter(&NAMES)).collect();
        let hundred = render_pdf(&letters).unwrap().len();
        // The whole of DejaVu Sans is 740 KB, and each font is embedded once.
        assert!(one < 40_000, "1 letter: {one} bytes");
        assert!(hundred < 300_000, "100 letters: {hundred} bytes");
    }

    #[test]
    fn lines_break_at_spaces_within_the_width() {
        let chars = |line: &str| line.chars().count() as f32;
        assert_eq!(wrap("aa bb cc", 5.0, chars), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefghij", 4.0, chars), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a abcdef b", 4.0, chars), ["a", "abcd", "ef b"]);

        let font = SubsetFont::new(font::REGULAR).unwrap();
        assert!(font.width("WWWW", BODY_SIZE) > font.width("iiii", BODY_SIZE));
        let paragraph = &letter(&NAMES).texts.paragraphs[0];
        let lines = wrap(paragraph, LINE_WIDTH, |line| font.width(line, BODY_SIZE));
        assert!(lines.len() > 1);
        assert!(
            lines
                .iter()
                .all(|line| font.width(line, BODY_SIZE) <= LINE_WIDTH)
        );
    }

    #[test]
    fn a_long_link_is_set_smaller_to_stay_on_one_line() {
        let font = SubsetFont::new(font::REGULAR).unwrap();
        let short = "https://ouders.example.nl/activate#token=AbC";
        assert_eq!(link_size(&font, short), LINK_SIZE);
        let long = format!(
            "https://schoolgate.grundschule-am-stadtpark.de/activate#token={}",
            "xMRGHyBEjvT4t-V57hxs5fGOmol7FIQy6e9MVZxzCOQ"
        );
        let size = link_size(&font, &long);
        assert!(size < LINK_SIZE);
        assert_eq!(
            wrap(&long, LINE_WIDTH, |line| font.width(line, size)),
            [long]
        );
    }

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
    fn dark_modules_become_zero_bits() {
        assert_eq!(one_bit_rows(9, &[true; 81])[..2], [0x00, 0x7F]);
    }
}
