//! Errors as HTTP answers: every 4xx/5xx body is JSON `{code, message}` (plus `field` for
//! validation errors). `AppError` gets its status here; poem's own errors (parse errors, 404,
//! 405, oversized bodies) get the same body shape in `render_any_error`.

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

use crate::app::error::{AppError, capitalize};

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

impl From<&AppError> for ErrorBody {
    fn from(err: &AppError) -> Self {
        let (field, violations) = match err {
            AppError::Invalid {
                field, violations, ..
            } => (
                field.as_ref().map(|field| field.to_string()),
                (violations.len() > 1).then(|| violations.iter().map(|v| v.to_string()).collect()),
            ),
            _ => (None, None),
        };
        ErrorBody {
            code: err.code().into(),
            message: err.public_message(),
            field,
            violations,
        }
    }
}

impl ResponseError for AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Invalid { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthenticated | Self::WrongCredentials | Self::SecondStep { .. } => {
                StatusCode::UNAUTHORIZED
            }
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
        let mut response = json_response(self.status(), &ErrorBody::from(self));
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
            StatusCode::REQUEST_TIMEOUT => "request_timeout",
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
    } else if code == "request_timeout" {
        "The request body stopped arriving; please send it again.".to_string()
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
