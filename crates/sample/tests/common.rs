//! The sample county, built once for the whole test binary.

use std::sync::OnceLock;

use eduaid_model::{Household, NaiveDate, Roster, School, Student};
use eduaid_sample::SampleCounty;

pub(crate) fn sample() -> &'static SampleCounty {
    static COUNTY: OnceLock<SampleCounty> = OnceLock::new();
    COUNTY.get_or_init(eduaid_sample::county)
}

pub(crate) fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(crate) fn spring() -> NaiveDate {
    d("2017-03-01")
}

pub(crate) fn school_of(s: &Student) -> &'static School {
    match sample().roster.school(&s.school_id).unwrap().unwrap() {
        std::borrow::Cow::Borrowed(x) => x,
        std::borrow::Cow::Owned(_) => unreachable!("a memory roster lends its schools"),
    }
}

pub(crate) fn household_of(s: &Student) -> Option<&'static Household> {
    let h = s.household_id.as_ref()?;
    match sample().roster.household(h).unwrap().unwrap() {
        std::borrow::Cow::Borrowed(x) => Some(x),
        std::borrow::Cow::Owned(_) => unreachable!("a memory roster lends its households"),
    }
}

pub(crate) fn students() -> &'static [Student] {
    sample().roster.students()
}

pub(crate) fn in_school(date: NaiveDate) -> impl Iterator<Item = &'static Student> {
    students().iter().filter(move |s| s.in_school_on(date))
}

/// `num / den` as a percentage with two decimals, rounded half up, in
/// basis points (0.01%): exact integer arithmetic.
pub(crate) fn basis_points(num: u64, den: u64) -> u64 {
    (num * 20_000 + den) / (2 * den)
}
