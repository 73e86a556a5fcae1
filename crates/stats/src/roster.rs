//! Statistics straight from a roster of students: shares (migrant children,
//! boarders, registered-poor students), their breakdowns, and the grade
//! counts of one school year, so that every count-based indicator also runs
//! on a roster.
//!
//! Works over any [`Roster`]: the students are visited in batches, each
//! school and household looked up once.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;

use chrono::NaiveDate;
use eduaid_model::{
    EnrolmentStatus, GradeCount, HouseholdId, Locality, Ownership, PovertyGroup, Roster, School, SchoolId, SchoolYear,
    Sex, Stage, Student,
};
use serde::{Deserialize, Serialize};

use std::ops::RangeInclusive;

use crate::Error;
use crate::rate::Rate;
use crate::source::{Breakdown, CountSource, Dimension, GroupKey};
use crate::uis::{NerCounts, NetEnrolment, net_enrolment_ratio};

/// Which students to count: every field that is set must match, and the
/// student must be in school on the date given to the function.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentFilter {
    /// Stages (any of them); empty means every stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    /// Grade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<u8>,
    /// The school's township.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township: Option<String>,
    /// The school's locality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<Locality>,
    /// The school's ownership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<Ownership>,
    /// One school.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school: Option<SchoolId>,
    /// Sex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Poverty group on the date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poverty: Option<PovertyGroup>,
}

impl StudentFilter {
    /// Students of one stage.
    #[must_use]
    pub fn stage(stage: Stage) -> StudentFilter {
        StudentFilter {
            stages: vec![stage],
            ..StudentFilter::default()
        }
    }

    /// Narrow to schools of one locality.
    #[must_use]
    pub fn in_locality(mut self, locality: Locality) -> StudentFilter {
        self.locality = Some(locality);
        self
    }

    /// Narrow to schools of one township.
    #[must_use]
    pub fn in_township(mut self, township: impl Into<String>) -> StudentFilter {
        self.township = Some(township.into());
        self
    }

    fn matches(&self, s: &Student, school: &SchoolInfo, poverty: PovertyGroup) -> bool {
        (self.stages.is_empty() || self.stages.contains(&s.stage))
            && self.grade.is_none_or(|g| g == s.grade)
            && self.township.as_ref().is_none_or(|t| *t == school.township)
            && self.locality.is_none_or(|l| l == school.locality)
            && self.ownership.is_none_or(|o| o == school.ownership)
            && self.school.as_ref().is_none_or(|id| *id == s.school_id)
            && self.sex.is_none_or(|x| x == s.sex)
            && self.poverty.is_none_or(|p| p == poverty)
    }
}

/// A trait of a student whose share is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StudentTrait {
    /// 随迁子女: migrant workers' children.
    Migrant,
    /// 寄宿生: boarders.
    Boarder,
    /// 留守儿童: left-behind children.
    LeftBehind,
    /// 建档立卡: registered poor on the date.
    RegisteredPoor,
    /// Any disability.
    Disabled,
    /// Female.
    Female,
}

impl StudentTrait {
    /// The Chinese name.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            StudentTrait::Migrant => "随迁子女",
            StudentTrait::Boarder => "寄宿生",
            StudentTrait::LeftBehind => "留守儿童",
            StudentTrait::RegisteredPoor => "建档立卡学生",
            StudentTrait::Disabled => "残疾学生",
            StudentTrait::Female => "女生",
        }
    }

    fn holds(self, s: &Student, poverty: PovertyGroup) -> bool {
        match self {
            StudentTrait::Migrant => s.migrant,
            StudentTrait::Boarder => s.boarder,
            StudentTrait::LeftBehind => s.left_behind,
            StudentTrait::RegisteredPoor => poverty == PovertyGroup::RegisteredPoor,
            StudentTrait::Disabled => s.disability.is_some(),
            StudentTrait::Female => s.sex == Sex::Female,
        }
    }
}

#[derive(Debug, Clone)]
struct SchoolInfo {
    township: String,
    locality: Locality,
    ownership: Ownership,
}

/// Visit every student with their school's facts and poverty group on
/// `date`, looking each school and household up once.
fn visit_with_context<R: Roster + ?Sized>(
    roster: &R,
    date: NaiveDate,
    mut f: impl FnMut(&Student, &SchoolInfo, PovertyGroup),
) -> Result<(), Error> {
    let mut schools: HashMap<SchoolId, SchoolInfo> = HashMap::new();
    let mut poor: HashMap<HouseholdId, bool> = HashMap::new();
    let mut failure: Option<Error> = None;
    roster.visit_students(&mut |batch| {
        for s in batch {
            let info = match schools.get(&s.school_id) {
                Some(i) => i.clone(),
                None => match roster.school_of(s) {
                    Ok(sc) => {
                        let i = SchoolInfo {
                            township: sc.township.clone(),
                            locality: sc.locality,
                            ownership: sc.ownership,
                        };
                        schools.insert(s.school_id.clone(), i.clone());
                        i
                    }
                    Err(e) => {
                        failure = Some(e.into());
                        return ControlFlow::Break(());
                    }
                },
            };
            let registered = match &s.household_id {
                None => false,
                Some(h) => match poor.get(h) {
                    Some(p) => *p,
                    None => match roster.household_of(s) {
                        Ok(home) => {
                            let p = home.is_some_and(|x| x.registered_poor_on(date));
                            poor.insert(h.clone(), p);
                            p
                        }
                        Err(e) => {
                            failure = Some(e.into());
                            return ControlFlow::Break(());
                        }
                    },
                },
            };
            let group = if registered {
                PovertyGroup::RegisteredPoor
            } else {
                PovertyGroup::Other
            };
            f(s, &info, group);
        }
        ControlFlow::Continue(())
    })?;
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The share of students in school on `date`, among those `filter`
/// selects, who have `trait_`.
///
/// # Errors
/// [`Error::Roster`] if the roster fails or a student names a school or
/// household it does not have.
pub fn student_share<R: Roster + ?Sized>(
    roster: &R,
    filter: &StudentFilter,
    date: NaiveDate,
    trait_: StudentTrait,
) -> Result<Rate, Error> {
    let (mut n, mut d) = (0i128, 0i128);
    visit_with_context(roster, date, |s, school, poverty| {
        if s.in_school_on(date) && filter.matches(s, school, poverty) {
            d += 1;
            if trait_.holds(s, poverty) {
                n += 1;
            }
        }
    })?;
    let y = SchoolYear::containing(date);
    Ok(Rate::new(n, d).with_years(y, y))
}

/// [`student_share`] on every selected student and on each group along
/// `dim`, from one pass over the roster: each group's share is its own
/// count over its own total.
///
/// # Errors
/// As [`student_share`].
pub fn student_share_breakdown<R: Roster + ?Sized>(
    roster: &R,
    filter: &StudentFilter,
    date: NaiveDate,
    trait_: StudentTrait,
    dim: Dimension,
) -> Result<Breakdown<Rate>, Error> {
    let mut per: BTreeMap<GroupKey, (i128, i128)> = BTreeMap::new();
    let (mut n, mut d) = (0i128, 0i128);
    visit_with_context(roster, date, |s, school, poverty| {
        if !(s.in_school_on(date) && filter.matches(s, school, poverty)) {
            return;
        }
        let key = match dim {
            Dimension::Township => GroupKey::Township(school.township.clone()),
            Dimension::School => GroupKey::School(s.school_id.clone()),
            Dimension::Sex => GroupKey::Sex(s.sex),
            Dimension::Poverty => GroupKey::Poverty(poverty),
            Dimension::Locality => GroupKey::Locality(school.locality),
        };
        let e = per.entry(key).or_insert((0, 0));
        let has = i128::from(trait_.holds(s, poverty));
        e.0 += has;
        e.1 += 1;
        n += has;
        d += 1;
    })?;
    let y = SchoolYear::containing(date);
    Ok(Breakdown {
        dimension: dim,
        total: Rate::new(n, d).with_years(y, y),
        groups: per
            .into_iter()
            .map(|(k, (a, b))| (k, Rate::new(a, b).with_years(y, y)))
            .collect(),
    })
}

/// The grade counts of one school year built from a roster, one record per
/// school, stage, grade, sex and poverty group (judged on `poverty_on`).
///
/// `enrolled` is the stock in school on 1 September of `year`; the flows
/// (graduates, transfers, dropouts, 休学, deaths) are the status changes dated in
/// the year. A roster records only current grades and one status per
/// student, so new entrants and repeaters stay zero, and the result is good
/// for stock indicators and the year's flows, not for cohorts.
///
/// # Errors
/// As [`student_share`].
pub fn grade_counts_from_roster<R: Roster + ?Sized>(
    roster: &R,
    year: SchoolYear,
    poverty_on: NaiveDate,
) -> Result<Vec<GradeCount>, Error> {
    type Key = (SchoolId, Stage, u8, Sex, PovertyGroup);
    let mut cells: BTreeMap<Key, GradeCount> = BTreeMap::new();
    let start = year.first_day();
    visit_with_context(roster, poverty_on, |s, school, poverty| {
        let key = (s.school_id.clone(), s.stage, s.grade, s.sex, poverty);
        let cell = cells.entry(key).or_insert_with(|| GradeCount {
            year,
            school_id: s.school_id.clone(),
            township: school.township.clone(),
            locality: school.locality,
            stage: s.stage,
            grade: s.grade,
            sex: s.sex,
            poverty,
            enrolled: 0,
            new_entrants: 0,
            repeaters: 0,
            graduates: 0,
            transfers_in: 0,
            transfers_out: 0,
            dropouts: 0,
            deaths: 0,
            temporary_in: 0,
            suspended: 0,
            other_in: 0,
            other_out: 0,
        });
        let arrived_later = s.status == EnrolmentStatus::TransferredIn && s.status_since > start;
        if s.in_school_on(start) && !arrived_later {
            cell.enrolled += 1;
        }
        if year.contains(s.status_since) {
            match s.status {
                EnrolmentStatus::TransferredIn => cell.transfers_in += 1,
                EnrolmentStatus::TransferredOut => cell.transfers_out += 1,
                EnrolmentStatus::DroppedOut => cell.dropouts += 1,
                EnrolmentStatus::Graduated => cell.graduates += 1,
                EnrolmentStatus::Deceased => cell.deaths += 1,
                EnrolmentStatus::Suspended => cell.suspended += 1,
                EnrolmentStatus::Enrolled => {}
            }
        }
    })?;
    Ok(cells.into_values().collect())
}

/// The net enrolment ratio (净入学率) of `stages` from a roster and the
/// population counts: students in school on 1 September of `year` whose age
/// that day is in `ages`, over the population of those ages, by sex, with
/// the UIS capping ([`net_enrolment_ratio`]), whose factor takes the
/// students of those ages in school at any stage. Aggregate counts carry no
/// ages, so this needs the roster.
///
/// # Errors
/// As [`student_share`], and as the population source's
/// [`visit_population`](CountSource::visit_population).
pub fn net_enrolment_from_roster<R, S>(
    roster: &R,
    population: &S,
    year: SchoolYear,
    stages: &[Stage],
    ages: RangeInclusive<u8>,
) -> Result<NetEnrolment, Error>
where
    R: Roster + ?Sized,
    S: CountSource + ?Sized,
{
    let day = year.first_day();
    let mut enrolled: BTreeMap<Sex, i128> = BTreeMap::new();
    let mut any_level: BTreeMap<Sex, i128> = BTreeMap::new();
    roster.visit_students(&mut |batch| {
        for s in batch {
            let of_age = u8::try_from(s.age_on(day)).is_ok_and(|a| ages.contains(&a));
            if of_age && s.in_school_on(day) {
                *any_level.entry(s.sex).or_insert(0) += 1;
                if stages.contains(&s.stage) {
                    *enrolled.entry(s.sex).or_insert(0) += 1;
                }
            }
        }
        ControlFlow::Continue(())
    })?;
    let mut people: BTreeMap<Sex, i128> = BTreeMap::new();
    population.visit_population(&mut crate::source::every(|p: &eduaid_model::PopulationCount| {
        if p.year == year && ages.contains(&p.age) {
            *people.entry(p.sex).or_insert(0) += i128::from(p.count);
        }
    }))?;
    let get = |m: &BTreeMap<Sex, i128>, sex: &Sex| m.get(sex).copied().unwrap_or(0);
    let by_sex: Vec<NerCounts> = Sex::ALL
        .iter()
        .map(|sex| NerCounts::new(*sex, get(&enrolled, sex), Some(get(&any_level, sex)), get(&people, sex)))
        .collect();
    Ok(net_enrolment_ratio(&by_sex, year))
}

/// The schools the roster's students attend, each once, in id order. (The
/// [`Roster`] trait has no way to list a school without students.)
///
/// # Errors
/// As [`student_share`].
pub fn schools_of<R: Roster + ?Sized>(roster: &R) -> Result<Vec<School>, Error> {
    let mut ids = std::collections::BTreeSet::new();
    roster.visit_students(&mut |batch| {
        for s in batch {
            ids.insert(s.school_id.clone());
        }
        ControlFlow::Continue(())
    })?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(s) = roster.school(&id)? {
            out.push(Cow::into_owned(s));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eduaid_model::{Household, Hukou, MemoryRoster, SchoolKind, StatusKind, StudentId};

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn student(id: &str, school: &str, migrant: bool, home: Option<&str>) -> Student {
        Student {
            id: StudentId::new(id).unwrap(),
            name: "学生".into(),
            sex: Sex::Female,
            birth_date: date("2008-05-01"),
            school_id: SchoolId::new(school).unwrap(),
            stage: Stage::Primary,
            grade: 3,
            boarder: false,
            disability: None,
            migrant,
            left_behind: false,
            hukou: Hukou::Rural,
            agricultural_major: false,
            household_id: home.map(|h| HouseholdId::new(h).unwrap()),
            status: EnrolmentStatus::Enrolled,
            status_since: date("2014-09-01"),
            helper: None,
        }
    }

    /// Two urban primaries (one private) and one rural; 3 of 8 urban pupils
    /// are migrants; one rural pupil is registered poor; one urban pupil
    /// dropped out in 2016-17 and is out of school on the date.
    fn roster() -> MemoryRoster {
        let mut r = MemoryRoster::new().with_batch_size(3);
        for (id, own, town, loc) in [
            ("U1", Ownership::Public, "城关镇", Locality::Urban),
            ("U2", Ownership::Private, "城关镇", Locality::Urban),
            ("R1", Ownership::Public, "甲镇", Locality::Rural),
        ] {
            r.add_school(School::new(
                SchoolId::new(id).unwrap(),
                format!("{id}小学"),
                SchoolKind::Primary,
                own,
                town,
                loc,
            ))
            .unwrap();
        }
        let mut h = Household::new(HouseholdId::new("H1").unwrap());
        h.add_status(StatusKind::RegisteredPoor, date("2015-10-01"), None)
            .unwrap();
        r.add_household(h).unwrap();
        r.add_household(Household::new(HouseholdId::new("H2").unwrap()))
            .unwrap();
        for i in 0..6 {
            r.add_student(student(&format!("A{i}"), "U1", i < 2, None)).unwrap();
        }
        r.add_student(student("B0", "U2", true, None)).unwrap();
        r.add_student(student("B1", "U2", false, Some("H2"))).unwrap();
        let mut gone = student("B2", "U2", true, None);
        gone.status = EnrolmentStatus::DroppedOut;
        gone.status_since = date("2016-12-01");
        r.add_student(gone).unwrap();
        r.add_student(student("C0", "R1", false, Some("H1"))).unwrap();
        r.add_student(student("C1", "R1", false, None)).unwrap();
        r
    }

    #[test]
    fn migrant_share_of_the_urban_district() {
        let r = roster();
        let f = StudentFilter::stage(Stage::Primary).in_township("城关镇");
        let share = student_share(&r, &f, date("2017-03-01"), StudentTrait::Migrant).unwrap();
        assert_eq!(share.ratio, crate::rate::Ratio::new(3, 8));
        // Before the dropout left, B2 was in school: 4 of 9.
        let before = student_share(&r, &f, date("2016-09-01"), StudentTrait::Migrant).unwrap();
        assert_eq!(before.ratio, crate::rate::Ratio::new(4, 9));
        let public = StudentFilter {
            ownership: Some(Ownership::Public),
            ..f
        };
        assert_eq!(
            student_share(&r, &public, date("2017-03-01"), StudentTrait::Migrant)
                .unwrap()
                .ratio,
            crate::rate::Ratio::new(2, 6)
        );
    }

    #[test]
    fn shares_break_down_by_summing_counts() {
        let r = roster();
        let all = StudentFilter::stage(Stage::Primary);
        let b = student_share_breakdown(
            &r,
            &all,
            date("2017-03-01"),
            StudentTrait::RegisteredPoor,
            Dimension::Locality,
        )
        .unwrap();
        assert_eq!(b.total.ratio, crate::rate::Ratio::new(1, 10));
        assert_eq!(b.groups.len(), 2);
        assert_eq!(
            b.groups[0],
            (
                GroupKey::Locality(Locality::Urban),
                Rate::new(0, 8).with_years(SchoolYear::new(2016).unwrap(), SchoolYear::new(2016).unwrap())
            )
        );
        assert_eq!(b.groups[1].1.ratio, crate::rate::Ratio::new(1, 2));
        let t =
            student_share_breakdown(&r, &all, date("2017-03-01"), StudentTrait::Migrant, Dimension::Poverty).unwrap();
        assert_eq!(t.groups[0].0, GroupKey::Poverty(PovertyGroup::RegisteredPoor));
        assert_eq!(t.groups[1].1.ratio, crate::rate::Ratio::new(3, 9));
    }

    #[test]
    fn grade_counts_built_from_the_roster() {
        let r = roster();
        let y = SchoolYear::new(2016).unwrap();
        let cells = grade_counts_from_roster(&r, y, date("2017-03-01")).unwrap();
        let total: u64 = cells.iter().map(|c| c.enrolled).sum();
        assert_eq!(total, 11);
        let dropouts: u64 = cells.iter().map(|c| c.dropouts).sum();
        assert_eq!(dropouts, 1);
        let poor: u64 = cells
            .iter()
            .filter(|c| c.poverty == PovertyGroup::RegisteredPoor)
            .map(|c| c.enrolled)
            .sum();
        assert_eq!(poor, 1);
        let d = crate::dropout_rate(&cells, Stage::Primary, y, crate::DropoutForm::Definitional).unwrap();
        assert_eq!(d.rate.ratio, crate::rate::Ratio::new(1, 11));
        assert_eq!(schools_of(&r).unwrap().len(), 3);
        // A suspension (休学) dated in the year is counted as one, and the
        // definitional dropout rate takes it in: (1 + 1) / 12.
        let mut r = r;
        let mut off = student("B3", "U2", false, None);
        off.status = EnrolmentStatus::Suspended;
        off.status_since = date("2017-04-01");
        r.add_student(off).unwrap();
        let cells = grade_counts_from_roster(&r, y, date("2017-03-01")).unwrap();
        assert_eq!(cells.iter().map(|c| c.suspended).sum::<u64>(), 1);
        let d = crate::dropout_rate(&cells, Stage::Primary, y, crate::DropoutForm::Definitional).unwrap();
        assert_eq!(d.rate.ratio, crate::rate::Ratio::new(2, 12));
    }

    #[test]
    fn net_enrolment_from_ages() {
        // All 11 students were born 2008-05-01: 8 on 2016-09-01.
        let r = roster();
        let y = SchoolYear::new(2016).unwrap();
        let population = eduaid_model::Counts {
            population: vec![eduaid_model::PopulationCount {
                year: y,
                township: "城关镇".into(),
                age: 8,
                sex: Sex::Female,
                count: 20,
            }],
            ..eduaid_model::Counts::default()
        };
        let n = net_enrolment_from_roster(&r, &population, y, &[Stage::Primary], 6..=11).unwrap();
        assert_eq!(n.total.ratio, crate::rate::Ratio::new(11, 20));
        assert_eq!(n.capping_factor, None);
        let none = net_enrolment_from_roster(&r, &population, y, &[Stage::Primary], 9..=11).unwrap();
        assert_eq!(none.total.ratio, crate::rate::Ratio::new(0, 0));
    }

    #[test]
    fn a_broken_reference_is_an_error() {
        struct Broken(MemoryRoster);
        impl Roster for Broken {
            fn visit_students(
                &self,
                visit: &mut dyn FnMut(&[Student]) -> eduaid_model::Visit,
            ) -> Result<(), eduaid_model::RosterError> {
                self.0.visit_students(visit)
            }
            fn school(&self, _: &SchoolId) -> Result<Option<Cow<'_, School>>, eduaid_model::RosterError> {
                Ok(None)
            }
            fn household(
                &self,
                id: &HouseholdId,
            ) -> Result<Option<Cow<'_, eduaid_model::Household>>, eduaid_model::RosterError> {
                self.0.household(id)
            }
        }
        let b = Broken(roster());
        let e = student_share(&b, &StudentFilter::default(), date("2017-03-01"), StudentTrait::Boarder).unwrap_err();
        assert!(e.to_string().contains("unknown school"), "{e}");
    }
}
