//! Typed figures (数据): every number a report prints, with its unit, its
//! precision and where it came from.
//!
//! A [`Figure`] is a key (how templates name it), a label (how the data
//! appendix names it), a [`Value`] and a [`Source`]. Values round once, when
//! they are shown, by the [`Rounding`] they carry (四舍五入 unless said).

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use eduaid_model::{Money, Rounding};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::value::{MoneyUnit, Percentage, Value};

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

    /// A rate, printed as a percentage.
    #[must_use]
    pub fn rate(key: impl Into<String>, label: impl Into<String>, rate: Percentage, source: Source) -> Figure {
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
    use crate::value::format_date;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
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
