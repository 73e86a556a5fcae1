//! The batch run: every student of a roster through every program, into
//! totals and a sink.

use std::collections::HashMap;
use std::ops::ControlFlow;

use eduaid_model::convert::clamped;
use eduaid_model::{Money, ProgramId, Roster, School, StudentId, Term};
use rust_decimal::Decimal;

use crate::Error;
use crate::accumulate::{Acc, SchoolBook};
use crate::condition::{Reads, STAGES, stage_ix};
use crate::missing::{MissingAcc, MissingRow};
use crate::program::{Facts, Program, Trace};

use super::memo::{Group, Hit, Memo, Slots};
use super::{Engine, Out, Row, RunOptions, Sink, Skipped, TermPlan, Totals};

impl Engine {
    /// Stream every student of `roster` through every program for each of
    /// `terms`, giving each entitlement to `sink` (if any) and returning the
    /// totals. Students whose school or household cannot be found are
    /// reported in [`Totals::skipped`], never dropped silently.
    ///
    /// The roster is read through [`Roster::visit_linked`], so each student
    /// comes with its school and household. Without traces the loop does not
    /// allocate per student: parameters are resolved once per term, totals
    /// are kept in flat arrays, and students of one school who agree on
    /// every fact the programs read ([`TermProgram::reads`](crate::program::TermProgram::reads)) are evaluated
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
                    schools.push(super::program_school(found));
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
