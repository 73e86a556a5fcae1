//! # eduaid-sample
//!
//! The eduaid sample county, whose aggregates reproduce the seed report, and a generator of larger counties.
#![forbid(unsafe_code)]
