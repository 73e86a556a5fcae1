//! Step 3: one student per enrolment place, with the registered-poor cells
//! apportioned exactly, then the other statuses the contract allows.

use super::*;
use crate::convert::clamped;

pub(super) fn stage_base_age(stage: Stage) -> u64 {
    match stage {
        Stage::Preschool => 3,
        Stage::Primary => 6,
        Stage::Junior => 12,
        Stage::Senior | Stage::Vocational => 15,
        Stage::Tertiary | Stage::Postgraduate => 18,
    }
}

/// A birth date for age `age` on 2016-09-01.
pub(super) fn birth_for_age(rng: &mut SplitMix64, age: u64) -> NaiveDate {
    let year = 2016 - clamped::<_, i32>(age) - 1;
    plus_days(ymd(year, 9, 2), rng.below(365))
}

pub(super) fn entry_date(grade: u8) -> NaiveDate {
    ymd(2016 - i32::from(grade) + 1, 9, 1)
}

/// Step 3a: one student per enrolment place, with the registered-poor
/// cells apportioned exactly per stage.
pub(super) fn make_students(rng: &mut SplitMix64, plans: &[Plan]) -> Result<(Vec<Student>, Vec<Meta>), Error> {
    let poor_cells = poor_cells(rng, plans);
    let mut students = Vec::new();
    let mut meta = Vec::new();
    for (i, p) in plans.iter().enumerate() {
        for (stage, grades) in &p.enrol {
            for (g0, n) in grades.iter().enumerate() {
                let grade = clamped::<_, u8>(g0 + 1);
                let poor = poor_cells.get(&(i, *stage, grade)).copied().unwrap_or(0).min(*n);
                let (males, poor_males) = split_by_sex(rng, *n, poor);
                for k in 0..*n {
                    let male = k < males;
                    let is_poor = if male {
                        k < poor_males
                    } else {
                        k - males < poor - poor_males
                    };
                    let cell = Cell {
                        plan: i,
                        stage: *stage,
                        grade,
                    };
                    let (s, m) = new_student(rng, plans, cell, male, is_poor, students.len() + 1)?;
                    students.push(s);
                    meta.push(m);
                }
            }
        }
    }
    Ok((students, meta))
}

/// Registered-poor counts per (plan, stage, grade) cell: each stage's
/// contract total apportioned over its cells by enrolment and the group's
/// poverty rate; the vocational school's by grade.
fn poor_cells(rng: &mut SplitMix64, plans: &[Plan]) -> std::collections::HashMap<(usize, Stage, u8), u64> {
    let targets = [
        (Stage::Preschool, f::POOR_PRESCHOOL),
        (Stage::Primary, f::POOR_PRIMARY),
        (Stage::Junior, f::POOR_JUNIOR),
        (
            Stage::Senior,
            f::SENIOR_GRANT_SECOND_TIER - clamped::<_, u64>(SENIOR_DIBAO + SENIOR_HARDSHIP),
        ),
    ];
    let mut poor_cells: std::collections::HashMap<(usize, Stage, u8), u64> = std::collections::HashMap::new();
    for (stage, total) in targets {
        let mut cells = Vec::new();
        for (i, p) in plans.iter().enumerate() {
            for (s, grades) in &p.enrol {
                if *s == stage {
                    for (g, n) in grades.iter().enumerate() {
                        cells.push((i, clamped::<_, u8>(g + 1), *n, p.group.poor_rate()));
                    }
                }
            }
        }
        let weights: Vec<u64> = cells.iter().map(|c| c.2 * c.3 * rng.range(80, 120)).collect();
        let caps: Vec<u64> = cells.iter().map(|c| if c.3 == 0 { 0 } else { c.2 }).collect();
        for (c, n) in cells.iter().zip(apportion_capped(total, &weights, &caps)) {
            poor_cells.insert((c.0, stage, c.1), n);
        }
    }
    // Vocational: 478 registered poor over the grades.
    for i in idx(plans, |p| p.group == Group::Vocational) {
        for (g, n) in VOCATIONAL_POOR {
            poor_cells.insert((i, Stage::Vocational, g), n);
        }
    }
    poor_cells
}

/// The boys of a cell of `n` students, and the registered-poor boys among
/// its `poor`: (males, poor males).
fn split_by_sex(rng: &mut SplitMix64, n: u64, poor: u64) -> (u64, u64) {
    let males = rng.share(n, 520).min(n);
    let mut poor_males = (poor * males + rng.below(n)).checked_div(n).unwrap_or(0);
    poor_males = poor_males.min(poor).min(males);
    if poor - poor_males > n - males {
        poor_males = poor - (n - males);
    }
    (males, poor_males)
}

/// One cell of the enrolment: a school's plan, a stage and a grade.
#[derive(Debug, Clone, Copy)]
struct Cell {
    plan: usize,
    stage: Stage,
    grade: u8,
}

/// The `number`th student, of `cell`: dates, home, hukou, left-behind,
/// boarding and major drawn for a boy or girl, registered poor or not.
fn new_student(
    rng: &mut SplitMix64,
    plans: &[Plan],
    cell: Cell,
    male: bool,
    is_poor: bool,
    number: usize,
) -> Result<(Student, Meta), Error> {
    let Cell { plan: i, stage, grade } = cell;
    let p = &plans[i];
    let (birth, since, status) = dates_for(rng, p.group, stage, grade);
    let id = StudentId::new(format!("G{number:09}"))?;
    let home = home_township(rng, p);
    let urban_school = p.township == 0;
    let hukou = if !urban_school || is_poor || rng.chance(45, 100) {
        Hukou::Rural
    } else {
        Hukou::Urban
    };
    let rural_child = !urban_school && stage != Stage::Senior && stage != Stage::Vocational;
    let left_behind = rural_child && rng.chance(if is_poor { 420 } else { 320 }, 1000);
    let student = Student {
        id,
        name: String::new(),
        sex: if male { Sex::Male } else { Sex::Female },
        birth_date: birth,
        school_id: p.school.id.clone(),
        stage,
        grade,
        boarder: rng.chance(p.group.boarders(stage, grade), 1000),
        disability: None,
        migrant: false,
        left_behind,
        hukou,
        agricultural_major: stage == Stage::Vocational && is_poor && rng.chance(2, 5),
        household_id: None,
        status,
        status_since: since,
        helper: None,
    };
    let meta = Meta {
        school: i,
        poor: is_poor,
        extra: Extra::None,
        home,
        household: None,
    };
    Ok((student, meta))
}

pub(super) fn home_township(rng: &mut SplitMix64, p: &Plan) -> usize {
    let anywhere = |rng: &mut SplitMix64, urban_percent: u64| {
        if rng.chance(urban_percent, 100) {
            0
        } else {
            1 + rng.index(TOWNSHIPS.len())
        }
    };
    match p.group {
        Group::Senior | Group::Vocational if p.township == 0 => anywhere(rng, 30),
        Group::Special => anywhere(rng, 20),
        Group::UrbanJunior => anywhere(rng, 65),
        _ => p.township,
    }
}

/// Birth date, status date and status of a new student: most enrolled
/// since the stage began, a few transferred in since.
pub(super) fn dates_for(
    rng: &mut SplitMix64,
    group: Group,
    stage: Stage,
    grade: u8,
) -> (NaiveDate, NaiveDate, EnrolmentStatus) {
    let mut age = stage_base_age(stage) + u64::from(grade) - 1;
    if group == Group::Special {
        age += rng.range(1, 2);
    } else if rng.chance(6, 100) {
        age += 1;
    }
    let birth = birth_for_age(rng, age);
    let entry = entry_date(grade);
    let compulsory = stage.is_compulsory();
    if compulsory && grade > 1 && rng.chance(25, 1000) {
        // Transferred in during an earlier year of the stage.
        let span = clamped::<_, u64>((ymd(2016, 8, 31) - entry).num_days());
        let since = plus_days(entry, rng.below(span.max(1)));
        return (birth, since.max(plus_days(birth, 1)), EnrolmentStatus::TransferredIn);
    }
    (birth, entry.max(plus_days(birth, 1)), EnrolmentStatus::Enrolled)
}

/// Step 3b: statuses other than the registered-poor cells.
pub(super) fn assign_extras(rng: &mut SplitMix64, b: &mut Build) {
    let pick = |rng: &mut SplitMix64, b: &Build, pred: &dyn Fn(usize) -> bool| -> Vec<usize> {
        let mut v: Vec<usize> = (0..b.students.len()).filter(|i| pred(*i)).collect();
        rng.shuffle(&mut v);
        v
    };
    // Seniors: 705 dibao + 730 hardship (second tier with the 3612 poor),
    // 6 orphans, 4 de facto unsupported and 4 destitute (first tier).
    let seniors = pick(rng, b, &|i| b.students[i].stage == Stage::Senior && !b.meta[i].poor);
    let plan = [
        (Extra::Dibao, SENIOR_DIBAO),
        (Extra::Hardship, SENIOR_HARDSHIP),
        (Extra::Orphan, 6),
        (Extra::DeFacto, 4),
        (Extra::Destitute, 4),
    ];
    let mut it = seniors.into_iter();
    for (extra, n) in plan {
        for i in it.by_ref().take(n) {
            b.meta[i].extra = extra;
        }
    }
    // Vocational grades 1-2: 52 dibao, 67 hardship and 150 agricultural
    // majors without status join the 330 registered poor for 599 grants.
    let voc12 = pick(rng, b, &|i| {
        let s = &b.students[i];
        s.stage == Stage::Vocational && s.grade <= 2 && !b.meta[i].poor
    });
    let mut it = voc12.into_iter();
    for i in it.by_ref().take(VOCATIONAL_DIBAO) {
        b.meta[i].extra = Extra::Dibao;
    }
    for i in it.by_ref().take(VOCATIONAL_HARDSHIP) {
        b.meta[i].extra = Extra::Hardship;
    }
    for i in it.by_ref().take(VOCATIONAL_AGRICULTURAL) {
        b.students[i].agricultural_major = true;
    }
    // Grade 3: 40 in hardship, a third in agricultural majors (no grant).
    let voc3 = pick(rng, b, &|i| {
        let s = &b.students[i];
        s.stage == Stage::Vocational && s.grade == 3 && !b.meta[i].poor
    });
    for (k, i) in voc3.into_iter().enumerate() {
        if k < 40 {
            b.meta[i].extra = Extra::Hardship;
        } else if k % 3 == 0 {
            b.students[i].agricultural_major = true;
        }
    }
    // Compulsory: a few registered after the reference date, and a few who
    // exited poverty before it; neither is poor on 2017-03-01.
    for (stage, late, exited) in [(Stage::Primary, 4usize, 28usize), (Stage::Junior, 3, 17)] {
        let v = pick(rng, b, &|i| {
            b.students[i].stage == stage
                && !b.meta[i].poor
                && b.plans[b.meta[i].school].township != 0
                && b.plans[b.meta[i].school].group != Group::Special
        });
        let mut it = v.into_iter();
        for i in it.by_ref().take(late) {
            b.meta[i].extra = Extra::LateRegistered;
        }
        for i in it.by_ref().take(exited) {
            b.meta[i].extra = Extra::Exited;
        }
    }
}
