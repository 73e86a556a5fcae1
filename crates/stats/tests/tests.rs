//! Integration tests of eduaid-stats: one binary, one module per topic.

// Helpers outside `#[test]` functions build fixtures; a panic there is a
// failed test, as clippy.toml allows inside the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod issue13;
mod properties;
mod seed_figures;
mod worked_examples;
