//! Account rules without I/O: validated e-mail addresses (the login name), what a one-time
//! token is for, and the password policy (`password`).

pub mod password;

use std::{fmt, str::FromStr};

use crate::app::error::AppError;

/// A syntactically valid e-mail address, trimmed and lower-cased: the login name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not a valid e-mail address")]
pub struct InvalidEmail(pub String);

/// The longest e-mail address, in characters (RFC 5321's 254).
pub const MAX_EMAIL: usize = 254;

impl FromStr for EmailAddress {
    type Err = InvalidEmail;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let normalized = raw.trim().to_lowercase();
        // The login name must be something a person can type and a mail server accepts:
        // no display names, no quoted local parts, a dot in the domain.
        let valid = normalized.chars().count() <= MAX_EMAIL
            && !normalized.contains(['<', '>', '"', ' '])
            && normalized
                .rsplit_once('@')
                .is_some_and(|(_, domain)| domain.contains('.') && !domain.ends_with('.'))
            && email_address::EmailAddress::is_valid(&normalized);
        if valid {
            Ok(Self(normalized))
        } else {
            Err(InvalidEmail(raw.trim().to_string()))
        }
    }
}

impl EmailAddress {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The e-mail address in a request field, or the error naming that field.
pub fn email(field: &'static str, raw: &str) -> Result<EmailAddress, AppError> {
    // Not echoed back: whatever was typed (or injected) stays out of the answer.
    raw.parse().map_err(|_| {
        AppError::invalid(
            field,
            "invalid_email",
            "This is not a valid e-mail address.",
        )
    })
}

/// A password that breaks rules: the first rule's code, all of them in `violations`.
pub fn weak_password(field: &'static str, broken: &[password::PasswordRule]) -> AppError {
    AppError::Invalid {
        code: broken[0].code(),
        message: broken
            .iter()
            .map(|rule| rule.message())
            .collect::<Vec<_>>()
            .join(" "),
        field: Some(field.into()),
        violations: broken.iter().map(|rule| rule.code()).collect(),
    }
}

/// What a one-time token is for; a token of one purpose never works for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    Activation,
    PasswordReset,
}

impl TokenPurpose {
    pub fn code(self) -> &'static str {
        match self {
            Self::Activation => "activation",
            Self::PasswordReset => "password_reset",
        }
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalized_for_case_insensitive_login() {
        let email: EmailAddress = "  Jan.De.Vries@Example.NL ".parse().unwrap();
        assert_eq!(email.as_str(), "jan.de.vries@example.nl");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for raw in [
            "",
            "jan",
            "jan@",
            "@example.nl",
            "jan@example",
            "jan de@example.nl",
            "Jan <jan@example.nl>",
        ] {
            assert!(
                raw.parse::<EmailAddress>().is_err(),
                "{raw} should be refused"
            );
        }
    }
}
