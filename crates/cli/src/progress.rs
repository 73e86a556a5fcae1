//! Progress bars on stderr, hidden when stderr is not a terminal or the run
//! is quiet, and a roster wrapper that advances one as students are visited.

use std::borrow::Cow;
use std::io::IsTerminal;

use eduaid::model::{Household, HouseholdId, Roster, RosterError, School, SchoolId, Student, StudentId, Visit};
use indicatif::{ProgressBar, ProgressStyle};

use crate::common::Ctx;

/// A bar of `len` steps, or a hidden one.
pub(crate) fn bar(len: u64, message: &str, ctx: &Ctx) -> ProgressBar {
    if ctx.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(message.to_string());
    pb
}

/// A roster that advances `bar` by each batch of students visited.
#[derive(Debug)]
pub(crate) struct Ticking<'a, R: ?Sized> {
    /// The roster.
    pub(crate) inner: &'a R,
    /// The bar.
    pub(crate) bar: &'a ProgressBar,
}

impl<R: Roster + ?Sized> Roster for Ticking<'_, R> {
    fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
        self.inner.visit_students(&mut |batch| {
            let flow = visit(batch);
            self.bar.inc(u64::try_from(batch.len()).unwrap_or(0));
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
}
