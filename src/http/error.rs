//! Errors as HTTP answers: every 4xx/5xx body is JSON `{code, message}` (plus `field` for
//! validation errors). `AppError` gets its status here; poem's own errors (parse errors, 404,
//! 405 with `Allow`, oversized bodies) get the same body shape in `render_any_error`. Each
//! operation documents the statuses and codes its handler can answer (`ApiError<ErrorSet>`).

use std::marker::PhantomData;

use poem::{
    Response,
    error::{MethodNotAllowedError, NotFoundError, ResponseError},
    http::{HeaderValue, StatusCode, header},
};
use poem_openapi::{
    ApiResponse, Object,
    error::{
        AuthorizationError, ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
        ParseRequestPayloadError,
    },
    registry::{
        MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
    },
    types::{ToJSON, Type},
};
use serde_json::Value;

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
    /// With some conflicts: what is possible now (e.g. `slot_taken`: `free_slots`).
    #[oai(skip_serializing_if_is_none)]
    pub details: Option<serde_json::Value>,
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
        let details = match err {
            AppError::Conflict { details, .. } => details.clone(),
            _ => None,
        };
        ErrorBody {
            code: err.code().into(),
            message: err.public_message(),
            field,
            violations,
            details,
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

/// The errors one operation's own logic answers with, as (status, codes). `Contract` adds
/// those that follow from the operation's shape (body, parameters, login).
pub trait ErrorSet: 'static {
    const ERRORS: &'static [(u16, &'static [&'static str])];
}

/// An `AppError` typed with the errors its operation documents. Handlers return
/// `Result<_, ApiError<TheirErrors>>`; `?` converts `AppError`, `DbErr` and `anyhow::Error`.
pub struct ApiError<S: ErrorSet>(pub AppError, PhantomData<fn() -> S>);

impl<S: ErrorSet> From<AppError> for ApiError<S> {
    fn from(err: AppError) -> Self {
        Self(err, PhantomData)
    }
}

impl<S: ErrorSet> From<sea_orm::DbErr> for ApiError<S> {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::from(err).into()
    }
}

impl<S: ErrorSet> From<anyhow::Error> for ApiError<S> {
    fn from(err: anyhow::Error) -> Self {
        AppError::Internal(err).into()
    }
}

/// The poem error is the `AppError` itself, so `render_any_error` recognises it.
impl<S: ErrorSet> From<ApiError<S>> for poem::Error {
    fn from(err: ApiError<S>) -> Self {
        err.0.into()
    }
}

impl<S: ErrorSet> ApiResponse for ApiError<S> {
    fn meta() -> MetaResponses {
        let mut responses = Vec::new();
        for (status, codes) in S::ERRORS {
            add_error_codes(&mut responses, *status, codes);
        }
        MetaResponses { responses }
    }

    fn register(registry: &mut Registry) {
        <ErrorBody as Type>::register(registry);
    }
}

/// Adds `codes` to the error answer of `status`, creating it when missing: the spec's
/// `responses` is a map, so each status appears once.
pub fn add_error_codes(responses: &mut Vec<MetaResponse>, status: u16, codes: &[&'static str]) {
    match responses.iter_mut().find(|r| r.status == Some(status)) {
        Some(response) => {
            let known = code_enum(response).expect("error answers are made by error_response");
            for code in codes {
                if !known.contains(&Value::from(*code)) {
                    known.push(Value::from(*code));
                }
            }
        }
        None => responses.push(error_response(status, codes)),
    }
}

/// An error answer: `ErrorBody` with `code` narrowed to `codes`.
fn error_response(status: u16, codes: &[&'static str]) -> MetaResponse {
    let code = MetaSchema {
        enum_items: codes.iter().map(|code| Value::from(*code)).collect(),
        ..MetaSchema::new("string")
    };
    let narrowed = MetaSchema {
        properties: vec![("code", MetaSchemaRef::Inline(Box::new(code)))],
        ..MetaSchema::new("object")
    };
    let schema = MetaSchema {
        all_of: vec![
            <ErrorBody as Type>::schema_ref(),
            MetaSchemaRef::Inline(Box::new(narrowed)),
        ],
        ..MetaSchema::ANY
    };
    MetaResponse {
        description: status_description(status),
        status: Some(status),
        status_range: None,
        content: vec![MetaMediaType {
            content_type: "application/json; charset=utf-8",
            schema: MetaSchemaRef::Inline(Box::new(schema)),
        }],
        headers: if status == 429 {
            vec![MetaHeader {
                name: "Retry-After".into(),
                description: Some("Seconds to wait before trying again.".into()),
                required: true,
                deprecated: false,
                schema: <u64 as Type>::schema_ref(),
            }]
        } else {
            Vec::new()
        },
    }
}

/// The `code` enum of an answer made by `error_response`.
fn code_enum(response: &mut MetaResponse) -> Option<&mut Vec<Value>> {
    let MetaSchemaRef::Inline(schema) = &mut response.content.first_mut()?.schema else {
        return None;
    };
    let MetaSchemaRef::Inline(narrowed) = schema.all_of.get_mut(1)? else {
        return None;
    };
    let (_, MetaSchemaRef::Inline(code)) = narrowed.properties.first_mut()? else {
        return None;
    };
    Some(&mut code.enum_items)
}

fn status_description(status: u16) -> &'static str {
    match status {
        400 => "Invalid input: `code` names the problem, `field` the input.",
        401 => "Not logged in, or wrong credentials.",
        403 => "Logged in, but not allowed.",
        404 => "Not found, or not visible to the caller.",
        408 => "The request body stopped arriving; send it again.",
        409 => "Conflicts with the current state (e.g. e-mail already in use).",
        410 => "The link was used already or has expired.",
        413 => "The request body or the uploaded file is too large.",
        415 => "The body's or the uploaded file's type is not accepted.",
        429 => "Too many attempts: see the Retry-After header.",
        500 => "Server error.",
        _ => "Error.",
    }
}

/// Declares error sets: `Name { 400 => &["code", ...], 404 => SOME_CODES }`. A status may be
/// given twice; its codes are merged.
macro_rules! error_sets {
    ($($(#[$meta:meta])* $name:ident { $($status:literal => $codes:expr),* $(,)? })*) => {$(
        $(#[$meta])*
        pub enum $name {}
        impl $crate::http::error::ErrorSet for $name {
            const ERRORS: &'static [(u16, &'static [&'static str])] = &[$(($status, $codes)),*];
        }
    )*};
}
pub(crate) use error_sets;

error_sets! {
    /// Nothing beyond what the operation's shape brings (see `Contract`).
    NoErrors {}
    /// Admins only.
    AdminOnly { 403 => &["forbidden_role"] }
    /// One thing by id, admins only.
    AdminLookup { 403 => &["forbidden_role"], 404 => &["not_found"] }
    /// One thing by id that the caller may see (404 also when they may not).
    Lookup { 404 => &["not_found"] }
    /// One thing by id the caller may see (404 otherwise) and must also manage (403).
    ManagedLookup { 403 => &["forbidden"], 404 => &["not_found"] }
}

/// The methods a path serves, for the `Allow` header of its 405 answers.
#[derive(Clone)]
pub struct AllowedMethods(pub HeaderValue);

/// 405 naming the methods that are allowed (rendered by `render_any_error`).
pub fn method_not_allowed(allow: HeaderValue) -> poem::Error {
    let mut err = poem::Error::from(MethodNotAllowedError);
    err.set_data(AllowedMethods(allow));
    err
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
    } else if err.is::<ParseRequestPayloadError>()
        || err.is::<ParseMultipartError>()
        || err.is::<poem::error::ParseJsonError>()
    {
        "invalid_body"
    } else if err.is::<ParseParamError>() || err.is::<ParsePathError>() {
        "invalid_parameter"
    } else if err.is::<ContentTypeError>() {
        "unsupported_media_type"
    } else if err.is::<AuthorizationError>() {
        "unauthenticated"
    } else {
        match status {
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::REQUEST_TIMEOUT => "request_timeout",
            StatusCode::UNAUTHORIZED => "unauthenticated",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::NOT_IMPLEMENTED => "not_implemented",
            s if s.is_client_error() => "bad_request",
            _ => "internal_error",
        }
    };
    let message = if code == "not_implemented" {
        "This method is not supported.".to_string()
    } else if status.is_server_error() {
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
        let text = err.to_string();
        let reason = ["parse request payload error: ", "parse multipart error: "]
            .iter()
            .find_map(|prefix| text.strip_prefix(prefix))
            .unwrap_or(&text);
        capitalize(reason)
    };
    let field = named_field(&message);
    let mut response = json_response(
        status,
        &ErrorBody {
            code: code.into(),
            message,
            field,
            violations: None,
            details: None,
        },
    );
    if let Some(AllowedMethods(allow)) = err.data::<AllowedMethods>() {
        response.headers_mut().insert(header::ALLOW, allow.clone());
    }
    response
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
