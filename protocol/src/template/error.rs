//! What can go wrong when a template is read or checked.
//!
//! Every error points at a place the author can find: a line and column for syntax and type
//! errors (reported by `toml` or `serde_json`), a field path such as
//! `phases[2].activities[0].stages[3].minutes` for rule violations found after parsing.

use std::fmt;

use thiserror::Error;

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TemplateError {
    /// Checked before parsing, so a huge upload never reaches the parser.
    #[error("template is {size} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// The text's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The text is not valid TOML, or does not fit the template's shape (wrong type, missing or
    /// unknown field, unknown `kind`).
    #[error("TOML error{}: {message}", at(*.line, *.column))]
    Toml {
        /// The line of the error, from 1, when the parser knows it.
        line: Option<usize>,
        /// The column of the error, from 1, when the parser knows it.
        column: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// As [`TemplateError::Toml`], for JSON.
    #[error("JSON error{}: {message}", at(*.line, *.column))]
    Json {
        /// The line of the error, from 1, when the parser knows it.
        line: Option<usize>,
        /// The column of the error, from 1, when the parser knows it.
        column: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// The template parsed but breaks one or more rules. All problems found are listed (up to
    /// [`MAX_PROBLEMS`](super::limits::MAX_PROBLEMS)), so an author can fix them in one go.
    #[error("invalid template: {}", join(.0))]
    Invalid(Vec<Problem>),
    /// Writing a template out failed (only TOML can fail, e.g. on a value TOML cannot hold).
    #[error("could not write template: {0}")]
    Serialize(String),
}

impl TemplateError {
    /// The rule violations, if this is [`TemplateError::Invalid`]; empty otherwise.
    pub fn problems(&self) -> &[Problem] {
        match self {
            TemplateError::Invalid(problems) => problems,
            _ => &[],
        }
    }
}

/// One broken rule, at one place in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Field path from the root, indexes counted from 0: `phases[0].activities[1].questions[7]`.
    pub path: String,
    /// What is wrong, in words.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

fn at(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(" at line {line}, column {column}"),
        (Some(line), None) => format!(" at line {line}"),
        _ => String::new(),
    }
}

fn join(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// 1-based line and column (in characters) of a byte offset, as editors show them.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    // A span may in theory start inside a multi-byte character; step back to a boundary.
    let offset = (0..=offset)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

impl TemplateError {
    pub(crate) fn from_toml(text: &str, err: &toml::de::Error) -> Self {
        let (line, column) = match err.span() {
            Some(span) => {
                let (line, column) = line_column(text, span.start);
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        TemplateError::Toml {
            line,
            column,
            message: err.message().trim().to_owned(),
        }
    }

    pub(crate) fn from_json(err: &serde_json::Error) -> Self {
        // serde_json's Display appends " at line L column C"; we report those as fields.
        let mut message = err.to_string();
        if err.line() > 0 {
            if let Some(cut) = message.rfind(" at line ") {
                message.truncate(cut);
            }
        }
        let known = err.line() > 0;
        TemplateError::Json {
            line: known.then(|| err.line()),
            column: known.then(|| err.column()),
            message,
        }
    }
}
