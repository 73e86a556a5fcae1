//! What a run gives out: each entitlement as a borrowed row, to a sink
//! that can stop the run or fail, and the options of a run.

#[allow(clippy::wildcard_imports)]
use super::*;

/// One entitlement as the batch streams it (borrowed, no allocation).
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// The student.
    pub student: &'a Student,
    /// The school.
    pub school: &'a School,
    /// The program.
    pub program: &'a ProgramInfo,
    /// The term.
    pub term: Term,
    /// The amount, exact.
    pub amount: Money,
    /// The trace, if the run keeps traces.
    pub trace: Option<&'a Trace>,
    /// The rule, tier and citation that decided, if the program states
    /// them (every policy program does).
    pub basis: Option<Basis<'a>>,
}

/// Receives each entitlement of a batch run.
///
/// Like [`Roster`](eduaid_model::Roster)'s visitors, a sink can stop the run (return
/// `Ok(Visit::Break(()))`: the run ends with [`Error::Stopped`], never with
/// totals that miss students) or fail with its own error (return
/// `Err(Error::Sink(..))`, boxing it: a file that cannot be written, a
/// database that refuses a row). A closure `FnMut(&Row)` is a sink that
/// never stops.
pub trait Sink {
    /// One entitlement.
    ///
    /// # Errors
    /// The sink's own failure, as [`Error::Sink`].
    fn entitlement(&mut self, row: &Row<'_>) -> Result<Visit, Error>;

    /// A student whose amount needs data the record lacks (listed, not
    /// counted as entitled). Ignored by default.
    ///
    /// # Errors
    /// The sink's own failure, as [`Error::Sink`].
    fn missing(&mut self, row: &MissingRow<'_>) -> Result<Visit, Error> {
        let _ = row;
        Ok(Visit::Continue(()))
    }
}

impl<F: FnMut(&Row<'_>)> Sink for F {
    fn entitlement(&mut self, row: &Row<'_>) -> Result<Visit, Error> {
        self(row);
        Ok(Visit::Continue(()))
    }
}

/// How [`Engine::run`] runs.
///
/// ```
/// use eduaid_eligibility::RunOptions;
/// assert!(!RunOptions::default().traces);
/// assert!(RunOptions::traced().traces);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOptions {
    /// Keep a trace of every entitlement (the conditions, parameters,
    /// citations and arithmetic), handed to the sink with each row. Much
    /// slower: a run without traces takes the packed path.
    pub traces: bool,
}

impl RunOptions {
    /// A run with traces.
    #[must_use]
    pub fn traced() -> RunOptions {
        RunOptions { traces: true }
    }

    /// These options with traces on or off.
    #[must_use]
    pub fn with_traces(mut self, traces: bool) -> RunOptions {
        self.traces = traces;
        self
    }
}

/// A run's sink, if any, and whether it stopped or failed: once it has,
/// it is given nothing more and the run ends with that error.
pub(crate) struct Out<'s> {
    sink: Option<&'s mut dyn Sink>,
    /// Why the run must end, once the sink stopped or failed.
    pub(crate) end: Option<Error>,
}

impl<'s> Out<'s> {
    pub(crate) fn new(sink: Option<&'s mut dyn Sink>) -> Out<'s> {
        Out { sink, end: None }
    }

    /// True if there is a sink that has neither stopped nor failed.
    pub(crate) fn wants(&self) -> bool {
        self.sink.is_some() && self.end.is_none()
    }

    fn took(&mut self, r: Result<Visit, Error>) {
        match r {
            Ok(Visit::Continue(())) => {}
            Ok(Visit::Break(())) => self.end = Some(Error::Stopped),
            Err(e) => self.end = Some(e),
        }
    }

    /// Give `row` to the sink, if it wants it.
    pub(crate) fn entitlement(&mut self, row: &Row<'_>) {
        if self.end.is_none() {
            if let Some(s) = self.sink.as_deref_mut() {
                let r = s.entitlement(row);
                self.took(r);
            }
        }
    }

    /// Give `row` to the sink, if it wants it.
    pub(crate) fn missing(&mut self, row: &MissingRow<'_>) {
        if self.end.is_none() {
            if let Some(s) = self.sink.as_deref_mut() {
                let r = s.missing(row);
                self.took(r);
            }
        }
    }

    /// `Break` once the sink stopped or failed.
    pub(crate) fn flow(&self) -> ControlFlow<()> {
        if self.end.is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}
