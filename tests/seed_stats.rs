//! The seed report's statistics reproduced from the sample county with the
//! statistics crate: retention over three years, the disabled children's
//! enrolment rate (and the seed's double rounding), the migrant share and
//! the urban primary class sizes before and after.

use std::sync::OnceLock;

use eduaid::model::rate::{Flag, PrintedCheck, Ratio};
use eduaid::model::{Locality, Ownership, Rounding, SchoolYear, Stage};
use eduaid::sample::SampleCounty;
use eduaid::stats::series::retention_series;
use eduaid::stats::{
    ClassCap, ClassFilter, RetentionKind, RetentionOptions, SizeBand, StudentFilter, StudentTrait, Target, check_caps,
    check_printed, class_size_series, disabled_enrolment_rate, retention, student_share,
};

/// The sample county, built once for the whole binary.
fn county() -> &'static SampleCounty {
    static COUNTY: OnceLock<SampleCounty> = OnceLock::new();
    COUNTY.get_or_init(eduaid::sample::county)
}

fn year(start: i32) -> SchoolYear {
    SchoolYear::new(start).unwrap_or_else(|e| unreachable!("{e}"))
}

#[test]
fn junior_three_year_retention() {
    let counts = &county().counts;
    let shown: Vec<String> = [2014, 2015, 2016]
        .into_iter()
        .map(|y| {
            let r = retention(
                counts,
                RetentionKind::JuniorThreeYear,
                year(y),
                RetentionOptions::transfer_adjusted(),
            )
            .unwrap();
            assert_eq!(r.rate.base_year, Some(year(y - 2)));
            assert!(
                r.rate.flags().iter().all(|f| *f == Flag::TransferAdjusted),
                "{:?}",
                r.rate.flags()
            );
            r.rate.format_percent(2)
        })
        .collect();
    assert_eq!(shown, ["98.86%", "98.81%", "98.89%"]);
    // The province's standard (≥ 95%) is met every year.
    let target = Target::at_least("初中三年巩固率", 95.into());
    let series = retention_series(
        counts,
        RetentionKind::JuniorThreeYear,
        RetentionOptions::transfer_adjusted(),
    )
    .unwrap();
    for y in [2014, 2015, 2016] {
        let r = series.get(year(y)).unwrap();
        assert_eq!(target.check(&r.rate).met, Some(true), "{y}");
    }
}

#[test]
fn primary_six_year_retention() {
    let counts = &county().counts;
    for y in [2014, 2015, 2016] {
        let r = retention(
            counts,
            RetentionKind::PrimarySixYear,
            year(y),
            RetentionOptions::transfer_adjusted(),
        )
        .unwrap();
        assert!(r.rate.has_value(), "{y}");
        assert!(!r.rate.exceeds_hundred(), "{y}: {}", r.rate);
        assert_eq!(r.rate.format_percent(0), "100%", "{y}: {}", r.rate);
        assert_eq!(r.rate.numerator(), r.rate.denominator(), "{y}: exactly 100%");
    }
}

#[test]
fn disabled_children_enrolment_and_the_double_rounding() {
    let r = disabled_enrolment_rate(&county().counts, year(2016), 6..=14, true).unwrap();
    assert_eq!(r.ratio, Ratio::new(305, 307));
    assert_eq!(r.format_percent(1), "99.3%");
    match check_printed(r.numerator(), r.denominator(), "99.4%", Rounding::HalfUp).unwrap() {
        PrintedCheck::DoubleRounding { correct, steps } => {
            assert_eq!(correct.to_string(), "99.3");
            assert_eq!(
                steps.iter().map(ToString::to_string).collect::<Vec<_>>(),
                ["99.35", "99.4"]
            );
        }
        other => panic!("99.4% should be a double rounding: {other:?}"),
    }
    let province = Target::at_least("三类残疾儿童少年入学率", 80.into());
    assert_eq!(province.check(&r).met, Some(true));
}

#[test]
fn migrant_share_of_the_urban_district() {
    let filter = StudentFilter::stage(Stage::Primary).in_township("城关镇");
    let on = "2017-03-01".parse().unwrap();
    let share = student_share(&county().roster, &filter, on, StudentTrait::Migrant).unwrap();
    assert_eq!(share.ratio, Ratio::new(1642, 8880));
    assert_eq!(share.format_percent(2), "18.49%");
}

#[test]
fn urban_primary_class_sizes_before_and_after() {
    let filter = ClassFilter {
        stage: Some(Stage::Primary),
        locality: Some(Locality::Urban),
        ownership: Some(Ownership::Public),
        ..ClassFilter::default()
    };
    let series = class_size_series(county().roster.schools(), &filter);
    let before = series.get(year(2016)).unwrap();
    assert_eq!((before.classes, before.pupils), (113, 8692));
    assert_eq!(before.average().format(1, Rounding::HalfUp), "76.9");
    assert!(before.share_large_or_more().percent(0, Rounding::HalfUp) > Some(50.into()));
    let after = series.get(year(2018)).unwrap();
    assert_eq!((after.classes, after.pupils), (164, 8692));
    assert_eq!(after.average().format(1, Rounding::HalfUp), "53.0");
    assert!(
        after
            .share_of_classes(SizeBand::SuperLarge)
            .percent(0, Rounding::HalfUp)
            < before
                .share_of_classes(SizeBand::SuperLarge)
                .percent(0, Rounding::HalfUp)
    );
    // From autumn 2017 first-year classes keep to the caps, class by class.
    let caps = [
        ClassCap {
            stage: Stage::Primary,
            grade: Some(1),
            max: 50,
            from: year(2017),
        },
        ClassCap {
            stage: Stage::Junior,
            grade: Some(1),
            max: 55,
            from: year(2017),
        },
    ];
    for y in [2017, 2018] {
        let breaches = check_caps(county().roster.schools(), year(y), &ClassFilter::default(), &caps);
        assert!(breaches.is_empty(), "{y}: {breaches:?}");
    }
}
