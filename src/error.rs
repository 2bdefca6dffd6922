//! The one error type at the HTTP boundary. Every 4xx/5xx body is JSON
//! `{code, message}` (plus `field` for validation errors); unexpected errors are logged with
//! their cause and answered with a generic 500.

use poem::{
    Response,
    error::{NotFoundError, ResponseError},
    http::{HeaderValue, StatusCode, header},
};
use poem_openapi::{
    ApiResponse, Object,
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::ToJSON,
};

use crate::domain::password::PasswordRule;

/// The body of every error response.
#[derive(Debug, Clone, Object)]
pub struct ErrorBody {
    /// Machine-readable code, stable across releases, e.g. `invalid_email`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// The request field the error is about, for validation errors.
    #[oai(skip_serializing_if_is_none)]
    pub field: Option<String>,
    /// Every rule that was broken, when there are several (e.g. password rules).
    #[oai(skip_serializing_if_is_none)]
    pub violations: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: a field has an invalid value.
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        field: Option<&'static str>,
        violations: Vec<&'static str>,
    },
    /// 401: no valid session or token.
    #[error("authentication required")]
    Unauthenticated,
    /// 401: e-mail and password do not match an active account.
    #[error("wrong e-mail address or password")]
    WrongCredentials,
    /// 403: the caller may not do this.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// 404: the object does not exist or the caller may not see it.
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// 409: the request conflicts with the current state.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 410: a link was used already or has expired.
    #[error("{message}")]
    Gone { code: &'static str, message: String },
    /// 413: an upload over the size or row limit.
    #[error("{message}")]
    TooLarge { code: &'static str, message: String },
    /// 415: an upload of a type that is not accepted.
    #[error("{message}")]
    UnsupportedType { code: &'static str, message: String },
    /// 429: too many attempts; retry after the given seconds.
    #[error("too many attempts, try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    /// 500: a bug or an unavailable dependency; details go to the log only.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn invalid(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
            field: Some(field),
            violations: Vec::new(),
        }
    }

    /// 404 for a missing or invisible object, e.g. `not_found("child")`.
    pub fn not_found(what: &str) -> Self {
        Self::NotFound {
            code: "not_found",
            message: format!("This {what} does not exist or is not visible to you."),
        }
    }

    pub fn forbidden() -> Self {
        Self::Forbidden {
            code: "forbidden",
            message: "You may not do this.".into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn gone(code: &'static str, message: impl Into<String>) -> Self {
        Self::Gone {
            code,
            message: message.into(),
        }
    }

    /// A password that breaks rules: the first rule's code, all of them in `violations`.
    pub fn weak_password(field: &'static str, broken: &[PasswordRule]) -> Self {
        let first = broken[0];
        Self::Invalid {
            code: first.code(),
            message: broken
                .iter()
                .map(|rule| rule.message())
                .collect::<Vec<_>>()
                .join(" "),
            field: Some(field),
            violations: broken.iter().map(|rule| rule.code()).collect(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Invalid { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::Gone { code, .. }
            | Self::NotFound { code, .. }
            | Self::TooLarge { code, .. }
            | Self::UnsupportedType { code, .. } => code,
            Self::Unauthenticated => "unauthenticated",
            Self::WrongCredentials => "wrong_credentials",
            Self::RateLimited { .. } => "rate_limited",
            Self::Internal(_) => "internal_error",
        }
    }

    fn body(&self) -> ErrorBody {
        let (field, violations) = match self {
            Self::Invalid {
                field, violations, ..
            } => (
                field.map(str::to_string),
                (violations.len() > 1).then(|| violations.iter().map(|v| v.to_string()).collect()),
            ),
            _ => (None, None),
        };
        let message = match self {
            Self::Internal(_) => "Something went wrong on our side; please try again.".into(),
            other => capitalize(&other.to_string()),
        };
        ErrorBody {
            code: self.code().into(),
            message,
            field,
            violations,
        }
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                Self::conflict("already_exists", "This already exists.")
            }
            _ => Self::Internal(err.into()),
        }
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

impl ResponseError for AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Invalid { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthenticated | Self::WrongCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Gone { .. } => StatusCode::GONE,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn as_response(&self) -> Response {
        if let Self::Internal(cause) = self {
            tracing::error!(error = ?cause, "request failed");
        }
        let mut response = json_response(self.status(), &self.body());
        if let Self::RateLimited { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        response
    }
}

fn json_response(status: StatusCode, body: &ErrorBody) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .body(body.to_json_string())
}

/// Statuses every operation may answer, with their meaning, for the OpenAPI spec.
const DOCUMENTED_STATUSES: &[(u16, &str)] = &[
    (
        400,
        "Invalid input: `code` names the problem, `field` the input.",
    ),
    (401, "Not logged in, or wrong credentials."),
    (403, "Logged in, but not allowed."),
    (404, "Not found, or not visible to the caller."),
    (
        409,
        "Conflicts with the current state (e.g. e-mail already in use).",
    ),
    (410, "The link was used already or has expired."),
    (413, "The request body is too large."),
    (415, "The uploaded file's type is not accepted."),
    (429, "Too many attempts: see the Retry-After header."),
    (500, "Server error."),
];

impl ApiResponse for AppError {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: DOCUMENTED_STATUSES
                .iter()
                .map(|(status, description)| MetaResponse {
                    description,
                    status: Some(*status),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: "application/json; charset=utf-8",
                        schema: <ErrorBody as poem_openapi::types::Type>::schema_ref(),
                    }],
                    headers: vec![],
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        <ErrorBody as poem_openapi::types::Type>::register(registry);
    }
}

/// Turns any error that reaches the top of the app (poem's own parse errors, 404s, 405s,
/// oversized bodies, our `AppError`) into the JSON error body.
pub async fn render_any_error(err: poem::Error) -> Response {
    if err.is::<AppError>() {
        return err.into_response();
    }
    let status = err.status();
    let code = if err.is::<NotFoundError>() {
        "not_found"
    } else if err.is::<poem_openapi::error::ParseRequestPayloadError>()
        || err.is::<poem::error::ParseJsonError>()
    {
        "invalid_body"
    } else if err.is::<poem_openapi::error::ParseParamError>() {
        "invalid_parameter"
    } else if err.is::<poem_openapi::error::ContentTypeError>() {
        "unsupported_media_type"
    } else if err.is::<poem_openapi::error::AuthorizationError>() {
        "unauthenticated"
    } else {
        match status {
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNAUTHORIZED => "unauthenticated",
            StatusCode::NOT_FOUND => "not_found",
            s if s.is_client_error() => "bad_request",
            _ => "internal_error",
        }
    };
    let message = if status.is_server_error() {
        tracing::error!(error = %err, "request failed");
        "Something went wrong on our side; please try again.".to_string()
    } else if code == "unauthenticated" {
        "Authentication required.".to_string()
    } else if code == "payload_too_large" {
        "The request body is too large.".to_string()
    } else if code == "method_not_allowed" {
        "This method is not allowed here.".to_string()
    } else if code == "not_found" {
        "There is nothing at this address.".to_string()
    } else if code == "forbidden" {
        // A static file error names the server's folders: say no more than this.
        "This is not allowed.".to_string()
    } else {
        capitalize(
            err.to_string()
                .trim_start_matches("Parse request payload error: "),
        )
    };
    let field = named_field(&message);
    json_response(
        status,
        &ErrorBody {
            code: code.into(),
            message,
            field,
            violations: None,
        },
    )
}

/// poem-openapi names the offending field as "field `name`" in its parse errors.
fn named_field(message: &str) -> Option<String> {
    let start = message.find("field `")? + "field `".len();
    let length = message[start..].find('`')?;
    Some(message[start..start + length].to_string())
}

#[cfg(test)]
mod tests {
    use super::named_field;

    #[test]
    fn the_field_named_in_a_parse_error_is_found() {
        assert_eq!(
            named_field("failed to parse \"LoginRequest\": field `password` verification failed."),
            Some("password".into())
        );
        assert_eq!(named_field("EOF while parsing"), None);
    }
}
