//! One student at a time, with explanations: entitlements with traces,
//! and why not.

use std::fmt;

use eduaid_model::{Household, Money, ProgramId, Roster, School, Student, StudentId, Term};
use serde::Serialize;

use crate::Error;
use crate::program::{Benefit, Facts, Program, Trace};

use super::Engine;

/// One entitlement, owned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entitlement {
    /// The student.
    pub student: StudentId,
    /// The program.
    pub program: ProgramId,
    /// Kind of benefit.
    pub benefit: Benefit,
    /// The term.
    pub term: Term,
    /// The amount owed for the term, exact.
    pub amount: Money,
    /// How it was decided, if traces were asked for.
    pub trace: Option<Trace>,
}

/// One student's entitlements in a term and why not for every other
/// program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The student.
    pub student: StudentId,
    /// The student's name.
    pub name: String,
    /// The term.
    pub term: Term,
    /// What the student is owed, with traces.
    pub entitled: Vec<Entitlement>,
    /// Each program the student is not entitled to: its id, name, the
    /// reason in a clerk's words and the trace.
    pub not_entitled: Vec<(ProgramId, String, String, Trace)>,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} {} — {} ({})",
            self.student,
            self.name,
            self.term.to_chinese(),
            self.term
        )?;
        for e in &self.entitled {
            writeln!(f, "{}: {}", e.program, e.amount)?;
            if let Some(t) = &e.trace {
                write!(f, "{t}")?;
            }
        }
        for (id, name, reason, _) in &self.not_entitled {
            writeln!(f, "{id} ({name}): not entitled — {reason}")?;
        }
        Ok(())
    }
}

impl Engine {
    fn facts_for<'a, R: Roster + ?Sized>(
        roster: &'a R,
        student: &Student,
    ) -> Result<(std::borrow::Cow<'a, School>, Option<std::borrow::Cow<'a, Household>>), Error> {
        let school = roster.school_of(student)?;
        let household = roster.household_of(student)?;
        Ok((school, household))
    }

    /// One student's entitlements for each of `terms`, with traces.
    ///
    /// # Errors
    /// [`Error::Roster`] if the student's school or household is missing.
    pub fn entitlements<R: Roster + ?Sized>(
        &self,
        roster: &R,
        student: &Student,
        terms: &[Term],
    ) -> Result<Vec<Entitlement>, Error> {
        let (school, household) = Engine::facts_for(roster, student)?;
        let mut out = Vec::new();
        let n = self.programs.len();
        let mut amounts = vec![None; n];
        for term in terms {
            let plan = self.plan(*term)?;
            let mut traces = vec![Trace::default(); n];
            let facts = Facts::new(student, &school, household.as_deref(), &plan.cx);
            self.evaluate_into(&plan, &facts, &mut amounts, Some(&mut traces));
            for (i, (a, t)) in amounts.iter().zip(traces).enumerate() {
                if let Some(a) = a {
                    let info = self.programs[i].info();
                    out.push(Entitlement {
                        student: student.id.clone(),
                        program: info.id.clone(),
                        benefit: info.benefit,
                        term: *term,
                        amount: Money::from_decimal_exact(*a),
                        trace: Some(t),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Everything about one student in one term: entitlements with traces
    /// and, for every other program, why not.
    ///
    /// # Errors
    /// [`Error::UnknownStudent`], or [`Error::Roster`].
    pub fn explain<R: Roster + ?Sized>(&self, roster: &R, id: &StudentId, term: Term) -> Result<Explanation, Error> {
        let student = roster
            .student(id)?
            .ok_or_else(|| Error::UnknownStudent { student: id.clone() })?;
        let (school, household) = Engine::facts_for(roster, &student)?;
        let plan = self.plan(term)?;
        let n = self.programs.len();
        let mut amounts = vec![None; n];
        let mut traces = vec![Trace::default(); n];
        let facts = Facts::new(&student, &school, household.as_deref(), &plan.cx);
        self.evaluate_into(&plan, &facts, &mut amounts, Some(&mut traces));
        let mut ex = Explanation {
            student: student.id.clone(),
            name: student.name.clone(),
            term,
            entitled: Vec::new(),
            not_entitled: Vec::new(),
        };
        for (i, (a, t)) in amounts.iter().zip(traces).enumerate() {
            let info = self.programs[i].info();
            match a {
                Some(a) => ex.entitled.push(Entitlement {
                    student: student.id.clone(),
                    program: info.id.clone(),
                    benefit: info.benefit,
                    term,
                    amount: Money::from_decimal_exact(*a),
                    trace: Some(t),
                }),
                None => {
                    let reason = t.why_not().unwrap_or("no rule of the program applies").to_string();
                    ex.not_entitled.push((info.id.clone(), info.name.clone(), reason, t));
                }
            }
        }
        Ok(ex)
    }

    /// Why student `id` is not entitled to `program` in `term`, in a
    /// clerk's words; `None` if the student is entitled.
    ///
    /// # Errors
    /// [`Error::UnknownProgram`], [`Error::UnknownStudent`] or
    /// [`Error::Roster`].
    pub fn why_not<R: Roster + ?Sized>(
        &self,
        roster: &R,
        id: &StudentId,
        program: &str,
        term: Term,
    ) -> Result<Option<String>, Error> {
        if self.index(program).is_none() {
            return Err(Error::UnknownProgram { id: program.into() });
        }
        let ex = self.explain(roster, id, term)?;
        Ok(ex
            .not_entitled
            .into_iter()
            .find(|(p, _, _, _)| p.as_str() == program)
            .map(|(_, _, r, _)| r))
    }
}
