//! Exact ratios and rates: integer numerator and denominator, rounded once,
//! where they are shown.
//!
//! A [`Ratio`] is a plain quotient of two integers (a pupil-teacher ratio,
//! an average class size, a parity index). A [`Rate`] is a ratio shown as a
//! percentage, with what a reader needs to trust it: the base and outcome
//! school years, whether its denominator was adjusted for transfers, and the
//! quality [`Flag`]s (zero, negative or small denominator, over 100%).
//!
//! Nothing here is a float. Rounding to `dp` places is done on the exact
//! quotient with integer arithmetic, so `305/307` shown at one decimal is
//! 99.3% under 四舍五入 whatever the intermediate precision.
//!
//! The rate lives in the model because two crates meet over it: the
//! statistics crate computes rates, the report crate prints them (a
//! report's figure holds a `Rate` with the places it is printed at). The
//! check that tells a figure rounded once from one rounded in successive
//! steps ([`detect_double_rounding`]) is here for the same reason: the
//! statistics crate checks printed rates with it, the report's validator
//! checks the percentages of a text.

use std::cmp::Ordering;
use std::fmt;

use crate::convert::clamped;
use crate::{Decimal, Rounding, SchoolYear};
use serde::{Deserialize, Serialize};

mod printed;
mod quality;
mod ratio;

pub use printed::{DOUBLE_ROUNDING_DEPTH, PrintedCheck, detect_double_rounding};
pub use quality::{Flag, Missing};
pub use ratio::Ratio;

/// The largest number of decimal places a figure is rounded to.
pub const MAX_DP: u32 = 20;

/// The 97.5% quantile of the standard normal distribution, z for a
/// two-sided 95% interval: 1.959963984540054235524594431, the exact quantile
/// to `Decimal`'s 28 significant digits (1.959964 to six places; not the
/// rounded 1.96). Computed by Newton's method on Φ(z) = 0.975 with 60-digit
/// arithmetic.
pub const Z_975: Decimal = Decimal::from_parts(656_636_671, 2_154_285_250, 106_249_860, false, 27);

/// What is shown in place of a figure that has no value.
pub const NO_VALUE: &str = "—";

/// Show a rounded decimal with exactly `dp` places (`100` at two places is
/// `100.00`).
#[must_use]
pub fn fixed(v: Decimal, dp: u32) -> String {
    let width = clamped::<_, usize>(dp);
    format!("{v:.width$}")
}

/// A rate (率): an exact proportion shown as a percentage.
///
/// ```
/// use eduaid_model::rate::{Flag, Rate};
/// use eduaid_model::Rounding;
/// let r = Rate::new(305, 307);
/// assert_eq!(r.format_percent(1), "99.3%");
/// assert_eq!(r.format_percent_with(4, Rounding::HalfEven), "99.3485%");
/// assert!(Rate::new(0, 0).flags().contains(&Flag::ZeroDenominator));
/// assert_eq!(Rate::new(0, 0).format_percent(1), "—");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// The exact proportion.
    pub ratio: Ratio,
    /// The school year of the denominator (the base year of a flow rate,
    /// the intake year of a cohort).
    pub base_year: Option<SchoolYear>,
    /// The school year of the numerator (the outcome year).
    pub outcome_year: Option<SchoolYear>,
    /// The denominator was adjusted by transfers.
    pub transfer_adjusted: bool,
    /// Show values over 100% as 100% (the raw value is still kept).
    pub cap_at_hundred: bool,
    /// Denominators below this are flagged as small.
    pub small_threshold: u64,
    /// The input that is missing, if any: then the rate has no value and
    /// [`ratio`](Self::ratio) holds only what the counts present gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_computable: Option<Missing>,
}

impl Rate {
    /// The default small-denominator threshold: fewer than 10.
    pub const DEFAULT_SMALL_THRESHOLD: u64 = 10;

    /// The rate `numerator / denominator`, uncapped, unadjusted, without
    /// years.
    #[must_use]
    pub fn new(numerator: i128, denominator: i128) -> Rate {
        Rate::from_ratio(Ratio::new(numerator, denominator))
    }

    /// The rate of two counts.
    #[must_use]
    pub fn of_counts(numerator: u64, denominator: u64) -> Rate {
        Rate::from_ratio(Ratio::of_counts(numerator, denominator))
    }

    /// A rate over an exact ratio.
    #[must_use]
    pub fn from_ratio(ratio: Ratio) -> Rate {
        Rate {
            ratio,
            base_year: None,
            outcome_year: None,
            transfer_adjusted: false,
            cap_at_hundred: false,
            small_threshold: Rate::DEFAULT_SMALL_THRESHOLD,
            not_computable: None,
        }
    }

    /// The rate marked not computable for want of `missing` (it then has no
    /// value).
    #[must_use]
    pub fn missing(mut self, missing: Missing) -> Rate {
        self.not_computable = Some(missing);
        self
    }

    /// Mark the rate not computable if `missing` is some.
    #[must_use]
    pub fn with_missing(mut self, missing: Option<Missing>) -> Rate {
        if missing.is_some() {
            self.not_computable = missing;
        }
        self
    }

    /// Set the base and outcome school years.
    #[must_use]
    pub fn with_years(mut self, base: SchoolYear, outcome: SchoolYear) -> Rate {
        self.base_year = Some(base);
        self.outcome_year = Some(outcome);
        self
    }

    /// Mark the denominator as adjusted by transfers (or not).
    #[must_use]
    pub fn with_transfer_adjusted(mut self, adjusted: bool) -> Rate {
        self.transfer_adjusted = adjusted;
        self
    }

    /// Show values over 100% as 100% (or not).
    #[must_use]
    pub fn with_cap(mut self, cap: bool) -> Rate {
        self.cap_at_hundred = cap;
        self
    }

    /// Set the small-denominator threshold.
    #[must_use]
    pub fn with_small_threshold(mut self, threshold: u64) -> Rate {
        self.small_threshold = threshold;
        self
    }

    /// The numerator.
    #[must_use]
    pub fn numerator(&self) -> i128 {
        self.ratio.numerator
    }

    /// The denominator.
    #[must_use]
    pub fn denominator(&self) -> i128 {
        self.ratio.denominator
    }

    /// True if the rate has a value: its inputs are present and its
    /// denominator is above zero.
    #[must_use]
    pub fn has_value(&self) -> bool {
        self.not_computable.is_none() && self.ratio.denominator > 0
    }

    /// True if the raw rate is above 100%.
    #[must_use]
    pub fn exceeds_hundred(&self) -> bool {
        self.has_value() && self.ratio.numerator > self.ratio.denominator
    }

    /// True if the shown value is held at 100%.
    #[must_use]
    pub fn is_capped(&self) -> bool {
        self.cap_at_hundred && self.exceeds_hundred()
    }

    /// The quality flags, in a fixed order.
    #[must_use]
    pub fn flags(&self) -> Vec<Flag> {
        let mut v = Vec::new();
        if let Some(m) = self.not_computable {
            v.push(Flag::NotComputable(m));
            return v;
        }
        let (n, d) = (self.ratio.numerator, self.ratio.denominator);
        match d.cmp(&0) {
            Ordering::Equal => v.push(Flag::ZeroDenominator),
            Ordering::Less => v.push(Flag::NegativeDenominator),
            Ordering::Greater => {}
        }
        if n < 0 {
            v.push(Flag::NegativeNumerator);
        }
        if self.exceeds_hundred() {
            v.push(Flag::OverHundred {
                capped: self.cap_at_hundred,
            });
        }
        if d > 0 && d < i128::from(self.small_threshold) {
            v.push(Flag::SmallDenominator {
                threshold: self.small_threshold,
            });
        }
        if self.transfer_adjusted {
            v.push(Flag::TransferAdjusted);
        }
        v
    }

    /// The exact proportion as shown: the raw one, or 1/1 when capped.
    #[must_use]
    pub fn shown(&self) -> Ratio {
        if self.is_capped() { Ratio::new(1, 1) } else { self.ratio }
    }

    /// The proportion (0 to 1, unrounded to 28 digits), capped if the rate
    /// is; `None` without a positive denominator.
    #[must_use]
    pub fn fraction(&self) -> Option<Decimal> {
        if self.has_value() { self.shown().value() } else { None }
    }

    /// The percentage to 28 significant digits, capped if the rate is: for
    /// further exact arithmetic, not for display.
    #[must_use]
    pub fn percent_exact(&self) -> Option<Decimal> {
        self.fraction()?
            .checked_mul(Decimal::ONE_HUNDRED)
            .map(|v| v.normalize())
    }

    /// The raw percentage, never capped, to 28 significant digits.
    #[must_use]
    pub fn raw_percent_exact(&self) -> Option<Decimal> {
        if !self.has_value() {
            return None;
        }
        self.ratio
            .value()?
            .checked_mul(Decimal::ONE_HUNDRED)
            .map(|v| v.normalize())
    }

    /// The percentage rounded once to `dp` places by `rounding`, capped if
    /// the rate is.
    #[must_use]
    pub fn percent(&self, dp: u32, rounding: Rounding) -> Option<Decimal> {
        if !self.has_value() {
            return None;
        }
        self.shown().round_scaled(2, dp, rounding)
    }

    /// The raw percentage rounded once, never capped.
    #[must_use]
    pub fn raw_percent(&self, dp: u32, rounding: Rounding) -> Option<Decimal> {
        if !self.has_value() {
            return None;
        }
        self.ratio.round_scaled(2, dp, rounding)
    }

    /// The percentage as published, rounded 四舍五入 to `dp` places:
    /// `"98.86%"`; `"—"` without a value.
    #[must_use]
    pub fn format_percent(&self, dp: u32) -> String {
        self.format_percent_with(dp, Rounding::HalfUp)
    }

    /// The percentage rounded by `rounding` to `dp` places, e.g. `"99.3%"`.
    #[must_use]
    pub fn format_percent_with(&self, dp: u32, rounding: Rounding) -> String {
        match self.percent(dp, rounding) {
            Some(v) => format!("{}%", fixed(v, dp)),
            None => NO_VALUE.to_string(),
        }
    }

    /// The Wilson score interval of the proportion at `z` standard
    /// deviations ([`Z_975`] for 95%), as fractions from 0 to 1; `None` unless
    /// `0 ≤ numerator ≤ denominator` and the denominator is above zero.
    ///
    /// `(p̂ + z²/2n ± z√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)`, in exact decimal
    /// arithmetic with a decimal square root (28 significant digits).
    #[must_use]
    pub fn wilson_interval(&self, z: Decimal) -> Option<(Decimal, Decimal)> {
        let (k, n) = (self.ratio.numerator, self.ratio.denominator);
        if self.not_computable.is_some() || n <= 0 || k < 0 || k > n || z.is_sign_negative() {
            return None;
        }
        let n = Decimal::try_from_i128_with_scale(n, 0).ok()?;
        let k = Decimal::try_from_i128_with_scale(k, 0).ok()?;
        let p = k.checked_div(n)?;
        let z2 = z.checked_mul(z)?;
        let centre = p.checked_add(z2.checked_div(n.checked_mul(Decimal::TWO)?)?)?;
        let var = p
            .checked_mul(Decimal::ONE.checked_sub(p)?)?
            .checked_div(n)?
            .checked_add(z2.checked_div(n.checked_mul(n)?.checked_mul(Decimal::from(4))?)?)?;
        let half = z.checked_mul(sqrt(var)?)?;
        let scale = Decimal::ONE.checked_add(z2.checked_div(n)?)?;
        let lo = centre.checked_sub(half)?.checked_div(scale)?;
        let hi = centre.checked_add(half)?.checked_div(scale)?;
        // At 0 of n the lower bound is exactly 0, at n of n the upper
        // exactly 1: the decimal square root would leave a trace.
        let lo = if k.is_zero() {
            Decimal::ZERO
        } else {
            lo.max(Decimal::ZERO)
        };
        let hi = if k == n { Decimal::ONE } else { hi.min(Decimal::ONE) };
        Some((lo, hi))
    }

    /// The 95% Wilson interval, with z = [`Z_975`] =
    /// 1.959963984540054235524594431, the exact 97.5% normal quantile to 28
    /// digits (1.959964 to six places), not the rounded 1.96.
    #[must_use]
    pub fn wilson_95(&self) -> Option<(Decimal, Decimal)> {
        self.wilson_interval(Z_975)
    }

    /// The percentage rounded once to `sig` significant figures by
    /// `rounding` (at least one), capped if the rate is: 1737/1757 is
    /// 98.9 at three figures, 1/7 is 14.3; `None` without a value.
    #[must_use]
    pub fn percent_significant(&self, sig: u32, rounding: Rounding) -> Option<Decimal> {
        if !self.has_value() {
            return None;
        }
        self.shown().round_significant(2, sig, rounding)
    }

    /// The percentage rounded to `sig` significant figures and shown with
    /// them, e.g. `"98.9%"`; `"—"` without a value.
    #[must_use]
    pub fn format_percent_significant(&self, sig: u32, rounding: Rounding) -> String {
        match self.percent_significant(sig, rounding) {
            Some(v) => format!("{v}%"),
            None => NO_VALUE.to_string(),
        }
    }
}

impl fmt::Display for Rate {
    /// `98.86% (1737/1757)`: the percentage 四舍五入 to two places and the
    /// exact counts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.format_percent(2), self.ratio)?;
        for flag in self.flags() {
            write!(f, " [{flag}]")?;
        }
        Ok(())
    }
}

/// The square root of a non-negative decimal by Newton's method, to
/// `Decimal`'s precision, in a bounded number of steps (never panics).
#[must_use]
pub fn sqrt(x: Decimal) -> Option<Decimal> {
    if x.is_sign_negative() && !x.is_zero() {
        return None;
    }
    if x.is_zero() {
        return Some(Decimal::ZERO);
    }
    let mut guess = if x > Decimal::ONE {
        x / Decimal::TWO
    } else {
        Decimal::ONE
    };
    for _ in 0..200 {
        let next = guess.checked_add(x.checked_div(guess)?)?.checked_div(Decimal::TWO)?;
        if next == guess {
            break;
        }
        guess = next;
    }
    Some(guess)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn rounds_once_on_the_exact_quotient() {
        let r = Rate::new(305, 307);
        assert_eq!(r.percent(1, Rounding::HalfUp), Some(d("99.3")));
        assert_eq!(r.percent(2, Rounding::HalfUp), Some(d("99.35")));
        assert_eq!(r.format_percent(1), "99.3%");
        // 1/8 = 12.5%: the midpoint at zero places.
        let e = Rate::new(1, 8);
        assert_eq!(e.percent(0, Rounding::HalfUp), Some(d("13")));
        assert_eq!(e.percent(0, Rounding::HalfEven), Some(d("12")));
        assert_eq!(e.percent(0, Rounding::Down), Some(d("12")));
        assert_eq!(Rate::new(1, 3).percent(0, Rounding::Up), Some(d("34")));
        assert_eq!(Rate::new(-1, 8).percent(0, Rounding::HalfUp), Some(d("-13")));
        assert_eq!(Rate::new(1, -8).percent(0, Rounding::HalfUp), None);
        assert_eq!(Ratio::new(1, -8).round(3, Rounding::HalfUp), Some(d("-0.125")));
    }

    #[test]
    fn hundred_percent_is_shown_with_its_places() {
        assert_eq!(Rate::new(5, 5).format_percent(2), "100.00%");
        assert_eq!(Rate::new(0, 5).format_percent(0), "0%");
    }

    #[test]
    fn over_hundred_is_flagged_and_capped_on_request() {
        let r = Rate::new(11, 10);
        assert_eq!(r.flags(), vec![Flag::OverHundred { capped: false }]);
        assert_eq!(r.format_percent(1), "110.0%");
        let c = r.with_cap(true);
        assert_eq!(c.format_percent(1), "100.0%");
        assert_eq!(c.raw_percent(1, Rounding::HalfUp), Some(d("110.0")));
        assert!(c.flags().contains(&Flag::OverHundred { capped: true }));
    }

    #[test]
    fn small_and_zero_denominators() {
        let r = Rate::new(3, 4);
        assert!(r.flags().contains(&Flag::SmallDenominator { threshold: 10 }));
        assert!(
            !Rate::new(3, 10)
                .flags()
                .iter()
                .any(|f| matches!(f, Flag::SmallDenominator { .. }))
        );
        assert!(
            Rate::new(3, 10)
                .with_small_threshold(20)
                .flags()
                .contains(&Flag::SmallDenominator { threshold: 20 })
        );
        let z = Rate::new(0, 0);
        assert_eq!(z.fraction(), None);
        assert_eq!(z.wilson_95(), None);
        assert_eq!(z.flags(), vec![Flag::ZeroDenominator]);
    }

    #[test]
    fn wilson_interval_matches_the_textbook() {
        // 8 of 10 at 95%: the textbook interval is (0.4902, 0.9433).
        let (lo, hi) = Rate::new(8, 10).wilson_95().unwrap();
        assert_eq!(Rounding::HalfUp.round(lo, 4), d("0.4902"));
        assert_eq!(Rounding::HalfUp.round(hi, 4), d("0.9433"));
        let (lo, hi) = Rate::new(0, 5).wilson_95().unwrap();
        assert_eq!(lo, Decimal::ZERO);
        assert_eq!(Rounding::HalfUp.round(hi, 4), d("0.4345"));
    }

    #[test]
    fn decimal_sqrt() {
        assert_eq!(sqrt(d("4")), Some(d("2")));
        assert_eq!(sqrt(d("0")), Some(Decimal::ZERO));
        assert_eq!(sqrt(d("-1")), None);
        assert_eq!(Rounding::HalfUp.round(sqrt(d("2")).unwrap(), 10), d("1.4142135624"));
        assert!(sqrt(Decimal::MAX).is_some());
        assert!(sqrt(d("0.0000000000000000000000000001")).is_some());
    }

    #[test]
    fn ratios_compare_exactly() {
        assert_eq!(Ratio::new(1, 3).compare(&Ratio::new(2, 6)), Some(Ordering::Equal));
        assert_eq!(Ratio::new(1, -3).compare(&Ratio::new(0, 6)), Some(Ordering::Less));
        assert_eq!(Ratio::new(1, 0).compare(&Ratio::new(0, 6)), None);
        assert_eq!(Ratio::new(1, 2).checked_div(&Ratio::new(1, 4)), Some(Ratio::new(4, 2)));
        assert_eq!(Ratio::new(750, 40).format_colon(), "75:4");
        assert_eq!(Ratio::new(-6, -4).reduced(), Ratio::new(3, 2));
        assert_eq!(Ratio::new(0, 0).reduced(), Ratio::new(0, 0));
        assert_eq!(
            Ratio::new(i128::MIN, i128::MIN).reduced(),
            Ratio::new(i128::MIN, i128::MIN)
        );
        assert_eq!(Ratio::new(5, 0).format_colon(), "");
    }
}
