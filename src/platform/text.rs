//! Rules for free text typed by people, shared by every feature: names, optional text
//! fields, and shortening text for previews (push messages, e-mail excerpts).

use crate::app::error::AppError;

/// A control character text may not hold: everything but line breaks and tabs. (PostgreSQL
/// cannot store NUL at all, SQLite can: refused before either sees it, the same on both.)
pub fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// The longest name (first name, prefix, last name, group), in characters.
pub const MAX_NAME: usize = 100;
/// The longest phone number and address people type into their own details.
pub const MAX_PHONE: usize = 50;
pub const MAX_ADDRESS: usize = 300;

/// A first or last name: trimmed, 1 to 100 characters, no control characters.
pub fn clean_name(raw: &str) -> Option<String> {
    let name = raw.trim();
    let length = name.chars().count();
    ((1..=MAX_NAME).contains(&length) && !name.chars().any(char::is_control))
        .then(|| name.to_string())
}

pub use crate::entities::full_name;

/// A name prefix from a request field: empty means none.
pub fn name_prefix(raw: &str) -> Result<Option<String>, AppError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    name("name_prefix", raw).map(Some)
}

/// A name from a request field, or the error naming that field.
pub fn name(field: &'static str, raw: &str) -> Result<String, AppError> {
    clean_name(raw).ok_or_else(|| {
        AppError::invalid(field, "invalid_name", "A name needs 1 to 100 characters.")
    })
}

/// An optional free-text field: trimmed, empty means "clear it", at most `max` characters.
pub fn optional_text(
    field: &'static str,
    raw: &str,
    max: usize,
) -> Result<Option<String>, AppError> {
    let text = raw.trim();
    if text.chars().count() > max || text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::invalid(
            field,
            "invalid_text",
            format!("At most {max} characters, no control characters."),
        ));
    }
    Ok((!text.is_empty()).then(|| text.to_string()))
}

/// `text` on one line, cut at a word boundary to at most `max` characters with "…".
pub fn shorten(text: &str, max: usize) -> String {
    let folded: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max {
        return folded;
    }
    let cut: String = folded.chars().take(max.saturating_sub(1)).collect();
    let at_word = cut
        .rsplit_once(' ')
        .map(|(head, _)| head)
        .filter(|head| !head.is_empty())
        .unwrap_or(&cut);
    format!("{at_word}…")
}

/// A phone number as people write them: 6 to 20 digits, optionally a leading + and spaces,
/// dashes, dots, slashes or parentheses.
pub fn is_plausible_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || " -.()/".contains(c) || (c == '+' && i == 0));
    allowed && (6..=20).contains(&digits) && phone.chars().count() <= MAX_PHONE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Jürgen ").as_deref(), Some("Jürgen"));
        assert_eq!(clean_name("   "), None);
        assert_eq!(clean_name(&"a".repeat(101)), None);
        assert_eq!(clean_name("a\u{0}b"), None);
    }

    #[test]
    fn full_names_put_the_prefix_between_first_and_last_name() {
        assert_eq!(
            full_name("Anke", Some("van der"), "Berg"),
            "Anke van der Berg"
        );
        assert_eq!(full_name("Max", None, "Mustermann"), "Max Mustermann");
        assert_eq!(full_name("Max", Some(""), "Mustermann"), "Max Mustermann");
    }

    #[test]
    fn shortening_folds_whitespace_and_cuts_at_a_word() {
        assert_eq!(shorten("a  b\n c", 10), "a b c");
        assert_eq!(shorten("Because of the storm", 12), "Because of…");
    }

    #[test]
    fn optional_text_clears_when_empty_and_refuses_control_characters() {
        assert_eq!(optional_text("phone", "  ", 50).unwrap(), None);
        assert!(optional_text("phone", "a\u{0}", 50).is_err());
        assert!(optional_text("phone", &"1".repeat(51), 50).is_err());
    }
}
