//! Where counts come from, how they are selected, and how breakdowns are
//! formed by summing counts first.
//!
//! [`CountSource`] is the seam: one required method that visits grade
//! records, and defaulted ones for population, disabled children and
//! teachers. [`Counts`] implements it, and so does [`Filtered`], a source
//! seen through a [`Filter`]: a breakdown by township is the same indicator
//! computed on each township's records, which sums that township's counts
//! before dividing. Rates are never averaged.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::ControlFlow;

use eduaid_model::{
    Counts, DisabledChildrenCount, GradeCount, Locality, PopulationCount, PovertyGroup, SchoolId, SchoolYear, Sex,
    Stage, TeacherCount, Visit,
};
use serde::{Deserialize, Serialize};

use crate::Error;

/// A source of aggregate counts: the county's base forms, a database, a
/// file read in a stream.
///
/// It fails and stops as [`Roster`](eduaid_model::Roster) does: each visitor
/// returns a [`Visit`] (`ControlFlow::Break` stops the visit early, without
/// error), and a source whose backend fails returns
/// [`Error::CountSource`], made with [`Error::count_source`] from the
/// backend's own error, which stays reachable as the error's
/// [`source`](std::error::Error::source).
///
/// Required: [`visit_grades`](CountSource::visit_grades). The other three
/// default to having no records; override those the source holds.
///
/// ```
/// use std::ops::ControlFlow;
/// use eduaid_model::{GradeCount, Visit};
/// use eduaid_stats::Error;
/// use eduaid_stats::source::CountSource;
///
/// /// A source whose database is down.
/// struct Offline;
/// impl CountSource for Offline {
///     fn visit_grades(&self, _: &mut dyn FnMut(&GradeCount) -> Visit) -> Result<(), Error> {
///         Err(Error::count_source(std::io::Error::other("connection refused")))
///     }
/// }
/// let e = Offline.visit_grades(&mut |_| ControlFlow::Continue(())).unwrap_err();
/// assert_eq!(e.to_string(), "count source failed: connection refused");
/// ```
pub trait CountSource {
    /// Call `visit` with every grade record, in a stable order, until it
    /// returns `ControlFlow::Break`.
    ///
    /// # Errors
    /// [`Error::CountSource`] if the backend fails.
    fn visit_grades(&self, visit: &mut dyn FnMut(&GradeCount) -> Visit) -> Result<(), Error>;

    /// Call `visit` with every school-age population record, until it
    /// returns `ControlFlow::Break` (default: none).
    ///
    /// # Errors
    /// [`Error::CountSource`] if the backend fails.
    fn visit_population(&self, visit: &mut dyn FnMut(&PopulationCount) -> Visit) -> Result<(), Error> {
        let _ = visit;
        Ok(())
    }

    /// Call `visit` with every disabled-children record, until it returns
    /// `ControlFlow::Break` (default: none).
    ///
    /// # Errors
    /// [`Error::CountSource`] if the backend fails.
    fn visit_disabled(&self, visit: &mut dyn FnMut(&DisabledChildrenCount) -> Visit) -> Result<(), Error> {
        let _ = visit;
        Ok(())
    }

    /// Call `visit` with every teacher record, until it returns
    /// `ControlFlow::Break` (default: none).
    ///
    /// # Errors
    /// [`Error::CountSource`] if the backend fails.
    fn visit_teachers(&self, visit: &mut dyn FnMut(&TeacherCount) -> Visit) -> Result<(), Error> {
        let _ = visit;
        Ok(())
    }
}

/// A visitor that sees every record: `f`, then go on.
pub(crate) fn every<T: ?Sized>(mut f: impl FnMut(&T)) -> impl FnMut(&T) -> Visit {
    move |x| {
        f(x);
        ControlFlow::Continue(())
    }
}

/// Visit the items of a slice until the visitor stops.
fn visit_slice<T>(items: &[T], visit: &mut dyn FnMut(&T) -> Visit) -> Result<(), Error> {
    for item in items {
        if visit(item).is_break() {
            break;
        }
    }
    Ok(())
}

impl CountSource for Counts {
    fn visit_grades(&self, visit: &mut dyn FnMut(&GradeCount) -> Visit) -> Result<(), Error> {
        visit_slice(&self.grades, visit)
    }
    fn visit_population(&self, visit: &mut dyn FnMut(&PopulationCount) -> Visit) -> Result<(), Error> {
        visit_slice(&self.population, visit)
    }
    fn visit_disabled(&self, visit: &mut dyn FnMut(&DisabledChildrenCount) -> Visit) -> Result<(), Error> {
        visit_slice(&self.disabled, visit)
    }
    fn visit_teachers(&self, visit: &mut dyn FnMut(&TeacherCount) -> Visit) -> Result<(), Error> {
        visit_slice(&self.teachers, visit)
    }
}

impl CountSource for [GradeCount] {
    fn visit_grades(&self, visit: &mut dyn FnMut(&GradeCount) -> Visit) -> Result<(), Error> {
        visit_slice(self, visit)
    }
}

impl<const N: usize> CountSource for [GradeCount; N] {
    fn visit_grades(&self, visit: &mut dyn FnMut(&GradeCount) -> Visit) -> Result<(), Error> {
        visit_slice(self, visit)
    }
}

impl CountSource for Vec<GradeCount> {
    fn visit_grades(&self, visit: &mut dyn FnMut(&GradeCount) -> Visit) -> Result<(), Error> {
        visit_slice(self, visit)
    }
}

macro_rules! forward_source {
    ($($ty:ty),*) => {$(
        impl<S: CountSource + ?Sized> CountSource for $ty {
            fn visit_grades(&self, visit: &mut dyn FnMut(&GradeCount) -> Visit) -> Result<(), Error> {
                (**self).visit_grades(visit)
            }
            fn visit_population(&self, visit: &mut dyn FnMut(&PopulationCount) -> Visit) -> Result<(), Error> {
                (**self).visit_population(visit)
            }
            fn visit_disabled(&self, visit: &mut dyn FnMut(&DisabledChildrenCount) -> Visit) -> Result<(), Error> {
                (**self).visit_disabled(visit)
            }
            fn visit_teachers(&self, visit: &mut dyn FnMut(&TeacherCount) -> Visit) -> Result<(), Error> {
                (**self).visit_teachers(visit)
            }
        }
    )*};
}

forward_source!(&S, &mut S, Box<S>, std::sync::Arc<S>, std::rc::Rc<S>);

/// A selection of records: every field that is set must match.
///
/// Grade and teacher records are matched by the school's township,
/// locality and id; population and disabled-children records by the
/// township of residence and sex. Those have no school, locality or poverty
/// group, so a filter on any of these selects none of them: a gross
/// enrolment ratio "of the rural schools" has no population to divide by,
/// and shows no value rather than a wrong one. Keep the two universes apart
/// when a school recruits from outside its township (the 青海 case in the
/// research notes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// Township (乡镇).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township: Option<String>,
    /// School.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school: Option<SchoolId>,
    /// Sex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Poverty group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poverty: Option<PovertyGroup>,
    /// Urban or rural.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<Locality>,
}

impl Filter {
    /// A filter that keeps everything.
    #[must_use]
    pub fn all() -> Filter {
        Filter::default()
    }

    /// Narrow the filter to one group of a breakdown.
    #[must_use]
    pub fn and(mut self, key: &GroupKey) -> Filter {
        match key {
            GroupKey::Township(t) => self.township = Some(t.clone()),
            GroupKey::School(s) => self.school = Some(s.clone()),
            GroupKey::Sex(s) => self.sex = Some(*s),
            GroupKey::Poverty(p) => self.poverty = Some(*p),
            GroupKey::Locality(l) => self.locality = Some(*l),
        }
        self
    }

    /// True if a grade record is selected.
    #[must_use]
    pub fn matches_grade(&self, g: &GradeCount) -> bool {
        self.township.as_ref().is_none_or(|t| *t == g.township)
            && self.school.as_ref().is_none_or(|s| *s == g.school_id)
            && self.sex.is_none_or(|s| s == g.sex)
            && self.poverty.is_none_or(|p| p == g.poverty)
            && self.locality.is_none_or(|l| l == g.locality)
    }

    /// True if the filter names something residence records do not carry
    /// (a school, a locality, a poverty group).
    fn beyond_residence(&self) -> bool {
        self.school.is_some() || self.locality.is_some() || self.poverty.is_some()
    }

    /// True if a population record is selected (by township and sex; never
    /// under a school, locality or poverty filter).
    #[must_use]
    pub fn matches_population(&self, p: &PopulationCount) -> bool {
        !self.beyond_residence()
            && self.township.as_ref().is_none_or(|t| *t == p.township)
            && self.sex.is_none_or(|s| s == p.sex)
    }

    /// True if a disabled-children record is selected (by township and sex;
    /// never under a school, locality or poverty filter).
    #[must_use]
    pub fn matches_disabled(&self, d: &DisabledChildrenCount) -> bool {
        !self.beyond_residence()
            && self.township.as_ref().is_none_or(|t| *t == d.township)
            && self.sex.is_none_or(|s| s == d.sex)
    }

    /// True if a teacher record is selected (by school only: teacher records
    /// carry no township; a township filter needs the school's grade records,
    /// see [`Filtered`]).
    #[must_use]
    pub fn matches_teacher(&self, t: &TeacherCount) -> bool {
        self.school.as_ref().is_none_or(|s| *s == t.school_id)
    }
}

/// A source seen through a [`Filter`].
///
/// Teacher records are kept when their school has a selected grade record
/// (any year), so a township or urban/rural filter applies to teachers too;
/// sex and poverty filters do not split teachers.
#[derive(Debug, Clone)]
pub struct Filtered<S> {
    source: S,
    filter: Filter,
    schools: BTreeSet<SchoolId>,
}

impl<S: CountSource> Filtered<S> {
    /// The records of `source` that `filter` selects.
    ///
    /// # Errors
    /// As the source's [`visit_grades`](CountSource::visit_grades): the
    /// schools of the selected places are read here, once.
    pub fn new(source: S, filter: Filter) -> Result<Filtered<S>, Error> {
        let mut schools = BTreeSet::new();
        let place = Filter {
            sex: None,
            poverty: None,
            ..filter.clone()
        };
        source.visit_grades(&mut every(|g: &GradeCount| {
            if place.matches_grade(g) {
                schools.insert(g.school_id.clone());
            }
        }))?;
        Ok(Filtered {
            source,
            filter,
            schools,
        })
    }

    /// The filter in force.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }
}

impl<S: CountSource> CountSource for Filtered<S> {
    fn visit_grades(&self, visit: &mut dyn FnMut(&GradeCount) -> Visit) -> Result<(), Error> {
        self.source.visit_grades(&mut |g| {
            if self.filter.matches_grade(g) {
                visit(g)
            } else {
                ControlFlow::Continue(())
            }
        })
    }
    fn visit_population(&self, visit: &mut dyn FnMut(&PopulationCount) -> Visit) -> Result<(), Error> {
        self.source.visit_population(&mut |p| {
            if self.filter.matches_population(p) {
                visit(p)
            } else {
                ControlFlow::Continue(())
            }
        })
    }
    fn visit_disabled(&self, visit: &mut dyn FnMut(&DisabledChildrenCount) -> Visit) -> Result<(), Error> {
        self.source.visit_disabled(&mut |d| {
            if self.filter.matches_disabled(d) {
                visit(d)
            } else {
                ControlFlow::Continue(())
            }
        })
    }
    fn visit_teachers(&self, visit: &mut dyn FnMut(&TeacherCount) -> Visit) -> Result<(), Error> {
        let by_place = self.filter.township.is_some() || self.filter.locality.is_some();
        self.source.visit_teachers(&mut |t| {
            if self.filter.matches_teacher(t) && (!by_place || self.schools.contains(&t.school_id)) {
                visit(t)
            } else {
                ControlFlow::Continue(())
            }
        })
    }
}

/// The sums of every flow and stock of the grade records selected: each a
/// 128-bit integer, so no sum of `u64` counts can overflow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Records summed.
    pub records: u64,
    /// Enrolled on 1 September.
    pub enrolled: i128,
    /// New entrants.
    pub new_entrants: i128,
    /// Repeaters.
    pub repeaters: i128,
    /// Graduates.
    pub graduates: i128,
    /// Transferred in.
    pub transfers_in: i128,
    /// Transferred out.
    pub transfers_out: i128,
    /// Dropped out.
    pub dropouts: i128,
    /// Died.
    pub deaths: i128,
    /// Joined as temporary pupils (借读).
    pub temporary_in: i128,
    /// Suspended schooling (休学).
    pub suspended: i128,
    /// Other increases (其他增加).
    pub other_in: i128,
    /// Other decreases (其他减少).
    pub other_out: i128,
}

impl Tally {
    /// Add one record.
    pub fn add(&mut self, g: &GradeCount) {
        self.records = self.records.saturating_add(1);
        self.enrolled += i128::from(g.enrolled);
        self.new_entrants += i128::from(g.new_entrants);
        self.repeaters += i128::from(g.repeaters);
        self.graduates += i128::from(g.graduates);
        self.transfers_in += i128::from(g.transfers_in);
        self.transfers_out += i128::from(g.transfers_out);
        self.dropouts += i128::from(g.dropouts);
        self.deaths += i128::from(g.deaths);
        self.temporary_in += i128::from(g.temporary_in);
        self.suspended += i128::from(g.suspended);
        self.other_in += i128::from(g.other_in);
        self.other_out += i128::from(g.other_out);
    }

    /// Sum the records of `source` for which `select` is true.
    ///
    /// # Errors
    /// As the source's [`visit_grades`](CountSource::visit_grades).
    pub fn of<S: CountSource + ?Sized>(source: &S, select: impl Fn(&GradeCount) -> bool) -> Result<Tally, Error> {
        let mut t = Tally::default();
        source.visit_grades(&mut every(|g: &GradeCount| {
            if select(g) {
                t.add(g);
            }
        }))?;
        Ok(t)
    }

    /// Sum one grade of one stage in one school year.
    ///
    /// # Errors
    /// As the source's [`visit_grades`](CountSource::visit_grades).
    pub fn grade<S: CountSource + ?Sized>(
        source: &S,
        year: SchoolYear,
        stage: Stage,
        grade: u8,
    ) -> Result<Tally, Error> {
        Tally::of(source, |g| g.year == year && g.stage == stage && g.grade == grade)
    }

    /// Sum every grade of one stage in one school year.
    ///
    /// # Errors
    /// As the source's [`visit_grades`](CountSource::visit_grades).
    pub fn stage<S: CountSource + ?Sized>(source: &S, year: SchoolYear, stage: Stage) -> Result<Tally, Error> {
        Tally::of(source, |g| g.year == year && g.stage == stage)
    }
}

/// A dimension of a breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// By township (乡镇).
    Township,
    /// By school.
    School,
    /// By sex.
    Sex,
    /// By poverty group (建档立卡 or not).
    Poverty,
    /// By urban or rural.
    Locality,
}

/// One group of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKey {
    /// A township.
    Township(String),
    /// A school.
    School(SchoolId),
    /// A sex.
    Sex(Sex),
    /// A poverty group.
    Poverty(PovertyGroup),
    /// Urban or rural.
    Locality(Locality),
}

impl GroupKey {
    /// The group a grade record belongs to along `dim`.
    #[must_use]
    pub fn of(dim: Dimension, g: &GradeCount) -> GroupKey {
        match dim {
            Dimension::Township => GroupKey::Township(g.township.clone()),
            Dimension::School => GroupKey::School(g.school_id.clone()),
            Dimension::Sex => GroupKey::Sex(g.sex),
            Dimension::Poverty => GroupKey::Poverty(g.poverty),
            Dimension::Locality => GroupKey::Locality(g.locality),
        }
    }
}

impl fmt::Display for GroupKey {
    /// The name shown in a Chinese table: 城关镇, 女, 建档立卡, 城区.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupKey::Township(t) => f.write_str(t),
            GroupKey::School(s) => write!(f, "{s}"),
            GroupKey::Sex(s) => f.write_str(s.chinese()),
            GroupKey::Poverty(p) => f.write_str(p.chinese()),
            GroupKey::Locality(l) => f.write_str(l.chinese()),
        }
    }
}

/// The groups along `dim` that appear in the source's grade records, in
/// order.
///
/// # Errors
/// As the source's [`visit_grades`](CountSource::visit_grades).
pub fn groups<S: CountSource + ?Sized>(source: &S, dim: Dimension) -> Result<Vec<GroupKey>, Error> {
    let mut set = BTreeSet::new();
    source.visit_grades(&mut every(|g: &GradeCount| {
        set.insert(GroupKey::of(dim, g));
    }))?;
    Ok(set.into_iter().collect())
}

/// An indicator broken down along one dimension, with the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown<T> {
    /// The dimension.
    pub dimension: Dimension,
    /// The indicator over all the records.
    pub total: T,
    /// The indicator for each group, in order.
    pub groups: Vec<(GroupKey, T)>,
}

/// Compute `indicator` on the whole source and on each group along `dim`:
/// each group's figure is computed from that group's summed counts.
///
/// ```
/// use eduaid_stats::source::{breakdown, Dimension, Tally};
/// use eduaid_model::Counts;
/// let counts = Counts::default();
/// let b = breakdown(&counts, Dimension::Township, |s| Ok(Tally::of(s, |_| true)?.enrolled))?;
/// assert_eq!(b.total, 0);
/// assert!(b.groups.is_empty());
/// # Ok::<(), eduaid_stats::Error>(())
/// ```
///
/// # Errors
/// The first error of the source or of `indicator`.
pub fn breakdown<S, T, F>(source: &S, dim: Dimension, indicator: F) -> Result<Breakdown<T>, Error>
where
    S: CountSource + ?Sized,
    F: Fn(&dyn CountSource) -> Result<T, Error>,
{
    let total = indicator(&source)?;
    let groups = groups(source, dim)?
        .into_iter()
        .map(|k| {
            let part = Filtered::new(source, Filter::all().and(&k))?;
            let v = indicator(&part)?;
            Ok((k, v))
        })
        .collect::<Result<_, Error>>()?;
    Ok(Breakdown {
        dimension: dim,
        total,
        groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate::Ratio;
    use crate::testutil::cell;
    use crate::{DropoutForm, dropout_rate};

    #[test]
    fn breakdown_sums_counts_and_never_averages_rates() {
        let mut a = cell(2016, Stage::Junior, 1, 900);
        a.dropouts = 9;
        let mut b = cell(2016, Stage::Junior, 1, 100);
        b.dropouts = 5;
        b.township = "甲镇".into();
        b.locality = Locality::Rural;
        b.school_id = SchoolId::new("J2").unwrap();
        let v = vec![a, b];
        let y = SchoolYear::new(2016).unwrap();
        let bd = breakdown(&v, Dimension::Township, |s| {
            Ok(dropout_rate(s, Stage::Junior, y, DropoutForm::Definitional)?.rate)
        })
        .unwrap();
        // 14/1000, not the mean of 1% and 5%.
        assert_eq!(bd.total.ratio, Ratio::new(14, 1000));
        assert_eq!(bd.groups.len(), 2);
        assert_eq!(bd.groups[0].0.to_string(), "城关镇");
        assert_eq!(bd.groups[0].1.ratio, Ratio::new(9, 900));
        assert_eq!(bd.groups[1].1.ratio, Ratio::new(5, 100));
    }

    #[test]
    fn teachers_follow_their_schools_through_a_place_filter() {
        let y = SchoolYear::new(2016).unwrap();
        let mut rural = cell(2016, Stage::Primary, 1, 60);
        rural.township = "甲镇".into();
        rural.school_id = SchoolId::new("P2").unwrap();
        let counts = Counts {
            grades: vec![cell(2016, Stage::Primary, 1, 400), rural],
            teachers: vec![
                TeacherCount {
                    year: y,
                    school_id: SchoolId::new("P1").unwrap(),
                    stage: Stage::Primary,
                    teachers: 20,
                },
                TeacherCount {
                    year: y,
                    school_id: SchoolId::new("P2").unwrap(),
                    stage: Stage::Primary,
                    teachers: 6,
                },
            ],
            ..Counts::default()
        };
        let b = breakdown(&counts, Dimension::Township, |s| {
            crate::pupil_teacher_ratio(s, y, Stage::Primary)
        })
        .unwrap();
        assert_eq!(b.total, Ratio::new(460, 26));
        assert_eq!(b.groups[0], (GroupKey::Township("城关镇".into()), Ratio::new(400, 20)));
        assert_eq!(b.groups[1], (GroupKey::Township("甲镇".into()), Ratio::new(60, 6)));
    }

    #[test]
    fn residence_records_follow_township_and_sex_only() {
        let y = SchoolYear::new(2016).unwrap();
        let pop = |town: &str, sex: Sex| PopulationCount {
            year: y,
            township: town.into(),
            age: 7,
            sex,
            count: 100,
        };
        let counts = Counts {
            grades: vec![cell(2016, Stage::Primary, 1, 95)],
            population: vec![
                pop("城关镇", Sex::Female),
                pop("城关镇", Sex::Male),
                pop("甲镇", Sex::Female),
            ],
            ..Counts::default()
        };
        let ger = |s: &dyn CountSource| crate::gross_enrolment_ratio(s, y, &[Stage::Primary], 6..=11).unwrap();
        assert_eq!(ger(&counts).ratio, Ratio::new(95, 300));
        let town = Filtered::new(&counts, Filter::all().and(&GroupKey::Township("城关镇".into()))).unwrap();
        assert_eq!(ger(&town).ratio, Ratio::new(95, 200));
        let girls = Filtered::new(&counts, Filter::all().and(&GroupKey::Sex(Sex::Female))).unwrap();
        assert_eq!(ger(&girls).ratio, Ratio::new(95, 200));
        let urban = Filtered::new(&counts, Filter::all().and(&GroupKey::Locality(Locality::Urban))).unwrap();
        assert!(!ger(&urban).has_value());
    }
}
