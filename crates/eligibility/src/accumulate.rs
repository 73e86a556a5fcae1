//! Totals as they are summed: flat arrays of exact cells by program,
//! term, stage and school, turned into maps only at the end.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use eduaid_model::convert::clamped;
use eduaid_model::{Money, School, SchoolId, Stage, Term};
use rust_decimal::Decimal;

use crate::by_school::SchoolTallies;
use crate::condition::{STAGES, stage_ix};
use crate::engine::{ProgramTotals, Tally};
use crate::program::ProgramInfo;

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
struct SchoolCell {
    /// Amount in units of 10⁻⁴ yuan.
    units: i64,
    person_terms: u64,
    persons: u64,
}

/// The scale of [`SchoolCell::units`].
const SCHOOL_SCALE: u32 = 4;

/// Beside a school's tally: its amount is not the cell's units alone.
const NOT_UNITS: i64 = i64::MIN;

/// A school cell's units in [`Cell`]'s.
const SCHOOL_TO_UNITS: i128 = POW10[(UNIT_SCALE - SCHOOL_SCALE) as usize];

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

/// The schools of a run as the totals name them: their ids sorted (one
/// table shared by every program's [`SchoolTallies`]), where each school
/// number of the run stands in it, and the townships numbered.
#[derive(Debug, Clone, Default)]
pub(crate) struct SchoolBook {
    /// Every school id of the run, sorted.
    pub(crate) ids: Arc<[SchoolId]>,
    /// For each school number, its position in `ids`; empty when every
    /// number is its own position (a packed roster numbers its schools so).
    rank: Vec<u32>,
    /// The school numbers in order of id; empty as `rank`.
    by_id: Vec<u32>,
    /// Each school's township, by school number.
    township_of: Vec<u32>,
    /// The townships' names.
    townships: Vec<String>,
}

impl SchoolBook {
    /// The book of `schools` (by number), sorted here; `None` past 2³² − 1
    /// schools.
    pub(crate) fn new(schools: &[School]) -> Option<SchoolBook> {
        // Sorted on the ids' first 16 bytes held in the array (byte order,
        // as the ids' own order), the full ids compared only on a tie: a
        // million schools sort without a cache miss per comparison.
        let prefix = |s: &School| {
            let mut b = [0u8; 16];
            for (o, x) in b.iter_mut().zip(s.id.as_str().bytes()) {
                *o = x;
            }
            u128::from_be_bytes(b)
        };
        let mut keys: Vec<(u128, u32)> = schools
            .iter()
            .enumerate()
            .map(|(i, s)| Some((prefix(s), u32::try_from(i).ok()?)))
            .collect::<Option<_>>()?;
        keys.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| schools[a.1 as usize].id.cmp(&schools[b.1 as usize].id))
        });
        let by_id: Vec<u32> = keys.into_iter().map(|(_, i)| i).collect();
        let mut rank = vec![0u32; schools.len()];
        for (pos, &no) in by_id.iter().enumerate() {
            rank[no as usize] = u32::try_from(pos).ok()?;
        }
        let ids: Arc<[SchoolId]> = by_id.iter().map(|&no| schools[no as usize].id.clone()).collect();
        let (township_of, townships) = number_townships(schools.iter().map(|s| s.township.as_str()))?;
        Some(SchoolBook {
            ids,
            rank,
            by_id,
            township_of,
            townships,
        })
    }

    /// The book of schools numbered in order of id: `ids` sorted (no two
    /// alike), `township_of` each one's township among `townships`.
    pub(crate) fn sorted(ids: Arc<[SchoolId]>, township_of: Vec<u32>, townships: Vec<String>) -> SchoolBook {
        debug_assert!(ids.windows(2).all(|w| w[0] < w[1]));
        SchoolBook {
            ids,
            rank: Vec::new(),
            by_id: Vec::new(),
            township_of,
            townships,
        }
    }

    /// The schools.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The number of the school at position `pos` in order of id.
    fn number_at(&self, pos: usize) -> usize {
        self.by_id.get(pos).map_or(pos, |n| *n as usize)
    }

    /// The place of school number `no` in order of id.
    fn position(&self, no: usize) -> Option<usize> {
        match self.rank.get(no) {
            Some(r) => Some(*r as usize),
            None if self.rank.is_empty() && no < self.ids.len() => Some(no),
            None => None,
        }
    }

    /// The id of school number `no`.
    pub(crate) fn id(&self, no: usize) -> Option<&SchoolId> {
        let pos = self.rank.get(no).map_or(no, |r| *r as usize);
        self.ids.get(pos)
    }
}

/// Number the distinct names of `names` in order of first appearance: each
/// one's number, and the names. `None` past 2³² − 1 names.
pub(crate) fn number_townships<'a>(names: impl Iterator<Item = &'a str>) -> Option<(Vec<u32>, Vec<String>)> {
    let mut numbers: HashMap<&str, u32> = HashMap::new();
    let mut townships = Vec::new();
    let mut last: Option<(&str, u32)> = None;
    let mut of = Vec::new();
    for name in names {
        // Schools of one township often come together.
        let n = match last {
            Some((l, n)) if l == name => n,
            _ => match numbers.get(name) {
                Some(n) => *n,
                None => {
                    let n = u32::try_from(townships.len()).ok()?;
                    townships.push(name.to_string());
                    numbers.insert(name, n);
                    n
                }
            },
        };
        last = Some((name, n));
        of.push(n);
    }
    Some((of, townships))
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
struct SchoolRuns {
    /// The school at hand (`usize::MAX`: none yet).
    cur: usize,
    /// Its cells, by program.
    run: Vec<SchoolCell>,
    /// The programs with a cell in the run, as bits.
    touched: Vec<u64>,
    /// Amounts that do not fit the cells, by school and program (added to
    /// the tally when it is made).
    extra: HashMap<(usize, usize), Decimal>,
    /// Schools' tallies by program, in ascending order of school number.
    rows: Vec<Vec<(usize, Tally)>>,
    /// By program, beside each of its rows, the amount in the cell's
    /// units ([`NOT_UNITS`] if the tally holds more), so the townships'
    /// totals add integers; `None` once a program's schools came out of
    /// order (its rows are then merged, and the tallies added).
    units: Vec<Option<Vec<i64>>>,
    /// By program, the cells of schools met out of order, and where each
    /// school's cell is among them (by school number; `u32::MAX`: none).
    apart: Vec<Apart>,
    /// A program whose tally at some school overflowed.
    overflow: Option<usize>,
    /// The schools expected (rows reserved for as many at a program's
    /// first row), if known.
    expect: usize,
}

/// A program's cells of schools met out of order, and where each school's
/// cell is among them (by school number; `u32::MAX`: none).
type Apart = (Vec<(usize, SchoolCell)>, Vec<u32>);

impl SchoolRuns {
    fn new(np: usize) -> SchoolRuns {
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
    fn at(&mut self, sc: usize) {
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
    fn cell(&mut self, p: usize) -> Option<&mut SchoolCell> {
        let c = self.run.get_mut(p)?;
        if let Some(b) = self.touched.get_mut(p / 64) {
            *b |= 1u64 << (p % 64);
        }
        Some(c)
    }

    /// Add `a` to program `p`'s amount at the school at hand, beside its
    /// cell (an amount the cell cannot hold); false if that overflows.
    fn add_extra(&mut self, p: usize, a: Decimal) -> bool {
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
    fn write_once(&mut self, p: usize, fen: i64, n: u64) -> bool {
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
    fn may_write(&self, p: usize) -> bool {
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
    fn write(&mut self, p: usize, t: &SchoolTally) -> bool {
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
    fn finish(&mut self) -> Result<(&mut [Vec<(usize, Tally)>], &[Option<Vec<i64>>]), usize> {
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
    fn schools_are_ordered_by_id_whatever_their_prefixes() {
        use eduaid_model::{Locality, Ownership, SchoolId, SchoolKind};
        let ids = [
            "SCH00001-S00000002",
            "SCH00001-S00000001",
            "B",
            "SCH00001-S0000000",
            "A-very-long-id-indeed",
            "A-very-long-id-indeeb",
        ];
        let schools: Vec<School> = ids
            .iter()
            .map(|i| {
                School::new(
                    SchoolId::new(*i).unwrap(),
                    "x",
                    SchoolKind::Primary,
                    Ownership::Public,
                    "t",
                    Locality::Rural,
                )
            })
            .collect();
        let book = SchoolBook::new(&schools).unwrap();
        let got: Vec<&str> = book.ids.iter().map(SchoolId::as_str).collect();
        let mut want = ids.to_vec();
        want.sort_unstable();
        assert_eq!(got, want);
        for (no, s) in schools.iter().enumerate() {
            assert_eq!(book.id(no), Some(&s.id));
            assert_eq!(book.ids[book.rank[no] as usize], s.id);
            assert_eq!(book.number_at(book.rank[no] as usize), no);
        }
    }

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
