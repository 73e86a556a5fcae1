//! Integration tests of eduaid-stats.
