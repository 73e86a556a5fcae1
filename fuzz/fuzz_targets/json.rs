//! Fuzz target `json`: see `src/lib.rs` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eduaid_fuzz::json(data));
