//! # eduaid-sample: the sample county and larger generated ones
//!
//! A deterministic, synthetic county — 示范县, with eighteen invented
//! townships and the urban district 城关镇 — whose aggregates reproduce the
//! seed report's figures for school year 2016-17 exactly, as
//! `docs/crate-contracts.md` lists them: the students by stage (126964), the
//! registered-poor (建档立卡) students behind 673.5875万元 of living
//! subsidy, the preschool, senior and vocational aid recipients, the
//! nutrition plan's schools and students, the disabled children, the migrant
//! share of the urban district, the urban class sizes, and cohort counts
//! whose retention rates are the report's. Nobody in it is real: names come
//! from syllable tables.
//!
//! ## Architecture
//! - [`county()`] builds a [`SampleCounty`]: an
//!   [`eduaid_model::MemoryRoster`] of schools (with their classes and
//!   nutrition-plan dates), households (with dated status spells) and
//!   students; the [`Disbursement`](eduaid_model::Disbursement)s actually
//!   paid, with three [`PlantedFault`]s for reconciliation to find; and the
//!   aggregate [`Counts`](eduaid_model::Counts) (grade counts 2009-10 to
//!   2018-19, school-age population, disabled children, teachers). Each
//!   step apportions by largest remainder, so totals are exact by
//!   construction, and the tests recount every figure from the records.
//! - [`county_with_seed`] builds the same county from another seed: other
//!   records, the same contract figures.
//! - [`figures`] names the contract figures as constants.
//! - [`Generator`] makes counties of any size with the sample's shares. It
//!   implements [`eduaid_model::Roster`] and regenerates each batch of
//!   students from their index, so 10 million students take no more memory
//!   than one batch — what the eligibility benchmark runs on.
//! - [`SplitMix64`] is the crate's own random number generator: the
//!   records never change with a dependency's version.
//!
//! ## What is in the county
//! - **349 schools.** In 城关镇: five public primaries (113 classes in
//!   2016-17, 164 in 2018-19, the same 8692 pupils), one private primary
//!   (188 pupils), five junior schools, four senior high schools, the
//!   vocational school and twelve kindergartens. In each of the eighteen
//!   townships: a central primary, a junior school, seven village
//!   primaries, five teaching points (grades 1–4; their pupils move to the
//!   central primary for grade 5) and three kindergartens (inclusive and
//!   not); twelve townships have a nine-year school, two a high school,
//!   one the county special school. The special school is rural and one of
//!   the 265 rural compulsory schools, all in the nutrition plan (178 from
//!   2017-06-01, 87 from 2017-09-01); no school of 城关镇 ever is.
//! - **Students.** All 126964 are in school on 2016-09-01 and on
//!   2017-03-01: those who leave (transfers, dropouts, two deaths) do so
//!   after 2017-03-01, and 36 records of students who left in the summer of
//!   2016 are in school on neither date. Birth dates fit the grade, boarders
//!   are mostly in rural junior and nine-year schools, migrant children are
//!   in 城关镇 (1642 of its 8880 primary pupils), left-behind children in
//!   the townships.
//! - **Statuses** are household spells. Registered-poor households (siblings
//!   share one) were registered between 2014-10 and 2016-06, a fifth exit
//!   in December 2017; a few households were registered only on 2017-05-10
//!   and a few exited on 2016-12-28, so neither counts on 2017-03-01. Dibao
//!   and hardship appear only among senior and vocational students, the
//!   first-tier statuses (orphan, de facto unsupported, destitute) only
//!   among seniors, exactly as the contract's grants need. Every student of
//!   a household ever registered poor has a helper (帮扶责任人).
//! - **Disbursements** cover what is paid to students: `living-subsidy`,
//!   `preschool-aid`, `senior-grant`, `vocational-grant` and `rain-and-dew`
//!   to a bank card, and `nutrition` (88元 for June 2017) in kind. Fee and
//!   tuition waivers and free textbooks are paid to schools, not students,
//!   and are not recorded.
//! - **Counts**: see [`SampleCounty::counts`].
//!
//! The crate depends on `eduaid-model` alone; the eligibility engine
//! (`eduaid-eligibility`) and the statistics (`eduaid-stats`) read its
//! records through the model's types.
//!
//! ## Example
//! ```
//! use eduaid_model::{Roster, Stage};
//! use eduaid_sample::{county, figures};
//!
//! let c = county();
//! let spring = "2017-03-01".parse()?;
//! let mut primary = 0u64;
//! c.roster.visit_students(&mut |batch| {
//!     primary += batch.iter().filter(|s| s.stage == Stage::Primary && s.in_school_on(spring)).count() as u64;
//!     std::ops::ControlFlow::Continue(())
//! })?;
//! assert_eq!(primary, figures::PRIMARY);
//! assert_eq!(c.planted_faults.len(), 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

use eduaid_model::convert;
mod counts;
mod county;
pub mod figures;
mod generator;
mod loans;
mod names;
mod plan;
mod rng;

pub use county::{
    COUNTY_NAME, FaultKind, PlantedFault, SEED, SampleCounty, county_or_error as try_county, county_with_seed,
};
pub use generator::{Generator, GeneratorStats};
pub use loans::{loans, loans_with_seed};
pub use names::{TOWNSHIPS, URBAN_DISTRICT};
pub use rng::{SplitMix64, mix, scale};

/// Everything that can go wrong in this crate.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum Error {
    /// A generated record failed the model's validation.
    #[error("invalid sample record: {0}")]
    Model(#[from] eduaid_model::ModelError),
    /// The roster refused a generated record.
    #[error("sample roster: {0}")]
    Roster(#[from] eduaid_model::RosterError),
    /// The sample's own plan could not be met (a bug in this crate).
    #[error("sample county plan: {0}")]
    Build(String),
    /// A generator was asked for something it cannot make.
    #[error("invalid generator setting {key}: {reason}")]
    Setting {
        /// The setting.
        key: &'static str,
        /// Why it was refused.
        reason: String,
    },
}

/// The sample county (示范县) of school year 2016-17.
///
/// Deterministic: every call returns the same records. Builds in well under
/// a second in release.
///
/// # Panics
/// Never for any input (it takes none): the build is fixed data that the
/// crate's tests build and check in full. Use [`try_county`] to receive a
/// failure as an [`Error`] instead.
#[must_use]
pub fn county() -> SampleCounty {
    match county::county_or_error() {
        Ok(c) => c,
        Err(e) => unreachable!("the sample county is fixed data and is tested to build: {e}"),
    }
}
