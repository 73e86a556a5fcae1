//! # eduaid-io
//!
//! Read and write eduaid records as CSV (UTF-8 or GBK), JSON and Excel xlsx, reporting every bad row.
#![forbid(unsafe_code)]
