//! Tests of the UIS methods.

use super::*;
use crate::rate::{Rate, Ratio};
use crate::testutil::cell;
use eduaid_model::{Decimal, SchoolYear, Sex, Stage};
use eduaid_model::{GradeCount, PovertyGroup, Rounding};

fn d(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

fn y(n: i32) -> SchoolYear {
    SchoolYear::new(n).unwrap()
}

/// Two grades over two years; grade 1 of the base year already holds
/// repeaters (a trap: they are the *percentage of repeaters*, not the
/// repetition rate).
fn two_grades() -> Vec<GradeCount> {
    let mut g1 = cell(2015, Stage::Primary, 1, 100);
    g1.repeaters = 7;
    let mut g2 = cell(2015, Stage::Primary, 2, 80);
    g2.graduates = 72;
    let mut n1 = cell(2016, Stage::Primary, 1, 110);
    n1.repeaters = 4;
    let mut n2 = cell(2016, Stage::Primary, 2, 95);
    n2.repeaters = 5;
    vec![g1, g2, n1, n2]
}

#[test]
fn flow_rates_take_repeaters_from_the_next_year() {
    let f = flow_rates(&two_grades(), Stage::Primary, 2, y(2015)).unwrap();
    assert_eq!((f[0].enrolled, f[0].promoted, f[0].repeaters), (100, 90, 4));
    assert_eq!(f[0].repetition.ratio, Ratio::new(4, 100));
    assert_eq!(f[0].dropout.ratio, Ratio::new(6, 100));
    assert_eq!(f[0].promotion.base_year, Some(y(2015)));
    assert_eq!(f[0].promotion.outcome_year, Some(y(2016)));
    assert_eq!(f[0].effective_promotion(), Ratio::new(90, 96));
    // The last grade is promoted by graduating: 72 of 80, 5 repeat.
    assert_eq!((f[1].promoted, f[1].repeaters), (72, 5));
    assert_eq!(f[1].dropout.ratio, Ratio::new(3, 80));
    assert!(!f[1].negative_dropout());
}

#[test]
fn negative_dropout_is_flagged_and_capped() {
    let mut v = two_grades();
    v[3].enrolled = 110; // 105 promotees from 100 pupils
    let f = flow_rates(&v, Stage::Primary, 2, y(2015)).unwrap();
    assert!(f[0].negative_dropout());
    assert!(f[0].dropout.flags().contains(&crate::rate::Flag::NegativeNumerator));
    let (_, c) = reconstructed_cohort_from_counts(&v, Stage::Primary, 2, y(2015), &CohortOptions::default()).unwrap();
    // cf = 1.05 + 0.04 = 1.09; p/cf = 105/109.
    assert_eq!(c.grades[0].capping_factor, Some(d("1.09")));
    assert_eq!(Rounding::HalfUp.round(c.grades[0].promotion, 6), d("0.963303"));
    assert_eq!(c.grades[0].promotion + c.grades[0].repetition, Decimal::ONE);
    let reject = CohortOptions {
        negative_dropout: NegativeDropout::Reject,
        ..CohortOptions::default()
    };
    assert!(reconstructed_cohort_from_counts(&v, Stage::Primary, 2, y(2015), &reject).is_err());
}

#[test]
fn cohort_without_repetition_is_a_product() {
    let c = reconstructed_cohort(
        &[(d("0.9"), d("0")), (d("0.8"), d("0")), (d("0.5"), d("0"))],
        &CohortOptions::default(),
    )
    .unwrap();
    assert_eq!(c.survival_to(1), Some(Decimal::ONE));
    assert_eq!(c.survival_to(2), Some(d("0.9")));
    assert_eq!(c.survival_to(3), Some(d("0.72")));
    assert_eq!(c.graduates, d("360"));
    // Pupil-years 1000 + 900 + 720 = 2620; CE = 360·3/2620.
    assert_eq!(c.pupil_years(), d("2620"));
    assert_eq!(
        Rounding::HalfUp.round(c.coefficient_of_efficiency().unwrap(), 4),
        d("0.4122")
    );
    assert_eq!(
        Rounding::HalfUp.round(c.years_input_per_graduate().unwrap(), 4),
        d("7.2778")
    );
    assert_eq!(c.dropouts() + c.graduates, d("1000"));
    assert_eq!(c.survival_to(4), None);
    assert_eq!(c.survival_to(0), None);
}

#[test]
fn simulation_by_year_matches_the_closed_forms() {
    let rates = [(d("0.85"), d("0.1")), (d("0.8"), d("0.15")), (d("0.9"), d("0.05"))];
    // Repeat at most once per grade: each grade passes p(1 + r).
    let once = CohortOptions {
        repetition_limit: RepetitionLimit::PerGrade(1),
        ..CohortOptions::default()
    };
    let c = reconstructed_cohort(&rates, &once).unwrap();
    assert_eq!(c.survival_to(2), Some(d("0.935")));
    assert_eq!(c.survival_to(3), Some(d("0.935") * d("0.92")));
    assert_eq!(c.still_enrolled, Decimal::ZERO);
    // Accounting: every pupil graduates or drops out.
    assert_eq!(c.graduates + c.dropouts(), d("1000"));
    // Per pupil, at most once over the cycle: fewer survive than per grade.
    let pupil = CohortOptions {
        repetition_limit: RepetitionLimit::PerPupil(1),
        ..CohortOptions::default()
    };
    let p = reconstructed_cohort(&rates, &pupil).unwrap();
    assert!(p.graduates < c.graduates);
    assert_eq!(p.graduates + p.dropouts(), d("1000"));
    // A horizon of 3 years: only those who never repeat graduate.
    let h = CohortOptions {
        horizon: Some(3),
        ..CohortOptions::default()
    };
    let hz = reconstructed_cohort(&rates, &h).unwrap();
    assert_eq!(hz.graduates, d("1000") * d("0.85") * d("0.8") * d("0.9"));
    assert!(hz.still_enrolled > Decimal::ZERO);
}

#[test]
fn cohort_parameters_are_checked() {
    let opts = CohortOptions::default();
    assert!(reconstructed_cohort(&[], &opts).is_err());
    assert!(reconstructed_cohort(&[(d("0.5"), d("0.5")); 21], &opts).is_err());
    // The largest simulation allowed finishes, and accounts for everyone.
    let widest = CohortOptions {
        repetition_limit: RepetitionLimit::PerGrade(MAX_SIMULATED),
        ..opts
    };
    let c = reconstructed_cohort(&[(d("0.5"), d("0.5")); MAX_GRADES], &widest).unwrap();
    assert!((c.graduates + c.dropouts() - d("1000")).abs() < d("0.000000000001"));
    assert!(reconstructed_cohort(&[(d("0"), d("1"))], &opts).is_err());
    assert!(reconstructed_cohort(&[(d("-0.1"), d("0"))], &opts).is_err());
    let big = CohortOptions {
        repetition_limit: RepetitionLimit::PerGrade(101),
        ..opts
    };
    assert!(reconstructed_cohort(&[(d("0.5"), d("0.5"))], &big).is_err());
    let zero = CohortOptions { size: 0, ..opts };
    assert!(reconstructed_cohort(&[(d("0.5"), d("0.5"))], &zero).is_err());
    // Everyone repeats, with a limit: they drop out at the limit.
    let lim = CohortOptions {
        repetition_limit: RepetitionLimit::PerGrade(2),
        ..opts
    };
    let c = reconstructed_cohort(&[(d("0"), d("1"))], &lim).unwrap();
    assert_eq!(
        (c.graduates, c.dropouts(), c.pupil_years()),
        (d("0"), d("1000"), d("3000"))
    );
    assert_eq!(c.coefficient_of_efficiency(), Some(d("0")));
    assert_eq!(c.years_input_per_graduate(), None);
}

#[test]
fn one_capping_factor_for_both_sexes() {
    // Grade 1 of 100 girls and 100 boys; next year 110 girls (p + r =
    // 1.12) and 90 boys reach grade 2; 2 of each repeat grade 1.
    let mut v = Vec::new();
    for (sex, up) in [(Sex::Female, 110), (Sex::Male, 90)] {
        let mut g1 = cell(2015, Stage::Primary, 1, 100);
        g1.sex = sex;
        let mut g2 = cell(2015, Stage::Primary, 2, 100);
        g2.sex = sex;
        g2.graduates = 100;
        let mut n1 = cell(2016, Stage::Primary, 1, 100);
        n1.sex = sex;
        n1.repeaters = 2;
        let mut n2 = cell(2016, Stage::Primary, 2, up);
        n2.sex = sex;
        v.extend([g1, g2, n1, n2]);
    }
    let c = reconstructed_cohorts_by_sex(&v, Stage::Primary, 2, y(2015), &CohortOptions::default()).unwrap();
    assert_eq!(c.capping_factors, vec![Some(d("1.12")), None]);
    // Girls: p = 1.10/1.12, r = 0.02/1.12; boys: p = 0.90/1.12.
    assert_eq!(Rounding::HalfUp.round(c.female.grades[0].promotion, 6), d("0.982143"));
    assert_eq!(Rounding::HalfUp.round(c.male.grades[0].promotion, 6), d("0.803571"));
    let (gpi, adj) = c.survival_parity(2).unwrap();
    // Survival p/(1 − r): girls 1.10/1.10 = 1, boys 0.90/1.10.
    assert_eq!(Rounding::HalfUp.round(gpi, 4), d("1.2222"));
    assert_eq!(Rounding::HalfUp.round(adj, 4), d("1.1818"));
    assert_eq!(adjusted_parity(d("1"), d("0")), None);
    assert_eq!(adjusted_parity(d("0.5"), d("1")), Some((d("0.5"), d("0.5"))));
}

#[test]
fn transition_gross_and_effective() {
    let mut p6 = cell(2015, Stage::Primary, 6, 500);
    p6.graduates = 490;
    let mut p6n = cell(2016, Stage::Primary, 6, 480);
    p6n.repeaters = 10;
    let mut j1 = cell(2016, Stage::Junior, 1, 495);
    j1.repeaters = 15;
    let v = vec![p6, p6n, j1];
    let g = transition_rate(&v, Stage::Primary, 6, Stage::Junior, y(2015), TransitionForm::Gross).unwrap();
    assert_eq!(g.ratio, Ratio::new(480, 500));
    let e = transition_rate(&v, Stage::Primary, 6, Stage::Junior, y(2015), TransitionForm::Effective).unwrap();
    assert_eq!(e.ratio, Ratio::new(480, 490));
    assert_eq!(e.outcome_year, Some(y(2016)));
}

#[test]
fn ner_capping_keeps_the_parity_index() {
    // Any-level enrolment 105 and 95 of 100 each: the factor is 105/100.
    let n = net_enrolment_ratio(
        &[
            NerCounts::new(Sex::Female, 105, Some(105), 100),
            NerCounts::new(Sex::Male, 95, Some(95), 100),
        ],
        y(2016),
    );
    assert_eq!(n.capping_factor, Some(Ratio::new(105, 100)));
    let f = &n.by_sex[0].1;
    let m = &n.by_sex[1].1;
    assert_eq!(f.ratio.compare(&Ratio::new(1, 1)), Some(std::cmp::Ordering::Equal));
    assert_eq!(m.ratio.compare(&Ratio::new(95, 105)), Some(std::cmp::Ordering::Equal));
    assert_eq!(n.raw_total.ratio, Ratio::new(200, 200));
    let before = parity_index(ParityKind::Gender, Rate::new(105, 100), Rate::new(95, 100));
    let after = parity_index(ParityKind::Gender, f.clone(), m.clone());
    assert_eq!(
        before.index.unwrap().compare(&after.index.unwrap()),
        Some(std::cmp::Ordering::Equal)
    );
    let none = net_enrolment_ratio(&[NerCounts::new(Sex::Female, 90, None, 100)], y(2016));
    assert_eq!(none.capping_factor, None);
    assert_eq!(none.total.ratio, Ratio::new(90, 100));
    assert!(none.total.has_value());
    let empty = net_enrolment_ratio(&[], y(2016));
    assert!(!empty.total.has_value());
}

#[test]
fn parity_and_adjusted_parity() {
    // F ≤ M: GPIA = GPI.
    let a = parity_index(ParityKind::Gender, Rate::new(80, 100), Rate::new(100, 100));
    assert_eq!(a.adjusted.unwrap().round(2, Rounding::HalfUp), Some(d("0.80")));
    // F > M: 2 − M/F; F/M = 1.25 → 2 − 0.8 = 1.2.
    let b = parity_index(ParityKind::Gender, Rate::new(100, 100), Rate::new(80, 100));
    assert_eq!(b.index.unwrap().round(2, Rounding::HalfUp), Some(d("1.25")));
    assert_eq!(b.adjusted.unwrap().round(2, Rounding::HalfUp), Some(d("1.20")));
    let z = parity_index(ParityKind::Poverty, Rate::new(1, 2), Rate::new(0, 2));
    assert_eq!((z.index, z.adjusted), (None, None));
    // From counts: registered-poor over other, each summed first.
    let mut poor = cell(2016, Stage::Junior, 1, 50);
    poor.poverty = PovertyGroup::RegisteredPoor;
    poor.dropouts = 2;
    let mut other = cell(2016, Stage::Junior, 1, 150);
    other.dropouts = 3;
    let v = vec![poor, other];
    let p = parity(&v, ParityKind::Poverty, |s| {
        Ok(crate::dropout_rate(s, Stage::Junior, y(2016), crate::DropoutForm::Definitional)?.rate)
    })
    .unwrap();
    assert_eq!(p.group.ratio, Ratio::new(2, 50));
    assert_eq!(p.reference.ratio, Ratio::new(3, 150));
    assert_eq!(p.index.unwrap().round(2, Rounding::HalfUp), Some(d("2.00")));
    assert_eq!(p.adjusted.unwrap().round(2, Rounding::HalfUp), Some(d("1.50")));
}
