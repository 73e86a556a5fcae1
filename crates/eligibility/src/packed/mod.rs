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
use std::sync::Arc;

use eduaid_model::convert::clamped;
use eduaid_model::{EnrolmentStatus, HouseholdId, Roster, School, SchoolId, StatusKind, Student, Term};

use crate::Error;
use crate::accumulate::{Acc, SchoolBook, SchoolTally};
use crate::condition::STAGES;
use crate::engine::{Engine, Out, Row, Skipped, Slots, TermPlan, Totals};
use crate::facts::StatusSet;
use crate::missing::{MISSING_TUITION, MissingAcc, MissingRow};
use layout::{status_word, student_word};
use plan::{Amount, Packed, SchoolFacts, SchoolTable, day, in_school};

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
/// date; the schools' ids (sorted: a school's number is its place in order
/// of id), townships and distinct facts (kind, place, plan, tuition), and
/// every household's status spells as day numbers. Students' strings and
/// ids are not kept.
///
/// Build it once with [`PackedRoster::new`], then run any terms on it with
/// [`Engine::totals_packed`]. About 24 bytes per student, 12 per status
/// spell and, per school, its id and 8 bytes.
#[derive(Debug, Clone, Default)]
pub struct PackedRoster {
    word: Vec<u64>,
    since: Vec<i32>,
    school: Vec<u32>,
    household: Vec<u32>,
    /// The schools' ids and townships, by number.
    book: SchoolBook,
    /// Each school's kind of facts: its index in `facts`, by number.
    kind_of: Vec<u32>,
    /// The distinct school facts.
    facts: Vec<SchoolFacts>,
    /// Each household's first spell; one more entry than households.
    spell_start: Vec<u32>,
    /// Status bit, first day, day after the last (`i32::MAX`: open).
    spells: Vec<(u8, i32, i32)>,
    students: u64,
    skipped: Vec<Skipped>,
}

/// The schools of a [`PackedRoster`] as they are found, in the roster's
/// numbering, before they are put in order of id.
#[derive(Default)]
struct FoundSchools {
    slots: Slots,
    ids: Vec<SchoolId>,
    kind_of: Vec<u32>,
    facts: Vec<SchoolFacts>,
    by_facts: HashMap<FactsKey, u32>,
    township_of: Vec<u32>,
    townships: Vec<String>,
    by_township: HashMap<String, u32>,
}

type FactsKey = (u64, Option<chrono::NaiveDate>, Option<[u8; 16]>);

impl FoundSchools {
    /// The local number of roster school `no` (`found`); `None` past
    /// 2³² − 1 schools or kinds of facts.
    fn number(&mut self, no: usize, found: &School) -> Option<u32> {
        if let Some(i) = self.slots.get(no) {
            return u32::try_from(i).ok();
        }
        let i = u32::try_from(self.ids.len()).ok()?;
        let f = SchoolFacts::of(found);
        let k = match self.by_facts.get(&f.key()) {
            Some(k) => *k,
            None => {
                let k = u32::try_from(self.facts.len()).ok()?;
                self.by_facts.insert(f.key(), k);
                self.facts.push(f);
                k
            }
        };
        let tw = match self.by_township.get(found.township.as_str()) {
            Some(t) => *t,
            None => {
                let t = u32::try_from(self.townships.len()).ok()?;
                self.by_township.insert(found.township.clone(), t);
                self.townships.push(found.township.clone());
                t
            }
        };
        self.ids.push(found.id.clone());
        self.kind_of.push(k);
        self.township_of.push(tw);
        self.slots.set(no, i as usize);
        Some(i)
    }

    /// The schools in order of id, and each local number's new number.
    fn sorted(self) -> (SchoolBook, Vec<u32>, Vec<SchoolFacts>, Option<Vec<u32>>) {
        let FoundSchools {
            ids,
            kind_of,
            facts,
            township_of,
            townships,
            ..
        } = self;
        if ids.windows(2).all(|w| w[0] < w[1]) {
            return (
                SchoolBook::sorted(ids.into(), township_of, townships),
                kind_of,
                facts,
                None,
            );
        }
        // Sorted on the ids' first 16 bytes held in the array, the full ids
        // compared only on a tie (as `SchoolBook::new`).
        let prefix = |s: &SchoolId| {
            let mut b = [0u8; 16];
            for (o, x) in b.iter_mut().zip(s.as_str().bytes()) {
                *o = x;
            }
            u128::from_be_bytes(b)
        };
        let mut keys: Vec<(u128, u32)> = (0u32..).zip(&ids).map(|(i, s)| (prefix(s), i)).collect();
        keys.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| ids[a.1 as usize].cmp(&ids[b.1 as usize])));
        let mut renumber = vec![0u32; ids.len()];
        for (pos, (_, old)) in (0u32..).zip(&keys) {
            renumber[*old as usize] = pos;
        }
        let mut ids: Vec<Option<SchoolId>> = ids.into_iter().map(Some).collect();
        let sorted: Arc<[SchoolId]> = keys.iter().filter_map(|(_, old)| ids[*old as usize].take()).collect();
        let kinds = keys.iter().map(|(_, old)| kind_of[*old as usize]).collect();
        let towns = keys.iter().map(|(_, old)| township_of[*old as usize]).collect();
        (
            SchoolBook::sorted(sorted, towns, townships),
            kinds,
            facts,
            Some(renumber),
        )
    }
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
        let mut found_schools = FoundSchools::default();
        let mut households: HashMap<HouseholdId, u32, std::hash::BuildHasherDefault<eduaid_model::IdHasher>> =
            HashMap::default();
        let mut too_large = false;
        roster.visit_linked(&mut |linked| {
            let s = linked.student;
            t.students += 1;
            let Some((no, found, household)) = Skipped::or_link(&linked, &mut t.skipped) else {
                return ControlFlow::Continue(());
            };
            let Some(sc) = found_schools.number(no, found) else {
                too_large = true;
                return ControlFlow::Break(());
            };
            let hh = match household {
                None => u32::MAX,
                Some(h) => match households.get(&h.id) {
                    Some(i) => *i,
                    None => {
                        let i = clamped::<_, u32>(households.len());
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
                        t.spell_start.push(clamped::<_, u32>(t.spells.len()));
                        i
                    }
                },
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
        let (book, kind_of, facts, renumber) = found_schools.sorted();
        if let Some(new) = renumber {
            for sc in &mut t.school {
                *sc = new.get(*sc as usize).copied().unwrap_or(*sc);
            }
        }
        t.group_by_school(book.len());
        t.book = book;
        t.kind_of = kind_of;
        t.facts = facts;
        Ok(t)
    }

    /// Put the students in order of school (stable), and number the
    /// households in their new order of first appearance: a run then
    /// reads each school's totals, and mostly each household's statuses,
    /// in order, whatever order the roster gave. Totals do not depend on
    /// the order of students.
    fn group_by_school(&mut self, schools: usize) {
        if self.school.windows(2).all(|w| w[0] <= w[1]) {
            return;
        }
        // Counting sort on the school number.
        let mut start = vec![0usize; schools + 1];
        for &sc in &self.school {
            if let Some(n) = start.get_mut(sc as usize + 1) {
                *n += 1;
            }
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let n = self.school.len();
        let mut order = vec![0usize; n];
        for (i, &sc) in self.school.iter().enumerate() {
            if let Some(at) = start.get_mut(sc as usize) {
                if let Some(o) = order.get_mut(*at) {
                    *o = i;
                }
                *at += 1;
            }
        }
        let pick = |v: &[u32]| order.iter().map(|&i| v[i]).collect::<Vec<u32>>();
        self.word = order.iter().map(|&i| self.word[i]).collect();
        self.since = order.iter().map(|&i| self.since[i]).collect();
        self.school = pick(&self.school);
        let household = pick(&self.household);
        // Households renumbered by first appearance, spells moved along.
        let households = self.spell_start.len().saturating_sub(1);
        let mut renumber = vec![u32::MAX; households];
        let mut spell_start = Vec::with_capacity(self.spell_start.len());
        spell_start.push(0u32);
        let mut spells = Vec::with_capacity(self.spells.len());
        let mut next = 0u32;
        self.household = household
            .into_iter()
            .map(|hh| {
                let Some(r) = renumber.get_mut(hh as usize) else {
                    return hh; // no household (u32::MAX)
                };
                if *r == u32::MAX {
                    *r = next;
                    next += 1;
                    let (a, b) = (
                        self.spell_start[hh as usize] as usize,
                        self.spell_start[hh as usize + 1] as usize,
                    );
                    spells.extend_from_slice(self.spells.get(a..b).unwrap_or(&[]));
                    spell_start.push(clamped::<_, u32>(spells.len()));
                }
                *r
            })
            .collect();
        self.spell_start = spell_start;
        self.spells = spells;
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
    /// The amounts of words seen before.
    memo: Memo,
    /// The amounts of a word not kept in the memo.
    scratch: Vec<(u8, Amount)>,
    /// The school of the students counted in the memo's slots.
    counted_at: usize,
}

/// The amounts owed for a word (a student's facts with its household's
/// and school's for a term), the school's facts and the term: a small
/// table indexed by a hash of the three, each slot holding the last key
/// that fell there and its amounts. Realistic rosters have few distinct
/// words, so most students are a lookup.
///
/// In a one-term run on a packed roster a slot also counts the students
/// of the school at hand that had its key ([`Student1::count`]): their
/// amounts are added once per key and school, times the count, when the
/// school is left or before the slot is given to another key.
struct Memo {
    slots: Vec<Slot>,
    /// Program and amount, for every kept key, flat.
    results: Vec<(u8, Amount)>,
    /// Beside each of `results`, the school tally of one student owed
    /// that amount and its units ([`SchoolTally`]), made the first time a
    /// school has one student of the key ([`Slot::ready`]); `None` if the
    /// amount is not whole fen or not made yet.
    ready: Vec<Option<SchoolTally>>,
    /// The slots with students counted and not yet added.
    pending: Vec<u32>,
}

/// One key of the [`Memo`] and where its amounts are.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// Word, school facts and term number (0: an empty slot).
    key: (u64, u32, u32),
    /// The span of its amounts in [`Memo::results`].
    start: u32,
    len: u32,
    /// Students counted at the school at hand, not yet added.
    count: u64,
    /// Students counted and added to their schools' tallies, not yet to
    /// the sums by program and stage nor to the persons
    /// ([`Student1::drain`]).
    settled: u64,
    /// The programs with an amount, as bits.
    hits: u64,
    /// True if every amount is whole fen (none missing): students of
    /// the key can be counted.
    countable: bool,
    /// True once the key's tallies of one student are made
    /// ([`Memo::ready`]).
    ready: bool,
}

impl Memo {
    /// Slots (a power of two).
    const SLOTS: usize = 1 << 14;
    /// Amounts kept before the table is cleared.
    const MAX_RESULTS: usize = 1 << 16;

    fn new() -> Memo {
        Memo {
            slots: vec![Slot::default(); Memo::SLOTS],
            results: Vec::with_capacity(Memo::SLOTS),
            ready: Vec::with_capacity(Memo::SLOTS),
            pending: Vec::new(),
        }
    }

    #[inline]
    fn slot(key: (u64, u32, u32)) -> usize {
        let h = (key.0 ^ u64::from(key.1).rotate_left(29) ^ u64::from(key.2).rotate_left(47))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> 52) as usize & (Memo::SLOTS - 1)
    }

    /// The slot of `key`, if kept (a term number of 0 marks an empty
    /// slot).
    #[inline]
    fn find(&self, key: (u64, u32, u32)) -> Option<usize> {
        let i = Memo::slot(key);
        match self.slots.get(i) {
            Some(s) if s.key == key => Some(i),
            _ => None,
        }
    }

    /// The span of slot `i`'s amounts in `results`.
    #[inline]
    fn span(&self, i: usize) -> std::ops::Range<usize> {
        self.slots
            .get(i)
            .map_or(0..0, |s| s.start as usize..(s.start as usize + s.len as usize))
    }

    /// True if keeping a key in `key`'s slot or clearing the table (past
    /// [`Memo::MAX_RESULTS`]) would lose counted students.
    #[inline]
    fn would_lose(&self, key: (u64, u32, u32)) -> bool {
        !self.pending.is_empty()
            && (self.slots.get(Memo::slot(key)).is_some_and(|s| s.count != 0)
                // One key adds at most one amount per program (64).
                || self.results.len() + 64 > Memo::MAX_RESULTS)
    }

    /// Keep `key`'s amounts, pushed to `results` from `from` on; their
    /// span. No slot may hold counted students ([`Memo::would_lose`]),
    /// nor settled ones in `key`'s slot, or in any if `results` is past
    /// [`Memo::MAX_RESULTS`] ([`Student1::keep`]).
    fn keep(&mut self, key: (u64, u32, u32), from: usize) -> std::ops::Range<usize> {
        let to = self.results.len();
        // Room for the key's tallies of one student, made when needed.
        self.ready.truncate(from);
        self.ready.resize(to, None);
        let (Ok(a), Ok(n)) = (u32::try_from(from), u32::try_from(to - from)) else {
            return from..to;
        };
        let mut hits = 0u64;
        let mut countable = true;
        for (p, amount) in self.results.get(from..to).unwrap_or(&[]) {
            hits |= 1u64 << (p % 64);
            countable &= matches!(amount, Amount::Fen { .. });
        }
        let i = Memo::slot(key);
        let mut start = a;
        let mut span = from..to;
        if to > Memo::MAX_RESULTS {
            // Keep memory bounded: forget everything but this key.
            self.results.drain(..from);
            self.ready.drain(..from);
            self.slots.iter_mut().for_each(|s| *s = Slot::default());
            start = 0;
            span = 0..(to - from);
        }
        if let Some(s) = self.slots.get_mut(i) {
            *s = Slot {
                key,
                start,
                len: n,
                count: 0,
                settled: 0,
                hits,
                countable,
                ready: false,
            };
        }
        span
    }
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
    fn count(
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
    fn settle(&mut self, acc: &mut Acc, done: bool) {
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
    fn drain_all(&mut self) {
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
    fn eval(
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
                    let mut sc = found.clone();
                    sc.classes = Vec::new();
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
