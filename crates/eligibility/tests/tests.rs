//! Integration tests of eduaid-eligibility.
