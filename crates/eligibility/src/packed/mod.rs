//! The packed path: the roster as columns, programs compiled to masks over
//! them, totals in flat arrays.
//!
//! A student's facts for one term fit in one `u64` (see [`layout`]): its
//! own facts (stage, grade, flags, hukou), its household's statuses on the
//! term's reference date and its school's facts (kind, locality,
//! ownership, in the nutrition plan). Every condition of a policy program
//! is compiled to one masked equality and four "some bit of" tests on that
//! word; every amount to a table by stage or by school, in integer fen
//! where exact ([`plan::Amount`]). The result equals the reference path
//! (the per-student evaluation with traces) to the fen, which property
//! tests check over every built-in catalogue.
//!
//! Two ways in:
//! - [`Engine::run`] without traces streams any [`Roster`] through the
//!   compiled programs, student by student, in flat memory;
//! - [`PackedRoster`] copies a roster once into columns (its side tables
//!   keep only the schools), and [`Engine::totals_packed`] runs any terms
//!   on it: household statuses are resolved for each term in one
//!   sequential pass over the households, with no pointer chase per
//!   student.

//!
//! `roster.rs` holds the packed roster (the columns and their build),
//! `student.rs` the per-student evaluation and sums, `memo.rs` the table
//! of students alike.

pub(crate) mod layout;
mod memo;
pub(crate) mod plan;
mod roster;
mod student;

use std::ops::ControlFlow;

use eduaid_model::{EnrolmentStatus, Roster, School, Student, Term};

use crate::Error;
use crate::accumulate::{Acc, SchoolBook};
use crate::engine::{Engine, Out, Row, Skipped, Slots, TermPlan, Totals};
use crate::facts::StatusSet;
use crate::missing::{MISSING_TUITION, MissingAcc, MissingRow};
use layout::{status_word, student_word};
use plan::{Packed, SchoolFacts, SchoolTable, day};
pub use roster::PackedRoster;
use student::Student1;

/// Enrolment mode bits of the packed student word (bits 62–63).
const MODE_SHIFT: u32 = 62;
/// Transferred in: at school from `status_since` on.
pub(crate) const MODE_TRANSFERRED_IN: u64 = 0;
/// Enrolled (or another in-school status): at school from `status_since` on.
pub(crate) const MODE_IN_SCHOOL: u64 = 1;
/// Left school on `status_since`.
pub(crate) const MODE_LEFT: u64 = 2;

/// The enrolment mode of `s`, as in [`Student::in_school_on`].
fn mode(s: &Student) -> u64 {
    match s.status {
        EnrolmentStatus::TransferredIn => MODE_TRANSFERRED_IN,
        x if x.is_in_school() => MODE_IN_SCHOOL,
        _ => MODE_LEFT,
    }
}

/// The stage index of a packed word.
#[inline]
fn stage_of(w: u64) -> usize {
    (w & 0x7f).trailing_zeros() as usize
}

impl Engine {
    /// The totals of `terms` on a packed roster: the same as
    /// [`Engine::totals`] on the roster it was made from.
    ///
    /// # Errors
    /// [`Error::NotPackable`] if the engine has a program written in Rust
    /// (the packed path runs policy programs only) or more than 64
    /// programs; [`Error::TotalOverflow`] if a total overflows.
    pub fn totals_packed(&self, roster: &PackedRoster, terms: &[Term]) -> Result<Totals, Error> {
        let plans: Vec<TermPlan<'_>> = terms.iter().map(|t| self.plan(*t)).collect::<Result<_, _>>()?;
        let pk = Packed::compile(self, &plans).ok_or(Error::NotPackable)?;
        let np = self.programs.len();
        let mut acc = Acc::new(np, plans.len());
        acc.expect_schools(roster.book.len());
        let mut table = SchoolTable::new(&pk);
        for f in &roster.facts {
            table.add(&pk, f);
        }
        let statuses: Vec<Vec<u64>> = pk.terms.iter().map(|t| roster.statuses_on(t)).collect();
        let mut one = Student1::new(&pk, np);
        let cols = roster
            .word
            .iter()
            .zip(&roster.since)
            .zip(roster.school.iter().zip(&roster.household));
        // One term (the usual run): students alike are counted, their
        // amounts added once per school (`Student1::count`).
        let single = match (pk.terms.as_slice(), statuses.as_slice()) {
            ([t], [st]) => Some((t, st.as_slice())),
            _ => None,
        };
        for ((&w, &since), (&sc, &hh)) in cols {
            let hh = hh as usize;
            let sc = sc as usize;
            let cls = roster.kind_of.get(sc).map_or(usize::MAX, |k| *k as usize);
            if let Some((t, st)) = single {
                let status = st.get(hh).copied().unwrap_or(0);
                if one.count(&mut acc, t, &table, w, since, sc, cls, status) {
                    continue;
                }
            }
            one.eval(
                &mut acc,
                &table,
                w,
                since,
                sc,
                cls,
                |ti| statuses.get(ti).and_then(|v| v.get(hh)).copied().unwrap_or(0),
                |_, _, _| {},
            );
        }
        one.settle(&mut acc, true);
        one.drain_all();
        one.flush(&mut acc);
        let (persons_entitled, overflow) = (one.persons_entitled, one.overflow);
        self.finish_totals(
            terms,
            &mut acc,
            &roster.book,
            roster.students,
            roster.skipped.clone(),
            persons_entitled,
            overflow,
            &one.missing,
        )
    }

    /// [`Engine::run`] without traces, on the packed path: the roster
    /// streamed once, each student evaluated on its packed word.
    pub(crate) fn run_packed<R: Roster + ?Sized>(
        &self,
        pk: &Packed,
        plans: &[TermPlan<'_>],
        roster: &R,
        terms: &[Term],
        mut out: Out<'_>,
    ) -> Result<Totals, Error> {
        let np = self.programs.len();
        let mut acc = Acc::new(np, plans.len());
        let mut table = SchoolTable::new(pk);
        let mut schools: Vec<School> = Vec::new();
        let mut slots = Slots::default();
        let mut skipped: Vec<Skipped> = Vec::new();
        let mut students = 0u64;
        let mut one = Student1::new(pk, np);
        roster.visit_linked(&mut |linked| {
            let s = linked.student;
            students += 1;
            let Some((no, found, household)) = Skipped::or_link(&linked, &mut skipped) else {
                return ControlFlow::Continue(());
            };
            let sc = match slots.get(no) {
                Some(i) => i,
                None => {
                    let sc = crate::engine::program_school(found);
                    table.add(pk, &SchoolFacts::of(&sc));
                    schools.push(sc);
                    let i = schools.len() - 1;
                    slots.set(no, i);
                    i
                }
            };
            let Some(school) = schools.get(sc) else {
                return ControlFlow::Continue(());
            };
            let w = student_word(s) | mode(s) << MODE_SHIFT;
            one.eval(
                &mut acc,
                &table,
                w,
                day(s.status_since),
                sc,
                sc,
                |ti| {
                    pk.terms.get(ti).map_or(0, |t| {
                        let on = t.reference();
                        let exit = if t.reads_exit() {
                            t.exit_word(household.and_then(|h| h.exited_on(on)).map(day))
                        } else {
                            0
                        };
                        status_word(StatusSet::of(household, on)) | exit
                    })
                },
                |p, ti, a| {
                    if !out.wants() {
                        return;
                    }
                    if let (Some(prog), Some(plan)) = (self.programs.get(p), plans.get(ti)) {
                        if a.is_missing() {
                            out.missing(&MissingRow {
                                student: s,
                                school,
                                program: prog.info(),
                                term: plan.context().term,
                                what: MISSING_TUITION,
                            });
                            return;
                        }
                        let facts = crate::Facts::new(s, school, household, plan.context());
                        out.entitlement(&Row {
                            student: s,
                            school,
                            program: prog.info(),
                            term: plan.context().term,
                            amount: eduaid_model::Money::from_decimal_exact(a.dec()),
                            trace: None,
                            basis: plan.programs.get(p).and_then(|tp| tp.basis(&facts)),
                        });
                    }
                },
            );
            out.flow()
        })?;
        if let Some(end) = out.end {
            return Err(end);
        }
        one.flush(&mut acc);
        let (persons_entitled, overflow) = (one.persons_entitled, one.overflow);
        let book = SchoolBook::new(&schools).ok_or(Error::TooLarge { what: "schools" })?;
        self.finish_totals(
            terms,
            &mut acc,
            &book,
            students,
            skipped,
            persons_entitled,
            overflow,
            &one.missing,
        )
    }

    /// The totals from the accumulators.
    #[allow(clippy::too_many_arguments)]
    fn finish_totals(
        &self,
        terms: &[Term],
        acc: &mut Acc,
        book: &SchoolBook,
        students: u64,
        skipped: Vec<Skipped>,
        persons_entitled: u64,
        overflow: Option<usize>,
        missing: &MissingAcc,
    ) -> Result<Totals, Error> {
        if let Some(p) = overflow {
            return Err(self.total_overflow(p));
        }
        let evaluated = students - skipped.len() as u64;
        let programs = acc
            .finish_all(self.programs.iter().map(|p| p.info()), terms, book)
            .map_err(|p| self.total_overflow(p))?;
        Ok(Totals {
            terms: terms.to_vec(),
            students,
            evaluated,
            skipped,
            persons_entitled,
            programs,
            missing_data: missing.finish(self.programs.iter().map(|p| p.info()), book),
        })
    }
}
