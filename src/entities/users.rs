use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Trimmed and lower-cased: the login name.
    pub email: String,
    pub first_name: String,
    /// "van der", "de", "von": written before the last name, not sorted by.
    pub name_prefix: Option<String>,
    pub last_name: String,
    pub role: Role,
    pub language: Language,
    pub state: AccountState,
    pub password_hash: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// What the main phone number is: mobile, work, home, other.
    pub phone_label: super::user_contacts::ContactLabel,
    /// The file store's key of the profile photo (a square JPEG).
    pub photo_key: Option<String>,
    pub consent_version: Option<String>,
    pub consent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The name as written: "Anke van der Berg".
    pub fn full_name(&self) -> String {
        super::full_name(
            &self.first_name,
            self.name_prefix.as_deref(),
            &self.last_name,
        )
    }
}

/// What a user may do. Rights beyond the role follow from links (teacher-group, parent-child).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "teacher")]
    Teacher,
    #[sea_orm(string_value = "parent")]
    Parent,
}

/// An account is invited (no password yet), active, or disabled by an admin.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    #[sea_orm(string_value = "invited")]
    Invited,
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "disabled")]
    Disabled,
}

/// The language of a user's app and e-mails.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(2))")]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[sea_orm(string_value = "nl")]
    Nl,
    #[sea_orm(string_value = "de")]
    De,
    #[sea_orm(string_value = "en")]
    En,
}

#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not a supported language (nl, de, en)")]
pub struct UnknownLanguage(pub String);

impl Language {
    pub const ALL: [Language; 3] = [Language::Nl, Language::De, Language::En];

    /// A language code in any case, e.g. from configuration or the command line.
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

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_round_trip_and_ignore_case() {
        for language in Language::ALL {
            assert_eq!(Language::parse(language.code()).unwrap(), language);
            assert_eq!(language.to_value(), language.code());
        }
        assert_eq!(Language::parse(" DE ").unwrap(), Language::De);
        assert!(Language::parse("fr").is_err());
    }
}
