//! Integration tests of eduaid-sample: every contract figure recounted from
//! the records themselves, determinism, and the generator.

// Tests may unwrap (clippy.toml allows it in test functions); the shared
// helpers outside them may too: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;
mod contract;
mod counts;
mod determinism;
mod disbursements;
mod generator;
