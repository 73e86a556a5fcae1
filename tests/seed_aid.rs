//! The seed report's aid figures from the sample county (filled in with the eligibility engine).
