//! Totals as they are summed: flat arrays of exact cells by program,
//! term, stage and school, turned into maps only at the end.
//!
//! `book.rs` names the schools of a run (ids in order, townships);
//! `school_runs.rs` keeps the totals by school as students come, school
//! by school, and each school's tally by program.

mod book;
mod school_runs;

use std::collections::BTreeMap;
use std::sync::Arc;

use eduaid_model::{Money, Stage, Term};
use rust_decimal::Decimal;

use crate::by_school::SchoolTallies;
use crate::condition::{STAGES, stage_ix};
use crate::engine::{ProgramTotals, Tally};
use crate::program::ProgramInfo;

pub(crate) use book::SchoolBook;
pub(crate) use school_runs::SchoolTally;
use school_runs::{NOT_UNITS, SCHOOL_SCALE, SCHOOL_TO_UNITS, SchoolRuns};

/// Raw accumulators: flat arrays indexed by program, term, stage, school.
///
/// Amounts are summed as integers in units of 10⁻¹⁰ yuan (exact for every
/// amount with at most ten decimal places, which is every amount the
/// policies produce); anything finer is summed as a `Decimal` beside.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell {
    persons: u64,
    person_terms: u64,
    units: i128,
    extra: Decimal,
}

const UNIT_SCALE: u32 = 10;
const POW10: [i128; 11] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
];

impl Cell {
    const ZERO: Cell = Cell {
        persons: 0,
        person_terms: 0,
        units: 0,
        extra: Decimal::ZERO,
    };

    /// Add `n` entitlements of amount `a` each.
    fn add(&mut self, a: Decimal, n: u64) -> bool {
        self.person_terms += n;
        let scale = a.scale();
        if scale <= UNIT_SCALE {
            let u = a
                .mantissa()
                .checked_mul(POW10[(UNIT_SCALE - scale) as usize])
                .and_then(|u| u.checked_mul(i128::from(n)));
            if let Some(x) = u.and_then(|u| self.units.checked_add(u)) {
                self.units = x;
                return true;
            }
        }
        match Decimal::from(n).checked_mul(a).and_then(|x| self.extra.checked_add(x)) {
            Some(x) => {
                self.extra = x;
                true
            }
            None => false,
        }
    }

    /// Add a tally (an amount with at most ten decimal places in units,
    /// any other exactly beside).
    fn add_tally(&mut self, t: &Tally) -> bool {
        self.persons += t.persons;
        self.person_terms += t.person_terms;
        let a = t.amount.as_decimal();
        let scale = a.scale();
        if scale <= UNIT_SCALE {
            if let Some(u) = a
                .mantissa()
                .checked_mul(POW10[(UNIT_SCALE - scale) as usize])
                .and_then(|u| self.units.checked_add(u))
            {
                self.units = u;
                return true;
            }
        }
        match self.extra.checked_add(a) {
            Some(x) => {
                self.extra = x;
                true
            }
            None => false,
        }
    }

    fn merge(&mut self, o: &Cell) -> bool {
        self.persons += o.persons;
        self.person_terms += o.person_terms;
        match (self.units.checked_add(o.units), self.extra.checked_add(o.extra)) {
            (Some(u), Some(e)) => {
                self.units = u;
                self.extra = e;
                true
            }
            _ => false,
        }
    }

    fn amount(&self) -> Option<Money> {
        let d = Decimal::try_from_i128_with_scale(self.units, UNIT_SCALE).ok()?;
        Some(Money::from_decimal_exact(d.checked_add(self.extra)?))
    }

    fn tally(&self) -> Option<Tally> {
        Some(Tally {
            persons: self.persons,
            person_terms: self.person_terms,
            amount: self.amount()?,
        })
    }
}

#[derive(Debug)]
pub(crate) struct Acc {
    np: usize,
    nt: usize,
    /// By program, term and stage.
    pts: Vec<Cell>,
    /// Persons by program and stage.
    persons: Vec<u64>,
    /// By school.
    schools: SchoolRuns,
}

impl Acc {
    pub(crate) fn new(np: usize, nt: usize) -> Acc {
        Acc {
            np,
            nt,
            pts: vec![Cell::ZERO; np * nt * STAGES],
            persons: vec![0; np * STAGES],
            schools: SchoolRuns::new(np),
        }
    }

    /// Expect `n` schools, numbered from 0 in order of id, students coming
    /// school by school (a packed roster): each program's tallies by school
    /// are then written once, in place.
    pub(crate) fn expect_schools(&mut self, n: usize) {
        self.schools.expect = n;
    }

    /// Add `n` entitlements of amount `a` each, of program `p` in term
    /// `t`, to students of stage `st` at school `sc`.
    pub(crate) fn add(&mut self, p: usize, t: usize, st: usize, sc: usize, a: Decimal, n: u64) -> bool {
        let ok1 = self
            .pts
            .get_mut((p * self.nt + t) * STAGES + st)
            .is_some_and(|c| c.add(a, n));
        self.schools.at(sc);
        let Some(cell) = self.schools.cell(p) else {
            return false;
        };
        cell.person_terms += n;
        let scale = a.scale();
        if scale <= SCHOOL_SCALE {
            let u = a
                .mantissa()
                .checked_mul(POW10[(SCHOOL_SCALE - scale) as usize])
                .and_then(|u| u.checked_mul(i128::from(n)))
                .and_then(|u| i64::try_from(u).ok());
            if let Some(x) = u.and_then(|u| cell.units.checked_add(u)) {
                cell.units = x;
                return ok1;
            }
        }
        match Decimal::from(n).checked_mul(a) {
            Some(x) => self.schools.add_extra(p, x) && ok1,
            None => false,
        }
    }

    /// Add `n` entitlements totalling `fen` fen, of program `p` in term
    /// `t`, to students of stage `st` (the totals by program, term and
    /// stage only: see [`Acc::school_fen`]).
    pub(crate) fn add_fen_n(&mut self, p: usize, t: usize, st: usize, fen: i128, n: u64) -> bool {
        const TO_UNITS: i128 = POW10[(UNIT_SCALE - 2) as usize];
        let idx = (p * self.nt + t) * STAGES + st;
        let Some(c) = self.pts.get_mut(idx) else {
            return false;
        };
        c.person_terms += n;
        match fen.checked_mul(TO_UNITS).and_then(|u| c.units.checked_add(u)) {
            Some(u) => {
                c.units = u;
                true
            }
            None => match Decimal::try_from_i128_with_scale(fen, 2)
                .ok()
                .and_then(|d| c.extra.checked_add(d))
            {
                Some(x) => {
                    c.extra = x;
                    true
                }
                None => false,
            },
        }
    }

    /// Add one entitlement of `fen` fen of program `p` to school `sc`'s
    /// totals (the totals by program, term and stage apart: see
    /// [`Acc::add_fen_n`]).
    #[inline]
    pub(crate) fn school_fen(&mut self, sc: usize, p: usize, fen: i64) -> bool {
        self.schools.at(sc);
        let Some(cell) = self.schools.cell(p) else {
            return false;
        };
        cell.person_terms += 1;
        if let Some(u) = fen.checked_mul(100).and_then(|u| cell.units.checked_add(u)) {
            cell.units = u;
            return true;
        }
        self.schools.add_extra(p, Decimal::new(fen, 2))
    }

    /// Add `n` students each entitled once to `fen` fen of program `p` to
    /// school `sc`'s totals (as [`Acc::school_fen`] and
    /// [`Acc::school_person`] `n` times).
    pub(crate) fn school_entitled_n(&mut self, sc: usize, p: usize, fen: i64, n: u64) -> bool {
        self.schools.at(sc);
        let Some(cell) = self.schools.cell(p) else {
            return false;
        };
        cell.person_terms += n;
        cell.persons += n;
        let units = i64::try_from(n)
            .ok()
            .and_then(|n| fen.checked_mul(100)?.checked_mul(n))
            .and_then(|u| cell.units.checked_add(u));
        if let Some(u) = units {
            cell.units = u;
            return true;
        }
        match Decimal::new(fen, 2).checked_mul(Decimal::from(n)) {
            Some(x) => self.schools.add_extra(p, x),
            None => false,
        }
    }

    /// As [`Acc::school_entitled_n`], when nothing more of `p` is added at
    /// school `sc` after: the school's tally is then written at once if
    /// nothing else of `p` is there.
    pub(crate) fn school_last_n(&mut self, sc: usize, p: usize, fen: i64, n: u64) -> bool {
        self.schools.at(sc);
        self.schools.write_once(p, fen, n) || self.school_entitled_n(sc, p, fen, n)
    }

    /// Write `t` (one student's, [`SchoolTally::one`]) as program `p`'s
    /// tally at school `sc` when nothing more of `p` is added there after,
    /// if nothing else of `p` is there; false if not (nothing written:
    /// the caller adds the student another way).
    #[inline]
    pub(crate) fn school_ready(&mut self, sc: usize, p: usize, t: &SchoolTally) -> bool {
        self.schools.at(sc);
        self.schools.may_write(p) && self.schools.write(p, t)
    }

    /// Count one student at school `sc` entitled to `p` (the persons by
    /// program and stage apart: see [`Acc::persons_n`]).
    #[inline]
    pub(crate) fn school_person(&mut self, sc: usize, p: usize) {
        self.schools.at(sc);
        if let Some(c) = self.schools.cell(p) {
            c.persons += 1;
        }
    }

    /// Count `n` students of stage `st` entitled to `p` (the persons by
    /// school apart: see [`Acc::school_person`]).
    pub(crate) fn persons_n(&mut self, p: usize, st: usize, n: u64) {
        if let Some(x) = self.persons.get_mut(p * STAGES + st) {
            *x += n;
        }
    }

    /// Count `n` students of stage `st` at school `sc` entitled to `p`.
    pub(crate) fn person(&mut self, p: usize, st: usize, sc: usize, n: u64) {
        self.persons_n(p, st, n);
        self.schools.at(sc);
        if let Some(c) = self.schools.cell(p) {
            c.persons += n;
        }
    }

    /// The totals of every program (`infos`, in order), the schools named
    /// by `book`; `Err(p)` if program `p`'s totals overflow.
    pub(crate) fn finish_all<'i>(
        &mut self,
        infos: impl Iterator<Item = &'i ProgramInfo>,
        terms: &[Term],
        book: &SchoolBook,
    ) -> Result<Vec<ProgramTotals>, usize> {
        let mut out = Vec::with_capacity(self.np);
        for (p, info) in infos.enumerate() {
            let (by_term, by_stage, total) = self.finish_program(p, terms).ok_or(p)?;
            out.push(ProgramTotals {
                id: info.id.clone(),
                name: info.name.clone(),
                benefit: info.benefit,
                total: total.tally().ok_or(p)?,
                by_term,
                by_stage,
                by_township: BTreeMap::new(),
                by_school: SchoolTallies::new(),
            });
        }
        // By school and township: each program's tallies, one per school
        // with an entitlement, put in order of id.
        let (rows, units) = self.schools.finish()?;
        let mut towns: Vec<Cell> = vec![Cell::ZERO; book.townships.len()];
        for (p, (prog, rows)) in out.iter_mut().zip(rows.iter_mut()).enumerate() {
            if rows.is_empty() {
                continue;
            }
            // School numbers to places in order of id (every number the
            // run gave has one; a packed roster's numbers are their places).
            let renumbered = !book.rank.is_empty() || rows.last().is_some_and(|r| r.0 >= book.len());
            if renumbered {
                rows.retain_mut(|r| match book.position(r.0) {
                    Some(pos) => {
                        r.0 = pos;
                        true
                    }
                    None => false,
                });
                rows.sort_unstable_by_key(|r| r.0);
            }
            towns.iter_mut().for_each(|t| *t = Cell::ZERO);
            // The amounts in units where each row has them beside it (rows
            // neither merged nor moved), else from the tallies.
            let beside = units
                .get(p)
                .and_then(Option::as_deref)
                .filter(|u| !renumbered && u.len() == rows.len())
                .unwrap_or(&[]);
            for (k, (pos, t)) in rows.iter().enumerate() {
                let town = book
                    .township_of
                    .get(book.number_at(*pos))
                    .and_then(|t| towns.get_mut(*t as usize))
                    .ok_or(p)?;
                match beside.get(k) {
                    Some(&u) if u != NOT_UNITS => {
                        town.persons += t.persons;
                        town.person_terms += t.person_terms;
                        town.units = town.units.checked_add(i128::from(u) * SCHOOL_TO_UNITS).ok_or(p)?;
                    }
                    _ => {
                        if !town.add_tally(t) {
                            return Err(p);
                        }
                    }
                }
            }
            let mut by_township = BTreeMap::new();
            for (name, c) in book.townships.iter().zip(&towns) {
                if c.person_terms > 0 {
                    by_township.insert(name.clone(), c.tally().ok_or(p)?);
                }
            }
            prog.by_township = by_township;
            prog.by_school = SchoolTallies::from_rows(Arc::clone(&book.ids), std::mem::take(rows));
        }
        Ok(out)
    }

    /// Program `p`'s totals by term and stage, and in all (`None` if one
    /// overflows).
    #[allow(clippy::type_complexity)]
    fn finish_program(
        &self,
        p: usize,
        terms: &[Term],
    ) -> Option<(BTreeMap<Term, Tally>, BTreeMap<Stage, Tally>, Cell)> {
        let mut total = Cell::ZERO;
        let mut by_term = BTreeMap::new();
        for (ti, t) in terms.iter().enumerate() {
            let mut c = Cell::ZERO;
            for st in 0..STAGES {
                if !c.merge(&self.pts[(p * self.nt + ti) * STAGES + st]) {
                    return None;
                }
            }
            if c.person_terms > 0 {
                // Within one term every entitled student counts once.
                c.persons = c.person_terms;
                by_term.insert(*t, c.tally()?);
            }
        }
        let mut by_stage = BTreeMap::new();
        for s in Stage::ALL {
            let si = stage_ix(*s);
            let mut c = Cell::ZERO;
            for ti in 0..self.nt {
                if !c.merge(&self.pts[(p * self.nt + ti) * STAGES + si]) {
                    return None;
                }
            }
            c.persons = self.persons[p * STAGES + si];
            if c.person_terms > 0 {
                by_stage.insert(*s, c.tally()?);
            }
            if !total.merge(&c) {
                return None;
            }
        }
        Some((by_term, by_stage, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_sum_exactly_in_units_and_beyond() {
        let mut c = Cell::ZERO;
        assert!(c.add(Decimal::new(3125, 1), 1)); // 312.5
        assert!(c.add(Decimal::from(500), 1));
        // Finer than 10⁻¹⁰ yuan goes to the exact side sum.
        assert!(c.add(Decimal::new(1, 12), 1));
        assert_eq!(c.person_terms, 3);
        assert_eq!(
            c.amount().map(Money::as_decimal),
            Some(Decimal::new(812_500_000_000_001, 12))
        );
        // A group of n counts as n entitlements, in both sums.
        assert!(c.add(Decimal::new(3125, 1), 4));
        assert!(c.add(Decimal::new(1, 12), 2));
        assert_eq!(c.person_terms, 9);
        assert_eq!(
            c.amount().map(Money::as_decimal),
            Some(Decimal::new(2_062_500_000_000_003, 12))
        );
        let mut d = Cell::ZERO;
        assert!(d.merge(&c));
        assert_eq!(d.amount(), c.amount());
    }
}
