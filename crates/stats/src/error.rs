//! The one error type of the statistics crate.

use eduaid_model::RosterError;
use thiserror::Error;

/// Every way a statistic can fail to be computed.
///
/// Most indicators never fail: a zero or negative denominator is a
/// [`Flag`](crate::rate::Flag) on the result, not an error. Errors are for
/// parameters that make no sense, text that is not a number, and a roster
/// or count source whose backend fails.
#[derive(Error, Debug)]
#[non_exhaustive]
pub enum Error {
    /// A parameter outside the values the method accepts.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// The parameter's name, e.g. `"duration"`.
        name: &'static str,
        /// The value that was given.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Text that should have been a decimal number or a percentage.
    #[error("invalid number {input:?}: {reason}")]
    InvalidNumber {
        /// The text that was rejected.
        input: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A calculation that has no finite answer for these inputs, e.g. a
    /// reconstructed cohort in which every pupil of a grade repeats for ever.
    #[error("{what} has no finite value at {key}: {reason}")]
    Degenerate {
        /// The indicator.
        what: &'static str,
        /// Where it failed, e.g. `"primary grade 3"`.
        key: String,
        /// Why.
        reason: &'static str,
    },
    /// A number too large for exact decimal arithmetic (past 7.9 × 10²⁸).
    #[error("{what} overflows exact decimal arithmetic at {key}")]
    Overflow {
        /// The indicator.
        what: &'static str,
        /// Where it overflowed.
        key: String,
    },
    /// The roster's backend failed or holds a broken reference.
    #[error("roster failed: {0}")]
    Roster(#[from] RosterError),
    /// A [`CountSource`](crate::source::CountSource)'s backend failed (a
    /// database, a file): its own error, kept as this error's source.
    #[error("count source failed: {0}")]
    CountSource(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// The failure of a count source's backend, its own error kept as the
    /// [`source`](std::error::Error::source): what an implementer of
    /// [`CountSource`](crate::source::CountSource) returns when its
    /// database or file fails.
    pub fn count_source(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
        Error::CountSource(error.into())
    }
}
