//! Issue 13, items 8–12: every expected value computed by hand and checked
//! as an exact fraction.

use eduaid_model::rate::*;
use eduaid_model::{Decimal, Rounding, Stage};
use eduaid_stats::*;

use crate::common::{cell, y};

/// A junior cohort entering in 2014-15: intake 200, grade records for
/// 2014–2016 with the flows given per grade, and `graduates` in 2016-17.
fn junior(flows: [(u64, u64, u64, u64, u64, u64); 3], graduates: u64) -> Vec<eduaid_model::GradeCount> {
    flows
        .iter()
        .enumerate()
        .map(|(k, (tin, tout, temp, susp, oin, oout))| {
            let grade = u8::try_from(k + 1).unwrap();
            let mut c = cell(2014 + i32::from(grade) - 1, Stage::Junior, grade, 200);
            c.new_entrants = if grade == 1 { 200 } else { 0 };
            c.graduates = if grade == 3 { graduates } else { 0 };
            c.transfers_in = *tin;
            c.transfers_out = *tout;
            c.temporary_in = *temp;
            c.suspended = *susp;
            c.other_in = *oin;
            c.other_out = *oout;
            c
        })
        .collect()
}

// ---- item 9: not computable, never a number -------------------------------

/// A file of junior records only: the nine-year retention needs the primary
/// intake of 2008-09. Junior graduates over junior transfers alone would
/// give 190 / (0 + 30 − 0) = 633.33%; it must give no number and say why.
#[test]
fn nine_year_retention_without_primary_intake_is_not_computable() {
    let v = junior([(10, 0, 0, 0, 0, 0); 3], 190);
    let r = retention(
        &v,
        RetentionKind::CompulsoryNineYear,
        y(2016),
        RetentionOptions::transfer_adjusted(),
    )
    .unwrap();
    let want = Missing::Intake {
        stage: Stage::Primary,
        year: y(2008),
    };
    assert_eq!(r.rate.not_computable, Some(want));
    assert!(!r.rate.has_value());
    assert_eq!(r.rate.flags(), vec![Flag::NotComputable(want)]);
    assert_eq!(r.rate.format_percent(2), NO_VALUE);
    assert_eq!(r.rate.percent(2, Rounding::HalfUp), None);
    assert_eq!(r.rate.raw_percent(2, Rounding::HalfUp), None);
    assert_eq!(r.rate.wilson_95(), None);
    assert_eq!(want.chinese(), "缺少小学2008—2009学年一年级招生数");
    assert_eq!(want.to_string(), "no primary grade-1 intake in 2008-2009");
    assert!(r.rate.to_string().contains("not computable: no primary grade-1 intake"));
    // A standard is neither met nor missed by a figure that does not exist.
    let t = Target::at_least("九年义务教育巩固率", Decimal::from(95));
    assert_eq!(t.check(&r.rate).met, None);
    // The same cohort's three-year retention is computable: 190 / (200 + 30).
    let j = retention(
        &v,
        RetentionKind::JuniorThreeYear,
        y(2016),
        RetentionOptions::transfer_adjusted(),
    )
    .unwrap();
    assert_eq!(j.rate.ratio, Ratio::new(190, 230));
    assert!(j.rate.has_value());
}

/// A gap in the cohort's years: the transfer-adjusted form needs every
/// grade's transfers, the plain form only intake and graduates.
#[test]
fn missing_grade_or_graduation_year_is_named() {
    let mut v = junior([(1, 2, 0, 0, 0, 0); 3], 180);
    v.remove(1); // no junior grade 2 in 2015-16
    let adj = retention(
        &v,
        RetentionKind::JuniorThreeYear,
        y(2016),
        RetentionOptions::transfer_adjusted(),
    )
    .unwrap();
    assert_eq!(
        adj.rate.not_computable,
        Some(Missing::Grade {
            stage: Stage::Junior,
            grade: 2,
            year: y(2015)
        })
    );
    let plain = retention(&v, RetentionKind::JuniorThreeYear, y(2016), RetentionOptions::plain()).unwrap();
    assert_eq!(plain.rate.ratio, Ratio::new(180, 200));
    assert!(plain.rate.has_value());
    // No graduation-year record at all.
    let later = retention(&v, RetentionKind::JuniorThreeYear, y(2017), RetentionOptions::plain()).unwrap();
    assert_eq!(
        later.rate.not_computable,
        Some(Missing::Intake {
            stage: Stage::Junior,
            year: y(2015)
        })
    );
    // A stage without records has no dropout rate; a year without
    // population no GER; a year without disabled children no enrolment rate.
    let d = dropout_rate(&v, Stage::Primary, y(2016), DropoutForm::Aggregate).unwrap();
    assert_eq!(
        d.rate.not_computable,
        Some(Missing::Enrolment {
            stage: Stage::Primary,
            year: y(2016)
        })
    );
    let counts = eduaid_model::Counts {
        grades: v,
        ..eduaid_model::Counts::default()
    };
    let g = gross_enrolment_ratio(&counts, y(2016), &[Stage::Junior], 12..=14).unwrap();
    assert_eq!(
        g.not_computable,
        Some(Missing::Population {
            year: y(2016),
            from_age: 12,
            to_age: 14
        })
    );
    assert_eq!(g.not_computable.unwrap().chinese(), "缺少2016—2017学年12—14岁人口记录");
    let dis = disabled_enrolment_rate(&counts, y(2016), 6..=14, true).unwrap();
    assert_eq!(dis.not_computable, Some(Missing::DisabledChildren { year: y(2016) }));
}

// ---- item 8: 借读, 休学, 其他增加, 其他减少 -------------------------------

/// The 泰州 retention with 借读: graduates ÷ (intake + (转入 + 借读 + 其他增加)
/// − (转出 + 休学 + 其他减少)), summed over the cohort's diagonal.
#[test]
fn retention_with_temporary_pupils_and_other_flows() {
    // Per grade (转入, 转出, 借读, 休学, 其他增加, 其他减少).
    let v = junior([(3, 1, 2, 1, 0, 0), (2, 4, 1, 0, 1, 2), (0, 2, 3, 1, 0, 1)], 196);
    let opts = RetentionOptions {
        form: RetentionForm::NetIncrease,
        ..RetentionOptions::default()
    };
    let r = retention(&v, RetentionKind::JuniorThreeYear, y(2016), opts).unwrap();
    assert_eq!(
        (
            r.transfers_in,
            r.temporary_in,
            r.other_in,
            r.transfers_out,
            r.suspended,
            r.other_out
        ),
        (5, 6, 1, 7, 2, 3)
    );
    // 200 + (5 + 6 + 1) − (7 + 2 + 3) = 200: 196/200 = 49/50.
    assert_eq!(r.rate.ratio.reduced(), Ratio::new(49, 50));
    assert_eq!(r.rate.format_percent(2), "98.00%");
    assert!(r.rate.flags().contains(&Flag::TransferAdjusted));
    assert_eq!(
        r.form_name(),
        "毕业生数 ÷ (招生数 + 转入 + 借读 + 其他增加 − 转出 − 休学 − 其他减少)"
    );
    // The transfer-adjusted form ignores them: 196 / (200 + 5 − 7) = 98/99.
    let t = retention(
        &v,
        RetentionKind::JuniorThreeYear,
        y(2016),
        RetentionOptions::transfer_adjusted(),
    )
    .unwrap();
    assert_eq!(t.rate.ratio.reduced(), Ratio::new(98, 99));
}

/// Both dropout forms with every flow: hand-computed over one stage-year.
#[test]
fn dropout_forms_with_suspension_and_other_flows() {
    let mut a = cell(2016, Stage::Junior, 1, 700);
    a.dropouts = 4; // 退学, 开除, 转出未入学
    a.suspended = 3; // 休学
    a.deaths = 1;
    a.transfers_out = 9;
    a.transfers_in = 5;
    a.other_out = 2;
    a.other_in = 1;
    a.temporary_in = 6; // 借读: in neither form
    let mut b = cell(2016, Stage::Junior, 2, 300);
    b.suspended = 1;
    b.other_in = 2;
    let v = vec![a, b];
    // Definitional: (辍学 + 休学) ÷ 在校生 = (4 + 4) / 1000 = 1/125.
    let d = dropout_rate(&v, Stage::Junior, y(2016), DropoutForm::Definitional).unwrap();
    assert_eq!(d.rate.ratio.reduced(), Ratio::new(1, 125));
    assert_eq!(d.rate.format_percent(2), "0.80%");
    // 两基: (休学 4 + 辍学 4 + 死亡 1 + 转出 9 + 其他减少 2) − (转入 5 + 其他增加 3)
    // = 20 − 8 = 12; 12/1000 = 3/250.
    let g = dropout_rate(&v, Stage::Junior, y(2016), DropoutForm::Aggregate).unwrap();
    assert_eq!(g.rate.ratio.reduced(), Ratio::new(3, 250));
    assert_eq!(g.rate.format_percent(2), "1.20%");
    assert!(g.form.name().contains("其他减少"));
}

// ---- item 12: Wilson with the exact quantile; significant figures --------

fn d(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

/// z is the 97.5% normal quantile to 28 digits, 1.959964 to six places.
#[test]
fn wilson_uses_the_exact_quantile() {
    assert_eq!(Z_975, d("1.959963984540054235524594431"));
    assert_eq!(Rounding::HalfUp.round(Z_975, 6), d("1.959964"));
    // 8/10: reference values from 50-digit arithmetic of the Wilson formula
    // with this z; with z = 1.96 the lower bound would be 0.490156846721.
    let (lo, hi) = Rate::new(8, 10).wilson_95().unwrap();
    assert_eq!(Rounding::HalfUp.round(lo, 12), d("0.490162471537"));
    assert_eq!(Rounding::HalfUp.round(hi, 12), d("0.943317848546"));
    let (lo196, _) = Rate::new(8, 10).wilson_interval(d("1.96")).unwrap();
    assert_eq!(Rounding::HalfUp.round(lo196, 12), d("0.490156846721"));
    // Each bound p solves (k − n·p)² = z²·n·p·(1 − p) exactly, up to the
    // 28-digit arithmetic: check with k = 1737, n = 1757.
    let (k, n) = (Decimal::from(1737), Decimal::from(1757));
    let z2 = Z_975 * Z_975;
    let (lo, hi) = Rate::new(1737, 1757).wilson_95().unwrap();
    for p in [lo, hi] {
        let residual = (k - n * p) * (k - n * p) - z2 * n * p * (Decimal::ONE - p);
        assert!(residual.abs() < d("0.000000000001"), "{p}: {residual}");
    }
    assert_eq!(Rounding::HalfUp.round(lo, 10), d("0.9824827679"));
    assert_eq!(Rounding::HalfUp.round(hi, 10), d("0.9926192161"));
    // 0 of 5: the lower bound is 0, the upper z²/(n + z²).
    let (lo, hi) = Rate::new(0, 5).wilson_95().unwrap();
    assert_eq!(lo, Decimal::ZERO);
    assert_eq!(
        Rounding::HalfUp.round(hi, 12),
        Rounding::HalfUp.round(z2 / (Decimal::from(5) + z2), 12)
    );
}

/// Rounding once to significant figures, on the exact quotient.
#[test]
fn significant_figures() {
    // 1737/1757 = 98.8616…%: 98.9 at three figures, 98.86 at four.
    let r = Rate::new(1737, 1757);
    assert_eq!(r.format_percent_significant(3, Rounding::HalfUp), "98.9%");
    assert_eq!(r.percent_significant(4, Rounding::HalfUp), Some(d("98.86")));
    // 1/7 = 14.2857…%; 2/3 = 66.66…%.
    assert_eq!(
        Rate::new(1, 7).percent_significant(3, Rounding::HalfUp),
        Some(d("14.3"))
    );
    assert_eq!(Rate::new(2, 3).percent_significant(2, Rounding::HalfUp), Some(d("67")));
    // 1/800 = 0.125%: the midpoint at two figures.
    assert_eq!(
        Rate::new(1, 800).percent_significant(2, Rounding::HalfUp),
        Some(d("0.13"))
    );
    assert_eq!(
        Rate::new(1, 800).percent_significant(2, Rounding::HalfEven),
        Some(d("0.12"))
    );
    // 9996/10000 = 99.96% at three figures carries to 100.
    assert_eq!(
        Rate::new(9996, 10000).format_percent_significant(3, Rounding::HalfUp),
        "100%"
    );
    // Past the units: 123456 at two figures is 120000.
    assert_eq!(
        Ratio::new(123_456, 1).round_significant(0, 2, Rounding::HalfUp),
        Some(d("120000"))
    );
    assert_eq!(
        Ratio::new(0, 9).round_significant(0, 3, Rounding::HalfUp),
        Some(Decimal::ZERO)
    );
    assert_eq!(
        Rate::new(0, 0).format_percent_significant(3, Rounding::HalfUp),
        NO_VALUE
    );
    // A Wilson bound at three figures.
    let (lo, _) = Rate::new(8, 10).wilson_95().unwrap();
    assert_eq!(round_significant(lo, 3, Rounding::HalfUp), Some(d("0.490")));
}

// ---- item 10: NER capped by enrolment of the age group at any level -------

/// Girls 540 at the level, 560 of the age at any level, of 500; boys 510,
/// 515, of 500. The factor is the any-level 560/500 = 28/25 (the NERs alone
/// would give 540/500): girls 540/560 = 27/28, boys 510/560 = 51/56, total
/// (1050/1000)/(28/25) = 15/16; the parity index stays 540/510 = 18/17.
#[test]
fn ner_is_capped_by_any_level_enrolment() {
    use eduaid_model::Sex;
    let n = net_enrolment_ratio(
        &[
            NerCounts::new(Sex::Female, 540, Some(560), 500),
            NerCounts::new(Sex::Male, 510, Some(515), 500),
        ],
        y(2016),
    );
    assert_eq!(n.capping_factor.unwrap().reduced(), Ratio::new(28, 25));
    assert_eq!(n.by_sex[0].1.ratio.reduced(), Ratio::new(27, 28));
    assert_eq!(n.by_sex[1].1.ratio.reduced(), Ratio::new(51, 56));
    assert_eq!(n.total.ratio.reduced(), Ratio::new(15, 16));
    assert_eq!(n.raw_total.ratio.reduced(), Ratio::new(21, 20));
    let gpi = parity_index(ParityKind::Gender, n.by_sex[0].1.clone(), n.by_sex[1].1.clone());
    assert_eq!(gpi.index.unwrap().reduced(), Ratio::new(18, 17));
    // The age group over-enrolled at other levels caps NERs that are below
    // one: 480 at the level, 530 at any level, of 500: 480/530 = 48/53.
    let m = net_enrolment_ratio(&[NerCounts::new(Sex::Female, 480, Some(530), 500)], y(2016));
    assert_eq!(m.capping_factor.unwrap().reduced(), Ratio::new(53, 50));
    assert_eq!(m.total.ratio.reduced(), Ratio::new(48, 53));
    // A NER above one without the any-level input: not computable.
    let u = net_enrolment_ratio(&[NerCounts::new(Sex::Female, 540, None, 500)], y(2016));
    assert_eq!(
        u.total.not_computable,
        Some(Missing::AnyLevelEnrolment { year: y(2016) })
    );
    assert_eq!(u.raw_total.ratio.reduced(), Ratio::new(27, 25));
    assert_eq!(u.capping_factor, None);
}
