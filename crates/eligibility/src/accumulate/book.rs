//! The schools of a run as the totals name them.

use std::collections::HashMap;
use std::sync::Arc;

use eduaid_model::{School, SchoolId};

/// The schools of a run as the totals name them: their ids sorted (one
/// table shared by every program's [`SchoolTallies`]), where each school
/// number of the run stands in it, and the townships numbered.
#[derive(Debug, Clone, Default)]
pub(crate) struct SchoolBook {
    /// Every school id of the run, sorted.
    pub(crate) ids: Arc<[SchoolId]>,
    /// For each school number, its position in `ids`; empty when every
    /// number is its own position (a packed roster numbers its schools so).
    pub(super) rank: Vec<u32>,
    /// The school numbers in order of id; empty as `rank`.
    pub(super) by_id: Vec<u32>,
    /// Each school's township, by school number.
    pub(super) township_of: Vec<u32>,
    /// The townships' names.
    pub(super) townships: Vec<String>,
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
    pub(super) fn number_at(&self, pos: usize) -> usize {
        self.by_id.get(pos).map_or(pos, |n| *n as usize)
    }

    /// The place of school number `no` in order of id.
    pub(super) fn position(&self, no: usize) -> Option<usize> {
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
}
