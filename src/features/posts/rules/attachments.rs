//! Which files may be attached to posts: the type is read from the content (magic bytes),
//! and only documents and images a parent's phone opens safely are accepted; anything that
//! a browser could run (HTML, SVG, scripts, programs) is refused.

use crate::app::error::{AppError, sentence};

/// Largest attachment, in bytes.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

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
pub enum AttachmentError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than 10 MB")]
    TooLarge,
    #[error("only PDF, images (PNG, JPEG, GIF, WebP) and office documents can be attached")]
    TypeNotAllowed,
}

impl From<AttachmentError> for AppError {
    fn from(err: AttachmentError) -> Self {
        let message = sentence(&err);
        match err {
            AttachmentError::TooLarge => AppError::TooLarge {
                code: "file_too_large",
                message,
            },
            AttachmentError::Empty => AppError::invalid("file", "empty_file", message),
            AttachmentError::TypeNotAllowed => AppError::UnsupportedType {
                code: "file_type_not_allowed",
                message,
            },
        }
    }
}

/// The content type of an acceptable attachment.
pub fn content_type(data: &[u8]) -> Result<&'static str, AttachmentError> {
    if data.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if data.len() > MAX_BYTES {
        return Err(AttachmentError::TooLarge);
    }
    let kind = infer::get(data).ok_or(AttachmentError::TypeNotAllowed)?;
    ALLOWED
        .iter()
        .find(|allowed| **allowed == kind.mime_type())
        .copied()
        .ok_or(AttachmentError::TypeNotAllowed)
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
            Err(AttachmentError::TypeNotAllowed)
        );
        assert_eq!(
            content_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>"),
            Err(AttachmentError::TypeNotAllowed)
        );
        assert_eq!(
            content_type(b"MZ\x90\0\x03\0\0\0"),
            Err(AttachmentError::TypeNotAllowed)
        );
        assert_eq!(content_type(b""), Err(AttachmentError::Empty));
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
