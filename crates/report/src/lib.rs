//! # eduaid-report
//!
//! The county work report in Word, HTML and Markdown, with typed figures, charts and a figure validator.
#![forbid(unsafe_code)]
