//! The UIS methods (UNESCO Institute for Statistics): flow rates by grade,
//! the reconstructed cohort, transition, net enrolment with capping, and
//! parity indices.
//!
//! Year alignment follows the UIS glossary: a flow rate of base year *t*
//! divides what happened by *t + 1* by the enrolment of *t*:
//!
//! - promotion `p[g,t] = (E[g+1,t+1] − R[g+1,t+1]) / E[g,t]`; for the last
//!   grade, the graduates of *t* over `E[G,t]`;
//! - repetition `r[g,t] = R[g,t+1] / E[g,t]` (not the percentage of
//!   repeaters `R[g,t]/E[g,t]`, a different indicator);
//! - dropout `d[g,t] = 1 − p − r`, negative when transfers or re-entrants
//!   push `p + r` above one (flagged, and capped in the cohort as the Zambia
//!   code does: `p/cf`, `r/cf` with `cf = p + r`).

mod cohort;
mod enrolment;
mod flow;
mod parity;
#[cfg(test)]
mod tests;

pub use cohort::{
    Cohort, CohortGrade, CohortOptions, CohortsBySex, MAX_GRADES, MAX_SIMULATED, NegativeDropout, RepetitionLimit,
    reconstructed_cohort, reconstructed_cohort_from_counts, reconstructed_cohorts_by_sex,
};
pub use enrolment::{NerCounts, NetEnrolment, net_enrolment_ratio};
pub use flow::{GradeFlow, TransitionForm, flow_rates, percentage_of_repeaters, transition_rate};
pub use parity::{Parity, ParityKind, adjusted_parity, parity, parity_index};
