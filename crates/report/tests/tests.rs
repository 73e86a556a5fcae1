//! Integration tests of eduaid-report.
