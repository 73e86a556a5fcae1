//! Step 4a: who leaves school in spring or summer 2017, the migrant and
//! disabled students, and the records of students who left earlier.

use super::*;
use crate::convert::clamped;

/// The leaving information of the fault student.
#[derive(Debug, Clone)]
pub(super) struct FaultLeaver {
    pub(super) index: usize,
}

pub(super) fn set_left(s: &mut Student, status: EnrolmentStatus, on: NaiveDate) {
    s.status = status;
    s.status_since = on;
}

/// A predicate on a student of the build, by index.
type Pred = fn(&Build, usize) -> bool;
/// A leaving date drawn at random in a span.
type DateIn = fn(&mut SplitMix64) -> NaiveDate;

/// 2017-04-06 to 2017-06-01.
fn early(rng: &mut SplitMix64) -> NaiveDate {
    plus_days(ymd(2017, 4, 6), rng.below(57))
}

/// 2017-07-03 to 2017-08-25.
fn late(rng: &mut SplitMix64) -> NaiveDate {
    plus_days(ymd(2017, 7, 3), rng.below(54))
}

/// 2017-04-06 to 2017-08-25.
fn spring(rng: &mut SplitMix64) -> NaiveDate {
    plus_days(ymd(2017, 4, 6), rng.below(142))
}

fn first_batch(b: &Build, i: usize) -> bool {
    b.plans[b.meta[i].school].school.nutrition_plan_from == Some(ymd(2017, 6, 1))
}

fn group(b: &Build, i: usize) -> Group {
    b.plans[b.meta[i].school].group
}

fn compulsory(b: &Build, i: usize) -> bool {
    b.students[i].stage.is_compulsory()
}

fn junior_not_poor(b: &Build, i: usize) -> bool {
    b.students[i].stage == Stage::Junior && !b.meta[i].poor
}

/// Who leaves, in the order drawn: how many, among whom (never a student
/// already leaving, nor one of a special school), how and when.
///
/// The nutrition plan's first batch comes first: exactly 24 of it leave by
/// 2017-06-01, more in the summer; then everyone else.
const LEAVERS: [(usize, Pred, EnrolmentStatus, DateIn); 15] = {
    use EnrolmentStatus::{Deceased, DroppedOut, TransferredOut};
    [
        (15, |b, i| first_batch(b, i) && compulsory(b, i), TransferredOut, early),
        (8, |b, i| first_batch(b, i) && junior_not_poor(b, i), DroppedOut, early),
        (
            1,
            |b, i| first_batch(b, i) && b.students[i].stage == Stage::Primary && b.students[i].grade == 3,
            Deceased,
            early,
        ),
        (120, |b, i| first_batch(b, i) && compulsory(b, i), TransferredOut, late),
        (10, |b, i| first_batch(b, i) && junior_not_poor(b, i), DroppedOut, late),
        (
            60,
            |b, i| b.students[i].stage == Stage::Preschool,
            TransferredOut,
            spring,
        ),
        (
            25,
            |b, i| matches!(group(b, i), Group::UrbanPublicPrimary | Group::UrbanPrivatePrimary),
            TransferredOut,
            spring,
        ),
        (20, |b, i| group(b, i) == Group::UrbanJunior, TransferredOut, spring),
        (
            3,
            |b, i| group(b, i) == Group::UrbanJunior && !b.meta[i].poor,
            DroppedOut,
            spring,
        ),
        (
            10,
            |b, i| compulsory(b, i) && !first_batch(b, i) && b.plans[b.meta[i].school].township != 0,
            TransferredOut,
            spring,
        ),
        (30, |b, i| b.students[i].stage == Stage::Senior, TransferredOut, spring),
        (
            12,
            |b, i| b.students[i].stage == Stage::Senior && !b.meta[i].poor,
            DroppedOut,
            spring,
        ),
        (
            15,
            |b, i| b.students[i].stage == Stage::Vocational,
            TransferredOut,
            spring,
        ),
        (
            20,
            |b, i| b.students[i].stage == Stage::Vocational && !b.meta[i].poor,
            DroppedOut,
            spring,
        ),
        (1, |b, i| b.students[i].stage == Stage::Senior, Deceased, spring),
    ]
};

/// `n` students chosen at random among those not `taken`, not in a special
/// school and meeting `pred`, leave with `status` on a day of `date`.
fn choose(
    rng: &mut SplitMix64,
    b: &mut Build,
    taken: &mut [bool],
    n: usize,
    pred: Pred,
    status: EnrolmentStatus,
    date: DateIn,
) {
    let mut v: Vec<usize> = (0..b.students.len())
        .filter(|i| !taken[*i] && b.plans[b.meta[*i].school].group != Group::Special && pred(b, *i))
        .collect();
    rng.shuffle(&mut v);
    for i in v.into_iter().take(n) {
        let on = date(rng);
        set_left(&mut b.students[i], status, on);
        taken[i] = true;
    }
}

/// Step 4a: who leaves school in spring or summer 2017 (nobody leaves
/// before 2017-03-01, so the in-school counts of 2016-09-01 and 2017-03-01
/// agree).
pub(super) fn assign_leavers(rng: &mut SplitMix64, b: &mut Build) -> Result<FaultLeaver, Error> {
    let mut taken = vec![false; b.students.len()];
    move_teaching_point_pupils(rng, b, &mut taken);
    let fault = plant_fault_leaver(b, &mut taken)?;
    for (n, pred, status, date) in LEAVERS {
        choose(rng, b, &mut taken, n, pred, status, date);
    }
    round_junior_retention(rng, b, &mut taken);
    Ok(FaultLeaver { index: fault })
}

/// Teaching-point pupils finishing grade 4 move to the central primary.
fn move_teaching_point_pupils(rng: &mut SplitMix64, b: &mut Build, taken: &mut [bool]) {
    for ((s, m), t) in b.students.iter_mut().zip(&b.meta).zip(taken.iter_mut()) {
        if b.plans[m.school].group == Group::TeachingPoint && s.grade == 4 {
            let on = plus_days(ymd(2017, 7, 3), rng.below(12));
            set_left(s, EnrolmentStatus::TransferredOut, on);
            *t = true;
        }
    }
}

/// The fault student: registered-poor, urban junior, left on 2017-03-20.
fn plant_fault_leaver(b: &mut Build, taken: &mut [bool]) -> Result<usize, Error> {
    let fault = (0..b.students.len())
        .find(|i| {
            b.meta[*i].poor && b.plans[b.meta[*i].school].group == Group::UrbanJunior && b.students[*i].grade == 2
        })
        .ok_or(Error::Build(
            "no registered-poor urban junior student for the planted fault".into(),
        ))?;
    set_left(
        &mut b.students[fault],
        EnrolmentStatus::TransferredOut,
        ymd(2017, 3, 20),
    );
    taken[fault] = true;
    Ok(fault)
}

/// Not every number of graduates admits a loss whose retention rounds to
/// the contract's 98.89%: move junior graduates out in the summer until it
/// does.
fn round_junior_retention(rng: &mut SplitMix64, b: &mut Build, taken: &mut [bool]) {
    let target = f::JUNIOR_RETENTION[2].1;
    for _ in 0..100 {
        let graduates = b
            .students
            .iter()
            .filter(|s| s.stage == Stage::Junior && s.grade == 3 && s.status.is_in_school())
            .count();
        if crate::counts::loss_for(clamped::<_, u64>(graduates), target).is_some() {
            break;
        }
        let grade3 = |b: &Build, i: usize| {
            b.students[i].stage == Stage::Junior
                && b.students[i].grade == 3
                && b.plans[b.meta[i].school].group == Group::UrbanJunior
        };
        choose(rng, b, &mut *taken, 1, grade3, EnrolmentStatus::TransferredOut, early);
    }
}

/// Step 4b: migrant children (exactly 1642 of the urban primary pupils),
/// and disabled students (exactly 305 of the three kinds aged 6–14 in
/// school).
pub(super) fn assign_migrants_and_disability(rng: &mut SplitMix64, b: &mut Build) {
    let mut v: Vec<usize> = (0..b.students.len())
        .filter(|i| matches!(group(b, *i), Group::UrbanPublicPrimary | Group::UrbanPrivatePrimary) && !b.meta[*i].poor)
        .collect();
    rng.shuffle(&mut v);
    for i in v.into_iter().take(clamped::<_, usize>(f::MIGRANT_URBAN_PRIMARY)) {
        mark_migrant(&mut b.students[i], &mut b.meta[i]);
    }
    for i in 0..b.students.len() {
        let g = group(b, i);
        let rate = match g {
            Group::UrbanJunior => 90,
            Group::KgPublic | Group::KgInclusive | Group::KgNonInclusive if b.plans[b.meta[i].school].township == 0 => {
                80
            }
            _ => 0,
        };
        if rate > 0 && !b.meta[i].poor && b.meta[i].extra == Extra::None && rng.chance(rate, 1000) {
            mark_migrant(&mut b.students[i], &mut b.meta[i]);
        }
    }
    // Disability: every special-school student, then mainstream pupils.
    let three = [
        DisabilityKind::Intellectual,
        DisabilityKind::HearingSpeech,
        DisabilityKind::Visual,
    ];
    let others = [
        DisabilityKind::Physical,
        DisabilityKind::Multiple,
        DisabilityKind::Mental,
    ];
    let sept = ymd(2016, 9, 1);
    for i in 0..b.students.len() {
        if group(b, i) == Group::Special {
            let k = if rng.chance(88, 100) {
                three[rng.index(3)]
            } else {
                others[rng.index(3)]
            };
            b.students[i].disability = Some(k);
        }
    }
    let counted = |s: &Student| {
        s.disability.is_some_and(DisabilityKind::is_three_kinds)
            && (6..=14).contains(&s.age_on(sept))
            && s.in_school_on(sept)
    };
    let have = clamped::<_, u64>(b.students.iter().filter(|s| counted(s)).count());
    let need = clamped::<_, usize>(f::DISABLED_IN_SCHOOL.saturating_sub(have));
    let mut v: Vec<usize> = (0..b.students.len())
        .filter(|i| {
            let s = &b.students[*i];
            s.stage.is_compulsory()
                && s.status.is_in_school()
                && (6..=14).contains(&s.age_on(sept))
                && group(b, *i) != Group::Special
        })
        .collect();
    rng.shuffle(&mut v);
    let mut it = v.into_iter();
    for i in it.by_ref().take(need) {
        b.students[i].disability = Some(three[rng.index(3)]);
    }
    // Mainstream pupils with other kinds of disability.
    for i in it.by_ref().take(45) {
        b.students[i].disability = Some(others[rng.index(2)]);
    }
    // A few older junior students of the three kinds (aged 15 and over).
    let mut older: Vec<usize> = (0..b.students.len())
        .filter(|i| {
            let s = &b.students[*i];
            s.stage == Stage::Junior && s.status.is_in_school() && s.age_on(sept) >= 15 && s.disability.is_none()
        })
        .collect();
    rng.shuffle(&mut older);
    for i in older.into_iter().take(4) {
        b.students[i].disability = Some(three[rng.index(3)]);
    }
}

/// Records of students who dropped out or transferred out in the summer of
/// 2016, before school year 2016-17 began: kept in the register (控辍保学
/// 台账), in school on neither reference date.
pub(super) fn add_earlier_leavers(rng: &mut SplitMix64, b: &mut Build) -> Result<(), Error> {
    let candidates: Vec<usize> = (0..b.plans.len())
        .filter(|i| {
            matches!(
                b.plans[*i].group,
                Group::Central
                    | Group::RuralJunior
                    | Group::NineYear
                    | Group::Village
                    | Group::UrbanJunior
                    | Group::Senior
            )
        })
        .collect();
    for k in 0..36u64 {
        let Some(&p) = rng.pick(&candidates) else {
            break;
        };
        let plan = &b.plans[p];
        let Some((stage, grades)) = plan.enrol.first() else {
            continue;
        };
        let stage = *stage;
        let grade = clamped::<_, u8>(rng.index(grades.len()) + 1);
        let (birth, _, _) = dates_for(rng, plan.group, stage, grade);
        // A year older than this year's pupils of the grade: they were in it
        // in 2015-16.
        let birth = birth.checked_sub_days(Days::new(365)).unwrap_or(birth);
        let status = if k % 3 == 0 {
            EnrolmentStatus::TransferredOut
        } else {
            EnrolmentStatus::DroppedOut
        };
        let male = rng.chance(55, 100);
        b.students.push(Student {
            id: StudentId::new(format!("G{:09}", b.students.len() + 1))?,
            name: String::new(),
            sex: if male { Sex::Male } else { Sex::Female },
            birth_date: birth,
            school_id: plan.school.id.clone(),
            stage,
            grade,
            boarder: false,
            disability: None,
            migrant: false,
            left_behind: plan.township != 0 && rng.chance(2, 5),
            hukou: Hukou::Rural,
            agricultural_major: false,
            household_id: None,
            status,
            status_since: plus_days(ymd(2016, 6, 15), rng.below(72)),
            helper: None,
        });
        b.meta.push(Meta {
            school: p,
            poor: false,
            extra: Extra::None,
            home: plan.township,
            household: None,
        });
    }
    Ok(())
}

pub(super) fn mark_migrant(s: &mut Student, m: &mut Meta) {
    s.migrant = true;
    s.left_behind = false;
    s.hukou = Hukou::Rural;
    m.home = 0;
}
