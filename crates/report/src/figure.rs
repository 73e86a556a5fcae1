//! Typed figures (数据): every number a report prints, with its unit, its
//! precision and where it came from.
//!
//! A [`Figure`] is a key (how templates name it), a label (how the data
//! appendix names it), a [`Value`] and a [`Source`]. Values round once, when
//! they are shown, by the [`Rounding`] they carry (四舍五入 unless said).

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use eduaid_model::{Money, Rounding};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Error;

/// A rate (比率) kept as its numerator and denominator, shown as a
/// percentage at a chosen precision.
///
/// The report crate does not depend on the statistics crate; a caller
/// converts its rates into this type.
///
/// ```
/// use eduaid_report::Rate;
/// let r = Rate::new(305, 307, 1)?;
/// assert_eq!(r.to_string(), "99.3%");
/// assert_eq!(Rate::new(1642, 8880, 2)?.to_string(), "18.49%");
/// assert_eq!(Rate::new(420, 420, 2)?.to_string(), "100%");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rate {
    /// The part (e.g. children in school).
    pub numerator: u64,
    /// The whole (e.g. all such children); never zero.
    pub denominator: u64,
    /// Decimal places of the percentage as printed.
    pub precision: u32,
    /// How the percentage is rounded when printed.
    #[serde(default)]
    pub rounding: Rounding,
}

impl Rate {
    /// A rate rounded 四舍五入 to `precision` places of a percent.
    ///
    /// # Errors
    /// [`Error::InvalidRate`] if the denominator is zero or the precision is
    /// above 10.
    pub fn new(numerator: u64, denominator: u64, precision: u32) -> Result<Rate, Error> {
        let r = Rate {
            numerator,
            denominator,
            precision,
            rounding: Rounding::HalfUp,
        };
        r.check("rate")?;
        Ok(r)
    }

    /// The same rate with another rounding rule.
    #[must_use]
    pub fn with_rounding(mut self, rounding: Rounding) -> Rate {
        self.rounding = rounding;
        self
    }

    fn check(&self, key: &str) -> Result<(), Error> {
        if self.denominator == 0 {
            return Err(Error::InvalidRate {
                key: key.to_string(),
                reason: format!("denominator is zero (numerator {})", self.numerator),
            });
        }
        if self.precision > 10 {
            return Err(Error::InvalidRate {
                key: key.to_string(),
                reason: format!("precision {} is above 10 places", self.precision),
            });
        }
        Ok(())
    }

    /// The exact percentage (to 28 significant digits), unrounded.
    #[must_use]
    pub fn percent_exact(&self) -> Decimal {
        if self.denominator == 0 {
            return Decimal::ZERO;
        }
        let n = Decimal::from(self.numerator);
        let d = Decimal::from(self.denominator);
        n.checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|x| x.checked_div(d))
            .unwrap_or(Decimal::ZERO)
    }

    /// True if the percentage is a whole number, exactly (100%, 50%).
    #[must_use]
    pub fn is_whole_percent(&self) -> bool {
        self.denominator != 0 && (u128::from(self.numerator) * 100) % u128::from(self.denominator) == 0
    }

    /// The percentage rounded once to the precision, as printed. A whole
    /// percentage is exact and printed without decimals (100%).
    #[must_use]
    pub fn percent(&self) -> Decimal {
        if self.is_whole_percent() {
            return self.percent_exact().normalize();
        }
        self.rounding.round(self.percent_exact(), self.precision)
    }

    /// The percentage as printed, without the sign: `"98.86"`.
    #[must_use]
    pub fn percent_text(&self) -> String {
        let p = self.percent();
        if self.is_whole_percent() {
            return p.normalize().to_string();
        }
        let dp = self.precision as usize;
        format!("{p:.dp$}")
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.percent_text())
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
/// use eduaid_report::{format_money, MoneyUnit};
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
    /// A rate shown as a percentage.
    Rate(Rate),
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
                r.numerator,
                r.denominator,
                r.precision,
                rounding_chinese(r.rounding)
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

/// Where a figure came from: the program or indicator that produced it and
/// the file it was read from, so a reader can trace every number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The aid program id (`living-subsidy`), if the figure is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    /// The indicator or computation (`retention.junior`, `sum of stages`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// The file or data set it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Source {
    /// A figure about an aid program.
    #[must_use]
    pub fn program(id: impl Into<String>) -> Source {
        Source {
            program: Some(id.into()),
            ..Source::default()
        }
    }

    /// A figure from an indicator or computation.
    #[must_use]
    pub fn indicator(name: impl Into<String>) -> Source {
        Source {
            indicator: Some(name.into()),
            ..Source::default()
        }
    }

    /// Add the indicator.
    #[must_use]
    pub fn with_indicator(mut self, name: impl Into<String>) -> Source {
        self.indicator = Some(name.into());
        self
    }

    /// Add the file.
    #[must_use]
    pub fn with_file(mut self, file: impl Into<String>) -> Source {
        self.file = Some(file.into());
        self
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(p) = &self.program {
            parts.push(format!("项目 {p}"));
        }
        if let Some(i) = &self.indicator {
            parts.push(format!("指标 {i}"));
        }
        if let Some(x) = &self.file {
            parts.push(format!("文件 {x}"));
        }
        if parts.is_empty() {
            f.write_str("未注明")
        } else {
            f.write_str(&parts.join("；"))
        }
    }
}

/// One figure of a report.
///
/// ```
/// use eduaid_model::Money;
/// use eduaid_report::{Figure, Source};
/// let f = Figure::money("living_subsidy_amount", "义务教育生活补助资金", Money::yuan(6_735_875), Source::program("living-subsidy"))
///     .in_wan_yuan();
/// assert_eq!(f.display(), "673.5875万元");
/// let c = Figure::count("disabled_total", "三类残疾儿童", 307, "人", Source::indicator("counts.disabled"));
/// assert_eq!(c.display(), "307人");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// How templates and relations name it: `[a-z][a-z0-9_]*`.
    pub key: String,
    /// What it is, in Chinese, for the data appendix.
    pub label: String,
    /// The value.
    pub value: Value,
    /// Where it came from.
    pub source: Source,
}

impl Figure {
    /// A figure of any value.
    #[must_use]
    pub fn new(key: impl Into<String>, label: impl Into<String>, value: Value, source: Source) -> Figure {
        Figure {
            key: key.into(),
            label: label.into(),
            value,
            source,
        }
    }

    /// A count with its unit (人, 人次, 所, 个班, 名).
    #[must_use]
    pub fn count(key: impl Into<String>, label: impl Into<String>, n: u64, unit: &str, source: Source) -> Figure {
        Figure::new(
            key,
            label,
            Value::Count {
                n,
                unit: unit.to_string(),
            },
            source,
        )
    }

    /// An amount, shown in the automatic unit with every significant decimal.
    #[must_use]
    pub fn money(key: impl Into<String>, label: impl Into<String>, amount: Money, source: Source) -> Figure {
        Figure::new(
            key,
            label,
            Value::Money {
                amount,
                unit: MoneyUnit::Auto,
                max_dp: None,
                rounding: Rounding::HalfUp,
            },
            source,
        )
    }

    /// A rate.
    #[must_use]
    pub fn rate(key: impl Into<String>, label: impl Into<String>, rate: Rate, source: Source) -> Figure {
        Figure::new(key, label, Value::Rate(rate), source)
    }

    /// A date.
    #[must_use]
    pub fn date(key: impl Into<String>, label: impl Into<String>, date: NaiveDate, source: Source) -> Figure {
        Figure::new(key, label, Value::Date(date), source)
    }

    /// A plain number shown at `precision` places (四舍五入).
    #[must_use]
    pub fn number(
        key: impl Into<String>,
        label: impl Into<String>,
        value: Decimal,
        precision: Option<u32>,
        unit: &str,
        source: Source,
    ) -> Figure {
        Figure::new(
            key,
            label,
            Value::Number {
                value,
                precision,
                rounding: Rounding::HalfUp,
                unit: unit.to_string(),
            },
            source,
        )
    }

    /// Show a money figure in 万元 (no effect on other values).
    #[must_use]
    pub fn in_wan_yuan(self) -> Figure {
        self.with_money_unit(MoneyUnit::Wan)
    }

    /// Show a money figure in the given unit (no effect on other values).
    #[must_use]
    pub fn with_money_unit(mut self, new_unit: MoneyUnit) -> Figure {
        if let Value::Money { unit, .. } = &mut self.value {
            *unit = new_unit;
        }
        self
    }

    /// The value as printed.
    #[must_use]
    pub fn display(&self) -> String {
        self.value.display()
    }

    /// Check the key and, for a rate, the denominator.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] or [`Error::InvalidRate`].
    pub fn validate(&self) -> Result<(), Error> {
        if !is_identifier(&self.key) {
            return Err(Error::InvalidKey { key: self.key.clone() });
        }
        if let Value::Rate(r) = &self.value {
            r.check(&self.key)?;
        }
        Ok(())
    }
}

/// True for `[a-z][a-z0-9_]*`.
pub(crate) fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The figures of a report, in the order they were added, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureSet {
    figures: Vec<Figure>,
    #[serde(skip)]
    index: BTreeMap<String, usize>,
}

impl FigureSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> FigureSet {
        FigureSet::default()
    }

    /// Add a figure.
    ///
    /// # Errors
    /// [`Error::InvalidKey`], [`Error::InvalidRate`] or
    /// [`Error::DuplicateKey`].
    pub fn insert(&mut self, figure: Figure) -> Result<(), Error> {
        figure.validate()?;
        if self.index.contains_key(&figure.key) || self.figures.iter().any(|f| f.key == figure.key) {
            return Err(Error::DuplicateKey { key: figure.key });
        }
        self.index.insert(figure.key.clone(), self.figures.len());
        self.figures.push(figure);
        Ok(())
    }

    /// The figure under `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Figure> {
        match self.index.get(key) {
            Some(&i) => self.figures.get(i),
            // A set deserialized without its index still answers.
            None => self.figures.iter().find(|f| f.key == key),
        }
    }

    /// The figure under `key`, or [`Error::Unknown`].
    ///
    /// # Errors
    /// [`Error::Unknown`] if there is none.
    pub fn require(&self, key: &str) -> Result<&Figure, Error> {
        self.get(key).ok_or_else(|| Error::Unknown {
            what: "figure",
            key: key.to_string(),
        })
    }

    /// Every figure, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Figure> {
        self.figures.iter()
    }

    /// How many figures.
    #[must_use]
    pub fn len(&self) -> usize {
        self.figures.len()
    }

    /// True if there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.figures.is_empty()
    }
}

impl<'a> IntoIterator for &'a FigureSet {
    type Item = &'a Figure;
    type IntoIter = std::slice::Iter<'a, Figure>;
    fn into_iter(self) -> Self::IntoIter {
        self.figures.iter()
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
        assert_eq!(Rate::new(305, 307, 1).unwrap().to_string(), "99.3%");
        assert_eq!(Rate::new(305, 307, 2).unwrap().to_string(), "99.35%");
        assert_eq!(Rate::new(1, 8, 1).unwrap().to_string(), "12.5%");
        assert_eq!(Rate::new(1, 16, 1).unwrap().to_string(), "6.3%");
        assert_eq!(
            Rate::new(1, 16, 1)
                .unwrap()
                .with_rounding(Rounding::HalfEven)
                .to_string(),
            "6.2%"
        );
        assert_eq!(Rate::new(1, 3, 2).unwrap().to_string(), "33.33%");
        assert_eq!(Rate::new(0, 3, 2).unwrap().to_string(), "0%");
        assert_eq!(Rate::new(2, 3, 0).unwrap().to_string(), "67%");
        assert!(Rate::new(1, 0, 2).is_err());
        assert_eq!(Rate::new(1642, 8880, 2).unwrap().percent(), d("18.49"));
    }

    #[test]
    fn values_display_with_units() {
        assert_eq!(
            format_date(NaiveDate::from_ymd_opt(2017, 7, 11).unwrap()),
            "2017年7月11日"
        );
        let avg = Figure::number(
            "avg",
            "平均班额",
            d("8692") / d("113"),
            Some(1),
            "人",
            Source::default(),
        );
        assert_eq!(avg.display(), "76.9人");
        assert_eq!(avg.value.number_text(), "76.9");
        let m = Figure::money("m", "资金", Money::yuan(4_723_400), Source::default());
        assert_eq!(m.value.number_text(), "472.34");
        assert_eq!(m.value.unit_text(), "万元");
    }

    #[test]
    fn sets_reject_bad_and_duplicate_keys() {
        let mut s = FigureSet::new();
        s.insert(Figure::count("a_1", "甲", 1, "人", Source::default()))
            .unwrap();
        assert!(matches!(
            s.insert(Figure::count("a_1", "甲", 1, "人", Source::default())),
            Err(Error::DuplicateKey { .. })
        ));
        assert!(matches!(
            s.insert(Figure::count("A-1", "甲", 1, "人", Source::default())),
            Err(Error::InvalidKey { .. })
        ));
        assert!(s.require("nope").is_err());
        assert_eq!(s.get("a_1").map(Figure::display).as_deref(), Some("1人"));
    }
}
