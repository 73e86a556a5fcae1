//! The households a file or the students rows state: reading a households
//! file, and the book that merges what the rows say.

use super::*;

/// Read a households file in long format: one status spell a row
/// (`household_id, status, from, until`). The records are the households,
/// in the order they first appear; the report counts rows (spells). A spell
/// that overlaps an earlier spell of the same kind of the same household is
/// a rejected row.
///
/// # Errors
/// A file-level [`Error`]; bad rows are in the report.
pub fn read_households<'a>(input: impl Into<Input<'a>>, opts: &ReadOptions) -> Result<Loaded<Household>, Error> {
    let mut order: Vec<HouseholdId> = Vec::new();
    let mut map: HashMap<HouseholdId, Household> = HashMap::new();
    let report = load(input.into(), opts, |row: SpellRow, f| {
        let h = map.entry(row.household_id.clone()).or_insert_with(|| {
            order.push(row.household_id.clone());
            Household::new(row.household_id.clone())
        });
        h.add_status(row.kind, row.range.from, row.range.until)
            .map_err(|e| f.err("from", e.to_string()))
    })?;
    let records = order.iter().filter_map(|id| map.remove(id)).collect();
    Ok(Loaded { records, report })
}

/// The households a students file and a households file describe, merged
/// by the rules in docs/file-formats.md:
///
/// - with a households file, it is authoritative: every status kind a
///   student row states must have exactly the spells the file has for that
///   household (a household not in the file has none); a row that disagrees
///   is rejected. A row naming a household not in the file and stating no
///   status adds that household, with no status;
/// - without one, the students' rows build the households: siblings (rows
///   naming the same household id) must state the same spells for every
///   kind both state; a row that disagrees is rejected.
#[derive(Debug, Clone, Default)]
pub struct HouseholdBook {
    /// The households, in the order first seen.
    households: Vec<Household>,
    /// Each household's place in `households`; `None` while every
    /// household came in increasing id order (derived ids of a file
    /// sorted by student id do), when one above the last is new and any
    /// other is found by binary search: no hashing, no scattered memory.
    /// Built once, from the households so far, when the order breaks.
    index: Option<IdMap<HouseholdId, usize>>,
    authoritative: bool,
}

impl HouseholdBook {
    /// An empty book: households come from the students file.
    #[must_use]
    pub fn new() -> HouseholdBook {
        HouseholdBook::default()
    }

    /// A book holding the households of a households file, which is then
    /// authoritative.
    #[must_use]
    pub fn from_file(households: Vec<Household>) -> HouseholdBook {
        let mut book = HouseholdBook {
            authoritative: true,
            ..HouseholdBook::default()
        };
        for h in households {
            // A repeated id: the later household, in the earlier's place.
            match book.place(&h.id).and_then(|i| book.households.get_mut(i)) {
                Some(known) => *known = h,
                None => book.add(h),
            }
        }
        book
    }

    /// Add a household the book does not have.
    fn add(&mut self, h: Household) {
        if self.index.is_none() && self.households.last().is_some_and(|last| last.id >= h.id) {
            let index = self
                .households
                .iter()
                .enumerate()
                .map(|(i, h)| (h.id.clone(), i))
                .collect();
            self.index = Some(index);
        }
        if let Some(index) = &mut self.index {
            index.insert(h.id.clone(), self.households.len());
        }
        self.households.push(h);
    }

    /// The place of household `id` in `households`, if the book has it.
    fn place(&self, id: &HouseholdId) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(id).copied(),
            // Sorted by id: one above the last is new.
            None if self.households.last().is_none_or(|last| last.id < *id) => None,
            None => self.households.binary_search_by(|h| h.id.cmp(id)).ok(),
        }
    }

    /// Check a student row's household against the book and add it.
    ///
    /// # Errors
    /// The reason the row disagrees with the book.
    pub fn merge(&mut self, row: &Household) -> Result<(), String> {
        match self.compare(row)? {
            Some((i, additions)) => self.extend(i, additions),
            None => self.add(row.clone()),
        }
        Ok(())
    }

    /// [`HouseholdBook::merge`], taking the row's household (no copy when
    /// the book does not have it yet).
    pub(crate) fn merge_owned(&mut self, row: Household) -> Result<(), String> {
        match self.compare(&row)? {
            Some((i, additions)) => self.extend(i, additions),
            None => self.add(row),
        }
        Ok(())
    }

    fn extend(&mut self, i: usize, additions: Vec<StatusSpell>) {
        if let Some(h) = self.households.get_mut(i) {
            h.statuses.extend(additions);
        }
    }

    /// Whether a row's household agrees with the book: `None` if the book
    /// does not have it and may take it, else its place and the spells the
    /// row adds to it.
    fn compare(&self, row: &Household) -> Result<Option<(usize, Vec<StatusSpell>)>, String> {
        let Some((i, known)) = self.place(&row.id).and_then(|i| Some((i, self.households.get(i)?))) else {
            if self.authoritative && !row.statuses.is_empty() {
                let mut kinds: Vec<StatusKind> = row.statuses.iter().map(|s| s.kind).collect();
                kinds.dedup();
                let kinds: Vec<String> = kinds.iter().map(ToString::to_string).collect();
                return Err(format!(
                    "household {} is not in the households file, so it has no status, but this row gives {}",
                    row.id,
                    kinds.join(", ")
                ));
            }
            return Ok(None);
        };
        let kinds: HashSet<StatusKind> = row.statuses.iter().map(|s| s.kind).collect();
        let mut kinds: Vec<StatusKind> = kinds.into_iter().collect();
        kinds.sort();
        let mut additions = Vec::new();
        for kind in kinds {
            let mine = spells_of(row, kind);
            let theirs = spells_of(known, kind);
            if theirs.is_empty() && !self.authoritative {
                additions.extend(row.statuses.iter().filter(|s| s.kind == kind).cloned());
            } else if mine != theirs {
                let source = if self.authoritative {
                    "the households file"
                } else {
                    "an earlier row"
                };
                return Err(format!(
                    "household {}: this row gives {kind} {} but {source} gives {}",
                    row.id,
                    describe(&mine),
                    describe(&theirs)
                ));
            }
        }
        Ok(Some((i, additions)))
    }

    /// The household with this id.
    #[must_use]
    pub fn get(&self, id: &HouseholdId) -> Option<&Household> {
        self.place(id).and_then(|i| self.households.get(i))
    }

    /// True if the book has this household.
    #[must_use]
    pub fn contains(&self, id: &HouseholdId) -> bool {
        self.place(id).is_some()
    }

    /// The households, in the order they were first seen.
    #[must_use]
    pub fn into_households(self) -> Vec<Household> {
        self.households
    }

    pub(crate) fn into_map(self) -> HashMap<HouseholdId, Household> {
        // Each household's id once (the book adds only ids it lacks).
        self.households.into_iter().map(|h| (h.id.clone(), h)).collect()
    }
}

fn spells_of(h: &Household, kind: StatusKind) -> Vec<eduaid_model::DateRange> {
    let mut v: Vec<_> = h.statuses.iter().filter(|s| s.kind == kind).map(|s| s.range).collect();
    v.sort();
    v
}

fn describe(spells: &[eduaid_model::DateRange]) -> String {
    if spells.is_empty() {
        return "nothing".into();
    }
    spells.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// A household's spells sorted, for comparisons in tests and writers.
#[must_use]
pub fn sorted_spells(h: &Household) -> Vec<StatusSpell> {
    let mut v = h.statuses.clone();
    v.sort_by_key(|s| (s.kind, s.range));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The book finds a household whatever the order the ids come in
        /// (sorted, as derived ids of a sorted file, then not): it holds
        /// each id once, in the order first seen, as a set would.
        #[test]
        fn the_book_holds_each_household_once(ids in prop::collection::vec(0u32..30, 0..60), sorted in 0usize..60) {
            let mut ids = ids;
            let cut = sorted.min(ids.len());
            ids[..cut].sort_unstable();
            let id = |n: u32| HouseholdId::new(format!("H-S{n:03}")).unwrap_or_else(|e| panic!("{e}"));
            let mut book = HouseholdBook::new();
            let (mut order, mut set) = (Vec::new(), HashSet::new());
            for &n in &ids {
                prop_assert_eq!(book.merge_owned(Household::new(id(n))), Ok(()));
                if set.insert(n) {
                    order.push(id(n));
                }
            }
            for n in 0..30 {
                prop_assert_eq!(book.contains(&id(n)), set.contains(&n));
                prop_assert_eq!(book.get(&id(n)).map(|h| h.id.clone()), set.contains(&n).then(|| id(n)));
            }
            let map = book.clone().into_map();
            prop_assert_eq!(map.len(), set.len());
            prop_assert!(map.iter().all(|(k, h)| *k == h.id));
            let held: Vec<HouseholdId> = book.into_households().into_iter().map(|h| h.id).collect();
            prop_assert_eq!(held, order);
        }
    }
}
