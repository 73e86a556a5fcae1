//! The one error type of the model crate.

use thiserror::Error;

/// Every way a model value can be rejected at construction or parsing.
///
/// Messages are lowercase with no trailing period and name the offending
/// value, so a caller can add the file, line and column it came from.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ModelError {
    /// An amount of money that is not a valid yuan amount.
    #[error("invalid amount {input:?}: {reason}")]
    InvalidMoney {
        /// The text or value that was rejected.
        input: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Money arithmetic that would overflow or lose precision.
    #[error("money arithmetic {op} would {reason}")]
    MoneyArithmetic {
        /// The operation, e.g. `"6735875 / 3"`.
        op: String,
        /// `"overflow"` or `"lose precision"`.
        reason: &'static str,
    },
    /// A school year or term that could not be parsed.
    #[error("invalid {what} {input:?}: expected {}", expected.trim_end_matches([',', ' ']))]
    Parse {
        /// What was being parsed (`"term"`, `"stage"`, …).
        what: &'static str,
        /// The text that was rejected.
        input: String,
        /// The forms that are accepted.
        expected: &'static str,
    },
    /// A grade that does not exist in its stage.
    #[error("grade {grade} is not valid for stage {stage} (expected 1 to {max})")]
    InvalidGrade {
        /// The stage's code, e.g. `"primary"`.
        stage: &'static str,
        /// The grade that was given.
        grade: u8,
        /// The highest grade of the stage.
        max: u8,
    },
    /// A date range whose end is not after its start.
    #[error("date range {from} to {until} is empty: the end must be after the start")]
    EmptyDateRange {
        /// The first day.
        from: chrono::NaiveDate,
        /// The first day after the range.
        until: chrono::NaiveDate,
    },
    /// An identifier that is empty or has surrounding white space.
    #[error("invalid {what} id {input:?}: {reason}")]
    InvalidId {
        /// Which kind of id.
        what: &'static str,
        /// The text that was rejected.
        input: String,
        /// Why.
        reason: &'static str,
    },
    /// An identity card number (身份证号) that fails GB 11643: the number is
    /// masked (first 6 and last 4 characters kept).
    #[error("invalid id card number {input}: {reason}")]
    InvalidIdCard {
        /// The number, masked.
        input: String,
        /// Which rule it fails.
        reason: String,
    },
    /// A record whose fields contradict each other.
    #[error("invalid {what} {id}: {reason}")]
    Inconsistent {
        /// Which kind of record (`"student"`, `"school"`, `"count"`).
        what: &'static str,
        /// Its id or key.
        id: String,
        /// The field to correct, as the record names it (`status_since`,
        /// `agricultural_major`), when one field is at fault.
        field: Option<&'static str>,
        /// What is contradictory.
        reason: String,
    },
    /// A date outside the range chrono and the school calendar support.
    #[error("date out of range: {0}")]
    DateOutOfRange(String),
}
