//! The seed report's statistics from the sample county (filled in with the statistics crate).
