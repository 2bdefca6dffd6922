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

/// Problems of one kind: how many, and the first few lines, so a thousand warnings of one
/// kind do not bury a single other one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProblemGroup {
    pub severity: Severity,
    pub code: String,
    pub count: usize,
    /// The first lines with this problem, at most `FIRST_LINES`.
    pub lines: Vec<u64>,
    /// The message of the first of them.
    pub example: String,
}

pub const FIRST_LINES: usize = 5;

/// Groups problems by kind: errors first, then the most frequent.
pub fn group_problems(problems: &[Problem]) -> Vec<ProblemGroup> {
    let mut groups: Vec<ProblemGroup> = Vec::new();
    for problem in problems {
        match groups
            .iter_mut()
            .find(|group| group.code == problem.code && group.severity == problem.severity)
        {
            Some(group) => {
                group.count += 1;
                if group.lines.len() < FIRST_LINES {
                    group.lines.push(problem.line);
                }
            }
            None => groups.push(ProblemGroup {
                severity: problem.severity,
                code: problem.code.clone(),
                count: 1,
                lines: vec![problem.line],
                example: problem.message.clone(),
            }),
        }
    }
    groups.sort_by_key(|group| {
        (
            group.severity != Severity::Error,
            std::cmp::Reverse(group.count),
        )
    });
    groups
}

/// A '?' next to a letter: what Excel writes for a letter Windows-1252 lacks ("Ay?e").
pub fn lost_letter(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    chars.iter().enumerate().any(|(index, &c)| {
        c == '?'
            && (index > 0 && chars[index - 1].is_alphabetic()
                || chars
                    .get(index + 1)
                    .is_some_and(|next| next.is_alphabetic()))
    })
}

/// Compares names the way people do: trimmed, case-insensitive.
pub fn same_text(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_mark_next_to_a_letter_is_a_lost_letter() {
        assert!(lost_letter("Ay?e"));
        assert!(lost_letter("?ahin"));
        assert!(lost_letter("Wi?niewski"));
        assert!(!lost_letter("Ayşe"));
        assert!(!lost_letter("Hauptstr. 1 ?"));
    }

    #[test]
    fn problems_are_grouped_by_kind_errors_first() {
        let mut problems: Vec<Problem> = (2..12)
            .map(|line| Problem::warning(line, "phone_unparseable", Some("phone"), "w"))
            .collect();
        problems.push(Problem::error(12, "invalid_email", Some("email"), "e"));
        problems.push(Problem::warning(13, "lost_letter", None, "l"));
        let groups = group_problems(&problems);
        let summary: Vec<_> = groups
            .iter()
            .map(|g| (g.code.as_str(), g.count, g.lines.len()))
            .collect();
        assert_eq!(
            summary,
            [
                ("invalid_email", 1, 1),
                ("phone_unparseable", 10, FIRST_LINES),
                ("lost_letter", 1, 1)
            ]
        );
        assert_eq!(groups[1].lines, [2, 3, 4, 5, 6]);
    }
}
