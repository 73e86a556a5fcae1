//! # eduaid-stats
//!
//! Retention, dropout, enrolment and class-size statistics by the Chinese official definitions and the UIS methods, exact.
#![forbid(unsafe_code)]
