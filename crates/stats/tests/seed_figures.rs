//! The seed report's statistics, reproduced from hand-built counts and a
//! hand-built roster of the same sizes (the sample county's own run is in
//! the workspace's `tests/seed_stats.rs`).

use chrono::NaiveDate;
use eduaid_model::rate::*;
use eduaid_model::{
    Counts, DisabilityKind, DisabledChildrenCount, EnrolmentStatus, Hukou, Locality, MemoryRoster, Ownership,
    PovertyGroup, Rounding, SchoolId, Sex, Stage, Student, StudentId,
};
use eduaid_stats::series::*;
use eduaid_stats::source::*;
use eduaid_stats::*;

use crate::common::{cell, even_sizes, school_with_classes, y};

/// Junior cohorts split over two schools, both sexes and both poverty
/// groups; the county totals are the seed's.
fn junior_counts() -> Vec<eduaid_model::GradeCount> {
    // (intake year, [intake, tin, tout, graduates] per part); parts sum to
    // 1750/12/5/1737, 1670/15/5/1660, 1790/12/2/1780.
    let cohorts: [(i32, [[u64; 4]; 4]); 3] = [
        (
            2012,
            [[400, 3, 1, 397], [450, 3, 1, 446], [500, 3, 2, 496], [400, 3, 1, 398]],
        ),
        (
            2013,
            [[420, 4, 1, 418], [410, 4, 2, 406], [440, 4, 1, 437], [400, 3, 1, 399]],
        ),
        (
            2014,
            [[450, 3, 0, 448], [440, 3, 1, 437], [460, 3, 1, 456], [440, 3, 0, 439]],
        ),
    ];
    let mut v = Vec::new();
    for (start, parts) in cohorts {
        for (i, [intake, tin, tout, grads]) in parts.into_iter().enumerate() {
            for k in 0..3u8 {
                let mut c = cell(start + i32::from(k), Stage::Junior, k + 1, intake);
                c.school_id = SchoolId::new(if i < 2 { "J1" } else { "J2" }).unwrap();
                c.township = if i < 2 { "城关镇" } else { "甲镇" }.into();
                c.locality = if i < 2 { Locality::Urban } else { Locality::Rural };
                c.sex = if i % 2 == 0 { Sex::Female } else { Sex::Male };
                c.poverty = if i == 3 {
                    PovertyGroup::RegisteredPoor
                } else {
                    PovertyGroup::Other
                };
                c.new_entrants = if k == 0 { intake } else { 0 };
                // All transfers in the middle year, to test the diagonal.
                if k == 1 {
                    c.transfers_in = tin;
                    c.transfers_out = tout;
                }
                c.graduates = if k == 2 { grads } else { 0 };
                v.push(c);
            }
        }
    }
    v
}

#[test]
fn junior_three_year_retention_98_86_98_81_98_89() {
    let counts = junior_counts();
    let series = retention_series(
        &counts,
        RetentionKind::JuniorThreeYear,
        RetentionOptions::transfer_adjusted(),
    )
    .unwrap();
    let shown: Vec<(i32, String)> = series
        .points
        .iter()
        .map(|(yr, r)| (yr.start_year(), r.rate.format_percent(2)))
        .collect();
    assert_eq!(
        shown,
        [
            (2014, "98.86%".to_string()),
            (2015, "98.81%".to_string()),
            (2016, "98.89%".to_string())
        ]
    );
    let r2016 = series.get(y(2016)).unwrap();
    assert_eq!(r2016.rate.ratio, Ratio::new(1780, 1800));
    // The provincial standard: met, by 3.89 points.
    let check = Target::at_least("初中三年巩固率", 95.into()).check(&r2016.rate);
    assert_eq!(check.met, Some(true));
    assert_eq!(check.format_margin(2, Rounding::HalfUp), "+3.89");
    // Broken down: each group's counts summed, the totals account for all.
    let b = breakdown(&counts, Dimension::Poverty, |s| {
        Ok(retention(
            s,
            RetentionKind::JuniorThreeYear,
            y(2016),
            RetentionOptions::transfer_adjusted(),
        )?
        .rate)
    })
    .unwrap();
    let (n, d) = b
        .groups
        .iter()
        .fold((0, 0), |(n, d), (_, r)| (n + r.numerator(), d + r.denominator()));
    assert_eq!((n, d), (1780, 1800));
    assert_eq!(b.groups[0].0, GroupKey::Poverty(PovertyGroup::RegisteredPoor));
    assert_eq!(b.groups[0].1.ratio, Ratio::new(439, 443));
}

#[test]
fn primary_six_year_retention_100_percent() {
    let mut v = Vec::new();
    for (start, intake, tin, tout) in [
        (2009, 9300u64, 30u64, 12u64),
        (2010, 9400, 24, 18),
        (2011, 9500, 12, 12),
    ] {
        for k in 0..6u8 {
            let mut c = cell(start + i32::from(k), Stage::Primary, k + 1, intake);
            c.new_entrants = if k == 0 { intake } else { 0 };
            c.transfers_in = if k == 2 { tin } else { 0 };
            c.transfers_out = if k == 4 { tout } else { 0 };
            c.graduates = if k == 5 { intake + tin - tout } else { 0 };
            v.push(c);
        }
    }
    let s = retention_series(&v, RetentionKind::PrimarySixYear, RetentionOptions::transfer_adjusted()).unwrap();
    assert_eq!(s.years(), vec![y(2014), y(2015), y(2016)]);
    for (_, r) in &s.points {
        assert_eq!(r.rate.format_percent(0), "100%");
        assert!(!r.rate.exceeds_hundred());
    }
}

#[test]
fn disabled_enrolment_99_3_and_the_printed_99_4_is_a_double_rounding() {
    let kinds = [
        DisabilityKind::Visual,
        DisabilityKind::HearingSpeech,
        DisabilityKind::Intellectual,
    ];
    // 307 children aged 6–14 of the three kinds in 27 cells: 26 of 11, all
    // in school, and one of 21 with 19 in school; then a physical
    // disability, outside the indicator.
    let mut disabled = Vec::new();
    for age in 6..=14u8 {
        for kind in kinds {
            let last = age == 14 && kind == DisabilityKind::Intellectual;
            disabled.push(DisabledChildrenCount {
                year: y(2016),
                township: if age % 2 == 0 { "城关镇" } else { "甲镇" }.into(),
                kind,
                age,
                sex: Sex::Female,
                total: if last { 21 } else { 11 },
                in_school: if last { 19 } else { 11 },
            });
        }
    }
    disabled.push(DisabledChildrenCount {
        year: y(2016),
        township: "城关镇".into(),
        kind: DisabilityKind::Physical,
        age: 10,
        sex: Sex::Male,
        total: 40,
        in_school: 30,
    });
    let counts = Counts {
        disabled,
        ..Counts::default()
    };
    let r = disabled_enrolment_rate(&counts, y(2016), 6..=14, true).unwrap();
    assert_eq!(r.ratio, Ratio::new(305, 307));
    assert_eq!(r.format_percent(1), "99.3%");
    let verdict = check_printed(r.numerator(), r.denominator(), "99.4%", Rounding::HalfUp).unwrap();
    assert_eq!(
        verdict,
        PrintedCheck::DoubleRounding {
            correct: "99.3".parse().unwrap(),
            steps: vec!["99.35".parse().unwrap(), "99.4".parse().unwrap()],
        }
    );
    let province = Target::at_least("三类残疾儿童少年入学率", 80.into());
    assert_eq!(province.check(&r).met, Some(true));
}

fn pupil(id: usize, school: &str, migrant: bool) -> Student {
    Student {
        id: StudentId::new(format!("P{id:05}")).unwrap(),
        name: "学生".into(),
        sex: if id % 2 == 0 { Sex::Female } else { Sex::Male },
        birth_date: NaiveDate::from_ymd_opt(2008, 3, 1).unwrap(),
        school_id: SchoolId::new(school).unwrap(),
        stage: if school == "UJ" { Stage::Junior } else { Stage::Primary },
        grade: 2,
        boarder: false,
        disability: None,
        migrant,
        left_behind: false,
        hukou: Hukou::Urban,
        agricultural_major: false,
        household_id: None,
        status: EnrolmentStatus::Enrolled,
        status_since: NaiveDate::from_ymd_opt(2015, 9, 1).unwrap(),
        helper: None,
    }
}

#[test]
fn migrant_share_18_49_of_the_urban_district() {
    let mut roster = MemoryRoster::new();
    let mut junior = school_with_classes("UJ", 2016, Ownership::Public, &[]);
    junior.kind = eduaid_model::SchoolKind::Junior;
    for s in [
        school_with_classes("U1", 2016, Ownership::Public, &[]),
        school_with_classes("U2", 2016, Ownership::Private, &[]),
        junior,
    ] {
        roster.add_school(s).unwrap();
    }
    // 8692 public + 188 private primary pupils, 1642 migrants; 500 urban
    // junior students (200 migrants) outside the denominator.
    for i in 0..8692 {
        roster.add_student(pupil(i, "U1", i < 1600)).unwrap();
    }
    for i in 0..188 {
        roster.add_student(pupil(10_000 + i, "U2", i < 42)).unwrap();
    }
    for i in 0..500 {
        roster.add_student(pupil(20_000 + i, "UJ", i < 200)).unwrap();
    }
    let filter = StudentFilter::stage(Stage::Primary).in_township("城关镇");
    let share = student_share(&roster, &filter, "2017-03-01".parse().unwrap(), StudentTrait::Migrant).unwrap();
    assert_eq!(share.ratio, Ratio::new(1642, 8880));
    assert_eq!(share.format_percent(2), "18.49%");
}

#[test]
fn urban_primary_classes_113_to_164() {
    let before = school_with_classes("U1", 2016, Ownership::Public, &even_sizes(8692, 113));
    // 2018-19: 28 first-year classes of 50 (the cap), 84 of 54, 52 of 53.
    let mut sizes = vec![50; 28];
    sizes.extend([54; 84]);
    sizes.extend([53; 52]);
    let mut after = school_with_classes("U1", 2018, Ownership::Public, &[]);
    after.classes = sizes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let grade = if i < 28 {
                1
            } else {
                u8::try_from(2 + (i - 28) % 5).unwrap()
            };
            eduaid_model::Class::new(y(2018), Stage::Primary, grade, *n).unwrap()
        })
        .collect();
    let mut school = before;
    school.classes.extend(after.classes);
    let filter = ClassFilter {
        stage: Some(Stage::Primary),
        locality: Some(Locality::Urban),
        ownership: Some(Ownership::Public),
        ..ClassFilter::default()
    };
    let series = class_size_series([&school], &filter);
    assert_eq!(series.years(), vec![y(2016), y(2018)]);
    let b = series.get(y(2016)).unwrap();
    assert_eq!((b.classes, b.pupils), (113, 8692));
    assert_eq!(b.average().format(1, Rounding::HalfUp), "76.9");
    assert_eq!(b.share_of_classes(SizeBand::SuperLarge).format_percent(0), "100%");
    let a = series.get(y(2018)).unwrap();
    assert_eq!((a.classes, a.pupils), (164, 8692));
    assert_eq!(a.average().format(1, Rounding::HalfUp), "53.0");
    assert_eq!(a.share_large_or_more().format_percent(0), "0%");
    assert_eq!(a.share_of_pupils(SizeBand::Normal).format_percent(1), "0.0%");
    let caps = [
        ClassCap {
            stage: Stage::Primary,
            grade: Some(1),
            max: 50,
            from: y(2017),
        },
        ClassCap {
            stage: Stage::Junior,
            grade: Some(1),
            max: 55,
            from: y(2017),
        },
    ];
    assert!(check_caps([&school], y(2018), &filter, &caps).is_empty());
    // Before the caps were in force nothing is checked; a first-year class
    // of 51 in 2018 breaches, class by class.
    assert!(check_caps([&school], y(2016), &filter, &caps).is_empty());
    school
        .classes
        .push(eduaid_model::Class::new(y(2018), Stage::Primary, 1, 51).unwrap());
    let breaches = check_caps([&school], y(2018), &filter, &caps);
    assert_eq!(breaches.len(), 1);
    assert_eq!(breaches[0].excess, 1);
}
