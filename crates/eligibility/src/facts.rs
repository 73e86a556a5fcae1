//! The facts a program is evaluated on: the student, school and household,
//! the household's statuses on the term's reference date as a bit set, the
//! term itself, and how dates are written in traces. Conditions
//! (`condition.rs`) and programs (`program/`) both read them; neither is
//! needed to make them.

use std::fmt;

use chrono::NaiveDate;
use eduaid_model::convert::clamped;
use eduaid_model::{Household, School, StatusKind, Student, Term};

use crate::policy::Window;

/// A set of household statuses held on one date, as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct StatusSet(pub(crate) u8);

impl StatusSet {
    /// No status.
    pub const EMPTY: StatusSet = StatusSet(0);

    /// The statuses `household` holds on `date`.
    #[must_use]
    pub fn of(household: Option<&Household>, date: NaiveDate) -> StatusSet {
        let mut bits = 0u8;
        if let Some(h) = household {
            for s in &h.statuses {
                if s.range.contains(date) {
                    bits |= bit(s.kind);
                }
            }
        }
        StatusSet(bits)
    }

    /// A set of the given kinds.
    #[must_use]
    pub fn from_kinds(kinds: &[StatusKind]) -> StatusSet {
        StatusSet(kinds.iter().fold(0, |a, k| a | bit(*k)))
    }

    /// True if `kind` is held.
    #[must_use]
    pub fn contains(self, kind: StatusKind) -> bool {
        self.0 & bit(kind) != 0
    }

    /// True if any status of `other` is held.
    #[must_use]
    pub fn intersects(self, other: StatusSet) -> bool {
        self.0 & other.0 != 0
    }

    /// True if no status is held.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The set as bits, one per [`StatusKind`] at its position.
    pub(crate) fn bits(self) -> u8 {
        self.0
    }

    /// The set of these bits.
    pub(crate) fn from_bits(bits: u8) -> StatusSet {
        StatusSet(bits)
    }
}

pub(crate) fn bit(k: StatusKind) -> u8 {
    1u8 << (k as u8)
}

/// The term being evaluated: its reference date and school-day window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermContext {
    /// The term.
    pub term: Term,
    /// The day household status is judged on: the term's first day.
    pub reference: NaiveDate,
    /// The meal-provision window, if the policy has a calendar.
    pub window: Option<Window>,
}

/// Everything a program may look at for one student in one term.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The student.
    pub student: &'a Student,
    /// The student's school.
    pub school: &'a School,
    /// The student's household, if any.
    pub household: Option<&'a Household>,
    /// The household's statuses on the reference date.
    pub statuses: StatusSet,
    /// The term.
    pub term: &'a TermContext,
}

impl<'a> Facts<'a> {
    /// The facts of `student` at `school` in the term of `term`, with the
    /// household's statuses taken on the term's reference date.
    #[must_use]
    pub fn new(
        student: &'a Student,
        school: &'a School,
        household: Option<&'a Household>,
        term: &'a TermContext,
    ) -> Facts<'a> {
        Facts {
            student,
            school,
            household,
            statuses: StatusSet::of(household, term.reference),
            term,
        }
    }
}

/// A date as chrono writes it (`2021-03-01`), its digits written directly
/// for years 0 to 9999 (chrono's own `Display` for any other).
#[derive(Clone, Copy)]
pub(crate) struct Ymd(pub(crate) NaiveDate);

impl Ymd {
    /// The date's ten characters, for years 0 to 9999.
    pub(crate) fn ascii(self) -> Option<[u8; 10]> {
        use chrono::Datelike as _;
        let d = self.0;
        let y = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
        let (m, day) = (d.month(), d.day());
        let digit = |n: u32| b'0' + clamped::<_, u8>(n % 10);
        Some([
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(day / 10),
            digit(day),
        ])
    }
}

impl fmt::Display for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ascii() {
            Some(buf) => f.write_str(std::str::from_utf8(&buf).unwrap_or_default()),
            None => write!(f, "{}", self.0),
        }
    }
}
