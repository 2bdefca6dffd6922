//! Request/response types shared by several features, and their conversion to domain types.

use poem_openapi::Enum;

use crate::entities::users::{Language, Role};

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

/// The answer of an operation that has nothing to return.
#[derive(poem_openapi::ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 204)]
    Done,
}
