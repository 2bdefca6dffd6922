//! Request/response types shared by several resources, and their conversion to domain types.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

use crate::{
    domain::{
        accounts::{EmailAddress, Role, clean_name},
        language::Language,
    },
    error::AppError,
    store::users::User,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum RoleDto {
    Admin,
    Teacher,
    Parent,
}

impl From<RoleDto> for Role {
    fn from(role: RoleDto) -> Self {
        match role {
            RoleDto::Admin => Role::Admin,
            RoleDto::Teacher => Role::Teacher,
            RoleDto::Parent => Role::Parent,
        }
    }
}

impl From<Role> for RoleDto {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => RoleDto::Admin,
            Role::Teacher => RoleDto::Teacher,
            Role::Parent => RoleDto::Parent,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum LanguageDto {
    Nl,
    De,
    En,
}

impl From<LanguageDto> for Language {
    fn from(language: LanguageDto) -> Self {
        match language {
            LanguageDto::Nl => Language::Nl,
            LanguageDto::De => Language::De,
            LanguageDto::En => Language::En,
        }
    }
}

impl From<Language> for LanguageDto {
    fn from(language: Language) -> Self {
        match language {
            Language::Nl => LanguageDto::Nl,
            Language::De => LanguageDto::De,
            Language::En => LanguageDto::En,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum AccountStateDto {
    Invited,
    Active,
    Disabled,
}

/// An account as admins see it.
#[derive(Debug, Clone, Object)]
pub struct UserResponse {
    pub id: i32,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: RoleDto,
    pub language: LanguageDto,
    pub state: AccountStateDto,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            role: Role::parse(&user.role).unwrap_or(Role::Parent).into(),
            language: Language::parse(&user.language)
                .unwrap_or(Language::En)
                .into(),
            state: match user.state.as_str() {
                "active" => AccountStateDto::Active,
                "disabled" => AccountStateDto::Disabled,
                _ => AccountStateDto::Invited,
            },
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            created_at: user.created_at,
        }
    }
}

pub fn parse_email(field: &'static str, raw: &str) -> Result<EmailAddress, AppError> {
    raw.parse().map_err(|_| {
        AppError::invalid(
            field,
            "invalid_email",
            format!("'{}' is not a valid e-mail address.", raw.trim()),
        )
    })
}

pub fn parse_name(field: &'static str, raw: &str) -> Result<String, AppError> {
    clean_name(raw).ok_or_else(|| {
        AppError::invalid(field, "invalid_name", "A name needs 1 to 100 characters.")
    })
}

/// An optional free-text field: trimmed, empty means "clear it", at most `max` characters.
pub fn parse_optional_text(
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

/// The answer of an operation that has nothing to return.
#[derive(poem_openapi::ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 204)]
    Done,
}

/// The client's IP address, for per-client rate limits.
pub fn client_ip(remote: &poem::web::RemoteAddr) -> std::net::IpAddr {
    remote
        .as_socket_addr()
        .map(|addr| addr.ip())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}
