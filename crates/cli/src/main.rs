//! The `eduaid` command line.
#![forbid(unsafe_code)]

fn main() {}
