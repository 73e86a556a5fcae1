//! Integration tests of eduaid-eligibility.
// Helpers outside `#[test]` functions unwrap too: a panic in a test is a
// failed test, not a crash on input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod anchors;
mod cases;
mod engine;
mod loans;
mod overlays;
mod packed;
mod policy_errors;
mod properties;
mod reconcile;
mod util;
