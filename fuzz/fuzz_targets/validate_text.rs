//! Fuzz target `validate_text`: see `src/lib.rs` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eduaid_fuzz::validate_text(data));
