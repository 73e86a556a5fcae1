//! Integration tests of eduaid-sample.
