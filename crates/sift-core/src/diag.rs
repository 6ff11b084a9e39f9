//! Diagnostics for user-supplied files: every problem with its file, line and column.
//!
//! The pure crates never read files themselves; callers hand in the file's name and text,
//! and get back either a value or *all* the problems found, each pointing at a location.

use std::fmt;
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// A 1-based line and column in a text file (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// Converts a byte offset into `text` to a line and column. Offsets past the end are
    /// clamped to the end of the text.
    pub fn from_offset(text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        Location { line, column }
    }
}

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file's name as the user gave it (or a descriptive name for built-ins).
    pub source: String,
    pub location: Option<Location>,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(loc) => write!(f, "{}:{}:{}: {}", self.source, loc.line, loc.column, self.message),
            None => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

/// Every problem found in one or more input files. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// `Ok(value)` when nothing was reported, else `Err(self)`.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// A TOML file being read, collecting problems as it goes.
pub(crate) struct TomlReader<'t> {
    pub source: &'t str,
    pub text: &'t str,
    pub problems: Diagnostics,
}

impl<'t> TomlReader<'t> {
    pub fn new(source: &'t str, text: &'t str) -> Self {
        TomlReader { source, text, problems: Diagnostics::default() }
    }

    /// Records a problem at a byte span of the text.
    pub fn report(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        self.problems.0.push(Diagnostic {
            source: self.source.to_owned(),
            location: span.map(|s| Location::from_offset(self.text, s.start)),
            message: message.into(),
        });
    }

    /// Parses the document, recording every syntax error. `None` when the text is not TOML.
    pub fn parse(&mut self) -> Option<Spanned<DeTable<'t>>> {
        let (table, errors) = DeTable::parse_recoverable(self.text);
        if errors.is_empty() {
            return Some(table);
        }
        for error in errors {
            let message = format!("invalid TOML: {}", error.message().trim());
            let location = error.span().map(|s| Location::from_offset(self.text, s.start));
            // The recovering parser can report one error twice (`max = }`): say it once.
            if self.problems.iter().any(|p| p.location == location && p.message == message) {
                continue;
            }
            self.report(error.span(), message);
        }
        None
    }

    /// Deserializes one value into a syntax type, recording the first problem in it.
    /// `context` names the value for the message (e.g. "criterion `need`").
    pub fn deserialize<T: DeserializeOwned>(&mut self, value: Spanned<DeValue<'t>>, context: &str) -> Option<T> {
        let whole = value.span();
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(v) => Some(v),
            Err(error) => {
                let message = error.message().trim().to_owned();
                let message = if context.is_empty() { message } else { format!("{context}: {message}") };
                self.report(Some(error.span().unwrap_or(whole)), message);
                None
            }
        }
    }

    /// The value when nothing was reported, else every problem in file order.
    pub fn finish<T>(mut self, value: Option<T>) -> Result<T, Diagnostics> {
        self.problems.0.sort_by_key(|d| d.location);
        match value {
            Some(value) if self.problems.is_empty() => Ok(value),
            _ => Err(self.problems),
        }
    }
}

/// Wraps a table back into a value so it can be deserialized on its own.
pub(crate) fn table_value(table: Spanned<DeTable<'_>>) -> Spanned<DeValue<'_>> {
    let span = table.span();
    Spanned::new(span, DeValue::Table(table.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_the_parser_reports_twice_is_listed_once() {
        let mut reader = TomlReader::new("icp", "a = 1\nb = { min = 50, max = }\n");
        assert!(reader.parse().is_none());
        let found: Vec<String> = reader.problems.iter().map(ToString::to_string).collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("icp:2:"), "{found:?}");
    }

    #[test]
    fn offsets_become_one_based_lines_and_character_columns() {
        let text = "ab\nc\u{4e2d}d\n";
        let check = |offset, line, column| {
            assert_eq!(Location::from_offset(text, offset), Location { line, column }, "offset {offset}");
        };
        check(0, 1, 1);
        check(1, 1, 2);
        check(3, 2, 1);
        check(4, 2, 2);
        check(7, 2, 3); // after the three-byte character
        check(100, 3, 1);
    }
}
