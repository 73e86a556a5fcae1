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

mod memory;

pub use memory::*;

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
