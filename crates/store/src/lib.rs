//! # eduaid-store: a county's records over the years, in SQLite
//!
//! A [`Store`] is one SQLite file (the library is compiled in, nothing to
//! install) holding a county's schools, students, household status spells,
//! disbursements and reconciliation findings with their follow-up
//! (处理情况, 经办人). Every import is recorded — file, kind, time, rows read,
//! accepted and rejected — and every record names the import it came from,
//! so a figure can be traced back to a file.
//!
//! [`Store`] implements [`Roster`], so the aid engine, the statistics and
//! the work report run on it unchanged; [`Roster::visit_linked`] loads the
//! schools and households once and streams the students in batches.
//!
//! The schema is versioned with `PRAGMA user_version`: [`Store::open`]
//! applies, in one transaction each, the migrations a file has not had yet,
//! so a store written by an older version opens in a newer one.
//!
//! ```
//! use eduaid_model::Roster;
//! use eduaid_store::Store;
//! let store = Store::in_memory()?;
//! assert_eq!(store.student_count()?, 0);
//! assert_eq!(store.schema_version()?, eduaid_store::SCHEMA_VERSION);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Roster`]: eduaid_model::Roster
//! [`Roster::visit_linked`]: eduaid_model::Roster::visit_linked
#![forbid(unsafe_code)]

mod error;
mod file;
mod findings;
mod import;
mod records;
mod roster;
mod values;

pub use error::StoreError;
pub use file::{SCHEMA_VERSION, Store};
pub use records::{FileCounts, FindingRecord, ImportRecord, StoreCounts};
