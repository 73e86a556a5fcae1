//! [`Ratio`]: a plain quotient of two integers, rounded when shown.

use std::cmp::Ordering;
use std::fmt;

use crate::{Decimal, Rounding};
use serde::{Deserialize, Serialize};

use super::*;

/// A ratio of two integers, held exactly.
///
/// ```
/// use eduaid_model::rate::Ratio;
/// use eduaid_model::Rounding;
/// let avg = Ratio::new(8692, 113);
/// assert_eq!(avg.format(1, Rounding::HalfUp), "76.9");
/// assert_eq!(Ratio::new(1, 0).value(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ratio {
    /// The numerator.
    pub numerator: i128,
    /// The denominator (zero means the ratio has no value).
    pub denominator: i128,
}

impl Ratio {
    /// The ratio `numerator / denominator`.
    #[must_use]
    pub fn new(numerator: i128, denominator: i128) -> Ratio {
        Ratio { numerator, denominator }
    }

    /// The ratio of two counts.
    #[must_use]
    pub fn of_counts(numerator: u64, denominator: u64) -> Ratio {
        Ratio::new(i128::from(numerator), i128::from(denominator))
    }

    /// True if the denominator is zero: the ratio has no value.
    #[must_use]
    pub fn is_undefined(&self) -> bool {
        self.denominator == 0
    }

    /// The quotient to 28 significant digits, for further arithmetic; `None`
    /// if the denominator is zero or a term is past `Decimal`'s range.
    #[must_use]
    pub fn value(&self) -> Option<Decimal> {
        if self.denominator == 0 {
            return None;
        }
        let n = Decimal::try_from_i128_with_scale(self.numerator, 0).ok()?;
        let d = Decimal::try_from_i128_with_scale(self.denominator, 0).ok()?;
        n.checked_div(d).map(|v| v.normalize())
    }

    /// The quotient times `10^shift`, rounded to `dp` places by `rounding`,
    /// computed exactly with integers. `None` for a zero denominator, more
    /// than [`MAX_DP`] places, or a figure past `Decimal`'s range.
    #[must_use]
    pub fn round_scaled(&self, shift: u32, dp: u32, rounding: Rounding) -> Option<Decimal> {
        if self.denominator == 0 || dp > MAX_DP {
            return None;
        }
        let (mut n, mut d) = (self.numerator, self.denominator);
        if d < 0 {
            n = n.checked_neg()?;
            d = d.checked_neg()?;
        }
        let m = n.checked_mul(10i128.checked_pow(shift.checked_add(dp)?)?)?;
        let q = m / d;
        let r = (m % d).checked_abs()?;
        let twice = r.checked_mul(2)?;
        let away = match rounding {
            Rounding::HalfUp => twice >= d,
            Rounding::HalfEven => match twice.cmp(&d) {
                Ordering::Greater => true,
                Ordering::Equal => q % 2 != 0,
                Ordering::Less => false,
            },
            Rounding::Down => false,
            Rounding::Up => r != 0,
        };
        let q = if away && r != 0 { q.checked_add(m.signum())? } else { q };
        Decimal::try_from_i128_with_scale(q, dp).ok()
    }

    /// The quotient rounded to `dp` places by `rounding`.
    #[must_use]
    pub fn round(&self, dp: u32, rounding: Rounding) -> Option<Decimal> {
        self.round_scaled(0, dp, rounding)
    }

    /// The quotient times `10^shift` rounded once to `sig` significant
    /// figures (at least one) by `rounding`, exactly with integers, and
    /// shown with them: 1/7 at three figures is 0.143, 2/3 × 100 at two
    /// is 67, 123456/1 at two is 120000; zero is `0`. `None` for a zero
    /// denominator or a figure past the range.
    #[must_use]
    pub fn round_significant(&self, shift: u32, sig: u32, rounding: Rounding) -> Option<Decimal> {
        let sig = sig.max(1);
        let (n, d) = {
            let r = self.normalized()?;
            (r.numerator.checked_mul(10i128.checked_pow(shift)?)?, r.denominator)
        };
        if n == 0 {
            return Some(Decimal::ZERO);
        }
        // e: the position of the leading digit, 10^(e−1) ≤ |n/d| < 10^e.
        let a = n.checked_abs()?;
        let mut e: i32 = 0;
        while a >= d.checked_mul(10i128.checked_pow(e.unsigned_abs())?)? {
            e += 1;
        }
        while e > -40 && a.checked_mul(10i128.checked_pow((1 - e).unsigned_abs())?)? < d {
            e -= 1;
        }
        let round_at = |places: i32| -> Option<Decimal> {
            if places >= 0 {
                Ratio::new(n, d).round(places.unsigned_abs(), rounding)
            } else {
                let p = 10i128.checked_pow(places.unsigned_abs())?;
                let q = Ratio::new(n, d.checked_mul(p)?).round(0, rounding)?;
                q.checked_mul(Decimal::try_from_i128_with_scale(p, 0).ok()?)
                    .map(|v| v.normalize())
            }
        };
        let places = i32::try_from(sig).ok()? - e;
        let v = round_at(places)?;
        // 99.96 at three figures rounds up to 100.0: show 100.
        let limit = Decimal::try_from_i128_with_scale(10i128.checked_pow(e.max(0).unsigned_abs())?, 0).ok()?;
        if e > 0 && v.abs() >= limit && places > 0 {
            return round_at(places - 1);
        }
        if places > i32::try_from(MAX_DP).ok()? {
            return None;
        }
        Some(v)
    }

    /// The quotient rounded and shown with exactly `dp` places, or `"—"`
    /// when it has no value.
    #[must_use]
    pub fn format(&self, dp: u32, rounding: Rounding) -> String {
        match self.round(dp, rounding) {
            Some(v) => fixed(v, dp),
            None => NO_VALUE.to_string(),
        }
    }

    /// Compare two ratios exactly (cross-multiplication); `None` if either
    /// has no value or the products overflow.
    #[must_use]
    pub fn compare(&self, other: &Ratio) -> Option<Ordering> {
        let (a, b) = (self.normalized()?, other.normalized()?);
        let l = a.numerator.checked_mul(b.denominator)?;
        let r = b.numerator.checked_mul(a.denominator)?;
        Some(l.cmp(&r))
    }

    /// The quotient of two ratios, `self / other`, exact; `None` on overflow
    /// or a zero denominator.
    #[must_use]
    pub fn checked_div(&self, other: &Ratio) -> Option<Ratio> {
        let n = self.numerator.checked_mul(other.denominator)?;
        let d = self.denominator.checked_mul(other.numerator)?;
        (d != 0 && self.denominator != 0 && other.denominator != 0).then_some(Ratio::new(n, d))
    }

    /// The ratio in lowest terms with a non-negative denominator (`0/0`
    /// stays `0/0`).
    #[must_use]
    pub fn reduced(&self) -> Ratio {
        let g = gcd(self.numerator.unsigned_abs(), self.denominator.unsigned_abs());
        let Ok(g) = i128::try_from(g) else {
            return *self;
        };
        if g <= 1 {
            return self.normalized().unwrap_or(*self);
        }
        let r = Ratio::new(self.numerator / g, self.denominator / g);
        r.normalized().unwrap_or(r)
    }

    /// The ratio in lowest terms written `a:b`, as OpenEMIS prints a
    /// pupil-teacher ratio (`"75:4"` for 750 pupils and 40 teachers); empty
    /// when either side is zero.
    #[must_use]
    pub fn format_colon(&self) -> String {
        if self.numerator == 0 || self.denominator == 0 {
            return String::new();
        }
        let r = self.reduced();
        format!("{}:{}", r.numerator, r.denominator)
    }

    /// The same ratio with a positive denominator, `None` if it is zero.
    fn normalized(&self) -> Option<Ratio> {
        match self.denominator.cmp(&0) {
            Ordering::Equal => None,
            Ordering::Greater => Some(*self),
            Ordering::Less => Some(Ratio::new(
                self.numerator.checked_neg()?,
                self.denominator.checked_neg()?,
            )),
        }
    }
}

impl fmt::Display for Ratio {
    /// `numerator/denominator`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

pub(super) fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}
