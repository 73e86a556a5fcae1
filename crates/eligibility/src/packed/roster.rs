//! The packed roster: a roster copied once into columns.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use eduaid_model::convert::clamped;
use eduaid_model::{HouseholdId, Roster, School, SchoolId, StatusKind};

use super::layout::{status_word, student_word};
use super::plan::{self, SchoolFacts, day};
use super::{MODE_SHIFT, mode};
use crate::Error;
use crate::accumulate::SchoolBook;
use crate::engine::{Skipped, Slots};
use crate::facts::StatusSet;

/// A roster copied into columns for the packed engine: per student its
/// facts as one word, its school's and household's numbers and its status
/// date; the schools' ids (sorted: a school's number is its place in order
/// of id), townships and distinct facts (kind, place, plan, tuition), and
/// every household's status spells as day numbers. Students' strings and
/// ids are not kept.
///
/// Build it once with [`PackedRoster::new`], then run any terms on it with
/// [`Engine::totals_packed`](crate::Engine::totals_packed). About 24 bytes per student, 12 per status
/// spell and, per school, its id and 8 bytes.
#[derive(Debug, Clone, Default)]
pub struct PackedRoster {
    pub(super) word: Vec<u64>,
    pub(super) since: Vec<i32>,
    pub(super) school: Vec<u32>,
    pub(super) household: Vec<u32>,
    /// The schools' ids and townships, by number.
    pub(super) book: SchoolBook,
    /// Each school's kind of facts: its index in `facts`, by number.
    pub(super) kind_of: Vec<u32>,
    /// The distinct school facts.
    pub(super) facts: Vec<SchoolFacts>,
    /// Each household's first spell; one more entry than households.
    pub(super) spell_start: Vec<u32>,
    /// Status bit, first day, day after the last (`i32::MAX`: open).
    pub(super) spells: Vec<(u8, i32, i32)>,
    pub(super) students: u64,
    pub(super) skipped: Vec<Skipped>,
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
    /// [`Engine::run`](crate::Engine::run) does.
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
    pub(super) fn statuses_on(&self, t: &plan::PTerm) -> Vec<u64> {
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
