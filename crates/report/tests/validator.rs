//! The validator on the seed report and on arbitrary text.

use eduaid_model::Money;
use eduaid_report::value::Percentage;
use eduaid_report::{
    CheckKind, Figure, FigureSet, Relation, Source, restore_decimals, validate_figures, validate_text,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

const SEED: &str = include_str!("data/seed_report.txt");

#[test]
fn restoring_the_seed_recovers_every_broken_decimal() {
    let t = restore_decimals(SEED);
    for s in [
        "98.86%、98.81%、98.89%",
        "18.49%",
        "99.4%",
        "673.5875万元",
        "472.34万元",
        "120.45万元",
        "506.8万元",
        "59.9万元",
        "323.5万元",
        "352.5万元",
        "538.7万元",
        "609.45万元",
        "1.14亿元",
        "2.134亿元",
    ] {
        assert!(t.contains(s), "{s} not restored");
    }
    // List numbers are left alone.
    assert!(t.contains("\n2、关于全县脱贫攻坚"));
    assert!(t.contains("\n1、2021职业教育"));
}

#[test]
fn the_seed_has_exactly_two_inconsistencies() {
    let v = validate_text(SEED);
    let findings = v.findings();
    for c in &v.checks {
        eprintln!("{:?} {} {:?}: {}", c.kind, c.consistent, c.numbers, c.message);
    }
    assert_eq!(findings.len(), 2, "{findings:#?}");
    let sum = findings
        .iter()
        .find(|c| c.kind == CheckKind::Sum)
        .expect("a sum finding");
    assert!(sum.numbers.contains(&"126864人".to_string()));
    assert!(sum.message.contains("126964"), "{}", sum.message);
    assert!(sum.location.contains("总计126864人"));
    let rate = findings
        .iter()
        .find(|c| c.kind == CheckKind::Rate)
        .expect("a rate finding");
    assert_eq!(rate.numbers, ["307人", "305人", "99.4%"]);
    assert!(rate.message.contains("99.3%"), "{}", rate.message);
    assert!(rate.message.contains("99.3485…→99.35→99.4"), "{}", rate.message);
    // The consistent figures were checked too, and passed: 198 = 189 + 9,
    // 2500 = 1000 + 1500, 2409 × 1000 ÷ 2 = 120.45万元.
    let ok: Vec<_> = v.checks.iter().filter(|c| c.consistent).collect();
    assert!(ok.iter().any(|c| c.numbers.contains(&"198人".to_string())));
    assert!(
        ok.iter()
            .any(|c| c.kind == CheckKind::Sum && c.numbers.contains(&"1500元".to_string()))
    );
    assert!(
        ok.iter()
            .any(|c| c.kind == CheckKind::Amount && c.numbers.contains(&"120.45万元".to_string()))
    );
}

#[test]
fn corrected_seed_passes() {
    let fixed = restore_decimals(SEED)
        .replace("总计126864人", "总计126964人")
        .replace("入学率达99.4%", "入学率达99.3%");
    let v = validate_text(&fixed);
    assert!(v.is_consistent(), "{:#?}", v.findings());
    assert!(v.checks.len() >= 5);
}

#[test]
fn typed_relations() {
    let mut f = FigureSet::new();
    let c = |k: &str, n: u64| Figure::count(k, k, n, "人", Source::default());
    for (k, n) in [
        ("a", 23429),
        ("b", 56370),
        ("c", 26577),
        ("d", 20588),
        ("total", 126_864),
        ("pupils", 2409),
    ] {
        f.insert(c(k, n)).unwrap();
    }
    f.insert(c("den", 307)).unwrap();
    f.insert(c("num", 305)).unwrap();
    f.insert(Figure::rate(
        "r",
        "入学率",
        Percentage::new(305, 307, 1).unwrap(),
        Source::default(),
    ))
    .unwrap();
    f.insert(Figure::money(
        "amount",
        "资金",
        Money::yuan(1_204_500),
        Source::default(),
    ))
    .unwrap();
    let rel = vec![
        Relation::Sum {
            parts: ["a", "b", "c", "d"].map(String::from).to_vec(),
            total: "total".into(),
        },
        Relation::Rate {
            rate: "r".into(),
            numerator: "num".into(),
            denominator: "den".into(),
        },
        Relation::Product {
            amount: "amount".into(),
            count: "pupils".into(),
            standard: Money::yuan(1000),
            share: Decimal::new(5, 1),
        },
    ];
    let v = validate_figures(&f, &rel).unwrap();
    assert_eq!(v.checks.len(), 3);
    assert_eq!(v.findings().len(), 1);
    assert!(v.findings()[0].message.contains("126964"));
    assert!(
        validate_figures(
            &f,
            &[Relation::Sum {
                parts: vec!["zz".into()],
                total: "a".into()
            }]
        )
        .is_err()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn text_validator_never_panics(s in "\\PC*") {
        let _ = validate_text(&s);
        let _ = restore_decimals(&s);
    }

    #[test]
    fn number_soup_never_panics(s in "[0-9０-９.,、%％元万亿人名次（）()/年生共总计合率占达在校\n ]{0,200}") {
        let v = validate_text(&s);
        prop_assert!(v.findings().len() <= v.checks.len());
    }

    #[test]
    fn a_stated_total_is_checked(parts in proptest::collection::vec(0u32..100_000, 2..6), delta in 0u32..3) {
        let sum: u64 = parts.iter().map(|p| u64::from(*p)).sum();
        let listed: Vec<String> = parts.iter().map(|p| format!("{p}人")).collect();
        let text = format!("其中{}，总计{}人。", listed.join("、"), sum + u64::from(delta));
        let v = validate_text(&text);
        prop_assert_eq!(v.checks.len(), 1);
        prop_assert_eq!(v.is_consistent(), delta == 0);
    }
}
