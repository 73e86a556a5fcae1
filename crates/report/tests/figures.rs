//! Figure formatting: 万元 with significant decimals, percent precision,
//! Chinese dates, the data appendix.

use eduaid_model::{Money, Rounding};
use eduaid_report::value::{MoneyUnit, Percentage, Value, format_date, format_money};
use eduaid_report::{Block, Figure, Source};
use rust_decimal::Decimal;

use crate::common::{date, small_document};

#[test]
fn money_in_wan_and_yi_keeps_its_significant_decimals() {
    let m = |y: i64| Figure::money("m", "m", Money::yuan(y), Source::default());
    assert_eq!(m(6_735_875).in_wan_yuan().display(), "673.5875万元");
    assert_eq!(m(1_204_500).display(), "120.45万元");
    assert_eq!(m(599_000).display(), "59.9万元");
    assert_eq!(m(5_068_000).display(), "506.8万元");
    assert_eq!(m(114_000_000).display(), "1.14亿元");
    assert_eq!(m(114_000_000).in_wan_yuan().display(), "11400万元");
    assert_eq!(m(930_000).display(), "93万元");
    assert_eq!(m(2500).with_money_unit(MoneyUnit::Yuan).display(), "2500元");
    assert_eq!(
        format_money(Money::from_fen(123_456), MoneyUnit::Wan, None, Rounding::HalfUp),
        "0.123456万元"
    );
    assert_eq!(
        format_money(Money::yuan(6_735_875), MoneyUnit::Wan, Some(1), Rounding::HalfUp),
        "673.6万元"
    );
    assert_eq!(
        format_money(Money::yuan(6_735_875), MoneyUnit::Yi, Some(2), Rounding::Down),
        "0.06亿元"
    );
}

#[test]
fn percentages_at_their_precision() {
    assert_eq!(Percentage::new(9886, 10_000, 2).unwrap().to_string(), "98.86%");
    assert_eq!(Percentage::new(305, 307, 1).unwrap().to_string(), "99.3%");
    assert_eq!(Percentage::new(993, 1000, 1).unwrap().to_string(), "99.3%");
    assert_eq!(Percentage::new(9880, 10_000, 2).unwrap().to_string(), "98.80%");
    assert_eq!(Percentage::new(1642, 8880, 2).unwrap().to_string(), "18.49%");
    assert_eq!(Percentage::new(426, 447, 2).unwrap().to_string(), "95.30%");
    assert_eq!(Percentage::new(7, 7, 2).unwrap().to_string(), "100%");
    // Half away from zero, once: 1/8 = 12.5% → 13% at no decimals.
    assert_eq!(Percentage::new(1, 8, 0).unwrap().to_string(), "13%");
    assert_eq!(
        Percentage::new(1, 8, 0)
            .unwrap()
            .with_rounding(Rounding::HalfEven)
            .to_string(),
        "12%"
    );
}

#[test]
fn dates_counts_and_numbers() {
    assert_eq!(format_date(date(2017, 7, 11)), "2017年7月11日");
    assert_eq!(
        Figure::date("d", "d", date(2016, 9, 1), Source::default()).display(),
        "2016年9月1日"
    );
    assert_eq!(
        Figure::count("c", "c", 956, "人次", Source::default()).display(),
        "956人次"
    );
    assert_eq!(
        Figure::count("c", "c", 113, "个班", Source::default()).display(),
        "113个班"
    );
    let avg = Value::Number {
        value: Decimal::from(8692) / Decimal::from(164),
        precision: Some(1),
        rounding: Rounding::HalfUp,
        unit: "人".into(),
    };
    assert_eq!(avg.display(), "53人");
}

#[test]
fn the_data_appendix_lists_every_figure_once_with_its_source() {
    let doc = small_document();
    let Some(Block::Table(t)) = doc.blocks.last() else {
        panic!("no appendix table")
    };
    assert_eq!(t.rows.len(), 3);
    let text: Vec<String> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.plain()).collect::<Vec<_>>().join("|"))
        .collect();
    assert!(text[0].contains("在校学生总数|126964人|整数"), "{}", text[0]);
    assert!(text[1].contains("305/307，保留1位小数，四舍五入"), "{}", text[1]);
    assert!(
        text[2].contains("673.5875万元") && text[2].contains("项目 living-subsidy；文件 disbursements.csv"),
        "{}",
        text[2]
    );
}

mod properties {
    use eduaid_model::{Money, Rounding};
    use eduaid_report::value::{MoneyUnit, Percentage, format_money};
    use proptest::prelude::*;

    proptest! {
        /// 万元 and 亿元 with every significant decimal read back to the
        /// same amount: nothing is lost in formatting.
        #[test]
        fn money_formats_read_back_exactly(fen in 0i64..10_000_000_000_000) {
            let m = Money::from_fen(fen);
            for unit in [MoneyUnit::Yuan, MoneyUnit::Wan] {
                let shown = format_money(m, unit, None, Rounding::HalfUp);
                prop_assert_eq!(shown.parse::<Money>().unwrap(), m, "{}", shown);
            }
            let yi = format_money(m, MoneyUnit::Yi, None, Rounding::HalfUp);
            let back = Money::from_decimal_exact(
                rust_decimal::Decimal::from_str_exact(yi.trim_end_matches("亿元")).unwrap() * rust_decimal::Decimal::from(100_000_000),
            );
            prop_assert_eq!(back, m);
        }

        /// A rate is printed at its precision, and is within half a unit of
        /// the last place of the exact percentage.
        #[test]
        fn rates_round_once_to_their_precision(d in 1u64..100_000, n in 0u64..100_000, dp in 0u32..4) {
            let n = n % (d + 1);
            let r = Percentage::new(n, d, dp).unwrap();
            let text = r.percent_text();
            if !r.is_whole_percent() {
                prop_assert_eq!(text.split('.').nth(1).map_or(0, str::len), dp as usize);
            }
            let half = rust_decimal::Decimal::new(5, dp + 1);
            prop_assert!((r.percent() - r.percent_exact()).abs() <= half);
        }
    }
}
