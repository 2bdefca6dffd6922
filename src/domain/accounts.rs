//! Account vocabulary: roles, states, validated e-mail addresses and names.

use std::{fmt, str::FromStr};

/// What a user may do. Rights beyond the role follow from links (teacher-group, parent-child).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Teacher,
    Parent,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Teacher => "teacher",
            Self::Parent => "parent",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "admin" => Some(Self::Admin),
            "teacher" => Some(Self::Teacher),
            "parent" => Some(Self::Parent),
            _ => None,
        }
    }
}

/// An account is invited (no password yet), active, or disabled by an admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountState {
    Invited,
    Active,
    Disabled,
}

impl AccountState {
    pub fn code(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "invited" => Some(Self::Invited),
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

/// A syntactically valid e-mail address, trimmed and lower-cased: the login name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not a valid e-mail address")]
pub struct InvalidEmail(pub String);

impl FromStr for EmailAddress {
    type Err = InvalidEmail;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let normalized = raw.trim().to_lowercase();
        // The login name must be something a person can type and a mail server accepts:
        // no display names, no quoted local parts, a dot in the domain.
        let valid = normalized.len() <= 254
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

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A first or last name: trimmed, 1 to 100 characters, no control characters.
pub fn clean_name(raw: &str) -> Option<String> {
    let name = raw.trim();
    let length = name.chars().count();
    ((1..=100).contains(&length) && !name.chars().any(char::is_control)).then(|| name.to_string())
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

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Jürgen ").as_deref(), Some("Jürgen"));
        assert_eq!(clean_name("   "), None);
        assert_eq!(clean_name(&"a".repeat(101)), None);
        assert_eq!(clean_name("a\u{0}b"), None);
    }
}
