//! The amounts of students alike: a small table by word, school facts
//! and term.

use super::plan::Amount;
use crate::accumulate::SchoolTally;

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
pub(super) struct Memo {
    pub(super) slots: Vec<Slot>,
    /// Program and amount, for every kept key, flat.
    pub(super) results: Vec<(u8, Amount)>,
    /// Beside each of `results`, the school tally of one student owed
    /// that amount and its units ([`SchoolTally`]), made the first time a
    /// school has one student of the key ([`Slot::ready`]); `None` if the
    /// amount is not whole fen or not made yet.
    pub(super) ready: Vec<Option<SchoolTally>>,
    /// The slots with students counted and not yet added.
    pub(super) pending: Vec<u32>,
}

/// One key of the [`Memo`] and where its amounts are.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Slot {
    /// Word, school facts and term number (0: an empty slot).
    pub(super) key: (u64, u32, u32),
    /// The span of its amounts in [`Memo::results`] (a key has at most
    /// one amount per program, at most 64: a byte holds its length, so
    /// a slot stays 48 bytes).
    pub(super) start: u32,
    pub(super) len: u8,
    /// Students counted at the school at hand, not yet added.
    pub(super) count: u64,
    /// Students counted and added to their schools' tallies, not yet to
    /// the sums by program and stage nor to the persons
    /// ([`Student1::drain`]).
    pub(super) settled: u64,
    /// The programs with an amount, as bits.
    pub(super) hits: u64,
    /// True if every amount is whole fen (none missing): students of
    /// the key can be counted.
    pub(super) countable: bool,
    /// True once the key's tallies of one student are made
    /// ([`Memo::ready`]).
    pub(super) ready: bool,
}

impl Memo {
    /// Slots (a power of two).
    pub(super) const SLOTS: usize = 1 << 14;
    /// Amounts kept before the table is cleared.
    pub(super) const MAX_RESULTS: usize = 1 << 16;

    pub(super) fn new() -> Memo {
        Memo {
            slots: vec![Slot::default(); Memo::SLOTS],
            results: Vec::with_capacity(Memo::SLOTS),
            ready: Vec::with_capacity(Memo::SLOTS),
            pending: Vec::new(),
        }
    }

    #[inline]
    pub(super) fn slot(key: (u64, u32, u32)) -> usize {
        let h = (key.0 ^ u64::from(key.1).rotate_left(29) ^ u64::from(key.2).rotate_left(47))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> 52) as usize & (Memo::SLOTS - 1)
    }

    /// The slot of `key`, if kept (a term number of 0 marks an empty
    /// slot).
    #[inline]
    pub(super) fn find(&self, key: (u64, u32, u32)) -> Option<usize> {
        let i = Memo::slot(key);
        match self.slots.get(i) {
            Some(s) if s.key == key => Some(i),
            _ => None,
        }
    }

    /// The span of slot `i`'s amounts in `results`.
    #[inline]
    pub(super) fn span(&self, i: usize) -> std::ops::Range<usize> {
        self.slots
            .get(i)
            .map_or(0..0, |s| s.start as usize..(s.start as usize + s.len as usize))
    }

    /// True if keeping a key in `key`'s slot or clearing the table (past
    /// [`Memo::MAX_RESULTS`]) would lose counted students.
    #[inline]
    pub(super) fn would_lose(&self, key: (u64, u32, u32)) -> bool {
        !self.pending.is_empty()
            && (self.slots.get(Memo::slot(key)).is_some_and(|s| s.count != 0)
                // One key adds at most one amount per program (64).
                || self.results.len() + 64 > Memo::MAX_RESULTS)
    }

    /// Keep `key`'s amounts, pushed to `results` from `from` on; their
    /// span. No slot may hold counted students ([`Memo::would_lose`]),
    /// nor settled ones in `key`'s slot, or in any if `results` is past
    /// [`Memo::MAX_RESULTS`] ([`Student1::keep`]).
    pub(super) fn keep(&mut self, key: (u64, u32, u32), from: usize) -> std::ops::Range<usize> {
        let to = self.results.len();
        // Room for the key's tallies of one student, made when needed.
        self.ready.truncate(from);
        self.ready.resize(to, None);
        let (Ok(a), Ok(n)) = (u32::try_from(from), u8::try_from(to - from)) else {
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
