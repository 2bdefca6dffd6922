//! Which files may be attached to posts: the type is read from the content (magic bytes),
//! and only documents and images a parent's phone opens safely are accepted; anything that
//! a browser could run (HTML, SVG, scripts, programs) is refused.

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

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("only PDF, images (PNG, JPEG, GIF, WebP) and office documents can be attached")]
pub struct TypeNotAllowed;

impl From<TypeNotAllowed> for AppError {
    fn from(err: TypeNotAllowed) -> Self {
        AppError::UnsupportedType {
            code: "file_type_not_allowed",
            message: sentence(&err),
        }
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
    fn file_names_lose_paths_and_quotes() {
        assert_eq!(
            clean_file_name("C:\\Users\\x\\Brief \"Juni\".pdf"),
            "Brief Juni.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name(".."), "attachment");
    }
}
