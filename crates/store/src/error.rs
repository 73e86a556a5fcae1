//! The store's errors.

use eduaid_model::RosterError;
use thiserror::Error;

/// A failure of the store.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed.
    #[error("store database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A record in the store could not be read back.
    #[error("store record {what} {id} is unreadable: {reason}")]
    Corrupt {
        /// Which kind of record.
        what: &'static str,
        /// Its id.
        id: String,
        /// Why.
        reason: String,
    },
    /// The file was written by a newer version of this crate.
    #[error("store schema version {found} is newer than this program's {supported}")]
    TooNew {
        /// The file's version.
        found: i64,
        /// The newest this crate knows.
        supported: i64,
    },
    /// A record handed to the store is invalid.
    #[error("invalid record: {0}")]
    Invalid(#[from] RosterError),
    /// No finding has this key.
    #[error("no finding {0}")]
    NoFinding(String),
}

impl From<StoreError> for RosterError {
    fn from(e: StoreError) -> RosterError {
        match e {
            StoreError::Invalid(r) => r,
            other => RosterError::Backend(Box::new(other)),
        }
    }
}

/// A corrupt-record error.
pub(crate) fn corrupt(what: &'static str, id: &str, reason: &dyn std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what,
        id: id.to_string(),
        reason: reason.to_string(),
    }
}
