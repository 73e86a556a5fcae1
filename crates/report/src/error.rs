//! The one error type of the report crate.

use thiserror::Error;

/// Every way building, rendering or validating a report can fail.
///
/// Messages are lowercase with no trailing period and name the key, the
/// template line or the file that caused them.
#[derive(Error, Debug)]
#[non_exhaustive]
pub enum Error {
    /// A figure key that is not a plain identifier (`[a-z0-9_]`, starting
    /// with a letter), so a template could not name it.
    #[error("invalid figure key {key:?}: use lowercase letters, digits and underscores, starting with a letter")]
    InvalidKey {
        /// The rejected key.
        key: String,
    },
    /// Two figures (or a figure and a variable) under one key.
    #[error("duplicate figure key {key:?}")]
    DuplicateKey {
        /// The key given twice.
        key: String,
    },
    /// A figure, table or chart that a document or relation names but the
    /// data does not hold.
    #[error("unknown {what} {key:?}")]
    Unknown {
        /// `"figure"`, `"table"` or `"chart"`.
        what: &'static str,
        /// The missing key.
        key: String,
    },
    /// A rate with a zero denominator, or a numerator above it where that is
    /// impossible.
    #[error("invalid rate {key:?}: {reason}")]
    InvalidRate {
        /// The figure key.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A template that does not parse or refers to something undefined.
    #[error("template {name}, line {line}: {message}")]
    Template {
        /// The template's name.
        name: String,
        /// The 1-based line of the template that failed (0 if unknown).
        line: usize,
        /// What went wrong.
        message: String,
    },
    /// A table whose rows do not all have the header's width.
    #[error("table {title:?}: row {row} has {found} cells, expected {expected}")]
    TableShape {
        /// The table's title.
        title: String,
        /// The 1-based row.
        row: usize,
        /// Cells found.
        found: usize,
        /// Cells in the header.
        expected: usize,
    },
    /// A chart that could not be drawn.
    #[error("chart {title:?}: {reason}")]
    Chart {
        /// The chart's title.
        title: String,
        /// What failed.
        reason: String,
    },
    /// No font with Chinese glyphs was found to rasterise charts.
    #[error(
        "no CJK font found to draw chart labels (looked in {searched}); install fonts-noto-cjk or fonts-wqy-microhei, or set EDUAID_CJK_FONT to a .ttf/.otf/.ttc file"
    )]
    NoCjkFont {
        /// The places searched, joined.
        searched: String,
    },
    /// Writing the DOCX package failed.
    #[error("docx part {part}: {reason}")]
    Docx {
        /// The part being written.
        part: String,
        /// What failed.
        reason: String,
    },
    /// Reading or writing a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}
