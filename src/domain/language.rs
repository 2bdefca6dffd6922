//! The languages of the UI and of e-mails.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    Nl,
    De,
    En,
}

#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not a supported language (nl, de, en)")]
pub struct UnknownLanguage(pub String);

impl Language {
    pub const ALL: [Language; 3] = [Language::Nl, Language::De, Language::En];

    pub fn parse(code: &str) -> Result<Self, UnknownLanguage> {
        match code.trim().to_ascii_lowercase().as_str() {
            "nl" => Ok(Self::Nl),
            "de" => Ok(Self::De),
            "en" => Ok(Self::En),
            _ => Err(UnknownLanguage(code.to_string())),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Nl => "nl",
            Self::De => "de",
            Self::En => "en",
        }
    }

    /// How a date is written (chrono format): 25-11-2026, 25.11.2026, 25/11/2026.
    pub fn date_format(self) -> &'static str {
        match self {
            Self::Nl => "%d-%m-%Y",
            Self::De => "%d.%m.%Y",
            Self::En => "%d/%m/%Y",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_ignore_case() {
        for language in Language::ALL {
            assert_eq!(Language::parse(language.code()).unwrap(), language);
        }
        assert_eq!(Language::parse(" DE ").unwrap(), Language::De);
        assert!(Language::parse("fr").is_err());
    }
}
