//! Placeholder replaced by the eligibility benchmark.
fn main() {}
