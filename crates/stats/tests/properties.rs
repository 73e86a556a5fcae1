//! Properties: aggregation, cohort bounds, the survival closed form, GB/T
//! 8170 rounding against a digit-by-digit oracle, and no panic or NaN on
//! any input.

use eduaid_model::rate::*;
use eduaid_model::{
    Class, Counts, Decimal, DisabilityKind, DisabledChildrenCount, GradeCount, Locality, Ownership, PopulationCount,
    PovertyGroup, Rounding, School, SchoolId, SchoolKind, SchoolYear, Sex, Stage, TeacherCount,
};
use eduaid_stats::source::*;
use eduaid_stats::*;
use proptest::prelude::*;

use crate::common::{cell, y};

fn arb_cell() -> impl Strategy<Value = GradeCount> {
    (0usize..3, any::<bool>(), any::<bool>(), 1u8..=3, 0u64..1000, 0u64..1000).prop_map(
        |(town, female, poor, grade, enrolled, dropouts)| {
            let mut c = cell(2016, Stage::Junior, grade, enrolled);
            c.township = ["城关镇", "甲镇", "乙乡"][town].into();
            c.school_id = SchoolId::new(format!("S{town}{}", grade % 2)).unwrap();
            c.locality = if town == 0 { Locality::Urban } else { Locality::Rural };
            c.sex = if female { Sex::Female } else { Sex::Male };
            c.poverty = if poor {
                PovertyGroup::RegisteredPoor
            } else {
                PovertyGroup::Other
            };
            c.dropouts = dropouts.min(enrolled);
            c
        },
    )
}

const DIMS: [Dimension; 5] = [
    Dimension::Township,
    Dimension::School,
    Dimension::Sex,
    Dimension::Poverty,
    Dimension::Locality,
];

proptest! {
    /// A rate of an aggregate is the ratio of its summed counts, and the
    /// groups of any breakdown account for every record.
    #[test]
    fn aggregate_rate_is_the_ratio_of_summed_counts(cells in prop::collection::vec(arb_cell(), 0..40)) {
        let n: u64 = cells.iter().map(|c| c.dropouts).sum();
        let d: u64 = cells.iter().map(|c| c.enrolled).sum();
        for dim in DIMS {
            let b = breakdown(&cells, dim, |s| Ok(dropout_rate(s, Stage::Junior, y(2016), DropoutForm::Definitional)?.rate)).unwrap();
            prop_assert_eq!(b.total.ratio, Ratio::of_counts(n, d));
            let (gn, gd) = b.groups.iter().fold((0i128, 0i128), |(a, b), (_, r)| (a + r.numerator(), b + r.denominator()));
            prop_assert_eq!((gn, gd), (i128::from(n), i128::from(d)));
            if d > 0 {
                prop_assert_eq!(b.total.percent(4, Rounding::HalfUp), Ratio::of_counts(n * 100, d).round(4, Rounding::HalfUp));
            }
        }
    }

    /// Graduates never exceed the transfer-adjusted cohort; the plain form
    /// exceeds 100% only when transfers in outnumber transfers out, and
    /// then it says so.
    #[test]
    fn retained_never_exceeds_the_cohort(
        intake in 0u64..2000,
        flows in prop::collection::vec((0u64..60, 0u64..60, 0u64..30), 3),
        grad_share in 0u64..=100,
    ) {
        let mut stock = intake;
        let mut v = Vec::new();
        let (mut tin, mut tout) = (0u64, 0u64);
        for (k, (i, o, dr)) in flows.iter().enumerate() {
            let grade = u8::try_from(k + 1).unwrap();
            let mut c = cell(2014 + i32::try_from(k).unwrap(), Stage::Junior, grade, stock);
            c.new_entrants = if k == 0 { intake } else { 0 };
            c.transfers_in = *i;
            c.transfers_out = (*o).min(stock + i);
            c.dropouts = (*dr).min(stock + i - c.transfers_out);
            stock = stock + i - c.transfers_out - c.dropouts;
            tin += c.transfers_in;
            tout += c.transfers_out;
            if k == 2 {
                c.graduates = stock * grad_share / 100;
            }
            v.push(c);
        }
        let adj = retention(&v, RetentionKind::JuniorThreeYear, y(2016), RetentionOptions::transfer_adjusted()).unwrap();
        prop_assert!(!adj.rate.exceeds_hundred());
        if intake == 0 {
            // No intake: not computable, whatever the transfers give.
            prop_assert!(!adj.rate.has_value());
            prop_assert!(matches!(adj.rate.flags()[..], [Flag::NotComputable(_)]));
        } else {
            prop_assert!(adj.rate.flags().contains(&Flag::TransferAdjusted));
        }
        let plain = retention(&v, RetentionKind::JuniorThreeYear, y(2016), RetentionOptions::plain()).unwrap();
        if plain.rate.exceeds_hundred() {
            prop_assert!(tin > tout);
            let over = Flag::OverHundred { capped: false };
            prop_assert!(plain.rate.flags().contains(&over));
        }
    }

    /// With unlimited repetition the survival rate is Π p/(1 − r); with at
    /// most m repetitions per grade, Π p(1 + r + … + r^m). Decimal division
    /// is exact to 28 digits, so a tolerance of 10⁻¹⁸ is the only slack.
    #[test]
    fn survival_matches_the_closed_forms(
        grades in prop::collection::vec((0u32..=1000, 0u32..=950), 1..7),
        m in 0u32..6,
    ) {
        let rates: Vec<(Decimal, Decimal)> = grades
            .iter()
            .map(|(p, r)| {
                let r = (*r).min(1000 - (*p).min(1000));
                (Decimal::new(i64::from(*p), 3), Decimal::new(i64::from(r.min(950)), 3))
            })
            .collect();
        let tol = Decimal::new(1, 18);
        let unlimited = reconstructed_cohort(&rates, &CohortOptions::default()).unwrap();
        let limited = reconstructed_cohort(&rates, &CohortOptions {
            repetition_limit: RepetitionLimit::PerGrade(m),
            ..CohortOptions::default()
        }).unwrap();
        let (mut open, mut finite) = (Decimal::ONE, Decimal::ONE);
        for (k, (p, r)) in rates.iter().enumerate() {
            let grade = u8::try_from(k + 1).unwrap();
            prop_assert!((unlimited.survival_to(grade).unwrap() - open).abs() < tol);
            prop_assert!((limited.survival_to(grade).unwrap() - finite).abs() < tol);
            prop_assert!(finite <= open + tol);
            open = open * *p / (Decimal::ONE - *r);
            let geometric = (0..=m).fold((Decimal::ZERO, Decimal::ONE), |(s, rj), _| (s + rj, rj * *r)).0;
            finite *= *p * geometric;
        }
        prop_assert!((unlimited.graduation_share().unwrap() - open).abs() < tol);
        prop_assert!((limited.graduation_share().unwrap() - finite).abs() < tol);
        // Every pupil graduates or drops out.
        prop_assert!((limited.graduates + limited.dropouts() - Decimal::from(1000)).abs() < tol * Decimal::from(1000));
    }

    /// Half-up and half-even rounding of decimal text, as GB/T 8170
    /// describes it, against a digit-by-digit oracle: look at the digits
    /// cut off; above half rounds up, below half down, exactly half up
    /// (四舍五入) or to the even digit (五成双); negatives by absolute value.
    #[test]
    fn rounding_of_decimal_strings(mantissa in -10_000_000_000i64..10_000_000_000, scale in 0u32..9, dp in 0u32..10) {
        let text = Decimal::new(mantissa, scale).to_string();
        for (rule, even) in [(Rounding::HalfUp, false), (Rounding::HalfEven, true)] {
            let got = round_str(&text, i32::try_from(dp).unwrap(), rule).unwrap();
            let want = oracle(mantissa, scale, dp, even);
            prop_assert_eq!(&got, &want, "{} at {} ({:?})", text, dp, rule);
        }
    }

    /// Nothing panics or yields NaN, whatever the counts: zeros, empties and
    /// the largest counts included.
    #[test]
    fn no_indicator_panics(
        cells in prop::collection::vec(arb_any_cell(), 0..12),
        pops in prop::collection::vec((0u8..20, big()), 0..6),
        kids in prop::collection::vec((0u8..20, big(), big()), 0..4),
        teachers in prop::collection::vec(big(), 0..3),
        sizes in prop::collection::vec(any::<u32>(), 0..8),
        num in any::<i128>(), den in any::<i128>(), dp in 0u32..40,
        printed in "\\PC{0,8}",
    ) {
        let counts = Counts {
            grades: cells,
            population: pops.into_iter().map(|(age, count)| PopulationCount {
                year: y(2016), township: "甲镇".into(), age, sex: Sex::Male, count,
            }).collect(),
            disabled: kids.into_iter().map(|(age, total, in_school)| DisabledChildrenCount {
                year: y(2016), township: "甲镇".into(), kind: DisabilityKind::Visual, age, sex: Sex::Female,
                total, in_school,
            }).collect(),
            teachers: teachers.into_iter().map(|t| TeacherCount {
                year: y(2016), school_id: SchoolId::new("S1").unwrap(), stage: Stage::Primary, teachers: t,
            }).collect(),
        };
        let mut shown: Vec<String> = Vec::new();
        let mut rates: Vec<Rate> = Vec::new();
        for year in [2014, 2015, 2016, 2017] {
            for kind in [RetentionKind::PrimarySixYear, RetentionKind::JuniorThreeYear, RetentionKind::CompulsoryNineYear] {
                for opts in all_retention_options() {
                    rates.push(retention(&counts, kind, y(year), opts).unwrap().rate);
                }
            }
            for stage in [Stage::Primary, Stage::Junior] {
                for form in [DropoutForm::Definitional, DropoutForm::Aggregate] {
                    rates.push(dropout_rate(&counts, stage, y(year), form).unwrap().rate);
                }
                for f in flow_rates(&counts, stage, 6, y(year)).unwrap() {
                    rates.extend([f.promotion.clone(), f.repetition.clone(), f.dropout.clone()]);
                    shown.push(f.effective_promotion().format(2, Rounding::HalfUp));
                }
                for opts in [CohortOptions::default(), CohortOptions { repetition_limit: RepetitionLimit::PerPupil(3), ..CohortOptions::default() }] {
                    if let Ok((_, c)) = reconstructed_cohort_from_counts(&counts, stage, 6, y(year), &opts) {
                        shown.extend([c.coefficient_of_efficiency(), c.years_input_per_graduate(), c.survival_to(6)].iter().map(|v| format!("{v:?}")));
                    }
                }
                shown.push(pupil_teacher_ratio(&counts, y(year), stage).unwrap().format(1, Rounding::HalfUp));
            }
            rates.push(transition_rate(&counts, Stage::Primary, 6, Stage::Junior, y(year), TransitionForm::Effective).unwrap());
            rates.push(gross_enrolment_ratio(&counts, y(year), &[Stage::Primary], 6..=11).unwrap());
            rates.push(disabled_enrolment_rate(&counts, y(year), 6..=14, true).unwrap());
            rates.push(registered_poor_share(&counts, y(year), &[Stage::Primary, Stage::Junior]).unwrap());
        }
        for kind in [ParityKind::Gender, ParityKind::Poverty, ParityKind::Location] {
            shown.push(parity(&counts, kind, |s| Ok(dropout_rate(s, Stage::Junior, y(2016), DropoutForm::Aggregate)?.rate)).unwrap().to_string());
        }
        let mut school = School::new(SchoolId::new("S1").unwrap(), "一小", SchoolKind::Primary, Ownership::Public, "甲镇", Locality::Rural);
        school.classes = sizes.iter().map(|n| Class { year: y(2016), stage: Stage::Primary, grade: 1, size: *n }).collect();
        let cs = class_sizes([&school], y(2016), &ClassFilter::default());
        shown.push(cs.average().format(1, Rounding::HalfUp));
        for band in SizeBand::ALL {
            rates.extend([cs.share_of_classes(band), cs.share_of_pupils(band)]);
        }
        rates.push(Rate::new(num, den));
        shown.push(Ratio::new(num, den).format(dp, Rounding::HalfEven));
        shown.push(Ratio::new(num, den).format_colon());
        let _ = check_printed(num, den, &printed, Rounding::HalfUp);
        let _ = round_str(&printed, i32::try_from(dp).unwrap() - 20, Rounding::HalfUp);
        let target = Target::at_least("x", Decimal::from(95));
        for r in &rates {
            shown.push(r.format_percent(2));
            shown.push(r.format_percent_with(dp, Rounding::HalfEven));
            shown.push(r.to_string());
            shown.push(format!("{:?}", r.wilson_95()));
            shown.push(target.check(r).to_string());
            if let Some(v) = r.fraction() {
                prop_assert!(r.has_value());
                let _ = v;
            }
        }
        for s in &shown {
            prop_assert!(!s.contains("NaN") && !s.contains("inf"), "{}", s);
        }
    }
}

fn big() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0u64), 0u64..20, Just(u64::MAX), any::<u64>()]
}

fn arb_any_cell() -> impl Strategy<Value = GradeCount> {
    (
        2008i32..2018,
        prop_oneof![Just(Stage::Primary), Just(Stage::Junior)],
        1u8..=6,
        prop::collection::vec(big(), 8),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(year, stage, grade, v, female, poor)| GradeCount {
            year: SchoolYear::new(year).unwrap(),
            school_id: SchoolId::new("S1").unwrap(),
            township: "甲镇".into(),
            locality: if poor { Locality::Rural } else { Locality::Urban },
            stage,
            grade: grade.min(stage.max_grade()),
            sex: if female { Sex::Female } else { Sex::Male },
            poverty: if poor {
                PovertyGroup::RegisteredPoor
            } else {
                PovertyGroup::Other
            },
            enrolled: v[0],
            new_entrants: v[1],
            repeaters: v[2],
            graduates: v[3],
            transfers_in: v[4],
            transfers_out: v[5],
            dropouts: v[6],
            deaths: v[7],
            temporary_in: 0,
            suspended: 0,
            other_in: 0,
            other_out: 0,
        })
}

fn all_retention_options() -> Vec<RetentionOptions> {
    let mut v = Vec::new();
    for form in [RetentionForm::Plain, RetentionForm::TransferAdjusted] {
        for intake in [Intake::NewEntrants, Intake::FirstGradeEnrolment] {
            for repeaters in [Repeaters::Ignore, Repeaters::AsCohortFlows] {
                for flag in [false, true] {
                    v.push(RetentionOptions {
                        form,
                        intake,
                        deduct_deaths: flag,
                        repeaters,
                        cap_at_hundred: !flag,
                    });
                }
            }
        }
    }
    v
}

/// Round `mantissa × 10^-scale` to `dp` places digit by digit.
fn oracle(mantissa: i64, scale: u32, dp: u32, even: bool) -> String {
    let neg = mantissa < 0;
    let abs = u128::from(mantissa.unsigned_abs());
    let (keep, out_scale) = if dp >= scale {
        (abs * 10u128.pow(dp - scale), dp)
    } else {
        let unit = 10u128.pow(scale - dp);
        let (q, rest) = (abs / unit, abs % unit);
        let half = unit / 2;
        let up = rest > half || (rest == half && (!even || q % 2 == 1));
        (q + u128::from(up), dp)
    };
    let digits = format!("{keep:0>width$}", width = usize::try_from(out_scale).unwrap() + 1);
    let split = digits.len() - usize::try_from(out_scale).unwrap();
    let body = if out_scale == 0 {
        digits
    } else {
        format!("{}.{}", &digits[..split], &digits[split..])
    };
    if neg && keep != 0 { format!("-{body}") } else { body }
}
