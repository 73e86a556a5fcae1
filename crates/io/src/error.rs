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

/// Shown as `file:line: column C: record K: reason`, for a person: a
/// quoted value longer than [`MAX_QUOTED_CHARS`] is cut with `…`, and an
/// identity number is masked ([`eduaid_model::mask_id_numbers`]). The
/// fields themselves (and the JSON a caller writes from them) keep the
/// full values.
impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(c) = &self.column {
            write!(f, ": column {}", shown(c, MAX_QUOTED_CHARS))?;
        }
        if let Some(k) = &self.key {
            write!(f, ": record {}", shown(k, MAX_QUOTED_CHARS))?;
        }
        write!(f, ": {}", shown(&self.reason, MAX_MESSAGE_CHARS))
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

/// Shown as `file:line: message`, cut and masked as [`RowError`]'s.
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}",
            self.file,
            self.line,
            shown(&self.message, MAX_MESSAGE_CHARS)
        )
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
    #[error("{file}: {}", shown(reason, MAX_MESSAGE_CHARS))]
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
    #[error("{file}:{line}: columns {:?} and {:?} both give {column}", clip(first), clip(second))]
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
    #[error("{file}:{line}: unknown column {:?}", clip(column))]
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
    #[error("{file}{at}: {}", shown(reason, MAX_MESSAGE_CHARS), at = at_line(*line))]
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
    #[error(
        "cannot write {what} {}: {}",
        shown(key, MAX_QUOTED_CHARS),
        shown(reason, MAX_MESSAGE_CHARS)
    )]
    Write {
        /// Which kind of record.
        what: &'static str,
        /// Its key.
        key: String,
        /// Why.
        reason: String,
    },
    /// A zip archive (an `.xlsx`) breaks one of the
    /// [`ArchiveLimits`](crate::ArchiveLimits): refused before it is parsed.
    #[error("{file}{at}: {limit} {value}{unit} exceeds the limit of {max}{unit}", at = at_entry(entry.as_deref()))]
    ArchiveLimit {
        /// The file.
        file: String,
        /// The entry inside the archive, when the limit is one entry's.
        entry: Option<String>,
        /// The limit (`uncompressed size`, `compression ratio` …).
        limit: &'static str,
        /// The value found.
        value: u64,
        /// The limit's value.
        max: u64,
        /// The unit after both numbers (` bytes`, `:1`, or nothing).
        unit: &'static str,
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

/// `: entry`, or nothing.
fn at_entry(entry: Option<&str>) -> String {
    entry.map(|e| format!(": {}", clip(e))).unwrap_or_default()
}

/// The most characters of a value quoted in an error: a megabyte-long cell
/// is shown by its start and an ellipsis, never whole.
pub const MAX_QUOTED_CHARS: usize = 60;

/// `text` cut to [`MAX_QUOTED_CHARS`] characters, with `…` when cut: the
/// one place a value quoted in an error is shortened.
#[must_use]
pub fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        None => std::borrow::Cow::Borrowed(text),
        Some((at, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..at])),
    }
}

/// The most characters of a message (a row's reason, a warning) shown:
/// the rest is cut with `…`.
pub const MAX_MESSAGE_CHARS: usize = 300;

/// `text` as shown to a person: each quoted value (`"…"`) cut to
/// [`MAX_QUOTED_CHARS`] characters, the whole to `max`, identity numbers
/// masked.
fn shown(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    let mut quoted = String::new();
    let (mut in_quote, mut escaped) = (false, false);
    for c in text.chars() {
        if !in_quote {
            out.push(c);
            in_quote = c == '"';
            continue;
        }
        if escaped {
            escaped = false;
            quoted.push(c);
        } else if c == '\\' {
            escaped = true;
            quoted.push(c);
        } else if c == '"' {
            out.push_str(&clip(&quoted));
            out.push('"');
            quoted.clear();
            in_quote = false;
        } else {
            quoted.push(c);
        }
    }
    out.push_str(&clip(&quoted));
    let out = match out.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &out[..at]),
        None => out,
    };
    eduaid_model::mask_id_numbers(&out).into_owned()
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

    #[test]
    fn long_values_are_cut_and_identity_numbers_masked() {
        let long = "x".repeat(1 << 20);
        let e = RowError {
            file: "s.csv".into(),
            line: 3,
            column: Some("学籍号".into()),
            key: Some(format!("G430102200801011234{long}")),
            reason: format!("invalid student id {long:?} (G430102200801011234)"),
        };
        let shown = e.to_string();
        assert!(shown.len() < 500, "{} bytes", shown.len());
        let dots = "x".repeat(MAX_QUOTED_CHARS - 19);
        assert!(shown.contains(&format!("record G430102200801011234{dots}…")), "{shown}");
        let dots = "x".repeat(MAX_QUOTED_CHARS);
        assert!(
            shown.ends_with(&format!("invalid student id \"{dots}…\" (G430102********1234)")),
            "{shown}"
        );
        let w = Warning {
            file: "s.csv".into(),
            line: 1,
            message: format!("unknown column {:?} is ignored", "备".repeat(100)),
        };
        assert!(
            w.to_string()
                .contains(&format!("{}…\" is ignored", "备".repeat(MAX_QUOTED_CHARS)))
        );
        assert_eq!(clip("short"), "short");
        let e = Error::UnknownColumn {
            file: "f".into(),
            line: 1,
            column: long,
        };
        assert!(e.to_string().len() < 100);
    }
}
