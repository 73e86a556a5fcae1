//! Targets and standards (省颁标准): is a rate at least (or at most) a
//! threshold, and by how much.
//!
//! The comparison is exact, on the unrounded rate: 94.996% does not meet a
//! 95% standard even though it prints as 95.00% at two places. The margin
//! is exact too; round it, once, where it is shown.

use std::cmp::Ordering;
use std::fmt;

use eduaid_model::{Decimal, Rounding};
use serde::{Deserialize, Serialize};

use crate::rate::{Rate, Ratio, fixed};

/// Which side of the threshold meets the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The rate must be at least the threshold (retention, enrolment).
    AtLeast,
    /// The rate must be at most the threshold (dropout).
    AtMost,
}

/// A standard a rate must meet, in percent: "初中三年巩固率 ≥ 95%".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// What it is, e.g. `初中三年巩固率`.
    pub name: String,
    /// The threshold in percent, exact.
    pub threshold: Decimal,
    /// At least or at most.
    pub direction: Direction,
}

impl Target {
    /// A target of at least `percent`.
    #[must_use]
    pub fn at_least(name: impl Into<String>, percent: Decimal) -> Target {
        Target {
            name: name.into(),
            threshold: percent,
            direction: Direction::AtLeast,
        }
    }

    /// A target of at most `percent`.
    #[must_use]
    pub fn at_most(name: impl Into<String>, percent: Decimal) -> Target {
        Target {
            name: name.into(),
            threshold: percent,
            direction: Direction::AtMost,
        }
    }

    /// Check a rate against the target, on its shown (capped if so) value.
    ///
    /// ```
    /// use eduaid_stats::Target;
    /// use eduaid_model::rate::Rate;
    /// use eduaid_model::{Decimal, Rounding};
    /// let t = Target::at_least("初中三年巩固率", Decimal::from(95));
    /// let c = t.check(&Rate::new(1737, 1757));
    /// assert_eq!(c.met, Some(true));
    /// assert_eq!(c.format_margin(2, Rounding::HalfUp), "+3.86");
    /// ```
    #[must_use]
    pub fn check(&self, rate: &Rate) -> TargetCheck {
        let Some(value) = shown_ratio(rate) else {
            return TargetCheck {
                target: self.clone(),
                met: None,
                margin: None,
            };
        };
        // threshold as a ratio of percent: value·100 vs threshold, exactly.
        let threshold = Ratio::new(self.threshold.mantissa(), 10i128.pow(self.threshold.scale()));
        // `None` only if the exact products overflow 128 bits.
        let met = value
            .numerator
            .checked_mul(100)
            .and_then(|n| Ratio::new(n, value.denominator).compare(&threshold))
            .map(|o| match self.direction {
                Direction::AtLeast => o != Ordering::Less,
                Direction::AtMost => o != Ordering::Greater,
            });
        // The margin: positive when the target is met with room to spare.
        let margin = value
            .value()
            .and_then(|v| v.checked_mul(Decimal::ONE_HUNDRED))
            .and_then(|p| match self.direction {
                Direction::AtLeast => p.checked_sub(self.threshold),
                Direction::AtMost => self.threshold.checked_sub(p),
            })
            .map(|m| m.normalize());
        TargetCheck {
            target: self.clone(),
            met,
            margin,
        }
    }
}

fn shown_ratio(rate: &Rate) -> Option<Ratio> {
    if !rate.has_value() {
        return None;
    }
    Some(if rate.is_capped() { Ratio::new(1, 1) } else { rate.ratio })
}

/// The verdict of a [`Target`] on a rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetCheck {
    /// The target.
    pub target: Target,
    /// Met or not; `None` when the rate has no value.
    pub met: Option<bool>,
    /// By how many percentage points the rate clears the threshold
    /// (negative when it falls short), to 28 digits.
    pub margin: Option<Decimal>,
}

impl TargetCheck {
    /// The margin in percentage points, signed, rounded to `dp` places:
    /// `"+3.86"`, `"-0.12"`, `"—"`.
    #[must_use]
    pub fn format_margin(&self, dp: u32, rounding: Rounding) -> String {
        match self.margin {
            Some(m) => {
                // The sign is the unrounded margin's: a shortfall that rounds
                // to zero still shows as one.
                let s = fixed(rounding.round(m.abs(), dp), dp);
                if m.is_sign_negative() && !m.is_zero() {
                    format!("-{s}")
                } else {
                    format!("+{s}")
                }
            }
            None => crate::rate::NO_VALUE.to_string(),
        }
    }
}

impl fmt::Display for TargetCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = match self.target.direction {
            Direction::AtLeast => "≥",
            Direction::AtMost => "≤",
        };
        let verdict = match self.met {
            Some(true) => "达标",
            Some(false) => "未达标",
            None => "无数据",
        };
        write!(
            f,
            "{} {sign} {}%: {verdict} ({} 个百分点)",
            self.target.name,
            self.target.threshold.normalize(),
            self.format_margin(2, Rounding::HalfUp)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_comparison_not_the_printed_one() {
        let t = Target::at_least("x", Decimal::from(95));
        // 94.996%: prints as 95.00% but falls short.
        let c = t.check(&Rate::new(94_996, 100_000));
        assert_eq!(c.met, Some(false));
        assert_eq!(c.format_margin(2, Rounding::HalfUp), "-0.00");
        assert_eq!(t.check(&Rate::new(95, 100)).met, Some(true));
        assert_eq!(t.check(&Rate::new(0, 0)).met, None);
        let d = Target::at_most("辍学率", Decimal::new(3, 0));
        assert_eq!(d.check(&Rate::new(2, 100)).met, Some(true));
        assert_eq!(d.check(&Rate::new(4, 100)).margin, Some(Decimal::from(-1)));
    }
}
