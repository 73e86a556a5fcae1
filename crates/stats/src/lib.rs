//! # eduaid-stats: how well schools keep children, computed exactly
//!
//! The numbers a county reports about keeping children in school (控辍保学),
//! by the Chinese official definitions and the UIS methods, from the
//! aggregate counts of `eduaid-model` or straight from a roster. Part of
//! eduaid; depends on `eduaid-model` alone.
//!
//! ## Architecture
//! The indicators, their options and results are at the crate root. Two
//! modules keep their own path, because their names are also other eduaid
//! crates' names (a report has its own chart `Series`, the eligibility
//! engine its own `Tally`): [`source`] and [`series`]. Each item has that
//! one public path. The rate every indicator returns is the model's
//! ([`eduaid_model::rate`]), the one the report crate prints too.
//!
//! - **Exact rates** ([`eduaid_model::rate`]): a [`Rate`](eduaid_model::rate::Rate)
//!   holds its integer numerator and denominator, its base and outcome
//!   school years and its quality [`Flag`](eduaid_model::rate::Flag)s
//!   (zero, negative or small denominator with a Wilson interval, over
//!   100% capped or not, transfer-adjusted). It is rounded once, when
//!   shown: `format_percent` gives `"98.86%"` under 四舍五入, and
//!   `format_percent_with` takes GB/T 8170's half-even. Never a float,
//!   never NaN. Not computable is not a number: a rate whose input is
//!   missing (no intake, no population) carries the
//!   [`Missing`](eduaid_model::rate::Missing) input as its reason and shows
//!   no value. Wilson intervals (`wilson_95`) use z =
//!   [`Z_975`](eduaid_model::rate::Z_975), the exact 97.5% normal quantile
//!   (1.959964 to six places, not 1.96); figures round to places or to
//!   significant figures (`format_percent_significant`).
//! - **Rounding checks**: GB/T 8170 rounding of decimal text
//!   ([`round_str`]) and [`check_printed`], which recognises a printed figure
//!   that was rounded twice (the seed's 99.4% for 305/307) with the model's
//!   [`detect_double_rounding`](eduaid_model::rate::detect_double_rounding).
//! - **Sources and breakdowns** ([`source`]): indicators read a
//!   [`source::CountSource`] (implemented for
//!   [`Counts`](eduaid_model::Counts); plug in your own, which can fail and
//!   stop as a [`Roster`](eduaid_model::Roster) does). A
//!   [`source::Filter`] selects records; [`source::breakdown`] computes an
//!   indicator per township, school, sex, poverty group or locality by
//!   summing each group's counts first, never by averaging rates.
//! - **Chinese indicators**: retention (巩固率, [`retention`]) in named
//!   forms with explicit options, annual dropout (年辍学率,
//!   [`dropout_rate`]) definitional or 两基, disabled children's enrolment,
//!   gross enrolment, shares and the pupil-teacher ratio; [`Target`]s say
//!   whether a standard is met and by how much.
//! - **Class sizes** ([`class_sizes`]): the bands ≤ 45, 46–55, 大班额 56–65
//!   and 超大班额 ≥ 66 as shares of classes and of pupils, caps per class.
//! - **UIS methods**: flow rates by grade ([`flow_rates`]) with the UIS year
//!   alignment, the reconstructed cohort ([`reconstructed_cohort`]:
//!   repetition limit and horizon as parameters, negative dropout capped),
//!   coefficient of efficiency, years-input per graduate, girls' and boys'
//!   cohorts under one capping factor, transition, NER with capping, and
//!   parity indices (gender, poverty, location) with their adjusted form.
//! - **Rosters and time** ([`series`]): shares with their breakdowns
//!   ([`student_share`]), NER by age, and a year's grade counts from any
//!   [`Roster`](eduaid_model::Roster); any indicator over school years
//!   ([`series::Series::over`]), retention and class sizes ready-made.
//!
//! Counts a county only has in aggregate are enough for everything but the
//! net enrolment ratio, which needs ages. Indicators never fail on data: a
//! zero denominator, a negative flow or a rate above 100% is a flag on the
//! result; errors are for nonsensical parameters and for rosters and count
//! sources whose backend fails.
//!
//! ## Example
//! ```
//! use eduaid_model::*;
//! use eduaid_stats::*;
//! use eduaid_model::rate::{Flag, PrintedCheck};
//!
//! // A junior cohort of 1000 entrants in 2014-15, with transfers, and 989
//! // graduates in 2016-17.
//! let cell = |year: i32, grade: u8| -> Result<GradeCount, ModelError> {
//!     Ok(GradeCount {
//!         year: SchoolYear::new(year)?, school_id: SchoolId::new("J1")?, township: "城关镇".into(),
//!         locality: Locality::Urban, stage: Stage::Junior, grade, sex: Sex::Female,
//!         poverty: PovertyGroup::Other, enrolled: 1000, new_entrants: if grade == 1 { 1000 } else { 0 },
//!         repeaters: 0, graduates: if grade == 3 { 989 } else { 0 },
//!         transfers_in: 4, transfers_out: 2, dropouts: 0, deaths: 0,
//!         temporary_in: 0, suspended: 0, other_in: 0, other_out: 0,
//!     })
//! };
//! let counts = Counts { grades: vec![cell(2014, 1)?, cell(2015, 2)?, cell(2016, 3)?], ..Counts::default() };
//! let r = retention(&counts, RetentionKind::JuniorThreeYear, SchoolYear::new(2016)?,
//!     RetentionOptions::transfer_adjusted())?;
//! assert_eq!(r.rate.format_percent(2), "98.31%"); // 989 / (1000 + 12 − 6)
//! assert!(r.rate.flags().contains(&Flag::TransferAdjusted));
//! let target = Target::at_least("初中三年巩固率", Decimal::from(95));
//! assert_eq!(target.check(&r.rate).met, Some(true));
//! assert!(matches!(check_printed(305, 307, "99.4%", Rounding::HalfUp)?, PrintedCheck::DoubleRounding { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod classes;
use eduaid_model::{convert, rate};
mod error;
mod indicators;
mod roster;
mod rounding;
pub mod series;
pub mod source;
mod target;
mod uis;

pub use classes::{
    BandCount, CapBreach, ClassCap, ClassFilter, ClassSizes, SizeBand, check_caps, class_size_series, class_sizes,
};
pub use error::Error;
pub use indicators::{
    DropoutForm, DropoutRate, Intake, Repeaters, Retention, RetentionForm, RetentionKind, RetentionOptions,
    disabled_enrolment_rate, dropout_rate, gross_enrolment_ratio, population, pupil_teacher_ratio,
    registered_poor_share, retention,
};
pub use roster::{
    StudentFilter, StudentTrait, grade_counts_from_roster, net_enrolment_from_roster, schools_of, student_share,
    student_share_breakdown,
};
pub use rounding::{check_printed, parse_decimal, parse_percent, round_decimal, round_significant, round_str};
pub use target::{Direction, Target, TargetCheck};
pub use uis::{
    Cohort, CohortGrade, CohortOptions, CohortsBySex, GradeFlow, MAX_GRADES, MAX_SIMULATED, NegativeDropout, NerCounts,
    NetEnrolment, Parity, ParityKind, RepetitionLimit, TransitionForm, adjusted_parity, flow_rates,
    net_enrolment_ratio, parity, parity_index, percentage_of_repeaters, reconstructed_cohort,
    reconstructed_cohort_from_counts, reconstructed_cohorts_by_sex, transition_rate,
};

pub(crate) use eduaid_model::PovertyGroup;

#[cfg(test)]
mod testutil;
