//! The totals by school as a run adds them, school by school.

use std::collections::HashMap;

use eduaid_model::Money;
use eduaid_model::convert::clamped;
use rust_decimal::Decimal;

use super::{Cell, POW10, UNIT_SCALE};
use crate::engine::Tally;

/// A school's tally of `n` students each entitled once to one whole-fen
/// amount, made before it is needed, and its amount in
/// [`SchoolCell::units`] (for the townships' totals).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SchoolTally {
    tally: Tally,
    units: i64,
}

impl SchoolTally {
    /// The tally of `n` students entitled to `fen` fen each; `None` if its
    /// units overflow an `i64`.
    fn of(fen: i64, n: u64) -> Option<SchoolTally> {
        let units = fen.checked_mul(100)?.checked_mul(i64::try_from(n).ok()?)?;
        let c = SchoolCell {
            units,
            person_terms: n,
            persons: n,
        };
        Some(SchoolTally {
            tally: c.tally()?,
            units,
        })
    }

    /// The tally of one student entitled to `fen` fen.
    pub(crate) fn one(fen: i64) -> Option<SchoolTally> {
        SchoolTally::of(fen, 1)
    }
}

/// A per-school cell: compact, since there is one per school and program
/// and they are touched in roster order. Amounts finer than 10⁻¹⁰ yuan go
/// to [`Acc::school_extra`].
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SchoolCell {
    /// Amount in units of 10⁻⁴ yuan.
    pub(super) units: i64,
    pub(super) person_terms: u64,
    pub(super) persons: u64,
}

/// The scale of [`SchoolCell::units`].
pub(super) const SCHOOL_SCALE: u32 = 4;

/// Beside a school's tally: its amount is not the cell's units alone.
pub(super) const NOT_UNITS: i64 = i64::MIN;

/// A school cell's units in [`Cell`]'s.
pub(super) const SCHOOL_TO_UNITS: i128 = POW10[(UNIT_SCALE - SCHOOL_SCALE) as usize];

impl SchoolCell {
    /// The cell as a [`Cell`].
    fn cell(self) -> Cell {
        Cell {
            persons: self.persons,
            person_terms: self.person_terms,
            units: i128::from(self.units) * SCHOOL_TO_UNITS,
            extra: Decimal::ZERO,
        }
    }

    /// The cell as a tally: the amount built in its shortest form (the
    /// form [`Money`] keeps), so no long normalizing of a wide decimal.
    fn tally(&self) -> Option<Tally> {
        let u = self.units;
        let (m, scale) = if u % 10_000 == 0 {
            (u / 10_000, 0)
        } else if u % 1_000 == 0 {
            (u / 1_000, 1)
        } else if u % 100 == 0 {
            (u / 100, 2)
        } else if u % 10 == 0 {
            (u / 10, 3)
        } else {
            (u, SCHOOL_SCALE)
        };
        Some(Tally {
            persons: self.persons,
            person_terms: self.person_terms,
            // Whole yuan are already in their shortest form.
            amount: if scale == 0 {
                Money::yuan(m)
            } else {
                Money::from_decimal_exact(Decimal::new(m, scale))
            },
        })
    }
}

/// The totals by school as a run adds them: the cells of the school at
/// hand (students mostly come school by school: a packed roster puts them
/// so), and each earlier school's tally by program, in the order the
/// schools came. Nothing is kept per school that has no entitlement, and
/// nothing per school beyond a tally per program it has entitlements of.
/// A program whose schools come again out of order (a roster in any
/// order) keeps those schools' cells apart, found by school number, and
/// they are added to the tallies at the end.
#[derive(Debug)]
pub(super) struct SchoolRuns {
    /// The school at hand (`usize::MAX`: none yet).
    pub(super) cur: usize,
    /// Its cells, by program.
    pub(super) run: Vec<SchoolCell>,
    /// The programs with a cell in the run, as bits.
    pub(super) touched: Vec<u64>,
    /// Amounts that do not fit the cells, by school and program (added to
    /// the tally when it is made).
    pub(super) extra: HashMap<(usize, usize), Decimal>,
    /// Schools' tallies by program, in ascending order of school number.
    pub(super) rows: Vec<Vec<(usize, Tally)>>,
    /// By program, beside each of its rows, the amount in the cell's
    /// units ([`NOT_UNITS`] if the tally holds more), so the townships'
    /// totals add integers; `None` once a program's schools came out of
    /// order (its rows are then merged, and the tallies added).
    pub(super) units: Vec<Option<Vec<i64>>>,
    /// By program, the cells of schools met out of order, and where each
    /// school's cell is among them (by school number; `u32::MAX`: none).
    pub(super) apart: Vec<Apart>,
    /// A program whose tally at some school overflowed.
    pub(super) overflow: Option<usize>,
    /// The schools expected (rows reserved for as many at a program's
    /// first row), if known.
    pub(super) expect: usize,
}

/// A program's cells of schools met out of order, and where each school's
/// cell is among them (by school number; `u32::MAX`: none).
type Apart = (Vec<(usize, SchoolCell)>, Vec<u32>);

impl SchoolRuns {
    pub(super) fn new(np: usize) -> SchoolRuns {
        SchoolRuns {
            cur: usize::MAX,
            run: vec![SchoolCell::default(); np],
            touched: vec![0; np.div_ceil(64)],
            extra: HashMap::new(),
            rows: vec![Vec::new(); np],
            units: vec![Some(Vec::new()); np],
            apart: vec![(Vec::new(), Vec::new()); np],
            overflow: None,
            expect: 0,
        }
    }

    /// Make `sc` the school at hand (no cell to put away: only that).
    #[inline]
    pub(super) fn at(&mut self, sc: usize) {
        if sc != self.cur {
            if self.touched.iter().all(|b| *b == 0) {
                self.cur = sc;
            } else {
                self.switch(sc);
            }
        }
    }

    /// The cell of program `p` at the school at hand.
    #[inline]
    pub(super) fn cell(&mut self, p: usize) -> Option<&mut SchoolCell> {
        let c = self.run.get_mut(p)?;
        if let Some(b) = self.touched.get_mut(p / 64) {
            *b |= 1u64 << (p % 64);
        }
        Some(c)
    }

    /// Add `a` to program `p`'s amount at the school at hand, beside its
    /// cell (an amount the cell cannot hold); false if that overflows.
    pub(super) fn add_extra(&mut self, p: usize, a: Decimal) -> bool {
        if self.cell(p).is_none() {
            return false;
        }
        let e = self.extra.entry((self.cur, p)).or_insert(Decimal::ZERO);
        match e.checked_add(a) {
            Some(x) => {
                *e = x;
                true
            }
            None => false,
        }
    }

    /// The tally of cell `c` of program `p` at school `sc`, with the
    /// amounts kept beside it.
    fn tally(extra: &mut HashMap<(usize, usize), Decimal>, sc: usize, p: usize, c: SchoolCell) -> Option<Tally> {
        let x = if extra.is_empty() { None } else { extra.remove(&(sc, p)) };
        match x {
            None => c.tally(),
            Some(x) => {
                let mut cell = c.cell();
                cell.extra = x;
                cell.tally()
            }
        }
    }

    /// Write program `p`'s tally at the school at hand at once, from `n`
    /// students entitled to `fen` fen each, if nothing else of `p` is
    /// there (no cell, no amount beside) and its schools are in order;
    /// false if not (nothing written). The caller adds nothing more of
    /// `p` at this school after (if it did, the school's cell would be
    /// kept apart and added to this tally at the end: still exact).
    pub(super) fn write_once(&mut self, p: usize, fen: i64, n: u64) -> bool {
        if !self.may_write(p) {
            return false;
        }
        match SchoolTally::of(fen, n) {
            Some(t) => self.write(p, &t),
            None => false,
        }
    }

    /// True if program `p`'s tally at the school at hand can be written
    /// at once ([`SchoolRuns::write_once`]).
    #[inline]
    pub(super) fn may_write(&self, p: usize) -> bool {
        let bit = 1u64 << (p % 64);
        let (Some(bits), Some(rows), Some((_, at))) = (self.touched.get(p / 64), self.rows.get(p), self.apart.get(p))
        else {
            return false;
        };
        bits & bit == 0 && at.is_empty() && self.extra.is_empty() && rows.last().is_none_or(|r| r.0 < self.cur)
    }

    /// Push `t` as program `p`'s tally at the school at hand, its units
    /// beside ([`SchoolRuns::may_write`] said it can).
    #[inline]
    pub(super) fn write(&mut self, p: usize, t: &SchoolTally) -> bool {
        let (Some(rows), Some(units)) = (self.rows.get_mut(p), self.units.get_mut(p)) else {
            return false;
        };
        if rows.capacity() == 0 {
            rows.reserve(self.expect);
        }
        rows.push((self.cur, t.tally));
        if let Some(v) = units {
            if v.capacity() == 0 {
                v.reserve(self.expect);
            }
            v.push(t.units);
        }
        true
    }

    /// Put the run's cells away and start school `sc`.
    fn switch(&mut self, sc: usize) {
        let cur = self.cur;
        for (w, bits) in self.touched.iter_mut().enumerate() {
            let mut b = std::mem::take(bits);
            while b != 0 {
                let p = w * 64 + b.trailing_zeros() as usize;
                b &= b - 1;
                let (Some(c), Some(rows), Some((cells, at)), Some(units)) = (
                    self.run.get_mut(p),
                    self.rows.get_mut(p),
                    self.apart.get_mut(p),
                    self.units.get_mut(p),
                ) else {
                    continue;
                };
                let c = std::mem::take(c);
                if rows.last().is_none_or(|r| r.0 < cur) && at.is_empty() {
                    // In order: the school's tally, once.
                    let beside = !self.extra.is_empty() && self.extra.contains_key(&(cur, p));
                    if c.person_terms == 0 && !beside {
                        continue;
                    }
                    let Some(tally) = SchoolRuns::tally(&mut self.extra, cur, p, c) else {
                        self.overflow.get_or_insert(p);
                        continue;
                    };
                    if rows.capacity() == 0 {
                        rows.reserve(self.expect);
                    }
                    rows.push((cur, tally));
                    if let Some(u) = units {
                        if u.capacity() == 0 {
                            u.reserve(self.expect);
                        }
                        u.push(if beside { NOT_UNITS } else { c.units });
                    }
                    continue;
                }
                *units = None;
                // Out of order: the school's cell apart, added to.
                if at.len() <= cur {
                    at.resize(cur.saturating_add(1).max(2 * at.len()), u32::MAX);
                }
                let Some(slot) = at.get_mut(cur) else { continue };
                match cells.get_mut(*slot as usize) {
                    Some((_, o)) => match o.units.checked_add(c.units) {
                        Some(u) => {
                            o.units = u;
                            o.persons += c.persons;
                            o.person_terms += c.person_terms;
                        }
                        None => {
                            // Past the cell: the amount beside it.
                            let e = self.extra.entry((cur, p)).or_insert(Decimal::ZERO);
                            match e.checked_add(Decimal::new(c.units, SCHOOL_SCALE)) {
                                Some(x) => {
                                    *e = x;
                                    o.persons += c.persons;
                                    o.person_terms += c.person_terms;
                                }
                                None => {
                                    self.overflow.get_or_insert(p);
                                }
                            }
                        }
                    },
                    None => {
                        *slot = clamped::<_, u32>(cells.len());
                        if *slot == u32::MAX {
                            self.overflow.get_or_insert(p);
                        }
                        cells.push((cur, c));
                    }
                }
            }
        }
        self.cur = sc;
    }

    /// The tallies by program, each in order of school number, one per
    /// school, and where known each one's amount in units beside it
    /// ([`SchoolRuns::units`]); `Err(p)` if program `p`'s tally at a
    /// school overflowed.
    #[allow(clippy::type_complexity)]
    pub(super) fn finish(&mut self) -> Result<(&mut [Vec<(usize, Tally)>], &[Option<Vec<i64>>]), usize> {
        self.switch(usize::MAX);
        for (p, (rows, (cells, at))) in self.rows.iter_mut().zip(&mut self.apart).enumerate() {
            if cells.is_empty() {
                continue;
            }
            for (sc, c) in cells.drain(..) {
                match SchoolRuns::tally(&mut self.extra, sc, p, c) {
                    Some(t) => rows.push((sc, t)),
                    None => {
                        self.overflow.get_or_insert(p);
                    }
                }
            }
            *at = Vec::new();
            if !merge_rows(rows) {
                self.overflow.get_or_insert(p);
            }
        }
        match self.overflow {
            Some(p) => Err(p),
            None => Ok((&mut self.rows, &self.units)),
        }
    }
}

/// `rows` in order of their first field, rows of one key added together;
/// false if a sum overflows (the rows are then left apart).
fn merge_rows(rows: &mut Vec<(usize, Tally)>) -> bool {
    if rows.windows(2).all(|w| w[0].0 < w[1].0) {
        return true;
    }
    rows.sort_by_key(|r| r.0);
    let mut ok = true;
    let mut out = 0usize;
    for i in 0..rows.len() {
        let r = rows[i];
        if let Some(o) = out.checked_sub(1).and_then(|o| rows.get_mut(o)) {
            if o.0 == r.0 {
                match o.1.amount.checked_add(r.1.amount) {
                    Some(a) => {
                        o.1.amount = a;
                        o.1.persons += r.1.persons;
                        o.1.person_terms += r.1.person_terms;
                        continue;
                    }
                    None => ok = false,
                }
            }
        }
        rows[out] = r;
        out += 1;
    }
    rows.truncate(out);
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_runs_merge_schools_met_again() {
        let mut r = SchoolRuns::new(70);
        // Schools 5, 2, 5, 9, 2 (units of 10⁻⁴ yuan): program 0 everywhere,
        // program 69 at 5.
        for (sc, units) in [(5usize, 100i64), (2, 20_000), (5, 30_000), (9, 45), (2, 50_000)] {
            r.at(sc);
            let c = r.cell(0).unwrap();
            c.units += units;
            c.person_terms += 1;
            c.persons += 1;
            if sc == 5 {
                let c = r.cell(69).unwrap();
                c.persons += 1;
                c.person_terms += 1;
            }
        }
        // Finer than the cells hold, beside them.
        r.at(9);
        assert!(r.add_extra(0, Decimal::new(1, 7)));
        assert!(r.cell(70).is_none());
        let (rows, _) = r.finish().unwrap();
        let got: Vec<(usize, String, u64)> = rows[0]
            .iter()
            .map(|(s, t)| (*s, t.amount.as_decimal().to_string(), t.person_terms))
            .collect();
        let want = [(2, "7", 2), (5, "3.01", 2), (9, "0.0045001", 1)];
        assert_eq!(got, want.map(|(s, a, n)| (s, a.to_string(), n)));
        let got: Vec<(usize, u64)> = rows[69].iter().map(|(s, t)| (*s, t.persons)).collect();
        assert_eq!(got, [(5, 2)]);
        assert!(rows[1].is_empty());
    }

    #[test]
    fn school_tallies_whose_sum_overflows_stay_apart() {
        let tally = |a: Decimal| Tally {
            persons: 1,
            person_terms: 1,
            amount: Money::from_decimal_exact(a),
        };
        let mut rows = vec![
            (1, tally(Decimal::MAX)),
            (0, tally(Decimal::from(3))),
            (1, tally(Decimal::from(2))),
            (0, tally(Decimal::from(4))),
        ];
        assert!(!merge_rows(&mut rows));
        let got: Vec<(usize, u64)> = rows.iter().map(|(s, t)| (*s, t.person_terms)).collect();
        assert_eq!(got, [(0, 2), (1, 1), (1, 1)]);
        assert_eq!(rows[0].1.amount, Money::from_decimal_exact(Decimal::from(7)));
    }
}
