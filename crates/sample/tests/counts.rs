//! The grade counts: retention, agreement with the roster, the stock
//! identity, and the 2017-18 nutrition-plan students.

use std::collections::BTreeMap;

use eduaid_model::{GradeCount, Locality, SchoolYear, Stage};
use eduaid_sample::figures as f;

use crate::common::*;

fn rows(year: i32, stage: Stage, grade: u8) -> impl Iterator<Item = &'static GradeCount> {
    let y = SchoolYear::new(year).unwrap();
    sample()
        .counts
        .grades
        .iter()
        .filter(move |g| g.year == y && g.stage == stage && g.grade == grade)
}

/// graduates ÷ (intake + transfers in − transfers out along the diagonal).
fn retention(stage: Stage, last: u8, graduation_year: i32) -> (u64, u64) {
    let first = graduation_year - i32::from(last) + 1;
    let graduates: u64 = rows(graduation_year, stage, last).map(|g| g.graduates).sum();
    let intake: u64 = rows(first, stage, 1).map(|g| g.new_entrants).sum();
    let mut tin = 0u64;
    let mut tout = 0u64;
    for k in 0..last {
        for g in rows(first + i32::from(k), stage, k + 1) {
            tin += g.transfers_in;
            tout += g.transfers_out;
        }
    }
    (graduates, intake + tin - tout)
}

#[test]
fn primary_six_year_retention_is_100_percent() {
    for (year, target) in f::PRIMARY_RETENTION {
        let (g, d) = retention(Stage::Primary, 6, year);
        assert!(g > 5000, "{year}: {g} graduates");
        assert_eq!(g, d, "{year}");
        assert_eq!(basis_points(g, d), target);
    }
}

#[test]
fn junior_three_year_retention() {
    let mut got = Vec::new();
    for (year, target) in f::JUNIOR_RETENTION {
        let (g, d) = retention(Stage::Junior, 3, year);
        assert!(g > 5000, "{year}: {g} graduates");
        got.push((year, basis_points(g, d)));
        assert_eq!(basis_points(g, d), target, "{year}: {g}/{d}");
    }
    assert_eq!(got, vec![(2014, 9886), (2015, 9881), (2016, 9889)]);
}

#[test]
fn years_2009_to_2018() {
    let years: Vec<i32> = sample().counts.years().iter().map(|y| y.start_year()).collect();
    assert_eq!(years, (2009..=2018).collect::<Vec<_>>());
}

#[test]
fn counts_2016_agree_with_the_roster() {
    let y = SchoolYear::new(2016).unwrap();
    let mut counted: BTreeMap<(String, Stage, u8), u64> = BTreeMap::new();
    for g in sample().counts.grades.iter().filter(|g| g.year == y) {
        *counted.entry((g.school_id.to_string(), g.stage, g.grade)).or_default() += g.enrolled;
    }
    let mut roster: BTreeMap<(String, Stage, u8), u64> = BTreeMap::new();
    for s in in_school(spring()) {
        *roster.entry((s.school_id.to_string(), s.stage, s.grade)).or_default() += 1;
    }
    counted.retain(|_, n| *n > 0);
    assert_eq!(counted, roster);
    let by_stage = |stage| {
        sample()
            .counts
            .grades
            .iter()
            .filter(|g| g.year == y && g.stage == stage)
            .map(|g| g.enrolled)
            .sum::<u64>()
    };
    assert_eq!(by_stage(Stage::Preschool), f::PRESCHOOL);
    assert_eq!(by_stage(Stage::Primary), f::PRIMARY);
    assert_eq!(by_stage(Stage::Junior), f::JUNIOR);
    assert_eq!(
        by_stage(Stage::Senior) + by_stage(Stage::Vocational),
        f::SENIOR_SECONDARY
    );
    let poor = |stage| {
        sample()
            .counts
            .grades
            .iter()
            .filter(|g| g.year == y && g.stage == stage && g.poverty == eduaid_model::PovertyGroup::RegisteredPoor)
            .map(|g| g.enrolled)
            .sum::<u64>()
    };
    assert_eq!((poor(Stage::Primary), poor(Stage::Junior)), (8063, 4327));
}

#[test]
fn rural_compulsory_students_2017_18() {
    let y = SchoolYear::new(2017).unwrap();
    let n: u64 = sample()
        .counts
        .grades
        .iter()
        .filter(|g| g.year == y && g.locality == Locality::Rural && g.stage.is_compulsory())
        .map(|g| g.enrolled)
        .sum();
    assert_eq!(n, 60_526);
    // The same through the schools in the nutrition plan on 2017-09-01.
    let plan: std::collections::HashSet<_> = sample()
        .roster
        .schools()
        .filter(|s| s.in_nutrition_plan_on(d("2017-09-01")))
        .map(|s| s.id.clone())
        .collect();
    let m: u64 = sample()
        .counts
        .grades
        .iter()
        .filter(|g| g.year == y && plan.contains(&g.school_id))
        .map(|g| g.enrolled)
        .sum();
    assert_eq!(m, 60_526);
}

#[test]
fn stock_identity_holds_in_every_cell() {
    // enrolled(y+1, g+1) = enrolled(y, g) + in − out − dropouts − deaths,
    // summed per school, stage, sex and poverty group.
    type Key = (String, Stage, eduaid_model::Sex, eduaid_model::PovertyGroup, i32, u8);
    let mut cells: BTreeMap<Key, &GradeCount> = BTreeMap::new();
    for g in &sample().counts.grades {
        cells.insert(
            (
                g.school_id.to_string(),
                g.stage,
                g.sex,
                g.poverty,
                g.year.start_year(),
                g.grade,
            ),
            g,
        );
    }
    let mut checked = 0;
    for ((school, stage, sex, pov, year, grade), g) in &cells {
        g.validate().unwrap();
        let stay = cells
            .get(&(school.clone(), *stage, *sex, *pov, year + 1, *grade))
            .map_or(0, |n| n.repeaters);
        let out = g.enrolled + g.transfers_in - g.transfers_out - g.dropouts - g.deaths - stay;
        let next = cells.get(&(school.clone(), *stage, *sex, *pov, year + 1, grade + 1));
        if let Some(n) = next {
            assert_eq!(n.enrolled - n.repeaters, out, "{school} {stage} {year} grade {grade}");
            checked += 1;
        }
        assert_eq!(g.new_entrants, if *grade == 1 { g.enrolled - g.repeaters } else { 0 });
        if g.graduates > 0 {
            assert_eq!(g.graduates, out);
        }
    }
    assert!(checked > 30_000, "{checked}");
    assert!(sample().counts.grades.iter().any(|g| g.dropouts > 0));
    assert!(sample().counts.grades.iter().any(|g| g.deaths > 0));
    assert!(
        sample()
            .counts
            .grades
            .iter()
            .any(|g| g.repeaters > 0 && g.stage.is_compulsory())
    );
    // Nobody repeats in the roster's year.
    let y2016 = SchoolYear::new(2016).unwrap();
    assert!(
        sample()
            .counts
            .grades
            .iter()
            .filter(|g| g.year == y2016)
            .all(|g| g.repeaters == 0)
    );
}

#[test]
fn population_gives_plausible_enrolment_ratios() {
    let y = SchoolYear::new(2016).unwrap();
    let pop = |ages: std::ops::RangeInclusive<u8>| {
        sample()
            .counts
            .population
            .iter()
            .filter(|p| p.year == y && ages.contains(&p.age))
            .map(|p| p.count)
            .sum::<u64>()
    };
    let ger = |n: u64, ages| n * 1000 / pop(ages);
    let primary = ger(f::PRIMARY, 6..=11);
    let junior = ger(f::JUNIOR, 12..=14);
    let senior = ger(f::SENIOR_SECONDARY, 15..=17);
    let preschool = ger(f::PRESCHOOL, 3..=5);
    assert!((1000..=1080).contains(&primary), "{primary}");
    assert!((980..=1050).contains(&junior), "{junior}");
    assert!((850..=920).contains(&senior), "{senior}");
    assert!((800..=880).contains(&preschool), "{preschool}");
    let towns: std::collections::BTreeSet<_> = sample().counts.population.iter().map(|p| p.township.as_str()).collect();
    assert_eq!(towns.len(), 19);
}

#[test]
fn teachers_for_every_school() {
    let y = SchoolYear::new(2016).unwrap();
    for s in sample().roster.schools() {
        assert!(
            sample()
                .counts
                .teachers
                .iter()
                .any(|t| t.year == y && t.school_id == s.id && t.teachers > 0),
            "{}",
            s.name
        );
    }
}
