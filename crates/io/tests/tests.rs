//! Integration tests of eduaid-io: one binary, one module per topic.

// Helpers outside `#[test]` functions (strategies, fixtures) may unwrap and
// cast too: a panic there is a failed test, not a crash on input.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

mod atomic;
mod bounds;
mod clerks;
mod common;
mod docs;
mod faults;
mod formats;
mod garbage;
#[cfg(feature = "parquet")]
mod parquet;
mod roundtrip;
mod samples;
mod streaming;
mod table;
mod workbook;
