//! Flow rates by grade with the UIS year alignment, the percentage of
//! repeaters and the transition rate.

use eduaid_model::{SchoolYear, Stage};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::rate::{Rate, Ratio};
use crate::source::{CountSource, Tally};

/// The flow rates of one grade from base year *t* to *t + 1*.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeFlow {
    /// The stage.
    pub stage: Stage,
    /// The grade.
    pub grade: u8,
    /// Enrolment `E[g,t]`.
    pub enrolled: i128,
    /// Promotees `E[g+1,t+1] − R[g+1,t+1]`, or the graduates of the last
    /// grade.
    pub promoted: i128,
    /// Repeaters of this grade next year, `R[g,t+1]`.
    pub repeaters: i128,
    /// Promotion rate; base year *t*, outcome year *t + 1*.
    pub promotion: Rate,
    /// Repetition rate.
    pub repetition: Rate,
    /// Dropout rate `(E − promoted − repeaters) / E`; its numerator is below
    /// zero (and flagged) when `p + r > 1`.
    pub dropout: Rate,
}

impl GradeFlow {
    /// True if `p + r > 1`: the dropout rate is negative.
    #[must_use]
    pub fn negative_dropout(&self) -> bool {
        self.dropout.numerator() < 0
    }

    /// The effective promotion rate, `p / (1 − r)`: promotees over the pupils
    /// who did not repeat.
    #[must_use]
    pub fn effective_promotion(&self) -> Ratio {
        Ratio::new(self.promoted, self.enrolled - self.repeaters)
    }
}

/// The flow rates of every grade `1..=grades` of `stage` from `base_year` to
/// the year after. Grades without enrolment have rates without value.
///
/// # Errors
/// As the source's [`visit_grades`](CountSource::visit_grades).
pub fn flow_rates<S: CountSource + ?Sized>(
    source: &S,
    stage: Stage,
    grades: u8,
    base_year: SchoolYear,
) -> Result<Vec<GradeFlow>, Error> {
    let next = base_year.next();
    let at = |y: Option<SchoolYear>, g: u8| match y {
        Some(y) => Tally::grade(source, y, stage, g),
        None => Ok(Tally::default()),
    };
    (1..=grades)
        .map(|g| {
            let e = Tally::grade(source, base_year, stage, g)?;
            let promoted = if g == grades {
                e.graduates
            } else {
                let up = at(next, g + 1)?;
                up.enrolled - up.repeaters
            };
            let repeaters = at(next, g)?.repeaters;
            let years = |r: Rate| match next {
                Some(n) => r.with_years(base_year, n),
                None => r,
            };
            Ok(GradeFlow {
                stage,
                grade: g,
                enrolled: e.enrolled,
                promoted,
                repeaters,
                promotion: years(Rate::new(promoted, e.enrolled)),
                repetition: years(Rate::new(repeaters, e.enrolled)),
                dropout: years(Rate::new(e.enrolled - promoted - repeaters, e.enrolled)),
            })
        })
        .collect()
}

/// The percentage of repeaters (留级生比例) of a grade: `R[g,t] / E[g,t]`,
/// both of the same year. Not the repetition rate, which takes the
/// repeaters of the year after (Pineapples issue #1364).
///
/// # Errors
/// As the source's [`visit_grades`](CountSource::visit_grades).
pub fn percentage_of_repeaters<S: CountSource + ?Sized>(
    source: &S,
    stage: Stage,
    grade: u8,
    year: SchoolYear,
) -> Result<Rate, Error> {
    let t = Tally::grade(source, year, stage, grade)?;
    Ok(Rate::new(t.repeaters, t.enrolled).with_years(year, year))
}

/// The form of a transition rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionForm {
    /// New entrants to the next stage over the last grade's enrolment.
    #[default]
    Gross,
    /// Over the last grade's enrolment less its repeaters next year.
    Effective,
}

/// The transition rate (升学率) from the last grade `last_grade` of `from` in
/// `base_year` to the first grade of `to` the year after:
/// `(E[to 1, t+1] − R[to 1, t+1]) / E[from last, t]`.
///
/// # Errors
/// As the source's [`visit_grades`](CountSource::visit_grades).
pub fn transition_rate<S: CountSource + ?Sized>(
    source: &S,
    from: Stage,
    last_grade: u8,
    to: Stage,
    base_year: SchoolYear,
    form: TransitionForm,
) -> Result<Rate, Error> {
    let Some(next) = base_year.next() else {
        return Ok(Rate::new(0, 0));
    };
    let entrants = Tally::grade(source, next, to, 1)?;
    let last = Tally::grade(source, base_year, from, last_grade)?;
    let mut d = last.enrolled;
    if form == TransitionForm::Effective {
        d -= Tally::grade(source, next, from, last_grade)?.repeaters;
    }
    Ok(Rate::new(entrants.enrolled - entrants.repeaters, d).with_years(base_year, next))
}
