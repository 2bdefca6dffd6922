//! The one error type of the use cases. It knows nothing of HTTP: each variant names the
//! kind of failure a client can act on, and `crate::http::error` maps it to a status code and
//! the JSON `{code, message}` body. Unexpected errors are `Internal`: their cause is logged,
//! never shown.

use std::borrow::Cow;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A field has an invalid value (HTTP 400).
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        /// The request field, e.g. `body` or `emergency_contacts[0].relation`.
        field: Option<Cow<'static, str>>,
        violations: Vec<&'static str>,
    },
    /// No valid session or token (401).
    #[error("authentication required")]
    Unauthenticated,
    /// E-mail and password do not match an active account (401).
    #[error("wrong e-mail address or password")]
    WrongCredentials,
    /// The password was right, but the second login step (authenticator code) is missing or
    /// wrong (401).
    #[error("{message}")]
    SecondStep { code: &'static str, message: String },
    /// The caller may not do this (403).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// The object does not exist or the caller may not see it (404).
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// The request conflicts with the current state (409).
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        /// What the client needs to try again (e.g. the slots still free), as JSON.
        details: Option<serde_json::Value>,
    },
    /// A link was used already or has expired (410).
    #[error("{message}")]
    Gone { code: &'static str, message: String },
    /// An upload over the size or row limit (413).
    #[error("{message}")]
    TooLarge { code: &'static str, message: String },
    /// An upload of a type that is not accepted (415).
    #[error("{message}")]
    UnsupportedType { code: &'static str, message: String },
    /// Too many attempts; retry after the given seconds (429).
    #[error("too many attempts, try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    /// A bug or an unavailable dependency (500); details go to the log only.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn invalid(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
            field: Some(field.into()),
            violations: Vec::new(),
        }
    }

    /// Like `invalid`, for a field named at run time (an item of a list: `contacts[1].phone`).
    pub fn invalid_at(field: String, code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
            field: Some(field.into()),
            violations: Vec::new(),
        }
    }

    /// A missing or invisible object, e.g. `not_found("child")`.
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

    pub fn forbidden_with(code: &'static str, message: impl Into<String>) -> Self {
        Self::Forbidden {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            details: None,
        }
    }

    /// A conflict whose answer says what is possible now (`details`, as JSON).
    pub fn conflict_with(
        code: &'static str,
        message: impl Into<String>,
        details: serde_json::Value,
    ) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            details: Some(details),
        }
    }

    pub fn gone(code: &'static str, message: impl Into<String>) -> Self {
        Self::Gone {
            code,
            message: message.into(),
        }
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::Internal(anyhow::anyhow!("{message}"))
    }

    /// The machine-readable code a client branches on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { code, .. }
            | Self::Forbidden { code, .. }
            | Self::SecondStep { code, .. }
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

    /// The sentence shown to people; never the cause of an internal error.
    pub fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => "Something went wrong on our side; please try again.".into(),
            other => capitalize(&other.to_string()),
        }
    }
}

/// `text` with its first letter in upper case.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A rule error's lower-case description as a sentence: "the file is empty" -> "The file is
/// empty."
pub fn sentence(err: &impl std::fmt::Display) -> String {
    format!("{}.", capitalize(&err.to_string()))
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

/// Runs CPU-heavy work (argon2, PDF, import planning) on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| AppError::internal(format!("blocking task failed: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_errors_read_as_sentences() {
        assert_eq!(sentence(&"the file is empty"), "The file is empty.");
        assert_eq!(capitalize(""), "");
    }

    #[test]
    fn internal_causes_are_not_shown() {
        let err = AppError::internal("connection refused to 10.0.0.5");
        assert_eq!(err.code(), "internal_error");
        assert!(!err.public_message().contains("10.0.0.5"));
    }
}
