//! Errors a user can fix: bad input. Everything else is a bug or an I/O failure.
//!
//! An [`InputError`] names the file, the field and what was expected; the binary prints it and
//! exits with code 2 before writing anything.

use std::fmt;

/// One problem with the user's input.
#[derive(Debug, Clone, PartialEq)]
pub struct InputProblem {
    /// The file the problem is in (scenario, CSV), as the user named it.
    pub file: String,
    /// Dotted path of the field (`transitions.leaver_rate`), or `line N, column X` for CSVs.
    pub field: String,
    /// What was expected, and what was found.
    pub expected: String,
}

/// Every problem found in the input, reported together so a user fixes them in one pass.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub problems: Vec<InputProblem>,
}

impl InputError {
    pub fn new(
        file: impl Into<String>,
        field: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        InputError {
            problems: vec![InputProblem {
                file: file.into(),
                field: field.into(),
                expected: expected.into(),
            }],
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let (file, field, expected) = (
                printable(&p.file),
                printable(&p.field),
                printable(&p.expected),
            );
            if field.is_empty() {
                write!(f, "{file}: {expected}")?;
            } else {
                write!(f, "{file}: {field}: {expected}")?;
            }
        }
        Ok(())
    }
}

/// `text` with its control characters but line breaks written out (`\u{0}`), so that a user's
/// file quoted in a message (a CSV header holding a NUL) cannot move the terminal's cursor or
/// hide the rest. Line breaks stay: a TOML syntax error shows the line it is on beneath.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let escaped = |c: char| c.is_control() && c != '\n';
    if !text.chars().any(escaped) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if escaped(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

impl std::error::Error for InputError {}

/// Collects problems while a whole input is walked, so all are reported at once.
#[derive(Debug, Default)]
pub struct Problems {
    file: String,
    list: Vec<InputProblem>,
}

impl Problems {
    pub fn new(file: impl Into<String>) -> Self {
        Problems {
            file: file.into(),
            list: Vec::new(),
        }
    }

    pub fn push(&mut self, field: impl Into<String>, expected: impl Into<String>) {
        self.list.push(InputProblem {
            file: self.file.clone(),
            field: field.into(),
            expected: expected.into(),
        });
    }

    /// The fields at which problems have been found.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|p| p.field.as_str())
    }

    /// The problems found so far.
    pub fn list(&self) -> &[InputProblem] {
        &self.list
    }

    /// Keeps only the problems `keep` holds to (one standing for several found earlier).
    pub fn retain(&mut self, keep: impl FnMut(&InputProblem) -> bool) {
        self.list.retain(keep);
    }

    pub fn into_result(self) -> Result<(), InputError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(InputError {
                problems: self.list,
            })
        }
    }
}

impl Problems {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many problems have been found so far.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Adds the problems of another input (e.g. a CSV the scenario names), each keeping its file.
    pub fn absorb(&mut self, other: InputError) {
        self.list.extend(other.problems);
    }
}

/// `text` without the system's error numbers, " (os error 2)" after "No such file or
/// directory": the words say what happened, and the number means nothing to a reader.
pub fn without_os_error_numbers(text: &str) -> String {
    const MARK: &str = " (os error ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let after = &rest[at + MARK.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let closed = digits > 0 && after[digits..].starts_with(')');
        let end = if closed { digits + 1 } else { 0 };
        out.push_str(&rest[..at]);
        if !closed {
            out.push_str(MARK);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A NUL or escape from a user's file is written out; line breaks are kept.
    #[test]
    fn control_characters_in_a_message_are_written_out() {
        let e = InputError::new(
            "p.csv",
            "line 1",
            "unknown column \"count\u{0}\u{1b}[2J\"\nsee below",
        );
        assert_eq!(
            e.to_string(),
            "p.csv: line 1: unknown column \"count\\u{0}\\u{1b}[2J\"\nsee below"
        );
    }

    #[test]
    fn os_error_numbers_are_left_out_and_nothing_else() {
        assert_eq!(
            without_os_error_numbers(
                "a.toml: expected a readable scenario file: No such file or directory (os error 2)"
            ),
            "a.toml: expected a readable scenario file: No such file or directory"
        );
        assert_eq!(
            without_os_error_numbers("x: Is a directory (os error 21); y: denied (os error 13)."),
            "x: Is a directory; y: denied."
        );
        for kept in ["no number (os error )", "(os error 2", "plain text"] {
            assert_eq!(without_os_error_numbers(kept), kept);
        }
    }
}
