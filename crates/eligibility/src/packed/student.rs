//! One student at a time on the packed path: its amounts, added to the
//! sums by program, term and stage and to the totals by school.

use eduaid_model::convert::clamped;

use super::memo::Memo;
use super::plan::{self, Amount, Packed, SchoolTable, in_school};
use super::{MODE_LEFT, MODE_SHIFT, stage_of};
use crate::accumulate::{Acc, SchoolTally};
use crate::condition::STAGES;
use crate::missing::MissingAcc;

/// The per-student part shared by both ways in: evaluate every term, add
/// to the totals, and hand each entitlement to `emit`.
///
/// Amounts in fen are summed by program, term and stage in a small array
/// of integers for the whole run and added to the totals once at the end;
/// the totals by school are added to as each entitlement comes (students
/// come in any order of schools).
pub(super) struct Student1<'k> {
    pub(super) pk: &'k Packed,
    pub(super) out: Vec<Option<Amount>>,
    pub(super) nt: usize,
    /// Entitlements and fen by program, term and stage.
    pub(super) cells: Vec<(u64, i128)>,
    /// Persons by program and stage.
    pub(super) persons: Vec<u64>,
    pub(super) persons_entitled: u64,
    pub(super) overflow: Option<usize>,
    pub(super) missing: MissingAcc,
    /// The amounts of words seen before.
    pub(super) memo: Memo,
    /// The amounts of a word not kept in the memo.
    pub(super) scratch: Vec<(u8, Amount)>,
    /// The school of the students counted in the memo's slots.
    pub(super) counted_at: usize,
}

impl<'k> Student1<'k> {
    pub(super) fn new(pk: &'k Packed, np: usize) -> Student1<'k> {
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
            memo: Memo::new(),
            scratch: Vec::new(),
            counted_at: usize::MAX,
        }
    }

    /// A student of a one-term run, if it is one of the common kind:
    /// `w` its word (with mode), `since` its status day, `sc` its school,
    /// `cls` its school's row in `table`, `status` its household's word.
    /// The student is counted in its memo slot (its amounts are added
    /// later by [`Student1::settle`]) if it is at school, no leaving date
    /// cuts its amounts and its key is kept with whole-fen amounts only;
    /// false if it must go through [`Student1::eval`]. Students of one
    /// school must come together for this to pay (the counted ones are
    /// added whenever the school changes).
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn count(
        &mut self,
        acc: &mut Acc,
        t: &plan::PTerm,
        table: &SchoolTable,
        w: u64,
        since: i32,
        sc: usize,
        cls: usize,
        status: u64,
    ) -> bool {
        if sc != self.counted_at {
            self.settle(acc, true);
            self.counted_at = sc;
        }
        let m = w >> MODE_SHIFT;
        let left = if m == MODE_LEFT { since } else { i32::MAX };
        if !in_school(m, since, t.ref_day) {
            return true;
        }
        if !t.leaving_changes_nothing(left) {
            return false;
        }
        let word = (w & !(3u64 << MODE_SHIFT)) | status | table.word(cls, 0);
        let key = (word, clamped::<_, u32>(cls), 1);
        let Some(i) = self.memo.find(key) else {
            return false;
        };
        let Some(slot) = self.memo.slots.get_mut(i) else {
            return false;
        };
        if !slot.countable {
            return false;
        }
        slot.count += 1;
        if slot.count == 1 {
            self.memo.pending.push(clamped::<_, u32>(i));
        }
        true
    }

    /// Add the students counted in the memo's slots (all at school
    /// `counted_at`, in the run's only term) to the school's tallies as
    /// [`Student1::eval`] adds each, `count` times at once; the sums by
    /// program and stage and the persons are added when the slot is
    /// given up or the run ends ([`Student1::drain`]). `done`: no student
    /// of the school comes after (the school changed or the run ended); a
    /// school with one key counted then has its tally per program written
    /// at once, and with one student the key's ready tallies are copied.
    pub(super) fn settle(&mut self, acc: &mut Acc, done: bool) {
        let m = &mut self.memo;
        if m.pending.is_empty() {
            return;
        }
        let sc = self.counted_at;
        let last = done && m.pending.len() == 1;
        for &i in &m.pending {
            let Some(slot) = m.slots.get_mut(i as usize) else {
                continue;
            };
            let n = std::mem::take(&mut slot.count);
            if n == 0 {
                continue;
            }
            slot.settled += n;
            let span = slot.start as usize..slot.start as usize + slot.len as usize;
            let results = m.results.get(span.clone()).unwrap_or(&[]);
            if last && n == 1 {
                let ready = m.ready.get_mut(span).unwrap_or(&mut []);
                if !std::mem::replace(&mut slot.ready, true) {
                    // A school's tally of one student, for every whole-fen
                    // amount of the key, made once.
                    for (r, (_, a)) in ready.iter_mut().zip(results) {
                        *r = match a {
                            Amount::Fen { fen, .. } => SchoolTally::one(*fen),
                            _ => None,
                        };
                    }
                }
                for (&(p, a), one) in results.iter().zip(ready) {
                    let p = usize::from(p);
                    let Amount::Fen { fen, .. } = a else { continue };
                    let ok = match one {
                        Some(t) => acc.school_ready(sc, p, t) || acc.school_entitled_n(sc, p, fen, 1),
                        None => acc.school_entitled_n(sc, p, fen, 1),
                    };
                    if !ok && self.overflow.is_none() {
                        self.overflow = Some(p);
                    }
                }
                continue;
            }
            for &(p, a) in results {
                let p = usize::from(p);
                let Amount::Fen { fen, .. } = a else { continue };
                let ok = if last {
                    acc.school_last_n(sc, p, fen, n)
                } else {
                    acc.school_entitled_n(sc, p, fen, n)
                };
                if !ok && self.overflow.is_none() {
                    self.overflow = Some(p);
                }
            }
        }
        m.pending.clear();
    }

    /// Add the students settled through slot `i` over the run (each
    /// entitled once to each of its key's amounts) to the sums by
    /// program, term and stage and to the persons, and clear its count.
    fn drain(&mut self, i: usize) {
        let Some(slot) = self.memo.slots.get_mut(i) else {
            return;
        };
        let n = std::mem::take(&mut slot.settled);
        if n == 0 {
            return;
        }
        let slot = *slot;
        let st = stage_of(slot.key.0);
        let ti = (slot.key.2 as usize).saturating_sub(1);
        let span = slot.start as usize..slot.start as usize + slot.len as usize;
        for &(p, a) in self.memo.results.get(span).unwrap_or(&[]) {
            let p = usize::from(p);
            let Amount::Fen { fen, .. } = a else { continue };
            // A key has one amount per program (one term): each of the
            // `n` students is one person entitled to it.
            if let Some(x) = self.persons.get_mut(p * STAGES + st) {
                *x += n;
            }
            let ok = match self.cells.get_mut((p * self.nt + ti) * STAGES + st) {
                Some(c) => match i128::from(fen)
                    .checked_mul(i128::from(n))
                    .and_then(|x| c.1.checked_add(x))
                {
                    Some(x) => {
                        c.0 += n;
                        c.1 = x;
                        true
                    }
                    None => false,
                },
                None => false,
            };
            if !ok && self.overflow.is_none() {
                self.overflow = Some(p);
            }
        }
        if slot.hits & self.pk.owed != 0 {
            self.persons_entitled += n;
        }
    }

    /// [`Student1::drain`] every slot.
    pub(super) fn drain_all(&mut self) {
        for i in 0..self.memo.slots.len() {
            self.drain(i);
        }
    }

    /// Keep `key`'s amounts, pushed to the memo's results from `from` on
    /// ([`Memo::keep`]), after draining what the memo would forget: the
    /// slot it takes, or every slot if it is about to be cleared.
    fn keep(&mut self, key: (u64, u32, u32), from: usize) -> std::ops::Range<usize> {
        if self.memo.results.len() > Memo::MAX_RESULTS {
            self.drain_all();
        } else {
            self.drain(Memo::slot(key));
        }
        self.memo.keep(key, from)
    }

    /// Add the sums to the totals and clear them.
    pub(super) fn flush(&mut self, acc: &mut Acc) {
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

    /// The amounts of the programs of stage `st` in term `t` for word
    /// `word`, in the order of the stage's programs, pushed to `into`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn compute(
        pk: &Packed,
        t: &plan::PTerm,
        word: u64,
        st: usize,
        cls: usize,
        left: i32,
        table: &SchoolTable,
        out: &mut [Option<Amount>],
        into: &mut Vec<(u8, Amount)>,
    ) {
        let Some(progs) = t.by_stage.get(st) else { return };
        // At most 64 programs (`Packed::compile`): a program's index fits.
        let ix = |p: usize| clamped::<_, u8>(p);
        if t.has_limits() {
            pk.term(t, word, st, cls, left, table, out);
            for &p in progs {
                if let Some(a) = out.get_mut(p).and_then(Option::take) {
                    into.push((ix(p), a));
                }
            }
        } else {
            for &p in progs {
                if let Some(a) = pk.program(t, p, word, st, cls, left, table) {
                    into.push((ix(p), a.not_negative()));
                }
            }
        }
    }

    /// One student: `w` its word (with mode), `since` its status day,
    /// `sc` its school, `cls` its school's row in `table`,
    /// `statuses(ti)` its household's statuses in term `ti` as a word.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn eval(
        &mut self,
        acc: &mut Acc,
        table: &SchoolTable,
        w: u64,
        since: i32,
        sc: usize,
        cls: usize,
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
            let word = facts | statuses(ti) | table.word(cls, ti);
            // Students alike in the word, the school's facts and the term
            // are owed alike, unless a leaving date cuts a per-day amount.
            let span = if t.leaving_changes_nothing(left) {
                let key = (word, clamped::<_, u32>(cls), clamped::<_, u32>(ti + 1));
                match self.memo.find(key) {
                    Some(i) => self.memo.span(i),
                    None => {
                        if self.memo.would_lose(key) {
                            self.settle(acc, false);
                        }
                        let from = self.memo.results.len();
                        Student1::compute(pk, t, word, st, cls, left, table, &mut self.out, &mut self.memo.results);
                        self.keep(key, from)
                    }
                }
            } else {
                self.scratch.clear();
                Student1::compute(pk, t, word, st, cls, left, table, &mut self.out, &mut self.scratch);
                usize::MAX..usize::MAX
            };
            let n = if span.start == usize::MAX {
                self.scratch.len()
            } else {
                span.len()
            };
            for k in 0..n {
                let got = if span.start == usize::MAX {
                    self.scratch.get(k)
                } else {
                    self.memo.results.get(span.start + k)
                };
                let Some(&(p, a)) = got else { break };
                let p = usize::from(p);
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
