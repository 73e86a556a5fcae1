//! The engine: programs evaluated for students and terms, one at a time
//! with explanations, or streamed over a whole roster into totals.
//!
//! `sink.rs` holds what a run gives out (rows, the `Sink` trait, run
//! options), `totals.rs` the totals it sums, `memo.rs` the grouping of
//! students alike and its hashing.
//! `explain.rs` evaluates one student with explanations, `run.rs` streams
//! a whole roster into totals.

mod explain;
mod memo;
mod run;
mod sink;
mod totals;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

use eduaid_model::{Household, Money, ProgramId, School, Stage, Student, StudentId, Term, Visit};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::Error;
use crate::by_school::SchoolTallies;
use crate::condition::{Reads, stage_ix};
use crate::facts::StatusSet;
use crate::missing::{MissingData, MissingRow};
use crate::policy::{Limit, Policy};
use crate::program::{Basis, Benefit, Facts, PolicyProgram, Program, ProgramInfo, TermContext, TermProgram, Trace};
use crate::schema::LimitKind;

pub use explain::{Entitlement, Explanation};
pub(crate) use memo::Slots;
#[cfg(test)]
use memo::{FastHash, fnv};
pub use run::OwedMap;
pub(crate) use sink::Out;
pub use sink::{Row, RunOptions, Sink};
pub use totals::{ProgramTotals, Skipped, Tally, Totals};

/// The eligibility engine: a list of programs (from a policy, from Rust,
/// or both) and the limits across them.
#[derive(Debug, Default)]
pub struct Engine {
    pub(crate) programs: Vec<Box<dyn Program>>,
    /// For each program, the policy program it is, if it is one (the
    /// packed path compiles those).
    pub(crate) sources: Vec<Option<Arc<PolicyProgram>>>,
    limits: Vec<Limit>,
    policy: Option<Arc<Policy>>,
}

/// A school as the programs see it, kept once per school by a run: its
/// kind, place and dates, never its classes (memory stays flat).
pub(crate) fn program_school(found: &School) -> School {
    let mut sc = found.clone();
    sc.classes = Vec::new();
    sc
}

/// A program's amount is never negative: a negative result (from a Rust
/// program) counts as zero.
fn not_negative(a: Money) -> Decimal {
    let a = a.as_decimal();
    if a.is_sign_negative() { Decimal::ZERO } else { a }
}

/// A limit resolved for a term.
#[derive(Debug)]
pub(crate) struct PlanLimit<'a> {
    pub(crate) limit: &'a Limit,
    pub(crate) members: Vec<usize>,
    pub(crate) cap: Option<Decimal>,
}

/// The engine resolved for one term: each program prepared once.
pub struct TermPlan<'a> {
    cx: TermContext,
    pub(crate) programs: Vec<Box<dyn TermProgram + 'a>>,
    pub(crate) limits: Vec<PlanLimit<'a>>,
    /// For each stage, the indices of the programs that may apply.
    pub(crate) by_stage: Vec<Vec<usize>>,
    /// For each stage, what those programs read of a student, if every
    /// one of them says.
    reads: Vec<Option<Reads>>,
    /// For each program, whether it may need data a record lacks.
    pub(crate) may_miss: Vec<bool>,
}

impl fmt::Debug for TermPlan<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TermPlan")
            .field("cx", &self.cx)
            .field("programs", &self.programs.len())
            .field("limits", &self.limits)
            .finish()
    }
}

impl TermPlan<'_> {
    /// The term's context.
    #[must_use]
    pub fn context(&self) -> &TermContext {
        &self.cx
    }
}

impl Engine {
    /// An engine with no programs.
    #[must_use]
    pub fn empty() -> Engine {
        Engine::default()
    }

    /// An engine with every program and limit of `policy`.
    #[must_use]
    pub fn new(policy: Policy) -> Engine {
        let policy = Arc::new(policy);
        let sources: Vec<Arc<PolicyProgram>> = policy
            .programs()
            .keys()
            .filter_map(|id| PolicyProgram::new(&policy, id))
            .map(Arc::new)
            .collect();
        Engine {
            programs: sources
                .iter()
                .map(|p| Box::new(Arc::clone(p)) as Box<dyn Program>)
                .collect(),
            sources: sources.into_iter().map(Some).collect(),
            limits: policy.limits().to_vec(),
            policy: Some(policy),
        }
    }

    /// The engine of the built-in national ← Hunan ← Hunan county 2016-17
    /// policy.
    ///
    /// # Errors
    /// Only if a built-in file is broken.
    pub fn hunan_county_2016() -> Result<Engine, Error> {
        Ok(Engine::new(Policy::hunan_county_2016()?))
    }

    /// Add a program written in Rust.
    ///
    /// # Errors
    /// [`Error::DuplicateProgram`] if the id is taken.
    pub fn add_program(&mut self, program: impl Program + 'static) -> Result<&mut Engine, Error> {
        let id = program.info().id.clone();
        if self.programs.iter().any(|p| p.info().id == id) {
            return Err(Error::DuplicateProgram { id: id.to_string() });
        }
        self.programs.push(Box::new(program));
        self.sources.push(None);
        Ok(self)
    }

    /// The policy the engine was built from, if any.
    #[must_use]
    pub fn policy(&self) -> Option<&Policy> {
        self.policy.as_deref()
    }

    /// The programs, in evaluation order.
    pub fn programs(&self) -> impl Iterator<Item = &ProgramInfo> {
        self.programs.iter().map(|p| p.info())
    }

    /// The index of program `id`.
    fn index(&self, id: &str) -> Option<usize> {
        self.programs.iter().position(|p| p.info().id.as_str() == id)
    }

    /// Resolve every program for `term`.
    ///
    /// # Errors
    /// [`Error::Unprepared`] if a program cannot be resolved for the term
    /// (a rule in force whose parameter has a gap in its dates).
    pub fn plan(&self, term: Term) -> Result<TermPlan<'_>, Error> {
        let reference = term.reference_date();
        let cx = TermContext {
            term,
            reference,
            window: self.policy.as_ref().and_then(|p| p.calendar().window(term)),
        };
        let programs: Vec<Box<dyn TermProgram + '_>> =
            self.programs.iter().map(|p| p.prepare(&cx)).collect::<Result<_, _>>()?;
        let limits = self
            .limits
            .iter()
            .filter(|l| l.in_force(reference))
            .map(|limit| PlanLimit {
                limit,
                members: limit.programs.iter().filter_map(|p| self.index(p)).collect(),
                cap: limit.cap_per_term.as_ref().and_then(|c| {
                    self.policy
                        .as_ref()?
                        .parameter(c)?
                        .at(reference)?
                        .value
                        .for_stage(Stage::Primary)
                        .map(Money::as_decimal)
                }),
            })
            .collect();
        let by_stage: Vec<Vec<usize>> = Stage::ALL
            .iter()
            .map(|st| {
                programs
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.may_apply(*st))
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        let reads = by_stage
            .iter()
            .map(|ps| {
                ps.iter().try_fold(Reads::NOTHING, |r, &i| {
                    programs.get(i).and_then(|p| p.reads()).map(|x| r | x)
                })
            })
            .collect();
        let may_miss = programs.iter().map(|p| p.may_miss_data()).collect();
        Ok(TermPlan {
            cx,
            programs,
            limits,
            by_stage,
            reads,
            may_miss,
        })
    }

    /// Evaluate one student in one planned term into `out` (one slot per
    /// program), with traces if `traces` is given (one per program).
    fn evaluate_into(
        &self,
        plan: &TermPlan<'_>,
        facts: &Facts<'_>,
        out: &mut [Option<Decimal>],
        mut traces: Option<&mut [Trace]>,
    ) {
        let s = facts.student;
        if !s.in_school_on(plan.cx.reference) {
            out.iter_mut().for_each(|o| *o = None);
            if let Some(ts) = traces {
                let reason = if s.status.is_in_school() {
                    format!(
                        "joined the school on {} ({}), after the term's reference date {}",
                        s.status_since, s.status, plan.cx.reference
                    )
                } else {
                    format!(
                        "left school on {} ({}), before the term's reference date {}",
                        s.status_since, s.status, plan.cx.reference
                    )
                };
                for t in ts.iter_mut() {
                    t.push_not_entitled(format_args!("{reason}"));
                }
            }
            return;
        }
        match traces.as_deref_mut() {
            None => {
                // Only the programs that may apply to the student's stage.
                out.iter_mut().for_each(|o| *o = None);
                for &i in &plan.by_stage[stage_ix(s.stage)] {
                    out[i] = plan.programs[i].evaluate(facts, None).map(not_negative);
                }
            }
            Some(ts) => {
                for (i, p) in plan.programs.iter().enumerate() {
                    out[i] = p.evaluate(facts, ts.get_mut(i)).map(not_negative);
                }
            }
        }
        for l in &plan.limits {
            match l.limit.kind {
                LimitKind::Exclusive => {
                    let mut keep: Option<usize> = None;
                    for &m in &l.members {
                        if let Some(a) = out[m] {
                            if keep.is_none_or(|k| out[k].is_some_and(|b| a > b)) {
                                keep = Some(m);
                            }
                        }
                    }
                    let Some(k) = keep else { continue };
                    for &m in &l.members {
                        if m != k && out[m].is_some() {
                            out[m] = None;
                            if let Some(t) = traces.as_deref_mut().and_then(|ts| ts.get_mut(m)) {
                                let kept = &self.programs[k].info().id;
                                t.push_limit(
                                    &l.limit.id,
                                    format_args!("cannot be combined with {kept}: the larger amount is kept"),
                                    &l.limit.cite,
                                );
                                t.push_not_entitled(format_args!(
                                    "cannot be combined with {kept}: the larger amount is kept"
                                ));
                            }
                        }
                    }
                }
                LimitKind::Cap => {
                    let Some(cap) = l.cap else { continue };
                    let sum = l
                        .members
                        .iter()
                        .filter_map(|&m| out[m])
                        .try_fold(Decimal::ZERO, |a, b| a.checked_add(b));
                    // A sum past Decimal's range is far past any cap: cut
                    // from the top of the range.
                    let sum = sum.unwrap_or(Decimal::MAX);
                    let mut excess = sum - cap;
                    for &m in l.members.iter().rev() {
                        if excess <= Decimal::ZERO {
                            break;
                        }
                        if let Some(a) = out[m] {
                            let cut = a.min(excess);
                            out[m] = Some(a - cut);
                            excess -= cut;
                            if let Some(t) = traces.as_deref_mut().and_then(|ts| ts.get_mut(m)) {
                                t.push_limit(
                                    &l.limit.id,
                                    format_args!("together capped at {}元 a term: reduced by {}元", cap, cut),
                                    &l.limit.cite,
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_slots_take_small_and_huge_numbers() {
        let mut slots = Slots::default();
        assert_eq!(slots.get(0), None);
        slots.set(3, 0);
        slots.set(usize::MAX, 1);
        assert_eq!(slots.get(3), Some(0));
        assert_eq!(slots.get(2), None);
        assert_eq!(slots.get(usize::MAX), Some(1));
        assert!(slots.near.len() <= 4, "a huge number never sizes the vector");
    }

    #[test]
    fn the_key_hasher_spreads_packed_keys() {
        use std::hash::BuildHasher;
        let h = |k: u128| FastHash::default().hash_one(k);
        assert_ne!(h(1), h(1 << 64));
        assert_ne!(h(1 << 32), h(1 << 36));
        assert_ne!(fnv(b"S1"), fnv(b"S2"));
    }

    #[test]
    fn negative_amounts_count_as_zero() {
        assert_eq!(not_negative(Money::yuan(-5)), Decimal::ZERO);
        assert_eq!(not_negative(Money::yuan(5)), Decimal::from(5));
    }
}
