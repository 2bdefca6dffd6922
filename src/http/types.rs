//! Request/response types shared by several features, and their conversion to domain types.

use std::{borrow::Cow, ops::Deref};

use poem_openapi::{
    Enum,
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type},
};
use serde_json::Value;

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

/// A stored file sent as a download: streamed, with its type, length and a
/// `Content-Disposition: attachment` naming it (non-ASCII letters as `_`).
#[derive(poem_openapi::ApiResponse)]
pub enum FileDownload {
    /// The file, as a download (streamed).
    #[oai(status = 200)]
    File(
        poem_openapi::payload::Binary<poem::Body>,
        #[oai(header = "Content-Type")] String,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "Content-Length")] u64,
    ),
}

impl FileDownload {
    pub fn attachment(
        file_name: &str,
        content_type: String,
        size: u64,
        body: futures_util::stream::BoxStream<
            'static,
            Result<bytes::Bytes, crate::platform::files::FileError>,
        >,
    ) -> Self {
        let disposition = format!(
            "attachment; filename=\"{}\"",
            file_name.replace(|c: char| !c.is_ascii(), "_")
        );
        Self::File(
            poem_openapi::payload::Binary(streamed(body)),
            content_type,
            disposition,
            size,
        )
    }
}

/// A stored file's bytes as a response body, read from the backend as it is sent.
pub fn streamed(
    body: futures_util::stream::BoxStream<
        'static,
        Result<bytes::Bytes, crate::platform::files::FileError>,
    >,
) -> poem::Body {
    use futures_util::TryStreamExt;
    poem::Body::from_bytes_stream(body.map_err(std::io::Error::other))
}

/// `Text`'s formats, stated in the schema.
pub const PLAIN: u8 = 0;
pub const EMAIL: u8 = 1;
pub const URI: u8 = 2;

/// A string field of a request body that takes only JSON strings: poem-openapi's `String`
/// also takes `true` or `12` and turns them into "true" or "12". `MIN`/`MAX` (characters) and
/// `FORMAT` go into the schema; the feature's rule enforces them with its own error code
/// (`invalid_name`, `password_too_long`, ...), from the same constants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text<const MIN: usize = 0, const MAX: usize = { usize::MAX }, const FORMAT: u8 = PLAIN>(
    pub String,
);

impl<const MIN: usize, const MAX: usize, const FORMAT: u8> Type for Text<MIN, MAX, FORMAT> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: match FORMAT {
                EMAIL => Some("email"),
                URI => Some("uri"),
                _ => None,
            },
            min_length: (MIN > 0).then_some(MIN),
            max_length: (MAX < usize::MAX).then_some(MAX),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(std::iter::once(self))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<const MIN: usize, const MAX: usize, const FORMAT: u8> ParseFromJSON
    for Text<MIN, MAX, FORMAT>
{
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(text) => Ok(Self(text)),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl<const MIN: usize, const MAX: usize, const FORMAT: u8> ToJSON for Text<MIN, MAX, FORMAT> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

impl<const MIN: usize, const MAX: usize, const FORMAT: u8> Deref for Text<MIN, MAX, FORMAT> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// For poem-openapi's length validators.
impl<const MIN: usize, const MAX: usize, const FORMAT: u8> AsRef<str> for Text<MIN, MAX, FORMAT> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<const MIN: usize, const MAX: usize, const FORMAT: u8> From<Text<MIN, MAX, FORMAT>> for String {
    fn from(text: Text<MIN, MAX, FORMAT>) -> Self {
        text.0
    }
}

impl<const MIN: usize, const MAX: usize, const FORMAT: u8> From<&str> for Text<MIN, MAX, FORMAT> {
    fn from(text: &str) -> Self {
        Self(text.to_string())
    }
}

/// The request fields' vocabulary, each with the limits of the rule that checks it.
pub type Name = Text<1, { crate::platform::text::MAX_NAME }>;
/// Empty clears the prefix.
pub type NamePrefix = Text<0, { crate::platform::text::MAX_NAME }>;
pub type NewPassword = Text<
    { crate::features::accounts::rules::password::MIN_LENGTH },
    { crate::features::accounts::rules::password::MAX_LENGTH },
>;
pub type EmailText = Text<1, { crate::features::accounts::rules::MAX_EMAIL }, EMAIL>;
pub type UriText = Text<1, { usize::MAX }, URI>;
pub type PhoneText = Text<0, { crate::platform::text::MAX_PHONE }>;
pub type AddressText = Text<0, { crate::platform::text::MAX_ADDRESS }>;
pub type TitleText = Text<1, { crate::features::posts::rules::MAX_TITLE }>;
pub type PostBodyText = Text<1, { crate::features::posts::rules::MAX_BODY }>;
pub type ReplyText = Text<1, { crate::features::posts::rules::MAX_REPLY }>;
pub type ChildIdText = Text<1, { crate::features::school::rules::MAX_CHILD_ID }>;
pub type ContactPhoneText = Text<6, { crate::features::school::rules::MAX_CONTACT_PHONE }>;
pub type RelationText = Text<0, { crate::features::school::rules::MAX_RELATION }>;
pub type AgendaTitleText = Text<1, { crate::features::agenda::rules::MAX_TITLE }>;
pub type AgendaDescriptionText = Text<0, { crate::features::agenda::rules::MAX_DESCRIPTION }>;
pub type PlaceText = Text<0, { crate::features::agenda::rules::MAX_PLACE }>;
