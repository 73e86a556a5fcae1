//! Integration tests of eduaid-model.

// Helpers outside `#[test]` functions (fixtures) unwrap too: a panic there is
// a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

mod properties;
mod roster;
