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

pub(crate) mod layout;
pub(crate) mod plan;

use std::collections::HashMap;
use std::ops::ControlFlow;

use eduaid_model::{EnrolmentStatus, HouseholdId, Roster, School, StatusKind, Student, Term};

use crate::Error;
use crate::accumulate::Acc;
use crate::condition::{STAGES, StatusSet};
use crate::engine::{Engine, Row, Sink, Skipped, Slots, TermPlan, Totals};
use crate::missing::{MISSING_TUITION, MissingAcc, MissingRow};
use layout::{status_word, student_word};
use plan::{Amount, Packed, SchoolTable, day, in_school};

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

/// A roster copied into columns for the packed engine: per student its
/// facts as one word, its school's and household's numbers and its status
/// date; the schools (without their classes) and every household's status
/// spells as day numbers. Strings and ids are not kept (the schools' are,
/// for the totals by school and township).
///
/// Build it once with [`PackedRoster::new`], then run any terms on it with
/// [`Engine::totals_packed`]. About 24 bytes per student and 12 per
/// status spell.
#[derive(Debug, Clone, Default)]
pub struct PackedRoster {
    word: Vec<u64>,
    since: Vec<i32>,
    school: Vec<u32>,
    household: Vec<u32>,
    schools: Vec<School>,
    /// Each household's first spell; one more entry than households.
    spell_start: Vec<u32>,
    /// Status bit, first day, day after the last (`i32::MAX`: open).
    spells: Vec<(u8, i32, i32)>,
    students: u64,
    skipped: Vec<Skipped>,
}

impl PackedRoster {
    /// Copy `roster` into columns, in one visit
    /// ([`Roster::visit_linked`]). Students whose school or household the
    /// roster cannot find are kept aside and reported by every run, as
    /// [`Engine::run`] does.
    ///
    /// # Errors
    /// [`Error::Roster`] if the backend fails, or [`Error::TooLarge`] past
    /// 2³² − 1 schools or households.
    pub fn new<R: Roster + ?Sized>(roster: &R) -> Result<PackedRoster, Error> {
        let mut t = PackedRoster {
            spell_start: vec![0],
            ..PackedRoster::default()
        };
        let mut slots = Slots::default();
        let mut households: HashMap<HouseholdId, u32, std::hash::BuildHasherDefault<eduaid_model::IdHasher>> =
            HashMap::default();
        let mut too_large = false;
        roster.visit_linked(&mut |linked| {
            let s = linked.student;
            t.students += 1;
            let skip = |e: eduaid_model::RosterError| Skipped::unlinked(&s.id, e);
            let (no, found) = match linked.school {
                Ok(x) => x,
                Err(e) => {
                    t.skipped.push(skip(e));
                    return ControlFlow::Continue(());
                }
            };
            let household = match linked.household {
                Ok(h) => h,
                Err(e) => {
                    t.skipped.push(skip(e));
                    return ControlFlow::Continue(());
                }
            };
            let sc = match slots.get(no) {
                Some(i) => i,
                None => {
                    let mut sc = found.clone();
                    sc.classes = Vec::new();
                    t.schools.push(sc);
                    let i = t.schools.len() - 1;
                    slots.set(no, i);
                    i
                }
            };
            let hh = match household {
                None => u32::MAX,
                Some(h) => match households.get(&h.id) {
                    Some(i) => *i,
                    None => {
                        let i = u32::try_from(households.len()).unwrap_or(u32::MAX);
                        if i == u32::MAX {
                            too_large = true;
                            return ControlFlow::Break(());
                        }
                        households.insert(h.id.clone(), i);
                        for sp in &h.statuses {
                            let bit = StatusSet::from_kinds(&[sp.kind]).bits();
                            let until = sp.range.until.map_or(i32::MAX, day);
                            t.spells.push((bit, day(sp.range.from), until));
                        }
                        t.spell_start.push(u32::try_from(t.spells.len()).unwrap_or(u32::MAX));
                        i
                    }
                },
            };
            let Ok(sc) = u32::try_from(sc) else {
                too_large = true;
                return ControlFlow::Break(());
            };
            t.word.push(student_word(s) | mode(s) << MODE_SHIFT);
            t.since.push(day(s.status_since));
            t.school.push(sc);
            t.household.push(hh);
            ControlFlow::Continue(())
        })?;
        if too_large {
            return Err(Error::TooLarge {
                what: "schools or households",
            });
        }
        Ok(t)
    }

    /// Students read from the roster (including those skipped).
    #[must_use]
    pub fn students(&self) -> u64 {
        self.students
    }

    /// Each household's statuses on `on` (day number), one byte each,
    /// and with `exits` its last exit from poverty by `on` (a day number)
    /// as the bits of term `t`'s exit thresholds.
    fn statuses_on(&self, t: &plan::PTerm) -> Vec<u64> {
        let on = t.ref_day;
        let poor = StatusSet::from_kinds(&[StatusKind::RegisteredPoor]).bits();
        let exits = t.reads_exit();
        self.spell_start
            .windows(2)
            .map(|w| {
                let (a, b) = (w[0] as usize, w[1] as usize);
                let spells = self.spells.get(a..b).unwrap_or(&[]);
                let bits = spells
                    .iter()
                    .filter(|(_, from, until)| *from <= on && on < *until)
                    .fold(0u8, |m, (bit, _, _)| m | bit);
                let exit = if exits {
                    let last = spells
                        .iter()
                        .filter(|(bit, _, until)| *bit == poor && *until != i32::MAX && *until <= on)
                        .map(|(_, _, until)| *until)
                        .max();
                    t.exit_word(last)
                } else {
                    0
                };
                status_word(StatusSet::from_bits(bits)) | exit
            })
            .collect()
    }
}

/// The per-student part shared by both ways in: evaluate every term, add
/// to the totals, and hand each entitlement to `emit`.
///
/// Amounts in fen are summed by program, term and stage in a small array
/// of integers for the whole run and added to the totals once at the end;
/// the totals by school are added to as each entitlement comes (students
/// come in any order of schools).
struct Student1<'k> {
    pk: &'k Packed,
    out: Vec<Option<Amount>>,
    nt: usize,
    /// Entitlements and fen by program, term and stage.
    cells: Vec<(u64, i128)>,
    /// Persons by program and stage.
    persons: Vec<u64>,
    persons_entitled: u64,
    overflow: Option<usize>,
    missing: MissingAcc,
}

impl<'k> Student1<'k> {
    fn new(pk: &'k Packed, np: usize) -> Student1<'k> {
        let nt = pk.terms.len();
        Student1 {
            pk,
            out: vec![None; np],
            nt,
            cells: vec![(0, 0); np * nt * STAGES],
            persons: vec![0; np * STAGES],
            persons_entitled: 0,
            overflow: None,
            missing: MissingAcc::new(np),
        }
    }

    /// Add the sums to the totals and clear them.
    fn flush(&mut self, acc: &mut Acc) {
        let nt = self.nt;
        for (idx, c) in self.cells.iter_mut().enumerate() {
            if c.0 != 0 {
                let (p, rest) = (idx / (nt * STAGES), idx % (nt * STAGES));
                if !acc.add_fen_n(p, rest / STAGES, rest % STAGES, c.1, c.0) && self.overflow.is_none() {
                    self.overflow = Some(p);
                }
                *c = (0, 0);
            }
        }
        for (idx, n) in self.persons.iter_mut().enumerate() {
            if *n != 0 {
                acc.persons_n(idx / STAGES, idx % STAGES, *n);
                *n = 0;
            }
        }
    }

    /// One student-term of missing data.
    #[cold]
    fn miss(&mut self, p: usize, sc: usize, misses: &mut u64) {
        self.missing.term(p, sc);
        *misses |= 1u64 << p;
    }

    /// One entitlement.
    #[inline]
    fn hit(&mut self, acc: &mut Acc, p: usize, ti: usize, st: usize, sc: usize, a: Amount) {
        let ok = match a {
            Amount::Fen { fen, .. } => match self.cells.get_mut((p * self.nt + ti) * STAGES + st) {
                Some(c) => {
                    c.0 += 1;
                    c.1 += i128::from(fen);
                    acc.school_fen(sc, p, fen)
                }
                None => false,
            },
            Amount::Dec(d) => acc.add(p, ti, st, sc, d, 1),
            // Never added: `eval` counts it as missing data first.
            Amount::Missing => true,
        };
        if !ok && self.overflow.is_none() {
            self.overflow = Some(p);
        }
    }

    /// One student: `w` its word (with mode), `since` its status day,
    /// `sc` its school, `statuses(ti)` its household's statuses in term
    /// `ti` as a word.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn eval(
        &mut self,
        acc: &mut Acc,
        table: &SchoolTable,
        w: u64,
        since: i32,
        sc: usize,
        mut statuses: impl FnMut(usize) -> u64,
        mut emit: impl FnMut(usize, usize, Amount),
    ) {
        let st = stage_of(w);
        let m = w >> MODE_SHIFT;
        let left = if m == MODE_LEFT { since } else { i32::MAX };
        let facts = w & !(3u64 << MODE_SHIFT);
        let mut hits = 0u64;
        let mut misses = 0u64;
        let pk = self.pk;
        for (ti, t) in pk.terms.iter().enumerate() {
            if !in_school(m, since, t.ref_day) {
                continue;
            }
            let word = facts | statuses(ti) | table.word(sc, ti);
            let Some(progs) = t.by_stage.get(st) else { continue };
            if t.has_limits() {
                pk.term(t, word, st, sc, left, table, &mut self.out);
                for &p in progs {
                    let Some(a) = self.out.get_mut(p).and_then(Option::take) else {
                        continue;
                    };
                    if a.is_missing() {
                        self.miss(p, sc, &mut misses);
                        emit(p, ti, a);
                        continue;
                    }
                    hits |= 1u64 << p;
                    self.hit(acc, p, ti, st, sc, a);
                    emit(p, ti, a);
                }
            } else {
                for &p in progs {
                    let Some(a) = pk.program(t, p, word, st, sc, left, table) else {
                        continue;
                    };
                    let a = a.not_negative();
                    if a.is_missing() {
                        self.miss(p, sc, &mut misses);
                        emit(p, ti, a);
                        continue;
                    }
                    hits |= 1u64 << p;
                    self.hit(acc, p, ti, st, sc, a);
                    emit(p, ti, a);
                }
            }
        }
        let mut h = hits;
        while h != 0 {
            let p = h.trailing_zeros() as usize;
            h &= h - 1;
            if let Some(n) = self.persons.get_mut(p * STAGES + st) {
                *n += 1;
            }
            acc.school_person(sc, p);
        }
        if hits & pk.owed != 0 {
            self.persons_entitled += 1;
        }
        while misses != 0 {
            let p = misses.trailing_zeros() as usize;
            misses &= misses - 1;
            self.missing.person(p);
        }
    }
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
        let plans: Vec<TermPlan<'_>> = terms.iter().map(|t| self.plan(*t)).collect();
        let pk = Packed::compile(self, &plans).ok_or(Error::NotPackable)?;
        let np = self.programs.len();
        let mut acc = Acc::new(np, plans.len(), &plans);
        let mut table = SchoolTable::new(&pk);
        for s in &roster.schools {
            acc.add_school(s.kind);
            table.add(&pk, s);
        }
        let statuses: Vec<Vec<u64>> = pk.terms.iter().map(|t| roster.statuses_on(t)).collect();
        let mut one = Student1::new(&pk, np);
        let cols = roster
            .word
            .iter()
            .zip(&roster.since)
            .zip(roster.school.iter().zip(&roster.household));
        for ((&w, &since), (&sc, &hh)) in cols {
            let hh = hh as usize;
            one.eval(
                &mut acc,
                &table,
                w,
                since,
                sc as usize,
                |ti| statuses.get(ti).and_then(|v| v.get(hh)).copied().unwrap_or(0),
                |_, _, _| {},
            );
        }
        one.flush(&mut acc);
        let (persons_entitled, overflow) = (one.persons_entitled, one.overflow);
        self.finish_totals(
            terms,
            &acc,
            &roster.schools,
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
        mut sink: Option<&mut dyn Sink>,
    ) -> Result<Totals, Error> {
        let np = self.programs.len();
        let mut acc = Acc::new(np, plans.len(), plans);
        let mut table = SchoolTable::new(pk);
        let mut schools: Vec<School> = Vec::new();
        let mut slots = Slots::default();
        let mut skipped: Vec<Skipped> = Vec::new();
        let mut students = 0u64;
        let mut one = Student1::new(pk, np);
        roster.visit_linked(&mut |linked| {
            let s = linked.student;
            students += 1;
            let skip = |e: eduaid_model::RosterError| Skipped::unlinked(&s.id, e);
            let (no, found) = match linked.school {
                Ok(x) => x,
                Err(e) => {
                    skipped.push(skip(e));
                    return ControlFlow::Continue(());
                }
            };
            let household = match linked.household {
                Ok(h) => h,
                Err(e) => {
                    skipped.push(skip(e));
                    return ControlFlow::Continue(());
                }
            };
            let sc = match slots.get(no) {
                Some(i) => i,
                None => {
                    let mut sc = found.clone();
                    sc.classes = Vec::new();
                    acc.add_school(sc.kind);
                    table.add(pk, &sc);
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
                    if let (Some(sk), Some(prog), Some(plan)) =
                        (sink.as_deref_mut(), self.programs.get(p), plans.get(ti))
                    {
                        if a.is_missing() {
                            sk.missing(&MissingRow {
                                student: s,
                                school,
                                program: prog.info(),
                                term: plan.context().term,
                                what: MISSING_TUITION,
                            });
                            return;
                        }
                        let facts = crate::Facts::new(s, school, household, plan.context());
                        sk.entitlement(&Row {
                            student: s,
                            school,
                            program: prog.info(),
                            term: plan.context().term,
                            amount: a.dec(),
                            trace: None,
                            basis: plan.programs.get(p).and_then(|tp| tp.basis(&facts)),
                        });
                    }
                },
            );
            ControlFlow::Continue(())
        })?;
        one.flush(&mut acc);
        let (persons_entitled, overflow) = (one.persons_entitled, one.overflow);
        self.finish_totals(
            terms,
            &acc,
            &schools,
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
        acc: &Acc,
        schools: &[School],
        students: u64,
        skipped: Vec<Skipped>,
        persons_entitled: u64,
        overflow: Option<usize>,
        missing: &MissingAcc,
    ) -> Result<Totals, Error> {
        if let Some(p) = overflow {
            return Err(Error::TotalOverflow {
                program: self
                    .programs
                    .get(p)
                    .map(|x| x.info().id.to_string())
                    .unwrap_or_default(),
            });
        }
        let evaluated = students - skipped.len() as u64;
        let order = crate::accumulate::SchoolOrder::new(schools);
        Ok(Totals {
            terms: terms.to_vec(),
            students,
            evaluated,
            skipped,
            persons_entitled,
            programs: self
                .programs
                .iter()
                .enumerate()
                .map(|(p, prog)| {
                    acc.finish(p, prog.info(), terms, schools, &order)
                        .ok_or_else(|| Error::TotalOverflow {
                            program: prog.info().id.to_string(),
                        })
                })
                .collect::<Result<Vec<_>, Error>>()?,
            missing_data: missing.finish(self.programs.iter().map(|p| p.info()), schools),
        })
    }
}
