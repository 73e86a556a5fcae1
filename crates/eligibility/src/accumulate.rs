//! Totals as they are summed: flat arrays of exact cells by program,
//! term, stage and school, turned into maps only at the end.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use eduaid_model::{Money, School, SchoolId, SchoolKind, Stage, Term};
use rust_decimal::Decimal;

use crate::by_school::SchoolTallies;
use crate::condition::{STAGES, stage_ix};
use crate::engine::{ProgramTotals, Tally, TermPlan};
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

impl SchoolCell {
    /// The cell as a tally: the amount built in its shortest form (the
    /// form [`Money`] keeps), so no long normalizing of a wide decimal.
    fn tally(&self) -> Option<Tally> {
        let (mut m, mut scale) = (self.units, SCHOOL_SCALE);
        while scale > 0 && m % 10 == 0 {
            m /= 10;
            scale -= 1;
        }
        Some(Tally {
            persons: self.persons,
            person_terms: self.person_terms,
            amount: Money::from_decimal_exact(Decimal::new(m, scale)),
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

#[derive(Debug)]
pub(crate) struct Acc {
    np: usize,
    nt: usize,
    /// By program, term and stage.
    pts: Vec<Cell>,
    /// Persons by program and stage.
    persons: Vec<u64>,
    /// For each kind of school, each program's slot among the school's
    /// cells (`u8::MAX`: none), so a school holds cells only for the
    /// programs that can apply to the stages it teaches.
    kind_slots: Vec<Vec<u8>>,
    /// Each school's first cell and kind.
    school_at: Vec<(usize, usize)>,
    /// The per-school cells, flat.
    school: Vec<SchoolCell>,
    /// Cells of programs outside their school's slots (a student of a
    /// stage the school does not teach), keyed `school * np + program`.
    spill: HashMap<usize, SchoolCell>,
    /// Per-school amounts that do not fit the units, keyed the same way.
    school_extra: HashMap<usize, Decimal>,
}

impl Acc {
    pub(crate) fn new(np: usize, nt: usize, plans: &[TermPlan<'_>]) -> Acc {
        let kind_slots = SchoolKind::ALL
            .iter()
            .map(|k| {
                let mut slots = vec![u8::MAX; np];
                let mut next = 0u8;
                for (p, slot) in slots.iter_mut().enumerate() {
                    let may = plans
                        .iter()
                        .any(|plan| k.stages().iter().any(|st| plan.by_stage[stage_ix(*st)].contains(&p)));
                    if may && next < u8::MAX {
                        *slot = next;
                        next += 1;
                    }
                }
                slots
            })
            .collect();
        Acc {
            np,
            nt,
            pts: vec![Cell::ZERO; np * nt * STAGES],
            persons: vec![0; np * STAGES],
            kind_slots,
            school_at: Vec::new(),
            school: Vec::new(),
            spill: HashMap::new(),
            school_extra: HashMap::new(),
        }
    }

    /// Add schools of these kinds, numbered after those there are.
    pub(crate) fn add_schools(&mut self, kinds: impl ExactSizeIterator<Item = SchoolKind>) {
        self.school_at.reserve(kinds.len());
        let widths: Vec<usize> = self
            .kind_slots
            .iter()
            .map(|k| k.iter().filter(|s| **s != u8::MAX).count())
            .collect();
        let mut cells = self.school.len();
        for kind in kinds {
            let k = kind as usize;
            self.school_at.push((cells, k));
            cells += widths.get(k).copied().unwrap_or(0);
        }
        self.school.resize(cells, SchoolCell::default());
    }

    /// Add a school of kind `kind`, numbered after those there are.
    pub(crate) fn add_school(&mut self, kind: SchoolKind) {
        let k = kind as usize;
        let width = self.kind_slots[k].iter().filter(|s| **s != u8::MAX).count();
        self.school_at.push((self.school.len(), k));
        self.school.extend(std::iter::repeat_n(SchoolCell::default(), width));
    }

    #[inline]
    fn cell(&mut self, sc: usize, p: usize) -> &mut SchoolCell {
        let (base, k) = self.school_at[sc];
        match self.kind_slots[k][p] {
            u8::MAX => self.spill.entry(sc * self.np + p).or_default(),
            slot => &mut self.school[base + usize::from(slot)],
        }
    }

    /// Add `n` entitlements of amount `a` each, of program `p` in term
    /// `t`, to students of stage `st` at school `sc`.
    pub(crate) fn add(&mut self, p: usize, t: usize, st: usize, sc: usize, a: Decimal, n: u64) -> bool {
        let ok1 = self.pts[(p * self.nt + t) * STAGES + st].add(a, n);
        let cell = self.cell(sc, p);
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
        let e = self.school_extra.entry(sc * self.np + p).or_insert(Decimal::ZERO);
        match Decimal::from(n).checked_mul(a).and_then(|x| e.checked_add(x)) {
            Some(x) => {
                *e = x;
                ok1
            }
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
        let cell = self.cell(sc, p);
        cell.person_terms += 1;
        if let Some(u) = fen.checked_mul(100).and_then(|u| cell.units.checked_add(u)) {
            cell.units = u;
            return true;
        }
        let e = self.school_extra.entry(sc * self.np + p).or_insert(Decimal::ZERO);
        match e.checked_add(Decimal::new(fen, 2)) {
            Some(x) => {
                *e = x;
                true
            }
            None => false,
        }
    }

    /// Count one student at school `sc` entitled to `p` (the persons by
    /// program and stage apart: see [`Acc::persons_n`]).
    #[inline]
    pub(crate) fn school_person(&mut self, sc: usize, p: usize) {
        self.cell(sc, p).persons += 1;
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
        self.persons[p * STAGES + st] += n;
        self.cell(sc, p).persons += n;
    }

    fn school_cell(&self, sc: usize, p: usize) -> Cell {
        let (base, k) = self.school_at[sc];
        let key = sc * self.np + p;
        // The maps are empty on most runs: no hash unless they are not.
        let c = match self.kind_slots[k][p] {
            u8::MAX if self.spill.is_empty() => SchoolCell::default(),
            u8::MAX => self.spill.get(&key).copied().unwrap_or_default(),
            slot => self.school[base + usize::from(slot)],
        };
        let extra = if self.school_extra.is_empty() {
            Decimal::ZERO
        } else {
            self.school_extra.get(&key).copied().unwrap_or_default()
        };
        Cell {
            persons: c.persons,
            person_terms: c.person_terms,
            units: i128::from(c.units) * POW10[(UNIT_SCALE - SCHOOL_SCALE) as usize],
            extra,
        }
    }

    /// The totals of every program (`infos`, in order), the schools named
    /// by `book`; `Err(p)` if program `p`'s totals overflow.
    pub(crate) fn finish_all<'i>(
        &self,
        infos: impl Iterator<Item = &'i ProgramInfo>,
        terms: &[Term],
        book: &SchoolBook,
    ) -> Result<Vec<ProgramTotals>, usize> {
        let mut out = Vec::with_capacity(self.np);
        let mut totals = Vec::with_capacity(self.np);
        for (p, info) in infos.enumerate() {
            let (by_term, by_stage, total) = self.finish_program(p, terms).ok_or(p)?;
            totals.push(total);
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
        // By school and township: one pass over the schools in order of
        // id, for the programs someone is entitled to.
        let live: Vec<usize> = (0..out.len()).filter(|&p| totals[p].person_terms > 0).collect();
        let mut rows: Vec<Vec<(u32, Tally)>> = vec![Vec::new(); out.len()];
        let mut towns: Vec<Vec<Cell>> = vec![Vec::new(); out.len()];
        for &p in &live {
            towns[p] = vec![Cell::ZERO; book.townships.len()];
        }
        // Without spilled cells or amounts finer than the cells hold (the
        // common case), each school's cells are read where they lie, for
        // the programs its kind has cells for.
        let simple = self.spill.is_empty() && self.school_extra.is_empty();
        let kind_live: Vec<Vec<(usize, usize)>> = self
            .kind_slots
            .iter()
            .map(|slots| {
                live.iter()
                    .filter_map(|&p| match slots.get(p) {
                        Some(&s) if s != u8::MAX => Some((p, usize::from(s))),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        if !live.is_empty() {
            for pos in 0..book.len().min(self.school_at.len()) {
                let sc = book.number_at(pos);
                let Ok(at) = u32::try_from(pos) else { break };
                let tw = book.township_of.get(sc).map_or(usize::MAX, |t| *t as usize);
                if simple {
                    let Some(&(base, k)) = self.school_at.get(sc) else {
                        continue;
                    };
                    for &(p, slot) in kind_live.get(k).map_or(&[][..], Vec::as_slice) {
                        let Some(c) = self.school.get(base + slot) else {
                            continue;
                        };
                        if c.person_terms == 0 {
                            continue;
                        }
                        rows[p].push((at, c.tally().ok_or(p)?));
                        let t = towns[p].get_mut(tw).ok_or(p)?;
                        t.persons += c.persons;
                        t.person_terms += c.person_terms;
                        t.units = t
                            .units
                            .checked_add(i128::from(c.units) * POW10[(UNIT_SCALE - SCHOOL_SCALE) as usize])
                            .ok_or(p)?;
                    }
                    continue;
                }
                for &p in &live {
                    let c = self.school_cell(sc, p);
                    if c.person_terms == 0 {
                        continue;
                    }
                    rows[p].push((at, c.tally().ok_or(p)?));
                    if !towns[p].get_mut(tw).ok_or(p)?.merge(&c) {
                        return Err(p);
                    }
                }
            }
        }
        for &p in &live {
            let mut by_township = BTreeMap::new();
            for (name, c) in book.townships.iter().zip(&towns[p]) {
                if c.person_terms > 0 {
                    by_township.insert(name.clone(), c.tally().ok_or(p)?);
                }
            }
            out[p].by_township = by_township;
            out[p].by_school = SchoolTallies::from_rows(Arc::clone(&book.ids), std::mem::take(&mut rows[p]));
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
        use eduaid_model::{Locality, Ownership, SchoolId};
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
