//! The PDFs' typeface, DejaVu Sans, embedded in each PDF as a subset of the glyphs it
//! uses. It covers the Latin, Greek and Cyrillic alphabets, so names such as
//! "Ayşe Şahin", "Łukasz Wiśniewski" or "Ольга" print as written.
//!
//! Every character is drawn as its own glyph, without shaping: scripts whose letters join or
//! run right to left (Arabic, Hebrew) print in the wrong order and forms. Characters the font
//! lacks (Chinese, for one) print as its empty box.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use anyhow::Context;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

use super::deflate;

/// A TrueType font file shipped with the server (license in `fonts/LICENSE`).
pub struct Typeface {
    postscript_name: &'static str,
    data: &'static [u8],
}

pub const REGULAR: Typeface = Typeface {
    postscript_name: "DejaVuSans",
    data: include_bytes!("fonts/DejaVuSans.ttf"),
};

pub const BOLD: Typeface = Typeface {
    postscript_name: "DejaVuSans-Bold",
    data: include_bytes!("fonts/DejaVuSans-Bold.ttf"),
};

/// Character codes are the subset's glyph ids (Identity-H), not a registered character
/// collection.
const SYSTEM_INFO: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

/// A typeface as one PDF uses it: text is encoded as glyph ids of a subset that grows with
/// every character drawn, and only that subset is embedded.
pub struct SubsetFont {
    typeface: Typeface,
    face: Face<'static>,
    glyphs: GlyphRemapper,
    /// The character each glyph of the subset was drawn for, so text can be copied out.
    chars: BTreeMap<u16, char>,
}

impl SubsetFont {
    pub fn new(typeface: Typeface) -> anyhow::Result<Self> {
        let face = Face::parse(typeface.data, 0)
            .with_context(|| format!("reading the font {}", typeface.postscript_name))?;
        Ok(Self {
            typeface,
            face,
            glyphs: GlyphRemapper::new(),
            chars: BTreeMap::new(),
        })
    }

    /// The width of `text` in points when set at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| u32::from(self.advance(self.glyph(c))))
            .sum();
        units as f32 * size / f32::from(self.face.units_per_em())
    }

    /// `text` as 2-byte glyph ids of the subset (for the Identity-H encoding).
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(2 * text.len());
        for c in text.chars() {
            let glyph = self.glyph(c);
            let id = self.glyphs.remap(glyph.0);
            if glyph != GlyphId(0) {
                self.chars.entry(id).or_insert(c);
            }
            bytes.extend_from_slice(&id.to_be_bytes());
        }
        bytes
    }

    /// Writes the font (a Type0 font over a CIDFontType2 font) as object `font_id`, its parts
    /// as objects from `allocate`.
    pub fn write(
        &self,
        pdf: &mut Pdf,
        font_id: Ref,
        mut allocate: impl FnMut() -> Ref,
    ) -> anyhow::Result<()> {
        let [cid_font_id, descriptor_id, to_unicode_id, file_id] =
            std::array::from_fn(|_| allocate());
        let file = subsetter::subset(self.typeface.data, 0, &self.glyphs)
            .with_context(|| format!("subsetting the font {}", self.typeface.postscript_name))?;
        let base_font = format!(
            "{}+{}",
            subset_tag(&self.glyphs),
            self.typeface.postscript_name
        );
        let base_font = Name(base_font.as_bytes());

        pdf.type0_font(font_id)
            .base_font(base_font)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_font_id)
            .to_unicode(to_unicode_id);

        let mut cid_font = pdf.cid_font(cid_font_id);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(base_font)
            .system_info(SYSTEM_INFO)
            .font_descriptor(descriptor_id)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        // The subset's glyph ids are the CIDs; `remapped_gids` lists the original ids in
        // that order.
        cid_font.widths().consecutive(
            0,
            self.glyphs
                .remapped_gids()
                .map(|glyph| self.to_pdf_units(self.advance(GlyphId(glyph)) as f32)),
        );
        cid_font.finish();

        let face = &self.face;
        let bbox = face.global_bounding_box();
        pdf.font_descriptor(descriptor_id)
            .name(base_font)
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                self.to_pdf_units(bbox.x_min.into()),
                self.to_pdf_units(bbox.y_min.into()),
                self.to_pdf_units(bbox.x_max.into()),
                self.to_pdf_units(bbox.y_max.into()),
            ))
            .italic_angle(face.italic_angle())
            .ascent(self.to_pdf_units(face.ascender().into()))
            .descent(self.to_pdf_units(face.descender().into()))
            .cap_height(self.to_pdf_units(face.capital_height().unwrap_or(face.ascender()).into()))
            // Fonts carry no stem width; this common estimate from the weight only matters
            // to a viewer that substitutes the font.
            .stem_v(10.0 + 0.244 * (f32::from(face.weight().to_number()) - 50.0))
            .font_file2(file_id);

        let mut to_unicode = UnicodeCmap::new(Name(b"Custom"), SYSTEM_INFO);
        for (&id, &c) in &self.chars {
            to_unicode.pair(id, c);
        }
        pdf.stream(to_unicode_id, &deflate(&to_unicode.finish()))
            .filter(Filter::FlateDecode);
        pdf.stream(file_id, &deflate(&file))
            .filter(Filter::FlateDecode);
        Ok(())
    }

    /// The font's glyph for `c`, or its .notdef glyph (an empty box) when it has none.
    fn glyph(&self, c: char) -> GlyphId {
        self.face.glyph_index(c).unwrap_or(GlyphId(0))
    }

    fn advance(&self, glyph: GlyphId) -> u16 {
        self.face.glyph_hor_advance(glyph).unwrap_or(0)
    }

    /// PDF font metrics are in thousandths of the em.
    fn to_pdf_units(&self, font_units: f32) -> f32 {
        font_units * 1000.0 / f32::from(self.face.units_per_em())
    }
}

/// The six capital letters before a subset's name that tell it apart from other subsets of
/// the font (PDF 32000-1, 9.6.4).
fn subset_tag(glyphs: &GlyphRemapper) -> String {
    let mut hasher = DefaultHasher::new();
    glyphs.hash(&mut hasher);
    let mut hash = Hasher::finish(&hasher);
    (0..6)
        .map(|_| {
            let letter = char::from(b'A' + (hash % 26) as u8);
            hash /= 26;
            letter
        })
        .collect()
}
