//! Checks of typed figures: the relations between them that must hold.

use chrono::NaiveDate;
use eduaid_model::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Check, CheckKind, Validation};
use crate::Error;
use crate::figure::FigureSet;
use crate::value::{Value, format_date};

/// An arithmetic relation between figures that must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Relation {
    /// The parts (counts of one unit, or amounts) sum to the total.
    Sum {
        /// Keys of the parts.
        parts: Vec<String>,
        /// Key of the total.
        total: String,
    },
    /// A rate figure is numerator over denominator (two count figures).
    Rate {
        /// Key of the rate figure.
        rate: String,
        /// Key of the numerator count.
        numerator: String,
        /// Key of the denominator count.
        denominator: String,
    },
    /// An amount equals a count times a standard times a share (1 for a
    /// full-year standard paid for a year, ½ for one term of it).
    Product {
        /// Key of the amount figure.
        amount: String,
        /// Key of the count figure.
        count: String,
        /// The standard per unit of the count.
        standard: Money,
        /// The share of the standard paid.
        share: Decimal,
    },
    /// A count (or amount) figure equals the records it claims, counted
    /// again from the records themselves: `payments_bank_card_count` must be
    /// the number of records of that term paid to a bank card, not of every
    /// term and channel.
    Records {
        /// Key of the count or amount figure.
        key: String,
        /// The value counted (or summed, in yuan) from the records.
        records: Decimal,
        /// Which records, in words (`2017年春季学期打卡发放记录`).
        basis: String,
    },
    /// A figure describes a day on or before the report's date: data of a
    /// later day is refused (a plan is a setting, not a figure of the data).
    NotAfter {
        /// Key of the figure.
        key: String,
        /// The day the figure describes (the first day of its school year
        /// for a figure of a school year).
        dated: NaiveDate,
        /// The report's date.
        report_date: NaiveDate,
    },
}

/// The label of a figure, for a check's location.
fn label(figures: &FigureSet, key: &str) -> String {
    figures.get(key).map_or_else(|| key.to_string(), |f| f.label.clone())
}

/// Exact value of a count or money figure, and how it prints.
fn exact(figures: &FigureSet, key: &str) -> Result<(Decimal, String), Error> {
    let f = figures.require(key)?;
    let v = match &f.value {
        Value::Count { n, .. } => Decimal::from(*n),
        Value::Money { amount, .. } => amount.as_decimal(),
        Value::Number { value, .. } => *value,
        Value::Rate(r) => r.percent_exact(),
        Value::Date(_) => {
            return Err(Error::InvalidRate {
                key: key.to_string(),
                reason: "a date takes part in no arithmetic".into(),
            });
        }
    };
    Ok((v, f.display()))
}

/// Check typed figures against relations.
///
/// # Errors
/// [`Error::Unknown`] if a relation names a figure the set lacks, and
/// [`Error::InvalidRate`] if a rate relation names a figure that is not a
/// rate.
pub fn validate_figures(figures: &FigureSet, relations: &[Relation]) -> Result<Validation, Error> {
    let mut out = Validation::default();
    for r in relations {
        let check = match r {
            Relation::Sum { parts, total } => check_sum(figures, parts, total)?,
            Relation::Rate {
                rate,
                numerator,
                denominator,
            } => check_rate(figures, rate, numerator, denominator)?,
            Relation::Product {
                amount,
                count,
                standard,
                share,
            } => check_product(figures, amount, count, *standard, *share)?,
            Relation::Records { key, records, basis } => check_records(figures, key, *records, basis)?,
            Relation::NotAfter {
                key,
                dated,
                report_date,
            } => check_not_after(figures, key, *dated, *report_date)?,
        };
        out.checks.push(check);
    }
    Ok(out)
}

/// [`Relation::Sum`]: the parts add up to the total.
fn check_sum(figures: &FigureSet, parts: &[String], total: &str) -> Result<Check, Error> {
    let mut sum = Decimal::ZERO;
    let mut numbers = Vec::new();
    for p in parts {
        let (v, s) = exact(figures, p)?;
        sum += v;
        numbers.push(s);
    }
    let (t, ts) = exact(figures, total)?;
    numbers.push(ts.clone());
    let ok = sum == t;
    Ok(Check {
        kind: CheckKind::Sum,
        location: format!(
            "{}＝{}",
            parts.iter().map(|p| label(figures, p)).collect::<Vec<_>>().join("＋"),
            label(figures, total)
        ),
        numbers,
        consistent: ok,
        message: if ok {
            format!("分项之和{}与合计{ts}一致", sum.normalize())
        } else {
            format!("分项之和为{}，与合计{ts}不符", sum.normalize())
        },
    })
}

/// [`Relation::Rate`]: the rate figure is computed from the two count
/// figures.
fn check_rate(figures: &FigureSet, rate: &str, numerator: &str, denominator: &str) -> Result<Check, Error> {
    let f = figures.require(rate)?;
    let Value::Rate(rv) = &f.value else {
        return Err(Error::InvalidRate {
            key: rate.to_string(),
            reason: "not a rate figure".into(),
        });
    };
    let (n, ns) = exact(figures, numerator)?;
    let (d, ds) = exact(figures, denominator)?;
    let ok = n == Decimal::from(rv.numerator()) && d == Decimal::from(rv.denominator());
    Ok(Check {
        kind: CheckKind::Rate,
        location: format!(
            "{}＝{}÷{}",
            label(figures, rate),
            label(figures, numerator),
            label(figures, denominator)
        ),
        numbers: vec![ns.clone(), ds.clone(), rv.to_string()],
        consistent: ok,
        message: if ok {
            format!("{ns}÷{ds}={}，与所列一致", rv)
        } else {
            format!(
                "比率按{}/{}计算，而分子、分母所列为{ns}、{ds}",
                rv.numerator(),
                rv.denominator()
            )
        },
    })
}

/// [`Relation::Product`]: the amount is the count times the standard times
/// the share paid.
fn check_product(
    figures: &FigureSet,
    amount: &str,
    count: &str,
    standard: Money,
    share: Decimal,
) -> Result<Check, Error> {
    let (a, as_) = exact(figures, amount)?;
    let (c, cs) = exact(figures, count)?;
    let expected = c
        .checked_mul(standard.as_decimal())
        .and_then(|x| x.checked_mul(share))
        .unwrap_or(Decimal::MAX);
    let ok = expected == a;
    let share_txt = if share == Decimal::ONE {
        String::new()
    } else {
        format!("×{}", share.normalize())
    };
    Ok(Check {
        kind: CheckKind::Amount,
        location: format!(
            "{}＝{}×{standard}{share_txt}",
            label(figures, amount),
            label(figures, count)
        ),
        numbers: vec![cs.clone(), standard.to_string(), as_.clone()],
        consistent: ok,
        message: if ok {
            format!("{cs}×{standard}{share_txt}={}元，与{as_}一致", expected.normalize())
        } else {
            format!("{cs}×{standard}{share_txt}={}元，与{as_}不符", expected.normalize())
        },
    })
}

/// [`Relation::Records`]: the figure is what the records give, counted
/// again.
fn check_records(figures: &FigureSet, key: &str, records: Decimal, basis: &str) -> Result<Check, Error> {
    let (v, vs) = exact(figures, key)?;
    let ok = v == records;
    Ok(Check {
        kind: CheckKind::Records,
        location: format!("{}＝{basis}", label(figures, key)),
        numbers: vec![vs.clone(), records.normalize().to_string()],
        consistent: ok,
        message: if ok {
            format!("{basis}重新计数为{}，与{vs}一致", records.normalize())
        } else {
            format!("{basis}重新计数为{}，与所列{vs}不符", records.normalize())
        },
    })
}

/// [`Relation::NotAfter`]: the figure's day is not after the report's.
fn check_not_after(figures: &FigureSet, key: &str, dated: NaiveDate, report_date: NaiveDate) -> Result<Check, Error> {
    let f = figures.require(key)?;
    let ok = dated <= report_date;
    let (d, r) = (format_date(dated), format_date(report_date));
    Ok(Check {
        kind: CheckKind::Date,
        location: label(figures, key),
        numbers: vec![f.display(), d.clone(), r.clone()],
        consistent: ok,
        message: if ok {
            format!("数据日期{d}不晚于报告日期{r}")
        } else {
            format!("数据日期{d}晚于报告日期{r}，报告不得引用")
        },
    })
}
