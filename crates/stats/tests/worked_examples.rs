//! The worked examples of `shared/research/education-statistics.md` and
//! `shared/seed/FIGURES.md`, each with the figure its source gives.

use eduaid_model::rate::*;
use eduaid_model::{Decimal, Rounding, Sex, Stage};
use eduaid_stats::*;

use crate::common::{cell, y};

fn d(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

/// §4.1 [C]: in f64, round(0.35, 1) = 0.3 and round(2.675, 2) = 2.67; exact
/// arithmetic gives 0.4 and 2.68 under 四舍五入.
#[test]
fn float_traps_do_not_bite() {
    assert_eq!(Ratio::new(35, 100).round(1, Rounding::HalfUp), Some(d("0.4")));
    assert_eq!(Ratio::new(2675, 1000).round(2, Rounding::HalfUp), Some(d("2.68")));
    assert_eq!(round_str("0.35", 1, Rounding::HalfUp).unwrap(), "0.4");
    assert_eq!(round_str("2.675", 2, Rounding::HalfUp).unwrap(), "2.68");
    // GB/T 8170 half-even: 2.675 → 2.68 (7 is odd), 2.665 → 2.66.
    assert_eq!(round_str("2.675", 2, Rounding::HalfEven).unwrap(), "2.68");
    assert_eq!(round_str("2.665", 2, Rounding::HalfEven).unwrap(), "2.66");
}

/// §4.1: the DepEd example truncates 0.79546… to 79.54 where rounding once
/// gives 79.55.
#[test]
fn truncating_an_intermediate_is_caught() {
    let r = Rate::new(79_546, 100_000);
    assert_eq!(r.format_percent(2), "79.55%");
    assert_eq!(r.format_percent_with(2, Rounding::Down), "79.54%");
    assert_eq!(
        check_printed(79_546, 100_000, "79.54%", Rounding::HalfUp).unwrap(),
        PrintedCheck::Wrong { correct: d("79.55") }
    );
}

/// GB/T 8170 rounding, both rules, the standard's own examples.
#[test]
fn gbt_8170() {
    let he = Rounding::HalfEven;
    for (input, places, out) in [
        ("12.1498", 1, "12.1"),
        ("12.1498", 0, "12"),
        ("1268", -2, "1300"),
        ("10.5002", 0, "11"),
        ("1.050", 1, "1.0"),
        ("0.35", 1, "0.4"),
        ("2500", -3, "2000"),
        ("3500", -3, "4000"),
        ("-355", -1, "-360"),
        ("-325", -1, "-320"),
        ("-0.0365", 3, "-0.036"),
        ("15.4546", 0, "15"),
    ] {
        assert_eq!(round_str(input, places, he).unwrap(), out, "{input} at {places}");
    }
    // Rounding in successive steps is what GB/T 8170 forbids (its example:
    // 15.4546 → 15.455 → 15.46 → 15.5 → 16); the check spots it and names
    // the shortest chain that yields the printed figure, 15.5 → 16.
    match detect_double_rounding(d("15.4546"), d("16"), he) {
        PrintedCheck::DoubleRounding { correct, steps } => {
            assert_eq!(correct, d("15"));
            assert_eq!(steps, vec![d("15.5"), d("16")]);
        }
        other => panic!("{other:?}"),
    }
}

/// FIGURES.md: 305 / 307 = 99.3485…% → 99.3%; the printed 99.4% comes
/// from 99.3485 → 99.35 → 99.4.
#[test]
fn seed_double_rounding() {
    let r = Rate::new(305, 307);
    assert_eq!(r.format_percent(1), "99.3%");
    assert_eq!(r.format_percent(4), "99.3485%");
    assert!(matches!(
        check_printed(305, 307, "99.4%", Rounding::HalfUp).unwrap(),
        PrintedCheck::DoubleRounding { .. }
    ));
}

/// FIGURES.md: 1642 = 18.49% implies 8879–8882 students in the district.
#[test]
fn migrant_share_pins_the_denominator() {
    let shows = |den: u64| Rate::of_counts(1642, den).format_percent(2) == "18.49%";
    let fits: Vec<u64> = (8870..8895).filter(|n| shows(*n)).collect();
    assert_eq!(fits, vec![8879, 8880, 8881, 8882]);
}

/// FIGURES.md: 113 classes holding the pupils 164 × 53 ≈ 8692 average ≈ 76.9.
#[test]
fn class_averages() {
    assert_eq!(Ratio::new(8692, 113).format(1, Rounding::HalfUp), "76.9");
    assert_eq!(Ratio::new(8692, 164).format(1, Rounding::HalfUp), "53.0");
    assert_eq!(SizeBand::of(77), SizeBand::SuperLarge);
    assert_eq!(SizeBand::of(53), SizeBand::Above45);
}

/// §2: 青海's urban gross rate of disabled children's enrolment was 270.45%
/// because a provincial special school recruits province-wide: an over-100
/// rate is kept and flagged, never silently capped.
#[test]
fn over_hundred_is_kept_and_flagged() {
    let r = Rate::new(27_045, 10_000);
    assert_eq!(r.format_percent(2), "270.45%");
    assert_eq!(r.flags(), vec![Flag::OverHundred { capped: false }]);
    let c = r.with_cap(true);
    assert_eq!(c.format_percent(2), "100.00%");
    assert_eq!(c.raw_percent(2, Rounding::HalfUp), Some(d("270.45")));
}

/// §4.2: the Wilson interval, checked against the formula's published
/// values (rossmanchance applet): 8/10 → (0.4902, 0.9433); 1/1 →
/// (0.2065, 1).
#[test]
fn wilson_interval() {
    let (lo, hi) = Rate::new(8, 10).wilson_95().unwrap();
    assert_eq!(
        (Rounding::HalfUp.round(lo, 4), Rounding::HalfUp.round(hi, 4)),
        (d("0.4902"), d("0.9433"))
    );
    let (lo, hi) = Rate::new(1, 1).wilson_95().unwrap();
    assert_eq!((Rounding::HalfUp.round(lo, 4), hi), (d("0.2065"), Decimal::ONE));
    assert!(Rate::new(8, 10).flags().is_empty());
    assert_eq!(Rate::new(8, 9).flags(), vec![Flag::SmallDenominator { threshold: 10 }]);
}

/// §1: GPIA = GPI if F ≤ M, else 2 − 1/(F/M).
#[test]
fn adjusted_parity() {
    let p = parity_index(ParityKind::Gender, Rate::new(110, 100), Rate::new(100, 100));
    assert_eq!(p.index.unwrap().round(4, Rounding::HalfUp), Some(d("1.1000")));
    assert_eq!(p.adjusted.unwrap().round(4, Rounding::HalfUp), Some(d("1.0909")));
    let q = parity_index(ParityKind::Location, Rate::new(90, 100), Rate::new(100, 100));
    assert_eq!(q.adjusted.unwrap().round(4, Rounding::HalfUp), Some(d("0.9000")));
}

/// §1, Zambia code: when p + r > 1 the capping factor cf = p + r divides
/// both, so the dropout rate is zero rather than negative.
#[test]
fn zambia_capping() {
    let c = reconstructed_cohort(&[(d("0.96"), d("0.08")), (d("0.9"), d("0"))], &CohortOptions::default()).unwrap();
    assert_eq!(c.grades[0].capping_factor, Some(d("1.04")));
    assert_eq!(Rounding::HalfUp.round(c.grades[0].promotion, 6), d("0.923077"));
    assert_eq!(c.grades[0].dropouts, Decimal::ZERO);
    // Unlimited repetition: everyone reaches grade 2 (capped d = 0).
    assert_eq!(c.survival_to(2), Some(Decimal::ONE));
}

/// §1 [C]: with unlimited repetition SR_k = Π p/(1 − r).
#[test]
fn closed_form_survival() {
    let rates = [(d("0.8"), d("0.1")), (d("0.85"), d("0.05")), (d("0.9"), d("0.02"))];
    let c = reconstructed_cohort(&rates, &CohortOptions::default()).unwrap();
    let want = d("0.8") / d("0.9") * (d("0.85") / d("0.95"));
    let got = c.survival_to(3).unwrap();
    assert!((got - want).abs() < d("0.0000000000000000000001"), "{got} vs {want}");
}

/// §1: UIS flow rates with the repetition rate's base-year alignment
/// (Pineapples issue #359): R[g,t+1] / E[g,t], not R[g,t] / E[g,t].
#[test]
fn repetition_rate_year_alignment() {
    let base = base_copy(); // 30 repeaters of 200: the percentage of repeaters, 15%
    let mut next = cell(2016, Stage::Primary, 1, 210);
    next.repeaters = 10; // the repetition rate, 5%
    let f = flow_rates(
        &[base, next, cell(2016, Stage::Primary, 2, 180)],
        Stage::Primary,
        2,
        y(2015),
    )
    .unwrap();
    assert_eq!(f[0].repetition.format_percent(0), "5%");
    assert_eq!(f[0].promotion.format_percent(0), "90%");
    assert_eq!(f[0].dropout.format_percent(0), "5%");
    let base_share = percentage_of_repeaters(&[base_copy()], Stage::Primary, 1, y(2015)).unwrap();
    assert_eq!(base_share.format_percent(0), "15%");
}

fn base_copy() -> eduaid_model::GradeCount {
    let mut base = cell(2015, Stage::Primary, 1, 200);
    base.repeaters = 30;
    base
}

/// §2: the cohort windows: for graduation in 2017 (school year 2016-17), 初中
/// takes the intake of 2014, 小学 of 2011, 九年 of 2008.
#[test]
fn cohort_windows() {
    for (kind, intake) in [
        (RetentionKind::JuniorThreeYear, 2014),
        (RetentionKind::PrimarySixYear, 2011),
        (RetentionKind::CompulsoryNineYear, 2008),
    ] {
        let r = retention(&Vec::new(), kind, y(2016), RetentionOptions::default()).unwrap();
        assert_eq!(r.rate.base_year, Some(y(intake)), "{kind:?}");
        assert_eq!(r.rate.outcome_year, Some(y(2016)));
    }
}

/// §3, OpenEMIS: the pupil-teacher ratio reduced by the GCD as "a:b",
/// blank when either count is zero.
#[test]
fn openemis_ratio() {
    assert_eq!(Ratio::new(1140, 60).format_colon(), "19:1");
    assert_eq!(Ratio::new(750, 40).format_colon(), "75:4");
    assert_eq!(Ratio::new(0, 40).format_colon(), "");
}

/// §1: NER capping divides male, female and total by one factor, the
/// age group's enrolment at any level over its population (here the NERs
/// themselves, every pupil of the age being at the level).
#[test]
fn ner_capping() {
    let n = net_enrolment_ratio(
        &[
            NerCounts::new(Sex::Female, 540, Some(540), 500),
            NerCounts::new(Sex::Male, 510, Some(510), 500),
        ],
        y(2016),
    );
    assert_eq!(n.capping_factor, Some(Ratio::new(540, 500)));
    assert_eq!(n.by_sex[0].1.format_percent(2), "100.00%");
    assert_eq!(n.by_sex[1].1.format_percent(2), "94.44%");
    assert_eq!(n.raw_total.format_percent(2), "105.00%");
    assert_eq!(n.total.format_percent(2), "97.22%");
}
