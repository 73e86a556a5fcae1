//! # eduaid-eligibility
//!
//! The eduaid subsidy eligibility engine: a dated policy catalogue in TOML, explained entitlements and reconciliation.
#![forbid(unsafe_code)]
