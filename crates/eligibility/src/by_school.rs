//! A program's totals by school ([`SchoolTallies`]): one tally for each
//! school with an entitlement, in order of school id, over the run's own
//! table of school ids (shared by every program of the run, never copied
//! per program or per school).

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use eduaid_model::SchoolId;
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::engine::Tally;

/// The totals of one program by school: for each school with at least one
/// entitlement, its [`Tally`], in order of school id.
///
/// It reads like the `BTreeMap<SchoolId, Tally>` it replaces: look a
/// school up with [`get`](SchoolTallies::get) or `tallies[&id]`, iterate
/// in order of id with [`iter`](SchoolTallies::iter) (or `for (id, t) in
/// &tallies`), count with [`len`](SchoolTallies::len), and get the map
/// itself with [`to_map`](SchoolTallies::to_map) (or `BTreeMap::from`).
/// It serializes as that map: a JSON object from school id to tally.
///
/// Building it costs no allocation per school: the ids are the run's one
/// sorted table, shared by every program, and each program keeps only
/// its schools' positions in that table beside their tallies.
#[derive(Clone, Default)]
pub struct SchoolTallies {
    /// Every school id of the run, sorted (shared between programs).
    ids: Arc<[SchoolId]>,
    /// Position in `ids` and tally, by ascending position.
    rows: Vec<(usize, Tally)>,
}

impl SchoolTallies {
    /// No school.
    #[must_use]
    pub fn new() -> SchoolTallies {
        SchoolTallies::default()
    }

    /// Tallies over a sorted table of ids: `rows` gives positions in `ids`
    /// in ascending order, each once (checked in debug builds).
    pub(crate) fn from_rows(ids: Arc<[SchoolId]>, rows: Vec<(usize, Tally)>) -> SchoolTallies {
        debug_assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids sorted");
        debug_assert!(rows.windows(2).all(|w| w[0].0 < w[1].0), "rows ascending");
        debug_assert!(rows.last().is_none_or(|r| r.0 < ids.len()));
        SchoolTallies { ids, rows }
    }

    /// The tally of school `id`, if it has one.
    #[must_use]
    pub fn get<Q>(&self, id: &Q) -> Option<&Tally>
    where
        SchoolId: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let at = self.ids.binary_search_by(|x| x.borrow().cmp(id)).ok()?;
        let row = self.rows.binary_search_by_key(&at, |r| r.0).ok()?;
        self.rows.get(row).map(|r| &r.1)
    }

    /// True if school `id` has a tally.
    #[must_use]
    pub fn contains_key<Q>(&self, id: &Q) -> bool
    where
        SchoolId: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.get(id).is_some()
    }

    /// The schools with a tally.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True if no school has a tally.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Each school and its tally, in order of school id.
    #[must_use]
    pub fn iter(&self) -> SchoolTalliesIter<'_> {
        SchoolTalliesIter {
            ids: &self.ids,
            rows: self.rows.iter(),
        }
    }

    /// The school ids, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &SchoolId> + ExactSizeIterator {
        self.iter().map(|(id, _)| id)
    }

    /// The tallies, in order of school id.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Tally> + ExactSizeIterator {
        self.rows.iter().map(|r| &r.1)
    }

    /// The tallies as a map (one allocation per school: ask only when a
    /// map is what is needed).
    #[must_use]
    pub fn to_map(&self) -> BTreeMap<SchoolId, Tally> {
        self.iter().map(|(id, t)| (id.clone(), *t)).collect()
    }
}

/// The iterator of [`SchoolTallies::iter`]: each school and its tally, in
/// order of school id.
#[derive(Debug, Clone)]
pub struct SchoolTalliesIter<'a> {
    ids: &'a [SchoolId],
    rows: std::slice::Iter<'a, (usize, Tally)>,
}

impl<'a> Iterator for SchoolTalliesIter<'a> {
    type Item = (&'a SchoolId, &'a Tally);

    fn next(&mut self) -> Option<Self::Item> {
        let (at, t) = self.rows.next()?;
        // Every position is in the table (`from_rows`); a row that were not
        // would be skipped rather than panic.
        match self.ids.get(*at) {
            Some(id) => Some((id, t)),
            None => self.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.rows.size_hint()
    }
}

impl DoubleEndedIterator for SchoolTalliesIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let (at, t) = self.rows.next_back()?;
        match self.ids.get(*at) {
            Some(id) => Some((id, t)),
            None => self.next_back(),
        }
    }
}

impl ExactSizeIterator for SchoolTalliesIter<'_> {}

impl<'a> IntoIterator for &'a SchoolTallies {
    type Item = (&'a SchoolId, &'a Tally);
    type IntoIter = SchoolTalliesIter<'a>;

    fn into_iter(self) -> SchoolTalliesIter<'a> {
        self.iter()
    }
}

impl<Q> std::ops::Index<&Q> for SchoolTallies
where
    SchoolId: Borrow<Q>,
    Q: Ord + ?Sized,
{
    type Output = Tally;

    /// The tally of a school.
    ///
    /// # Panics
    /// If the school has no tally, as a map's index does; use
    /// [`SchoolTallies::get`] on ids that may be absent.
    #[allow(clippy::expect_used)] // the documented behaviour of an index
    fn index(&self, id: &Q) -> &Tally {
        self.get(id).expect("no tally for that school")
    }
}

impl PartialEq for SchoolTallies {
    /// Equal if they hold the same schools with the same tallies, as maps.
    fn eq(&self, other: &SchoolTallies) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for SchoolTallies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for SchoolTallies {
    /// As the map: `{"school id": tally, …}` in order of id.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(Some(self.len()))?;
        for (id, t) in self {
            m.serialize_entry(id, t)?;
        }
        m.end()
    }
}

impl FromIterator<(SchoolId, Tally)> for SchoolTallies {
    /// From pairs in any order; a school given twice keeps its last tally,
    /// as a map would.
    fn from_iter<I: IntoIterator<Item = (SchoolId, Tally)>>(iter: I) -> SchoolTallies {
        SchoolTallies::from(iter.into_iter().collect::<BTreeMap<_, _>>())
    }
}

impl From<BTreeMap<SchoolId, Tally>> for SchoolTallies {
    fn from(map: BTreeMap<SchoolId, Tally>) -> SchoolTallies {
        let mut ids = Vec::with_capacity(map.len());
        let mut rows = Vec::with_capacity(map.len());
        for (id, t) in map {
            rows.push((ids.len(), t));
            ids.push(id);
        }
        SchoolTallies { ids: ids.into(), rows }
    }
}

impl From<SchoolTallies> for BTreeMap<SchoolId, Tally> {
    fn from(t: SchoolTallies) -> BTreeMap<SchoolId, Tally> {
        t.to_map()
    }
}

impl From<&SchoolTallies> for BTreeMap<SchoolId, Tally> {
    fn from(t: &SchoolTallies) -> BTreeMap<SchoolId, Tally> {
        t.to_map()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eduaid_model::Money;
    use eduaid_model::convert::clamped;

    fn tally(n: u64) -> Tally {
        Tally {
            persons: n,
            person_terms: 2 * n,
            amount: Money::yuan(clamped::<_, i64>(n) * 500),
        }
    }

    fn id(s: &str) -> SchoolId {
        SchoolId::new(s).unwrap()
    }

    /// A run's table of five schools, three of them with tallies.
    fn sample() -> (SchoolTallies, BTreeMap<SchoolId, Tally>) {
        let ids: Arc<[SchoolId]> = ["A1", "A2", "B10", "B9", "Z"].iter().map(|s| id(s)).collect();
        let t = SchoolTallies::from_rows(ids, vec![(0, tally(1)), (2, tally(3)), (4, tally(7))]);
        let map: BTreeMap<SchoolId, Tally> = [(id("Z"), tally(7)), (id("A1"), tally(1)), (id("B10"), tally(3))]
            .into_iter()
            .collect();
        (t, map)
    }

    #[test]
    fn lookup_finds_the_schools_with_tallies_only() {
        let (t, _) = sample();
        assert_eq!(t.get(&id("A1")), Some(&tally(1)));
        assert_eq!(t.get("B10"), Some(&tally(3)));
        assert_eq!(t["Z"], tally(7));
        assert_eq!(t[&id("Z")], tally(7));
        assert_eq!(t.get("A2"), None, "in the run, no entitlement");
        assert_eq!(t.get("B9"), None);
        assert_eq!(t.get("C"), None, "not in the run");
        assert!(t.contains_key("A1") && !t.contains_key("A0"));
        assert_eq!(t.len(), 3);
        assert!(!t.is_empty() && SchoolTallies::new().is_empty());
        assert_eq!(SchoolTallies::new().get("A1"), None);
    }

    #[test]
    fn iteration_is_in_order_of_id_as_the_map() {
        let (t, map) = sample();
        let got: Vec<(&SchoolId, &Tally)> = t.iter().collect();
        let want: Vec<(&SchoolId, &Tally)> = map.iter().collect();
        assert_eq!(got, want);
        assert_eq!(t.iter().len(), 3);
        assert_eq!(
            t.iter().rev().map(|(i, _)| i.as_str()).collect::<Vec<_>>(),
            ["Z", "B10", "A1"]
        );
        assert_eq!(t.keys().map(SchoolId::as_str).collect::<Vec<_>>(), ["A1", "B10", "Z"]);
        assert_eq!(t.values().map(|x| x.persons).sum::<u64>(), 11);
        assert_eq!((&t).into_iter().count(), 3);
    }

    #[test]
    fn maps_come_and_go_unchanged() {
        let (t, map) = sample();
        assert_eq!(t.to_map(), map);
        assert_eq!(BTreeMap::from(t.clone()), map);
        let back = SchoolTallies::from(map.clone());
        assert_eq!(back, t);
        assert_eq!(back.to_map(), map);
        let collected: SchoolTallies = map.clone().into_iter().rev().collect();
        assert_eq!(collected, t);
        assert_ne!(SchoolTallies::new(), t);
        assert_eq!(format!("{t:?}"), format!("{map:?}"));
    }

    #[test]
    fn serializes_as_the_map_did() {
        let (t, map) = sample();
        let got = serde_json::to_string(&t).unwrap();
        assert_eq!(got, serde_json::to_string(&map).unwrap());
        assert!(got.starts_with("{\"A1\":{\"persons\":1,"), "{got}");
        assert_eq!(serde_json::to_string(&SchoolTallies::new()).unwrap(), "{}");
    }
}
