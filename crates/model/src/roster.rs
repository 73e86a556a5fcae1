//! The read-only roster: the seam between eduaid and wherever a county keeps
//! its students.
//!
//! [`Roster`] has three required methods — visit the students in batches,
//! look up a school, look up a household — and defaults for the rest, so a
//! user can back it with a database, a 学籍 system export or a file read in
//! a stream. [`MemoryRoster`] is the in-memory implementation.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::ControlFlow;

use thiserror::Error;

use crate::{Household, HouseholdId, ModelError, School, SchoolId, Student, StudentId};

/// A failure of a roster's backing store, or a record it holds.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RosterError {
    /// The backing store failed (a database, a file).
    #[error("roster backend failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Two records share an id.
    #[error("duplicate {what} id {id}")]
    DuplicateId {
        /// Which kind of record.
        what: &'static str,
        /// The repeated id.
        id: String,
    },
    /// A student refers to a school or household the roster does not have.
    #[error("student {student} refers to unknown {what} {id}")]
    UnknownReference {
        /// The student.
        student: StudentId,
        /// `"school"` or `"household"`.
        what: &'static str,
        /// The missing id.
        id: String,
    },
    /// A record failed validation.
    #[error(transparent)]
    Invalid(#[from] ModelError),
}

/// What a visitor tells the roster after each batch.
pub type Visit = ControlFlow<()>;

/// A student with the school and household the roster links it to, as
/// [`Roster::visit_linked`] gives them.
#[derive(Debug)]
pub struct Linked<'a> {
    /// The student.
    pub student: &'a Student,
    /// The student's school, with the number the roster gives it for this
    /// visit: the same for every student of the school, different between
    /// schools, and small (below the number of schools), so a caller may
    /// index a vector with it. As [`Roster::school_of`] if it is missing.
    pub school: Result<(usize, &'a School), RosterError>,
    /// The student's household, if the student names one; as
    /// [`Roster::household_of`].
    pub household: Result<Option<&'a Household>, RosterError>,
}

/// A read-only roster of students, with their schools and households.
///
/// Required: [`visit_students`](Roster::visit_students),
/// [`school`](Roster::school) and [`household`](Roster::household).
/// Everything else has a default built on those; override
/// [`student`](Roster::student) and [`student_count`](Roster::student_count)
/// where the backend can answer them without a scan.
pub trait Roster {
    /// Call `visit` with every student, a batch at a time, in a stable
    /// order, until it returns `ControlFlow::Break`.
    ///
    /// # Errors
    /// A [`RosterError`] if the backend fails.
    fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError>;

    /// The school with this id.
    ///
    /// # Errors
    /// A [`RosterError`] if the backend fails.
    fn school(&self, id: &SchoolId) -> Result<Option<Cow<'_, School>>, RosterError>;

    /// The household with this id.
    ///
    /// # Errors
    /// A [`RosterError`] if the backend fails.
    fn household(&self, id: &HouseholdId) -> Result<Option<Cow<'_, Household>>, RosterError>;

    /// The student with this id (default: a scan).
    ///
    /// # Errors
    /// A [`RosterError`] if the backend fails.
    fn student(&self, id: &StudentId) -> Result<Option<Student>, RosterError> {
        let mut found = None;
        self.visit_students(&mut |batch| match batch.iter().find(|s| &s.id == id) {
            Some(s) => {
                found = Some(s.clone());
                ControlFlow::Break(())
            }
            None => ControlFlow::Continue(()),
        })?;
        Ok(found)
    }

    /// How many students (default: a scan).
    ///
    /// # Errors
    /// A [`RosterError`] if the backend fails.
    fn student_count(&self) -> Result<usize, RosterError> {
        let mut n = 0usize;
        self.visit_students(&mut |batch| {
            n += batch.len();
            ControlFlow::Continue(())
        })?;
        Ok(n)
    }

    /// Call `visit` with every school, in a stable order (default: the
    /// schools the students attend, in order of first appearance; override
    /// it where the backend can list schools, including those with no
    /// students).
    ///
    /// # Errors
    /// A [`RosterError`] if the backend fails, or a student names a school
    /// the roster does not have.
    fn visit_schools(&self, visit: &mut dyn FnMut(&School)) -> Result<(), RosterError> {
        let mut seen = std::collections::HashSet::new();
        let mut ids = Vec::new();
        self.visit_students(&mut |batch| {
            for s in batch {
                if seen.insert(s.school_id.clone()) {
                    ids.push(s.school_id.clone());
                }
            }
            ControlFlow::Continue(())
        })?;
        for id in ids {
            match self.school(&id)? {
                Some(school) => visit(&school),
                None => {
                    return Err(RosterError::UnknownReference {
                        student: StudentId::new("?").map_err(RosterError::Invalid)?,
                        what: "school",
                        id: id.to_string(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The school a student attends.
    ///
    /// # Errors
    /// [`RosterError::UnknownReference`] if the roster does not have it.
    fn school_of(&self, student: &Student) -> Result<Cow<'_, School>, RosterError> {
        self.school(&student.school_id)?
            .ok_or_else(|| RosterError::UnknownReference {
                student: student.id.clone(),
                what: "school",
                id: student.school_id.to_string(),
            })
    }

    /// The household a student belongs to, if the student names one.
    ///
    /// # Errors
    /// [`RosterError::UnknownReference`] if the student names a household
    /// the roster does not have.
    fn household_of(&self, student: &Student) -> Result<Option<Cow<'_, Household>>, RosterError> {
        match &student.household_id {
            None => Ok(None),
            Some(h) => match self.household(h)? {
                Some(x) => Ok(Some(x)),
                None => Err(RosterError::UnknownReference {
                    student: student.id.clone(),
                    what: "household",
                    id: h.to_string(),
                }),
            },
        }
    }

    /// Call `visit` with every student, in the order of
    /// [`visit_students`](Roster::visit_students), together with its school
    /// and household, until it returns `ControlFlow::Break`. A student whose
    /// school or household cannot be found is still visited, with the error.
    ///
    /// The default looks each school up once, keeps it for the visit and
    /// numbers the schools in order of first appearance; it looks the
    /// household up for each student. Override it where the backend keeps
    /// its records linked (as [`MemoryRoster`] does) or can join them in
    /// one query: a batch over the whole roster then saves two lookups by
    /// id per student.
    ///
    /// # Errors
    /// A [`RosterError`] if the backend fails while visiting.
    fn visit_linked(&self, visit: &mut dyn FnMut(Linked<'_>) -> Visit) -> Result<(), RosterError> {
        // Each school is looked up once and kept for the visit.
        let mut numbers: HashMap<SchoolId, usize, BuildHasherDefault<IdHasher>> = HashMap::default();
        let mut schools: Vec<Cow<'_, School>> = Vec::new();
        let mut last: Option<usize> = None;
        self.visit_students(&mut |batch| {
            for student in batch {
                let known = match last {
                    Some(no) if schools.get(no).is_some_and(|s| s.id == student.school_id) => Some(no),
                    _ => numbers.get(&student.school_id).copied(),
                };
                let school = match known {
                    Some(no) => Ok(no),
                    None => self.school_of(student).map(|found| {
                        let no = schools.len();
                        numbers.insert(student.school_id.clone(), no);
                        schools.push(found);
                        no
                    }),
                };
                let school = match school {
                    Ok(no) => {
                        last = Some(no);
                        match schools.get(no) {
                            Some(found) => Ok((no, &**found)),
                            None => Err(RosterError::UnknownReference {
                                student: student.id.clone(),
                                what: "school",
                                id: student.school_id.to_string(),
                            }),
                        }
                    }
                    Err(e) => Err(e),
                };
                let household_cow;
                let household = match self.household_of(student) {
                    Ok(Some(c)) => {
                        household_cow = c;
                        Ok(Some(&*household_cow))
                    }
                    Ok(None) => Ok(None),
                    Err(e) => Err(e),
                };
                let linked = Linked {
                    student,
                    school,
                    household,
                };
                if visit(linked).is_break() {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        })
    }
}

macro_rules! forward_roster {
    ($($ty:ty),*) => {$(
        impl<R: Roster + ?Sized> Roster for $ty {
            fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
                (**self).visit_students(visit)
            }
            fn school(&self, id: &SchoolId) -> Result<Option<Cow<'_, School>>, RosterError> {
                (**self).school(id)
            }
            fn household(&self, id: &HouseholdId) -> Result<Option<Cow<'_, Household>>, RosterError> {
                (**self).household(id)
            }
            fn student(&self, id: &StudentId) -> Result<Option<Student>, RosterError> {
                (**self).student(id)
            }
            fn student_count(&self) -> Result<usize, RosterError> {
                (**self).student_count()
            }
            fn visit_schools(&self, visit: &mut dyn FnMut(&School)) -> Result<(), RosterError> {
                (**self).visit_schools(visit)
            }
            fn school_of(&self, student: &Student) -> Result<Cow<'_, School>, RosterError> {
                (**self).school_of(student)
            }
            fn household_of(&self, student: &Student) -> Result<Option<Cow<'_, Household>>, RosterError> {
                (**self).household_of(student)
            }
            fn visit_linked(&self, visit: &mut dyn FnMut(Linked<'_>) -> Visit) -> Result<(), RosterError> {
                (**self).visit_linked(visit)
            }
        }
    )*};
}

forward_roster!(&R, &mut R, Box<R>, std::sync::Arc<R>, std::rc::Rc<R>);

/// What a [`Watched`] roster tells as students go past: a progress bar,
/// a count of what a report prints. Every method does nothing by default.
pub trait Watch {
    /// A batch of [`Roster::visit_students`], after its visitor saw it.
    fn batch(&self, students: &[Student]) {
        let _ = students;
    }

    /// One student of [`Roster::visit_linked`], before its visitor sees it.
    fn linked(&self, linked: &Linked<'_>) {
        let _ = linked;
    }

    /// A [`Roster::visit_linked`] visit ended (finished or stopped).
    fn linked_done(&self) {}
}

/// A roster forwarded method by method, so that the inner roster's own
/// ways (a database's join for `visit_linked`) are kept, telling `watch`
/// of each student visited.
///
/// ```
/// use std::cell::Cell;
/// use eduaid_model::{Linked, MemoryRoster, Roster, Visit, Watch, Watched};
///
/// struct Count(Cell<u64>);
/// impl Watch for Count {
///     fn linked(&self, _: &Linked<'_>) {
///         self.0.set(self.0.get() + 1);
///     }
/// }
/// let roster = MemoryRoster::new();
/// let watched = Watched { inner: &roster, watch: Count(Cell::new(0)) };
/// watched.visit_linked(&mut |_| Visit::Continue(()))?;
/// assert_eq!(watched.watch.0.get(), 0);
/// # Ok::<(), eduaid_model::RosterError>(())
/// ```
#[derive(Debug)]
pub struct Watched<'a, R: ?Sized, W> {
    /// The roster.
    pub inner: &'a R,
    /// What is told of each student.
    pub watch: W,
}

impl<R: Roster + ?Sized, W: Watch> Roster for Watched<'_, R, W> {
    fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
        self.inner.visit_students(&mut |batch| {
            let flow = visit(batch);
            self.watch.batch(batch);
            flow
        })
    }

    fn school(&self, id: &SchoolId) -> Result<Option<Cow<'_, School>>, RosterError> {
        self.inner.school(id)
    }

    fn household(&self, id: &HouseholdId) -> Result<Option<Cow<'_, Household>>, RosterError> {
        self.inner.household(id)
    }

    fn student(&self, id: &StudentId) -> Result<Option<Student>, RosterError> {
        self.inner.student(id)
    }

    fn student_count(&self) -> Result<usize, RosterError> {
        self.inner.student_count()
    }

    fn visit_schools(&self, visit: &mut dyn FnMut(&School)) -> Result<(), RosterError> {
        self.inner.visit_schools(visit)
    }

    fn school_of(&self, student: &Student) -> Result<Cow<'_, School>, RosterError> {
        self.inner.school_of(student)
    }

    fn household_of(&self, student: &Student) -> Result<Option<Cow<'_, Household>>, RosterError> {
        self.inner.household_of(student)
    }

    fn visit_linked(&self, visit: &mut dyn FnMut(Linked<'_>) -> Visit) -> Result<(), RosterError> {
        let result = self.inner.visit_linked(&mut |linked| {
            self.watch.linked(&linked);
            visit(linked)
        });
        self.watch.linked_done();
        result
    }
}

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
            Some(h) => match self.household_index.get(h) {
                Some(i) => Some(*i),
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
