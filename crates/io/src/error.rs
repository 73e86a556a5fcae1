//! The crate's error type, and the row-level faults a load reports.

use std::fmt;

use thiserror::Error;

/// One rejected input row: where it is and why it was rejected.
///
/// `line` is the 1-based physical line of the file (the header is line 1 in
/// a file whose header is the first line; a CSV record spanning several lines
/// is named by its first line); in an `.xlsx` sheet it is the sheet's row
/// number as Excel shows it; in a JSON array it is the line on which the
/// element starts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The file (its path or the name the caller gave).
    pub file: String,
    /// 1-based physical line (or sheet row).
    pub line: u64,
    /// The column as the file names it (`出生日期`), if the fault is in one
    /// cell.
    pub column: Option<String>,
    /// The record's key (student id, school id, payment reference …), when
    /// it could be read.
    pub key: Option<String>,
    /// Why the row was rejected, in lowercase words.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(c) = &self.column {
            write!(f, ": column {c}")?;
        }
        if let Some(k) = &self.key {
            write!(f, ": record {k}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for RowError {}

/// Something worth the caller's attention that did not reject a row: an
/// unknown column, title lines above the header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// The file.
    pub file: String,
    /// The line the warning is about (the header line for column warnings).
    pub line: u64,
    /// What was noticed.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Every way reading or writing a file can fail as a whole.
///
/// A bad row is not an `Error` of a load: it is a [`RowError`] in the
/// [`LoadReport`](crate::LoadReport), and the good rows still load. The
/// streaming [`StudentReader`](crate::StudentReader) yields bad rows as
/// [`Error::Row`] and keeps going; every other variant ends a stream.
#[derive(Error, Debug)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened, read or written.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The underlying failure.
        #[source]
        source: std::io::Error,
    },
    /// The format could not be told from the file name.
    #[error("{file}: cannot tell the format from the file name: use .csv, .json, .jsonl or .xlsx, or set the format")]
    UnknownFormat {
        /// The file.
        file: String,
    },
    /// A format or encoding eduaid does not read.
    #[error("{file}: {reason}")]
    Unsupported {
        /// The file.
        file: String,
        /// What is not supported, and what to do instead.
        reason: String,
    },
    /// The file is larger than [`Limits::max_bytes`](crate::Limits::max_bytes).
    #[error("{file}: {bytes} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The file.
        file: String,
        /// Its size.
        bytes: u64,
        /// The limit.
        max: u64,
    },
    /// The file has more data rows than [`Limits::max_rows`](crate::Limits::max_rows).
    #[error("{file}:{line}: more than {max} rows")]
    TooManyRows {
        /// The file.
        file: String,
        /// The line of the first row over the limit.
        line: u64,
        /// The limit.
        max: u64,
    },
    /// No header row was found (the file or sheet is empty).
    #[error("{file}: no header row: the file is empty")]
    NoHeader {
        /// The file.
        file: String,
    },
    /// A required column is absent from the header.
    #[error("{file}:{line}: missing required column {column} ({chinese})")]
    MissingColumn {
        /// The file.
        file: String,
        /// The header line.
        line: u64,
        /// The column's English name.
        column: &'static str,
        /// Its preferred Chinese header.
        chinese: &'static str,
    },
    /// Two header cells name the same column (`姓名` and `学生姓名`).
    #[error("{file}:{line}: columns {first:?} and {second:?} both give {column}")]
    DuplicateColumn {
        /// The file.
        file: String,
        /// The header line.
        line: u64,
        /// The column's English name.
        column: &'static str,
        /// The first header cell.
        first: String,
        /// The second header cell.
        second: String,
    },
    /// A header cell names no known column and unknown columns are
    /// rejected ([`UnknownColumns::Reject`](crate::UnknownColumns::Reject)).
    #[error("{file}:{line}: unknown column {column:?}")]
    UnknownColumn {
        /// The file.
        file: String,
        /// The header line.
        line: u64,
        /// The header cell.
        column: String,
    },
    /// The file's structure is broken beyond one row: a CSV the parser
    /// cannot follow, a JSON array that never closes, an xlsx that is not a
    /// workbook.
    #[error("{file}{at}: {reason}", at = at_line(*line))]
    Malformed {
        /// The file.
        file: String,
        /// The line where it was noticed (0 when unknown, e.g. a bad zip).
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// One rejected row, as yielded by the streaming reader.
    #[error("{0}")]
    Row(Box<RowError>),
    /// A record cannot be written in the requested form.
    #[error("cannot write {what} {key}: {reason}")]
    Write {
        /// Which kind of record.
        what: &'static str,
        /// Its key.
        key: String,
        /// Why.
        reason: String,
    },
    /// The xlsx writer failed.
    #[error("{file}: xlsx: {reason}")]
    Xlsx {
        /// The file.
        file: String,
        /// The writer's message.
        reason: String,
    },
}

impl Error {
    /// True for every error that ends a read: all but [`Error::Row`].
    #[must_use]
    pub fn is_fatal(&self) -> bool {
        !matches!(self, Error::Row(_))
    }

    pub(crate) fn io(file: &str, source: std::io::Error) -> Error {
        Error::Io {
            file: file.to_string(),
            source,
        }
    }
}

impl From<RowError> for Error {
    fn from(e: RowError) -> Error {
        Error::Row(Box::new(e))
    }
}

/// `:line`, or nothing when the line is unknown (0).
fn at_line(line: u64) -> String {
    if line == 0 { String::new() } else { format!(":{line}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_file_names_its_line_only_when_known() {
        let at = |line| {
            Error::Malformed {
                file: "schools.xlsx".into(),
                line,
                reason: "not a workbook".into(),
            }
            .to_string()
        };
        assert_eq!(at(0), "schools.xlsx: not a workbook");
        assert_eq!(at(7), "schools.xlsx:7: not a workbook");
    }
}
