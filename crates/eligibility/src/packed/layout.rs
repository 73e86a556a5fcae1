//! The packed word: every fact a condition reads of a student, its school
//! and its household in one term, as bits of a `u64`, and conditions
//! compiled to masks over it.
//!
//! | bits | fact | encoding |
//! |---|---|---|
//! | 0–6 | stage | one bit per stage |
//! | 7 | the household exited poverty on or after the term's second exit threshold | a bit |
//! | 8–23 | grade | one bit per grade (15 and above share bit 23) |
//! | 24–28 | the first five yes-or-no facts of `FLAGS`: boarder, agricultural major, disabled, left-behind, migrant | a bit each |
//! | 29–32 | hukou | one bit per kind |
//! | 33–39 | household statuses on the term's reference date | one bit per status |
//! | 40 | the household exited poverty on or after the term's first exit threshold | a bit |
//! | 41–52 | school kind | one bit per kind |
//! | 53–56 | the household exited poverty on or after the term's third to sixth exit thresholds | a bit each |
//! | 57–58 | school locality | one bit per locality |
//! | 59–60 | school ownership | one bit per ownership |
//! | 61 | school in the nutrition plan during the term | a bit |
//!
//! A condition group is then one equality under a mask (every fact with a
//! single required value: flags, hukou, locality, ownership, the plan) and
//! up to four "some bit of this set" tests (stages, grades, school kinds,
//! statuses), plus its alternatives.
//!
//! An exit from poverty is a date, not a status of the day: each term's
//! conditions on it (`exited_since`, `exited_within_years`) come down to
//! "exited on or after a threshold day, by the reference date", and the
//! term's distinct thresholds (at most [`EXIT_BITS`]`.len()`) get a bit
//! each, resolved per household and term like the statuses. A term with
//! more thresholds is not packable ([`PCond::compile`] says so).

use eduaid_model::{School, Student};

use crate::condition::{Cond, FLAGS};
use crate::facts::StatusSet;

const GRADE_SHIFT: u32 = 8;
/// The first bit of the student's yes-or-no facts ([`FLAGS`], in order).
const FLAG_SHIFT: u32 = 24;
/// How many of [`FLAGS`] the word has bits for (the first ones): a
/// condition on a later one does not compile to the packed form.
pub(crate) const FLAG_BITS: u32 = 5;
const HUKOU_SHIFT: u32 = 29;
const STATUS_SHIFT: u32 = 33;
const KIND_SHIFT: u32 = 41;
const LOCALITY_SHIFT: u32 = 57;
const OWNERSHIP_SHIFT: u32 = 59;
/// The bits of a term's exit thresholds, in order.
pub(crate) const EXIT_BITS: [u64; 6] = [1 << 40, 1 << 7, 1 << 53, 1 << 54, 1 << 55, 1 << 56];

/// The school is in the nutrition plan during the term.
pub(crate) const IN_PLAN: u64 = 1 << 61;
/// Every stage bit: exactly one of them is set in any word, so a test
/// against it always passes (an unused set test).
const STAGE_ALL: u64 = 0x7f;

/// The widths the layout gives each enumeration, checked by a test against
/// the model's lists.
#[cfg(test)]
pub(crate) const WIDTHS: [(&str, usize, usize); 6] = [
    ("stage", eduaid_model::Stage::ALL.len(), 7),
    ("hukou", eduaid_model::Hukou::ALL.len(), 4),
    ("status", eduaid_model::StatusKind::ALL.len(), 7),
    ("school kind", eduaid_model::SchoolKind::ALL.len(), 12),
    ("locality", eduaid_model::Locality::ALL.len(), 2),
    ("ownership", eduaid_model::Ownership::ALL.len(), 2),
];

/// The student's own facts (everything but statuses and school).
pub(crate) fn student_word(s: &Student) -> u64 {
    let mut w = 1u64 << (s.stage as u32 & 7);
    w |= 1u64 << (GRADE_SHIFT + u32::from(s.grade.min(15)));
    for (i, fl) in (0..FLAG_BITS).zip(&FLAGS) {
        if (fl.read)(s) {
            w |= 1u64 << (FLAG_SHIFT + i);
        }
    }
    w | 1u64 << (HUKOU_SHIFT + (s.hukou as u32 & 3))
}

/// The school's facts that do not depend on the term.
pub(crate) fn school_word(s: &School) -> u64 {
    1u64 << (KIND_SHIFT + (s.kind as u32).min(11))
        | 1u64 << (LOCALITY_SHIFT + (s.locality as u32 & 1))
        | 1u64 << (OWNERSHIP_SHIFT + (s.ownership as u32 & 1))
}

/// Household statuses, placed in the word.
pub(crate) fn status_word(set: StatusSet) -> u64 {
    u64::from(set.bits()) << STATUS_SHIFT
}

/// A term's exit thresholds, each with its bit: the threshold day (an exit
/// on or after it counts) and the bit.
pub(crate) type Exits = [(chrono::NaiveDate, u64)];

/// The word of a household's last exit from poverty by the reference date
/// (`last_exit`, a day number) for a term's `exits`.
#[inline]
pub(crate) fn exit_word(exits: &[(i32, u64)], last_exit: Option<i32>) -> u64 {
    let Some(e) = last_exit else { return 0 };
    exits.iter().filter(|(t, _)| e >= *t).fold(0, |w, (_, b)| w | b)
}

/// A condition group compiled to masks over the packed word.
#[derive(Debug, Clone)]
pub(crate) struct PCond {
    eq_mask: u64,
    eq_val: u64,
    sets: [u64; 4],
    any: Vec<PCond>,
}

impl PCond {
    /// The packed form of `c` in a term whose reference date is
    /// `reference` and whose exit thresholds have the bits `exits`: holds
    /// on a word exactly when `c` holds on the facts the word was made of.
    /// `None` if `c` uses an exit threshold `exits` has no bit for, or a
    /// yes-or-no fact the word has no bit for.
    pub(crate) fn compile(c: &Cond, reference: chrono::NaiveDate, exits: &Exits) -> Option<PCond> {
        let mut eq_mask = 0u64;
        let mut eq_val = 0u64;
        let mut want = |bit: u64, on: bool| {
            eq_mask |= bit;
            if on {
                eq_val |= bit;
            }
        };
        if let Some(l) = c.locality {
            want(1u64 << (LOCALITY_SHIFT + (l as u32 & 1)), true);
        }
        if let Some(o) = c.ownership {
            want(1u64 << (OWNERSHIP_SHIFT + (o as u32 & 1)), true);
        }
        if let Some(h) = c.hukou {
            want(1u64 << (HUKOU_SHIFT + (h as u32 & 3)), true);
        }
        for (i, v) in (0u32..).zip(c.flags) {
            if let Some(v) = v {
                if i >= FLAG_BITS {
                    return None;
                }
                want(1u64 << (FLAG_SHIFT + i), v);
            }
        }
        if let Some(v) = c.in_plan {
            want(IN_PLAN, v);
        }
        if let Some(t) = c.exit_threshold(reference) {
            let (_, bit) = exits.iter().find(|(d, _)| *d == t)?;
            want(*bit, true);
        }
        // An empty set is no test, as in `Cond::holds`.
        let set = |m: u64| if m == 0 { STAGE_ALL } else { m };
        Some(PCond {
            eq_mask,
            eq_val,
            sets: [
                set(u64::from(c.stages)),
                set(u64::from(c.grades) << GRADE_SHIFT),
                set(u64::from(c.kinds) << KIND_SHIFT),
                set(status_word(c.statuses)),
            ],
            any: c
                .any
                .iter()
                .map(|a| PCond::compile(a, reference, exits))
                .collect::<Option<Vec<_>>>()?,
        })
    }

    /// True if the condition holds on word `w`.
    #[inline(always)]
    pub(crate) fn holds(&self, w: u64) -> bool {
        (w & self.eq_mask) == self.eq_val
            && (w & self.sets[0]) != 0
            && (w & self.sets[1]) != 0
            && (w & self.sets[2]) != 0
            && (w & self.sets[3]) != 0
            && (self.any.is_empty() || self.any_holds(w))
    }

    /// True if some alternative holds on `w`.
    #[inline(never)]
    fn any_holds(&self, w: u64) -> bool {
        self.any.iter().any(|c| c.holds(w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enumeration_fits_its_bits() {
        for (what, n, room) in WIDTHS {
            assert!(n <= room, "{what}: {n} values, room for {room}");
        }
    }
}
