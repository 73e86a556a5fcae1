//! Integration tests of eduaid-io.
