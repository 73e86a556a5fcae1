//! Students grouped by what the programs read of them, evaluated once
//! per group, and the fast hash of their keys.

#[allow(clippy::wildcard_imports)]
use super::*;

/// A fast 64-bit hash of an id (FxHash-style, eight bytes at a time):
/// school ids are short strings from the roster, not adversarial input,
/// and the lookup is on the per-student path.
pub(super) fn fnv(bytes: &[u8]) -> u64 {
    pub(super) const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// A hasher for keys that are already hashes.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv(bytes);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    #[allow(clippy::cast_possible_truncation)] // the key's two halves, on purpose
    fn write_u128(&mut self, n: u128) {
        // Fold a packed key into 64 well-mixed bits.
        let (lo, hi) = (n as u64, (n >> 64) as u64);
        let h = (lo ^ hi.rotate_left(32)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 32);
    }
}

pub(super) type FastHash = std::hash::BuildHasherDefault<Prehashed>;

/// The engine's slot for each school, by the number the roster gives it
/// (see [`eduaid_model::Linked::school`]): a vector for the small numbers
/// rosters give, a map for any beyond.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    pub(super) near: Vec<Option<usize>>,
    pub(super) far: HashMap<usize, usize, FastHash>,
}

impl Slots {
    /// Numbers below this are kept in the vector.
    pub(super) const NEAR: usize = 1 << 20;

    pub(crate) fn get(&self, no: usize) -> Option<usize> {
        match self.near.get(no) {
            Some(x) => *x,
            None => self.far.get(&no).copied(),
        }
    }

    pub(crate) fn set(&mut self, no: usize, slot: usize) {
        if no < Self::NEAR {
            if self.near.len() <= no {
                self.near.resize(no + 1, None);
            }
            self.near[no] = Some(slot);
        } else {
            self.far.insert(no, slot);
        }
    }
}

/// Students grouped by school, stage and everything the programs read of
/// them (see [`Reads`]) in each term: each group is evaluated once, for its
/// first student, and counted; the totals add each group's amounts as many
/// times as it has students, exactly.
#[derive(Debug, Default)]
pub(super) struct Memo {
    /// Packed key → group.
    pub(super) map: HashMap<u128, u32, FastHash>,
    pub(super) groups: Vec<Group>,
    /// Students in each group, apart from the groups (the only part
    /// written per student, so it stays small in cache).
    pub(super) counts: Vec<u64>,
    /// The entitlements of every group, flat.
    pub(super) hits: Vec<Hit>,
}

/// One group of students who are owed the same.
#[derive(Debug)]
pub(super) struct Group {
    pub(super) school: u32,
    pub(super) stage: u8,
    pub(super) hits: std::ops::Range<usize>,
    /// Entitled to something owed (not only ceilings).
    pub(super) owed: bool,
}

/// One entitlement of a group.
#[derive(Debug, Clone, Copy)]
pub(super) struct Hit {
    pub(super) amount: Decimal,
    pub(super) program: u32,
    pub(super) term: u8,
}

impl Hit {
    pub(super) fn program(&self) -> usize {
        self.program as usize
    }

    pub(super) fn term(&self) -> usize {
        usize::from(self.term)
    }
}

impl Group {
    pub(super) fn school(&self) -> usize {
        self.school as usize
    }

    pub(super) fn stage(&self) -> usize {
        usize::from(self.stage)
    }
}

impl Memo {
    /// Terms a key has room for (a byte each).
    pub(super) const MAX_TERMS: usize = 8;
    /// Groups kept; students of further groups are evaluated one by one,
    /// so memory stays bounded whatever the roster.
    pub(super) const MAX_GROUPS: usize = 1 << 20;

    /// The student's key: school (32 bits), stage (4), the facts read (17),
    /// and for each term a byte: at school on the reference date (top bit)
    /// and the statuses read. `None` if the student cannot be grouped: at
    /// school on a reference date with a leaving date (amounts by school
    /// day depend on it), or a school index past 32 bits.
    pub(super) fn key(
        si: usize,
        s: &Student,
        reads: Reads,
        plans: &[TermPlan<'_>],
        household: Option<&Household>,
    ) -> Option<u128> {
        let school = u32::try_from(si).ok()?;
        let leaves = s.left_on().is_some();
        let mut terms = 0u128;
        for (ti, plan) in plans.iter().enumerate() {
            let on = plan.cx.reference;
            if !s.in_school_on(on) {
                continue;
            }
            if leaves {
                return None;
            }
            let byte = 0x80 | reads.mask(StatusSet::of(household, on));
            terms |= u128::from(byte) << (8 * ti);
        }
        let stage = u128::from(s.stage as u8 & 0xf);
        Some(u128::from(school) | stage << 32 | u128::from(reads.key(s)) << 36 | terms << 64)
    }
}
