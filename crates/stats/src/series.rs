//! Time series over school years: any indicator, year by year, from
//! aggregate counts (class sizes over years are [`class_size_series`](crate::class_size_series)).

use std::collections::BTreeSet;

use eduaid_model::SchoolYear;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::indicators::{Retention, RetentionKind, RetentionOptions, retention};
use crate::source::{CountSource, every};

/// An indicator over school years, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series<T> {
    /// `(year, value)`, earliest first.
    pub points: Vec<(SchoolYear, T)>,
}

impl<T> Series<T> {
    /// Compute `indicator` for each year, in order, each year once.
    pub fn over(years: impl IntoIterator<Item = SchoolYear>, mut indicator: impl FnMut(SchoolYear) -> T) -> Series<T> {
        let years: BTreeSet<SchoolYear> = years.into_iter().collect();
        Series {
            points: years.into_iter().map(|y| (y, indicator(y))).collect(),
        }
    }

    /// Compute a fallible `indicator` for each year, in order, each year
    /// once.
    ///
    /// # Errors
    /// The first error of `indicator`.
    pub fn try_over<E>(
        years: impl IntoIterator<Item = SchoolYear>,
        mut indicator: impl FnMut(SchoolYear) -> Result<T, E>,
    ) -> Result<Series<T>, E> {
        let years: BTreeSet<SchoolYear> = years.into_iter().collect();
        Ok(Series {
            points: years
                .into_iter()
                .map(|y| Ok((y, indicator(y)?)))
                .collect::<Result<_, E>>()?,
        })
    }

    /// The value of one year.
    #[must_use]
    pub fn get(&self, year: SchoolYear) -> Option<&T> {
        self.points.iter().find(|(y, _)| *y == year).map(|(_, v)| v)
    }

    /// The years.
    #[must_use]
    pub fn years(&self) -> Vec<SchoolYear> {
        self.points.iter().map(|(y, _)| *y).collect()
    }

    /// Map every value.
    #[must_use]
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> Series<U> {
        Series {
            points: self.points.iter().map(|(y, v)| (*y, f(v))).collect(),
        }
    }
}

/// The school years that appear in the source's grade records, in order.
///
/// # Errors
/// As the source's [`visit_grades`](CountSource::visit_grades).
pub fn years_of<S: CountSource + ?Sized>(source: &S) -> Result<Vec<SchoolYear>, Error> {
    let mut set = BTreeSet::new();
    source.visit_grades(&mut every(|g: &eduaid_model::GradeCount| {
        set.insert(g.year);
    }))?;
    Ok(set.into_iter().collect())
}

/// The retention rate of every graduation year whose whole cohort the
/// source covers (the intake year and every year up to graduation).
///
/// # Errors
/// As the source's [`visit_grades`](CountSource::visit_grades).
pub fn retention_series<S: CountSource + ?Sized>(
    source: &S,
    kind: RetentionKind,
    options: RetentionOptions,
) -> Result<Series<Retention>, Error> {
    let years = years_of(source)?;
    let have: BTreeSet<SchoolYear> = years.iter().copied().collect();
    let span = i32::from(kind.duration()) - 1;
    let complete = years
        .iter()
        .copied()
        .filter(|y| (0..=span).all(|k| y.offset(-k).is_some_and(|x| have.contains(&x))));
    Series::try_over(complete, |y| retention(source, kind, y, options))
}
