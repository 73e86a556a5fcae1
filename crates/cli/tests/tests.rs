//! End-to-end tests of the eduaid binary: every command run on the files
//! `eduaid sample` writes (into a temporary folder) and on deliberately
//! broken files, checking outputs and exit codes.

// Helpers outside `#[test]` functions unwrap too: a panic in a test is a
// failed test, not a crash on input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod evaluate;
mod explain;
mod loans;
mod policy;
mod reconcile;
mod report;
mod report_files;
mod sample;
mod stats;
mod usage;
mod validate;
