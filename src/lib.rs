//! # eduaid: student aid, retention statistics and work reports
//!
//! The facade over the eduaid crates, for the people who run education
//! poverty-alleviation work (教育扶贫) in China. Each member crate is
//! re-exported under a short name; all but the model are optional features
//! (on by default), so a project can depend on just the piece it needs,
//! here or directly:
//!
//! | module | crate | feature |
//! |---|---|---|
//! | [`model`] | `eduaid-model`: money, terms, schools, students, households, the [`model::Roster`] trait | always |
//! | `io` | `eduaid-io`: CSV (UTF-8/GBK), JSON and `.xlsx` readers and writers | `io` |
//! | `sample` | `eduaid-sample`: the sample county and larger generated ones | `sample` |
//! | `eligibility` | `eduaid-eligibility`: the dated policy catalogue and the aid engine | `eligibility` |
//! | `stats` | `eduaid-stats`: retention, dropout, enrolment, UIS indicators | `stats` |
//! | `report` | `eduaid-report`: the work report in Word, HTML and Markdown | `report` |
//! | `store` | `eduaid-store`: a county's records over the years in SQLite, as a roster | `store` (off by default) |
//!
//! One module is the facade's own: `county_report` (features `eligibility`,
//! `stats` and `report`) joins the engine, the statistics and the report
//! into the county work report's data, as the `county_report` example and
//! the `eduaid report` command both build it.
//!
//! ```
//! use eduaid::model::{Money, Rounding, Term};
//! let spring: Term = "2017-spring".parse()?;
//! let paid = Money::yuan(500).checked_mul_count(2409).ok_or("overflow")?;
//! assert_eq!(paid.to_wan_yuan(2, Rounding::HalfUp).to_string(), "120.45");
//! assert_eq!(spring.to_chinese(), "2017年春季学期");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use eduaid_model as model;

#[cfg(feature = "io")]
pub use eduaid_io as io;

#[cfg(feature = "sample")]
pub use eduaid_sample as sample;

#[cfg(feature = "eligibility")]
pub use eduaid_eligibility as eligibility;

#[cfg(feature = "stats")]
pub use eduaid_stats as stats;

#[cfg(feature = "report")]
pub use eduaid_report as report;

/// `eduaid-store`: a county's records over the years in a SQLite file,
/// usable as a roster (feature `store`, not on by default).
#[cfg(feature = "store")]
#[cfg_attr(docsrs, doc(cfg(feature = "store")))]
pub use eduaid_store as store;

#[cfg(all(feature = "eligibility", feature = "stats", feature = "report"))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(feature = "eligibility", feature = "stats", feature = "report")))
)]
pub mod county_report;

/// The README's examples, compiled and run as doctests so they never rot.
#[cfg(all(doctest, feature = "sample", feature = "eligibility", feature = "stats"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
