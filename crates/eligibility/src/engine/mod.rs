//! The engine: programs evaluated for students and terms, one at a time
//! with explanations, or streamed over a whole roster into totals.
//!
//! `sink.rs` holds what a run gives out (rows, the `Sink` trait, run
//! options), `totals.rs` the totals it sums, `memo.rs` the grouping of
//! students alike and its hashing.

mod memo;
mod sink;
mod totals;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

use eduaid_model::convert::clamped;
use eduaid_model::{Household, Money, ProgramId, Roster, School, Stage, Student, StudentId, Term, Visit};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::Error;
use crate::accumulate::{Acc, SchoolBook};
use crate::by_school::SchoolTallies;
use crate::condition::{Reads, STAGES, stage_ix};
use crate::facts::StatusSet;
use crate::missing::{MissingAcc, MissingData, MissingRow};
use crate::policy::{Limit, Policy};
use crate::program::{Basis, Benefit, Facts, PolicyProgram, Program, ProgramInfo, TermContext, TermProgram, Trace};
use crate::schema::LimitKind;

pub(crate) use memo::Slots;
#[cfg(test)]
use memo::{FastHash, fnv};
use memo::{Group, Hit, Memo};
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

/// One entitlement, owned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entitlement {
    /// The student.
    pub student: StudentId,
    /// The program.
    pub program: ProgramId,
    /// Kind of benefit.
    pub benefit: Benefit,
    /// The term.
    pub term: Term,
    /// The amount owed for the term, exact.
    pub amount: Money,
    /// How it was decided, if traces were asked for.
    pub trace: Option<Trace>,
}

/// One student's entitlements in a term and why not for every other
/// program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The student.
    pub student: StudentId,
    /// The student's name.
    pub name: String,
    /// The term.
    pub term: Term,
    /// What the student is owed, with traces.
    pub entitled: Vec<Entitlement>,
    /// Each program the student is not entitled to: its id, name, the
    /// reason in a clerk's words and the trace.
    pub not_entitled: Vec<(ProgramId, String, String, Trace)>,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} {} — {} ({})",
            self.student,
            self.name,
            self.term.to_chinese(),
            self.term
        )?;
        for e in &self.entitled {
            writeln!(f, "{}: {}", e.program, e.amount)?;
            if let Some(t) = &e.trace {
                write!(f, "{t}")?;
            }
        }
        for (id, name, reason, _) in &self.not_entitled {
            writeln!(f, "{id} ({name}): not entitled — {reason}")?;
        }
        Ok(())
    }
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

    fn facts_for<'a, R: Roster + ?Sized>(
        roster: &'a R,
        student: &Student,
    ) -> Result<(std::borrow::Cow<'a, School>, Option<std::borrow::Cow<'a, Household>>), Error> {
        let school = roster.school_of(student)?;
        let household = roster.household_of(student)?;
        Ok((school, household))
    }

    /// One student's entitlements for each of `terms`, with traces.
    ///
    /// # Errors
    /// [`Error::Roster`] if the student's school or household is missing.
    pub fn entitlements<R: Roster + ?Sized>(
        &self,
        roster: &R,
        student: &Student,
        terms: &[Term],
    ) -> Result<Vec<Entitlement>, Error> {
        let (school, household) = Engine::facts_for(roster, student)?;
        let mut out = Vec::new();
        let n = self.programs.len();
        let mut amounts = vec![None; n];
        for term in terms {
            let plan = self.plan(*term)?;
            let mut traces = vec![Trace::default(); n];
            let facts = Facts::new(student, &school, household.as_deref(), &plan.cx);
            self.evaluate_into(&plan, &facts, &mut amounts, Some(&mut traces));
            for (i, (a, t)) in amounts.iter().zip(traces).enumerate() {
                if let Some(a) = a {
                    let info = self.programs[i].info();
                    out.push(Entitlement {
                        student: student.id.clone(),
                        program: info.id.clone(),
                        benefit: info.benefit,
                        term: *term,
                        amount: Money::from_decimal_exact(*a),
                        trace: Some(t),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Everything about one student in one term: entitlements with traces
    /// and, for every other program, why not.
    ///
    /// # Errors
    /// [`Error::UnknownStudent`], or [`Error::Roster`].
    pub fn explain<R: Roster + ?Sized>(&self, roster: &R, id: &StudentId, term: Term) -> Result<Explanation, Error> {
        let student = roster
            .student(id)?
            .ok_or_else(|| Error::UnknownStudent { student: id.clone() })?;
        let (school, household) = Engine::facts_for(roster, &student)?;
        let plan = self.plan(term)?;
        let n = self.programs.len();
        let mut amounts = vec![None; n];
        let mut traces = vec![Trace::default(); n];
        let facts = Facts::new(&student, &school, household.as_deref(), &plan.cx);
        self.evaluate_into(&plan, &facts, &mut amounts, Some(&mut traces));
        let mut ex = Explanation {
            student: student.id.clone(),
            name: student.name.clone(),
            term,
            entitled: Vec::new(),
            not_entitled: Vec::new(),
        };
        for (i, (a, t)) in amounts.iter().zip(traces).enumerate() {
            let info = self.programs[i].info();
            match a {
                Some(a) => ex.entitled.push(Entitlement {
                    student: student.id.clone(),
                    program: info.id.clone(),
                    benefit: info.benefit,
                    term,
                    amount: Money::from_decimal_exact(*a),
                    trace: Some(t),
                }),
                None => {
                    let reason = t.why_not().unwrap_or("no rule of the program applies").to_string();
                    ex.not_entitled.push((info.id.clone(), info.name.clone(), reason, t));
                }
            }
        }
        Ok(ex)
    }

    /// Why student `id` is not entitled to `program` in `term`, in a
    /// clerk's words; `None` if the student is entitled.
    ///
    /// # Errors
    /// [`Error::UnknownProgram`], [`Error::UnknownStudent`] or
    /// [`Error::Roster`].
    pub fn why_not<R: Roster + ?Sized>(
        &self,
        roster: &R,
        id: &StudentId,
        program: &str,
        term: Term,
    ) -> Result<Option<String>, Error> {
        if self.index(program).is_none() {
            return Err(Error::UnknownProgram { id: program.into() });
        }
        let ex = self.explain(roster, id, term)?;
        Ok(ex
            .not_entitled
            .into_iter()
            .find(|(p, _, _, _)| p.as_str() == program)
            .map(|(_, _, r, _)| r))
    }

    /// Stream every student of `roster` through every program for each of
    /// `terms`, giving each entitlement to `sink` (if any) and returning the
    /// totals. Students whose school or household cannot be found are
    /// reported in [`Totals::skipped`], never dropped silently.
    ///
    /// The roster is read through [`Roster::visit_linked`], so each student
    /// comes with its school and household. Without traces the loop does not
    /// allocate per student: parameters are resolved once per term, totals
    /// are kept in flat arrays, and students of one school who agree on
    /// every fact the programs read ([`TermProgram::reads`]) are evaluated
    /// once as a group and counted; the totals add the group's amounts
    /// exactly once per student, so they are the same as evaluating each
    /// student alone. Students at school on a reference date who have a
    /// leaving date, programs that do not say what they read, and runs with
    /// traces are evaluated student by student.
    ///
    /// # Errors
    /// [`Error::Roster`] if the roster's backend fails while visiting,
    /// [`Error::Amount`] if a total overflows, [`Error::Unprepared`] if a
    /// term cannot be planned, [`Error::Stopped`] if the sink stopped the
    /// run, or the sink's own [`Error::Sink`].
    pub fn run<R: Roster + ?Sized>(
        &self,
        roster: &R,
        terms: &[Term],
        options: RunOptions,
        sink: Option<&mut dyn Sink>,
    ) -> Result<Totals, Error> {
        let traces = options.traces;
        let plans: Vec<TermPlan<'_>> = terms.iter().map(|t| self.plan(*t)).collect::<Result<_, _>>()?;
        let mut out = Out::new(sink);
        if !traces {
            if let Some(pk) = crate::packed::plan::Packed::compile(self, &plans) {
                return self.run_packed(&pk, &plans, roster, terms, out);
            }
        }
        let np = self.programs.len();
        let nt = plans.len();
        let mut acc = Acc::new(np, nt);
        let mut schools: Vec<School> = Vec::new();
        let mut slots = Slots::default();
        let mut amounts: Vec<Option<Decimal>> = vec![None; np];
        let mut any_term: Vec<bool> = vec![false; np];
        let mut any_missing: Vec<bool> = vec![false; np];
        let mut missing = MissingAcc::new(np);
        let mut trace_buf: Vec<Trace> = if traces { vec![Trace::default(); np] } else { Vec::new() };
        let mut skipped: Vec<Skipped> = Vec::new();
        let mut students = 0u64;
        let mut evaluated = 0u64;
        let mut persons_entitled = 0u64;
        let mut overflow: Option<Error> = None;
        let owed: Vec<bool> = self.programs.iter().map(|p| p.info().benefit.is_owed()).collect();
        // Without traces, students are grouped by what the programs read of
        // them (when every program says), each group evaluated once.
        let group_reads: Vec<Option<Reads>> = (0..STAGES)
            .map(|st| {
                if traces || nt > Memo::MAX_TERMS || u32::try_from(np).is_err() {
                    return None;
                }
                plans
                    .iter()
                    .try_fold(Reads::NOTHING, |r, plan| plan.reads[st].map(|x| r | x))
            })
            .collect();
        let mut memo = Memo::default();

        roster.visit_linked(&mut |linked| {
            let s = linked.student;
            students += 1;
            let Some((no, found, household)) = Skipped::or_link(&linked, &mut skipped) else {
                return ControlFlow::Continue(());
            };
            // The school's slot, by the roster's number for it.
            let si = match slots.get(no) {
                Some(i) => i,
                None => {
                    // Programs see the school's kind, place and dates,
                    // never its classes: keep memory flat.
                    let mut sc = found.clone();
                    sc.classes = Vec::new();
                    schools.push(sc);
                    let i = schools.len() - 1;
                    slots.set(no, i);
                    i
                }
            };
            evaluated += 1;
            let school = &schools[si];
            let stage = stage_ix(s.stage);
            let key = group_reads[stage].and_then(|r| Memo::key(si, s, r, &plans, household));
            let group = match key {
                None => None,
                Some(key) => match memo.map.get(&key) {
                    Some(&g) => Some(g as usize),
                    None if memo.groups.len() < Memo::MAX_GROUPS => {
                        // A new group: evaluate its first student.
                        let first = memo.hits.len();
                        let mut owed_any = false;
                        for (ti, plan) in plans.iter().enumerate() {
                            let facts = Facts::new(s, school, household, &plan.cx);
                            self.evaluate_into(plan, &facts, &mut amounts, None);
                            for (p, a) in amounts.iter().enumerate() {
                                if let Some(a) = a {
                                    memo.hits.push(Hit {
                                        term: clamped::<_, u8>(ti),
                                        program: clamped::<_, u32>(p),
                                        amount: *a,
                                    });
                                    owed_any |= owed[p];
                                }
                            }
                        }
                        let g = memo.groups.len();
                        memo.counts.push(0);
                        memo.groups.push(Group {
                            // Both fit: the key holds the school in 32 bits.
                            school: clamped::<_, u32>(si),
                            stage: clamped::<_, u8>(stage),
                            hits: first..memo.hits.len(),
                            owed: owed_any,
                        });
                        if let Ok(k) = u32::try_from(g) {
                            memo.map.insert(key, k);
                        }
                        Some(g)
                    }
                    None => None,
                },
            };
            if let Some(g) = group {
                memo.counts[g] += 1;
                if out.wants() {
                    for h in &memo.hits[memo.groups[g].hits.clone()] {
                        let plan = &plans[h.term()];
                        let facts = Facts::new(s, school, household, &plan.cx);
                        out.entitlement(&Row {
                            student: s,
                            school,
                            program: self.programs[h.program()].info(),
                            term: plan.cx.term,
                            amount: Money::from_decimal_exact(h.amount),
                            trace: None,
                            basis: plan.programs[h.program()].basis(&facts),
                        });
                    }
                }
                return out.flow();
            }
            any_term.iter_mut().for_each(|x| *x = false);
            any_missing.iter_mut().for_each(|x| *x = false);
            for (ti, plan) in plans.iter().enumerate() {
                let facts = Facts::new(s, school, household, &plan.cx);
                if traces {
                    // Policy programs write over the last student's steps;
                    // a program written in Rust gets an empty trace.
                    for (t, src) in trace_buf.iter_mut().zip(&self.sources) {
                        t.restart();
                        if src.is_none() {
                            t.finish();
                        }
                    }
                    self.evaluate_into(plan, &facts, &mut amounts, Some(&mut trace_buf));
                    trace_buf.iter_mut().for_each(Trace::finish);
                } else {
                    self.evaluate_into(plan, &facts, &mut amounts, None);
                }
                if s.in_school_on(plan.cx.reference) {
                    for &p in &plan.by_stage[stage_ix(s.stage)] {
                        if !plan.may_miss[p] || amounts[p].is_some() {
                            continue;
                        }
                        let Some(what) = plan.programs[p].missing(&facts) else {
                            continue;
                        };
                        missing.term(p, si);
                        any_missing[p] = true;
                        out.missing(&MissingRow {
                            student: s,
                            school,
                            program: self.programs[p].info(),
                            term: plan.cx.term,
                            what,
                        });
                    }
                }
                for (p, a) in amounts.iter().enumerate() {
                    let Some(a) = a else { continue };
                    any_term[p] = true;
                    if !acc.add(p, ti, stage_ix(s.stage), si, *a, 1) && overflow.is_none() {
                        overflow = Some(Error::Amount {
                            student: s.id.clone(),
                            program: self.programs[p].info().id.to_string(),
                            message: "total overflows".into(),
                        });
                    }
                    if out.wants() {
                        out.entitlement(&Row {
                            student: s,
                            school,
                            program: self.programs[p].info(),
                            term: plan.cx.term,
                            amount: Money::from_decimal_exact(*a),
                            trace: trace_buf.get(p),
                            basis: plan.programs[p].basis(&facts),
                        });
                    }
                }
            }
            for (p, m) in any_missing.iter().enumerate() {
                if *m {
                    missing.person(p);
                }
            }
            let mut owed_any = false;
            for (p, hit) in any_term.iter().enumerate() {
                if *hit {
                    acc.person(p, stage_ix(s.stage), si, 1);
                    owed_any |= owed[p];
                }
            }
            if owed_any {
                persons_entitled += 1;
            }
            out.flow()
        })?;
        if let Some(end) = out.end {
            return Err(end);
        }
        // Each group counts as many times as it has students.
        for (grp, &count) in memo.groups.iter().zip(&memo.counts) {
            any_term.iter_mut().for_each(|x| *x = false);
            for h in &memo.hits[grp.hits.clone()] {
                any_term[h.program()] = true;
                if !acc.add(h.program(), h.term(), grp.stage(), grp.school(), h.amount, count) && overflow.is_none() {
                    overflow = Some(Error::TotalOverflow {
                        program: self.programs[h.program()].info().id.to_string(),
                    });
                }
            }
            for (p, hit) in any_term.iter().enumerate() {
                if *hit {
                    acc.person(p, grp.stage(), grp.school(), count);
                }
            }
            if grp.owed {
                persons_entitled += count;
            }
        }
        if let Some(e) = overflow {
            return Err(e);
        }
        let book = SchoolBook::new(&schools).ok_or(Error::TooLarge { what: "schools" })?;
        let programs = acc
            .finish_all(self.programs.iter().map(|p| p.info()), terms, &book)
            .map_err(|p| self.total_overflow(p))?;
        Ok(Totals {
            terms: terms.to_vec(),
            students,
            evaluated,
            skipped,
            persons_entitled,
            programs,
            missing_data: missing.finish(self.programs.iter().map(|p| p.info()), &book),
        })
    }

    /// The error of a total of program `p` that overflows.
    pub(crate) fn total_overflow(&self, p: usize) -> Error {
        Error::TotalOverflow {
            program: self
                .programs
                .get(p)
                .map(|x| x.info().id.to_string())
                .unwrap_or_default(),
        }
    }

    /// The totals for `terms`, without traces or a sink.
    ///
    /// # Errors
    /// As [`Engine::run`].
    pub fn totals<R: Roster + ?Sized>(&self, roster: &R, terms: &[Term]) -> Result<Totals, Error> {
        self.run(roster, terms, RunOptions::default(), None)
    }

    /// The totals for `terms` and their breakdown by the rule and tier
    /// that decided each entitlement (一档, 二档…; see [`BasisTotals`](crate::BasisTotals)).
    ///
    /// # Errors
    /// As [`Engine::run`].
    pub fn totals_by_basis<R: Roster + ?Sized>(
        &self,
        roster: &R,
        terms: &[Term],
    ) -> Result<(Totals, crate::BasisTotals), Error> {
        let mut basis = crate::BasisTotals::default();
        let totals = self.run(roster, terms, RunOptions::default(), Some(&mut basis))?;
        Ok((totals, basis))
    }

    /// Every entitlement of `terms`, keyed by student, program and term
    /// (for reconciliation).
    ///
    /// # Errors
    /// As [`Engine::run`].
    pub fn entitlement_map<R: Roster + ?Sized>(&self, roster: &R, terms: &[Term]) -> Result<(OwedMap, Totals), Error> {
        let mut map = HashMap::new();
        let mut sink = |r: &Row<'_>| {
            if r.program.benefit.is_owed() {
                map.insert((r.student.id.clone(), r.program.id.clone(), r.term), r.amount);
            }
        };
        let totals = self.run(roster, terms, RunOptions::default(), Some(&mut sink))?;
        Ok((map, totals))
    }
}

/// Amounts owed, by student, program and term.
pub type OwedMap = HashMap<(StudentId, ProgramId, Term), Money>;

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
