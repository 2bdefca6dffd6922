//! Which uploaded files are accepted (post attachments, documents): the type is read from the
//! content (magic bytes), and only documents and images a parent's phone opens safely are
//! accepted; anything that a browser could run (HTML, SVG, scripts, programs) is refused.

use crate::app::error::{AppError, sentence};

const ALLOWED: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "only PDF, images (PNG, JPEG, GIF, WebP) and office documents are accepted (documents also plain text)"
)]
pub struct TypeNotAllowed;

impl From<TypeNotAllowed> for AppError {
    fn from(err: TypeNotAllowed) -> Self {
        AppError::UnsupportedType {
            code: "file_type_not_allowed",
            message: sentence(&err),
        }
    }
}

/// The extensions a file of each accepted type may have; the first is given to a name
/// without one of them.
const EXTENSIONS: &[(&str, &[&str])] = &[
    ("application/pdf", &["pdf"]),
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/gif", &["gif"]),
    ("image/webp", &["webp"]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &["pptx"],
    ),
    ("application/vnd.oasis.opendocument.text", &["odt"]),
    ("application/vnd.oasis.opendocument.spreadsheet", &["ods"]),
    (PLAIN_TEXT, &["txt"]),
];

const PLAIN_TEXT: &str = "text/plain; charset=utf-8";

/// A cleaned file name whose extension matches what the file is: a PNG uploaded as
/// `brief.html` is kept as `brief.png`, so no device opens it as something else.
pub fn name_for_type(cleaned: &str, content_type: &str) -> String {
    let Some((_, extensions)) = EXTENSIONS.iter().find(|(known, _)| *known == content_type) else {
        return cleaned.to_string();
    };
    // Only something that looks like an extension is one: "v1.2 notes" has none.
    let (stem, extension) = match cleaned.rsplit_once('.') {
        Some((stem, extension))
            if !stem.is_empty()
                && (1..=5).contains(&extension.len())
                && extension.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            (stem, Some(extension))
        }
        _ => (cleaned, None),
    };
    match extension {
        Some(extension) if extensions.contains(&extension.to_ascii_lowercase().as_str()) => {
            cleaned.to_string()
        }
        _ => format!("{stem}.{}", extensions[0]),
    }
}

/// PDF names that make a reader run something: scripts and launch actions.
const ACTIVE_PDF_NAMES: &[&[u8]] = &[b"/JavaScript", b"/JS", b"/Launch"];

/// Looks through a PDF's bytes as they stream by for names that make a reader run
/// something (`/JavaScript`, `/JS`, `/Launch`). Plain names only: inside compressed object
/// streams they are not seen.
#[derive(Debug, Default)]
pub struct ActiveContentScan {
    /// The end of the previous chunk, for names split between two chunks.
    tail: Vec<u8>,
    found: bool,
}

impl ActiveContentScan {
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.found {
            return;
        }
        let mut window = std::mem::take(&mut self.tail);
        window.extend_from_slice(bytes);
        self.found = ACTIVE_PDF_NAMES.iter().any(|name| {
            window.windows(name.len() + 1).any(|candidate| {
                // A name ends where a delimiter or whitespace starts: `/JSON` is not `/JS`.
                candidate.starts_with(name) && !candidate[name.len()].is_ascii_alphanumeric()
            })
        });
        let keep = window.len().saturating_sub(16);
        self.tail = window.split_off(keep);
    }

    pub fn found(&self) -> bool {
        self.found
    }
}

/// The content type of an acceptable attachment, read from its first bytes (the file
/// store's `head`: enough for every type here).
pub fn content_type(head: &[u8]) -> Result<&'static str, TypeNotAllowed> {
    let kind = infer::get(head).ok_or(TypeNotAllowed)?;
    ALLOWED
        .iter()
        .find(|allowed| **allowed == kind.mime_type())
        .copied()
        .ok_or(TypeNotAllowed)
}

/// The content type of an acceptable document: what an attachment may be, or plain UTF-8
/// text (no control characters but line breaks and tabs; nothing that starts like markup,
/// which a browser might render).
pub fn document_type(head: &[u8]) -> Result<&'static str, TypeNotAllowed> {
    content_type(head).or_else(|refused| {
        // The head may end inside a character.
        let text = match std::str::from_utf8(head) {
            Ok(text) => text,
            Err(err) if err.error_len().is_none() => {
                std::str::from_utf8(&head[..err.valid_up_to()]).map_err(|_| refused)?
            }
            Err(_) => return Err(refused),
        };
        let markup = text.trim_start().starts_with('<');
        let binary = text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
        if text.trim().is_empty() || markup || binary {
            Err(refused)
        } else {
            Ok(PLAIN_TEXT)
        }
    })
}

/// The name a stored upload is kept under: cleaned (`clean_file_name`), its extension
/// following what the file is (`name_for_type`).
pub fn stored_name(uploaded: &str, content_type: &str) -> String {
    name_for_type(&clean_file_name(uploaded), content_type)
}

/// A file name safe in a Content-Disposition header: no path, no quotes or control
/// characters, at most 100 characters; "attachment" when nothing is left.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '\\'))
        .take(100)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    if trimmed.is_empty() {
        "attachment".into()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_images_pass_and_html_or_programs_do_not() {
        assert_eq!(content_type(b"%PDF-1.7\n..."), Ok("application/pdf"));
        assert_eq!(
            content_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Ok("image/png")
        );
        assert_eq!(
            content_type(b"<html><script>alert(1)</script></html>"),
            Err(TypeNotAllowed)
        );
        assert_eq!(
            content_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>"),
            Err(TypeNotAllowed)
        );
        assert_eq!(content_type(b"MZ\x90\0\x03\0\0\0"), Err(TypeNotAllowed));
        assert_eq!(content_type(b""), Err(TypeNotAllowed));
    }

    #[test]
    fn documents_may_also_be_plain_text_but_not_markup() {
        assert_eq!(document_type(b"%PDF-1.7\n"), Ok("application/pdf"));
        assert_eq!(
            document_type("Schoolgids\r\nGroep 3: juf Anna \u{e9}".as_bytes()),
            Ok(PLAIN_TEXT)
        );
        // Cut inside a character at the end of the head.
        assert_eq!(document_type(&"caf\u{e9}".as_bytes()[..4]), Ok(PLAIN_TEXT));
        assert_eq!(
            document_type(b"  <html><script>x</script>"),
            Err(TypeNotAllowed)
        );
        assert_eq!(
            document_type(b"<?php system($_GET['c']); ?>"),
            Err(TypeNotAllowed)
        );
        assert_eq!(document_type(b"MZ\x90\0\x03"), Err(TypeNotAllowed));
        assert_eq!(document_type(b"\xff\xfe\x00b"), Err(TypeNotAllowed));
        assert_eq!(name_for_type("notes", PLAIN_TEXT), "notes.txt");
    }

    #[test]
    fn the_extension_follows_the_detected_type() {
        assert_eq!(name_for_type("brief.html", "image/png"), "brief.png");
        assert_eq!(name_for_type("Foto.JPEG", "image/jpeg"), "Foto.JPEG");
        assert_eq!(name_for_type("letter", "application/pdf"), "letter.pdf");
        assert_eq!(
            name_for_type("v1.2 notes", "application/pdf"),
            "v1.2 notes.pdf"
        );
    }

    #[test]
    fn scripts_in_a_pdf_are_found_also_across_chunks() {
        let mut scan = ActiveContentScan::default();
        scan.feed(b"%PDF-1.7 1 0 obj << /OpenAction << /S /Java");
        assert!(!scan.found());
        scan.feed(b"Script /JS (app.alert(1)) >> >>");
        assert!(scan.found());
        let mut plain = ActiveContentScan::default();
        plain.feed(b"%PDF-1.4 << /Type /Catalog /JSON 1 >> trailer");
        assert!(!plain.found());
        let mut launch = ActiveContentScan::default();
        launch.feed(b"<< /S /Laun");
        launch.feed(b"ch /F (cmd.exe) >>");
        assert!(launch.found());
    }

    #[test]
    fn file_names_lose_paths_and_quotes() {
        assert_eq!(
            clean_file_name("C:\\Users\\x\\Brief \"Juni\".pdf"),
            "Brief Juni.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name(".."), "attachment");
    }
}
