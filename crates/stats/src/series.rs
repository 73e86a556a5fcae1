//! Time series over school years: any indicator, year by year, from
//! aggregate counts or a school list.

use std::collections::BTreeSet;

use eduaid_model::{School, SchoolYear};
use serde::{Deserialize, Serialize};

use crate::classes::{ClassFilter, ClassSizes, class_sizes};
use crate::indicators::{Retention, RetentionKind, RetentionOptions, retention};
use crate::source::CountSource;

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
pub fn years_of<S: CountSource + ?Sized>(source: &S) -> Vec<SchoolYear> {
    let mut set = BTreeSet::new();
    source.visit_grades(&mut |g| {
        set.insert(g.year);
    });
    set.into_iter().collect()
}

/// The retention rate of every graduation year whose whole cohort the
/// source covers (the intake year and every year up to graduation).
pub fn retention_series<S: CountSource + ?Sized>(
    source: &S,
    kind: RetentionKind,
    options: RetentionOptions,
) -> Series<Retention> {
    let years = years_of(source);
    let have: BTreeSet<SchoolYear> = years.iter().copied().collect();
    let span = i32::from(kind.duration()) - 1;
    let complete = years
        .iter()
        .copied()
        .filter(|y| (0..=span).all(|k| y.offset(-k).is_some_and(|x| have.contains(&x))));
    Series::over(complete, |y| retention(source, kind, y, options))
}

/// The class-size distribution of every school year in which the selected
/// schools have classes.
pub fn class_size_series<'a, I>(schools: I, filter: &ClassFilter) -> Series<ClassSizes>
where
    I: IntoIterator<Item = &'a School>,
{
    let schools: Vec<&School> = schools.into_iter().filter(|s| filter.matches_school(s)).collect();
    let years = schools
        .iter()
        .flat_map(|s| s.classes.iter().filter(|c| filter.matches_class(c)).map(|c| c.year));
    Series::over(years, |y| class_sizes(schools.iter().copied(), y, filter))
}
