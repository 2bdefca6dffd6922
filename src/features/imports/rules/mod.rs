//! Imports from the school administration export: reading the table (encoding, delimiter,
//! header names in German, Dutch or English) and planning the changes against what the
//! database holds. Nothing here does I/O: the plan is computed from a snapshot.

pub mod children;
pub mod parents;
pub mod table;

use serde::{Deserialize, Serialize};

/// How bad a problem in the file is: errors block applying, warnings only inform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A problem found in the file, by line number (the header is line 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub line: u64,
    pub severity: Severity,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl Problem {
    pub fn error(line: u64, code: &str, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            line,
            severity: Severity::Error,
            code: code.into(),
            message: message.into(),
            field: field.map(str::to_string),
        }
    }

    pub fn warning(line: u64, code: &str, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(line, code, field, message)
        }
    }
}

/// One field that an import changes, old -> new.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Compares names the way people do: trimmed, case-insensitive.
pub fn same_text(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}
