//! [`MemoryRoster`], the in-memory roster, and the hasher of its id maps.

use super::*;

/// The hasher of [`MemoryRoster`]'s id maps: rustc's `FxHasher`
/// (the `rustc-hash` crate, version 2, whose strings hash and final rotation
/// spread sequential ids over the whole table), several times faster than
/// the default SipHash on short ids. Ids come from the county's own files,
/// not from an adversary on a network, so hash flooding is not a concern
/// here.
///
/// An earlier multiply-rotate hash of our own had no final mixing: a
/// million sequential student ids fell into about a thousand buckets and
/// loading became quadratic (issue 12).
#[derive(Clone, Default)]
pub struct IdHasher(rustc_hash::FxHasher);

impl std::fmt::Debug for IdHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdHasher")
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    fn write_u8(&mut self, i: u8) {
        self.0.write_u8(i);
    }

    fn write_u32(&mut self, i: u32) {
        self.0.write_u32(i);
    }

    fn write_u64(&mut self, i: u64) {
        self.0.write_u64(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.0.write_usize(i);
    }

    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// A `HashMap` keyed by an id, hashed with [`IdHasher`].
type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// A roster held in memory: schools and households by id, students in the
/// order they were added, each linked to its school and household when it
/// is added (so [`Roster::visit_linked`] looks nothing up).
///
/// ```
/// use eduaid_model::{MemoryRoster, Roster};
/// let roster = MemoryRoster::new();
/// assert_eq!(roster.student_count()?, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryRoster {
    schools: Vec<School>,
    school_index: IdMap<SchoolId, usize>,
    households: Vec<Household>,
    household_index: IdMap<HouseholdId, usize>,
    /// The place of the last household a student was linked to: students
    /// of a sorted file meet their households in the order they were
    /// added (this one, or the next), found without a lookup.
    household_hint: usize,
    students: Vec<Student>,
    /// Each student's school and household, by index.
    links: Vec<(usize, Option<usize>)>,
    student_index: StudentIndex,
    batch_size: usize,
}

/// How a [`MemoryRoster`] finds a student by id.
#[derive(Debug, Clone, Default)]
enum StudentIndex {
    /// Each student's id is above the one added before it (a file sorted
    /// by id, as exports usually are): the students are in order of id, a
    /// student whose id is above the last one's is new, and a lookup is a
    /// binary search. No map to fill, probe or free.
    #[default]
    Sorted,
    /// Otherwise (from the first student whose id is not above the last
    /// one's): each student's place, by id.
    ById(IdMap<StudentId, usize>),
}

/// Each id's place in `ids`.
fn index_of<'a>(ids: impl Iterator<Item = &'a StudentId>, capacity: usize) -> IdMap<StudentId, usize> {
    let mut index = IdMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default());
    for (at, id) in ids.enumerate() {
        index.insert(id.clone(), at);
    }
    index
}

impl MemoryRoster {
    /// The default number of students per batch.
    pub const DEFAULT_BATCH: usize = 4096;

    /// An empty roster.
    #[must_use]
    pub fn new() -> MemoryRoster {
        MemoryRoster {
            batch_size: Self::DEFAULT_BATCH,
            ..MemoryRoster::default()
        }
    }

    /// Set the number of students per batch (at least 1).
    #[must_use]
    pub fn with_batch_size(mut self, n: usize) -> MemoryRoster {
        self.batch_size = n.max(1);
        self
    }

    /// Make room for `additional` more students, so that adding them does
    /// not grow the student list and index step by step (a loader that
    /// knows how many it will add calls this first).
    pub fn reserve_students(&mut self, additional: usize) {
        self.students.reserve(additional);
        self.links.reserve(additional);
        if let StudentIndex::ById(index) = &mut self.student_index {
            index.reserve(additional);
        }
    }

    /// Make room for `additional` more households, so that adding them
    /// does not grow the household list and index step by step (a loader
    /// that knows how many it will add calls this first).
    ///
    /// ```
    /// let mut roster = eduaid_model::MemoryRoster::new();
    /// roster.reserve_households(2);
    /// assert_eq!(roster.households().count(), 0);
    /// ```
    pub fn reserve_households(&mut self, additional: usize) {
        self.households.reserve(additional);
        self.household_index.reserve(additional);
    }

    /// Add a school.
    ///
    /// # Errors
    /// [`RosterError::DuplicateId`], or [`RosterError::Invalid`] if it fails
    /// [`School::validate`].
    pub fn add_school(&mut self, school: School) -> Result<(), RosterError> {
        school.validate()?;
        if self.school_index.contains_key(&school.id) {
            return Err(RosterError::DuplicateId {
                what: "school",
                id: school.id.to_string(),
            });
        }
        self.school_index.insert(school.id.clone(), self.schools.len());
        self.schools.push(school);
        Ok(())
    }

    /// Add a household.
    ///
    /// # Errors
    /// [`RosterError::DuplicateId`], or [`RosterError::Invalid`] if its
    /// spells overlap.
    pub fn add_household(&mut self, household: Household) -> Result<(), RosterError> {
        household.validate()?;
        if self.household_index.contains_key(&household.id) {
            return Err(RosterError::DuplicateId {
                what: "household",
                id: household.id.to_string(),
            });
        }
        self.household_index.insert(household.id.clone(), self.households.len());
        self.households.push(household);
        Ok(())
    }

    /// Add a student whose school (and household, if named) the roster
    /// already has.
    ///
    /// # Errors
    /// [`RosterError::DuplicateId`], [`RosterError::UnknownReference`], or
    /// [`RosterError::Invalid`] if it fails [`Student::validate`] or its
    /// stage is not taught at its school.
    pub fn add_student(&mut self, student: Student) -> Result<(), RosterError> {
        if matches!(self.student_index, StudentIndex::Sorted)
            && self.students.last().is_some_and(|last| last.id >= student.id)
        {
            self.student_index =
                StudentIndex::ById(index_of(self.students.iter().map(|s| &s.id), self.students.len() + 1));
        }
        self.admit(&student, self.students.len())?;
        self.students.push(student);
        Ok(())
    }

    /// Add students in bulk: as [`add_student`](Self::add_student) adds
    /// each in turn, the same students refused for the same reasons, but
    /// without moving the students one by one (into an empty roster, the
    /// vector given becomes the roster's list).
    ///
    /// Returns the students refused, each with its place in `students` and
    /// the error `add_student` gives it; the others are added, in order.
    ///
    /// ```
    /// use eduaid_model::MemoryRoster;
    /// let mut roster = MemoryRoster::new();
    /// assert!(roster.add_students(Vec::new()).is_empty());
    /// ```
    pub fn add_students(&mut self, students: Vec<Student>) -> Vec<(usize, Student, RosterError)> {
        let offset = self.students.len();
        let mut refused_at: Vec<(usize, RosterError)> = Vec::new();
        // The last student of `students` accepted so far.
        let mut last: Option<usize> = None;
        self.links.reserve(students.len());
        for (i, student) in students.iter().enumerate() {
            if matches!(self.student_index, StudentIndex::Sorted) {
                let prev = match last {
                    Some(j) => students.get(j),
                    None => self.students.last(),
                };
                if prev.is_some_and(|p| p.id >= student.id) {
                    // The order breaks: index every student accepted so far.
                    let mut gaps = refused_at.iter().map(|(j, _)| *j).peekable();
                    let batch = students
                        .iter()
                        .enumerate()
                        .take(i)
                        .filter(|(j, _)| gaps.next_if_eq(j).is_none())
                        .map(|(_, s)| &s.id);
                    let ids = self.students.iter().map(|s| &s.id).chain(batch);
                    self.student_index = StudentIndex::ById(index_of(ids, offset + students.len()));
                }
            }
            match self.admit(student, offset + i - refused_at.len()) {
                Ok(()) => last = Some(i),
                Err(e) => refused_at.push((i, e)),
            }
        }
        if refused_at.is_empty() {
            if self.students.is_empty() {
                self.students = students;
            } else {
                self.students.extend(students);
            }
            return Vec::new();
        }
        let mut refused = Vec::with_capacity(refused_at.len());
        let mut errors = refused_at.into_iter().peekable();
        self.students.reserve(students.len() - errors.len());
        for (i, student) in students.into_iter().enumerate() {
            match errors.next_if(|(j, _)| *j == i) {
                Some((_, e)) => refused.push((i, student, e)),
                None => self.students.push(student),
            }
        }
        refused
    }

    /// Check `student` and link it, to be added at place `at`: its id is
    /// recorded and its links pushed. In [`StudentIndex::Sorted`] the caller
    /// has checked that its id is above the last student's.
    fn admit(&mut self, student: &Student, at: usize) -> Result<(), RosterError> {
        student.validate()?;
        let known = match &self.student_index {
            StudentIndex::Sorted => false,
            StudentIndex::ById(index) => index.contains_key(&student.id),
        };
        if known {
            return Err(RosterError::DuplicateId {
                what: "student",
                id: student.id.to_string(),
            });
        }
        let Some((si, school)) = self
            .school_index
            .get(&student.school_id)
            .and_then(|i| Some((*i, self.schools.get(*i)?)))
        else {
            return Err(RosterError::UnknownReference {
                student: student.id.clone(),
                what: "school",
                id: student.school_id.to_string(),
            });
        };
        if !school.kind.teaches(student.stage) {
            return Err(ModelError::Inconsistent {
                what: "student",
                id: student.id.to_string(),
                field: Some("stage"),
                reason: format!(
                    "stage {} is not taught at {} school {}",
                    student.stage, school.kind, school.id
                ),
            }
            .into());
        }
        let hi = match &student.household_id {
            None => None,
            Some(h) => match [self.household_hint, self.household_hint + 1]
                .into_iter()
                .find(|&i| self.households.get(i).is_some_and(|known| known.id == *h))
                .or_else(|| self.household_index.get(h).copied())
            {
                Some(i) => {
                    self.household_hint = i;
                    Some(i)
                }
                None => {
                    return Err(RosterError::UnknownReference {
                        student: student.id.clone(),
                        what: "household",
                        id: h.to_string(),
                    });
                }
            },
        };
        if let StudentIndex::ById(index) = &mut self.student_index {
            index.insert(student.id.clone(), at);
        }
        self.links.push((si, hi));
        Ok(())
    }

    /// The students, in the order added.
    #[must_use]
    pub fn students(&self) -> &[Student] {
        &self.students
    }

    /// The schools, in the order added.
    pub fn schools(&self) -> impl Iterator<Item = &School> {
        self.schools.iter()
    }

    /// The households, in the order added.
    pub fn households(&self) -> impl Iterator<Item = &Household> {
        self.households.iter()
    }
}

impl Roster for MemoryRoster {
    fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
        for batch in self.students.chunks(self.batch_size.max(1)) {
            if visit(batch).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn school(&self, id: &SchoolId) -> Result<Option<Cow<'_, School>>, RosterError> {
        Ok(self
            .school_index
            .get(id)
            .and_then(|i| self.schools.get(*i))
            .map(Cow::Borrowed))
    }

    fn household(&self, id: &HouseholdId) -> Result<Option<Cow<'_, Household>>, RosterError> {
        Ok(self
            .household_index
            .get(id)
            .and_then(|i| self.households.get(*i))
            .map(Cow::Borrowed))
    }

    /// Every student with the school and household it was linked to when
    /// added; the school's number is its place in the order added.
    fn visit_linked(&self, visit: &mut dyn FnMut(Linked<'_>) -> Visit) -> Result<(), RosterError> {
        for (student, (si, hi)) in self.students.iter().zip(&self.links) {
            // The links were checked when the student was added; a miss
            // here would be a bug, reported as an unknown reference.
            let school = match self.schools.get(*si) {
                Some(s) => Ok((*si, s)),
                None => Err(RosterError::UnknownReference {
                    student: student.id.clone(),
                    what: "school",
                    id: student.school_id.to_string(),
                }),
            };
            let household = match hi {
                None => Ok(None),
                Some(i) => match self.households.get(*i) {
                    Some(h) => Ok(Some(h)),
                    None => Err(RosterError::UnknownReference {
                        student: student.id.clone(),
                        what: "household",
                        id: student
                            .household_id
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                    }),
                },
            };
            if visit(Linked {
                student,
                school,
                household,
            })
            .is_break()
            {
                break;
            }
        }
        Ok(())
    }

    fn student(&self, id: &StudentId) -> Result<Option<Student>, RosterError> {
        let at = match &self.student_index {
            StudentIndex::Sorted => self.students.binary_search_by(|s| s.id.cmp(id)).ok(),
            StudentIndex::ById(index) => index.get(id).copied(),
        };
        Ok(at.and_then(|i| self.students.get(i)).cloned())
    }

    fn student_count(&self) -> Result<usize, RosterError> {
        Ok(self.students.len())
    }

    /// Every school, including those with no students, in order of id.
    fn visit_schools(&self, visit: &mut dyn FnMut(&School)) -> Result<(), RosterError> {
        let mut schools: Vec<&School> = self.schools.iter().collect();
        schools.sort_by(|a, b| a.id.cmp(&b.id));
        for s in schools {
            visit(s);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EnrolmentStatus, Hukou, Locality, Ownership, SchoolKind, Sex, Stage};
    use chrono::NaiveDate;
    use proptest::prelude::*;
    use std::hash::BuildHasher;

    /// A roster with a primary school S1, a junior school S2 and a
    /// household H1.
    fn base() -> MemoryRoster {
        let mut r = MemoryRoster::new().with_batch_size(3);
        for (id, kind) in [("S1", SchoolKind::Primary), ("S2", SchoolKind::Junior)] {
            let id = SchoolId::new(id).unwrap_or_else(|e| panic!("{e}"));
            r.add_school(School::new(
                id,
                "学校",
                kind,
                Ownership::Public,
                "甲镇",
                Locality::Rural,
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        }
        r.add_household(Household::new(HouseholdId::new("H1").unwrap_or_else(|e| panic!("{e}"))))
            .unwrap_or_else(|e| panic!("{e}"));
        r
    }

    /// Student `n` (id `P<n>`, two digits, so ids order as numbers) at
    /// school `school` (2: one the roster lacks), in household `household`
    /// (0: none, 1: H1, 2: one the roster lacks), in grade `grade` of
    /// primary school (0 is no grade).
    fn student(n: u8, school: u8, household: u8, grade: u8) -> Student {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        Student {
            id: format!("P{n:02}").parse().unwrap_or_else(|e| panic!("{e}")),
            name: format!("学生{n}"),
            sex: Sex::Female,
            birth_date: d(2012, 5, 1),
            school_id: format!("S{}", school + 1).parse().unwrap_or_else(|e| panic!("{e}")),
            stage: Stage::Primary,
            grade,
            boarder: false,
            disability: None,
            migrant: false,
            left_behind: false,
            hukou: Hukou::Rural,
            agricultural_major: false,
            household_id: (household > 0).then(|| format!("H{household}").parse().unwrap_or_else(|e| panic!("{e}"))),
            status: EnrolmentStatus::Enrolled,
            status_since: d(2020, 9, 1),
            helper: None,
        }
    }

    proptest! {
        /// Each student is linked to the household it names, whatever the
        /// order students meet the households in (the next one, the same,
        /// an earlier, a later one).
        #[test]
        fn students_link_to_the_households_they_name(order in prop::collection::vec(1u8..6, 0..30)) {
            let mut r = base();
            for h in 2..6 {
                r.add_household(Household::new(format!("H{h}").parse().unwrap_or_else(|e| panic!("{e}"))))
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            let all: Vec<Student> = order.iter().enumerate().map(|(n, &h)| {
                let mut s = student(u8::try_from(n).unwrap_or_default(), 0, 1, 1);
                s.household_id = Some(format!("H{h}").parse().unwrap_or_else(|e| panic!("{e}")));
                s
            }).collect();
            prop_assert!(r.add_students(all).is_empty());
            let mut seen = Vec::new();
            let visited = r.visit_linked(&mut |l| {
                seen.push((l.student.household_id.clone(), l.household.as_ref().ok().and_then(|h| h.map(|h| h.id.clone()))));
                ControlFlow::Continue(())
            });
            prop_assert!(visited.is_ok());
            prop_assert_eq!(seen.len(), order.len());
            for (named, linked) in seen {
                prop_assert_eq!(named, linked);
            }
        }
    }

    /// Students: ids from a few, sorted or not, so that runs in order,
    /// breaks of the order and repeats all occur.
    fn students() -> impl Strategy<Value = Vec<Student>> {
        (
            prop::collection::vec((0u8..40, 0u8..3, 0u8..3, 0u8..8), 0..40),
            any::<bool>(),
        )
            .prop_map(|(mut v, sort)| {
                if sort {
                    v.sort_unstable();
                }
                v.into_iter().map(|(n, s, h, g)| student(n, s, h, g)).collect()
            })
    }

    proptest! {
        /// Adding in bulk refuses what adding one by one refuses, with the
        /// same error, and leaves the same roster; the roster finds the
        /// first student accepted with each id, and holds no id twice.
        #[test]
        fn bulk_adding_is_adding_each(all in students(), first in 0usize..40) {
            let first = first.min(all.len());
            let (mut each, mut bulk) = (base(), base());
            let mut refused_each = Vec::new();
            for (i, s) in all.iter().enumerate() {
                let refused = each.add_student(s.clone()).err().map(|e| e.to_string());
                if i < first {
                    let in_bulk = bulk.add_student(s.clone()).err().map(|e| e.to_string());
                    prop_assert_eq!(&refused, &in_bulk);
                } else if let Some(e) = refused {
                    refused_each.push((i - first, s.id.clone(), e));
                }
            }
            let refused_bulk: Vec<_> = bulk
                .add_students(all.get(first..).unwrap_or_default().to_vec())
                .into_iter()
                .map(|(i, s, e)| (i, s.id, e.to_string()))
                .collect();
            prop_assert_eq!(refused_each, refused_bulk);
            let ids = |r: &MemoryRoster| r.students().iter().map(|s| s.id.clone()).collect::<Vec<_>>();
            prop_assert_eq!(ids(&each), ids(&bulk));
            let mut unique = ids(&each);
            unique.sort();
            unique.dedup();
            prop_assert_eq!(unique.len(), each.students().len());
            for n in 0..40 {
                let id = student(n, 0, 0, 1).id;
                let expect = each.students().iter().find(|s| s.id == id).map(|s| s.name.clone());
                for r in [&each, &bulk] {
                    prop_assert_eq!(r.student(&id).map_err(|e| e.to_string()).map(|s| s.map(|s| s.name)), Ok(expect.clone()));
                }
            }
            let linked = |r: &MemoryRoster| {
                let mut out = Vec::new();
                r.visit_linked(&mut |l| {
                    out.push((
                        l.student.id.clone(),
                        l.school.as_ref().map(|(no, s)| (*no, s.id.clone())).ok(),
                        l.household.as_ref().ok().map(|h| h.map(|h| h.id.clone())),
                    ));
                    ControlFlow::Continue(())
                })
                .map(|()| out)
                .map_err(|e| e.to_string())
            };
            let each_linked = linked(&each);
            prop_assert!(each_linked.is_ok());
            prop_assert_eq!(each_linked, linked(&bulk));
        }
    }

    /// Sequential ids must spread over a table's buckets (the low bits of
    /// the hash): the old hasher put 100 000 of them into ~1 000 buckets.
    #[test]
    fn sequential_ids_spread_over_the_buckets() {
        let build = BuildHasherDefault::<IdHasher>::default();
        let buckets = 1usize << 17;
        let mut seen = vec![false; buckets];
        let n = 100_000usize;
        for i in 0..n {
            let id = StudentId::new(format!("S{i:08}")).unwrap();
            let h = usize::try_from(build.hash_one(&id) & (buckets as u64 - 1)).unwrap();
            seen[h] = true;
        }
        let used = seen.iter().filter(|x| **x).count();
        // A uniform hash fills m(1 - e^(-n/m)) ≈ 70 000 of them.
        assert!(used > 60_000, "only {used} of {buckets} buckets used");
    }
}
