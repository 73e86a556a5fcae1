//! Integration tests of eduaid-report: one binary, one module per topic.

// Fixtures outside #[test] functions unwrap too: a failure there is a
// failed test, not a crash on input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod docx;
mod figures;
mod layering;
mod renderers;
mod snapshots;
mod templates;
mod validator;
