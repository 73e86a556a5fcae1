//! The value of a figure and how it is printed: counts with their measure
//! words, amounts in 元/万元/亿元 ([`format_money`]), percentages of the
//! model's exact rate ([`Percentage`]), dates ([`format_date`]) and plain
//! numbers. Values round once, when they are shown, by the [`Rounding`]
//! they carry (四舍五入 unless said).
//!
//! This module keeps its path (`eduaid_report::value::Value`): the
//! eligibility crate's root has a `Value` of its own (a policy parameter's).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use eduaid_model::convert::clamped;
use eduaid_model::rate::{Rate, fixed};
use eduaid_model::{Money, Rounding};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Error;

/// A rate as a report prints it (百分比): the model's exact
/// [`Rate`], the decimal places of its percentage
/// and the rule it is rounded by, once, when shown.
///
/// The rate is the one the statistics crate computes; a percentage adds
/// only what printing needs, as [`Value::Money`] adds a unit to an amount.
/// A whole percentage is exact and printed without decimals (100%, 0%).
///
/// ```
/// use eduaid_report::value::Percentage;
/// use eduaid_model::rate::Rate;
/// let r = Percentage::new(305, 307, 1)?;
/// assert_eq!(r.to_string(), "99.3%");
/// assert_eq!(Percentage::new(1642, 8880, 2)?.to_string(), "18.49%");
/// assert_eq!(Percentage::new(420, 420, 2)?.to_string(), "100%");
/// // A rate from the statistics crate, as it is.
/// assert_eq!(Percentage::of(Rate::new(305, 307), 2)?.to_string(), "99.35%");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Percentage {
    /// The exact rate: a count of at most `u64::MAX` over a positive one.
    rate: Rate,
    /// Decimal places of the percentage as printed.
    precision: u32,
    /// How the percentage is rounded when printed.
    rounding: Rounding,
}

impl Percentage {
    /// The most decimal places a percentage is printed with.
    pub const MAX_PRECISION: u32 = 10;

    /// The rate `numerator / denominator` of two counts, rounded 四舍五入 to
    /// `precision` places of a percent.
    ///
    /// # Errors
    /// [`Error::InvalidRate`] if the denominator is zero or the precision is
    /// above 10.
    pub fn new(numerator: u64, denominator: u64, precision: u32) -> Result<Percentage, Error> {
        Percentage::of(Rate::of_counts(numerator, denominator), precision)
    }

    /// A rate (from the statistics crate, say) printed to `precision`
    /// places of a percent, rounded 四舍五入; capped at 100% if the rate is.
    ///
    /// # Errors
    /// [`Error::InvalidRate`] if the rate has no value (not computable, or
    /// a denominator that is not positive), a numerator below zero or
    /// either count past `u64`, or a precision above 10.
    pub fn of(rate: Rate, precision: u32) -> Result<Percentage, Error> {
        let p = Percentage {
            rate,
            precision,
            rounding: Rounding::HalfUp,
        };
        p.check("rate")?;
        Ok(p)
    }

    /// The same percentage with another rounding rule.
    #[must_use]
    pub fn with_rounding(mut self, rounding: Rounding) -> Percentage {
        self.rounding = rounding;
        self
    }

    /// The exact rate.
    #[must_use]
    pub fn rate(&self) -> &Rate {
        &self.rate
    }

    /// The part (e.g. children in school).
    #[must_use]
    pub fn numerator(&self) -> u64 {
        clamped(self.rate.numerator())
    }

    /// The whole (e.g. all such children); never zero.
    #[must_use]
    pub fn denominator(&self) -> u64 {
        clamped(self.rate.denominator())
    }

    /// Decimal places of the percentage as printed.
    #[must_use]
    pub fn precision(&self) -> u32 {
        self.precision
    }

    /// How the percentage is rounded when printed.
    #[must_use]
    pub fn rounding(&self) -> Rounding {
        self.rounding
    }

    pub(crate) fn check(&self, key: &str) -> Result<(), Error> {
        let bad = |reason: String| {
            Err(Error::InvalidRate {
                key: key.to_string(),
                reason,
            })
        };
        let (n, d) = (self.rate.numerator(), self.rate.denominator());
        if let Some(m) = &self.rate.not_computable {
            return bad(format!("not computable: {m}"));
        }
        if d == 0 {
            return bad(format!("denominator is zero (numerator {n})"));
        }
        if d < 0 || n < 0 {
            return bad(format!("negative count {n} / {d}"));
        }
        if u64::try_from(n).is_err() || u64::try_from(d).is_err() {
            return bad(format!("count past the largest count {n} / {d}"));
        }
        if self.precision > Percentage::MAX_PRECISION {
            return bad(format!("precision {} is above 10 places", self.precision));
        }
        Ok(())
    }

    /// The exact percentage (to 28 significant digits), unrounded, capped
    /// if the rate is.
    #[must_use]
    pub fn percent_exact(&self) -> Decimal {
        // A checked percentage always has a value.
        self.rate.percent_exact().unwrap_or_default()
    }

    /// True if the percentage as shown is a whole number, exactly (100%,
    /// 50%).
    #[must_use]
    pub fn is_whole_percent(&self) -> bool {
        let r = self.rate.shown();
        r.denominator > 0 && r.numerator.checked_mul(100).is_some_and(|n| n % r.denominator == 0)
    }

    /// The percentage rounded once to the precision, as printed. A whole
    /// percentage is exact and printed without decimals (100%).
    #[must_use]
    pub fn percent(&self) -> Decimal {
        let dp = if self.is_whole_percent() { 0 } else { self.precision };
        // A checked percentage always has a value.
        self.rate.percent(dp, self.rounding).unwrap_or_default()
    }

    /// The percentage as printed, without the sign: `"98.86"`.
    #[must_use]
    pub fn percent_text(&self) -> String {
        if self.is_whole_percent() {
            return self.percent().normalize().to_string();
        }
        fixed(self.percent(), self.precision)
    }
}

impl fmt::Display for Percentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.percent_text())
    }
}

/// How a percentage is written in JSON: the two counts, the places and the
/// rounding rule (and the cap, when there is one).
#[derive(Serialize, Deserialize)]
struct PercentageForm {
    numerator: u64,
    denominator: u64,
    precision: u32,
    #[serde(default)]
    rounding: Rounding,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    cap_at_hundred: bool,
}

impl Serialize for Percentage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        PercentageForm {
            numerator: self.numerator(),
            denominator: self.denominator(),
            precision: self.precision,
            rounding: self.rounding,
            cap_at_hundred: self.rate.cap_at_hundred,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Percentage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Percentage, D::Error> {
        let f = PercentageForm::deserialize(d)?;
        let rate = Rate::of_counts(f.numerator, f.denominator).with_cap(f.cap_at_hundred);
        Percentage::of(rate, f.precision)
            .map(|p| p.with_rounding(f.rounding))
            .map_err(serde::de::Error::custom)
    }
}

/// The unit a money figure is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoneyUnit {
    /// 亿元 at or above one hundred million yuan, 万元 at or above ten
    /// thousand, else 元.
    #[default]
    Auto,
    /// 元.
    Yuan,
    /// 万元.
    Wan,
    /// 亿元.
    Yi,
}

impl MoneyUnit {
    /// The unit actually used for `amount`.
    #[must_use]
    pub fn resolve(self, amount: Money) -> MoneyUnit {
        match self {
            MoneyUnit::Auto => {
                let a = amount.as_decimal().abs();
                if a >= Decimal::from(100_000_000) {
                    MoneyUnit::Yi
                } else if a >= Decimal::from(10_000) {
                    MoneyUnit::Wan
                } else {
                    MoneyUnit::Yuan
                }
            }
            u => u,
        }
    }

    /// `元`, `万元` or `亿元` (`元` for [`MoneyUnit::Auto`]).
    #[must_use]
    pub fn suffix(self) -> &'static str {
        match self {
            MoneyUnit::Auto | MoneyUnit::Yuan => "元",
            MoneyUnit::Wan => "万元",
            MoneyUnit::Yi => "亿元",
        }
    }
}

/// Format an amount the way Chinese reports write it: in the unit given,
/// with every significant decimal (673.5875万元, 59.9万元, 1.14亿元), or
/// rounded once to `max_dp` places when one is given.
///
/// ```
/// use eduaid_model::{Money, Rounding};
/// use eduaid_report::value::{format_money, MoneyUnit};
/// assert_eq!(format_money(Money::yuan(6_735_875), MoneyUnit::Wan, None, Rounding::HalfUp), "673.5875万元");
/// assert_eq!(format_money(Money::yuan(114_000_000), MoneyUnit::Auto, None, Rounding::HalfUp), "1.14亿元");
/// assert_eq!(format_money(Money::yuan(6_735_875), MoneyUnit::Wan, Some(2), Rounding::HalfUp), "673.59万元");
/// ```
#[must_use]
pub fn format_money(amount: Money, unit: MoneyUnit, max_dp: Option<u32>, rounding: Rounding) -> String {
    let unit = unit.resolve(amount);
    let v = match unit {
        MoneyUnit::Auto | MoneyUnit::Yuan => amount.as_decimal(),
        MoneyUnit::Wan => amount.wan_yuan(),
        MoneyUnit::Yi => amount.yi_yuan(),
    };
    let v = match max_dp {
        Some(dp) => rounding.round(v, dp),
        None => v,
    };
    format!("{}{}", v.normalize(), unit.suffix())
}

/// Format a date as Chinese reports do: `2017年7月11日`.
#[must_use]
pub fn format_date(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// The value of a figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Value {
    /// A count of people or things, with its measure word: 人, 人次, 所,
    /// 个班, 名, 个.
    Count {
        /// How many.
        n: u64,
        /// The unit written after the number.
        unit: String,
    },
    /// An amount of money.
    Money {
        /// The exact amount.
        amount: Money,
        /// The unit it is shown in.
        #[serde(default)]
        unit: MoneyUnit,
        /// Round to at most this many places of the unit when shown
        /// (`None`: every significant decimal, exact).
        #[serde(default)]
        max_dp: Option<u32>,
        /// How it is rounded when shown.
        #[serde(default)]
        rounding: Rounding,
    },
    /// A rate shown as a percentage (the model's exact rate, with its
    /// places and rounding).
    Rate(Percentage),
    /// A day.
    Date(NaiveDate),
    /// A plain number (an average class size, a ratio), with an optional
    /// unit.
    Number {
        /// The exact value.
        value: Decimal,
        /// At most this many decimal places when shown, rounded once,
        /// trailing zeros dropped (`None`: as is, normalised).
        #[serde(default)]
        precision: Option<u32>,
        /// How it is rounded when shown.
        #[serde(default)]
        rounding: Rounding,
        /// The unit written after the number (may be empty).
        #[serde(default)]
        unit: String,
    },
}

impl Value {
    /// The value as printed, with its unit: `23429人`, `673.5875万元`,
    /// `98.86%`, `2017年7月11日`, `76.9人`.
    #[must_use]
    pub fn display(&self) -> String {
        match self {
            Value::Count { n, unit } => format!("{n}{unit}"),
            Value::Money {
                amount,
                unit,
                max_dp,
                rounding,
            } => format_money(*amount, *unit, *max_dp, *rounding),
            Value::Rate(r) => r.to_string(),
            Value::Date(d) => format_date(*d),
            Value::Number {
                value,
                precision,
                rounding,
                unit,
            } => {
                // Rounded once to at most `dp` places; trailing zeros are
                // not written (`53人`, not `53.0人`).
                let v = match precision {
                    Some(dp) => rounding.round(*value, *dp).normalize().to_string(),
                    None => value.normalize().to_string(),
                };
                format!("{v}{unit}")
            }
        }
    }

    /// The number as printed without its unit (`23429`, `673.5875`, `98.86`).
    #[must_use]
    pub fn number_text(&self) -> String {
        match self {
            Value::Count { n, .. } => n.to_string(),
            Value::Rate(r) => r.percent_text(),
            Value::Money { unit, amount, .. } => {
                let d = self.display();
                d.strip_suffix(unit.resolve(*amount).suffix()).unwrap_or(&d).to_string()
            }
            Value::Number { unit, .. } => {
                let d = self.display();
                d.strip_suffix(unit.as_str()).unwrap_or(&d).to_string()
            }
            Value::Date(d) => d.to_string(),
        }
    }

    /// The unit as printed (`人`, `万元`, `%`, empty for a date).
    #[must_use]
    pub fn unit_text(&self) -> String {
        match self {
            Value::Count { unit, .. } | Value::Number { unit, .. } => unit.clone(),
            Value::Money { amount, unit, .. } => unit.resolve(*amount).suffix().to_string(),
            Value::Rate(_) => "%".to_string(),
            Value::Date(_) => String::new(),
        }
    }

    /// What kind of value, in Chinese, for the data appendix.
    #[must_use]
    pub fn kind_chinese(&self) -> &'static str {
        match self {
            Value::Count { .. } => "计数",
            Value::Money { .. } => "金额",
            Value::Rate(_) => "比率",
            Value::Date(_) => "日期",
            Value::Number { .. } => "数值",
        }
    }

    /// How the value was computed or rounded, for the data appendix
    /// (`305/307，保留1位小数，四舍五入`).
    #[must_use]
    pub fn precision_note(&self) -> String {
        match self {
            Value::Count { .. } => "整数".to_string(),
            Value::Money {
                amount,
                max_dp,
                rounding,
                ..
            } => match max_dp {
                Some(dp) => format!("{}，保留{dp}位小数，{}", amount, rounding_chinese(*rounding)),
                None => format!("{amount}，精确值"),
            },
            Value::Rate(r) => format!(
                "{}/{}，保留{}位小数，{}",
                r.numerator(),
                r.denominator(),
                r.precision(),
                rounding_chinese(r.rounding())
            ),
            Value::Date(d) => d.to_string(),
            Value::Number {
                value,
                precision,
                rounding,
                ..
            } => match precision {
                Some(p) => format!(
                    "{}，保留至多{p}位小数，{}，末位0不写",
                    value.normalize(),
                    rounding_chinese(*rounding)
                ),
                None => format!("{}", value.normalize()),
            },
        }
    }
}

/// The Chinese name of a rounding rule.
#[must_use]
pub fn rounding_chinese(r: Rounding) -> &'static str {
    match r {
        Rounding::HalfUp => "四舍五入",
        Rounding::HalfEven => "四舍六入五成双",
        Rounding::Down => "去尾",
        Rounding::Up => "进一",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn money_keeps_significant_decimals() {
        let f = |y: i64, u| format_money(Money::yuan(y), u, None, Rounding::HalfUp);
        assert_eq!(f(6_735_875, MoneyUnit::Wan), "673.5875万元");
        assert_eq!(f(1_204_500, MoneyUnit::Auto), "120.45万元");
        assert_eq!(f(599_000, MoneyUnit::Auto), "59.9万元");
        assert_eq!(f(52_720_000, MoneyUnit::Auto), "5272万元");
        assert_eq!(f(114_000_000, MoneyUnit::Auto), "1.14亿元");
        assert_eq!(f(213_400_000, MoneyUnit::Auto), "2.134亿元");
        assert_eq!(f(500, MoneyUnit::Auto), "500元");
        assert_eq!(
            format_money(Money::from_fen(31_250), MoneyUnit::Yuan, None, Rounding::HalfUp),
            "312.5元"
        );
        assert_eq!(
            format_money(Money::yuan(6_735_850), MoneyUnit::Wan, Some(2), Rounding::HalfEven),
            "673.58万元"
        );
    }

    #[test]
    fn rates_round_once() {
        assert_eq!(Percentage::new(305, 307, 1).unwrap().to_string(), "99.3%");
        assert_eq!(Percentage::new(305, 307, 2).unwrap().to_string(), "99.35%");
        assert_eq!(Percentage::new(1, 8, 1).unwrap().to_string(), "12.5%");
        assert_eq!(Percentage::new(1, 16, 1).unwrap().to_string(), "6.3%");
        assert_eq!(
            Percentage::new(1, 16, 1)
                .unwrap()
                .with_rounding(Rounding::HalfEven)
                .to_string(),
            "6.2%"
        );
        assert_eq!(Percentage::new(1, 3, 2).unwrap().to_string(), "33.33%");
        assert_eq!(Percentage::new(0, 3, 2).unwrap().to_string(), "0%");
        assert_eq!(Percentage::new(2, 3, 0).unwrap().to_string(), "67%");
        assert!(Percentage::new(1, 0, 2).is_err());
        assert_eq!(Percentage::new(1642, 8880, 2).unwrap().percent(), d("18.49"));
    }

    #[test]
    fn percentages_of_model_rates() {
        use eduaid_model::rate::Missing;
        // The statistics crate's rate, printed as it is: capped shows 100%.
        let over = Rate::new(1111, 1000);
        assert_eq!(Percentage::of(over.clone(), 1).unwrap().to_string(), "111.1%");
        assert_eq!(Percentage::of(over.with_cap(true), 1).unwrap().to_string(), "100%");
        // No value, a negative count or too many places: refused.
        let missing = Rate::new(1, 2).missing(Missing::YearOutOfRange);
        assert!(matches!(Percentage::of(missing, 1), Err(Error::InvalidRate { .. })));
        assert!(Percentage::of(Rate::new(-1, 2), 1).is_err());
        assert!(Percentage::of(Rate::new(1, -2), 1).is_err());
        assert!(Percentage::of(Rate::new(1, 2), 11).is_err());
        // The JSON form is the counts, the places and the rule.
        let p = Percentage::new(305, 307, 1).unwrap();
        let v = Value::Rate(p);
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"rate","numerator":305,"denominator":307,"precision":1,"rounding":"half_up"}"#
        );
        assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), v);
        let capped = Value::Rate(Percentage::of(Rate::new(11, 10).with_cap(true), 0).unwrap());
        let back: Value = serde_json::from_str(&serde_json::to_string(&capped).unwrap()).unwrap();
        assert_eq!(back.display(), "100%");
        assert!(
            serde_json::from_str::<Value>(r#"{"kind":"rate","numerator":1,"denominator":0,"precision":1}"#).is_err()
        );
    }
}
