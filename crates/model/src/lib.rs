//! # eduaid-model: the domain every eduaid crate shares
//!
//! eduaid is a toolkit for the people who run education poverty-alleviation
//! work (教育扶贫) in China: who is owed which student aid, how well schools
//! keep children, and the work report that goes up the chain. It is a set
//! of crates that meet only through this one:
//!
//! | crate | depends on | what for |
//! |---|---|---|
//! | `eduaid-model` (this) | nothing of ours | the types and the [`Roster`] trait |
//! | `eduaid-io` | model | CSV (UTF-8, GBK), JSON and `.xlsx` in and out |
//! | `eduaid-sample` | model | the sample county and larger generated ones |
//! | `eduaid-eligibility` | model | the dated policy catalogue and the aid engine |
//! | `eduaid-stats` | model | retention, dropout, enrolment and UIS indicators |
//! | `eduaid-report` | model | the work report in Word, HTML and Markdown |
//! | `eduaid` | all | the facade, examples and benchmarks |
//!
//! Engine, statistics and report never depend on each other; a project that
//! only computes aid links the model and the eligibility crate, nothing else.
//!
//! ## What is here
//! - [`Money`]: exact yuan over `rust_decimal`, 万元 and 亿元 conversions with
//!   the [`Rounding`] named at the call (四舍五入 by default).
//! - [`SchoolYear`] and [`Term`]: 1 September to 31 August, autumn then
//!   spring, with the date ranges and the Chinese forms (2017年春季学期).
//! - [`School`], [`Student`], [`Household`] (poverty and assistance status
//!   over date ranges), [`Disbursement`] (aid paid), and the aggregate
//!   [`Counts`] that statistics are computed from.
//! - Ids ([`StudentId`], [`SchoolId`], [`HouseholdId`]) in one canonical
//!   form ([`normalize_id`]: NFKC, no zero-width characters), and
//!   [`IdCard`], the GB 11643 check of a 身份证号.
//! - [`Roster`]: the read-only seam a user implements over their own
//!   database; [`MemoryRoster`] holds one in memory.
//! - [`rate`]: the exact [`rate::Rate`] (integer numerator and
//!   denominator, quality flags, rounded once when shown), which the
//!   statistics crate computes and the report crate prints, and
//!   [`rate::detect_double_rounding`], the one check for a figure rounded
//!   in successive steps. Its names (`Rate`, `Ratio`, `Flag`, `Missing`)
//!   keep the module's path; [`convert`] holds the one clamped integer
//!   conversion.
//!
//! Every constructor validates and returns a [`ModelError`]; every type is
//! `serde`-serializable; enums read both their English codes and their
//! Chinese names (`"小学".parse::<Stage>()`).
//!
//! ## Example
//! ```
//! use eduaid_model::*; // NaiveDate too: the model re-exports chrono's date
//!
//! let d = |s: &str| s.parse::<NaiveDate>();
//! let mut roster = MemoryRoster::new();
//! roster.add_school(School::new(
//!     SchoolId::new("S1")?, "甲镇中心小学", SchoolKind::Primary,
//!     Ownership::Public, "甲镇", Locality::Rural,
//! ))?;
//! let mut home = Household::new(HouseholdId::new("H1")?);
//! home.add_status(StatusKind::RegisteredPoor, d("2015-10-01")?, None)?;
//! roster.add_household(home)?;
//! roster.add_student(Student {
//!     id: StudentId::new("P0001")?, name: "学生甲".into(), sex: Sex::Female,
//!     birth_date: d("2008-05-01")?, school_id: SchoolId::new("S1")?,
//!     stage: "小学".parse()?, grade: 3, boarder: false, disability: None,
//!     migrant: false, left_behind: true, hukou: Hukou::Rural,
//!     agricultural_major: false, household_id: Some(HouseholdId::new("H1")?),
//!     status: EnrolmentStatus::Enrolled, status_since: d("2014-09-01")?,
//!     helper: Some("帮扶教师甲".into()),
//! })?;
//!
//! let spring: Term = "2017年春季学期".parse()?;
//! let student = roster.student(&StudentId::new("P0001")?)?.ok_or("missing")?;
//! let home = roster.household_of(&student)?.ok_or("no household")?;
//! assert!(home.registered_poor_on(spring.reference_date()));
//! assert_eq!(Money::yuan(500).checked_mul_count(8063), Some(Money::yuan(4_031_500)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

#[macro_use]
mod macros;

pub mod convert;
pub mod rate;

mod catalogue;
mod counts;
mod disbursement;
mod error;
mod household;
mod id_card;
mod ids;
mod loan;
mod money;
mod privacy;
mod roster;
mod school;
mod student;
mod time;

pub use catalogue::{ProgramCatalogue, ProgramNames};
pub use counts::{Counts, DisabledChildrenCount, GradeCount, PopulationCount, PovertyGroup, TeacherCount};
pub use disbursement::{Channel, Disbursement};
pub use error::ModelError;
pub use household::{Household, StatusKind, StatusSpell};
pub use id_card::{IdCard, mask as mask_id_card};
pub use ids::{HouseholdId, ProgramId, SchoolId, StudentId, is_zero_width, normalize_id};
pub use loan::StudentLoan;
pub use money::{Money, Rounding};
pub use privacy::{mask_id_numbers, mask_name};
pub use roster::{IdHasher, Linked, MemoryRoster, Roster, RosterError, Visit, Watch, Watched};
pub use school::{Class, Locality, Ownership, School, SchoolKind, Stage};
pub use student::{DisabilityKind, EnrolmentStatus, Hukou, Sex, Student};
pub use time::{DateRange, SchoolYear, Season, Term, YEAR_RANGE};

/// Re-exported so users name the same versions the model uses.
pub use chrono::NaiveDate;
/// Re-exported so users name the same version the model uses.
pub use rust_decimal::Decimal;
