//! # eduaid-eligibility: who is owed which student aid, and why
//!
//! The subsidy eligibility engine of eduaid. For any roster
//! ([`eduaid_model::Roster`]) and any term, it computes every student's
//! entitlements under the policy in force, explains each one down to the
//! policy document, says in a clerk's words why a student is *not*
//! entitled, totals a whole roster in one streaming pass, and reconciles
//! what was owed against what was paid (应补尽补).
//!
//! ## Architecture
//!
//! ```text
//!  policy/*.toml ──► Layer ──► PolicySet::compose ──► Policy ──► Engine ◄── Program (Rust)
//!  (national ← province ← county ← user file)                     │
//!                                          Engine::plan(term) ──► TermPlan (parameters resolved once)
//!                                                                 │
//!       Roster ──► Engine::run ──► Totals (人 and 人次 by program, term, stage, township, school)
//!                  Engine::explain / why_not ──► Explanation with Trace and citations
//!       Disbursements ──► reconcile ──► Reconciliation (unpaid, ineligible, duplicate, …)
//! ```
//!
//! - **Policy is data.** A policy file (schema in `POLICY.md`, types in
//!   [`schema`]) declares documents, dated [`Parameter`]s, programs made of
//!   rules, limits across programs and a school-day calendar. Every rule and
//!   every value cites a document, a clause and how sure the source is
//!   ([`schema::Certainty`]). Overlays compose: a layer's rules take precedence over
//!   the layers below (default logic: a county exception for a group needs
//!   no restatement of the national rule), and a layer's parameter values
//!   override the values below where they hold.
//! - **The engine is trait-shaped.** A [`Program`] is prepared once per
//!   term into a [`TermProgram`] that is evaluated per student. Programs from
//!   TOML ([`PolicyProgram`]) and programs written in Rust sit side by side
//!   in one [`Engine`].
//! - **Batches are fast and exact.** [`Engine::run`] reads the roster through
//!   [`eduaid_model::Roster::visit_linked`] and, without traces, evaluates
//!   once for each group of students in a school who agree on every fact
//!   the programs read ([`Reads`]), counting the group; the totals are the
//!   same as student by student, which a property test checks.
//! - **Money is exact.** Amounts are `rust_decimal` throughout; an annual
//!   amount is split exactly in half per term; nothing is rounded until it
//!   is shown.
//! - **Built in:** the national catalogue 2007 to today ([`NATIONAL_TOML`]),
//!   Hunan's provincial overlay ([`HUNAN_TOML`]) and the Hunan county
//!   overlay of 2016-17 that the seed county is evaluated under
//!   ([`HUNAN_COUNTY_2016_TOML`]), with declarative test cases
//!   ([`NATIONAL_CASES_TOML`], [`HUNAN_COUNTY_CASES_TOML`]) run by
//!   `cargo test` and by [`cases::run_cases`] on a user's own file.
//!
//! Sibling crates: `eduaid-model` (the types), `eduaid-sample` (a county to
//! evaluate), `eduaid-report` (which prints what this crate computes).
//!
//! ## Example
//! ```
//! use eduaid_eligibility::{Engine, Policy};
//! use eduaid_model::*;
//!
//! let d = |s: &str| s.parse::<NaiveDate>();
//! let mut roster = MemoryRoster::new();
//! roster.add_school(School::new(
//!     SchoolId::new("S1")?, "甲镇中心小学", SchoolKind::Primary,
//!     Ownership::Public, "甲镇", Locality::Rural,
//! ))?;
//! let mut home = Household::new(HouseholdId::new("H1")?);
//! home.add_status(StatusKind::RegisteredPoor, d("2017-05-10")?, None)?;
//! roster.add_household(home)?;
//! roster.add_student(Student {
//!     id: StudentId::new("P1")?, name: "学生甲".into(), sex: Sex::Female,
//!     birth_date: d("2008-05-01")?, school_id: SchoolId::new("S1")?,
//!     stage: Stage::Primary, grade: 3, boarder: false, disability: None,
//!     migrant: false, left_behind: false, hukou: Hukou::Rural,
//!     agricultural_major: false, household_id: Some(HouseholdId::new("H1")?),
//!     status: EnrolmentStatus::Enrolled, status_since: d("2014-09-01")?, helper: None,
//! })?;
//!
//! let engine = Engine::new(Policy::hunan_county_2016()?);
//! let spring: Term = "2017-spring".parse()?;
//! let autumn: Term = "2017-autumn".parse()?;
//! let why = engine.why_not(&roster, &StudentId::new("P1")?, "living-subsidy", spring)?;
//! assert_eq!(why.as_deref(), Some("not registered-poor on 2017-03-01: registered on 2017-05-10"));
//! let totals = engine.totals(&roster, &[autumn])?;
//! assert_eq!(totals.program("living-subsidy").map(|p| p.total.amount), Some(Money::yuan(500)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod accumulate;
mod basis;
mod by_school;
pub mod cases;
mod catalogue;
mod condition;
mod engine;
mod error;
mod facts;
pub mod loans;
mod missing;
mod packed;
mod policy;
mod program;
mod ranges;
mod reconcile;
pub mod schema;

pub use basis::{BasisTotals, ProgramBasis};
pub use by_school::{SchoolTallies, SchoolTalliesIter};
pub use condition::{Reads, status_words};
pub use engine::{
    Engine, Entitlement, Explanation, OwedMap, ProgramTotals, Row, RunOptions, Sink, Skipped, Tally, TermPlan, Totals,
};
pub use error::Error;
pub use facts::StatusSet;
pub use missing::{MISSING_TUITION, MissingData, MissingRow};
pub use packed::PackedRoster;
pub use policy::{
    Calendar, Citation, DatedValue, HUNAN_COUNTY_2016_TOML, HUNAN_TOML, Layer, Limit, NATIONAL_TOML, Parameter, Policy,
    PolicySet, ProgramSpec, Rule, Value, Window, read_toml_text, weekdays,
};
pub use program::{Basis, Benefit, Facts, PolicyProgram, Program, ProgramInfo, Step, TermContext, TermProgram, Trace};
pub use reconcile::{
    Count, Finding, FindingKind, Owed, Payee, Reconciliation, Scope, not_owed_evidence, owed_in, reconcile,
    reconcile_owed, visit_owed_in,
};

/// The built-in test cases of the national catalogue.
pub const NATIONAL_CASES_TOML: &str = include_str!("../policy/cases-national.toml");
/// The built-in test cases of the Hunan county overlay of 2016-17.
pub const HUNAN_COUNTY_CASES_TOML: &str = include_str!("../policy/cases-hunan-county-2016.toml");
